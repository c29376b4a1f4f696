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
    /// CRL partitions of each issuing CA (0: one full CRL only). A leaf gets its
    /// partition at issuance, written into its CDP; changing this affects only
    /// certificates issued afterwards.
    pub crl_partitions: u16,
}

impl Settings {
    /// The URLs written into leaves of the issuing CA `name`.
    pub fn urls_for(&self, name: &str) -> Urls {
        let base = self.public_base_url.trim_end_matches('/');
        Urls {
            ca_issuers: format!("{base}/ca/{name}.cer"),
            ocsp: format!("{base}/ocsp"),
            crl: self.crl_url(name),
        }
    }

    /// The URL of the CRL published under `file_stem` (a CA's name, or
    /// [`partition_name`]).
    pub fn crl_url(&self, file_stem: &str) -> String {
        let base = self.public_base_url.trim_end_matches('/');
        format!("{base}/crl/{file_stem}.crl")
    }
}

/// The name a partition of CA `ca`'s CRL is published under (`/crl/{it}.crl`).
pub fn partition_name(ca: &str, shard: u16) -> String {
    format!("{ca}-p{shard}")
}

/// The CRL partition of a serial among `partitions` (> 0): from serial bytes that are
/// random (the first byte's top bits are fixed), so partitions fill evenly.
pub fn partition_of(serial: &orgca_model::Serial, partitions: u16) -> u16 {
    let b = serial.as_bytes();
    u16::from_be_bytes([b[1], b[2]]) % partitions.max(1)
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
    /// URLs written into its leaves (the CDP of the full CRL).
    pub urls: Urls,
    /// When its CRL is partitioned: the CDP of each partition, by shard.
    pub partition_urls: Vec<String>,
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
        let (subject, key_id) = ca_identity(&name, &cert_der, signer.as_ref())?;
        let chain_pem = format!(
            "{}{}",
            encode::certificate_pem(&cert_der)?,
            encode::certificate_pem(root_der)?
        );
        Ok(IssuingCa {
            urls: settings.urls_for(&name),
            partition_urls: (0..settings.crl_partitions)
                .map(|shard| settings.crl_url(&partition_name(&name, shard)))
                .collect(),
            policies: settings.policies.clone(),
            subject,
            name,
            environment,
            cert_der,
            key_id,
            signer,
            chain_pem,
        })
    }

    /// The CRL partition a new leaf with `serial` is listed in, and the URLs to write
    /// into it: the full CRL's when the CRL is not partitioned.
    pub fn leaf_urls(&self, serial: &orgca_model::Serial) -> (Option<u16>, Urls) {
        if self.partition_urls.is_empty() {
            return (None, self.urls.clone());
        }
        let n = u16::try_from(self.partition_urls.len()).unwrap_or(u16::MAX);
        let shard = partition_of(serial, n);
        let urls = Urls {
            crl: self.partition_urls[usize::from(shard)].clone(),
            ..self.urls.clone()
        };
        (Some(shard), urls)
    }

    /// Signs a TBS and checks the result: the certificate's TBS is byte for byte the one
    /// given, and its signature verifies with this CA's public key.
    pub fn sign_tbs(&self, tbs_der: &[u8]) -> Result<Vec<u8>, CaError> {
        sign_and_check(self.signer.as_ref(), tbs_der)
    }
}

/// A CA's subject name and subjectKeyIdentifier from its certificate, after checking
/// that `signer` holds the certificate's key.
pub(crate) fn ca_identity(
    name: &str,
    cert_der: &[u8],
    signer: &dyn Signer,
) -> Result<(RdnSequence, Vec<u8>), CaError> {
    let cert = Certificate::from_der(cert_der).map_err(orgca_pki::DerError::from)?;
    let tbs = cert.tbs_certificate();
    if tbs.subject_public_key_info().to_der().ok() != signer.public_key().to_der().ok() {
        return Err(CaError::SelfCheck(format!(
            "the key of CA {name} does not match its certificate"
        )));
    }
    match tbs.get_extension::<SubjectKeyIdentifier>() {
        Ok(Some((_, ski))) => Ok((tbs.subject().clone().into(), ski.0.as_bytes().to_vec())),
        _ => Err(CaError::SelfCheck(format!(
            "CA {name} has no subjectKeyIdentifier"
        ))),
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
    verify(signer.algorithm(), signer.public_key(), message, sig)
}

/// Checks that `sig` over `message` verifies with `key`.
pub fn verify(
    alg: SignatureAlgorithm,
    key: &spki::SubjectPublicKeyInfoOwned,
    message: &[u8],
    sig: &[u8],
) -> Result<(), CaError> {
    UnparsedPublicKey::new(verifier(alg), key.subject_public_key.raw_bytes())
        .verify(message, sig)
        .map_err(|_| {
            CaError::SelfCheck("the signature does not verify with the signer's public key".into())
        })
}
