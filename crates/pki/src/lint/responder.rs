//! Lints for a delegated OCSP responder's certificate (RFC 6960 §4.2.2.2): it may sign
//! OCSP answers for its CA and nothing else, and it is short-lived because relying
//! parties are told not to check its own status (id-pkix-ocsp-nocheck).

use der::Decode as _;
use der::asn1::{Null, ObjectIdentifier};
use x509_cert::ext::pkix::{ExtendedKeyUsage, KeyUsages};

use super::common::{self, get};
use super::{LintFailure, ResponderExpectations, ensure, fail};
use crate::ocsp::{KP_OCSP_SIGNING, OCSP_NOCHECK};
use crate::{oids, time};

const RESPONDER_EXTENSIONS: [ObjectIdentifier; 5] = [
    oids::EXT_KEY_USAGE,
    oids::EXT_EKU,
    OCSP_NOCHECK,
    oids::EXT_SKI,
    oids::EXT_AKI,
];

/// Runs every responder lint on a TBS; the first failure is returned.
pub fn lint_responder_tbs(
    tbs_der: &[u8],
    want: &ResponderExpectations<'_>,
) -> Result<(), LintFailure> {
    let tbs = common::decode(tbs_der)?;
    common::header(&tbs, want.signature)?;
    common::issuer_name(&tbs, want.issuer_name)?;
    common::validity_encoding(&tbs)?;
    let v = tbs.validity();
    let lifetime = time::from_x509_time(&v.not_after) - time::from_x509_time(&v.not_before);
    ensure(
        lifetime <= want.max_validity,
        "e_responder_validity_too_long",
        || {
            format!(
                "{lifetime}: a certificate nobody checks the status of must be short-lived (at most {})",
                want.max_validity
            )
        },
    )?;
    common::name_encoding(tbs.subject(), "subject")?;
    common::key_allowed(&tbs)?;
    let exts = common::extension_set(&tbs, &RESPONDER_EXTENSIONS)?;
    common::key_usage(exts, KeyUsages::DigitalSignature.into())?;
    let lint = "e_responder_extended_key_usage";
    let (crit, eku) = get::<ExtendedKeyUsage>(exts, oids::EXT_EKU, lint)?
        .ok_or_else(|| fail(lint, "extendedKeyUsage id-kp-OCSPSigning is missing"))?;
    ensure(!crit && eku.0 == [KP_OCSP_SIGNING], lint, || {
        format!(
            "must be non-critical and exactly id-kp-OCSPSigning, got {:?}",
            eku.0
        )
    })?;
    let lint = "e_responder_ocsp_nocheck";
    let nocheck = exts
        .iter()
        .find(|e| e.extn_id == OCSP_NOCHECK)
        .ok_or_else(|| fail(lint, "id-pkix-ocsp-nocheck is missing"))?;
    ensure(
        !nocheck.critical && Null::from_der(nocheck.extn_value.as_bytes()).is_ok(),
        lint,
        || "must be non-critical with a NULL value".into(),
    )?;
    common::subject_key_id(&tbs, exts)?;
    common::authority_key_id(exts, want.issuer_key_id)
}
