//! Orders: what a certificate is for, how it is picked up, and where the order is.

use crate::UnixTime;
use uuid::Uuid;

use crate::OrgId;

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

/// How the recipient proves who they are at pick-up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Identification {
    /// The reference and a one-time code shown once to the administrator.
    OneTimeCode,
    /// Logging in as the user the order is for.
    UserLogin,
}

/// How the certificate is delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Issuance {
    /// The recipient sends a PKCS#10 request for their own key.
    Csr,
    /// orgca makes the key and hands out a PKCS#12.
    Pkcs12,
}

/// Where an order is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// The e-mail address shown in the certificate is not validated yet.
    AwaitingEmailValidation,
    /// May be picked up.
    Ready,
    /// A pick-up is being served.
    Issuing,
    /// Picked up: the certificate exists.
    Issued,
    /// Cancelled by an administrator.
    Cancelled,
}

macro_rules! enum_text {
    ($t:ty { $($v:ident => $s:literal),* $(,)? }) => {
        impl $t {
            /// The stable name in the store and JSON.
            pub fn as_str(self) -> &'static str {
                match self { $(<$t>::$v => $s),* }
            }
            /// Reads a stored name.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some(<$t>::$v),)* _ => None }
            }
        }
    };
}
enum_text!(Identification { OneTimeCode => "one_time_code", UserLogin => "user_login" });
enum_text!(Issuance { Csr => "csr", Pkcs12 => "pkcs12" });
enum_text!(OrderStatus {
    AwaitingEmailValidation => "awaiting_email_validation",
    Ready => "ready",
    Issuing => "issuing",
    Issued => "issued",
    Cancelled => "cancelled",
});

/// An order for one certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Order {
    /// Id.
    pub id: Uuid,
    /// Organisation.
    pub org_id: OrgId,
    /// Short, human-typeable reference.
    pub reference: String,
    /// What it is for.
    pub subject: OrderSubject,
    /// How the recipient identifies.
    pub identification: Identification,
    /// How the certificate is delivered.
    pub issuance: Issuance,
    /// Status.
    pub status: OrderStatus,
    /// SHA-256 of the one-time code.
    pub code_sha256: Option<[u8; 32]>,
    /// Wrong codes so far.
    pub code_failures: i64,
    /// When it stops being valid.
    pub expires_at: UnixTime,
    /// The certificate it produced.
    pub certificate_id: Option<Uuid>,
    /// The certificate it renews, if any.
    pub renews: Option<Uuid>,
    /// When placed.
    pub created_at: UnixTime,
}
