//! The background jobs of `serve` that must run on one node at a time when several
//! nodes share a database: each runs on the node holding its lease (see
//! `orgca_store::LeaseStore`), which renews the lease while the job works and loses it
//! when it dies; another node then takes the lease within its lifetime.

use std::future::Future;
use std::time::Duration;

use orgca_ra::Clock;
use orgca_store::LeaseStore;

/// How long a lease lasts without renewal: a dead node's jobs move on within this.
const LEASE_SECONDS: i64 = 15;
/// How often a node renews the lease of a job it is running.
const RENEW_EVERY: Duration = Duration::from_secs(5);

/// This node's name in the leases: random, new at every start.
pub fn node_name() -> String {
    format!("node-{}", uuid::Uuid::new_v4().simple())
}

/// Runs `job` every `every`, on this node only while it holds the lease `name`; the lease
/// is renewed while the job runs, and the job is stopped if the lease is lost.
pub async fn leased<F, Fut>(
    leases: LeaseStore,
    name: &'static str,
    node: String,
    every: Duration,
    clock: Clock,
    mut job: F,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    loop {
        match leases.hold(name, &node, clock.now(), LEASE_SECONDS).await {
            Ok(true) => {
                let renew = async {
                    loop {
                        tokio::time::sleep(RENEW_EVERY).await;
                        match leases.hold(name, &node, clock.now(), LEASE_SECONDS).await {
                            Ok(true) => {}
                            Ok(false) => {
                                tracing::warn!(
                                    job = name,
                                    "the lease passed to another node; stopping the job here"
                                );
                                return;
                            }
                            Err(e) => {
                                tracing::warn!(job = name, error = %e, "the lease could not be renewed; stopping the job here");
                                return;
                            }
                        }
                    }
                };
                tokio::select! {
                    () = job() => {}
                    () = renew => {}
                }
            }
            Ok(false) => {}
            Err(e) => tracing::warn!(job = name, error = %e, "the lease could not be asked for"),
        }
        tokio::time::sleep(every).await;
    }
}
