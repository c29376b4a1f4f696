//! A certificate's status: as stored, and as a client sees it.

use crate::UnixTime;
use std::fmt;

/// A certificate's stored status. Blocking is the only change, and it is permanent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CertStatus {
    /// Valid until notAfter.
    Active,
    /// Blocked (revoked); for good.
    Blocked,
}

impl CertStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            CertStatus::Active => "active",
            CertStatus::Blocked => "blocked",
        }
    }

    /// Reads a stored name.
    pub fn parse(s: &str) -> Option<CertStatus> {
        match s {
            "active" => Some(CertStatus::Active),
            "blocked" => Some(CertStatus::Blocked),
            _ => None,
        }
    }

    /// What a client sees at `now` of a certificate with this status valid until
    /// `not_after`: an active one past notAfter is expired.
    pub fn at(self, not_after: UnixTime, now: UnixTime) -> VisibleStatus {
        match self {
            CertStatus::Active if now > not_after => VisibleStatus::Expired,
            CertStatus::Active => VisibleStatus::Active,
            CertStatus::Blocked => VisibleStatus::Blocked,
        }
    }
}

/// A certificate's status as a client sees it: computed, never stored, so that no job
/// has to run when a certificate expires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VisibleStatus {
    /// Valid now.
    Active,
    /// Blocked.
    Blocked,
    /// Past notAfter, never blocked.
    Expired,
}

impl VisibleStatus {
    /// The name clients see.
    pub fn as_str(self) -> &'static str {
        match self {
            VisibleStatus::Active => "active",
            VisibleStatus::Blocked => "blocked",
            VisibleStatus::Expired => "expired",
        }
    }
}

impl fmt::Display for VisibleStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_seen_only_on_active_certificates() {
        let t = UnixTime::from_secs;
        assert_eq!(CertStatus::Active.at(t(100), t(100)), VisibleStatus::Active);
        assert_eq!(
            CertStatus::Active.at(t(100), t(101)),
            VisibleStatus::Expired
        );
        assert_eq!(
            CertStatus::Blocked.at(t(100), t(101)),
            VisibleStatus::Blocked
        );
        for s in [CertStatus::Active, CertStatus::Blocked] {
            assert_eq!(CertStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(CertStatus::parse("expired"), None);
    }
}
