//! A PKCS#11 token this process is logged in to, kept usable when the token goes away
//! and comes back (an HSM restarted or unplugged, SoftHSM2's token folder moved away).
//!
//! Every use of a session holds the module's *generation* (a read guard). When an
//! operation finds the token gone, the module is finalised and initialised again under
//! the write guard, once however many threads noticed; each token then logs in again on
//! its next use, and each key opens its sessions again. A session of an earlier
//! generation is never used or closed again: after `C_Initialize` its handle may belong
//! to someone else's new session.
//!
//! A PIN the token refuses is never tried again in this process (a token locks itself
//! after a few wrong PINs). The PIN lives only in zeroized memory and is never logged.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error, RvError};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use zeroize::Zeroizing;

use crate::KeyError;

/// A loaded PKCS#11 module and how many times it was initialised again.
struct Module {
    path: PathBuf,
    ctx: Pkcs11,
    /// Read for every use of a session; written to initialise the module again.
    generation: RwLock<u64>,
}

/// The modules this process has loaded: PKCS#11 allows one `C_Initialize` per module and
/// process, and every token of the module shares it.
static MODULES: Mutex<Vec<Arc<Module>>> = Mutex::new(Vec::new());

fn poisoned<T>(_: T) -> KeyError {
    KeyError::Token("a PKCS#11 operation panicked before; restart orgca".into())
}

impl Module {
    fn loaded(path: &Path) -> Result<Arc<Module>, KeyError> {
        let mut loaded = MODULES.lock().map_err(poisoned)?;
        if let Some(m) = loaded.iter().find(|m| m.path == path) {
            return Ok(m.clone());
        }
        let ctx = Pkcs11::new(path).map_err(|e| {
            KeyError::Token(format!(
                "cannot load the PKCS#11 module {}: {e}",
                path.display()
            ))
        })?;
        ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
            .map_err(|e| KeyError::Token(format!("initialising the PKCS#11 module: {e}")))?;
        let module = Arc::new(Module {
            path: path.to_owned(),
            ctx,
            generation: RwLock::new(0),
        });
        loaded.push(module.clone());
        Ok(module)
    }

    /// Finalises and initialises the module again, unless that happened since the
    /// generation `seen`.
    fn initialise_again(&self, seen: u64) -> Result<(), KeyError> {
        let mut generation = self.generation.write().map_err(poisoned)?;
        if *generation != seen {
            return Ok(());
        }
        // C_Finalize ends every session of every token of the module; whatever it
        // answers, the sessions of `seen` are not to be used again.
        let _ = self.ctx.clone().finalize();
        *generation += 1;
        self.ctx
            .initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
            .map_err(|e| KeyError::Token(format!("initialising the PKCS#11 module again: {e}")))
    }
}

/// Why an operation on the token failed.
pub(crate) enum Failure {
    /// The token, a session or an object is gone: worth initialising the module again.
    Gone(String),
    /// Anything else (a refusal, a bad key): trying again would not help.
    Failed(KeyError),
}

impl From<KeyError> for Failure {
    fn from(e: KeyError) -> Failure {
        Failure::Failed(e)
    }
}

/// Sorts a PKCS#11 error from doing `what` into gone (the token went away) or failed.
pub(crate) fn failure(what: &str) -> impl FnOnce(Error) -> Failure + '_ {
    move |e| match &e {
        Error::Pkcs11(
            RvError::SessionHandleInvalid
            | RvError::SessionClosed
            | RvError::ObjectHandleInvalid
            | RvError::KeyHandleInvalid
            | RvError::DeviceRemoved
            | RvError::DeviceError
            | RvError::TokenNotPresent
            | RvError::TokenNotRecognized
            | RvError::SlotIdInvalid
            | RvError::CryptokiNotInitialized
            | RvError::UserNotLoggedIn
            | RvError::GeneralError,
            _,
        ) => Failure::Gone(format!("{what}: {e}")),
        _ => Failure::Failed(KeyError::Token(format!("{what}: {e}"))),
    }
}

/// The login of one token, at one generation of its module.
struct Login {
    generation: u64,
    slot: Slot,
    /// Open for as long as the login should last (a PKCS#11 login belongs to the
    /// application and ends with its last session).
    session: Session,
}

/// A token this process logs in to with its PIN.
pub(crate) struct Token {
    module: Arc<Module>,
    label: String,
    pin: Zeroizing<String>,
    login: Mutex<Option<Login>>,
    /// Set when the token refused the PIN: it is not offered again.
    pin_refused: AtomicBool,
}

/// The token in use: the module's generation held (it is not initialised again
/// meanwhile) and the token logged in at it.
pub(crate) struct Live<'a> {
    generation: RwLockReadGuard<'a, u64>,
    module: &'a Module,
    slot: Slot,
}

impl Live<'_> {
    /// The generation of the module this use holds.
    pub(crate) fn generation(&self) -> u64 {
        *self.generation
    }

    /// A new read-write session, which its owner closes (only while the generation it
    /// was opened at is current).
    pub(crate) fn open_session(&self) -> Result<Session, Failure> {
        self.module
            .ctx
            .open_rw_session_no_drop(self.slot)
            .map_err(failure("opening a session on the token"))
    }

    /// Runs `op` on a session of its own, closed afterwards.
    pub(crate) fn with_session<R>(
        &self,
        op: impl FnOnce(&Session) -> Result<R, Failure>,
    ) -> Result<R, Failure> {
        let session = self.open_session()?;
        let result = op(&session);
        let _ = session.close();
        result
    }
}

impl Token {
    /// Loads the module (once per process), finds the token labelled `label` and logs
    /// in with `pin`.
    pub(crate) fn open(module: &Path, label: &str, pin: &str) -> Result<Arc<Token>, KeyError> {
        let token = Token {
            module: Module::loaded(module)?,
            label: label.to_owned(),
            pin: Zeroizing::new(pin.to_owned()),
            login: Mutex::new(None),
            pin_refused: AtomicBool::new(false),
        };
        token.live().map_err(|f| match f {
            Failure::Gone(why) => KeyError::Token(why),
            Failure::Failed(e) => e,
        })?;
        Ok(Arc::new(token))
    }

    /// The token's label.
    pub(crate) fn label(&self) -> &str {
        &self.label
    }

    /// The token at the module's current generation, logged in.
    pub(crate) fn live(&self) -> Result<Live<'_>, Failure> {
        let generation = self.module.generation.read().map_err(poisoned)?;
        let mut login = self.login.lock().map_err(poisoned)?;
        if let Some(l) = login.as_ref().filter(|l| l.generation == *generation) {
            return Ok(Live {
                slot: l.slot,
                generation,
                module: &self.module,
            });
        }
        // A login of an earlier generation died with it (never closed: see above).
        *login = None;
        if self.pin_refused.load(Ordering::SeqCst) {
            return Err(Failure::Failed(KeyError::Token(format!(
                "token {:?} refused the PIN before; orgca does not try it again (the token \
                 would lock): set the right PIN and restart",
                self.label
            ))));
        }
        let ctx = &self.module.ctx;
        let slot = ctx
            .get_slots_with_token()
            .map_err(failure("listing the PKCS#11 slots"))?
            .into_iter()
            .find(|s| {
                ctx.get_token_info(*s)
                    .is_ok_and(|i| i.label().trim() == self.label)
            })
            .ok_or_else(|| {
                Failure::Gone(format!(
                    "no PKCS#11 token labelled {:?} is present",
                    self.label
                ))
            })?;
        let session = ctx
            .open_rw_session_no_drop(slot)
            .map_err(failure("opening a session on the token"))?;
        match session.login(UserType::User, Some(&AuthPin::from(self.pin.to_string()))) {
            // A login is the application's: another handle on the token may have made it.
            Ok(()) | Err(Error::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {}
            Err(e) => {
                let _ = session.close();
                if let Error::Pkcs11(
                    RvError::PinIncorrect | RvError::PinLocked | RvError::PinExpired,
                    _,
                ) = e
                {
                    self.pin_refused.store(true, Ordering::SeqCst);
                }
                return Err(Failure::Failed(KeyError::Token(format!(
                    "logging in to token {:?} failed (wrong PIN?): {e}",
                    self.label
                ))));
            }
        }
        *login = Some(Login {
            generation: *generation,
            slot,
            session,
        });
        Ok(Live {
            slot,
            generation,
            module: &self.module,
        })
    }

    /// Runs `op` on the live token; when it finds the token gone, initialises the
    /// module again and runs it once more, so that service resumes without a restart.
    pub(crate) fn run<R>(
        &self,
        mut op: impl FnMut(&Live<'_>) -> Result<R, Failure>,
    ) -> Result<R, KeyError> {
        let seen = match self.live() {
            Ok(live) => match op(&live) {
                Ok(r) => return Ok(r),
                Err(Failure::Failed(e)) => return Err(e),
                Err(Failure::Gone(_)) => live.generation(),
            },
            Err(Failure::Failed(e)) => return Err(e),
            Err(Failure::Gone(_)) => *self.module.generation.read().map_err(poisoned)?,
        };
        self.module.initialise_again(seen)?;
        match self.live().and_then(|live| op(&live)) {
            Ok(r) => Ok(r),
            Err(Failure::Failed(e)) => Err(e),
            Err(Failure::Gone(why)) => Err(KeyError::Token(format!(
                "token {:?} is not available ({why}); orgca uses it again as soon as it is back",
                self.label
            ))),
        }
    }

    /// Closes `session` if it is of the current generation (else it is dead already and
    /// its handle may be someone else's).
    pub(crate) fn close(&self, generation: u64, session: Session) {
        if let Ok(current) = self.module.generation.read()
            && *current == generation
        {
            let _ = session.close();
        }
    }
}

impl Drop for Token {
    fn drop(&mut self) {
        if let Ok(login) = self.login.get_mut()
            && let Some(l) = login.take()
        {
            self.close(l.generation, l.session);
        }
    }
}
