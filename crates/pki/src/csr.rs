//! PKCS#10 certificate requests (RFC 2986): parsing, the proof-of-possession check (the
//! request's self-signature) and the key policy (RSA >= 3072 bits, or P-256 / P-384).
//! Only the public key is taken from a request; its subject and attributes are ignored.

use aws_lc_rs::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use der::asn1::{ObjectIdentifier, UintRef};
use der::{Decode, Encode, Sequence};
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::request::CertReq;

use crate::oids;

/// The largest request accepted, in bytes (PEM or DER). A CSR with an 8192-bit RSA key
/// is under 3 KiB.
pub const MAX_CSR_BYTES: usize = 64 * 1024;

/// Why a request was refused. Each message says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsrError {
    /// Nothing was given.
    #[error("the CSR is empty: give a PKCS#10 request in PEM or DER")]
    Empty,
    /// Larger than [`MAX_CSR_BYTES`].
    #[error("the CSR is {0} bytes; at most {MAX_CSR_BYTES} are accepted")]
    TooLarge(usize),
    /// Not PEM with a CERTIFICATE REQUEST label, nor DER of a CertificationRequest.
    #[error("the CSR is not a PKCS#10 request in PEM or DER: {0}")]
    Malformed(String),
    /// The signature algorithm is not one orgca verifies.
    #[error(
        "the CSR is signed with {}, which orgca does not accept; sign it with SHA-256 (RSA PKCS#1 or PSS, or ECDSA)",
        oids::described(.0)
    )]
    UnsupportedSignatureAlgorithm(ObjectIdentifier),
    /// The key type is not allowed.
    #[error(
        "the CSR's key is of type {}; orgca accepts RSA (3072 bits or more) and ECDSA P-256 or P-384 keys",
        oids::described(.0)
    )]
    UnsupportedKeyType(ObjectIdentifier),
    /// An EC key on a curve other than P-256 or P-384.
    #[error("the CSR's EC key is on curve {0}; orgca accepts P-256 and P-384")]
    UnsupportedCurve(String),
    /// An RSA key that is too small or too large.
    #[error("the CSR's RSA key has {0} bits; orgca requires at least 3072 (and at most 8192)")]
    RsaKeySize(usize),
    /// An RSA public exponent other than 65537.
    #[error(
        "the CSR's RSA public exponent is not 65537; orgca certifies RSA keys with e = 65537 only"
    )]
    RsaExponent,
    /// The self-signature does not verify: the requester did not prove possession of the key.
    #[error(
        "the CSR's signature does not verify with its own public key (was it altered, or signed with another key?)"
    )]
    BadSignature,
}

/// A request whose self-signature verified and whose key passed the key policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedCsr {
    /// The public key to certify.
    pub spki: SubjectPublicKeyInfoOwned,
    /// The subject it asks for (a leaf's is ignored: orgca writes its own data; a CA's
    /// is certified as asked, once linted).
    pub subject: x509_cert::name::Name,
}

/// The key kinds orgca certifies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// RSA with this many modulus bits.
    Rsa(usize),
    /// ECDSA on P-256.
    P256,
    /// ECDSA on P-384.
    P384,
}

#[derive(Sequence)]
struct RsaPublicKey<'a> {
    modulus: UintRef<'a>,
    public_exponent: UintRef<'a>,
}

/// Checks a key against the policy: RSA 3072..=8192 bits with an odd exponent >= 3, or
/// EC on P-256/P-384.
pub fn check_key(spki: &SubjectPublicKeyInfoOwned) -> Result<KeyKind, CsrError> {
    let oid = spki.algorithm.oid;
    if oid == oids::RSA_ENCRYPTION {
        let key = RsaPublicKey::from_der(spki.subject_public_key.raw_bytes())
            .map_err(|e| CsrError::Malformed(format!("RSA public key: {e}")))?;
        let m = key.modulus.as_bytes();
        let bits = match m.first() {
            Some(&top) => (m.len() - 1) * 8 + (8 - top.leading_zeros() as usize),
            None => 0,
        };
        if !(3072..=8192).contains(&bits) {
            return Err(CsrError::RsaKeySize(bits));
        }
        // The profile's RSA keys use e = 65537 (docs/DOMAIN.md); nothing else is certified.
        if key.public_exponent.as_bytes() != [0x01, 0x00, 0x01] {
            return Err(CsrError::RsaExponent);
        }
        // RFC 3279 §2.3.1: the parameters of rsaEncryption are NULL.
        if spki.algorithm.parameters != Some(der::asn1::Any::null()) {
            return Err(CsrError::Malformed(
                "rsaEncryption key parameters must be NULL (RFC 3279)".into(),
            ));
        }
        Ok(KeyKind::Rsa(bits))
    } else if oid == oids::EC_PUBLIC_KEY {
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
            .ok_or_else(|| CsrError::UnsupportedCurve("(not a named curve)".into()))?;
        if curve == oids::P256 {
            Ok(KeyKind::P256)
        } else if curve == oids::P384 {
            Ok(KeyKind::P384)
        } else {
            Err(CsrError::UnsupportedCurve(oids::described(&curve)))
        }
    } else {
        Err(CsrError::UnsupportedKeyType(oid))
    }
}

fn decode_input(input: &[u8]) -> Result<Vec<u8>, CsrError> {
    let trimmed = input.trim_ascii();
    if trimmed.is_empty() {
        return Err(CsrError::Empty);
    }
    if input.len() > MAX_CSR_BYTES {
        return Err(CsrError::TooLarge(input.len()));
    }
    if trimmed.starts_with(b"-----BEGIN") {
        let (label, der) =
            der::pem::decode_vec(trimmed).map_err(|e| CsrError::Malformed(format!("PEM: {e}")))?;
        if label != "CERTIFICATE REQUEST" && label != "NEW CERTIFICATE REQUEST" {
            return Err(CsrError::Malformed(format!(
                "PEM label is {label:?}, expected \"CERTIFICATE REQUEST\""
            )));
        }
        Ok(der)
    } else {
        Ok(input.to_vec())
    }
}

fn verification_algorithm(
    req: &CertReq,
    key: KeyKind,
) -> Result<&'static dyn VerificationAlgorithm, CsrError> {
    let alg = &req.algorithm;
    let unsupported = || CsrError::UnsupportedSignatureAlgorithm(alg.oid);
    Ok(match (key, alg.oid) {
        (KeyKind::Rsa(_), o) if o == oids::SHA256_WITH_RSA => {
            &signature::RSA_PKCS1_2048_8192_SHA256
        }
        (KeyKind::Rsa(_), o) if o == oids::SHA384_WITH_RSA => {
            &signature::RSA_PKCS1_2048_8192_SHA384
        }
        (KeyKind::Rsa(_), o) if o == oids::SHA512_WITH_RSA => {
            &signature::RSA_PKCS1_2048_8192_SHA512
        }
        (KeyKind::Rsa(_), o) if o == oids::RSASSA_PSS => {
            // aws-lc-rs verifies PSS with MGF1 of the message hash and a salt as long
            // as the digest; `pss_hash` accepts exactly those parameters.
            match crate::sigalg::pss_hash(alg.parameters.as_ref()) {
                Some(h) if h == oids::SHA256 => &signature::RSA_PSS_2048_8192_SHA256,
                Some(h) if h == oids::SHA384 => &signature::RSA_PSS_2048_8192_SHA384,
                Some(h) if h == oids::SHA512 => &signature::RSA_PSS_2048_8192_SHA512,
                _ => return Err(unsupported()),
            }
        }
        (KeyKind::P256, o) if o == oids::ECDSA_SHA256 => &signature::ECDSA_P256_SHA256_ASN1,
        (KeyKind::P256, o) if o == oids::ECDSA_SHA384 => &signature::ECDSA_P256_SHA384_ASN1,
        (KeyKind::P384, o) if o == oids::ECDSA_SHA256 => &signature::ECDSA_P384_SHA256_ASN1,
        (KeyKind::P384, o) if o == oids::ECDSA_SHA384 => &signature::ECDSA_P384_SHA384_ASN1,
        _ => return Err(unsupported()),
    })
}

/// Parses a PEM or DER request, checks its key against the policy and verifies its
/// self-signature.
pub fn parse_and_verify(input: &[u8]) -> Result<VerifiedCsr, CsrError> {
    let der = decode_input(input)?;
    let req = CertReq::from_der(&der).map_err(|e| CsrError::Malformed(e.to_string()))?;
    let key = check_key(&req.info.public_key)?;
    let alg = verification_algorithm(&req, key)?;
    let signed = req
        .info
        .to_der()
        .map_err(|e| CsrError::Malformed(e.to_string()))?;
    let sig = req.signature.as_bytes().ok_or(CsrError::BadSignature)?;
    UnparsedPublicKey::new(alg, req.info.public_key.subject_public_key.raw_bytes())
        .verify(&signed, sig)
        .map_err(|_| CsrError::BadSignature)?;
    Ok(VerifiedCsr {
        spki: req.info.public_key,
        subject: req.info.subject,
    })
}
