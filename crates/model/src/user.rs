//! Users of an organisation.

use crate::UnixTime;
use uuid::Uuid;

use crate::{OrgId, Role};

/// Where a user is in their life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UserStatus {
    /// Created, has not logged in yet.
    Invited,
    /// May log in and fetch certificates.
    Active,
    /// May do nothing any more.
    Deactivated,
    /// Deleted by the organisation's directory (SCIM): may do nothing any more, and
    /// nobody changes them again; kept because their certificates and the audit trail
    /// name them.
    Removed,
}

impl UserStatus {
    /// Reads a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "invited" => Some(UserStatus::Invited),
            "active" => Some(UserStatus::Active),
            "deactivated" => Some(UserStatus::Deactivated),
            "removed" => Some(UserStatus::Removed),
            _ => None,
        }
    }

    /// Deactivated or removed: the user may do nothing, and their sessions are over.
    pub fn has_ended(self) -> bool {
        matches!(self, UserStatus::Deactivated | UserStatus::Removed)
    }

    /// The stored and shown name.
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Invited => "invited",
            UserStatus::Active => "active",
            UserStatus::Deactivated => "deactivated",
            UserStatus::Removed => "removed",
        }
    }
}

/// A user of one organisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// Stable id; it goes into the user's employee certificates.
    pub id: Uuid,
    /// The organisation.
    pub org_id: OrgId,
    /// E-mail address (unique across orgca: it names the user at login).
    pub email: String,
    /// Given name.
    pub given_name: String,
    /// Surname.
    pub surname: String,
    /// Role.
    pub role: Role,
    /// Holds the seal right.
    pub seal: bool,
    /// Status.
    pub status: UserStatus,
    /// When created.
    pub created_at: UnixTime,
    /// The user opted in to the public directory: their active employee certificates
    /// are found by their exact address.
    pub publish: bool,
    /// The organisation's directory's own id for the user, when the directory
    /// provisions them (SCIM `externalId`).
    pub external_id: Option<String>,
    /// The directory's name for the user (SCIM `userName`) when it is not their e-mail
    /// address (Entra ID sends the user principal name).
    pub directory_name: Option<String>,
    /// When last changed (the creation time until then).
    pub modified_at: UnixTime,
}
