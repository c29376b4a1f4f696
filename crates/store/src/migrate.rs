//! Schema migrations, one folder per backend, applied in order inside transactions.

use sqlx::Row;

use crate::{Backend, Store, StoreError};

struct Migration {
    version: i64,
    sqlite: &'static str,
    postgres: &'static str,
}

/// A migration from its two files, `migrations/{sqlite,postgres}/<file>.sql`.
macro_rules! migration {
    ($version:literal, $file:literal) => {
        Migration {
            version: $version,
            sqlite: include_str!(concat!("../migrations/sqlite/", $file, ".sql")),
            postgres: include_str!(concat!("../migrations/postgres/", $file, ".sql")),
        }
    };
}

const MIGRATIONS: &[Migration] = &[
    migration!(1, "0001_init"),
    migration!(2, "0002_users"),
    migration!(3, "0003_profiles"),
    migration!(4, "0004_orders"),
    migration!(5, "0005_mail"),
    migration!(6, "0006_renewal"),
    migration!(7, "0007_operator_tokens"),
    migration!(8, "0008_blocking"),
    migration!(9, "0009_expiry_notices"),
    migration!(10, "0010_crl_partitions"),
    migration!(11, "0011_portal"),
    migration!(12, "0012_search"),
];

/// Key of the PostgreSQL advisory lock that serialises migrations across nodes.
const MIGRATION_LOCK: i64 = 0x6f72_6763_615f_6d67; // "orgca_mg"

/// Applies every migration newer than the database's version. On PostgreSQL, nodes
/// starting at once take turns (an advisory lock); on SQLite the write lock does that.
pub(crate) async fn run(store: &Store) -> Result<(), StoreError> {
    let mut conn = store.pool.acquire().await?;
    if store.backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(MIGRATION_LOCK)
            .execute(&mut *conn)
            .await?;
    }
    let result = apply_all(&mut conn, store.backend).await;
    if store.backend == Backend::Postgres {
        // Session-level lock: release it before the connection goes back to the pool.
        if sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(MIGRATION_LOCK)
            .execute(&mut *conn)
            .await
            .is_err()
        {
            conn.close_on_drop();
        }
    }
    result?;
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

async fn apply_all(conn: &mut sqlx::AnyConnection, backend: Backend) -> Result<(), StoreError> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
    )
    .execute(&mut *conn)
    .await?;
    for m in MIGRATIONS {
        let mut tx = crate::db::begin_write_on(conn, backend).await?;
        let done = sqlx::query("SELECT version FROM schema_migrations WHERE version = $1")
            .bind(m.version)
            .fetch_optional(&mut *tx)
            .await?;
        if done.is_some() {
            continue;
        }
        let sql = match backend {
            Backend::Sqlite => m.sqlite,
            Backend::Postgres => m.postgres,
        };
        let fail = |source| StoreError::Migration {
            version: m.version,
            source,
        };
        sqlx::raw_sql(sql).execute(&mut *tx).await.map_err(fail)?;
        if m.version == 12 {
            crate::search_keys::backfill(&mut tx).await?;
        }
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
            .bind(m.version)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        tx.commit().await.map_err(fail)?;
    }
    Ok(())
}
