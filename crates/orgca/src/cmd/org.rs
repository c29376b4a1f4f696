//! `orgca org create|list`.

use orgca_model::UnixTime;
use orgca_model::{Environment, SettingsChange};

use crate::cli::{Global, OnOff, OrgCommand};
use crate::cmd::print_json;
use crate::context::Context;
use crate::exit;

/// Runs an `org` subcommand.
pub async fn run(global: &Global, cmd: &OrgCommand, now: UnixTime) -> anyhow::Result<u8> {
    let ctx = Context::open(global).await?;
    let ra = ctx.ra_without_keys()?;
    match cmd {
        OrgCommand::Create { cvr, name, test } => {
            let env = if *test {
                Environment::Test
            } else {
                Environment::Production
            };
            let org = ra
                .create_organisation(cvr, name, env, "operator", now)
                .await?;
            if global.json {
                print_json(&org_json(&org))?;
            } else {
                println!(
                    "created {} organisation {} ({}), id {}",
                    org.environment, org.cvr, org.name, org.id
                );
            }
        }
        OrgCommand::Set {
            cvr,
            user_certificates,
            organisation_certificates,
            seals,
        } => {
            let change = SettingsChange {
                user_certificates: user_certificates.map(OnOff::is_on),
                organisation_certificates: organisation_certificates.map(OnOff::is_on),
                seals: seals.map(OnOff::is_on),
            };
            let operator = ra.operator_cli(cvr).await?;
            let (org, settings) = ra.change_settings(&operator, change, now).await?;
            if global.json {
                print_json(&serde_json::json!({"cvr": org.cvr, "settings": settings}))?;
            } else {
                let on = |b: bool| if b { "on" } else { "off" };
                println!(
                    "{}: user certificates {}, organisation certificates {}, seals {}",
                    org.cvr,
                    on(settings.user_certificates),
                    on(settings.organisation_certificates),
                    on(settings.seals)
                );
            }
        }
        OrgCommand::List => {
            let orgs = ctx.store.orgs().list().await?;
            if global.json {
                print_json(&orgs.iter().map(org_json).collect::<Vec<_>>())?;
            } else {
                for o in orgs {
                    println!("{}  {:<10}  {}", o.cvr, o.environment.as_str(), o.name);
                }
            }
        }
    }
    Ok(exit::OK)
}

/// An organisation as `--json` prints it (times in RFC 3339).
fn org_json(org: &orgca_model::Organisation) -> serde_json::Value {
    serde_json::json!({
        "id": org.id, "cvr": org.cvr, "name": org.name, "environment": org.environment,
        "settings": org.settings, "created_at": org.created_at.rfc3339(),
    })
}
