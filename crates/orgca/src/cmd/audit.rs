//! `orgca audit verify` and `orgca audit checkpoint`.

use orgca_model::UnixTime;

use crate::cli::{AuditCommand, Global};
use crate::cmd::print_json;
use crate::context::Context;
use crate::exit;

/// Runs an `audit` subcommand. A broken chain or a checkpoint that does not hold exits
/// with [`exit::REFUSED`].
pub async fn run(global: &Global, cmd: &AuditCommand, now: UnixTime) -> anyhow::Result<u8> {
    let ctx = Context::open(global).await?;
    match cmd {
        AuditCommand::Verify => verify(global, &ctx).await,
        AuditCommand::Checkpoint => {
            match ctx.checkpoint("operator", now).await? {
                Some(seq) => eprintln!("checkpoint signed at event {seq}"),
                None => eprintln!("nothing new since the last checkpoint; none was signed"),
            }
            Ok(exit::OK)
        }
    }
}

async fn verify(global: &Global, ctx: &Context) -> anyhow::Result<u8> {
    let chain = ctx.store.audit().verify().await?;
    let checkpoints = ctx.verify_checkpoints().await?;
    let ok = chain.first_break.is_none()
        && checkpoints
            .as_ref()
            .is_none_or(|c| c.first_failure.is_none());
    if global.json {
        print_json(&serde_json::json!({
            "ok": ok,
            "events": chain.events,
            "first_break": chain.first_break,
            "checkpoints": checkpoints,
        }))?;
    } else {
        match &chain.first_break {
            None => println!("audit chain OK: {} events verified", chain.events),
            Some(b) => println!(
                "audit chain BROKEN at event {}: {} ({} events before it verified)",
                b.seq, b.reason, chain.events
            ),
        }
        match &checkpoints {
            None => {
                println!("no checkpoint signed yet (no audit key): run `orgca audit checkpoint`")
            }
            Some(c) => {
                match c.last_verified {
                    Some(seq) => println!(
                        "{} checkpoints verified with audit key {}, the last at event {seq}",
                        c.verified, c.key_id
                    ),
                    None => println!("no checkpoint verified with audit key {}", c.key_id),
                }
                if let Some((seq, why)) = &c.first_failure {
                    println!("checkpoint at event {seq} FAILS: {why}");
                }
            }
        }
    }
    Ok(if ok { exit::OK } else { exit::REFUSED })
}
