//! Loading the issuing CAs recorded in the store, with their keys (files or token).

use orgca_store::{CaRole, CaStore, StoreError};

use crate::{CaError, CaKeys, IssuingCa, Settings};

/// Every issuing CA in the store, each with its key and its root. A key that
/// is missing or does not open is an error naming the CA.
pub async fn load_issuing_cas(
    store: &CaStore,
    keys: &CaKeys,
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
        let signer = keys.open(&ca.key_ref)?;
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
