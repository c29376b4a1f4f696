//! The signing service: for each document, a fresh key, a single-use certificate from
//! the hierarchy's signing CA, one signature (CAdES baseline B, or PAdES baseline B for
//! a PDF), and the key destroyed (docs/DOMAIN.md, "Seals and the signing service").
//!
//! This crate must never keep a signing key after its one signature, never store a
//! certificate or a document, and never decide who may sign (the `ra` crate does, and
//! audits each signature).

pub mod pdf;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use orgca_ca::{CaError, SigningCa, SingleUseCertificate};
use orgca_keys::{KeyError, OneShotKeys};
use orgca_model::Environment;
use orgca_pki::cms::{SignedAttributes, sha256};
use orgca_pki::single_use::SingleUseSubject;
use time::{Duration, OffsetDateTime};

/// What comes out: a detached CMS, or the PDF with its signature inside.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// CAdES baseline B, detached (`.p7s`, DER), for any file.
    Cades,
    /// PAdES baseline B, for a PDF.
    Pades,
}

impl Format {
    /// `cades` or `pades`, as the API and the audit trail name it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Cades => "cades",
            Format::Pades => "pades",
        }
    }

    /// The format of a name given by a client.
    pub fn parse(name: &str) -> Option<Format> {
        match name {
            "cades" => Some(Format::Cades),
            "pades" => Some(Format::Pades),
            _ => None,
        }
    }

    /// The media type of the signed output.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Cades => "application/pkcs7-signature",
            Format::Pades => "application/pdf",
        }
    }
}

/// A place among the signatures being made; freed when dropped.
#[derive(Debug)]
pub struct Slot {
    busy: Arc<std::sync::atomic::AtomicUsize>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.busy.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Why a signature was not made. Each leaves no key behind.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// The document is empty.
    #[error("the document is empty")]
    Empty,
    /// The document is larger than allowed.
    #[error("the document has {size} bytes; at most {max} may be signed")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// Not a PDF, or one that cannot be read or updated.
    #[error("{0}")]
    BadPdf(String),
    /// An encrypted PDF: a signature would cover what orgca cannot read.
    #[error("the PDF is encrypted; remove its password protection, then sign it")]
    EncryptedPdf,
    /// No signing CA in the hierarchy.
    #[error("the {0} hierarchy has no signing CA; run `orgca ca add-signing`")]
    NoSigningCa(Environment),
    /// The CA refused or failed.
    #[error(transparent)]
    Ca(#[from] CaError),
    /// The key failed.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// As many signatures are being made as the service allows at once: try again.
    #[error("the signing service is busy; try again in a moment")]
    Busy,
    /// An encoding failed, or a self-check (a bug).
    #[error("signing failed: {0}")]
    Internal(String),
}

impl From<orgca_pki::DerError> for SignError {
    fn from(e: orgca_pki::DerError) -> Self {
        SignError::Internal(e.to_string())
    }
}

/// Where the time went, for metrics and the benchmark.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timings {
    /// Generating the key.
    pub key: StdDuration,
    /// Building, linting and signing the certificate.
    pub certificate: StdDuration,
    /// Preparing the document, hashing it and signing (CMS and PDF).
    pub document: StdDuration,
}

/// A signed document with what the audit trail needs.
#[derive(Debug)]
pub struct Signed {
    /// The PDF with its signature, or the detached CMS (DER).
    pub document: Vec<u8>,
    /// The single-use certificate (not stored anywhere).
    pub certificate: SingleUseCertificate,
    /// The signing CA's name.
    pub ca: String,
    /// SHA-256 of the signed output (the PDF or the CMS).
    pub signed_sha256: [u8; 32],
    /// SHA-256 of the document as given.
    pub document_sha256: [u8; 32],
    /// Where the time went.
    pub timings: Timings,
}

/// One signature to make.
#[derive(Debug)]
pub struct SignRequest<'a> {
    /// The document as given.
    pub document: &'a [u8],
    /// CAdES or PAdES.
    pub format: Format,
    /// Who signs (person or seal), from orgca's data.
    pub subject: &'a SingleUseSubject,
    /// The organisation's hierarchy.
    pub environment: Environment,
    /// The PDF signature field's name (unique per signature).
    pub field_name: &'a str,
}

/// The signing service: the signing CAs, the key store and the limits.
pub struct SigningService {
    cas: HashMap<Environment, Arc<SigningCa>>,
    keys: OneShotKeys,
    lifetime: Duration,
    max_document: usize,
    busy: Arc<std::sync::atomic::AtomicUsize>,
    max_busy: usize,
}

impl SigningService {
    /// A service over these CAs; certificates live `lifetime`; documents up to
    /// `max_document` bytes.
    pub fn new(
        cas: Vec<SigningCa>,
        keys: OneShotKeys,
        lifetime: Duration,
        max_document: usize,
    ) -> SigningService {
        SigningService {
            cas: cas
                .into_iter()
                .map(|c| (c.environment, Arc::new(c)))
                .collect(),
            keys,
            lifetime,
            max_document,
            busy: Arc::default(),
            // Two per core: each holds its document a few times over in memory.
            max_busy: 2 * std::thread::available_parallelism().map_or(2, usize::from),
        }
    }

    /// A place to make one signature, or [`SignError::Busy`] when all are taken: the
    /// memory documents take stays bounded however many requests arrive.
    pub fn begin(&self) -> Result<Slot, SignError> {
        use std::sync::atomic::Ordering;
        let taken = self.busy.fetch_add(1, Ordering::SeqCst);
        let slot = Slot {
            busy: self.busy.clone(),
        };
        if taken >= self.max_busy {
            return Err(SignError::Busy);
        }
        Ok(slot)
    }

    /// Each signing CA whose key cannot sign now, with why. Blocking: a key on a token
    /// asks the token.
    pub fn unusable_keys(&self) -> Vec<(String, orgca_keys::KeyError)> {
        let mut unusable: Vec<_> = self
            .cas
            .values()
            .filter_map(|c| c.check_key().err().map(|e| (c.name.clone(), e)))
            .collect();
        unusable.sort_by(|a, b| a.0.cmp(&b.0));
        unusable
    }

    /// The key store (its count of live keys).
    pub fn keys(&self) -> &OneShotKeys {
        &self.keys
    }

    /// The largest document accepted, in bytes.
    pub fn max_document(&self) -> usize {
        self.max_document
    }

    /// Checks a document before anything else is done.
    pub fn check_size(&self, document: &[u8]) -> Result<(), SignError> {
        if document.is_empty() {
            return Err(SignError::Empty);
        }
        if document.len() > self.max_document {
            return Err(SignError::TooLarge {
                size: document.len(),
                max: self.max_document,
            });
        }
        Ok(())
    }

    /// Signs one document (CPU work: call it off the async runtime's threads). The PDF
    /// is checked before a key exists; the key signs once and is gone when this returns,
    /// whatever the outcome.
    pub fn sign(&self, req: &SignRequest<'_>, now: OffsetDateTime) -> Result<Signed, SignError> {
        self.check_size(req.document)?;
        let ca = self
            .cas
            .get(&req.environment)
            .ok_or(SignError::NoSigningCa(req.environment))?;
        let document_sha256 = sha256(&[req.document]);
        let started = Instant::now();
        let prepared = match req.format {
            Format::Pades => Some(pdf::prepare(req.document, req.field_name, now)?),
            Format::Cades => None,
        };
        let prepare_time = started.elapsed();

        let t = Instant::now();
        let key = self.keys.generate()?;
        let key_time = t.elapsed();

        let t = Instant::now();
        let certificate = ca.certify(req.subject, key.public_key(), now, self.lifetime)?;
        let certificate_time = t.elapsed();

        let t = Instant::now();
        let (digest, signing_time) = match &prepared {
            Some(p) => (sha256(&p.covered()), None),
            None => (document_sha256, Some(now)),
        };
        let attrs =
            SignedAttributes::new(&digest, &certificate.der, &[&ca.cert_der], signing_time)?;
        let to_sign = attrs.to_be_signed()?;
        let algorithm = key.algorithm();
        let spki = key.public_key().clone();
        let signature = key.sign_once(&to_sign)?;
        orgca_ca::verify(algorithm, &spki, &to_sign, &signature)?;
        let cms = attrs.into_signed_data(algorithm, &signature)?;
        let document = match prepared {
            Some(p) => p.finish(&cms)?,
            None => cms,
        };
        Ok(Signed {
            signed_sha256: sha256(&[&document]),
            document,
            certificate,
            ca: ca.name.clone(),
            document_sha256,
            timings: Timings {
                key: key_time,
                certificate: certificate_time,
                document: prepare_time + t.elapsed(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two signatures per core are made at once; one more is refused as busy (the API's
    /// 503) until a place is given back.
    #[test]
    fn more_signatures_at_once_than_places_are_refused_as_busy() {
        let service = SigningService::new(
            Vec::new(),
            OneShotKeys::in_memory(),
            Duration::seconds(60),
            1024,
        );
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        let mut held: Vec<Slot> = (0..2 * cores)
            .map(|i| service.begin().unwrap_or_else(|e| panic!("place {i}: {e}")))
            .collect();
        assert!(matches!(service.begin(), Err(SignError::Busy)));
        assert!(
            matches!(service.begin(), Err(SignError::Busy)),
            "a refusal holds no place"
        );
        held.pop();
        let again = service.begin();
        assert!(again.is_ok(), "a place given back is free again");
        assert!(
            matches!(service.begin(), Err(SignError::Busy)),
            "and only that one"
        );
    }
}
