//! Persistence for orgca on SQLite (embedded default, WAL mode) or PostgreSQL (scale-out),
//! through one API and one set of queries, with migrations per backend and the audit
//! chain.
//!
//! The API is narrow per user: [`CaStore`] is what the CA may write (CA certificates,
//! serial intents), [`IssuanceStore`] commits issued certificates, [`OrgStore`] manages
//! organisations, [`OrgScope`] reads one organisation's data and nothing else, and
//! [`AuditLog`] verifies the chain; [`Store::copy_into`] copies a whole store into an
//! empty one (backups, restores, the move to PostgreSQL), checked row for row. Every change that matters is written with its audit
//! event in one transaction.
//!
//! This crate must never decide policy, sign, or hold signing keys (it holds one
//! symmetric key, derived from the passphrase, that seals queued mail bodies); it must
//! never write a mail body unsealed, and never run a query over organisation data that
//! is not scoped by organisation, except in the operator-only views that say so and the
//! public directory's exact-address lookup.

mod audit;
mod audit_checkpoints;
mod audit_log;
#[cfg(feature = "bench")]
mod bench_fill;
mod ca;
mod certs;
mod copy;
mod db;
mod directory;
mod error;
mod export;
mod issuance;
mod kept_crls;
mod leases;
pub mod logins;
mod mail;
mod mail_seal;
mod migrate;
mod notices;
mod orders;
mod orgs;
mod overview;
mod profiles;
mod provisioning;
mod published_crls;
mod revocation;
mod search;
mod search_keys;
mod sql;
mod sso;
mod users;
mod writer;

pub use audit::{AuditEvent, NewEvent};
pub use audit_checkpoints::StoredCheckpoint;
pub use audit_log::{AuditLog, ChainBreak, ChainReport, Operation};
#[cfg(feature = "bench")]
pub use bench_fill::BenchCertificate;
pub use ca::{CaCertificate, CaRole, CaStore, NewCaCertificate, Retirement};
pub use certs::OrgScope;
pub use copy::{StoreDigest, TableDigest};
pub use db::{Store, redact};
pub use directory::DIRECTORY_LIMIT;
pub use error::StoreError;
pub use export::{EXPORT_PAGE_MAX, ExportPage, ExportReader, ExportRow};
pub use issuance::{IssuanceStore, NewCertificate, SerialIntent};
pub use kept_crls::{CrlOrigin, Keeping, KeptCrl};
pub use leases::LeaseStore;
pub use logins::{Account, FailureLimit, LoginMethod, LoginStore};
pub use mail::{Confirmed, MailStore, NewMail, NewValidation, QueuedMail, UnopenedMail};
pub use mail_seal::MailKey;
pub use orders::{NewOrder, PickupStore};
pub use orgs::{NewOrganisation, OrgStore};
pub use overview::KindCounts;
pub use profiles::NewProfile;
pub use provisioning::{DirectoryEntry, DirectoryMatch, Ending, Offboarded, ProvisioningToken};
pub use published_crls::StoredCrl;
pub use revocation::{Blocked, RevokedEntry, StatusStore};
pub use search::{
    CertQuery, Cursor, MAX_PAGE, MAX_QUERY_CHARS, Page, QueryError, SortKey, StatusFilter, Text,
};
pub use sql::Backend;
pub use sso::PendingSso;
pub use users::{NewUser, OperatorToken, TokenStore};
