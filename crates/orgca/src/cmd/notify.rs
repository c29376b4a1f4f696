//! `orgca notify run`: the notice job once, as of a given time.

use orgca_model::UnixTime;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::cli::{Global, NotifyCommand};
use crate::cmd::print_json;
use crate::context::Context;
use crate::exit::{self, Refused};

/// Queues the expiry notices due at `--at` (default `now`) and delivers the mail due.
pub async fn run(global: &Global, cmd: &NotifyCommand, now: UnixTime) -> anyhow::Result<u8> {
    let NotifyCommand::Run { at } = cmd;
    let at = match at {
        None => now,
        Some(t) => OffsetDateTime::parse(t.trim(), &Rfc3339)
            .map(UnixTime::from)
            .map_err(|e| {
                Refused(format!(
                    "--at {t:?} is not an RFC 3339 time (2027-01-31T09:00:00Z): {e}"
                ))
            })?,
    };
    let ctx = Context::open(global).await?;
    let queued = ctx
        .ra_without_keys()?
        .queue_expiry_notices(&ctx.config.notices.expiry_days, at)
        .await?;
    let delivered = ctx.mailer()?.deliver_due(&ctx.store, at).await?;
    if global.json {
        print_json(
            &serde_json::json!({"expiry_notices_queued": queued, "mail_delivered": delivered}),
        )?;
    } else {
        println!("{queued} expiry notices queued, {delivered} messages delivered");
    }
    ctx.store.close().await;
    Ok(exit::OK)
}
