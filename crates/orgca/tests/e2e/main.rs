//! orgca end to end: the real `orgca` binary driven through its CLI and over HTTP, one
//! module per area. One test binary so that every test copies one data folder that
//! `orgca init` made once (its RSA keys take seconds) and the suite links once; tests of
//! `init` itself start from an empty folder. What the tests share is the
//! `orgca-testkit` crate.

/// The orgca binary under test (only this package's integration tests know its path).
const ORGCA: &str = env!("CARGO_BIN_EXE_orgca");

mod api;
mod api_operations;
mod backup;
mod brute_force;
mod campaign;
mod crash;
mod custody;
mod database_tls;
mod issue;
mod nodes;
mod ocsp;
mod offline_root;
mod operate;
mod portal;
mod portal_browser;
mod revocation;
mod rollover;
mod scim;
mod search;
mod signing;
mod sso;
mod tls;
