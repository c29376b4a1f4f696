//! Revocation status for relying parties: one full CRL per CA (and, when configured, one
//! per partition of an issuing CA's), built from the store and signed by the CA's key,
//! rebuilt within seconds of a block (debounced: a burst of
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
use orgca_store::StatusStore;
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
    /// How many certificates it lists (0 for a kept CRL: not counted).
    pub entries: u64,
    /// The issuer's status revision it was built from.
    revision: i64,
}

impl PublishedCrl {
    /// The row every node serves it from.
    fn stored(&self, name: &str) -> orgca_store::StoredCrl {
        orgca_store::StoredCrl {
            name: name.to_owned(),
            number: i64::try_from(self.number).unwrap_or(i64::MAX),
            this_update: self.this_update.into(),
            next_update: self.next_update.into(),
            entries: i64::try_from(self.entries).unwrap_or(i64::MAX),
            revision: self.revision,
            der: self.der.to_vec(),
        }
    }

    fn from_stored(row: orgca_store::StoredCrl) -> PublishedCrl {
        PublishedCrl {
            der: Bytes::from(row.der),
            number: u64::try_from(row.number).unwrap_or_default(),
            this_update: row.this_update.to_offset(),
            next_update: row.next_update.to_offset(),
            entries: u64::try_from(row.entries).unwrap_or_default(),
            revision: row.revision,
        }
    }
}

/// Which node builds the CRLs: the one holding the lease `crl` (see
/// `orgca_store::LeaseStore`); the others serve what it stores.
#[derive(Clone, Debug)]
pub struct CrlLease {
    /// The leases.
    pub leases: orgca_store::LeaseStore,
    /// This node.
    pub holder: String,
}

/// The lease the CRL builder holds.
pub const CRL_LEASE: &str = "crl";
/// How long the CRL lease lasts without renewal (it is renewed every round).
const CRL_LEASE_SECONDS: i64 = 6;

/// One CRL a node publishes: a CA's full CRL, or one partition of an issuing CA's
/// (the certificates whose CDP names it, with a critical issuingDistributionPoint).
#[derive(Clone, Debug)]
pub struct CrlTarget {
    issuer: Arc<CrlIssuer>,
    /// The partition and its URL (as written into its certificates' CDP).
    partition: Option<(u16, String)>,
    /// The file stem it is served under (`/crl/{name}.crl`).
    name: String,
}

impl CrlTarget {
    /// The full CRL of `issuer`, served under the CA's name.
    pub fn full(issuer: Arc<CrlIssuer>) -> Self {
        CrlTarget {
            name: issuer.name.clone(),
            issuer,
            partition: None,
        }
    }

    /// Partition `shard` of `issuer`'s CRL, whose certificates name `url` in their CDP.
    pub fn partition(issuer: Arc<CrlIssuer>, shard: u16, url: String) -> Self {
        CrlTarget {
            name: orgca_ca::partition_name(&issuer.name, shard),
            issuer,
            partition: Some((shard, url)),
        }
    }

    /// The file stem it is served under.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// The CRLs this node serves, by file stem (CA name or partition name); cheap to clone and share with the web layer.
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

    /// Serves a CRL orgca keeps but does not sign (a retired CA's final CRL, an offline
    /// root's imported one) under its CA's name. No refresh round touches it.
    pub fn keep(&self, crl: &orgca_store::KeptCrl) {
        let at = |t: orgca_model::UnixTime| t.to_offset();
        self.put(
            &crl.ca_name,
            PublishedCrl {
                der: Bytes::from(crl.der.clone()),
                number: u64::try_from(crl.number).unwrap_or_default(),
                this_update: at(crl.this_update),
                next_update: at(crl.next_update),
                entries: 0,
                revision: 0,
            },
        );
    }

    fn put(&self, name: &str, crl: PublishedCrl) {
        self.current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(name.to_owned(), Arc::new(crl));
    }
}

/// The least CRL number a CRL with this thisUpdate may carry: the time in Unix
/// nanoseconds (as Boulder numbers its CRLs). The store's counter still goes up by one
/// when it is past that, so numbers always increase; and a store restored from an older
/// backup, whose counter is behind what relying parties saw, numbers its next CRL above
/// every CRL published before the restore, as long as the clock has not gone back. Eight
/// bytes, well within RFC 5280's twenty.
pub fn crl_number_floor(this_update: OffsetDateTime) -> i64 {
    i64::try_from(this_update.unix_timestamp_nanos()).unwrap_or(i64::MAX)
}

/// Builds and signs the CRL `target` as of `now` from the store: entries streamed into
/// one buffer sized for `expected` entries (the last CRL's count: blocks only add, so
/// the buffer is not copied to grow), a fresh CRL number from the store (one counter per
/// CA: every scope's numbers increase), one signature.
pub async fn build_crl(
    store: &StatusStore,
    target: &CrlTarget,
    policy: &CrlPolicy,
    now: OffsetDateTime,
    expected: usize,
) -> Result<PublishedCrl, StatusError> {
    let issuer = &target.issuer;
    let shard = target.partition.as_ref().map(|(s, _)| *s);
    // Read the revision first: a block that lands while the list is read bumps it
    // again, so the next round rebuilds.
    let revision = store.status_revision(&issuer.name).await?;
    let mut writer = CrlWriter::new(expected + 1024);
    let mut bad = None;
    store
        .for_each_revoked(&issuer.name, shard, |e| {
            if let Err(err) = writer.push(e.serial.as_bytes(), e.revoked_at.secs(), e.reason) {
                bad.get_or_insert(err);
            }
            Ok(())
        })
        .await?;
    if let Some(err) = bad {
        return Err(err.into());
    }
    let this_update = now;
    let number = store
        .next_crl_number(&issuer.name, crl_number_floor(this_update))
        .await?;
    let next_update = now + policy.validity;
    let signed = tokio::task::block_in_place(|| {
        issuer.sign(
            writer,
            this_update,
            next_update,
            u64::try_from(number).unwrap_or_default(),
            target.partition.as_ref().map(|(_, url)| url.as_str()),
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

/// Builds every target's CRL into `cache` now: a server calls this before it takes
/// requests, so that no relying party finds a CRL missing.
pub async fn publish_all(
    store: &StatusStore,
    targets: &[CrlTarget],
    cache: &CrlCache,
    policy: &CrlPolicy,
    now: OffsetDateTime,
) -> Result<(), StatusError> {
    sync(store, targets, cache).await?;
    for target in targets {
        // What another node (or this one before a restart) stored is served as it is
        // while it is fresh and nothing was blocked since: a node that starts never
        // serves a CRL that misses a block, and never waits for the CRL lease to.
        let revision = store.status_revision(&target.issuer.name).await?;
        if cache.get(&target.name).is_some_and(|c| {
            now - c.this_update < policy.refresh_after
                && c.next_update > now
                && c.revision == revision
        }) {
            continue;
        }
        let crl = build_crl(store, target, policy, now, 0).await?;
        tracing::info!(crl = %target.name, number = crl.number, entries = crl.entries, "CRL issued");
        publish(store, &target.name, crl, cache).await?;
    }
    Ok(())
}

/// Stores `crl` for every node and serves it here, unless a newer one was stored
/// meanwhile (then that one is served).
async fn publish(
    store: &StatusStore,
    name: &str,
    crl: PublishedCrl,
    cache: &CrlCache,
) -> Result<(), StatusError> {
    if store.publish_crl(&crl.stored(name)).await? {
        cache.put(name, crl);
    } else if let Some(newer) = store.published_crl(name).await? {
        cache.put(name, PublishedCrl::from_stored(newer));
    }
    Ok(())
}

/// Serves here every CRL another node stored with a higher number than the one served.
pub async fn sync(
    store: &StatusStore,
    targets: &[CrlTarget],
    cache: &CrlCache,
) -> Result<(), StatusError> {
    for (name, number) in store.published_numbers().await? {
        if !targets.iter().any(|t| t.name == name) {
            continue;
        }
        let served = cache.get(&name).map_or(0, |c| c.number);
        if u64::try_from(number).unwrap_or_default() > served
            && let Some(row) = store.published_crl(&name).await?
        {
            cache.put(&name, PublishedCrl::from_stored(row));
        }
    }
    Ok(())
}

/// Keeps `cache` current for every target until the process ends: each second (or at
/// once when `wake` is notified) the node holding the CRL lease runs one
/// [`refresh_due`] round, and every node serves what is stored. Errors are logged and
/// retried.
pub async fn run_forever(
    store: StatusStore,
    targets: Vec<CrlTarget>,
    cache: CrlCache,
    policy: CrlPolicy,
    now: impl Fn() -> OffsetDateTime,
    wake: Arc<tokio::sync::Notify>,
    lease: CrlLease,
) {
    loop {
        let at = now();
        match lease
            .leases
            .hold(CRL_LEASE, &lease.holder, at.into(), CRL_LEASE_SECONDS)
            .await
        {
            Ok(true) => refresh_due(&store, &targets, &cache, &policy, at).await,
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "the CRL lease could not be asked for"),
        }
        if let Err(e) = sync(&store, &targets, &cache).await {
            tracing::warn!(error = %e, "reading the stored CRLs failed; trying again");
        }
        // The debounce: never more than one round per interval, however many blocks.
        tokio::time::sleep(policy.min_interval).await;
        tokio::select! {
            () = wake.notified() => {}
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }
}

/// One round at `now`: a CRL whose CA's status revision moved, or which is older than
/// the policy's refresh time, is re-issued into `cache`. Errors are logged (the next
/// round tries again).
pub async fn refresh_due(
    store: &StatusStore,
    targets: &[CrlTarget],
    cache: &CrlCache,
    policy: &CrlPolicy,
    now: OffsetDateTime,
) {
    // One revision read per CA per round, however many partitions it has.
    let mut revisions: HashMap<&str, Option<i64>> = HashMap::new();
    for target in targets {
        let current = cache.get(&target.name);
        let ca = target.issuer.name.as_str();
        let revision = match revisions.get(ca) {
            Some(r) => *r,
            None => {
                let r = store.status_revision(ca).await.ok();
                revisions.insert(ca, r);
                r
            }
        };
        let due = current.as_ref().is_none_or(|c| {
            now - c.this_update >= policy.refresh_after || revision != Some(c.revision)
        });
        if !due {
            continue;
        }
        let expected = current
            .as_ref()
            .map_or(0, |c| usize::try_from(c.entries).unwrap_or(0));
        match build_crl(store, target, policy, now, expected).await {
            Ok(crl) => {
                tracing::info!(crl = %target.name, number = crl.number, entries = crl.entries, "CRL issued");
                if let Err(e) = publish(store, &target.name, crl, cache).await {
                    tracing::error!(crl = %target.name, error = %e, "storing the CRL failed; trying again");
                }
            }
            Err(e) => {
                tracing::error!(crl = %target.name, error = %e, "building the CRL failed; trying again")
            }
        }
    }
}
