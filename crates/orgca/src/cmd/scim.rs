//! `orgca scim token create|list|revoke`: the provisioning tokens an organisation's
//! directory uses at `/scim/v2`. A token goes to standard output once; only its hash is
//! kept.

use orgca_model::UnixTime;

use crate::cli::{Global, ScimCommand, ScimTokenCommand};
use crate::cmd::print_json;
use crate::context::Context;
use crate::exit;

/// Runs a `scim` subcommand.
pub async fn run(global: &Global, cmd: &ScimCommand, now: UnixTime) -> anyhow::Result<u8> {
    let ScimCommand::Token(cmd) = cmd;
    let ctx = Context::open(global).await?;
    let ra = ctx.ra_without_keys()?;
    match cmd {
        ScimTokenCommand::Create { org, name } => {
            let (token, made) = ra
                .create_provisioning_token(org, name, "operator", now)
                .await?;
            if global.json {
                print_json(&serde_json::json!({"token": token, "id": made.id, "name": made.name}))?;
            } else {
                println!("{token}");
                eprintln!(
                    "provisioning token {:?} (id {}) for the organisation with CVR {}: shown once, \
                     stored only as a hash; the directory's SCIM address is \
                     {}/scim/v2",
                    made.name,
                    made.id,
                    org.trim(),
                    ra.order_policy().public_base_url.trim_end_matches('/'),
                );
            }
        }
        ScimTokenCommand::List { org } => {
            let tokens = ra.provisioning_tokens(org).await?;
            if global.json {
                let list: Vec<_> = tokens
                    .iter()
                    .map(|t| {
                        serde_json::json!({
                            "id": t.id, "name": t.name, "created_at": t.created_at.rfc3339(),
                            "revoked_at": t.revoked_at.map(UnixTime::rfc3339),
                        })
                    })
                    .collect();
                print_json(&list)?;
            } else {
                for t in &tokens {
                    let state = t.revoked_at.map_or_else(
                        || "in use".to_owned(),
                        |at| format!("revoked {}", at.rfc3339()),
                    );
                    println!(
                        "{}  {:<24} made {}  {state}",
                        t.id,
                        t.name,
                        t.created_at.rfc3339()
                    );
                }
            }
        }
        ScimTokenCommand::Revoke { org, id } => {
            ra.revoke_provisioning_token(org, *id, "operator", now)
                .await?;
            if global.json {
                print_json(&serde_json::json!({"revoked": id}))?;
            } else {
                println!("revoked provisioning token {id}");
            }
        }
    }
    Ok(exit::OK)
}
