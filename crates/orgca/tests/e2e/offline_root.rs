//! An offline production root: made in a ceremony folder (`orgca ceremony root`), never
//! on the serving machine; it certifies the issuing and signing CAs from their requests
//! and signs its CRL in ceremonies; `orgca ca import` brings certificates, the CRL and
//! the signed ceremony records in; a rollover under it goes through a request too.

use std::path::{Path, PathBuf};

use crate::ORGCA;
use orgca_testkit::{self as testkit, BASE_URL, Env, cmd_ok};

const CVR: &str = "10000009";
const PASSPHRASE: &str = "the root's own passphrase";

fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

fn refused(env: &Env, vars: &[(&str, &str)], args: &[&str]) -> String {
    let out = env.run_with(vars, args);
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "orgca {args:?} should fail: {said}");
    said
}

fn records(dir: &Path) -> Vec<PathBuf> {
    let mut r: Vec<PathBuf> = std::fs::read_dir(dir.join("records"))
        .expect("records")
        .map(|e| e.expect("entry").path())
        .collect();
    r.sort();
    r
}

/// The ceremony: the root in `folder` certifies the request `csr` as a `role` CA into
/// `out`.
fn certify(env: &Env, folder: &Path, csr: &Path, role: &str, out: &Path) {
    env.ok_with(
        &[("ORGCA_KEY_PASSPHRASE", PASSPHRASE)],
        &[
            "ceremony",
            "sign",
            "--dir",
            p(folder),
            "--who",
            "Ane Holm",
            "--csr",
            p(csr),
            "--role",
            role,
            "--out",
            p(out),
        ],
    );
}

#[test]
fn an_offline_root_certifies_in_ceremonies_and_the_server_keeps_what_they_made() {
    let env = Env::empty(ORGCA);
    let folder = env.path("root-ceremony");
    let prepared = env.write(
        "prepared.toml",
        format!("public_base_url = \"{BASE_URL}\"\n"),
    );
    let root_side = [("ORGCA_KEY_PASSPHRASE", PASSPHRASE)];
    let who = ["--who", "Ane Holm, key custodian"];
    let dir = ["--dir", p(&folder)];

    // Without a passphrase of its own, the root ceremony refuses.
    let root_ceremony = [
        "ceremony",
        "root",
        dir[0],
        dir[1],
        who[0],
        who[1],
        "--config",
        p(&prepared),
    ];
    let said = refused(&env, &[], &root_ceremony);
    assert!(said.contains("ORGCA_KEY_PASSPHRASE"), "{said}");
    let made = env.ok_with(&root_side, &root_ceremony);
    assert!(made.contains("record key ID"), "{made}");
    let root = folder.join("root.pem");
    let record_key = folder.join("record-key.pem");

    // The serving machine: the production root is that certificate, its key is not here.
    env.ok_with(
        &[],
        &[
            "init",
            "--public-base-url",
            BASE_URL,
            "--offline-root",
            p(&root),
        ],
    );
    let keys: Vec<String> = std::fs::read_dir(env.data().join("keys"))
        .expect("keys")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !keys.iter().any(|k| k.starts_with("production-root")),
        "{keys:?}"
    );
    let requests = env.data().join("requests");
    for id in ["production-issuing-1", "production-signing-1"] {
        assert!(requests.join(format!("{id}.csr")).exists(), "{id}");
    }

    // The ceremonies: two certificates and the root's CRL.
    let issuing = env.path("production-issuing-1.pem");
    let signing = env.path("production-signing-1.pem");
    for (id, role, out) in [
        ("production-issuing-1", "issuing", &issuing),
        ("production-signing-1", "signing", &signing),
    ] {
        certify(
            &env,
            &folder,
            &requests.join(format!("{id}.csr")),
            role,
            out,
        );
    }
    let crl = env.path("production-root.crl");
    env.ok_with(
        &root_side,
        &[
            "ceremony",
            "crl",
            dir[0],
            dir[1],
            who[0],
            who[1],
            "--out",
            p(&crl),
        ],
    );
    assert_eq!(records(&folder).len(), 4);

    // A record altered after signing is refused, and nothing is imported from the run.
    let altered = env.path("altered.note");
    let first = std::fs::read_to_string(&records(&folder)[0]).expect("record");
    std::fs::write(&altered, first.replace("Ane Holm", "Someone Else")).expect("write");
    let said = refused(
        &env,
        &[],
        &["ca", "import", p(&altered), "--record-key", p(&record_key)],
    );
    assert!(said.contains("does not verify"), "{said}");

    let mut import = vec![
        "ca",
        "import",
        p(&issuing),
        p(&signing),
        p(&crl),
        "--record-key",
        p(&record_key),
    ];
    let notes = records(&folder);
    import.extend(notes.iter().map(|r| p(r)));
    env.ok_with(&[], &import);
    let recorded = env.sql("SELECT count(*) FROM audit_events WHERE action = 'ceremony.recorded'");
    assert_eq!(recorded.trim(), "4");
    // The same CRL again would take the number back: refused.
    let said = refused(&env, &[], &["ca", "import", p(&crl)]);
    assert!(said.contains("not above"), "{said}");
    env.ok_with(&[], &["audit", "verify"]);

    // A production certificate chains to the offline root.
    env.ok_with(
        &[],
        &["org", "create", "--cvr", CVR, "--name", "Offline ApS"],
    );
    let csr = testkit::openssl_csr(&env, "leaf", testkit::openssl::P256);
    let issued = env.issue_system(CVR, "Lønsystem", &csr);
    let leaf = env.write("leaf.pem", issued["certificate_pem"].as_str().expect("pem"));
    testkit::assert_chain_verifies(&root, &issuing, &leaf, "a leaf under the offline root");

    // The server serves the imported CRL as it is, and signs none for the root.
    let server = env.serve();
    let (status, _, served) = server.get("/crl/production-root.crl");
    assert_eq!(status, 200);
    assert_eq!(
        served,
        std::fs::read(&crl).expect("crl"),
        "served as imported"
    );
    cmd_ok(
        "openssl",
        &[
            "crl",
            "-inform",
            "DER",
            "-in",
            p(&crl),
            "-CAfile",
            p(&root),
            "-noout",
        ],
    );
    let (status, health) = server.json("GET", "/healthz", None, None);
    assert_eq!(status, 200, "{health}");
    server.stop();

    // A rollover under the offline root: a request, a ceremony, an import.
    let said = env.ok_with(&[], &["ca", "rollover"]);
    assert!(said.contains("offline"), "{said}");
    let next = env.path("production-issuing-2.pem");
    certify(
        &env,
        &folder,
        &requests.join("production-issuing-2.csr"),
        "issuing",
        &next,
    );
    env.ok_with(&[], &["ca", "import", p(&next)]);
    let list = env.json(&["ca", "list"]);
    assert!(
        list.as_array()
            .expect("list")
            .iter()
            .any(|c| c["name"] == "production-issuing-2" && c["state"] == "current"),
        "{list}"
    );
    let csr = testkit::openssl_csr(&env, "after", testkit::openssl::P256);
    let issued = env.issue_system(CVR, "Efter", &csr);
    let leaf = env.write(
        "after.pem",
        issued["certificate_pem"].as_str().expect("pem"),
    );
    testkit::assert_chain_verifies(&root, &next, &leaf, "a leaf of the next issuing CA");
}
