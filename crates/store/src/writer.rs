//! Group commit. Jobs go through one writer task, which commits whatever is waiting in
//! one transaction (one fsync for many jobs) and answers each caller only after that
//! commit. When a batch fails, it is rolled back whole and each job is retried alone, so
//! one bad job never takes others down and every caller gets its own answer.
//!
//! The writer knows nothing of what it writes: the job type says how to write many at
//! once ([`Batch`]). It must never import the modules whose rows it commits.

use std::future::Future;

use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool};
use tokio::sync::{mpsc, oneshot};

use crate::StoreError;
use crate::sql::Backend;

/// The most jobs committed in one transaction.
const MAX_BATCH: usize = 64;
/// Jobs that may wait for the writer before callers wait to submit (back-pressure).
const QUEUE: usize = 1024;

/// A job the writer commits, batched with others of its type.
pub(crate) trait Batch: Send + Sync + Sized + 'static {
    /// Writes `jobs` on `conn`, inside the writer's transaction; an error rolls all of
    /// them back.
    fn write_all(
        conn: &mut AnyConnection,
        jobs: &[&Self],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Whether this job's effect is in the database already (a commit that succeeded but
    /// whose answer was lost, then a retry that hit its own rows).
    fn is_done(&self, pool: &AnyPool) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

struct Pending<J> {
    job: J,
    reply: oneshot::Sender<Result<(), StoreError>>,
}

/// The handle callers submit jobs to.
#[derive(Debug)]
pub(crate) struct Writer<J> {
    tx: mpsc::Sender<Pending<J>>,
}

impl<J> Clone for Writer<J> {
    fn clone(&self) -> Self {
        Writer {
            tx: self.tx.clone(),
        }
    }
}

impl<J: Batch> Writer<J> {
    /// Starts the writer task on the current Tokio runtime. It ends when every handle is
    /// dropped.
    pub(crate) fn start(pool: AnyPool, backend: Backend) -> Writer<J> {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(run(pool, backend, rx));
        Writer { tx }
    }

    /// Submits a job and waits until it is committed (or failed).
    pub(crate) async fn submit(&self, job: J) -> Result<(), StoreError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Pending { job, reply })
            .await
            .map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }
}

async fn run<J: Batch>(pool: AnyPool, backend: Backend, mut rx: mpsc::Receiver<Pending<J>>) {
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
/// so that no caller retries a write that already happened.
async fn settle<J: Batch>(
    pool: &AnyPool,
    job: &J,
    result: Result<(), StoreError>,
) -> Result<(), StoreError> {
    if result.is_ok() {
        return result;
    }
    match job.is_done(pool).await {
        Ok(true) => Ok(()),
        _ => result,
    }
}

/// Gives the writer's connection back to the pool when no job is waiting, before the
/// callers are answered (a caller may close the store right after its answer).
fn release_if_idle<J>(rx: &mpsc::Receiver<Pending<J>>, conn: &mut Option<PoolConnection<Any>>) {
    if rx.is_empty() {
        *conn = None;
    }
}

/// Applies `jobs` in one write transaction; nothing of it stays on error.
async fn apply<'a, J: Batch>(
    pool: &AnyPool,
    conn: &mut Option<PoolConnection<Any>>,
    backend: Backend,
    jobs: impl Iterator<Item = &'a J>,
) -> Result<(), StoreError> {
    let jobs: Vec<&J> = jobs.collect();
    let c = match conn {
        Some(c) => c,
        None => conn.insert(pool.acquire().await?),
    };
    let result = async {
        let mut tx = crate::sql::begin_write_on(c, backend).await?;
        J::write_all(&mut tx, &jobs).await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    if result.is_err() {
        *conn = None;
    }
    result
}
