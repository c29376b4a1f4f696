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
        /// Its position, 1 for the first character.
        position: usize,
    },
}

/// Checks a name that goes into a certificate or a mail: nothing hidden anywhere (see
/// [`crate::invisible`]), at most `max` characters as sent, something other than white
/// space in it. Answers the name without the white space around it.
///
/// Every rule reads the text as sent, so that [`text_pattern`] and a length limit say
/// exactly what passes.
pub fn parse_text(field: &'static str, s: &str, max: usize) -> Result<String, NameError> {
    if let Some((position, c)) = crate::invisible::first_hidden(s) {
        return Err(NameError::Hidden {
            field,
            character: crate::invisible::describe(c),
            position,
        });
    }
    let len = s.chars().count();
    if len > max {
        return Err(NameError::TooLong { field, len, max });
    }
    let s = s.trim();
    if s.is_empty() {
        return Err(NameError::Empty { field });
    }
    Ok(s.to_owned())
}

/// The highest white-space character (U+3000 IDEOGRAPHIC SPACE); a test checks it.
const LAST_WHITE_SPACE: char = '\u{3000}';

/// What [`parse_text`] accepts (its length aside), as a regular expression for the API
/// document: no hidden character, and one that is neither hidden nor white space.
pub fn text_pattern() -> String {
    use crate::invisible::{class_of, hidden_ranges, is_hidden};
    let hidden = class_of(hidden_ranges());
    let spaces = class_of(
        ('\0'..=LAST_WHITE_SPACE)
            .filter(|c| c.is_whitespace() && !is_hidden(*c))
            .map(|c| (u32::from(c), u32::from(c))),
    );
    format!("^[^{hidden}]*[^{hidden}{spaces}][^{hidden}]*$")
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
        assert_eq!(CertName::parse("-").map(|n| n.0), Ok("-".into()));
        assert!(matches!(
            CertName::parse(&format!(" {} ", "x".repeat(63))),
            Err(NameError::TooLong { len: 65, .. })
        ));
        assert!(matches!(
            CertName::parse(" \u{85}Name"),
            Err(NameError::Hidden { position: 2, .. })
        ));
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
        assert_eq!(CertName::parse("- . -").map(|n| n.0), Ok("- . -".into()));
        assert!(CertName::parse("Bøg & Co. 2").is_ok());
        assert!(CertName::parse(&"æ".repeat(64)).is_ok());
        assert!(matches!(
            CertName::parse(&"æ".repeat(65)),
            Err(NameError::TooLong { len: 65, .. })
        ));
    }

    /// The pattern and the parser agree on every code point alone, after a letter, and
    /// between spaces.
    #[test]
    fn the_pattern_says_what_the_parser_accepts() {
        let pattern = regex::Regex::new(&text_pattern()).expect("the pattern compiles");
        for c in char::MIN..=char::MAX {
            for text in [c.to_string(), format!("a{c}"), format!(" {c} ")] {
                assert_eq!(
                    pattern.is_match(&text),
                    parse_text("name", &text, 64).is_ok(),
                    "{text:?}"
                );
            }
        }
        assert!(
            !pattern.is_match("Name\n"),
            "a line break at the end is refused"
        );
        assert!(
            !(LAST_WHITE_SPACE..=char::MAX)
                .skip(1)
                .any(char::is_whitespace),
            "no white space after U+3000"
        );
    }
}
