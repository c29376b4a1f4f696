//! Distinguished names with the string types the OCES3 profile prescribes:
//! UTF8String for text, PrintableString for serialNumber and countryName.

use der::asn1::{Any, ObjectIdentifier, PrintableStringRef, Utf8StringRef};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::name::{RdnSequence, RelativeDistinguishedName};

use crate::{DerError, oids};

/// How an attribute value is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StringKind {
    /// UTF8String.
    Utf8,
    /// PrintableString (serialNumber, countryName).
    Printable,
}

/// The string type the profile requires for an attribute type.
pub fn required_kind(oid: ObjectIdentifier) -> StringKind {
    if oid == oids::SERIAL_NUMBER || oid == oids::COUNTRY {
        StringKind::Printable
    } else {
        StringKind::Utf8
    }
}

/// Builds an RDNSequence of single-valued RDNs, in the given (DER) order, with each
/// value in the string type [`required_kind`] gives.
pub fn build(attrs: &[(ObjectIdentifier, &str)]) -> Result<RdnSequence, DerError> {
    let mut seq = RdnSequence::default();
    for (oid, value) in attrs {
        let value = match required_kind(*oid) {
            StringKind::Utf8 => Any::encode_from(&Utf8StringRef::new(value)?)?,
            StringKind::Printable => Any::encode_from(&PrintableStringRef::new(value)?)?,
        };
        let rdn =
            RelativeDistinguishedName::try_from(vec![AttributeTypeAndValue { oid: *oid, value }])?;
        seq.push(rdn);
    }
    Ok(seq)
}

/// A CA's distinguished name as configured: `C`, `O`, optional `OU`, `CN` (in that DER
/// order, which prints as `CN=..., OU=..., O=..., C=...`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CaName {
    /// commonName.
    pub common_name: String,
    /// organizationName.
    pub organization: String,
    /// organizationalUnitName (the test hierarchy's marker), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organizational_unit: Option<String>,
    /// countryName, two letters.
    pub country: String,
}

impl CaName {
    /// Encodes the name.
    pub fn to_rdn_sequence(&self) -> Result<RdnSequence, DerError> {
        let mut attrs = vec![
            (oids::COUNTRY, self.country.as_str()),
            (oids::ORGANIZATION, self.organization.as_str()),
        ];
        if let Some(ou) = &self.organizational_unit {
            attrs.push((oids::ORGANIZATIONAL_UNIT, ou.as_str()));
        }
        attrs.push((oids::CN, self.common_name.as_str()));
        build(&attrs)
    }
}

/// The first commonName of `name`, if it has one that is a UTF8String or a
/// PrintableString (the encodings orgca writes).
pub fn common_name_of(name: &RdnSequence) -> Option<String> {
    let value = name
        .iter()
        .flat_map(|rdn| rdn.iter())
        .find(|atv| atv.oid == oids::CN)?
        .value
        .clone();
    if let Ok(s) = value.decode_as::<Utf8StringRef<'_>>() {
        return Some(s.as_str().to_owned());
    }
    value
        .decode_as::<PrintableStringRef<'_>>()
        .ok()
        .map(|s| s.as_str().to_owned())
}
