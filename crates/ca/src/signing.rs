//! The signing service's CA: one per hierarchy, under the root, certifying only
//! single-use keys (pki's `single_use` profile). Its certificates are never stored; the
//! caller audits each one.

use std::sync::Arc;

use der::Encode;
use orgca_keys::Signer;
use orgca_model::Environment;
use orgca_pki::lint::SingleUseExpectations;
use orgca_pki::single_use::{SigningIssuer, SigningPolicies, SingleUseProfile, SingleUseSubject};
use orgca_store::{CaRole, CaStore};
use spki::SubjectPublicKeyInfoOwned;
use time::{Duration, OffsetDateTime};
use x509_cert::name::RdnSequence;

use crate::issuer::{ca_identity, sign_and_check};
use crate::{CaError, Settings, random_serial, sha256};

/// The signing CA of one hierarchy, ready to certify single-use keys.
pub struct SigningCa {
    /// Stable name (`production-signing-1`).
    pub name: String,
    /// Its hierarchy.
    pub environment: Environment,
    /// Its certificate (sent along with each signature).
    pub cert_der: Vec<u8>,
    subject: RdnSequence,
    key_id: Vec<u8>,
    signer: Arc<dyn Signer>,
    ca_issuers_url: String,
    crl_url: String,
    policies: SigningPolicies,
}

impl std::fmt::Debug for SigningCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningCa")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// A signed single-use certificate.
#[derive(Clone, Debug)]
pub struct SingleUseCertificate {
    /// DER.
    pub der: Vec<u8>,
    /// Serial, hex.
    pub serial: String,
    /// SHA-256 of the DER, hex.
    pub fingerprint: String,
    /// notBefore.
    pub not_before: OffsetDateTime,
}

impl SigningCa {
    /// Whether its key can sign now (see [`orgca_keys::Signer::check`]).
    pub fn check_key(&self) -> Result<(), orgca_keys::KeyError> {
        self.signer.check()
    }

    /// The signing CA from its certificate and key; refuses a key that is not the
    /// certificate's.
    pub fn new(
        name: String,
        environment: Environment,
        cert_der: Vec<u8>,
        signer: Arc<dyn Signer>,
        settings: &Settings,
        policies: SigningPolicies,
    ) -> Result<SigningCa, CaError> {
        let (subject, key_id) = ca_identity(&name, &cert_der, signer.as_ref())?;
        let certified = certified_policies(&cert_der)?;
        for p in policies.in_use() {
            if !certified.contains(&p) {
                return Err(CaError::SelfCheck(format!(
                    "signing CA {name} is not certified for policy {p} (it is for {certified:?}); \
                     keep the [signing] policies it was made with"
                )));
            }
        }
        let urls = settings.urls_for(&name);
        Ok(SigningCa {
            ca_issuers_url: urls.ca_issuers,
            crl_url: urls.crl,
            name,
            environment,
            cert_der,
            subject,
            key_id,
            signer,
            policies,
        })
    }

    /// Builds, lints and signs a single-use certificate for `spki`, valid from `now`
    /// (to the second) for `lifetime`.
    pub fn certify(
        &self,
        subject: &SingleUseSubject,
        spki: &SubjectPublicKeyInfoOwned,
        now: OffsetDateTime,
        lifetime: Duration,
    ) -> Result<SingleUseCertificate, CaError> {
        let serial = random_serial()?;
        let profile = SingleUseProfile {
            subject,
            spki,
            serial,
            now,
            lifetime,
            issuer: SigningIssuer {
                name: &self.subject,
                key_id: &self.key_id,
                signature: self.signer.algorithm(),
                ca_issuers_url: &self.ca_issuers_url,
                crl_url: &self.crl_url,
                policies: &self.policies,
            },
        };
        let tbs = profile.build()?;
        let tbs_der = tbs.to_der().map_err(orgca_pki::DerError::from)?;
        orgca_pki::lint_single_use_tbs(
            &tbs_der,
            &SingleUseExpectations {
                qc_type: subject.holder.qc_type(),
                issuer_name: &self.subject,
                issuer_key_id: &self.key_id,
                signature: self.signer.algorithm(),
                policy: self.policies.for_holder(&subject.holder),
                qscd: self.policies.qscd,
            },
        )?;
        let der = sign_and_check(self.signer.as_ref(), &tbs_der)?;
        Ok(SingleUseCertificate {
            fingerprint: hex::encode(sha256(&der)),
            serial: serial.to_string(),
            not_before: orgca_pki::time::from_x509_time(&tbs.validity.not_before),
            der,
        })
    }
}

/// The policy identifiers of a CA certificate.
fn certified_policies(cert_der: &[u8]) -> Result<Vec<der::asn1::ObjectIdentifier>, CaError> {
    use der::Decode;
    let cert = x509_cert::Certificate::from_der(cert_der).map_err(orgca_pki::DerError::from)?;
    Ok(
        match cert
            .tbs_certificate()
            .get_extension::<x509_cert::ext::pkix::CertificatePolicies>()
        {
            Ok(Some((_, cp))) => cp.0.iter().map(|p| p.policy_identifier).collect(),
            _ => Vec::new(),
        },
    )
}

/// Every signing CA in the store, with its key (file or token).
pub async fn load_signing_cas(
    store: &CaStore,
    keys: &crate::CaKeys,
    settings: &Settings,
    policies: &SigningPolicies,
) -> Result<Vec<SigningCa>, CaError> {
    let mut out = Vec::new();
    for ca in store.list().await? {
        if ca.role != CaRole::Signing {
            continue;
        }
        let key = keys.open(&ca.key_ref)?;
        out.push(SigningCa::new(
            ca.name.clone(),
            ca.environment,
            ca.der.clone(),
            key,
            settings,
            policies.clone(),
        )?);
    }
    Ok(out)
}
