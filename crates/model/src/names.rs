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
    /// Contains a control character (line breaks, tabs, NUL ...), an invisible format
    /// character (bidirectional controls, zero-width spaces, joiners, BOM ...) or a blank
    /// filler: characters that make a name read as something else.
    #[error(
        "{field} contains {character} at character {position}: control, invisible and \
         direction-changing characters are not allowed; type the name as it should read"
    )]
    Hidden {
        /// Which field.
        field: &'static str,
        /// The character, as `U+XXXX (NAME)`.
        character: String,
        /// Its position, 1 for the first character (after trimming).
        position: usize,
    },
    /// Has no letter or digit: nothing a reader would recognise.
    #[error("{field} has no letter or digit; give a name a person can read")]
    Unreadable {
        /// Which field.
        field: &'static str,
    },
}

/// Checks a name that goes into a certificate or a mail: trimmed, not empty, at most
/// `max` characters, nothing hidden (see [`crate::invisible`]), a letter or digit in it.
/// Answers the trimmed name.
pub fn parse_text(field: &'static str, s: &str, max: usize) -> Result<String, NameError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(NameError::Empty { field });
    }
    if let Some((position, c)) = crate::invisible::first_hidden(s) {
        return Err(NameError::Hidden {
            field,
            character: crate::invisible::describe(c),
            position,
        });
    }
    if !s.chars().any(char::is_alphanumeric) {
        return Err(NameError::Unreadable { field });
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
            Err(NameError::Hidden { position: 2, .. })
        ));
        let rlo = CertName::parse("Sys\u{202e}evil").expect_err("RLO");
        assert_eq!(
            rlo.to_string(),
            "name contains U+202E (RIGHT-TO-LEFT OVERRIDE) at character 4: control, invisible \
             and direction-changing characters are not allowed; type the name as it should read"
        );
        assert!(matches!(
            PersonName::parse("given name", "Ann\u{202e}gnE"),
            Err(NameError::Hidden { position: 4, .. })
        ));
        assert!(matches!(
            CertName::parse("\u{200b}\u{200b}"),
            Err(NameError::Hidden { position: 1, .. })
        ));
        assert!(matches!(
            CertName::parse("- . -"),
            Err(NameError::Unreadable { .. })
        ));
        assert!(CertName::parse("Bøg & Co. 2").is_ok());
        assert!(CertName::parse(&"æ".repeat(64)).is_ok());
        assert!(matches!(
            CertName::parse(&"æ".repeat(65)),
            Err(NameError::TooLong { len: 65, .. })
        ));
    }
}
