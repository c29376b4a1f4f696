//! The seal of a backup archive: a signed note over the manifest, made with the audit key
//! when the backup is written. Before an archive is trusted, its seal is checked with the
//! archive's own audit key, which opens only with the passphrase (or is on the CA token):
//! an archive altered anywhere, even with its manifest's hashes made again, or written by
//! another instance, is refused.

use std::path::Path;
use std::sync::Arc;

use orgca_backup::Opened;
use orgca_ca::checkpoint::audit_origin;
use orgca_keys::Signer;

use crate::config::{Config, DataDir};
use crate::context::{CA_TOKEN_PIN_ENV, Context, PASSPHRASE_ENV, open_token, passphrase_from_env};
use crate::exit::Refused;

/// An audit key and the origin it signs for.
pub struct AuditKey {
    /// The key.
    pub key: Arc<dyn Signer>,
    /// The instance's audit origin (the signed notes' key name).
    pub origin: String,
}

/// The running instance's audit key, to seal a backup with.
pub fn of_instance(ctx: &Context) -> anyhow::Result<AuditKey> {
    let keys = ctx.ca_keys().map_err(|e| {
        Refused(format!(
            "a backup is sealed with the audit key, which opens with the passphrase: {e:#}"
        ))
    })?;
    let key = keys.audit_key()?.ok_or_else(|| {
        Refused(
            "there is no audit key yet: run `orgca audit checkpoint` once (it makes the key), \
             then back up"
                .into(),
        )
    })?;
    Ok(AuditKey {
        key,
        origin: audit_origin(&ctx.config.settings()?.public_base_url),
    })
}

/// The audit key of the archive unpacked in `dir` (its own `keys/` and `config.toml`),
/// opened with ORGCA_KEY_PASSPHRASE or through its CA token. `Ok(Err(why))` when it cannot
/// be opened here for want of the passphrase or the token; a key that does not open with
/// the passphrase given is refused.
pub fn of_archive(dir: &Path) -> anyhow::Result<Result<AuditKey, String>> {
    let data = DataDir {
        root: dir.to_owned(),
    };
    let config = Config::load(&data)?;
    let origin = audit_origin(&config.settings()?.public_base_url);
    let token = match &config.ca_token {
        None => None,
        Some(t) => match open_token(&data, t, CA_TOKEN_PIN_ENV, "the CA token") {
            Ok(token) => Some(Arc::new(token)),
            Err(e) => return Ok(Err(format!("the audit key is on the CA token: {e:#}"))),
        },
    };
    let passphrase = match (passphrase_from_env(), &token) {
        (Some(p), _) => p,
        (None, Some(_)) => Vec::new(),
        (None, None) => {
            return Ok(Err(format!(
                "set {PASSPHRASE_ENV}: the archive's audit key opens with it"
            )));
        }
    };
    let keys = orgca_ca::CaKeys {
        dir: data.keys(),
        passphrase,
        rsa_pss: config.rsa_pss(),
        token,
    };
    match keys.audit_key() {
        Ok(Some(key)) => Ok(Ok(AuditKey { key, origin })),
        Ok(None) => Err(Refused(
            "the archive holds no audit key, and orgca seals every backup with one".into(),
        )
        .into()),
        Err(e) => Err(Refused(format!(
            "the archive's audit key does not open with this passphrase ({e}): the passphrase \
             is wrong, or the archive is another instance's"
        ))
        .into()),
    }
}

/// Checks the archive's seal with `key`; answers the key's signed-note ID.
pub fn check(opened: &Opened, key: &AuditKey) -> anyhow::Result<String> {
    let seal = opened.seal.as_deref().ok_or_else(|| {
        Refused("the archive has no seal, and orgca seals every backup: it was taken apart".into())
    })?;
    orgca_ca::seal::check_seal(seal, key.key.as_ref(), &key.origin, &opened.manifest_bytes).map_err(
        |why| {
            Refused(format!(
                "the archive's seal does not hold ({why}): it was altered, or written by another \
                 instance"
            ))
            .into()
        },
    )
}
