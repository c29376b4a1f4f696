//! A PostgreSQL server of a test's own that accepts only TLS connections (`hostssl` in
//! its pg_hba.conf, nothing else), with a server certificate for 127.0.0.1 issued by a CA
//! the test makes. It is stopped when dropped.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::openssl::{tls_ca, tls_server};

/// A running TLS-only cluster.
pub struct TlsPostgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    /// Its TCP port on 127.0.0.1.
    pub port: u16,
}

/// The variable that makes a missing PostgreSQL server program fail a test instead of
/// skipping it (CI sets it).
pub const REQUIRE: &str = "ORGCA_TEST_POSTGRES_URL";

/// The newest PostgreSQL server programs' folder (`/usr/lib/postgresql/N/bin`).
fn server_bin() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| {
            let e = e.ok()?;
            let v = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

/// Runs a server program as the `postgres` user when this is root (PostgreSQL refuses
/// to run as root).
fn as_postgres(bin: &Path, program: &str) -> Command {
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    if is_root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin.join(program));
        c
    } else {
        Command::new(bin.join(program))
    }
}

fn run(mut c: Command, what: &str) {
    let out = c.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

impl TlsPostgres {
    /// Starts a cluster, or `None` (the test skips, saying why) when the PostgreSQL
    /// server programs are not installed and [`REQUIRE`] is not set.
    pub fn start() -> Option<TlsPostgres> {
        let Some(bin) = server_bin() else {
            assert!(
                std::env::var_os(REQUIRE).is_none(),
                "PostgreSQL's server programs (initdb, pg_ctl) are required ({REQUIRE} is set)"
            );
            crate::skipped("PostgreSQL over TLS: initdb is not installed");
            return None;
        };
        let dir = tempfile::Builder::new()
            .prefix("orgca-pg-tls")
            .tempdir()
            .expect("tempdir");
        let p = |name: &str| dir.path().join(name);
        let s = |path: PathBuf| path.to_str().expect("utf-8 path").to_owned();
        // The CA and the server's certificate for 127.0.0.1, and another CA, which
        // issued nothing the server holds.
        let (ca_key, ca) = tls_ca(dir.path(), "ca", "/CN=orgca test database CA");
        let (key, _) = tls_server(dir.path(), "server", (&ca_key, &ca), 1);
        tls_ca(dir.path(), "other-ca", "/CN=someone else's CA");
        let key = s(key);

        // The folder is the server's: readable to the postgres user, the key its alone.
        run(
            {
                let mut c = Command::new("sh");
                c.arg("-c").arg(format!(
                    "chmod 755 '{0}' && chmod 600 '{1}' && (id -u postgres >/dev/null 2>&1 \
                     && [ \"$(id -u)\" = 0 ] && chown -R postgres '{0}' || true)",
                    dir.path().display(),
                    key
                ));
                c
            },
            "giving the cluster's folder to postgres",
        );
        let data = s(p("data"));
        let mut initdb = as_postgres(&bin, "initdb");
        initdb.args(["-D", &data, "-A", "trust", "-U", "postgres", "--no-sync"]);
        run(initdb, "initdb");
        std::fs::write(
            p("data").join("pg_hba.conf"),
            "hostssl all all 127.0.0.1/32 trust\n",
        )
        .expect("write pg_hba.conf");
        let cluster = TlsPostgres {
            dir,
            bin,
            port: crate::process::free_port(),
        };
        cluster.start_again();
        Some(cluster)
    }

    /// Starts the (stopped) cluster, on the same port with the same certificate.
    pub fn start_again(&self) {
        let at = |name: &str| self.dir.path().join(name).display().to_string();
        let mut start = as_postgres(&self.bin, "pg_ctl");
        start
            .args(["-D", &at("data"), "-l", &at("log"), "-w", "-o"])
            .arg(format!(
                "-p {} -k {} -c listen_addresses=127.0.0.1 -c ssl=on -c ssl_cert_file={} \
                 -c ssl_key_file={} -c fsync=off",
                self.port,
                self.dir.path().display(),
                at("server.pem"),
                at("server.key"),
            ));
        start.arg("start");
        run(start, "starting the TLS cluster");
    }

    /// Stops the cluster (fast: its sessions are ended), as an outage.
    pub fn stop(&self) {
        let mut stop = as_postgres(&self.bin, "pg_ctl");
        stop.arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-m", "fast", "-w", "stop"]);
        run(stop, "stopping the TLS cluster");
    }

    /// The CA that issued the server's certificate.
    pub fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// A CA that did not.
    pub fn other_ca(&self) -> PathBuf {
        self.dir.path().join("other-ca.pem")
    }

    /// The URL of database `postgres` with `sslmode` and, if given, `sslrootcert`.
    pub fn url(&self, sslmode: &str, root: Option<&Path>) -> String {
        let mut url = format!(
            "postgres://postgres@127.0.0.1:{}/postgres?sslmode={sslmode}",
            self.port
        );
        if let Some(root) = root {
            url.push_str(&format!("&sslrootcert={}", root.display()));
        }
        url
    }
}

impl Drop for TlsPostgres {
    fn drop(&mut self) {
        let mut stop = as_postgres(&self.bin, "pg_ctl");
        stop.arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-m", "immediate", "stop"]);
        let _ = stop.output();
    }
}
