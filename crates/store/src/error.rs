//! The store's error type.

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL is not one orgca understands.
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://...")]
    BadUrl(String),
    /// The database could not be reached or opened.
    #[error("cannot open database {url}: {source}")]
    Open {
        /// The URL, without credentials.
        url: String,
        /// The driver error.
        #[source]
        source: sqlx::Error,
    },
    /// The database server's TLS certificate was refused, or TLS failed.
    #[error(
        "cannot open database {url} over TLS: {source}. Check that `sslrootcert` names the CA \
         that issued the server's certificate and that the URL's host is named in that \
         certificate (`sslmode=verify-full`)"
    )]
    OpenTls {
        /// The URL, without credentials.
        url: String,
        /// The driver error.
        #[source]
        source: sqlx::Error,
    },
    /// A uniqueness rule was hit (the thing exists already).
    #[error("{0} exists already")]
    Conflict(String),
    /// A row read back is not what orgca wrote (corruption or manual edits).
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    /// A migration failed.
    #[error("database migration {version} failed: {source}")]
    Migration {
        /// The migration.
        version: i64,
        /// The driver error.
        #[source]
        source: sqlx::Error,
    },
    /// Mail is queued or read by a store that was given no passphrase to derive the
    /// mail key from.
    #[error(
        "mail bodies are sealed with a key derived from the CA key passphrase, and none was given: \
         set it (ORGCA_KEY_PASSPHRASE or key_passphrase_file) for this command"
    )]
    NoMailKey,
    /// A mail body could not be sealed or opened.
    #[error("{0}")]
    MailSeal(String),
    /// The store's writer task has stopped (the runtime is shutting down).
    #[error("the store is shutting down")]
    WriterGone,
    /// A copy of the whole store was refused or did not read back as its source; the
    /// destination is as it was.
    #[error("{0}")]
    CopyRefused(String),
    /// Any other database error.
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

/// Whether a PostgreSQL error code (SQLSTATE) says that the server is going away or
/// cannot take the connection now, not that the statement is wrong: class 08 (connection
/// exceptions), 57P01 to 57P05 (the server shutting down, restarting, not yet accepting
/// connections: a query in flight while PostgreSQL stops gets 57P01), and 53300 (too
/// many connections).
fn server_going_away(code: &str) -> bool {
    code.starts_with("08") || code.starts_with("57P") || code == "53300"
}

impl StoreError {
    /// Whether the database cannot be reached now (down, restarting, every connection
    /// busy for too long): a 503 worth a retry, not a fault.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Db(sqlx::Error::Database(d)) => {
                d.code().is_some_and(|c| server_going_away(&c))
            }
            _ => matches!(
                self,
                StoreError::Db(
                    sqlx::Error::PoolTimedOut
                        | sqlx::Error::PoolClosed
                        | sqlx::Error::Io(_)
                        | sqlx::Error::Tls(_)
                        | sqlx::Error::WorkerCrashed
                )
            ),
        }
    }

    /// Maps a unique-constraint violation to [`StoreError::Conflict`] naming `what`.
    pub(crate) fn conflict_as(what: impl Into<String>) -> impl FnOnce(sqlx::Error) -> StoreError {
        let what = what.into();
        move |e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict(what),
            _ => StoreError::Db(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::StoreError;

    #[test]
    fn a_database_out_of_reach_is_unavailable_and_a_conflict_is_not() {
        assert!(StoreError::Db(sqlx::Error::PoolTimedOut).is_unavailable());
        assert!(
            StoreError::Db(sqlx::Error::Io(std::io::Error::from(
                std::io::ErrorKind::ConnectionRefused
            )))
            .is_unavailable()
        );
        assert!(!StoreError::Conflict("x".into()).is_unavailable());
        for going in ["57P01", "57P03", "08006", "53300"] {
            assert!(super::server_going_away(going), "{going}");
        }
        for wrong in ["23505", "42P01", "40001", "57014"] {
            assert!(!super::server_going_away(wrong), "{wrong}");
        }
        assert!(!StoreError::Db(sqlx::Error::RowNotFound).is_unavailable());
    }
}
