//! What a user may do in their organisation.

use std::fmt;

/// A user's role (docs/DOMAIN.md, "Actors"). The seal right is separate: any role may hold it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Decides what the organisation may use (user certificates, organisation
    /// certificates, seals); everything a user administrator may do too.
    OrgAdmin,
    /// Orders, renews, blocks and cancels certificates; manages profiles and users.
    UserAdmin,
    /// Fetches and blocks their own certificates.
    User,
}

/// A role name that orgca does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}: use org_admin, user_admin or user")]
pub struct UnknownRole(pub String);

impl Role {
    /// Every role: what [`Role::parse`] reads, and what the API's document lists.
    pub const ALL: [Role; 3] = [Role::OrgAdmin, Role::UserAdmin, Role::User];

    /// The stable name used in the store, the CLI and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::OrgAdmin => "org_admin",
            Role::UserAdmin => "user_admin",
            Role::User => "user",
        }
    }

    /// Parses the name written by [`Role::as_str`].
    pub fn parse(s: &str) -> Result<Self, UnknownRole> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }

    /// Whether this role administers users and certificates of its organisation.
    pub fn administers_users(self) -> bool {
        matches!(self, Role::OrgAdmin | Role::UserAdmin)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
