//! The Danish CVR number and the environment an organisation lives in.

use std::fmt;

/// Where an organisation and its certificates live: the production hierarchy, or the
/// test hierarchy that mirrors it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// Real organisations, CVR numbers that pass the mod-11 check.
    Production,
    /// Test organisations with fictitious CVR numbers (usually starting with 9).
    Test,
}

impl Environment {
    /// The stable lower-case name used in the store, the CLI and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Production => "production",
            Environment::Test => "test",
        }
    }

    /// Parses the stable name written by [`Environment::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "production" => Some(Environment::Production),
            "test" => Some(Environment::Test),
            _ => None,
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a CVR number was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CvrError {
    /// Not exactly eight ASCII digits.
    #[error("a CVR number is exactly 8 digits, got {0:?}")]
    Format(String),
    /// Eight digits whose weighted sum (2,7,6,5,4,3,2,1) is not divisible by 11.
    #[error(
        "CVR number {0} fails the mod-11 check; production organisations need a real CVR \
         number (use --test for a fictitious test organisation)"
    )]
    Checksum(String),
}

/// An 8-digit CVR number. For production it has passed the mod-11 check.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Cvr(String);

const WEIGHTS: [u32; 8] = [2, 7, 6, 5, 4, 3, 2, 1];

impl Cvr {
    /// Parses a CVR number for an organisation in `env`: production numbers must pass the
    /// mod-11 check, test numbers (fictitious) are exempt from it.
    pub fn parse(s: &str, env: Environment) -> Result<Self, CvrError> {
        let s = s.trim();
        if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CvrError::Format(s.to_owned()));
        }
        if env == Environment::Production && !Self::checksum_ok(s) {
            return Err(CvrError::Checksum(s.to_owned()));
        }
        Ok(Cvr(s.to_owned()))
    }

    /// Re-creates a CVR that was parsed before (read back from the store).
    pub fn from_trusted(s: String) -> Self {
        Cvr(s)
    }

    fn checksum_ok(digits: &str) -> bool {
        let sum: u32 = digits
            .bytes()
            .zip(WEIGHTS)
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        sum.is_multiple_of(11)
    }

    /// The eight digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Cvr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_passing_mod11_accepted() {
        for n in ["37283800", "34051178", "12345674"] {
            assert!(Cvr::parse(n, Environment::Production).is_ok(), "{n}");
        }
    }

    #[test]
    fn checksum_failure_refused_in_production_only() {
        assert_eq!(
            Cvr::parse("12345678", Environment::Production),
            Err(CvrError::Checksum("12345678".into()))
        );
        assert!(Cvr::parse("12345678", Environment::Test).is_ok());
        assert!(Cvr::parse("99999999", Environment::Test).is_ok());
    }

    #[test]
    fn format_errors() {
        for bad in ["", "1234567", "123456789", "1234567a", "１２３４５６７８"] {
            assert!(matches!(
                Cvr::parse(bad, Environment::Test),
                Err(CvrError::Format(_))
            ));
        }
    }
}
