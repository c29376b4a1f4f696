//! Blocking and the CRL, through HTTP and the CLI only, checked with OpenSSL and pkilint:
//! who may block, idempotence, the contact person's notice, and a CRL that lists the
//! block within seconds.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::ORGCA;
use orgca_testkit::{self as testkit, Env, Server, org};

/// A system certificate with a P-256 key, picked up through the API.
fn issue(env: &Env, server: &Server, admin: &str, name: &str) -> (String, String, PathBuf) {
    testkit::picked_up_system(env, server, admin, name, testkit::P256)
}

const ISSUING: &str = "test-issuing-1";

/// Fetches the issuing CA's CRL into a file.
fn fetch_crl(env: &Env, server: &Server) -> (PathBuf, Vec<(String, String)>) {
    let (status, headers, body) = server.get(&format!("/crl/{ISSUING}.crl"));
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    (env.write("current.crl", body), headers)
}

fn crl_text(crl: &std::path::Path) -> String {
    let out = testkit::cmd(
        "openssl",
        &[
            "crl",
            "-inform",
            "DER",
            "-noout",
            "-text",
            "-in",
            crl.to_str().expect("p"),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// Waits (up to 5 s, the promise) until the served CRL lists `serial`.
fn crl_listing(env: &Env, server: &Server, serial: &str) -> (PathBuf, Duration) {
    let start = Instant::now();
    loop {
        let (crl, _) = fetch_crl(env, server);
        if crl_text(&crl)
            .to_lowercase()
            .contains(&format!("serial number: {}", serial.to_lowercase()))
        {
            return (crl, start.elapsed());
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the CRL does not list {serial} after 5 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn verify_with_crl(env: &Env, leaf: &std::path::Path, crl: &std::path::Path) -> (bool, String) {
    let pem_crl = env.path("crl.pem");
    let out = testkit::cmd(
        "openssl",
        &[
            "crl",
            "-inform",
            "DER",
            "-in",
            crl.to_str().expect("p"),
            "-out",
            pem_crl.to_str().expect("p"),
        ],
    );
    assert!(out.status.success());
    let out = testkit::cmd(
        "openssl",
        &[
            "verify",
            "-crl_check",
            "-CAfile",
            env.ca_file("test-root").to_str().expect("p"),
            "-untrusted",
            env.ca_file(ISSUING).to_str().expect("p"),
            "-CRLfile",
            pem_crl.to_str().expect("p"),
            leaf.to_str().expect("p"),
        ],
    );
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn a_block_reaches_the_crl_within_seconds() {
    let env = Env::new(ORGCA);
    let a = org(&env, "99999973", "a.dk");
    let b = org(&env, "99999972", "b.dk");
    let server = env.serve();
    let (id, serial, leaf) = issue(&env, &server, &a.admin, "Spærret");
    let (_, other_serial, other_leaf) = issue(&env, &server, &a.admin, "Fortsat");

    // The CRL before: signed by the issuing CA, empty, well-formed, with caching headers.
    let (crl, headers) = fetch_crl(&env, &server);
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert_eq!(header("content-type"), "application/pkix-crl");
    assert!(header("cache-control").contains("max-age"), "{headers:?}");
    assert!(!header("etag").is_empty() && !header("last-modified").is_empty());
    let v = testkit::cmd(
        "openssl",
        &[
            "crl",
            "-inform",
            "DER",
            "-noout",
            "-verify",
            "-CAfile",
            env.ca_file(ISSUING).to_str().expect("p"),
            "-in",
            crl.to_str().expect("p"),
        ],
    );
    assert!(
        String::from_utf8_lossy(&v.stderr).contains("verify OK"),
        "{}",
        String::from_utf8_lossy(&v.stderr)
    );
    let text = crl_text(&crl);
    assert!(text.contains("No Revoked Certificates"), "{text}");
    let (ok, out) = verify_with_crl(&env, &leaf, &crl);
    assert!(ok, "{out}");

    // Who may block: not another organisation, not a user for someone else's certificate.
    let path = format!("/api/v1/certificates/{id}/block");
    let body = r#"{"reason": "key_compromised"}"#;
    assert_eq!(
        server.json("POST", &path, Some(&b.admin), Some(body)).0,
        404
    );
    assert_eq!(server.json("POST", &path, Some(&a.user), Some(body)).0, 404);
    let (status, v) = server.json("POST", &path, Some(&a.admin), Some(r#"{"reason": "lost"}"#));
    assert_eq!(
        (status, v["code"].as_str()),
        (422, Some("invalid_request")),
        "{v}"
    );
    assert!(
        v["detail"]
            .as_str()
            .is_some_and(|d| d.contains("key_compromised")),
        "{v}"
    );

    let (status, blocked) = server.json("POST", &path, Some(&a.admin), Some(body));
    assert_eq!(
        (
            status,
            blocked["status"].as_str(),
            blocked["block_reason"].as_str()
        ),
        (200, Some("blocked"), Some("key_compromised")),
        "{blocked}"
    );
    // Again: the first block stands, unchanged.
    let (status, again) = server.json(
        "POST",
        &path,
        Some(&a.admin),
        Some(r#"{"reason": "superseded"}"#),
    );
    assert_eq!(status, 200);
    assert_eq!(
        (again["blocked_at"].clone(), again["block_reason"].as_str()),
        (blocked["blocked_at"].clone(), Some("key_compromised"))
    );

    // Relying parties see it within 5 seconds, with its reason and date.
    let (crl, took) = crl_listing(&env, &server, &serial);
    eprintln!("the block reached the CRL in {took:?}");
    let text = crl_text(&crl);
    assert!(text.contains("Key Compromise"), "{text}");
    assert!(
        !text.to_lowercase().contains(&other_serial.to_lowercase()),
        "{text}"
    );
    let (ok, out) = verify_with_crl(&env, &leaf, &crl);
    assert!(!ok && out.contains("certificate revoked"), "{out}");
    let (ok, out) = verify_with_crl(&env, &other_leaf, &crl);
    assert!(ok, "{out}");
    if testkit::pkilint_available("lint_crl") {
        let bad = testkit::pkilint_errors("lint_crl", &["-t", "CRL", "-p", "PKIX"], &crl);
        assert!(bad.is_empty(), "{bad:?}");
    }

    // The contact person is told: which certificate, why, by whom.
    let mail = env.wait_for_mail("was blocked at");
    assert!(mail.contains("To: ane@a.dk"), "{mail}");
    assert!(
        mail.contains(&serial) && mail.contains("admin@a.dk"),
        "{mail}"
    );
    assert!(mail.contains("key_compromised"), "{mail}");
    drop(server);
    assert_eq!(
        testkit::cmd(
            "sh",
            &[
                "-c",
                &format!(
                    "grep -l 'was blocked at' {}/outbox/*.eml | wc -l",
                    env.data().display()
                )
            ]
        )
        .stdout,
        b"1\n",
        "one notice, not one per block request"
    );
    // The CRL number, as relying parties read it from served CRLs, never goes back:
    // a restart serves the CRL stored before it (nothing was blocked since), and the
    // next CRL is numbered above it.
    let number = |server: &Server| -> u64 {
        let (crl, headers) = fetch_crl(&env, server);
        let text = crl_text(&crl);
        // OpenSSL prints a CRL number under 2^128 in decimal.
        let decimal: String = text
            .lines()
            .skip_while(|l| !l.contains("X509v3 CRL Number"))
            .nth(1)
            .map(|l| l.trim().to_owned())
            .unwrap_or_else(|| panic!("no CRL number: {text}"));
        let n: u64 = decimal
            .parse()
            .unwrap_or_else(|_| panic!("CRL number {decimal:?}"));
        let etag = headers
            .iter()
            .find(|(k, _)| k == "etag")
            .map(|(_, v)| v.clone());
        assert_eq!(etag, Some(format!("\"{n}\"")), "the ETag is the CRL number");
        n
    };
    let server = env.serve();
    let before = number(&server);
    // Stopped as an operator restarts a node (SIGTERM): it gives its leases up.
    server.stop();
    let server = env.serve();
    let after = number(&server);
    assert_eq!(after, before, "the CRL stored before the restart is served");
    let out = env.run(&[
        "cert",
        "block",
        "--serial",
        &other_serial,
        "--reason",
        "superseded",
    ]);
    assert!(out.status.success());
    crl_listing(&env, &server, &other_serial);
    let next = number(&server);
    assert!(next > after, "CRL number {after} then {next} after a block");
}

#[test]
fn users_block_their_own_certificates_and_the_operator_any_by_serial() {
    let env = Env::new(ORGCA);
    let a = org(&env, "99999971", "a.dk");
    let server = env.serve();
    let (_, other_serial, _) = issue(&env, &server, &a.admin, "Drift");
    // An employee certificate for the user, picked up by them.
    let o = testkit::employee_order(&server, &a.admin, &a.user_id);
    let mail = env.wait_for_mail("/api/v1/email-validations/");
    server.confirm_link_in(&mail);
    let (status, got) = server.json(
        "POST",
        &format!("/api/v1/orders/{}/pickup", o["id"].as_str().expect("id")),
        Some(&a.user),
        Some(r#"{"pkcs12": true}"#),
    );
    assert_eq!(status, 200, "{got}");
    let mine = got["certificate_id"].as_str().expect("id");
    let (status, v) = server.json(
        "POST",
        &format!("/api/v1/certificates/{mine}/block"),
        Some(&a.user),
        Some(r#"{"reason": "key_lost"}"#),
    );
    assert_eq!(
        (status, v["status"].as_str()),
        (200, Some("blocked")),
        "{v}"
    );
    let (crl, _) = crl_listing(&env, &server, got["serial"].as_str().expect("serial"));
    assert!(crl_text(&crl).contains("Cessation Of Operation"));
    drop(server);

    // The operator, from the CLI, by serial; again is harmless; a bad serial is refused.
    let block = |reason: &str| {
        env.json(&[
            "cert",
            "block",
            "--serial",
            &other_serial,
            "--reason",
            reason,
        ])
    };
    let out = block("left_organisation");
    assert_eq!(
        (out["status"].as_str(), out["newly_blocked"].as_bool()),
        (Some("blocked"), Some(true))
    );
    let out = block("superseded");
    assert_eq!(
        (out["block_reason"].as_str(), out["newly_blocked"].as_bool()),
        (Some("left_organisation"), Some(false))
    );
    for (serial, reason) in [
        ("zz", "superseded"),
        ("abcdef", "superseded"),
        (other_serial.as_str(), "nope"),
    ] {
        let out = env.run(&["cert", "block", "--serial", serial, "--reason", reason]);
        assert_eq!(out.status.code(), Some(1), "{serial} {reason}");
    }
    let server = env.serve();
    let (crl, _) = crl_listing(&env, &server, &other_serial);
    assert!(crl_text(&crl).contains("Affiliation Changed"));
    assert!(env.ok(&["audit", "verify"]).contains("OK"));
}

#[test]
fn expiry_notices_come_once_per_point_and_stop_on_renewal_or_block() {
    let env = Env::new(ORGCA);
    let a = org(&env, "99999968", "a.dk");
    let server = env.serve();
    let (kept, _, _) = issue(&env, &server, &a.admin, "Udløber");
    let (blocked, _, _) = issue(&env, &server, &a.admin, "Spærres");
    let (renewed, _, _) = issue(&env, &server, &a.admin, "Fornyes");
    let (status, _) = server.json(
        "POST",
        &format!("/api/v1/certificates/{blocked}/block"),
        Some(&a.admin),
        Some(r#"{"reason": "superseded"}"#),
    );
    assert_eq!(status, 200);
    // The renewal of one certificate is picked up: the old one needs no reminders.
    let (status, o) = server.json(
        "POST",
        &format!("/api/v1/certificates/{renewed}/renew"),
        Some(&a.admin),
        None,
    );
    assert_eq!(status, 201, "{o}");
    let csr = testkit::openssl_csr(&env, "renewal", &["-newkey", "rsa:3072"]);
    let body = serde_json::json!({
        "reference": o["reference"], "one_time_code": o["one_time_code"],
        "csr": std::fs::read_to_string(csr).expect("csr"),
    });
    assert_eq!(
        server
            .json("POST", "/api/v1/pickup", None, Some(&body.to_string()))
            .0,
        200
    );
    let (_, cert) = server.json(
        "GET",
        &format!("/api/v1/certificates/{kept}"),
        Some(&a.admin),
        None,
    );
    drop(server);
    let not_after = time::OffsetDateTime::parse(
        cert["not_after"].as_str().expect("not_after"),
        &time::format_description::well_known::Rfc3339,
    )
    .expect("time");
    let run = |days_before: i64| {
        let at = (not_after - time::Duration::days(days_before))
            .format(&time::format_description::well_known::Rfc3339)
            .expect("format");
        env.json(&["notify", "run", "--at", &at])["expiry_notices_queued"]
            .as_i64()
            .expect("count")
    };
    // Two certificates are reminded: the one kept, and the renewal (issued the same
    // minute); not the renewed one, not the blocked one.
    assert_eq!(run(100), 0);
    assert_eq!(run(89), 2, "the 90-day notices");
    assert_eq!(run(89), 0, "never twice");
    assert_eq!(run(60), 0);
    assert_eq!(run(29), 2, "the 30-day notices");
    assert_eq!(run(6), 2, "the 7-day notices");
    assert_eq!(run(1), 0);
    let notices_about = |id: &str| {
        let out = testkit::cmd(
            "sh",
            &[
                "-c",
                &format!(
                    "grep -l 'certificates/{id}/renew' {}/outbox/*.eml | wc -l",
                    env.data().display()
                ),
            ],
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    assert_eq!(notices_about(&kept), "3");
    assert_eq!(notices_about(&renewed), "0");
    assert_eq!(notices_about(&blocked), "0");
    let out = env.run(&["notify", "run", "--at", "soon"]);
    assert_eq!(out.status.code(), Some(1));

    // A day past notAfter the API shows the certificate as expired; a blocked one stays
    // blocked.
    let later = (not_after + time::Duration::days(1))
        .format(&time::format_description::well_known::Rfc3339)
        .expect("format");
    let server = env.serve_with(&[("ORGCA_FAKE_CLOCK", &later)]);
    let status_of = |id: &str| {
        server
            .json(
                "GET",
                &format!("/api/v1/certificates/{id}"),
                Some(&a.admin),
                None,
            )
            .1["status"]
            .clone()
    };
    assert_eq!(status_of(&kept), "expired");
    assert_eq!(status_of(&blocked), "blocked");
}

/// The CDP URL written into a certificate.
fn cdp_of(leaf: &std::path::Path) -> String {
    let out = testkit::cmd(
        "openssl",
        &[
            "x509",
            "-noout",
            "-ext",
            "crlDistributionPoints",
            "-in",
            leaf.to_str().expect("p"),
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    text.split("URI:")
        .nth(1)
        .map(|u| u.trim().to_owned())
        .unwrap_or_else(|| panic!("no CDP URI in {text}"))
}

/// Sets `[crl] partitions` in the data folder's configuration.
fn set_partitions(env: &Env, n: u16) {
    let config = env.data().join("config.toml");
    let text = std::fs::read_to_string(&config).expect("config");
    let at = text.find("[crl]").expect("a [crl] section");
    let (head, tail) = text.split_at(at);
    let tail: String = tail
        .lines()
        .map(|l| {
            if l.starts_with("partitions") {
                format!("partitions = {n}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(&config, format!("{head}{tail}")).expect("write config");
}

#[test]
fn partitioned_crls_list_each_certificate_where_its_cdp_points() {
    let env = Env::new(ORGCA);
    let a = org(&env, "99999966", "a.dk");
    set_partitions(&env, 4);
    let server = env.serve();
    // Six certificates, and more until two partitions are used (six all land in one
    // of four partitions once in 1,024 runs; forty, never in practice: 4^-39).
    let mut leaves: Vec<(String, String, PathBuf, String)> = Vec::new();
    let partitions_used = |leaves: &[(String, String, PathBuf, String)]| {
        leaves
            .iter()
            .map(|l| l.3.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    };
    for i in 0..40 {
        if leaves.len() >= 6 && partitions_used(&leaves) >= 2 {
            break;
        }
        let (id, serial, leaf) = issue(&env, &server, &a.admin, &format!("Del {i}"));
        let cdp = cdp_of(&leaf);
        let file = cdp
            .rsplit('/')
            .next()
            .expect("file")
            .trim_end_matches(".crl")
            .to_owned();
        let shard: u16 = file
            .strip_prefix(&format!("{ISSUING}-p"))
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("the CDP {cdp} names no partition of {ISSUING}"));
        assert!(shard < 4, "{cdp}");
        leaves.push((id, serial, leaf, file));
    }
    assert!(
        partitions_used(&leaves) >= 2,
        "40 certificates in one partition"
    );

    let (id, serial, leaf, file) = &leaves[0];
    let (status, _) = server.json(
        "POST",
        &format!("/api/v1/certificates/{id}/block"),
        Some(&a.admin),
        Some(r#"{"reason": "key_compromised"}"#),
    );
    assert_eq!(status, 200);
    let fetch = |file: &str| {
        let (status, _, body) = server.get(&format!("/crl/{file}.crl"));
        assert_eq!(status, 200, "{file}");
        env.write(&format!("{file}.crl"), body)
    };
    let start = Instant::now();
    let crl = loop {
        let crl = fetch(file);
        if crl_text(&crl)
            .to_lowercase()
            .contains(&format!("serial number: {}", serial.to_lowercase()))
        {
            break crl;
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{file} does not list the block"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    // The partition names itself in a critical issuingDistributionPoint, which OpenSSL
    // matches against the certificate's CDP.
    let text = crl_text(&crl);
    assert!(
        text.contains("Issuing Distribution Point: critical")
            && text.contains(&format!("/crl/{file}.crl")),
        "{text}"
    );
    let (ok, out) = verify_with_crl(&env, leaf, &crl);
    assert!(!ok && out.contains("certificate revoked"), "{out}");
    if testkit::pkilint_available("lint_crl") {
        let bad = testkit::pkilint_errors("lint_crl", &["-t", "CRL", "-p", "PKIX"], &crl);
        assert!(bad.is_empty(), "{bad:?}");
    }
    // Every other certificate is good by its own partition, and no other partition
    // lists the blocked one.
    for (_, other_serial, other_leaf, other_file) in &leaves[1..] {
        let crl = fetch(other_file);
        let (ok, out) = verify_with_crl(&env, other_leaf, &crl);
        assert!(ok, "{other_serial} by {other_file}: {out}");
        if other_file != file {
            assert!(
                !crl_text(&crl)
                    .to_lowercase()
                    .contains(&serial.to_lowercase())
            );
        }
    }
    // The full CRL lists it too.
    let (full, _) = crl_listing(&env, &server, serial);
    assert!(crl_text(&full).contains("Key Compromise"));
    drop(server);

    // Fewer partitions configured later: the ones certificates name stay published.
    set_partitions(&env, 0);
    let server = env.serve();
    for p in 0..4 {
        assert_eq!(
            server.get(&format!("/crl/{ISSUING}-p{p}.crl")).0,
            200,
            "partition {p}"
        );
    }
    assert_eq!(server.get(&format!("/crl/{ISSUING}-p4.crl")).0, 404);
    let (_, _, leaf) = issue(&env, &server, &a.admin, "Hel");
    assert!(cdp_of(&leaf).ends_with(&format!("/crl/{ISSUING}.crl")));
}
