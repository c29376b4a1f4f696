//! The REST API through HTTP only: bearer tokens, organisation settings, users, and
//! confinement to the caller's organisation.

mod support;

use support::Env;

struct Org {
    admin: String,
    user: String,
    user_id: String,
}

fn org(env: &Env, cvr: &str, domain: &str) -> Org {
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

#[test]
fn api_answers_each_organisation_only_its_own() {
    let env = Env::new();
    let a = org(&env, "99999995", "a.dk");
    let b = org(&env, "99999994", "b.dk");
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
        422
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
    assert_eq!(
        server
            .request(
                "POST",
                "/api/v1/users",
                Some(&a.admin),
                Some(huge.as_bytes())
            )
            .0,
        413
    );
    drop(server);
    assert!(env.audit_events() > 0);
}

#[test]
fn profiles_are_checked_unique_per_organisation_and_confined() {
    let env = Env::new();
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
    // Confinement.
    assert_eq!(server.json("GET", &path, Some(&a.user), None).0, 200);
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
