//! `orgca cert issue|list|get|block`.

use orgca_model::UnixTime;
use std::io::Read;

use anyhow::Context as _;
use orgca_pki::csr::MAX_CSR_BYTES;
use orgca_ra::IssueRequest;

use crate::cli::{CertCommand, FilterArgs, Global, IssueArgs};
use crate::cmd::print_json;
use crate::context::Context;
use crate::exit::{self, Refused};

/// Reads the CSR from a file or standard input, refusing anything over the size limit
/// before reading it all.
fn read_csr(args: &IssueArgs) -> anyhow::Result<Vec<u8>> {
    let limit = (MAX_CSR_BYTES + 1) as u64;
    let mut buf = Vec::new();
    if args.csr.as_os_str() == "-" {
        std::io::stdin()
            .take(limit)
            .read_to_end(&mut buf)
            .context("reading the CSR from standard input")?;
    } else {
        let f = std::fs::File::open(&args.csr).map_err(|e| {
            Refused(format!(
                "cannot read the CSR file {}: {e}",
                args.csr.display()
            ))
        })?;
        f.take(limit)
            .read_to_end(&mut buf)
            .with_context(|| format!("reading {}", args.csr.display()))?;
    }
    Ok(buf)
}

/// Runs a `cert` subcommand.
pub async fn run(global: &Global, cmd: &CertCommand, now: UnixTime) -> anyhow::Result<u8> {
    let args = match cmd {
        CertCommand::Issue(args) => args,
        CertCommand::List { filters, limit } => {
            return list(global, filters, *limit, now).await;
        }
        CertCommand::Block { serial, reason } => {
            return block(global, serial, reason, now).await;
        }
        CertCommand::Get { serial } => return get(global, serial, now).await,
        CertCommand::Import { files } => {
            return crate::cmd::cert_import::run(global, files, now).await;
        }
    };
    let csr = read_csr(args)?;
    let ctx = Context::open(global).await?;
    let ra = ctx.ra().await?;
    let req = IssueRequest {
        org_cvr: args.org.clone(),
        kind: args.kind.clone(),
        name: args.name.clone(),
        email: args.email.clone(),
        given_name: args.given_name.clone(),
        surname: args.surname.clone(),
        subject_uuid: args.subject_uuid,
        csr,
    };
    let issued = ra.issue(&req, "operator", now).await?;
    let c = &issued.certificate;
    if global.json {
        print_json(&serde_json::json!({
            "id": issued.id,
            "serial": c.serial.to_string(),
            "issuer": c.issuer,
            "kind": c.request.subject.holder.kind(),
            "name": c.request.subject.common_name,
            "subject_uuid": c.request.subject.subject_uuid,
            "not_before": UnixTime::from(c.not_before).rfc3339(),
            "not_after": UnixTime::from(c.not_after).rfc3339(),
            "fingerprint_sha256": c.fingerprint,
            "certificate_pem": c.pem,
            "chain_pem": c.chain_pem,
        }))?;
    } else {
        print!("{}", c.pem);
    }
    ctx.store.close().await;
    Ok(exit::OK)
}

async fn list(
    global: &Global,
    filters: &FilterArgs,
    limit: u32,
    now: UnixTime,
) -> anyhow::Result<u8> {
    let ctx = Context::open(global).await?;
    let ra = ctx.ra_without_keys()?;
    let (caller, mut params) = super::export::search_for(&ra, filters).await?;
    let limit = limit.clamp(1, 10_000) as usize;
    let mut certs = Vec::new();
    // Page by page (500 at most each) up to the limit.
    while certs.len() < limit {
        params.limit = Some((limit - certs.len()).min(500).to_string());
        let page = ra.search(&caller, &params, now).await?;
        certs.extend(page.items);
        match page.next {
            Some(next) => params.after = Some(next.encode()),
            None => break,
        }
    }
    if global.json {
        let items: Vec<_> = certs
            .iter()
            .map(|c| {
                serde_json::json!({
                    "id": c.id, "serial": c.serial.to_string(), "issuer": c.issuer, "kind": c.kind,
                    "name": c.name, "subject_uuid": c.subject_uuid, "email": c.email,
                    "status": c.status.as_str(),
                    "not_before": c.not_before.rfc3339(), "not_after": c.not_after.rfc3339(),
                    "fingerprint_sha256": c.fingerprint,
                })
            })
            .collect();
        print_json(&items)?;
    } else {
        for c in &certs {
            println!(
                "{}  {:<12} {:<7} until {}  {}",
                c.serial,
                c.kind.as_str(),
                c.status.as_str(),
                c.not_after.rfc3339(),
                c.name
            );
        }
    }
    Ok(exit::OK)
}

async fn get(global: &Global, serial: &str, now: UnixTime) -> anyhow::Result<u8> {
    let ctx = Context::open(global).await?;
    let (c, pem) = ctx
        .ra_without_keys()?
        .operator_certificate_with_chain(serial)
        .await?;
    if global.json {
        print_json(&serde_json::json!({
            "id": c.id, "serial": c.serial.to_string(), "issuer": c.issuer, "name": c.name,
            "kind": c.kind.as_str(), "status": orgca_ra::certificates::visible_status(&c, now).as_str(),
            "not_before": c.not_before.rfc3339(), "not_after": c.not_after.rfc3339(),
            "pem": pem,
        }))?;
    } else {
        print!("{pem}");
    }
    ctx.store.close().await;
    Ok(exit::OK)
}

async fn block(global: &Global, serial: &str, reason: &str, now: UnixTime) -> anyhow::Result<u8> {
    let ctx = Context::open(global).await?;
    let done = ctx
        .ra_without_keys()?
        .block_by_serial(serial, reason, now)
        .await?;
    let b = &done.blocked;
    let c = &b.certificate;
    let at = c.blocked_at.map(UnixTime::rfc3339).unwrap_or_default();
    let why = c.block_reason.map(|r| r.as_str()).unwrap_or_default();
    if global.json {
        print_json(&serde_json::json!({
            "id": c.id, "serial": c.serial.to_string(), "issuer": c.issuer, "name": c.name,
            "status": c.status.as_str(), "blocked_at": at, "block_reason": why, "newly_blocked": b.newly,
            "told": done.told,
        }))?;
    } else if b.newly {
        let told = match &done.told {
            Some(to) => format!("{to} has been told"),
            None => "it has no contact person to tell".into(),
        };
        println!("blocked {} ({}) at {at}: {why}; {told}", c.serial, c.name);
    } else {
        println!(
            "{} ({}) was blocked already at {at}: {why}",
            c.serial, c.name
        );
    }
    ctx.store.close().await;
    Ok(exit::OK)
}
