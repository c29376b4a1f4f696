//! HTTPS served by orgca itself: curl and `openssl s_client` verify the certificate; the
//! plain listener keeps serving relying parties and sends everything else to HTTPS; a new
//! certificate is taken on SIGHUP without a restart, and a broken one is refused while
//! the one in use stays.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::ORGCA;
use orgca_testkit::openssl::{tls_ca, tls_server};
use orgca_testkit::{Env, cmd, free_port};

fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// The serial of the certificate the HTTPS listener at `port` presents, once
/// `openssl s_client` verified it up to `ca`; `None` if it does not verify.
fn presented_serial(port: u16, ca: &Path) -> Option<String> {
    let out = cmd(
        "sh",
        &[
            "-c",
            &format!(
                "openssl s_client -connect 127.0.0.1:{port} -CAfile '{}' -verify_return_error \
                 -verify_ip 127.0.0.1 </dev/null 2>/dev/null | openssl x509 -noout -serial",
                p(ca)
            ),
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    text.trim()
        .strip_prefix("serial=")
        .map(str::to_owned)
        .filter(|_| out.status.success())
}

#[test]
fn serve_terminates_tls_and_takes_a_new_certificate_on_sighup() {
    let env = Env::new(ORGCA);
    let dir = env.path("");
    let (ca_key, ca) = tls_ca(&dir, "https-ca", "/CN=orgca test HTTPS CA");
    let (key, cert) = tls_server(&dir, "https", (&ca_key, &ca), 1);
    let port = free_port();
    let config = env.data().join("config.toml");
    let text = std::fs::read_to_string(&config).expect("config");
    std::fs::write(
        &config,
        format!(
            "portal_base_url = \"https://127.0.0.1:{port}\"\n{text}\n[tls]\nlisten = \"127.0.0.1:{port}\"\n\
             certificate = \"{}\"\nkey = \"{}\"\n",
            p(&cert),
            p(&key)
        ),
    )
    .expect("write config");
    let server = env.serve();

    // curl over HTTPS, the certificate checked against the CA.
    let url = format!("https://127.0.0.1:{port}/healthz");
    let out = cmd("curl", &["-sS", "--fail", "--cacert", p(&ca), &url]);
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        env.server_log()
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"ok\""));
    // Without the CA, curl refuses the certificate: the TLS is real.
    assert!(!cmd("curl", &["-sS", "--fail", &url]).status.success());
    assert_eq!(presented_serial(port, &ca).as_deref(), Some("01"));
    let s_client = cmd(
        "sh",
        &[
            "-c",
            &format!(
                "openssl s_client -connect 127.0.0.1:{port} -CAfile '{}' -brief </dev/null 2>&1",
                p(&ca)
            ),
        ],
    );
    let said = String::from_utf8_lossy(&s_client.stdout);
    assert!(said.contains("Protocol version: TLSv1.3"), "{said}");

    // Plain HTTP: relying parties' paths, a redirect for pages, nothing else.
    let (status, _, _) = server.get("/crl/test-issuing-1.crl");
    assert_eq!(status, 200);
    let (status, headers, _) = server.get("/portal/login");
    assert_eq!(status, 308);
    let location = headers
        .iter()
        .find(|(n, _)| n == "location")
        .map(|(_, v)| v.clone());
    assert_eq!(
        location.as_deref(),
        Some(format!("https://127.0.0.1:{port}/portal/login").as_str())
    );
    let (status, problem) = server.json("POST", "/api/v1/pickup", None, Some("{}"));
    assert_eq!(status, 400, "{problem}");
    assert_eq!(problem["code"], "https_required", "{problem}");
    // Over HTTPS the API answers as usual (here: the pick-up's own refusal).
    let out = cmd(
        "curl",
        &[
            "-sS",
            "--cacert",
            p(&ca),
            "-H",
            "content-type: application/json",
            "-d",
            "{}",
            &format!("https://127.0.0.1:{port}/api/v1/pickup"),
        ],
    );
    let answer: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("a problem document");
    assert_ne!(answer["code"], "https_required", "{answer}");

    // A renewed certificate is taken on SIGHUP.
    let (new_key, new_cert) = tls_server(&dir, "https-next", (&ca_key, &ca), 2);
    std::fs::copy(&new_cert, &cert).expect("copy cert");
    std::fs::copy(&new_key, &key).expect("copy key");
    server.signal("HUP");
    let start = Instant::now();
    while presented_serial(port, &ca).as_deref() != Some("02") {
        assert!(start.elapsed() < Duration::from_secs(10), "not reloaded");
        std::thread::sleep(Duration::from_millis(100));
    }
    // A key that is not the certificate's is refused; the pair in use stays.
    let (other_key, _) = tls_server(&dir, "https-other", (&ca_key, &ca), 3);
    std::fs::copy(&other_key, &key).expect("copy key");
    server.signal("HUP");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(presented_serial(port, &ca).as_deref(), Some("02"));
    assert!(
        env.server_log().contains("does not load"),
        "the refusal is logged"
    );
    let status = server.stop();
    assert!(status.success(), "a clean shutdown: {status:?}");
}
