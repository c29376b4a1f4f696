//! Signed checkpoints of the audit chain. The chain alone proves the order and content
//! of events relative to each other, but whoever can write the database can rewrite it
//! from some event on and recompute every hash. A checkpoint is the chain head (its
//! sequence number and hash) in a signed note (c2sp.org/signed-note and tlog-checkpoint,
//! ECDSA P-256), signed by the audit key, which lives where the CA keys do (the CA token
//! when there is one) and never in the database: a rewrite of anything before the last
//! checkpoint no longer matches it.

use orgca_keys::Signer;
use orgca_model::UnixTime;
use orgca_pki::note::{self, Checkpoint};
use orgca_store::AuditLog;
use serde::Serialize;

use crate::CaError;

/// The origin line and key name of the audit checkpoints of the instance whose public
/// base URL is `public_base_url`: its host, then `/orgca-audit`.
pub fn audit_origin(public_base_url: &str) -> String {
    let host = public_base_url
        .split_once("://")
        .map_or(public_base_url, |(_, rest)| rest)
        .split(['/', '?', '#'])
        .next()
        .unwrap_or("");
    format!("{host}/orgca-audit")
}

/// What signs the checkpoints of one instance: its audit trail, its audit key (made on
/// first use where the CA keys are) and its origin.
#[derive(Clone)]
pub struct Anchor {
    log: AuditLog,
    key: std::sync::Arc<dyn Signer>,
    origin: String,
}

impl Anchor {
    /// The anchor of the instance whose public base URL is `public_base_url`.
    pub fn new(
        log: AuditLog,
        keys: &crate::CaKeys,
        public_base_url: &str,
    ) -> Result<Anchor, CaError> {
        Ok(Anchor {
            log,
            key: keys.audit_key_or_make()?,
            origin: audit_origin(public_base_url),
        })
    }

    /// Signs a checkpoint now (see [`sign_checkpoint`]).
    pub async fn sign(&self, actor: &str, now: UnixTime) -> Result<Option<i64>, CaError> {
        sign_checkpoint(&self.log, self.key.as_ref(), &self.origin, actor, now).await
    }
}

/// Signs a checkpoint of the chain as it stands and records it (with its event). Answers
/// the position covered, or `None` when nothing was appended since the last checkpoint
/// but that checkpoint's own event.
pub async fn sign_checkpoint(
    log: &AuditLog,
    key: &dyn Signer,
    origin: &str,
    actor: &str,
    now: UnixTime,
) -> Result<Option<i64>, CaError> {
    let (seq, head_hash) = log.head().await?;
    if let Some(last) = log.checkpoints().await?.last()
        && seq <= last.seq + 1
    {
        return Ok(None);
    }
    let hash: [u8; 32] = hex::decode(&head_hash)
        .ok()
        .and_then(|h| h.try_into().ok())
        .ok_or_else(|| {
            CaError::SelfCheck(format!(
                "the chain head's hash {head_hash:?} is not SHA-256 hex"
            ))
        })?;
    let checkpoint = Checkpoint {
        origin: origin.to_owned(),
        size: u64::try_from(seq).unwrap_or(0),
        hash,
        extensions: vec![format!("time {}", now.secs())],
    };
    let text = checkpoint.text();
    let spki = spki_der(key)?;
    let signature = key.sign(text.as_bytes())?;
    let signed = note::signed(&text, origin, &spki, &signature);
    // The signature must open with the public key before it is stored.
    note::open(&signed, origin, &spki).map_err(|e| CaError::SelfCheck(e.to_string()))?;
    let details =
        serde_json::json!({ "key_id": hex::encode(note::key_id(&spki)), "hash": head_hash });
    log.record_checkpoint(seq, &signed, details, actor, now)
        .await?;
    Ok(Some(seq))
}

/// What checking the checkpoints found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckpointReport {
    /// The audit key's signed-note key ID (hex): compare it with the one you wrote down.
    pub key_id: String,
    /// Checkpoints whose signature verifies and whose position holds the hash they sign.
    pub verified: usize,
    /// The last such position.
    pub last_verified: Option<i64>,
    /// The first checkpoint that fails, and why.
    pub first_failure: Option<(i64, String)>,
}

/// Checks every stored checkpoint against `key` (its public part) and the stored chain,
/// and that every `audit.checkpoint` event still has its checkpoint.
pub async fn verify_checkpoints(
    log: &AuditLog,
    key: &dyn Signer,
    origin: &str,
) -> Result<CheckpointReport, CaError> {
    let spki = spki_der(key)?;
    let mut report = CheckpointReport {
        key_id: hex::encode(note::key_id(&spki)),
        verified: 0,
        last_verified: None,
        first_failure: None,
    };
    let stored = log.checkpoints().await?;
    for c in &stored {
        if let Err(why) = check_one(log, c.seq, &c.note, origin, &spki).await? {
            report.first_failure = Some((c.seq, why));
            return Ok(report);
        }
        report.verified += 1;
        report.last_verified = Some(c.seq);
    }
    for seq in log.checkpointed_positions().await? {
        if !stored.iter().any(|c| c.seq == seq) {
            report.first_failure = Some((
                seq,
                "an audit.checkpoint event names this position, and its checkpoint is gone".into(),
            ));
            break;
        }
    }
    Ok(report)
}

/// `Ok(Err(why))` when the checkpoint at `seq` does not hold.
async fn check_one(
    log: &AuditLog,
    seq: i64,
    signed: &str,
    origin: &str,
    spki: &[u8],
) -> Result<Result<(), String>, CaError> {
    let text = match note::open(signed, origin, spki) {
        Ok(t) => t,
        Err(e) => return Ok(Err(e.to_string())),
    };
    let checkpoint = match Checkpoint::parse(text) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e.to_string())),
    };
    if checkpoint.origin != origin || i64::try_from(checkpoint.size).ok() != Some(seq) {
        return Ok(Err(format!(
            "it is signed for {} at {}, and stored for {origin} at {seq}",
            checkpoint.origin, checkpoint.size
        )));
    }
    let stored = log.hash_at(seq).await?;
    if stored.as_deref() != Some(hex::encode(checkpoint.hash).as_str()) {
        return Ok(Err(
            "the chain no longer holds the hash it signed: events up to here were rewritten".into(),
        ));
    }
    Ok(Ok(()))
}

pub(crate) fn spki_der(key: &dyn Signer) -> Result<Vec<u8>, CaError> {
    use der::Encode;
    key.public_key()
        .to_der()
        .map_err(|e| CaError::SelfCheck(format!("encoding the audit key's public key: {e}")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_origin_is_the_host_of_the_public_url() {
        assert_eq!(
            super::audit_origin("http://pki.example.com"),
            "pki.example.com/orgca-audit"
        );
        assert_eq!(
            super::audit_origin("https://a.dk:8443/x?y"),
            "a.dk:8443/orgca-audit"
        );
    }
}
