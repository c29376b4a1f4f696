//! The RA's error: input errors say what to fix; the rest are server faults.

use orgca_ca::CaError;
use orgca_model::{CvrError, EmailError, NameError, UnknownKind, UnknownRole};
use orgca_pki::CsrError;
use orgca_store::StoreError;

/// Why a request was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum RaError {
    /// A bad CVR number.
    #[error(transparent)]
    Cvr(#[from] CvrError),
    /// A bad name.
    #[error(transparent)]
    Name(#[from] NameError),
    /// A bad e-mail address.
    #[error(transparent)]
    Email(#[from] EmailError),
    /// A bad kind.
    #[error(transparent)]
    Kind(#[from] UnknownKind),
    /// A bad role.
    #[error(transparent)]
    Role(#[from] UnknownRole),
    /// A bad CSR.
    #[error(transparent)]
    Csr(#[from] CsrError),
    /// A required field is missing or fields do not go together.
    #[error("{0}")]
    Invalid(String),
    /// The caller's role does not allow this (inside their own organisation).
    #[error("{0}")]
    Forbidden(String),
    /// Nothing with this id in the caller's organisation.
    #[error("no such {0} in your organisation")]
    NotFound(&'static str),
    /// A pick-up refused for the order's state or a wrong code; `code` is stable.
    #[error("{detail}")]
    Pickup {
        /// Stable code: `wrong_code`, `order_locked`, `order_expired`, `order_not_ready`,
        /// `already_picked_up`, `order_cancelled`, `wrong_identification`.
        code: &'static str,
        /// What happened and what to do.
        detail: String,
    },
    /// A portal login refused: wrong address or password, or too many tries (the same
    /// words whichever it was).
    #[error("{0}")]
    LoginRefused(String),
    /// No organisation with this CVR.
    #[error("no organisation with CVR {0}; create it first with `orgca org create`")]
    UnknownOrganisation(String),
    /// The thing exists already.
    #[error("{0} exists already")]
    Conflict(String),
    /// The CA refused (a lint) or failed.
    #[error(transparent)]
    Ca(#[from] CaError),
    /// The signing service refused the document, or failed.
    #[error(transparent)]
    Signing(orgca_signing::SignError),
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
    /// A server fault that is not the caller's (a crashed worker task).
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for RaError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(what) => RaError::Conflict(what),
            other => RaError::Store(other),
        }
    }
}

impl RaError {
    /// Whether the caller's input caused this (a 4xx), rather than the server (a 5xx).
    /// A failing lint is the server's fault: subject data is checked before the CA sees
    /// it, so a lint that fails means orgca (or its configuration) built something wrong.
    pub fn is_client_error(&self) -> bool {
        match self {
            RaError::Signing(e) => crate::signing::is_client_error(e),
            RaError::Ca(_) | RaError::Store(_) | RaError::Internal(_) => false,
            _ => true,
        }
    }

    /// A stable machine-readable code for this error.
    pub fn code(&self) -> &'static str {
        match self {
            RaError::Cvr(_) => "invalid_cvr",
            RaError::Name(_) => "invalid_name",
            RaError::Email(_) => "invalid_email",
            RaError::Kind(_) => "invalid_kind",
            RaError::Role(_) => "invalid_role",
            RaError::Csr(_) => "invalid_csr",
            RaError::Invalid(_) => "invalid_request",
            RaError::Forbidden(_) => "forbidden",
            RaError::Pickup { code, .. } => code,
            RaError::NotFound(_) => "not_found",
            RaError::UnknownOrganisation(_) => "unknown_organisation",
            RaError::Conflict(_) => "conflict",
            RaError::LoginRefused(_) => "login_refused",
            RaError::Ca(CaError::Lint(_)) => "lint_failed",
            RaError::Ca(_) => "ca_error",
            RaError::Signing(e) => match e {
                orgca_signing::SignError::Empty => "empty_document",
                orgca_signing::SignError::TooLarge { .. } => "document_too_large",
                orgca_signing::SignError::BadPdf(_) => "invalid_pdf",
                orgca_signing::SignError::EncryptedPdf => "encrypted_pdf",
                orgca_signing::SignError::NoSigningCa(_) => "no_signing_ca",
                orgca_signing::SignError::Busy => "busy",
                _ => "signing_failed",
            },
            RaError::Store(_) => "store_error",
            RaError::Internal(_) => "internal",
        }
    }
}
