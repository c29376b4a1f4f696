//! `orgca cert import FILE...`: certificates this orgca issued that its store lost (those
//! issued after the backup a restore came from), put back from their PEM files. Each must
//! be signed by one of the store's issuing CAs and name an organisation the store holds.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use der::{Decode as _, Encode as _};
use orgca_model::UnixTime;
use orgca_pki::issued::{IssuedLeaf, read_issued};
use orgca_store::{CaCertificate, CaRole, NewCertificate, SerialIntent};
use sha2::{Digest as _, Sha256};

use crate::cli::Global;
use crate::cmd::print_json;
use crate::context::Context;
use crate::exit::{self, Refused};

/// A PEM file larger than this is refused unread.
const MAX_FILE: u64 = 4 << 20;

/// What became of one certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
enum ImportResult {
    /// Recorded as issued.
    Imported,
    /// Already in the store.
    Present,
    /// Not imported (the detail says why).
    Refused,
}

impl ImportResult {
    fn as_str(self) -> &'static str {
        match self {
            ImportResult::Imported => "imported",
            ImportResult::Present => "present",
            ImportResult::Refused => "refused",
        }
    }
}

/// One certificate's outcome.
#[derive(Debug, serde::Serialize)]
struct Outcome {
    file: String,
    serial: String,
    result: ImportResult,
    detail: String,
}

/// Runs `cert import`: every certificate of every file; exits 1 when any is refused (the
/// others are still imported: each is its own transaction).
pub async fn run(global: &Global, files: &[PathBuf], now: UnixTime) -> anyhow::Result<u8> {
    let ctx = Context::open(global).await?;
    let settings = ctx.config.settings()?;
    let all_cas = ctx.store.ca().list().await?;
    let cas: Vec<CaCertificate> = all_cas
        .iter()
        .filter(|c| c.role == CaRole::Issuing)
        .cloned()
        .collect();
    let mut outcomes = Vec::new();
    let mut chain_certificates = 0;
    for file in files {
        for der in read_pem_file(file)? {
            // `orgca cert get` prints the chain after the certificate: the store's own CA
            // certificates are passed over.
            if all_cas.iter().any(|c| c.der == der) {
                chain_certificates += 1;
                continue;
            }
            let outcome = match import_one(&ctx, &cas, &der, settings.crl_partitions, now).await {
                Ok((serial, result, detail)) => Outcome {
                    file: file.display().to_string(),
                    serial,
                    result,
                    detail,
                },
                Err(e) => Outcome {
                    file: file.display().to_string(),
                    serial: String::new(),
                    result: ImportResult::Refused,
                    detail: format!("{e:#}"),
                },
            };
            outcomes.push(outcome);
        }
    }
    ctx.store.close().await;
    let count = |what: ImportResult| outcomes.iter().filter(|o| o.result == what).count();
    let refused = count(ImportResult::Refused);
    if global.json {
        print_json(&outcomes)?;
    } else {
        for o in &outcomes {
            println!(
                "{}: {} {} ({})",
                o.file,
                o.result.as_str(),
                o.serial,
                o.detail
            );
        }
        println!(
            "{} imported, {} already present, {refused} refused ({chain_certificates} CA \
             certificates of this store passed over)",
            count(ImportResult::Imported),
            count(ImportResult::Present)
        );
    }
    Ok(if refused == 0 {
        exit::OK
    } else {
        exit::REFUSED
    })
}

/// Every certificate of a PEM file, DER.
fn read_pem_file(file: &Path) -> anyhow::Result<Vec<Vec<u8>>> {
    let meta = std::fs::metadata(file)
        .map_err(|e| Refused(format!("cannot read {}: {e}", file.display())))?;
    if meta.len() > MAX_FILE {
        return Err(Refused(format!(
            "{} is {} bytes: give the certificates' PEM files (at most {MAX_FILE} bytes each)",
            file.display(),
            meta.len()
        ))
        .into());
    }
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let certs = x509_cert::Certificate::load_pem_chain(&bytes).map_err(|e| {
        Refused(format!(
            "{} is not a PEM file of certificates ({e})",
            file.display()
        ))
    })?;
    certs
        .iter()
        .map(|c| Ok(c.to_der()?))
        .collect::<anyhow::Result<Vec<_>>>()
}

/// The issuing CA that signed `leaf`, its signature checked.
fn issuer_of<'c>(cas: &'c [CaCertificate], leaf: &IssuedLeaf) -> anyhow::Result<&'c CaCertificate> {
    for ca in cas {
        let cert = x509_cert::Certificate::from_der(&ca.der)
            .with_context(|| format!("reading CA certificate {}", ca.name))?;
        let subject = cert.tbs_certificate().subject().to_der()?;
        if subject != leaf.issuer_name {
            continue;
        }
        let spki = cert.tbs_certificate().subject_public_key_info();
        if orgca_ca::verify(leaf.signature_algorithm, spki, &leaf.tbs, &leaf.signature).is_ok() {
            return Ok(ca);
        }
    }
    Err(Refused(
        "it is not signed by any issuing CA of this store: only certificates this orgca \
         issued can be imported"
            .into(),
    )
    .into())
}

async fn import_one(
    ctx: &Context,
    cas: &[CaCertificate],
    der: &[u8],
    partitions: u16,
    now: UnixTime,
) -> anyhow::Result<(String, ImportResult, String)> {
    let leaf = read_issued(der).map_err(|e| Refused(format!("not an orgca certificate: {e}")))?;
    let serial = leaf.serial.to_string();
    let ca = issuer_of(cas, &leaf)?;
    if let Some(c) = ctx.store.certificate_by_serial(&serial).await? {
        if c.der != der {
            return Err(Refused(format!(
                "the store holds another certificate with serial {serial}"
            ))
            .into());
        }
        return Ok((
            serial,
            ImportResult::Present,
            format!("{} {}", c.kind.as_str(), c.name),
        ));
    }
    let org = ctx.store.orgs().by_cvr(&leaf.cvr).await?.ok_or_else(|| {
        Refused(format!(
            "it names CVR {}, an organisation this store does not hold: create it first",
            leaf.cvr
        ))
    })?;
    if org.environment != ca.environment {
        return Err(Refused(format!(
            "it was issued by the {} CA {} for the {} organisation {}",
            ca.environment.as_str(),
            ca.name,
            org.environment.as_str(),
            org.cvr
        ))
        .into());
    }
    let tbs_sha256: [u8; 32] = Sha256::digest(&leaf.tbs).into();
    let stored_partitions = ctx
        .store
        .status()
        .crl_partitions(&ca.name, partitions)
        .await?;
    let crl_shard =
        (stored_partitions > 0).then(|| orgca_ca::partition_of(&leaf.serial, stored_partitions));
    ctx.store
        .ca()
        .reserve_serial(&SerialIntent {
            serial: leaf.serial,
            issuer: ca.name.clone(),
            org_id: org.id,
            kind: leaf.kind,
            subject_uuid: leaf.subject_uuid,
            tbs_sha256,
            at: now,
        })
        .await?;
    let cert = NewCertificate {
        id: uuid::Uuid::new_v4(),
        serial: leaf.serial,
        issuer: ca.name.clone(),
        crl_shard,
        org_id: org.id,
        kind: leaf.kind,
        name: leaf.common_name.clone(),
        subject_uuid: leaf.subject_uuid,
        email: leaf.email.clone(),
        fingerprint: hex::encode(Sha256::digest(der)),
        tbs_sha256,
        order_id: None,
        not_before: leaf.not_before,
        not_after: leaf.not_after,
        der: der.to_vec(),
    };
    ctx.store
        .issuance()
        .commit(&cert, "operator:import", now)
        .await?;
    Ok((
        serial,
        ImportResult::Imported,
        format!(
            "{} {} of {}, issued {}",
            leaf.kind.as_str(),
            leaf.common_name,
            org.cvr,
            leaf.not_before.rfc3339()
        ),
    ))
}
