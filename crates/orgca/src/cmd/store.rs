//! `orgca store copy --to URL`: the whole store into a new, empty database.

use crate::cli::{Global, StoreCommand};
use crate::cmd::print_json;
use crate::context::{Context, database_url};
use crate::exit::{self, Refused};

/// Runs a `store` subcommand.
pub async fn run(global: &Global, cmd: &StoreCommand) -> anyhow::Result<u8> {
    let StoreCommand::Copy { to } = cmd;
    let ctx = Context::open(global).await?;
    if *to == database_url(global, &ctx.data, Some(&ctx.config)) {
        return Err(Refused(
            "--to names the store being copied: give a new, empty database".into(),
        )
        .into());
    }
    let started = std::time::Instant::now();
    let into = orgca_store::Store::open(to).await?;
    let copied = ctx.store.copy_into(&into).await?;
    let chain = into.audit().verify().await?;
    into.close().await;
    let seconds = started.elapsed().as_secs_f64();
    if let Some(b) = &chain.first_break {
        return Err(Refused(format!(
            "the copy's audit chain is broken at event {}: {} (so is the source's: run \
             `orgca audit verify`)",
            b.seq, b.reason
        ))
        .into());
    }
    if global.json {
        print_json(&serde_json::json!({
            "seconds": seconds,
            "audit_events": chain.events,
            "store": copied,
        }))?;
        return Ok(exit::OK);
    }
    println!(
        "copied in {seconds:.1} s: {} organisations, {} certificates, {} audit events ({} tables)",
        copied.rows("organisations"),
        copied.rows("certificates"),
        copied.rows("audit_events"),
        copied.tables.len()
    );
    println!(
        "checked: every table read back from the new database with the same rows and digest; \
         audit chain OK ({} events)",
        chain.events
    );
    println!(
        "next: with every orgca on the old store stopped, set in {}:\n  database_url = \"{}\"\n\
         (the URL given to --to, password and all; or ORGCA_DATABASE_URL), and start serve. The old store is as it was: keep it until \
         the new one has served for a while.",
        ctx.data.config().display(),
        orgca_store::redact(to)
    );
    Ok(exit::OK)
}
