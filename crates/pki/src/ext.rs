//! The certificate extensions of orgca's profiles, each encoded once here.

use der::asn1::{Any, Ia5String, ObjectIdentifier, OctetString};
use der::{Encode, Sequence};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{
    AccessDescription, AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints,
    CertificatePolicies, CrlDistributionPoints, KeyUsage, KeyUsages, SubjectAltName,
    SubjectKeyIdentifier, certpolicy::PolicyInformation,
};

use crate::{DerError, oids};

fn wrap(oid: ObjectIdentifier, critical: bool, value: &impl Encode) -> Result<Extension, DerError> {
    Ok(Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value.to_der()?)?,
    })
}

/// The SHA-1 key identifier of RFC 5280 §4.2.1.2 method (1) over the subjectPublicKey bits.
pub fn key_identifier(subject_public_key: &[u8]) -> [u8; 20] {
    let d = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY,
        subject_public_key,
    );
    let mut out = [0u8; 20];
    out.copy_from_slice(d.as_ref());
    out
}

/// basicConstraints, critical: `CA:FALSE` (an empty SEQUENCE) or `CA:TRUE` with an
/// optional path length.
pub fn basic_constraints(ca: bool, path_len: Option<u8>) -> Result<Extension, DerError> {
    wrap(
        oids::EXT_BASIC_CONSTRAINTS,
        true,
        &BasicConstraints {
            ca,
            path_len_constraint: path_len,
        },
    )
}

/// keyUsage, critical.
pub fn key_usage(bits: der::flagset::FlagSet<KeyUsages>) -> Result<Extension, DerError> {
    wrap(oids::EXT_KEY_USAGE, true, &KeyUsage(bits))
}

/// extendedKeyUsage, not critical.
pub fn extended_key_usage(purposes: Vec<ObjectIdentifier>) -> Result<Extension, DerError> {
    wrap(
        oids::EXT_EKU,
        false,
        &x509_cert::ext::pkix::ExtendedKeyUsage(purposes),
    )
}

/// subjectKeyIdentifier.
pub fn subject_key_id(id: &[u8]) -> Result<Extension, DerError> {
    wrap(
        oids::EXT_SKI,
        false,
        &SubjectKeyIdentifier(OctetString::new(id)?),
    )
}

/// authorityKeyIdentifier with the keyIdentifier only (the issuer's own SKI).
pub fn authority_key_id(issuer_ski: &[u8]) -> Result<Extension, DerError> {
    let aki = AuthorityKeyIdentifier {
        key_identifier: Some(OctetString::new(issuer_ski)?),
        authority_cert_issuer: None,
        authority_cert_serial_number: None,
    };
    wrap(oids::EXT_AKI, false, &aki)
}

fn uri(s: &str) -> Result<GeneralName, DerError> {
    Ok(GeneralName::UniformResourceIdentifier(Ia5String::new(s)?))
}

/// authorityInfoAccess: caIssuers, then OCSP when given.
pub fn authority_info_access(ca_issuers: &str, ocsp: Option<&str>) -> Result<Extension, DerError> {
    let mut v = vec![AccessDescription {
        access_method: oids::AD_CA_ISSUERS,
        access_location: uri(ca_issuers)?,
    }];
    if let Some(o) = ocsp {
        v.push(AccessDescription {
            access_method: oids::AD_OCSP,
            access_location: uri(o)?,
        });
    }
    wrap(oids::EXT_AIA, false, &AuthorityInfoAccessSyntax(v))
}

/// cRLDistributionPoints with one full-name URI.
pub fn crl_distribution_point(url: &str) -> Result<Extension, DerError> {
    let dp = DistributionPoint {
        distribution_point: Some(DistributionPointName::FullName(vec![uri(url)?])),
        reasons: None,
        crl_issuer: None,
    };
    wrap(oids::EXT_CDP, false, &CrlDistributionPoints(vec![dp]))
}

/// certificatePolicies with bare policy identifiers (no qualifiers).
pub fn certificate_policies(policies: &[ObjectIdentifier]) -> Result<Extension, DerError> {
    let v = policies
        .iter()
        .map(|p| PolicyInformation {
            policy_identifier: *p,
            policy_qualifiers: None,
        })
        .collect();
    wrap(oids::EXT_CERT_POLICIES, false, &CertificatePolicies(v))
}

/// subjectAltName with one rfc822Name.
pub fn san_email(email: &str) -> Result<Extension, DerError> {
    wrap(
        oids::EXT_SAN,
        false,
        &SubjectAltName(vec![GeneralName::Rfc822Name(Ia5String::new(email)?)]),
    )
}

/// QCStatement ::= SEQUENCE { statementId OID, statementInfo ANY OPTIONAL } (RFC 3739).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct QcStatement {
    /// statementId.
    pub statement_id: ObjectIdentifier,
    /// statementInfo.
    pub statement_info: Option<Any>,
}

/// SemanticsInformation ::= SEQUENCE { semanticsIdentifier OID OPTIONAL,
/// nameRegistrationAuthorities SEQUENCE OF GeneralName OPTIONAL } (RFC 3739 §3.2.6.1).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct SemanticsInformation {
    /// semanticsIdentifier.
    pub semantics_identifier: Option<ObjectIdentifier>,
    /// nameRegistrationAuthorities.
    pub name_registration_authorities: Option<Vec<GeneralName>>,
}

/// qcStatements with one id-qcs-pkixQCSyntax-v2 statement carrying the ETSI semantics
/// identifier (natural or legal person) and the name registration authority URI.
pub fn qc_statements(
    semantics: ObjectIdentifier,
    registration_authority: &str,
) -> Result<Extension, DerError> {
    let info = SemanticsInformation {
        semantics_identifier: Some(semantics),
        name_registration_authorities: Some(vec![uri(registration_authority)?]),
    };
    let statements = vec![QcStatement {
        statement_id: oids::QCS_PKIX_SYNTAX_V2,
        statement_info: Some(Any::encode_from(&info)?),
    }];
    wrap(oids::EXT_QC_STATEMENTS, false, &statements)
}

/// PdsLocation ::= SEQUENCE { url IA5String, language PrintableString (SIZE(2)) }
/// (ETSI EN 319 412-5 §4.3.4).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct PdsLocation {
    /// Where the PKI disclosure statement is (https).
    pub url: Ia5String,
    /// ISO 639-1 language of that text.
    pub language: der::asn1::PrintableString,
}

/// Whether a qualified certificate is for electronic signatures (a person) or seals
/// (an organisation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QcType {
    /// id-etsi-qct-esign.
    Esign,
    /// id-etsi-qct-eseal.
    Eseal,
}

impl QcType {
    /// The QcType OID.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            QcType::Esign => oids::QCT_ESIGN,
            QcType::Eseal => oids::QCT_ESEAL,
        }
    }

    /// The ETSI semantics identifier that goes with it.
    pub fn semantics(self) -> ObjectIdentifier {
        match self {
            QcType::Esign => oids::SEMANTICS_NATURAL,
            QcType::Eseal => oids::SEMANTICS_LEGAL,
        }
    }
}

/// qcStatements of an EU qualified certificate (ETSI EN 319 412-5): QcCompliance,
/// QcSSCD when the key is in a QSCD (`sscd`), QcType, QcPDS (English) and the
/// pkixQCSyntax-v2 semantics statement of [`qc_statements`].
pub fn qualified_qc_statements(
    qc_type: QcType,
    registration_authority: &str,
    pds_url: &str,
    sscd: bool,
) -> Result<Extension, DerError> {
    let info = SemanticsInformation {
        semantics_identifier: Some(qc_type.semantics()),
        name_registration_authorities: Some(vec![uri(registration_authority)?]),
    };
    let pds = vec![PdsLocation {
        url: Ia5String::new(pds_url)?,
        language: der::asn1::PrintableString::new("en")?,
    }];
    let bare = |statement_id| QcStatement {
        statement_id,
        statement_info: None,
    };
    let mut statements = vec![bare(oids::QCS_COMPLIANCE)];
    if sscd {
        statements.push(bare(oids::QCS_SSCD));
    }
    statements.extend([
        QcStatement {
            statement_id: oids::QCS_TYPE,
            statement_info: Some(Any::encode_from(&vec![qc_type.oid()])?),
        },
        QcStatement {
            statement_id: oids::QCS_PDS,
            statement_info: Some(Any::encode_from(&pds)?),
        },
        QcStatement {
            statement_id: oids::QCS_PKIX_SYNTAX_V2,
            statement_info: Some(Any::encode_from(&info)?),
        },
    ]);
    wrap(oids::EXT_QC_STATEMENTS, false, &statements)
}
