//! The CRLs the nodes serve, shared through the database: the node that holds the CRL
//! lease builds and signs them and stores each here; every node serves the newest stored
//! one. So all nodes serve the same CRL, and a relying party that asks two nodes never
//! sees a CRL number go back. A CRL replaces the stored one only with a higher number.

use orgca_model::UnixTime;
use sqlx::Row;

use crate::{StatusStore, StoreError};

/// A CRL as stored for the nodes to serve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredCrl {
    /// The file stem it is served under (a CA's name, or one of its partitions).
    pub name: String,
    /// Its CRL number.
    pub number: i64,
    /// thisUpdate.
    pub this_update: UnixTime,
    /// nextUpdate.
    pub next_update: UnixTime,
    /// How many certificates it lists.
    pub entries: i64,
    /// The CA's status revision it was built from.
    pub revision: i64,
    /// The DER.
    pub der: Vec<u8>,
}

impl StatusStore {
    /// Stores `crl` for every node to serve, unless one with a number as high or higher
    /// is stored already. Answers whether it was stored.
    pub async fn publish_crl(&self, crl: &StoredCrl) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO published_crls (name, number, this_update, next_update, entries, revision, der) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (name) DO UPDATE SET number = $2, \
             this_update = $3, next_update = $4, entries = $5, revision = $6, der = $7 \
             WHERE published_crls.number < $2",
        )
        .bind(&crl.name)
        .bind(crl.number)
        .bind(crl.this_update.secs())
        .bind(crl.next_update.secs())
        .bind(crl.entries)
        .bind(crl.revision)
        .bind(&crl.der)
        .execute(&self.store.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The number of every stored CRL, by name (cheap: no DER).
    pub async fn published_numbers(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let rows = sqlx::query("SELECT name, number FROM published_crls")
            .fetch_all(&self.store.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("name")?, r.try_get("number")?)))
            .collect()
    }

    /// The stored CRL `name`, if there is one.
    pub async fn published_crl(&self, name: &str) -> Result<Option<StoredCrl>, StoreError> {
        let row = sqlx::query(
            "SELECT name, number, this_update, next_update, entries, revision, der \
             FROM published_crls WHERE name = $1",
        )
        .bind(name)
        .fetch_optional(&self.store.pool)
        .await?;
        row.map(|r| {
            Ok(StoredCrl {
                name: r.try_get("name")?,
                number: r.try_get("number")?,
                this_update: crate::sql::time_at(&r, "this_update")?,
                next_update: crate::sql::time_at(&r, "next_update")?,
                entries: r.try_get("entries")?,
                revision: r.try_get("revision")?,
                der: r.try_get("der")?,
            })
        })
        .transpose()
    }
}
