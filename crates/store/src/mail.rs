//! E-mail validation records and the mail queue. Mail is queued in the transaction of
//! the change that causes it (so it is never lost and never sent for a change that did
//! not happen) and delivered by the `notify` job.

use orgca_model::OrgId;
use orgca_model::UnixTime;
use sqlx::Row;
use uuid::Uuid;

use crate::audit::{self, NewEvent};
use crate::mail_seal;
use crate::{OrgScope, Store, StoreError};

/// A message to queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMail {
    /// One address.
    pub recipient: String,
    /// Subject (UTF-8).
    pub subject: String,
    /// Plain-text body (UTF-8).
    pub body: String,
}

/// A queued message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueuedMail {
    /// Id (also the Message-ID's left part).
    pub id: Uuid,
    /// Recipient.
    pub recipient: String,
    /// Subject.
    pub subject: String,
    /// Body.
    pub body: String,
    /// When queued.
    pub created_at: UnixTime,
    /// Delivery attempts so far.
    pub attempts: i64,
}

/// A queued message whose body does not open with this store's key (another passphrase,
/// or an edited row). It stays queued: the sender records the failure and tries again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnopenedMail {
    /// Id.
    pub id: Uuid,
    /// Delivery attempts so far.
    pub attempts: i64,
    /// Why it does not open.
    pub why: String,
}

/// A validation to start: the token's hash and when it expires.
#[derive(Clone, Debug)]
pub struct NewValidation {
    /// The address to prove.
    pub email: String,
    /// SHA-256 of the token mailed to it.
    pub token_sha256: [u8; 32],
    /// Expiry.
    pub expires_at: UnixTime,
}

/// Queues `mails` on `conn` (inside the caller's transaction), their bodies sealed with
/// `store`'s mail key: without one, queuing fails and the caller's change with it.
pub(crate) async fn queue_in(
    conn: &mut sqlx::AnyConnection,
    store: &Store,
    org_id: Option<OrgId>,
    mails: &[NewMail],
    now: UnixTime,
) -> Result<(), StoreError> {
    for m in mails {
        let id = Uuid::new_v4().to_string();
        let body = store
            .mail_key()?
            .seal(&m.body, &mail_seal::context(&id, &m.recipient, &m.subject))?;
        sqlx::query(
            "INSERT INTO mail_queue (id, org_id, recipient, subject, body, created_at, next_try_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(id)
        .bind(org_id.map(|o| o.to_string()))
        .bind(m.recipient.clone())
        .bind(m.subject.clone())
        .bind(body)
        .bind(now.secs())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Records a validation to start on `conn` (inside the caller's transaction).
pub(crate) async fn start_validation_in(
    conn: &mut sqlx::AnyConnection,
    org_id: OrgId,
    v: &NewValidation,
    now: UnixTime,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO email_validations (id, org_id, email, token_sha256, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(Uuid::new_v4().to_string())
    .bind(org_id.to_string())
    .bind(v.email.clone())
    .bind(hex::encode(v.token_sha256))
    .bind(v.expires_at.secs())
    .bind(now.secs())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Makes ready the organisation's orders that waited for `email` to be proven (on
/// `conn`, inside the caller's transaction); answers how many.
pub(crate) async fn ready_orders_for(
    conn: &mut sqlx::AnyConnection,
    org_id: &str,
    email: &str,
) -> Result<u64, StoreError> {
    Ok(sqlx::query(
        "UPDATE orders SET status = 'ready' WHERE org_id = $1 AND status = 'awaiting_email_validation' AND \
         (profile_id IN (SELECT id FROM profiles WHERE org_id = $1 AND email = $2) \
          OR user_id IN (SELECT id FROM users WHERE org_id = $1 AND email = $2))",
    )
    .bind(org_id.to_owned())
    .bind(email.to_owned())
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

/// Records that `email` was proven for the organisation at `now` by `how` (a used
/// password link: it was mailed to the address), and readies the orders that waited for
/// it; with its audit event (on `conn`, inside the caller's transaction).
pub(crate) async fn prove_address_in(
    conn: &mut sqlx::AnyConnection,
    org_id: &str,
    email: &str,
    how: &str,
    now: UnixTime,
) -> Result<(), StoreError> {
    let id = Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO email_validations (id, org_id, email, token_sha256, expires_at, validated_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $5, $5)",
    )
    .bind(id.clone())
    .bind(org_id.to_owned())
    .bind(email.to_owned())
    // No token was sent for this record: its "hash" names the record, which no hex
    // SHA-256 of a token can equal.
    .bind(format!("none:{id}"))
    .bind(now.secs())
    .execute(&mut *conn)
    .await?;
    let ready = ready_orders_for(conn, org_id, email).await?;
    let event = NewEvent {
        at: now,
        actor: how.to_owned(),
        org_id: Some(org_id.to_owned()),
        action: "email.validated",
        object: id,
        details: serde_json::json!({"email": email, "by": how, "orders_ready": ready}),
    };
    audit::append(conn, &event).await
}

impl OrgScope {
    /// Whether `email` was validated for this organisation at or after `since`.
    pub async fn email_validated_since(
        &self,
        email: &str,
        since: UnixTime,
    ) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM email_validations WHERE org_id = $1 AND email = $2 AND validated_at >= $3",
        )
        .bind(self.org_id.to_string())
        .bind(email)
        .bind(since.secs())
        .fetch_one(&self.store.pool)
        .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }
}

/// The outcome of a confirmed validation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confirmed {
    /// The address.
    pub email: String,
    /// Orders that became ready.
    pub orders_ready: u64,
}

/// The mail queue and e-mail confirmations (no login: a token proves the address).
#[derive(Clone, Debug)]
pub struct MailStore {
    store: Store,
}

impl Store {
    /// The mail queue and confirmations.
    pub fn mail(&self) -> MailStore {
        MailStore {
            store: self.clone(),
        }
    }
}

impl MailStore {
    /// Confirms the address whose token hashes to `token_sha256`, if it has not
    /// expired, and makes the orders that waited for it ready; with its audit event.
    /// `None` for an unknown or expired token. Confirming twice is harmless.
    pub async fn confirm(
        &self,
        token_sha256: [u8; 32],
        now: UnixTime,
    ) -> Result<Option<Confirmed>, StoreError> {
        let mut tx = self.store.begin_write().await?;
        let row = sqlx::query(
            "SELECT id, org_id, email, expires_at, validated_at FROM email_validations WHERE token_sha256 = $1",
        )
        .bind(hex::encode(token_sha256))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let (id, org, email): (String, String, String) = (
            row.try_get("id")?,
            row.try_get("org_id")?,
            row.try_get("email")?,
        );
        let validated: Option<i64> = row.try_get("validated_at")?;
        if validated.is_none() && crate::sql::time_at(&row, "expires_at")? < now {
            return Ok(None);
        }
        if validated.is_none() {
            sqlx::query("UPDATE email_validations SET validated_at = $1 WHERE id = $2")
                .bind(now.secs())
                .bind(id.clone())
                .execute(&mut *tx)
                .await?;
        }
        let ready = ready_orders_for(&mut tx, &org, &email).await?;
        let event = NewEvent {
            at: now,
            actor: "email-validation".into(),
            org_id: Some(org),
            action: "email.validated",
            object: id,
            details: serde_json::json!({"email": email, "orders_ready": ready}),
        };
        audit::append(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(Some(Confirmed {
            email,
            orders_ready: ready,
        }))
    }

    /// Messages due for delivery at `now`, oldest first, their bodies opened; a body that
    /// does not open is answered as such, in its place, and holds up no other message.
    pub async fn due(
        &self,
        now: UnixTime,
        limit: i64,
    ) -> Result<Vec<Result<QueuedMail, UnopenedMail>>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, recipient, subject, body, created_at, attempts FROM mail_queue \
             WHERE sent_at IS NULL AND next_try_at <= $1 ORDER BY created_at, id LIMIT $2",
        )
        .bind(now.secs())
        .bind(limit)
        .fetch_all(&self.store.pool)
        .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let key = self.store.mail_key()?;
        rows.iter()
            .map(|r| {
                let id: String = r.try_get("id")?;
                let recipient: String = r.try_get("recipient")?;
                let subject: String = r.try_get("subject")?;
                let stored: String = r.try_get("body")?;
                let attempts = r.try_get("attempts")?;
                let context = mail_seal::context(&id, &recipient, &subject);
                let id = Uuid::parse_str(&id)
                    .map_err(|_| StoreError::Corrupt(format!("mail id {id:?}")))?;
                let body = match key.open(&stored, &context) {
                    Ok(body) => body,
                    Err(e) => {
                        let why = e.to_string();
                        return Ok(Err(UnopenedMail { id, attempts, why }));
                    }
                };
                Ok(Ok(QueuedMail {
                    id,
                    recipient,
                    subject,
                    body,
                    created_at: crate::sql::time_at(r, "created_at")?,
                    attempts,
                }))
            })
            .collect()
    }

    /// Marks a message delivered.
    pub async fn mark_sent(&self, id: Uuid, now: UnixTime) -> Result<(), StoreError> {
        // The body goes once sent: it may carry a validation link, which must not stay
        // readable in the database.
        sqlx::query("UPDATE mail_queue SET sent_at = $1, attempts = attempts + 1, last_error = NULL, body = '' WHERE id = $2")
            .bind(now.secs())
            .bind(id.to_string())
            .execute(&self.store.pool)
            .await?;
        Ok(())
    }

    /// Records a failed attempt; the message is tried again at `next_try_at`.
    pub async fn mark_failed(
        &self,
        id: Uuid,
        error: &str,
        next_try_at: UnixTime,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE mail_queue SET attempts = attempts + 1, last_error = $1, next_try_at = $2 WHERE id = $3")
            .bind(error)
            .bind(next_try_at.secs())
            .bind(id.to_string())
            .execute(&self.store.pool)
            .await?;
        Ok(())
    }
}
