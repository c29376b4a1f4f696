//! PKCS#12 files as the real service makes them (docs/DOMAIN.md): the key and its chain (leaf,
//! issuing CA, root), the key in PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC), a SHA-256
//! MAC, and friendlyName = the lower-cased certificate name.

/// Why a PKCS#12 could not be made (a bug: orgca made every input itself).
#[derive(Debug, thiserror::Error)]
#[error("building the PKCS#12 failed: {0}")]
pub struct Pkcs12Error(String);

/// Builds the PKCS#12. `key_pkcs8` is the private key (PKCS#8 DER), `chain` the
/// certificates (DER), leaf first.
pub fn build(
    key_pkcs8: &[u8],
    chain: &[&[u8]],
    friendly_name: &str,
    password: &str,
) -> Result<Vec<u8>, Pkcs12Error> {
    use p12_keystore::{
        Certificate, EncryptionAlgorithm, KeyStore, KeyStoreEntry, MacAlgorithm, PrivateKey,
        PrivateKeyChain,
    };
    let err = |e: p12_keystore::error::Error| Pkcs12Error(e.to_string());
    let certs = chain
        .iter()
        .map(|c| Certificate::from_der(c))
        .collect::<Result<Vec<_>, _>>()
        .map_err(err)?;
    let key = PrivateKey::from_der(key_pkcs8).map_err(err)?;
    let local_key_id = crate::ext::key_identifier(chain.first().copied().unwrap_or_default());
    let mut store = KeyStore::new();
    store.add_entry(
        &friendly_name.to_lowercase(),
        KeyStoreEntry::PrivateKeyChain(PrivateKeyChain::new(local_key_id.to_vec(), key, certs)),
    );
    store
        .writer(password)
        .encryption_algorithm(EncryptionAlgorithm::PbeWithHmacSha256AndAes256)
        .mac_algorithm(MacAlgorithm::HmacSha256)
        .write()
        .map_err(err)
}
