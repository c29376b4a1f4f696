//! Opening the database: URL parsing, per-connection settings, migrations.

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

use crate::StoreError;
use crate::migrate;
use crate::sql::{Backend, begin_statement};
use crate::writer::Writer;

/// How long a request waits for a database connection before it fails as unavailable.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// The database. Cheap to clone; hands out the narrow views.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) pool: AnyPool,
    pub(crate) backend: Backend,
    pub(crate) writer: Writer<crate::issuance::IssueJob>,
    /// Seals and opens queued mail bodies; without it, mail is refused.
    pub(crate) mail_key: Option<std::sync::Arc<crate::MailKey>>,
}

/// A database URL without its password (for messages and what is printed).
pub fn redact(url: &str) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let base = match (base.find("://"), base.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://***@{}", &base[..s], &base[at + 1..]),
        _ => base.to_owned(),
    };
    if query.is_empty() {
        return base;
    }
    // A password may also come as a parameter.
    let query: Vec<&str> = query
        .split('&')
        .map(|p| {
            if p.starts_with("password=") {
                "password=***"
            } else {
                p
            }
        })
        .collect();
    format!("{base}?{}", query.join("&"))
}

/// Whether connecting failed in TLS (a certificate refused, a handshake failed): sqlx
/// reports rustls' errors inside an I/O error.
fn is_tls_failure(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Tls(_) => true,
        sqlx::Error::Io(io) => io
            .get_ref()
            .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some()),
        _ => false,
    }
}

impl Store {
    /// The issuance commit view.
    pub fn issuance(&self) -> crate::IssuanceStore {
        crate::IssuanceStore {
            writer: self.writer.clone(),
        }
    }

    /// Opens (creating a SQLite file if needed) and migrates the database at `url`:
    /// `sqlite://PATH` or `postgres://...`.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let store = Store::connect(url).await?;
        migrate::run(&store.pool, store.backend).await?;
        store.optimize().await?;
        Ok(store)
    }

    /// Opens the database at `url` as it is, at whatever schema version, without
    /// migrating it: to read an archived store ([`Store::digest`]) before anything changes
    /// it. Nothing but reading is meant for such a store.
    pub async fn open_as_is(url: &str) -> Result<Store, StoreError> {
        Store::connect(url).await
    }

    async fn connect(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::BadUrl(redact(url)));
        };
        let open_err = |source| {
            if is_tls_failure(&source) {
                StoreError::OpenTls {
                    url: redact(url),
                    source,
                }
            } else {
                StoreError::Open {
                    url: redact(url),
                    source,
                }
            }
        };
        let url = match backend {
            // Create the file on first use.
            Backend::Sqlite if !url.contains("mode=") => {
                format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
            }
            _ => url.to_owned(),
        };
        let opts = AnyConnectOptions::from_str(&url).map_err(open_err)?;
        // A request waits at most this long for a connection: a database out of reach
        // is a 503 within seconds, which a client or a load balancer can act on, not a
        // request that hangs past their own timeouts.
        let mut pool = AnyPoolOptions::new().acquire_timeout(ACQUIRE_TIMEOUT);
        pool = match backend {
            Backend::Sqlite => pool.max_connections(8).after_connect(|conn, _| {
                Box::pin(async move {
                    // WAL: readers never block the writer. synchronous=FULL: a commit is on
                    // disk when it returns (a CA must not forget what it signed).
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                         PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                    )
                    .await?;
                    Ok(())
                })
            }),
            // Every statement is planned for its values: search's statements are
            // prepared once and run with values of very different selectivity (a rare
            // word, a common one), and a generic plan chosen after five runs took seconds
            // where the value's own plan takes milliseconds.
            Backend::Postgres => pool.max_connections(16).after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute("SET plan_cache_mode = force_custom_plan")
                        .await?;
                    Ok(())
                })
            }),
        };
        let pool = pool.connect_with(opts).await.map_err(open_err)?;
        let writer = Writer::start(pool.clone(), backend);
        Ok(Store {
            pool,
            backend,
            writer,
            mail_key: None,
        })
    }

    /// This store with the key that seals queued mail bodies, derived from the CA key
    /// passphrase and this database's salt. A store without it refuses to queue or read
    /// mail ([`StoreError::NoMailKey`]); everything else works.
    pub async fn with_mail_key(mut self, passphrase: &[u8]) -> Result<Store, StoreError> {
        use sqlx::Row;
        let salt: String = sqlx::query("SELECT salt FROM mail_seal WHERE id = 1")
            .fetch_one(&self.pool)
            .await?
            .try_get("salt")?;
        let passphrase = zeroize::Zeroizing::new(passphrase.to_vec());
        let key = tokio::task::spawn_blocking(move || crate::MailKey::derive(&passphrase, &salt))
            .await
            .map_err(|e| StoreError::MailSeal(format!("the mail key task failed: {e}")))??;
        self.mail_key = Some(std::sync::Arc::new(key));
        Ok(self)
    }

    /// The mail key, or why there is none.
    pub(crate) fn mail_key(&self) -> Result<&crate::MailKey, StoreError> {
        self.mail_key.as_deref().ok_or(StoreError::NoMailKey)
    }

    /// Refreshes the query planner's statistics where they are missing or stale (SQLite's
    /// `PRAGMA optimize`, bounded in work; PostgreSQL's autovacuum keeps its own). Search
    /// needs them: without them SQLite cannot tell that an organisation holds many rows
    /// and a subject few.
    pub async fn optimize(&self) -> Result<(), StoreError> {
        if self.backend == Backend::Sqlite {
            // 0x10002: every table, not only those this connection queried.
            sqlx::query("PRAGMA optimize=0x10002")
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts a write transaction (see [`begin_statement`]).
    pub(crate) async fn begin_write(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        Ok(self.pool.begin_with(begin_statement(self.backend)).await?)
    }

    /// Closes the pool (waits for connections to be returned).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Closes the store with a SQLite database wholly in its main file (the write-ahead
    /// log checkpointed into it and emptied), so that the file alone is the store: for a
    /// copy that is archived or moved.
    pub async fn close_as_one_file(&self) -> Result<(), StoreError> {
        if self.backend == Backend::Sqlite {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&self.pool)
                .await?;
        }
        self.pool.close().await;
        Ok(())
    }

    /// Checks that the database answers (health checks).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}

/// A UUID column; a value that is not a UUID is a corrupt row, named.
pub(crate) fn uuid_col(row: &sqlx::any::AnyRow, col: &str) -> Result<uuid::Uuid, StoreError> {
    use sqlx::Row as _;
    let text: String = row.try_get(col)?;
    uuid::Uuid::parse_str(&text).map_err(|_| StoreError::Corrupt(format!("{col} {text:?}")))
}

/// A task that is stopped when its handle goes: a caller that stops reading (an error,
/// or its own future dropped) leaves no query running.
pub(crate) struct AbortOnDrop<T>(pub(crate) tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(
            super::redact("postgres://u:secret@h/db"),
            "postgres://***@h/db"
        );
        assert_eq!(super::redact("sqlite://x.db"), "sqlite://x.db");
        assert_eq!(
            super::redact("postgres://h/db?sslmode=verify-full&password=secret"),
            "postgres://h/db?sslmode=verify-full&password=***"
        );
    }
}
