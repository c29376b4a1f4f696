//! Lints for CA certificates (root and issuing).

use der::asn1::ObjectIdentifier;
use x509_cert::ext::pkix::{CertificatePolicies, KeyUsages};

use super::common::{self, get};
use super::{CaExpectations, LintFailure, ensure, fail};
use crate::oids;

const CA_EXTENSIONS: [ObjectIdentifier; 7] = [
    oids::EXT_BASIC_CONSTRAINTS,
    oids::EXT_KEY_USAGE,
    oids::EXT_SKI,
    oids::EXT_AKI,
    oids::EXT_AIA,
    oids::EXT_CDP,
    oids::EXT_CERT_POLICIES,
];

/// Runs every CA lint on a TBS; the first failure is returned.
pub fn lint_ca_tbs(tbs_der: &[u8], want: &CaExpectations<'_>) -> Result<(), LintFailure> {
    let tbs = common::decode(tbs_der)?;
    common::header(&tbs, want.signature)?;
    common::validity_encoding(&tbs)?;
    common::name_encoding(tbs.subject(), "subject")?;
    common::name_encoding(tbs.issuer(), "issuer")?;
    common::key_allowed(&tbs)?;
    let exts = common::extension_set(&tbs, &CA_EXTENSIONS)?;
    common::basic_constraints(exts, true, want.path_len)?;
    common::key_usage(exts, KeyUsages::KeyCertSign | KeyUsages::CRLSign)?;
    common::subject_key_id(&tbs, exts)?;
    let is_root = want.path_len.is_none();
    if is_root {
        ensure(
            tbs.issuer() == tbs.subject(),
            "e_root_not_self_issued",
            || "a root's issuer is its subject".into(),
        )?;
    } else {
        common::authority_key_id(exts, want.issuer_key_id)?;
        let lint = "e_ca_certificate_policies";
        let (_, cp) = get::<CertificatePolicies>(exts, oids::EXT_CERT_POLICIES, lint)?
            .ok_or_else(|| fail(lint, "an issuing CA lists the policies it issues under"))?;
        let got: Vec<ObjectIdentifier> = cp.0.iter().map(|p| p.policy_identifier).collect();
        ensure(got == want.policies, lint, || {
            format!("{got:?}, expected {:?}", want.policies)
        })?;
    }
    Ok(())
}
