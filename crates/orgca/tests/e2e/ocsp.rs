//! The OCSP responder through HTTP only, checked with `openssl ocsp` and pkilint: good,
//! revoked within seconds of a block, unknown, unauthorized, nonces, several
//! certificates in one request, GET and POST, and a malformed-request corpus that never
//! gets a 500.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::ORGCA;
use orgca_testkit::{self as testkit, Env, Server, org};

/// A system certificate with an RSA-3072 key, picked up through the API.
fn issue(env: &Env, server: &Server, admin: &str, name: &str) -> (String, String, PathBuf) {
    testkit::picked_up_system(env, server, admin, name, &["-newkey", "rsa:3072"])
}

fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// `openssl ocsp` against the server: its whole output.
fn ocsp(env: &Env, server: &Server, extra: &[&str]) -> String {
    ocsp_for(env, server, "test-issuing-1", extra)
}

/// `openssl ocsp` against the server for a certificate of the issuing CA `issuer` (a
/// test one), checking the answer up to the test root; its whole output.
pub(crate) fn ocsp_for(env: &Env, server: &Server, issuer: &str, extra: &[&str]) -> String {
    let url = format!("http://{}/ocsp", server.addr);
    let issuer = env.ca_file(issuer);
    let root = env.ca_file("test-root");
    let mut args = vec![
        "ocsp",
        "-issuer",
        p(&issuer),
        "-CAfile",
        p(&root),
        "-url",
        &url,
    ];
    args.extend_from_slice(extra);
    let out = testkit::output_within(
        {
            let mut c = std::process::Command::new("openssl");
            c.args(&args);
            c
        },
        Duration::from_secs(20),
    );
    String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr)
}

#[test]
fn openssl_ocsp_sees_good_then_revoked_within_seconds() {
    let env = Env::new(ORGCA);
    let a = org(&env, "99999970", "a.dk");
    let server = env.serve();
    let (id, _, leaf) = issue(&env, &server, &a.admin, "Status");
    let (_, _, other) = issue(&env, &server, &a.admin, "Anden");

    // Answers are signed ahead (the upkeep runs every second, and looks back behind its
    // cursor for certificates committed out of order): once both answers are kept, the
    // first request without a nonce finds its answer kept, and nothing is signed on the
    // request path.
    let kept = || -> f64 {
        let (_, _, body) = server.get("/metrics");
        String::from_utf8_lossy(&body)
            .lines()
            .find_map(|l| l.strip_prefix("orgca_ocsp_answers_kept "))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0)
    };
    let start = Instant::now();
    while kept() < 2.0 {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "answers are signed ahead"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = ocsp(&env, &server, &["-no_nonce", "-cert", p(&leaf)]);
    assert!(out.contains(": good"), "{out}");
    let (_, _, body) = server.get("/metrics");
    let metrics = String::from_utf8_lossy(&body).to_string();
    assert!(
        metrics.contains("orgca_ocsp_answers_total{source=\"kept\"} 1"),
        "{metrics}"
    );
    assert!(!metrics.contains("signed_on_request"), "{metrics}");

    // good, with and without a nonce; the answer verifies against the root.
    let out = ocsp(&env, &server, &["-cert", p(&leaf)]);
    assert!(
        out.contains(": good") && out.contains("Response verify OK"),
        "{out}"
    );
    assert!(!out.contains("WARNING"), "the nonce is echoed: {out}");
    let resp = env.path("good.der");
    let out = ocsp(
        &env,
        &server,
        &["-no_nonce", "-cert", p(&leaf), "-respout", p(&resp)],
    );
    assert!(
        out.contains(": good") && out.contains("Response verify OK"),
        "{out}"
    );
    if testkit::pkilint_available("lint_ocsp_response") {
        let bad = testkit::pkilint_errors("lint_ocsp_response", &[], &resp);
        assert!(bad.is_empty(), "{bad:?}");
    }
    // The delegated responder's certificate: OCSP signing, no-check, and lint-clean.
    let text = ocsp(
        &env,
        &server,
        &["-no_nonce", "-cert", p(&leaf), "-resp_text"],
    );
    assert!(
        text.contains("OCSP Signing") && text.contains("OCSP No Check"),
        "{text}"
    );
    let responder_id = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Responder Id: "))
        .unwrap_or_default();
    assert!(
        responder_id.len() == 40 && responder_id.bytes().all(|b| b.is_ascii_hexdigit()),
        "byKey (a SHA-1 key hash), not byName: {text}"
    );

    // Several certificates in one request: up to 16 answered, 17 refused as malformed.
    let out = ocsp(&env, &server, &["-cert", p(&leaf), "-cert", p(&other)]);
    assert_eq!(out.matches(": good").count(), 2, "{out}");
    let serials: Vec<String> = (1..=17)
        .map(|i| format!("0x40000000000000000000000000000000000000{i:02x}"))
        .collect();
    let asking = |n: usize| -> String {
        let mut args = vec!["-no_nonce"];
        for s in &serials[..n] {
            args.extend(["-serial", s.as_str()]);
        }
        ocsp(&env, &server, &args)
    };
    let sixteen = asking(16);
    assert_eq!(sixteen.matches(": unknown").count(), 16, "{sixteen}");
    let seventeen = asking(17);
    assert!(
        seventeen.contains("malformedrequest") && !seventeen.contains(": unknown"),
        "{seventeen}"
    );

    // unknown: a serial this CA never issued.
    let out = ocsp(
        &env,
        &server,
        &[
            "-no_nonce",
            "-serial",
            "0x4000000000000000000000000000000000000001",
        ],
    );
    assert!(out.contains(": unknown"), "{out}");

    // Blocked: revoked within 5 seconds, with time and reason.
    let (status, v) = server.json(
        "POST",
        &format!("/api/v1/certificates/{id}/block"),
        Some(&a.admin),
        Some(r#"{"reason": "key_compromised"}"#),
    );
    assert_eq!(status, 200, "{v}");
    // The README's bound: a block through this server is revoked in OCSP within a
    // second of the API's answer (the kept answer is re-signed at once).
    let revoked_within = |leaf: &Path, bound: Duration| -> String {
        let start = Instant::now();
        loop {
            let out = ocsp(&env, &server, &["-no_nonce", "-cert", p(leaf)]);
            if out.contains(": revoked") {
                eprintln!("OCSP said revoked {:?} after the block", start.elapsed());
                return out;
            }
            assert!(
                start.elapsed() < bound,
                "still not revoked after {bound:?}: {out}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    let out = revoked_within(&leaf, Duration::from_secs(1));
    assert!(
        out.contains("Reason: keyCompromise") && out.contains("Revocation Time"),
        "{out}"
    );
    assert!(out.contains("Response verify OK"), "{out}");
    let out = ocsp(&env, &server, &["-cert", p(&leaf)]);
    assert!(out.contains(": revoked"), "with a nonce too: {out}");
    let out = ocsp(&env, &server, &["-no_nonce", "-cert", p(&other)]);
    assert!(out.contains(": good"), "{out}");
    // A block by another process (the operator's CLI on the same store) reaches this
    // server's OCSP within 3 seconds: it polls the status revision every second.
    let (_, serial, third) = issue(&env, &server, &a.admin, "Tredje");
    let kept = Instant::now();
    while !ocsp(&env, &server, &["-no_nonce", "-cert", p(&third)]).contains(": good") {
        assert!(
            kept.elapsed() < Duration::from_secs(10),
            "the third is answered"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    env.ok(&["cert", "block", "--serial", &serial, "--reason", "key_lost"]);
    let out = revoked_within(&third, Duration::from_secs(3));
    assert!(out.contains("Reason: cessationOfOperation"), "{out}");
}

#[test]
fn get_requests_unauthorized_issuers_and_garbage() {
    let env = Env::new(ORGCA);
    let a = org(&env, "99999969", "a.dk");
    let server = env.serve();
    let (_, _, leaf) = issue(&env, &server, &a.admin, "Hent");
    let issuer = env.ca_file("test-issuing-1");
    // GET: the request base64'd into the path (RFC 5019), answered like a POST.
    let req = env.path("req.der");
    let out = testkit::cmd(
        "openssl",
        &[
            "ocsp",
            "-issuer",
            p(&issuer),
            "-cert",
            p(&leaf),
            "-no_nonce",
            "-reqout",
            p(&req),
        ],
    );
    assert!(out.status.success());
    let b64 = {
        use base64ct::Encoding as _;
        base64ct::Base64::encode_string(&std::fs::read(&req).expect("req"))
    };
    let encoded: String = b64
        .chars()
        .map(|c| match c {
            '/' => "%2F".to_owned(),
            '+' => "%2B".to_owned(),
            '=' => "%3D".to_owned(),
            c => c.to_string(),
        })
        .collect();
    let (status, headers, body) = server.get(&format!("/ocsp/{encoded}"));
    assert_eq!(status, 200);
    assert!(
        headers
            .iter()
            .any(|(k, v)| k == "content-type" && v == "application/ocsp-response")
    );
    assert!(
        headers
            .iter()
            .any(|(k, v)| k == "cache-control" && v.contains("max-age")),
        "{headers:?}"
    );
    let resp = env.write("get.der", &body);
    let root = env.ca_file("test-root");
    let out = testkit::cmd(
        "openssl",
        &[
            "ocsp",
            "-respin",
            p(&resp),
            "-issuer",
            p(&issuer),
            "-cert",
            p(&leaf),
            "-CAfile",
            p(&root),
        ],
    );
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains(": good") && text.contains("Response verify OK"),
        "{text}"
    );

    // A CA orgca does not run: unauthorized.
    let (_, other_ca) = testkit::self_signed(&env, "other", "/CN=Other CA", &["-days", "2"]);
    let url = format!("http://{}/ocsp", server.addr);
    let out = testkit::cmd(
        "openssl",
        &[
            "ocsp",
            "-issuer",
            p(&other_ca),
            "-serial",
            "0x01",
            "-url",
            &url,
            "-no_nonce",
        ],
    );
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("unauthorized"), "{text}");

    // The malformed-request corpus, and the server goes on serving. What is no OCSP
    // request at all is answered malformedRequest exactly (or refused over HTTP for its
    // size); a valid request with one byte flipped may still be a request (of another
    // serial, say), so it is answered malformedRequest, unauthorized or a signed answer
    // that OpenSSL reads, never anything else.
    const MALFORMED: [u8; 5] = [0x30, 0x03, 0x0a, 0x01, 0x01];
    let valid = std::fs::read(&req).expect("req");
    let mut corpus: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"hello".to_vec(),
        vec![0x30],
        vec![0x30, 0x84, 0xff, 0xff, 0xff, 0xff],
        vec![0u8; 100_000],
        valid[..valid.len() / 2].to_vec(),
        valid[..valid.len() - 1].to_vec(),
    ];
    // Version v2 instead of v1.
    let mut v2 = valid.clone();
    v2.splice(4..4, [0xa0, 0x03, 0x02, 0x01, 0x01]);
    corpus.push(v2);
    for bad in &corpus {
        let (status, _, body) = server.request("POST", "/ocsp", None, Some(bad));
        assert!(
            (status == 200 && body == MALFORMED) || status == 400 || status == 413,
            "{status} {body:02x?} for {bad:02x?}"
        );
    }
    let mut signed_answers = 0;
    for i in (0..valid.len()).step_by(7) {
        let mut flipped = valid.clone();
        flipped[i] ^= 0xff;
        let (status, _, body) = server.request("POST", "/ocsp", None, Some(&flipped));
        assert_eq!(status, 200, "byte {i} flipped");
        // OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED, ... }: the status is the
        // value of the ENUMERATED right after the outer header.
        let header = if body.get(1).is_some_and(|l| l & 0x80 != 0) {
            2 + usize::from(body[1] & 0x7f)
        } else {
            2
        };
        match body.get(header..header + 3) {
            Some([0x0a, 0x01, 1 | 6]) => assert_eq!(body.len(), header + 3, "byte {i}"),
            Some([0x0a, 0x01, 0]) => {
                let answer = env.write("flipped.der", &body);
                let out = testkit::cmd(
                    "openssl",
                    &[
                        "ocsp",
                        "-respin",
                        answer.to_str().expect("path"),
                        "-resp_text",
                        "-noverify",
                    ],
                );
                assert!(
                    out.status.success(),
                    "byte {i}: OpenSSL cannot read the answer"
                );
                signed_answers += 1;
            }
            other => panic!("byte {i} flipped: answered {other:02x?} ({body:02x?})"),
        }
    }
    println!("{signed_answers} flipped requests were still requests, and answered as such");
    let (status, _, body) = server.request("POST", "/ocsp", None, Some(b"hello"));
    assert_eq!((status, body), (200, vec![0x30, 0x03, 0x0a, 0x01, 0x01]));
    for path in ["/ocsp/%%%", "/ocsp/aGVsbG8=", "/ocsp/"] {
        let (status, _, body) = server.get(path);
        assert!(status == 200 || status == 404, "{path}: {status}");
        if status == 200 {
            assert_eq!(body, vec![0x30, 0x03, 0x0a, 0x01, 0x01], "{path}");
        }
    }
    assert_eq!(server.get("/healthz").0, 200);
}
