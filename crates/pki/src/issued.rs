//! Reading back a leaf certificate that orgca issued (for `orgca cert import` after a
//! restore): what the store records about it, taken from the certificate itself. The
//! signature is not checked here: the caller checks it against its CAs.

use der::{Decode as _, Encode as _};
use orgca_model::{CertKind, Serial, UnixTime};
use uuid::Uuid;
use x509_cert::Certificate;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{KeyUsage, KeyUsages, SubjectAltName};

use crate::oids;
use crate::sigalg::SignatureAlgorithm;

/// Larger than any certificate orgca issues, many times over.
const MAX_CERTIFICATE: usize = 64 * 1024;

/// What the store records about an issued certificate, read from it.
#[derive(Clone, Debug)]
pub struct IssuedLeaf {
    /// Its serial.
    pub serial: Serial,
    /// The issuer's name, DER.
    pub issuer_name: Vec<u8>,
    /// The algorithm it is signed with.
    pub signature_algorithm: SignatureAlgorithm,
    /// Its kind (from its subject's serialNumber and its key usage).
    pub kind: CertKind,
    /// commonName.
    pub common_name: String,
    /// The subject's persistent UUID.
    pub subject_uuid: Uuid,
    /// The organisation's CVR.
    pub cvr: String,
    /// The e-mail address it shows, if any.
    pub email: Option<String>,
    /// notBefore.
    pub not_before: UnixTime,
    /// notAfter.
    pub not_after: UnixTime,
    /// The signed part, DER.
    pub tbs: Vec<u8>,
    /// The signature.
    pub signature: Vec<u8>,
}

/// Why a certificate is not one orgca could have issued.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct NotIssuedHere(String);

fn refuse(why: impl Into<String>) -> NotIssuedHere {
    NotIssuedHere(why.into())
}

/// Reads a leaf certificate (DER) orgca issued.
pub fn read_issued(der: &[u8]) -> Result<IssuedLeaf, NotIssuedHere> {
    if der.len() > MAX_CERTIFICATE {
        return Err(refuse(format!(
            "it is {} bytes: no certificate orgca issues is that large",
            der.len()
        )));
    }
    let cert = Certificate::from_der(der)
        .map_err(|e| refuse(format!("it is not an X.509 certificate ({e})")))?;
    let tbs = cert.tbs_certificate();
    let signature_algorithm = [
        SignatureAlgorithm::RsaPssSha256,
        SignatureAlgorithm::RsaPkcs1Sha256,
        SignatureAlgorithm::EcdsaSha256,
        SignatureAlgorithm::EcdsaSha384,
    ]
    .into_iter()
    .find(|a| &a.identifier() == cert.signature_algorithm())
    .ok_or_else(|| refuse("it is signed with an algorithm orgca's CAs never use"))?;
    let serial = Serial::from_bytes(tbs.serial_number().as_bytes())
        .map_err(|e| refuse(format!("its serial is not one orgca makes ({e})")))?;
    let mut common_name = None;
    let mut serial_number = None;
    let mut org_id = None;
    for atv in tbs.subject().iter() {
        let text = || {
            der::asn1::Utf8StringRef::try_from(&atv.value)
                .map(|s| s.as_str().to_owned())
                .or_else(|_| {
                    der::asn1::PrintableStringRef::try_from(&atv.value)
                        .map(|s| s.as_str().to_owned())
                })
                .ok()
        };
        match atv.oid {
            o if o == oids::CN => common_name = text(),
            o if o == oids::SERIAL_NUMBER => serial_number = text(),
            o if o == oids::ORGANIZATION_IDENTIFIER => org_id = text(),
            _ => {}
        }
    }
    let common_name = common_name.ok_or_else(|| refuse("its subject has no commonName"))?;
    let serial_number =
        serial_number.ok_or_else(|| refuse("its subject has no serialNumber (UI:DK-...)"))?;
    let (natural_person, uuid) = match serial_number.split_at_checked(10) {
        Some(("UI:DK-E:G:", u)) => (true, u),
        Some(("UI:DK-O:G:", u)) => (false, u),
        _ => {
            return Err(refuse(format!(
                "its subject serialNumber {serial_number:?} is not UI:DK-E:G:<uuid> or UI:DK-O:G:<uuid>"
            )));
        }
    };
    let subject_uuid =
        Uuid::parse_str(uuid).map_err(|_| refuse("its subject serialNumber holds no UUID"))?;
    let cvr = org_id
        .and_then(|o| o.strip_prefix("NTRDK-").map(str::to_owned))
        .ok_or_else(|| refuse("its subject has no organizationIdentifier NTRDK-<CVR>"))?;
    let mut non_repudiation = false;
    let mut email = None;
    for ext in tbs.extensions().into_iter().flatten() {
        if ext.extn_id == oids::EXT_KEY_USAGE {
            let ku = KeyUsage::from_der(ext.extn_value.as_bytes())
                .map_err(|e| refuse(format!("its key usage does not read ({e})")))?;
            non_repudiation = ku.0.contains(KeyUsages::NonRepudiation);
        } else if ext.extn_id == oids::EXT_SAN {
            let san = SubjectAltName::from_der(ext.extn_value.as_bytes())
                .map_err(|e| refuse(format!("its subjectAltName does not read ({e})")))?;
            email = san.0.iter().find_map(|n| match n {
                GeneralName::Rfc822Name(m) => Some(m.as_str().to_owned()),
                _ => None,
            });
        }
    }
    let kind = match (natural_person, non_repudiation) {
        (true, _) => CertKind::Employee,
        (false, true) => CertKind::Organisation,
        (false, false) => CertKind::System,
    };
    let time =
        |t: &x509_cert::time::Time| UnixTime::from_secs(t.to_unix_duration().as_secs() as i64);
    Ok(IssuedLeaf {
        serial,
        issuer_name: tbs
            .issuer()
            .to_der()
            .map_err(|e| refuse(format!("its issuer does not encode ({e})")))?,
        signature_algorithm,
        kind,
        common_name,
        subject_uuid,
        cvr,
        email,
        not_before: time(&tbs.validity().not_before),
        not_after: time(&tbs.validity().not_after),
        tbs: tbs
            .to_der()
            .map_err(|e| refuse(format!("its TBS does not encode ({e})")))?,
        signature: cert.signature().raw_bytes().to_vec(),
    })
}
