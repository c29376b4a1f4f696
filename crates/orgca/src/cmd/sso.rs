//! `orgca sso set|show|remove`: an organisation's identity provider (OpenID Connect).
//! Only where the client secret is kept is stored and shown, never the secret.

use orgca_model::{IdentityProvider, MatchBy, SecretSource, UnixTime};
use orgca_ra::sso::{ProviderSettings, return_path};

use crate::cli::{Global, OnOff, SsoCommand};
use crate::cmd::print_json;
use crate::context::Context;
use crate::exit;

/// Runs an `sso` subcommand.
pub async fn run(global: &Global, cmd: &SsoCommand, now: UnixTime) -> anyhow::Result<u8> {
    let ctx = Context::open(global).await?;
    let ra = ctx.ra_without_keys()?;
    let base = ra
        .order_policy()
        .public_base_url
        .trim_end_matches('/')
        .to_owned();
    let redirect = |cvr: &str| format!("{base}{}", return_path(cvr));
    match cmd {
        SsoCommand::Set {
            org,
            issuer,
            client_id,
            secret_file,
            secret_env,
            match_by,
            passwords,
        } => {
            let Some(match_by) = MatchBy::from_stored(match_by.trim()) else {
                anyhow::bail!(
                    "--match {match_by:?}: give `email`, or `external_id:<claim>` (e.g. external_id:oid for Entra ID)"
                );
            };
            let client_secret = match (secret_file, secret_env) {
                (Some(path), _) => SecretSource::File(path.clone()),
                (None, Some(name)) => SecretSource::Env(name.clone()),
                (None, None) => anyhow::bail!("give --secret-file or --secret-env"),
            };
            let settings = ProviderSettings {
                issuer: issuer.trim().to_owned(),
                client_id: client_id.clone(),
                client_secret,
                match_by,
                password_login: *passwords == OnOff::On,
            };
            let saved = ra.set_identity_provider(org, settings, now).await?;
            show(global, &saved, &redirect(org.trim()))?;
        }
        SsoCommand::Show { org } => match ra.identity_provider(org).await? {
            (o, Some(saved)) => show(global, &saved, &redirect(o.cvr.as_str()))?,
            (o, None) => {
                if global.json {
                    print_json(&serde_json::Value::Null)?;
                } else {
                    println!(
                        "{} (CVR {}) has no identity provider: its users log in with passwords",
                        o.name, o.cvr
                    );
                }
            }
        },
        SsoCommand::Remove { org } => {
            let gone = ra.remove_identity_provider(org, now).await?;
            if global.json {
                print_json(&serde_json::json!({"removed": gone}))?;
            } else if gone {
                println!("removed: the organisation's users log in with passwords again");
            } else {
                println!("the organisation had no identity provider");
            }
        }
    }
    Ok(exit::OK)
}

fn show(global: &Global, p: &IdentityProvider, redirect: &str) -> anyhow::Result<()> {
    if global.json {
        print_json(&serde_json::json!({
            "issuer": p.issuer,
            "client_id": p.client_id,
            "secret_from": p.client_secret.to_stored(),
            "match": p.match_by.to_stored(),
            "passwords": p.password_login,
            "redirect_uri": redirect,
            "updated_at": p.updated_at.rfc3339(),
        }))?;
    } else {
        println!("issuer        {}", p.issuer);
        println!("client id     {}", p.client_id);
        println!("secret from   {}", p.client_secret.to_stored());
        println!("match         {}", p.match_by.to_stored());
        println!(
            "passwords     {}",
            if p.password_login { "on" } else { "off" }
        );
        println!("redirect URI  {redirect}  (register this at the provider)");
        println!("updated       {}", p.updated_at.rfc3339());
    }
    Ok(())
}
