//! The portal in a real browser: Debian's Chromium driven by playwright-core
//! (`tests/browser/portal.mjs`) through setting a password, logging in, searching and
//! blocking, with axe-core on every page. Screenshots go to `docs/screenshots/`.
//!
//! Needs `node`, `/usr/bin/chromium` (or CHROMIUM) and `npm ci` in `tests/browser`
//! (`.ci/run` does all three). Without them the test fails unless
//! ORGCA_SKIP_BROWSER_TESTS is set, so that CI cannot pass it by accident.

mod support;

use std::path::PathBuf;
use std::process::Command;

use support::{Env, org};

fn browser_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/browser")
}

#[test]
fn an_administrator_blocks_a_certificate_in_chromium() {
    let dir = browser_dir();
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let ready = dir.join("node_modules/playwright-core").is_dir()
        && std::path::Path::new(&chromium).exists();
    if !ready {
        assert!(
            std::env::var_os("ORGCA_SKIP_BROWSER_TESTS").is_some(),
            "browser tests need {chromium} and `npm ci --prefix tests/browser` (or set ORGCA_SKIP_BROWSER_TESTS)"
        );
        eprintln!("skipped: no Chromium or playwright-core");
        return;
    }
    let env = Env::new();
    let a = org(&env, "99999963", "c.dk");
    let server = env.serve();
    let name = "Løn-system Østergård";
    let (id, _, _) = support::picked_up_system(
        &env,
        &server,
        &a.admin,
        name,
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
    );
    let path = support::password_link_path(&env, "admin@c.dk");
    let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
    std::fs::create_dir_all(&shots).expect("screenshots folder");
    let mut run = Command::new("node");
    run.arg(dir.join("portal.mjs"))
        .env("ORGCA_BASE", format!("http://{}", server.addr))
        .env("ORGCA_LINK_PATH", &path)
        .env("ORGCA_EMAIL", "admin@c.dk")
        .env("ORGCA_PASSWORD", "en lang og god adgangssætning")
        .env("ORGCA_CERT_NAME", name)
        .env("ORGCA_SCREENSHOTS", &shots)
        .env("CHROMIUM", &chromium)
        .current_dir(&dir);
    let out = support::output_within(run, std::time::Duration::from_secs(120));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: serde_json::Value = stdout
        .lines()
        .last()
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| {
            panic!(
                "no report from the browser run: {stdout}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
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
