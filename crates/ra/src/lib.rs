//! The registration authority: decides who may have which certificate, turns operator
//! and user input into parsed domain values, asks the CA to sign, and commits the result
//! with its audit event.
//!
//! [`Ra`] is the one door: web and the CLI reach every operation through it, each taking
//! the [`Caller`] that authentication made, so that confinement to the caller's
//! organisation follows from the type.
//!
//! This crate must never sign, never create a private key or see a key's bytes (the
//! `ca`, `keys` and `signing` crates do; a PKCS#12 delivery key is an opaque `keys`
//! handle here), never build DER itself, and never read or write another organisation's
//! data than the one a request is for.

pub mod blocking;
pub mod caller;
pub mod certificates;
mod clock;
pub mod delivery;
pub mod employee;
mod error;
pub mod expiry;
pub mod export;
mod issue;
pub mod login;
mod members;
pub mod orders;
mod orgs;
mod policy;
mod profiles;
pub mod provisioning;
mod public;
pub mod search;
pub mod signing;
pub mod sso;
mod tokens;

pub use caller::{Caller, OPERATOR_TOKEN_PREFIX, TOKEN_PREFIX, TokenRefused};
pub use clock::{Clock, FAKE_CLOCK_VAR};
pub use error::{Internal, LoginRefusal, PickupRefusal, RaError};
pub use issue::{IssueRequest, Issued};
pub use members::{NewUserRequest, SETTABLE_STATUSES, UserPatch};
pub use policy::OrderPolicy;
pub use profiles::{Contact, PROFILE_KINDS, ProfilePatch, ProfileRequest};
pub use tokens::token_hash;

use std::sync::Arc;

use orgca_ca::Ca;
use orgca_signing::SigningService;
use orgca_store::Store;

/// The RA over a store, with the CA and the signing service on a node that issues.
#[derive(Clone)]
pub struct Ra {
    store: Store,
    ca: Option<Arc<Ca>>,
    signing: Option<Arc<SigningService>>,
    orders: OrderPolicy,
    logins: login::LoginPolicy,
    providers: Arc<sso::Providers>,
}

impl Ra {
    /// An RA that issues nothing (until [`Ra::with_ca`]): administration, search,
    /// blocking; `orders` says where links point and how long orders last.
    pub fn new(store: Store, orders: OrderPolicy) -> Ra {
        Ra {
            store,
            ca: None,
            signing: None,
            orders,
            logins: login::LoginPolicy::default(),
            providers: Arc::default(),
        }
    }

    /// The RA that issues with `ca`.
    pub fn with_ca(mut self, ca: Arc<Ca>) -> Ra {
        self.ca = Some(ca);
        self
    }

    /// The RA that signs documents with `signing`.
    pub fn with_signing(mut self, signing: Arc<SigningService>) -> Ra {
        self.signing = Some(signing);
        self
    }

    /// The CA, or [`RaError::Unavailable`] on a node that does not issue.
    pub(crate) fn ca(&self) -> Result<&Arc<Ca>, RaError> {
        self.ca.as_ref().ok_or(RaError::Unavailable(
            "this server does not issue certificates",
        ))
    }

    /// The signing service, or [`RaError::Unavailable`] on a node without it.
    pub(crate) fn signing_service(&self) -> Result<&Arc<SigningService>, RaError> {
        self.signing
            .as_ref()
            .ok_or(RaError::Unavailable("this server does not sign documents"))
    }

    /// The largest document the signing service takes, in bytes (0 without one).
    pub fn max_document(&self) -> usize {
        self.signing.as_ref().map_or(0, |s| s.max_document())
    }

    /// Where links point and how long orders last.
    pub fn order_policy(&self) -> &OrderPolicy {
        &self.orders
    }

    /// How logins are limited and how long sessions last.
    pub fn login_policy(&self) -> &login::LoginPolicy {
        &self.logins
    }
}
