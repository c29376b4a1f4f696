//! Users, their API tokens, and an organisation's settings (operator CLI now; the REST
//! API builds on the same functions).

use orgca_model::{Email, PersonName, Role};
use orgca_store::{
    NewUser, OperatorToken, OrgSettings, Organisation, SettingsChange, Store, User, UserStatus,
};

use crate::RaError;

/// Prefix of every API token, so that a leaked one is easy to recognise (secret scanners).
pub const TOKEN_PREFIX: &str = "orgca_";

async fn organisation(store: &Store, cvr: &str) -> Result<Organisation, RaError> {
    let cvr = cvr.trim();
    store
        .orgs()
        .by_cvr(cvr)
        .await?
        .ok_or_else(|| RaError::UnknownOrganisation(cvr.to_owned()))
}

/// What an operator gives to create a user.
#[derive(Clone, Debug)]
pub struct UserRequest<'a> {
    /// The organisation's CVR.
    pub org_cvr: &'a str,
    /// E-mail address (names the user; ASCII).
    pub email: &'a str,
    /// Given name.
    pub given_name: &'a str,
    /// Surname.
    pub surname: &'a str,
    /// `org_admin`, `user_admin` or `user`.
    pub role: &'a str,
    /// The seal right.
    pub seal: bool,
}

/// Creates an active user in an organisation. The seal right needs the organisation's
/// seal right switched on.
pub async fn create_user(
    store: &Store,
    req: &UserRequest<'_>,
    actor: &str,
    now: i64,
) -> Result<User, RaError> {
    let new = NewUser {
        email: Email::parse(req.email)?,
        given_name: PersonName::parse("given name", req.given_name)?,
        surname: PersonName::parse("surname", req.surname)?,
        role: Role::parse(req.role)?,
        seal: req.seal,
        status: UserStatus::Active,
    };
    let org = organisation(store, req.org_cvr).await?;
    if new.seal && !org.settings.seals {
        return Err(RaError::Invalid(format!(
            "the seal right is switched off for organisation {}: switch it on first (`orgca org set --seals on`)",
            org.cvr
        )));
    }
    Ok(store.org(org.id).create_user(&new, actor, now).await?)
}

/// Makes an API token for the user with this e-mail: returns it (to be shown once) and
/// the user. Only its SHA-256 is stored.
pub async fn create_token(
    store: &Store,
    email: &str,
    actor: &str,
    now: i64,
) -> Result<(String, User), RaError> {
    let email = Email::parse(email)?;
    let user = store.user_by_email(email.as_str()).await?.ok_or_else(|| {
        RaError::Invalid(format!(
            "no user with e-mail {email}; create one with `orgca user create`"
        ))
    })?;
    if user.status != UserStatus::Active {
        return Err(RaError::Invalid(format!("user {email} is not active")));
    }
    let token = new_token(TOKEN_PREFIX)?;
    store
        .tokens()
        .create(&user, token_hash(&token), actor, now)
        .await?;
    Ok((token, user))
}

/// The prefix of operator tokens (so that a leaked one is recognised for what it is).
pub const OPERATOR_TOKEN_PREFIX: &str = "orgca_op_";

/// Makes an operator token named `name` (who or what it is for): it acts for any
/// organisation, one named per request. Returns it (to be shown once); only its SHA-256
/// is stored.
pub async fn create_operator_token(
    store: &Store,
    name: &str,
    actor: &str,
    now: i64,
) -> Result<(String, OperatorToken), RaError> {
    let name = name.trim();
    if name.is_empty() || name.len() > 100 || name.chars().any(char::is_control) {
        return Err(RaError::Invalid(
            "name the operator token with 1 to 100 printable characters (who or what uses it)"
                .into(),
        ));
    }
    let token = new_token(OPERATOR_TOKEN_PREFIX)?;
    let op = store
        .tokens()
        .create_operator(name, token_hash(&token), actor, now)
        .await?;
    Ok((token, op))
}

/// `prefix` and 256 random bits in hex.
pub(crate) fn new_token(prefix: &str) -> Result<String, RaError> {
    let mut raw = [0u8; 32];
    aws_lc_rs::rand::fill(&mut raw)
        .map_err(|_| RaError::Internal("the system random generator failed".into()))?;
    Ok(format!("{prefix}{}", hex::encode(raw)))
}

/// The SHA-256 under which a token is stored and looked up.
pub fn token_hash(token: &str) -> [u8; 32] {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

/// Switches an organisation's user certificates, organisation certificates or seal
/// right on or off; answers the organisation and its new settings.
pub async fn change_settings(
    store: &Store,
    cvr: &str,
    change: SettingsChange,
    actor: &str,
    now: i64,
) -> Result<(Organisation, OrgSettings), RaError> {
    let org = organisation(store, cvr).await?;
    let settings = store
        .orgs()
        .change_settings(&org, change, actor, now)
        .await?;
    Ok((org, settings))
}
