//! Key files: encrypted PKCS#8 PEM, written once with owner-only permissions.

use std::io::Write;
use std::path::Path;

use der::pem::LineEnding;
use pkcs8::{EncryptedPrivateKeyInfoRef, PrivateKeyInfoRef};

use crate::{KeyError, SoftKey};

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> KeyError + '_ {
    move |source| KeyError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Writes `key` to `path` as an encrypted PKCS#8 PEM (scrypt + AES-256-CBC). Refuses to
/// overwrite an existing file; the file is readable by its owner only.
pub fn save_key(key: &SoftKey, path: &Path, passphrase: &[u8]) -> Result<(), KeyError> {
    let plain = key.to_pkcs8()?;
    let info = PrivateKeyInfoRef::try_from(plain.as_slice())
        .map_err(|e| KeyError::Encoding(e.to_string()))?;
    let enc = info
        .encrypt(passphrase)
        .map_err(|e| KeyError::Encoding(e.to_string()))?;
    let pem = enc
        .to_pem("ENCRYPTED PRIVATE KEY", LineEnding::LF)
        .map_err(|e| KeyError::Encoding(e.to_string()))?;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            KeyError::Exists(path.display().to_string())
        } else {
            io(path)(e)
        }
    })?;
    f.write_all(pem.as_bytes()).map_err(io(path))?;
    f.sync_all().map_err(io(path))
}

/// Reads and decrypts a key written by [`save_key`].
pub fn load_key(path: &Path, passphrase: &[u8], rsa_pss: bool) -> Result<SoftKey, KeyError> {
    let pem = std::fs::read_to_string(path).map_err(io(path))?;
    let name = || path.display().to_string();
    let (label, der) =
        der::pem::decode_vec(pem.as_bytes()).map_err(|_| KeyError::Decrypt { path: name() })?;
    if label != "ENCRYPTED PRIVATE KEY" {
        return Err(KeyError::Decrypt { path: name() });
    }
    let enc = EncryptedPrivateKeyInfoRef::try_from(der.as_slice())
        .map_err(|_| KeyError::Decrypt { path: name() })?;
    let plain = enc
        .decrypt(passphrase)
        .map_err(|_| KeyError::Decrypt { path: name() })?;
    SoftKey::from_pkcs8(plain.as_bytes(), rsa_pss).ok_or(KeyError::Unusable { path: name() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{KeySpec, Signer};

    #[test]
    fn round_trip_and_wrong_passphrase() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("k.pem");
        let key = SoftKey::generate(KeySpec::P256, true).expect("generate");
        save_key(&key, &path, b"correct horse").expect("save");
        assert!(matches!(
            save_key(&key, &path, b"x"),
            Err(KeyError::Exists(_))
        ));
        let back = load_key(&path, b"correct horse", true).expect("load");
        assert_eq!(back.public_key(), key.public_key());
        assert!(matches!(
            load_key(&path, b"wrong", true),
            Err(KeyError::Decrypt { .. })
        ));
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    }
}
