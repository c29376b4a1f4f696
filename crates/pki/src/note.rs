//! Signed notes (c2sp.org/signed-note) that carry checkpoints (c2sp.org/tlog-checkpoint):
//! a text ending in a newline, a blank line, then signature lines
//! `— <key name> base64(key ID || signature)`. orgca signs with ECDSA P-256 over SHA-256
//! (signature type 0x02; the key ID is the first four bytes of SHA-256 over the key's
//! SubjectPublicKeyInfo DER), so that the same key can live in a file or on a PKCS#11
//! token. This module never holds a private key: the caller signs the text.

use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1, UnparsedPublicKey};
use base64ct::{Base64, Encoding};
use der::Decode;
use sha2::{Digest, Sha256};
use spki::SubjectPublicKeyInfoRef;

/// The largest note read (a checkpoint with a few signatures is a few hundred bytes).
pub const MAX_NOTE: usize = 16 * 1024;

/// Why a note or checkpoint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// Not the shape the specifications give.
    #[error("not a signed note: {0}")]
    Malformed(&'static str),
    /// No signature line of the expected key.
    #[error("the note has no signature by {0}")]
    Unsigned(String),
    /// The expected key's signature does not verify over the text.
    #[error("the signature by {0} does not verify: the note was altered or forged")]
    BadSignature(String),
    /// The public key is not an ECDSA P-256 key.
    #[error("the verifying key is not an ECDSA P-256 SubjectPublicKeyInfo")]
    Key,
}

/// A checkpoint: the log (or chain) it is of, its size, its root (or head) hash, and
/// extension lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// Names the log; the first line.
    pub origin: String,
    /// How many entries it covers.
    pub size: u64,
    /// The hash over them.
    pub hash: [u8; 32],
    /// Further lines, each without its newline.
    pub extensions: Vec<String>,
}

impl Checkpoint {
    /// The note text: origin, size, base64 hash and the extensions, each on its line.
    pub fn text(&self) -> String {
        let mut t = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            Base64::encode_string(&self.hash)
        );
        for e in &self.extensions {
            t.push_str(e);
            t.push('\n');
        }
        t
    }

    /// Reads a note text (see [`Checkpoint::text`]).
    pub fn parse(text: &str) -> Result<Checkpoint, NoteError> {
        let body = text
            .strip_suffix('\n')
            .ok_or(NoteError::Malformed("the text does not end in a newline"))?;
        let mut lines = body.split('\n');
        let origin = lines
            .next()
            .filter(|o| !o.is_empty())
            .ok_or(NoteError::Malformed("no origin line"))?;
        let size = lines
            .next()
            .filter(|s| !s.is_empty() && (s == &"0" || !s.starts_with('0')))
            .and_then(|s| s.parse::<u64>().ok())
            .ok_or(NoteError::Malformed(
                "the size line is not a decimal number",
            ))?;
        let hash: [u8; 32] = lines
            .next()
            .and_then(|h| Base64::decode_vec(h).ok())
            .and_then(|h| h.try_into().ok())
            .ok_or(NoteError::Malformed(
                "the hash line is not 32 bytes of base64",
            ))?;
        let extensions: Vec<String> = lines.map(str::to_owned).collect();
        if extensions.iter().any(String::is_empty) {
            return Err(NoteError::Malformed("an empty extension line"));
        }
        Ok(Checkpoint {
            origin: origin.to_owned(),
            size,
            hash,
            extensions,
        })
    }
}

/// The signed-note key ID of an ECDSA key (type 0x02): SHA-256 of its SPKI DER, first
/// four bytes.
pub fn key_id(spki_der: &[u8]) -> [u8; 4] {
    let d = Sha256::digest(spki_der);
    [d[0], d[1], d[2], d[3]]
}

/// `text` with the signature line of `key_name`: `signature_der` is the key's ECDSA
/// P-256 SHA-256 signature (DER) over `text`.
pub fn signed(text: &str, key_name: &str, spki_der: &[u8], signature_der: &[u8]) -> String {
    let mut blob = key_id(spki_der).to_vec();
    blob.extend_from_slice(signature_der);
    format!(
        "{text}\n\u{2014} {key_name} {}\n",
        Base64::encode_string(&blob)
    )
}

/// The text of `note` once the signature of `key_name` with the key `spki_der` verifies
/// over it. Signatures of other keys are ignored, as the specification says.
pub fn open<'a>(note: &'a str, key_name: &str, spki_der: &[u8]) -> Result<&'a str, NoteError> {
    if note.len() > MAX_NOTE {
        return Err(NoteError::Malformed("longer than 16 KiB"));
    }
    if note.chars().any(|c| c.is_ascii_control() && c != '\n') {
        return Err(NoteError::Malformed(
            "a control character other than newline",
        ));
    }
    // The text may hold blank lines of its own: the last one starts the signatures.
    let split = note
        .rfind("\n\n")
        .ok_or(NoteError::Malformed("no blank line before the signatures"))?;
    let (text, signatures) = (&note[..=split], &note[split + 2..]);
    let spki = SubjectPublicKeyInfoRef::from_der(spki_der).map_err(|_| NoteError::Key)?;
    let point = spki.subject_public_key.raw_bytes();
    let id = key_id(spki_der);
    let prefix = format!("\u{2014} {key_name} ");
    let mut found = false;
    for line in signatures.lines() {
        let Some(b64) = line.strip_prefix(&prefix) else {
            continue;
        };
        let Ok(blob) = Base64::decode_vec(b64) else {
            continue;
        };
        if blob.len() < 5 || blob[..4] != id {
            continue;
        }
        found = true;
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, point)
            .verify(text.as_bytes(), &blob[4..])
            .map_err(|_| NoteError::BadSignature(key_name.to_owned()))?;
    }
    if found {
        Ok(text)
    } else {
        Err(NoteError::Unsigned(key_name.to_owned()))
    }
}
