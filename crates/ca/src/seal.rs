//! A backup's seal: the SHA-256 of its manifest in a signed note
//! (c2sp.org/signed-note), signed by the audit key. The audit key opens only with the
//! instance's passphrase (or lives on its CA token), so a seal that verifies says that
//! the archive was written by an instance holding that key, and that its manifest, and
//! through the manifest's hashes every file, is as written.

use orgca_keys::Signer;
use orgca_pki::note;

use crate::CaError;
use crate::checkpoint::spki_der;

/// The note's text for a manifest of `origin` (the audit origin).
fn text(origin: &str, manifest: &[u8]) -> String {
    format!(
        "{origin}\nbackup manifest sha256 {}\n",
        hex::encode(crate::sha256(manifest))
    )
}

/// Seals `manifest` (its bytes as archived) with the audit key.
pub fn seal_manifest(key: &dyn Signer, origin: &str, manifest: &[u8]) -> Result<String, CaError> {
    let text = text(origin, manifest);
    let spki = spki_der(key)?;
    let signature = key.sign(text.as_bytes())?;
    let sealed = note::signed(&text, origin, &spki, &signature);
    note::open(&sealed, origin, &spki).map_err(|e| CaError::SelfCheck(e.to_string()))?;
    Ok(sealed)
}

/// Checks a seal against `manifest` and the audit key's public part; answers the key's
/// signed-note ID (hex). `Err` says why it does not hold.
pub fn check_seal(
    seal: &str,
    key: &dyn Signer,
    origin: &str,
    manifest: &[u8],
) -> Result<String, String> {
    let spki = spki_der(key).map_err(|e| e.to_string())?;
    let signed = note::open(seal, origin, &spki).map_err(|e| {
        format!("its signature does not verify with the audit key of {origin} ({e})")
    })?;
    if signed != text(origin, manifest) {
        return Err("it vouches for another manifest".into());
    }
    Ok(hex::encode(note::key_id(&spki)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seal_holds_for_its_manifest_and_key_only() {
        let key = orgca_keys::SoftKey::generate(orgca_keys::KeySpec::P256, false).expect("key");
        let other = orgca_keys::SoftKey::generate(orgca_keys::KeySpec::P256, false).expect("key");
        let origin = "ca.example/orgca-audit";
        let seal = seal_manifest(&key, origin, b"{\"format\": 1}").expect("seal");
        assert!(check_seal(&seal, &key, origin, b"{\"format\": 1}").is_ok());
        assert!(check_seal(&seal, &key, origin, b"{\"format\": 2}").is_err());
        assert!(check_seal(&seal, &other, origin, b"{\"format\": 1}").is_err());
        assert!(check_seal(&seal, &key, "elsewhere/orgca-audit", b"{\"format\": 1}").is_err());
        let forged = seal.replace("sha256 ", "sha256 0");
        assert!(check_seal(&forged, &key, origin, b"{\"format\": 1}").is_err());
    }
}
