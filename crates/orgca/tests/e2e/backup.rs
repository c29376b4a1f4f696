//! Backups taken under load, restored into a new folder (on PostgreSQL, a new database),
//! checked from outside (OpenSSL, OCSP, the CRL), with what was issued after the backup
//! put back by `cert import`; and the move of a whole store from SQLite to PostgreSQL.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use orgca_testkit::openssl::{P256, assert_chain_verifies, self_signed, served_crl_text};
use orgca_testkit::{Env, Server, openssl_csr};

use crate::ORGCA;
use crate::campaign::{Campaign, Tally, assert_crl_lists, assert_ocsp_agrees, lines};

const CVR: &str = "55133018";

/// The number of the CRL the server serves for test-issuing-1.
fn crl_number(env: &Env, server: &Server) -> u128 {
    let text = served_crl_text(
        env,
        server,
        "test-issuing-1",
        &env.ca_file("test-issuing-1"),
    );
    let mut lines = text.lines();
    lines
        .by_ref()
        .find(|l| l.contains("X509v3 CRL Number"))
        .expect("a CRL number");
    let n = lines.next().expect("its value").trim();
    match n.strip_prefix("0x") {
        Some(hex) => u128::from_str_radix(hex, 16).expect("hex"),
        None => n.parse().expect("decimal"),
    }
}

/// Gives the restored folder the passphrase file of the original: a restore needs it
/// and the archive never holds it.
fn hand_over_passphrase(from: &Env, to: &Env) {
    let secrets = to.data().join("secrets");
    std::fs::create_dir_all(&secrets).expect("mkdir");
    std::fs::copy(
        from.data().join("secrets/key-passphrase"),
        secrets.join("key-passphrase"),
    )
    .expect("copy the passphrase");
}

fn stored(env: &Env) -> (BTreeSet<String>, BTreeSet<String>) {
    (
        lines(env, "SELECT serial FROM certificates"),
        lines(
            env,
            "SELECT serial FROM certificates WHERE status = 'blocked'",
        ),
    )
}

#[test]
fn a_backup_under_load_restores_verified_and_takes_back_what_came_after() {
    let env = Env::new(ORGCA);
    let server = env.serve();
    let campaign = Campaign::new(&env, &server, CVR, "sikring.dk");
    let tally = Mutex::new(Tally::default());
    let stop = AtomicBool::new(false);
    let archive = env.path("backup.tar.gz");
    let archive_arg = archive.to_str().expect("path");
    let taken = std::thread::scope(|s| {
        let (campaign, tally, stop) = (&campaign, &tally, &stop);
        let client = server.client();
        s.spawn(move || campaign.load(&client, tally, stop));
        std::thread::sleep(Duration::from_millis(2000));
        let out = env.run(&["backup", "--out", archive_arg]);
        std::thread::sleep(Duration::from_millis(1500));
        stop.store(true, Ordering::Relaxed);
        out
    });
    assert!(
        taken.status.success(),
        "{}",
        String::from_utf8_lossy(&taken.stderr)
    );
    let said = String::from_utf8_lossy(&taken.stdout);
    eprintln!("{said}");
    assert!(said.contains("backup written"), "{said}");
    assert!(
        said.contains("CA key passphrase"),
        "it says what is left out: {said}"
    );
    // One certificate for sure after the backup (the load went on too).
    let csr = openssl_csr(&env, "after", P256);
    env.issue_system(CVR, "Efter sikringen", &csr);
    let published = crl_number(&env, &server);
    let (old, _) = stored(&env);
    let tally = tally.into_inner().expect("tally");
    assert!(!tally.received.is_empty(), "the load ran");
    assert_eq!(tally.server_errors(), 0, "{:?}", tally.statuses);
    server.stop();
    // The archive is sealed with the audit key: checked with the passphrase, which opens
    // the archive's own audit key.
    let passphrase =
        std::fs::read_to_string(env.data().join("secrets/key-passphrase")).expect("passphrase");
    let with_passphrase = [("ORGCA_KEY_PASSPHRASE", passphrase.trim())];
    let verified = env.ok_with(&with_passphrase, &["backup", "verify", archive_arg]);
    assert!(verified.contains("backup OK"), "{verified}");
    assert!(verified.contains("seal OK"), "{verified}");

    // Restored into a new folder (and, on PostgreSQL, a new empty database): not without
    // the passphrase, which checks the seal.
    let restored = env.empty_beside();
    let out = restored.run(&["restore", "--from", archive_arg]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("ORGCA_KEY_PASSPHRASE"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !restored.data().exists(),
        "a refused restore leaves nothing behind"
    );
    let out = restored.run_with(&with_passphrase, &["restore", "--from", archive_arg]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("cert import"),
        "it says how to take back what came after: {said}"
    );
    hand_over_passphrase(&env, &restored);
    assert!(restored.ok(&["audit", "verify"]).contains("audit chain OK"));
    assert_eq!(
        restored
            .sql("SELECT count(*) FROM audit_events WHERE action = 'store.restored'")
            .trim(),
        "1"
    );
    let (kept, kept_blocked) = stored(&restored);
    assert!(!kept.is_empty() && kept.is_subset(&old));
    let after: Vec<&String> = old.difference(&kept).collect();
    assert!(
        !after.is_empty(),
        "what was issued after the backup is not in it"
    );

    assert_eq!(
        restored.sql("SELECT count(*) FROM published_crls").trim(),
        "0",
        "the backup's stored CRLs are older than the published ones: forgotten"
    );
    // What the backup held is served as before: chains, the CRL, OCSP. No CRL number
    // goes back: the first CRL the restored CA serves is above the last published.
    let server = restored.serve();
    let next = crl_number(&restored, &server);
    assert!(next > published, "CRL number {next} after {published}");
    for serial in kept.iter().take(3) {
        let pem = restored.ok(&["cert", "get", "--serial", serial]);
        let leaf = restored.write(&format!("{serial}.pem"), &pem);
        assert_chain_verifies(
            &restored.ca_file("test-root"),
            &restored.ca_file("test-issuing-1"),
            &leaf,
            "a restored certificate",
        );
    }
    assert_crl_lists(&restored, &server, &kept_blocked);
    assert_ocsp_agrees(&restored, &server, &kept, &kept_blocked);

    // Certificates issued after the backup are put back from their PEM files.
    let mut files = Vec::new();
    for serial in &after {
        let pem = env.ok(&["cert", "get", "--serial", serial]);
        files.push(env.write(&format!("after-{serial}.pem"), pem));
    }
    let mut args = vec!["cert", "import"];
    args.extend(files.iter().map(|f| f.to_str().expect("path")));
    let imported = restored.ok(&args);
    assert!(
        imported.contains(&format!(
            "{} imported, 0 already present, 0 refused",
            after.len()
        )),
        "{imported}"
    );
    assert_eq!(stored(&restored).0, old, "every certificate is back");
    let again = restored.ok(&args);
    assert!(again.contains("0 imported"), "{again}");
    // A certificate orgca did not issue is refused.
    let (_, foreign) = self_signed(&restored, "foreign", "/CN=foreign", &[]);
    let out = restored.run(&["cert", "import", foreign.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 refused"));
    assert!(restored.ok(&["audit", "verify"]).contains("audit chain OK"));
    server.stop();

    // A restore into a folder that holds a store, and a truncated archive, are refused.
    let out = restored.run(&["restore", "--from", archive_arg]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));
    let bytes = std::fs::read(&archive).expect("archive");
    let cut = env.write("cut.tar.gz", &bytes[..bytes.len() * 2 / 3]);
    let out = env.run(&["backup", "verify", cut.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("truncated"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let empty = env.empty_beside();
    let out = empty.run(&["restore", "--from", cut.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        !empty.data().exists(),
        "a failed restore leaves nothing behind"
    );
}

/// Rows of every kind (organisations, users, profiles, orders, e-mail validations,
/// certificates, blocks, signatures, queued mail, the audit chain) copied from SQLite
/// into a new PostgreSQL database, which `serve` then answers OCSP and the CRL from.
#[test]
fn a_sqlite_store_moves_to_postgresql_and_serves_its_certificates() {
    let Ok(pg) = std::env::var("ORGCA_TEST_POSTGRES_URL") else {
        orgca_testkit::skipped("store copy to PostgreSQL: ORGCA_TEST_POSTGRES_URL is not set");
        return;
    };
    let env = Env::new(ORGCA);
    if env.on_postgres() {
        orgca_testkit::skipped("store copy from SQLite: this run's store is PostgreSQL");
        return;
    }
    let server = env.serve();
    let campaign = Campaign::new(&env, &server, CVR, "flytning.dk");
    // An employee order: an e-mail address to validate.
    orgca_testkit::employee_order(&server, &campaign.org.admin, &campaign.org.user_id);
    let tally = Mutex::new(Tally::default());
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let (campaign, tally, stop) = (&campaign, &tally, &stop);
        let client = server.client();
        s.spawn(move || campaign.load(&client, tally, stop));
        std::thread::sleep(Duration::from_millis(2500));
        stop.store(true, Ordering::Relaxed);
    });
    server.stop();
    let (certs, blocked) = stored(&env);
    assert!(!blocked.is_empty(), "the load blocked certificates");
    for table in [
        "users",
        "profiles",
        "orders",
        "email_validations",
        "mail_queue",
    ] {
        let n = env.sql(&format!("SELECT count(*) FROM {table}"));
        assert_ne!(n.trim(), "0", "the store to copy has no {table}");
    }

    let target = Env::empty_on_new_postgres(ORGCA, &pg);
    let url = target.postgres_url().expect("a database").to_owned();
    let copied = env.ok(&["store", "copy", "--to", &url]);
    assert!(copied.contains("checked: every table"), "{copied}");
    assert!(
        copied.contains("database_url"),
        "it says what to change: {copied}"
    );
    // A second copy into the now full database is refused.
    let out = env.run(&["store", "copy", "--to", &url]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));

    // The operator points the configuration at PostgreSQL and starts serve.
    let config = env.data().join("config.toml");
    let text = std::fs::read_to_string(&config).expect("config");
    std::fs::write(&config, format!("database_url = \"{url}\"\n{text}")).expect("config");
    let server = env.serve();
    assert_eq!(
        target.sql("SELECT count(*) FROM certificates").trim(),
        certs.len().to_string()
    );
    assert_crl_lists(&env, &server, &blocked);
    assert_ocsp_agrees(&env, &server, &certs, &blocked);
    assert!(env.ok(&["audit", "verify"]).contains("audit chain OK"));
    server.stop();
}
