//! Why a certificate is blocked (docs/DOMAIN.md, "Blocking"), and the RFC 5280 reason code each
//! reason is published with.

use std::fmt;

/// A reason to block a certificate, as a user administrator names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockReason {
    /// Something in the certificate is wrong.
    ContentWrong,
    /// Access to the key is lost, or the key destroyed.
    KeyLost,
    /// The key is, or may be, known to someone else.
    KeyCompromised,
    /// The person or system has left the organisation.
    LeftOrganisation,
    /// Replaced by another certificate.
    Superseded,
}

/// A reason name that orgca does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown block reason {0:?}: use content_wrong, key_lost, key_compromised, left_organisation or superseded"
)]
pub struct UnknownBlockReason(pub String);

impl BlockReason {
    /// Every reason.
    pub const ALL: [BlockReason; 5] = [
        BlockReason::ContentWrong,
        BlockReason::KeyLost,
        BlockReason::KeyCompromised,
        BlockReason::LeftOrganisation,
        BlockReason::Superseded,
    ];

    /// The stable name used in the store, the CLI and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            BlockReason::ContentWrong => "content_wrong",
            BlockReason::KeyLost => "key_lost",
            BlockReason::KeyCompromised => "key_compromised",
            BlockReason::LeftOrganisation => "left_organisation",
            BlockReason::Superseded => "superseded",
        }
    }

    /// Parses the name written by [`BlockReason::as_str`].
    pub fn parse(s: &str) -> Result<Self, UnknownBlockReason> {
        BlockReason::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownBlockReason(s.to_owned()))
    }

    /// The CRLReason (RFC 5280 §5.3.1) it is published with: content wrong is
    /// unspecified (0), which RFC 5280 says to leave out of the CRL entry; a lost or
    /// destroyed key is cessationOfOperation (5); compromise keyCompromise (1); leaving
    /// affiliationChanged (3); superseded (4).
    pub fn crl_reason(self) -> u8 {
        match self {
            BlockReason::ContentWrong => 0,
            BlockReason::KeyCompromised => 1,
            BlockReason::LeftOrganisation => 3,
            BlockReason::Superseded => 4,
            BlockReason::KeyLost => 5,
        }
    }
}

impl fmt::Display for BlockReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_codes_follow_the_domain() {
        for r in BlockReason::ALL {
            assert_eq!(BlockReason::parse(r.as_str()), Ok(r));
        }
        assert!(BlockReason::parse("lost").is_err());
        let codes: Vec<u8> = BlockReason::ALL.iter().map(|r| r.crl_reason()).collect();
        assert_eq!(codes, [0, 5, 1, 3, 4]);
    }
}
