//! The audit chain: every event holds the hash of the one before it, and is written in
//! the same transaction as the change it records. This module only appends (on the
//! caller's transaction); reading and verifying the trail is `audit_log`.

use orgca_model::UnixTime;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use crate::StoreError;

/// The hash before the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An event to append: who did what to which object, with details as JSON.
#[derive(Clone, Debug)]
pub struct NewEvent {
    /// When.
    pub at: UnixTime,
    /// Who: `operator`, `cli`, a user id, `system`.
    pub actor: String,
    /// The organisation concerned, if any.
    pub org_id: Option<String>,
    /// A stable action name such as `certificate.issued`.
    pub action: &'static str,
    /// The object: an id, serial or name.
    pub object: String,
    /// Details (never secrets).
    pub details: serde_json::Value,
}

/// A stored event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditEvent {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When.
    pub at: UnixTime,
    /// Who.
    pub actor: String,
    /// Organisation, if any.
    pub org_id: Option<String>,
    /// Action name.
    pub action: String,
    /// Object.
    pub object: String,
    /// Details as stored (JSON text).
    pub details: String,
    /// Hash of the previous event.
    pub prev_hash: String,
    /// This event's hash.
    pub hash: String,
}

impl AuditEvent {
    /// SHA-256 over the canonical bytes: a JSON array of every field but the hash, in a
    /// fixed order, so that no two different events hash the same input.
    pub fn computed_hash(&self) -> String {
        let canonical = serde_json::json!([
            self.seq,
            self.at,
            self.actor,
            self.org_id,
            self.action,
            self.object,
            self.details,
            self.prev_hash
        ])
        .to_string();
        hex::encode(Sha256::digest(canonical.as_bytes()))
    }
}

/// Appends one event (see [`append_all`]).
pub(crate) async fn append(conn: &mut AnyConnection, event: &NewEvent) -> Result<(), StoreError> {
    append_all(conn, std::slice::from_ref(event)).await
}

/// Appends `events`, in order, on `conn`, which must be inside a write transaction. The
/// first statement moves the chain head and so locks it for the rest of the transaction:
/// concurrent appenders are serialised and the chain stays linear. Three statements
/// whatever the number of events.
pub(crate) async fn append_all(
    conn: &mut AnyConnection,
    events: &[NewEvent],
) -> Result<(), StoreError> {
    let Ok(n) = i64::try_from(events.len()) else {
        return Err(StoreError::Corrupt(
            "too many audit events in one transaction".into(),
        ));
    };
    if n == 0 {
        return Ok(());
    }
    let head = sqlx::query("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash")
        .bind(n)
        .fetch_one(&mut *conn)
        .await?;
    let last: i64 = head.try_get("seq")?;
    let mut prev: String = head.try_get("hash")?;
    let mut chained = Vec::with_capacity(events.len());
    for (seq, event) in (last - n + 1..).zip(events) {
        let mut ev = AuditEvent {
            seq,
            at: event.at,
            actor: event.actor.clone(),
            org_id: event.org_id.clone(),
            action: event.action.to_owned(),
            object: event.object.clone(),
            details: event.details.to_string(),
            prev_hash: prev,
            hash: String::new(),
        };
        ev.hash = ev.computed_hash();
        prev = ev.hash.clone();
        chained.push(ev);
    }
    let sql = crate::sql::multi_row(
        "INSERT INTO audit_events (seq, at, actor, org_id, action, object, details, prev_hash, hash)",
        chained.len(),
        9,
    );
    let mut q = sqlx::query(sql);
    for ev in &chained {
        q = q
            .bind(ev.seq)
            .bind(ev.at.secs())
            .bind(ev.actor.clone())
            .bind(ev.org_id.clone())
            .bind(ev.action.clone())
            .bind(ev.object.clone())
            .bind(ev.details.clone())
            .bind(ev.prev_hash.clone())
            .bind(ev.hash.clone());
    }
    q.execute(&mut *conn).await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(prev)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
