//! Group commit for the issuance hot path. Serial intents and issued certificates go
//! through one writer task per `Store`, which commits whatever is waiting in one
//! transaction (one fsync for many certificates) and answers each caller only after that
//! commit. When a batch fails, it is rolled back whole and each job is retried alone, so
//! one bad job never takes others down and every caller gets its own answer.

use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyPool};
use tokio::sync::{mpsc, oneshot};

use crate::ca::{SerialIntent, reserve_all};
use crate::issuance::{CommitItem, NewCertificate, commit_all};
use crate::{Backend, StoreError};

/// The most jobs committed in one transaction.
const MAX_BATCH: usize = 64;
/// Jobs that may wait for the writer before callers wait to submit (back-pressure).
const QUEUE: usize = 1024;

/// A write on the hot path.
#[derive(Debug)]
pub(crate) enum Job {
    /// Record a serial before signing.
    Reserve(SerialIntent),
    /// Record a signed certificate with its audit event.
    Commit {
        /// The certificate.
        cert: Box<NewCertificate>,
        /// Who.
        actor: String,
        /// When (Unix seconds).
        now: i64,
    },
}

struct Pending {
    job: Job,
    reply: oneshot::Sender<Result<(), StoreError>>,
}

/// The handle callers submit jobs to.
#[derive(Clone, Debug)]
pub(crate) struct Writer {
    tx: mpsc::Sender<Pending>,
}

impl Writer {
    /// Starts the writer task on the current Tokio runtime. It ends when every handle is
    /// dropped.
    pub(crate) fn start(pool: AnyPool, backend: Backend) -> Writer {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(run(pool, backend, rx));
        Writer { tx }
    }

    /// Submits a job and waits until it is committed (or failed).
    pub(crate) async fn submit(&self, job: Job) -> Result<(), StoreError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Pending { job, reply })
            .await
            .map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }
}

async fn run(pool: AnyPool, backend: Backend, mut rx: mpsc::Receiver<Pending>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    // The writer keeps one connection while jobs keep coming: its page cache stays warm
    // and no batch waits for the pool. It gives it back when the queue is empty (so that
    // `Store::close` never waits on an idle writer) and after an error.
    let mut conn: Option<PoolConnection<Any>> = None;
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(p) => batch.push(p),
                Err(_) => break,
            }
        }
        if batch.len() > 1 {
            metrics::histogram!("orgca_store_group_commit_size").record(batch.len() as f64);
        }
        let result = apply(&pool, &mut conn, backend, batch.iter().map(|p| &p.job)).await;
        match result {
            Ok(()) => {
                release_if_idle(&rx, &mut conn);
                for p in batch.drain(..) {
                    let _ = p.reply.send(Ok(()));
                }
            }
            Err(e) if batch.len() > 1 => {
                tracing::debug!(error = %e, size = batch.len(), "group commit failed; retrying jobs one by one");
                let results: Vec<_> = {
                    let mut v = Vec::with_capacity(batch.len());
                    for p in &batch {
                        let r = apply(&pool, &mut conn, backend, std::iter::once(&p.job)).await;
                        v.push(settle(&pool, &p.job, r).await);
                    }
                    v
                };
                release_if_idle(&rx, &mut conn);
                for (p, r) in batch.drain(..).zip(results) {
                    let _ = p.reply.send(r);
                }
            }
            Err(e) => {
                release_if_idle(&rx, &mut conn);
                if let Some(p) = batch.pop() {
                    let r = settle(&pool, &p.job, Err(e)).await;
                    let _ = p.reply.send(r);
                }
            }
        }
    }
}

/// A failed job whose effect is nevertheless in the database (a COMMIT that succeeded
/// but whose answer was lost, then a retry that hit its own rows) is reported as done,
/// so that no caller retries an issuance that already happened.
async fn settle(
    pool: &AnyPool,
    job: &Job,
    result: Result<(), StoreError>,
) -> Result<(), StoreError> {
    if result.is_ok() {
        return result;
    }
    let present = match job {
        Job::Reserve(i) => sqlx::query(
            "SELECT 1 AS one FROM serials WHERE serial = $1 AND issuer = $2 AND tbs_sha256 = $3",
        )
        .bind(i.serial.to_string())
        .bind(i.issuer.clone())
        .bind(hex::encode(i.tbs_sha256))
        .fetch_optional(pool)
        .await,
        Job::Commit { cert, .. } => {
            sqlx::query("SELECT 1 AS one FROM certificates WHERE id = $1 AND serial = $2")
                .bind(cert.id.to_string())
                .bind(cert.serial.to_string())
                .fetch_optional(pool)
                .await
        }
    };
    match present {
        Ok(Some(_)) => Ok(()),
        _ => result,
    }
}

/// Gives the writer's connection back to the pool when no job is waiting, before the
/// callers are answered (a caller may close the store right after its answer).
fn release_if_idle(rx: &mpsc::Receiver<Pending>, conn: &mut Option<PoolConnection<Any>>) {
    if rx.is_empty() {
        *conn = None;
    }
}

/// Applies `jobs` in one write transaction (the intents first, then the certificates);
/// nothing of it stays on error.
async fn apply<'a>(
    pool: &AnyPool,
    conn: &mut Option<PoolConnection<Any>>,
    backend: Backend,
    jobs: impl Iterator<Item = &'a Job>,
) -> Result<(), StoreError> {
    let mut intents: Vec<&SerialIntent> = Vec::new();
    let mut certs: Vec<CommitItem<'a>> = Vec::new();
    for job in jobs {
        match job {
            Job::Reserve(intent) => intents.push(intent),
            Job::Commit { cert, actor, now } => certs.push((cert, actor, *now)),
        }
    }
    let c = match conn {
        Some(c) => c,
        None => conn.insert(pool.acquire().await?),
    };
    let result = async {
        let mut tx = crate::db::begin_write_on(c, backend).await?;
        reserve_all(&mut tx, &intents).await?;
        commit_all(&mut tx, &certs).await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    if result.is_err() {
        *conn = None;
    }
    result
}
