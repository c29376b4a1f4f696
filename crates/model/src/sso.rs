//! An organisation's identity provider (OpenID Connect): where its people log in, and how
//! the person the provider names is found among the organisation's users.

use std::path::PathBuf;

use crate::{OrgId, UnixTime};

/// Where the client secret is read from, at each login (so that it can be rotated
/// without a restart). The secret itself is never stored in the database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretSource {
    /// A file holding the secret (one line; surrounding whitespace is ignored).
    File(PathBuf),
    /// An environment variable of the orgca process.
    Env(String),
}

impl SecretSource {
    /// `file:<path>` or `env:<name>`, as stored.
    pub fn to_stored(&self) -> String {
        match self {
            SecretSource::File(p) => format!("file:{}", p.display()),
            SecretSource::Env(n) => format!("env:{n}"),
        }
    }

    /// Reads the stored form back.
    pub fn from_stored(s: &str) -> Option<Self> {
        if let Some(p) = s.strip_prefix("file:") {
            Some(SecretSource::File(PathBuf::from(p)))
        } else {
            s.strip_prefix("env:")
                .map(|n| SecretSource::Env(n.to_owned()))
        }
    }
}

/// How the person an ID token names is found among the organisation's users.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MatchBy {
    /// The `email` claim is the user's address (a claim `email_verified: false` is
    /// refused).
    Email,
    /// This claim (Entra ID's `oid`, say) is the user's external id, as the directory
    /// provisioned it over SCIM.
    ExternalId(String),
}

impl MatchBy {
    /// `email` or `external_id:<claim>`, as stored and as the CLI takes it.
    pub fn to_stored(&self) -> String {
        match self {
            MatchBy::Email => "email".into(),
            MatchBy::ExternalId(claim) => format!("external_id:{claim}"),
        }
    }

    /// Reads the stored (or typed) form; `None` if it is neither.
    pub fn from_stored(s: &str) -> Option<Self> {
        if s == "email" {
            return Some(MatchBy::Email);
        }
        let claim = s.strip_prefix("external_id:")?;
        let plain = !claim.is_empty()
            && claim.len() <= 64
            && claim
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.');
        plain.then(|| MatchBy::ExternalId(claim.to_owned()))
    }
}

/// An organisation's identity provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentityProvider {
    /// The organisation whose people log in through it.
    pub org_id: OrgId,
    /// The issuer URL (the discovery document is fetched from under it).
    pub issuer: String,
    /// orgca's client id at the provider.
    pub client_id: String,
    /// Where the client secret is read from.
    pub client_secret: SecretSource,
    /// How the person is found among the organisation's users.
    pub match_by: MatchBy,
    /// Whether the organisation's users may still log in with a password as well.
    pub password_login: bool,
    /// When last set.
    pub updated_at: UnixTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_forms_read_back() {
        for m in [MatchBy::Email, MatchBy::ExternalId("oid".into())] {
            assert_eq!(MatchBy::from_stored(&m.to_stored()), Some(m));
        }
        for bad in ["", "sub", "external_id:", "external_id:a b", "emails"] {
            assert_eq!(MatchBy::from_stored(bad), None, "{bad}");
        }
        for s in [
            SecretSource::File("/etc/orgca/oidc secret".into()),
            SecretSource::Env("ORGCA_OIDC_SECRET".into()),
        ] {
            assert_eq!(SecretSource::from_stored(&s.to_stored()), Some(s));
        }
        assert_eq!(SecretSource::from_stored("plain"), None);
    }
}
