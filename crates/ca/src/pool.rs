//! A fixed set of signing threads, one per core, fed from one queue. A thread that
//! finishes a signature takes the next job at once, with no hand-off through the async
//! runtime in between, so the cores stay busy signing under load; async callers wait on
//! a oneshot channel without blocking the runtime.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

/// The signing threads. They stop when the pool is dropped.
pub(crate) struct SigningPool {
    queue: mpsc::Sender<Job>,
}

impl SigningPool {
    /// Starts `threads` signing threads.
    pub(crate) fn new(threads: usize) -> SigningPool {
        let (queue, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..threads.max(1) {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("orgca-sign-{i}"))
                .spawn(move || {
                    loop {
                        // The lock is held only while taking a job, never while signing.
                        let job = match rx.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => return,
                        };
                        let Ok(job) = job else { return };
                        // A panicking job must not take the thread with it: its caller
                        // sees the dropped reply, and the thread takes the next job.
                        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)).is_err() {
                            tracing::error!("a signing job panicked");
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a signing thread");
            }
        }
        SigningPool { queue }
    }

    /// Runs `f` on a signing thread and waits for its result. `None` when the pool is
    /// gone or the job panicked.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Option<T> {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(f());
        });
        self.queue.send(job).ok()?;
        rx.await.ok()
    }
}
