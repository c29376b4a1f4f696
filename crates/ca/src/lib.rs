//! The certificate authority: it builds a TBS from a profile, lints it, records the
//! serial and the intent in the store, and only then signs exactly that TBS
//! (docs/ARCHITECTURE.md, "The issuance path", after Boulder's `Prepare`/`Issue`). Its
//! [`ceremony`] module creates the CA hierarchies, for `orgca init` and the `orgca ca`
//! commands only.
//!
//! The CA is distrustful: it takes the subject from orgca's data, the key from a CSR that
//! `pki` verified, and signs nothing that failed a lint. An [`IssuanceToken`] is consumed
//! by [`Ca::issue`], so a linted TBS is signed at most once.
//!
//! This crate must never decide who may have a certificate (that is `ra`'s job), never
//! store a certificate itself (the caller commits it with its audit event), and never
//! let a private key leave the `Signer`.

pub mod ceremony;
pub mod checkpoint;
pub mod crl;
mod issuer;
mod keys;
mod load;
pub mod ocsp;
pub mod offline;
mod pool;
pub mod record;
pub mod seal;
mod signing;

pub use crl::{CrlIssuer, load_crl_issuers};
pub use issuer::{IssuingCa, Settings, partition_name, partition_of, verify};
pub use keys::{CaKeys, KeyHome, KeyRef};
pub use load::load_issuing_cas;
pub use signing::{SigningCa, SingleUseCertificate, load_signing_cas};

use std::collections::HashMap;
use std::sync::Arc;

use der::Encode;
use orgca_keys::KeyError;
use orgca_model::{Environment, OrgId, Serial};
use orgca_pki::lint::LeafExpectations;
use orgca_pki::profile::{IssuerInfo, LeafProfile, LeafSubject};
use orgca_pki::{LintFailure, encode};
use orgca_store::{CaStore, SerialIntent, StoreError};
use spki::SubjectPublicKeyInfoOwned;
use time::OffsetDateTime;

/// Why the CA refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum CaError {
    /// The TBS failed a lint: nothing was recorded or signed.
    #[error("refused by {0}")]
    Lint(#[from] LintFailure),
    /// There is no issuing CA for this environment.
    #[error("no issuing CA is configured for the {0} hierarchy")]
    NoIssuer(Environment),
    /// The signing key failed.
    #[error("signing failed: {0}")]
    Key(#[from] KeyError),
    /// The signed certificate is not what was linted, or its signature does not verify:
    /// it is discarded (the serial stays recorded as reserved).
    #[error("the signed certificate failed its self-check: {0}")]
    SelfCheck(String),
    /// Encoding failed (a bug).
    #[error(transparent)]
    Der(#[from] orgca_pki::DerError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// What a ceremony was given does not do (a request, a certificate, a CRL): what to
    /// fix.
    #[error("{0}")]
    Ceremony(String),
}

/// What the RA asks the CA to certify (already authorised and parsed).
#[derive(Clone, Debug)]
pub struct LeafRequest {
    /// The organisation.
    pub org_id: OrgId,
    /// Its environment: decides the hierarchy.
    pub environment: Environment,
    /// The subject, from orgca's data.
    pub subject: LeafSubject,
    /// The key to certify (from a verified CSR, or generated for a PKCS#12).
    pub spki: SubjectPublicKeyInfoOwned,
}

/// A linted TBS, not yet recorded in the store.
#[derive(Debug)]
pub struct LintedTbs {
    /// The CA whose name and key identifier the TBS carries: the one that signs it.
    issuer: Arc<IssuingCa>,
    tbs_der: Vec<u8>,
    serial: Serial,
    crl_shard: Option<u16>,
    environment: Environment,
    request: LeafRequest,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
}

/// A linted TBS whose serial and intent are recorded: the only thing [`Ca::issue`] signs.
/// Not `Clone`: it is consumed when signed.
#[derive(Debug)]
pub struct IssuanceToken(LintedTbs);

impl LintedTbs {
    /// The DER of the linted TBS (what will be signed).
    pub fn tbs_der(&self) -> &[u8] {
        &self.tbs_der
    }

    /// The environment (hierarchy) it will be signed in.
    pub fn environment(&self) -> Environment {
        self.environment
    }
}

/// A signed leaf certificate with what the RA needs to commit and deliver it.
#[derive(Clone, Debug)]
pub struct IssuedCertificate {
    /// Serial.
    pub serial: Serial,
    /// The issuing CA's name.
    pub issuer: String,
    /// The CRL partition it is listed in (its CDP), if the CRL is partitioned.
    pub crl_shard: Option<u16>,
    /// The request it answers.
    pub request: LeafRequest,
    /// DER.
    pub der: Vec<u8>,
    /// PEM of the certificate.
    pub pem: String,
    /// PEM of the issuing CA and the root, in that order.
    pub chain_pem: String,
    /// SHA-256 of the DER, hex.
    pub fingerprint: String,
    /// SHA-256 of the signed (and linted) TBS, as recorded with the serial's intent.
    pub tbs_sha256: [u8; 32],
    /// notBefore.
    pub not_before: OffsetDateTime,
    /// notAfter.
    pub not_after: OffsetDateTime,
}

/// The CA: the issuing CAs in service (in each hierarchy one current, which issues, and
/// the earlier ones, which still sign their CRLs and OCSP answers), the store's CA view,
/// and the signing threads.
pub struct Ca {
    current: HashMap<Environment, Arc<IssuingCa>>,
    in_service: Vec<Arc<IssuingCa>>,
    store: CaStore,
    pool: pool::SigningPool,
}

impl Ca {
    /// Every issuing CA in service, current or earlier.
    pub fn issuers(&self) -> impl Iterator<Item = &Arc<IssuingCa>> {
        self.in_service.iter()
    }

    /// A CA over these issuing CAs, oldest first: the last of each hierarchy issues.
    /// One signing thread per core.
    pub fn new(issuers: Vec<IssuingCa>, store: CaStore) -> Ca {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        let in_service: Vec<Arc<IssuingCa>> = issuers.into_iter().map(Arc::new).collect();
        Ca {
            // The later of a hierarchy replaces the earlier.
            current: in_service
                .iter()
                .map(|i| (i.environment, i.clone()))
                .collect(),
            in_service,
            store,
            pool: pool::SigningPool::new(cores),
        }
    }

    /// Each issuing CA whose key cannot sign now, with why. Blocking: a key on a token
    /// asks the token (and reconnects to one that is back).
    pub fn unusable_keys(&self) -> Vec<(String, orgca_keys::KeyError)> {
        let mut unusable: Vec<_> = self
            .in_service
            .iter()
            .filter_map(|i| i.signer.check().err().map(|e| (i.name.clone(), e)))
            .collect();
        unusable.sort_by(|a, b| a.0.cmp(&b.0));
        unusable
    }

    /// The issuing CA that issues in an environment now.
    pub fn issuer(&self, env: Environment) -> Result<&Arc<IssuingCa>, CaError> {
        self.current.get(&env).ok_or(CaError::NoIssuer(env))
    }

    /// Steps 1-2: draw a serial, build the TBS from the profile and lint it. Pure: no
    /// store, no private key.
    pub fn build(&self, request: LeafRequest, now: OffsetDateTime) -> Result<LintedTbs, CaError> {
        let issuer = self.issuer(request.environment)?;
        let serial = random_serial()?;
        let (crl_shard, urls) = issuer.leaf_urls(&serial);
        let profile = LeafProfile {
            subject: &request.subject,
            spki: &request.spki,
            serial,
            now,
            issuer: IssuerInfo {
                name: &issuer.subject,
                key_id: &issuer.key_id,
                signature: issuer.signer.algorithm(),
                urls: &urls,
                policies: &issuer.policies,
            },
        };
        let tbs = profile.build()?;
        let tbs_der = tbs.to_der().map_err(orgca_pki::DerError::from)?;
        let want = LeafExpectations {
            kind: request.subject.holder.kind(),
            issuer_name: &issuer.subject,
            issuer_key_id: &issuer.key_id,
            signature: issuer.signer.algorithm(),
            policies: &issuer.policies,
        };
        orgca_pki::lint_leaf_tbs(&tbs_der, &want)?;
        let not_before = orgca_pki::time::from_x509_time(&tbs.validity.not_before);
        let not_after = orgca_pki::time::from_x509_time(&tbs.validity.not_after);
        Ok(LintedTbs {
            issuer: issuer.clone(),
            tbs_der,
            serial,
            crl_shard,
            environment: request.environment,
            request,
            not_before,
            not_after,
        })
    }

    /// Step 3: record the serial and the intent, then hand out the token to sign.
    pub async fn record(&self, linted: LintedTbs) -> Result<IssuanceToken, CaError> {
        let issuer = &linted.issuer;
        let intent = SerialIntent {
            serial: linted.serial,
            issuer: issuer.name.clone(),
            org_id: linted.request.org_id,
            kind: linted.request.subject.holder.kind(),
            subject_uuid: linted.request.subject.subject_uuid,
            tbs_sha256: sha256(&linted.tbs_der),
            at: linted.not_before.into(),
        };
        self.store.reserve_serial(&intent).await?;
        Ok(IssuanceToken(linted))
    }

    /// Steps 1-3 together: build, lint, record.
    pub async fn prepare(
        &self,
        request: LeafRequest,
        now: OffsetDateTime,
    ) -> Result<IssuanceToken, CaError> {
        self.record(self.build(request, now)?).await
    }

    /// Step 4: sign exactly the linted TBS, then check that the certificate carries that
    /// TBS and that its signature verifies with the issuing CA's public key.
    pub fn issue(&self, token: IssuanceToken) -> Result<IssuedCertificate, CaError> {
        let linted = token.0;
        let issuer = &linted.issuer;
        let der = issuer.sign_tbs(&linted.tbs_der)?;
        Ok(IssuedCertificate {
            serial: linted.serial,
            issuer: issuer.name.clone(),
            crl_shard: linted.crl_shard,
            pem: encode::certificate_pem(&der)?,
            chain_pem: issuer.chain_pem.clone(),
            fingerprint: hex::encode(sha256(&der)),
            tbs_sha256: sha256(&linted.tbs_der),
            request: linted.request,
            der,
            not_before: linted.not_before,
            not_after: linted.not_after,
        })
    }
}

impl Ca {
    /// [`Ca::issue`] on one of the CA's signing threads (one per core), for async
    /// callers: the runtime's threads never block on a signature.
    pub async fn issue_on_pool(
        self: &Arc<Self>,
        token: IssuanceToken,
    ) -> Result<IssuedCertificate, CaError> {
        let ca = self.clone();
        self.pool
            .run(move || ca.issue(token))
            .await
            .unwrap_or_else(|| {
                Err(CaError::SelfCheck(
                    "the signing job failed (see the log)".into(),
                ))
            })
    }
}

/// A fresh serial for any certificate a CA signs: 20 bytes from the operating system's
/// CSPRNG, made positive (model::Serial).
pub(crate) fn random_serial() -> Result<Serial, CaError> {
    let mut bytes = [0u8; 20];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| CaError::Key(KeyError::Crypto))?;
    Ok(Serial::from_random(bytes))
}

pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}
