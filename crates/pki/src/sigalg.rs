//! Signature algorithm identifiers as they appear in certificates.

use der::{Decode, Encode, Sequence, asn1::Any};
use spki::AlgorithmIdentifierOwned;

use crate::oids;

/// The signature algorithms orgca's CA keys sign with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    /// RSASSA-PSS, SHA-256, MGF1-SHA-256, salt 32 (the OCES3 choice).
    RsaPssSha256,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (fallback for relying parties without PSS).
    RsaPkcs1Sha256,
    /// ECDSA with SHA-256 (P-256 keys).
    EcdsaSha256,
    /// ECDSA with SHA-384 (P-384 keys).
    EcdsaSha384,
}

/// RSASSA-PSS-params (RFC 4055) with explicit hash and MGF, salt length 32.
#[derive(Sequence)]
struct PssParams {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    hash: AlgorithmIdentifierOwned,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT")]
    mgf: AlgorithmIdentifierOwned,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT")]
    salt_length: u32,
}

/// RSASSA-PSS-params as found in the wild: every field optional (RFC 4055 defaults).
#[derive(Sequence)]
struct PssParamsIn {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    hash: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    mgf: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    salt_length: Option<u32>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    trailer_field: Option<u32>,
}

/// For RSASSA-PSS parameters whose MGF1 hash equals the message hash, whose salt is as
/// long as the digest and whose trailer is the default: that hash's OID. `None` for any
/// other combination (including the SHA-1 defaults), which orgca does not accept.
pub fn pss_hash(params: Option<&Any>) -> Option<der::asn1::ObjectIdentifier> {
    let p: PssParamsIn = params?.decode_as().ok()?;
    let hash = p.hash?.oid;
    let mgf = p.mgf?;
    let mgf_hash: AlgorithmIdentifierOwned = mgf.parameters.as_ref()?.decode_as().ok()?;
    let digest_len = if hash == oids::SHA256 {
        32
    } else if hash == oids::SHA384 {
        48
    } else if hash == oids::SHA512 {
        64
    } else {
        return None;
    };
    let ok = mgf.oid == oids::MGF1
        && mgf_hash.oid == hash
        && p.salt_length.unwrap_or(20) == digest_len
        && p.trailer_field.unwrap_or(1) == 1;
    ok.then_some(hash)
}

fn sha256_id() -> AlgorithmIdentifierOwned {
    // RFC 4055 §2.1: the hash AlgorithmIdentifier's parameters are NULL when present;
    // RFC 4055 §3.1 pss params carry sha256 with NULL parameters (as OpenSSL writes).
    AlgorithmIdentifierOwned {
        oid: oids::SHA256,
        parameters: Some(Any::null()),
    }
}

impl SignatureAlgorithm {
    /// The AlgorithmIdentifier written into `signature` and `signatureAlgorithm`.
    pub fn identifier(self) -> AlgorithmIdentifierOwned {
        match self {
            SignatureAlgorithm::RsaPssSha256 => {
                let params = PssParams {
                    hash: sha256_id(),
                    mgf: AlgorithmIdentifierOwned {
                        oid: oids::MGF1,
                        parameters: Some(Any::encode_from(&sha256_id()).expect("static DER")),
                    },
                    salt_length: 32,
                };
                let der = params.to_der().expect("static DER");
                AlgorithmIdentifierOwned {
                    oid: oids::RSASSA_PSS,
                    parameters: Some(Any::from_der(&der).expect("static DER")),
                }
            }
            SignatureAlgorithm::RsaPkcs1Sha256 => AlgorithmIdentifierOwned {
                oid: oids::SHA256_WITH_RSA,
                parameters: Some(Any::null()),
            },
            SignatureAlgorithm::EcdsaSha256 => AlgorithmIdentifierOwned {
                oid: oids::ECDSA_SHA256,
                parameters: None,
            },
            SignatureAlgorithm::EcdsaSha384 => AlgorithmIdentifierOwned {
                oid: oids::ECDSA_SHA384,
                parameters: None,
            },
        }
    }

    /// The config name: `rsa-pss-sha256`, `rsa-pkcs1-sha256`, `ecdsa-sha256`, `ecdsa-sha384`.
    pub fn name(self) -> &'static str {
        match self {
            SignatureAlgorithm::RsaPssSha256 => "rsa-pss-sha256",
            SignatureAlgorithm::RsaPkcs1Sha256 => "rsa-pkcs1-sha256",
            SignatureAlgorithm::EcdsaSha256 => "ecdsa-sha256",
            SignatureAlgorithm::EcdsaSha384 => "ecdsa-sha384",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pss_identifier_matches_openssl_encoding() {
        // `openssl req -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -sha256`
        // writes this AlgorithmIdentifier.
        let expected = "304106092a864886f70d01010a3034a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500a203020120";
        let der = SignatureAlgorithm::RsaPssSha256
            .identifier()
            .to_der()
            .expect("encode");
        assert_eq!(hex_encode(&der), expected);
    }

    fn hex_encode(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }
}
