//! Mail bodies at rest. A queued message may carry a one-time link (a password link, an
//! address validation), and a database keeps old versions of a row after it changes
//! (SQLite's WAL frames, PostgreSQL's dead tuples, WAL archives and backups), so a body
//! is sealed before it is written and opened only to be sent.
//!
//! The key is derived with argon2id from the CA key passphrase and a random salt made by
//! the migration that added sealing, so that a copy of the database alone (a backup, a
//! dump, a database administrator's view) reads no link, and so that a database cannot be
//! used to guess the passphrase faster than the key files can. AES-256-GCM with a random
//! nonce per body; the message's id, recipient and subject are authenticated with it, so
//! that a body cannot be moved to another message.
//!
//! This module never logs a body or the key, and never writes a body unsealed.

use argon2::Argon2;
use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use base64ct::{Base64, Encoding};

use crate::StoreError;

/// What a sealed body starts with. A body without it was queued by an orgca from before
/// sealing and is read as it is.
const SEALED: &str = "sealed1:";

/// The key that seals and opens mail bodies.
pub struct MailKey(LessSafeKey);

impl std::fmt::Debug for MailKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MailKey(..)")
    }
}

impl MailKey {
    /// Derives the key from the passphrase and the database's salt (about 20 MB and a few
    /// tens of milliseconds: run it off the async threads).
    pub(crate) fn derive(passphrase: &[u8], salt: &str) -> Result<MailKey, StoreError> {
        let mut raw = zeroize::Zeroizing::new([0u8; 32]);
        Argon2::default()
            .hash_password_into(passphrase, salt.as_bytes(), raw.as_mut())
            .map_err(|e| StoreError::MailSeal(format!("deriving the mail key: {e}")))?;
        let key = UnboundKey::new(&AES_256_GCM, raw.as_ref())
            .map_err(|_| StoreError::MailSeal("making the mail key".into()))?;
        Ok(MailKey(LessSafeKey::new(key)))
    }

    /// Seals `body` for the message described by `context`.
    pub(crate) fn seal(&self, body: &str, context: &[u8]) -> Result<String, StoreError> {
        let mut nonce = [0u8; NONCE_LEN];
        aws_lc_rs::rand::fill(&mut nonce)
            .map_err(|_| StoreError::MailSeal("no randomness for a nonce".into()))?;
        let mut sealed = body.as_bytes().to_vec();
        self.0
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context),
                &mut sealed,
            )
            .map_err(|_| StoreError::MailSeal("sealing a mail body".into()))?;
        let mut all = nonce.to_vec();
        all.extend_from_slice(&sealed);
        Ok(format!("{SEALED}{}", Base64::encode_string(&all)))
    }

    /// Opens a stored body of the message described by `context`.
    pub(crate) fn open(&self, stored: &str, context: &[u8]) -> Result<String, StoreError> {
        let Some(encoded) = stored.strip_prefix(SEALED) else {
            return Ok(stored.to_owned());
        };
        let refused = || {
            StoreError::MailSeal(
                "a queued mail body does not open with this passphrase's key (was the CA key \
                 passphrase changed, or the row edited?)"
                    .into(),
            )
        };
        let mut all = Base64::decode_vec(encoded).map_err(|_| refused())?;
        if all.len() < NONCE_LEN {
            return Err(refused());
        }
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&all[..NONCE_LEN]);
        let body = self
            .0
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context),
                &mut all[NONCE_LEN..],
            )
            .map_err(|_| refused())?;
        String::from_utf8(body.to_vec()).map_err(|_| refused())
    }
}

/// What a body is bound to: its message's id, recipient and subject.
pub(crate) fn context(id: &str, recipient: &str, subject: &str) -> Vec<u8> {
    [id, recipient, subject].join("\0").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_opens_only_with_its_key_and_its_message() {
        let key = MailKey::derive(b"passphrase", "0123456789abcdef").expect("key");
        let here = context("id-1", "a@b.dk", "Set your password");
        let sealed = key
            .seal("link: https://x/portal/password/SECRET", &here)
            .expect("seal");
        assert!(
            sealed.starts_with(SEALED) && !sealed.contains("SECRET"),
            "{sealed}"
        );
        assert_eq!(
            key.open(&sealed, &here).expect("open"),
            "link: https://x/portal/password/SECRET"
        );
        // Another message, another passphrase, another salt, a changed byte: refused.
        let elsewhere = context("id-2", "a@b.dk", "Set your password");
        assert!(matches!(
            key.open(&sealed, &elsewhere),
            Err(StoreError::MailSeal(_))
        ));
        let other = MailKey::derive(b"another", "0123456789abcdef").expect("key");
        assert!(other.open(&sealed, &here).is_err());
        let salted = MailKey::derive(b"passphrase", "fedcba9876543210").expect("key");
        assert!(salted.open(&sealed, &here).is_err());
        let mut bytes = sealed.clone().into_bytes();
        let last = bytes.len() - 3;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).expect("ascii");
        assert!(key.open(&tampered, &here).is_err());
        assert!(key.open("sealed1:!!", &here).is_err());
        // A body queued before sealing reads as it is.
        assert_eq!(
            key.open("plain old body", &here).expect("legacy"),
            "plain old body"
        );
    }
}
