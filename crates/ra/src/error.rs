//! The RA's error: input errors say what to fix; the rest are server faults, which keep
//! their source for the log.

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
    /// A pick-up refused for the order's state or a wrong code.
    #[error(transparent)]
    Pickup(#[from] PickupRefusal),
    /// A portal login refused.
    #[error(transparent)]
    LoginRefused(#[from] LoginRefusal),
    /// No organisation with this CVR.
    #[error("no organisation with CVR {0}; create it first with `orgca org create`")]
    UnknownOrganisation(String),
    /// The thing exists already.
    #[error("{0} exists already")]
    Conflict(String),
    /// Refused for the state of what it touches, not for its own content: a user who is
    /// not active, a kind of certificate switched off, an order that delivers otherwise.
    /// The same request may succeed once that state changes.
    #[error("{0}")]
    NotNow(String),
    /// This node does not offer the operation (no CA keys, no signing service).
    #[error("{0}")]
    Unavailable(&'static str),
    /// The CA refused (a lint) or failed.
    #[error(transparent)]
    Ca(#[from] CaError),
    /// The signing service refused the document, or failed.
    #[error(transparent)]
    Signing(orgca_signing::SignError),
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
    /// A server fault that is not the caller's (a crashed worker task, the random
    /// generator).
    #[error(transparent)]
    Internal(#[from] Internal),
}

/// Why a portal login was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LoginRefusal {
    /// No account with this address, a wrong password, no password set yet or a user who
    /// is not active: one answer for all, so that the form tells nobody which addresses
    /// have accounts.
    #[error(
        "the e-mail address or the password is wrong (after 5 wrong tries an account waits 15 minutes)"
    )]
    Wrong,
    /// Too many failed logins for the account or from the client's address.
    #[error(
        "too many failed logins: wait 15 minutes and try again, or ask your administrator for a new password link"
    )]
    TooMany,
    /// The address and password fit active accounts in more than one organisation (only
    /// someone who knows the password learns this): the person names the organisation.
    #[error(
        "this address and password open accounts in several organisations: give the CVR number of the one to log in to"
    )]
    WhichOrganisation,
    /// The organisation (by CVR number) has no identity provider, or there is no such
    /// organisation.
    #[error(
        "this organisation does not log in through an identity provider: log in with your e-mail address and password"
    )]
    NoProvider,
    /// The login through the identity provider did not go through: the browser came back
    /// late, twice or without its cookie, the provider refused the code, or its ID token
    /// was not one to trust (the operator's log says which).
    #[error(
        "the login through your organisation's identity provider did not go through: start again, and tell your administrator if it keeps failing"
    )]
    ProviderFailed,
    /// The provider vouched for someone who is not an active user of the organisation.
    #[error(
        "your organisation's identity provider knows you, but you are not an active user of the organisation in orgca: ask one of its user administrators"
    )]
    NotAUser,
}

/// Why a pick-up was refused. Each has a stable code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PickupRefusal {
    /// The reference is unknown or the one-time code is wrong: one answer for both, and
    /// no count of tries left, so that the answer tells nobody which references exist.
    #[error(
        "the reference or the one-time code is wrong (after 5 wrong codes an order locks; \
         then ask your administrator for a new one)"
    )]
    WrongCode,
    /// Too many wrong codes.
    #[error("too many wrong codes: the order is locked; ask for a new one")]
    Locked,
    /// Past its expiry.
    #[error("this order has expired: ask your administrator for a new one")]
    Expired,
    /// It waits for the address it will show to be confirmed.
    #[error("the e-mail address in the certificate is not validated yet")]
    AwaitingEmail,
    /// The profile now shows an address that has not been proven.
    #[error(
        "the profile's e-mail address {0} has not been validated: ask your administrator for a new order, which mails a validation link"
    )]
    ProfileEmailNotValidated(String),
    /// Picked up already.
    #[error("this order has been picked up")]
    PickedUp,
    /// Another pick-up has it now, or had it.
    #[error("this order is being picked up, or has been")]
    BeingPickedUp,
    /// A cancel came after the pick-up.
    #[error("this order has been picked up; block the certificate instead")]
    PickedUpNotCancelled,
    /// Cancelled.
    #[error("this order was cancelled")]
    Cancelled,
    /// A one-time-code pick-up of an order that its user picks up after logging in.
    #[error("this order is picked up after logging in")]
    NeedsLogin,
    /// A logged-in pick-up of an order picked up with its code.
    #[error("this order is picked up with its reference and one-time code")]
    NeedsCode,
    /// As many tries of the code as an order allows are being checked right now (none of
    /// them known to be wrong yet).
    #[error("other tries of this order's code are being checked right now; try again in a moment")]
    Busy,
}

impl PickupRefusal {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            PickupRefusal::WrongCode => "wrong_code",
            PickupRefusal::Locked => "order_locked",
            PickupRefusal::Expired => "order_expired",
            PickupRefusal::AwaitingEmail | PickupRefusal::ProfileEmailNotValidated(_) => {
                "order_not_ready"
            }
            PickupRefusal::PickedUp
            | PickupRefusal::BeingPickedUp
            | PickupRefusal::PickedUpNotCancelled => "already_picked_up",
            PickupRefusal::Cancelled => "order_cancelled",
            PickupRefusal::NeedsLogin | PickupRefusal::NeedsCode => "wrong_identification",
            PickupRefusal::Busy => "try_again",
        }
    }
}

/// A server fault: what failed, and why (kept for the log, never shown to a client).
#[derive(Debug, thiserror::Error)]
#[error("internal error: {what}")]
pub struct Internal {
    what: &'static str,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Internal {
    /// `what` failed because of `source`.
    pub fn because(
        what: &'static str,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Internal {
        Internal {
            what,
            source: Some(source.into()),
        }
    }

    /// `what` failed, with nothing more to say.
    pub fn just(what: &'static str) -> Internal {
        Internal { what, source: None }
    }
}

impl RaError {
    /// `what` failed because of `source`: a server fault.
    pub(crate) fn internal(
        what: &'static str,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> RaError {
        RaError::Internal(Internal::because(what, source))
    }

    /// The system's random generator failed.
    pub(crate) fn no_randomness() -> RaError {
        RaError::Internal(Internal::just("the system random generator failed"))
    }
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
    /// Whether a one-time code was wrong (or its reference unknown): a guess that the
    /// per-address limits count.
    pub fn is_wrong_code(&self) -> bool {
        matches!(self, RaError::Pickup(PickupRefusal::WrongCode))
    }

    /// Whether the caller's input caused this (a 4xx), rather than the server (a 5xx).
    /// A failing lint is the server's fault: subject data is checked before the CA sees
    /// it, so a lint that fails means orgca (or its configuration) built something wrong.
    pub fn is_client_error(&self) -> bool {
        match self {
            RaError::Signing(e) => crate::signing::is_client_error(e),
            RaError::Ca(_) | RaError::Store(_) | RaError::Internal(_) | RaError::Unavailable(_) => {
                false
            }
            _ => true,
        }
    }

    /// Whether this is a service that is missing or busy here and now (a 503), rather
    /// than a fault.
    pub fn is_unavailable(&self) -> bool {
        if let RaError::Store(e) | RaError::Ca(CaError::Store(e)) = self {
            return e.is_unavailable();
        }
        matches!(
            self,
            RaError::Unavailable(_)
                | RaError::Ca(CaError::Key(orgca_keys::KeyError::Token(_)))
                | RaError::Signing(
                    orgca_signing::SignError::NoSigningCa(_)
                        | orgca_signing::SignError::Busy
                        | orgca_signing::SignError::Key(orgca_keys::KeyError::Token(_))
                )
        )
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
            RaError::Pickup(p) => p.code(),
            RaError::NotFound(_) => "not_found",
            RaError::UnknownOrganisation(_) => "unknown_organisation",
            RaError::Conflict(_) => "conflict",
            RaError::NotNow(_) => "state_conflict",
            RaError::LoginRefused(_) => "login_refused",
            RaError::Unavailable(_) => "unavailable",
            RaError::Ca(CaError::Lint(_)) => "lint_failed",
            RaError::Ca(CaError::Key(orgca_keys::KeyError::Token(_))) => "key_token_unavailable",
            RaError::Ca(CaError::Store(e)) if e.is_unavailable() => "database_unavailable",
            RaError::Ca(_) => "ca_error",
            RaError::Signing(e) => match e {
                orgca_signing::SignError::Empty => "empty_document",
                orgca_signing::SignError::TooLarge { .. } => "document_too_large",
                orgca_signing::SignError::BadPdf(_) => "invalid_pdf",
                orgca_signing::SignError::EncryptedPdf => "encrypted_pdf",
                orgca_signing::SignError::NoSigningCa(_) => "no_signing_ca",
                orgca_signing::SignError::Busy => "busy",
                orgca_signing::SignError::Key(orgca_keys::KeyError::Token(_)) => {
                    "key_token_unavailable"
                }
                _ => "signing_failed",
            },
            RaError::Store(e) if e.is_unavailable() => "database_unavailable",
            RaError::Store(_) => "store_error",
            RaError::Internal(_) => "internal",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CA key's token that fails (removed, logged out) is a 503 to retry, not a 500:
    /// nothing was issued, and the same request succeeds once the token is back.
    #[test]
    fn a_failing_key_token_is_unavailable_not_a_fault() {
        let e = RaError::Ca(CaError::Key(orgca_keys::KeyError::Token(
            "signing on the token: CKR_DEVICE_REMOVED".into(),
        )));
        assert!(e.is_unavailable());
        assert_eq!(e.code(), "key_token_unavailable");
        let single_use = RaError::Signing(orgca_signing::SignError::Key(
            orgca_keys::KeyError::Token("the token went away".into()),
        ));
        assert!(single_use.is_unavailable());
        assert_eq!(single_use.code(), "key_token_unavailable");
        let software = RaError::Ca(CaError::Key(orgca_keys::KeyError::Crypto));
        assert!(
            !software.is_unavailable(),
            "a software key's failure is a fault"
        );
    }
}
