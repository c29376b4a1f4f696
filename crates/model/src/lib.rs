//! Domain types of orgca with their invariants: CVR numbers, certificate kinds, names,
//! e-mail addresses, serial numbers, environments, block reasons, what an order is for.
//!
//! Every type here is parsed, not validated: a value that exists is valid, so the layers
//! above never re-check it. This crate does no I/O, reads no clock and holds no keys; it
//! must never depend on another orgca crate.

mod block;
mod cvr;
mod email;
mod kind;
mod names;
mod order;
mod role;
mod serial;
mod status;

pub use block::{BlockReason, UnknownBlockReason};
pub use cvr::{Cvr, CvrError, Environment};
pub use email::{Email, EmailError};
pub use kind::{CertKind, UnknownKind};
pub use names::{CertName, NameError, PersonName};
pub use order::OrderSubject;
pub use role::{Role, UnknownRole};
pub use serial::{Serial, SerialError};
pub use status::{CertStatus, VisibleStatus};

/// Identifies an organisation inside orgca (never shown in certificates).
pub type OrgId = uuid::Uuid;
