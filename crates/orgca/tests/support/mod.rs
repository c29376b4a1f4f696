//! Test support: the real `orgca` binary on a temporary data folder, OpenSSL for CSRs and
//! verification, pkilint for linting, a tiny HTTP client for the server.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;

/// Base URL written into test certificates: public-looking, as pkilint expects.
pub const BASE_URL: &str = "http://pki.orgca-test.dk";

/// The orgca binary built for these tests.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_orgca")
}

/// An initialised data folder of its own for one test.
pub struct Env {
    pub dir: tempfile::TempDir,
}

/// One initialised data folder per test binary: key generation (2x RSA-4096, 4x RSA-3072)
/// takes seconds, so each test gets a copy of it.
fn template() -> &'static Path {
    static T: OnceLock<tempfile::TempDir> = OnceLock::new();
    let dir = T.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = Command::new(bin())
            .args(["init", "--public-base-url", BASE_URL, "--data"])
            .arg(dir.path().join("data"))
            .env_remove("ORGCA_DATABASE_URL")
            .env_remove("ORGCA_KEY_PASSPHRASE")
            .output()
            .expect("run orgca init");
        assert!(
            out.status.success(),
            "init failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        dir
    });
    dir.path()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let dest = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), &dest).expect("copy");
        }
    }
}

impl Env {
    /// A copy of the initialised template.
    pub fn new() -> Env {
        let dir = tempfile::tempdir().expect("tempdir");
        copy_dir(&template().join("data"), &dir.path().join("data"));
        Env { dir }
    }

    /// An empty folder (for `init` itself).
    pub fn empty() -> Env {
        Env {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs orgca with `--data` on this folder; a command that hangs fails the test.
    pub fn run(&self, args: &[&str]) -> Output {
        let mut c = Command::new(bin());
        c.args(args).arg("--data").arg(self.data());
        c.env_remove("ORGCA_DATABASE_URL")
            .env_remove("ORGCA_KEY_PASSPHRASE");
        output_within(c, COMMAND_TIMEOUT)
    }

    /// Runs orgca and expects success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "orgca {args:?} failed ({:?}): {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 output")
    }

    /// Runs orgca and parses its JSON output.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut a = args.to_vec();
        a.push("--json");
        serde_json::from_str(&self.ok(&a)).expect("JSON output")
    }

    /// Issues a system certificate for the organisation `cvr` from `csr`; returns the JSON.
    pub fn issue_system(&self, cvr: &str, name: &str, csr: &Path) -> serde_json::Value {
        let csr = csr.to_str().expect("utf-8 path");
        // `--name=`: a name may start with '-'.
        self.json(&[
            "cert",
            "issue",
            "--org",
            cvr,
            "--kind",
            "system",
            &format!("--name={name}"),
            "--csr",
            csr,
        ])
    }

    /// Writes a CA certificate to a file and returns its path.
    pub fn ca_file(&self, name: &str) -> PathBuf {
        let p = self.path(&format!("{name}.pem"));
        std::fs::write(&p, self.ok(&["ca", "cert", name])).expect("write");
        p
    }

    /// Writes text to a file in the folder.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, contents).expect("write");
        p
    }

    /// Number of audit events, with the chain verified.
    pub fn audit_events(&self) -> i64 {
        let v = self.json(&["audit", "verify"]);
        assert_eq!(v["ok"], true, "{v}");
        v["events"].as_i64().expect("events")
    }

    /// Waits (up to 15 s) for a message in the outbox folder containing `needle`.
    pub fn wait_for_mail(&self, needle: &str) -> String {
        let outbox = self.data().join("outbox");
        for _ in 0..150 {
            if let Ok(dir) = std::fs::read_dir(&outbox) {
                for e in dir.flatten() {
                    let name = e.file_name().to_string_lossy().into_owned();
                    if name.ends_with(".eml") && !name.starts_with('.') {
                        let text = std::fs::read_to_string(e.path()).unwrap_or_default();
                        if text.contains(needle) {
                            return text;
                        }
                    }
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("no mail containing {needle:?} in {}", outbox.display());
    }

    /// Starts `orgca serve` on an ephemeral port; returns it and the address.
    pub fn serve(&self) -> Server {
        self.serve_with(&[])
    }

    /// Starts `orgca serve` with these extra environment variables (a fake clock).
    pub fn serve_with(&self, vars: &[(&str, &str)]) -> Server {
        let mut child = Command::new(bin())
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(self.data())
            .env_remove("ORGCA_DATABASE_URL")
            .env_remove("ORGCA_KEY_PASSPHRASE")
            .env_remove("ORGCA_FAKE_CLOCK")
            .envs(vars.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read address");
        let addr = line
            .trim()
            .rsplit("http://")
            .next()
            .expect("address")
            .to_owned();
        assert!(
            addr.starts_with("127.0.0.1:"),
            "unexpected first line {line:?}"
        );
        Server { child, addr }
    }
}

/// An organisation made through the CLI, with an organisation administrator and a
/// user, each with an API token.
pub struct Org {
    pub admin: String,
    pub user: String,
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

/// The `openssl req` arguments for a P-256 key.
pub const P256: &[&str] = &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"];

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

/// A running `orgca serve`, stopped (SIGTERM, then wait) when dropped.
pub struct Server {
    child: Child,
    pub addr: String,
}

impl Server {
    /// Stops the server gracefully and returns its exit status.
    pub fn stop(mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let status = self.child.wait().expect("wait");
        std::mem::forget(self);
        status
    }

    /// GET over HTTP/1.1; returns status, headers (lower-case names) and body.
    pub fn get(&self, path: &str) -> (u16, Vec<(String, String)>, Vec<u8>) {
        self.request("GET", path, None, None)
    }

    /// Any request over HTTP/1.1, with an optional bearer token and JSON body.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&[u8]>,
    ) -> (u16, Vec<(String, String)>, Vec<u8>) {
        self.request_with(method, path, &[], token, body)
    }

    /// [`Server::request`] with extra headers.
    pub fn request_with(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        token: Option<&str>,
        body: Option<&[u8]>,
    ) -> (u16, Vec<(String, String)>, Vec<u8>) {
        let mut s = TcpStream::connect(&self.addr).expect("connect");
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.addr
        );
        if let Some(t) = token {
            head.push_str(&format!("Authorization: Bearer {t}\r\n"));
        }
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        let body = body.unwrap_or_default();
        if !body.is_empty() || method != "GET" {
            if !headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            {
                head.push_str("Content-Type: application/json\r\n");
            }
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        s.write_all(head.as_bytes()).expect("send head");
        // The server may answer (413) before reading a large body: ignore a broken pipe.
        let _ = s.write_all(body);
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw);
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("header end");
        let head = String::from_utf8_lossy(&raw[..split]).to_string();
        let mut lines = head.lines();
        let status: u16 = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|c| c.parse().ok())
            .expect("status");
        let headers = lines
            .filter_map(|l| {
                l.split_once(':')
                    .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            })
            .collect::<Vec<_>>();
        let mut body = raw[split + 4..].to_vec();
        if headers
            .iter()
            .any(|(k, v)| k == "transfer-encoding" && v == "chunked")
        {
            body = dechunk(&body);
        }
        (status, headers, body)
    }

    /// Follows the e-mail validation link in `mail` (a POST, as the mail says); answers
    /// the confirmation.
    pub fn confirm_link_in(&self, mail: &str) -> serde_json::Value {
        let token = mail
            .split("/api/v1/email-validations/")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .expect("a validation link in the mail");
        let path = format!("/api/v1/email-validations/{token}");
        let (status, v) = self.json("POST", &path, None, None);
        assert_eq!(status, 200, "{v}");
        v
    }

    /// A request whose answer is JSON: status and the parsed body.
    pub fn json(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> (u16, serde_json::Value) {
        let (status, _, b) = self.request(method, path, token, body.map(str::as_bytes));
        (
            status,
            serde_json::from_slice(&b).unwrap_or(serde_json::Value::Null),
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(nl) = b.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let len = usize::from_str_radix(std::str::from_utf8(&b[..nl]).unwrap_or("0").trim(), 16)
            .unwrap_or(0);
        if len == 0 {
            return out;
        }
        out.extend_from_slice(&b[nl + 2..nl + 2 + len]);
        b = &b[nl + 2 + len + 2..];
    }
}

/// The longest any one command may take before a test calls it hung.
pub const COMMAND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// Runs `c` to completion and returns its output; kills it and panics after `limit`.
pub fn output_within(mut c: Command, limit: std::time::Duration) -> Output {
    let child = c
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(out) => out.expect("wait"),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("{c:?} did not finish within {limit:?}");
        }
    }
}

/// Runs a command and returns its output (panics if it cannot start).
pub fn cmd(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"))
}

/// Makes a key and a CSR with `openssl req`; `key` is an `-newkey` argument such as
/// `rsa:3072` or `ec` (P-256), and returns the CSR path.
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

/// Whether a pkilint command is on PATH. When ORGCA_REQUIRE_PKILINT is set (CI), a
/// missing pkilint fails the test instead of skipping the lint.
pub fn pkilint_available(tool: &str) -> bool {
    tool_available(tool, "--help", "ORGCA_REQUIRE_PKILINT")
}

/// Whether `tool` runs (`tool probe` succeeds). When the environment variable `require`
/// is set (CI), a missing tool fails the test instead of skipping the step.
pub fn tool_available(tool: &str, probe: &str, require: &str) -> bool {
    let found = Command::new(tool)
        .arg(probe)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        assert!(
            std::env::var_os(require).is_none(),
            "{tool} is required ({require}) but not found"
        );
        eprintln!("note: {tool} not found; its checks are skipped here (CI installs it)");
    }
    found
}

/// Runs a pkilint tool and returns findings of severity ERROR or FATAL (empty = clean).
pub fn pkilint_errors(tool: &str, args: &[&str], file: &Path) -> Vec<String> {
    let mut a: Vec<&str> = vec!["lint"];
    a.extend_from_slice(args);
    a.push(file.to_str().expect("path"));
    let out = cmd(tool, &a);
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    text.lines()
        .filter(|l| l.contains("(ERROR)") || l.contains("(FATAL)"))
        .map(str::to_owned)
        .collect()
}

/// A small SMTP server on 127.0.0.1 that accepts every message and keeps it: a real SMTP
/// conversation (EHLO, MAIL, RCPT, DATA, QUIT) without any delivery.
pub struct SmtpSink {
    pub port: u16,
    pub messages: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    /// While false, every connection is turned away with `421` (a server that is down
    /// for maintenance), and counted in `refused`.
    accepting: std::sync::Arc<std::sync::atomic::AtomicBool>,
    pub refused: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        let sink = SmtpSink::start_refusing();
        sink.accept();
        sink
    }

    /// A sink that turns every connection away until [`SmtpSink::accept`].
    pub fn start_refusing() -> SmtpSink {
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let messages = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let accepting = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let refused = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (store, open, turned_away) = (messages.clone(), accepting.clone(), refused.clone());
        std::thread::spawn(move || {
            for mut conn in listener.incoming().flatten() {
                if !open.load(Ordering::SeqCst) {
                    let _ = conn.write_all(b"421 sink down for maintenance\r\n");
                    turned_away.fetch_add(1, Ordering::SeqCst);
                    continue;
                }
                let store = store.clone();
                std::thread::spawn(move || serve_smtp(conn, &store));
            }
        });
        SmtpSink {
            port,
            messages,
            accepting,
            refused,
        }
    }

    /// From now on, take mail.
    pub fn accept(&self) {
        self.accepting
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Points the data folder's configuration at this sink.
    pub fn configure(&self, env: &Env) {
        let config = env.data().join("config.toml");
        let text = std::fs::read_to_string(&config).expect("config");
        let with_smtp = format!("mail_smtp_url = \"smtp://127.0.0.1:{}\"\n{text}", self.port);
        std::fs::write(&config, with_smtp).expect("write config");
    }

    /// Waits (up to 15 s) for a message containing `needle`.
    pub fn wait_for(&self, needle: &str) -> String {
        for _ in 0..150 {
            if let Some(m) = self
                .messages
                .lock()
                .expect("lock")
                .iter()
                .find(|m| m.contains(needle))
            {
                return m.clone();
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("no message containing {needle:?} reached the SMTP sink");
    }
}

fn serve_smtp(conn: TcpStream, store: &std::sync::Mutex<Vec<String>>) {
    let mut out = conn.try_clone().expect("clone");
    let mut lines = BufReader::new(conn);
    let mut say = |s: &str| {
        let _ = out.write_all(s.as_bytes());
    };
    say("220 sink ESMTP\r\n");
    let mut envelope = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let cmd = line.trim_end().to_ascii_uppercase();
        if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
            say("250-sink\r\n250 8BITMIME\r\n");
        } else if cmd.starts_with("MAIL FROM") || cmd.starts_with("RCPT TO") {
            envelope.push_str(line.trim_end());
            envelope.push('\n');
            say("250 OK\r\n");
        } else if cmd == "DATA" {
            say("354 go on\r\n");
            let mut data = envelope.clone();
            loop {
                line.clear();
                if lines.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                if line == ".\r\n" {
                    break;
                }
                data.push_str(&line);
            }
            store.lock().expect("lock").push(data);
            envelope.clear();
            say("250 queued\r\n");
        } else if cmd == "QUIT" {
            say("221 bye\r\n");
            return;
        } else {
            say("250 OK\r\n");
        }
    }
}

/// Percent-encodes a form or query value (RFC 3986 unreserved characters stay).
pub fn urlencode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Runs a command that must succeed (its stderr in the failure); answers its stdout.
pub fn cmd_ok(program: &str, args: &[&str]) -> Vec<u8> {
    let out = cmd(program, args);
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A sample PDF of about `size` bytes, written by `scripts/sample_pdf.py`.
pub fn sample_pdf(env: &Env, name: &str, size: usize) -> PathBuf {
    let path = env.path(name);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/sample_pdf.py");
    let out = cmd(
        "python3",
        &[script, path.to_str().expect("path"), &size.to_string()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    path
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
