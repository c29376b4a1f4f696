//! Search, CSV export and the public directory, through `orgca serve` and the CLI: the
//! API's filters and pages, confinement to the caller's organisation, the export read
//! by an independent parser (Python's `csv`), spreadsheet formulas neutralised, and the
//! directory's answers and refusals.

use std::collections::HashSet;

use crate::ORGCA;
use orgca_testkit::{self as testkit, Env, Server, cmd, org, profile};

fn names(server: &Server, token: &str, query: &str) -> Vec<String> {
    let (status, page) = server.json(
        "GET",
        &format!("/api/v1/certificates?{query}"),
        Some(token),
        None,
    );
    assert_eq!(status, 200, "{query}: {page}");
    let mut v: Vec<String> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["name"].as_str().expect("name").to_owned())
        .collect();
    v.sort();
    v
}

/// Rows of a CSV file as Python's `csv` module reads them (UTF-8, RFC 4180 dialect).
fn python_csv(env: &Env, csv: &[u8]) -> Vec<Vec<String>> {
    let file = env.write("export.csv", csv);
    let script = "import csv, json, sys\n\
        with open(sys.argv[1], newline='', encoding='utf-8') as f:\n\
        \x20   print(json.dumps(list(csv.reader(f, strict=True))))\n";
    let out = cmd("python3", &["-c", script, file.to_str().expect("path")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("rows as JSON")
}

/// Names that a spreadsheet would take for formulas, and CSV's own special characters.
const HOSTILE: [&str; 5] = ["=1+2", "+SUM(1;2)", "-2+3", "@cmd", "Ærø, \"Bryghus\""];

#[test]
fn search_export_and_their_refusals() {
    let env = Env::new(ORGCA);
    let a = org(&env, "99999990", "a.dk");
    let b = org(&env, "99999989", "b.dk");
    let csr = testkit::openssl_csr(&env, "search", testkit::P256);
    for name in HOSTILE
        .iter()
        .chain(&["Søren Østergaards server", "Webshop"])
    {
        env.issue_system("99999990", name, &csr);
    }
    env.issue_system("99999989", "Ærø, \"Bryghus\"", &csr);
    env.issue_system("99999989", "İnci Holm", &csr);
    let server = env.serve();

    // Free text in any case, Danish letters; never another organisation's.
    assert_eq!(
        names(
            &server,
            &a.admin,
            &format!("q={}", testkit::urlencode("ÆRØ"))
        ),
        ["Ærø, \"Bryghus\""]
    );
    assert_eq!(
        names(
            &server,
            &b.admin,
            &format!("q={}", testkit::urlencode("ærø"))
        ),
        ["Ærø, \"Bryghus\""]
    );
    assert_eq!(
        names(
            &server,
            &a.admin,
            &format!("q={}", testkit::urlencode("østergaard"))
        ),
        ["Søren Østergaards server"]
    );
    // A letter that lower-cases to two characters (İ: an i and a combining dot) is
    // found typed either way (found by the search_text fuzz target).
    for q in ["inci", "İNCİ"] {
        assert_eq!(
            names(&server, &b.admin, &format!("q={}", testkit::urlencode(q))),
            ["İnci Holm"],
            "{q}"
        );
    }
    // A user sees only their own certificates, whatever they ask.
    assert!(names(&server, &a.user, "").is_empty());
    assert!(names(&server, &a.user, "q=webshop").is_empty());
    // The whole serial matches exactly.
    let (_, all) = server.json(
        "GET",
        "/api/v1/certificates?q=webshop",
        Some(&a.admin),
        None,
    );
    let serial = all["items"][0]["serial"]
        .as_str()
        .expect("serial")
        .to_owned();
    assert_eq!(
        names(&server, &a.admin, &format!("q={}", serial.to_uppercase())),
        ["Webshop"]
    );
    // Its start (as lists show it) finds it too; a part from the middle does not.
    assert_eq!(
        names(&server, &a.admin, &format!("q={}", &serial[..12])),
        ["Webshop"]
    );
    assert!(names(&server, &a.admin, &format!("q={}", &serial[4..16])).is_empty());
    assert!(names(&server, &b.admin, &format!("q={serial}")).is_empty());

    // Pages of two, newest first, then by name: every certificate once.
    for sort in ["", "&sort=name", "&sort=not_after&order=desc"] {
        let mut seen = Vec::new();
        let mut after = String::new();
        loop {
            let (status, page) = server.json(
                "GET",
                &format!("/api/v1/certificates?limit=2{sort}{after}"),
                Some(&a.admin),
                None,
            );
            assert_eq!(status, 200, "{page}");
            for c in page["items"].as_array().expect("items") {
                seen.push(c["id"].as_str().expect("id").to_owned());
            }
            match page["next"].as_str() {
                Some(next) => after = format!("&after={}", testkit::urlencode(next)),
                None => break,
            }
        }
        assert_eq!(seen.len(), 7, "{sort}");
        assert_eq!(
            seen.iter().collect::<HashSet<_>>().len(),
            7,
            "{sort}: no duplicates"
        );
    }

    // Refusals say what to write instead.
    for (query, needle) in [
        ("sort=size", "use created, not_after or name"),
        ("order=up", "use asc or desc"),
        ("status=old", "use active, blocked or expired"),
        ("kind=person", "organisation, system or employee"),
        ("limit=0", "from 1 to 500"),
        ("limit=501", "from 1 to 500"),
        ("expires_before=soon", "2027-01-31"),
        ("after=bm90IGEgY3Vyc29y", "start again without `after`"),
        (
            "sort=name&after=not%20a%20cursor",
            "start again without `after`",
        ),
        ("q=a%0Ab", "control character"),
        ("color=red", "the parameters are"),
    ] {
        let (status, p) = server.json(
            "GET",
            &format!("/api/v1/certificates?{query}"),
            Some(&a.admin),
            None,
        );
        assert_eq!(status / 100, 4, "{query}: {p}");
        assert!(
            p["detail"].as_str().unwrap_or("").contains(needle),
            "{query}: {p}"
        );
    }
    let (status, p) = server.json(
        "GET",
        &format!("/api/v1/certificates?q={}", "x".repeat(201)),
        Some(&a.admin),
        None,
    );
    assert_eq!(status, 422, "{p}");
    // A filter naming no one of the organisation (a user of another organisation too)
    // matches nothing, as any filter would; text without a letter or digit filters
    // nothing.
    for query in [
        "user=admin@b.dk",
        "user=nobody@a.dk",
        "user=x",
        "profile=Nope",
    ] {
        assert!(names(&server, &a.admin, query).is_empty(), "{query}");
    }
    assert_eq!(names(&server, &a.admin, "q=-%20%2F").len(), 7);
    // The export writes every matching row: it takes no page.
    for query in ["limit=5", "after=x"] {
        let (status, p) = server.json(
            "GET",
            &format!("/api/v1/certificates/export.csv?{query}"),
            Some(&a.admin),
            None,
        );
        assert_eq!(status, 400, "{query}: {p}");
        assert!(
            p["detail"]
                .as_str()
                .unwrap_or("")
                .ends_with("user, sort, order"),
            "{query}: {p}"
        );
    }

    // The export, read by Python's csv module: the header, every row, the names exactly
    // as issued but for a leading ' on those a spreadsheet would run.
    let (status, headers, body) = server.request(
        "GET",
        "/api/v1/certificates/export.csv?sort=name",
        Some(&a.admin),
        None,
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert!(
        headers
            .iter()
            .any(|(k, v)| k == "content-type" && v.starts_with("text/csv")),
        "{headers:?}"
    );
    let rows = python_csv(&env, &body);
    assert_eq!(
        rows[0],
        [
            "id",
            "kind",
            "name",
            "subject_uuid",
            "serial",
            "status",
            "not_before",
            "not_after",
            "email",
            "contact_name",
            "contact_email",
            "user",
            "block_reason",
            "blocked_at",
            "renewed_by",
            "created_at"
        ]
    );
    assert_eq!(rows.len(), 8, "a header and 7 rows");
    let exported: Vec<&str> = rows[1..].iter().map(|r| r[2].as_str()).collect();
    for name in HOSTILE {
        if name.starts_with(['=', '+', '-', '@']) {
            assert!(
                exported.contains(&format!("'{name}").as_str()),
                "{name} neutralised: {exported:?}"
            );
            assert!(
                !exported.contains(&name),
                "{name} as a formula: {exported:?}"
            );
        } else {
            assert!(exported.contains(&name), "{name}: {exported:?}");
        }
    }
    for r in &rows[1..] {
        assert_eq!(r.len(), 16, "{r:?}");
        assert_eq!(r[5], "active");
        assert!(
            r[7].ends_with('Z') && r[7].len() == 20,
            "RFC 3339 UTC: {}",
            r[7]
        );
    }
    // Filters apply to the export; other organisations never appear.
    let (_, _, body) = server.request(
        "GET",
        &format!(
            "/api/v1/certificates/export.csv?q={}",
            testkit::urlencode("ærø")
        ),
        Some(&a.admin),
        None,
    );
    assert_eq!(python_csv(&env, &body).len(), 2);
    let (_, _, body) = server.request(
        "GET",
        "/api/v1/certificates/export.csv",
        Some(&b.admin),
        None,
    );
    assert_eq!(python_csv(&env, &body).len(), 3, "a header and b's two");
    let (status, _, _) = server.request(
        "GET",
        "/api/v1/certificates/export.csv?sort=size",
        Some(&a.admin),
        None,
    );
    assert_eq!(status, 422);
    let (status, _, _) = server.request("GET", "/api/v1/certificates/export.csv", None, None);
    assert_eq!(status, 401);

    // The CLI writes the same rows, to a file (a summary on stderr) or to a pipe
    // (nothing but the CSV: no progress bar).
    let out = env.path("cli.csv");
    let said = env.run(&[
        "export",
        "--org",
        "99999990",
        "--sort",
        "name",
        "--out",
        out.to_str().expect("p"),
    ]);
    assert!(
        said.status.success(),
        "{}",
        String::from_utf8_lossy(&said.stderr)
    );
    let whole = std::fs::read(&out).expect("file");
    assert_eq!(python_csv(&env, &whole), rows);
    // A write that fails part way (here: a file size limit below the export's size)
    // leaves what was at --out as it was: the file is whole or not written at all.
    assert!(whole.len() > 1024, "{} bytes", whole.len());
    let cut = env.run_with_file_limit(
        1024,
        &[
            "export",
            "--org",
            "99999990",
            "--sort",
            "created",
            "--out",
            out.to_str().expect("p"),
        ],
    );
    assert!(!cut.status.success(), "the limit was not hit");
    assert_eq!(
        std::fs::read(&out).expect("file"),
        whole,
        "the old file is untouched"
    );
    let fresh = env.path("fresh.csv");
    let cut = env.run_with_file_limit(
        1024,
        &[
            "export",
            "--org",
            "99999990",
            "--out",
            fresh.to_str().expect("p"),
        ],
    );
    assert!(!cut.status.success());
    assert!(!fresh.exists(), "no partial file");
    let piped = env.run(&["export", "--org", "99999990", "--sort", "name"]);
    assert!(piped.status.success());
    assert_eq!(python_csv(&env, &piped.stdout), rows);
    assert!(
        piped.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&piped.stderr)
    );
    let refused = env.run(&["export", "--org", "99999990", "--status", "old"]);
    assert_eq!(
        refused.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert!(String::from_utf8_lossy(&refused.stderr).contains("use active, blocked or expired"));
    let listed = env.ok(&["cert", "list", "--org", "99999990", "--q", "ærø"]);
    assert_eq!(listed.lines().count(), 1, "{listed}");
}

#[test]
fn the_directory_answers_exact_published_addresses_only() {
    let env = Env::new(ORGCA);
    let a = org(&env, "99999988", "a.dk");
    let server = env.serve();
    let published = profile(
        &server,
        &a.admin,
        r#"{"kind": "organisation", "name": "Post", "email": "post@a.dk", "publish": true, "contact": {"name": "Ane", "email": "ane@a.dk"}}"#,
    );
    let private = profile(
        &server,
        &a.admin,
        r#"{"kind": "organisation", "name": "Intern", "email": "intern@a.dk", "contact": {"name": "Ane", "email": "ane@a.dk"}}"#,
    );
    let csr = testkit::openssl_csr(&env, "dir", testkit::P256);
    let csr = csr.to_str().expect("path");
    let issue = |subject: &str, email: &str, extra: &[&str]| {
        let mut args = vec![
            "cert",
            "issue",
            "--org",
            "99999988",
            "--csr",
            csr,
            "--subject-uuid",
            subject,
            "--email",
            email,
        ];
        args.extend_from_slice(extra);
        env.json(&args)
    };
    let post = issue(
        &published,
        "post@a.dk",
        &["--kind", "organisation", "--name", "Post"],
    );
    issue(
        &private,
        "intern@a.dk",
        &["--kind", "organisation", "--name", "Intern"],
    );
    issue(
        &a.user_id,
        "user@a.dk",
        &[
            "--kind",
            "employee",
            "--given-name",
            "Ane",
            "--surname",
            "Ørsted",
        ],
    );

    // PEM by default, for the exact address in any case.
    let (status, headers, body) = server.get("/directory?email=POST@A.DK");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert!(
        headers
            .iter()
            .any(|(k, v)| k == "content-type" && v == "application/pem-certificate-chain")
    );
    let pem = env.write("found.pem", &body);
    let out = cmd(
        "openssl",
        &["x509", "-noout", "-serial", "-in", pem.to_str().expect("p")],
    );
    assert!(out.status.success());
    let serial = post["serial"].as_str().expect("serial").to_uppercase();
    assert!(String::from_utf8_lossy(&out.stdout).contains(&serial));
    let (status, j) = server.json("GET", "/directory?email=post@a.dk&format=json", None, None);
    assert_eq!(status, 200, "{j}");
    assert_eq!(j["certificates"][0]["serial"], post["serial"]);

    // Not published by its profile, not opted in, not an exact address: nothing.
    for missing in ["intern@a.dk", "user@a.dk", "ost@a.dk", "post@a.dk.evil"] {
        let (status, p) = server.json("GET", &format!("/directory?email={missing}"), None, None);
        assert_eq!(status, 404, "{missing}: {p}");
    }
    // The user opts in (their own choice: an administrator cannot do it for them).
    let path = format!("/api/v1/users/{}", a.user_id);
    let (status, p) = server.json("PATCH", &path, Some(&a.admin), Some(r#"{"publish": true}"#));
    assert_eq!(status, 403, "{p}");
    let (status, p) = server.json("PATCH", &path, Some(&a.user), Some(r#"{"publish": true}"#));
    assert_eq!(
        (status, &p["publish"]),
        (200, &serde_json::json!(true)),
        "{p}"
    );
    let (status, _, _) = server.get("/directory?email=user@a.dk");
    assert_eq!(status, 200);
    let (status, p) = server.json(
        "PATCH",
        &path,
        Some(&a.user),
        Some(r#"{"role": "org_admin", "publish": true}"#),
    );
    assert_eq!(status, 403, "a user still changes nothing else: {p}");

    // Blocked: gone from the directory.
    let id = post["id"].as_str().expect("id");
    let (status, p) = server.json(
        "POST",
        &format!("/api/v1/certificates/{id}/block"),
        Some(&a.admin),
        Some(r#"{"reason": "key_lost"}"#),
    );
    assert_eq!(status, 200, "{p}");
    let (status, _, _) = server.get("/directory?email=post@a.dk");
    assert_eq!(status, 404);

    // No listing, no wild card, nothing but one address.
    for (query, needle) in [
        ("", "exact address"),
        ("?email=", "exact address"),
        ("?email=*@a.dk", "no wildcards"),
        ("?email=%25@a.dk", "no wildcards"),
        ("?email=a.dk", "one whole address"),
        ("?name=Ane", "one exact address"),
        ("?email=user@a.dk&format=xml", "use pem or json"),
    ] {
        let (status, p) = server.json("GET", &format!("/directory{query}"), None, None);
        assert_eq!(status, 400, "{query}: {p}");
        assert!(
            p["detail"].as_str().unwrap_or("").contains(needle),
            "{query}: {p}"
        );
    }
    drop(server);
    // 30 a minute from one address, then 429 with Retry-After: counted exactly on a
    // server whose clock starts 5 seconds into a new minute (an hour on, so that no
    // earlier lookup counts; the fake clock keeps whole seconds, so it may start up to
    // a second early), with 55 seconds to go.
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let minute = time::OffsetDateTime::from_unix_timestamp(now - now % 60 + 3600 + 5)
        .expect("time")
        .format(&time::format_description::well_known::Rfc3339)
        .expect("time");
    let server = env.serve_with(&[("ORGCA_FAKE_CLOCK", &minute)]);
    for n in 1..=30 {
        let (status, _, _) = server.get("/directory?email=user@a.dk");
        assert_eq!(status, 200, "lookup {n} of 30");
    }
    let (status, headers, _) = server.get("/directory?email=user@a.dk");
    assert_eq!(status, 429, "the 31st lookup in a minute");
    // Retry-After: the seconds until the minute that began with the first lookup ends.
    let retry = headers
        .iter()
        .find(|(k, _)| k == "retry-after")
        .and_then(|(_, v)| v.parse::<u32>().ok());
    assert!(retry.is_some_and(|r| (1..=60).contains(&r)), "{retry:?}");
    drop(server);

    // Past its notAfter (ten years on), a certificate is not found either.
    let later = (time::OffsetDateTime::now_utc() + time::Duration::days(3650))
        .format(&time::format_description::well_known::Rfc3339)
        .expect("time");
    let server = env.serve_with(&[("ORGCA_FAKE_CLOCK", &later)]);
    let (status, _, _) = server.get("/directory?email=user@a.dk");
    assert_eq!(status, 404);
}
