//! Signed checkpoints of the audit chain: a note (see `orgca_pki::note`) over the chain
//! head's sequence number and hash, signed by the audit key outside the database. Each
//! is stored with an `audit.checkpoint` event appended in the same transaction, so that
//! a checkpoint removed later leaves its event behind. This module stores and reads
//! them; it never signs or verifies a signature.

use orgca_model::UnixTime;
use sqlx::Row;

use crate::StoreError;
use crate::audit::{NewEvent, append};
use crate::audit_log::AuditLog;

/// A stored checkpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredCheckpoint {
    /// The chain position it covers (the head's sequence number when it was signed).
    pub seq: i64,
    /// When it was recorded.
    pub at: UnixTime,
    /// The signed note.
    pub note: String,
}

impl AuditLog {
    /// The chain head: the last event's sequence number and hash.
    pub async fn head(&self) -> Result<(i64, String), StoreError> {
        let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&self.store().pool)
            .await?;
        Ok((row.try_get("seq")?, row.try_get("hash")?))
    }

    /// The stored hash of event `seq` (`None` when there is no such event).
    pub async fn hash_at(&self, seq: i64) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT hash FROM audit_events WHERE seq = $1")
            .bind(seq)
            .fetch_optional(&self.store().pool)
            .await?;
        Ok(row.map(|r| r.try_get("hash")).transpose()?)
    }

    /// Records a checkpoint `note` covering the chain up to `seq`, with its event
    /// (`details` say which key signed it), in one transaction. A second checkpoint of
    /// the same position is a conflict.
    pub async fn record_checkpoint(
        &self,
        seq: i64,
        note: &str,
        details: serde_json::Value,
        actor: &str,
        now: UnixTime,
    ) -> Result<(), StoreError> {
        let mut tx = self.store().begin_write().await?;
        sqlx::query("INSERT INTO audit_checkpoints (seq, at, note) VALUES ($1, $2, $3)")
            .bind(seq)
            .bind(now.secs())
            .bind(note)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::conflict_as(format!(
                "the checkpoint of event {seq}"
            )))?;
        let event = NewEvent {
            at: now,
            actor: actor.to_owned(),
            org_id: None,
            action: "audit.checkpoint",
            object: seq.to_string(),
            details,
        };
        append(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The positions that `audit.checkpoint` events say were checkpointed.
    pub async fn checkpointed_positions(&self) -> Result<Vec<i64>, StoreError> {
        let rows = sqlx::query(
            "SELECT object FROM audit_events WHERE action = 'audit.checkpoint' ORDER BY seq",
        )
        .fetch_all(&self.store().pool)
        .await?;
        rows.iter()
            .map(|r| {
                let object: String = r.try_get("object")?;
                object.parse().map_err(|_| {
                    StoreError::Corrupt(format!("an audit.checkpoint event names {object:?}"))
                })
            })
            .collect()
    }

    /// Every checkpoint, oldest first.
    pub async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, StoreError> {
        let rows = sqlx::query("SELECT seq, at, note FROM audit_checkpoints ORDER BY seq")
            .fetch_all(&self.store().pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredCheckpoint {
                    seq: r.try_get("seq")?,
                    at: UnixTime::from_secs(r.try_get("at")?),
                    note: r.try_get("note")?,
                })
            })
            .collect()
    }
}
