//! Single-use keys on a PKCS#11 token (an HSM; SoftHSM2 in tests): each key pair is a
//! session object (CKA_TOKEN false: never stored on the token), private, sensitive and
//! not extractable, destroyed right after its one signature, and gone with its session
//! whatever happens. The digest is computed here (SHA-256), the token signs it with
//! CKM_ECDSA, and the raw r‖s becomes a DER ECDSA-Sig-Value.

use std::path::Path;
use std::sync::Arc;

use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, ObjectHandle};
use cryptoki::session::Session;
use der::asn1::{BitString, ObjectIdentifier, OctetString, UintRef};
use der::{Decode, Encode, Sequence};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use crate::KeyError;
use crate::token::{Failure, Token, failure};
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

/// A logged-in token: it makes single-use keys, and holds CA keys.
pub struct Pkcs11Keys {
    token: Arc<Token>,
}

impl std::fmt::Debug for Pkcs11Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs11Keys")
            .field("token", &self.token.label())
            .finish_non_exhaustive()
    }
}

impl Pkcs11Keys {
    /// Loads the module (once per process), finds the token labelled `label` and logs
    /// in with `pin`.
    pub fn open(module: &Path, label: &str, pin: &str) -> Result<Pkcs11Keys, KeyError> {
        Ok(Pkcs11Keys {
            token: Token::open(module, label, pin)?,
        })
    }

    /// The token.
    pub(crate) fn token(&self) -> &Arc<Token> {
        &self.token
    }

    /// A fresh P-256 key pair as session objects, with its public key.
    pub(crate) fn generate(&self) -> Result<TokenKey, KeyError> {
        self.token.run(|live| {
            let session = live.open_session()?;
            match generate_on(&session) {
                Ok((public, private, spki)) => Ok(TokenKey {
                    token: self.token.clone(),
                    generation: live.generation(),
                    session: Some(session),
                    public,
                    private,
                    spki,
                }),
                Err(e) => {
                    // The session's objects go with it.
                    let _ = session.close();
                    Err(e)
                }
            }
        })
    }
}

fn generate_on(
    session: &Session,
) -> Result<(ObjectHandle, ObjectHandle, SubjectPublicKeyInfoOwned), Failure> {
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
        .map_err(failure("generating a key pair on the token"))?;
    let point = session
        .get_attributes(public, &[AttributeType::EcPoint])
        .map_err(failure("reading the public key"))?
        .into_iter()
        .find_map(|a| match a {
            Attribute::EcPoint(p) => Some(p),
            _ => None,
        })
        .ok_or_else(|| KeyError::Token("the token gave no public key".into()))?;
    let (spki, _) = ec_point_spki(&P256_PARAMS, &point)?;
    Ok((public, private, spki))
}

/// A key pair on the token, alive as long as its session.
pub(crate) struct TokenKey {
    token: Arc<Token>,
    /// The module's generation the session was opened at.
    generation: u64,
    /// There until dropped.
    session: Option<Session>,
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
        let gone = || {
            KeyError::Token(
                "the token went away after this single-use key was made; sign again".into(),
            )
        };
        let live = self.token.live().map_err(|_| gone())?;
        let session = self.session.as_ref().ok_or_else(gone)?;
        if live.generation() != self.generation {
            return Err(gone());
        }
        let raw = session
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
        // Session objects go with the session anyway; destroy them now, explicitly (on a
        // session of the current generation only: an older one is dead already).
        let Some(session) = self.session.take() else {
            return;
        };
        if let Ok(live) = self.token.live()
            && live.generation() == self.generation
        {
            let _ = session.destroy_object(self.private);
            let _ = session.destroy_object(self.public);
        }
        self.token.close(self.generation, session);
    }
}
