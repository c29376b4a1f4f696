//! What users do, made short: an organisation with people and tokens (CLI), profiles,
//! orders and a pick-up (API).

use std::path::PathBuf;

use crate::env::Env;
use crate::http::Server;
use crate::openssl::openssl_csr;

/// An organisation made through the CLI, with an organisation administrator and a
/// user, each with an API token.
pub struct Org {
    /// The administrator's (`admin@domain`) API token.
    pub admin: String,
    /// The user's (`user@domain`) API token.
    pub user: String,
    /// The user's id.
    pub user_id: String,
}

/// Creates a test organisation with CVR `cvr` whose people have addresses at `domain`.
pub fn org(env: &Env, cvr: &str, domain: &str) -> Org {
    env.ok(&[
        "org",
        "create",
        "--cvr",
        cvr,
        "--name",
        &format!("Testorganisation nr. {cvr}"),
        "--test",
    ]);
    let mk = |local: &str, role: &str| {
        let email = format!("{local}@{domain}");
        let u = env.json(&[
            "user",
            "create",
            "--org",
            cvr,
            "--email",
            &email,
            "--given-name",
            "Ane",
            "--surname",
            "Ørsted",
            "--role",
            role,
        ]);
        let t = env.json(&["token", "create", "--user", &email]);
        (
            t["token"].as_str().expect("token").to_owned(),
            u["id"].as_str().expect("id").to_owned(),
        )
    };
    let (admin, _) = mk("admin", "org_admin");
    let (user, user_id) = mk("user", "user");
    Org {
        admin,
        user,
        user_id,
    }
}

/// Has the CLI mail `email` a password link; answers the link's path (`/portal/...`).
pub fn password_link_path(env: &Env, email: &str) -> String {
    let out = env.json(&["user", "password-link", "--email", email]);
    let link = out["link"].as_str().expect("link");
    format!(
        "/portal/{}",
        link.split_once("/portal/").expect("a portal link").1
    )
}

/// Creates a profile through the API; answers its id.
pub fn profile(server: &Server, token: &str, body: &str) -> String {
    let (status, p) = server.json("POST", "/api/v1/profiles", Some(token), Some(body));
    assert_eq!(status, 201, "{p}");
    p["id"].as_str().expect("id").to_owned()
}

/// Places an employee-certificate order (PKCS#12, picked up by the user after logging
/// in) for the user `user_id` through the API; answers it.
pub fn employee_order(server: &Server, token: &str, user_id: &str) -> serde_json::Value {
    let (status, o) = server.json(
        "POST",
        &format!("/api/v1/users/{user_id}/orders"),
        Some(token),
        Some(r#"{"identification": "user_login", "issuance": "pkcs12"}"#),
    );
    assert_eq!(status, 201, "{o}");
    o
}

/// Places an order for a profile through the API; answers it.
pub fn order(server: &Server, token: &str, profile: &str, body: &str) -> serde_json::Value {
    let (status, o) = server.json(
        "POST",
        &format!("/api/v1/profiles/{profile}/orders"),
        Some(token),
        Some(body),
    );
    assert_eq!(status, 201, "{o}");
    o
}

/// A system certificate ordered and picked up through the API with a CSR for a key made
/// by `newkey` (openssl req arguments): its id, serial and PEM file.
pub fn picked_up_system(
    env: &Env,
    server: &Server,
    admin: &str,
    name: &str,
    newkey: &[&str],
) -> (String, String, PathBuf) {
    let id = profile(
        server,
        admin,
        &format!(
            r#"{{"kind": "system", "name": "{name}", "contact": {{"name": "Ane", "email": "ane@a.dk"}}}}"#
        ),
    );
    let o = order(
        server,
        admin,
        &id,
        r#"{"identification": "one_time_code", "issuance": "csr"}"#,
    );
    let csr = openssl_csr(env, name, newkey);
    let body = serde_json::json!({
        "reference": o["reference"], "one_time_code": o["one_time_code"],
        "csr": std::fs::read_to_string(csr).expect("csr"),
    });
    let (status, got) = server.json("POST", "/api/v1/pickup", None, Some(&body.to_string()));
    assert_eq!(status, 200, "{got}");
    let pem = env.write(
        &format!("{name}.pem"),
        got["certificate_pem"].as_str().expect("pem"),
    );
    (
        got["certificate_id"].as_str().expect("id").to_owned(),
        got["serial"].as_str().expect("serial").to_owned(),
        pem,
    )
}
