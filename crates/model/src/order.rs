//! What an order is for.

use uuid::Uuid;

/// Whom an order's certificate names: one of the organisation's profiles (organisation
/// and system certificates) or one of its users (employee certificates), never both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrderSubject {
    /// A profile's id.
    Profile(Uuid),
    /// A user's id.
    User(Uuid),
}

impl OrderSubject {
    /// The profile, for a profile's order.
    pub fn profile(self) -> Option<Uuid> {
        match self {
            OrderSubject::Profile(id) => Some(id),
            OrderSubject::User(_) => None,
        }
    }

    /// The user, for an employee certificate's order.
    pub fn user(self) -> Option<Uuid> {
        match self {
            OrderSubject::User(id) => Some(id),
            OrderSubject::Profile(_) => None,
        }
    }

    /// The subject of the stored pair (profile, user): `None` unless exactly one is set.
    pub fn from_pair(profile: Option<Uuid>, user: Option<Uuid>) -> Option<OrderSubject> {
        match (profile, user) {
            (Some(p), None) => Some(OrderSubject::Profile(p)),
            (None, Some(u)) => Some(OrderSubject::User(u)),
            _ => None,
        }
    }
}
