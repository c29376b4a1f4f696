//! Running programs: with a time limit, or expecting success.

use std::process::{Command, Output, Stdio};

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

/// A TCP port on 127.0.0.1 that was free a moment ago (for a server that must know its
/// address before it starts).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
