//! The external checkers (pkilint, pdfsig, ...): skipped when missing, unless the
//! environment says CI requires them.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::env::Env;
use crate::process::cmd;

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
        skipped(&format!("{tool} not found; its checks (CI installs it)"));
    }
    found
}

/// Records that this test skipped `what` (a tool or a service is missing here): on
/// standard error, and in the file named by `ORGCA_SKIP_LOG` (the test script sets it),
/// so that the closing line counts the test as skipped, not passed.
pub fn skipped(what: &str) {
    eprintln!("skipped: {what}");
    if let Some(log) = std::env::var_os("ORGCA_SKIP_LOG") {
        use std::io::Write as _;
        let test = std::thread::current()
            .name()
            .unwrap_or("unnamed test")
            .to_owned();
        let line = format!("{test}\t{what}\n");
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .and_then(|mut f| f.write_all(line.as_bytes()));
        assert!(written.is_ok(), "cannot record a skip in {log:?}");
    }
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

/// The OpenAPI client generator of the integrator test: openapi-python-client and the
/// Python that runs what it makes, in the virtual environment the test script prepares
/// (`ORGCA_CLIENT_GENERATOR_VENV`). When ORGCA_REQUIRE_CLIENT_GENERATOR is set (CI), a
/// missing one fails the test instead of skipping it.
pub struct ClientGenerator {
    /// `openapi-python-client`.
    pub generate: PathBuf,
    /// The environment's `python`.
    pub python: PathBuf,
}

/// The client generator, or `None` (recorded as a skip) when it is not installed.
pub fn client_generator() -> Option<ClientGenerator> {
    let venv = std::env::var_os("ORGCA_CLIENT_GENERATOR_VENV").map(PathBuf::from);
    let found = venv.map(|v| ClientGenerator {
        generate: v.join("bin/openapi-python-client"),
        python: v.join("bin/python"),
    });
    match found.filter(|g| g.generate.exists() && g.python.exists()) {
        Some(g) => Some(g),
        None => {
            assert!(
                std::env::var_os("ORGCA_REQUIRE_CLIENT_GENERATOR").is_none(),
                "openapi-python-client is required (ORGCA_REQUIRE_CLIENT_GENERATOR) but not found"
            );
            skipped("openapi-python-client not found; the generated-client test (CI installs it)");
            None
        }
    }
}

/// Schemathesis, in the virtual environment the test script prepares
/// (`ORGCA_SCHEMATHESIS_VENV`), or `None` (recorded as a skip) when it is not installed.
/// When ORGCA_REQUIRE_SCHEMATHESIS is set (CI), a missing one fails the test.
pub fn schemathesis() -> Option<PathBuf> {
    let found = std::env::var_os("ORGCA_SCHEMATHESIS_VENV")
        .map(|v| PathBuf::from(v).join("bin/schemathesis"))
        .filter(|p| p.exists());
    if found.is_none() {
        assert!(
            std::env::var_os("ORGCA_REQUIRE_SCHEMATHESIS").is_none(),
            "schemathesis is required (ORGCA_REQUIRE_SCHEMATHESIS) but not found"
        );
        skipped("schemathesis not found; the API fuzz run (CI installs it)");
    }
    found
}
