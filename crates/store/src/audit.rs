//! The audit chain: every event holds the hash of the one before it, and is written in
//! the same transaction as the change it records.

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use crate::{Store, StoreError};

/// The hash before the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An event to append: who did what to which object, with details as JSON.
#[derive(Clone, Debug)]
pub struct NewEvent {
    /// When (Unix seconds).
    pub at: i64,
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
    /// When (Unix seconds).
    pub at: i64,
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
    fn computed_hash(&self) -> String {
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
    let sql = crate::db::multi_row(
        "INSERT INTO audit_events (seq, at, actor, org_id, action, object, details, prev_hash, hash)",
        chained.len(),
        9,
    );
    let mut q = sqlx::query(sql);
    for ev in &chained {
        q = q
            .bind(ev.seq)
            .bind(ev.at)
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

/// Where and why the chain breaks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChainBreak {
    /// The first event that does not match (or the head position).
    pub seq: i64,
    /// What does not match.
    pub reason: String,
}

/// The result of walking the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    /// Events checked.
    pub events: i64,
    /// The first break, or `None` when the chain is intact.
    pub first_break: Option<ChainBreak>,
}

/// Read access to the audit trail for auditors and operators.
#[derive(Clone, Debug)]
pub struct AuditLog {
    store: Store,
}

impl Store {
    /// The audit trail.
    pub fn audit(&self) -> AuditLog {
        AuditLog {
            store: self.clone(),
        }
    }
}

const PAGE: i64 = 1000;

/// Events with `after < seq <= upto`, oldest first, at most `limit`, read on `conn`.
async fn events_on(
    conn: &mut AnyConnection,
    after: i64,
    upto: i64,
    limit: i64,
) -> Result<Vec<AuditEvent>, StoreError> {
    let rows = sqlx::query(
        "SELECT seq, at, actor, org_id, action, object, details, prev_hash, hash FROM audit_events \
         WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3",
    )
    .bind(after)
    .bind(upto)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(event_from_row).collect()
}

/// An event as read.
fn event_from_row(r: &sqlx::any::AnyRow) -> Result<AuditEvent, StoreError> {
    Ok(AuditEvent {
        seq: r.try_get("seq")?,
        at: r.try_get("at")?,
        actor: r.try_get("actor")?,
        org_id: r.try_get("org_id")?,
        action: r.try_get("action")?,
        object: r.try_get("object")?,
        details: r.try_get("details")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

impl crate::OrgScope {
    /// The audit events of this organisation about `object` (an id), oldest first, at
    /// most `limit`.
    pub async fn events_about(
        &self,
        object: &str,
        limit: i64,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, at, actor, org_id, action, object, details, prev_hash, hash FROM audit_events \
             WHERE object = $1 AND org_id = $2 ORDER BY seq LIMIT $3",
        )
        .bind(object)
        .bind(self.org_id.to_string())
        .bind(limit)
        .fetch_all(&self.store.pool)
        .await?;
        rows.iter().map(event_from_row).collect()
    }
}

impl AuditLog {
    /// Events with `seq > after`, oldest first, at most `limit`.
    pub async fn events(&self, after: i64, limit: i64) -> Result<Vec<AuditEvent>, StoreError> {
        let mut conn = self.store.pool.acquire().await?;
        events_on(&mut conn, after, i64::MAX, limit).await
    }

    /// Walks the whole chain in one consistent snapshot (events appended meanwhile are
    /// not mistaken for tampering): sequence numbers contiguous from 1 up to the head,
    /// each event's hash recomputed, each link to the previous hash, the head equal to
    /// the last event, and no row outside that range.
    ///
    /// The chain proves the order and content of events relative to each other. It does
    /// not stop someone with write access to the database from rewriting the whole chain
    /// from some event on; anchoring the head outside the database is future work.
    pub async fn verify(&self) -> Result<ChainReport, StoreError> {
        let mut conn = self.store.pool.acquire().await?;
        let snapshot = match self.store.backend {
            crate::Backend::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
            // In WAL mode a read transaction sees one snapshot from its first read on.
            crate::Backend::Sqlite => "BEGIN",
        };
        let mut tx = sqlx::Connection::begin_with(&mut *conn, snapshot).await?;
        let report = walk(&mut tx).await;
        tx.rollback().await?;
        report
    }
}

async fn walk(conn: &mut AnyConnection) -> Result<ChainReport, StoreError> {
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(&mut *conn)
        .await?;
    let (head_seq, head_hash): (i64, String) = (head.try_get("seq")?, head.try_get("hash")?);
    let broken = |seq: i64, reason: String| ChainReport {
        events: seq - 1,
        first_break: Some(ChainBreak { seq, reason }),
    };
    let stray = sqlx::query("SELECT COUNT(*) AS n FROM audit_events WHERE seq < 1 OR seq > $1")
        .bind(head_seq)
        .fetch_one(&mut *conn)
        .await?;
    let stray: i64 = stray.try_get("n")?;
    if stray > 0 {
        return Ok(broken(
            head_seq + 1,
            format!(
                "{stray} stored events lie outside the chain (sequence below 1 or beyond the head)"
            ),
        ));
    }
    let mut prev_hash = GENESIS_HASH.to_owned();
    let mut last = 0i64;
    loop {
        let page = events_on(conn, last, head_seq, PAGE).await?;
        if page.is_empty() {
            break;
        }
        for e in &page {
            if e.seq != last + 1 {
                return Ok(broken(
                    last + 1,
                    format!("event {} is missing (next stored is {})", last + 1, e.seq),
                ));
            }
            if e.prev_hash != prev_hash {
                return Ok(broken(
                    e.seq,
                    "its link to the previous event does not match".into(),
                ));
            }
            if e.computed_hash() != e.hash {
                return Ok(broken(
                    e.seq,
                    "its content does not match its hash (altered)".into(),
                ));
            }
            prev_hash.clone_from(&e.hash);
            last = e.seq;
        }
    }
    if head_seq != last || head_hash != prev_hash {
        return Ok(broken(
            last + 1,
            format!(
                "the chain head says {head_seq} events, {last} are stored intact (events removed from the end?)"
            ),
        ));
    }
    Ok(ChainReport {
        events: last,
        first_break: None,
    })
}

impl crate::OrgScope {
    /// Records a document signature made in this organisation: the audit event is the
    /// only trace of it (the signing service stores neither the document nor its
    /// single-use certificate).
    pub async fn record_signature(
        &self,
        actor: &str,
        signature_id: uuid::Uuid,
        details: serde_json::Value,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.store.begin_write().await?;
        let event = NewEvent {
            at: now,
            actor: actor.to_owned(),
            org_id: Some(self.org_id.to_string()),
            action: "document.signed",
            object: signature_id.to_string(),
            details,
        };
        append(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }
}
