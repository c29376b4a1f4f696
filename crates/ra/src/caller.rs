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
    // Looked up first: an id of another organisation is "not found", whatever the role.
    let user = store
        .org(caller.org_id)
        .user(id)
        .await?
        .ok_or(RaError::NotFound("user"))?;
    if caller.id != id {
        require_admin(caller)?;
    }
    Ok(user)
}

/// A user to create through the API (as typed by a client).
#[derive(Clone, Debug, serde::Deserialize, utoipa::ToSchema)]
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

/// An operator acting for one organisation (an operator token over the API, or the
/// CLI): an organisation administrator that is no user of it.
pub fn operator(org_id: orgca_model::OrgId, id: uuid::Uuid, name: &str) -> User {
    User {
        id,
        org_id,
        email: format!("operator:{name}"),
        given_name: name.to_owned(),
        surname: String::new(),
        role: Role::OrgAdmin,
        seal: false,
        status: UserStatus::Active,
        created_at: 0,
        publish: false,
    }
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

pub(crate) fn require_admin(caller: &User) -> Result<(), RaError> {
    if caller.role.administers_users() {
        Ok(())
    } else {
        Err(RaError::Forbidden(
            "this needs a user or organisation administrator".into(),
        ))
    }
}

/// The contact person of a profile, as typed by a client.
#[derive(Clone, Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Name.
    pub name: String,
    /// E-mail address.
    pub email: String,
}

/// A profile as typed by a client (`POST /api/v1/profiles`).
#[derive(Clone, Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileRequest {
    /// `organisation` or `system`.
    pub kind: String,
    /// The certificates' name.
    pub name: String,
    /// E-mail shown in the certificates.
    #[serde(default)]
    pub email: Option<String>,
    /// Contact person (required).
    pub contact: Contact,
    /// Seal use.
    #[serde(default)]
    pub allow_signing: bool,
    /// Publication in the public directory.
    #[serde(default)]
    pub publish: bool,
}

/// A change to a profile (`PATCH /api/v1/profiles/{id}`): absent fields stay; the kind
/// cannot change (it decides what the certificates mean). `email: null` removes it.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfilePatch {
    /// New name.
    pub name: Option<String>,
    /// New e-mail (`null` removes it).
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    /// New contact person.
    pub contact: Option<Contact>,
    /// New seal use.
    pub allow_signing: Option<bool>,
    /// New publication.
    pub publish: Option<bool>,
}

mod double_option {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<String>>, D::Error> {
        Option::<String>::deserialize(d).map(Some)
    }
}

fn contact_name(name: &str) -> Result<String, RaError> {
    Ok(PersonName::parse("contact name", name)?.as_str().to_owned())
}

/// Creates a profile in the caller's organisation: administrators only.
pub async fn create_profile(
    store: &Store,
    caller: &User,
    req: &ProfileRequest,
    now: i64,
) -> Result<orgca_store::Profile, RaError> {
    require_admin(caller)?;
    let kind = orgca_model::CertKind::parse(&req.kind)?;
    if kind == orgca_model::CertKind::Employee {
        return Err(RaError::Invalid(
            "a profile is for organisation or system certificates; employee certificates are ordered for a user".into(),
        ));
    }
    let new = orgca_store::NewProfile {
        kind,
        name: orgca_model::CertName::parse(&req.name)?,
        email: req.email.as_deref().map(Email::parse).transpose()?,
        contact_name: contact_name(&req.contact.name)?,
        contact_email: Email::parse(&req.contact.email)?,
        allow_signing: req.allow_signing,
        publish: req.publish,
    };
    Ok(store
        .org(caller.org_id)
        .create_profile(&new, &caller.id.to_string(), now)
        .await?)
}

/// The caller's organisation's profiles (every user of it may read them).
pub async fn profiles(store: &Store, caller: &User) -> Result<Vec<orgca_store::Profile>, RaError> {
    Ok(store.org(caller.org_id).profiles().await?)
}

/// One profile of the caller's organisation.
pub async fn profile(
    store: &Store,
    caller: &User,
    id: uuid::Uuid,
) -> Result<orgca_store::Profile, RaError> {
    store
        .org(caller.org_id)
        .profile(id)
        .await?
        .ok_or(RaError::NotFound("profile"))
}

/// Changes a profile of the caller's organisation: administrators only.
pub async fn change_profile(
    store: &Store,
    caller: &User,
    id: uuid::Uuid,
    patch: &ProfilePatch,
    now: i64,
) -> Result<orgca_store::Profile, RaError> {
    let mut p = profile(store, caller, id).await?;
    require_admin(caller)?;
    if let Some(n) = &patch.name {
        p.name = orgca_model::CertName::parse(n)?.as_str().to_owned();
    }
    if let Some(e) = &patch.email {
        p.email = e
            .as_deref()
            .map(Email::parse)
            .transpose()?
            .map(|e| e.as_str().to_owned());
    }
    if let Some(c) = &patch.contact {
        p.contact_name = contact_name(&c.name)?;
        p.contact_email = Email::parse(&c.email)?.as_str().to_owned();
    }
    p.allow_signing = patch.allow_signing.unwrap_or(p.allow_signing);
    p.publish = patch.publish.unwrap_or(p.publish);
    store
        .org(caller.org_id)
        .update_profile(&p, &caller.id.to_string(), now)
        .await?
        .ok_or(RaError::NotFound("profile"))
}

/// A change to a user (`PATCH /api/v1/users/{id}`): absent fields stay.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    /// `org_admin`, `user_admin` or `user`.
    pub role: Option<String>,
    /// The seal right.
    pub seal: Option<bool>,
    /// `active` or `deactivated`.
    pub status: Option<String>,
    /// Publish the user's employee certificates in the public directory (found by
    /// their exact address). Only the user themself sets this: it is their consent.
    pub publish: Option<bool>,
}

/// Changes a user of the caller's organisation: administrators only; only an
/// organisation administrator touches another organisation administrator's role; nobody
/// changes their own role or status (no one locks themself out). The directory opt-in is
/// the user's own: any user sets theirs, nobody another's.
pub async fn change_user(
    store: &Store,
    caller: &User,
    id: uuid::Uuid,
    patch: &UserPatch,
    now: i64,
) -> Result<User, RaError> {
    let scope = store.org(caller.org_id);
    let mut user = scope.user(id).await?.ok_or(RaError::NotFound("user"))?;
    let own_consent_only =
        caller.id == id && patch.role.is_none() && patch.status.is_none() && patch.seal.is_none();
    if !own_consent_only {
        require_admin(caller)?;
        if user.role == Role::OrgAdmin && caller.role != Role::OrgAdmin {
            return Err(RaError::Forbidden(
                "only an organisation administrator changes another organisation administrator"
                    .into(),
            ));
        }
    }
    if let Some(publish) = patch.publish {
        if caller.id != id && publish != user.publish {
            return Err(RaError::Forbidden(
                "only the user themself puts their certificates in the directory".into(),
            ));
        }
        user.publish = publish;
    }
    if let Some(r) = &patch.role {
        let role = Role::parse(r)?;
        if caller.id == id && role != user.role {
            return Err(RaError::Invalid("you cannot change your own role".into()));
        }
        if (role == Role::OrgAdmin || user.role == Role::OrgAdmin) && caller.role != Role::OrgAdmin
        {
            return Err(RaError::Forbidden(
                "only an organisation administrator grants or takes that role".into(),
            ));
        }
        user.role = role;
    }
    if let Some(s) = &patch.status {
        let status = match s.as_str() {
            "active" => UserStatus::Active,
            "deactivated" => UserStatus::Deactivated,
            other => {
                return Err(RaError::Invalid(format!(
                    "unknown status {other:?}: use active or deactivated"
                )));
            }
        };
        if caller.id == id && status != user.status {
            return Err(RaError::Invalid("you cannot change your own status".into()));
        }
        user.status = status;
    }
    if let Some(seal) = patch.seal {
        if seal && !scope.organisation().await?.settings.seals {
            return Err(RaError::Invalid(
                "the seal right is switched off for this organisation".into(),
            ));
        }
        user.seal = seal;
    }
    scope
        .update_user(&user, &caller.id.to_string(), now)
        .await?
        .ok_or(RaError::NotFound("user"))
}
