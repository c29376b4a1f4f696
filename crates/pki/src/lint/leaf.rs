//! Lints for leaf certificates: the OCES3-style profile of docs/DOMAIN.md.

use der::asn1::ObjectIdentifier;
use der::{Decode, Encode};
use orgca_model::{CertKind, Email};
use x509_cert::TbsCertificate;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{
    AuthorityInfoAccessSyntax, CertificatePolicies, CrlDistributionPoints, SubjectAltName,
};

use super::common::{self, get};
use super::{LeafExpectations, LintFailure, ensure, fail};
use crate::ext::{QcStatement, SemanticsInformation};
use crate::profile::{LEAF_VALIDITY_YEARS, leaf_key_usage};
use crate::{oids, time};

const LEAF_EXTENSIONS: [ObjectIdentifier; 9] = [
    oids::EXT_BASIC_CONSTRAINTS,
    oids::EXT_AKI,
    oids::EXT_SKI,
    oids::EXT_KEY_USAGE,
    oids::EXT_AIA,
    oids::EXT_CDP,
    oids::EXT_CERT_POLICIES,
    oids::EXT_QC_STATEMENTS,
    oids::EXT_SAN,
];

/// Runs every leaf lint on a TBS; the first failure is returned.
pub fn lint_leaf_tbs(tbs_der: &[u8], want: &LeafExpectations<'_>) -> Result<(), LintFailure> {
    let tbs = common::decode(tbs_der)?;
    common::header(&tbs, want.signature)?;
    common::issuer_name(&tbs, want.issuer_name)?;
    common::validity_encoding(&tbs)?;
    validity_period(&tbs)?;
    common::name_encoding(tbs.subject(), "subject")?;
    subject_layout(&tbs, want.kind)?;
    common::key_allowed(&tbs)?;
    let exts = common::extension_set(&tbs, &LEAF_EXTENSIONS)?;
    common::basic_constraints(exts, false, None)?;
    let spki = spki::SubjectPublicKeyInfoOwned {
        algorithm: tbs.subject_public_key_info().algorithm.clone(),
        subject_public_key: tbs.subject_public_key_info().subject_public_key.clone(),
    };
    common::key_usage(exts, leaf_key_usage(want.kind, &spki))?;
    common::subject_key_id(&tbs, exts)?;
    common::authority_key_id(exts, want.issuer_key_id)?;
    access_urls(exts)?;
    policies(exts, want)?;
    qc_statements(exts, want.kind)?;
    subject_alt_name(exts, want.kind)
}

/// notAfter = notBefore + 3 calendar years - 1 s.
fn validity_period(tbs: &TbsCertificate) -> Result<(), LintFailure> {
    let nb = time::from_x509_time(&tbs.validity().not_before);
    let na = time::from_x509_time(&tbs.validity().not_after);
    let (_, expected) = time::years_minus_one_second(nb, LEAF_VALIDITY_YEARS);
    ensure(na == expected, "e_leaf_validity_period", || {
        format!(
            "notBefore {nb}, notAfter {na}: must be exactly 3 years minus 1 second ({expected})"
        )
    })
}

fn text(v: &der::asn1::Any) -> &str {
    std::str::from_utf8(v.value()).unwrap_or("")
}

/// RDN order CN, [givenName, surname], serialNumber, O, organizationIdentifier, C and the
/// formats of serialNumber, organizationIdentifier and C.
pub(super) fn subject_layout(tbs: &TbsCertificate, kind: CertKind) -> Result<(), LintFailure> {
    let attrs: Vec<_> = tbs.subject().iter().collect();
    let mut order = vec![oids::CN];
    if kind == CertKind::Employee {
        order.extend([oids::GIVEN_NAME, oids::SURNAME]);
    }
    order.extend([
        oids::SERIAL_NUMBER,
        oids::ORGANIZATION,
        oids::ORGANIZATION_IDENTIFIER,
        oids::COUNTRY,
    ]);
    let got: Vec<ObjectIdentifier> = attrs.iter().map(|a| a.oid).collect();
    ensure(got == order, "e_subject_rdn_order", || {
        format!("subject attributes {got:?}, expected {order:?}")
    })?;
    for a in attrs {
        let v = text(&a.value);
        if a.oid == oids::SERIAL_NUMBER {
            let prefix = if kind == CertKind::Employee {
                "UI:DK-E:G:"
            } else {
                "UI:DK-O:G:"
            };
            let ok = v.strip_prefix(prefix).is_some_and(|u| {
                uuid::Uuid::parse_str(u).is_ok_and(|p| p.hyphenated().to_string() == u)
            });
            ensure(ok, "e_subject_serial_number_format", || {
                format!("{v:?} is not {prefix}<lower-case uuid>")
            })?;
        } else if a.oid == oids::ORGANIZATION_IDENTIFIER {
            let ok = v
                .strip_prefix("NTRDK-")
                .is_some_and(|c| c.len() == 8 && c.bytes().all(|b| b.is_ascii_digit()));
            ensure(ok, "e_organization_identifier_format", || {
                format!("{v:?} is not NTRDK-<8 digits>")
            })?;
        } else if a.oid == oids::COUNTRY {
            ensure(v == "DK", "e_country", || {
                format!("country {v:?}, expected DK")
            })?;
        }
    }
    Ok(())
}

fn http_uri(g: &GeneralName) -> bool {
    matches!(g, GeneralName::UniformResourceIdentifier(u) if u.as_str().starts_with("http://"))
}

/// AIA with caIssuers and OCSP, CDP with one http URI; both non-critical.
fn access_urls(exts: &[Extension]) -> Result<(), LintFailure> {
    authority_info_access(exts, true)?;
    crl_distribution_points(exts)
}

/// AIA, non-critical, with an http caIssuers URI and, when `ocsp`, an http OCSP URI
/// (without, none).
pub(super) fn authority_info_access(exts: &[Extension], ocsp: bool) -> Result<(), LintFailure> {
    let lint = "e_authority_info_access";
    let (crit, aia) = get::<AuthorityInfoAccessSyntax>(exts, oids::EXT_AIA, lint)?
        .ok_or_else(|| fail(lint, "authorityInfoAccess is missing"))?;
    let has = |m| {
        aia.0
            .iter()
            .any(|d| d.access_method == m && http_uri(&d.access_location))
    };
    let has_ocsp = aia.0.iter().any(|d| d.access_method == oids::AD_OCSP);
    ensure(
        !crit && has(oids::AD_CA_ISSUERS) && has_ocsp == ocsp && (!ocsp || has(oids::AD_OCSP)),
        lint,
        || {
            if ocsp {
                "must be non-critical with an http caIssuers and an http OCSP URI".into()
            } else {
                "must be non-critical with an http caIssuers URI and no OCSP".into()
            }
        },
    )
}

/// CDP, non-critical, with one distribution point of http URIs.
pub(super) fn crl_distribution_points(exts: &[Extension]) -> Result<(), LintFailure> {
    let lint = "e_crl_distribution_points";
    let (crit, cdp) = get::<CrlDistributionPoints>(exts, oids::EXT_CDP, lint)?
        .ok_or_else(|| fail(lint, "cRLDistributionPoints is missing"))?;
    let ok = !crit
        && cdp.0.len() == 1
        && cdp.0.iter().all(|dp| {
            dp.reasons.is_none()
                && dp.crl_issuer.is_none()
                && matches!(&dp.distribution_point, Some(DistributionPointName::FullName(n)) if n.iter().all(http_uri) && !n.is_empty())
        });
    ensure(ok, lint, || {
        "must be non-critical with one distribution point of http URIs".into()
    })
}

/// ETSI NCP and the national policy of the kind; no qualifiers.
fn policies(exts: &[Extension], want: &LeafExpectations<'_>) -> Result<(), LintFailure> {
    let lint = "e_certificate_policies";
    let (crit, cp) = get::<CertificatePolicies>(exts, oids::EXT_CERT_POLICIES, lint)?
        .ok_or_else(|| fail(lint, "missing"))?;
    let got: Vec<ObjectIdentifier> = cp.0.iter().map(|p| p.policy_identifier).collect();
    let expected = [oids::ETSI_NCP, want.policies.national(want.kind)];
    ensure(
        !crit && got == expected && cp.0.iter().all(|p| p.policy_qualifiers.is_none()),
        lint,
        || format!("policies {got:?}, expected {expected:?} without qualifiers"),
    )
}

/// One pkixQCSyntax-v2 statement with the semantics identifier of the kind.
fn qc_statements(exts: &[Extension], kind: CertKind) -> Result<(), LintFailure> {
    let lint = "e_qc_statements";
    let (crit, st) = get::<Vec<QcStatement>>(exts, oids::EXT_QC_STATEMENTS, lint)?
        .ok_or_else(|| fail(lint, "qcStatements is missing"))?;
    let want = if kind.is_natural_person() {
        oids::SEMANTICS_NATURAL
    } else {
        oids::SEMANTICS_LEGAL
    };
    let info = match st.as_slice() {
        [only] if only.statement_id == oids::QCS_PKIX_SYNTAX_V2 => only.statement_info.as_ref(),
        _ => None,
    }
    .and_then(|a| a.to_der().ok())
    .and_then(|d| SemanticsInformation::from_der(&d).ok());
    let ok = !crit
        && info.is_some_and(|i| {
            i.semantics_identifier == Some(want)
                && i.name_registration_authorities.is_some_and(|n| {
                    !n.is_empty()
                        && n.iter()
                            .all(|g| matches!(g, GeneralName::UniformResourceIdentifier(_)))
                })
        });
    ensure(ok, lint, || {
        format!(
            "must be one non-critical pkixQCSyntax-v2 statement with semantics {want} and a registration authority URI"
        )
    })
}

/// SAN: only rfc822Names that orgca would accept; required for employees.
fn subject_alt_name(exts: &[Extension], kind: CertKind) -> Result<(), LintFailure> {
    let lint = "e_subject_alt_name";
    match get::<SubjectAltName>(exts, oids::EXT_SAN, lint)? {
        None => ensure(kind != CertKind::Employee, lint, || {
            "an employee certificate carries the user's e-mail".into()
        }),
        Some((crit, san)) => {
            let ok = !crit
                && san.0.len() == 1
                && san.0.iter().all(|g| {
                    matches!(g, GeneralName::Rfc822Name(e) if Email::parse(e.as_str()).is_ok_and(|p| p.as_str() == e.as_str()))
                });
            ensure(ok, lint, || {
                "must be non-critical with exactly one valid ASCII rfc822Name".into()
            })
        }
    }
}
