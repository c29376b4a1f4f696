//! Throw-away keys for the signing service: each is generated for one signature, signs
//! exactly once (the signing call consumes it) and is destroyed right after.
//!
//! The store stands in for a QSCD. Software keys live only in this process's memory as
//! aws-lc ECDSA P-256 keys; aws-lc wipes a key's memory when it is freed. The store
//! counts the keys alive, so that a test or an operator can see none is left behind.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use orgca_pki::SignatureAlgorithm;
use spki::SubjectPublicKeyInfoOwned;

use crate::{KeyError, KeySpec, Signer, SoftKey};

/// Where single-use keys are made. Cheap to clone; clones share the count.
#[derive(Clone, Debug, Default)]
pub struct OneShotKeys {
    live: Arc<AtomicUsize>,
}

impl OneShotKeys {
    /// An in-memory store (software keys).
    pub fn in_memory() -> OneShotKeys {
        OneShotKeys::default()
    }

    /// A fresh ECDSA P-256 key (generating one costs microseconds, so there is no pool).
    pub fn generate(&self) -> Result<OneShotKey, KeyError> {
        let key = SoftKey::generate(KeySpec::P256, false)?;
        self.live.fetch_add(1, Ordering::SeqCst);
        Ok(OneShotKey {
            key,
            live: self.live.clone(),
        })
    }

    /// How many keys exist now (generated and not yet destroyed).
    pub fn live(&self) -> usize {
        self.live.load(Ordering::SeqCst)
    }
}

/// A key that signs one message and is then gone. Dropping it unused destroys it too.
pub struct OneShotKey {
    key: SoftKey,
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
        self.key.public_key()
    }

    /// The algorithm it signs with.
    pub fn algorithm(&self) -> SignatureAlgorithm {
        self.key.algorithm()
    }

    /// Signs `message` and destroys the key.
    pub fn sign_once(self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        self.key.sign(message)
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
