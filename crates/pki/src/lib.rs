//! DER in and out for orgca: the OCES3-style certificate profiles (leaf and CA) turned
//! into `TBSCertificate`s, PKCS#10 parsing with its proof-of-possession check, the lints
//! that every TBS must pass before a CA key signs it, and the assembly of a signed
//! certificate from a TBS and a signature.
//!
//! Pure functions: this crate holds no private key, reads no clock (time is a parameter)
//! and does no I/O. It must never sign anything; it only verifies public-key signatures
//! (CSRs, and a freshly signed certificate against its issuer).

pub mod cms;
pub mod crl;
pub mod csr;
pub mod encode;
pub mod ext;
pub mod issued;
pub mod lint;
pub mod name;
pub mod note;
pub mod ocsp;
pub mod oids;
pub mod pkcs12;
pub mod profile;
pub mod sigalg;
pub mod single_use;
pub mod tbs;
pub mod time;

pub use csr::{CsrError, VerifiedCsr};
pub use lint::{LintFailure, lint_ca_tbs, lint_leaf_tbs, lint_responder_tbs, lint_single_use_tbs};
pub use profile::{CaProfile, LeafProfile, LeafSubject, Urls};
pub use sigalg::SignatureAlgorithm;
pub use tbs::Tbs;

/// A DER encoding or decoding failed where the input was ours (a bug, not bad input).
#[derive(Debug, thiserror::Error)]
#[error("DER encoding failed: {0}")]
pub struct DerError(#[from] pub der::Error);
