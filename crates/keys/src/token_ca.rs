//! CA keys that live on a PKCS#11 token: made there as token objects (private,
//! sensitive, not extractable, never leaving the token), found again by their label, and
//! used through the token. Each key signs through a few sessions of its own (one per
//! core, up to 8), one signature at a time in each.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use cryptoki::mechanism::Mechanism;
use cryptoki::mechanism::MechanismType;
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::Session;
use der::asn1::{BitString, Null, UintRef};
use der::{Encode, Sequence};
use orgca_pki::SignatureAlgorithm;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use crate::pkcs11::{Pkcs11Keys, ec_point_spki, ecdsa_der, token_error};
use crate::{KeyError, KeySpec, Signer};

const RSA_ENCRYPTION: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 8017).
#[derive(Sequence)]
struct RsaPublicKey<'a> {
    modulus: UintRef<'a>,
    public_exponent: UintRef<'a>,
}

/// A CA key on the token.
pub struct TokenCaKey {
    label: String,
    /// The module and slot, to open a session again after the token was away.
    ctx: cryptoki::context::Pkcs11,
    slot: cryptoki::slot::Slot,
    sessions: Vec<Mutex<Session>>,
    next: AtomicUsize,
    /// The private key's handle; found again by its label when the token gives out new
    /// handles (after it was away).
    private: Mutex<ObjectHandle>,
    spki: SubjectPublicKeyInfoOwned,
    algorithm: SignatureAlgorithm,
}

impl std::fmt::Debug for TokenCaKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCaKey")
            .field("label", &self.label)
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

impl Pkcs11Keys {
    /// Makes a CA key pair on the token under `label`, as token objects that never leave
    /// it. Refuses a label the token already holds a key under (a key is never
    /// replaced).
    pub fn generate_ca_key(
        &self,
        label: &str,
        spec: KeySpec,
        rsa_pss: bool,
    ) -> Result<TokenCaKey, KeyError> {
        let session = self.session()?;
        if !find(&session, ObjectClass::PRIVATE_KEY, label)?.is_empty() {
            return Err(KeyError::Token(format!(
                "the token holds a key labelled {label:?} already; orgca never replaces a key"
            )));
        }
        let common = |class_public: bool| {
            let mut a = vec![
                Attribute::Token(true),
                Attribute::Label(label.as_bytes().to_vec()),
            ];
            if class_public {
                a.push(Attribute::Verify(true));
            } else {
                a.extend([
                    Attribute::Private(true),
                    Attribute::Sensitive(true),
                    Attribute::Extractable(false),
                    Attribute::Sign(true),
                ]);
            }
            a
        };
        let (mechanism, mut public) = match spec {
            KeySpec::Rsa3072 | KeySpec::Rsa4096 => {
                let bits: u64 = if spec == KeySpec::Rsa3072 { 3072 } else { 4096 };
                (
                    Mechanism::RsaPkcsKeyPairGen,
                    vec![
                        Attribute::ModulusBits(bits.into()),
                        Attribute::PublicExponent(vec![0x01, 0x00, 0x01]),
                    ],
                )
            }
            KeySpec::P256 => (
                Mechanism::EccKeyPairGen,
                vec![Attribute::EcParams(crate::pkcs11::P256_PARAMS.to_vec())],
            ),
            KeySpec::P384 => (
                Mechanism::EccKeyPairGen,
                vec![Attribute::EcParams(crate::pkcs11::P384_PARAMS.to_vec())],
            ),
        };
        public.extend(common(true));
        let (public, private) = session
            .generate_key_pair(&mechanism, &public, &common(false))
            .map_err(token_error("generating a CA key pair on the token"))?;
        match TokenCaKey::from_objects(self, session, label, public, private, rsa_pss) {
            Ok(k) => Ok(k),
            Err(e) => {
                // Nothing half-made stays on the token.
                if let Ok(s) = self.session() {
                    let _ = s.destroy_object(private);
                    let _ = s.destroy_object(public);
                }
                Err(e)
            }
        }
    }

    /// The CA key labelled `label` on the token.
    pub fn ca_key(&self, label: &str, rsa_pss: bool) -> Result<TokenCaKey, KeyError> {
        let session = self.session()?;
        let one = |class, what: &str| -> Result<ObjectHandle, KeyError> {
            match find(&session, class, label)?.as_slice() {
                [h] => Ok(*h),
                [] => Err(KeyError::Token(format!(
                    "the token holds no {what} labelled {label:?}"
                ))),
                _ => Err(KeyError::Token(format!(
                    "the token holds several {what}s labelled {label:?}: keep one"
                ))),
            }
        };
        let private = one(ObjectClass::PRIVATE_KEY, "private key")?;
        let public = one(ObjectClass::PUBLIC_KEY, "public key")?;
        TokenCaKey::from_objects(self, session, label, public, private, rsa_pss)
    }

    /// Whether the token holds a private key labelled `label`.
    pub fn has_ca_key(&self, label: &str) -> Result<bool, KeyError> {
        Ok(!find(&self.session()?, ObjectClass::PRIVATE_KEY, label)?.is_empty())
    }

    /// Removes the key pair labelled `label` from the token (undoing a ceremony that
    /// failed before anything was recorded).
    pub fn destroy_ca_key(&self, label: &str) -> Result<(), KeyError> {
        let session = self.session()?;
        for class in [ObjectClass::PRIVATE_KEY, ObjectClass::PUBLIC_KEY] {
            for h in find(&session, class, label)? {
                session
                    .destroy_object(h)
                    .map_err(token_error("removing a key from the token"))?;
            }
        }
        Ok(())
    }
}

fn find(session: &Session, class: ObjectClass, label: &str) -> Result<Vec<ObjectHandle>, KeyError> {
    session
        .find_objects(&[
            Attribute::Class(class),
            Attribute::Token(true),
            Attribute::Label(label.as_bytes().to_vec()),
        ])
        .map_err(token_error("looking for a key on the token"))
}

impl TokenCaKey {
    fn from_objects(
        token: &Pkcs11Keys,
        session: Session,
        label: &str,
        public: ObjectHandle,
        private: ObjectHandle,
        rsa_pss: bool,
    ) -> Result<TokenCaKey, KeyError> {
        let attrs = session
            .get_attributes(
                public,
                &[
                    AttributeType::KeyType,
                    AttributeType::Modulus,
                    AttributeType::PublicExponent,
                    AttributeType::EcParams,
                    AttributeType::EcPoint,
                ],
            )
            .map_err(token_error("reading the public key"))?;
        let mut key_type = None;
        let (mut modulus, mut exponent, mut params, mut point) = (None, None, None, None);
        for a in attrs {
            match a {
                Attribute::KeyType(t) => key_type = Some(t),
                Attribute::Modulus(m) => modulus = Some(m),
                Attribute::PublicExponent(e) => exponent = Some(e),
                Attribute::EcParams(p) => params = Some(p),
                Attribute::EcPoint(p) => point = Some(p),
                _ => {}
            }
        }
        let (spki, algorithm) = match (key_type, modulus, exponent, params, point) {
            (Some(t), Some(n), Some(e), _, _) if t == KeyType::RSA => {
                let der = RsaPublicKey {
                    modulus: UintRef::new(&n).map_err(|_| KeyError::Crypto)?,
                    public_exponent: UintRef::new(&e).map_err(|_| KeyError::Crypto)?,
                }
                .to_der()
                .map_err(|_| KeyError::Crypto)?;
                let spki = SubjectPublicKeyInfoOwned {
                    algorithm: AlgorithmIdentifierOwned {
                        oid: RSA_ENCRYPTION,
                        parameters: Some(
                            der::asn1::Any::encode_from(&Null).map_err(|_| KeyError::Crypto)?,
                        ),
                    },
                    subject_public_key: BitString::from_bytes(&der)
                        .map_err(|_| KeyError::Crypto)?,
                };
                let alg = if rsa_pss {
                    SignatureAlgorithm::RsaPssSha256
                } else {
                    SignatureAlgorithm::RsaPkcs1Sha256
                };
                (spki, alg)
            }
            (Some(t), _, _, Some(params), Some(point)) if t == KeyType::EC => {
                ec_point_spki(&params, &point)?
            }
            _ => {
                return Err(KeyError::Token(format!(
                    "the key labelled {label:?} is not an RSA, P-256 or P-384 key"
                )));
            }
        };
        let parallel = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .clamp(1, 8);
        let mut sessions = vec![Mutex::new(session)];
        for _ in 1..parallel {
            sessions.push(Mutex::new(token.session()?));
        }
        Ok(TokenCaKey {
            label: label.to_owned(),
            ctx: token.ctx().clone(),
            slot: token.slot(),
            sessions,
            next: AtomicUsize::new(0),
            private: Mutex::new(private),
            spki,
            algorithm,
        })
    }

    /// The key's label on the token.
    pub fn label(&self) -> &str {
        &self.label
    }
}

impl TokenCaKey {
    /// Signs on `session`; when the token was away meanwhile (the session or the key's
    /// handle is no longer valid), opens the session again, finds the key again by its
    /// label and tries once more, so that service resumes without a restart.
    fn sign_recovering(
        &self,
        session: &mut Session,
        mechanism: &Mechanism,
        data: &[u8],
    ) -> Result<Vec<u8>, KeyError> {
        use cryptoki::error::{Error, RvError};
        let handle = *self
            .private
            .lock()
            .map_err(|_| KeyError::Token("a signature on this key panicked before".into()))?;
        let gone = match session.sign(mechanism, handle, data) {
            Ok(sig) => return Ok(sig),
            Err(Error::Pkcs11(
                rv @ (RvError::SessionHandleInvalid
                | RvError::SessionClosed
                | RvError::ObjectHandleInvalid
                | RvError::KeyHandleInvalid),
                _,
            )) => rv,
            Err(e) => return Err(token_error("signing on the token")(e)),
        };
        if matches!(gone, RvError::SessionHandleInvalid | RvError::SessionClosed) {
            *session = self
                .ctx
                .open_rw_session(self.slot)
                .map_err(token_error("opening a session on the token again"))?;
        }
        let handle = match find(session, ObjectClass::PRIVATE_KEY, &self.label)?.as_slice() {
            [h] => *h,
            _ => {
                return Err(KeyError::Token(format!(
                    "the key labelled {:?} is not on the token (is the token there?)",
                    self.label
                )));
            }
        };
        if let Ok(mut p) = self.private.lock() {
            *p = handle;
        }
        session
            .sign(mechanism, handle, data)
            .map_err(token_error("signing on the token"))
    }
}

impl Signer for TokenCaKey {
    fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    fn public_key(&self) -> &SubjectPublicKeyInfoOwned {
        &self.spki
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        // A free session if there is one, else the next in turn.
        let n = self.sessions.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed) % n;
        let free = (0..n).find_map(|i| self.sessions[(start + i) % n].try_lock().ok());
        let session = match free {
            Some(s) => s,
            None => self.sessions[start]
                .lock()
                .map_err(|_| KeyError::Token("a signature on this key panicked before".into()))?,
        };
        let mut session = session;
        let mut sign = |mechanism: &Mechanism, data: &[u8]| {
            self.sign_recovering(&mut session, mechanism, data)
        };
        match self.algorithm {
            SignatureAlgorithm::RsaPkcs1Sha256 => sign(&Mechanism::Sha256RsaPkcs, message),
            SignatureAlgorithm::RsaPssSha256 => sign(
                &Mechanism::Sha256RsaPkcsPss(PkcsPssParams {
                    hash_alg: MechanismType::SHA256,
                    mgf: PkcsMgfType::MGF1_SHA256,
                    s_len: 32u64.into(),
                }),
                message,
            ),
            SignatureAlgorithm::EcdsaSha256 => {
                let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, message);
                ecdsa_der(&sign(&Mechanism::Ecdsa, d.as_ref())?, 32)
            }
            SignatureAlgorithm::EcdsaSha384 => {
                let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA384, message);
                ecdsa_der(&sign(&Mechanism::Ecdsa, d.as_ref())?, 48)
            }
        }
    }
}
