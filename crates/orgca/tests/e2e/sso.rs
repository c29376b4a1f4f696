//! Logging in through an organisation's identity provider (OpenID Connect), against a
//! real provider started here (node-oidc-provider, `tests/browser/oidc-provider.mjs`),
//! in Chromium (`tests/browser/sso.mjs`): a login lands in the portal and logs out;
//! forged, expired, wrong-audience, wrong-issuer and wrong-nonce ID tokens, a replayed
//! return address, one carried to another browser, and people the organisation does not
//! have are all refused. The operator's `orgca sso` commands, and passwords switched off
//! and on again, over plain HTTP.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::ORGCA;
use crate::portal::{self, error_of};
use crate::portal_browser::{browser_dir, chromium, report_of, screenshots};
use orgca_testkit::{self as testkit, Env, free_port, org};

const CLIENT_ID: &str = "orgca-portal";
const SECRET: &str = "a client secret only the test knows";

/// The test's identity provider, stopped when dropped.
struct IdentityProvider {
    child: Child,
    _stdout: BufReader<std::process::ChildStdout>,
    issuer: String,
}

impl IdentityProvider {
    fn start(redirects: &[String], log: &std::path::Path) -> IdentityProvider {
        let log = std::fs::File::create(log).expect("provider log");
        let mut child = Command::new("node")
            .arg(browser_dir().join("oidc-provider.mjs"))
            .env("OIDC_CLIENT_ID", CLIENT_ID)
            .env("OIDC_CLIENT_SECRET", SECRET)
            .env("OIDC_REDIRECT_URIS", redirects.join(","))
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("start the identity provider (node)");
        // Its standard output stays open (kept here) for as long as it runs: the
        // provider writes notes there, and would die of a closed pipe.
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let issuer = loop {
            let mut line = String::new();
            let read = stdout.read_line(&mut line).expect("the provider's output");
            assert!(read > 0, "the provider ended before it listened");
            if let Ok(said) = serde_json::from_str::<serde_json::Value>(&line)
                && let Some(issuer) = said["issuer"].as_str()
            {
                break issuer.to_owned();
            }
        };
        IdentityProvider {
            child,
            _stdout: stdout,
            issuer,
        }
    }
}

impl Drop for IdentityProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn stderr_of(out: &std::process::Output) -> String {
    assert!(!out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn people_log_in_through_their_organisations_identity_provider_in_chromium() {
    let Some(chromium) = chromium() else {
        return;
    };
    let env = Env::new(ORGCA);
    let cvr = "99999981";
    let other_cvr = "99999982";
    org(&env, cvr, "c.dk");
    org(&env, other_cvr, "b.dk");
    // The portal's address goes to the provider as the redirect URI: the server listens
    // where its configuration says it is.
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let config = env.data().join("config.toml");
    let text = std::fs::read_to_string(&config).expect("config");
    std::fs::write(&config, format!("portal_base_url = \"{base}\"\n{text}")).expect("config");
    let back = |cvr: &str| format!("{base}/portal/login/sso/back/{cvr}");
    let provider = IdentityProvider::start(
        &[back(cvr), back(other_cvr)],
        &env.path("oidc-provider.log"),
    );
    let secret = env.write("oidc-client-secret", format!("{SECRET}\n"));
    let secret = secret.to_str().expect("path");

    // Settings that cannot work are refused, saying what to fix; nothing is stored.
    let set_at = |issuer: &str, extra: &[&str]| {
        let mut args = vec![
            "sso",
            "set",
            "--org",
            cvr,
            "--issuer",
            issuer,
            "--client-id",
            CLIENT_ID,
        ];
        args.extend_from_slice(extra);
        env.run(&args)
    };
    let set = |extra: &[&str]| set_at(&provider.issuer, extra);
    let e = stderr_of(&set(&["--secret-file", "/nonexistent/secret"]));
    assert!(e.contains("/nonexistent/secret cannot be read"), "{e}");
    let e = stderr_of(&set(&["--secret-env", "ORGCA_TEST_NO_SUCH_VARIABLE"]));
    assert!(e.contains("ORGCA_TEST_NO_SUCH_VARIABLE"), "{e}");
    let e = stderr_of(&set(&["--secret-file", secret, "--match", "sub"]));
    assert!(e.contains("external_id:<claim>"), "{e}");
    let e = stderr_of(&set_at(
        "http://login.example.com",
        &["--secret-file", secret],
    ));
    assert!(e.contains("not HTTPS"), "{e}");
    let nobody_there = format!("http://127.0.0.1:{}", free_port());
    let e = stderr_of(&set_at(&nobody_there, &["--secret-file", secret]));
    assert!(e.contains("could not be used"), "{e}");
    let shown = env.json(&["sso", "show", "--org", cvr]);
    assert!(shown.is_null(), "{shown}");

    // The provider, with passwords switched off.
    let before = env.audit_events();
    let out = set(&["--secret-file", secret, "--passwords", "off"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown = env.json(&["sso", "show", "--org", cvr]);
    assert_eq!(shown["issuer"], provider.issuer.as_str(), "{shown}");
    assert_eq!(shown["passwords"], false, "{shown}");
    assert_eq!(shown["secret_from"], format!("file:{secret}"), "{shown}");
    assert_eq!(shown["redirect_uri"], back(cvr), "{shown}");
    // The other organisation has the same provider (with passwords on): its own return
    // address.
    let out = env.run(&[
        "sso",
        "set",
        "--org",
        other_cvr,
        "--issuer",
        &provider.issuer,
        "--client-id",
        CLIENT_ID,
        "--secret-file",
        secret,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The secret is in no answer, no log and no database row.
    let server = env.serve_on(port);
    assert!(!env.ok(&["sso", "show", "--org", cvr]).contains(SECRET));
    assert!(
        env.sqlite_files_holding(SECRET.as_bytes()).is_empty(),
        "the secret is in the database"
    );

    // The administrator's right password is no way in now, and it is not even checked:
    // the answer is the one for a wrong password (the page offers the organisation's
    // login beside it).
    let mut c = portal::Client::default();
    let link = portal::password_link(&env, "admin@c.dk");
    portal::set_password(&mut c, &server, &link);
    let (status, _, page) = portal::login(&mut c, &server, "admin@c.dk", portal::PASSWORD);
    assert_eq!(status, 401, "{page}");
    assert!(error_of(&page).contains("wrong"), "{page}");
    assert!(page.contains("id=\"sso-title\""), "{page}");

    // Chromium, through the provider.
    let mut run = Command::new("node");
    run.arg(browser_dir().join("sso.mjs"))
        .env("ORGCA_BASE", &base)
        .env("OIDC_ISSUER", &provider.issuer)
        .env("ORGCA_CVR", cvr)
        .env("ORGCA_EMAIL", "admin@c.dk")
        .env("ORGCA_STRANGER", "nobody@c.dk")
        .env("ORGCA_OTHER_ORG_EMAIL", "admin@b.dk")
        .env("ORGCA_OTHER_CVR", other_cvr)
        .env("ORGCA_SCREENSHOTS", screenshots())
        .env("CHROMIUM", &chromium)
        .current_dir(browser_dir());
    let out = testkit::output_within(run, std::time::Duration::from_secs(180));
    let report = report_of(&out);
    assert_eq!(
        report["ok"],
        true,
        "{report:#}\n{}\nprovider: {}",
        env.server_log(),
        std::fs::read_to_string(env.path("oidc-provider.log")).unwrap_or_default()
    );
    assert_eq!(report["password_form_shown"], false, "{report:#}");
    assert_eq!(report["logged_in"], true, "{report:#}");
    assert_eq!(report["logged_out"], true, "{report:#}");
    let settings = report["settings_text"].as_str().expect("settings");
    assert!(
        settings.contains(&provider.issuer) && settings.contains("Passwords are switched off"),
        "{settings}"
    );
    assert_eq!(report["finished_after_refusal"], true, "{report:#}");
    for (attempt, says) in [
        ("replayed", "did not go through"),
        ("forged", "did not go through"),
        ("expired", "did not go through"),
        ("wrongaud", "did not go through"),
        ("twoaud", "did not go through"),
        ("azp", "did not go through"),
        ("wrongiss", "did not go through"),
        ("badnonce", "did not go through"),
        ("none", "did not go through"),
        ("hs256", "did not go through"),
        ("unverified", "not an active user"),
        ("other_browser", "did not go through"),
        ("mix_up", "did not go through"),
        ("stranger", "not an active user"),
        ("other_org", "not an active user"),
    ] {
        let alert = report["refused"][attempt].as_str().unwrap_or_default();
        assert!(alert.contains(says), "{attempt}: {alert:?}\n{report:#}");
    }
    assert_eq!(
        report["requests_elsewhere"],
        serde_json::json!([]),
        "{report:#}"
    );
    for p in report["pages"].as_array().expect("pages") {
        assert_eq!(p["violations"], serde_json::json!([]), "{report:#}");
    }
    // Each refusal is in the operator's log with its own reason (one line each, in the
    // order tried), and the secret is not.
    let log = env.server_log();
    let refusals: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("identity provider login refused"))
        .collect();
    let reasons = [
        "unknown, used or expired state",
        "Signature verification failed",
        "ID token expired",
        "Invalid audiences: must contain",
        "`another-client` is not a trusted audience",
        "another party (azp another-client)",
        "Invalid issuer",
        "nonce mismatch",
        "No signature found",
        "algorithm `HS256` is not one of",
        "email_verified is not true",
        "no active user of the organisation",
        "no active user of the organisation",
        "not this browser's",
        "(a mix-up)",
    ];
    assert_eq!(refusals.len(), reasons.len(), "{refusals:#?}");
    for (line, why) in refusals.iter().zip(reasons) {
        assert!(
            line.contains(why),
            "{why:?} is not in {line:?}\n{refusals:#?}"
        );
    }
    assert!(!log.contains(SECRET), "the secret is in the log");
    // Two logins, through the provider, in the audit trail; both settings too.
    let actions = env.audit_actions_after(before);
    assert_eq!(
        (
            actions.get("organisation.identity_provider_set"),
            actions.get("user.logged_in")
        ),
        (Some(&2), Some(&2)),
        "{actions:?}"
    );
    let method = env.sql(&format!(
        "SELECT details FROM audit_events WHERE seq > {before} AND action = 'user.logged_in'"
    ));
    assert!(method.contains("identity_provider"), "{method}");

    // Without the provider, the password works again.
    env.ok(&["sso", "remove", "--org", cvr]);
    let (status, _, page) = portal::login(&mut c, &server, "admin@c.dk", portal::PASSWORD);
    assert_eq!(status, 303, "{page}");
    let (status, _, page) = c.get(&server, &format!("/portal/login/sso?organisation={cvr}"));
    assert_eq!(status, 400, "{page}");
    assert!(error_of(&page).contains("does not log in through an identity provider"));
}
