//! Guessing is limited per client address: after 20 wrong API tokens or one-time codes
//! in 15 minutes, every try from that address is refused (429 `too_many_failures`, with
//! `Retry-After`), a right one too, while other addresses go on. Behind a proxy named in
//! `trusted_proxies` the address is the one the proxy forwards; from anyone else
//! `X-Forwarded-For` is not believed, so a guesser cannot pose as many clients.
//! (Portal logins have limits of their own per account and per address: `portal`.)

use crate::ORGCA;
use orgca_testkit::{self as testkit, Env, Server, openssl::P256};

const CVR: &str = "99999914";

/// A JSON request from `client` (sent as the proxy's `X-Forwarded-For`, or not at all):
/// its status, `Retry-After` and problem code.
fn from(
    server: &Server,
    client: Option<&str>,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> (u16, Option<String>, String) {
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(c) = client {
        headers.push(("X-Forwarded-For", c));
    }
    let (status, got, body) =
        server.request_with(method, path, &headers, token, body.map(str::as_bytes));
    let retry = got
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("retry-after"))
        .map(|(_, v)| v.clone());
    let problem: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    (
        status,
        retry,
        problem["code"].as_str().unwrap_or("").to_owned(),
    )
}

/// Puts `trusted_proxies = [...]` into the environment's configuration.
fn trust(env: &Env, proxies: &str) {
    let path = env.data().join("config.toml");
    let text = std::fs::read_to_string(&path).expect("config");
    let (first, rest) = text.split_once('\n').expect("a first line");
    std::fs::write(
        &path,
        format!("{first}\ntrusted_proxies = {proxies}\n{rest}"),
    )
    .expect("write config");
}

fn pickup_body(reference: &str, code: &str, csr: &str) -> String {
    serde_json::json!({"reference": reference, "one_time_code": code, "csr": csr}).to_string()
}

#[test]
fn wrong_tokens_and_codes_from_one_address_are_refused_for_a_while() {
    let env = Env::new(ORGCA);
    let org = testkit::org(&env, CVR, "gaet.dk");
    trust(&env, r#"["127.0.0.1"]"#);
    let server = env.serve();
    let list = "/api/v1/certificates";

    // Twenty wrong tokens from one client: each a 401; the next try, with the right
    // token, is refused with 429 and when to come back.
    let guesser = Some("192.0.2.10");
    for i in 0..20 {
        let wrong = format!("orgca_{i:064}");
        let (status, _, code) = from(&server, guesser, "GET", list, Some(&wrong), None);
        assert_eq!((status, code.as_str()), (401, "unauthorized"), "try {i}");
    }
    let (status, retry, code) = from(&server, guesser, "GET", list, Some(&org.admin), None);
    assert_eq!((status, code.as_str()), (429, "too_many_failures"));
    let retry: i64 = retry.expect("Retry-After").parse().expect("seconds");
    assert!((1..=900).contains(&retry), "{retry}");
    // Another client behind the same proxy, and the proxy itself, go on.
    let (status, _, _) = from(
        &server,
        Some("192.0.2.11"),
        "GET",
        list,
        Some(&org.admin),
        None,
    );
    assert_eq!(status, 200);
    let (status, _, _) = from(&server, None, "GET", list, Some(&org.admin), None);
    assert_eq!(status, 200);

    // Wrong one-time codes (and unknown references) count the same way, across orders.
    let profile = testkit::profile(
        &server,
        &org.admin,
        r#"{"kind": "system", "name": "Gaet", "contact": {"name": "Ane", "email": "ane@gaet.dk"}}"#,
    );
    let order = testkit::order(
        &server,
        &org.admin,
        &profile,
        r#"{"identification": "one_time_code", "issuance": "csr"}"#,
    );
    let reference = order["reference"].as_str().expect("reference");
    let right_code = order["one_time_code"].as_str().expect("code");
    let csr = std::fs::read_to_string(testkit::openssl_csr(&env, "gaet", P256)).expect("csr");
    let picker = Some("198.51.100.7");
    for i in 0..20 {
        let body = pickup_body(&format!("ZZZZ-{i:04}"), "WRONG-CODE-0000", &csr);
        let (status, _, _) = from(&server, picker, "POST", "/api/v1/pickup", None, Some(&body));
        assert_eq!(status, 403, "try {i}");
    }
    let body = pickup_body(reference, right_code, &csr);
    let (status, _, code) = from(&server, picker, "POST", "/api/v1/pickup", None, Some(&body));
    assert_eq!((status, code.as_str()), (429, "too_many_failures"));
    // The order was not touched: picked up from another address with its code.
    let (status, _, code) = from(
        &server,
        Some("198.51.100.8"),
        "POST",
        "/api/v1/pickup",
        None,
        Some(&body),
    );
    assert_eq!(status, 200, "{code}");
    drop(server);

    // Without `trusted_proxies`, X-Forwarded-For is the client's own claim: a guesser
    // who writes a new address into it each time is still one address.
    let env = Env::new(ORGCA);
    let org = testkit::org(&env, CVR, "gaet.dk");
    let server = env.serve();
    for i in 0..20 {
        let posing = format!("203.0.113.{i}");
        let wrong = format!("orgca_{i:064}");
        let (status, _, _) = from(&server, Some(&posing), "GET", list, Some(&wrong), None);
        assert_eq!(status, 401);
    }
    let (status, _, code) = from(
        &server,
        Some("203.0.113.99"),
        "GET",
        list,
        Some(&org.admin),
        None,
    );
    assert_eq!((status, code.as_str()), (429, "too_many_failures"));
}
