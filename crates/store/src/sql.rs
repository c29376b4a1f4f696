//! The SQL the two backends share and where they differ: which backend it is, how a
//! write transaction begins, and statements for a whole batch. It must never name a
//! table: the modules that own the rows write their queries.

use crate::StoreError;
use orgca_model::UnixTime;

/// Which database is behind the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// SQLite in WAL mode (embedded default).
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// How a write transaction starts. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`), so that two writers never deadlock on a lock upgrade.
pub(crate) fn begin_statement(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "BEGIN IMMEDIATE",
        Backend::Postgres => "BEGIN",
    }
}

/// Starts a write transaction on one connection (see [`begin_statement`]).
pub(crate) async fn begin_write_on(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
) -> Result<sqlx::Transaction<'_, sqlx::Any>, StoreError> {
    use sqlx::Connection;
    Ok(conn.begin_with(begin_statement(backend)).await?)
}

/// `"{head} VALUES ($1, .., $cols), (..), .."` for `rows` rows: one statement for a
/// whole batch. Only placeholders are generated; every value is bound.
pub(crate) fn multi_row(head: &str, rows: usize, cols: usize) -> sqlx::AssertSqlSafe<String> {
    let mut sql = String::with_capacity(head.len() + rows * cols * 5 + 8);
    sql.push_str(head);
    sql.push_str(" VALUES ");
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..cols {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push('$');
            sql.push_str(&(r * cols + c + 1).to_string());
        }
        sql.push(')');
    }
    sqlx::AssertSqlSafe(sql)
}

/// Reads a time column (whole Unix seconds) of a row.
pub(crate) fn time_at(r: &sqlx::any::AnyRow, column: &str) -> Result<UnixTime, sqlx::Error> {
    use sqlx::Row;
    r.try_get::<i64, _>(column).map(UnixTime::from_secs)
}

/// Reads a time column that may be NULL.
pub(crate) fn maybe_time_at(
    r: &sqlx::any::AnyRow,
    column: &str,
) -> Result<Option<UnixTime>, sqlx::Error> {
    use sqlx::Row;
    Ok(r.try_get::<Option<i64>, _>(column)?
        .map(UnixTime::from_secs))
}

#[cfg(test)]
mod tests {
    #[test]
    fn multi_row_placeholders() {
        assert_eq!(
            super::multi_row("INSERT INTO t (a, b)", 2, 2).0,
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"
        );
    }
}
