//! The `Signer` seam: the only place where orgca's private keys live.
//!
//! Software keys are held by aws-lc-rs (constant-time RSA and ECDSA, several times faster
//! than a pure-Rust RSA) and stored as PKCS#8 encrypted with a passphrase (PBES2: scrypt
//! and AES-256-CBC), which `openssl pkey -passin` also opens. The signing service's
//! one-shot keys live in memory or on a PKCS#11 token, and so may the CA keys
//! (`TokenCaKey`: made on the token, used through it, never exported); the key of a PKCS#12 delivery is
//! made here and leaves only packed inside its PKCS#12 (`DeliveryKey::into_pkcs12`).
//!
//! This crate must never write a private key unencrypted, log or print key material or
//! passphrases, or decide what to sign: callers (the `ca` crate) decide that.

mod one_shot;
mod pkcs11;
mod soft;
mod store;
mod token;
mod token_ca;

pub use one_shot::{OneShotKey, OneShotKeys};
pub use pkcs11::Pkcs11Keys;
pub use soft::{DeliveryKey, KeySpec, SoftKey};
pub use store::{load_key, save_key};
pub use token_ca::TokenCaKey;

use orgca_pki::SignatureAlgorithm;
use spki::SubjectPublicKeyInfoOwned;

/// Why a key operation failed.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The cryptographic library refused (key generation or signing failed).
    #[error("the key operation failed in the crypto library")]
    Crypto,
    /// A key file could not be decrypted: wrong passphrase, or not an encrypted key.
    #[error("cannot decrypt key {path}: wrong passphrase, or not an encrypted PKCS#8 key")]
    Decrypt {
        /// The file.
        path: String,
    },
    /// A decrypted key is not a key orgca can use.
    #[error("key {path} is not an RSA or P-256/P-384 key usable for signing")]
    Unusable {
        /// The file.
        path: String,
    },
    /// The key file exists already (keys are never overwritten).
    #[error("key file {0} exists already; orgca never overwrites a key")]
    Exists(String),
    /// Reading or writing a key file failed.
    #[error("key file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A PKCS#11 token refused or failed.
    #[error("PKCS#11: {0}")]
    Token(String),
    /// Encoding the encrypted key failed.
    #[error("encoding the encrypted key failed: {0}")]
    Encoding(String),
}

/// Something that signs with one private key. Implementations must be safe to call
/// from several threads at once.
pub trait Signer: Send + Sync {
    /// The algorithm this key signs with (written into the TBS before signing).
    fn algorithm(&self) -> SignatureAlgorithm;
    /// The public key.
    fn public_key(&self) -> &SubjectPublicKeyInfoOwned;
    /// Signs `message` (the DER of a TBS) and returns the raw signature value.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError>;
    /// Whether the key can sign now (a key on a token: the token is there and holds
    /// it; asking also reconnects to a token that is back). Software keys always can.
    fn check(&self) -> Result<(), KeyError> {
        Ok(())
    }
}
