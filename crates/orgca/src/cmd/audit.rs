//! `orgca audit verify`.

use crate::cli::{AuditCommand, Global};
use crate::cmd::print_json;
use crate::context::Context;
use crate::exit;

/// Runs an `audit` subcommand. A broken chain exits with [`exit::REFUSED`].
pub async fn run(global: &Global, cmd: &AuditCommand) -> anyhow::Result<u8> {
    let AuditCommand::Verify = cmd;
    let ctx = Context::open(global).await?;
    let report = ctx.store.audit().verify().await?;
    if global.json {
        print_json(&serde_json::json!({
            "ok": report.first_break.is_none(),
            "events": report.events,
            "first_break": report.first_break,
        }))?;
    } else {
        match &report.first_break {
            None => println!("audit chain OK: {} events verified", report.events),
            Some(b) => println!(
                "audit chain BROKEN at event {}: {} ({} events before it verified)",
                b.seq, b.reason, report.events
            ),
        }
    }
    Ok(if report.first_break.is_none() {
        exit::OK
    } else {
        exit::REFUSED
    })
}
