//! An issuing CA in memory: its certificate, name, key identifier, signer and URLs.

use std::sync::Arc;

use aws_lc_rs::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use der::{Decode, Encode};
use orgca_keys::Signer;
use orgca_model::Environment;
use orgca_pki::profile::{Policies, Urls};
use orgca_pki::{SignatureAlgorithm, encode};
use x509_cert::Certificate;
use x509_cert::ext::pkix::SubjectKeyIdentifier;
use x509_cert::name::RdnSequence;

use crate::CaError;

/// Configuration the CA needs from the operator.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Public base URL for AIA, CDP and OCSP, without a trailing slash.
    pub public_base_url: String,
    /// The policies written into leaves.
    pub policies: Policies,
}

impl Settings {
    /// The URLs written into leaves of the issuing CA `name`.
    pub fn urls_for(&self, name: &str) -> Urls {
        let base = self.public_base_url.trim_end_matches('/');
        Urls {
            ca_issuers: format!("{base}/ca/{name}.cer"),
            ocsp: format!("{base}/ocsp"),
            crl: format!("{base}/crl/{name}.crl"),
        }
    }
}

/// An issuing CA ready to sign.
pub struct IssuingCa {
    /// Stable name (`production-issuing-1`).
    pub name: String,
    /// Its hierarchy.
    pub environment: Environment,
    /// Its certificate.
    pub cert_der: Vec<u8>,
    /// Its subject name (the issuer of its leaves).
    pub subject: RdnSequence,
    /// Its subjectKeyIdentifier.
    pub key_id: Vec<u8>,
    /// Its key.
    pub signer: Arc<dyn Signer>,
    /// URLs written into its leaves.
    pub urls: Urls,
    /// Policies written into its leaves.
    pub policies: Policies,
    /// PEM of this CA and its root.
    pub chain_pem: String,
}

impl std::fmt::Debug for IssuingCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuingCa")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl IssuingCa {
    /// Makes an issuing CA from its certificate, its root's certificate and its key.
    /// Refuses a key that does not match the certificate.
    pub fn new(
        name: String,
        environment: Environment,
        cert_der: Vec<u8>,
        root_der: &[u8],
        signer: Arc<dyn Signer>,
        settings: &Settings,
    ) -> Result<IssuingCa, CaError> {
        let cert = Certificate::from_der(&cert_der).map_err(orgca_pki::DerError::from)?;
        let tbs = cert.tbs_certificate();
        if tbs.subject_public_key_info().to_der().ok() != signer.public_key().to_der().ok() {
            return Err(CaError::SelfCheck(format!(
                "the key of CA {name} does not match its certificate"
            )));
        }
        let key_id = match tbs.get_extension::<SubjectKeyIdentifier>() {
            Ok(Some((_, ski))) => ski.0.as_bytes().to_vec(),
            _ => {
                return Err(CaError::SelfCheck(format!(
                    "CA {name} has no subjectKeyIdentifier"
                )));
            }
        };
        let chain_pem = format!(
            "{}{}",
            encode::certificate_pem(&cert_der)?,
            encode::certificate_pem(root_der)?
        );
        Ok(IssuingCa {
            urls: settings.urls_for(&name),
            policies: settings.policies.clone(),
            subject: tbs.subject().clone().into(),
            name,
            environment,
            cert_der,
            key_id,
            signer,
            chain_pem,
        })
    }

    /// Signs a TBS and checks the result: the certificate's TBS is byte for byte the one
    /// given, and its signature verifies with this CA's public key.
    pub fn sign_tbs(&self, tbs_der: &[u8]) -> Result<Vec<u8>, CaError> {
        sign_and_check(self.signer.as_ref(), tbs_der)
    }
}

/// The verification algorithm matching what a signer produces.
fn verifier(alg: SignatureAlgorithm) -> &'static dyn VerificationAlgorithm {
    match alg {
        SignatureAlgorithm::RsaPssSha256 => &signature::RSA_PSS_2048_8192_SHA256,
        SignatureAlgorithm::RsaPkcs1Sha256 => &signature::RSA_PKCS1_2048_8192_SHA256,
        SignatureAlgorithm::EcdsaSha256 => &signature::ECDSA_P256_SHA256_ASN1,
        SignatureAlgorithm::EcdsaSha384 => &signature::ECDSA_P384_SHA384_ASN1,
    }
}

/// Signs `tbs_der` with `signer`, assembles the certificate and checks it (see
/// [`IssuingCa::sign_tbs`]). Used for leaves and for CA certificates alike.
pub(crate) fn sign_and_check(signer: &dyn Signer, tbs_der: &[u8]) -> Result<Vec<u8>, CaError> {
    let alg = signer.algorithm();
    let sig = signer.sign(tbs_der)?;
    let der = encode::assemble_certificate(tbs_der, &alg.identifier(), &sig)?;
    let (_, signed_tbs) = encode::tbs_of(&der)?;
    if signed_tbs != tbs_der {
        return Err(CaError::SelfCheck(
            "the signed TBS differs from the linted one".into(),
        ));
    }
    check_signature(signer, tbs_der, &sig)?;
    Ok(der)
}

/// Checks that `sig` over `message` verifies with the signer's public key: a signature
/// that does not is never handed out.
pub(crate) fn check_signature(
    signer: &dyn Signer,
    message: &[u8],
    sig: &[u8],
) -> Result<(), CaError> {
    UnparsedPublicKey::new(
        verifier(signer.algorithm()),
        signer.public_key().subject_public_key.raw_bytes(),
    )
    .verify(message, sig)
    .map_err(|_| {
        CaError::SelfCheck("the signature does not verify with the CA's public key".into())
    })
}
