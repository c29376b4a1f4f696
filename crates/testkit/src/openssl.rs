//! OpenSSL: keys and CSRs, and verifying what orgca issues and signs.

use std::path::{Path, PathBuf};

use crate::env::Env;
use crate::process::{cmd, cmd_ok};

/// The `openssl req` arguments for a P-256 key.
pub const P256: &[&str] = &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"];

/// Makes a key and a CSR with `openssl req`; `newkey` holds `-newkey` arguments such as
/// `rsa:3072` or [`P256`], and returns the CSR path.
pub fn openssl_csr(env: &Env, name: &str, newkey: &[&str]) -> PathBuf {
    let csr = env.path(&format!("{name}.csr"));
    let key = env.path(&format!("{name}.key"));
    let mut args = vec![
        "req",
        "-new",
        "-nodes",
        "-subj",
        "/CN=ignored by orgca/O=Evil Corp",
    ];
    args.extend_from_slice(newkey);
    let (k, c) = (key.to_str().expect("path"), csr.to_str().expect("path"));
    args.extend(["-keyout", k, "-out", c]);
    let out = cmd("openssl", &args);
    assert!(
        out.status.success(),
        "openssl req: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    csr
}

/// `openssl verify -x509_strict` of `leaf` up to `root` through `untrusted`: panics with
/// OpenSSL's words when the chain does not verify.
pub fn assert_chain_verifies(root: &Path, untrusted: &Path, leaf: &Path, what: &str) {
    let out = cmd(
        "openssl",
        &[
            "verify",
            "-x509_strict",
            "-CAfile",
            root.to_str().expect("p"),
            "-untrusted",
            untrusted.to_str().expect("p"),
            leaf.to_str().expect("p"),
        ],
    );
    assert!(
        out.status.success(),
        "{what}: openssl verify: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Whether `openssl cms -verify` accepts a detached CMS (DER) over `content` with `root`
/// as the trust anchor.
pub fn cms_verifies(cms: &Path, content: &Path, root: &Path) -> bool {
    let path = |p: &Path| p.to_str().expect("path").to_owned();
    let (cms, content, root) = (path(cms), path(content), path(root));
    let args = [
        "cms",
        "-verify",
        "-binary",
        "-inform",
        "DER",
        "-in",
        &cms,
        "-content",
        &content,
        "-CAfile",
        &root,
        "-out",
        "/dev/null",
    ];
    cmd("openssl", &args).status.success()
}

/// The certificate (PEM, no key) in the PKCS#12 file `p12` opened with `password`:
/// `openssl pkcs12 -nokeys -clcerts`, which must succeed.
pub fn pkcs12_certificate(p12: &Path, password: &str) -> Vec<u8> {
    cmd_ok(
        "openssl",
        &[
            "pkcs12",
            "-in",
            p12.to_str().expect("path"),
            "-passin",
            &format!("pass:{password}"),
            "-nokeys",
            "-clcerts",
        ],
    )
}

/// A self-signed certificate for a new P-256 key (`openssl req -x509`) with the subject
/// `subject` and further `openssl req` arguments (`-days`, `-addext`...): answers the
/// paths of the key (`name.key`) and the certificate (`name.pem`).
pub fn self_signed(env: &Env, name: &str, subject: &str, extra: &[&str]) -> (PathBuf, PathBuf) {
    let key = env.path(&format!("{name}.key"));
    let cert = env.path(&format!("{name}.pem"));
    let mut args = vec!["req", "-x509", "-nodes", "-subj", subject];
    args.extend_from_slice(P256);
    args.extend_from_slice(extra);
    args.extend([
        "-keyout",
        key.to_str().expect("path"),
        "-out",
        cert.to_str().expect("path"),
    ]);
    cmd_ok("openssl", &args);
    (key, cert)
}

/// The CRL the server serves as `/crl/{ca}.crl`, as `openssl crl -text` prints it once
/// its signature verifies with `issuer` (PEM).
pub fn served_crl_text(env: &Env, server: &crate::http::Server, ca: &str, issuer: &Path) -> String {
    let (status, _, der) = server.get(&format!("/crl/{ca}.crl"));
    assert_eq!(status, 200, "/crl/{ca}.crl");
    let crl = env.write(&format!("{ca}.crl"), der);
    let text = crate::process::cmd_ok(
        "openssl",
        &[
            "crl",
            "-inform",
            "DER",
            "-in",
            crl.to_str().expect("utf-8 path"),
            "-CAfile",
            issuer.to_str().expect("utf-8 path"),
            "-text",
            "-noout",
        ],
    );
    String::from_utf8_lossy(&text).into_owned()
}

/// A test CA for TLS servers in `dir`: a self-signed P-256 certificate with `subject`,
/// valid two days. Answers the paths of its key (`name.key`) and certificate
/// (`name.pem`).
pub fn tls_ca(dir: &Path, name: &str, subject: &str) -> (PathBuf, PathBuf) {
    let (key, cert) = (
        dir.join(format!("{name}.key")),
        dir.join(format!("{name}.pem")),
    );
    let mut args = vec!["req", "-x509", "-nodes", "-days", "2", "-subj", subject];
    args.extend_from_slice(P256);
    args.extend(["-keyout", path(&key), "-out", path(&cert)]);
    cmd_ok("openssl", &args);
    (key, cert)
}

/// A TLS server certificate for 127.0.0.1 issued by the CA `(ca_key, ca_cert)` with
/// `serial`, for a new P-256 key, in `dir`: answers the paths of its key (`name.key`)
/// and certificate (`name.pem`).
pub fn tls_server(dir: &Path, name: &str, ca: (&Path, &Path), serial: u32) -> (PathBuf, PathBuf) {
    let (key, cert) = (
        dir.join(format!("{name}.key")),
        dir.join(format!("{name}.pem")),
    );
    let (csr, ext) = (
        dir.join(format!("{name}.csr")),
        dir.join(format!("{name}.ext")),
    );
    let mut args = vec!["req", "-new", "-nodes", "-subj", "/CN=127.0.0.1"];
    args.extend_from_slice(P256);
    args.extend(["-keyout", path(&key), "-out", path(&csr)]);
    cmd_ok("openssl", &args);
    std::fs::write(
        &ext,
        "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
    )
    .expect("write ext");
    let serial = serial.to_string();
    cmd_ok(
        "openssl",
        &[
            "x509",
            "-req",
            "-in",
            path(&csr),
            "-CA",
            path(ca.1),
            "-CAkey",
            path(ca.0),
            "-set_serial",
            &serial,
            "-days",
            "2",
            "-out",
            path(&cert),
            "-extfile",
            path(&ext),
        ],
    );
    (key, cert)
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}
