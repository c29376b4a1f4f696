//! Loading the issuing CAs recorded in the store, with their keys from the keys folder.

use std::path::Path;
use std::sync::Arc;

use orgca_keys::Signer;
use orgca_store::{CaRole, CaStore, StoreError};

use crate::{CaError, IssuingCa, Settings};

/// Every issuing CA in the store, each with its decrypted key and its root. A key that
/// is missing or does not open is an error naming the CA.
pub async fn load_issuing_cas(
    store: &CaStore,
    keys_dir: &Path,
    passphrase: &[u8],
    rsa_pss: bool,
    settings: &Settings,
) -> Result<Vec<IssuingCa>, CaError> {
    let all = store.list().await?;
    let mut out = Vec::new();
    for ca in all.iter().filter(|c| c.role == CaRole::Issuing) {
        let root = ca
            .parent
            .as_deref()
            .and_then(|p| all.iter().find(|c| c.name == p))
            .ok_or_else(|| {
                StoreError::Corrupt(format!("issuing CA {} has no root in the store", ca.name))
            })?;
        let key = orgca_keys::load_key(&keys_dir.join(&ca.key_ref), passphrase, rsa_pss)?;
        let signer: Arc<dyn Signer> = Arc::new(key);
        out.push(IssuingCa::new(
            ca.name.clone(),
            ca.environment,
            ca.der.clone(),
            &root.der,
            signer,
            settings,
        )?);
    }
    Ok(out)
}
