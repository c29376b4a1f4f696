//! Operating orgca: init, organisations, the audit trail, the server, restarts, and the
//! same flow on PostgreSQL.

use std::collections::BTreeMap;
use std::path::Path;

use crate::ORGCA;
use orgca_testkit::{self as testkit, BASE_URL, Env, cmd, openssl_csr, org};

fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir).expect("read_dir") {
        let e = e.expect("entry");
        if e.file_type().expect("type").is_dir() {
            for (k, v) in snapshot(&e.path()) {
                out.insert(format!("{}/{k}", e.file_name().to_string_lossy()), v);
            }
        } else {
            out.insert(
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("read"),
            );
        }
    }
    out
}

#[test]
fn init_creates_both_hierarchies_and_refuses_a_second_time() {
    let env = Env::empty(ORGCA);
    let out = env.run(&["init", "--public-base-url", BASE_URL]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cas = env.json(&["ca", "list"]);
    let names: Vec<&str> = cas
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "production-root",
            "production-issuing-1",
            "production-signing-1",
            "test-root",
            "test-issuing-1",
            "test-signing-1"
        ]
    );
    for c in cas.as_array().expect("array") {
        let subject = c["subject"].as_str().expect("subject");
        assert_eq!(
            subject.contains("OU=Test"),
            c["environment"] == "test",
            "{subject}"
        );
    }
    // Root: RSA-4096, 25 years; issuing and signing: RSA-3072, 10 years, pathLen 0; all
    // RSASSA-PSS.
    for (name, bits, years, pathlen) in [
        ("production-root", 4096, 25, false),
        ("test-issuing-1", 3072, 10, true),
        ("test-signing-1", 3072, 10, true),
    ] {
        let pem = env.ca_file(name);
        let text = String::from_utf8(
            cmd(
                "openssl",
                &["x509", "-noout", "-text", "-in", pem.to_str().expect("p")],
            )
            .stdout,
        )
        .expect("utf8");
        assert!(
            text.contains(&format!("Public-Key: ({bits} bit)")),
            "{name}: {text}"
        );
        assert!(text.contains("Signature Algorithm: rsassaPss"), "{name}");
        assert!(text.contains("CA:TRUE"), "{name}");
        assert_eq!(text.contains("pathlen:0"), pathlen, "{name}");
        assert!(text.contains("Certificate Sign, CRL Sign"), "{name}");
        let c = cas
            .as_array()
            .expect("a")
            .iter()
            .find(|c| c["name"] == name)
            .expect("listed");
        let year = |k: &str| {
            c[k].as_str()
                .and_then(|s| s.get(..4))
                .and_then(|y| y.parse::<i32>().ok())
                .expect("year")
        };
        assert_eq!(year("not_after") - year("not_before"), years, "{name}");
    }
    // The issuing CA chains to its root under strict checks.
    let (root, issuing) = (
        env.ca_file("production-root"),
        env.ca_file("production-issuing-1"),
    );
    let v = cmd(
        "openssl",
        &[
            "verify",
            "-x509_strict",
            "-CAfile",
            root.to_str().expect("p"),
            issuing.to_str().expect("p"),
        ],
    );
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));
    // Keys are encrypted at rest, and OpenSSL opens them with the passphrase.
    let key = env.data().join("keys/production-issuing-1.key.pem");
    let text = std::fs::read_to_string(&key).expect("key");
    assert!(text.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    let pass = env.data().join("secrets/key-passphrase");
    let opened = cmd(
        "openssl",
        &[
            "pkey",
            "-in",
            key.to_str().expect("p"),
            "-passin",
            &format!("file:{}", pass.display()),
            "-noout",
        ],
    );
    assert!(
        opened.status.success(),
        "{}",
        String::from_utf8_lossy(&opened.stderr)
    );
    // A second init refuses and changes nothing.
    let before = snapshot(&env.data());
    let again = env.run(&["init"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already initialised"));
    assert_eq!(snapshot(&env.data()), before);
    assert_eq!(
        env.audit_events(),
        7,
        "one event per CA, and the first checkpoint's"
    );
}

#[test]
fn commands_on_an_uninitialised_folder_say_what_to_do() {
    let env = Env::empty(ORGCA);
    let out = env.run(&["ca", "list"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("orgca init"));
    // serve on an empty folder needs to know the address relying parties reach.
    let out = env.run(&["serve", "--listen", "127.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("orgca init --public-base-url URL") && err.contains("orgca demo"),
        "{err}"
    );
    assert!(!env.data().join("config.toml").exists());
}

/// A production hierarchy lives 10 and 25 years: init refuses a base URL that only this
/// machine reaches, unless told it is a local trial.
#[test]
fn init_refuses_a_base_url_of_this_machine_unless_it_is_a_local_trial() {
    let env = Env::empty(ORGCA);
    for local in [
        None,
        Some("http://localhost:8080"),
        Some("http://127.0.0.1:9000"),
        Some("http://ca"),
    ] {
        let mut args = vec!["init"];
        args.extend(local.iter().flat_map(|url| ["--public-base-url", url]));
        let out = env.run(&args);
        assert_eq!(out.status.code(), Some(1), "{local:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("names this machine") && err.contains("--local-trial"),
            "{err}"
        );
        assert!(
            !env.data().join("keys").exists()
                || std::fs::read_dir(env.data().join("keys"))
                    .expect("keys")
                    .next()
                    .is_none()
        );
        assert!(
            !env.data().join("config.toml").exists(),
            "nothing was changed"
        );
    }
    let out = env.run(&["init", "--local-trial"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let config = std::fs::read_to_string(env.data().join("config.toml")).expect("config");
    assert!(
        config.contains("public_base_url = \"http://localhost:8080\""),
        "{config}"
    );
}

/// `orgca demo` on an empty folder is a complete start: it names where it listens in
/// its certificates and links, and prints once a link to set the administrator's
/// password and an API token, which both work; a second start prints no new secret.
#[test]
fn the_demo_is_a_complete_start() {
    let env = Env::empty(ORGCA);
    let server = env.demo();
    let log = wait_for_log(&env, "mail goes to");
    assert!(!log.contains('\u{1b}'), "no colour codes in a file: {log}");
    let port = server.addr.rsplit(':').next().expect("port");
    let base = format!("http://localhost:{port}");
    let config = std::fs::read_to_string(env.data().join("config.toml")).expect("config");
    assert!(
        config.contains(&format!("public_base_url = \"{base}\"")),
        "{config}"
    );
    let issuing = env.write("issuing.pem", env.ok(&["ca", "cert", "test-issuing-1"]));
    let text = testkit::cmd(
        "openssl",
        &[
            "x509",
            "-noout",
            "-text",
            "-in",
            issuing.to_str().expect("p"),
        ],
    );
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains(&format!("{base}/crl/test-root.crl")),
        "{text}"
    );
    let link = log
        .split_whitespace()
        .find(|w| w.starts_with(&format!("{base}/portal/password/")))
        .expect("a password link");
    let token = log
        .split("Bearer ")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .expect("a token");
    let (status, org) = server.json("GET", "/api/v1/organisation", Some(token), None);
    assert_eq!(
        (status, org["cvr"].as_str()),
        (200, Some("99999999")),
        "{org}"
    );
    let (status, _, page) = server.get(link.trim_start_matches(&base));
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&page));
    assert!(String::from_utf8_lossy(&page).contains("admin@demo.orgca.test"));
    drop(server);
    let before = env.server_log().len();
    let _again = env.demo();
    let log = wait_for_log(&env, "demo: the portal is at");
    let second = &log[before..];
    assert!(
        second.contains("orgca user password-link --email admin@demo.orgca.test"),
        "{second}"
    );
    assert!(
        !second.contains("Bearer") && !second.contains("/portal/password/"),
        "{second}"
    );
}

/// The server log once it holds `needle` (up to 15 s).
fn wait_for_log(env: &Env, needle: &str) -> String {
    for _ in 0..150 {
        let log = env.server_log();
        if log.contains(needle) {
            return log;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("{needle:?} not in the server log: {}", env.server_log());
}

#[test]
fn cvr_rules_for_production_and_test() {
    let env = Env::new(ORGCA);
    let bad = env.run(&["org", "create", "--cvr", "12345678", "--name", "Firma A/S"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("mod-11"));
    let t = env.json(&[
        "org",
        "create",
        "--cvr",
        "12345678",
        "--name",
        "Testorganisation nr. 12345678",
        "--test",
    ]);
    assert_eq!(t["environment"], "test");
    let dup = env.run(&[
        "org", "create", "--cvr", "12345678", "--name", "Again", "--test",
    ]);
    assert_eq!(dup.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&dup.stderr).contains("exists already"));
    for junk in ["1234567", "abcdefgh", ""] {
        let out = env.run(&["org", "create", "--cvr", junk, "--name", "X", "--test"]);
        assert_eq!(out.status.code(), Some(1), "{junk:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("8 digits"),
            "{junk:?}"
        );
    }
}

#[test]
fn tampering_with_an_audit_row_is_named() {
    let env = Env::new(ORGCA);
    env.ok(&[
        "org", "create", "--cvr", "99999998", "--name", "T", "--test",
    ]);
    let csr = openssl_csr(
        &env,
        "k",
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
    );
    env.issue_system("99999998", "S", &csr);
    // 6 CAs, init's checkpoint, the organisation, the certificate.
    assert_eq!(env.audit_events(), 9);
    // Intact: the chain, and init's checkpoint (event 6) under the audit key.
    let json = env.run(&["audit", "verify", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["checkpoints"]["verified"], 1, "{v}");
    assert_eq!(v["checkpoints"]["last_verified"], 6, "{v}");
    assert_eq!(
        v["checkpoints"]["key_id"].as_str().map(str::len),
        Some(8),
        "{v}"
    );
    // Edit a CA's event (seq 5) behind orgca's back.
    env.sql("UPDATE audit_events SET actor = 'mallory' WHERE seq = 5");
    let out = env.run(&["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("BROKEN at event 5"), "{text}");
    let json = env.run(&["audit", "verify", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(
        (v["ok"].as_bool(), v["first_break"]["seq"].as_i64()),
        (Some(false), Some(5))
    );
}

#[test]
fn server_answers_and_data_survives_a_restart() {
    let env = Env::new(ORGCA);
    env.ok(&[
        "org", "create", "--cvr", "99999997", "--name", "T", "--test",
    ]);
    let csr = openssl_csr(&env, "k", &["-newkey", "rsa:3072"]);
    let issued = env.issue_system("99999997", "S", &csr);
    let server = env.serve();
    let (status, _, body) = server.get("/healthz");
    assert_eq!(
        (status, String::from_utf8_lossy(&body).contains("ok")),
        (200, true)
    );
    let root_pem = env.ok(&["ca", "cert", "test-root"]);
    let root_der = cmd(
        "openssl",
        &[
            "x509",
            "-outform",
            "DER",
            "-in",
            env.ca_file("test-root").to_str().expect("p"),
        ],
    )
    .stdout;
    let (status, headers, body) = server.get("/ca/test-root.cer");
    assert_eq!(status, 200);
    assert!(
        headers
            .iter()
            .any(|(k, v)| k == "content-type" && v == "application/pkix-cert")
    );
    assert_eq!(
        body,
        root_der,
        "served DER equals `ca cert` ({} PEM bytes)",
        root_pem.len()
    );
    let (status, headers, body) = server.get("/ca/nope.cer");
    assert_eq!(status, 404);
    assert!(
        headers
            .iter()
            .any(|(k, v)| k == "content-type" && v == "application/problem+json")
    );
    let problem: serde_json::Value = serde_json::from_slice(&body).expect("problem json");
    assert_eq!(
        (problem["status"].as_i64(), problem["code"].as_str()),
        (Some(404), Some("not_found"))
    );
    assert_eq!(server.get("/no/such/path").0, 404);
    // Names that cannot be CA names are a 404, never a database error.
    for odd in [
        "/ca/%00.cer",
        "/ca/..%2Fconfig.toml.cer",
        "/ca/.cer",
        "/ca/TEST-ROOT.cer",
    ] {
        assert_eq!(server.get(odd).0, 404, "{odd}");
    }
    let (status, _, body) = server.get("/metrics");
    let metrics = String::from_utf8_lossy(&body);
    assert_eq!(status, 200);
    assert!(metrics.contains("orgca_http_requests_total"), "{metrics}");
    assert!(metrics.contains("route=\"/ca/{file}\""), "{metrics}");
    assert!(server.stop().success(), "graceful shutdown exits 0");
    // Restart: the certificate, the CAs and the chain are all still there. This time
    // the metrics ask for a token.
    let server = env.serve_with(&[("ORGCA_METRICS_TOKEN", "skraber-hemmelighed")]);
    assert_eq!(server.get("/ca/test-issuing-1.cer").0, 200);
    assert_eq!(server.get("/metrics").0, 401);
    let wrong = server.request("GET", "/metrics", Some("skraber-hemmeligheD"), None);
    assert_eq!(wrong.0, 401);
    let (status, _, body) = server.request("GET", "/metrics", Some("skraber-hemmelighed"), None);
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&body).contains("orgca_http_requests_total"));
    drop(server);
    let list = env.json(&["cert", "list", "--org", "99999997"]);
    assert_eq!(list[0]["serial"], issued["serial"]);
    // 9 events, plus each start's two OCSP responder certificates (one per issuing CA)
    // and its checkpoint.
    assert_eq!(env.audit_events(), 9 + 2 * 3);
}

#[test]
fn postgres_backend_end_to_end() {
    let Ok(base) = std::env::var("ORGCA_TEST_POSTGRES_URL") else {
        orgca_testkit::skipped("PostgreSQL end to end: ORGCA_TEST_POSTGRES_URL is not set");
        return;
    };
    let name = format!("orgca_e2e_{}", std::process::id());
    let created = cmd(
        "psql",
        &[
            &base,
            "-q",
            "-c",
            &format!("DROP DATABASE IF EXISTS {name}"),
            "-c",
            &format!("CREATE DATABASE {name}"),
        ],
    );
    assert!(
        created.status.success(),
        "psql: {}",
        String::from_utf8_lossy(&created.stderr)
    );
    let (head, _) = base.rsplit_once('/').expect("URL with a database");
    let url = format!("{head}/{name}");
    let env = Env::empty(ORGCA);
    let run = |args: &[&str]| {
        let mut a = args.to_vec();
        a.extend(["--database-url", &url]);
        env.run(&a)
    };
    assert!(
        run(&["init", "--public-base-url", BASE_URL])
            .status
            .success()
    );
    assert!(
        !env.data().join("orgca.db").exists(),
        "no SQLite file when PostgreSQL is used"
    );
    assert!(
        run(&["org", "create", "--cvr", "12345674", "--name", "Firma ApS"])
            .status
            .success()
    );
    let csr = openssl_csr(&env, "k", &["-newkey", "rsa:3072"]);
    let out = run(&[
        "cert",
        "issue",
        "--org",
        "12345674",
        "--kind",
        "organisation",
        "--name",
        "Firma",
        "--csr",
        csr.to_str().expect("p"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The URL was recorded by init: later commands find the database without the flag.
    // Six CAs, init's checkpoint, the organisation, the certificate.
    let v = env.json(&["audit", "verify"]);
    assert_eq!(
        (v["ok"].as_bool(), v["events"].as_i64()),
        (Some(true), Some(9))
    );
    // Tamper in PostgreSQL itself.
    let t = cmd(
        "psql",
        &[
            &url,
            "-q",
            "-c",
            "UPDATE audit_events SET details = '{}' WHERE seq = 6",
        ],
    );
    assert!(t.status.success());
    let broken = env.run(&["audit", "verify"]);
    assert_eq!(broken.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&broken.stdout).contains("event 6"));
    let _ = cmd(
        "psql",
        &[
            &base,
            "-q",
            "-c",
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        ],
    );
}

#[test]
fn init_takes_a_prepared_config_and_refuses_a_bad_one() {
    let env = Env::empty(ORGCA);
    let prepared = env.write(
        "prepared.toml",
        r#"
signature = "rsa-pkcs1-sha256"
[hierarchies.production.root]
common_name = "Firma Rod-CA"
organization = "Firma A/S"
country = "DK"
"#,
    );
    let typo = env.write("typo.toml", "public_base_ulr = \"http://x\"\n");
    let bad = env.run(&["init", "--config", typo.to_str().expect("p")]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("typo.toml is not valid"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    assert!(!env.data().join("config.toml").exists(), "nothing written");
    let out = env.run(&[
        "init",
        "--config",
        prepared.to_str().expect("p"),
        "--public-base-url",
        BASE_URL,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cas = env.json(&["ca", "list"]);
    assert_eq!(cas[0]["subject"], "CN=Firma Rod-CA,O=Firma A/S,C=DK");
    // Keys left out keep their defaults.
    assert_eq!(
        cas[1]["subject"],
        "CN=orgca OCES udstedende-CA 1,O=orgca,C=DK"
    );
    let root = env.ca_file("production-root");
    let text = String::from_utf8(
        cmd(
            "openssl",
            &["x509", "-noout", "-text", "-in", root.to_str().expect("p")],
        )
        .stdout,
    )
    .expect("utf8");
    assert!(
        text.contains("sha256WithRSAEncryption"),
        "PKCS#1 v1.5 as configured"
    );
    let written = std::fs::read_to_string(env.data().join("config.toml")).expect("config");
    assert!(written.contains(BASE_URL), "the flag overrides the file");
}

#[test]
fn users_tokens_and_organisation_settings() {
    let env = Env::new(ORGCA);
    env.ok(&[
        "org",
        "create",
        "--cvr",
        "99999996",
        "--name",
        "Testorganisation nr. 99999996",
        "--test",
    ]);
    let user = |email: &str, role: &str, seal: bool| {
        let mut a = vec![
            "user",
            "create",
            "--org",
            "99999996",
            "--email",
            email,
            "--given-name",
            "Søren",
            "--surname",
            "Ærø",
            "--role",
            role,
        ];
        if seal {
            a.push("--seal");
        }
        env.run(&a)
    };
    let off = env.json(&["org", "set", "--cvr", "99999996", "--seals", "off"]);
    assert_eq!(
        off["settings"],
        serde_json::json!({"user_certificates": true, "organisation_certificates": true, "seals": false})
    );
    let refused = user("sealer@firma.dk", "user", true);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("seal right is switched off"));
    env.ok(&["org", "set", "--cvr", "99999996", "--seals", "on"]);
    assert!(user("sealer@firma.dk", "user", true).status.success());
    assert!(user("admin@firma.dk", "org_admin", false).status.success());
    for (email, role, expected) in [
        ("admin@firma.dk", "user", "exists already"),
        ("x@firma.dk", "boss", "unknown role"),
        ("søren@firma.dk", "user", "non-ASCII"),
    ] {
        let out = user(email, role, false);
        assert_eq!(out.status.code(), Some(1), "{email} {role}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(expected),
            "{email}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let users = env.json(&["user", "list", "--org", "99999996"]);
    assert_eq!(users.as_array().map(Vec::len), Some(2));
    assert_eq!(users[1]["seal"], true);
    // The token is printed once and stored only as its SHA-256.
    let t = env.json(&["token", "create", "--user", "admin@firma.dk"]);
    let token = t["token"].as_str().expect("token");
    assert!(
        token.starts_with("orgca_") && token.len() == 6 + 64,
        "{token}"
    );
    let token_file = env.write("token.txt", token);
    let digest = cmd(
        "openssl",
        &["dgst", "-sha256", "-r", token_file.to_str().expect("path")],
    );
    let sha256 = String::from_utf8_lossy(&digest.stdout)
        .split_whitespace()
        .next()
        .expect("digest")
        .to_owned();
    let count = env.sql(&format!(
        "SELECT COUNT(*) FROM api_tokens WHERE token_sha256 = '{sha256}'"
    ));
    assert_eq!(count.trim(), "1");
    let token_in = env.sqlite_files_holding(token.as_bytes());
    assert!(token_in.is_empty(), "plaintext token in {token_in:?}");
    let unknown = env.run(&["token", "create", "--user", "nobody@firma.dk"]);
    assert_eq!(unknown.status.code(), Some(1));
    // 6 CAs + init's checkpoint + org + 2 settings changes + 2 users + 1 token.
    assert_eq!(env.audit_events(), 13);
}

/// Queued mail bodies are sealed: a password link's token is in no SQLite file (database,
/// WAL, shared memory) while its mail waits, nor after the mail went out. A command that
/// cannot read the passphrase queues nothing and says what to set.
#[test]
fn link_tokens_never_rest_in_the_database() {
    let env = Env::new(ORGCA);
    org(&env, "99999938", "s.dk");
    let path = testkit::password_link_path(&env, "admin@s.dk");
    let token = path.rsplit('/').next().expect("token").to_owned();
    assert_eq!(
        env.sql("SELECT COUNT(*) FROM mail_queue WHERE sent_at IS NULL")
            .trim(),
        "1"
    );
    let waiting = env.sqlite_files_holding(token.as_bytes());
    assert!(waiting.is_empty(), "a waiting link token in {waiting:?}");
    let server = env.serve();
    assert!(env.wait_for_mail("/portal/password/").contains(&token));
    drop(server);
    let sent = env.sqlite_files_holding(token.as_bytes());
    assert!(sent.is_empty(), "a sent link token in {sent:?}");
    let secret = env.data().join("secrets/key-passphrase");
    let aside = env.path("key-passphrase.aside");
    std::fs::rename(&secret, &aside).expect("move the passphrase away");
    let out = env.run(&["user", "password-link", "--email", "admin@s.dk"]);
    std::fs::rename(&aside, &secret).expect("put the passphrase back");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("mail bodies are sealed with a key derived from the CA key passphrase"),
        "{err}"
    );
    assert_eq!(
        env.sql("SELECT COUNT(*) FROM mail_queue").trim(),
        "1",
        "nothing queued"
    );
}

/// Every file and folder under `dir` that others than the owner may read, write or enter.
fn open_to_others(dir: &Path, found: &mut Vec<String>) {
    use std::os::unix::fs::PermissionsExt;
    for e in std::fs::read_dir(dir).expect("read_dir") {
        let e = e.expect("entry");
        let mode = e.metadata().expect("stat").permissions().mode();
        if mode & 0o077 != 0 {
            found.push(format!("{} {:o}", e.path().display(), mode & 0o777));
        }
        if e.file_type().expect("type").is_dir() {
            open_to_others(&e.path(), found);
        }
    }
}

#[test]
fn the_data_folder_is_its_owners_alone() {
    // The database (and its WAL), the keys, the secrets and the outbox hold what an
    // attacker on the machine wants: none of it may be readable by another account,
    // whatever umask orgca was started with.
    let env = Env::empty(ORGCA);
    env.init();
    orgca_testkit::org(&env, "99999951", "p.dk");
    let server = env.serve();
    orgca_testkit::password_link_path(&env, "admin@p.dk");
    env.wait_for_mail("/portal/password/");
    let (status, _) = server.json("GET", "/healthz", None, None);
    assert_eq!(status, 200);
    let mut found = Vec::new();
    open_to_others(&env.data(), &mut found);
    let root = std::fs::metadata(env.data()).expect("stat");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(root.permissions().mode() & 0o777, 0o700);
    assert!(found.is_empty(), "open to others: {found:?}");
    drop(server);
}
