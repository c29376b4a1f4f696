//! CA keys on a PKCS#11 token (SoftHSM2 here): made there by `init`, used through it
//! for certificates and CRLs, never written to the keys folder, and refused clearly
//! without the token's PIN.

use std::path::Path;

use crate::ORGCA;
use orgca_testkit::{self as testkit, BASE_URL, Env, softhsm};

/// A production organisation (a CVR that passes the mod-11 check).
const CVR: &str = "10000009";

/// A SoftHSM2 token labelled `orgca-ca` in the environment's folder, and `init` with the
/// production hierarchy's keys on it; answers the variables every command then needs
/// (the module's configuration, the PIN), or `None` when SoftHSM2 is missing.
fn init_on_token(env: &Env, what: &str) -> Option<[(&'static str, String); 2]> {
    let conf = softhsm::token(&env.path(""), "orgca-ca", what)?;
    let conf = conf.to_str().expect("path").to_owned();
    let prepared = env.write(
        "prepared.toml",
        format!(
            "[ca_token]\npkcs11_module = \"{}\"\npkcs11_token = \"orgca-ca\"\n",
            softhsm::MODULE
        ),
    );
    let init = [
        "init",
        "--public-base-url",
        BASE_URL,
        "--config",
        prepared.to_str().expect("path"),
    ];
    // No PIN: init refuses, naming the CA token, and leaves nothing behind.
    let refused = env.run_with(&[("SOFTHSM2_CONF", conf.as_str())], &init);
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success() && said.contains("CA token"),
        "{said}"
    );
    assert!(
        !env.data().join("config.toml").exists(),
        "nothing was initialised"
    );
    let vars = [
        ("SOFTHSM2_CONF", conf),
        ("ORGCA_CA_TOKEN_PIN", softhsm::PIN.to_owned()),
    ];
    env.ok_with(&borrowed(&vars), &init);
    Some(vars)
}

fn borrowed<'a>(vars: &'a [(&'static str, String); 2]) -> [(&'static str, &'a str); 2] {
    [
        (vars[0].0, vars[0].1.as_str()),
        (vars[1].0, vars[1].1.as_str()),
    ]
}

#[test]
fn production_ca_keys_live_on_the_token_and_sign_there() {
    let env = Env::empty(ORGCA);
    let Some(vars) = init_on_token(&env, "CA keys on PKCS#11") else {
        return;
    };
    let with_pin = borrowed(&vars);
    let conf = vars[0].1.clone();
    // The keys folder holds the test hierarchy's three files and no production key.
    let mut files: Vec<String> = std::fs::read_dir(env.data().join("keys"))
        .expect("keys folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files.len(), 3, "{files:?}");
    assert!(files.iter().all(|f| f.starts_with("test-")), "{files:?}");
    let refs = env
        .sql("SELECT key_ref FROM ca_certificates WHERE environment = 'production' ORDER BY name");
    assert_eq!(refs.lines().count(), 3, "{refs}");
    assert!(
        refs.lines()
            .all(|r| r.starts_with("pkcs11:object=production-")),
        "{refs}"
    );

    // On the token: four private keys, sensitive and never extractable.
    if let Some(listed) =
        softhsm::list_objects(Path::new(&conf), "orgca-ca", &["--type", "privkey"])
    {
        // The three CA keys and the audit key (EC P-256, made by init for the first
        // checkpoint).
        assert_eq!(listed.matches("Private Key Object").count(), 4, "{listed}");
        assert_eq!(listed.matches("never extractable").count(), 4, "{listed}");
        assert!(listed.contains("orgca-audit"), "{listed}");
    }

    // A production certificate, signed by the issuing CA's key on the token, verifies
    // with OpenSSL up to the production root.
    env.ok_with(
        &with_pin,
        &["org", "create", "--cvr", CVR, "--name", "Tokenfirma ApS"],
    );
    let csr = testkit::openssl_csr(&env, "leaf", testkit::openssl::P256);
    let issued: serde_json::Value = serde_json::from_str(&env.ok_with(
        &with_pin,
        &[
            "cert",
            "issue",
            "--org",
            CVR,
            "--kind",
            "system",
            "--name=Lønsystem",
            "--csr",
            csr.to_str().expect("p"),
            "--json",
        ],
    ))
    .expect("json");
    let leaf = env.write("leaf.pem", issued["certificate_pem"].as_str().expect("pem"));
    let root = env.ca_file("production-root");
    let issuing = env.ca_file("production-issuing-1");
    testkit::assert_chain_verifies(&root, &issuing, &leaf, "a certificate signed on the token");

    // The server loads the keys from the token and publishes CRLs signed there.
    let server = env.serve_with(&with_pin);
    for (ca, issuer) in [
        ("production-issuing-1", &issuing),
        ("production-root", &root),
    ] {
        testkit::openssl::served_crl_text(&env, &server, ca, issuer);
    }
}

/// The token goes away while `serve` runs (SoftHSM2's token folder moved away) and comes
/// back: meanwhile the health check and issuance answer 503 saying why, nothing is
/// recorded as issued, a block is kept; once it is back, service resumes without a
/// restart, the same one-time code picks the certificate up, and the CRL catches up with
/// the block.
#[test]
fn a_token_that_goes_away_and_comes_back_loses_nothing() {
    let env = Env::empty(ORGCA);
    let Some(vars) = init_on_token(&env, "CA token away") else {
        return;
    };
    let with_pin = borrowed(&vars);
    env.ok_with(
        &with_pin,
        &["org", "create", "--cvr", CVR, "--name", "Tokenfirma ApS"],
    );
    env.ok_with(
        &with_pin,
        &[
            "user",
            "create",
            "--org",
            CVR,
            "--email",
            "admin@token.dk",
            "--given-name",
            "Ane",
            "--surname",
            "Holm",
            "--role",
            "org_admin",
        ],
    );
    let made: serde_json::Value = serde_json::from_str(&env.ok_with(
        &with_pin,
        &["token", "create", "--user", "admin@token.dk", "--json"],
    ))
    .expect("json");
    let admin = made["token"].as_str().expect("token").to_owned();
    let server = env.serve_with(&with_pin);
    let (status, health) = server.json("GET", "/healthz", None, None);
    assert_eq!(status, 200, "{health}");

    let profile = testkit::flows::profile(
        &server,
        &admin,
        r#"{"kind": "system", "name": "Lønsystem", "contact": {"name": "Ane", "email": "ane@token.dk"}}"#,
    );
    let csr_order = r#"{"identification": "one_time_code", "issuance": "csr"}"#;
    let pickup = |order: &serde_json::Value, name: &str| {
        let csr = testkit::openssl_csr(&env, name, testkit::openssl::P256);
        let body = serde_json::json!({
            "reference": order["reference"], "one_time_code": order["one_time_code"],
            "csr": std::fs::read_to_string(csr).expect("csr"),
        });
        server.json("POST", "/api/v1/pickup", None, Some(&body.to_string()))
    };
    let first = testkit::flows::order(&server, &admin, &profile, csr_order);
    let (status, issued) = pickup(&first, "first");
    assert_eq!(status, 200, "{issued}");
    let certificates = || env.sql("SELECT count(*) FROM certificates");
    assert_eq!(certificates().trim(), "1");

    // The token goes away.
    let tokens = env.path("tokens");
    let away = env.path("tokens-away");
    std::fs::rename(&tokens, &away).expect("move the token away");

    let (status, health) = server.json("GET", "/healthz", None, None);
    assert_eq!(status, 503, "{health}");
    assert_eq!(health["code"], "key_token_unavailable", "{health}");
    assert!(
        health["detail"]
            .as_str()
            .is_some_and(|d| d.contains("production-issuing-1")),
        "{health}"
    );
    let second = testkit::flows::order(&server, &admin, &profile, csr_order);
    let (status, refused) = pickup(&second, "second");
    assert_eq!(status, 503, "{refused}");
    assert_eq!(refused["code"], "key_token_unavailable", "{refused}");
    assert_eq!(certificates().trim(), "1", "nothing recorded as issued");
    // A block is taken while the token is away: the store keeps it.
    let first_id = issued["certificate_id"].as_str().expect("id");
    let (status, v) = server.json(
        "POST",
        &format!("/api/v1/certificates/{first_id}/block"),
        Some(&admin),
        Some(r#"{"reason": "key_compromised"}"#),
    );
    assert_eq!(status, 200, "{v}");

    // The token is back: the health check reconnects, the same code picks up.
    std::fs::rename(&away, &tokens).expect("bring the token back");
    let (status, health) = server.json("GET", "/healthz", None, None);
    assert_eq!(status, 200, "{health}\n{}", env.server_log());
    let (status, issued_now) = pickup(&second, "second-again");
    assert_eq!(status, 200, "{issued_now}");
    let leaf = env.write(
        "second.pem",
        issued_now["certificate_pem"].as_str().expect("pem"),
    );
    let root = env.ca_file("production-root");
    let issuing = env.ca_file("production-issuing-1");
    testkit::assert_chain_verifies(&root, &issuing, &leaf, "signed after the token came back");

    // The CRL, signed on the token, catches up with the block taken while it was away.
    let serial = issued["serial"].as_str().expect("serial").to_uppercase();
    let start = std::time::Instant::now();
    loop {
        let text =
            testkit::openssl::served_crl_text(&env, &server, "production-issuing-1", &issuing);
        if text.to_uppercase().contains(&serial) {
            break;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(15),
            "the CRL does not list {serial} yet: {text}"
        );
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
}
