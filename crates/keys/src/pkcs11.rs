//! Single-use keys on a PKCS#11 token (an HSM; SoftHSM2 in tests): each key pair is a
//! session object (CKA_TOKEN false: never stored on the token), private, sensitive and
//! not extractable, destroyed right after its one signature, and gone with its session
//! whatever happens. The digest is computed here (SHA-256), the token signs it with
//! CKM_ECDSA, and the raw r‖s becomes a DER ECDSA-Sig-Value.

use std::path::Path;
use std::sync::Mutex;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::RvError;
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use der::asn1::{BitString, ObjectIdentifier, OctetString, UintRef};
use der::{Decode, Encode, Sequence};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use crate::KeyError;
use orgca_pki::SignatureAlgorithm;

/// DER of the P-256 curve's OID, as CKA_EC_PARAMS wants it.
pub(crate) const P256_PARAMS: [u8; 10] =
    [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
/// DER of the P-384 curve's OID.
pub(crate) const P384_PARAMS: [u8; 7] = [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22];
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");

/// Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }.
#[derive(Sequence)]
struct EcdsaSig<'a> {
    r: UintRef<'a>,
    s: UintRef<'a>,
}

pub(crate) fn token_error(what: &str) -> impl FnOnce(cryptoki::error::Error) -> KeyError + '_ {
    move |e| KeyError::Token(format!("{what}: {e}"))
}

/// The modules this process has loaded and initialised, by path: PKCS#11 allows one
/// `C_Initialize` per module and process, and every token of it shares that.
static MODULES: Mutex<Vec<(std::path::PathBuf, Pkcs11)>> = Mutex::new(Vec::new());

fn loaded_module(module: &Path) -> Result<Pkcs11, KeyError> {
    let mut loaded = MODULES
        .lock()
        .map_err(|_| KeyError::Token("loading a PKCS#11 module panicked before".into()))?;
    if let Some((_, ctx)) = loaded.iter().find(|(p, _)| p == module) {
        return Ok(ctx.clone());
    }
    let ctx = Pkcs11::new(module).map_err(|e| {
        KeyError::Token(format!(
            "cannot load the PKCS#11 module {}: {e}",
            module.display()
        ))
    })?;
    ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
        .map_err(token_error("initialising the PKCS#11 module"))?;
    loaded.push((module.to_owned(), ctx.clone()));
    Ok(ctx)
}

/// A logged-in token: it makes single-use keys, and holds CA keys.
pub struct Pkcs11Keys {
    ctx: Pkcs11,
    slot: Slot,
    /// Logged in as the user for as long as this lives (PKCS#11 login is per
    /// application: every session of this process shares it).
    _login: Mutex<Session>,
}

impl std::fmt::Debug for Pkcs11Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs11Keys")
            .field("slot", &self.slot)
            .finish_non_exhaustive()
    }
}

impl Pkcs11Keys {
    /// Loads the module (once per process), finds the token labelled `label` and logs
    /// in with `pin`.
    pub fn open(module: &Path, label: &str, pin: &str) -> Result<Pkcs11Keys, KeyError> {
        let ctx = loaded_module(module)?;
        let slots = ctx
            .get_slots_with_token()
            .map_err(token_error("listing the PKCS#11 slots"))?;
        let slot = slots
            .into_iter()
            .find(|s| {
                ctx.get_token_info(*s)
                    .is_ok_and(|i| i.label().trim() == label)
            })
            .ok_or_else(|| KeyError::Token(format!("no PKCS#11 token labelled {label:?}")))?;
        let session = ctx
            .open_rw_session(slot)
            .map_err(token_error("opening a session on the token"))?;
        let login = session.login(UserType::User, Some(&AuthPin::from(pin.to_owned())));
        // A login is the process's: a second handle on a token already logged in shares it.
        if let Err(cryptoki::error::Error::Pkcs11(RvError::UserAlreadyLoggedIn, _)) = login {
            return Ok(Pkcs11Keys {
                ctx,
                slot,
                _login: Mutex::new(session),
            });
        }
        login.map_err(|e| {
            KeyError::Token(format!(
                "logging in to token {label:?} failed (wrong PIN?): {e}"
            ))
        })?;
        Ok(Pkcs11Keys {
            ctx,
            slot,
            _login: Mutex::new(session),
        })
    }

    /// The loaded module.
    pub(crate) fn ctx(&self) -> &Pkcs11 {
        &self.ctx
    }

    /// The token's slot.
    pub(crate) fn slot(&self) -> Slot {
        self.slot
    }

    /// A new read-write session on the token (logged in: the login is the process's).
    pub(crate) fn session(&self) -> Result<Session, KeyError> {
        self.ctx
            .open_rw_session(self.slot)
            .map_err(token_error("opening a session on the token"))
    }

    /// A fresh P-256 key pair as session objects, with its public key.
    pub(crate) fn generate(&self) -> Result<TokenKey, KeyError> {
        let session = self.session()?;
        let public = [
            Attribute::Token(false),
            Attribute::EcParams(P256_PARAMS.to_vec()),
            Attribute::Verify(true),
        ];
        let private = [
            Attribute::Token(false),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::Sign(true),
        ];
        let (public, private) = session
            .generate_key_pair(&Mechanism::EccKeyPairGen, &public, &private)
            .map_err(token_error("generating a key pair on the token"))?;
        // On any failure below the session closes, and its objects go with it.
        let point = session
            .get_attributes(public, &[AttributeType::EcPoint])
            .map_err(token_error("reading the public key"))?
            .into_iter()
            .find_map(|a| match a {
                Attribute::EcPoint(p) => Some(p),
                _ => None,
            })
            .ok_or_else(|| KeyError::Token("the token gave no public key".into()))?;
        let (spki, _) = ec_point_spki(&P256_PARAMS, &point)?;
        Ok(TokenKey {
            session,
            public,
            private,
            spki,
        })
    }
}

/// A key pair on the token, alive as long as its session.
pub(crate) struct TokenKey {
    session: Session,
    public: ObjectHandle,
    private: ObjectHandle,
    spki: SubjectPublicKeyInfoOwned,
}

impl TokenKey {
    pub(crate) fn public_key(&self) -> &SubjectPublicKeyInfoOwned {
        &self.spki
    }

    /// Signs SHA-256(`message`) with ECDSA on the token; answers the DER signature.
    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, message);
        let raw = self
            .session
            .sign(&Mechanism::Ecdsa, self.private, digest.as_ref())
            .map_err(token_error("signing on the token"))?;
        ecdsa_der(&raw, 32)
    }
}

/// The public key of an EC key from its CKA_EC_PARAMS and CKA_EC_POINT, with the
/// algorithm it signs with (P-256: ECDSA-SHA256, P-384: ECDSA-SHA384).
pub(crate) fn ec_point_spki(
    params: &[u8],
    point: &[u8],
) -> Result<(SubjectPublicKeyInfoOwned, SignatureAlgorithm), KeyError> {
    let (curve, len, algorithm) = if params == P256_PARAMS {
        (P256, 65, SignatureAlgorithm::EcdsaSha256)
    } else if params == P384_PARAMS {
        (P384, 97, SignatureAlgorithm::EcdsaSha384)
    } else {
        return Err(KeyError::Token(
            "the token's EC key is on a curve other than P-256 or P-384".into(),
        ));
    };
    // CKA_EC_POINT is a DER OCTET STRING around the point (some tokens send it bare).
    let point = match OctetString::from_der(point) {
        Ok(o) => o.into_bytes().into_vec(),
        Err(_) => point.to_vec(),
    };
    if point.len() != len || point[0] != 4 {
        return Err(KeyError::Token(
            "the token's public key is not an uncompressed point of its curve".into(),
        ));
    }
    let spki = SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned {
            oid: EC_PUBLIC_KEY,
            parameters: Some(der::asn1::Any::encode_from(&curve).map_err(|_| KeyError::Crypto)?),
        },
        subject_public_key: BitString::from_bytes(&point).map_err(|_| KeyError::Crypto)?,
    };
    Ok((spki, algorithm))
}

/// A token's raw ECDSA signature (r‖s, each `half` bytes) as a DER ECDSA-Sig-Value.
pub(crate) fn ecdsa_der(raw: &[u8], half: usize) -> Result<Vec<u8>, KeyError> {
    if raw.len() != 2 * half {
        return Err(KeyError::Token(format!(
            "the token gave a {}-byte signature where {} were due",
            raw.len(),
            2 * half
        )));
    }
    let (r, s) = raw.split_at(half);
    let strip = |v: &[u8]| {
        let n = v.iter().take_while(|b| **b == 0).count().min(v.len() - 1);
        v[n..].to_vec()
    };
    let (r, s) = (strip(r), strip(s));
    EcdsaSig {
        r: UintRef::new(&r).map_err(|_| KeyError::Crypto)?,
        s: UintRef::new(&s).map_err(|_| KeyError::Crypto)?,
    }
    .to_der()
    .map_err(|_| KeyError::Crypto)
}

impl Drop for TokenKey {
    fn drop(&mut self) {
        // Session objects go with the session anyway; destroy them now, explicitly.
        let _ = self.session.destroy_object(self.private);
        let _ = self.session.destroy_object(self.public);
    }
}
