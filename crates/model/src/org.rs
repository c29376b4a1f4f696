//! An organisation and what it has switched on.

use crate::UnixTime;
use crate::{Cvr, Environment, OrgId};

/// An organisation: known by its CVR, in one environment for good.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Organisation {
    /// orgca's id.
    pub id: OrgId,
    /// The CVR number.
    pub cvr: Cvr,
    /// Registered name (goes into `O`).
    pub name: String,
    /// Production or test.
    pub environment: Environment,
    /// What the organisation administrator has switched on.
    pub settings: OrgSettings,
    /// When created.
    pub created_at: UnixTime,
}

/// What an organisation may use; all on for a new organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct OrgSettings {
    /// Employee (user) certificates may be ordered.
    pub user_certificates: bool,
    /// Organisation and system certificates may be ordered.
    pub organisation_certificates: bool,
    /// Users with the seal right may seal documents.
    pub seals: bool,
}

/// A change of settings: `None` leaves a setting as it is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SettingsChange {
    /// New value of `user_certificates`.
    pub user_certificates: Option<bool>,
    /// New value of `organisation_certificates`.
    pub organisation_certificates: Option<bool>,
    /// New value of `seals`.
    pub seals: Option<bool>,
}

impl OrgSettings {
    /// The settings after `change`.
    pub fn with(self, change: SettingsChange) -> OrgSettings {
        OrgSettings {
            user_certificates: change.user_certificates.unwrap_or(self.user_certificates),
            organisation_certificates: change
                .organisation_certificates
                .unwrap_or(self.organisation_certificates),
            seals: change.seals.unwrap_or(self.seals),
        }
    }
}
