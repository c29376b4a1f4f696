//! The crash campaign: `orgca serve` killed with SIGKILL at random moments while a client
//! orders, picks up (CSR) and blocks certificates, then started again. Afterwards every
//! certificate a client received is in the store, every block a client was told of is
//! kept, the audit chain verifies, no order stays half picked up, and
//! the CRL lists every block in the store. The counts are printed.
//!
//! CI runs a few kills; `scripts/crash_campaign.sh` runs many on both backends
//! (`ORGCA_CRASH_KILLS`, `ORGCA_CRASH_SEED`).

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::ORGCA;
use orgca_testkit::{self as testkit, Client, Env, openssl::P256};

const CVR: &str = "99999913";

/// What the clients saw.
#[derive(Default)]
struct Tally {
    requests: u64,
    /// Serials of the certificates clients received.
    received: BTreeSet<String>,
    /// Serials whose block a client was told of.
    blocked: BTreeSet<String>,
}

/// Orders, picks up and (every third) blocks until the server stops answering or `stop`.
fn load(
    client: &Client,
    admin: &str,
    profile: &str,
    csr: &str,
    tally: &Mutex<Tally>,
    stop: &AtomicBool,
) {
    let order_body = r#"{"identification": "one_time_code", "issuance": "csr"}"#;
    let mut n = 0u64;
    while !stop.load(Ordering::Relaxed) {
        let count = || tally.lock().expect("tally").requests += 1;
        count();
        let path = format!("/api/v1/profiles/{profile}/orders");
        let Some((status, order)) = client.try_json("POST", &path, Some(admin), Some(order_body))
        else {
            return;
        };
        if status != 201 {
            continue;
        }
        let body = serde_json::json!({
            "reference": order["reference"], "one_time_code": order["one_time_code"], "csr": csr,
        });
        count();
        let Some((status, got)) =
            client.try_json("POST", "/api/v1/pickup", None, Some(&body.to_string()))
        else {
            return;
        };
        if status != 200 {
            continue;
        }
        let (Some(id), Some(serial)) = (got["certificate_id"].as_str(), got["serial"].as_str())
        else {
            continue;
        };
        tally
            .lock()
            .expect("tally")
            .received
            .insert(serial.to_lowercase());
        n += 1;
        if n.is_multiple_of(3) {
            count();
            let path = format!("/api/v1/certificates/{id}/block");
            match client.try_json(
                "POST",
                &path,
                Some(admin),
                Some(r#"{"reason": "superseded"}"#),
            ) {
                Some((200, _)) => {
                    tally
                        .lock()
                        .expect("tally")
                        .blocked
                        .insert(serial.to_lowercase());
                }
                Some(_) => {}
                None => return,
            }
        }
    }
}

/// A small xorshift: the kill moments, reproducible from the printed seed.
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

fn lines(env: &Env, sql: &str) -> BTreeSet<String> {
    env.sql(sql)
        .lines()
        .map(|l| l.trim().to_lowercase())
        .filter(|l| !l.is_empty())
        .collect()
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
    eprintln!("crash campaign: {kills} kills, seed {seed}");
    let env = Env::new(ORGCA);
    let org = testkit::org(&env, CVR, "nedbrud.dk");
    let server = env.serve();
    let profile = testkit::profile(
        &server,
        &org.admin,
        r#"{"kind": "system", "name": "Belastning", "contact": {"name": "Ane", "email": "ane@nedbrud.dk"}}"#,
    );
    drop(server);
    let csr = std::fs::read_to_string(testkit::openssl_csr(&env, "load", P256)).expect("csr");
    let tally = Arc::new(Mutex::new(Tally::default()));
    for kill in 0..kills {
        let server = env.serve();
        let stop = Arc::new(AtomicBool::new(false));
        let clients: Vec<_> = (0..3)
            .map(|_| {
                let (client, admin, profile, csr) = (
                    server.client(),
                    org.admin.clone(),
                    profile.clone(),
                    csr.clone(),
                );
                let (tally, stop) = (tally.clone(), stop.clone());
                std::thread::spawn(move || load(&client, &admin, &profile, &csr, &tally, &stop))
            })
            .collect();
        let wait = 300 + next(&mut seed) % 1200;
        std::thread::sleep(Duration::from_millis(wait));
        server.signal("KILL");
        stop.store(true, Ordering::Relaxed);
        for c in clients {
            c.join().expect("client");
        }
        eprintln!("kill {} after {wait} ms", kill + 1);
    }

    // Started again, ten minutes on: half-done pick-ups are given back.
    let later = (time::OffsetDateTime::now_utc() + time::Duration::minutes(11))
        .format(&time::format_description::well_known::Rfc3339)
        .expect("format");
    let server = env.serve_with(&[("ORGCA_FAKE_CLOCK", later.as_str())]);
    let tally = tally.lock().expect("tally");
    let stored = lines(&env, "SELECT serial FROM certificates");
    let stored_blocked = lines(
        &env,
        "SELECT serial FROM certificates WHERE status = 'blocked'",
    );
    let lost: Vec<_> = tally.received.difference(&stored).collect();
    let unblocked: Vec<_> = tally.blocked.difference(&stored_blocked).collect();
    // Serials reserved (the intent recorded before signing) whose certificate never
    // reached the store: the kill came between the two. Their orders go back to ready.
    let intents_only = env.sql(
        "SELECT count(*) FROM serials s WHERE NOT EXISTS \
         (SELECT 1 FROM certificates c WHERE c.serial = s.serial)",
    );
    eprintln!(
        "crash campaign: {kills} kills, {} requests, {} certificates received, {} in the store, \
         {} blocks told, {} in the store, {} intents without a certificate; lost {}, blocks lost {}",
        tally.requests,
        tally.received.len(),
        stored.len(),
        tally.blocked.len(),
        stored_blocked.len(),
        intents_only.trim(),
        lost.len(),
        unblocked.len()
    );
    assert!(
        tally.received.len() >= usize::try_from(kills).unwrap_or(0),
        "the load ran"
    );
    assert!(lost.is_empty(), "received but not stored: {lost:?}");
    assert!(unblocked.is_empty(), "blocked but not kept: {unblocked:?}");
    assert!(env.ok(&["audit", "verify"]).contains("OK"));
    let start = Instant::now();
    loop {
        let stuck = env
            .sql("SELECT count(*) FROM orders WHERE status = 'issuing' AND certificate_id IS NULL");
        if stuck.trim() == "0" {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{} orders stay half picked up",
            stuck.trim()
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    // The CRL lists every block in the store.
    let issuer = env.ca_file("test-issuing-1");
    let start = Instant::now();
    loop {
        let text = testkit::openssl::served_crl_text(&env, &server, "test-issuing-1", &issuer)
            .to_lowercase();
        let missing = stored_blocked
            .iter()
            .filter(|s| !text.contains(&format!("serial number: {s}")))
            .count();
        if missing == 0 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "the CRL misses {missing} blocked certificates"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}
