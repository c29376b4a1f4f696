//! orgca's own lints, run on every TBS before a CA key signs it (docs/ARCHITECTURE.md,
//! "The issuance path").
//!
//! The lints decode the TBS from its DER, so they check what would be signed, not the
//! builder's intentions. Each lint has a stable name (`e_...`) that the CA reports when
//! it refuses a request. Checks come from RFC 5280 and the profile in docs/DOMAIN.md.

mod ca;
mod common;
mod leaf;
mod responder;
mod single_use;

use der::asn1::ObjectIdentifier;
use orgca_model::CertKind;
use x509_cert::name::RdnSequence;

use crate::profile::Policies;
use crate::sigalg::SignatureAlgorithm;

pub use ca::lint_ca_tbs;
pub use leaf::lint_leaf_tbs;
pub use responder::lint_responder_tbs;
pub use single_use::lint_single_use_tbs;

/// A lint that failed: its stable name and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("lint {lint} failed: {detail}")]
pub struct LintFailure {
    /// Stable lint name, such as `e_leaf_validity_period`.
    pub lint: &'static str,
    /// What was found.
    pub detail: String,
}

/// Shorthand used by the lints.
pub(crate) fn fail(lint: &'static str, detail: impl Into<String>) -> LintFailure {
    LintFailure {
        lint,
        detail: detail.into(),
    }
}

/// Shorthand for a check that must hold.
pub(crate) fn ensure(
    ok: bool,
    lint: &'static str,
    detail: impl FnOnce() -> String,
) -> Result<(), LintFailure> {
    if ok {
        Ok(())
    } else {
        Err(fail(lint, detail()))
    }
}

/// What the lints compare a leaf TBS against: what the issuing CA expects to sign.
#[derive(Clone, Debug)]
pub struct LeafExpectations<'a> {
    /// The kind requested.
    pub kind: CertKind,
    /// The issuing CA's subject name.
    pub issuer_name: &'a RdnSequence,
    /// The issuing CA's subjectKeyIdentifier.
    pub issuer_key_id: &'a [u8],
    /// The algorithm the issuing CA signs with.
    pub signature: SignatureAlgorithm,
    /// The hierarchy's policies.
    pub policies: &'a Policies,
}

/// What the lints compare a CA TBS against.
#[derive(Clone, Debug)]
pub struct CaExpectations<'a> {
    /// `None` for a root; `Some(0)` for an issuing CA.
    pub path_len: Option<u8>,
    /// The signer's subjectKeyIdentifier (the CA's own for a root).
    pub issuer_key_id: &'a [u8],
    /// The algorithm of the signer.
    pub signature: SignatureAlgorithm,
    /// Required policies (empty for a root).
    pub policies: &'a [ObjectIdentifier],
}

/// What the lints compare a delegated OCSP responder's TBS against.
#[derive(Clone, Debug)]
pub struct ResponderExpectations<'a> {
    /// The issuing CA's subject name.
    pub issuer_name: &'a RdnSequence,
    /// The issuing CA's subjectKeyIdentifier.
    pub issuer_key_id: &'a [u8],
    /// The algorithm the issuing CA signs with.
    pub signature: SignatureAlgorithm,
    /// The longest validity allowed.
    pub max_validity: ::time::Duration,
}

/// What the lints compare a single-use TBS against.
#[derive(Clone, Debug)]
pub struct SingleUseExpectations<'a> {
    /// Signature (person) or seal.
    pub qc_type: crate::ext::QcType,
    /// The signing CA's subject name.
    pub issuer_name: &'a RdnSequence,
    /// The signing CA's subjectKeyIdentifier.
    pub issuer_key_id: &'a [u8],
    /// The algorithm the signing CA signs with.
    pub signature: SignatureAlgorithm,
    /// The one policy expected.
    pub policy: ObjectIdentifier,
    /// QcSSCD expected (keys in a QSCD), or forbidden.
    pub qscd: bool,
}
