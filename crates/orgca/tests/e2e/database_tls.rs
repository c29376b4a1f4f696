//! orgca on PostgreSQL over TLS (rustls): with `sslmode=verify-full` and the CA that
//! issued the server's certificate, init, the CLI and the server work, and every
//! connection they make is encrypted; a server whose certificate another CA issued is
//! refused with an error that says what to check.

use crate::ORGCA;
use orgca_testkit::postgres_tls::TlsPostgres;
use orgca_testkit::{self as testkit, BASE_URL, Env};

/// A test organisation (the test hierarchy: CA keys in files).
const CVR: &str = "12345674";

/// `psql` on the TLS server: one value.
fn psql(url: &str, sql: &str) -> String {
    let out = testkit::cmd_ok("psql", &[url, "-tAc", sql]);
    String::from_utf8_lossy(&out).trim().to_owned()
}

#[test]
fn orgca_runs_on_postgresql_over_verified_tls() {
    let Some(pg) = TlsPostgres::start() else {
        return;
    };
    let env = Env::empty(ORGCA);
    let url = pg.url("verify-full", Some(&pg.ca()));
    let with = |args: &[&str]| {
        let mut a = args.to_vec();
        a.extend(["--database-url", &url]);
        env.ok(&a)
    };

    // The wrong CA: refused, saying what to check; nothing is initialised.
    let wrong = pg.url("verify-full", Some(&pg.other_ca()));
    let out = env.run(&[
        "init",
        "--public-base-url",
        BASE_URL,
        "--database-url",
        &wrong,
    ]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{said}");
    assert!(
        said.contains("over TLS") && said.contains("sslrootcert"),
        "the error says what to check: {said}"
    );
    assert!(!env.data().join("config.toml").exists(), "{said}");
    // Without TLS the server (hostssl only) turns orgca away.
    let out = env.run(&[
        "init",
        "--public-base-url",
        BASE_URL,
        "--database-url",
        &pg.url("disable", None),
    ]);
    assert!(!out.status.success());

    // The right CA: init, an organisation and a certificate, all over TLS.
    with(&["init", "--public-base-url", BASE_URL]);
    with(&["org", "create", "--cvr", CVR, "--name", "TLS ApS", "--test"]);
    let csr = testkit::openssl_csr(&env, "leaf", testkit::openssl::P256);
    with(&[
        "cert",
        "issue",
        "--org",
        CVR,
        "--kind",
        "system",
        "--name=Lønsystem",
        "--csr",
        csr.to_str().expect("p"),
    ]);
    assert_eq!(psql(&url, "SELECT count(*) FROM certificates"), "1");

    // The server: healthy, and each of its connections is encrypted.
    let server = env.serve_with(&[("ORGCA_DATABASE_URL", url.as_str())]);
    let (status, health) = server.json("GET", "/healthz", None, None);
    assert_eq!(status, 200, "{health}");
    let clients = "FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) \
                   WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()";
    assert_ne!(psql(&url, &format!("SELECT count(*) {clients}")), "0");
    assert_eq!(
        psql(&url, &format!("SELECT count(*) {clients} AND NOT ssl")),
        "0"
    );
}

/// PostgreSQL stopped while `serve` runs: the health check and the API answer 503
/// problems meanwhile, the server does not crash, and it recovers by itself once the
/// database is back.
#[test]
fn a_database_outage_is_503_and_the_server_recovers_by_itself() {
    let Some(pg) = TlsPostgres::start() else {
        return;
    };
    let env = Env::empty(ORGCA);
    let url = pg.url("verify-full", Some(&pg.ca()));
    let db = ["--database-url", url.as_str()];
    let with = |args: &[&str]| env.ok(&[args, &db[..]].concat());
    with(&["init", "--public-base-url", BASE_URL]);
    with(&[
        "org",
        "create",
        "--cvr",
        CVR,
        "--name",
        "Udfald ApS",
        "--test",
    ]);
    with(&[
        "user",
        "create",
        "--org",
        CVR,
        "--email",
        "admin@udfald.dk",
        "--given-name",
        "Ane",
        "--surname",
        "Holm",
        "--role",
        "org_admin",
    ]);
    let made: serde_json::Value = serde_json::from_str(&with(&[
        "token",
        "create",
        "--user",
        "admin@udfald.dk",
        "--json",
    ]))
    .expect("json");
    let token = made["token"].as_str().expect("token").to_owned();
    let server = env.serve_with(&[("ORGCA_DATABASE_URL", url.as_str())]);
    let (status, _) = server.json("GET", "/healthz", None, None);
    assert_eq!(status, 200);

    pg.stop();
    let (status, health) = server.json("GET", "/healthz", None, None);
    assert_eq!(status, 503, "{health}");
    // An API request that needs the database (its token is looked up there): a 503
    // problem, not a 500.
    let (status, problem) = server.json("GET", "/api/v1/certificates", Some(&token), None);
    assert_eq!(status, 503, "{problem}\n{}", env.server_log());
    assert_eq!(problem["code"], "database_unavailable", "{problem}");

    pg.start_again();
    let start = std::time::Instant::now();
    loop {
        let (status, _) = server.json("GET", "/healthz", None, None);
        if status == 200 {
            break;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(30),
            "not recovered after 30 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    let (status, _, _) = server.get("/crl/test-issuing-1.crl");
    assert_eq!(status, 200);
    let (status, list) = server.json("GET", "/api/v1/certificates", Some(&token), None);
    assert_eq!(status, 200, "{list}");
    assert!(server.stop().success(), "no crash");
}
