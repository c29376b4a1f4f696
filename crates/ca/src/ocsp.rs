//! Delegated OCSP responders (RFC 6960 §4.2.2.2): per issuing CA, a P-256 key made in
//! memory (never written anywhere) and a short-lived certificate for it from the issuing
//! CA, recorded in the store before it is signed. The responder signs OCSP answers;
//! every signature is verified before it is handed out.

use std::sync::Arc;

use der::Encode as _;
use orgca_keys::{KeySpec, Signer, SoftKey};
use orgca_pki::name;
use orgca_pki::ocsp::{self, CertId, ResponderProfile, SingleAnswer};
use orgca_store::CaStore;
use time::OffsetDateTime;

use crate::{CaError, IssuingCa};

/// A responder for one issuing CA.
pub struct Responder {
    /// The issuing CA it answers for.
    pub issuer: String,
    /// Its certificate's notAfter: renew well before.
    pub not_after: OffsetDateTime,
    /// Its certificate's notBefore.
    pub not_before: OffsetDateTime,
    /// Its certificate, DER.
    pub cert_der: Vec<u8>,
    key: SoftKey,
    key_hash: [u8; 20],
    /// (hash OID, issuerNameHash, issuerKeyHash) for SHA-1 and SHA-256 CertIDs.
    ids: Vec<(der::asn1::ObjectIdentifier, Vec<u8>, Vec<u8>)>,
}

impl std::fmt::Debug for Responder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Responder")
            .field("issuer", &self.issuer)
            .field("not_after", &self.not_after)
            .finish()
    }
}

fn digest(alg: &'static aws_lc_rs::digest::Algorithm, data: &[u8]) -> Vec<u8> {
    aws_lc_rs::digest::digest(alg, data).as_ref().to_vec()
}

/// The longest a responder certificate may live: relying parties do not check its
/// status (ocsp-nocheck), so a lost key is only bounded by this.
pub const MAX_RESPONDER_VALIDITY: time::Duration = time::Duration::days(7);

impl Responder {
    /// Makes a key and has `ca` certify it for `validity`, recording the serial and TBS
    /// in `store` before signing.
    pub async fn issue(
        ca: &Arc<IssuingCa>,
        store: &CaStore,
        now: OffsetDateTime,
        validity: time::Duration,
    ) -> Result<Responder, CaError> {
        let key = SoftKey::generate(KeySpec::P256, false)?;
        let serial = crate::random_serial()?;
        let issuer_cert = <x509_cert::Certificate as der::Decode>::from_der(&ca.cert_der)
            .map_err(orgca_pki::DerError::from)?;
        let subject = name::build(&[
            (orgca_pki::oids::COUNTRY, "DK"),
            (orgca_pki::oids::ORGANIZATION, "orgca"),
            (orgca_pki::oids::CN, &format!("{} OCSP", ca.name)),
        ])?;
        // Back-dated a minute for relying parties whose clock is a little behind.
        let not_before = now - time::Duration::minutes(1);
        let not_after = now + validity;
        let tbs = ResponderProfile {
            subject,
            issuer: &ca.subject,
            issuer_key_id: &ca.key_id,
            spki: key.public_key(),
            serial: serial.as_bytes(),
            not_before,
            not_after,
            signature: ca.signer.algorithm(),
        }
        .build()?;
        let tbs_der = tbs.to_der().map_err(orgca_pki::DerError::from)?;
        // Linted like every certificate orgca signs, before anything is recorded.
        orgca_pki::lint_responder_tbs(
            &tbs_der,
            &orgca_pki::lint::ResponderExpectations {
                issuer_name: &ca.subject,
                issuer_key_id: &ca.key_id,
                signature: ca.signer.algorithm(),
                max_validity: MAX_RESPONDER_VALIDITY,
            },
        )?;
        let tbs_sha256 = crate::sha256(&tbs_der);
        let serial_hex = serial.to_string();
        store
            .reserve_responder(
                &serial_hex,
                &ca.name,
                tbs_sha256,
                (not_before.into(), not_after.into()),
                now.into(),
            )
            .await?;
        let cert_der = ca.sign_tbs(&tbs_der)?;
        store.store_responder(&serial_hex, &cert_der).await?;
        let (name_der, key_bits) = {
            let tbs = issuer_cert.tbs_certificate();
            (
                tbs.subject().to_der().map_err(orgca_pki::DerError::from)?,
                tbs.subject_public_key_info()
                    .subject_public_key
                    .raw_bytes()
                    .to_vec(),
            )
        };
        let ids = vec![
            (
                ocsp::SHA1,
                digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, &name_der),
                digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, &key_bits),
            ),
            (
                orgca_pki::oids::SHA256,
                digest(&aws_lc_rs::digest::SHA256, &name_der),
                digest(&aws_lc_rs::digest::SHA256, &key_bits),
            ),
        ];
        let key_hash = digest(
            &aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY,
            key.public_key().subject_public_key.raw_bytes(),
        )
        .try_into()
        .map_err(|_| CaError::SelfCheck("digest length".into()))?;
        tracing::info!(ca = %ca.name, serial = %serial_hex, %not_after, "OCSP responder certificate issued");
        Ok(Responder {
            issuer: ca.name.clone(),
            not_before,
            not_after,
            cert_der,
            key,
            key_hash,
            ids,
        })
    }

    /// The CertID most clients send for `serial` (SHA-1 hashes, NULL parameters, as
    /// OpenSSL and the RFC 5019 profile do): the key of an answer signed ahead.
    pub fn sha1_cert_id(&self, serial: &[u8]) -> Result<CertId, CaError> {
        let (alg, name_hash, key_hash) = &self.ids[0];
        let der_err = orgca_pki::DerError::from;
        Ok(CertId {
            hash_algorithm: spki::AlgorithmIdentifierOwned {
                oid: *alg,
                parameters: Some(der::asn1::Any::null()),
            },
            issuer_name_hash: der::asn1::OctetString::new(name_hash.clone()).map_err(der_err)?,
            issuer_key_hash: der::asn1::OctetString::new(key_hash.clone()).map_err(der_err)?,
            serial_number: der::asn1::Int::new(serial).map_err(der_err)?,
        })
    }

    /// Whether `id` names this responder's issuing CA (by a hash it knows).
    pub fn answers_for(&self, id: &CertId) -> bool {
        self.ids.iter().any(|(alg, name_hash, key_hash)| {
            id.hash_algorithm.oid == *alg
                && id.issuer_name_hash.as_bytes() == name_hash.as_slice()
                && id.issuer_key_hash.as_bytes() == key_hash.as_slice()
        })
    }

    /// A signed, successful OCSPResponse with these answers.
    pub fn sign(
        &self,
        answers: &[SingleAnswer],
        nonce: Option<&[u8]>,
        this_update: OffsetDateTime,
        next_update: OffsetDateTime,
    ) -> Result<Vec<u8>, CaError> {
        let data = ocsp::response_data(&ocsp::ResponseParts {
            responder_key_hash: self.key_hash,
            this_update,
            next_update,
            answers,
            nonce,
        })?;
        let sig = self.key.sign(&data)?;
        crate::issuer::check_signature(&self.key, &data, &sig)?;
        Ok(ocsp::successful_response(
            &data,
            self.key.algorithm(),
            &sig,
            &self.cert_der,
        )?)
    }
}
