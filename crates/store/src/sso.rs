//! Logins through an organisation's identity provider: the provider's settings (never
//! the client secret, only where to read it), the logins sent to it and not yet back
//! (kept by the hash of their `state`, taken once), and finding the user a provider
//! names within the one organisation the login was for.

use orgca_model::{IdentityProvider, MatchBy, OrgId, SecretSource, UnixTime, User};
use sqlx::Row;

use crate::StoreError;
use crate::audit::{self, NewEvent};
use crate::logins::LoginStore;
use crate::users::{user_cols, user_from_row};

/// A login under way, as kept until the browser comes back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingSso {
    /// The organisation the login was started for.
    pub org_id: OrgId,
    /// The issuer it was sent to.
    pub issuer: String,
    /// The client id it was sent with.
    pub client_id: String,
    /// The nonce the ID token must carry.
    pub nonce: String,
    /// The PKCE code verifier.
    pub verifier: String,
}

fn org_id(r: &sqlx::any::AnyRow) -> Result<OrgId, StoreError> {
    let org: String = r.try_get("org_id")?;
    OrgId::parse_str(&org).map_err(|_| StoreError::Corrupt(format!("organisation id {org:?}")))
}

fn provider_from_row(r: &sqlx::any::AnyRow) -> Result<IdentityProvider, StoreError> {
    let secret: String = r.try_get("secret_from")?;
    let match_by: String = r.try_get("match_by")?;
    Ok(IdentityProvider {
        org_id: org_id(r)?,
        issuer: r.try_get("issuer")?,
        client_id: r.try_get("client_id")?,
        client_secret: SecretSource::from_stored(&secret).ok_or_else(|| {
            StoreError::Corrupt(format!("identity provider secret source {secret:?}"))
        })?,
        match_by: MatchBy::from_stored(&match_by)
            .ok_or_else(|| StoreError::Corrupt(format!("identity provider match {match_by:?}")))?,
        password_login: r.try_get::<i64, _>("password_login")? != 0,
        updated_at: UnixTime::from_secs(r.try_get("updated_at")?),
    })
}

impl LoginStore {
    /// The organisation's identity provider, if it has one.
    pub async fn identity_provider(
        &self,
        org_id: OrgId,
    ) -> Result<Option<IdentityProvider>, StoreError> {
        sqlx::query(
            "SELECT org_id, issuer, client_id, secret_from, match_by, password_login, updated_at \
             FROM identity_providers WHERE org_id = $1",
        )
        .bind(org_id.to_string())
        .fetch_optional(&self.store.pool)
        .await?
        .map(|r| provider_from_row(&r))
        .transpose()
    }

    /// Sets (or replaces) the organisation's identity provider, with an audit event that
    /// records what was set (never a secret: there is none here). Logins under way end
    /// (they were sent to the provider as it was); when passwords are switched off, so do
    /// the sessions of the organisation's users (a password may have opened them).
    pub async fn set_identity_provider(
        &self,
        provider: &IdentityProvider,
        actor: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.store.begin_write().await?;
        let passwords_before: i64 = sqlx::query(
            "SELECT coalesce((SELECT password_login FROM identity_providers WHERE org_id = $1), 1)",
        )
        .bind(provider.org_id.to_string())
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        sqlx::query("DELETE FROM sso_attempts WHERE org_id = $1")
            .bind(provider.org_id.to_string())
            .execute(&mut *tx)
            .await?;
        let sessions_ended = if passwords_before != 0 && !provider.password_login {
            sqlx::query(
                "DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE org_id = $1)",
            )
            .bind(provider.org_id.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected()
        } else {
            0
        };
        sqlx::query(
            "INSERT INTO identity_providers \
             (org_id, issuer, client_id, secret_from, match_by, password_login, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (org_id) DO UPDATE SET \
             issuer = excluded.issuer, client_id = excluded.client_id, \
             secret_from = excluded.secret_from, match_by = excluded.match_by, \
             password_login = excluded.password_login, updated_at = excluded.updated_at",
        )
        .bind(provider.org_id.to_string())
        .bind(&provider.issuer)
        .bind(&provider.client_id)
        .bind(provider.client_secret.to_stored())
        .bind(provider.match_by.to_stored())
        .bind(i64::from(provider.password_login))
        .bind(provider.updated_at.secs())
        .execute(&mut *tx)
        .await?;
        let event = NewEvent {
            at: provider.updated_at,
            actor: actor.to_owned(),
            org_id: Some(provider.org_id.to_string()),
            action: "organisation.identity_provider_set",
            object: provider.org_id.to_string(),
            details: serde_json::json!({
                "issuer": provider.issuer,
                "client_id": provider.client_id,
                "secret_from": provider.client_secret.to_stored(),
                "match_by": provider.match_by.to_stored(),
                "password_login": provider.password_login,
                "sessions_ended": sessions_ended,
            }),
        };
        audit::append(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes the organisation's identity provider (its users log in with passwords
    /// again); answers whether there was one.
    pub async fn remove_identity_provider(
        &self,
        org_id: OrgId,
        actor: &str,
        now: UnixTime,
    ) -> Result<bool, StoreError> {
        let mut tx = self.store.begin_write().await?;
        let gone = sqlx::query("DELETE FROM identity_providers WHERE org_id = $1")
            .bind(org_id.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected()
            > 0;
        sqlx::query("DELETE FROM sso_attempts WHERE org_id = $1")
            .bind(org_id.to_string())
            .execute(&mut *tx)
            .await?;
        if gone {
            let event = NewEvent {
                at: now,
                actor: actor.to_owned(),
                org_id: Some(org_id.to_string()),
                action: "organisation.identity_provider_removed",
                object: org_id.to_string(),
                details: serde_json::json!({}),
            };
            audit::append(&mut tx, &event).await?;
        }
        tx.commit().await?;
        Ok(gone)
    }

    /// Keeps a login sent to the organisation's provider until `expires` (expired ones of
    /// anyone go with it, so that the table stays small).
    pub async fn begin_sso(
        &self,
        state_sha256: [u8; 32],
        pending: &PendingSso,
        now: UnixTime,
        expires: UnixTime,
    ) -> Result<(), StoreError> {
        let mut tx = self.store.begin_write().await?;
        sqlx::query("DELETE FROM sso_attempts WHERE expires_at <= $1")
            .bind(now.secs())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sso_attempts \
             (state_sha256, org_id, issuer, client_id, nonce, verifier, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(hex::encode(state_sha256))
        .bind(pending.org_id.to_string())
        .bind(&pending.issuer)
        .bind(&pending.client_id)
        .bind(&pending.nonce)
        .bind(&pending.verifier)
        .bind(expires.secs())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes the login kept under this state: it is deleted whether or not it is still
    /// current, so that a state (and the code that came with it) works once.
    pub async fn take_sso(
        &self,
        state_sha256: [u8; 32],
        now: UnixTime,
    ) -> Result<Option<PendingSso>, StoreError> {
        let mut tx = self.store.begin_write().await?;
        let row = sqlx::query(
            "DELETE FROM sso_attempts WHERE state_sha256 = $1 \
             RETURNING org_id, issuer, client_id, nonce, verifier, expires_at",
        )
        .bind(hex::encode(state_sha256))
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        let Some(r) = row else { return Ok(None) };
        if r.try_get::<i64, _>("expires_at")? <= now.secs() {
            return Ok(None);
        }
        Ok(Some(PendingSso {
            org_id: org_id(&r)?,
            issuer: r.try_get("issuer")?,
            client_id: r.try_get("client_id")?,
            nonce: r.try_get("nonce")?,
            verifier: r.try_get("verifier")?,
        }))
    }

    /// The user of organisation `org_id` (never another's) whom a provider's claim names:
    /// by address, in any case, or by external id, exactly. Removed users are nobody.
    pub async fn sso_account(
        &self,
        org_id: OrgId,
        match_by: &MatchBy,
        value: &str,
    ) -> Result<Option<User>, StoreError> {
        let statement = match match_by {
            MatchBy::Email => concat!(
                "SELECT ",
                user_cols!(),
                " FROM users u WHERE u.org_id = $1 AND lower(u.email) = lower($2) \
                 AND u.status <> 'removed'"
            ),
            MatchBy::ExternalId(_) => concat!(
                "SELECT ",
                user_cols!(),
                " FROM users u WHERE u.org_id = $1 AND u.external_id = $2 \
                 AND u.status <> 'removed'"
            ),
        };
        let row = sqlx::query(statement)
            .bind(org_id.to_string())
            .bind(value)
            .fetch_optional(&self.store.pool)
            .await?;
        row.map(|r| user_from_row(&r)).transpose()
    }
}
