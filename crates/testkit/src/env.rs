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
/// it. With `ORGCA_E2E_BACKEND=postgres` (and `ORGCA_TEST_POSTGRES_URL`), its store is a
/// PostgreSQL database of its own, copied from an initialised template database and
/// dropped with it; otherwise the data folder's SQLite file.
pub struct Env {
    /// The folder; the data folder is `data` in it, the test's files beside it.
    pub dir: tempfile::TempDir,
    bin: PathBuf,
    /// The PostgreSQL database this environment's orgca uses, when not SQLite.
    postgres: Option<PgStore>,
}

/// A PostgreSQL database of a test's: its URL, and the server URL to drop it through.
struct PgDatabase {
    url: String,
    server: String,
    name: String,
}

/// Whose PostgreSQL database an environment uses.
enum PgStore {
    /// One of this kit's, dropped with the environment.
    Copied(PgDatabase),
    /// One the test started and owns itself ([`Env::empty_on`]): its URL.
    External(String),
}

impl PgStore {
    fn url(&self) -> &str {
        match self {
            PgStore::Copied(db) => &db.url,
            PgStore::External(url) => url,
        }
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        if let Some(PgStore::Copied(db)) = &self.postgres {
            let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", db.name);
            let _ = psql(&db.server, &sql);
        }
    }
}

/// The PostgreSQL server the end-to-end tests run against instead of SQLite, if asked to.
fn e2e_postgres() -> Option<String> {
    if std::env::var("ORGCA_E2E_BACKEND").ok()?.as_str() != "postgres" {
        return None;
    }
    Some(std::env::var("ORGCA_TEST_POSTGRES_URL").expect(
        "ORGCA_E2E_BACKEND=postgres needs ORGCA_TEST_POSTGRES_URL (a server and a database to connect to)",
    ))
}

/// Runs one statement with `psql` on the server at `server` (a URL with a database);
/// answers the rows, one per line, fields separated by tabs.
fn psql(server: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .args([
            server,
            "-v",
            "ON_ERROR_STOP=1",
            "-At",
            "-F",
            "\t",
            "-c",
            sql,
        ])
        .output()
        .expect("run psql");
    assert!(
        out.status.success(),
        "psql {sql:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The URL of database `name` on the server of `server`.
fn database_on(server: &str, name: &str) -> String {
    let (head, _) = server
        .rsplit_once('/')
        .expect("a PostgreSQL URL with a database");
    format!("{head}/{name}")
}

/// One initialised data folder per test process: key generation (2x RSA-4096,
/// 4x RSA-3072) takes seconds, so each test gets a copy of it. Made by the first binary
/// asked for; asking for another one in the same process is a mistake.
fn template(bin: &Path) -> &'static Env {
    static T: OnceLock<(PathBuf, Env)> = OnceLock::new();
    let (made_by, env) = T.get_or_init(|| {
        let mut env = Env::empty(bin);
        if let Some(server) = e2e_postgres() {
            // Templates of test processes that are gone are dropped first.
            let stale = psql(
                &server,
                "SELECT datname FROM pg_database WHERE datname LIKE 'orgca_tpl_%'",
            );
            for name in stale.lines() {
                let pid = name.trim_start_matches("orgca_tpl_");
                if !Path::new(&format!("/proc/{pid}")).exists() {
                    psql(
                        &server,
                        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                    );
                }
            }
            let name = format!("orgca_tpl_{}", std::process::id());
            psql(
                &server,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            );
            psql(&server, &format!("CREATE DATABASE {name}"));
            // The template is never dropped by this process (a static is not dropped);
            // the next process drops it, as above.
            env.postgres = Some(PgStore::Copied(PgDatabase {
                url: database_on(&server, &name),
                server: server.clone(),
                name,
            }));
        }
        env.init();
        if let Some(PgStore::Copied(db)) = &env.postgres {
            // The copies must never reach the template's database, even from a command
            // that bypasses `with_store`: init recorded its URL, which is taken out.
            let config = env.data().join("config.toml");
            let text = std::fs::read_to_string(&config).expect("config");
            let kept: String = text
                .lines()
                .filter(|l| !l.starts_with("database_url"))
                .map(|l| format!("{l}\n"))
                .collect();
            std::fs::write(&config, kept).expect("write config");
            // A database is a template only once no session uses it: init's connections
            // may take a moment to end after it exits.
            let sessions = format!(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = '{}'",
                db.name
            );
            let start = std::time::Instant::now();
            while psql(&db.server, &sessions).trim() != "0" {
                assert!(
                    start.elapsed() < std::time::Duration::from_secs(20),
                    "sessions on the template {} do not end",
                    db.name
                );
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        }
        (bin.to_owned(), env)
    });
    assert_eq!(made_by, bin, "one orgca binary per test process");
    env
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
        let template = template(bin);
        let dir = tempfile::tempdir().expect("tempdir");
        copy_dir(&template.data(), &dir.path().join("data"));
        let postgres = template.postgres.as_ref().map(|t| {
            let PgStore::Copied(t) = t else {
                unreachable!("the template's database is the kit's own")
            };
            let name = format!("orgca_e2e_{}", uuid::Uuid::new_v4().simple());
            psql(
                &t.server,
                &format!("CREATE DATABASE {name} TEMPLATE {}", t.name),
            );
            PgStore::Copied(PgDatabase {
                url: database_on(&t.server, &name),
                server: t.server.clone(),
                name,
            })
        });
        Env {
            dir,
            bin: bin.to_owned(),
            postgres,
        }
    }

    /// Whether this environment's store is PostgreSQL (else the data folder's SQLite).
    pub fn on_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    /// Runs one SQL statement on this environment's store, behind orgca's back (to
    /// tamper with it, or to read what no command shows); answers the rows, one per line,
    /// fields separated by tabs.
    pub fn sql(&self, statement: &str) -> String {
        match &self.postgres {
            Some(db) => psql(db.url(), statement),
            None => {
                let script = "import sqlite3,sys\n\
                    c=sqlite3.connect(sys.argv[1])\n\
                    rows=c.execute(sys.argv[2]).fetchall()\n\
                    c.commit()\n\
                    print('\\n'.join('\\t'.join(str(v) for v in r) for r in rows))";
                let db = self.data().join("orgca.db");
                let out = Command::new("python3")
                    .args(["-c", script, db.to_str().expect("path"), statement])
                    .output()
                    .expect("run python3");
                assert!(
                    out.status.success(),
                    "sqlite3 {statement:?}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                String::from_utf8_lossy(&out.stdout).into_owned()
            }
        }
    }

    /// The SQLite files (the database, its WAL and shared memory) that hold `needle`
    /// anywhere in their bytes, for checks that a secret never reached them. On
    /// PostgreSQL there are no such files: none, and the check recorded as skipped.
    pub fn sqlite_files_holding(&self, needle: &[u8]) -> Vec<String> {
        if self.on_postgres() {
            crate::tools::skipped("a check of the SQLite file itself (the store is PostgreSQL)");
            return Vec::new();
        }
        ["orgca.db", "orgca.db-wal", "orgca.db-shm"]
            .into_iter()
            .filter(|name| {
                std::fs::read(self.data().join(name))
                    .is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle))
            })
            .map(str::to_owned)
            .collect()
    }

    /// An empty folder (for `init` itself) for the orgca binary `bin`.
    pub fn empty(bin: impl AsRef<Path>) -> Env {
        Env {
            dir: tempfile::tempdir().expect("tempdir"),
            bin: bin.as_ref().to_owned(),
            postgres: None,
        }
    }

    /// An empty folder whose store is a new, empty database on this environment's
    /// backend: a PostgreSQL database of the kit's (dropped with it) on the same server,
    /// else the new folder's SQLite file. For restores.
    pub fn empty_beside(&self) -> Env {
        match &self.postgres {
            None => Env::empty(&self.bin),
            Some(PgStore::Copied(db)) => Env::empty_on_new_postgres(&self.bin, &db.server),
            Some(PgStore::External(url)) => Env::empty_on_new_postgres(&self.bin, url),
        }
    }

    /// An empty folder whose store is a new, empty database of the kit's (dropped with
    /// it) on the PostgreSQL server of `server` (a URL with any database).
    pub fn empty_on_new_postgres(bin: impl AsRef<Path>, server: &str) -> Env {
        let name = format!("orgca_e2e_{}", uuid::Uuid::new_v4().simple());
        psql(server, &format!("CREATE DATABASE {name}"));
        let mut env = Env::empty(bin);
        env.postgres = Some(PgStore::Copied(PgDatabase {
            url: database_on(server, &name),
            server: server.to_owned(),
            name,
        }));
        env
    }

    /// The URL of this environment's PostgreSQL database, if it has one.
    pub fn postgres_url(&self) -> Option<&str> {
        self.postgres.as_ref().map(PgStore::url)
    }

    /// An empty folder whose store will be the PostgreSQL database at `url`, one the test
    /// started and owns itself (it is not dropped with the environment): every command
    /// run here, and [`Env::sql`], reach it.
    pub fn empty_on(bin: impl AsRef<Path>, url: &str) -> Env {
        let mut env = Env::empty(bin);
        env.postgres = Some(PgStore::External(url.to_owned()));
        env
    }

    /// Points a command at this environment's store: its PostgreSQL database, or (no
    /// URL) the data folder's SQLite file.
    fn with_store(&self, c: &mut Command) {
        match &self.postgres {
            Some(db) => c.env("ORGCA_DATABASE_URL", db.url()),
            None => c.env_remove("ORGCA_DATABASE_URL"),
        };
    }

    /// Runs `orgca init` (SQLite, the test base URL, a generated passphrase) on this
    /// environment's data folder; a failure fails the test with init's error.
    pub fn init(&self) {
        let mut c = Command::new(&self.bin);
        c.args(["init", "--public-base-url", BASE_URL, "--data"])
            .arg(self.data())
            .env_remove("ORGCA_KEY_PASSPHRASE");
        self.with_store(&mut c);
        let out = c.output().expect("run orgca init");
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
        self.run_with(&[], args)
    }

    /// Runs orgca as [`Env::run`] does, with the environment variables `vars` set.
    pub fn run_with(&self, vars: &[(&str, &str)], args: &[&str]) -> Output {
        let mut c = Command::new(&self.bin);
        c.args(args).arg("--data").arg(self.data());
        c.env_remove("ORGCA_KEY_PASSPHRASE");
        c.envs(vars.iter().copied());
        self.with_store(&mut c);
        output_within(c, COMMAND_TIMEOUT)
    }

    /// Runs orgca as [`Env::run`] does, with the files it may write limited to
    /// `bytes` (rounded up to KiB; `ulimit -f`): a write past it fails part way, as on
    /// a full disk.
    pub fn run_with_file_limit(&self, bytes: u64, args: &[&str]) -> Output {
        let mut c = Command::new("bash");
        c.args([
            "-c",
            &format!("ulimit -f {} && exec \"$0\" \"$@\"", bytes.div_ceil(1024)),
        ])
        .arg(&self.bin)
        .args(args)
        .arg("--data")
        .arg(self.data());
        c.env_remove("ORGCA_KEY_PASSPHRASE");
        self.with_store(&mut c);
        output_within(c, COMMAND_TIMEOUT)
    }

    /// Runs orgca and expects success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        self.ok_with(&[], args)
    }

    /// Runs orgca with the environment variables `vars` and expects success; returns
    /// stdout.
    pub fn ok_with(&self, vars: &[(&str, &str)], args: &[&str]) -> String {
        let out = self.run_with(vars, args);
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

    /// The audit actions recorded after the first `after` events (the chain verified),
    /// with how many times each: for checks that a flow wrote exactly its events.
    pub fn audit_actions_after(&self, after: i64) -> std::collections::BTreeMap<String, i64> {
        self.audit_events();
        self.sql(&format!(
            "SELECT action, COUNT(*) FROM audit_events WHERE seq > {after} GROUP BY action"
        ))
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(action, n)| (action.to_owned(), n.trim().parse().expect("a count")))
        .collect()
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
        self.start("serve", vars)
    }

    /// Starts `orgca serve` on this port of 127.0.0.1 (for a server whose address goes
    /// into its configuration, as its portal's address does).
    pub fn serve_on(&self, port: u16) -> Server {
        self.start_on("serve", &format!("127.0.0.1:{port}"), &[])
    }

    /// Starts `orgca demo` on an ephemeral port (its welcome goes to the server log).
    pub fn demo(&self) -> Server {
        self.start("demo", &[])
    }

    /// Starts the server command `command` on an ephemeral port with these extra
    /// environment variables; its standard error goes to the server log.
    fn start(&self, command: &str, vars: &[(&str, &str)]) -> Server {
        self.start_on(command, "127.0.0.1:0", vars)
    }

    fn start_on(&self, command: &str, listen: &str, vars: &[(&str, &str)]) -> Server {
        let mut c = Command::new(&self.bin);
        c.args([command, "--listen", listen, "--data"])
            .arg(self.data())
            .env_remove("ORGCA_KEY_PASSPHRASE")
            .env_remove("ORGCA_FAKE_CLOCK");
        self.with_store(&mut c);
        let mut child = c
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
