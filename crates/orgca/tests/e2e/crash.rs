//! The crash campaign: `orgca serve` nodes killed with SIGKILL at random moments under
//! load (see [`crate::campaign`]), then started again. On SQLite one node; on PostgreSQL
//! three, each with its own client, and at each round one of them, chosen at random, is
//! killed while the others go on. Afterwards nothing a client was told of is lost
//! ([`crate::campaign::assert_nothing_lost`]); the counts are printed.
//!
//! CI runs a few kills; `scripts/crash_campaign.sh` runs many on both backends
//! (`ORGCA_CRASH_KILLS`, `ORGCA_CRASH_SEED`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::ORGCA;
use crate::campaign::{Campaign, Tally, assert_nothing_lost, serve_after_the_faults};
use orgca_testkit::{Env, Server};

const CVR: &str = "99999913";

/// A small xorshift: the kill moments and victims, reproducible from the printed seed.
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[test]
fn kill_nine_under_load_loses_nothing() {
    let kills: u32 = std::env::var("ORGCA_CRASH_KILLS")
        .ok()
        .and_then(|k| k.parse().ok())
        .unwrap_or(3);
    let mut seed: u64 = std::env::var("ORGCA_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_207)
        .max(1);
    let env = Env::new(ORGCA);
    let node_count = if env.on_postgres() { 3 } else { 1 };
    eprintln!("crash campaign: {kills} kills of {node_count} node(s), seed {seed}");
    let server = env.serve();
    let campaign = Arc::new(Campaign::new(&env, &server, CVR, "nedbrud.dk"));
    drop(server);
    let tally = Arc::new(Mutex::new(Tally::default()));
    let mut nodes: Vec<Option<Server>> = (0..node_count).map(|_| None).collect();
    for kill in 0..kills {
        for node in nodes.iter_mut().filter(|n| n.is_none()) {
            *node = Some(env.serve());
        }
        let stop = Arc::new(AtomicBool::new(false));
        let clients: Vec<_> = nodes
            .iter()
            .flatten()
            .map(|node| {
                let client = node.client();
                let (campaign, tally, stop) = (campaign.clone(), tally.clone(), stop.clone());
                std::thread::spawn(move || campaign.load(&client, &tally, &stop))
            })
            .collect();
        let wait = 300 + next(&mut seed) % 1200;
        std::thread::sleep(Duration::from_millis(wait));
        let victim = usize::try_from(next(&mut seed) % node_count).expect("small");
        if let Some(node) = nodes[victim].take() {
            node.signal("KILL");
        }
        stop.store(true, Ordering::Relaxed);
        for c in clients {
            c.join().expect("client");
        }
        eprintln!("kill {} of node {victim} after {wait} ms", kill + 1);
    }
    drop(nodes);

    let server = serve_after_the_faults(&env);
    let tally = tally.lock().expect("tally");
    assert_nothing_lost(
        &env,
        &server,
        &tally,
        &format!("crash campaign ({kills} kills of {node_count} node(s))"),
    );
}
