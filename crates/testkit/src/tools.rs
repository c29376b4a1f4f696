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

/// A tool installed in the virtual environment that the environment variable `venv_var`
/// names (the test script prepares it): the paths of `bins` in it, or `None` (recorded as
/// a skip) when it is not there. When `require` is set (CI), a missing one fails the test.
fn venv_tool<const N: usize>(
    venv_var: &str,
    bins: [&str; N],
    require: &str,
    what: &str,
) -> Option<[PathBuf; N]> {
    let found = std::env::var_os(venv_var)
        .map(|v| bins.map(|b| PathBuf::from(&v).join("bin").join(b)))
        .filter(|paths| paths.iter().all(|p| p.exists()));
    if found.is_none() {
        assert!(
            std::env::var_os(require).is_none(),
            "{what} is required ({require}) but not found"
        );
        skipped(&format!("{what} not found (CI installs it)"));
    }
    found
}

/// The OpenAPI client generator of the integrator test: openapi-python-client and the
/// Python that runs what it makes (`ORGCA_CLIENT_GENERATOR_VENV`; required by
/// ORGCA_REQUIRE_CLIENT_GENERATOR).
pub struct ClientGenerator {
    /// `openapi-python-client`.
    pub generate: PathBuf,
    /// The environment's `python`.
    pub python: PathBuf,
}

/// The client generator, or `None` (recorded as a skip) when it is not installed.
pub fn client_generator() -> Option<ClientGenerator> {
    venv_tool(
        "ORGCA_CLIENT_GENERATOR_VENV",
        ["openapi-python-client", "python"],
        "ORGCA_REQUIRE_CLIENT_GENERATOR",
        "openapi-python-client",
    )
    .map(|[generate, python]| ClientGenerator { generate, python })
}

/// Schemathesis (`ORGCA_SCHEMATHESIS_VENV`; required by ORGCA_REQUIRE_SCHEMATHESIS), or
/// `None` (recorded as a skip) when it is not installed.
pub fn schemathesis() -> Option<PathBuf> {
    venv_tool(
        "ORGCA_SCHEMATHESIS_VENV",
        ["schemathesis"],
        "ORGCA_REQUIRE_SCHEMATHESIS",
        "schemathesis",
    )
    .map(|[st]| st)
}

/// The SCIM tools of the provisioning test, from PyPI (`ORGCA_SCIM_VENV`; required by
/// ORGCA_REQUIRE_SCIM_TOOLS): the environment's `python` (which has scim2-tester) and
/// `scim2` (scim2-cli).
pub struct ScimTools {
    /// The environment's `python`.
    pub python: PathBuf,
    /// scim2-cli's `scim2`.
    pub scim2: PathBuf,
}

/// The SCIM tools, or `None` (recorded as a skip) when they are not installed.
pub fn scim_tools() -> Option<ScimTools> {
    venv_tool(
        "ORGCA_SCIM_VENV",
        ["python", "scim2"],
        "ORGCA_REQUIRE_SCIM_TOOLS",
        "scim2-tester and scim2-cli",
    )
    .map(|[python, scim2]| ScimTools { python, scim2 })
}
