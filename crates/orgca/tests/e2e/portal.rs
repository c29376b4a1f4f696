//! The portal over HTTP, as a browser without JavaScript uses it: password links,
//! login, sessions, CSRF tokens, lock-out, and blocking a certificate. (The same flows in
//! a real Chromium are in `portal_browser.rs`.)

use crate::ORGCA;
use orgca_testkit::{self as testkit, Env, Server, org};

/// A minimal cookie jar and form client.
#[derive(Default)]
pub(crate) struct Client {
    cookies: Vec<(String, String)>,
}

pub(crate) type Answer = (u16, Vec<(String, String)>, String);

impl Client {
    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn take_cookies(&mut self, headers: &[(String, String)]) {
        for (k, v) in headers {
            if k != "set-cookie" {
                continue;
            }
            let pair = v.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                self.cookies.retain(|(n, _)| n != name);
                if !value.is_empty() {
                    self.cookies.push((name.to_owned(), value.to_owned()));
                }
            }
        }
    }

    pub(crate) fn get(&mut self, server: &Server, path: &str) -> Answer {
        let cookie = self.cookie_header();
        let (s, h, b) = server.request_with("GET", path, &[("Cookie", &cookie)], None, None);
        self.take_cookies(&h);
        (s, h, String::from_utf8_lossy(&b).to_string())
    }

    /// Sends the form in `page` (its form token) with these fields to `path`.
    fn submit(
        &mut self,
        server: &Server,
        path: &str,
        page: &str,
        fields: &[(&str, &str)],
    ) -> Answer {
        let form = hidden(page, "form");
        let mut all = vec![("form", form.as_str())];
        all.extend_from_slice(fields);
        self.post(server, path, &all)
    }

    fn post(&mut self, server: &Server, path: &str, fields: &[(&str, &str)]) -> Answer {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", testkit::urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let cookie = self.cookie_header();
        let (s, h, b) = server.request_with(
            "POST",
            path,
            &[
                ("Cookie", &cookie),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            None,
            Some(body.as_bytes()),
        );
        self.take_cookies(&h);
        (s, h, String::from_utf8_lossy(&b).to_string())
    }
}

/// The value of the hidden field `name` in a page.
fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    page.split(&marker)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_else(|| panic!("no hidden {name} in {page}"))
        .to_owned()
}

fn header<'a>(h: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    h.iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// The error paragraph of a page.
pub(crate) fn error_of(page: &str) -> String {
    page.split("<p class=\"error\" role=\"alert\">")
        .nth(1)
        .and_then(|r| r.split("</p>").next())
        .unwrap_or_default()
        .to_owned()
}

/// Mails a password link to `email` (CLI) and answers the path it names, as mailed.
pub(crate) fn password_link(env: &Env, email: &str) -> String {
    let path = testkit::password_link_path(env, email);
    let mail = env.wait_for_mail("/portal/password/");
    assert!(mail.contains(&path), "{mail}");
    path
}

/// Sets [`PASSWORD`] through the link at `path`; the browser lands on the login page.
pub(crate) fn set_password(c: &mut Client, server: &Server, path: &str) {
    let (_, _, page) = c.get(server, path);
    let (status, h, _) = c.submit(
        server,
        path,
        &page,
        &[("password", PASSWORD), ("repeated", PASSWORD)],
    );
    assert_eq!(status, 303);
    assert_eq!(header(&h, "location"), ["/portal/login?done=password"]);
}

pub(crate) const PASSWORD: &str = "korrekt hest batteri hæfteklamme";

pub(crate) fn login(c: &mut Client, server: &Server, email: &str, password: &str) -> Answer {
    let (status, _, page) = c.get(server, "/portal/login");
    assert_eq!(status, 200);
    c.submit(
        server,
        "/portal/login",
        &page,
        &[("email", email), ("password", password)],
    )
}

#[test]
fn password_links_login_csrf_and_blocking() {
    let env = Env::new(ORGCA);
    let a = org(&env, "99999965", "a.dk");
    let server = env.serve();
    let (id, serial, _) =
        testkit::picked_up_system(&env, &server, &a.admin, "Portal-system", testkit::P256);

    // The password link: a form with its own token cookie, strict headers.
    let path = password_link(&env, "admin@a.dk");
    let mut c = Client::default();
    let (status, h, page) = c.get(&server, &path);
    assert_eq!(status, 200, "{page}");
    let csp = header(&h, "content-security-policy").join("");
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("unsafe"),
        "{csp}"
    );
    assert_eq!(header(&h, "referrer-policy"), ["no-referrer"]);
    let cookie = header(&h, "set-cookie").join(" | ");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    // Too short, different twice, no form token: refused with what to do, nothing set.
    let (status, _, page) = c.submit(
        &server,
        &path,
        &page,
        &[("password", "kort"), ("repeated", "kort")],
    );
    assert_eq!(status, 422);
    assert!(error_of(&page).contains("at least 12"), "{page}");
    let (status, _, page) = c.submit(
        &server,
        &path,
        &page,
        &[("password", PASSWORD), ("repeated", "noget andet helt")],
    );
    assert_eq!(status, 422);
    assert!(error_of(&page).contains("differ"), "{page}");
    let (status, _, _) = c.post(
        &server,
        &path,
        &[
            ("form", "00"),
            ("password", PASSWORD),
            ("repeated", PASSWORD),
        ],
    );
    assert_eq!(status, 403);
    set_password(&mut c, &server, &path);
    // The link works once.
    assert_eq!(c.get(&server, &path).0, 410);

    // One message for a wrong password and an unknown address.
    let mut c = Client::default();
    let (status, _, wrong) = login(&mut c, &server, "admin@a.dk", "forkert kodeord her");
    assert_eq!(status, 401);
    let (status, _, unknown) = login(&mut c, &server, "nobody@a.dk", PASSWORD);
    assert_eq!(status, 401);
    assert_eq!(error_of(&wrong), error_of(&unknown));
    assert!(error_of(&wrong).contains("wrong"), "{wrong}");
    // The address typed is kept in the form.
    assert!(wrong.contains("value=\"admin@a.dk\""), "{wrong}");
    // A form posted from another site is refused before the handler, whatever it holds;
    // the portal's own origin passes.
    let form = b"email=admin%40a.dk&password=x&form_token=x";
    let post = |headers: &[(&str, &str)]| {
        let mut h = vec![("Content-Type", "application/x-www-form-urlencoded")];
        h.extend_from_slice(headers);
        let (status, _, body) = server.request_with("POST", "/portal/login", &h, None, Some(form));
        (
            status,
            String::from_utf8_lossy(&body).starts_with("Refused: "),
        )
    };
    assert_eq!(post(&[("Origin", "https://evil.example")]), (403, true));
    assert_eq!(post(&[("Sec-Fetch-Site", "cross-site")]), (403, true));
    assert_eq!(post(&[("Sec-Fetch-Site", "same-site")]), (403, true));
    // From its own origin the form reaches the login handler (which refuses the made-up
    // form token in its own words).
    let own = format!("http://{}", server.addr);
    assert!(!post(&[("Origin", own.as_str())]).1);
    assert!(!post(&[("Origin", "null"), ("Sec-Fetch-Site", "same-origin")]).1);
    // The operator's log tells the two apart (never with the password).
    let log = env.server_log();
    let refused: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("login refused"))
        .collect();
    assert_eq!(refused.len(), 2, "{log}");
    assert!(
        refused[0].contains("admin@a.dk") && refused[0].contains("wrong password"),
        "{log}"
    );
    assert!(
        refused[1].contains("nobody@a.dk") && refused[1].contains("no such account"),
        "{log}"
    );
    assert!(
        !log.contains("forkert kodeord"),
        "a password in the log: {log}"
    );

    // Login: a session cookie, HttpOnly and SameSite=Strict; the test banner shows.
    let (status, h, _) = login(&mut c, &server, "admin@a.dk", PASSWORD);
    assert_eq!(status, 303);
    let cookie = header(&h, "set-cookie").join(" | ");
    assert!(
        cookie.contains("orgca_session=")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let (status, _, page) = c.get(&server, "/portal");
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("TEST ENVIRONMENT") && page.contains("99999965"),
        "{page}"
    );
    let (status, _, page) = c.get(&server, "/portal/certificates?q=portal");
    assert_eq!(status, 200);
    assert!(page.contains("Portal-system"), "{page}");
    let (_, _, none) = c.get(&server, "/portal/certificates?q=findes-ikke");
    assert!(!none.contains("Portal-system"), "{none}");

    // Blocking needs the session's CSRF token and the confirmation.
    let detail = format!("/portal/certificates/{id}");
    let (status, _, page) = c.get(&server, &detail);
    assert_eq!(status, 200);
    assert!(page.contains(&serial), "{page}");
    let csrf = hidden(&page, "csrf");
    let block = format!("{detail}/block");
    let (status, _, _) = c.post(
        &server,
        &block,
        &[
            ("csrf", "forged"),
            ("reason", "key_compromised"),
            ("confirm", "yes"),
        ],
    );
    assert_eq!(status, 403);
    let (status, _, _) = c.post(
        &server,
        &block,
        &[("csrf", &csrf), ("reason", "key_compromised")],
    );
    assert_eq!(status, 422);
    let (_, v) = server.json(
        "GET",
        &format!("/api/v1/certificates/{id}"),
        Some(&a.admin),
        None,
    );
    assert_eq!(
        v["status"], "active",
        "nothing blocked without a token and a confirmation"
    );
    let (status, h, _) = c.post(
        &server,
        &block,
        &[
            ("csrf", &csrf),
            ("reason", "key_compromised"),
            ("confirm", "yes"),
        ],
    );
    assert_eq!(status, 303, "{h:?}");
    assert_eq!(header(&h, "location"), [format!("{detail}?blocked=told")]);
    let (_, _, page) = c.get(&server, &format!("{detail}?blocked=told"));
    assert!(
        page.contains("Its contact person has been told by mail")
            && page.contains("The key is compromised"),
        "{page}"
    );
    assert!(
        env.wait_for_mail("has been blocked")
            .contains("key may be known")
    );
    // Blocking again changes nothing, and says so.
    let (status, h, _) = c.post(
        &server,
        &block,
        &[("csrf", &csrf), ("reason", "key_lost"), ("confirm", "yes")],
    );
    assert_eq!(status, 303);
    assert_eq!(
        header(&h, "location"),
        [format!("{detail}?blocked=already")]
    );
    let (_, _, again) = c.get(&server, &format!("{detail}?blocked=already"));
    assert!(again.contains("was blocked already"), "{again}");
    // A certificate without a contact person (issued by the operator's CLI): nobody to
    // tell, and the page says so instead of claiming a mail.
    let csr = testkit::openssl_csr(&env, "cli", testkit::P256);
    let cli = env.issue_system("99999965", "Uden-kontakt", &csr);
    let other = format!("/portal/certificates/{}", cli["id"].as_str().expect("id"));
    let (status, h, _) = c.post(
        &server,
        &format!("{other}/block"),
        &[
            ("csrf", &csrf),
            ("reason", "superseded"),
            ("confirm", "yes"),
        ],
    );
    assert_eq!(status, 303);
    assert_eq!(
        header(&h, "location"),
        [format!("{other}?blocked=nobody_told")]
    );
    let (_, _, page) = c.get(&server, &format!("{other}?blocked=nobody_told"));
    assert!(
        page.contains("It has no contact person, so nobody was mailed"),
        "{page}"
    );
    // The certificate can be downloaded again, with its chain, named after it.
    let (status, h, pem) = c.get(&server, &format!("{detail}/certificate.pem"));
    assert_eq!(status, 200);
    assert_eq!(
        header(&h, "content-type"),
        ["application/pem-certificate-chain"]
    );
    assert!(
        header(&h, "content-disposition")
            .join("")
            .contains("Portal-system.pem")
    );
    assert_eq!(pem.matches("BEGIN CERTIFICATE").count(), 3, "{pem}");
    assert!(page.contains("certificate.pem"), "the page links it");
    // Its history shows the issuance and the block, by name.
    assert!(
        page.contains("certificate.issued") && page.contains("certificate.blocked"),
        "{page}"
    );
    assert!(page.contains("Ane Ørsted"), "{page}");
    let (_, v) = server.json(
        "GET",
        &format!("/api/v1/certificates/{id}"),
        Some(&a.admin),
        None,
    );
    assert_eq!(v["block_reason"], "key_compromised");

    // Logout needs the token too; afterwards the session is gone.
    assert_eq!(
        c.post(&server, "/portal/logout", &[("csrf", "forged")]).0,
        403
    );
    assert_eq!(c.post(&server, "/portal/logout", &[("csrf", &csrf)]).0, 303);
    let (status, h, _) = c.get(&server, "/portal");
    assert_eq!(
        (status, header(&h, "location")),
        (303, vec!["/portal/login"])
    );
}

/// Mails a password link for `email` in the organisation `cvr` (CLI) and answers its path.
fn password_link_in(env: &Env, email: &str, cvr: &str) -> String {
    let out = env.json(&["user", "password-link", "--email", email, "--org", cvr]);
    let link = out["link"].as_str().expect("link");
    format!("/portal/{}", link.split_once("/portal/").expect("a link").1)
}

/// Logs in (answering 303) and answers the CVR of the organisation the portal shows.
fn logged_into(server: &Server, email: &str, password: &str) -> String {
    let mut c = Client::default();
    let (status, _, page) = login(&mut c, server, email, password);
    assert_eq!(status, 303, "{page}");
    let (_, _, page) = c.get(server, "/portal");
    page.split("Testorganisation nr. ")
        .nth(1)
        .map(|r| r[..8].to_owned())
        .expect("the organisation in the page")
}

/// One address may be a user in two organisations. Creating the second tells its
/// administrator nothing about the first; each account's password opens that account;
/// one password for both makes the person name the organisation, and only then.
#[test]
fn one_address_in_two_organisations() {
    let env = Env::new(ORGCA);
    org(&env, "99999940", "a.dk");
    let b = org(&env, "99999941", "b.dk");
    let server = env.serve();
    let user = r#"{"email": "ADMIN@a.dk", "given_name": "Bo", "surname": "Berg", "role": "user"}"#;
    let (status, made) = server.json("POST", "/api/v1/users", Some(&b.admin), Some(user));
    assert_eq!(status, 201, "created like any new address: {made}");
    let (status, again) = server.json("POST", "/api/v1/users", Some(&b.admin), Some(user));
    assert_eq!(status, 409, "twice in one organisation: {again}");
    // The operator's CLI asks which organisation when the address is in two.
    let out = env.run(&["user", "password-link", "--email", "admin@a.dk"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("2 organisations have a user with e-mail admin@a.dk: name one with --org"),
        "{err}"
    );
    let other = "et andet langt kodeord";
    let mut c = Client::default();
    set_password(
        &mut c,
        &server,
        &password_link_in(&env, "admin@a.dk", "99999940"),
    );
    let path = password_link_in(&env, "admin@a.dk", "99999941");
    let (_, _, page) = c.get(&server, &path);
    let fields = [("password", other), ("repeated", other)];
    assert_eq!(c.submit(&server, &path, &page, &fields).0, 303);
    assert_eq!(logged_into(&server, "admin@a.dk", PASSWORD), "99999940");
    assert_eq!(logged_into(&server, "Admin@A.dk", other), "99999941");
    // A wrong password opens neither, with the one message for every refusal.
    let (status, _, page) = login(&mut c, &server, "admin@a.dk", "forkert kodeord her");
    assert_eq!(status, 401);
    assert!(error_of(&page).contains("wrong"), "{page}");
    assert!(!page.contains("id=\"organisation\""), "{page}");
    // The same password for both: the person names the organisation by CVR.
    set_password(
        &mut c,
        &server,
        &password_link_in(&env, "admin@a.dk", "99999941"),
    );
    let mut c = Client::default();
    let (status, _, page) = login(&mut c, &server, "admin@a.dk", PASSWORD);
    assert_eq!(status, 401);
    assert!(error_of(&page).contains("several organisations"), "{page}");
    assert!(page.contains("id=\"organisation\""), "{page}");
    let fields = [
        ("email", "admin@a.dk"),
        ("password", PASSWORD),
        ("organisation", "99999941"),
    ];
    assert_eq!(c.submit(&server, "/portal/login", &page, &fields).0, 303);
    let (_, _, page) = c.get(&server, "/portal");
    assert!(page.contains("Testorganisation nr. 99999941"), "{page}");
}

#[test]
fn five_wrong_passwords_lock_the_account_for_everyone() {
    let env = Env::new(ORGCA);
    org(&env, "99999964", "b.dk");
    let server = env.serve();
    let path = password_link(&env, "admin@b.dk");
    let mut c = Client::default();
    set_password(&mut c, &server, &path);
    for _ in 0..5 {
        assert_eq!(
            login(&mut c, &server, "admin@b.dk", "forkert kodeord her").0,
            401
        );
    }
    // Now even the right password is refused, from a fresh client, with what to do.
    let mut fresh = Client::default();
    let (status, _, page) = login(&mut fresh, &server, "ADMIN@b.dk", PASSWORD);
    assert_eq!(status, 401);
    assert!(error_of(&page).contains("Too many failed logins"), "{page}");
    // Other accounts are not locked by it.
    assert_eq!(login(&mut fresh, &server, "user@b.dk", PASSWORD).0, 401);
    let (_, _, page) = login(&mut fresh, &server, "user@b.dk", PASSWORD);
    assert!(!error_of(&page).contains("too many"), "{}", error_of(&page));
}

#[test]
fn twenty_failed_logins_lock_the_client_address() {
    // The README's bound: 20 failures from one address in 15 minutes lock the address,
    // whichever accounts they named (here 20 that do not exist, so no account locks).
    let env = Env::new(ORGCA);
    org(&env, "99999958", "e.dk");
    let server = env.serve();
    let path = password_link(&env, "admin@e.dk");
    set_password(&mut Client::default(), &server, &path);
    for i in 1..=20 {
        let (status, _, page) = login(
            &mut Client::default(),
            &server,
            &format!("nobody{i}@e.dk"),
            PASSWORD,
        );
        assert_eq!(status, 401, "try {i}");
        assert!(!error_of(&page).contains("too many"), "try {i}: {page}");
    }
    let (status, _, page) = login(&mut Client::default(), &server, "admin@e.dk", PASSWORD);
    assert_eq!(status, 401, "the 21st, with the right password");
    assert!(error_of(&page).contains("Too many failed logins"), "{page}");
}

#[test]
fn parallel_wrong_passwords_get_no_more_than_five_tries_and_odd_input_no_500() {
    let env = Env::new(ORGCA);
    org(&env, "99999962", "d.dk");
    let server = env.serve();
    let path = password_link(&env, "admin@d.dk");
    set_password(&mut Client::default(), &server, &path);
    // Odd addresses are a refusal, never a server fault (PostgreSQL refuses NUL bytes).
    let long = "a".repeat(5000) + "@d.dk";
    for odd in ["\0", &long, "ikke en adresse", ""] {
        let (status, _, page) = login(&mut Client::default(), &server, odd, PASSWORD);
        assert_eq!(status, 401, "{odd:.20}: {page}");
    }
    // Twelve wrong passwords at once: at most five are checked, the rest are refused as
    // too many, whatever order they arrive in.
    let server = std::sync::Arc::new(server);
    let answers: Vec<String> = (0..12)
        .map(|_| {
            let server = server.clone();
            std::thread::spawn(move || {
                let (_, _, page) = login(
                    &mut Client::default(),
                    &server,
                    "admin@d.dk",
                    "forkert kodeord her",
                );
                error_of(&page)
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().expect("thread"))
        .collect();
    let too_many = |a: &&String| a.contains("Too many failed logins");
    let checked = answers.iter().filter(|a| !too_many(a)).count();
    assert!(checked <= 5, "{checked} tries were checked: {answers:?}");
    assert!(answers.iter().any(|a| too_many(&a)), "{answers:?}");
}

#[test]
fn the_recipient_pick_up_refuses_wrong_codes_forged_forms_and_unaccepted_terms() {
    let env = Env::new(ORGCA);
    let a = org(&env, "99999961", "e.dk");
    let server = env.serve();
    let profile = testkit::profile(
        &server,
        &a.admin,
        r#"{"kind": "system", "name": "Afhentning", "contact": {"name": "Ane", "email": "ane@e.dk"}}"#,
    );
    let o = testkit::order(
        &server,
        &a.admin,
        &profile,
        r#"{"identification": "one_time_code", "issuance": "pkcs12"}"#,
    );
    let reference = o["reference"].as_str().expect("reference");
    let code = o["one_time_code"].as_str().expect("code");
    let mut c = Client::default();
    let (_, _, page) = c.get(&server, "/portal/pickup");
    // A wrong code says how many tries are left; a reference alone shows nothing.
    let (status, _, page) = c.submit(
        &server,
        "/portal/pickup",
        &page,
        &[("reference", reference), ("code", "WRONGCODE")],
    );
    assert_eq!(status, 403, "{page}");
    let wrong = error_of(&page);
    assert!(
        wrong.contains("one-time code is wrong") && !page.contains("Afhentning"),
        "{page}"
    );
    // An unknown reference gets the same words: the form tells nothing about references.
    let (status, _, page) = c.submit(
        &server,
        "/portal/pickup",
        &page,
        &[("reference", "ZZZZ-ZZZZ"), ("code", "WRONGCODE")],
    );
    assert_eq!((status, error_of(&page)), (403, wrong));
    // Without the form token: refused before the code is looked at.
    let (status, _, _) = c.post(
        &server,
        "/portal/pickup",
        &[("form", "forged"), ("reference", reference), ("code", code)],
    );
    assert_eq!(status, 403);
    // The right code shows the name and CVR to confirm.
    let (_, _, page) = c.get(&server, "/portal/pickup");
    let (status, _, page) = c.submit(
        &server,
        "/portal/pickup",
        &page,
        &[("reference", reference), ("code", code)],
    );
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("Afhentning") && page.contains("99999961"),
        "{page}"
    );
    // A test organisation's order: the anonymous pages show the test banner too.
    assert!(page.contains("class=\"test-banner\""), "{page}");
    // Not accepting the terms issues nothing.
    let (status, _, page) = c.submit(
        &server,
        "/portal/pickup/confirm",
        &page,
        &[("reference", reference), ("code", code)],
    );
    assert_eq!(status, 422, "{page}");
    assert!(error_of(&page).contains("accept the terms"), "{page}");
    let (_, v) = server.json("GET", "/api/v1/certificates", Some(&a.admin), None);
    assert_eq!(v["items"].as_array().map(Vec::len), Some(0), "{v}");
    // Accepted: the password once, and a download that works once.
    let form = hidden(&page, "form");
    let (status, _, page) = c.post(
        &server,
        "/portal/pickup/confirm",
        &[
            ("form", &form),
            ("reference", reference),
            ("code", code),
            ("terms", "yes"),
        ],
    );
    assert_eq!(status, 200, "{page}");
    // The same form sent again (a double click) shows the same page, not a refusal
    // that would lose the password.
    let (status, _, again) = c.post(
        &server,
        "/portal/pickup/confirm",
        &[
            ("form", &form),
            ("reference", &reference.to_lowercase()),
            ("code", code),
            ("terms", "yes"),
        ],
    );
    assert_eq!((status, &again), (200, &page));
    assert!(page.contains("class=\"test-banner\""), "{page}");
    let file = page
        .split("/portal/pickup/file/")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a download link");
    // The link alone, in another browser, fetches nothing, and leaves the file.
    assert_eq!(
        Client::default()
            .get(&server, &format!("/portal/pickup/file/{file}"))
            .0,
        410
    );
    let (status, h, body) = c.get(&server, &format!("/portal/pickup/file/{file}"));
    assert_eq!(status, 200);
    assert_eq!(header(&h, "content-type"), ["application/x-pkcs12"]);
    assert!(
        header(&h, "content-disposition")
            .join("")
            .contains("Afhentning.p12")
    );
    assert!(!body.is_empty());
    assert_eq!(
        c.get(&server, &format!("/portal/pickup/file/{file}")).0,
        410
    );
}

/// A browser that opens the server's root lands in the portal; a portal address that
/// leads nowhere is a page in the browser's language; the API's stay problem documents.
#[test]
fn the_root_leads_to_the_portal_and_lost_portal_pages_are_pages() {
    let env = Env::new(ORGCA);
    let server = env.serve();
    let (status, h, _) = server.get("/");
    assert_eq!((status, header(&h, "location")), (303, vec!["/portal"]));
    let (status, h, body) = server.request_with(
        "GET",
        "/portal/nothing/here",
        &[("Accept-Language", "da")],
        None,
        None,
    );
    let page = String::from_utf8_lossy(&body);
    assert_eq!(status, 404, "{page}");
    assert!(
        header(&h, "content-type").join("").starts_with("text/html"),
        "{h:?}"
    );
    assert!(page.contains("Her er ingenting"), "{page}");
    let (status, problem) = server.json("GET", "/api/v1/nothing", None, None);
    assert_eq!((status, problem["code"].as_str()), (404, Some("not_found")));
}

#[test]
fn a_user_confirms_their_address_and_picks_up_their_own_certificate_after_login() {
    let env = Env::new(ORGCA);
    let a = org(&env, "99999960", "f.dk");
    let server = env.serve();
    let o = testkit::employee_order(&server, &a.admin, &a.user_id);
    let reference = o["reference"].as_str().expect("reference");
    // One mail, not two: the order's mail carries the validation link, which points at
    // the portal; opening the link confirms nothing yet.
    let mail = env.wait_for_mail("/portal/email/");
    assert!(
        mail.contains("A certificate is waiting for you") && mail.contains(reference),
        "{mail}"
    );
    assert_eq!(
        env.sql("SELECT COUNT(*) FROM mail_queue").trim(),
        "1",
        "one mail for the order"
    );
    let token = mail
        .split("/portal/email/")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .expect("a link");
    let mut c = Client::default();
    let path = format!("/portal/email/{token}");
    let (status, _, page) = c.get(&server, &path);
    assert_eq!(status, 200);
    let (_, v) = server.json(
        "GET",
        &format!("/api/v1/orders/{}", o["id"].as_str().expect("id")),
        Some(&a.admin),
        None,
    );
    assert_eq!(
        v["status"], "awaiting_email_validation",
        "a GET confirms nothing: {v}"
    );
    let (status, _, page) = c.submit(&server, &path, &page, &[]);
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("the address is confirmed") && page.contains("user@f.dk"),
        "{page}"
    );

    // The user sets a password, logs in and finds the order waiting.
    let link = password_link(&env, "user@f.dk");
    let mut c = Client::default();
    set_password(&mut c, &server, &link);
    assert_eq!(login(&mut c, &server, "user@f.dk", PASSWORD).0, 303);
    let (_, _, page) = c.get(&server, "/portal");
    assert!(page.contains(reference), "{page}");
    let action = format!("/portal/orders/{}/pickup", o["id"].as_str().expect("id"));
    assert!(page.contains(&action), "{page}");
    let csrf = hidden(&page, "csrf");
    assert!(
        page.contains("Ane Ørsted") && page.contains("99999960"),
        "name and CVR to confirm: {page}"
    );
    assert_eq!(
        c.post(&server, &action, &[("csrf", "forged"), ("terms", "yes")])
            .0,
        403
    );
    assert_eq!(
        c.post(&server, &action, &[("csrf", &csrf)]).0,
        422,
        "the terms are not accepted"
    );
    let (status, _, page) = c.post(&server, &action, &[("csrf", &csrf), ("terms", "yes")]);
    assert_eq!(status, 200, "{page}");
    let password = page
        .split("id=\"pkcs12-password\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .expect("the password on the page")
        .to_owned();
    let file = page
        .split("/portal/pickup/file/")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a download link");
    let cookie = c.cookie_header();
    let (status, _, body) = server.request_with(
        "GET",
        &format!("/portal/pickup/file/{file}"),
        &[("Cookie", &cookie)],
        None,
        None,
    );
    assert_eq!(status, 200);
    let p12 = env.write("mine.p12", body);
    testkit::pkcs12_certificate(&p12, &password);
    // Picked up: no longer waiting.
    let (_, _, page) = c.get(&server, "/portal");
    assert!(!page.contains(&action), "{page}");
    // Sent again within a minute: the same page again (a double click loses nothing).
    let (status, _, again) = c.post(&server, &action, &[("csrf", &csrf), ("terms", "yes")]);
    assert_eq!(status, 200);
    assert!(again.contains(&password), "{again}");

    // The user puts their certificate in the public directory themself, and takes it out.
    assert_eq!(server.get("/directory?email=user@f.dk").0, 404);
    assert_eq!(
        c.post(
            &server,
            "/portal/directory",
            &[("csrf", "forged"), ("publish", "yes")]
        )
        .0,
        403
    );
    let (status, _, _) = c.post(
        &server,
        "/portal/directory",
        &[("csrf", &csrf), ("publish", "yes")],
    );
    assert_eq!(status, 303);
    assert_eq!(server.get("/directory?email=user@f.dk").0, 200);
    let (_, _, page) = c.get(&server, "/portal");
    assert!(
        page.contains("name=\"publish\" type=\"checkbox\" value=\"yes\" checked"),
        "{page}"
    );
    let (status, _, _) = c.post(&server, "/portal/directory", &[("csrf", &csrf)]);
    assert_eq!(status, 303);
    assert_eq!(server.get("/directory?email=user@f.dk").0, 404);
}

#[test]
fn administrators_invite_change_and_deactivate_users() {
    let env = Env::new(ORGCA);
    let a = org(&env, "99999959", "g.dk");
    let server = env.serve();
    let mut admin = Client::default();
    set_password(&mut admin, &server, &password_link(&env, "admin@g.dk"));
    assert_eq!(login(&mut admin, &server, "admin@g.dk", PASSWORD).0, 303);
    // No profile yet: the order page leads to where one is made.
    let (_, _, page) = admin.get(&server, "/portal/orders/new");
    assert!(
        page.contains("Create one first: <a href=\"/portal/profiles\">"),
        "{page}"
    );
    let (status, _, page) = admin.get(&server, "/portal/users");
    assert_eq!(status, 200, "{page}");
    let csrf = hidden(&page, "csrf");
    // A forged form changes nothing.
    let fields = [
        ("email", "ny@g.dk"),
        ("given_name", "Ny"),
        ("surname", "Medarbejder"),
        ("role", "user"),
    ];
    let mut forged = vec![("csrf", "forged")];
    forged.extend(fields);
    assert_eq!(admin.post(&server, "/portal/users", &forged).0, 403);
    // A bad address comes back with what to fix and what was typed.
    let mut bad = vec![("csrf", csrf.as_str()), ("email", "ikke-en-adresse")];
    bad.extend(&fields[1..]);
    let (status, _, page) = admin.post(&server, "/portal/users", &bad);
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("value=\"Medarbejder\""), "{page}");
    // Invited: the new user gets a password link by mail and can log in with it.
    let mut good = vec![("csrf", csrf.as_str())];
    good.extend(fields);
    let (status, _, page) = admin.post(&server, "/portal/users", &good);
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("A password link has been mailed to ny@g.dk"),
        "{page}"
    );
    let mail = env.wait_for_mail("To: ny@g.dk");
    let link = mail
        .split("/portal/password/")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .map(|t| format!("/portal/password/{t}"))
        .expect("a password link");
    let mut new = Client::default();
    set_password(&mut new, &server, &link);
    assert_eq!(login(&mut new, &server, "ny@g.dk", PASSWORD).0, 303);
    // A user cannot manage users.
    assert_eq!(new.get(&server, "/portal/users").0, 403);
    // Deactivated: the user's session stops working at once.
    let id = user_id(&server, &a.admin, "ny@g.dk");
    let (status, _, page) = admin.post(
        &server,
        &format!("/portal/users/{id}"),
        &[
            ("csrf", &csrf),
            ("role", "user_admin"),
            ("status", "deactivated"),
        ],
    );
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Saved: ny@g.dk"), "{page}");
    let (status, h, _) = new.get(&server, "/portal");
    assert_eq!(
        (status, header(&h, "location")),
        (303, vec!["/portal/login"])
    );
    // Activated again, the user must log in again: the old session ended for good.
    let (status, v) = server.json(
        "PATCH",
        &format!("/api/v1/users/{id}"),
        Some(&a.admin),
        Some(r#"{"status": "active"}"#),
    );
    assert_eq!(status, 200, "{v}");
    let (status, h, _) = new.get(&server, "/portal");
    assert_eq!(
        (status, header(&h, "location")),
        (303, vec!["/portal/login"]),
        "a session from before the deactivation is dead"
    );
    assert_eq!(login(&mut new, &server, "ny@g.dk", PASSWORD).0, 303);
    assert_eq!(new.get(&server, "/portal").0, 200);
    // An employee certificate ordered for a user from the users page.
    let (status, _, page) = admin.post(
        &server,
        &format!("/portal/users/{}/order", a.user_id),
        &[("csrf", &csrf)],
    );
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("An employee certificate has been ordered"),
        "{page}"
    );
    env.wait_for_mail("A certificate is waiting for you");
    // A user administrator cannot change an organisation administrator, not even only
    // their status.
    env.ok(&[
        "user",
        "create",
        "--org",
        "99999959",
        "--email",
        "ua@g.dk",
        "--given-name",
        "Ulla",
        "--surname",
        "Admin",
        "--role",
        "user_admin",
    ]);
    let ua = env.json(&["token", "create", "--user", "ua@g.dk"])["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let admin_id = user_id(&server, &a.admin, "admin@g.dk");
    let (status, v) = server.json(
        "PATCH",
        &format!("/api/v1/users/{admin_id}"),
        Some(&ua),
        Some(r#"{"status": "deactivated"}"#),
    );
    assert_eq!(status, 403, "{v}");
    // Who may seal in the organisation's name is the organisation administrator's
    // decision: a user administrator grants it to nobody, themself included, and nobody
    // grants it to themself.
    let ua_id = user_id(&server, &a.admin, "ua@g.dk");
    for (who, target, body) in [
        (&ua, ua_id.as_str(), r#"{"seal": true}"#),
        (&ua, id.as_str(), r#"{"seal": true}"#),
        (&a.admin, admin_id.as_str(), r#"{"seal": true}"#),
    ] {
        let (status, v) = server.json(
            "PATCH",
            &format!("/api/v1/users/{target}"),
            Some(who),
            Some(body),
        );
        assert_eq!(status, 403, "{target} {v}");
        assert!(
            v["detail"].as_str().unwrap_or("").contains("seal right"),
            "{v}"
        );
    }
    let (status, v) = server.json(
        "POST",
        "/api/v1/users",
        Some(&ua),
        Some(r#"{"email": "s@g.dk", "given_name": "Sigurd", "surname": "Segl", "role": "user", "seal": true}"#),
    );
    assert_eq!(status, 403, "{v}");
    // The organisation administrator grants it to another user, and takes it back.
    for seal in [true, false] {
        let (status, v) = server.json(
            "PATCH",
            &format!("/api/v1/users/{ua_id}"),
            Some(&a.admin),
            Some(&format!(r#"{{"seal": {seal}}}"#)),
        );
        assert_eq!((status, v["seal"].as_bool()), (200, Some(seal)), "{v}");
    }
    // ...and in the portal, where the users page gives an organisation administrator a
    // seal choice for everyone but themself.
    let (_, _, page) = admin.get(&server, "/portal/users");
    assert!(page.contains(&format!("id=\"seal-{ua_id}\"")), "{page}");
    assert!(!page.contains(&format!("id=\"seal-{admin_id}\"")), "{page}");
    let (status, _, page) = admin.post(
        &server,
        &format!("/portal/users/{ua_id}"),
        &[
            ("csrf", &csrf),
            ("role", "user_admin"),
            ("status", "active"),
            ("seal", "yes"),
        ],
    );
    assert_eq!(status, 200, "{page}");
    let (_, v) = server.json(
        "GET",
        &format!("/api/v1/users/{ua_id}"),
        Some(&a.admin),
        None,
    );
    assert_eq!(v["seal"], true, "{v}");
}

/// The id of the user with address `email`, as an administrator's token lists it.
fn user_id(server: &Server, token: &str, email: &str) -> String {
    let (_, v) = server.json("GET", "/api/v1/users", Some(token), None);
    v["items"]
        .as_array()
        .and_then(|l| l.iter().find(|u| u["email"] == email))
        .and_then(|u| u["id"].as_str())
        .expect("the user")
        .to_owned()
}

#[test]
fn profiles_settings_and_renewal_in_the_portal() {
    let env = Env::new(ORGCA);
    let a = org(&env, "99999957", "h.dk");
    let server = env.serve();
    let (cert_id, _, _) =
        testkit::picked_up_system(&env, &server, &a.admin, "Fornyes", testkit::P256);
    let mut c = Client::default();
    set_password(&mut c, &server, &password_link(&env, "admin@h.dk"));
    assert_eq!(login(&mut c, &server, "admin@h.dk", PASSWORD).0, 303);
    let (_, _, page) = c.get(&server, "/portal/profiles");
    let csrf = hidden(&page, "csrf");
    // A bad contact address comes back with what to fix and what was typed.
    let (status, _, page) = c.post(
        &server,
        "/portal/profiles",
        &[
            ("csrf", &csrf),
            ("kind", "system"),
            ("name", "Lønsystem"),
            ("contact_name", "Ane Ørsted"),
            ("contact_email", "ikke en adresse"),
        ],
    );
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("value=\"Lønsystem\""), "{page}");
    let (status, h, _) = c.post(
        &server,
        "/portal/profiles",
        &[
            ("csrf", &csrf),
            ("kind", "system"),
            ("name", "Lønsystem"),
            ("contact_name", "Ane Ørsted"),
            ("contact_email", "ane@h.dk"),
        ],
    );
    assert_eq!(status, 303);
    let edit = header(&h, "location")[0].to_owned();
    assert!(edit.ends_with("?created=1"), "{edit}");
    let (_, _, page) = c.get(&server, &edit);
    assert!(page.contains("value=\"ane@h.dk\""), "{page}");
    assert!(page.contains("The profile is created"), "{page}");
    let (status, _, _) = c.post(
        &server,
        &edit,
        &[
            ("csrf", &csrf),
            ("name", "Lønsystem 2"),
            ("contact_name", "Ane Ørsted"),
            ("contact_email", "ane@h.dk"),
            ("publish", "yes"),
        ],
    );
    assert_eq!(status, 303);
    let (_, v) = server.json("GET", "/api/v1/profiles", Some(&a.admin), None);
    let p = v["items"]
        .as_array()
        .and_then(|l| l.iter().find(|p| p["name"] == "Lønsystem 2"))
        .unwrap_or_else(|| panic!("renamed: {v}"));
    assert_eq!(p["publish"], true, "{p}");

    // Settings: an unticked box switches it off.
    let (status, _, page) = c.post(
        &server,
        "/portal/settings",
        &[
            ("csrf", &csrf),
            ("user_certificates", "on"),
            ("organisation_certificates", "on"),
        ],
    );
    assert_eq!(status, 200, "{page}");
    let (_, v) = server.json("GET", "/api/v1/organisation", Some(&a.admin), None);
    assert_eq!(v["seals"], false, "{v}");
    assert_eq!(v["user_certificates"], true, "{v}");

    // Renewal: a new order with its code, shown once.
    let (status, _, page) = c.post(
        &server,
        &format!("/portal/certificates/{cert_id}/renew"),
        &[("csrf", &csrf)],
    );
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("id=\"one-time-code\""), "{page}");
}

#[test]
fn danish_when_the_browser_asks_for_it_or_the_user_chooses_it() {
    let env = Env::new(ORGCA);
    let server = env.serve();
    let (status, _, page) = server.request_with(
        "GET",
        "/portal/login",
        &[("Accept-Language", "da-DK,da;q=0.9,en;q=0.5")],
        None,
        None,
    );
    let page = String::from_utf8_lossy(&page);
    assert_eq!(status, 200);
    assert!(
        page.contains("<html lang=\"da\">") && page.contains("Log ind"),
        "{page}"
    );
    // The switch in the header remembers the choice, over what the browser asks for.
    let mut c = Client::default();
    let (status, h, _) = c.get(&server, "/portal/language/en");
    assert_eq!((status, header(&h, "location")), (303, vec!["/portal"]));
    let cookie = c.cookie_header();
    let (_, _, page) = server.request_with(
        "GET",
        "/portal/login",
        &[("Accept-Language", "da"), ("Cookie", &cookie)],
        None,
        None,
    );
    let page = String::from_utf8_lossy(&page);
    assert!(
        page.contains("<html lang=\"en\">") && page.contains("Log in"),
        "{page}"
    );
}

/// A multipart/form-data body: text fields, then one file.
fn multipart(fields: &[(&str, &str)], file: (&str, &str, &[u8])) -> (String, Vec<u8>) {
    let boundary = "orgca-test-boundary-7f3a";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    let (name, file_name, bytes) = file;
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[test]
fn a_user_signs_an_uploaded_file_in_the_portal() {
    let env = Env::new(ORGCA);
    let a = org(&env, "31000031", "portalsign.example.dk");
    let server = env.serve();
    let mut c = Client::default();
    let path = password_link(&env, "user@portalsign.example.dk");
    set_password(&mut c, &server, &path);
    let (status, _, _) = login(&mut c, &server, "user@portalsign.example.dk", PASSWORD);
    assert_eq!(status, 303);
    let (status, _, page) = c.get(&server, "/portal/sign");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("enctype=\"multipart/form-data\""), "{page}");
    assert!(
        !page.contains("name=\"signer\" id") && !page.contains("<select id=\"sign-as\""),
        "no seal choice without the seal right"
    );
    let csrf = hidden(&page, "csrf");
    let pdf_path = testkit::sample_pdf(&env, "Tilbud.pdf", 30_000);
    let pdf = std::fs::read(&pdf_path).expect("read");
    let upload = |csrf: &str, format: &str, file: (&str, &str, &[u8])| {
        let (content_type, body) = multipart(
            &[("csrf", csrf), ("format", format), ("signer", "personal")],
            file,
        );
        let cookie = c.cookie_header();
        server.request_with(
            "POST",
            "/portal/sign",
            &[("Cookie", &cookie), ("Content-Type", &content_type)],
            None,
            Some(&body),
        )
    };
    // A PDF comes back signed, as a download named after it.
    let (status, h, signed) = upload(&csrf, "pades", ("document", "Tilbud.pdf", &pdf));
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&signed));
    assert_eq!(header(&h, "content-type"), ["application/pdf"]);
    assert_eq!(
        header(&h, "content-disposition"),
        ["attachment; filename=\"Tilbud-signed.pdf\""]
    );
    assert!(signed.starts_with(&pdf) && signed.len() > pdf.len());
    let sig_id = header(&h, "orgca-signature-id");
    assert_eq!(sig_id.len(), 1, "{h:?}");
    if testkit::tool_available("pdfsig", "-v", "ORGCA_REQUIRE_SIGNING_TOOLS") {
        let file = env.write("Tilbud-signed.pdf", &signed);
        let out = testkit::cmd("pdfsig", &[file.to_str().expect("path")]);
        let report = String::from_utf8_lossy(&out.stdout);
        assert!(report.contains("Signature is Valid."), "{report}");
        assert!(report.contains("Total document signed"), "{report}");
    }
    // Any other file gets a detached signature that OpenSSL verifies.
    let note = b"Referat af bestyrelsesmoede 27/11\n";
    let (status, h, p7s) = upload(&csrf, "cades", ("document", "referat.txt", note));
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&p7s));
    assert_eq!(
        header(&h, "content-disposition"),
        ["attachment; filename=\"referat.txt.p7s\""]
    );
    let p7s = env.write("referat.txt.p7s", &p7s);
    let content = env.write("referat.txt", note);
    let root = env.ca_file("test-root");
    assert!(
        testkit::cms_verifies(&p7s, &content, &root),
        "openssl cms -verify"
    );
    // A text file as a PDF: the form again, saying what is wrong; a forged form: 403.
    let (status, _, page) = upload(&csrf, "pades", ("document", "notes.pdf", note));
    let page = String::from_utf8_lossy(&page).to_string();
    assert_eq!(status, 422, "{page}");
    assert!(error_of(&page).contains("not a PDF"), "{page}");
    let (status, _, _) = upload("forged", "pades", ("document", "Tilbud.pdf", &pdf));
    assert_eq!(status, 403);
    // With the seal right, the organisation's signing profiles are offered as seals; a
    // profile that does not allow signing is not.
    let body = |name: &str, signing: bool| {
        format!(
            r#"{{"kind":"organisation","name":"{name}","contact":{{"name":"Bo Holm","email":"bo@portalsign.example.dk"}},"allow_signing":{signing}}}"#
        )
    };
    testkit::profile(&server, &a.admin, &body("Faktura-segl", true));
    testkit::profile(&server, &a.admin, &body("Hjemmeside", false));
    let (status, _) = server.json(
        "PATCH",
        &format!("/api/v1/users/{}", a.user_id),
        Some(&a.admin),
        Some(r#"{"seal":true}"#),
    );
    assert_eq!(status, 200);
    let (_, _, page) = c.get(&server, "/portal/sign");
    assert!(page.contains("<select id=\"sign-as\""), "{page}");
    assert!(page.contains("Faktura-segl"), "{page}");
    assert!(!page.contains("Hjemmeside"), "{page}");
}

/// A password set through a link mailed to the user's address proves the address: an
/// employee order waiting for it becomes ready, and a later order waits for nothing and
/// sends its one mail without a link to confirm.
#[test]
fn a_password_link_used_proves_the_address() {
    let env = Env::new(ORGCA);
    let a = org(&env, "99999935", "k.dk");
    let server = env.serve();
    let order = || testkit::employee_order(&server, &a.admin, &a.user_id);
    let status_of = |o: &serde_json::Value| {
        let path = format!("/api/v1/orders/{}", o["id"].as_str().expect("id"));
        server.json("GET", &path, Some(&a.admin), None).1["status"].clone()
    };
    let first = order();
    assert_eq!(first["status"], "awaiting_email_validation");
    set_password(
        &mut Client::default(),
        &server,
        &password_link(&env, "user@k.dk"),
    );
    assert_eq!(
        status_of(&first),
        "ready",
        "the used link proved the address"
    );
    let second = order();
    assert_eq!(second["status"], "ready");
    let reference = second["reference"].as_str().expect("reference");
    let mail = env.wait_for_mail(reference);
    assert!(
        !mail.contains("/portal/email/"),
        "nothing to confirm: {mail}"
    );
}
