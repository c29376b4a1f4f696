//! Reading the audit trail: an organisation's events, and the walk over the whole chain
//! that `orgca audit verify` runs.

use orgca_model::UnixTime;
use serde::Serialize;
use sqlx::{AnyConnection, Row};

use crate::audit::{AuditEvent, GENESIS_HASH, NewEvent, append};
use crate::{Store, StoreError};

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

impl AuditLog {
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }
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
        at: crate::sql::time_at(r, "at")?,
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
            crate::sql::Backend::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
            // In WAL mode a read transaction sees one snapshot from its first read on.
            crate::sql::Backend::Sqlite => "BEGIN",
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
        now: UnixTime,
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

/// What an operator did to the whole store, recorded in its chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// A backup was taken (`backup.taken`, named by the archive's SHA-256).
    BackupTaken,
    /// The store was restored from a backup (`store.restored`, named by the archive's
    /// SHA-256): every event before it is the backup's. The stored CRLs are forgotten in
    /// the same transaction: relying parties may have seen later ones, so the first node
    /// to start signs new ones, numbered above every earlier number.
    Restored,
}

impl Operation {
    fn action(self) -> &'static str {
        match self {
            Operation::BackupTaken => "backup.taken",
            Operation::Restored => "store.restored",
        }
    }
}

impl AuditLog {
    /// Appends an operator's operation on the whole store, named by `object`, with what
    /// the operation changes (see [`Operation`]).
    pub async fn record_operation(
        &self,
        operation: Operation,
        object: &str,
        details: serde_json::Value,
        now: UnixTime,
    ) -> Result<(), StoreError> {
        let mut tx = self.store().begin_write().await?;
        let event = NewEvent {
            at: now,
            actor: "operator".to_owned(),
            org_id: None,
            action: operation.action(),
            object: object.to_owned(),
            details,
        };
        append(&mut tx, &event).await?;
        if operation == Operation::Restored {
            sqlx::query("DELETE FROM published_crls")
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

impl AuditLog {
    /// Appends a ceremony record (a signed note, checked by the caller) to the chain as a
    /// `ceremony.recorded` event named by the note's SHA-256 (`digest`), unless it is
    /// there already. Answers whether it was appended.
    pub async fn record_ceremony(
        &self,
        note: &str,
        digest: &str,
        key_id: &str,
        now: UnixTime,
    ) -> Result<bool, StoreError> {
        let mut tx = self.store().begin_write().await?;
        let seen = sqlx::query(
            "SELECT 1 FROM audit_events WHERE action = 'ceremony.recorded' AND object = $1",
        )
        .bind(digest)
        .fetch_optional(&mut *tx)
        .await?;
        if seen.is_some() {
            return Ok(false);
        }
        let event = NewEvent {
            at: now,
            actor: "ceremony".to_owned(),
            org_id: None,
            action: "ceremony.recorded",
            object: digest.to_owned(),
            details: serde_json::json!({ "key_id": key_id, "note": note }),
        };
        append(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(true)
    }
}
