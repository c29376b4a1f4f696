//! Domain types of orgca with their invariants: CVR numbers, certificate kinds, names,
//! e-mail addresses, serial numbers, environments, block reasons; and the entities built
//! from them (organisations, users, profiles, orders, certificates), which the store
//! only converts to and from rows.
//!
//! Every type here is parsed, not validated: a value that exists is valid, so the layers
//! above never re-check it. This crate does no I/O, reads no clock (a [`UnixTime`] is
//! always handed in) and holds no keys; it must never depend on another orgca crate.

mod block;
mod certificate;
mod cvr;
mod email;
pub mod invisible;
mod kind;
mod names;
mod order;
mod org;
mod profile;
mod role;
mod serial;
mod sso;
mod status;
mod unix_time;
mod user;

pub use block::{BlockReason, UnknownBlockReason};
pub use certificate::CertificateRecord;
pub use cvr::{Cvr, CvrError, Environment};
pub use email::{Email, EmailError};
pub use kind::{CertKind, UnknownKind};
pub use names::{CertName, NameError, PersonName, parse_text, text_pattern};
pub use order::{Identification, Issuance, Order, OrderStatus, OrderSubject};
pub use org::{OrgSettings, Organisation, SettingsChange};
pub use profile::Profile;
pub use role::{Role, UnknownRole};
pub use serial::{Serial, SerialError};
pub use sso::{IdentityProvider, MatchBy, SecretSource};
pub use status::{CertStatus, VisibleStatus};
pub use unix_time::UnixTime;
pub use user::{User, UserStatus};

/// Identifies an organisation inside orgca (never shown in certificates).
pub type OrgId = uuid::Uuid;
