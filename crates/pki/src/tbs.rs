//! The TBSCertificate that orgca builds, with public fields so that profiles can fill it.
//! It encodes to exactly the DER of RFC 5280's `TBSCertificate`.

use der::Sequence;
use der::asn1::BitString;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::certificate::Version;
use x509_cert::ext::Extension;
use x509_cert::name::RdnSequence;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Validity;

/// RFC 5280 §4.1 TBSCertificate (v3; unique identifiers are never written).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct Tbs {
    /// Always [`Version::V3`].
    #[asn1(context_specific = "0", default = "Default::default")]
    pub version: Version,
    /// Positive, at most 20 octets.
    pub serial_number: SerialNumber,
    /// The algorithm the issuer will sign with.
    pub signature: AlgorithmIdentifierOwned,
    /// The issuer's subject name, byte for byte.
    pub issuer: RdnSequence,
    /// notBefore and notAfter.
    pub validity: Validity,
    /// The subject name.
    pub subject: RdnSequence,
    /// The subject's public key.
    pub subject_public_key_info: SubjectPublicKeyInfoOwned,
    /// Never written by orgca (present only so that the type mirrors RFC 5280).
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub issuer_unique_id: Option<BitString>,
    /// Never written by orgca.
    #[asn1(context_specific = "2", tag_mode = "IMPLICIT", optional = "true")]
    pub subject_unique_id: Option<BitString>,
    /// The extensions, in the order the profile lists them.
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    pub extensions: Option<Vec<Extension>>,
}

impl Tbs {
    /// A v3 TBS without unique identifiers: what every profile of orgca builds.
    pub fn v3(
        serial: &[u8],
        signature: crate::SignatureAlgorithm,
        issuer: RdnSequence,
        (not_before, not_after): (::time::OffsetDateTime, ::time::OffsetDateTime),
        subject: RdnSequence,
        spki: SubjectPublicKeyInfoOwned,
        extensions: Vec<Extension>,
    ) -> Result<Tbs, crate::DerError> {
        Ok(Tbs {
            version: Version::V3,
            serial_number: SerialNumber::new(serial)?,
            signature: signature.identifier(),
            issuer,
            validity: Validity::new(
                crate::time::to_x509_time(not_before)?,
                crate::time::to_x509_time(not_after)?,
            ),
            subject,
            subject_public_key_info: spki,
            issuer_unique_id: None,
            subject_unique_id: None,
            extensions: Some(extensions),
        })
    }
}
