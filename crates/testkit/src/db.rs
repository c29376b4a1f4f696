//! A fresh database for each test: SQLite in a temporary folder, and PostgreSQL (a new
//! database on the server at `ORGCA_TEST_POSTGRES_URL`, dropped afterwards) when that is
//! set. A set but unreachable PostgreSQL fails the test; it never skips it.

use sqlx::Connection;
use uuid::Uuid;

/// A database for one test: its URL, and what to clean up.
pub struct TestDb {
    /// The database URL, for `Store::open`.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg_admin: Option<(String, String)>,
}

/// The passphrase from which stores opened by [`TestDb::open`] derive their mail key.
pub const PASSPHRASE: &[u8] = b"test passphrase";

impl TestDb {
    /// Opens (and migrates) the store, with the mail key of [`PASSPHRASE`].
    pub async fn open(&self) -> orgca_store::Store {
        orgca_store::Store::open(&self.url)
            .await
            .expect("open")
            .with_mail_key(PASSPHRASE)
            .await
            .expect("mail key")
    }

    /// A new SQLite database in a temporary folder of its own.
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}", dir.path().join("orgca.db").display());
        TestDb {
            url,
            _dir: Some(dir),
            pg_admin: None,
        }
    }

    /// A new database on the PostgreSQL server at `base` (a URL naming a database to
    /// connect to); panics when the server cannot be reached.
    pub async fn postgres(base: &str) -> TestDb {
        let name = format!("orgca_t_{}", Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(base).await.unwrap_or_else(|e| {
            panic!("ORGCA_TEST_POSTGRES_URL={base} is set but unreachable: {e}")
        });
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("create database");
        let (head, _) = base.rsplit_once('/').expect("postgres URL with a database");
        TestDb {
            url: format!("{head}/{name}"),
            _dir: None,
            pg_admin: Some((base.to_owned(), name)),
        }
    }

    /// Drops the PostgreSQL database (nothing for SQLite, whose folder goes with it).
    pub async fn drop_pg(&self) {
        let Some((base, name)) = &self.pg_admin else {
            return;
        };
        if let Ok(mut conn) = sqlx::PgConnection::connect(base).await {
            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut conn)
                .await;
        }
    }

    /// A raw connection that bypasses orgca's API (for tampering tests).
    pub async fn raw(&self) -> sqlx::AnyConnection {
        sqlx::any::install_default_drivers();
        sqlx::AnyConnection::connect(&self.url)
            .await
            .expect("raw connection")
    }
}

/// A `#[tokio::test]` named `$name` that runs `$case(&TestDb)` on SQLite, then on
/// PostgreSQL when `ORGCA_TEST_POSTGRES_URL` is set (the caller depends on tokio); without
/// it the PostgreSQL half is recorded as skipped. The PostgreSQL database is dropped
/// whether the case passes or panics.
#[macro_export]
macro_rules! on_all_backends {
    ($name:ident, $case:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let db = $crate::db::TestDb::sqlite();
            $case(&db).await;
            match std::env::var("ORGCA_TEST_POSTGRES_URL") {
                Ok(base) => {
                    let db = std::sync::Arc::new($crate::db::TestDb::postgres(&base).await);
                    let run = tokio::spawn({
                        let db = db.clone();
                        async move { $case(&db).await }
                    })
                    .await;
                    db.drop_pg().await;
                    if let Err(e) = run {
                        std::panic::resume_unwind(e.into_panic());
                    }
                }
                Err(_) => $crate::tools::skipped("PostgreSQL: ORGCA_TEST_POSTGRES_URL is not set"),
            }
        }
    };
}
