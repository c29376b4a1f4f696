//! orgca on PostgreSQL over TLS (rustls): with `sslmode=verify-full` and the CA that
//! issued the server's certificate, init, the CLI and the server work, and every
//! connection they make is encrypted; a server whose certificate another CA issued is
//! refused with an error that says what to check.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::ORGCA;
use crate::campaign::{Campaign, Tally, assert_nothing_lost, serve_after_the_faults};
use crate::portal;
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

/// PostgreSQL stopped for a while under load (orders, pick-ups, blocks, searches,
/// signatures from three clients): meanwhile the health check and the API answer 503
/// `database_unavailable` problems and nothing answers a 500; the server does not crash,
/// recovers by itself once the database is back, and nothing a client was told of is lost
/// ([`assert_nothing_lost`]).
#[test]
fn a_database_outage_under_load_is_503_loses_nothing_and_recovers_by_itself() {
    let Some(pg) = TlsPostgres::start() else {
        return;
    };
    let url = pg.url("verify-full", Some(&pg.ca()));
    let env = Env::empty_on(ORGCA, &url);
    env.init();
    let server = env.serve();
    let campaign = Arc::new(Campaign::new(&env, &server, CVR, "udfald.dk"));
    let (status, _) = server.json("GET", "/healthz", None, None);
    assert_eq!(status, 200);
    // An administrator logged in to the portal.
    let mut browser = portal::Client::default();
    let link = portal::password_link(&env, "admin@udfald.dk");
    portal::set_password(&mut browser, &server, &link);
    let (status, _, _) = portal::login(&mut browser, &server, "admin@udfald.dk", portal::PASSWORD);
    assert_eq!(status, 303);
    let tally = Arc::new(Mutex::new(Tally::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..3)
        .map(|_| {
            let client = server.client();
            let (campaign, tally, stop) = (campaign.clone(), tally.clone(), stop.clone());
            std::thread::spawn(move || campaign.load(&client, &tally, &stop))
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));

    pg.stop();
    let stopped = Instant::now();
    let (status, health) = server.json("GET", "/healthz", None, None);
    assert_eq!(status, 503, "{health}");
    // An API request that needs the database (its token is looked up there): a 503
    // problem within the pool's wait for a connection, not a 500 and not a hang.
    let (status, problem) = server.json(
        "GET",
        "/api/v1/certificates",
        Some(&campaign.org.admin),
        None,
    );
    assert_eq!(status, 503, "{problem}\n{}", env.server_log());
    assert_eq!(problem["code"], "database_unavailable", "{problem}");
    let waited = stopped.elapsed();
    assert!(
        waited < Duration::from_secs(20),
        "answered after {waited:?}"
    );
    // The portal (its session is looked up in the database): a page that says to try
    // again, with 503.
    let (status, _, page) = browser.get(&server, "/portal");
    assert_eq!(status, 503, "{page}");
    assert!(page.contains("cannot reach its database"), "{page}");

    pg.start_again();
    let outage = stopped.elapsed();
    let start = Instant::now();
    loop {
        let (status, _) = server.json("GET", "/healthz", None, None);
        if status == 200 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "not recovered after 30 s"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    eprintln!(
        "database outage: down {outage:?}, healthy again {:?} after the restart",
        start.elapsed()
    );
    let before = tally.lock().expect("tally").received.len();
    let start = Instant::now();
    while tally.lock().expect("tally").received.len() < before + 3 {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the load does not go on after the outage"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().expect("client");
    }
    assert!(server.stop().success(), "no crash");
    let seen_503 = tally.lock().expect("tally").statuses.get(&503).copied();
    assert!(seen_503.is_some_and(|n| n > 0), "the clients saw no 503");

    let server = serve_after_the_faults(&env);
    let tally = tally.lock().expect("tally");
    assert_nothing_lost(&env, &server, &tally, "database outage under load");
}
