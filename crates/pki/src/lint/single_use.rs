//! Lints for the signing service's single-use certificates (`single_use` profile).

use der::Encode;
use der::asn1::ObjectIdentifier;
use orgca_model::CertKind;
use x509_cert::TbsCertificate;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::CertificatePolicies;
use x509_cert::ext::pkix::name::GeneralName;

use super::common::{self, get};
use super::leaf::{authority_info_access, crl_distribution_points, subject_layout};
use super::{LintFailure, SingleUseExpectations, ensure, fail};
use crate::ext::{PdsLocation, QcStatement, QcType, SemanticsInformation};
use crate::single_use::{MAX_LIFETIME, single_use_key_usage};
use crate::{oids, time};

const SINGLE_USE_EXTENSIONS: [ObjectIdentifier; 8] = [
    oids::EXT_BASIC_CONSTRAINTS,
    oids::EXT_AKI,
    oids::EXT_SKI,
    oids::EXT_KEY_USAGE,
    oids::EXT_AIA,
    oids::EXT_CDP,
    oids::EXT_CERT_POLICIES,
    oids::EXT_QC_STATEMENTS,
];

/// Runs every single-use lint on a TBS; the first failure is returned.
pub fn lint_single_use_tbs(
    tbs_der: &[u8],
    want: &SingleUseExpectations<'_>,
) -> Result<(), LintFailure> {
    let tbs = common::decode(tbs_der)?;
    common::header(&tbs, want.signature)?;
    common::issuer_name(&tbs, want.issuer_name)?;
    common::validity_encoding(&tbs)?;
    lifetime(&tbs)?;
    common::name_encoding(tbs.subject(), "subject")?;
    let kind = match want.qc_type {
        QcType::Esign => CertKind::Employee,
        QcType::Eseal => CertKind::Organisation,
    };
    subject_layout(&tbs, kind)?;
    common::key_allowed(&tbs)?;
    let exts = common::extension_set(&tbs, &SINGLE_USE_EXTENSIONS)?;
    common::basic_constraints(exts, false, None)?;
    common::key_usage(exts, single_use_key_usage())?;
    common::subject_key_id(&tbs, exts)?;
    common::authority_key_id(exts, want.issuer_key_id)?;
    authority_info_access(exts, false)?;
    crl_distribution_points(exts)?;
    policy(exts, want.policy)?;
    qualified_statements(exts, want.qc_type, want.qscd)
}

/// notAfter after notBefore, by at most [`MAX_LIFETIME`].
fn lifetime(tbs: &TbsCertificate) -> Result<(), LintFailure> {
    let nb = time::from_x509_time(&tbs.validity().not_before);
    let na = time::from_x509_time(&tbs.validity().not_after);
    ensure(
        na > nb && na - nb <= MAX_LIFETIME,
        "e_single_use_lifetime",
        || {
            format!(
                "notBefore {nb}, notAfter {na}: a single-use certificate lives more than 0 s and at most {MAX_LIFETIME}"
            )
        },
    )
}

/// Exactly the one QSCD policy of the holder, without qualifiers.
fn policy(exts: &[Extension], want: ObjectIdentifier) -> Result<(), LintFailure> {
    let lint = "e_certificate_policies";
    let (crit, cp) = get::<CertificatePolicies>(exts, oids::EXT_CERT_POLICIES, lint)?
        .ok_or_else(|| fail(lint, "missing"))?;
    let got: Vec<ObjectIdentifier> = cp.0.iter().map(|p| p.policy_identifier).collect();
    ensure(
        !crit && got == [want] && cp.0.iter().all(|p| p.policy_qualifiers.is_none()),
        lint,
        || format!("policies {got:?}, expected [{want}] without qualifiers"),
    )
}

fn info<T: der::DecodeOwned>(st: &QcStatement) -> Option<T> {
    let der = st.statement_info.as_ref()?.to_der().ok()?;
    T::from_der(&der).ok()
}

/// QcCompliance, QcSSCD exactly when the keys are in a QSCD, QcType of the holder, QcPDS
/// with an https URL, and the semantics statement of the holder: each once, nothing
/// else.
fn qualified_statements(
    exts: &[Extension],
    qc_type: QcType,
    qscd: bool,
) -> Result<(), LintFailure> {
    let lint = "e_qc_statements";
    let (crit, st) = get::<Vec<QcStatement>>(exts, oids::EXT_QC_STATEMENTS, lint)?
        .ok_or_else(|| fail(lint, "qcStatements is missing"))?;
    let find = |id| {
        let mut it = st.iter().filter(|s| s.statement_id == id);
        match (it.next(), it.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    };
    let bare = |id| find(id).is_some_and(|s| s.statement_info.is_none());
    let typed = find(oids::QCS_TYPE)
        .and_then(info::<Vec<ObjectIdentifier>>)
        .is_some_and(|t| t == [qc_type.oid()]);
    let pds = find(oids::QCS_PDS)
        .and_then(info::<Vec<PdsLocation>>)
        .is_some_and(|p| {
            !p.is_empty()
                && p.iter().all(|l| {
                    l.url.as_str().starts_with("https://") && l.language.as_str().len() == 2
                })
        });
    let semantics = find(oids::QCS_PKIX_SYNTAX_V2)
        .and_then(info::<SemanticsInformation>)
        .is_some_and(|i| {
            i.semantics_identifier == Some(qc_type.semantics())
                && i.name_registration_authorities.is_some_and(|n| {
                    !n.is_empty()
                        && n.iter()
                            .all(|g| matches!(g, GeneralName::UniformResourceIdentifier(_)))
                })
        });
    ensure(
        !crit
            && st.len() == 4 + usize::from(qscd)
            && bare(oids::QCS_COMPLIANCE)
            && (bare(oids::QCS_SSCD) == qscd)
            && typed
            && pds
            && semantics,
        lint,
        || {
            format!(
                "must be non-critical: QcCompliance, {}QcType {}, QcPDS (https) and semantics {}, once each",
                if qscd { "QcSSCD, " } else { "no QcSSCD, " },
                qc_type.oid(),
                qc_type.semantics()
            )
        },
    )
}
