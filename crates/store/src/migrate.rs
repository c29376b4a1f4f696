//! Schema migrations, one folder per backend, applied in order inside transactions.

use sqlx::Row;

use crate::{Backend, Store, StoreError};

struct Migration {
    version: i64,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    sqlite: include_str!("../migrations/sqlite/0001_init.sql"),
    postgres: include_str!("../migrations/postgres/0001_init.sql"),
}];

/// Applies every migration newer than the database's version.
pub(crate) async fn run(store: &Store) -> Result<(), StoreError> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
    )
    .execute(&store.pool)
    .await?;
    for m in MIGRATIONS {
        let mut tx = store.begin_write().await?;
        let done = sqlx::query("SELECT version FROM schema_migrations WHERE version = $1")
            .bind(m.version)
            .fetch_optional(&mut *tx)
            .await?;
        if done.is_some() {
            continue;
        }
        let sql = match store.backend {
            Backend::Sqlite => m.sqlite,
            Backend::Postgres => m.postgres,
        };
        let fail = |source| StoreError::Migration {
            version: m.version,
            source,
        };
        sqlx::raw_sql(sql).execute(&mut *tx).await.map_err(fail)?;
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
            .bind(m.version)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        tx.commit().await.map_err(fail)?;
    }
    // The newest version this binary knows must not be older than the database's.
    let row = sqlx::query("SELECT MAX(version) AS v FROM schema_migrations")
        .fetch_one(&store.pool)
        .await?;
    let newest: Option<i64> = row.try_get("v")?;
    let known = MIGRATIONS.last().map_or(0, |m| m.version);
    if newest.unwrap_or(0) > known {
        return Err(StoreError::Corrupt(format!(
            "the database is at schema version {}, newer than this orgca knows ({known}); upgrade orgca",
            newest.unwrap_or(0)
        )));
    }
    Ok(())
}
