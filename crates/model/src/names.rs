//! Names that go into certificate subjects.

use std::fmt;

/// Why a name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Empty after trimming white space.
    #[error("{field} must not be empty")]
    Empty {
        /// Which field.
        field: &'static str,
    },
    /// Longer than the X.520 upper bound for the attribute.
    #[error("{field} is {len} characters; at most {max} are allowed")]
    TooLong {
        /// Which field.
        field: &'static str,
        /// Characters given.
        len: usize,
        /// Upper bound.
        max: usize,
    },
    /// Contains a control character (line breaks, tabs, NUL ...).
    #[error("{field} contains a control character; use printable text only")]
    Control {
        /// Which field.
        field: &'static str,
    },
}

fn parse_text(field: &'static str, s: &str, max: usize) -> Result<String, NameError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(NameError::Empty { field });
    }
    if s.chars().any(char::is_control) {
        return Err(NameError::Control { field });
    }
    let len = s.chars().count();
    if len > max {
        return Err(NameError::TooLong { field, len, max });
    }
    Ok(s.to_owned())
}

/// A certificate's common name (the name an administrator gives an organisation or
/// system certificate, or an employee's full name). At most 64 characters (X.520
/// ub-common-name).
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct CertName(String);

impl CertName {
    /// Upper bound of commonName in X.520.
    pub const MAX: usize = 64;

    /// Parses a common name.
    pub fn parse(s: &str) -> Result<Self, NameError> {
        parse_text("name", s, Self::MAX).map(CertName)
    }

    /// The name as given (trimmed).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CertName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A given name or surname of a natural person. At most 64 characters (kept equal to
/// the common name's bound so that "given surname" always fits when combined sensibly).
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct PersonName(String);

impl PersonName {
    /// Parses a given name (`field = "given name"`) or surname.
    pub fn parse(field: &'static str, s: &str) -> Result<Self, NameError> {
        parse_text(field, s, CertName::MAX).map(PersonName)
    }

    /// The name as given (trimmed).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            CertName::parse("  Løn-system ").map(|n| n.0),
            Ok("Løn-system".into())
        );
        assert!(matches!(CertName::parse(" "), Err(NameError::Empty { .. })));
        assert!(matches!(
            CertName::parse("a\nb"),
            Err(NameError::Control { .. })
        ));
        assert!(CertName::parse(&"æ".repeat(64)).is_ok());
        assert!(matches!(
            CertName::parse(&"æ".repeat(65)),
            Err(NameError::TooLong { len: 65, .. })
        ));
    }
}
