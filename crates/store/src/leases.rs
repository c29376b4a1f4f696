//! Leases: a job that must run on one node at a time (building CRLs, delivering mail,
//! queueing notices, sweeping stale pick-ups, signing audit checkpoints) runs only on the
//! node that holds its lease. A lease is held for a few seconds and renewed by its holder
//! while it works; when the holder dies, the lease runs out and another node takes it.
//! The database decides (one row per lease, taken or renewed in one statement), so this
//! works the same on SQLite and PostgreSQL.

use orgca_model::UnixTime;
use sqlx::Row;

use crate::{Store, StoreError};

/// The leases' view of the store.
#[derive(Clone, Debug)]
pub struct LeaseStore {
    store: Store,
}

impl Store {
    /// The leases' view.
    pub fn leases(&self) -> LeaseStore {
        LeaseStore {
            store: self.clone(),
        }
    }
}

impl LeaseStore {
    /// Takes the lease `name` for `holder` until `now` + `seconds`, or renews it when
    /// `holder` has it already. Answers whether `holder` holds it now: false while
    /// another holder's lease has not run out.
    pub async fn hold(
        &self,
        name: &str,
        holder: &str,
        now: UnixTime,
        seconds: i64,
    ) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET holder = $2, expires_at = $3 \
             WHERE leases.holder = $2 OR leases.expires_at <= $4 \
             RETURNING holder",
        )
        .bind(name)
        .bind(holder)
        .bind(now.secs() + seconds)
        .bind(now.secs())
        .fetch_optional(&self.store.pool)
        .await?;
        Ok(match row {
            Some(r) => r.try_get::<String, _>("holder")? == holder,
            None => false,
        })
    }

    /// Gives up every lease `holder` has (a node shutting down).
    pub async fn release_all(&self, holder: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM leases WHERE holder = $1")
            .bind(holder)
            .execute(&self.store.pool)
            .await?;
        Ok(())
    }

    /// Who holds the lease `name` at `now`, if anyone.
    pub async fn holder(&self, name: &str, now: UnixTime) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT holder FROM leases WHERE name = $1 AND expires_at > $2")
            .bind(name)
            .bind(now.secs())
            .fetch_optional(&self.store.pool)
            .await?;
        Ok(row.map(|r| r.try_get("holder")).transpose()?)
    }
}
