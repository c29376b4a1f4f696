//! What an authenticated user may do through the API, for their own organisation only:
//! every function here takes the caller and works inside the caller's organisation
//! scope, so an id of another organisation is simply not found.

use orgca_model::{Email, PersonName, Role};
use orgca_store::{NewUser, OrgSettings, Organisation, SettingsChange, Store, User, UserStatus};

use crate::RaError;

/// The caller's organisation.
pub async fn organisation(store: &Store, caller: &User) -> Result<Organisation, RaError> {
    Ok(store.org(caller.org_id).organisation().await?)
}

/// Changes the caller's organisation's settings: organisation administrators only.
pub async fn change_settings(
    store: &Store,
    caller: &User,
    change: SettingsChange,
    now: i64,
) -> Result<OrgSettings, RaError> {
    if caller.role != Role::OrgAdmin {
        return Err(RaError::Forbidden(
            "only an organisation administrator changes the organisation's settings".into(),
        ));
    }
    let org = organisation(store, caller).await?;
    Ok(store
        .orgs()
        .change_settings(&org, change, &caller.id.to_string(), now)
        .await?)
}

/// The caller's organisation's users: administrators only.
pub async fn users(store: &Store, caller: &User) -> Result<Vec<User>, RaError> {
    require_admin(caller)?;
    Ok(store.org(caller.org_id).users().await?)
}

/// One user of the caller's organisation: administrators, or the user themself.
pub async fn user(store: &Store, caller: &User, id: uuid::Uuid) -> Result<User, RaError> {
    if caller.id != id {
        require_admin(caller)?;
    }
    store
        .org(caller.org_id)
        .user(id)
        .await?
        .ok_or(RaError::NotFound("user"))
}

/// A user to create through the API (as typed by a client).
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    /// E-mail address.
    pub email: String,
    /// Given name.
    pub given_name: String,
    /// Surname.
    pub surname: String,
    /// `org_admin`, `user_admin` or `user`.
    pub role: String,
    /// The seal right.
    #[serde(default)]
    pub seal: bool,
}

/// Creates a user in the caller's organisation: administrators only, and only an
/// organisation administrator creates another one.
pub async fn create_user(
    store: &Store,
    caller: &User,
    req: &NewUserRequest,
    now: i64,
) -> Result<User, RaError> {
    require_admin(caller)?;
    let new = NewUser {
        email: Email::parse(&req.email)?,
        given_name: PersonName::parse("given name", &req.given_name)?,
        surname: PersonName::parse("surname", &req.surname)?,
        role: Role::parse(&req.role)?,
        seal: req.seal,
        status: UserStatus::Active,
    };
    if new.role == Role::OrgAdmin && caller.role != Role::OrgAdmin {
        return Err(RaError::Forbidden(
            "only an organisation administrator creates another one".into(),
        ));
    }
    let org = organisation(store, caller).await?;
    if new.seal && !org.settings.seals {
        return Err(RaError::Invalid(
            "the seal right is switched off for this organisation".into(),
        ));
    }
    Ok(store
        .org(org.id)
        .create_user(&new, &caller.id.to_string(), now)
        .await?)
}

fn require_admin(caller: &User) -> Result<(), RaError> {
    if caller.role.administers_users() {
        Ok(())
    } else {
        Err(RaError::Forbidden(
            "this needs a user or organisation administrator".into(),
        ))
    }
}
