//! An offline root: its key lives only where ceremonies run (a token, or an encrypted
//! file in a ceremony folder), never on a machine that serves. In ceremonies, with no
//! server and no network, the root is made ([`make_root`]), certifies the issuing and
//! signing CAs from their requests ([`certify`]) and signs its own CRL ([`root_crl`]).
//! On the serving machine a CA the root is to certify gets its key and request
//! ([`request`]), and the certificate that comes back is checked before it is kept
//! ([`accept`]).
//!
//! Nothing here decides who may run a ceremony; every certificate is linted before it is
//! signed, and every input is checked before anything is made.

use std::sync::Arc;

use der::asn1::BitString;
use der::{Decode, Encode};
use orgca_keys::{KeySpec, Signer};
use orgca_pki::lint::CaExpectations;
use orgca_pki::name::CaName;
use orgca_pki::single_use::SigningPolicies;
use orgca_store::{CaCertificate, CaRole, NewCaCertificate};
use time::OffsetDateTime;
use x509_cert::Certificate;
use x509_cert::request::{CertReq, CertReqInfo};

use crate::ceremony::{
    HierarchySpec, Root, issuing_policies, record, root_certificate, subordinate,
};
use crate::keys::KeyHome;
use crate::{CaError, Settings};

/// The `key_ref` of a CA whose key is not on this machine (an offline root).
pub const OFFLINE_KEY: &str = "offline";

/// Ceremony: a new root for `spec`, its key made where `home` says. Answers its record.
pub fn make_root(
    spec: &HierarchySpec,
    home: KeyHome<'_>,
    now: OffsetDateTime,
) -> Result<NewCaCertificate, CaError> {
    let id = spec.root_id();
    let key = home.generate(&id, KeySpec::Rsa4096)?;
    let kept = [(&id, &key)];
    let made = root_certificate(spec, key.signer(), now)
        .and_then(|(profile, der, ski)| home.keep(&kept).map(|()| (profile, der, ski)));
    match made {
        Ok((profile, der, ski)) => Ok(record(
            spec.environment,
            home,
            id.clone(),
            CaRole::Root,
            None,
            (&profile, der, ski),
        )),
        Err(e) => {
            home.discard(&kept);
            Err(e)
        }
    }
}

/// The policies a CA in `role` under a root carries.
fn policies_for(
    role: CaRole,
    settings: &Settings,
    signing: &SigningPolicies,
) -> Result<Vec<der::asn1::ObjectIdentifier>, CaError> {
    match role {
        CaRole::Issuing => Ok(issuing_policies(settings)),
        CaRole::Signing => Ok(signing.all()),
        CaRole::Root => Err(CaError::Ceremony(
            "a root is not certified by another root here".into(),
        )),
    }
}

/// Ceremony: the root (`root_der`, `root_key`) certifies the CA that the request
/// `csr` (PEM or DER) asks for, in `role`: the request's subject and key, the hierarchy's
/// policies for that role, pathLen 0. Answers the certificate's DER.
pub fn certify(
    spec: &HierarchySpec,
    settings: &Settings,
    signing: &SigningPolicies,
    (root_der, root_key): (&[u8], &dyn Signer),
    csr: &[u8],
    role: CaRole,
    now: OffsetDateTime,
) -> Result<Vec<u8>, CaError> {
    let verified = orgca_pki::csr::parse_and_verify(csr)
        .map_err(|e| CaError::Ceremony(format!("the request does not do: {e}")))?;
    let policies = policies_for(role, settings, signing)?;
    let root = Root::of(spec, root_der, root_key)?;
    let (_, der, _) = subordinate(
        &root,
        verified.subject.into(),
        &verified.spki,
        policies,
        settings,
        now,
    )?;
    Ok(der)
}

/// On the serving machine: the certificate of an offline root (`der`), checked (a CA,
/// self-signed, linted as a root) and made into the record of the root `id` of `env`,
/// whose key is [`OFFLINE_KEY`].
pub fn adopt_root(
    id: &str,
    env: orgca_model::Environment,
    der: &[u8],
) -> Result<NewCaCertificate, CaError> {
    let refuse = |why: &str| CaError::Ceremony(format!("the offline root's certificate {why}"));
    let cert = Certificate::from_der(der).map_err(|_| refuse("is not a DER certificate"))?;
    let tbs = cert.tbs_certificate();
    let tbs_der = tbs.to_der().map_err(orgca_pki::DerError::from)?;
    let alg = signed_by(
        &tbs_der,
        cert.signature_algorithm(),
        cert.signature(),
        tbs.subject_public_key_info(),
    )
    .map_err(|why| refuse(&format!("{why} with its own key (it must be self-signed)")))?;
    let ski = orgca_pki::ext::key_identifier(
        tbs.subject_public_key_info().subject_public_key.raw_bytes(),
    );
    orgca_pki::lint_ca_tbs(
        &tbs_der,
        &CaExpectations {
            path_len: None,
            issuer_key_id: &ski,
            signature: alg,
            policies: &[],
        },
    )?;
    record_of(tbs, der, (id, env, CaRole::Root, None, OFFLINE_KEY))
}

/// The record of a CA certificate read back (`tbs` of `der`).
fn record_of(
    tbs: &x509_cert::TbsCertificate,
    der: &[u8],
    (id, env, role, parent, key_ref): (&str, orgca_model::Environment, CaRole, Option<&str>, &str),
) -> Result<NewCaCertificate, CaError> {
    let serial = orgca_model::Serial::from_bytes(tbs.serial_number().as_bytes()).map_err(|_| {
        CaError::Ceremony(format!(
            "the certificate of {id} has a serial orgca did not draw"
        ))
    })?;
    let time = |t: &x509_cert::time::Time| orgca_pki::time::from_x509_time(t).into();
    Ok(NewCaCertificate {
        name: id.to_owned(),
        environment: env,
        role,
        parent: parent.map(str::to_owned),
        serial,
        subject_key_id: hex::encode(orgca_pki::ext::key_identifier(
            tbs.subject_public_key_info().subject_public_key.raw_bytes(),
        )),
        not_before: time(&tbs.validity().not_before),
        not_after: time(&tbs.validity().not_after),
        der: der.to_vec(),
        key_ref: key_ref.to_owned(),
    })
}

/// Checks that `signature` (with `algorithm`) over `tbs_der` verifies with `key`;
/// answers the algorithm, or why not.
fn signed_by(
    tbs_der: &[u8],
    algorithm: &spki::AlgorithmIdentifierOwned,
    signature: &BitString,
    key: &spki::SubjectPublicKeyInfoOwned,
) -> Result<orgca_pki::SignatureAlgorithm, &'static str> {
    let alg = algorithm_of(algorithm).ok_or("is signed with an algorithm orgca does not use")?;
    let signature = signature.as_bytes().ok_or("has no signature")?;
    crate::issuer::verify(alg, key, tbs_der, signature).map_err(|_| "does not verify")?;
    Ok(alg)
}

/// The algorithm `id` names, if orgca signs with it.
fn algorithm_of(id: &spki::AlgorithmIdentifierOwned) -> Option<orgca_pki::SignatureAlgorithm> {
    use orgca_pki::SignatureAlgorithm as Alg;
    [
        Alg::RsaPssSha256,
        Alg::RsaPkcs1Sha256,
        Alg::EcdsaSha256,
        Alg::EcdsaSha384,
    ]
    .into_iter()
    .find(|a| &a.identifier() == id)
}

/// On the serving machine: the key of the CA `id` (named `name`), made where `home`
/// says and kept, and the request (DER) the offline root certifies it from. Answers the
/// key's `key_ref` and the request.
pub fn request(home: KeyHome<'_>, id: &str, name: &CaName) -> Result<(String, Vec<u8>), CaError> {
    let key = home.generate(id, KeySpec::Rsa3072)?;
    let id_owned = id.to_owned();
    let kept = [(&id_owned, &key)];
    let made = request_der(name, key.signer()).and_then(|csr| home.keep(&kept).map(|()| csr));
    match made {
        Ok(csr) => Ok((home.key_ref(id), csr)),
        Err(e) => {
            home.discard(&kept);
            Err(e)
        }
    }
}

/// A PKCS#10 request for `name` signed by `key`.
fn request_der(name: &CaName, key: &dyn Signer) -> Result<Vec<u8>, CaError> {
    let info = CertReqInfo {
        version: x509_cert::request::Version::V1,
        // The same DER either way: a Name is an RDNSequence.
        subject: x509_cert::name::Name::from_der(
            &name
                .to_rdn_sequence()?
                .to_der()
                .map_err(orgca_pki::DerError::from)?,
        )
        .map_err(orgca_pki::DerError::from)?,
        public_key: key.public_key().clone(),
        attributes: Default::default(),
    };
    let info_der = info.to_der().map_err(orgca_pki::DerError::from)?;
    let signature = key.sign(&info_der)?;
    CertReq {
        info,
        algorithm: key.algorithm().identifier(),
        signature: BitString::from_bytes(&signature).map_err(orgca_pki::DerError::from)?,
    }
    .to_der()
    .map_err(|e| CaError::Der(e.into()))
}

/// On the serving machine: the certificate `cert_der` that the offline `root` signed for
/// the request of the CA `id`, whose key is `key`. Checked before anything is kept: it is
/// issued and signed by that root, certifies that key, and passes the lint of a CA in
/// `role` under that root. Answers the record to keep.
pub fn accept(
    root: &CaCertificate,
    (id, key_ref, key): (&str, &str, &Arc<dyn Signer>),
    role: CaRole,
    cert_der: &[u8],
    settings: &Settings,
    signing: &SigningPolicies,
) -> Result<NewCaCertificate, CaError> {
    let refuse = |why: &str| CaError::Ceremony(format!("the certificate for {id} {why}"));
    let cert = Certificate::from_der(cert_der).map_err(|_| refuse("is not a DER certificate"))?;
    let root_cert = Certificate::from_der(&root.der).map_err(orgca_pki::DerError::from)?;
    let tbs = cert.tbs_certificate();
    if tbs.issuer() != root_cert.tbs_certificate().subject() {
        return Err(refuse(&format!("is not issued by {}", root.name)));
    }
    let tbs_der = tbs.to_der().map_err(orgca_pki::DerError::from)?;
    let alg = signed_by(
        &tbs_der,
        cert.signature_algorithm(),
        cert.signature(),
        root_cert.tbs_certificate().subject_public_key_info(),
    )
    .map_err(|why| refuse(&format!("{why} with the key of {}", root.name)))?;
    if tbs.subject_public_key_info() != key.public_key() {
        return Err(refuse(&format!(
            "certifies another key than the one made for {id}"
        )));
    }
    let root_ski =
        hex::decode(&root.subject_key_id).map_err(|_| refuse("has a bad root key id"))?;
    let policies = policies_for(role, settings, signing)?;
    orgca_pki::lint_ca_tbs(
        &tbs_der,
        &CaExpectations {
            path_len: Some(0),
            issuer_key_id: &root_ski,
            signature: alg,
            policies: &policies,
        },
    )?;
    record_of(
        tbs,
        cert_der,
        (id, root.environment, role, Some(&root.name), key_ref),
    )
}

/// On the serving machine: a CRL signed in a ceremony (`der`), checked (issued and
/// signed by `root`, numbered, with a nextUpdate after its thisUpdate) and made into the
/// CRL to keep.
pub fn read_root_crl(root: &CaCertificate, der: &[u8]) -> Result<orgca_store::KeptCrl, CaError> {
    use x509_cert::crl::CertificateList;
    let refuse = |why: &str| CaError::Ceremony(format!("the CRL {why}"));
    let crl: CertificateList =
        CertificateList::from_der(der).map_err(|_| refuse("is not a DER CRL"))?;
    let root_cert = Certificate::from_der(&root.der).map_err(orgca_pki::DerError::from)?;
    let tbs = &crl.tbs_cert_list;
    if &tbs.issuer != root_cert.tbs_certificate().subject() {
        return Err(refuse(&format!("is not issued by {}", root.name)));
    }
    let tbs_der = tbs.to_der().map_err(orgca_pki::DerError::from)?;
    signed_by(
        &tbs_der,
        &crl.signature_algorithm,
        &crl.signature,
        root_cert.tbs_certificate().subject_public_key_info(),
    )
    .map_err(|why| refuse(&format!("{why} with the key of {}", root.name)))?;
    let number = tbs
        .crl_extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id == orgca_pki::oids::EXT_CRL_NUMBER)
        .and_then(|e| der::asn1::Uint::from_der(e.extn_value.as_bytes()).ok())
        .and_then(|n| {
            let bytes = n.as_bytes();
            (bytes.len() <= 8).then(|| {
                bytes
                    .iter()
                    .fold(0i64, |acc, b| acc.wrapping_shl(8) | i64::from(*b))
            })
        })
        .filter(|n| *n > 0)
        .ok_or_else(|| refuse("has no CRL number orgca can read"))?;
    let this_update: orgca_model::UnixTime =
        orgca_pki::time::from_x509_time(&tbs.this_update).into();
    let next_update: orgca_model::UnixTime = tbs
        .next_update
        .as_ref()
        .map(|t| orgca_pki::time::from_x509_time(t).into())
        .ok_or_else(|| refuse("has no nextUpdate"))?;
    if next_update.secs() <= this_update.secs() {
        return Err(refuse("has its nextUpdate before its thisUpdate"));
    }
    Ok(orgca_store::KeptCrl {
        ca_name: root.name.clone(),
        number,
        this_update,
        next_update,
        der: der.to_vec(),
        origin: orgca_store::CrlOrigin::Ceremony,
    })
}

/// Ceremony: the CRL of the root `name` (certificate `root_der`, key `key`), listing
/// `revoked` (serial bytes, revocation time, reason code), numbered `number`.
pub fn root_crl(
    (name, root_der, key): (&str, &[u8], Arc<dyn Signer>),
    revoked: &[(Vec<u8>, i64, u8)],
    number: u64,
    (this_update, next_update): (OffsetDateTime, OffsetDateTime),
) -> Result<Vec<u8>, CaError> {
    let issuer = crate::CrlIssuer::new(name, root_der, key)?;
    let mut writer = orgca_pki::crl::CrlWriter::new(revoked.len());
    for (serial, at, reason) in revoked {
        writer
            .push(serial, *at, *reason)
            .map_err(|e| CaError::Ceremony(format!("a revoked entry cannot be written: {e}")))?;
    }
    let signed = issuer.sign(writer, this_update, next_update, number, None)?;
    Ok(signed.der().to_vec())
}
