//! Three `orgca serve` nodes on one database (SQLite or PostgreSQL, as the suite runs):
//! every node serves the same CRL, built once by the node holding the CRL lease; a block
//! taken by any node reaches them all; its mail goes out once; and when a node dies
//! (kill -9) another takes its jobs over within the lease's lifetime.

use std::time::{Duration, Instant};

use crate::ORGCA;
use orgca_testkit::{self as testkit, Env, Server, openssl::P256, picked_up_system};

const CVR: &str = "99999912";

/// The CRL of test-issuing-1 each of `nodes` serves (DER).
fn crls(nodes: &[&Server]) -> Vec<Vec<u8>> {
    nodes
        .iter()
        .map(|n| {
            let (status, _, der) = n.get("/crl/test-issuing-1.crl");
            assert_eq!(status, 200);
            der
        })
        .collect()
}

/// Waits until every node in `nodes` serves one and the same CRL that lists `serial`
/// (checked with OpenSSL); answers how long that took.
fn all_serve_one_crl_listing(env: &Env, nodes: &[&Server], serial: &str) -> Duration {
    let issuer = env.ca_file("test-issuing-1");
    let start = Instant::now();
    loop {
        let served = crls(nodes);
        if served.windows(2).all(|w| w[0] == w[1]) {
            let text = testkit::openssl::served_crl_text(env, nodes[0], "test-issuing-1", &issuer);
            if text.to_uppercase().contains(&serial.to_uppercase()) {
                return start.elapsed();
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the nodes do not serve one CRL listing {serial}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn block(node: &Server, admin: &str, id: &str) {
    let (status, v) = node.json(
        "POST",
        &format!("/api/v1/certificates/{id}/block"),
        Some(admin),
        Some(r#"{"reason": "key_compromised"}"#),
    );
    assert_eq!(status, 200, "{v}");
}

/// The mails in the outbox, each as its `To:` and `Subject:` lines.
fn mails(env: &Env) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir(env.data().join("outbox")) else {
        return Vec::new();
    };
    dir.map(|e| {
        let text = std::fs::read_to_string(e.expect("entry").path()).unwrap_or_default();
        text.lines()
            .filter(|l| l.starts_with("Subject:") || l.starts_with("To:"))
            .collect::<Vec<_>>()
            .join(" | ")
    })
    .collect()
}

#[test]
fn three_nodes_serve_one_crl_send_each_mail_once_and_take_over_from_a_dead_one() {
    let env = Env::new(ORGCA);
    let org = testkit::org(&env, CVR, "noder.dk");
    let nodes: Vec<Server> = (0..3).map(|_| env.serve()).collect();
    let (first, first_serial, _) = picked_up_system(&env, &nodes[0], &org.admin, "Et", P256);
    let (second, second_serial, _) = picked_up_system(&env, &nodes[1], &org.admin, "To", P256);

    // A block through the third node reaches every node's CRL: one CRL, one number.
    block(&nodes[2], &org.admin, &first);
    let took = all_serve_one_crl_listing(&env, &[&nodes[0], &nodes[1], &nodes[2]], &first_serial);
    eprintln!("three nodes served the block in their CRL after {took:?}");
    // Its mail goes out once, whichever node delivers; so does every other mail.
    let blocked = "Subject: Certificate \"Et\" has been blocked";
    let start = Instant::now();
    while !mails(&env).iter().any(|m| m.contains(blocked)) {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "no mail for the block"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_secs(3));
    let sent = mails(&env);
    assert_eq!(
        sent.iter().filter(|m| m.contains(blocked)).count(),
        1,
        "{sent:#?}"
    );
    let mut unique = sent.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), sent.len(), "a mail went out twice: {sent:#?}");
    let holders = env.sql("SELECT count(DISTINCT holder) FROM leases WHERE name = 'crl'");
    assert_eq!(holders.trim(), "1");

    // The first node dies without a word; the others go on, and a block taken now
    // reaches their CRLs once the dead node's lease has run out.
    nodes[0].signal("KILL");
    block(&nodes[1], &org.admin, &second);
    let took = all_serve_one_crl_listing(&env, &[&nodes[1], &nodes[2]], &second_serial);
    eprintln!("after a kill -9, two nodes served the next block after {took:?}");
    let (status, health) = nodes[2].json("GET", "/healthz", None, None);
    assert_eq!(status, 200, "{health}");
}
