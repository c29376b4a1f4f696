//! Throw-away keys for the signing service: each is generated for one signature, signs
//! exactly once (the signing call consumes it) and is destroyed right after.
//!
//! The store stands in for a QSCD: software keys live only in this process's memory as
//! aws-lc ECDSA P-256 keys (aws-lc wipes a key's memory when it is freed), or, when
//! configured, on a PKCS#11 token as session objects (`pkcs11.rs`). The store counts the
//! keys alive, so that a test or an operator can see none is left behind.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use orgca_pki::SignatureAlgorithm;
use spki::SubjectPublicKeyInfoOwned;

use crate::pkcs11::{Pkcs11Keys, TokenKey};
use crate::{KeyError, KeySpec, Signer, SoftKey};

/// Where single-use keys are made. Cheap to clone; clones share the count.
#[derive(Clone, Debug, Default)]
pub struct OneShotKeys {
    token: Option<Arc<Pkcs11Keys>>,
    live: Arc<AtomicUsize>,
    made: Arc<AtomicUsize>,
}

impl OneShotKeys {
    /// An in-memory store (software keys).
    pub fn in_memory() -> OneShotKeys {
        OneShotKeys::default()
    }

    /// A store on a PKCS#11 token.
    pub fn on_token(token: Pkcs11Keys) -> OneShotKeys {
        OneShotKeys {
            token: Some(Arc::new(token)),
            live: Arc::default(),
            made: Arc::default(),
        }
    }

    /// Whether keys are made on a PKCS#11 token.
    pub fn is_token(&self) -> bool {
        self.token.is_some()
    }

    /// A fresh ECDSA P-256 key (generating one costs microseconds in software, so there
    /// is no pool).
    pub fn generate(&self) -> Result<OneShotKey, KeyError> {
        let key = match &self.token {
            Some(t) => Key::Token(t.generate()?),
            None => Key::Soft(SoftKey::generate(KeySpec::P256, false)?),
        };
        self.live.fetch_add(1, Ordering::SeqCst);
        self.made.fetch_add(1, Ordering::SeqCst);
        Ok(OneShotKey {
            key,
            live: self.live.clone(),
        })
    }

    /// How many keys exist now (generated and not yet destroyed).
    pub fn live(&self) -> usize {
        self.live.load(Ordering::SeqCst)
    }

    /// How many keys were ever made here.
    pub fn made(&self) -> usize {
        self.made.load(Ordering::SeqCst)
    }
}

enum Key {
    Soft(SoftKey),
    Token(TokenKey),
}

/// A key that signs one message and is then gone. Dropping it unused destroys it too.
pub struct OneShotKey {
    key: Key,
    live: Arc<AtomicUsize>,
}

impl std::fmt::Debug for OneShotKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OneShotKey").finish_non_exhaustive()
    }
}

impl OneShotKey {
    /// The public key, to be certified.
    pub fn public_key(&self) -> &SubjectPublicKeyInfoOwned {
        match &self.key {
            Key::Soft(k) => k.public_key(),
            Key::Token(k) => k.public_key(),
        }
    }

    /// The algorithm it signs with (ECDSA with SHA-256: every single-use key is P-256).
    pub fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::EcdsaSha256
    }

    /// Signs `message` (ECDSA, SHA-256, DER) and destroys the key.
    pub fn sign_once(self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        match &self.key {
            Key::Soft(k) => k.sign(message),
            Key::Token(k) => k.sign(message),
        }
    }
}

impl Drop for OneShotKey {
    fn drop(&mut self) {
        self.live.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_counted_until_it_has_signed_or_is_dropped() {
        let keys = OneShotKeys::in_memory();
        let a = keys.generate().expect("key");
        let b = keys.generate().expect("key");
        assert_eq!(keys.live(), 2);
        let sig = a.sign_once(b"message").expect("sign");
        assert!(!sig.is_empty());
        assert_eq!(keys.live(), 1);
        drop(b);
        assert_eq!(keys.live(), 0);
    }
}
