//! `orgca ca list|cert`.

use orgca_pki::encode;

use crate::cli::{CaCommand, Global};
use crate::cmd::{print_json, rfc3339};
use crate::context::Context;
use crate::exit::{self, Refused};

/// Runs a `ca` subcommand.
pub async fn run(global: &Global, cmd: &CaCommand) -> anyhow::Result<u8> {
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
                            "not_before": rfc3339(c.not_before), "not_after": rfc3339(c.not_after),
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
                        if c.parent.is_some() {
                            "issuing"
                        } else {
                            "root"
                        },
                        rfc3339(c.not_after),
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
    }
    Ok(exit::OK)
}

/// The subject of a DER certificate in RFC 4514 form, or "?" if it does not parse.
fn x509_subject(der: &[u8]) -> String {
    use der::Decode;
    x509_cert::Certificate::from_der(der)
        .map(|c| c.tbs_certificate().subject().to_string())
        .unwrap_or_else(|_| "?".into())
}
