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
