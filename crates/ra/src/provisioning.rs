//! The organisation's directory provisioning its users (SCIM 2.0, RFC 7644): a
//! [`Provisioner`] is made only by authenticating a provisioning token, acts for the one
//! organisation the token belongs to, and does only this: create users, describe them
//! as the directory does, activate and deactivate them, and remove them. Deactivating
//! or removing a user blocks their employee certificates (`left_organisation`) and
//! cancels their open orders at once; the audit trail names the token (`scim:<id>`).
//!
//! A provisioned user starts as a plain user (`user` role, no seal right); roles, the
//! seal right and the directory opt-in stay orgca's, set by the organisation's
//! administrators.

use orgca_model::{Email, PersonName, Role, UnixTime, User, UserStatus};
use orgca_store::{DirectoryEntry, Ending, NewMail, NewUser, Offboarded, ProvisioningToken};
use uuid::Uuid;

pub use orgca_store::DirectoryMatch;

use crate::caller::TokenRefused;
use crate::tokens::{new_token, token_hash};
use crate::{Ra, RaError};

/// The prefix of provisioning tokens (so that a leaked one is recognised for what it
/// is).
pub const PROVISIONING_TOKEN_PREFIX: &str = "orgca_scim_";

/// Longest external id kept (Entra ID's object ids are 36 characters).
const MAX_EXTERNAL_ID: usize = 256;

/// The organisation's directory, authenticated by its provisioning token. Only the RA
/// makes one.
#[derive(Clone, Debug)]
pub struct Provisioner {
    token: ProvisioningToken,
}

impl Provisioner {
    /// The actor the audit trail names: `scim:<token id>`.
    pub fn actor_id(&self) -> String {
        format!("scim:{}", self.token.id)
    }

    /// The token's id.
    pub fn token_id(&self) -> Uuid {
        self.token.id
    }

    /// The token's name (which directory it is).
    pub fn name(&self) -> &str {
        &self.token.name
    }
}

/// A user as the directory describes them (already read from its document).
#[derive(Clone, Debug)]
pub struct DirectoryUser {
    /// `userName`: the directory's unique name for the user (often their address, or
    /// Entra ID's user principal name).
    pub user_name: String,
    /// The address from `emails` (the primary, else the work one, else the first), if
    /// the directory sent any; else `userName` must be the address.
    pub email: Option<String>,
    /// `name.givenName`.
    pub given_name: String,
    /// `name.familyName`.
    pub family_name: String,
    /// `externalId`.
    pub external_id: Option<String>,
    /// `active`; absent, a new user is active and an existing one keeps their status.
    pub active: Option<bool>,
}

impl DirectoryUser {
    fn entry(&self) -> Result<DirectoryEntry, RaError> {
        let external_id = match self.external_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(e) if e.len() > MAX_EXTERNAL_ID || e.chars().any(char::is_control) => {
                return Err(RaError::Invalid(format!(
                    "externalId must be 1 to {MAX_EXTERNAL_ID} printable characters"
                )));
            }
            Some(e) => Some(e.to_owned()),
        };
        let user_name = self.user_name.trim();
        // ASCII only, as addresses are: both backends then compare it in any case alike.
        if user_name.is_empty()
            || user_name.len() > 320
            || !user_name.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(RaError::Invalid(
                "userName must be 1 to 320 printable ASCII characters without spaces (an \
                 address or a user principal name)"
                    .into(),
            ));
        }
        let email = match self.email.as_deref() {
            Some(address) => Email::parse(address.trim()).map_err(|e| {
                RaError::Invalid(format!("emails: the user's address is not one ({e})"))
            })?,
            None => Email::parse(user_name).map_err(|e| {
                RaError::Invalid(format!(
                    "give the user's e-mail address, which they log in with, in emails or as \
                     userName ({e})"
                ))
            })?,
        };
        let directory_name =
            (!user_name.eq_ignore_ascii_case(email.as_str())).then(|| user_name.to_owned());
        Ok(DirectoryEntry {
            email,
            directory_name,
            given_name: PersonName::parse("name.givenName", &self.given_name)?,
            surname: PersonName::parse("name.familyName", &self.family_name)?,
            external_id,
        })
    }
}

impl Ra {
    /// The directory behind a provisioning token.
    pub async fn authenticate_provisioner(
        &self,
        token: Option<&str>,
    ) -> Result<Provisioner, TokenRefused> {
        let token = token
            .map(str::trim)
            .filter(|t| t.starts_with(PROVISIONING_TOKEN_PREFIX) && t.len() <= 128)
            .ok_or(TokenRefused::Missing)?;
        self.store
            .tokens()
            .authenticate_provisioning(token_hash(token))
            .await?
            .map(|token| Provisioner { token })
            .ok_or(TokenRefused::NotValid)
    }

    /// Makes a provisioning token for the organisation with CVR `cvr` (operator), named
    /// for the directory that uses it; returns it (to be shown once).
    pub async fn create_provisioning_token(
        &self,
        cvr: &str,
        name: &str,
        actor: &str,
        now: UnixTime,
    ) -> Result<(String, ProvisioningToken), RaError> {
        let name = crate::tokens::token_name(name)?;
        let org = self.organisation_by_cvr(cvr).await?;
        let token = new_token(PROVISIONING_TOKEN_PREFIX)?;
        let made = self
            .store
            .tokens()
            .create_provisioning(org.id, name, token_hash(&token), actor, now)
            .await?;
        Ok((token, made))
    }

    /// The provisioning tokens of the organisation with CVR `cvr` (operator).
    pub async fn provisioning_tokens(&self, cvr: &str) -> Result<Vec<ProvisioningToken>, RaError> {
        let org = self.organisation_by_cvr(cvr).await?;
        Ok(self.store.tokens().provisioning_tokens(org.id).await?)
    }

    /// Revokes a provisioning token of the organisation with CVR `cvr` (operator).
    pub async fn revoke_provisioning_token(
        &self,
        cvr: &str,
        id: Uuid,
        actor: &str,
        now: UnixTime,
    ) -> Result<(), RaError> {
        let org = self.organisation_by_cvr(cvr).await?;
        if self
            .store
            .tokens()
            .revoke_provisioning(org.id, id, actor, now)
            .await?
        {
            Ok(())
        } else {
            Err(RaError::NotFound("unrevoked provisioning token"))
        }
    }

    /// The organisation's users as the directory sees them (removed users are gone),
    /// `limit` from `offset`, with how many match.
    pub async fn directory_users(
        &self,
        p: &Provisioner,
        matching: DirectoryMatch<'_>,
        offset: i64,
        limit: i64,
    ) -> Result<(i64, Vec<User>), RaError> {
        Ok(self
            .store
            .org(p.token.org_id)
            .directory_users(matching, offset, limit)
            .await?)
    }

    /// One user of the organisation; a removed one is not found.
    pub async fn directory_user(&self, p: &Provisioner, id: Uuid) -> Result<User, RaError> {
        self.store
            .org(p.token.org_id)
            .user(id)
            .await?
            .filter(|u| u.status != UserStatus::Removed)
            .ok_or(RaError::NotFound("user"))
    }

    /// Creates a user as the directory describes them: a plain user, active or
    /// deactivated as it says.
    pub async fn provision(
        &self,
        p: &Provisioner,
        user: &DirectoryUser,
        now: UnixTime,
    ) -> Result<User, RaError> {
        let entry = user.entry()?;
        let new = NewUser {
            email: entry.email,
            given_name: entry.given_name,
            surname: entry.surname,
            role: Role::User,
            seal: false,
            status: if user.active == Some(false) {
                UserStatus::Deactivated
            } else {
                UserStatus::Active
            },
            external_id: entry.external_id,
            directory_name: entry.directory_name,
        };
        Ok(self
            .store
            .org(p.token.org_id)
            .create_user(&new, &p.actor_id(), now)
            .await?)
    }

    /// Describes a user as the directory now does. Made inactive, the user is
    /// off-boarded (their certificates blocked, their orders cancelled); made active
    /// again, they may log in and be given certificates again (blocked ones stay
    /// blocked).
    pub async fn reprovision(
        &self,
        p: &Provisioner,
        id: Uuid,
        user: &DirectoryUser,
        now: UnixTime,
    ) -> Result<User, RaError> {
        let entry = user.entry()?;
        let before = self.directory_user(p, id).await?;
        let scope = self.store.org(p.token.org_id);
        let actor = p.actor_id();
        let unchanged = before.email == entry.email.as_str()
            && before.given_name == entry.given_name.as_str()
            && before.surname == entry.surname.as_str()
            && before.external_id == entry.external_id
            && before.directory_name == entry.directory_name;
        // Directories send the whole user again and again: only a change is written.
        let mut after = if unchanged {
            before.clone()
        } else {
            scope
                .rewrite_from_directory(id, &entry, &actor, now)
                .await?
                .ok_or(RaError::NotFound("user"))?
        };
        if user.active == Some(false) {
            // One transaction: the user, their tokens, certificates and orders end
            // together (the rewrite above is its own). Also when deactivated before: it
            // blocks what a pick-up may have added since, and is otherwise a no-op.
            self.offboard(p, &after, Ending::Deactivated, now).await?;
            after.status = UserStatus::Deactivated;
        } else if user.active == Some(true) && before.status.has_ended() {
            after.status = UserStatus::Active;
            after = scope
                .update_user(&after, before.status, &actor, now)
                .await?
                .ok_or_else(crate::members::changed_meanwhile)?;
        }
        Ok(after)
    }

    /// Removes a user, as the directory deleted them: off-boarded, and gone from the
    /// directory's view (kept in orgca, because their certificates name them).
    pub async fn deprovision(
        &self,
        p: &Provisioner,
        id: Uuid,
        now: UnixTime,
    ) -> Result<Offboarded, RaError> {
        let user = self.directory_user(p, id).await?;
        self.offboard(p, &user, Ending::Removed, now).await
    }

    async fn offboard(
        &self,
        p: &Provisioner,
        user: &User,
        ending: Ending,
        now: UnixTime,
    ) -> Result<Offboarded, RaError> {
        let who = format!("the organisation's directory ({})", p.name());
        let reason = orgca_model::BlockReason::LeftOrganisation;
        let notice = |c: &orgca_model::CertificateRecord| -> Option<NewMail> {
            Some(crate::blocking::notice(c, &user.email, reason, &who, now))
        };
        let done = self
            .store
            .org(p.token.org_id)
            .offboard(user.id, ending, &notice, &p.actor_id(), now)
            .await?
            .ok_or(RaError::NotFound("user"))?;
        tracing::info!(
            user = %user.id, status = ending.status().as_str(), blocked = done.blocked.len(),
            cancelled = done.cancelled.len(), token = %p.token.id, "user off-boarded by the directory"
        );
        Ok(done)
    }
}
