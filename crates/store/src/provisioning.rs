//! Users provisioned by the organisation's directory (SCIM 2.0): provisioning tokens,
//! the directory's view of the users (a removed user is gone from it), rewriting a user
//! as the directory describes them, and off-boarding, which ends a user, blocks their
//! employee certificates and cancels their open orders in one transaction.

use orgca_model::{
    BlockReason, CertKind, CertificateRecord, Email, OrgId, PersonName, UnixTime, User, UserStatus,
};
use sqlx::Row;
use uuid::Uuid;

use crate::audit::{self, NewEvent};
use crate::certs::{cert_columns, cert_from_row};
use crate::mail::NewMail;
use crate::users::{external_id_free, user_cols, user_from_row};
use crate::{OrgScope, StoreError, TokenStore};

/// A provisioning token: the organisation's directory acting on its users.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProvisioningToken {
    /// Its id (the audit trail names `scim:<id>` as the actor).
    pub id: Uuid,
    /// The one organisation it provisions.
    pub org_id: OrgId,
    /// Who or what it is for (the directory's name).
    pub name: String,
    /// When made.
    pub created_at: UnixTime,
    /// When revoked, if it is.
    pub revoked_at: Option<UnixTime>,
}

/// Which of its users the directory asks for.
#[derive(Clone, Copy, Debug)]
pub enum DirectoryMatch<'a> {
    /// Every user that is not removed.
    All,
    /// The user with this SCIM `userName` (the directory's name for them, else their
    /// address), in any case.
    UserName(&'a str),
    /// The user with this external id, exactly.
    ExternalId(&'a str),
}

/// What the directory writes about a user (the rest is orgca's: role, seal right,
/// directory opt-in).
#[derive(Clone, Debug)]
pub struct DirectoryEntry {
    /// E-mail address (`userName`).
    pub email: Email,
    /// Given name.
    pub given_name: PersonName,
    /// Surname.
    pub surname: PersonName,
    /// The directory's id for them.
    pub external_id: Option<String>,
    /// The directory's name for them when it is not their address.
    pub directory_name: Option<String>,
}

/// How a user ends: what off-boarding leaves them as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// Deactivated: the directory says they are not active (they may come back).
    Deactivated,
    /// Removed: the directory deleted them.
    Removed,
}

impl Ending {
    /// The status the user is left with.
    pub fn status(self) -> UserStatus {
        match self {
            Ending::Deactivated => UserStatus::Deactivated,
            Ending::Removed => UserStatus::Removed,
        }
    }
}

/// What off-boarding did.
#[derive(Clone, Debug, Default)]
pub struct Offboarded {
    /// The certificates it blocked (those blocked before are left as they were).
    pub blocked: Vec<CertificateRecord>,
    /// The orders it cancelled.
    pub cancelled: Vec<Uuid>,
}

impl TokenStore {
    /// Records a provisioning token (by its hash) for one organisation, with an audit
    /// event naming its id.
    pub async fn create_provisioning(
        &self,
        org_id: OrgId,
        name: &str,
        token_sha256: [u8; 32],
        actor: &str,
        now: UnixTime,
    ) -> Result<ProvisioningToken, StoreError> {
        let id = Uuid::new_v4();
        let mut tx = self.store.begin_write().await?;
        sqlx::query(
            "INSERT INTO provisioning_tokens (id, org_id, name, token_sha256, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id.to_string())
        .bind(org_id.to_string())
        .bind(name)
        .bind(hex::encode(token_sha256))
        .bind(now.secs())
        .execute(&mut *tx)
        .await?;
        let event = NewEvent {
            at: now,
            actor: actor.to_owned(),
            org_id: Some(org_id.to_string()),
            action: "provisioning_token.created",
            object: id.to_string(),
            details: serde_json::json!({"name": name}),
        };
        audit::append(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(ProvisioningToken {
            id,
            org_id,
            name: name.to_owned(),
            created_at: now,
            revoked_at: None,
        })
    }

    /// The organisation's provisioning tokens, newest first.
    pub async fn provisioning_tokens(
        &self,
        org_id: OrgId,
    ) -> Result<Vec<ProvisioningToken>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, org_id, name, created_at, revoked_at FROM provisioning_tokens \
             WHERE org_id = $1 ORDER BY created_at DESC, id",
        )
        .bind(org_id.to_string())
        .fetch_all(&self.store.pool)
        .await?;
        rows.iter().map(token_from_row).collect()
    }

    /// Revokes a provisioning token of the organisation, with its audit event; `false`
    /// when it has no such unrevoked token.
    pub async fn revoke_provisioning(
        &self,
        org_id: OrgId,
        id: Uuid,
        actor: &str,
        now: UnixTime,
    ) -> Result<bool, StoreError> {
        let mut tx = self.store.begin_write().await?;
        let done = sqlx::query(
            "UPDATE provisioning_tokens SET revoked_at = $1 \
             WHERE id = $2 AND org_id = $3 AND revoked_at IS NULL",
        )
        .bind(now.secs())
        .bind(id.to_string())
        .bind(org_id.to_string())
        .execute(&mut *tx)
        .await?;
        let revoked = done.rows_affected() == 1;
        if revoked {
            let event = NewEvent {
                at: now,
                actor: actor.to_owned(),
                org_id: Some(org_id.to_string()),
                action: "provisioning_token.revoked",
                object: id.to_string(),
                details: serde_json::json!({}),
            };
            audit::append(&mut tx, &event).await?;
        }
        tx.commit().await?;
        Ok(revoked)
    }

    /// The unrevoked provisioning token with this hash, if there is one.
    pub async fn authenticate_provisioning(
        &self,
        token_sha256: [u8; 32],
    ) -> Result<Option<ProvisioningToken>, StoreError> {
        let row = sqlx::query(
            "SELECT id, org_id, name, created_at, revoked_at FROM provisioning_tokens \
             WHERE token_sha256 = $1 AND revoked_at IS NULL",
        )
        .bind(hex::encode(token_sha256))
        .fetch_optional(&self.store.pool)
        .await?;
        row.as_ref().map(token_from_row).transpose()
    }
}

fn token_from_row(r: &sqlx::any::AnyRow) -> Result<ProvisioningToken, StoreError> {
    Ok(ProvisioningToken {
        id: crate::db::uuid_col(r, "id")?,
        org_id: crate::db::uuid_col(r, "org_id")?,
        name: r.try_get("name")?,
        created_at: crate::sql::time_at(r, "created_at")?,
        revoked_at: r
            .try_get::<Option<i64>, _>("revoked_at")?
            .map(UnixTime::from_secs),
    })
}

impl OrgScope {
    /// The users the directory sees (every one but the removed), by creation, `limit`
    /// from `offset`, with how many match in all.
    pub async fn directory_users(
        &self,
        matching: DirectoryMatch<'_>,
        offset: i64,
        limit: i64,
    ) -> Result<(i64, Vec<User>), StoreError> {
        let (clause, value) = match matching {
            DirectoryMatch::All => ("$2 = ''", ""),
            DirectoryMatch::UserName(v) => {
                ("lower(coalesce(u.directory_name, u.email)) = lower($2)", v)
            }
            DirectoryMatch::ExternalId(v) => ("u.external_id = $2", v),
        };
        let filter = format!("u.org_id = $1 AND u.status <> 'removed' AND {clause}");
        let total: i64 = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM users u WHERE {filter}"
        )))
        .bind(self.org_id.to_string())
        .bind(value)
        .fetch_one(&self.store.pool)
        .await?
        .try_get("n")?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM users u WHERE {filter} ORDER BY u.created_at, u.id LIMIT $3 OFFSET $4",
            user_cols!()
        )))
        .bind(self.org_id.to_string())
        .bind(value)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.store.pool)
        .await?;
        Ok((
            total,
            rows.iter().map(user_from_row).collect::<Result<_, _>>()?,
        ))
    }

    /// Writes what the directory says about a user of this organisation (address,
    /// names, external id) with its audit event. An address or external id that
    /// another user of the organisation has is a [`StoreError::Conflict`]; `None` when
    /// the user is not this organisation's or is removed.
    pub async fn rewrite_from_directory(
        &self,
        id: Uuid,
        entry: &DirectoryEntry,
        actor: &str,
        now: UnixTime,
    ) -> Result<Option<User>, StoreError> {
        let mut tx = self.store.begin_write().await?;
        let ours = sqlx::query(
            "SELECT 1 FROM users WHERE id = $1 AND org_id = $2 AND status <> 'removed'",
        )
        .bind(id.to_string())
        .bind(self.org_id.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        if ours.is_none() {
            return Ok(None);
        }
        let email = entry.email.as_str();
        let taken = sqlx::query(
            "SELECT 1 FROM users WHERE org_id = $1 AND lower(email) = lower($2) AND id <> $3 \
             AND status <> 'removed'",
        )
        .bind(self.org_id.to_string())
        .bind(email)
        .bind(id.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        if taken.is_some() {
            return Err(StoreError::Conflict(format!("a user with e-mail {email}")));
        }
        if let Some(external) = &entry.external_id {
            external_id_free(&mut tx, self.org_id, external, Some(id)).await?;
        }
        let (given, surname) = (entry.given_name.as_str(), entry.surname.as_str());
        let done = sqlx::query(
            "UPDATE users SET email = $1, given_name = $2, surname = $3, external_id = $4, \
             name_key = $5, modified_at = $6, directory_name = $9 \
             WHERE id = $7 AND org_id = $8 AND status <> 'removed'",
        )
        .bind(email)
        .bind(given)
        .bind(surname)
        .bind(entry.external_id.clone())
        .bind(crate::search_keys::person_key(
            &format!("{given} {surname}"),
            email,
        ))
        .bind(now.secs())
        .bind(id.to_string())
        .bind(self.org_id.to_string())
        .bind(entry.directory_name.clone())
        .execute(&mut *tx)
        .await
        .map_err(StoreError::conflict_as(format!(
            "a user named {:?} by the directory",
            entry.directory_name.as_deref().unwrap_or(email)
        )))?;
        if done.rows_affected() != 1 {
            return Ok(None);
        }
        let event = NewEvent {
            at: now,
            actor: actor.to_owned(),
            org_id: Some(self.org_id.to_string()),
            action: "user.changed",
            object: id.to_string(),
            details: serde_json::json!({
                "email": email, "given_name": given, "surname": surname,
                "external_id": entry.external_id, "directory_name": entry.directory_name,
            }),
        };
        audit::append(&mut tx, &event).await?;
        tx.commit().await?;
        self.user(id).await
    }

    /// Ends a user of this organisation as `ending` says and, in the same transaction:
    /// ends their portal sessions and password links, revokes their API tokens, blocks
    /// each of their active employee certificates for `left_organisation` with the
    /// notice `notice` makes for it, and cancels their orders that are not picked up;
    /// each with its audit event. Running it again on a deactivated user blocks and
    /// cancels what is left (nothing, unless a pick-up slipped in). `None` when the user
    /// is not this organisation's, or is removed.
    pub async fn offboard(
        &self,
        id: Uuid,
        ending: Ending,
        notice: &(dyn Fn(&CertificateRecord) -> Option<NewMail> + Sync),
        actor: &str,
        now: UnixTime,
    ) -> Result<Option<Offboarded>, StoreError> {
        let mut tx = self.store.begin_write().await?;
        let was = sqlx::query("SELECT status FROM users WHERE id = $1 AND org_id = $2")
            .bind(id.to_string())
            .bind(self.org_id.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get::<String, _>("status"))
            .transpose()?
            .and_then(|s| UserStatus::parse(&s));
        let Some(was) = was.filter(|w| *w != UserStatus::Removed) else {
            return Ok(None);
        };
        // The user's row is written first: a commit of their certificate waits for it
        // (`issuance::lock_holders`), so none slips past the sweep below.
        let done = sqlx::query(
            "UPDATE users SET status = $1, modified_at = $2 \
             WHERE id = $3 AND org_id = $4 AND status <> 'removed'",
        )
        .bind(ending.status().as_str())
        .bind(now.secs())
        .bind(id.to_string())
        .bind(self.org_id.to_string())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(None);
        }
        // Nothing of theirs works again if they come back: sessions, password links and
        // API tokens end here (a token is revoked, not just idle while they are away).
        for end in [
            "DELETE FROM sessions WHERE user_id = $1",
            "DELETE FROM password_links WHERE user_id = $1",
        ] {
            sqlx::query(end)
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        )
        .bind(now.secs())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
        if was != ending.status() {
            let event = NewEvent {
                at: now,
                actor: actor.to_owned(),
                org_id: Some(self.org_id.to_string()),
                action: "user.changed",
                object: id.to_string(),
                details: serde_json::json!({"status": ending.status()}),
            };
            audit::append(&mut tx, &event).await?;
        }
        let rows = sqlx::query(concat!(
            "SELECT ",
            cert_columns!(),
            " FROM certificates WHERE org_id = $1 AND subject_uuid = $2 AND kind = $3 \
             AND status = 'active' ORDER BY created_at, id"
        ))
        .bind(self.org_id.to_string())
        .bind(id.to_string())
        .bind(CertKind::Employee.as_str())
        .fetch_all(&mut *tx)
        .await?;
        let mut out = Offboarded::default();
        for row in &rows {
            let c = cert_from_row(row)?;
            let mails: Vec<NewMail> = notice(&c).into_iter().collect();
            let reason = BlockReason::LeftOrganisation;
            let blocked = self
                .block_in(&mut tx, c.id, reason, &mails, actor, now)
                .await?;
            if let Some(b) = blocked.filter(|b| b.newly) {
                out.blocked.push(b.certificate);
            }
        }
        let orders = sqlx::query(
            "SELECT id FROM orders WHERE org_id = $1 AND user_id = $2 \
             AND status IN ('awaiting_email_validation', 'ready') ORDER BY created_at, id",
        )
        .bind(self.org_id.to_string())
        .bind(id.to_string())
        .fetch_all(&mut *tx)
        .await?;
        for row in &orders {
            let order = crate::db::uuid_col(row, "id")?;
            if self.cancel_in(&mut tx, order, actor, now).await? {
                out.cancelled.push(order);
            }
        }
        tx.commit().await?;
        Ok(Some(out))
    }
}
