//! E-mail addresses as they may appear in a certificate (rfc822Name, IA5String).

use std::fmt;

/// Why an e-mail address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    /// Non-ASCII characters: rfc822Name is an IA5String.
    #[error(
        "e-mail address {0:?} contains non-ASCII characters (such as æ, ø, å); certificates \
         carry e-mail addresses as ASCII only"
    )]
    NotAscii(String),
    /// Not of the form local@domain.
    #[error("{0:?} is not an e-mail address of the form name@domain.tld")]
    Format(String),
    /// Longer than 254 characters.
    #[error("e-mail address is {0} characters; at most 254 are allowed")]
    TooLong(usize),
}

/// An ASCII e-mail address `local@domain`, domain lower-cased, fit for an rfc822Name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// The longest address accepted (RFC 5321's path limit less its brackets).
    pub const MAX: usize = 254;

    /// Parses an address, refusing what cannot be written as an rfc822Name.
    pub fn parse(s: &str) -> Result<Self, EmailError> {
        let s = s.trim();
        if !s.is_ascii() {
            return Err(EmailError::NotAscii(s.to_owned()));
        }
        if s.len() > Self::MAX {
            return Err(EmailError::TooLong(s.len()));
        }
        let bad = || EmailError::Format(s.to_owned());
        let (local, domain) = s.rsplit_once('@').ok_or_else(bad)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~.".contains(&b));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        if !local_ok || !domain_ok {
            return Err(bad());
        }
        Ok(Email(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises() {
        assert_eq!(
            Email::parse(" It@Firma.DK ").map(|e| e.0),
            Ok("It@firma.dk".into())
        );
        assert!(Email::parse("a.b+c@sub.example.com").is_ok());
    }

    #[test]
    fn refuses_danish_letters_and_junk() {
        assert!(matches!(
            Email::parse("søren@firma.dk"),
            Err(EmailError::NotAscii(_))
        ));
        assert!(matches!(
            Email::parse("a@æble.dk"),
            Err(EmailError::NotAscii(_))
        ));
        for bad in [
            "",
            "a",
            "a@b",
            "@b.dk",
            "a@.dk",
            "a..b@c.dk",
            "a b@c.dk",
            "a@-c.dk",
        ] {
            assert!(
                matches!(Email::parse(bad), Err(EmailError::Format(_))),
                "{bad}"
            );
        }
    }
}
