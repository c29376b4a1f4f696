//! Provisioning by the organisation's directory (SCIM 2.0) with clients no one here wrote:
//! scim2-tester checks the service against RFC 7643/7644, and scim2-cli (both from PyPI)
//! drives a user's life the way Entra ID does. Deactivation must block the employee's
//! certificate (CRL and OCSP), cancel their open order, tell them, and end their token,
//! with the audit trail naming the provisioning token.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Output;

use crate::ORGCA;
use orgca_testkit::{self as testkit, Env, Server, org};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

/// Runs scim2-cli against the server with `token`, `stdin` as its input.
fn scim2(cli: &Path, server: &Server, token: &str, args: &[&str], stdin: &str) -> Output {
    use std::io::Write as _;
    let mut child = std::process::Command::new(cli)
        .args(args)
        .env("SCIM_CLI_URL", format!("http://{}/scim/v2", server.addr))
        .env("SCIM_CLI_HEADERS", format!("Authorization: Bearer {token}"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("scim2 runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("stdin written");
    child.wait_with_output().expect("scim2 ends")
}

fn json_of(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "scim2: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("scim2 prints JSON")
}

fn provisioning_token(env: &Env, cvr: &str, name: &str) -> (String, String) {
    let t = env.json(&["scim", "token", "create", "--org", cvr, "--name", name]);
    (
        t["token"].as_str().expect("token").to_owned(),
        t["id"].as_str().expect("id").to_owned(),
    )
}

#[test]
fn a_directory_provisions_and_offboards_users_with_real_scim_clients() {
    let Some(tools) = testkit::tools::scim_tools() else {
        return;
    };
    let env = Env::new(ORGCA);
    let a = org(&env, "99999980", "a.dk");
    let b = org(&env, "99999981", "b.dk");
    let (token, token_id) = provisioning_token(&env, "99999980", "Entra ID");
    let (other_token, _) = provisioning_token(&env, "99999981", "Okta");
    let server = env.serve();
    let base = format!("http://{}/scim/v2", server.addr);

    // 1. scim2-tester: every check passes.
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/scim/check_server.py"
    );
    let out = testkit::cmd(tools.python.to_str().expect("p"), &[script, &base, &token]);
    let report = String::from_utf8_lossy(&out.stdout).to_string();
    let passed = report.lines().filter(|l| l.starts_with("SUCCESS ")).count();
    assert!(
        out.status.success() && passed >= 30,
        "scim2-tester: {passed} passed\n{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        report.lines().all(|l| l.starts_with("SUCCESS ")),
        "{report}"
    );

    // 2. Entra ID's way: userName is the user principal name, the address is in emails.
    let cli = &tools.scim2;
    let created = json_of(&scim2(
        cli,
        &server,
        &token,
        &["create", "user", "--no-indent"],
        &serde_json::json!({
            "schemas": [USER], "userName": "jens.hansen@contoso.onmicrosoft.com",
            "externalId": "entra-object-1", "active": true,
            "name": {"givenName": "Jens", "familyName": "Hansen"},
            "emails": [{"value": "jens@a.dk", "type": "work"}],
        })
        .to_string(),
    ));
    let id = created["id"].as_str().expect("id").to_owned();
    let found = json_of(&scim2(
        cli,
        &server,
        &token,
        &[
            "query",
            "user",
            "--filter",
            "userName eq \"JENS.HANSEN@contoso.onmicrosoft.com\"",
            "--no-indent",
        ],
        "",
    ));
    assert_eq!(
        (
            found["totalResults"].as_i64(),
            found["Resources"][0]["id"].as_str()
        ),
        (Some(1), Some(id.as_str())),
        "{found}"
    );
    // Another organisation's directory sees nothing of it.
    let (status, other) = server.json(
        "GET",
        &format!("/scim/v2/Users/{id}"),
        Some(&other_token),
        None,
    );
    assert_eq!(status, 404, "{other}");
    let (_, other) = server.json(
        "GET",
        "/scim/v2/Users?filter=externalId%20eq%20%22entra-object-1%22",
        Some(&other_token),
        None,
    );
    assert_eq!(other["totalResults"], 0, "{other}");
    // A renamed user (the directory changes the surname).
    let renamed = json_of(&scim2(
        cli,
        &server,
        &token,
        &[
            "modify",
            "user",
            &id,
            "replace",
            "name.familyName",
            "Hansen-Berg",
            "--no-indent",
        ],
        "",
    ));
    assert_eq!(renamed["name"]["familyName"], "Hansen-Berg", "{renamed}");

    // 3. The user holds an employee certificate and has another order waiting.
    let user_token = env.json(&[
        "token",
        "create",
        "--user",
        "jens@a.dk",
        "--org",
        "99999980",
    ])["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let o = testkit::employee_order(&server, &a.admin, &id);
    let mail = env.wait_for_mail("/api/v1/email-validations/");
    server.confirm_link_in(&mail);
    let (status, got) = server.json(
        "POST",
        &format!("/api/v1/orders/{}/pickup", o["id"].as_str().expect("id")),
        Some(&user_token),
        Some(r#"{"pkcs12": true}"#),
    );
    assert_eq!(status, 200, "{got}");
    let certificate = got["certificate_id"].as_str().expect("id").to_owned();
    let serial = got["serial"].as_str().expect("serial").to_lowercase();
    let waiting = testkit::employee_order(&server, &a.admin, &id);

    // 4. The directory deactivates the user, as Entra ID does (the string "False").
    let before = env.audit_events();
    let patch = serde_json::json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
    });
    let off = json_of(&scim2(
        cli,
        &server,
        &token,
        &["modify", "user", &id, "--no-indent"],
        &patch.to_string(),
    ));
    assert_eq!(off["active"], false, "{off}");
    let (_, c) = server.json(
        "GET",
        &format!("/api/v1/certificates/{certificate}"),
        Some(&a.admin),
        None,
    );
    assert_eq!(
        (c["status"].as_str(), c["block_reason"].as_str()),
        (Some("blocked"), Some("left_organisation")),
        "{c}"
    );
    let (_, w) = server.json(
        "GET",
        &format!("/api/v1/orders/{}", waiting["id"].as_str().expect("id")),
        Some(&a.admin),
        None,
    );
    assert_eq!(w["status"], "cancelled", "{w}");
    let notice = env.wait_for_mail("has left the organisation");
    assert!(
        notice.contains("jens@a.dk") && notice.contains("directory (Entra ID)"),
        "{notice}"
    );
    let (status, _) = server.json("GET", "/api/v1/organisation", Some(&user_token), None);
    assert_eq!(status, 401, "a deactivated user's token ends");
    let blocked = BTreeSet::from([serial.clone()]);
    crate::campaign::assert_crl_lists(&env, &server, &blocked);
    crate::campaign::assert_ocsp_agrees(&env, &server, &blocked, &blocked);
    let actions = env.audit_actions_after(before);
    assert_eq!(
        (
            actions.get("certificate.blocked"),
            actions.get("order.cancelled"),
            actions.get("user.changed")
        ),
        (Some(&1), Some(&1), Some(&1)),
        "{actions:?}"
    );
    let actors = env.sql(&format!(
        "SELECT DISTINCT actor FROM audit_events WHERE seq > {before}"
    ));
    assert_eq!(actors.trim(), format!("scim:{token_id}"));
    // Active again: may log in and be given certificates; the block stands.
    let on = json_of(&scim2(
        cli,
        &server,
        &token,
        &[
            "modify",
            "user",
            &id,
            "replace",
            "active",
            "true",
            "--no-indent",
        ],
        "",
    ));
    assert_eq!(on["active"], true, "{on}");
    testkit::employee_order(&server, &a.admin, &id);
    let (status, _) = server.json("GET", "/api/v1/organisation", Some(&user_token), None);
    assert_eq!(
        status, 401,
        "the token was revoked, not just idle while they were away"
    );
    // A PUT without `active` keeps the status; one with it off deactivates again.
    let mut put = renamed.clone();
    put.as_object_mut().expect("user").remove("active");
    let (status, kept) = server.json(
        "PUT",
        &format!("/scim/v2/Users/{id}"),
        Some(&token),
        Some(&put.to_string()),
    );
    assert_eq!(
        (status, kept["active"].clone()),
        (200, serde_json::json!(true)),
        "{kept}"
    );

    // 5. Deleted: gone from the directory's view, removed in orgca, certificates blocked
    // and orders cancelled again; the address is free for someone rehired.
    let out = scim2(cli, &server, &token, &["delete", "user", &id], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (status, gone) = server.json("GET", &format!("/scim/v2/Users/{id}"), Some(&token), None);
    assert_eq!(
        (status, gone["schemas"][0].as_str()),
        (404, Some("urn:ietf:params:scim:api:messages:2.0:Error")),
        "{gone}"
    );
    let users = env.json(&["user", "list", "--org", "99999980"]);
    let status_of = |email: &str| -> Vec<String> {
        users
            .as_array()
            .expect("users")
            .iter()
            .filter(|u| u["email"] == email)
            .map(|u| u["status"].as_str().expect("status").to_owned())
            .collect()
    };
    assert_eq!(status_of("jens@a.dk"), ["removed"]);
    let (status, v) = server.json(
        "PATCH",
        &format!("/api/v1/users/{id}"),
        Some(&a.admin),
        Some(r#"{"status": "active"}"#),
    );
    assert_eq!(
        status, 409,
        "an administrator cannot bring back a removed user: {v}"
    );
    let again = json_of(&scim2(
        cli,
        &server,
        &token,
        &["create", "user", "--no-indent"],
        &created_doc("jens@a.dk", "entra-object-2"),
    ));
    assert_ne!(again["id"].as_str(), Some(id.as_str()));

    // 6. Refusals: a taken name, a user without a name, a filter orgca does not read, a
    // wrong and a revoked token; each a SCIM error.
    let scim = |method: &str, path: &str, token: &str, body: Option<&str>| {
        let (status, headers, b) =
            server.request(method, path, Some(token), body.map(str::as_bytes));
        let v: serde_json::Value = serde_json::from_slice(&b).unwrap_or_default();
        let media = headers
            .iter()
            .find(|(k, _)| k == "content-type")
            .map(|(_, v)| v.clone());
        assert_eq!(media.as_deref(), Some("application/scim+json"), "{v}");
        (status, v)
    };
    let (status, v) = scim(
        "POST",
        "/scim/v2/Users",
        &token,
        Some(&created_doc("jens@a.dk", "x")),
    );
    assert_eq!(
        (status, v["scimType"].as_str()),
        (409, Some("uniqueness")),
        "{v}"
    );
    let (status, v) = scim(
        "POST",
        "/scim/v2/Users",
        &token,
        Some(&serde_json::json!({"schemas": [USER], "userName": "nn@a.dk"}).to_string()),
    );
    assert_eq!(
        (status, v["scimType"].as_str()),
        (400, Some("invalidValue")),
        "{v}"
    );
    assert!(
        v["detail"]
            .as_str()
            .is_some_and(|d| d.contains("givenName")),
        "{v}"
    );
    // Entra ID sends `primary` (which orgca reads, and scim2-cli would not send, as the
    // schema does not list it): the primary address is the one kept.
    let (status, v) = scim(
        "POST",
        "/scim/v2/Users",
        &token,
        Some(
            &serde_json::json!({
                "schemas": [USER], "userName": "kim@contoso.onmicrosoft.com", "active": true,
                "name": {"givenName": "Kim", "familyName": "Lund"},
                "emails": [
                    {"value": "kim@home.dk", "type": "home"},
                    {"value": "Kim@A.dk", "type": "work", "primary": "True"},
                ],
            })
            .to_string(),
        ),
    );
    assert_eq!(
        (status, v["emails"].clone()),
        (
            201,
            serde_json::json!([{"value": "Kim@a.dk", "type": "work"}])
        ),
        "{v}"
    );
    let (status, v) = scim(
        "GET",
        "/scim/v2/Users?filter=userName%20co%20%22a%22",
        &token,
        None,
    );
    assert_eq!(
        (status, v["scimType"].as_str()),
        (400, Some("invalidFilter")),
        "{v}"
    );
    let (status, v) = scim("GET", "/scim/v2/Users", "orgca_scim_wrong", None);
    assert_eq!((status, v["status"].as_str()), (401, Some("401")), "{v}");
    let (status, v) = scim("GET", "/scim/v2/Users", &b.admin, None);
    assert_eq!(status, 401, "an API token is not a provisioning token: {v}");
    // A token makes at most SCIM_REQUESTS_PER_MINUTE requests a minute (a window may
    // end during the loop: then up to twice as many pass); another token is not held up.
    let (busy, _) = provisioning_token(&env, "99999980", "Runaway");
    let limit = orgca_web::SCIM_REQUESTS_PER_MINUTE as usize;
    let mut passed = 0;
    let refused = loop {
        let (status, headers, b) =
            server.request("GET", "/scim/v2/Users?count=0", Some(&busy), None);
        if status != 200 {
            break (status, headers, b);
        }
        passed += 1;
        assert!(passed <= 2 * limit, "no limit after {passed} requests");
    };
    assert!((limit..=2 * limit).contains(&passed), "{passed} passed");
    assert_eq!(refused.0, 429, "{}", String::from_utf8_lossy(&refused.2));
    assert!(refused.1.iter().any(|(k, _)| k == "retry-after"));
    let (status, _) = scim("GET", "/scim/v2/Users?count=0", &token, None);
    assert_eq!(status, 200, "another token is not held up");
    env.ok(&["scim", "token", "revoke", "--org", "99999980", &token_id]);
    let (status, _) = scim("GET", "/scim/v2/Users", &token, None);
    assert_eq!(status, 401, "a revoked token is refused");
    assert!(env.ok(&["audit", "verify"]).contains("OK"));
}

fn created_doc(email: &str, external: &str) -> String {
    serde_json::json!({
        "schemas": [USER], "userName": email, "externalId": external,
        "name": {"givenName": "Jens", "familyName": "Hansen"},
        "emails": [{"value": email, "type": "work"}],
    })
    .to_string()
}
