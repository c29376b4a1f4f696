//! Object identifiers used by orgca's profiles, named as in their standards.

use der::asn1::ObjectIdentifier as Oid;

/// X.520 commonName.
pub const CN: Oid = Oid::new_unwrap("2.5.4.3");
/// X.520 surname.
pub const SURNAME: Oid = Oid::new_unwrap("2.5.4.4");
/// X.520 serialNumber.
pub const SERIAL_NUMBER: Oid = Oid::new_unwrap("2.5.4.5");
/// X.520 countryName.
pub const COUNTRY: Oid = Oid::new_unwrap("2.5.4.6");
/// X.520 organizationName.
pub const ORGANIZATION: Oid = Oid::new_unwrap("2.5.4.10");
/// X.520 organizationalUnitName.
pub const ORGANIZATIONAL_UNIT: Oid = Oid::new_unwrap("2.5.4.11");
/// X.520 givenName.
pub const GIVEN_NAME: Oid = Oid::new_unwrap("2.5.4.42");
/// X.520 organizationIdentifier (ETSI EN 319 412-1 §5.1.4).
pub const ORGANIZATION_IDENTIFIER: Oid = Oid::new_unwrap("2.5.4.97");

/// rsaEncryption (RFC 8017).
pub const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
/// id-RSASSA-PSS (RFC 4055).
pub const RSASSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
/// id-mgf1 (RFC 4055).
pub const MGF1: Oid = Oid::new_unwrap("1.2.840.113549.1.1.8");
/// sha256WithRSAEncryption.
pub const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
/// sha384WithRSAEncryption.
pub const SHA384_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
/// sha512WithRSAEncryption.
pub const SHA512_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
/// id-ecPublicKey.
pub const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
/// secp256r1 / P-256.
pub const P256: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
/// secp384r1 / P-384.
pub const P384: Oid = Oid::new_unwrap("1.3.132.0.34");
/// ecdsa-with-SHA256.
pub const ECDSA_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
/// ecdsa-with-SHA384.
pub const ECDSA_SHA384: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
/// ecdsa-with-SHA512.
pub const ECDSA_SHA512: Oid = Oid::new_unwrap("1.2.840.10045.4.3.4");
/// id-sha256.
pub const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
/// id-sha384.
pub const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
/// id-sha512.
pub const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");

/// id-ce-subjectKeyIdentifier.
pub const EXT_SKI: Oid = Oid::new_unwrap("2.5.29.14");
/// id-ce-keyUsage.
pub const EXT_KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.15");
/// id-ce-subjectAltName.
pub const EXT_SAN: Oid = Oid::new_unwrap("2.5.29.17");
/// id-ce-basicConstraints.
pub const EXT_BASIC_CONSTRAINTS: Oid = Oid::new_unwrap("2.5.29.19");
/// id-ce-cRLDistributionPoints.
pub const EXT_CDP: Oid = Oid::new_unwrap("2.5.29.31");
/// cRLNumber (RFC 5280 5.2.3).
pub const EXT_CRL_NUMBER: Oid = Oid::new_unwrap("2.5.29.20");
/// id-ce-certificatePolicies.
pub const EXT_CERT_POLICIES: Oid = Oid::new_unwrap("2.5.29.32");
/// id-ce-authorityKeyIdentifier.
pub const EXT_AKI: Oid = Oid::new_unwrap("2.5.29.35");
/// id-ce-extKeyUsage.
pub const EXT_EKU: Oid = Oid::new_unwrap("2.5.29.37");
/// id-pe-authorityInfoAccess.
pub const EXT_AIA: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.1.1");
/// id-pe-qcStatements (RFC 3739).
pub const EXT_QC_STATEMENTS: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.1.3");

/// id-ad-ocsp.
pub const AD_OCSP: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.48.1");
/// id-ad-caIssuers.
pub const AD_CA_ISSUERS: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.48.2");

/// anyPolicy.
pub const ANY_POLICY: Oid = Oid::new_unwrap("2.5.29.32.0");
/// ETSI EN 319 411-1 NCP (normalized certificate policy).
pub const ETSI_NCP: Oid = Oid::new_unwrap("0.4.0.2042.1.1");
/// id-qcs-pkixQCSyntax-v2 (RFC 3739).
pub const QCS_PKIX_SYNTAX_V2: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.11.2");
/// ETSI EN 319 412-1 id-etsi-qcs-semanticsId-Natural.
pub const SEMANTICS_NATURAL: Oid = Oid::new_unwrap("0.4.0.194121.1.1");
/// ETSI EN 319 412-1 id-etsi-qcs-semanticsId-Legal.
pub const SEMANTICS_LEGAL: Oid = Oid::new_unwrap("0.4.0.194121.1.2");

/// ETSI EN 319 412-5 esi4-qcStatement-1: QcCompliance (an EU qualified certificate).
pub const QCS_COMPLIANCE: Oid = Oid::new_unwrap("0.4.0.1862.1.1");
/// ETSI EN 319 412-5 esi4-qcStatement-4: QcSSCD (the key is in a QSCD).
pub const QCS_SSCD: Oid = Oid::new_unwrap("0.4.0.1862.1.4");
/// ETSI EN 319 412-5 esi4-qcStatement-5: QcPDS (where the PKI disclosure statement is).
pub const QCS_PDS: Oid = Oid::new_unwrap("0.4.0.1862.1.5");
/// ETSI EN 319 412-5 esi4-qcStatement-6: QcType.
pub const QCS_TYPE: Oid = Oid::new_unwrap("0.4.0.1862.1.6");
/// ETSI EN 319 412-5 id-etsi-qct-esign (a certificate for electronic signatures).
pub const QCT_ESIGN: Oid = Oid::new_unwrap("0.4.0.1862.1.6.1");
/// ETSI EN 319 412-5 id-etsi-qct-eseal (a certificate for electronic seals).
pub const QCT_ESEAL: Oid = Oid::new_unwrap("0.4.0.1862.1.6.2");
/// ETSI EN 319 411-2 QCP-n: qualified, natural person (key not claimed to be in a QSCD).
pub const QCP_N: Oid = Oid::new_unwrap("0.4.0.194112.1.0");
/// ETSI EN 319 411-2 QCP-l: qualified, legal person (key not claimed to be in a QSCD).
pub const QCP_L: Oid = Oid::new_unwrap("0.4.0.194112.1.1");
/// ETSI EN 319 411-2 QCP-n-qscd: qualified, natural person, key in a QSCD.
pub const QCP_N_QSCD: Oid = Oid::new_unwrap("0.4.0.194112.1.2");
/// ETSI EN 319 411-2 QCP-l-qscd: qualified, legal person, key in a QSCD.
pub const QCP_L_QSCD: Oid = Oid::new_unwrap("0.4.0.194112.1.3");

/// CMS id-data (RFC 5652).
pub const CMS_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
/// CMS id-signedData (RFC 5652).
pub const CMS_SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
/// CMS content-type attribute.
pub const ATTR_CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
/// CMS message-digest attribute.
pub const ATTR_MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
/// CMS signing-time attribute.
pub const ATTR_SIGNING_TIME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.5");
/// id-aa-signingCertificateV2 (RFC 5035).
pub const ATTR_SIGNING_CERTIFICATE_V2: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.47");

/// Names people know for key types, curves and signature algorithms that a CSR may
/// carry (accepted or not), so that an error says "P-521", not "1.3.132.0.35".
const KNOWN: &[(&str, &str)] = &[
    ("1.2.840.113549.1.1.1", "RSA"),
    ("1.2.840.113549.1.1.10", "RSASSA-PSS"),
    ("1.2.840.10045.2.1", "EC"),
    ("1.2.840.10040.4.1", "DSA"),
    ("1.3.101.110", "X25519"),
    ("1.3.101.111", "X448"),
    ("1.3.101.112", "Ed25519"),
    ("1.3.101.113", "Ed448"),
    ("1.2.156.10197.1.301", "SM2"),
    ("2.16.840.1.101.3.4.3.17", "ML-DSA-44"),
    ("2.16.840.1.101.3.4.3.18", "ML-DSA-65"),
    ("2.16.840.1.101.3.4.3.19", "ML-DSA-87"),
    ("1.2.840.10045.3.1.1", "P-192"),
    ("1.3.132.0.33", "P-224"),
    ("1.2.840.10045.3.1.7", "P-256"),
    ("1.3.132.0.34", "P-384"),
    ("1.3.132.0.35", "P-521"),
    ("1.3.132.0.10", "secp256k1"),
    ("1.3.36.3.3.2.8.1.1.7", "brainpoolP256r1"),
    ("1.3.36.3.3.2.8.1.1.11", "brainpoolP384r1"),
    ("1.3.36.3.3.2.8.1.1.13", "brainpoolP512r1"),
    ("1.2.840.113549.1.1.4", "MD5 with RSA"),
    ("1.2.840.113549.1.1.5", "SHA-1 with RSA"),
    ("1.2.840.113549.1.1.14", "SHA-224 with RSA"),
    ("1.2.840.113549.1.1.11", "SHA-256 with RSA"),
    ("1.2.840.113549.1.1.12", "SHA-384 with RSA"),
    ("1.2.840.113549.1.1.13", "SHA-512 with RSA"),
    ("1.2.840.10045.4.1", "ECDSA with SHA-1"),
    ("1.2.840.10045.4.3.1", "ECDSA with SHA-224"),
    ("1.2.840.10045.4.3.2", "ECDSA with SHA-256"),
    ("1.2.840.10045.4.3.3", "ECDSA with SHA-384"),
    ("1.2.840.10045.4.3.4", "ECDSA with SHA-512"),
    ("1.2.840.10040.4.3", "DSA with SHA-1"),
];

/// `oid` as a person reads it: its usual name and the OID (`P-521 (1.3.132.0.35)`), or
/// the OID alone when orgca knows no name for it.
pub fn described(oid: &Oid) -> String {
    let dotted = oid.to_string();
    match KNOWN.iter().find(|(o, _)| *o == dotted) {
        Some((_, name)) => format!("{name} ({dotted})"),
        None => dotted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_oids_are_named_and_others_left_as_they_are() {
        assert_eq!(
            described(&Oid::new_unwrap("1.3.132.0.35")),
            "P-521 (1.3.132.0.35)"
        );
        assert_eq!(
            described(&Oid::new_unwrap("1.3.101.112")),
            "Ed25519 (1.3.101.112)"
        );
        assert_eq!(described(&P256), "P-256 (1.2.840.10045.3.1.7)");
        assert_eq!(described(&Oid::new_unwrap("1.2.3.4")), "1.2.3.4");
        // Every name belongs to a well-formed OID, once.
        for (i, (oid, _)) in KNOWN.iter().enumerate() {
            assert!(Oid::new(oid).is_ok(), "{oid}");
            assert!(KNOWN[i + 1..].iter().all(|(o, _)| o != oid), "{oid} twice");
        }
    }
}
