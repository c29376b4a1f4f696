//! The registration authority: decides who may have which certificate, turns operator
//! and user input into parsed domain values, asks the CA to sign, and commits the result
//! with its audit event.
//!
//! This crate must never sign or hold a key (the `ca` crate does), never build DER
//! itself, and never read or write another organisation's data than the one a request
//! is for.

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
pub mod orders;
mod orgs;
mod policy;
pub mod search;
pub mod signing;
mod users;

pub use clock::{Clock, FAKE_CLOCK_VAR, rfc3339};
pub use error::RaError;
pub use issue::{IssueRequest, Issued};
pub use orgs::create_organisation;
pub use policy::OrderPolicy;
pub use users::{
    OPERATOR_TOKEN_PREFIX, TOKEN_PREFIX, UserRequest, change_settings, create_operator_token,
    create_token, create_user, token_hash,
};

use std::sync::Arc;

use orgca_ca::Ca;
use orgca_store::Store;

/// The RA over a store and a CA.
#[derive(Clone)]
pub struct Ra {
    store: Store,
    ca: Arc<Ca>,
}

impl Ra {
    /// An RA.
    pub fn new(store: Store, ca: Arc<Ca>) -> Ra {
        Ra { store, ca }
    }

    /// The CA.
    pub fn ca(&self) -> &Arc<Ca> {
        &self.ca
    }

    /// The store (read-only views for callers that list or show).
    pub fn store(&self) -> &Store {
        &self.store
    }
}
