//! Assembling a signed certificate from a TBS and its signature, and checking the result.

use der::asn1::BitString;
use der::{Decode, Encode, Header, Length, Tag};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;

use crate::DerError;

/// `Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }`,
/// with `tbs_der` copied byte for byte (never re-encoded), so that what is signed is
/// exactly what was linted.
pub fn assemble_certificate(
    tbs_der: &[u8],
    algorithm: &AlgorithmIdentifierOwned,
    signature: &[u8],
) -> Result<Vec<u8>, DerError> {
    let alg = algorithm.to_der()?;
    let sig = BitString::from_bytes(signature)?.to_der()?;
    let body_len = Length::try_from(tbs_der.len() + alg.len() + sig.len())?;
    let header = Header::new(Tag::Sequence, body_len);
    let mut out =
        Vec::with_capacity(usize::try_from(header.encoded_len()?)? + usize::try_from(body_len)?);
    header.encode_to_vec(&mut out)?;
    out.extend_from_slice(tbs_der);
    out.extend_from_slice(&alg);
    out.extend_from_slice(&sig);
    Ok(out)
}

/// Parses a DER certificate and returns it with its TBS re-encoded, for the check that
/// the signed TBS is the linted one.
pub fn tbs_of(cert_der: &[u8]) -> Result<(Certificate, Vec<u8>), DerError> {
    let cert = Certificate::from_der(cert_der)?;
    let tbs = cert.tbs_certificate().to_der()?;
    Ok((cert, tbs))
}

/// PEM of a DER certificate (`-----BEGIN CERTIFICATE-----`, LF line endings).
pub fn certificate_pem(cert_der: &[u8]) -> Result<String, DerError> {
    Ok(
        der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, cert_der)
            .map_err(der::Error::from)?,
    )
}

/// PEM of a public key (`-----BEGIN PUBLIC KEY-----`, the SPKI's DER).
pub fn public_key_pem(spki: &spki::SubjectPublicKeyInfoOwned) -> Result<String, DerError> {
    use der::Encode;
    let der = spki.to_der()?;
    Ok(
        der::pem::encode_string("PUBLIC KEY", der::pem::LineEnding::LF, &der)
            .map_err(der::Error::from)?,
    )
}

/// The DER inside a PEM block labelled `label` (a certificate, a public key, a CRL), or
/// `None` when `text` is not one.
pub fn pem_block(text: &[u8], label: &str) -> Option<Vec<u8>> {
    let (found, der) = der::pem::decode_vec(text).ok()?;
    (found == label).then_some(der)
}
