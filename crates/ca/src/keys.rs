//! Where each CA's key is, as its recorded `key_ref` says: an encrypted file in the keys
//! folder, or an object on the CA token (`pkcs11:object=LABEL`, RFC 7512's spelling).
//! New keys are made where the operator chose ([`KeyHome`]).

use std::path::PathBuf;
use std::sync::Arc;

use orgca_keys::{KeySpec, Pkcs11Keys, Signer, SoftKey};

use crate::CaError;

/// How a `key_ref` names a key on the CA token.
const TOKEN_PREFIX: &str = "pkcs11:object=";

/// The audit key's label on the CA token, and (with `.key.pem`) its file's name.
const AUDIT_KEY: &str = "orgca-audit";

/// A CA key's place, read from its `key_ref`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyRef<'a> {
    /// A file of this name in the keys folder (PKCS#8, encrypted with the passphrase).
    File(&'a str),
    /// The key pair with this label on the CA token.
    Token(&'a str),
    /// Not on this machine: an offline root's, used only in ceremonies.
    Offline,
}

impl<'a> KeyRef<'a> {
    /// Reads a recorded `key_ref`.
    pub fn parse(key_ref: &'a str) -> KeyRef<'a> {
        if key_ref == crate::offline::OFFLINE_KEY {
            return KeyRef::Offline;
        }
        match key_ref.strip_prefix(TOKEN_PREFIX) {
            Some(label) => KeyRef::Token(label),
            None => KeyRef::File(key_ref),
        }
    }

    /// The `key_ref` to record.
    pub fn to_key_ref(self) -> String {
        match self {
            KeyRef::File(name) => name.to_owned(),
            KeyRef::Token(label) => format!("{TOKEN_PREFIX}{label}"),
            KeyRef::Offline => crate::offline::OFFLINE_KEY.to_owned(),
        }
    }
}

/// What opens the CA keys: the keys folder with its passphrase, and the CA token when one
/// is configured.
#[derive(Clone)]
pub struct CaKeys {
    /// The keys folder.
    pub dir: PathBuf,
    /// The passphrase of the key files.
    pub passphrase: Vec<u8>,
    /// Whether RSA keys sign with RSASSA-PSS.
    pub rsa_pss: bool,
    /// The CA token, logged in.
    pub token: Option<Arc<Pkcs11Keys>>,
}

impl std::fmt::Debug for CaKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaKeys")
            .field("dir", &self.dir)
            .field("token", &self.token.is_some())
            .finish_non_exhaustive()
    }
}

impl CaKeys {
    /// Key files only (no token): what tests and benchmarks use.
    pub fn files(dir: &std::path::Path, passphrase: &[u8], rsa_pss: bool) -> CaKeys {
        CaKeys {
            dir: dir.to_owned(),
            passphrase: passphrase.to_vec(),
            rsa_pss,
            token: None,
        }
    }

    /// The key a CA's `key_ref` names, ready to sign.
    pub fn open(&self, key_ref: &str) -> Result<Arc<dyn Signer>, CaError> {
        Ok(match KeyRef::parse(key_ref) {
            KeyRef::File(name) => Arc::new(orgca_keys::load_key(
                &self.dir.join(name),
                &self.passphrase,
                self.rsa_pss,
            )?),
            KeyRef::Token(label) => {
                let token = self.token.as_ref().ok_or_else(|| {
                    CaError::Key(orgca_keys::KeyError::Token(format!(
                        "the key {label:?} is on the CA token, and no CA token is configured \
                         ([ca_token] in the configuration)"
                    )))
                })?;
                Arc::new(token.ca_key(label, self.rsa_pss)?)
            }
            KeyRef::Offline => {
                return Err(CaError::Ceremony(
                    "this CA's key is offline: it signs only in a ceremony (`orgca ceremony`)"
                        .into(),
                ));
            }
        })
    }
}

impl CaKeys {
    /// The audit key that signs the audit chain's checkpoints (ECDSA P-256): on the CA
    /// token when one is configured, else the encrypted file `orgca-audit.key.pem` in the
    /// keys folder. `None` when it has not been made yet.
    pub fn audit_key(&self) -> Result<Option<Arc<dyn Signer>>, CaError> {
        match &self.token {
            Some(token) => {
                if !token.has_ca_key(AUDIT_KEY)? {
                    return Ok(None);
                }
                Ok(Some(Arc::new(token.ca_key(AUDIT_KEY, false)?)))
            }
            None => {
                let path = self.dir.join(crate::ceremony::key_file_name(AUDIT_KEY));
                if !path.exists() {
                    return Ok(None);
                }
                Ok(Some(Arc::new(orgca_keys::load_key(
                    &path,
                    &self.passphrase,
                    false,
                )?)))
            }
        }
    }

    /// The audit key, made first (where [`CaKeys::audit_key`] looks) when there is none.
    pub fn audit_key_or_make(&self) -> Result<Arc<dyn Signer>, CaError> {
        if let Some(k) = self.audit_key()? {
            return Ok(k);
        }
        Ok(match &self.token {
            Some(token) => Arc::new(token.generate_ca_key(AUDIT_KEY, KeySpec::P256, false)?),
            None => {
                let key = SoftKey::generate(KeySpec::P256, false)?;
                let path = self.dir.join(crate::ceremony::key_file_name(AUDIT_KEY));
                orgca_keys::save_key(&key, &path, &self.passphrase)?;
                Arc::new(key)
            }
        })
    }
}

/// Where a ceremony makes new CA keys.
#[derive(Clone, Copy)]
pub enum KeyHome<'a> {
    /// Files in the keys folder, encrypted with the passphrase.
    Files(&'a CaKeys),
    /// The CA token (made there, never leaving it).
    Token(&'a Pkcs11Keys, bool),
}

/// A key a ceremony has just made, not yet kept.
pub(crate) enum NewKey {
    /// In memory, to be written when the ceremony succeeds.
    Soft(SoftKey),
    /// On the token already, to be removed if the ceremony fails.
    Token(orgca_keys::TokenCaKey),
}

impl NewKey {
    pub(crate) fn signer(&self) -> &dyn Signer {
        match self {
            NewKey::Soft(k) => k,
            NewKey::Token(k) => k,
        }
    }
}

impl KeyHome<'_> {
    /// Makes the key of the CA `id`.
    pub(crate) fn generate(&self, id: &str, spec: KeySpec) -> Result<NewKey, CaError> {
        Ok(match self {
            KeyHome::Files(keys) => NewKey::Soft(SoftKey::generate(spec, keys.rsa_pss)?),
            KeyHome::Token(token, rsa_pss) => {
                NewKey::Token(token.generate_ca_key(id, spec, *rsa_pss)?)
            }
        })
    }

    /// The `key_ref` of the CA `id`'s key made here.
    pub(crate) fn key_ref(&self, id: &str) -> String {
        match self {
            KeyHome::Files(_) => KeyRef::File(&crate::ceremony::key_file_name(id)).to_key_ref(),
            KeyHome::Token(..) => KeyRef::Token(id).to_key_ref(),
        }
    }

    /// Keeps `keys` (writes the software ones); on failure removes every one of them.
    pub(crate) fn keep(&self, keys: &[(&String, &NewKey)]) -> Result<(), CaError> {
        let mut written: Vec<PathBuf> = Vec::new();
        let mut failed = None;
        if let KeyHome::Files(ca_keys) = self {
            for (id, key) in keys {
                if let NewKey::Soft(k) = key {
                    let path = ca_keys.dir.join(crate::ceremony::key_file_name(id));
                    if let Err(e) = orgca_keys::save_key(k, &path, &ca_keys.passphrase) {
                        failed = Some(e.into());
                        break;
                    }
                    written.push(path);
                }
            }
        }
        match failed {
            None => Ok(()),
            Some(e) => {
                for p in &written {
                    let _ = std::fs::remove_file(p);
                }
                Err(e)
            }
        }
    }

    /// Removes the key of the CA `id` kept here (`key_ref`), when recording its
    /// certificate failed afterwards: nothing is left that no record names.
    pub fn forget(&self, id: &str, key_ref: &str) {
        match (self, KeyRef::parse(key_ref)) {
            (KeyHome::Files(keys), KeyRef::File(name)) => {
                let _ = std::fs::remove_file(keys.dir.join(name));
            }
            (KeyHome::Token(token, _), KeyRef::Token(label)) if label == id => {
                let _ = token.destroy_ca_key(label);
            }
            _ => {}
        }
    }

    /// Removes keys made on the token by a ceremony that failed before they were kept.
    pub(crate) fn discard(&self, keys: &[(&String, &NewKey)]) {
        if let KeyHome::Token(token, _) = self {
            for (id, key) in keys {
                if matches!(key, NewKey::Token(_)) {
                    let _ = token.destroy_ca_key(id);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::KeyRef;

    #[test]
    fn key_refs_name_a_file_or_a_token_object() {
        assert_eq!(
            KeyRef::parse("test-root.key.pem"),
            KeyRef::File("test-root.key.pem")
        );
        assert_eq!(
            KeyRef::parse("pkcs11:object=production-root"),
            KeyRef::Token("production-root")
        );
        assert_eq!(KeyRef::parse("offline"), KeyRef::Offline);
        for r in [
            KeyRef::File("a.key.pem"),
            KeyRef::Token("production-issuing-1"),
            KeyRef::Offline,
        ] {
            assert_eq!(KeyRef::parse(&r.to_key_ref()), r);
        }
    }
}
