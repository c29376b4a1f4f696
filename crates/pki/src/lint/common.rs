//! Lints shared by leaf and CA certificates (RFC 5280).

use std::collections::HashSet;

use der::asn1::ObjectIdentifier;
use der::{Decode, Encode, Tag, Tagged};
use x509_cert::TbsCertificate;
use x509_cert::certificate::Version;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, KeyUsage, KeyUsages, SubjectKeyIdentifier,
};
use x509_cert::time::Time;

use super::{LintFailure, ensure, fail};
use crate::name::{StringKind, required_kind};
use crate::sigalg::SignatureAlgorithm;
use crate::{csr, ext, oids};

/// Decodes the TBS that is about to be signed.
pub(crate) fn decode(tbs_der: &[u8]) -> Result<TbsCertificate, LintFailure> {
    TbsCertificate::from_der(tbs_der).map_err(|e| fail("e_tbs_der", e.to_string()))
}

/// v3, no unique identifiers, serial positive and 20 octets, signature as expected.
pub(crate) fn header(tbs: &TbsCertificate, sig: SignatureAlgorithm) -> Result<(), LintFailure> {
    ensure(tbs.version() == Version::V3, "e_version_not_v3", || {
        format!("{:?}", tbs.version())
    })?;
    ensure(
        tbs.issuer_unique_id().is_none() && tbs.subject_unique_id().is_none(),
        "e_unique_identifier_present",
        || "issuer/subject unique identifiers must not be written".into(),
    )?;
    // RFC 5280 §4.1.2.2: positive, at most 20 octets; orgca's policy: 20 random octets.
    let der = tbs
        .serial_number()
        .to_der()
        .map_err(|e| fail("e_serial_number", e.to_string()))?;
    let content = der.get(2..).unwrap_or_default();
    ensure(content.len() == 20, "e_serial_number_not_20_octets", || {
        format!("{} octets", content.len())
    })?;
    ensure(
        content.first().is_some_and(|b| b & 0x80 == 0),
        "e_serial_number_not_positive",
        || "the top bit is set".into(),
    )?;
    let expected = sig.identifier();
    ensure(
        *tbs.signature() == expected,
        "e_signature_algorithm_mismatch",
        || {
            format!(
                "TBS names {}, the CA signs with {}",
                tbs.signature().oid,
                sig.name()
            )
        },
    )
}

/// The issuer is exactly the signing CA's subject, byte for byte.
pub(crate) fn issuer_name(
    tbs: &TbsCertificate,
    want: &x509_cert::name::RdnSequence,
) -> Result<(), LintFailure> {
    let der = |r: der::Result<Vec<u8>>| r.map_err(|e| fail("e_issuer_name", e.to_string()));
    let got = der(tbs.issuer().to_der())?;
    ensure(got == der(want.to_der())?, "e_issuer_name", || {
        "issuer is not the issuing CA's subject".into()
    })
}

/// Both times in the encoding RFC 5280 §4.1.2.5 requires, notBefore before notAfter.
pub(crate) fn validity_encoding(tbs: &TbsCertificate) -> Result<(), LintFailure> {
    let v = tbs.validity();
    for t in [&v.not_before, &v.not_after] {
        let year = crate::time::from_x509_time(t).year();
        let ok = matches!(
            (t, year < 2050),
            (Time::UtcTime(_), true) | (Time::GeneralTime(_), false)
        );
        ensure(ok, "e_validity_time_encoding", || {
            format!("{t} must be UTCTime before 2050, GeneralizedTime after")
        })?;
    }
    ensure(
        v.not_before.to_unix_duration() < v.not_after.to_unix_duration(),
        "e_validity_order",
        || "notBefore is not before notAfter".into(),
    )
}

/// Every RDN single-valued, every value in the profile's string type, bounded length,
/// with no control, invisible or direction-changing character in it.
pub(crate) fn name_encoding(
    name: &x509_cert::name::Name,
    which: &'static str,
) -> Result<(), LintFailure> {
    for rdn in name.iter_rdn() {
        ensure(rdn.len() == 1, "e_multi_valued_rdn", || {
            format!("{which} has a multi-valued RDN")
        })?;
        for atv in rdn.iter() {
            let want = match required_kind(atv.oid) {
                StringKind::Utf8 => Tag::Utf8String,
                StringKind::Printable => Tag::PrintableString,
            };
            ensure(atv.value.tag() == want, "e_subject_string_type", || {
                format!(
                    "{which} attribute {} is {:?}, must be {want:?}",
                    atv.oid,
                    atv.value.tag()
                )
            })?;
            let text = std::str::from_utf8(atv.value.value()).unwrap_or_default();
            let hidden = orgca_model::invisible::first_hidden(text);
            ensure(hidden.is_none(), "e_hidden_character", || {
                let (at, c) = hidden.unwrap_or_default();
                format!(
                    "{which} attribute {} holds {} at character {at}",
                    atv.oid,
                    orgca_model::invisible::describe(c)
                )
            })?;
            let len = std::str::from_utf8(atv.value.value())
                .map(|s| s.chars().count())
                .unwrap_or(usize::MAX);
            ensure((1..=64).contains(&len), "e_attribute_length", || {
                format!(
                    "{which} attribute {} has {len} characters (1..=64 allowed)",
                    atv.oid
                )
            })?;
        }
    }
    Ok(())
}

/// The key passes the same policy as a CSR's key (RSA >= 3072, P-256, P-384).
pub(crate) fn key_allowed(tbs: &TbsCertificate) -> Result<(), LintFailure> {
    let spki = tbs.subject_public_key_info();
    let owned = spki::SubjectPublicKeyInfoOwned {
        algorithm: spki.algorithm.clone(),
        subject_public_key: spki.subject_public_key.clone(),
    };
    csr::check_key(&owned)
        .map(|_| ())
        .map_err(|e| fail("e_subject_key_not_allowed", e.to_string()))
}

/// No extension twice; only the listed ones (an extendedKeyUsage that is not listed
/// gets a lint of its own).
pub(crate) fn extension_set<'a>(
    tbs: &'a TbsCertificate,
    allowed: &[ObjectIdentifier],
) -> Result<&'a [Extension], LintFailure> {
    let exts = tbs.extensions().map(|e| e.as_slice()).unwrap_or_default();
    ensure(
        allowed.contains(&oids::EXT_EKU) || !exts.iter().any(|e| e.extn_id == oids::EXT_EKU),
        "e_extended_key_usage_present",
        || "the profile has no extendedKeyUsage".into(),
    )?;
    let mut seen = HashSet::new();
    for e in exts {
        ensure(seen.insert(e.extn_id), "e_duplicate_extension", || {
            format!("{} appears twice", e.extn_id)
        })?;
        ensure(
            allowed.contains(&e.extn_id),
            "e_unexpected_extension",
            || format!("{} is not part of this profile", e.extn_id),
        )?;
    }
    Ok(exts)
}

/// The extension with this OID, decoded, with its criticality.
pub(crate) fn get<'a, T: Decode<'a>>(
    exts: &'a [Extension],
    oid: ObjectIdentifier,
    lint: &'static str,
) -> Result<Option<(bool, T)>, LintFailure>
where
    <T as Decode<'a>>::Error: std::fmt::Display,
{
    match exts.iter().find(|e| e.extn_id == oid) {
        None => Ok(None),
        Some(e) => T::from_der(e.extn_value.as_bytes())
            .map(|v| Some((e.critical, v)))
            .map_err(|err| fail(lint, format!("{oid} does not decode: {err}"))),
    }
}

/// basicConstraints present, critical, with the expected CA flag and path length.
pub(crate) fn basic_constraints(
    exts: &[Extension],
    ca: bool,
    path_len: Option<u8>,
) -> Result<(), LintFailure> {
    let lint = "e_basic_constraints";
    let (crit, bc) = get::<BasicConstraints>(exts, oids::EXT_BASIC_CONSTRAINTS, lint)?
        .ok_or_else(|| fail(lint, "basicConstraints is missing"))?;
    ensure(crit, lint, || "basicConstraints must be critical".into())?;
    ensure(
        bc.ca == ca && bc.path_len_constraint == path_len,
        lint,
        || {
            format!(
                "CA={} pathLen={:?}, expected CA={ca} pathLen={path_len:?}",
                bc.ca, bc.path_len_constraint
            )
        },
    )
}

/// keyUsage present, critical, exactly these bits.
pub(crate) fn key_usage(
    exts: &[Extension],
    expected: der::flagset::FlagSet<KeyUsages>,
) -> Result<(), LintFailure> {
    let lint = "e_key_usage";
    let (crit, ku) = get::<KeyUsage>(exts, oids::EXT_KEY_USAGE, lint)?
        .ok_or_else(|| fail(lint, "keyUsage is missing"))?;
    ensure(crit, lint, || "keyUsage must be critical".into())?;
    ensure(ku.0 == expected, lint, || {
        format!("{:?}, expected {expected:?}", ku.0)
    })
}

/// subjectKeyIdentifier present, not critical, the SHA-1 of the key.
pub(crate) fn subject_key_id(tbs: &TbsCertificate, exts: &[Extension]) -> Result<(), LintFailure> {
    let lint = "e_subject_key_identifier";
    let (crit, ski) = get::<SubjectKeyIdentifier>(exts, oids::EXT_SKI, lint)?
        .ok_or_else(|| fail(lint, "subjectKeyIdentifier is missing"))?;
    let want = ext::key_identifier(tbs.subject_public_key_info().subject_public_key.raw_bytes());
    ensure(!crit && ski.0.as_bytes() == want, lint, || {
        "must be non-critical and the key's SHA-1".into()
    })
}

/// authorityKeyIdentifier present, not critical, keyIdentifier only, the issuer's SKI.
pub(crate) fn authority_key_id(
    exts: &[Extension],
    issuer_key_id: &[u8],
) -> Result<(), LintFailure> {
    let lint = "e_authority_key_identifier";
    let (crit, aki) = get::<AuthorityKeyIdentifier>(exts, oids::EXT_AKI, lint)?
        .ok_or_else(|| fail(lint, "authorityKeyIdentifier is missing"))?;
    let ok = !crit
        && aki.authority_cert_issuer.is_none()
        && aki.authority_cert_serial_number.is_none()
        && aki.key_identifier.as_ref().map(|k| k.as_bytes()) == Some(issuer_key_id);
    ensure(ok, lint, || {
        "must be non-critical and hold exactly the issuer's key identifier".into()
    })
}
