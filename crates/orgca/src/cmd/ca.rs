//! `orgca ca list|cert`.

use anyhow::Context as _;
use orgca_ca::ceremony::HierarchySpec;
use orgca_model::Environment;
use orgca_model::UnixTime;
use orgca_pki::encode;
use orgca_store::CaRole;

use crate::cli::{CaCommand, Global};
use crate::cmd::print_json;
use crate::context::Context;
use crate::exit::{self, Refused};

/// Runs a `ca` subcommand.
pub async fn run(global: &Global, cmd: &CaCommand, now: UnixTime) -> anyhow::Result<u8> {
    let ctx = Context::open(global).await?;
    match cmd {
        CaCommand::List => {
            let cas = ctx.store.ca().list().await?;
            if global.json {
                let items: Vec<_> = cas
                    .iter()
                    .map(|c| {
                        let subject = x509_subject(&c.der);
                        serde_json::json!({
                            "name": c.name, "environment": c.environment, "role": c.role, "parent": c.parent,
                            "serial": c.serial, "subject": subject, "subject_key_id": c.subject_key_id,
                            "not_before": c.not_before.rfc3339(), "not_after": c.not_after.rfc3339(),
                        })
                    })
                    .collect();
                print_json(&items)?;
            } else {
                for c in &cas {
                    println!(
                        "{:<22} {:<10} {:<7} until {}  {}",
                        c.name,
                        c.environment.as_str(),
                        c.role.as_str(),
                        c.not_after.rfc3339(),
                        x509_subject(&c.der)
                    );
                }
            }
        }
        CaCommand::Cert { name } => {
            let ca = ctx.store.ca().get(name).await?.ok_or_else(|| {
                Refused(format!(
                    "no CA named {name:?}; `orgca ca list` shows the names"
                ))
            })?;
            print!("{}", encode::certificate_pem(&ca.der)?);
        }
        CaCommand::AddSigning => add_signing(&ctx, now).await?,
    }
    Ok(exit::OK)
}

/// Creates the signing CA of every hierarchy whose root is in the store but that has no
/// signing CA yet.
async fn add_signing(ctx: &Context, now: UnixTime) -> anyhow::Result<()> {
    let cas = ctx.store.ca().list().await?;
    let settings = ctx.config.settings()?;
    let signing = ctx.config.signing_policies()?;
    let keys = ctx.ca_keys()?;
    let mut added = Vec::new();
    for env in [Environment::Production, Environment::Test] {
        let in_env = |role| cas.iter().find(|c| c.environment == env && c.role == role);
        if in_env(CaRole::Signing).is_some() {
            continue;
        }
        let Some(root) = in_env(CaRole::Root) else {
            continue;
        };
        let spec = HierarchySpec {
            environment: env,
            names: ctx.config.hierarchies.resolve_for(env),
            rsa_pss: ctx.config.rsa_pss(),
        };
        let root_key = keys.open(&root.key_ref)?;
        // The signing CA's key goes where its root's is.
        let home = match (orgca_ca::KeyRef::parse(&root.key_ref), &keys.token) {
            (orgca_ca::KeyRef::Token(_), Some(token)) => {
                orgca_ca::KeyHome::Token(token, keys.rsa_pss)
            }
            _ => orgca_ca::KeyHome::Files(&keys),
        };
        let made = orgca_ca::ceremony::add_signing_ca(
            &spec,
            &settings,
            &signing,
            home,
            &root.der,
            root_key.as_ref(),
            now.to_offset(),
        )
        .with_context(|| format!("creating the {env} signing CA"))?;
        if let Err(e) = ctx
            .store
            .ca()
            .add_ca_certificates(std::slice::from_ref(&made), "operator", now)
            .await
        {
            home.forget(&made.name, &made.key_ref);
            return Err(e.into());
        }
        added.push(made.name);
    }
    if !added.is_empty() {
        ctx.checkpoint("operator", now).await?;
    }
    if added.is_empty() {
        eprintln!("every hierarchy has its signing CA; nothing was changed");
    } else {
        eprintln!(
            "added {}; restart `orgca serve` to sign with it",
            added.join(", ")
        );
    }
    Ok(())
}

/// The subject of a DER certificate in RFC 4514 form, or "?" if it does not parse.
fn x509_subject(der: &[u8]) -> String {
    use der::Decode;
    x509_cert::Certificate::from_der(der)
        .map(|c| c.tbs_certificate().subject().to_string())
        .unwrap_or_else(|_| "?".into())
}
