//! OCSP (RFC 6960, with the RFC 5019 profile): reading requests, writing responses, and
//! the delegated responder's certificate profile. Pure functions: the signature is a
//! parameter, never made here.

use der::asn1::{
    BitString, ContextSpecific, GeneralizedTime, Int, Null, ObjectIdentifier, OctetString,
};
use der::{Choice, Decode, Encode, Sequence};
use der::{TagMode, TagNumber};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use time::OffsetDateTime;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::KeyUsages;
use x509_cert::name::RdnSequence;

use crate::{DerError, SignatureAlgorithm, Tbs, ext};

/// id-pkix-ocsp-basic.
pub const OCSP_BASIC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.1");
/// id-pkix-ocsp-nonce.
pub const OCSP_NONCE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.2");
/// id-pkix-ocsp-nocheck.
pub const OCSP_NOCHECK: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.5");
/// id-kp-OCSPSigning.
pub const KP_OCSP_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.9");
/// SHA-1 (the hash of most clients' CertIDs).
pub const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");

/// The largest request orgca reads: a request names a few certificates, not thousands.
pub const MAX_REQUEST: usize = 8 * 1024;
/// The most CertIDs one request may ask about.
pub const MAX_CERT_IDS: usize = 16;

/// RFC 6960 CertID.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct CertId {
    /// Hash of the two hashes below.
    pub hash_algorithm: AlgorithmIdentifierOwned,
    /// Hash of the issuer's Name DER.
    pub issuer_name_hash: OctetString,
    /// Hash of the issuer's public key (the BIT STRING's value).
    pub issuer_key_hash: OctetString,
    /// The certificate's serial.
    pub serial_number: Int,
}

impl CertId {
    /// The serial as unsigned big-endian bytes without leading zeros, or `None` for a
    /// negative or zero serial (never one of ours).
    pub fn serial(&self) -> Option<&[u8]> {
        let b = self.serial_number.as_bytes();
        if b.first().is_some_and(|x| x & 0x80 != 0) {
            return None;
        }
        let first = b.iter().position(|&x| x != 0)?;
        Some(&b[first..])
    }
}

#[derive(Clone, Debug, Sequence)]
struct Request {
    req_cert: CertId,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    single_request_extensions: Option<Vec<Extension>>,
}

#[derive(Clone, Debug, Sequence)]
struct TbsRequest {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    version: Option<u8>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    requestor_name: Option<der::Any>,
    request_list: Vec<Request>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    request_extensions: Option<Vec<Extension>>,
}

#[derive(Clone, Debug, Sequence)]
struct OcspRequestDer {
    tbs_request: TbsRequest,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    optional_signature: Option<der::Any>,
}

/// A parsed request: what it asks about, and its nonce if it sent one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OcspRequest {
    /// The certificates asked about.
    pub cert_ids: Vec<CertId>,
    /// The nonce extension's value (the OCTET STRING's content), to echo.
    pub nonce: Option<Vec<u8>>,
}

/// Why a request is not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// Not DER, or not an OCSPRequest.
    #[error("not an OCSP request: {0}")]
    Malformed(String),
    /// Asks about nothing, or too many certificates.
    #[error("an OCSP request asks about 1 to {MAX_CERT_IDS} certificates, not {0}")]
    Count(usize),
    /// Signed requests are not supported (nor needed: status is public).
    #[error("signed OCSP requests are not accepted")]
    Signed,
}

/// Reads an OCSPRequest (DER).
pub fn parse_request(der: &[u8]) -> Result<OcspRequest, RequestError> {
    if der.len() > MAX_REQUEST {
        return Err(RequestError::Malformed(format!("{} bytes", der.len())));
    }
    let req = OcspRequestDer::from_der(der).map_err(|e| RequestError::Malformed(e.to_string()))?;
    if req.optional_signature.is_some() {
        return Err(RequestError::Signed);
    }
    if req.tbs_request.version.is_some_and(|v| v != 0) {
        return Err(RequestError::Malformed("version is not v1".into()));
    }
    let n = req.tbs_request.request_list.len();
    if n == 0 || n > MAX_CERT_IDS {
        return Err(RequestError::Count(n));
    }
    let nonce = req
        .tbs_request
        .request_extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id == OCSP_NONCE)
        .map(|e| e.extn_value.as_bytes().to_vec());
    if nonce
        .as_ref()
        .is_some_and(|n| n.is_empty() || n.len() > 128)
    {
        return Err(RequestError::Malformed("nonce of a bad size".into()));
    }
    Ok(OcspRequest {
        cert_ids: req
            .tbs_request
            .request_list
            .into_iter()
            .map(|r| r.req_cert)
            .collect(),
        nonce,
    })
}

/// What orgca knows about one certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertStatus {
    /// Issued, not blocked.
    Good,
    /// Blocked at (Unix seconds) for the CRLReason.
    Revoked {
        /// When.
        at: i64,
        /// RFC 5280 CRLReason (0 is left out).
        reason: u8,
    },
    /// Never issued by this CA.
    Unknown,
}

#[derive(Clone, Debug, Choice)]
enum CertStatusDer {
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT")]
    Good(Null),
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", constructed = "true")]
    Revoked(RevokedInfo),
    #[asn1(context_specific = "2", tag_mode = "IMPLICIT")]
    Unknown(Null),
}

#[derive(Clone, Debug, Sequence)]
struct RevokedInfo {
    revocation_time: GeneralizedTime,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    revocation_reason: Option<x509_cert::ext::pkix::crl::CrlReason>,
}

#[derive(Clone, Debug, Sequence)]
struct SingleResponse {
    cert_id: CertId,
    cert_status: CertStatusDer,
    this_update: GeneralizedTime,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    next_update: Option<GeneralizedTime>,
}

#[derive(Clone, Debug, Sequence)]
struct ResponseData {
    /// ResponderID byKey: `[2] EXPLICIT KeyHash`.
    responder_id: ContextSpecific<OctetString>,
    produced_at: GeneralizedTime,
    responses: Vec<SingleResponse>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    response_extensions: Option<Vec<Extension>>,
}

/// One answer to put into a response.
#[derive(Clone, Debug)]
pub struct SingleAnswer {
    /// The CertID as the client sent it (echoed byte for byte).
    pub cert_id: CertId,
    /// The status.
    pub status: CertStatus,
}

/// Everything of a BasicOCSPResponse but its signature.
#[derive(Clone, Debug)]
pub struct ResponseParts<'a> {
    /// SHA-1 of the responder's public key (the `byKey` ResponderID).
    pub responder_key_hash: [u8; 20],
    /// producedAt and thisUpdate.
    pub this_update: OffsetDateTime,
    /// nextUpdate.
    pub next_update: OffsetDateTime,
    /// The answers.
    pub answers: &'a [SingleAnswer],
    /// The nonce to echo.
    pub nonce: Option<&'a [u8]>,
}

fn gtime(t: OffsetDateTime) -> Result<GeneralizedTime, DerError> {
    let secs = u64::try_from(t.unix_timestamp())
        .map_err(|_| der::Error::from(der::ErrorKind::DateTime))?;
    Ok(GeneralizedTime::from_unix_duration(
        std::time::Duration::from_secs(secs),
    )?)
}

fn crl_reason(code: u8) -> Option<x509_cert::ext::pkix::crl::CrlReason> {
    use x509_cert::ext::pkix::crl::CrlReason as R;
    Some(match code {
        1 => R::KeyCompromise,
        2 => R::CaCompromise,
        3 => R::AffiliationChanged,
        4 => R::Superseded,
        5 => R::CessationOfOperation,
        6 => R::CertificateHold,
        8 => R::RemoveFromCRL,
        9 => R::PrivilegeWithdrawn,
        10 => R::AaCompromise,
        _ => return None,
    })
}

/// The DER of the ResponseData to sign.
pub fn response_data(parts: &ResponseParts<'_>) -> Result<Vec<u8>, DerError> {
    let this_update = gtime(parts.this_update)?;
    let next_update = gtime(parts.next_update)?;
    let mut responses = Vec::with_capacity(parts.answers.len());
    for a in parts.answers {
        let cert_status = match a.status {
            CertStatus::Good => CertStatusDer::Good(Null),
            CertStatus::Unknown => CertStatusDer::Unknown(Null),
            CertStatus::Revoked { at, reason } => CertStatusDer::Revoked(RevokedInfo {
                revocation_time: gtime(
                    OffsetDateTime::from_unix_timestamp(at)
                        .map_err(|_| der::Error::from(der::ErrorKind::DateTime))?,
                )?,
                revocation_reason: crl_reason(reason),
            }),
        };
        responses.push(SingleResponse {
            cert_id: a.cert_id.clone(),
            cert_status,
            this_update,
            next_update: Some(next_update),
        });
    }
    let response_extensions = match parts.nonce {
        None => None,
        Some(n) => Some(vec![Extension {
            extn_id: OCSP_NONCE,
            critical: false,
            extn_value: OctetString::new(n)?,
        }]),
    };
    Ok(ResponseData {
        responder_id: ContextSpecific {
            tag_number: TagNumber(2),
            tag_mode: TagMode::Explicit,
            value: OctetString::new(parts.responder_key_hash)?,
        },
        produced_at: this_update,
        responses,
        response_extensions,
    }
    .to_der()?)
}

#[derive(Clone, Debug, Sequence)]
struct BasicResponse {
    tbs_response_data: der::Any,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: BitString,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    certs: Option<Vec<der::Any>>,
}

#[derive(Clone, Debug, Sequence)]
struct ResponseBytes {
    response_type: ObjectIdentifier,
    response: OctetString,
}

#[derive(Clone, Debug, Sequence)]
struct OcspResponseDer {
    response_status: der::asn1::Any,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    response_bytes: Option<ResponseBytes>,
}

/// A successful OCSPResponse around the signed ResponseData, with the responder's
/// certificate (RFC 6960 §4.2.2.2: a delegated responder sends its certificate).
pub fn successful_response(
    response_data_der: &[u8],
    algorithm: SignatureAlgorithm,
    signature: &[u8],
    responder_cert_der: &[u8],
) -> Result<Vec<u8>, DerError> {
    let basic = BasicResponse {
        tbs_response_data: der::Any::from_der(response_data_der)?,
        signature_algorithm: algorithm.identifier(),
        signature: BitString::from_bytes(signature)?,
        certs: Some(vec![der::Any::from_der(responder_cert_der)?]),
    };
    Ok(OcspResponseDer {
        response_status: der::Any::new(der::Tag::Enumerated, [0u8])?,
        response_bytes: Some(ResponseBytes {
            response_type: OCSP_BASIC,
            response: OctetString::new(basic.to_der()?)?,
        }),
    }
    .to_der()?)
}

/// An unsuccessful OCSPResponse (no signature, RFC 6960 §2.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unsuccessful {
    /// malformedRequest (1).
    MalformedRequest = 1,
    /// internalError (2).
    InternalError = 2,
    /// tryLater (3).
    TryLater = 3,
    /// unauthorized (6): not a CA this responder answers for.
    Unauthorized = 6,
}

impl Unsuccessful {
    /// The response's DER.
    pub fn der(self) -> [u8; 5] {
        [0x30, 0x03, 0x0a, 0x01, self as u8]
    }
}

/// The delegated OCSP responder's certificate for one issuing CA: EKU OCSPSigning,
/// id-pkix-ocsp-nocheck, digitalSignature only, short-lived.
#[derive(Clone, Debug)]
pub struct ResponderProfile<'a> {
    /// The responder's name (`CN=<CA> OCSP`, the CA's O and C).
    pub subject: RdnSequence,
    /// The issuing CA's name.
    pub issuer: &'a RdnSequence,
    /// The issuing CA's subjectKeyIdentifier.
    pub issuer_key_id: &'a [u8],
    /// The responder's key.
    pub spki: &'a SubjectPublicKeyInfoOwned,
    /// A fresh serial.
    pub serial: &'a [u8],
    /// notBefore.
    pub not_before: OffsetDateTime,
    /// notAfter.
    pub not_after: OffsetDateTime,
    /// The algorithm the issuing CA signs with.
    pub signature: SignatureAlgorithm,
}

impl ResponderProfile<'_> {
    /// The TBS.
    pub fn build(&self) -> Result<Tbs, DerError> {
        let ski = ext::key_identifier(self.spki.subject_public_key.raw_bytes());
        let extensions = vec![
            ext::key_usage(KeyUsages::DigitalSignature.into())?,
            ext::extended_key_usage(vec![KP_OCSP_SIGNING])?,
            Extension {
                extn_id: OCSP_NOCHECK,
                critical: false,
                extn_value: OctetString::new(Null.to_der()?)?,
            },
            ext::subject_key_id(&ski)?,
            ext::authority_key_id(self.issuer_key_id)?,
        ];
        Tbs::v3(
            self.serial,
            self.signature,
            self.issuer.clone(),
            (self.not_before, self.not_after),
            self.subject.clone(),
            self.spki.clone(),
            extensions,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_malformed_and_never_panics() {
        let valid_looking = [0x30, 0x03, 0x30, 0x01, 0x30];
        for bad in [
            &b""[..],
            b"\x30",
            b"\x30\x80",
            b"hello",
            &valid_looking,
            &[0u8; 9000],
        ] {
            assert!(parse_request(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            Unsuccessful::MalformedRequest.der(),
            [0x30, 0x03, 0x0a, 0x01, 0x01]
        );
    }
}
