//! What the fault campaigns share (`crash`, `database_tls`): the load that clients put on
//! the nodes, what they were told, and the checks that nothing they were told of is lost.
//!
//! The load orders and picks up certificates (a CSR, or every fourth a PKCS#12 that orgca
//! makes), blocks every third certificate received, searches, and signs a document with a
//! single-use certificate. Each client counts every answer by status.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use base64ct::{Base64, Encoding as _};
use orgca_testkit::{self as testkit, Client, Env, Org, Server, openssl::P256};

/// What the clients saw.
#[derive(Default)]
pub(crate) struct Tally {
    /// Every answer, by HTTP status (a connection that failed is not counted).
    pub statuses: BTreeMap<u16, u64>,
    /// Requests sent.
    pub requests: u64,
    /// Serials of the certificates clients received.
    pub received: BTreeSet<String>,
    /// Serials whose block a client was told of.
    pub blocked: BTreeSet<String>,
    /// Serials of the single-use certificates of the signatures clients received.
    pub signed: BTreeSet<String>,
}

impl Tally {
    /// Answers with a status of 500 or above other than 503 (the database or a key out
    /// of reach, which a client should retry).
    pub(crate) fn server_errors(&self) -> u64 {
        self.statuses
            .iter()
            .filter(|(s, _)| **s >= 500 && **s != 503)
            .map(|(_, n)| n)
            .sum()
    }
}

/// One organisation under load, and what it needs.
pub(crate) struct Campaign {
    /// The organisation's tokens.
    pub org: Org,
    /// A system profile to order certificates of.
    pub profile: String,
    /// A CSR (PEM) every CSR pick-up sends.
    pub csr: String,
}

impl Campaign {
    /// Makes the organisation, its profile and a CSR through `server`.
    pub(crate) fn new(env: &Env, server: &Server, cvr: &str, domain: &str) -> Campaign {
        let org = testkit::org(env, cvr, domain);
        let profile = testkit::profile(
            server,
            &org.admin,
            &format!(
                r#"{{"kind": "system", "name": "Belastning", "contact": {{"name": "Ane", "email": "ane@{domain}"}}}}"#
            ),
        );
        let csr = std::fs::read_to_string(testkit::openssl_csr(env, "load", P256)).expect("csr");
        Campaign { org, profile, csr }
    }

    /// Puts load on one node until `stop` is set or the node stops answering (killed).
    /// Answers of any status are counted and the load goes on (a database outage leaves
    /// the node up, answering 503).
    pub(crate) fn load(&self, client: &Client, tally: &Mutex<Tally>, stop: &AtomicBool) {
        let admin = self.org.admin.as_str();
        let mut n = 0u64;
        let call = |method: &str, path: &str, token: Option<&str>, body: Option<&str>| {
            tally.lock().expect("tally").requests += 1;
            let answer = client.try_json(method, path, token, body);
            if let Some((status, _)) = &answer {
                *tally
                    .lock()
                    .expect("tally")
                    .statuses
                    .entry(*status)
                    .or_default() += 1;
            }
            answer
        };
        while !stop.load(Ordering::Relaxed) {
            n += 1;
            let pkcs12 = n.is_multiple_of(4);
            let order_body = if pkcs12 {
                r#"{"identification": "one_time_code", "issuance": "pkcs12"}"#
            } else {
                r#"{"identification": "one_time_code", "issuance": "csr"}"#
            };
            let path = format!("/api/v1/profiles/{}/orders", self.profile);
            let Some((status, order)) = call("POST", &path, Some(admin), Some(order_body)) else {
                return;
            };
            if n % 3 == 1 {
                call(
                    "GET",
                    "/api/v1/certificates?q=belastning&limit=5",
                    Some(admin),
                    None,
                );
            }
            if n % 3 == 2 {
                self.sign(&call, tally);
            }
            if status != 201 {
                continue;
            }
            let mut body = serde_json::json!({
                "reference": order["reference"], "one_time_code": order["one_time_code"],
            });
            if pkcs12 {
                body["pkcs12"] = true.into();
            } else {
                body["csr"] = self.csr.clone().into();
            }
            let Some((status, got)) = call("POST", "/api/v1/pickup", None, Some(&body.to_string()))
            else {
                return;
            };
            let (200, Some(id), Some(serial)) = (
                status,
                got["certificate_id"].as_str(),
                got["serial"].as_str(),
            ) else {
                continue;
            };
            let serial = serial.to_lowercase();
            tally.lock().expect("tally").received.insert(serial.clone());
            if n.is_multiple_of(3) {
                let path = format!("/api/v1/certificates/{id}/block");
                match call(
                    "POST",
                    &path,
                    Some(admin),
                    Some(r#"{"reason": "superseded"}"#),
                ) {
                    Some((200, _)) => {
                        tally.lock().expect("tally").blocked.insert(serial);
                    }
                    Some(_) => {}
                    None => return,
                }
            }
        }
    }

    /// Signs a small document in the employee's name (CAdES).
    fn sign(
        &self,
        call: &impl Fn(&str, &str, Option<&str>, Option<&str>) -> Option<(u16, serde_json::Value)>,
        tally: &Mutex<Tally>,
    ) {
        let body = serde_json::json!({
            "document": Base64::encode_string(b"Aftale om belastning"),
            "format": "cades",
            "mode": "personal",
        })
        .to_string();
        if let Some((200, v)) = call("POST", "/api/v1/sign", Some(&self.org.user), Some(&body))
            && let Some(serial) = v["certificate_serial"].as_str()
        {
            tally
                .lock()
                .expect("tally")
                .signed
                .insert(serial.to_lowercase());
        }
    }
}

/// A node started after the faults with its clock eleven minutes on, so that pick-ups
/// the faults cut short (claimed, never issued) are given back, as after 10 minutes.
pub(crate) fn serve_after_the_faults(env: &Env) -> Server {
    let later = (time::OffsetDateTime::now_utc() + time::Duration::minutes(11))
        .format(&time::format_description::well_known::Rfc3339)
        .expect("format");
    env.serve_with(&[("ORGCA_FAKE_CLOCK", later.as_str())])
}

/// The lines a query prints, trimmed and in lower case.
pub(crate) fn lines(env: &Env, sql: &str) -> BTreeSet<String> {
    env.sql(sql)
        .lines()
        .map(|l| l.trim().to_lowercase())
        .filter(|l| !l.is_empty())
        .collect()
}

/// Checks, on the store and through `server` (from [`serve_after_the_faults`]), that
/// nothing the clients
/// were told of is lost, and prints the counts under `label`:
/// - every certificate a client received is stored, and every block it was told of kept;
/// - every signature a client received is in the audit trail with its certificate's serial;
/// - no serial is used twice; every stored certificate belongs to an issued order;
/// - the audit chain verifies; no order stays half picked up;
/// - the CRL lists every blocked certificate, and OCSP agrees with the store.
pub(crate) fn assert_nothing_lost(env: &Env, server: &Server, tally: &Tally, label: &str) {
    let stored = lines(env, "SELECT serial FROM certificates");
    let stored_blocked = lines(
        env,
        "SELECT serial FROM certificates WHERE status = 'blocked'",
    );
    let lost: Vec<_> = tally.received.difference(&stored).collect();
    let unblocked: Vec<_> = tally.blocked.difference(&stored_blocked).collect();
    let audited = env.sql("SELECT details FROM audit_events WHERE action = 'document.signed'");
    let audited = audited.to_lowercase();
    let unaudited: Vec<_> = tally
        .signed
        .iter()
        .filter(|s| !audited.contains(s.as_str()))
        .collect();
    // Serials reserved (the intent recorded before signing) whose certificate never
    // reached the store: the fault came between the two. Their orders go back to ready.
    let intents_only = env.sql(
        "SELECT count(*) FROM serials s WHERE NOT EXISTS \
         (SELECT 1 FROM certificates c WHERE c.serial = s.serial)",
    );
    let undelivered = stored.difference(&tally.received).count();
    eprintln!(
        "{label}: {} requests ({:?} by status), {} certificates received, {} stored \
         ({undelivered} stored but never received: their orders are issued, the certificates \
         listed), {} blocks told, {} stored, {} signatures, {} intents without a certificate; \
         lost {}, blocks lost {}, signatures unaudited {}, server errors {}",
        tally.requests,
        tally.statuses,
        tally.received.len(),
        stored.len(),
        tally.blocked.len(),
        stored_blocked.len(),
        tally.signed.len(),
        intents_only.trim(),
        lost.len(),
        unblocked.len(),
        unaudited.len(),
        tally.server_errors(),
    );
    assert!(!tally.received.is_empty(), "the load ran");
    assert!(lost.is_empty(), "received but not stored: {lost:?}");
    assert!(unblocked.is_empty(), "blocked but not kept: {unblocked:?}");
    assert!(
        unaudited.is_empty(),
        "signed but not audited: {unaudited:?}"
    );
    if tally.server_errors() > 0 {
        // What the server logged about each 500 says where it came from.
        let log = env.server_log();
        let internal: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("internal error") || l.contains("ERROR"))
            .collect();
        panic!(
            "{} server errors {:?}; the server logged:\n{}",
            tally.server_errors(),
            tally.statuses,
            internal.join("\n")
        );
    }
    let twice = env.sql(
        "SELECT count(*) FROM (SELECT serial FROM certificates GROUP BY serial HAVING count(*) > 1) t",
    );
    assert_eq!(twice.trim(), "0", "a serial is used twice");
    let orphans = env.sql(
        "SELECT count(*) FROM certificates c WHERE c.kind = 'system' AND NOT EXISTS \
         (SELECT 1 FROM orders o WHERE o.certificate_id = c.id AND o.status = 'issued')",
    );
    assert_eq!(
        orphans.trim(),
        "0",
        "a certificate without its issued order"
    );
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
    assert_crl_lists(env, server, &stored_blocked);
    assert_ocsp_agrees(env, server, &stored, &stored_blocked);
}

/// Waits (15 s at most) until the served CRL of test-issuing-1 lists every serial.
pub(crate) fn assert_crl_lists(env: &Env, server: &Server, blocked: &BTreeSet<String>) {
    let issuer = env.ca_file("test-issuing-1");
    let start = Instant::now();
    loop {
        let text = testkit::openssl::served_crl_text(env, server, "test-issuing-1", &issuer)
            .to_lowercase();
        let missing = blocked
            .iter()
            .filter(|s| !text.contains(&format!("serial number: {s}")))
            .count();
        if missing == 0 {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "the CRL misses {missing} blocked certificates"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// Asks OCSP (`openssl ocsp`, by serial) about up to five blocked and five other stored
/// certificates: each answer must say what the store says.
pub(crate) fn assert_ocsp_agrees(
    env: &Env,
    server: &Server,
    stored: &BTreeSet<String>,
    blocked: &BTreeSet<String>,
) {
    let good = stored.difference(blocked).take(5);
    let sample: Vec<(&String, &str)> = blocked
        .iter()
        .take(5)
        .map(|s| (s, "revoked"))
        .chain(good.map(|s| (s, "good")))
        .collect();
    for (serial, expected) in sample {
        let hex = format!("0x{serial}");
        let start = Instant::now();
        loop {
            // The node asked may run ahead of this machine's clock (a fake clock after
            // the faults): its answers are accepted up to 20 minutes early.
            let out = crate::ocsp::ocsp_for(
                env,
                server,
                "test-issuing-1",
                &["-serial", &hex, "-validity_period", "1200"],
            );
            let said = out
                .lines()
                .find_map(|l| l.trim().strip_prefix(&format!("{hex}: ")))
                .map(str::trim);
            if said == Some(expected) {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "OCSP does not say {expected} for {serial}: {out}"
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}
