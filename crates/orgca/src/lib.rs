//! `orgca`: the binary, as a library so that its configuration parser can be fuzzed
//! and tested (`src/main.rs` only calls [`main`]). Reads the configuration, wires the crates together and runs the
//! CLI subcommands and the server.
//!
//! This crate must never hold business rules (they live in `ra`), build DER (`pki`) or
//! touch keys except through `ca`. Time is read here, once per command, and passed down.

mod cli;
mod cmd;
mod config;
mod context;
mod exit;
mod jobs;

use clap::Parser;

/// Runs the command line given to the process and returns its exit code.
pub fn main() -> std::process::ExitCode {
    // Everything orgca writes (the database and its WAL, key files, the outbox, exports)
    // is its owner's alone: files 0600, folders 0700, whatever umask it was started with.
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    let cli = cli::Cli::parse();
    let default_level = if cli.command.is_server() {
        "info"
    } else {
        "warn"
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("ORGCA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    // Colour only for a person at a terminal: never escape codes in a file or a pipe.
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return exit::INTERNAL.into();
        }
    };
    match runtime.block_on(cmd::run(cli)) {
        Ok(code) => code.into(),
        Err(e) => {
            eprintln!("error: {e:#}");
            exit::code_for(&e).into()
        }
    }
}

/// Reads a configuration file's text as `orgca` does and, when it is accepted, writes it
/// out again as `orgca init` would. `Err` holds the refusal's message. For the fuzz
/// targets: a panic here, or a written text that does not read back the same, is a bug.
pub fn read_config_text(text: &str) -> Result<String, String> {
    let path = std::path::Path::new("config.toml");
    let config = config::parse(text, path).map_err(|e| format!("{e:#}"))?;
    config.to_text().map_err(|e| format!("{e:#}"))
}
