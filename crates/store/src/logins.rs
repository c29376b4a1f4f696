//! Portal logins: password hashes, sessions, failed-login counts and the one-time links
//! that let a user set a password. Secrets are kept only as hashes: a session cookie and
//! a link token by SHA-256 (they are random), a password as an argon2id PHC string made
//! by the RA. This module never sees a password or a cookie value.

use orgca_model::UnixTime;
use sqlx::Row;

use crate::audit::{self, NewEvent};
use crate::users::{user_cols, user_from_row};
use crate::{Store, StoreError};
use orgca_model::User;

/// The login view of the store.
#[derive(Clone, Debug)]
pub struct LoginStore {
    pub(crate) store: Store,
}

impl Store {
    /// The login view.
    pub fn logins(&self) -> LoginStore {
        LoginStore {
            store: self.clone(),
        }
    }
}

/// How a person logged in (the audit trail says).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginMethod {
    /// Their address and password.
    Password,
    /// Their organisation's identity provider (OpenID Connect).
    IdentityProvider,
}

impl LoginMethod {
    /// `password` or `identity_provider`.
    pub fn as_str(self) -> &'static str {
        match self {
            LoginMethod::Password => "password",
            LoginMethod::IdentityProvider => "identity_provider",
        }
    }
}

/// A user as the password login sees them.
#[derive(Clone, Debug)]
pub struct Account {
    /// The user.
    pub user: User,
    /// Their password hash (argon2id PHC), once they have set a password.
    pub password_hash: Option<String>,
    /// Whether their organisation lets them log in with a password (false when it has an
    /// identity provider and has switched passwords off).
    pub password_login: bool,
}

/// How failed logins are limited, per key (an account, or a client address).
#[derive(Clone, Copy, Debug)]
pub struct FailureLimit {
    /// The failure that reaches this count within `window` locks the key...
    pub allowed: i64,
    /// ...this window...
    pub window: i64,
    /// ...after which the key is locked this many seconds.
    pub lock: i64,
}

impl LoginStore {
    /// The accounts with this e-mail address, matched without regard to case (addresses
    /// are ASCII), with their password hashes where set: one per organisation that has a
    /// user with this address (removed users are not accounts), oldest first.
    pub async fn accounts(&self, email: &str) -> Result<Vec<Account>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            user_cols!(),
            ", u.password_hash AS password_hash, coalesce(p.password_login, 1) AS password_login \
             FROM users u LEFT JOIN identity_providers p ON p.org_id = u.org_id \
             WHERE lower(u.email) = lower($1) AND u.status <> 'removed' ORDER BY u.created_at, u.id"
        ))
        .bind(email)
        .fetch_all(&self.store.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Account {
                    user: user_from_row(r)?,
                    password_hash: r.try_get("password_hash")?,
                    password_login: r.try_get::<i64, _>("password_login")? != 0,
                })
            })
            .collect()
    }

    /// Records a one-time link for `user` to set a password, valid until `expires`, with
    /// an audit event (never the token) and the `mails` that carry it, in one
    /// transaction.
    pub async fn create_password_link(
        &self,
        user: &User,
        token_sha256: [u8; 32],
        mails: &[crate::NewMail],
        actor: &str,
        now: UnixTime,
        expires: UnixTime,
    ) -> Result<(), StoreError> {
        let mut tx = self.store.begin_write().await?;
        // Only the newest link works: an older one, mailed or leaked, stops working.
        sqlx::query(
            "UPDATE password_links SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL",
        )
        .bind(now.secs())
        .bind(user.id.to_string())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO password_links (token_sha256, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(hex::encode(token_sha256))
        .bind(user.id.to_string())
        .bind(now.secs())
        .bind(expires.secs())
        .execute(&mut *tx)
        .await?;
        let event = NewEvent {
            at: now,
            actor: actor.to_owned(),
            org_id: Some(user.org_id.to_string()),
            action: "user.password_link_created",
            object: user.id.to_string(),
            details: serde_json::json!({"expires_at": expires}),
        };
        audit::append(&mut tx, &event).await?;
        crate::mail::queue_in(&mut tx, &self.store, Some(user.org_id), mails, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The user a password link is for, if it is unused and unexpired.
    pub async fn password_link(
        &self,
        token_sha256: [u8; 32],
        now: UnixTime,
    ) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            user_cols!(),
            " FROM password_links l JOIN users u ON u.id = l.user_id \
             WHERE l.token_sha256 = $1 AND l.used_at IS NULL AND l.expires_at > $2 \
             AND u.status IN ('invited', 'active')"
        ))
        .bind(hex::encode(token_sha256))
        .bind(now.secs())
        .fetch_optional(&self.store.pool)
        .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    /// Uses a password link: sets the user's password hash, makes an invited user
    /// active, ends the user's sessions and writes the audit event, in one transaction.
    /// `None` (and nothing changed) when the link is used, expired or unknown.
    pub async fn set_password_by_link(
        &self,
        token_sha256: [u8; 32],
        password_hash: &str,
        now: UnixTime,
    ) -> Result<Option<User>, StoreError> {
        let mut tx = self.store.begin_write().await?;
        let row = sqlx::query(
            "UPDATE password_links SET used_at = $1 WHERE token_sha256 = $2 AND used_at IS NULL \
             AND expires_at > $1 RETURNING user_id",
        )
        .bind(now.secs())
        .bind(hex::encode(token_sha256))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let user_id: String = row.try_get(0)?;
        let done = sqlx::query(
            "UPDATE users SET password_hash = $1, \
             status = CASE WHEN status = 'invited' THEN 'active' ELSE status END \
             WHERE id = $2 AND status IN ('invited', 'active')",
        )
        .bind(password_hash)
        .bind(&user_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(None);
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(&user_id)
            .execute(&mut *tx)
            .await?;
        let row = sqlx::query(concat!(
            "SELECT ",
            user_cols!(),
            " FROM users u WHERE u.id = $1"
        ))
        .bind(&user_id)
        .fetch_one(&mut *tx)
        .await?;
        let user = user_from_row(&row)?;
        // A new password lifts a lock-out of the account.
        sqlx::query("DELETE FROM login_failures WHERE throttle_key = $1")
            .bind(account_key(&user.email))
            .execute(&mut *tx)
            .await?;
        audit::append(&mut tx, &own_event(&user, "user.password_set", now)).await?;
        // The link was mailed to the user's address: using it proves the address.
        crate::mail::prove_address_in(
            &mut tx,
            &user.org_id.to_string(),
            &user.email,
            "password-link",
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(Some(user))
    }

    /// Starts a session for `user` (kept by the SHA-256 of the cookie value), with its
    /// CSRF token and the audit event of the login.
    pub async fn start_session(
        &self,
        id_sha256: [u8; 32],
        user: &User,
        method: LoginMethod,
        csrf: &str,
        now: UnixTime,
        expires: UnixTime,
    ) -> Result<(), StoreError> {
        let mut tx = self.store.begin_write().await?;
        sqlx::query(
            "INSERT INTO sessions (id_sha256, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(hex::encode(id_sha256))
        .bind(user.id.to_string())
        .bind(csrf)
        .bind(now.secs())
        .bind(expires.secs())
        .execute(&mut *tx)
        .await?;
        // Expired sessions of anyone go with every login: the table stays small.
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now.secs())
            .execute(&mut *tx)
            .await?;
        let mut event = own_event(user, "user.logged_in", now);
        event.details = serde_json::json!({"method": method.as_str()});
        audit::append(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The active user of an unexpired session, and its CSRF token.
    pub async fn session(
        &self,
        id_sha256: [u8; 32],
        now: UnixTime,
    ) -> Result<Option<(User, String)>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            user_cols!(),
            ", s.csrf AS csrf FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.id_sha256 = $1 AND s.expires_at > $2 AND u.status = 'active'"
        ))
        .bind(hex::encode(id_sha256))
        .bind(now.secs())
        .fetch_optional(&self.store.pool)
        .await?;
        row.map(|r| Ok((user_from_row(&r)?, r.try_get("csrf")?)))
            .transpose()
    }

    /// Ends a session (logout).
    pub async fn end_session(&self, id_sha256: [u8; 32]) -> Result<(), StoreError> {
        let mut tx = self.store.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE id_sha256 = $1")
            .bind(hex::encode(id_sha256))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Counts a login attempt against `key` before it is checked, so that parallel
    /// attempts cannot pass the limit together: a window older than `limit.window` starts
    /// over; the attempt that passes `limit.allowed` locks the key for `limit.lock`.
    /// Answers whether the attempt may go ahead (false while the key is locked).
    pub async fn count_attempt(
        &self,
        key: &str,
        limit: FailureLimit,
        now: UnixTime,
    ) -> Result<bool, StoreError> {
        let mut tx = self.store.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO login_failures (throttle_key, failures, window_start, locked_until) VALUES ($1, 1, $2, 0) \
             ON CONFLICT (throttle_key) DO UPDATE SET \
             failures = CASE WHEN login_failures.window_start <= $2 - $3 THEN 1 ELSE login_failures.failures + 1 END, \
             window_start = CASE WHEN login_failures.window_start <= $2 - $3 THEN $2 ELSE login_failures.window_start END \
             RETURNING failures, locked_until",
        )
        .bind(key)
        .bind(now.secs())
        .bind(limit.window)
        .fetch_one(&mut *tx)
        .await?;
        let failures: i64 = row.try_get(0)?;
        let locked_until = UnixTime::from_secs(row.try_get(1)?);
        let allowed = if locked_until > now {
            false
        } else if failures > limit.allowed {
            sqlx::query(
                "UPDATE login_failures SET locked_until = $1, failures = 0, window_start = $2 \
                 WHERE throttle_key = $3",
            )
            .bind(now.plus_secs(limit.lock).secs())
            .bind(now.secs())
            .bind(key)
            .execute(&mut *tx)
            .await?;
            false
        } else {
            true
        };
        tx.commit().await?;
        Ok(allowed)
    }

    /// Takes back one counted attempt of `key` (one that turned out to be a good login),
    /// and forgets keys that have been quiet for a day.
    pub async fn forgive(&self, key: &str, now: UnixTime) -> Result<(), StoreError> {
        let mut tx = self.store.begin_write().await?;
        sqlx::query(
            "UPDATE login_failures SET failures = failures - 1 WHERE throttle_key = $1 AND failures > 0",
        )
        .bind(key)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM login_failures WHERE window_start < $1 AND locked_until < $2")
            .bind(now.minus_secs(86_400).secs())
            .bind(now.secs())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Forgets the failures of `key` (after a successful login).
    pub async fn clear_failures(&self, key: &str) -> Result<(), StoreError> {
        let mut tx = self.store.begin_write().await?;
        sqlx::query("DELETE FROM login_failures WHERE throttle_key = $1")
            .bind(key)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The audit event of something a user did to their own account.
fn own_event(user: &User, action: &'static str, now: UnixTime) -> NewEvent {
    NewEvent {
        at: now,
        actor: user.id.to_string(),
        org_id: Some(user.org_id.to_string()),
        action,
        object: user.id.to_string(),
        details: serde_json::json!({}),
    }
}

/// The key failed logins of an account are counted under (one for every spelling of
/// the address).
pub fn account_key(email: &str) -> String {
    format!("account:{}", email.to_ascii_lowercase())
}
