//! Loading the issuing CAs recorded in the store, with their keys (files or token).

use orgca_store::{CaRole, CaStore, StoreError};

use crate::{CaError, CaKeys, IssuingCa, Settings};

/// Every issuing CA in service (not retired) in the store, each with its key and its
/// root, oldest first (so the last of each hierarchy is its current one). A key that is
/// missing or does not open is an error naming the CA.
pub async fn load_issuing_cas(
    store: &CaStore,
    keys: &CaKeys,
    settings: &Settings,
) -> Result<Vec<IssuingCa>, CaError> {
    let all = store.list().await?;
    let mut in_service: Vec<_> = all
        .iter()
        .filter(|c| c.role == CaRole::Issuing && c.retired_at.is_none())
        .collect();
    in_service.sort_by_key(|c| (c.activated_at, c.name.clone()));
    let mut out = Vec::new();
    for ca in in_service {
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
