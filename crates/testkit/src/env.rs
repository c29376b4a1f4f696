//! [`Env`]: the `orgca` binary on a data folder of one test's own.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use crate::http::Server;
use crate::process::{COMMAND_TIMEOUT, output_within};

/// Base URL written into test certificates: public-looking, as pkilint expects.
pub const BASE_URL: &str = "http://pki.orgca-test.dk";

/// An initialised data folder of its own for one test, and the orgca binary that runs on
/// it.
pub struct Env {
    /// The folder; the data folder is `data` in it, the test's files beside it.
    pub dir: tempfile::TempDir,
    bin: PathBuf,
}

/// One initialised data folder per test process: key generation (2x RSA-4096,
/// 4x RSA-3072) takes seconds, so each test gets a copy of it. Made by the first binary
/// asked for; asking for another one in the same process is a mistake.
fn template(bin: &Path) -> &'static Path {
    static T: OnceLock<(PathBuf, tempfile::TempDir)> = OnceLock::new();
    let (made_by, dir) = T.get_or_init(|| {
        let env = Env::empty(bin);
        env.init();
        (bin.to_owned(), env.dir)
    });
    assert_eq!(made_by, bin, "one orgca binary per test process");
    dir.path()
}

/// Copies a folder with the permissions of every file and folder in it (the server's
/// own checks of its data folder must see what `init` made).
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    let mode = std::fs::metadata(from).expect("stat").permissions();
    std::fs::set_permissions(to, mode).expect("chmod");
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
    /// A copy of the data folder that `bin` (the orgca binary, e.g.
    /// `env!("CARGO_BIN_EXE_orgca")`) initialised once for this process.
    pub fn new(bin: impl AsRef<Path>) -> Env {
        let bin = bin.as_ref();
        let dir = tempfile::tempdir().expect("tempdir");
        copy_dir(&template(bin).join("data"), &dir.path().join("data"));
        Env {
            dir,
            bin: bin.to_owned(),
        }
    }

    /// An empty folder (for `init` itself) for the orgca binary `bin`.
    pub fn empty(bin: impl AsRef<Path>) -> Env {
        Env {
            dir: tempfile::tempdir().expect("tempdir"),
            bin: bin.as_ref().to_owned(),
        }
    }

    /// Runs `orgca init` (SQLite, the test base URL, a generated passphrase) on this
    /// environment's data folder; a failure fails the test with init's error.
    pub fn init(&self) {
        let out = Command::new(&self.bin)
            .args(["init", "--public-base-url", BASE_URL, "--data"])
            .arg(self.data())
            .env_remove("ORGCA_DATABASE_URL")
            .env_remove("ORGCA_KEY_PASSPHRASE")
            .output()
            .expect("run orgca init");
        assert!(
            out.status.success(),
            "init failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The orgca binary.
    pub fn bin(&self) -> &Path {
        &self.bin
    }

    /// The data folder.
    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// A file of the test's beside the data folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs orgca with `--data` on this folder; a command that hangs fails the test.
    pub fn run(&self, args: &[&str]) -> Output {
        let mut c = Command::new(&self.bin);
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

    /// What every server of this environment logged (its standard error), so far.
    pub fn server_log(&self) -> String {
        std::fs::read_to_string(self.path("serve.log")).unwrap_or_default()
    }

    fn server_log_file(&self) -> std::fs::File {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.path("serve.log"))
            .expect("open serve.log")
    }

    /// Starts `orgca serve` on an ephemeral port; returns it and the address.
    pub fn serve(&self) -> Server {
        self.serve_with(&[])
    }

    /// Starts `orgca serve` with these extra environment variables (a fake clock).
    pub fn serve_with(&self, vars: &[(&str, &str)]) -> Server {
        let mut child = Command::new(&self.bin)
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(self.data())
            .env_remove("ORGCA_DATABASE_URL")
            .env_remove("ORGCA_KEY_PASSPHRASE")
            .env_remove("ORGCA_FAKE_CLOCK")
            .envs(vars.iter().copied())
            .stdout(Stdio::piped())
            .stderr(self.server_log_file())
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
        Server::new(child, addr)
    }
}
