//! The caller's organisation and its users: every operation works inside the caller's
//! organisation scope, so an id of another organisation is simply not found.

use orgca_model::UnixTime;
use orgca_model::{
    Email, OrgSettings, Organisation, PersonName, Role, SettingsChange, User, UserStatus,
};
use orgca_store::NewUser;

use crate::{Caller, Ra, RaError};

/// A user to create (as typed by a client or the operator).
#[derive(Clone, Debug)]
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
    pub seal: bool,
}

/// The statuses an administrator sets on a user (a user is invited until they set a
/// password); also what the API's document lists.
pub const SETTABLE_STATUSES: [UserStatus; 2] = [UserStatus::Active, UserStatus::Deactivated];

/// A change to a user: `None` fields stay.
#[derive(Clone, Debug, Default)]
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

impl Ra {
    /// The caller's organisation.
    pub async fn organisation(&self, caller: &Caller) -> Result<Organisation, RaError> {
        Ok(self.scope(caller).organisation().await?)
    }

    /// Changes the caller's organisation's settings: organisation administrators only.
    /// Answers the organisation with its new settings.
    pub async fn change_settings(
        &self,
        caller: &Caller,
        change: SettingsChange,
        now: UnixTime,
    ) -> Result<(Organisation, OrgSettings), RaError> {
        caller.require_org_admin("changes the organisation's settings")?;
        let org = self.organisation(caller).await?;
        let settings = self
            .store
            .orgs()
            .change_settings(&org, change, &caller.actor_id(), now)
            .await?;
        Ok((org, settings))
    }

    /// The caller's organisation's users: administrators only.
    pub async fn users(&self, caller: &Caller) -> Result<Vec<User>, RaError> {
        caller.require_admin()?;
        Ok(self.scope(caller).users().await?)
    }

    /// One user of the caller's organisation: administrators, or the user themself.
    pub async fn user(&self, caller: &Caller, id: uuid::Uuid) -> Result<User, RaError> {
        // Looked up first: an id of another organisation is "not found", whatever the role.
        let user = self.user_in_scope(caller, id).await?;
        if !caller.is_user(id) {
            caller.require_admin()?;
        }
        Ok(user)
    }

    async fn user_in_scope(&self, caller: &Caller, id: uuid::Uuid) -> Result<User, RaError> {
        self.scope(caller)
            .user(id)
            .await?
            .ok_or(RaError::NotFound("user"))
    }

    /// Creates a user in the caller's organisation: administrators only; only an
    /// organisation administrator creates another one or grants the seal right (who may
    /// seal in the organisation's name is theirs to decide).
    pub async fn create_user(
        &self,
        caller: &Caller,
        req: &NewUserRequest,
        now: UnixTime,
    ) -> Result<User, RaError> {
        caller.require_admin()?;
        let new = NewUser {
            email: Email::parse(&req.email)?,
            given_name: PersonName::parse("given name", &req.given_name)?,
            surname: PersonName::parse("surname", &req.surname)?,
            role: Role::parse(&req.role)?,
            seal: req.seal,
            status: UserStatus::Active,
            external_id: None,
            directory_name: None,
        };
        if new.role == Role::OrgAdmin {
            caller.require_org_admin("creates another one")?;
        }
        if new.seal {
            caller.require_org_admin("grants the seal right")?;
        }
        let org = self.organisation(caller).await?;
        if new.seal && !org.settings.seals {
            return Err(seals_off());
        }
        Ok(self
            .scope(caller)
            .create_user(&new, &caller.actor_id(), now)
            .await?)
    }

    /// Changes a user of the caller's organisation: administrators only; only an
    /// organisation administrator touches another organisation administrator's role or
    /// grants or removes the seal right; nobody changes their own role, status or seal
    /// right (no one locks themself out or raises themself). The directory opt-in is the
    /// user's own: any user sets theirs, nobody another's. Deactivating a user ends their
    /// portal sessions for good.
    pub async fn change_user(
        &self,
        caller: &Caller,
        id: uuid::Uuid,
        patch: &UserPatch,
        now: UnixTime,
    ) -> Result<User, RaError> {
        let scope = self.scope(caller);
        let mut user = self.user_in_scope(caller, id).await?;
        if user.status == UserStatus::Removed {
            return Err(RaError::NotNow(
                "this user was removed by the organisation's directory: nothing about them \
                 changes any more (the directory creates them anew if they come back)"
                    .into(),
            ));
        }
        let was = user.status;
        let own = caller.is_user(id);
        let own_consent_only =
            own && patch.role.is_none() && patch.status.is_none() && patch.seal.is_none();
        if !own_consent_only {
            caller.require_admin()?;
            if user.role == Role::OrgAdmin {
                caller.require_org_admin("changes another organisation administrator")?;
            }
        }
        if let Some(publish) = patch.publish {
            if !own && publish != user.publish {
                return Err(RaError::Forbidden(
                    "only the user themself puts their certificates in the directory".into(),
                ));
            }
            user.publish = publish;
        }
        if let Some(r) = &patch.role {
            let role = Role::parse(r)?;
            if own && role != user.role {
                return Err(RaError::Invalid("you cannot change your own role".into()));
            }
            if role == Role::OrgAdmin || user.role == Role::OrgAdmin {
                caller.require_org_admin("grants or takes that role")?;
            }
            user.role = role;
        }
        if let Some(s) = &patch.status {
            let status = SETTABLE_STATUSES
                .into_iter()
                .find(|st| st.as_str() == s)
                .ok_or_else(|| {
                    RaError::Invalid(format!("unknown status {s:?}: use active or deactivated"))
                })?;
            if own && status != user.status {
                return Err(RaError::Invalid("you cannot change your own status".into()));
            }
            user.status = status;
        }
        if let Some(seal) = patch.seal.filter(|&s| s != user.seal) {
            caller.require_org_admin("grants or removes the seal right")?;
            if own {
                return Err(RaError::Forbidden(
                    "nobody grants or removes their own seal right: another organisation \
                     administrator does"
                        .into(),
                ));
            }
            if seal && !scope.organisation().await?.settings.seals {
                return Err(seals_off());
            }
            user.seal = seal;
        }
        scope
            .update_user(&user, was, &caller.actor_id(), now)
            .await?
            .ok_or_else(changed_meanwhile)
    }
}

/// A user whose status changed between reading and writing them (the directory
/// deactivated them, say): nothing was written.
pub(crate) fn changed_meanwhile() -> RaError {
    RaError::NotNow(
        "the user's status changed while this was being saved (the organisation's directory \
         may have changed it): read the user again and repeat the change"
            .into(),
    )
}

fn seals_off() -> RaError {
    RaError::NotNow(
        "the seal right is switched off for this organisation: an organisation administrator \
         switches it on first (PATCH /api/v1/organisation, or `orgca org set --seals on`)"
            .into(),
    )
}

impl Ra {
    /// The organisation's users by id, to name the actors in a history the caller may
    /// see (the audit trail keeps ids).
    pub async fn actors(
        &self,
        caller: &Caller,
    ) -> Result<std::collections::HashMap<String, User>, RaError> {
        Ok(self
            .scope(caller)
            .users()
            .await?
            .into_iter()
            .map(|u| (u.id.to_string(), u))
            .collect())
    }

    /// The orders waiting for the calling user to pick them up (none for an operator).
    pub async fn orders_waiting_for_me(
        &self,
        caller: &Caller,
        now: UnixTime,
    ) -> Result<Vec<orgca_model::Order>, RaError> {
        let Some(me) = caller.as_user() else {
            return Ok(Vec::new());
        };
        Ok(self.scope(caller).orders_waiting_for(me.id, now).await?)
    }
}
