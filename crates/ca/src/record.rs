//! Ceremony records: what a ceremony did (which act, who, when, which key, which
//! certificate or CRL, with fingerprints), as readable lines in a signed note
//! (c2sp.org/signed-note, ECDSA P-256), signed by the record key of the ceremony folder
//! (its audit key: on its token, or an encrypted file beside the root's). The serving
//! machine appends each to its audit trail once the signature verifies with the record
//! key it was given.

use orgca_keys::Signer;
use orgca_pki::note;

use crate::CaError;

/// The key name on every ceremony record's signature line.
pub const RECORD_KEY_NAME: &str = "orgca-ceremony";

/// The first line of every ceremony record.
pub const RECORD_TITLE: &str = "orgca ceremony record";

/// A record of `fields` (name, value; a value is kept to one line), signed by `key`.
pub fn sign_record(fields: &[(&str, String)], key: &dyn Signer) -> Result<String, CaError> {
    let mut text = format!("{RECORD_TITLE}\n");
    for (name, value) in fields {
        let value: String = value
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        text.push_str(&format!("{name}: {value}\n"));
    }
    let spki = crate::checkpoint::spki_der(key)?;
    let signature = key.sign(text.as_bytes())?;
    let signed = note::signed(&text, RECORD_KEY_NAME, &spki, &signature);
    note::open(&signed, RECORD_KEY_NAME, &spki).map_err(|e| CaError::SelfCheck(e.to_string()))?;
    Ok(signed)
}

/// The signed-note key ID (hex) of a record key: what operators write down at the root
/// ceremony and compare at every import.
pub fn record_key_id(key: &dyn Signer) -> Result<String, CaError> {
    Ok(hex::encode(note::key_id(&crate::checkpoint::spki_der(
        key,
    )?)))
}

/// The text of the record `signed` once its signature verifies with the record key
/// `spki_der` and it is a ceremony record.
pub fn open_record<'a>(signed: &'a str, spki_der: &[u8]) -> Result<&'a str, CaError> {
    let text = note::open(signed, RECORD_KEY_NAME, spki_der).map_err(|e| {
        CaError::Ceremony(format!(
            "the ceremony record does not verify with the record key given: {e}"
        ))
    })?;
    if !text.starts_with(RECORD_TITLE) {
        return Err(CaError::Ceremony(format!(
            "a signed note, but not a ceremony record (it does not start with {RECORD_TITLE:?})"
        )));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use orgca_keys::{KeySpec, SoftKey};

    #[test]
    fn a_record_opens_with_its_key_only_and_unaltered() {
        let key = SoftKey::generate(KeySpec::P256, false).expect("key");
        let other = SoftKey::generate(KeySpec::P256, false).expect("key");
        let signed = sign_record(&[("act", "root".into()), ("who", "Ane\nHolm".into())], &key)
            .expect("sign");
        let spki = crate::checkpoint::spki_der(&key).expect("spki");
        let text = open_record(&signed, &spki).expect("open");
        assert_eq!(text, "orgca ceremony record\nact: root\nwho: Ane Holm\n");
        let other_spki = crate::checkpoint::spki_der(&other).expect("spki");
        assert!(open_record(&signed, &other_spki).is_err());
        let altered = signed.replace("act: root", "act: sign");
        assert!(open_record(&altered, &spki).is_err());
    }
}
