//! The portal in a real browser: Debian's Chromium driven by playwright-core
//! (`tests/browser/portal.mjs`) through setting a password, logging in, searching and
//! blocking, with axe-core on every page. Screenshots go to `target/tmp/screenshots/`,
//! or to `docs/screenshots/` with ORGCA_UPDATE_SCREENSHOTS=1.
//!
//! Needs `node`, `/usr/bin/chromium` (or CHROMIUM) and `npm ci` in `tests/browser`
//! (`scripts/test.sh` sees to all three). Without them the test fails unless
//! ORGCA_SKIP_BROWSER_TESTS is set, so that CI cannot pass it by accident.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::ORGCA;
use orgca_testkit::{self as testkit, Env, org};

pub(crate) fn browser_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/browser")
}

/// The Chromium to drive, when it and `tests/browser`'s packages are there; `None` (the
/// test skips) only where ORGCA_SKIP_BROWSER_TESTS says so, else the test fails.
pub(crate) fn chromium() -> Option<String> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let ready = browser_dir().join("node_modules/playwright-core").is_dir()
        && std::path::Path::new(&chromium).exists();
    if !ready {
        assert!(
            std::env::var_os("ORGCA_SKIP_BROWSER_TESTS").is_some(),
            "browser tests need {chromium} and `npm ci --prefix tests/browser` (or set ORGCA_SKIP_BROWSER_TESTS)"
        );
        testkit::skipped("the browser test: no Chromium or playwright-core");
        return None;
    }
    Some(chromium)
}

/// The JSON report a browser script prints as its last line.
pub(crate) fn report_of(out: &std::process::Output) -> serde_json::Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    stdout
        .lines()
        .last()
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| {
            panic!(
                "no report from the browser run: {stdout}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        })
}

/// Where screenshots go: `docs/screenshots/` with ORGCA_UPDATE_SCREENSHOTS, else under
/// the target folder (so that a test run leaves the checkout as it was).
pub(crate) fn screenshots() -> PathBuf {
    let shots = if std::env::var_os("ORGCA_UPDATE_SCREENSHOTS").is_some() {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots")
    } else {
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots")
    };
    std::fs::create_dir_all(&shots).expect("screenshots folder");
    shots
}

#[test]
fn an_administrator_blocks_a_certificate_in_chromium() {
    let dir = browser_dir();
    let Some(chromium) = chromium() else {
        return;
    };
    let env = Env::new(ORGCA);
    let a = org(&env, "99999963", "c.dk");
    let server = env.serve();
    let name = "Løn-system Østergård";
    let (id, _, _) = testkit::picked_up_system(&env, &server, &a.admin, name, testkit::P256);
    let profile_name = "Portal-segl";
    testkit::profile(
        &server,
        &a.admin,
        &format!(
            r#"{{"kind": "organisation", "name": "{profile_name}", "contact": {{"name": "Ane", "email": "ane@c.dk"}}}}"#
        ),
    );
    // An employee certificate waits for the user (address confirmed), who gets a
    // password link of their own.
    testkit::employee_order(&server, &a.admin, &a.user_id);
    server.confirm_link_in(&env.wait_for_mail("/api/v1/email-validations/"));
    let user_path = testkit::password_link_path(&env, "user@c.dk");
    let path = testkit::password_link_path(&env, "admin@c.dk");
    let shots = screenshots();
    let mut run = Command::new("node");
    run.arg(dir.join("portal.mjs"))
        .env("ORGCA_BASE", format!("http://{}", server.addr))
        .env("ORGCA_LINK_PATH", &path)
        .env("ORGCA_EMAIL", "admin@c.dk")
        .env("ORGCA_USER_LINK_PATH", &user_path)
        .env("ORGCA_USER_EMAIL", "user@c.dk")
        .env("ORGCA_PASSWORD", "en lang og god adgangssætning")
        .env("ORGCA_CERT_NAME", name)
        .env("ORGCA_SCREENSHOTS", &shots)
        .env("ORGCA_DOWNLOADS", env.path(""))
        .env("ORGCA_PROFILE_NAME", profile_name)
        .env("ORGCA_CVR", "99999963")
        .env("CHROMIUM", &chromium)
        .current_dir(&dir);
    let out = testkit::output_within(run, std::time::Duration::from_secs(120));
    let report = report_of(&out);
    assert_eq!(report["ok"], true, "{report:#}");
    // No page asked anything of another host.
    assert_eq!(
        report["requests_elsewhere"],
        serde_json::json!([]),
        "{report:#}"
    );
    // No serious or critical accessibility violation on any page.
    let pages = report["pages"].as_array().expect("pages");
    assert!(pages.len() >= 5, "{report:#}");
    for p in pages {
        assert_eq!(p["violations"], serde_json::json!([]), "{report:#}");
    }
    // The downloaded PKCS#12 opens with the password the page showed, and holds the
    // certificate for the profile with its chain.
    let p12 = report["pkcs12"]["path"].as_str().expect("p12 path");
    let password = report["pkcs12"]["password"].as_str().expect("password");
    let pass = format!("pass:{password}");
    let leaf = env.write(
        "picked-up.pem",
        testkit::pkcs12_certificate(Path::new(p12), password),
    );
    let subject = testkit::cmd(
        "openssl",
        &[
            "x509",
            "-noout",
            "-subject",
            "-nameopt",
            "utf8",
            "-in",
            leaf.to_str().expect("p"),
        ],
    );
    let subject = String::from_utf8_lossy(&subject.stdout).to_string();
    assert!(
        subject.contains(profile_name) && subject.contains("99999963"),
        "{subject}"
    );
    let out = testkit::cmd(
        "openssl",
        &["pkcs12", "-in", p12, "-passin", &pass, "-nocerts", "-nodes"],
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("PRIVATE KEY"),
        "the key is in the file"
    );
    testkit::assert_chain_verifies(
        &env.ca_file("test-root"),
        &env.ca_file("test-issuing-1"),
        &leaf,
        "the picked-up certificate",
    );
    // The user's own pick-up: a PKCS#12 that opens with the password shown.
    let mine = report["own_pkcs12"]["path"].as_str().expect("own p12");
    let password = report["own_pkcs12"]["password"].as_str().expect("password");
    let certificate = testkit::pkcs12_certificate(Path::new(mine), password);
    assert!(String::from_utf8_lossy(&certificate).contains("BEGIN CERTIFICATE"));
    // The file the user signed in the browser: OpenSSL verifies its signature.
    let signed = &report["signature"];
    let root = env.ca_file("test-root");
    assert!(
        testkit::cms_verifies(
            Path::new(signed["cms"].as_str().expect("cms")),
            Path::new(signed["content"].as_str().expect("content")),
            &root
        ),
        "{report:#}"
    );
    // What the browser did is what the API sees.
    let (_, v) = server.json(
        "GET",
        &format!("/api/v1/certificates/{id}"),
        Some(&a.admin),
        None,
    );
    assert_eq!(
        (v["status"].as_str(), v["block_reason"].as_str()),
        (Some("blocked"), Some("key_compromised"))
    );
}
