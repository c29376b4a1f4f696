//! `orgca org create|list`.

use orgca_model::Environment;
use time::OffsetDateTime;

use crate::cli::{Global, OrgCommand};
use crate::cmd::{print_json, rfc3339};
use crate::context::Context;
use crate::exit;

/// Runs an `org` subcommand.
pub async fn run(global: &Global, cmd: &OrgCommand, now: OffsetDateTime) -> anyhow::Result<u8> {
    let ctx = Context::open(global).await?;
    match cmd {
        OrgCommand::Create { cvr, name, test } => {
            let env = if *test {
                Environment::Test
            } else {
                Environment::Production
            };
            let org = orgca_ra::create_organisation(
                &ctx.store,
                cvr,
                name,
                env,
                "operator",
                now.unix_timestamp(),
            )
            .await?;
            if global.json {
                print_json(&serde_json::json!({
                    "id": org.id, "cvr": org.cvr, "name": org.name, "environment": org.environment,
                    "created_at": rfc3339(org.created_at),
                }))?;
            } else {
                println!(
                    "created {} organisation {} ({}), id {}",
                    org.environment, org.cvr, org.name, org.id
                );
            }
        }
        OrgCommand::List => {
            let orgs = ctx.store.orgs().list().await?;
            if global.json {
                print_json(&orgs)?;
            } else {
                for o in orgs {
                    println!("{}  {:<10}  {}", o.cvr, o.environment.as_str(), o.name);
                }
            }
        }
    }
    Ok(exit::OK)
}
