//! The subcommands.

mod audit;
mod backup;
mod backup_seal;
mod ca;
mod ca_import;
mod ceremony;
mod cert;
mod cert_import;
mod demo;
mod export;
mod init;
mod notify;
mod org;
mod restore;
mod scim;
mod serve;
mod sso;
mod store;
mod user;

use crate::cli::{Cli, Command};
use crate::exit;

/// Runs one command; the clock is read here once (the server reads its own).
pub async fn run(cli: Cli) -> anyhow::Result<u8> {
    let clock = orgca_ra::Clock::from_env().map_err(exit::Refused)?;
    let now = clock.now();
    let g = &cli.global;
    match &cli.command {
        Command::Init(args) => init::run(g, args, now).await.map(|_| exit::OK),
        Command::Serve(args) => serve::run(g, args, false, clock).await,
        Command::Demo(args) => serve::run(g, args, true, clock).await,
        Command::Ca(c) => ca::run(g, c, now).await,
        Command::Org(c) => org::run(g, c, now).await,
        Command::Cert(c) => cert::run(g, c, now).await,
        Command::Audit(c) => audit::run(g, c, now).await,
        Command::Notify(c) => notify::run(g, c, now).await,
        Command::Export(args) => export::run(g, args, now).await,
        Command::User(c) => user::run_user(g, c, now).await,
        Command::Token(c) => user::run_token(g, c, now).await,
        Command::Scim(c) => scim::run(g, c, now).await,
        Command::Sso(c) => sso::run(g, c, now).await,
        Command::Ceremony(c) => ceremony::run(g, c, now),
        Command::Backup(args) => backup::run(g, args, now).await,
        Command::Restore(args) => restore::run(g, args, now).await,
        Command::Store(c) => store::run(g, c).await,
    }
}

/// Prints a value as pretty JSON on standard output.
pub fn print_json(v: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}
