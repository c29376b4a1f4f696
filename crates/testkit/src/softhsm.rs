//! SoftHSM2 tokens for the tests of keys on PKCS#11: a token directory of the test's own,
//! a token initialised in it, the configuration that points the module at it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// SoftHSM2's PKCS#11 module (Debian's softhsm2).
pub const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
/// The user PIN of every test token.
pub const PIN: &str = "1234";
/// The variable that makes a missing SoftHSM2 fail a test instead of skipping it.
pub const REQUIRE: &str = "ORGCA_REQUIRE_SIGNING_TOOLS";

/// A token labelled `label` in `dir` (made), or `None` (the test skips, saying why) when
/// SoftHSM2 is not installed and REQUIRE is not set. Answers the SOFTHSM2_CONF file.
pub fn token(dir: &Path, label: &str, what: &str) -> Option<PathBuf> {
    if !Path::new(MODULE).exists() {
        assert!(
            std::env::var_os(REQUIRE).is_none(),
            "SoftHSM2 is required ({REQUIRE})"
        );
        crate::skipped(&format!("{what}: SoftHSM2 is not installed"));
        return None;
    }
    let tokens = dir.join("tokens");
    std::fs::create_dir_all(&tokens).expect("mkdir tokens");
    let conf = dir.join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\n",
            tokens.display()
        ),
    )
    .expect("write softhsm2.conf");
    let out = Command::new("softhsm2-util")
        .args(["--init-token", "--free", "--label", label])
        .args(["--pin", PIN, "--so-pin", "12345678"])
        .env("SOFTHSM2_CONF", &conf)
        .output()
        .expect("softhsm2-util");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(conf)
}

/// What `pkcs11-tool --list-objects` lists on the token `label` (logged in; `extra`
/// narrows it, e.g. `--type privkey`), or `None` when pkcs11-tool (opensc) is not
/// installed and REQUIRE is not set. A listing that fails fails the test.
pub fn list_objects(conf: &Path, label: &str, extra: &[&str]) -> Option<String> {
    let out = Command::new("pkcs11-tool")
        .args(["--module", MODULE, "--token-label", label])
        .args(["--login", "--pin", PIN, "--list-objects"])
        .args(extra)
        .env("SOFTHSM2_CONF", conf)
        .output();
    match out {
        Ok(out) => {
            assert!(
                out.status.success(),
                "pkcs11-tool: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            Some(String::from_utf8_lossy(&out.stdout).into_owned())
        }
        Err(e) => {
            assert!(
                std::env::var_os(REQUIRE).is_none(),
                "pkcs11-tool (opensc) is required ({REQUIRE}): {e}"
            );
            crate::skipped("listing a token's objects: pkcs11-tool (opensc) is not installed");
            None
        }
    }
}
