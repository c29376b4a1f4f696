//! Copying a whole store into an empty one: backups (into a SQLite file), restores, and
//! the move from SQLite to PostgreSQL. The source is read in one snapshot (one read
//! transaction), the destination is written in one transaction, and every table is
//! checked row for row before that transaction commits: a digest of the rows read from
//! the source must equal the digest of the rows read back from the destination.
//!
//! This module must never write to the source, never write into a destination that
//! holds an organisation, a CA, a certificate or an audit event, and never leave a
//! destination half-written.

use std::collections::BTreeMap;

use futures_util::TryStreamExt as _;
use sha2::{Digest as _, Sha256};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::sql::{Backend, begin_statement};
use crate::{Store, StoreError};

/// A table and the columns that refer to rows of the same table. Those are written
/// after every row is in, so that the rows' order does not matter.
struct Table {
    name: &'static str,
    /// The column that names a row (for the late updates).
    key: &'static str,
    /// Columns that refer to the same table.
    late: &'static [&'static str],
}

const fn table(name: &'static str) -> Table {
    Table {
        name,
        key: "",
        late: &[],
    }
}

/// Every table of the schema but `schema_migrations`, each after the tables it refers
/// to. A table missing here makes every copy refuse (`a_copy_knows_every_table` in the
/// store tests keeps the list whole).
const TABLES: &[Table] = &[
    Table {
        name: "ca_certificates",
        key: "name",
        late: &["parent"],
    },
    table("ca_status"),
    table("responder_certificates"),
    table("kept_crls"),
    table("published_crls"),
    table("organisations"),
    table("users"),
    table("api_tokens"),
    table("operator_tokens"),
    table("provisioning_tokens"),
    table("identity_providers"),
    table("profiles"),
    table("serials"),
    Table {
        name: "certificates",
        key: "id",
        late: &["renews"],
    },
    table("certificate_words"),
    table("orders"),
    table("email_validations"),
    table("mail_queue"),
    table("mail_seal"),
    table("expiry_notices"),
    table("sessions"),
    table("sso_attempts"),
    table("login_failures"),
    table("password_links"),
    table("audit_events"),
    table("audit_head"),
    table("audit_checkpoints"),
    table("leases"),
];

/// Tables whose rows make a store "not empty": a copy never writes over them.
const HOLDS_DATA: &[&str] = &[
    "organisations",
    "ca_certificates",
    "certificates",
    "audit_events",
];

/// At most this many values are bound in one INSERT, by destination. sqlx looks each
/// `$N` up among the statement's parameter names on SQLite, so binding costs grow with
/// the square of this: at 4,000 that lookup was 40 % of a backup's time (perf), at 500
/// below 10 %. On PostgreSQL each statement is a round trip, so fewer and larger ones
/// win: 500 took minutes where 4,000 took 79 s for 100,000 certificates.
fn max_bound(backend: Backend) -> usize {
    match backend {
        Backend::Sqlite => 500,
        Backend::Postgres => 8000,
    }
}

/// How a column's values are read and written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Integer,
    Text,
    Bytes,
}

/// One value of a row.
#[derive(Clone, Debug)]
enum Value {
    /// NULL, written as a NULL of the column's kind.
    Null(Kind),
    Integer(i64),
    Text(String),
    Bytes(Vec<u8>),
}

/// One table as copied: how many rows and their digest.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TableDigest {
    /// The table.
    pub table: String,
    /// Its rows.
    pub rows: u64,
    /// The sum of its rows' SHA-256 hashes (hex): it does not depend on the rows' order,
    /// so that both backends compute it alike.
    pub digest: String,
}

/// What a copy wrote, or what a store holds: every table's rows and digest.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StoreDigest {
    /// The schema version of both stores.
    pub schema_version: i64,
    /// Each table, in copying order.
    pub tables: Vec<TableDigest>,
}

impl StoreDigest {
    /// The rows of `table` (0 when it is not listed).
    pub fn rows(&self, table: &str) -> u64 {
        self.tables
            .iter()
            .find(|t| t.table == table)
            .map_or(0, |t| t.rows)
    }

    /// The first table whose rows differ from `other`'s, with both counts.
    pub fn first_difference(&self, other: &StoreDigest) -> Option<String> {
        if self.schema_version != other.schema_version {
            return Some(format!(
                "schema version {} against {}",
                self.schema_version, other.schema_version
            ));
        }
        for t in &self.tables {
            let theirs = other.tables.iter().find(|o| o.table == t.table);
            match theirs {
                Some(o) if o == t => {}
                Some(o) => {
                    return Some(format!(
                        "table {}: {} rows (digest {}) against {} rows (digest {})",
                        t.table, t.rows, t.digest, o.rows, o.digest
                    ));
                }
                None => return Some(format!("table {} is missing", t.table)),
            }
        }
        None
    }
}

/// A running, order-independent digest: four 64-bit lanes of each row's SHA-256, added.
#[derive(Default)]
struct Sum {
    lanes: [u64; 4],
    rows: u64,
}

impl Sum {
    fn add(&mut self, row: &[Value]) {
        let mut h = Sha256::new();
        for v in row {
            match v {
                Value::Null(_) => h.update([0]),
                Value::Integer(i) => {
                    h.update([1]);
                    h.update(i.to_be_bytes());
                }
                Value::Text(s) => {
                    h.update([2]);
                    h.update((s.len() as u64).to_be_bytes());
                    h.update(s.as_bytes());
                }
                Value::Bytes(b) => {
                    h.update([3]);
                    h.update((b.len() as u64).to_be_bytes());
                    h.update(b);
                }
            }
        }
        let hash = h.finalize();
        for (lane, chunk) in self.lanes.iter_mut().zip(hash.chunks_exact(8)) {
            let mut b = [0u8; 8];
            b.copy_from_slice(chunk);
            *lane = lane.wrapping_add(u64::from_be_bytes(b));
        }
        self.rows += 1;
    }

    fn finish(&self, table: &str) -> TableDigest {
        let mut bytes = Vec::with_capacity(32);
        for lane in self.lanes {
            bytes.extend_from_slice(&lane.to_be_bytes());
        }
        TableDigest {
            table: table.to_owned(),
            rows: self.rows,
            digest: hex::encode(bytes),
        }
    }
}

/// Where a copy comes from and goes to: a transaction on each store.
type Tx = Transaction<'static, Any>;

impl Store {
    /// Copies every row of this store into `to`, which must be empty (freshly opened:
    /// nothing but what migrations write) and at the same schema version. The copy is
    /// one snapshot of this store, even while it is written to, and is checked table by
    /// table before it commits; on any failure `to` is left as it was.
    pub async fn copy_into(&self, to: &Store) -> Result<StoreDigest, StoreError> {
        let mut from = self.begin_snapshot().await?;
        let mut into = to.pool.begin_with(begin_statement(to.backend)).await?;
        let version = schema_version(&mut from).await?;
        let theirs = schema_version(&mut into).await?;
        if version != theirs {
            return Err(StoreError::CopyRefused(format!(
                "the source is at schema version {version} and the destination at {theirs}: \
                 open both with the same orgca"
            )));
        }
        check_tables(&mut from, self.backend).await?;
        for name in HOLDS_DATA {
            let n = count(&mut into, name).await?;
            if n > 0 {
                return Err(StoreError::CopyRefused(format!(
                    "the destination is not empty ({name} holds {n} rows): copy into a new, \
                     empty database; nothing was written"
                )));
            }
        }
        // What migrations wrote (the audit head, the mail seal's salt) gives way to the
        // source's rows.
        for t in TABLES.iter().rev() {
            sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {}", t.name)))
                .execute(&mut *into)
                .await?;
        }
        let mut read = Vec::with_capacity(TABLES.len());
        let mut late: Vec<(&Table, &str, Value, Value)> = Vec::new();
        for t in TABLES {
            let columns = columns(&mut from, self.backend, t.name).await?;
            let theirs = columns_of(&mut into, to.backend, t.name).await?;
            if theirs != columns {
                return Err(StoreError::CopyRefused(format!(
                    "table {} has other columns in the destination",
                    t.name
                )));
            }
            let per_batch = (max_bound(to.backend) / columns.len().max(1)).max(1);
            let (sum, refs) = copy_table(&mut from, &mut into, t, &columns, per_batch).await?;
            late.extend(refs);
            read.push(sum.finish(t.name));
        }
        for (t, column, key, value) in late {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE {} SET {column} = $1 WHERE {} = $2",
                t.name, t.key
            )))
            .bind(value)
            .bind(key)
            .execute(&mut *into)
            .await?;
        }
        let read = StoreDigest {
            schema_version: version,
            tables: read,
        };
        let written = digest_in(&mut into, to.backend, version).await?;
        if let Some(diff) = read.first_difference(&written) {
            return Err(StoreError::CopyRefused(format!(
                "the copy does not read back as the source ({diff}); nothing was written"
            )));
        }
        into.commit().await?;
        from.rollback().await?;
        Ok(read)
    }

    /// Copies this store into a new SQLite file at `path` in one snapshot, with the file
    /// wholly in its main database (no write-ahead log beside it), and answers the digests
    /// of what the file holds. A SQLite store copies itself (`VACUUM INTO`: SQLite's own
    /// consistent copy, while writers go on); a PostgreSQL store goes through
    /// [`Store::copy_into`], every table read back and compared.
    pub async fn snapshot_to_file(
        &self,
        path: &std::path::Path,
    ) -> Result<StoreDigest, StoreError> {
        let url = format!("sqlite://{}", path.display());
        let copy = match self.backend {
            Backend::Sqlite => {
                let target = path.to_str().ok_or_else(|| {
                    StoreError::CopyRefused(format!("{} is not a UTF-8 path", path.display()))
                })?;
                sqlx::query("VACUUM INTO $1")
                    .bind(target)
                    .execute(&self.pool)
                    .await?;
                Store::open_as_is(&url).await?
            }
            Backend::Postgres => {
                let copy = Store::open(&url).await?;
                if let Err(e) = self.copy_into(&copy).await {
                    copy.close().await;
                    return Err(e);
                }
                copy
            }
        };
        let digest = copy.digest().await;
        copy.close_as_one_file().await?;
        digest
    }

    /// Every table's rows and digest, read in one snapshot (to check a copy later).
    pub async fn digest(&self) -> Result<StoreDigest, StoreError> {
        let mut tx = self.begin_snapshot().await?;
        check_tables(&mut tx, self.backend).await?;
        let version = schema_version(&mut tx).await?;
        let digest = digest_in(&mut tx, self.backend, version).await?;
        tx.rollback().await?;
        Ok(digest)
    }

    /// A read transaction that sees one state of the whole store.
    async fn begin_snapshot(&self) -> Result<Tx, StoreError> {
        Ok(match self.backend {
            // A read transaction in WAL mode sees the database as of its first read,
            // whatever writers commit meanwhile.
            Backend::Sqlite => self.pool.begin().await?,
            Backend::Postgres => {
                self.pool
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?
            }
        })
    }
}

/// The rows of every table, with the digests, inside `tx`. A table of the list that the
/// store does not have (one at an older schema version) is left out.
async fn digest_in(tx: &mut Tx, backend: Backend, version: i64) -> Result<StoreDigest, StoreError> {
    let mut tables = Vec::with_capacity(TABLES.len());
    for t in TABLES {
        let columns = columns_of(tx, backend, t.name).await?;
        if columns.is_empty() {
            continue;
        }
        let mut sum = Sum::default();
        let sql = select(t.name, &columns);
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut **tx);
        while let Some(row) = rows.try_next().await? {
            sum.add(&read_row(&row, &columns)?);
        }
        tables.push(sum.finish(t.name));
    }
    Ok(StoreDigest {
        schema_version: version,
        tables,
    })
}

/// Copies one table's rows (late columns left NULL) and returns their digest and the
/// late columns' values to set afterwards.
async fn copy_table<'t>(
    from: &mut Tx,
    into: &mut Tx,
    t: &'t Table,
    columns: &[(String, Kind)],
    per_batch: usize,
) -> Result<(Sum, Vec<(&'t Table, &'t str, Value, Value)>), StoreError> {
    let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
    let late_at: Vec<(usize, &'t str)> = t
        .late
        .iter()
        .filter_map(|l| names.iter().position(|n| n == l).map(|i| (i, *l)))
        .collect();
    let key_at = names.iter().position(|n| *n == t.key);
    let head = format!("INSERT INTO {} ({})", t.name, names.join(", "));
    let mut sum = Sum::default();
    let mut refs = Vec::new();
    let mut batch: Vec<Vec<Value>> = Vec::with_capacity(per_batch);
    let sql = select(t.name, columns);
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut **from);
    while let Some(row) = rows.try_next().await? {
        let mut values = read_row(&row, columns)?;
        sum.add(&values);
        for &(i, column) in &late_at {
            let value = std::mem::replace(&mut values[i], Value::Null(columns[i].1));
            if matches!(value, Value::Null(_)) {
                continue;
            }
            let key = key_at.ok_or_else(|| {
                StoreError::Corrupt(format!("table {} has no column {}", t.name, t.key))
            })?;
            refs.push((t, column, values[key].clone(), value));
        }
        batch.push(values);
        if batch.len() == per_batch {
            insert(into, &head, columns.len(), std::mem::take(&mut batch)).await?;
        }
    }
    drop(rows);
    if !batch.is_empty() {
        insert(into, &head, columns.len(), batch).await?;
    }
    Ok((sum, refs))
}

/// Inserts rows in one statement.
async fn insert(
    into: &mut Tx,
    head: &str,
    cols: usize,
    batch: Vec<Vec<Value>>,
) -> Result<(), StoreError> {
    let sql = crate::sql::multi_row(head, batch.len(), cols);
    let mut q = sqlx::query(sql);
    for v in batch.into_iter().flatten() {
        q = q.bind(v);
    }
    q.execute(&mut **into).await?;
    Ok(())
}

impl<'q> sqlx::Encode<'q, Any> for Value {
    fn encode_by_ref(
        &self,
        buf: &mut <Any as sqlx::Database>::ArgumentBuffer,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        match self {
            Value::Null(Kind::Integer) => {
                <Option<i64> as sqlx::Encode<Any>>::encode_by_ref(&None, buf)
            }
            Value::Null(Kind::Text) => {
                <Option<String> as sqlx::Encode<Any>>::encode_by_ref(&None, buf)
            }
            Value::Null(Kind::Bytes) => {
                <Option<Vec<u8>> as sqlx::Encode<Any>>::encode_by_ref(&None, buf)
            }
            Value::Integer(i) => <i64 as sqlx::Encode<Any>>::encode_by_ref(i, buf),
            Value::Text(s) => <String as sqlx::Encode<Any>>::encode_by_ref(s, buf),
            Value::Bytes(b) => <Vec<u8> as sqlx::Encode<Any>>::encode_by_ref(b, buf),
        }
    }

    fn produces(&self) -> Option<sqlx::any::AnyTypeInfo> {
        Some(match self {
            Value::Null(Kind::Integer) | Value::Integer(_) => <i64 as sqlx::Type<Any>>::type_info(),
            Value::Null(Kind::Text) | Value::Text(_) => <String as sqlx::Type<Any>>::type_info(),
            Value::Null(Kind::Bytes) | Value::Bytes(_) => <Vec<u8> as sqlx::Type<Any>>::type_info(),
        })
    }
}

impl sqlx::Type<Any> for Value {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <i64 as sqlx::Type<Any>>::type_info()
    }

    fn compatible(_: &sqlx::any::AnyTypeInfo) -> bool {
        true
    }
}

/// `SELECT columns FROM table`.
fn select(table: &str, columns: &[(String, Kind)]) -> String {
    let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
    format!("SELECT {} FROM {table}", names.join(", "))
}

/// One row's values, in the order of `columns`.
fn read_row(row: &AnyRow, columns: &[(String, Kind)]) -> Result<Vec<Value>, StoreError> {
    columns
        .iter()
        .enumerate()
        .map(|(i, (_, kind))| {
            Ok(match kind {
                Kind::Integer => row
                    .try_get::<Option<i64>, _>(i)?
                    .map_or(Value::Null(*kind), Value::Integer),
                Kind::Text => row
                    .try_get::<Option<String>, _>(i)?
                    .map_or(Value::Null(*kind), Value::Text),
                Kind::Bytes => row
                    .try_get::<Option<Vec<u8>>, _>(i)?
                    .map_or(Value::Null(*kind), Value::Bytes),
            })
        })
        .collect()
}

/// A table's columns (sorted by name, so that both backends list them alike) and how
/// each is read.
async fn columns(
    tx: &mut Tx,
    backend: Backend,
    table: &str,
) -> Result<Vec<(String, Kind)>, StoreError> {
    let cols = columns_of(tx, backend, table).await?;
    if cols.is_empty() {
        return Err(StoreError::CopyRefused(format!(
            "the store has no table {table}"
        )));
    }
    Ok(cols)
}

async fn columns_of(
    tx: &mut Tx,
    backend: Backend,
    table: &str,
) -> Result<Vec<(String, Kind)>, StoreError> {
    let sql = match backend {
        Backend::Sqlite => "SELECT name, type FROM pragma_table_info($1)",
        Backend::Postgres => {
            "SELECT column_name::text AS name, data_type::text AS type FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1"
        }
    };
    let rows = sqlx::query(sql).bind(table).fetch_all(&mut **tx).await?;
    let mut out = BTreeMap::new();
    for r in rows {
        let name: String = r.try_get("name")?;
        let declared: String = r.try_get("type")?;
        let declared = declared.to_ascii_lowercase();
        let kind = if declared.contains("int") {
            Kind::Integer
        } else if declared == "blob" || declared == "bytea" {
            Kind::Bytes
        } else if declared == "text" {
            Kind::Text
        } else {
            return Err(StoreError::Corrupt(format!(
                "column {table}.{name} has type {declared}, which orgca never declares"
            )));
        };
        out.insert(name, kind);
    }
    Ok(out.into_iter().collect())
}

/// Refuses a store with a table this list does not know (a copy would lose its rows).
async fn check_tables(tx: &mut Tx, backend: Backend) -> Result<(), StoreError> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        }
        Backend::Postgres => {
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        }
    };
    for r in sqlx::query(sql).fetch_all(&mut **tx).await? {
        let name: String = r.try_get("name")?;
        if name != "schema_migrations" && !TABLES.iter().any(|t| t.name == name) {
            return Err(StoreError::CopyRefused(format!(
                "this orgca does not know how to copy table {name}"
            )));
        }
    }
    Ok(())
}

async fn schema_version(tx: &mut Tx) -> Result<i64, StoreError> {
    let row = sqlx::query("SELECT MAX(version) AS v FROM schema_migrations")
        .fetch_one(&mut **tx)
        .await?;
    Ok(row.try_get::<Option<i64>, _>("v")?.unwrap_or(0))
}

async fn count(tx: &mut Tx, table: &str) -> Result<i64, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM {table}"
    )))
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get("n")?)
}
