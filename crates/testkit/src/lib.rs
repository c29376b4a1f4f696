//! orgca's test kit: what the workspace's tests share, in one crate so that it is
//! written once.
//!
//! - [`Env`]: the real `orgca` binary (its path given by the caller, since only the orgca
//!   package's own integration tests know it) on a temporary data folder, each a copy of
//!   one initialised template per test process; [`Server`] for `orgca serve` and a tiny
//!   HTTP/1.1 client.
//! - [`flows`]: an organisation, profiles, orders and pick-up made the way users do.
//! - [`openssl`] and [`tools`]: OpenSSL for CSRs and verification, pkilint and the other
//!   external checkers (skipped when missing, unless CI requires them).
//! - [`SmtpSink`]: an SMTP server that keeps what it is sent.
//! - [`db`] and [`store`]: a fresh database per test on SQLite and PostgreSQL, and store
//!   records committed the way the CA does.
//!
//! It must never be a dependency of non-test code: only `[dev-dependencies]` name it
//! (it panics instead of returning errors, runs whatever binary it is given, keeps its
//! template data folder for the whole process, and creates and drops databases).

pub mod db;
mod env;
pub mod flows;
mod http;
pub mod openssl;
pub mod postgres_tls;
mod process;
mod smtp;
pub mod softhsm;
pub mod store;
pub mod tools;

pub use env::{BASE_URL, Env};
pub use flows::{Org, employee_order, order, org, password_link_path, picked_up_system, profile};
pub use http::{Client, Server, urlencode};
pub use openssl::{
    P256, assert_chain_verifies, cms_verifies, openssl_csr, pkcs12_certificate, self_signed,
};
pub use process::{COMMAND_TIMEOUT, cmd, cmd_ok, free_port, output_within};
pub use smtp::SmtpSink;
pub use tools::{pkilint_available, pkilint_errors, sample_pdf, skipped, tool_available};
