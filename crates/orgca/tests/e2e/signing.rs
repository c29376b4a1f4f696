//! The signing service through the real `orgca serve`: documents signed as CAdES and
//! PAdES with single-use certificates, checked by tools we did not write (OpenSSL,
//! pyHanko, Poppler's pdfsig, pkilint), seals without a person's name, and refusals that
//! leave no key, no certificate and no audit event behind.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::ORGCA;
use base64ct::{Base64, Encoding as _};
use orgca_testkit::{
    self as testkit, Env, Org, Server, cmd, cmd_ok, cms_verifies, org, pkilint_available,
    pkilint_errors, sample_pdf, tool_available,
};

/// Set in CI: pyHanko, pdfsig, qpdf and certutil must be there.
const REQUIRE: &str = "ORGCA_REQUIRE_SIGNING_TOOLS";

/// DER of the OID 0.4.0.1862.1.4 (QcSSCD).
const QC_SSCD: &[u8] = &[0x06, 0x06, 0x04, 0x00, 0x8e, 0x46, 0x01, 0x04];
/// DER of the OID 0.4.0.1862.1.6.2 (QcType eseal).
const QCT_ESEAL: &[u8] = &[0x06, 0x07, 0x04, 0x00, 0x8e, 0x46, 0x01, 0x06, 0x02];

/// Whether a certificate's DER holds this encoded OID.
fn has_oid(cert: &Path, oid: &[u8]) -> bool {
    let der = cmd(
        "openssl",
        &[
            "x509",
            "-in",
            cert.to_str().expect("path"),
            "-outform",
            "DER",
        ],
    )
    .stdout;
    der.windows(oid.len()).any(|w| w == oid)
}

/// Signs raw bytes through `POST /api/v1/sign/{format}`.
fn sign_raw(
    server: &Server,
    token: &str,
    format: &str,
    query: &str,
    body: &[u8],
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    server.request_with(
        "POST",
        &format!("/api/v1/sign/{format}?{query}"),
        &[("Content-Type", "application/octet-stream")],
        Some(token),
        Some(body),
    )
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The certificates inside a CMS (DER), signer first, as PEM files.
fn certs_in_cms(env: &Env, cms: &Path, stem: &str) -> Vec<PathBuf> {
    let out = cmd_ok(
        "openssl",
        &[
            "pkcs7",
            "-inform",
            "DER",
            "-in",
            cms.to_str().expect("path"),
            "-print_certs",
        ],
    );
    let text = String::from_utf8_lossy(&out).to_string();
    let mut files = Vec::new();
    for (i, block) in text
        .split("-----BEGIN CERTIFICATE-----")
        .skip(1)
        .enumerate()
    {
        let end = block.find("-----END CERTIFICATE-----").expect("end");
        let pem = format!(
            "-----BEGIN CERTIFICATE-----{}-----END CERTIFICATE-----\n",
            &block[..end]
        );
        files.push(env.write(&format!("{stem}-{i}.pem"), pem));
    }
    files
}

/// The leaf among `certs` (the one that is no CA).
fn leaf_of(certs: &[PathBuf]) -> PathBuf {
    certs
        .iter()
        .find(|c| !x509_text(c).contains("CA:TRUE"))
        .expect("a leaf certificate")
        .clone()
}

fn x509_text(cert: &Path) -> String {
    let out = cmd(
        "openssl",
        &[
            "x509",
            "-in",
            cert.to_str().expect("path"),
            "-noout",
            "-text",
            "-nameopt",
            "RFC2253,-esc_msb",
        ],
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// The value of the unlabelled metric `name` in `/metrics`; `None` before it was set.
fn metric(server: &Server, name: &str) -> Option<f64> {
    let (_, _, body) = server.get("/metrics");
    String::from_utf8_lossy(&body)
        .lines()
        .find(|l| {
            l.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with(' '))
        })
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

/// The signing keys alive, as the server last counted them (after its last signature);
/// `None` before any signature.
fn keys_live(server: &Server) -> Option<f64> {
    metric(server, "orgca_signing_keys_live")
}

/// The signing keys ever made by this server (0 before any signing task ran).
fn keys_made(server: &Server) -> f64 {
    metric(server, "orgca_signing_keys_made_total").unwrap_or(0.0)
}

fn signatures_made(server: &Server) -> f64 {
    let (_, _, body) = server.get("/metrics");
    String::from_utf8_lossy(&body)
        .lines()
        .filter(|l| l.starts_with("orgca_signatures_total{"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// The `document.signed` audit events, read from the store behind orgca's back.
fn signed_events(env: &Env) -> Vec<serde_json::Value> {
    env.sql("SELECT actor, object, details FROM audit_events WHERE action = 'document.signed' ORDER BY seq")
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut f = l.splitn(3, '\t');
            let (actor, object, details) = (f.next(), f.next(), f.next());
            serde_json::json!({
                "actor": actor,
                "object": object,
                "details": serde_json::from_str::<serde_json::Value>(details.unwrap_or_default())
                    .expect("details JSON"),
            })
        })
        .collect()
}

fn sha256_hex(path: &Path) -> String {
    let out = cmd(
        "openssl",
        &["dgst", "-sha256", "-r", path.to_str().expect("path")],
    );
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .expect("digest")
        .to_owned()
}

/// pyHanko's verdict on a signed PDF with `roots` as the only trust anchors (revocation
/// not checked: the CRL URL names a host that does not exist here).
fn pyhanko(pdf: &Path, roots: &[&Path]) -> (bool, String) {
    let mut args = vec!["sign", "validate"];
    for r in roots {
        args.extend(["--trust", r.to_str().expect("path")]);
    }
    args.extend(["--trust-replace", "--no-revocation-check", "--pretty-print"]);
    args.push(pdf.to_str().expect("path"));
    let out = cmd("pyhanko", &args);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// pdfsig's report, with `root` trusted in a fresh NSS database when certutil is there.
fn pdfsig(env: &Env, pdf: &Path, root: &Path) -> (String, bool) {
    let nss = env.path("nssdb");
    std::fs::create_dir_all(&nss).expect("mkdir");
    let db = format!("sql:{}", nss.display());
    // certutil asks on the terminal when its stdin is one: never let it wait.
    let certutil = |args: &[&str]| {
        Command::new("certutil")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let root = root.to_str().expect("path");
    let made = nss.join("cert9.db").exists()
        || certutil(&["-N", "-d", &db, "--empty-password"])
            && certutil(&[
                "-A",
                "-d",
                &db,
                "-n",
                "orgca-root",
                "-t",
                "CT,C,C",
                "-i",
                root,
            ]);
    assert!(
        made || std::env::var_os(REQUIRE).is_none(),
        "certutil (libnss3-tools) is required ({REQUIRE})"
    );
    let mut c = Command::new("pdfsig");
    if made {
        c.args(["-nssdir", &db]);
    }
    let out = c.arg(pdf).output().expect("run pdfsig");
    (String::from_utf8_lossy(&out.stdout).to_string(), made)
}

/// An organisation whose user may sign, with the test root and a running server.
fn setup() -> (Env, Org, Server, PathBuf) {
    let env = Env::new(ORGCA);
    let o = org(&env, "31000015", "signing.example.dk");
    let server = env.serve();
    let root = env.ca_file("test-root");
    (env, o, server, root)
}

#[test]
fn personal_signatures_verify_with_openssl_pyhanko_and_pdfsig() {
    let (env, o, server, root) = setup();
    let tools =
        tool_available("pyhanko", "--version", REQUIRE) && tool_available("pdfsig", "-v", REQUIRE);

    // CAdES of a 1 KB file, through the JSON API.
    let content: Vec<u8> = (0..1024u32).map(|i| (i * 7 % 251) as u8).collect();
    let file = env.write("contract.bin", &content);
    let body = serde_json::json!({
        "document": Base64::encode_string(&content),
        "format": "cades",
        "mode": "personal",
    })
    .to_string();
    let (status, v) = server.json("POST", "/api/v1/sign", Some(&o.user), Some(&body));
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["content_type"], "application/pkcs7-signature");
    let cms = Base64::decode_vec(v["signed_document"].as_str().expect("signed")).expect("b64");
    let p7s = env.write("contract.p7s", &cms);
    assert!(cms_verifies(&p7s, &file, &root), "openssl cms -verify");
    let mut changed = content.clone();
    changed[500] ^= 1;
    let changed = env.write("contract-changed.bin", &changed);
    assert!(
        !cms_verifies(&p7s, &changed, &root),
        "a changed byte must fail"
    );

    // The single-use certificate: the person, qualified, for minutes, never stored.
    let certs = certs_in_cms(&env, &p7s, "cades");
    assert_eq!(
        certs.len(),
        2,
        "the signer and the signing CA, not the root"
    );
    let leaf = leaf_of(&certs);
    let text = x509_text(&leaf);
    for want in [
        "CN=Ane Ørsted",
        "GN=Ane",
        "SN=Ørsted",
        &format!("serialNumber=UI:DK-E:G:{}", o.user_id),
        "organizationIdentifier=NTRDK-31000015",
        "Non Repudiation",
        "0.4.0.194112.1.0",
        "CN=orgca OCES underskrifts-CA 1",
    ] {
        assert!(text.contains(want), "{want} in\n{text}");
    }
    assert!(!text.contains("email:"), "no e-mail address: {text}");
    let validity = |label: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(label))
            .and_then(|l| l.split_once(": "))
            .map(|(_, v)| v.trim().to_owned())
            .expect("validity line")
    };
    let parse = |v: String| {
        let out = cmd("date", &["-u", "-d", &v, "+%s"]);
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse::<i64>()
            .expect("epoch")
    };
    let lifetime = parse(validity("Not After")) - parse(validity("Not Before"));
    assert_eq!(lifetime, 600, "10 minutes by default");
    if pkilint_available("lint_etsi_cert") {
        let bad = pkilint_errors(
            "lint_etsi_cert",
            &["-t", "NCP-NATURAL-PERSON-CERTIFICATE"],
            &leaf,
        );
        assert!(bad.is_empty(), "lint_etsi_cert: {bad:?}");
        let bad = pkilint_errors("lint_pkix_cert", &[], &leaf);
        assert!(bad.is_empty(), "lint_pkix_cert: {bad:?}");
    }
    assert!(!has_oid(&leaf, QC_SSCD), "software keys claim no QSCD");

    // PAdES of a 100 KB PDF, raw bytes in and out.
    let pdf = sample_pdf(&env, "offer.pdf", 100_000);
    let original = std::fs::read(&pdf).expect("read");
    let (status, headers, signed) = sign_raw(&server, &o.user, "pades", "mode=personal", &original);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&signed));
    assert_eq!(header(&headers, "content-type"), Some("application/pdf"));
    let signature_id = header(&headers, "orgca-signature-id").expect("signature id");
    assert!(
        signed.starts_with(&original),
        "an incremental update keeps every original byte"
    );
    let signed_pdf = env.write("offer-signed.pdf", &signed);
    if tools {
        let (ok, report) = pyhanko(&signed_pdf, &[&root]);
        assert!(ok, "pyHanko: {report}");
        for want in [
            "The signer's certificate is trusted.",
            "The signature is cryptographically sound.",
            "The signature covers the entire file.",
            "The signature is judged VALID.",
            "Ane Ørsted",
        ] {
            assert!(report.contains(want), "{want} in\n{report}");
        }
        let (report, trusted) = pdfsig(&env, &signed_pdf, &root);
        for want in [
            "Signature Type: ETSI.CAdES.detached",
            "Total document signed",
            "Signature Validation: Signature is Valid.",
        ] {
            assert!(report.contains(want), "{want} in\n{report}");
        }
        if trusted {
            assert!(report.contains("Certificate is Trusted."), "{report}");
        }
        // One byte changed inside what the signature covers: invalid for both.
        let mut tampered = signed.clone();
        let at = original.len() / 2;
        tampered[at] = if tampered[at] == b'1' { b'2' } else { b'1' };
        let tampered = env.write("offer-tampered.pdf", &tampered);
        let (ok, report) = pyhanko(&tampered, &[&root]);
        assert!(!ok && report.contains("INVALID"), "pyHanko: {report}");
        let (report, _) = pdfsig(&env, &tampered, &root);
        assert!(report.contains("Digest Mismatch"), "pdfsig: {report}");

        // A second signature on the signed PDF: both stay valid, the last covers all.
        let (status, _, twice) = sign_raw(&server, &o.user, "pades", "mode=personal", &signed);
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&twice));
        let twice = env.write("offer-signed-twice.pdf", &twice);
        let (report, _) = pdfsig(&env, &twice, &root);
        assert_eq!(report.matches("Signature is Valid.").count(), 2, "{report}");
        let (ok, report) = pyhanko(&twice, &[&root]);
        assert!(ok, "pyHanko: {report}");
        assert_eq!(
            report.matches("The signature is judged VALID.").count(),
            2,
            "{report}"
        );
    }
    // A certified PDF: with no changes allowed it is refused; where signing is allowed
    // (DocMDP P=2) the certification stays valid beside the new signature.
    if tools {
        let (key, cert) = testkit::self_signed(
            &env,
            "certifier",
            "/CN=Certifier",
            &["-days", "1", "-addext", "keyUsage=critical,nonRepudiation"],
        );
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/certify_pdf.py");
        let certified = |perm: &str| {
            let dst = env.path(&format!("certified-{perm}.pdf"));
            cmd_ok(
                "python3",
                &[
                    script,
                    key.to_str().expect("path"),
                    cert.to_str().expect("path"),
                    pdf.to_str().expect("path"),
                    dst.to_str().expect("path"),
                    perm,
                ],
            );
            std::fs::read(dst).expect("read")
        };
        let (status, _, body) = sign_raw(
            &server,
            &o.user,
            "pades",
            "mode=personal",
            &certified("NO_CHANGES"),
        );
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        assert_eq!(
            (status, v["code"].as_str()),
            (422, Some("invalid_pdf")),
            "{v}"
        );
        assert!(
            v["detail"]
                .as_str()
                .is_some_and(|d| d.contains("certified")),
            "{v}"
        );
        let (status, _, signed) = sign_raw(
            &server,
            &o.user,
            "pades",
            "mode=personal",
            &certified("FILL_FORMS"),
        );
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&signed));
        let signed = env.write("certified-signed.pdf", &signed);
        let (ok, report) = pyhanko(&signed, &[&root, &cert]);
        assert!(ok, "{report}");
        assert_eq!(
            report.matches("The signature is judged VALID.").count(),
            2,
            "{report}"
        );
        assert!(
            report.contains("compatible with the current document modification policy"),
            "{report}"
        );
    }
    // A PDF with object streams and a cross-reference stream (as qpdf writes it).
    if tools && tool_available("qpdf", "--version", REQUIRE) {
        let modern = env.path("offer-modern.pdf");
        cmd_ok(
            "qpdf",
            &[
                "--object-streams=generate",
                pdf.to_str().expect("path"),
                modern.to_str().expect("path"),
            ],
        );
        let modern = std::fs::read(&modern).expect("read");
        assert!(
            modern.windows(5).any(|w| w == b"/XRef"),
            "qpdf wrote a cross-reference stream"
        );
        let (status, _, signed) = sign_raw(&server, &o.user, "pades", "mode=personal", &modern);
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&signed));
        let signed = env.write("offer-modern-signed.pdf", &signed);
        let (ok, report) = pyhanko(&signed, &[&root]);
        assert!(
            ok && report.contains("The signature covers the entire file."),
            "pyHanko: {report}"
        );
    }

    // Nothing stays: no key, no certificate in the organisation's list, no document.
    // One key was made per signature, and none is left.
    let made = keys_made(&server);
    assert!(made >= 1.0);
    assert_eq!(made, signatures_made(&server));
    assert_eq!(keys_live(&server), Some(0.0));
    let (status, list) = server.json("GET", "/api/v1/certificates", Some(&o.admin), None);
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["items"], serde_json::json!([]), "{list}");
    // The audit trail has each signature: who, how, which certificate, which document.
    let events = signed_events(&env);
    assert!(events.len() >= 2, "{events:?}");
    assert!(events.iter().all(|e| e["details"]["mode"] == "personal"));
    let (cades, pades) = (&events[0], &events[1]);
    assert_eq!(cades["actor"], o.user_id.as_str());
    assert_eq!(cades["object"], v["signature_id"]);
    assert_eq!(cades["details"]["mode"], "personal");
    assert_eq!(cades["details"]["format"], "cades");
    assert_eq!(
        cades["details"]["document_sha256"],
        sha256_hex(&file).as_str()
    );
    assert_eq!(
        cades["details"]["certificate_serial"],
        v["certificate_serial"]
    );
    let leaf_der = cmd(
        "openssl",
        &[
            "x509",
            "-in",
            leaf.to_str().expect("path"),
            "-outform",
            "DER",
        ],
    )
    .stdout;
    let leaf_der = env.write("cades-leaf.der", leaf_der);
    assert_eq!(
        cades["details"]["certificate_sha256"],
        sha256_hex(&leaf_der).as_str()
    );
    assert_eq!(pades["object"], signature_id);
    assert_eq!(pades["details"]["format"], "pades");
    assert_eq!(
        pades["details"]["document_sha256"],
        sha256_hex(&pdf).as_str()
    );
    // The audit chain still holds, and the database holds none of the document's text.
    env.audit_events();
    server.stop();
    let text_in = env.sqlite_files_holding(b"parterne er enige om vilkaa");
    assert!(text_in.is_empty(), "the document's text is in {text_in:?}");
}

#[test]
fn seals_need_the_right_and_name_the_organisation_only() {
    let (env, o, server, root) = setup();
    let doc = env.write("invoice.txt", "Faktura 2026-117: 12.500 kr.\n");
    let content = std::fs::read(&doc).expect("read");
    let profile = |body: &str| testkit::profile(&server, &o.admin, body);
    let seal_profile = profile(
        r#"{"kind":"organisation","name":"Faktura-segl","contact":{"name":"Bo Holm","email":"bo@signing.example.dk"},"allow_signing":true}"#,
    );
    let plain_profile = profile(
        r#"{"kind":"organisation","name":"Hjemmeside","contact":{"name":"Bo Holm","email":"bo@signing.example.dk"}}"#,
    );
    let system_profile = profile(
        r#"{"kind":"system","name":"Integration","contact":{"name":"Bo Holm","email":"bo@signing.example.dk"},"allow_signing":true}"#,
    );
    let seal = |p: &str| {
        sign_raw(
            &server,
            &o.user,
            "cades",
            &format!("mode=seal&profile={p}"),
            &content,
        )
    };
    let code = |r: (u16, Vec<(String, String)>, Vec<u8>)| {
        let v: serde_json::Value = serde_json::from_slice(&r.2).unwrap_or_default();
        (
            r.0,
            v["code"].as_str().unwrap_or("").to_owned(),
            v["detail"].to_string(),
        )
    };

    // Without the seal right: refused, saying how to get it.
    let (status, c, detail) = code(seal(&seal_profile));
    assert_eq!((status, c.as_str()), (403, "forbidden"), "{detail}");
    assert!(detail.contains("seal right"), "{detail}");
    let user_path = format!("/api/v1/users/{}", o.user_id);
    let (status, v) = server.json(
        "PATCH",
        &user_path,
        Some(&o.admin),
        Some(r#"{"seal":true}"#),
    );
    assert_eq!(status, 200, "{v}");
    // A profile that does not allow signing, or a system profile: refused.
    for p in [&plain_profile, &system_profile] {
        let (status, c, detail) = code(seal(p));
        assert_eq!((status, c.as_str()), (422, "invalid_request"), "{detail}");
        assert!(detail.contains("allow_signing"), "{detail}");
    }
    // Another organisation's profile, one that may seal there, is not found here.
    let other = org(&env, "31000058", "other.example.dk");
    let theirs = testkit::profile(
        &server,
        &other.admin,
        r#"{"kind":"organisation","name":"Andet segl","contact":{"name":"Eva Lund","email":"eva@other.example.dk"},"allow_signing":true}"#,
    );
    let (status, c, _) = code(seal(&theirs));
    assert_eq!((status, c.as_str()), (404, "not_found"));
    // Seals switched off for the organisation: refused.
    let (status, v) = server.json(
        "PATCH",
        "/api/v1/organisation",
        Some(&o.admin),
        Some(r#"{"seals":false}"#),
    );
    assert_eq!(status, 200, "{v}");
    let (status, c, detail) = code(seal(&seal_profile));
    assert_eq!((status, c.as_str()), (403, "forbidden"), "{detail}");
    assert!(detail.contains("switched off"), "{detail}");
    assert_eq!(signatures_made(&server), 0.0, "nothing signed so far");
    let (status, _) = server.json(
        "PATCH",
        "/api/v1/organisation",
        Some(&o.admin),
        Some(r#"{"seals":true}"#),
    );
    assert_eq!(status, 200);

    // The seal: the organisation and the profile, never the person.
    let (status, headers, cms) = seal(&seal_profile);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&cms));
    let p7s = env.write("invoice.p7s", &cms);
    assert!(cms_verifies(&p7s, &doc, &root));
    let leaf = leaf_of(&certs_in_cms(&env, &p7s, "seal"));
    let text = x509_text(&leaf);
    let subject = text
        .lines()
        .find(|l| l.trim_start().starts_with("Subject:"))
        .expect("subject")
        .to_owned();
    assert!(subject.contains("CN=Faktura-segl"), "{subject}");
    assert!(
        subject.contains(&format!("serialNumber=UI:DK-O:G:{seal_profile}")),
        "{subject}"
    );
    assert!(
        subject.contains("O=Testorganisation nr. 31000015"),
        "{subject}"
    );
    for person in ["GN=", "SN=", "Ane", "Ørsted", "user@", "emailAddress"] {
        assert!(!subject.contains(person), "{person} in {subject}");
    }
    assert!(!text.contains("email:"), "{text}");
    assert!(text.contains("0.4.0.194112.1.1"), "QCP-l: {text}");
    assert!(!has_oid(&leaf, QC_SSCD), "software keys claim no QSCD");
    assert!(has_oid(&leaf, QCT_ESEAL), "QcType eseal");
    if pkilint_available("lint_etsi_cert") {
        let bad = pkilint_errors(
            "lint_etsi_cert",
            &["-t", "NCP-LEGAL-PERSON-CERTIFICATE"],
            &leaf,
        );
        assert!(bad.is_empty(), "lint_etsi_cert: {bad:?}");
        let bad = pkilint_errors("lint_pkix_cert", &[], &leaf);
        assert!(bad.is_empty(), "lint_pkix_cert: {bad:?}");
    }
    let events = signed_events(&env);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["details"]["mode"], "seal");
    assert_eq!(events[0]["details"]["profile"], seal_profile.as_str());
    assert_eq!(
        events[0]["actor"],
        o.user_id.as_str(),
        "the audit names who sealed"
    );
    assert_eq!(
        Some(events[0]["object"].as_str().expect("id")),
        header(&headers, "orgca-signature-id")
    );
    assert_eq!(keys_live(&server), Some(0.0));
}

/// A refusal: what was sent, what came back (status, code), what should have.
type Case<'a> = (&'a str, (u16, String), (u16, &'a str));

#[test]
fn bad_documents_and_callers_are_refused_before_any_key() {
    let env = Env::new(ORGCA);
    let o = org(&env, "31000023", "refusals.example.dk");
    let config = env.data().join("config.toml");
    let text = std::fs::read_to_string(&config).expect("config");
    let limited = text.replace(
        "max_document_bytes = 16777216",
        "max_document_bytes = 200000",
    );
    assert_ne!(text, limited, "init writes the default limit: {text}");
    std::fs::write(&config, limited).expect("write config");
    let server = env.serve();
    let pdf = std::fs::read(sample_pdf(&env, "small.pdf", 20_000)).expect("read");
    let refused = |format: &str, query: &str, body: &[u8]| {
        let (status, _, b) = sign_raw(&server, &o.user, format, query, body);
        let v: serde_json::Value = serde_json::from_slice(&b).unwrap_or_default();
        (status, v["code"].as_str().unwrap_or("").to_owned())
    };
    let mut cases: Vec<Case> = vec![
        (
            "not a PDF",
            refused("pades", "mode=personal", b"just some text"),
            (422, "invalid_pdf"),
        ),
        (
            "a broken PDF",
            refused("pades", "mode=personal", &pdf[..pdf.len() / 2]),
            (422, "invalid_pdf"),
        ),
        (
            "an empty body",
            refused("cades", "mode=personal", b""),
            (400, "empty_document"),
        ),
        (
            "over the configured limit",
            refused("cades", "mode=personal", &vec![b'x'; 200_001]),
            (413, "document_too_large"),
        ),
        (
            "a seal without a profile",
            refused("cades", "mode=seal", b"x"),
            (400, "invalid_request"),
        ),
        (
            "a personal signature with a profile",
            refused(
                "cades",
                "mode=personal&profile=00000000-0000-4000-8000-000000000000",
                b"x",
            ),
            (400, "invalid_request"),
        ),
        (
            "no mode",
            refused("cades", "", b"x"),
            (400, "invalid_query"),
        ),
        (
            "an unknown format",
            refused("xades", "mode=personal", b"x"),
            (404, "not_found"),
        ),
    ];
    if tool_available("qpdf", "--version", REQUIRE) {
        let plain = env.write("plain.pdf", &pdf);
        let locked = env.path("locked.pdf");
        cmd_ok(
            "qpdf",
            &[
                "--encrypt",
                "user-pw",
                "owner-pw",
                "256",
                "--",
                plain.to_str().expect("path"),
                locked.to_str().expect("path"),
            ],
        );
        let locked = std::fs::read(&locked).expect("read");
        cases.push((
            "an encrypted PDF",
            refused("pades", "mode=personal", &locked),
            (422, "encrypted_pdf"),
        ));
    }
    let bad_json = |body: &str| {
        let (status, v) = server.json("POST", "/api/v1/sign", Some(&o.user), Some(body));
        (status, v["code"].as_str().unwrap_or("").to_owned())
    };
    cases.push((
        "a document that is not base64",
        bad_json(r#"{"document":"%%%","format":"cades","mode":"personal"}"#),
        (400, "invalid_document"),
    ));
    let huge = format!(
        r#"{{"document":"{}","format":"cades","mode":"personal"}}"#,
        "A".repeat(300_000)
    );
    cases.push((
        "a JSON body over the limit's base64 size",
        bad_json(&huge),
        (413, "body_too_large"),
    ));
    cases.push((
        "an unknown format in JSON",
        bad_json(r#"{"document":"eA==","format":"xades","mode":"personal"}"#),
        (400, "invalid_json"),
    ));
    for (what, got, (status, code)) in &cases {
        assert_eq!((got.0, got.1.as_str()), (*status, *code), "{what}");
    }
    // A deactivated user cannot sign.
    let (status, _) = server.json(
        "PATCH",
        &format!("/api/v1/users/{}", o.user_id),
        Some(&o.admin),
        Some(r#"{"status":"deactivated"}"#),
    );
    assert_eq!(status, 200);
    let (status, _) = refused("cades", "mode=personal", b"contract");
    assert_eq!(status, 401, "a deactivated user's token no longer works");
    // An operator (no user of the organisation) cannot sign either.
    let op = env.json(&["token", "create", "--operator", "--name", "ops"]);
    let (status, _, b) = server.request_with(
        "POST",
        "/api/v1/sign/cades?mode=personal",
        &[
            ("Content-Type", "application/octet-stream"),
            ("Orgca-Organisation", "31000023"),
        ],
        op["token"].as_str(),
        Some(b"contract"),
    );
    assert_eq!(status, 403, "{}", String::from_utf8_lossy(&b));
    // Nothing was signed, no key was made (the counter is updated after every signing
    // task, refused or not), nothing was audited.
    assert_eq!(signatures_made(&server), 0.0);
    assert_eq!(keys_made(&server), 0.0, "no key was made for a refusal");
    assert!(signed_events(&env).is_empty());
}

#[test]
fn keys_on_a_pkcs11_token_are_session_objects_and_certificates_claim_the_qscd() {
    let env = Env::new(ORGCA);
    let Some(conf) =
        testkit::softhsm::token(&env.path(""), "orgca-signing", "PKCS#11 signing keys")
    else {
        return;
    };
    let o = org(&env, "31000066", "token.example.dk");
    let conf = conf.to_str().expect("path");
    let config = env.data().join("config.toml");
    let text = std::fs::read_to_string(&config).expect("config");
    let with_token = text.replace(
        "qscd = false",
        &format!(
            "qscd = true\npkcs11_module = \"{}\"\npkcs11_token = \"orgca-signing\"",
            testkit::softhsm::MODULE
        ),
    );
    assert_ne!(text, with_token, "init writes qscd = false: {text}");
    std::fs::write(&config, with_token).expect("write config");

    // A wrong PIN: serve refuses to start, naming the token.
    // (Through the environment, so that it opens this test's store, never the template's.)
    let out = env.run_with(
        &[("SOFTHSM2_CONF", conf), ("ORGCA_PKCS11_PIN", "9999")],
        &["serve", "--listen", "127.0.0.1:0"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("signing token"),
        "{err}"
    );

    let server = env.serve_with(&[("SOFTHSM2_CONF", conf), ("ORGCA_PKCS11_PIN", "1234")]);
    let root = env.ca_file("test-root");
    let file = env.write("minutes.txt", "Referat 27/11\n");
    let (status, _, cms) = sign_raw(
        &server,
        &o.user,
        "cades",
        "mode=personal",
        b"Referat 27/11\n",
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&cms));
    let p7s = env.write("minutes.p7s", &cms);
    assert!(
        cms_verifies(&p7s, &file, &root),
        "the token's signature verifies"
    );
    let leaf = leaf_of(&certs_in_cms(&env, &p7s, "token"));
    assert!(has_oid(&leaf, QC_SSCD), "keys on the token: QcSSCD");
    assert!(x509_text(&leaf).contains("0.4.0.194112.1.2"), "QCP-n-qscd");
    if pkilint_available("lint_etsi_cert") {
        let bad = pkilint_errors(
            "lint_etsi_cert",
            &["-t", "QCP-N-QSCD-EIDAS-FINAL-CERTIFICATE"],
            &leaf,
        );
        assert!(bad.is_empty(), "lint_etsi_cert: {bad:?}");
    }
    assert_eq!(keys_live(&server), Some(0.0));
    // Nothing was stored on the token: its only objects would be listed here.
    if let Some(listed) = testkit::softhsm::list_objects(Path::new(conf), "orgca-signing", &[]) {
        assert!(!listed.contains("Private Key Object"), "{listed}");
        assert!(!listed.contains("Public Key Object"), "{listed}");
    }
}

/// A data folder made before the signing service has no signing CAs: signing answers
/// 503 with what to run, and after `orgca ca add-signing` and a restart it signs.
#[test]
fn without_signing_cas_signing_answers_503_until_they_are_added() {
    let env = Env::new(ORGCA);
    let o = org(&env, "31000023", "signing.example.dk");
    // As before the signing service: no signing CA rows, no signing keys.
    let keys = env.sql("SELECT key_ref FROM ca_certificates WHERE role = 'signing'");
    assert_eq!(keys.lines().count(), 2, "one per hierarchy: {keys}");
    for key in keys.lines() {
        std::fs::remove_file(env.data().join("keys").join(key.trim())).expect("remove key");
    }
    env.sql("DELETE FROM ca_certificates WHERE role = 'signing'");
    let server = env.serve();
    let (status, _, body) = sign_raw(&server, &o.user, "cades", "mode=personal", b"aftale");
    let problem: serde_json::Value = serde_json::from_slice(&body).expect("a problem document");
    assert_eq!(
        (status, problem["code"].as_str()),
        (503, Some("no_signing_ca")),
        "{problem}"
    );
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("orgca ca add-signing")),
        "{problem}"
    );
    drop(server);
    let added = env.ok(&["ca", "add-signing"]);
    assert_eq!(
        env.sql("SELECT COUNT(*) FROM ca_certificates WHERE role = 'signing'")
            .trim(),
        "2",
        "{added}"
    );
    let server = env.serve();
    let (status, _, body) = sign_raw(&server, &o.user, "cades", "mode=personal", b"aftale");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
}
