//! The REST API through HTTP only: bearer tokens, organisation settings, users, and
//! confinement to the caller's organisation.

use crate::ORGCA;
use orgca_testkit::{self as testkit, Env, org};

#[test]
fn api_answers_each_organisation_only_its_own() {
    let env = Env::new(ORGCA);
    let a = org(&env, "99999995", "a.dk");
    let b = org(&env, "99999994", "b.dk");
    let before = env.audit_events();
    let server = env.serve();

    // Authentication.
    let (status, headers, body) = server.request("GET", "/api/v1/organisation", None, None);
    assert_eq!(status, 401);
    assert!(
        headers
            .iter()
            .any(|(k, v)| k == "www-authenticate" && v == "Bearer")
    );
    assert!(String::from_utf8_lossy(&body).contains("\"code\":\"unauthorized\""));
    assert_eq!(
        server
            .json("GET", "/api/v1/organisation", Some("orgca_00"), None)
            .0,
        401
    );

    // Settings: everyone reads their own; only the organisation administrator changes them.
    let (status, v) = server.json("GET", "/api/v1/organisation", Some(&a.user), None);
    assert_eq!(
        (status, v["cvr"].as_str(), v["seals"].as_bool()),
        (200, Some("99999995"), Some(true))
    );
    let (status, v) = server.json(
        "PATCH",
        "/api/v1/organisation",
        Some(&a.user),
        Some(r#"{"seals": false}"#),
    );
    assert_eq!((status, v["code"].as_str()), (403, Some("forbidden")));
    let (status, v) = server.json(
        "PATCH",
        "/api/v1/organisation",
        Some(&a.admin),
        Some(r#"{"seals": false}"#),
    );
    assert_eq!(
        (
            status,
            v["seals"].as_bool(),
            v["user_certificates"].as_bool()
        ),
        (200, Some(false), Some(true))
    );
    assert_eq!(
        server
            .json("GET", "/api/v1/organisation", Some(&b.admin), None)
            .1["seals"],
        true,
        "B untouched"
    );
    for bad in [r#"{"sealz": true}"#, "not json", r#"{"seals": "yes"}"#] {
        let (status, v) = server.json("PATCH", "/api/v1/organisation", Some(&a.admin), Some(bad));
        assert_eq!(
            (status, v["code"].as_str()),
            (400, Some("invalid_json")),
            "{bad}"
        );
    }

    // Users: administrators create and list; the seal right needs the organisation's.
    let new = r#"{"email": "ny@a.dk", "given_name": "Ny", "surname": "Bruger", "role": "user"}"#;
    let (status, created) = server.json("POST", "/api/v1/users", Some(&a.admin), Some(new));
    assert_eq!(status, 201, "{created}");
    assert_eq!(
        server
            .json("POST", "/api/v1/users", Some(&a.admin), Some(new))
            .0,
        409
    );
    assert_eq!(
        server
            .json("POST", "/api/v1/users", Some(&a.user), Some(new))
            .0,
        403
    );
    let sealer = r#"{"email": "segl@a.dk", "given_name": "S", "surname": "S", "role": "user", "seal": true}"#;
    assert_eq!(
        server
            .json("POST", "/api/v1/users", Some(&a.admin), Some(sealer))
            .0,
        409,
        "the organisation's seal right is off: refused for its state"
    );
    let danish = r#"{"email": "søren@a.dk", "given_name": "S", "surname": "S", "role": "user"}"#;
    let (status, v) = server.json("POST", "/api/v1/users", Some(&a.admin), Some(danish));
    assert_eq!((status, v["code"].as_str()), (422, Some("invalid_email")));
    let (_, list) = server.json("GET", "/api/v1/users", Some(&a.admin), None);
    assert_eq!(list["items"].as_array().map(Vec::len), Some(3));
    assert_eq!(list["next"], serde_json::Value::Null);

    // Confinement: B's administrator gets 404 for A's ids, as for ids that do not exist.
    let a_user = format!("/api/v1/users/{}", a.user_id);
    assert_eq!(server.json("GET", &a_user, Some(&a.admin), None).0, 200);
    assert_eq!(
        server.json("GET", &a_user, Some(&a.user), None).0,
        200,
        "a user reads themself"
    );
    assert_eq!(server.json("GET", &a_user, Some(&b.admin), None).0, 404);
    assert_eq!(
        server
            .json(
                "GET",
                &format!("/api/v1/users/{}", b.user_id),
                Some(&a.admin),
                None
            )
            .0,
        404
    );
    assert_eq!(
        server
            .json("GET", "/api/v1/users/not-a-uuid", Some(&a.admin), None)
            .0,
        404
    );
    let (_, b_list) = server.json("GET", "/api/v1/users", Some(&b.admin), None);
    assert!(
        b_list["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|u| u["email"].as_str().is_some_and(|e| e.ends_with("@b.dk")))
    );

    // Size limit.
    let huge = format!(r#"{{"email": "{}@a.dk"}}"#, "x".repeat(70 * 1024));
    let (status, _, body) = server.request(
        "POST",
        "/api/v1/users",
        Some(&a.admin),
        Some(huge.as_bytes()),
    );
    assert_eq!(status, 413);
    let problem = String::from_utf8_lossy(&body);
    assert!(
        problem.contains("\"code\":\"body_too_large\""),
        "a problem document: {problem}"
    );
    drop(server);
    // The server's two OCSP responders and its start's checkpoint, the one settings
    // change and the one user made; nothing refused left a trace.
    assert_eq!(
        env.audit_actions_after(before),
        [
            ("audit.checkpoint", 1),
            ("ocsp_responder.reserved", 2),
            ("organisation.settings_changed", 1),
            ("user.created", 1)
        ]
        .map(|(a, n)| (a.to_owned(), n))
        .into()
    );
}

#[test]
fn profiles_are_checked_unique_per_organisation_and_confined() {
    let env = Env::new(ORGCA);
    let a = org(&env, "99999993", "a.dk");
    let b = org(&env, "99999992", "b.dk");
    let server = env.serve();
    let body = r#"{"kind": "system", "name": "Løn-system", "email": "lon@a.dk",
                   "contact": {"name": "Ane Ørsted", "email": "ane@a.dk"}}"#;
    let (status, p) = server.json("POST", "/api/v1/profiles", Some(&a.admin), Some(body));
    assert_eq!(status, 201, "{p}");
    assert_eq!(
        (p["kind"].as_str(), p["allow_signing"].as_bool()),
        (Some("system"), Some(false))
    );
    let id = p["id"].as_str().expect("id").to_owned();
    // The same name in another case is taken; in another organisation it is free.
    let upper = body.replace("Løn-system", "LØN-SYSTEM");
    assert_eq!(
        server
            .json("POST", "/api/v1/profiles", Some(&a.admin), Some(&upper))
            .0,
        409
    );
    assert_eq!(
        server
            .json("POST", "/api/v1/profiles", Some(&b.admin), Some(body))
            .0,
        201
    );
    // Refusals say what is wrong.
    for (bad, code) in [
        (
            body.replace("\"system\"", "\"employee\""),
            "invalid_request",
        ),
        (body.replace("\"system\"", "\"robot\""), "invalid_kind"),
        (body.replace("lon@a.dk", "løn@a.dk"), "invalid_email"),
        (body.replace("Løn-system", ""), "invalid_name"),
    ] {
        let (status, v) = server.json("POST", "/api/v1/profiles", Some(&a.admin), Some(&bad));
        assert_eq!((status, v["code"].as_str()), (422, Some(code)), "{bad}");
    }
    // Characters that make a name read as another (right-to-left override, zero-width
    // space) are refused, in the certificate's name and in the contact's, with where.
    for (bad, says) in [
        (
            body.replace("Løn-system", "Sys\\u202eevil"),
            "name contains U+202E (RIGHT-TO-LEFT OVERRIDE) at character 4",
        ),
        (
            body.replace("Løn-system", "\\u200b\\u200b"),
            "name contains U+200B (ZERO WIDTH SPACE) at character 1",
        ),
        (
            body.replace("\"name\": \"Ane", "\"name\": \"A\\u2066ne"),
            "contact name contains U+2066 (LEFT-TO-RIGHT ISOLATE) at character 2",
        ),
    ] {
        let (status, v) = server.json("POST", "/api/v1/profiles", Some(&a.admin), Some(&bad));
        assert_eq!(status, 422, "{bad} {v}");
        assert!(
            v["detail"].as_str().unwrap_or("").contains(says),
            "{bad} {v}"
        );
    }
    let missing_contact = r#"{"kind": "system", "name": "X"}"#;
    assert_eq!(
        server
            .json(
                "POST",
                "/api/v1/profiles",
                Some(&a.admin),
                Some(missing_contact)
            )
            .0,
        400
    );
    assert_eq!(
        server
            .json("POST", "/api/v1/profiles", Some(&a.user), Some(body))
            .0,
        403
    );
    // Profiles name contact persons and their addresses: administrators read them, a
    // plain user does not (another organisation's id stays "not found").
    for path in [
        "/api/v1/profiles".to_owned(),
        format!("/api/v1/profiles/{id}"),
    ] {
        assert_eq!(
            server.json("GET", &path, Some(&a.user), None).0,
            403,
            "{path}"
        );
        assert_eq!(
            server.json("GET", &path, Some(&a.admin), None).0,
            200,
            "{path}"
        );
    }
    assert_eq!(
        server
            .json(
                "GET",
                &format!("/api/v1/profiles/{id}"),
                Some(&b.user),
                None
            )
            .0,
        404
    );
    // PATCH changes what it names, keeps the id; the e-mail can be removed.
    let path = format!("/api/v1/profiles/{id}");
    let (status, p) = server.json(
        "PATCH",
        &path,
        Some(&a.admin),
        Some(r#"{"email": null, "publish": true}"#),
    );
    assert_eq!(
        (
            status,
            p["email"].clone(),
            p["publish"].as_bool(),
            p["id"].as_str()
        ),
        (200, serde_json::Value::Null, Some(true), Some(id.as_str()))
    );
    assert_eq!(
        server
            .json(
                "PATCH",
                &path,
                Some(&a.admin),
                Some(r#"{"kind": "organisation"}"#)
            )
            .0,
        400
    );
    // Confinement (a plain user of the same organisation: 403, above).
    assert_eq!(server.json("GET", &path, Some(&b.admin), None).0, 404);
    assert_eq!(
        server
            .json(
                "PATCH",
                &path,
                Some(&b.admin),
                Some(r#"{"publish": false}"#)
            )
            .0,
        404
    );
    let (_, list) = server.json("GET", "/api/v1/profiles", Some(&b.admin), None);
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
}

#[test]
fn order_and_pick_up_with_a_one_time_code() {
    let env = Env::new(ORGCA);
    let a = org(&env, "99999991", "a.dk");
    let b = org(&env, "99999990", "b.dk");
    let before = env.audit_events();
    let server = env.serve();
    let profile = |name: &str, email: Option<&str>| {
        let email = email
            .map(|e| format!(r#", "email": "{e}""#))
            .unwrap_or_default();
        let body = format!(
            r#"{{"kind": "system", "name": "{name}"{email}, "contact": {{"name": "Ane", "email": "ane@a.dk"}}}}"#
        );
        let (status, p) = server.json("POST", "/api/v1/profiles", Some(&a.admin), Some(&body));
        assert_eq!(status, 201, "{p}");
        p["id"].as_str().expect("id").to_owned()
    };
    let order = |profile: &str, token: &str, body: &str| {
        server.json(
            "POST",
            &format!("/api/v1/profiles/{profile}/orders"),
            Some(token),
            Some(body),
        )
    };
    let by_code = r#"{"identification": "one_time_code", "issuance": "csr"}"#;
    let api = profile("API-klient", None);

    let (status, o) = order(&api, &a.admin, by_code);
    assert_eq!((status, o["status"].as_str()), (201, Some("ready")), "{o}");
    let (reference, code) = (
        o["reference"].as_str().expect("ref").to_owned(),
        o["one_time_code"].as_str().expect("code").to_owned(),
    );
    let order_path = format!("/api/v1/orders/{}", o["id"].as_str().expect("id"));
    let (_, shown) = server.json("GET", &order_path, Some(&a.admin), None);
    assert!(
        shown.get("one_time_code").is_none(),
        "the code is shown once only: {shown}"
    );
    assert_eq!(server.json("GET", &order_path, Some(&b.admin), None).0, 404);
    // A plain user of the organisation does not read its system orders.
    assert_eq!(server.json("GET", &order_path, Some(&a.user), None).0, 403);
    assert_eq!(
        order(&api, &b.admin, by_code).0,
        404,
        "another organisation's profile"
    );
    assert_eq!(order(&api, &a.user, by_code).0, 403);

    let csr = testkit::openssl_csr(&env, "k", &["-newkey", "rsa:3072"]);
    let csr_pem = std::fs::read_to_string(&csr).expect("csr");
    let pickup = |reference: &str, code: &str, csr: &str| {
        let body = serde_json::json!({"reference": reference, "one_time_code": code, "csr": csr})
            .to_string();
        server.json("POST", "/api/v1/pickup", None, Some(&body))
    };
    // A wrong code counts; a bad CSR with the right code costs nothing.
    let (status, v) = pickup(&reference, "AAAA-AAAA-AAAA-AAAA", &csr_pem);
    assert_eq!((status, v["code"].as_str()), (403, Some("wrong_code")));
    let wrong_code = v["detail"].clone();
    assert!(
        wrong_code
            .as_str()
            .is_some_and(|d| d.contains("the reference or the one-time code is wrong")),
        "{v}"
    );
    let (status, v) = pickup(&reference, &code, "not a csr");
    assert_eq!((status, v["code"].as_str()), (422, Some("invalid_csr")));
    // An unknown reference gets the very answer of a wrong code: the API tells nobody
    // which references exist.
    let (status, v) = pickup("ZZZZ-ZZZZ", &code, &csr_pem);
    assert_eq!(
        (status, &v["code"], &v["detail"]),
        (403, &serde_json::json!("wrong_code"), &wrong_code)
    );
    // The right code, typed in lower case and without dashes, picks it up once.
    let typed = code.to_lowercase().replace('-', "");
    let (status, got) = pickup(&reference.to_lowercase(), &typed, &csr_pem);
    assert_eq!(status, 200, "{got}");
    let leaf = env.write("leaf.pem", got["certificate_pem"].as_str().expect("pem"));
    let chain = env.write("chain.pem", got["chain_pem"].as_str().expect("chain"));
    let root = env.ca_file("test-root");
    testkit::assert_chain_verifies(&root, &chain, &leaf, "picked-up certificate");
    let subject = String::from_utf8_lossy(
        &testkit::cmd(
            "openssl",
            &[
                "x509",
                "-noout",
                "-subject",
                "-in",
                leaf.to_str().expect("p"),
            ],
        )
        .stdout,
    )
    .to_string();
    assert!(
        subject.contains(&format!("UI:DK-O:G:{api}")),
        "the profile's id is the subject UUID: {subject}"
    );
    let (_, done) = server.json("GET", &order_path, Some(&a.admin), None);
    assert_eq!(
        (done["status"].as_str(), done["certificate_id"].as_str()),
        (Some("issued"), got["certificate_id"].as_str())
    );
    let (status, v) = pickup(&reference, &code, &csr_pem);
    assert_eq!(
        (status, v["code"].as_str()),
        (409, Some("already_picked_up"))
    );

    // Five wrong codes lock the order, even for the right code afterwards.
    let (_, o2) = order(&api, &a.admin, by_code);
    let (r2, c2) = (
        o2["reference"].as_str().expect("r").to_owned(),
        o2["one_time_code"].as_str().expect("c").to_owned(),
    );
    for _ in 0..5 {
        assert_eq!(pickup(&r2, "AAAA-AAAA-AAAA-AAAA", &csr_pem).0, 403);
    }
    let (status, v) = pickup(&r2, &c2, &csr_pem);
    assert_eq!((status, v["code"].as_str()), (423, Some("order_locked")));

    // An e-mail shown in the certificate must be validated first: a link goes to it,
    // and the contact person is told the reference, never the code.
    let mailed = profile("Post", Some("post@a.dk"));
    let (_, o3) = order(&mailed, &a.admin, by_code);
    assert_eq!(o3["status"].as_str(), Some("awaiting_email_validation"));
    let (r3, c3) = (
        o3["reference"].as_str().expect("r").to_owned(),
        o3["one_time_code"].as_str().expect("c").to_owned(),
    );
    let (status, v) = pickup(&r3, &c3, &csr_pem);
    assert_eq!((status, v["code"].as_str()), (409, Some("order_not_ready")));
    let validation = env.wait_for_mail("To: post@a.dk");
    let to_contact = env.wait_for_mail(&r3);
    assert!(
        to_contact.contains("To: ane@a.dk") && !to_contact.contains(&c3),
        "{to_contact}"
    );
    assert_eq!(
        server
            .json("POST", "/api/v1/email-validations/0000", None, None)
            .0,
        404
    );
    let v = server.confirm_link_in(&validation);
    assert_eq!(v["orders_ready"].as_i64(), Some(1), "{v}");
    assert_eq!(pickup(&r3, &c3, &csr_pem).0, 200);
    // Once validated, the next order for that address is ready at once.
    let (_, o4) = order(&mailed, &a.admin, by_code);
    assert_eq!(o4["status"].as_str(), Some("ready"));

    // PKCS#12: orgca makes the key; OpenSSL and Java's keytool open the file with the
    // password shown once; a CSR is refused for such an order.
    let (_, o5) = order(
        &api,
        &a.admin,
        r#"{"identification": "one_time_code", "issuance": "pkcs12"}"#,
    );
    let (r5, c5) = (
        o5["reference"].as_str().expect("r").to_owned(),
        o5["one_time_code"].as_str().expect("c").to_owned(),
    );
    let (status, v) = pickup(&r5, &c5, &csr_pem);
    assert_eq!(
        (status, v["code"].as_str()),
        (409, Some("state_conflict")),
        "{v}"
    );
    let body =
        serde_json::json!({"reference": r5, "one_time_code": c5, "pkcs12": true}).to_string();
    let (status, p12) = server.json("POST", "/api/v1/pickup", None, Some(&body));
    assert_eq!(status, 200, "{p12}");
    let password = p12["password"].as_str().expect("password").to_owned();
    let b64 = env.write("p12.b64", p12["pkcs12"].as_str().expect("pkcs12"));
    let file = env.path("api.p12");
    let decoded = testkit::cmd(
        "openssl",
        &[
            "base64",
            "-d",
            "-A",
            "-in",
            b64.to_str().expect("p"),
            "-out",
            file.to_str().expect("p"),
        ],
    );
    assert!(decoded.status.success());
    let pass = format!("pass:{password}");
    let info = testkit::cmd(
        "openssl",
        &[
            "pkcs12",
            "-info",
            "-nokeys",
            "-in",
            file.to_str().expect("p"),
            "-passin",
            &pass,
        ],
    );
    let info_text =
        String::from_utf8_lossy(&info.stdout).to_string() + &String::from_utf8_lossy(&info.stderr);
    assert!(info.status.success(), "{info_text}");
    assert!(
        info_text.contains("PBES2, PBKDF2, AES-256-CBC"),
        "{info_text}"
    );
    assert_eq!(
        info_text.matches("-----BEGIN CERTIFICATE-----").count(),
        3,
        "leaf, issuing CA, root"
    );
    let key = testkit::cmd(
        "openssl",
        &[
            "pkcs12",
            "-in",
            file.to_str().expect("p"),
            "-passin",
            &pass,
            "-nocerts",
            "-nodes",
        ],
    );
    let key_text = String::from_utf8_lossy(&key.stdout);
    assert!(key_text.contains("PRIVATE KEY"), "{key_text}");
    // Neither the key nor its password is in the database, its WAL or its shared memory
    // (the key is made, packed and handed over in memory; only the certificate stays).
    let secret = private_key_bytes(&env, &key.stdout);
    let key_in = env.sqlite_files_holding(&secret);
    assert!(key_in.is_empty(), "the private key is in {key_in:?}");
    let password_in = env.sqlite_files_holding(password.as_bytes());
    assert!(
        password_in.is_empty(),
        "the PKCS#12 password is in {password_in:?}"
    );
    // The key's friendlyName is the lower-cased certificate name (keytool's alias).
    assert!(key_text.contains("friendlyName: api-klient"), "{key_text}");
    let keytool = testkit::cmd(
        "keytool",
        &[
            "-list",
            "-storetype",
            "PKCS12",
            "-keystore",
            file.to_str().expect("p"),
            "-storepass",
            &password,
        ],
    );
    let kt = String::from_utf8_lossy(&keytool.stdout);
    assert!(
        keytool.status.success() && kt.contains("api-klient") && kt.contains("PrivateKeyEntry"),
        "{kt}"
    );
    // Organisation certificates switched off: no orders.
    server.json(
        "PATCH",
        "/api/v1/organisation",
        Some(&a.admin),
        Some(r#"{"organisation_certificates": false}"#),
    );
    assert_eq!(
        order(&api, &a.admin, by_code).0,
        409,
        "refused for the state it is in"
    );
    drop(server);
    // Exactly what the flow did: the server's two OCSP responders, two profiles, five
    // orders placed (two refused ones left nothing), six wrong codes (one, then five; an
    // unknown reference has no order to count against), one address proven, three
    // certificates picked up, one settings change.
    assert_eq!(
        env.audit_actions_after(before),
        [
            ("audit.checkpoint", 1),
            ("certificate.issued", 3),
            ("email.validated", 1),
            ("ocsp_responder.reserved", 2),
            ("order.placed", 5),
            ("order.wrong_code", 6),
            ("organisation.settings_changed", 1),
            ("profile.created", 2),
        ]
        .map(|(a, n)| (a.to_owned(), n))
        .into()
    );
}

/// Waits (up to 15 s) for a message in the outbox that contains `needle`; returns it.
#[test]
fn cancelled_orders_cannot_be_picked_up() {
    let env = Env::new(ORGCA);
    let a = org(&env, "99999989", "a.dk");
    let b = org(&env, "99999988", "b.dk");
    let server = env.serve();
    let body = r#"{"kind": "organisation", "name": "Firma", "contact": {"name": "Ane", "email": "ane@a.dk"}}"#;
    let (_, p) = server.json("POST", "/api/v1/profiles", Some(&a.admin), Some(body));
    let orders = format!("/api/v1/profiles/{}/orders", p["id"].as_str().expect("id"));
    let (_, o) = server.json(
        "POST",
        &orders,
        Some(&a.admin),
        Some(r#"{"identification": "one_time_code", "issuance": "csr"}"#),
    );
    let cancel = format!("/api/v1/orders/{}/cancel", o["id"].as_str().expect("id"));
    assert_eq!(server.json("POST", &cancel, Some(&b.admin), None).0, 404);
    assert_eq!(server.json("POST", &cancel, Some(&a.user), None).0, 403);
    let (status, v) = server.json("POST", &cancel, Some(&a.admin), None);
    assert_eq!((status, v["status"].as_str()), (200, Some("cancelled")));
    assert_eq!(
        server.json("POST", &cancel, Some(&a.admin), None).0,
        200,
        "idempotent"
    );
    let csr = testkit::openssl_csr(&env, "k", &["-newkey", "rsa:3072"]);
    let pem = std::fs::read_to_string(&csr).expect("csr");
    let req = serde_json::json!({"reference": o["reference"], "one_time_code": o["one_time_code"], "csr": pem}).to_string();
    let (status, v) = server.json("POST", "/api/v1/pickup", None, Some(&req));
    assert_eq!((status, v["code"].as_str()), (409, Some("order_cancelled")));
}

#[test]
fn employee_certificates_are_ordered_for_a_user_and_picked_up_by_them() {
    let env = Env::new(ORGCA);
    let a = org(&env, "99999987", "a.dk");
    let b = org(&env, "99999986", "b.dk");
    let server = env.serve();
    let orders = format!("/api/v1/users/{}/orders", a.user_id);
    let by_login = r#"{"identification": "user_login", "issuance": "csr"}"#;
    assert_eq!(
        server
            .json(
                "POST",
                &orders,
                Some(&a.admin),
                Some(r#"{"identification": "one_time_code", "issuance": "csr"}"#)
            )
            .0,
        422
    );
    assert_eq!(
        server
            .json("POST", &orders, Some(&b.admin), Some(by_login))
            .0,
        404
    );
    assert_eq!(
        server
            .json("POST", &orders, Some(&a.user), Some(by_login))
            .0,
        403
    );
    let (status, o) = server.json("POST", &orders, Some(&a.admin), Some(by_login));
    assert_eq!(
        (status, o["status"].as_str()),
        (201, Some("awaiting_email_validation")),
        "{o}"
    );
    assert!(o.get("one_time_code").is_none());
    // The user it is for may read it.
    let own = format!("/api/v1/orders/{}", o["id"].as_str().expect("id"));
    assert_eq!(server.json("GET", &own, Some(&a.user), None).0, 200);
    let pickup = format!("/api/v1/orders/{}/pickup", o["id"].as_str().expect("id"));
    let csr = testkit::openssl_csr(
        &env,
        "emp",
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
    );
    let body = serde_json::json!({"csr": std::fs::read_to_string(&csr).expect("csr")}).to_string();
    let (status, v) = server.json("POST", &pickup, Some(&a.user), Some(&body));
    assert_eq!((status, v["code"].as_str()), (409, Some("order_not_ready")));
    // The user's own address is validated through the link mailed to it.
    let mail = env.wait_for_mail("/api/v1/email-validations/");
    assert!(mail.contains("To: user@a.dk"), "{mail}");
    server.confirm_link_in(&mail);
    // Only the user it is for picks it up.
    assert_eq!(
        server.json("POST", &pickup, Some(&a.admin), Some(&body)).0,
        404
    );
    assert_eq!(
        server.json("POST", &pickup, Some(&b.user), Some(&body)).0,
        404
    );
    let (status, got) = server.json("POST", &pickup, Some(&a.user), Some(&body));
    assert_eq!(status, 200, "{got}");
    assert_eq!(
        server.json("POST", &pickup, Some(&a.user), Some(&body)).0,
        409
    );
    let leaf = env.write("emp.pem", got["certificate_pem"].as_str().expect("pem"));
    let text = String::from_utf8_lossy(
        &testkit::cmd(
            "openssl",
            &["x509", "-noout", "-text", "-in", leaf.to_str().expect("p")],
        )
        .stdout,
    )
    .to_string();
    assert!(text.contains(&format!("UI:DK-E:G:{}", a.user_id)), "{text}");
    assert!(text.contains("email:user@a.dk"), "{text}");
    let root = env.ca_file("test-root");
    let chain = env.write("chain.pem", got["chain_pem"].as_str().expect("chain"));
    testkit::assert_chain_verifies(&root, &chain, &leaf, "picked-up certificate");
    if testkit::pkilint_available("lint_etsi_cert") {
        let bad = testkit::pkilint_errors(
            "lint_etsi_cert",
            &["-t", "NCP-NATURAL-PERSON-CERTIFICATE"],
            &leaf,
        );
        assert!(bad.is_empty(), "{bad:?}");
    }
    // Renewal: a new order for the same user, ready at once (the address is validated);
    // the new certificate has a new serial, the same subject, and names the old one.
    let cert_id = got["certificate_id"].as_str().expect("id").to_owned();
    let (status, r) = server.json(
        "POST",
        &format!("/api/v1/certificates/{cert_id}/renew"),
        Some(&a.admin),
        None,
    );
    assert_eq!(
        (status, r["status"].as_str(), r["renews"].as_str()),
        (201, Some("ready"), Some(cert_id.as_str())),
        "{r}"
    );
    let (status, renewed) = server.json(
        "POST",
        &format!("/api/v1/orders/{}/pickup", r["id"].as_str().expect("id")),
        Some(&a.user),
        Some(&body),
    );
    assert_eq!(status, 200, "{renewed}");
    assert_ne!(renewed["serial"], got["serial"]);
    let (_, new_cert) = server.json(
        "GET",
        &format!(
            "/api/v1/certificates/{}",
            renewed["certificate_id"].as_str().expect("id")
        ),
        Some(&a.user),
        None,
    );
    assert_eq!(
        (
            new_cert["renews"].as_str(),
            new_cert["subject_uuid"].as_str()
        ),
        (Some(cert_id.as_str()), Some(a.user_id.as_str()))
    );
    let (_, mine) = server.json("GET", "/api/v1/certificates", Some(&a.user), None);
    assert_eq!(
        mine["items"].as_array().map(Vec::len),
        Some(2),
        "the old one stays valid: {mine}"
    );
    assert!(
        mine["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|c| c["status"] == "active")
    );
    assert_eq!(
        server
            .json(
                "GET",
                &format!("/api/v1/certificates/{cert_id}"),
                Some(&b.admin),
                None
            )
            .0,
        404
    );
    assert_eq!(
        server
            .json(
                "POST",
                &format!("/api/v1/certificates/{cert_id}/renew"),
                Some(&b.admin),
                None
            )
            .0,
        404
    );
    // User certificates switched off: no more orders.
    server.json(
        "PATCH",
        "/api/v1/organisation",
        Some(&a.admin),
        Some(r#"{"user_certificates": false}"#),
    );
    assert_eq!(
        server
            .json("POST", &orders, Some(&a.admin), Some(by_login))
            .0,
        409
    );
}

#[test]
fn every_endpoint_answers_404_for_another_organisations_ids() {
    let env = Env::new(ORGCA);
    let a = org(&env, "99999985", "a.dk");
    let b = org(&env, "99999984", "b.dk");
    let server = env.serve();
    let profile = r#"{"kind": "system", "name": "A-system", "contact": {"name": "Ane", "email": "ane@a.dk"}}"#;
    let (_, p) = server.json("POST", "/api/v1/profiles", Some(&a.admin), Some(profile));
    let pid = p["id"].as_str().expect("id").to_owned();
    let by_code = r#"{"identification": "one_time_code", "issuance": "csr"}"#;
    let (_, issued_order) = server.json(
        "POST",
        &format!("/api/v1/profiles/{pid}/orders"),
        Some(&a.admin),
        Some(by_code),
    );
    let csr = testkit::openssl_csr(&env, "k", &["-newkey", "rsa:3072"]);
    let pem = std::fs::read_to_string(&csr).expect("csr");
    let req = serde_json::json!({"reference": issued_order["reference"], "one_time_code": issued_order["one_time_code"], "csr": pem});
    let (_, got) = server.json("POST", "/api/v1/pickup", None, Some(&req.to_string()));
    let cert = got["certificate_id"]
        .as_str()
        .expect("certificate")
        .to_owned();
    let (_, open_order) = server.json(
        "POST",
        &format!("/api/v1/profiles/{pid}/orders"),
        Some(&a.admin),
        Some(by_code),
    );
    let oid = open_order["id"].as_str().expect("id").to_owned();
    let (_, emp) = server.json(
        "POST",
        &format!("/api/v1/users/{}/orders", a.user_id),
        Some(&a.admin),
        Some(r#"{"identification": "user_login", "issuance": "csr"}"#),
    );
    let eid = emp["id"].as_str().expect("id").to_owned();
    let csr_body = serde_json::json!({"csr": pem}).to_string();
    let matrix: Vec<(&str, String, Option<&str>)> = vec![
        ("GET", format!("/api/v1/users/{}", a.user_id), None),
        (
            "POST",
            format!("/api/v1/users/{}/orders", a.user_id),
            Some(r#"{"identification": "user_login", "issuance": "csr"}"#),
        ),
        ("GET", format!("/api/v1/profiles/{pid}"), None),
        (
            "PATCH",
            format!("/api/v1/profiles/{pid}"),
            Some(r#"{"publish": true}"#),
        ),
        (
            "POST",
            format!("/api/v1/profiles/{pid}/orders"),
            Some(by_code),
        ),
        ("GET", format!("/api/v1/orders/{oid}"), None),
        ("POST", format!("/api/v1/orders/{oid}/cancel"), None),
        (
            "POST",
            format!("/api/v1/orders/{eid}/pickup"),
            Some(&csr_body),
        ),
        ("GET", format!("/api/v1/certificates/{cert}"), None),
        ("POST", format!("/api/v1/certificates/{cert}/renew"), None),
    ];
    for token in [&b.admin, &b.user] {
        for (method, path, body) in &matrix {
            let (status, v) = server.json(method, path, Some(token), *body);
            assert_eq!(status, 404, "{method} {path}: {v}");
        }
    }
    // Nothing of A's changed, and B's lists show nothing of A's.
    assert_eq!(
        server
            .json(
                "GET",
                &format!("/api/v1/orders/{oid}"),
                Some(&a.admin),
                None
            )
            .1["status"],
        "ready"
    );
    assert_eq!(
        server
            .json(
                "GET",
                &format!("/api/v1/profiles/{pid}"),
                Some(&a.admin),
                None
            )
            .1["publish"],
        false
    );
    for list in ["/api/v1/users", "/api/v1/profiles", "/api/v1/certificates"] {
        let (_, v) = server.json("GET", list, Some(&b.admin), None);
        let text = v.to_string();
        for id in [&a.user_id, &pid, &cert] {
            assert!(!text.contains(id.as_str()), "{list} shows {id}");
        }
    }
}

#[test]
fn mail_goes_through_a_real_smtp_conversation_when_configured() {
    let env = Env::new(ORGCA);
    let sink = testkit::SmtpSink::start();
    sink.configure(&env);
    let a = org(&env, "99999983", "a.dk");
    let server = env.serve();
    let body = r#"{"kind": "organisation", "name": "Post", "email": "post@a.dk", "contact": {"name": "Ane", "email": "ane@a.dk"}}"#;
    let (_, p) = server.json("POST", "/api/v1/profiles", Some(&a.admin), Some(body));
    let (status, _) = server.json(
        "POST",
        &format!("/api/v1/profiles/{}/orders", p["id"].as_str().expect("id")),
        Some(&a.admin),
        Some(r#"{"identification": "one_time_code", "issuance": "csr"}"#),
    );
    assert_eq!(status, 201);
    let mail = sink.wait_for("/api/v1/email-validations/");
    assert!(mail.contains("RCPT TO:<post@a.dk>"), "{mail}");
    assert!(mail.contains("MAIL FROM:<noreply@localhost>"), "{mail}");
    assert!(
        mail.contains("Subject: Confirm your e-mail address"),
        "{mail}"
    );
    sink.wait_for("RCPT TO:<ane@a.dk>");
    assert!(
        !env.data().join("outbox").exists(),
        "SMTP replaces the outbox"
    );
}

#[test]
fn administrators_change_roles_seal_rights_and_status() {
    let env = Env::new(ORGCA);
    let a = org(&env, "99999982", "a.dk");
    let b = org(&env, "99999981", "b.dk");
    let server = env.serve();
    let user = format!("/api/v1/users/{}", a.user_id);
    let (status, v) = server.json(
        "PATCH",
        &user,
        Some(&a.admin),
        Some(r#"{"seal": true, "role": "user_admin"}"#),
    );
    assert_eq!(
        (status, v["seal"].as_bool(), v["role"].as_str()),
        (200, Some(true), Some("user_admin")),
        "{v}"
    );
    assert_eq!(
        server
            .json("PATCH", &user, Some(&b.admin), Some(r#"{"seal": false}"#))
            .0,
        404
    );
    // A user administrator cannot make an organisation administrator, nor change themself.
    let (status, v) = server.json(
        "PATCH",
        &user,
        Some(&a.user),
        Some(r#"{"role": "org_admin"}"#),
    );
    assert_eq!(
        (status, v["code"].as_str()),
        (422, Some("invalid_request")),
        "own role: {v}"
    );
    let (status, v) = server.json(
        "PATCH",
        &user,
        Some(&a.admin),
        Some(r#"{"status": "frozen"}"#),
    );
    assert_eq!((status, v["code"].as_str()), (422, Some("invalid_request")));
    // Deactivated: the user's token stops working.
    let (status, _) = server.json(
        "PATCH",
        &user,
        Some(&a.admin),
        Some(r#"{"status": "deactivated"}"#),
    );
    assert_eq!(status, 200);
    assert_eq!(
        server
            .json("GET", "/api/v1/organisation", Some(&a.user), None)
            .0,
        401
    );
    let (status, v) = server.json("GET", &user, Some(&a.admin), None);
    assert_eq!((status, v["status"].as_str()), (200, Some("deactivated")));
}

/// The first 32 bytes of the secret part of a PEM private key (an EC key's scalar, an
/// RSA key's private exponent), as OpenSSL prints them.
fn private_key_bytes(env: &Env, pem: &[u8]) -> Vec<u8> {
    let file = env.write("delivered-key.pem", pem);
    let out = testkit::cmd(
        "openssl",
        &["pkey", "-in", file.to_str().expect("p"), "-noout", "-text"],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let hex: String = text
        .lines()
        .skip_while(|l| !(l.starts_with("priv:") || l.starts_with("privateExponent:")))
        .skip(1)
        .take_while(|l| l.starts_with(' '))
        .flat_map(|l| l.trim().split(':'))
        .filter(|b| !b.is_empty())
        .collect();
    let bytes = hex::decode(&hex).unwrap_or_else(|_| panic!("key text: {text}"));
    assert!(bytes.len() >= 32, "{text}");
    // A leading 00 is DER's sign byte, not part of the secret.
    let start = usize::from(bytes[0] == 0);
    let secret = bytes[start..start + 32].to_vec();
    // The search would find the key where it is: in its own PKCS#8 DER.
    let der = testkit::cmd(
        "openssl",
        &["pkey", "-in", file.to_str().expect("p"), "-outform", "DER"],
    );
    assert!(der.stdout.windows(32).any(|w| w == secret.as_slice()));
    secret
}
