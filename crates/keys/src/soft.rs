//! Software keys held by aws-lc-rs.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    self, ECDSA_P256_SHA256_ASN1_SIGNING, ECDSA_P384_SHA384_ASN1_SIGNING, EcdsaKeyPair, KeyPair,
    RsaKeyPair,
};
use der::Decode;
use orgca_pki::SignatureAlgorithm;
use spki::SubjectPublicKeyInfoOwned;

use crate::{KeyError, Signer};

/// The key types orgca generates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeySpec {
    /// RSA 3072 bits (issuing CAs).
    Rsa3072,
    /// RSA 4096 bits (roots).
    Rsa4096,
    /// ECDSA P-256.
    P256,
    /// ECDSA P-384.
    P384,
}

enum Inner {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
}

/// A private key in memory, with the algorithm it signs with.
pub struct SoftKey {
    inner: Inner,
    spki: SubjectPublicKeyInfoOwned,
    algorithm: SignatureAlgorithm,
    rng: SystemRandom,
}

impl std::fmt::Debug for SoftKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        f.debug_struct("SoftKey")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

fn spki_of(der: &[u8]) -> Result<SubjectPublicKeyInfoOwned, KeyError> {
    SubjectPublicKeyInfoOwned::from_der(der).map_err(|_| KeyError::Crypto)
}

impl SoftKey {
    /// Generates a fresh key. `rsa_pss` chooses RSASSA-PSS (else PKCS#1 v1.5) for RSA keys.
    pub fn generate(spec: KeySpec, rsa_pss: bool) -> Result<Self, KeyError> {
        let inner = match spec {
            KeySpec::Rsa3072 => {
                Inner::Rsa(RsaKeyPair::generate(KeySize::Rsa3072).map_err(|_| KeyError::Crypto)?)
            }
            KeySpec::Rsa4096 => {
                Inner::Rsa(RsaKeyPair::generate(KeySize::Rsa4096).map_err(|_| KeyError::Crypto)?)
            }
            KeySpec::P256 => Inner::Ec(
                EcdsaKeyPair::generate(&ECDSA_P256_SHA256_ASN1_SIGNING)
                    .map_err(|_| KeyError::Crypto)?,
            ),
            KeySpec::P384 => Inner::Ec(
                EcdsaKeyPair::generate(&ECDSA_P384_SHA384_ASN1_SIGNING)
                    .map_err(|_| KeyError::Crypto)?,
            ),
        };
        Self::from_inner(inner, rsa_pss)
    }

    fn from_inner(inner: Inner, rsa_pss: bool) -> Result<Self, KeyError> {
        let (spki, algorithm) = match &inner {
            Inner::Rsa(k) => {
                let der = k.public_key().as_der().map_err(|_| KeyError::Crypto)?;
                let alg = if rsa_pss {
                    SignatureAlgorithm::RsaPssSha256
                } else {
                    SignatureAlgorithm::RsaPkcs1Sha256
                };
                (spki_of(der.as_ref())?, alg)
            }
            Inner::Ec(k) => {
                let der = k.public_key().as_der().map_err(|_| KeyError::Crypto)?;
                let alg = if k.algorithm() == &ECDSA_P384_SHA384_ASN1_SIGNING {
                    SignatureAlgorithm::EcdsaSha384
                } else {
                    SignatureAlgorithm::EcdsaSha256
                };
                (spki_of(der.as_ref())?, alg)
            }
        };
        Ok(SoftKey {
            inner,
            spki,
            algorithm,
            rng: SystemRandom::new(),
        })
    }

    /// Loads an unencrypted PKCS#8 DER (the plaintext inside an encrypted key file).
    pub fn from_pkcs8(der: &[u8], rsa_pss: bool) -> Option<Self> {
        let inner = if let Ok(k) = RsaKeyPair::from_pkcs8(der) {
            Inner::Rsa(k)
        } else if let Ok(k) = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, der) {
            Inner::Ec(k)
        } else {
            Inner::Ec(EcdsaKeyPair::from_pkcs8(&ECDSA_P384_SHA384_ASN1_SIGNING, der).ok()?)
        };
        Self::from_inner(inner, rsa_pss).ok()
    }

    /// The PKCS#8 DER of the private key (to be encrypted before it leaves memory).
    pub(crate) fn to_pkcs8(&self) -> Result<Vec<u8>, KeyError> {
        match &self.inner {
            Inner::Rsa(k) => Ok(k.as_der().map_err(|_| KeyError::Crypto)?.as_ref().to_vec()),
            Inner::Ec(k) => Ok(k
                .to_pkcs8v1()
                .map_err(|_| KeyError::Crypto)?
                .as_ref()
                .to_vec()),
        }
    }
}

impl Signer for SoftKey {
    fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    fn public_key(&self) -> &SubjectPublicKeyInfoOwned {
        &self.spki
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        match &self.inner {
            Inner::Rsa(k) => {
                let padding: &'static dyn signature::RsaEncoding = match self.algorithm {
                    SignatureAlgorithm::RsaPssSha256 => &signature::RSA_PSS_SHA256,
                    _ => &signature::RSA_PKCS1_SHA256,
                };
                let mut sig = vec![0u8; k.public_modulus_len()];
                k.sign(padding, &self.rng, message, &mut sig)
                    .map_err(|_| KeyError::Crypto)?;
                Ok(sig)
            }
            Inner::Ec(k) => Ok(k
                .sign(&self.rng, message)
                .map_err(|_| KeyError::Crypto)?
                .as_ref()
                .to_vec()),
        }
    }
}

/// A key made for a PKCS#12 delivery: its PKCS#8 (wiped from memory when dropped) and
/// its public key. It is never stored.
pub struct DeliveryKey {
    /// PKCS#8 DER of the private key: never leaves this crate but inside the PKCS#12.
    pkcs8: zeroize::Zeroizing<Vec<u8>>,
    /// The public key to certify.
    spki: SubjectPublicKeyInfoOwned,
}

impl DeliveryKey {
    /// A fresh RSA-3072 key (the profile's leaf key size).
    pub fn generate() -> Result<DeliveryKey, KeyError> {
        let key = SoftKey::generate(KeySpec::Rsa3072, true)?;
        Ok(DeliveryKey {
            pkcs8: zeroize::Zeroizing::new(key.to_pkcs8()?),
            spki: key.spki.clone(),
        })
    }

    /// The public key to certify.
    pub fn spki(&self) -> &SubjectPublicKeyInfoOwned {
        &self.spki
    }

    /// Packs the key with its certificate chain (DER, leaf first) into a PKCS#12 that
    /// `password` opens, named `friendly_name`; the key is wiped from memory when this
    /// returns.
    pub fn into_pkcs12(
        self,
        chain: &[&[u8]],
        friendly_name: &str,
        password: &str,
    ) -> Result<Vec<u8>, orgca_pki::pkcs12::Pkcs12Error> {
        orgca_pki::pkcs12::build(&self.pkcs8, chain, friendly_name, password)
    }
}

impl std::fmt::Debug for DeliveryKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeliveryKey").finish_non_exhaustive()
    }
}
