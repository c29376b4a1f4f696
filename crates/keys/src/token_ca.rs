//! CA keys that live on a PKCS#11 token: made there as token objects (private,
//! sensitive, not extractable, never leaving the token), found again by their label, and
//! used through the token. Each key signs through a few sessions of its own (one per
//! core, up to 8), one signature at a time in each.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use cryptoki::mechanism::Mechanism;
use cryptoki::mechanism::MechanismType;
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::Session;
use der::asn1::{BitString, Null, UintRef};
use der::{Encode, Sequence};
use orgca_pki::SignatureAlgorithm;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use crate::pkcs11::{Pkcs11Keys, ec_point_spki, ecdsa_der};
use crate::token::{Failure, Token, failure};
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
    token: Arc<Token>,
    /// Sessions opened on first use, and again after the token was away.
    sessions: Vec<Mutex<Option<Pooled>>>,
    next: AtomicUsize,
    spki: SubjectPublicKeyInfoOwned,
    algorithm: SignatureAlgorithm,
}

/// A session of the key's own, with the key's handle in it, at one generation of the
/// module.
struct Pooled {
    generation: u64,
    session: Session,
    private: ObjectHandle,
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
        let made = self.token().run(|live| {
            live.with_session(|session| {
                if !find(session, ObjectClass::PRIVATE_KEY, label)?.is_empty() {
                    return Err(Failure::Failed(KeyError::Token(format!(
                        "the token holds a key labelled {label:?} already; orgca never replaces a key"
                    ))));
                }
                let (public, _) = session
                    .generate_key_pair(&mechanism, &public, &common(false))
                    .map_err(failure("generating a CA key pair on the token"))?;
                public_key_of(session, public, label, rsa_pss)
            })
        });
        match made {
            Ok((spki, algorithm)) => Ok(TokenCaKey::new(self, label, spki, algorithm)),
            Err(e) => {
                // Nothing half-made stays on the token.
                let _ = self.destroy_ca_key(label);
                Err(e)
            }
        }
    }

    /// The CA key labelled `label` on the token.
    pub fn ca_key(&self, label: &str, rsa_pss: bool) -> Result<TokenCaKey, KeyError> {
        let (spki, algorithm) = self.token().run(|live| {
            live.with_session(|session| {
                one(session, ObjectClass::PRIVATE_KEY, label)?;
                let public = one(session, ObjectClass::PUBLIC_KEY, label)?;
                public_key_of(session, public, label, rsa_pss)
            })
        })?;
        Ok(TokenCaKey::new(self, label, spki, algorithm))
    }

    /// Whether the token holds a private key labelled `label`.
    pub fn has_ca_key(&self, label: &str) -> Result<bool, KeyError> {
        self.token().run(|live| {
            live.with_session(|session| {
                Ok(!find(session, ObjectClass::PRIVATE_KEY, label)?.is_empty())
            })
        })
    }

    /// Removes the key pair labelled `label` from the token (undoing a ceremony that
    /// failed before anything was recorded).
    pub fn destroy_ca_key(&self, label: &str) -> Result<(), KeyError> {
        self.token().run(|live| {
            live.with_session(|session| {
                for class in [ObjectClass::PRIVATE_KEY, ObjectClass::PUBLIC_KEY] {
                    for h in find(session, class, label)? {
                        session
                            .destroy_object(h)
                            .map_err(failure("removing a key from the token"))?;
                    }
                }
                Ok(())
            })
        })
    }
}

fn find(session: &Session, class: ObjectClass, label: &str) -> Result<Vec<ObjectHandle>, Failure> {
    session
        .find_objects(&[
            Attribute::Class(class),
            Attribute::Token(true),
            Attribute::Label(label.as_bytes().to_vec()),
        ])
        .map_err(failure("looking for a key on the token"))
}

/// The one object of `class` labelled `label`.
fn one(session: &Session, class: ObjectClass, label: &str) -> Result<ObjectHandle, Failure> {
    let what = if class == ObjectClass::PRIVATE_KEY {
        "private key"
    } else {
        "public key"
    };
    match find(session, class, label)?.as_slice() {
        [h] => Ok(*h),
        // Gone: a token that is away and back shows no objects until the module is
        // initialised again.
        [] => Err(Failure::Gone(format!(
            "the token holds no {what} labelled {label:?}"
        ))),
        _ => Err(Failure::Failed(KeyError::Token(format!(
            "the token holds several {what}s labelled {label:?}: keep one"
        )))),
    }
}

/// The public key of the key pair whose public half is `public`, and the algorithm it
/// signs with.
fn public_key_of(
    session: &Session,
    public: ObjectHandle,
    label: &str,
    rsa_pss: bool,
) -> Result<(SubjectPublicKeyInfoOwned, SignatureAlgorithm), Failure> {
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
        .map_err(failure("reading the public key"))?;
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
    match (key_type, modulus, exponent, params, point) {
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
                subject_public_key: BitString::from_bytes(&der).map_err(|_| KeyError::Crypto)?,
            };
            let alg = if rsa_pss {
                SignatureAlgorithm::RsaPssSha256
            } else {
                SignatureAlgorithm::RsaPkcs1Sha256
            };
            Ok((spki, alg))
        }
        (Some(t), _, _, Some(params), Some(point)) if t == KeyType::EC => {
            Ok(ec_point_spki(&params, &point)?)
        }
        _ => Err(Failure::Failed(KeyError::Token(format!(
            "the key labelled {label:?} is not an RSA, P-256 or P-384 key"
        )))),
    }
}

impl TokenCaKey {
    fn new(
        token: &Pkcs11Keys,
        label: &str,
        spki: SubjectPublicKeyInfoOwned,
        algorithm: SignatureAlgorithm,
    ) -> TokenCaKey {
        let parallel = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .clamp(1, 8);
        TokenCaKey {
            label: label.to_owned(),
            token: token.token().clone(),
            sessions: (0..parallel).map(|_| Mutex::new(None)).collect(),
            next: AtomicUsize::new(0),
            spki,
            algorithm,
        }
    }

    /// The key's label on the token.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Runs `op` with a session of this key's pool and the key's handle in it: a free
    /// session if there is one, else the next in turn. A session of an earlier
    /// generation (the token was away meanwhile) is replaced, and the key found again by
    /// its label.
    fn with_key<R>(
        &self,
        op: impl Fn(&Session, ObjectHandle) -> Result<R, Failure>,
    ) -> Result<R, KeyError> {
        self.token.run(|live| {
            let n = self.sessions.len();
            let start = self.next.fetch_add(1, Ordering::Relaxed) % n;
            let free = (0..n).find_map(|i| self.sessions[(start + i) % n].try_lock().ok());
            let mut pooled = match free {
                Some(s) => s,
                None => self.sessions[start].lock().map_err(|_| {
                    KeyError::Token("a signature on this key panicked before".into())
                })?,
            };
            if pooled
                .as_ref()
                .is_none_or(|p| p.generation != live.generation())
            {
                // An older session died with its generation: dropped, never closed.
                *pooled = None;
                let session = live.open_session()?;
                match one(&session, ObjectClass::PRIVATE_KEY, &self.label) {
                    Ok(private) => {
                        *pooled = Some(Pooled {
                            generation: live.generation(),
                            session,
                            private,
                        });
                    }
                    Err(e) => {
                        let _ = session.close();
                        return Err(e);
                    }
                }
            }
            let p = pooled.as_ref().ok_or(KeyError::Crypto)?;
            op(&p.session, p.private)
        })
    }
}

impl Drop for TokenCaKey {
    fn drop(&mut self) {
        for slot in &mut self.sessions {
            if let Ok(pooled) = slot.get_mut()
                && let Some(p) = pooled.take()
            {
                self.token.close(p.generation, p.session);
            }
        }
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
        let sign = |mechanism: &Mechanism, data: &[u8]| {
            self.with_key(|session, key| {
                session
                    .sign(mechanism, key, data)
                    .map_err(failure("signing on the token"))
            })
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

    fn check(&self) -> Result<(), KeyError> {
        // Asks the token about the key (cheap, unlike a signature): a token that is away
        // answers that the object or the session is gone.
        self.with_key(|session, key| {
            session
                .get_attributes(key, &[AttributeType::Sign])
                .map(|_| ())
                .map_err(failure("asking the token about the key"))
        })
    }
}
