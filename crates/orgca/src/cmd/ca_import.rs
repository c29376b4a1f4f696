//! `orgca ca import`: what an offline root's ceremonies made, brought to the serving
//! side. Each file is recognised by what it holds: a certificate for a waiting request
//! (checked, then kept; an issuing CA becomes the current one), a CRL of a root (checked,
//! then served until its nextUpdate), or a ceremony record (appended to the audit trail
//! once its signature verifies with the record key given). Nothing is kept from a file
//! that does not pass its checks.

use std::path::Path;

use anyhow::Context as _;
use orgca_model::UnixTime;
use orgca_pki::encode::pem_block;
use orgca_store::{CaRole, Keeping};

use crate::cmd::ca::requests_dir;
use crate::context::Context;
use crate::exit::Refused;

/// What a file holds.
enum Input {
    Certificate(Vec<u8>),
    Crl(Vec<u8>),
    Record(String),
}

fn classify(path: &Path) -> anyhow::Result<Input> {
    let bytes =
        std::fs::read(path).map_err(|e| Refused(format!("cannot read {}: {e}", path.display())))?;
    if bytes.starts_with(orgca_ca::record::RECORD_TITLE.as_bytes()) {
        return Ok(Input::Record(String::from_utf8(bytes).map_err(|_| {
            Refused(format!("{}: a record is UTF-8 text", path.display()))
        })?));
    }
    if let Some(der) = pem_block(&bytes, "CERTIFICATE") {
        return Ok(Input::Certificate(der));
    }
    if let Some(der) = pem_block(&bytes, "X509 CRL") {
        return Ok(Input::Crl(der));
    }
    use der::Decode;
    if x509_cert::Certificate::from_der(&bytes).is_ok() {
        return Ok(Input::Certificate(bytes));
    }
    if x509_cert::crl::CertificateList::<x509_cert::certificate::Rfc5280>::from_der(&bytes).is_ok()
    {
        return Ok(Input::Crl(bytes));
    }
    Err(Refused(format!(
        "{} is neither a certificate, a CRL nor a ceremony record",
        path.display()
    ))
    .into())
}

/// Imports `files`.
pub async fn run(
    ctx: &Context,
    files: &[std::path::PathBuf],
    record_key: Option<&Path>,
    now: UnixTime,
) -> anyhow::Result<()> {
    let inputs = files
        .iter()
        .map(|f| classify(f).map(|i| (f, i)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let record_key = match record_key {
        None => None,
        Some(path) => {
            let bytes = std::fs::read(path)
                .map_err(|e| Refused(format!("cannot read {}: {e}", path.display())))?;
            Some(
                pem_block(&bytes, "PUBLIC KEY")
                    .ok_or_else(|| Refused(format!("{} holds no PUBLIC KEY", path.display())))?,
            )
        }
    };
    for (path, input) in inputs {
        let what = match input {
            Input::Certificate(der) => certificate(ctx, &der, now).await?,
            Input::Crl(der) => crl(ctx, &der, now).await?,
            Input::Record(note) => {
                let key = record_key.as_deref().ok_or_else(|| {
                    Refused(format!(
                        "{} is a ceremony record: give --record-key (the ceremony folder's record-key.pem)",
                        path.display()
                    ))
                })?;
                record(ctx, &note, key, now).await?
            }
        };
        println!("{}: {what}", path.display());
    }
    ctx.checkpoint("operator", now).await?;
    Ok(())
}

/// A certificate for one of the requests waiting in `requests/`.
async fn certificate(ctx: &Context, der: &[u8], now: UnixTime) -> anyhow::Result<String> {
    use der::Decode;
    let cert = x509_cert::Certificate::from_der(der)?;
    let spki = cert.tbs_certificate().subject_public_key_info();
    let keys = ctx.ca_keys()?;
    let dir = requests_dir(&ctx.data);
    let mut waiting = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            let path = e.path();
            if path.extension().is_some_and(|x| x == "csr")
                && let Some(id) = path.file_stem().and_then(|s| s.to_str())
            {
                waiting.push(id.to_owned());
            }
        }
    }
    for id in waiting {
        let key_ref_path = dir.join(format!("{id}.key-ref"));
        let key_ref = std::fs::read_to_string(&key_ref_path)
            .with_context(|| format!("reading {}", key_ref_path.display()))?;
        let key_ref = key_ref.trim();
        let key = keys
            .open(key_ref)
            .with_context(|| format!("the key of {id}"))?;
        if key.public_key() != spki {
            continue;
        }
        let role = if id.contains("-signing-") {
            CaRole::Signing
        } else {
            CaRole::Issuing
        };
        let cas = ctx.store.ca().list().await?;
        let root = cas
            .iter()
            .find(|c| c.role == CaRole::Root && id.starts_with(c.environment.as_str()))
            .ok_or_else(|| Refused(format!("no root in the store for {id}")))?;
        let made = orgca_ca::offline::accept(
            root,
            (&id, key_ref, &key),
            role,
            der,
            &ctx.config.settings()?,
            &ctx.config.signing_policies()?,
        )?;
        let done = match role {
            CaRole::Issuing => {
                let previous = ctx.store.ca().roll_over(&made, "operator", now).await?;
                match previous {
                    Some(p) => format!(
                        "{id} issues from now on (after `orgca serve` restarts); {p} keeps its CRL and OCSP"
                    ),
                    None => format!("{id} issues from now on (after `orgca serve` restarts)"),
                }
            }
            _ => {
                if cas
                    .iter()
                    .any(|c| c.role == CaRole::Signing && c.environment == root.environment)
                {
                    return Err(Refused(format!(
                        "the {} hierarchy has its signing CA already",
                        root.environment
                    ))
                    .into());
                }
                ctx.store
                    .ca()
                    .add_ca_certificates(std::slice::from_ref(&made), "operator", now)
                    .await?;
                format!("{id} signs for the signing service (after `orgca serve` restarts)")
            }
        };
        let _ = std::fs::remove_file(dir.join(format!("{id}.csr")));
        let _ = std::fs::remove_file(&key_ref_path);
        return Ok(done);
    }
    Err(Refused(
        "the certificate is for no request waiting in requests/ (`orgca ca list` shows the CAs kept)"
            .into(),
    )
    .into())
}

/// A CRL of a root in the store.
async fn crl(ctx: &Context, der: &[u8], now: UnixTime) -> anyhow::Result<String> {
    let cas = ctx.store.ca().list().await?;
    let mut why = Vec::new();
    for root in cas.iter().filter(|c| c.role == CaRole::Root) {
        let kept = match orgca_ca::offline::read_root_crl(root, der) {
            Ok(k) => k,
            Err(e) => {
                why.push(e.to_string());
                continue;
            }
        };
        return match ctx.store.ca().keep_crl(&kept, "operator", now).await? {
            Keeping::Kept => Ok(format!(
                "CRL number {} of {} kept; served until {} (from the next start of `orgca serve`)",
                kept.number,
                root.name,
                kept.next_update.rfc3339()
            )),
            Keeping::NotNewer { published } => Err(Refused(format!(
                "CRL number {} of {} is not above {published}, the highest already published: \
                 relying parties would see the number go back. Sign a new one in a ceremony",
                kept.number, root.name
            ))
            .into()),
        };
    }
    Err(Refused(format!(
        "the CRL is of no root in the store: {}",
        why.join("; ")
    ))
    .into())
}

/// A ceremony record, checked with the record key `spki_der`.
async fn record(
    ctx: &Context,
    note: &str,
    spki_der: &[u8],
    now: UnixTime,
) -> anyhow::Result<String> {
    orgca_ca::record::open_record(note, spki_der)?;
    let digest = hex::encode(orgca_pki::cms::sha256(&[note.as_bytes()]));
    let key_id = hex::encode(orgca_pki::note::key_id(spki_der));
    let appended = ctx
        .store
        .audit()
        .record_ceremony(note, &digest, &key_id, now)
        .await?;
    Ok(if appended {
        format!("ceremony record appended to the audit trail (record key {key_id})")
    } else {
        "ceremony record already in the audit trail".to_owned()
    })
}
