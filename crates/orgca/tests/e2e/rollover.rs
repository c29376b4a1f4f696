//! CA rollover: `orgca ca rollover` makes a new issuing CA under the root and makes it
//! the one that issues; the earlier one keeps its CRL and OCSP answers, and is retired
//! only once its last certificate has expired.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::ORGCA;
use crate::ocsp::ocsp_for;
use orgca_testkit::{self as testkit, Env, cmd_ok, openssl::P256, picked_up_system};

const CVR: &str = "99999911";

fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// The issuer of a PEM certificate, as `openssl x509 -issuer` prints it.
fn issuer_of(pem: &Path) -> String {
    let out = cmd_ok(
        "openssl",
        &[
            "x509",
            "-in",
            p(pem),
            "-noout",
            "-issuer",
            "-nameopt",
            "RFC2253",
        ],
    );
    String::from_utf8_lossy(&out).trim().to_owned()
}

/// Whether the CRL the server serves as `ca` verifies with `issuer` and lists `serial`.
fn crl_lists(env: &Env, server: &testkit::Server, ca: &str, issuer: &Path, serial: &str) -> bool {
    testkit::openssl::served_crl_text(env, server, ca, issuer)
        .to_uppercase()
        .contains(&serial.to_uppercase())
}

/// The state `ca list` shows for the CA `name`.
fn state(env: &Env, name: &str) -> serde_json::Value {
    env.json(&["ca", "list"])
        .as_array()
        .expect("list")
        .iter()
        .find(|c| c["name"] == name)
        .map(|c| c["state"].clone())
        .unwrap_or_default()
}

#[test]
fn after_a_rollover_the_new_ca_issues_and_the_old_one_keeps_its_status() {
    let env = Env::new(ORGCA);
    let org = testkit::org(&env, CVR, "rul.dk");
    let server = env.serve();
    let (old_id, old_serial, old_pem) = picked_up_system(&env, &server, &org.admin, "Gammel", P256);
    server.stop();

    let rolled = env.json(&["ca", "rollover", "--test"]);
    assert_eq!(rolled["name"], "test-issuing-2", "{rolled}");
    assert_eq!(rolled["previous"], "test-issuing-1", "{rolled}");
    assert!(
        rolled["subject"]
            .as_str()
            .is_some_and(|s| s.contains("udstedende-CA 2")),
        "{rolled}"
    );
    let events = env.sql("SELECT count(*) FROM audit_events WHERE action = 'ca.rolled_over'");
    assert_eq!(events.trim(), "1");
    assert_eq!(state(&env, "test-issuing-2"), "current");
    assert_eq!(state(&env, "test-issuing-1"), "earlier");
    // The old CA still vouches for a certificate: it cannot be retired, nor can the
    // current one.
    for (name, why) in [
        ("test-issuing-1", "not expired"),
        ("test-issuing-2", "is current"),
    ] {
        let out = env.run(&["ca", "retire", name]);
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && said.contains(why),
            "{name}: {said}"
        );
    }

    let server = env.serve();
    let (_, new_serial, new_pem) = picked_up_system(&env, &server, &org.admin, "Ny", P256);
    let root = env.ca_file("test-root");
    let (old_ca, new_ca) = (env.ca_file("test-issuing-1"), env.ca_file("test-issuing-2"));
    assert!(
        issuer_of(&new_pem).contains("udstedende-CA 2"),
        "{}",
        issuer_of(&new_pem)
    );
    assert!(
        issuer_of(&old_pem).contains("udstedende-CA 1"),
        "{}",
        issuer_of(&old_pem)
    );
    testkit::assert_chain_verifies(&root, &new_ca, &new_pem, "issued after the rollover");
    testkit::assert_chain_verifies(&root, &old_ca, &old_pem, "issued before the rollover");
    // A renewal of the old CA's certificate comes from the new CA, delivered with the
    // new CA's chain.
    let (status, order) = server.json(
        "POST",
        &format!("/api/v1/certificates/{old_id}/renew"),
        Some(&org.admin),
        None,
    );
    assert_eq!(status, 201, "{order}");
    let csr = testkit::openssl_csr(&env, "renewed", P256);
    let body = serde_json::json!({
        "reference": order["reference"], "one_time_code": order["one_time_code"],
        "csr": std::fs::read_to_string(csr).expect("csr"),
    });
    let (status, renewed) = server.json("POST", "/api/v1/pickup", None, Some(&body.to_string()));
    assert_eq!(status, 200, "{renewed}");
    let renewed_pem = env.write(
        "renewed.pem",
        renewed["certificate_pem"].as_str().expect("pem"),
    );
    assert!(issuer_of(&renewed_pem).contains("udstedende-CA 2"));
    let new_ca_pem = std::fs::read_to_string(&new_ca).expect("new CA");
    assert!(
        renewed["chain_pem"]
            .as_str()
            .is_some_and(|c| c.starts_with(new_ca_pem.trim_end())),
        "the chain starts with the new CA: {renewed}"
    );
    if testkit::pkilint_available("lint_pkix_cert") {
        let bad = testkit::pkilint_errors("lint_pkix_cert", &[], &new_ca);
        assert!(bad.is_empty(), "the new issuing CA: {bad:?}");
    }

    // Both answer OCSP for their own certificates.
    assert!(ocsp_for(&env, &server, "test-issuing-2", &["-cert", p(&new_pem)]).contains(": good"));
    assert!(ocsp_for(&env, &server, "test-issuing-1", &["-cert", p(&old_pem)]).contains(": good"));
    // A block of the old CA's certificate reaches its OCSP answers and its CRL.
    let (status, v) = server.json(
        "POST",
        &format!("/api/v1/certificates/{old_id}/block"),
        Some(&org.admin),
        Some(r#"{"reason": "superseded"}"#),
    );
    assert_eq!(status, 200, "{v}");
    let start = Instant::now();
    loop {
        let out = ocsp_for(
            &env,
            &server,
            "test-issuing-1",
            &["-no_nonce", "-cert", p(&old_pem)],
        );
        if out.contains(": revoked") {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "{out}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let crl_lists = |ca, issuer, serial| crl_lists(&env, &server, ca, issuer, serial);
    let start = Instant::now();
    while !crl_lists("test-issuing-1", &old_ca, &old_serial) {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the old CA's CRL lists the block"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(!crl_lists("test-issuing-2", &new_ca, &old_serial));
    assert!(!crl_lists("test-issuing-2", &new_ca, &new_serial));
    server.stop();

    // Three years and a day on, the old CA's certificates have expired: it is retired
    // with a final CRL, which the server serves in place of the ones it signed.
    let later = (time::OffsetDateTime::now_utc() + time::Duration::days(3 * 366 + 1))
        .format(&time::format_description::well_known::Rfc3339)
        .expect("format");
    let clock = [("ORGCA_FAKE_CLOCK", later.as_str())];
    let out = env.run_with(&clock, &["ca", "retire", "test-issuing-1"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = env.run_with(&clock, &["ca", "retire", "test-issuing-1"]);
    assert!(!out.status.success(), "retired once only");
    assert_eq!(state(&env, "test-issuing-1"), "retired");
    let server = env.serve_with(&clock);
    assert!(
        self::crl_lists(&env, &server, "test-issuing-1", &old_ca, &old_serial),
        "the final CRL lists what the CA revoked"
    );
    let (_, _, der) = server.get("/crl/test-issuing-1.crl");
    let file = env.write("final.crl", der);
    let text = cmd_ok(
        "openssl",
        &[
            "crl",
            "-inform",
            "DER",
            "-in",
            p(&file),
            "-noout",
            "-nextupdate",
            "-crlnumber",
        ],
    );
    let text = String::from_utf8_lossy(&text);
    let ca_until = cmd_ok(
        "openssl",
        &["x509", "-in", p(&old_ca), "-noout", "-enddate"],
    );
    let ca_until = String::from_utf8_lossy(&ca_until);
    let date = |s: &str, key: &str| {
        s.lines()
            .find_map(|l| l.strip_prefix(key))
            .map(str::to_owned)
            .unwrap_or_default()
    };
    assert_eq!(
        date(&text, "nextUpdate="),
        date(&ca_until, "notAfter="),
        "the final CRL is valid until its CA expires: {text}"
    );
    let events =
        env.sql("SELECT count(*) FROM audit_events WHERE action IN ('ca.retired', 'crl.kept')");
    assert_eq!(events.trim(), "2");
}
