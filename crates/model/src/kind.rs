//! The three kinds of certificate orgca issues.

use std::fmt;

/// What a certificate is for; decides subject layout, key usage, policy and semantics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CertKind {
    /// Organisation certificate: names the organisation, signs and encrypts.
    Organisation,
    /// System certificate: a specialisation of the organisation certificate for a system
    /// (no non-repudiation).
    System,
    /// Employee (user) certificate: names a natural person of the organisation.
    Employee,
}

/// A kind name that orgca does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown certificate kind {0:?}: use organisation, system or employee")]
pub struct UnknownKind(pub String);

impl CertKind {
    /// Every kind: what [`CertKind::parse`] reads, and what the API's document lists.
    pub const ALL: [CertKind; 3] = [CertKind::Organisation, CertKind::System, CertKind::Employee];

    /// The stable lower-case name used in the store, the CLI and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            CertKind::Organisation => "organisation",
            CertKind::System => "system",
            CertKind::Employee => "employee",
        }
    }

    /// Parses the name written by [`CertKind::as_str`].
    pub fn parse(s: &str) -> Result<Self, UnknownKind> {
        CertKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownKind(s.to_owned()))
    }

    /// Whether the subject is a natural person (employee) rather than a legal person.
    pub fn is_natural_person(self) -> bool {
        self == CertKind::Employee
    }
}

impl fmt::Display for CertKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
