//! API tokens, made by the operator: a user's token, and operator tokens that act for
//! one organisation per request. A token is shown once; only its SHA-256 is stored.

use orgca_model::UnixTime;
use orgca_model::{Email, User, UserStatus};
use orgca_store::OperatorToken;

use crate::caller::{OPERATOR_TOKEN_PREFIX, TOKEN_PREFIX};
use crate::{Ra, RaError};

impl Ra {
    /// The user with this e-mail address, for the operator's CLI: of the organisation
    /// with CVR `organisation` if given, else the only one with the address (an address
    /// may be a user in several organisations; then the operator names one).
    pub async fn operator_user_by_email(
        &self,
        email: &str,
        organisation: Option<&str>,
    ) -> Result<User, RaError> {
        let email = Email::parse(email.trim())?;
        let mut users = self.store.users_by_email(email.as_str()).await?;
        if let Some(cvr) = organisation {
            let org = self.organisation_by_cvr(cvr).await?;
            users.retain(|u| u.org_id == org.id);
        }
        match users.len() {
            0 => Err(RaError::Invalid(format!(
                "no user with e-mail {email}{}; create one with `orgca user create`",
                organisation.map_or(String::new(), |cvr| format!(
                    " in the organisation with CVR {}",
                    cvr.trim()
                ))
            ))),
            1 => Ok(users.remove(0)),
            n => Err(RaError::Invalid(format!(
                "{n} organisations have a user with e-mail {email}: name one with --org CVR"
            ))),
        }
    }

    /// Makes an API token for the user with this e-mail (operator; `organisation` as for
    /// [`Ra::operator_user_by_email`]): returns it (to be shown once) and the user.
    pub async fn create_token(
        &self,
        email: &str,
        organisation: Option<&str>,
        actor: &str,
        now: UnixTime,
    ) -> Result<(String, User), RaError> {
        let user = self.operator_user_by_email(email, organisation).await?;
        if user.status != UserStatus::Active {
            return Err(RaError::NotNow(format!(
                "user {} is not active",
                user.email
            )));
        }
        let token = new_token(TOKEN_PREFIX)?;
        self.store
            .tokens()
            .create(&user, token_hash(&token), actor, now)
            .await?;
        Ok((token, user))
    }

    /// Makes an operator token named `name` (who or what it is for): it acts for any
    /// organisation, one named per request. Returns it (to be shown once).
    pub async fn create_operator_token(
        &self,
        name: &str,
        actor: &str,
        now: UnixTime,
    ) -> Result<(String, OperatorToken), RaError> {
        let name = token_name(name)?;
        let token = new_token(OPERATOR_TOKEN_PREFIX)?;
        let op = self
            .store
            .tokens()
            .create_operator(name, token_hash(&token), actor, now)
            .await?;
        Ok((token, op))
    }
}

/// A token's name, trimmed: 1 to 100 printable characters saying who or what uses it.
pub(crate) fn token_name(name: &str) -> Result<&str, RaError> {
    let name = name.trim();
    if name.is_empty() || name.len() > 100 || name.chars().any(char::is_control) {
        return Err(RaError::Invalid(
            "name the token with 1 to 100 printable characters (who or what uses it)".into(),
        ));
    }
    Ok(name)
}

/// `prefix` and 256 random bits in hex.
pub(crate) fn new_token(prefix: &str) -> Result<String, RaError> {
    let mut raw = [0u8; 32];
    aws_lc_rs::rand::fill(&mut raw).map_err(|_| RaError::no_randomness())?;
    Ok(format!("{prefix}{}", hex::encode(raw)))
}

/// The SHA-256 under which a token is stored and looked up.
pub fn token_hash(token: &str) -> [u8; 32] {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}
