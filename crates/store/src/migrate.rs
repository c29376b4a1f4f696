//! Schema migrations, one folder per backend, applied in order inside transactions.

use sqlx::{AnyPool, Row};

use crate::StoreError;
use crate::sql::Backend;

struct Migration {
    version: i64,
    sqlite: &'static str,
    postgres: &'static str,
    /// The SQLite file rebuilds a table that others refer to: foreign keys are off while
    /// it runs (SQLite ignores that switch inside a transaction) and checked before it
    /// commits.
    rebuilds_on_sqlite: bool,
}

/// A migration from its two files, `migrations/{sqlite,postgres}/<file>.sql`.
macro_rules! migration {
    ($version:literal, $file:literal) => {
        Migration {
            version: $version,
            sqlite: include_str!(concat!("../migrations/sqlite/", $file, ".sql")),
            postgres: include_str!(concat!("../migrations/postgres/", $file, ".sql")),
            rebuilds_on_sqlite: false,
        }
    };
    ($version:literal, $file:literal, rebuilds_on_sqlite) => {
        Migration {
            rebuilds_on_sqlite: true,
            ..migration!($version, $file)
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
    migration!(13, "0013_signing_ca"),
    migration!(14, "0014_wrong_codes"),
    migration!(15, "0015_address_per_org", rebuilds_on_sqlite),
    migration!(16, "0016_mail_seal"),
    migration!(17, "0017_audit_checkpoints"),
    migration!(18, "0018_ca_rollover"),
    migration!(19, "0019_nodes"),
    migration!(20, "0020_search_words"),
    migration!(21, "0021_provisioning", rebuilds_on_sqlite),
    migration!(22, "0022_identity_providers"),
];

/// Key of the PostgreSQL advisory lock that serialises migrations across nodes.
const MIGRATION_LOCK: i64 = 0x6f72_6763_615f_6d67; // "orgca_mg"

/// Applies every migration newer than the database's version. On PostgreSQL, nodes
/// starting at once take turns (an advisory lock); on SQLite the write lock does that.
pub(crate) async fn run(pool: &AnyPool, backend: Backend) -> Result<(), StoreError> {
    let mut conn = pool.acquire().await?;
    if backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(MIGRATION_LOCK)
            .execute(&mut *conn)
            .await?;
    }
    let result = apply_up_to(&mut conn, backend, i64::MAX).await;
    if backend == Backend::Postgres {
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
        .fetch_one(pool)
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

/// Applies every migration up to version `last` that the database lacks.
async fn apply_up_to(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    last: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
    )
    .execute(&mut *conn)
    .await?;
    for m in MIGRATIONS.iter().filter(|m| m.version <= last) {
        let rebuild = m.rebuilds_on_sqlite && backend == Backend::Sqlite;
        if rebuild {
            sqlx::query("PRAGMA foreign_keys = OFF")
                .execute(&mut *conn)
                .await?;
        }
        let applied = apply(conn, backend, m).await;
        if rebuild {
            // On again on every path: the connection goes back to the pool.
            sqlx::query("PRAGMA foreign_keys = ON")
                .execute(&mut *conn)
                .await?;
        }
        applied?;
    }
    Ok(())
}

/// Applies one migration unless the database has it already.
async fn apply(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    m: &Migration,
) -> Result<(), StoreError> {
    let mut tx = crate::sql::begin_write_on(conn, backend).await?;
    let done = sqlx::query("SELECT version FROM schema_migrations WHERE version = $1")
        .bind(m.version)
        .fetch_optional(&mut *tx)
        .await?;
    if done.is_some() {
        return Ok(());
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
    if m.version == 12 || m.version == 20 {
        crate::search_keys::backfill(&mut tx).await?;
    }
    if m.version == 13 && backend == Backend::Sqlite {
        allow_signing_role_on_sqlite(&mut tx).await.map_err(fail)?;
    }
    if m.rebuilds_on_sqlite && backend == Backend::Sqlite {
        let broken = sqlx::query("PRAGMA foreign_key_check")
            .fetch_all(&mut *tx)
            .await
            .map_err(fail)?;
        if !broken.is_empty() {
            return Err(StoreError::Corrupt(format!(
                "schema version {}: {} rows refer to rows that the rebuild lost; nothing was changed",
                m.version,
                broken.len()
            )));
        }
    }
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
        .bind(m.version)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(fail)?;
    tx.commit().await.map_err(fail)?;
    Ok(())
}

/// SQLite cannot alter a CHECK constraint. Widening one changes no stored row, so the
/// table's CREATE text is edited in place, as SQLite documents for loosening a
/// constraint (sqlite.org/lang_altertable.html §7), and the schema version is bumped so
/// that every connection re-reads it.
async fn allow_signing_role_on_sqlite(conn: &mut sqlx::AnyConnection) -> Result<(), sqlx::Error> {
    const OLD: &str = "CHECK (role IN ('root', 'issuing'))";
    const NEW: &str = "CHECK (role IN ('root', 'issuing', 'signing'))";
    let version: i64 = sqlx::query("PRAGMA schema_version")
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    sqlx::query("PRAGMA writable_schema = ON")
        .execute(&mut *conn)
        .await?;
    let edited = edit_role_check(conn, OLD, NEW, version).await;
    // Off again on every path: the connection goes back to the pool.
    let off = sqlx::query("PRAGMA writable_schema = OFF")
        .execute(&mut *conn)
        .await;
    let changed = edited?;
    off?;
    if changed != 1 {
        return Err(sqlx::Error::Protocol(
            "ca_certificates has no role CHECK to widen: the schema is not orgca's".into(),
        ));
    }
    Ok(())
}

async fn edit_role_check(
    conn: &mut sqlx::AnyConnection,
    old: &str,
    new: &str,
    version: i64,
) -> Result<u64, sqlx::Error> {
    let changed = sqlx::query(
        "UPDATE sqlite_schema SET sql = replace(sql, $1, $2) WHERE type = 'table' AND name = 'ca_certificates' AND instr(sql, $1) > 0",
    )
    .bind(old)
    .bind(new)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    // An integer read from SQLite itself: nothing from outside goes into this statement.
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "PRAGMA schema_version = {}",
        version + 1
    )))
    .execute(&mut *conn)
    .await?;
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use sqlx::{Connection, Executor};

    use super::*;

    /// A SQLite database at version 14, with a user that an API token, a session and an
    /// order refer to, upgrades to 15 with every row and reference kept, foreign keys on
    /// again, and the address unique per organisation instead of across them.
    #[tokio::test]
    async fn the_users_table_rebuild_keeps_rows_and_references() {
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect("sqlite::memory:")
            .await
            .expect("connect");
        conn.execute("PRAGMA foreign_keys = ON")
            .await
            .expect("fk on");
        apply_up_to(&mut conn, Backend::Sqlite, 14)
            .await
            .expect("to 14");
        conn.execute(
            "INSERT INTO organisations (id, cvr, name, environment, created_at) VALUES \
             ('o1', '11111111', 'A', 'production', 1), ('o2', '22222222', 'B', 'production', 1); \
             INSERT INTO users (id, org_id, email, given_name, surname, role, seal, status, created_at, \
             password_hash, name_key, publish) VALUES \
             ('u1', 'o1', 'Ann@a.dk', 'Ann', 'A', 'org_admin', 1, 'active', 5, 'phc', ' ann a', 1); \
             INSERT INTO api_tokens (id, token_sha256, user_id, created_at) VALUES ('t1', 'h1', 'u1', 6); \
             INSERT INTO sessions (id_sha256, user_id, csrf, created_at, expires_at) \
             VALUES ('s1', 'u1', 'c', 6, 9);",
        )
        .await
        .expect("rows at version 14");
        apply_up_to(&mut conn, Backend::Sqlite, i64::MAX)
            .await
            .expect("to the newest");

        let kept: String = sqlx::query(
            "SELECT email || '|' || seal || '|' || status || '|' || created_at || '|' || \
             password_hash || '|' || name_key || '|' || publish FROM users WHERE id = 'u1'",
        )
        .fetch_one(&mut conn)
        .await
        .expect("user kept")
        .get(0);
        // Kept, but for the search key, which migration 20 writes again from the name
        // and address.
        assert_eq!(kept, "Ann@a.dk|1|active|5|phc| a ann dk|1");
        let on: i64 = sqlx::query("PRAGMA foreign_keys")
            .fetch_one(&mut conn)
            .await
            .expect("pragma")
            .get(0);
        assert_eq!(on, 1, "foreign keys are on again after the rebuild");
        // The token and the session still refer to the user: deleting the user is refused.
        let delete = conn.execute("DELETE FROM users WHERE id = 'u1'").await;
        assert!(delete.is_err(), "the references survived the rebuild");
        // The same address in another organisation is allowed, a second one in the same
        // organisation (in another case) is not.
        let insert = |id: &str, org: &str, email: &str| {
            format!(
                "INSERT INTO users (id, org_id, email, given_name, surname, role, status, created_at) \
                 VALUES ('{id}', '{org}', '{email}', 'B', 'B', 'user', 'active', 7)"
            )
        };
        conn.execute(sqlx::AssertSqlSafe(insert("u2", "o2", "ann@a.dk")))
            .await
            .expect("another organisation");
        assert!(
            conn.execute(sqlx::AssertSqlSafe(insert("u3", "o1", "ANN@a.dk")))
                .await
                .is_err(),
            "one address per organisation"
        );
    }
}
