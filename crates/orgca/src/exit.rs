//! Exit codes: 0 success, 1 refused (the input or the state is wrong: the message says
//! what to fix), 2 usage (from clap), 3 internal failure (database, keys, bugs).

use orgca_ra::RaError;

/// The command did what was asked.
pub const OK: u8 = 0;
/// Refused: bad input, or a state that forbids it (the message says what to fix).
pub const REFUSED: u8 = 1;
/// Something failed that is not the caller's fault.
pub const INTERNAL: u8 = 3;

/// An error that the caller can fix, with its message.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

/// The exit code for an error: [`REFUSED`] for a [`Refused`], a client-side [`RaError`],
/// a refused store copy or a missing passphrase, [`INTERNAL`] for anything else.
pub fn code_for(e: &anyhow::Error) -> u8 {
    if e.downcast_ref::<Refused>().is_some() {
        return REFUSED;
    }
    // A copy of the whole store into a database that holds one, or at another version.
    if let Some(orgca_store::StoreError::CopyRefused(_)) = e.downcast_ref() {
        return REFUSED;
    }
    match e.downcast_ref::<RaError>() {
        Some(ra) if ra.is_client_error() => REFUSED,
        // A command run without the passphrase that mail needs: the operator sets it.
        Some(RaError::Store(orgca_store::StoreError::NoMailKey)) => REFUSED,
        _ => INTERNAL,
    }
}
