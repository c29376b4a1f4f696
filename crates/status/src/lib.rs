//! Revocation status for relying parties: one full CRL per CA, built from the store and
//! signed by the CA's key, rebuilt within seconds of a block (debounced: a burst of
//! blocks makes one CRL, not one each) and well before the last one's nextUpdate; and
//! OCSP answers from a delegated responder per issuing CA ([`ocsp`]).
//!
//! This crate must never change a certificate's state (the RA blocks; this only reads
//! the store) and never serve a CRL it has not verified the signature of (the `ca`
//! crate checks every signature before handing it out).

pub mod ocsp;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use bytes::Bytes;
use orgca_ca::CrlIssuer;
use orgca_pki::crl::CrlWriter;
use orgca_store::Store;
use time::OffsetDateTime;

/// What went wrong building a CRL.
#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] orgca_store::StoreError),
    /// Signing failed, or the signature did not verify.
    #[error(transparent)]
    Ca(#[from] orgca_ca::CaError),
    /// A stored entry cannot be written into a CRL.
    #[error("a revoked entry cannot be written: {0}")]
    Entry(#[from] orgca_pki::crl::CrlError),
}

/// How CRLs are timed.
#[derive(Clone, Copy, Debug)]
pub struct CrlPolicy {
    /// thisUpdate to nextUpdate.
    pub validity: Duration,
    /// A CRL older than this is re-issued even without a change (well before
    /// nextUpdate).
    pub refresh_after: Duration,
    /// At least this long between two builds of one CA's CRL (the debounce).
    pub min_interval: Duration,
}

impl Default for CrlPolicy {
    /// 24 hours' validity, re-issued every 6 hours, at most one build a second.
    fn default() -> Self {
        CrlPolicy {
            validity: Duration::from_secs(24 * 3600),
            refresh_after: Duration::from_secs(6 * 3600),
            min_interval: Duration::from_secs(1),
        }
    }
}

/// A CRL as served.
#[derive(Clone, Debug)]
pub struct PublishedCrl {
    /// The DER.
    pub der: Bytes,
    /// Its CRL number.
    pub number: u64,
    /// thisUpdate.
    pub this_update: OffsetDateTime,
    /// nextUpdate.
    pub next_update: OffsetDateTime,
    /// How many certificates it lists.
    pub entries: u64,
    /// The issuer's status revision it was built from.
    revision: i64,
}

/// The CRLs this node serves, by CA name; cheap to clone and share with the web layer.
#[derive(Clone, Debug, Default)]
pub struct CrlCache {
    current: Arc<RwLock<HashMap<String, Arc<PublishedCrl>>>>,
}

impl CrlCache {
    /// The current CRL of the CA named `name`.
    pub fn get(&self, name: &str) -> Option<Arc<PublishedCrl>> {
        self.current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(name)
            .cloned()
    }

    fn put(&self, name: &str, crl: PublishedCrl) {
        self.current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(name.to_owned(), Arc::new(crl));
    }
}

/// Builds and signs the CRL of `issuer` as of `now` from the store: entries streamed
/// into one buffer sized for `expected` entries (the last CRL's count: blocks only add,
/// so the buffer is not copied to grow), a fresh CRL number from the store, one
/// signature.
pub async fn build_crl(
    store: &Store,
    issuer: &CrlIssuer,
    policy: &CrlPolicy,
    now: OffsetDateTime,
    expected: usize,
) -> Result<PublishedCrl, StatusError> {
    // Read the revision first: a block that lands while the list is read bumps it
    // again, so the next round rebuilds.
    let revision = store.status_revision(&issuer.name).await?;
    let mut writer = CrlWriter::new(expected + 1024);
    let mut bad = None;
    store
        .for_each_revoked(&issuer.name, |e| {
            if let Err(err) = writer.push(&e.serial, e.revoked_at, e.reason) {
                bad.get_or_insert(err);
            }
            Ok(())
        })
        .await?;
    if let Some(err) = bad {
        return Err(err.into());
    }
    let number = store.next_crl_number(&issuer.name).await?;
    let this_update = now;
    let next_update = now + policy.validity;
    let signed = tokio::task::block_in_place(|| {
        issuer.sign(
            writer,
            this_update,
            next_update,
            u64::try_from(number).unwrap_or_default(),
            None,
        )
    })?;
    let entries = signed.entries;
    let (buf, start) = signed.into_parts();
    Ok(PublishedCrl {
        der: Bytes::from(buf).slice(start..),
        number: u64::try_from(number).unwrap_or_default(),
        this_update,
        next_update,
        entries,
        revision,
    })
}

/// Builds every issuer's CRL into `cache` now: a server calls this before it takes
/// requests, so that no relying party finds a CRL missing.
pub async fn publish_all(
    store: &Store,
    issuers: &[CrlIssuer],
    cache: &CrlCache,
    policy: &CrlPolicy,
    now: OffsetDateTime,
) -> Result<(), StatusError> {
    for issuer in issuers {
        let crl = build_crl(store, issuer, policy, now, 0).await?;
        tracing::info!(ca = %issuer.name, number = crl.number, entries = crl.entries, "CRL issued");
        cache.put(&issuer.name, crl);
    }
    Ok(())
}

/// Keeps `cache` current for every issuer until the process ends: each second (or at
/// once when `wake` is notified) a CA whose status revision moved, or whose CRL is older
/// than the policy's refresh time, gets a new CRL. Errors are logged and retried.
pub async fn run_forever(
    store: Store,
    issuers: Vec<CrlIssuer>,
    cache: CrlCache,
    policy: CrlPolicy,
    now: impl Fn() -> OffsetDateTime,
    wake: Arc<tokio::sync::Notify>,
) {
    loop {
        for issuer in &issuers {
            let current = cache.get(&issuer.name);
            let due = match &current {
                None => true,
                Some(c) => {
                    now() - c.this_update >= policy.refresh_after
                        || store.status_revision(&issuer.name).await.ok() != Some(c.revision)
                }
            };
            if !due {
                continue;
            }
            let expected = current
                .as_ref()
                .map_or(0, |c| usize::try_from(c.entries).unwrap_or(0));
            match build_crl(&store, issuer, &policy, now(), expected).await {
                Ok(crl) => {
                    tracing::info!(ca = %issuer.name, number = crl.number, entries = crl.entries, "CRL issued");
                    cache.put(&issuer.name, crl);
                }
                Err(e) => {
                    tracing::error!(ca = %issuer.name, error = %e, "building the CRL failed; trying again")
                }
            }
        }
        // The debounce: never more than one round per interval, however many blocks.
        tokio::time::sleep(policy.min_interval).await;
        tokio::select! {
            () = wake.notified() => {}
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }
}
