//! Key ceremonies: creating a CA hierarchy (a root, RSA-4096, 25 years; an issuing CA,
//! RSA-3072, 10 years, pathLen 0; a signing CA) and adding a signing CA to one, every
//! certificate linted before it is signed.
//!
//! Only `orgca init` and the `orgca ca` commands run a ceremony; the online path (the
//! server issuing leaves) never reaches this module. Root keys are made here and nowhere
//! else.

use der::Encode;
use orgca_keys::{KeySpec, Signer};
use orgca_model::{CertKind, Environment};
use orgca_pki::lint::CaExpectations;
use orgca_pki::name::CaName;
use orgca_pki::profile::{CaIssuer, CaProfile};
use orgca_pki::single_use::SigningPolicies;
use orgca_pki::{ext, oids};
use orgca_store::{CaRole, NewCaCertificate};
use time::OffsetDateTime;

use crate::keys::{KeyHome, NewKey};
use x509_cert::name::RdnSequence;

use crate::issuer::sign_and_check;
use crate::{CaError, Settings};

/// Years a root is valid (minus one second).
pub const ROOT_YEARS: i32 = 25;
/// Years an issuing CA is valid (minus one second).
pub const ISSUING_YEARS: i32 = 10;

/// The distinguished names of one hierarchy.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HierarchyNames {
    /// The root's name.
    pub root: CaName,
    /// The issuing CA's name.
    pub issuing: CaName,
    /// The signing service's CA's name.
    pub signing: CaName,
}

impl HierarchyNames {
    /// The default names in the OCES3 style; the test hierarchy carries `OU=Test`.
    pub fn default_for(env: Environment) -> HierarchyNames {
        let ou = (env == Environment::Test).then(|| "Test".to_owned());
        let name = |cn: &str| CaName {
            common_name: cn.into(),
            organization: "orgca".into(),
            organizational_unit: ou.clone(),
            country: "DK".into(),
        };
        HierarchyNames {
            root: name("orgca OCES rod-CA"),
            issuing: name("orgca OCES udstedende-CA 1"),
            signing: name("orgca OCES underskrifts-CA 1"),
        }
    }
}

/// What to create.
#[derive(Clone, Debug)]
pub struct HierarchySpec {
    /// Production or test.
    pub environment: Environment,
    /// The names.
    pub names: HierarchyNames,
    /// RSASSA-PSS (true) or PKCS#1 v1.5 signatures.
    pub rsa_pss: bool,
}

impl HierarchySpec {
    /// Stable name of the root (`production-root`, `test-root`).
    pub fn root_id(&self) -> String {
        format!("{}-root", self.environment)
    }

    /// Stable name of the issuing CA (`production-issuing-1`, `test-issuing-1`).
    pub fn issuing_id(&self) -> String {
        format!("{}-issuing-1", self.environment)
    }

    /// Stable name of the signing service's CA (`production-signing-1`, `test-signing-1`).
    pub fn signing_id(&self) -> String {
        format!("{}-signing-1", self.environment)
    }
}

/// The key file of a CA inside the keys folder.
pub fn key_file_name(ca_name: &str) -> String {
    format!("{ca_name}.key.pem")
}

/// A CA certificate signed and checked, with its record.
fn make_ca(
    profile: &CaProfile<'_>,
    signer: &dyn Signer,
    want: &CaExpectations<'_>,
) -> Result<(Vec<u8>, [u8; 20]), CaError> {
    let tbs = profile.build()?;
    let tbs_der = tbs.to_der().map_err(orgca_pki::DerError::from)?;
    orgca_pki::lint_ca_tbs(&tbs_der, want)?;
    let der = sign_and_check(signer, &tbs_der)?;
    Ok((
        der,
        ext::key_identifier(profile.spki.subject_public_key.raw_bytes()),
    ))
}

/// A root as it signs the CAs under it.
pub(crate) struct Root<'a> {
    pub(crate) id: String,
    pub(crate) name: RdnSequence,
    pub(crate) key_id: Vec<u8>,
    pub(crate) key: &'a dyn Signer,
}

impl<'a> Root<'a> {
    /// The root of `spec` from its certificate and its key (which must match).
    pub(crate) fn of(
        spec: &HierarchySpec,
        root_der: &[u8],
        key: &'a dyn Signer,
    ) -> Result<Root<'a>, CaError> {
        let id = spec.root_id();
        let (name, key_id) = crate::issuer::ca_identity(&id, root_der, key)?;
        Ok(Root {
            id,
            name,
            key_id,
            key,
        })
    }
}

/// A CA under `root` (pathLen 0) for `key`, issuing under `policies`: its profile,
/// certificate and key identifier.
pub(crate) fn subordinate<'a>(
    root: &'a Root<'a>,
    subject: RdnSequence,
    spki: &'a spki::SubjectPublicKeyInfoOwned,
    policies: Vec<der::asn1::ObjectIdentifier>,
    settings: &Settings,
    now: OffsetDateTime,
) -> Result<(CaProfile<'a>, Vec<u8>, [u8; 20]), CaError> {
    let root_urls = settings.urls_for(&root.id);
    let profile = CaProfile {
        subject,
        spki,
        serial: crate::random_serial()?,
        now,
        years: ISSUING_YEARS,
        issuer: Some(CaIssuer {
            name: &root.name,
            key_id: &root.key_id,
            ca_issuers_url: root_urls.ca_issuers,
            crl_url: root_urls.crl,
            policies: policies.clone(),
        }),
        signature: root.key.algorithm(),
    };
    let want = CaExpectations {
        path_len: Some(0),
        issuer_key_id: &root.key_id,
        signature: root.key.algorithm(),
        policies: &policies,
    };
    let (der, ski) = make_ca(&profile, root.key, &want)?;
    Ok((profile, der, ski))
}

/// A self-signed root certificate for `key`, linted before it is signed.
pub(crate) fn root_certificate<'a>(
    spec: &HierarchySpec,
    key: &'a dyn Signer,
    now: OffsetDateTime,
) -> Result<(CaProfile<'a>, Vec<u8>, [u8; 20]), CaError> {
    let profile = CaProfile {
        subject: spec.names.root.to_rdn_sequence()?,
        spki: key.public_key(),
        serial: crate::random_serial()?,
        now,
        years: ROOT_YEARS,
        issuer: None,
        signature: key.algorithm(),
    };
    let ski = ext::key_identifier(key.public_key().subject_public_key.raw_bytes());
    let want = CaExpectations {
        path_len: None,
        issuer_key_id: &ski,
        signature: key.algorithm(),
        policies: &[],
    };
    let (der, _) = make_ca(&profile, key, &want)?;
    Ok((profile, der, ski))
}

/// Generates the keys of a hierarchy where `home` says (encrypted files, or the CA
/// token), and returns the three CA certificates to record (root, issuing CA, signing
/// CA). Keys already present are never overwritten; on failure the keys made here are
/// removed again.
pub fn create_hierarchy(
    spec: &HierarchySpec,
    settings: &Settings,
    signing: &SigningPolicies,
    home: KeyHome<'_>,
    now: OffsetDateTime,
) -> Result<Vec<NewCaCertificate>, CaError> {
    let (root_id, issuing_id, signing_id) = (spec.root_id(), spec.issuing_id(), spec.signing_id());
    let mut made: Vec<(&String, NewKey)> = Vec::new();
    let result = (|| {
        for (id, key_spec) in [
            (&root_id, KeySpec::Rsa4096),
            (&issuing_id, KeySpec::Rsa3072),
            (&signing_id, KeySpec::Rsa3072),
        ] {
            made.push((id, home.generate(id, key_spec)?));
        }
        let keys: Vec<(&String, &NewKey)> = made.iter().map(|(id, k)| (*id, k)).collect();
        let certificates = hierarchy_certificates(spec, settings, signing, &keys, home, now)?;
        home.keep(&keys)?;
        Ok(certificates)
    })();
    if result.is_err() {
        let keys: Vec<(&String, &NewKey)> = made.iter().map(|(id, k)| (*id, k)).collect();
        home.discard(&keys);
    }
    result
}

/// The three certificates of a hierarchy whose keys (root, issuing, signing) are `keys`.
fn hierarchy_certificates(
    spec: &HierarchySpec,
    settings: &Settings,
    signing: &SigningPolicies,
    keys: &[(&String, &NewKey)],
    home: KeyHome<'_>,
    now: OffsetDateTime,
) -> Result<Vec<NewCaCertificate>, CaError> {
    let [
        (root_id, root_key),
        (issuing_id, issuing_key),
        (signing_id, signing_key),
    ] = keys
    else {
        return Err(CaError::SelfCheck("a hierarchy needs three keys".into()));
    };
    let (root_key, issuing_key, signing_key) = (
        root_key.signer(),
        issuing_key.signer(),
        signing_key.signer(),
    );
    let (root_profile, root_der, root_ski) = root_certificate(spec, root_key, now)?;
    let root = Root {
        id: (*root_id).clone(),
        name: root_profile.subject.clone(),
        key_id: root_ski.to_vec(),
        key: root_key,
    };
    let (issuing_profile, issuing_der, issuing_ski) = subordinate(
        &root,
        spec.names.issuing.to_rdn_sequence()?,
        issuing_key.public_key(),
        issuing_policies(settings),
        settings,
        now,
    )?;
    let (signing_profile, signing_der, signing_ski) = subordinate(
        &root,
        spec.names.signing.to_rdn_sequence()?,
        signing_key.public_key(),
        signing.all(),
        settings,
        now,
    )?;
    let env = spec.environment;
    let root_made = (&root_profile, root_der, root_ski);
    Ok(vec![
        record(env, home, (*root_id).clone(), CaRole::Root, None, root_made),
        record(
            env,
            home,
            (*issuing_id).clone(),
            CaRole::Issuing,
            Some((*root_id).clone()),
            (&issuing_profile, issuing_der, issuing_ski),
        ),
        record(
            env,
            home,
            (*signing_id).clone(),
            CaRole::Signing,
            Some((*root_id).clone()),
            (&signing_profile, signing_der, signing_ski),
        ),
    ])
}

/// The record of a CA certificate just made.
pub(crate) fn record(
    environment: Environment,
    home: KeyHome<'_>,
    name: String,
    role: CaRole,
    parent: Option<String>,
    (profile, der, ski): (&CaProfile<'_>, Vec<u8>, [u8; 20]),
) -> NewCaCertificate {
    let (nb, na) = orgca_pki::time::years_minus_one_second(profile.now, profile.years);
    NewCaCertificate {
        key_ref: home.key_ref(&name),
        name,
        environment,
        role,
        parent,
        serial: profile.serial,
        subject_key_id: hex::encode(ski),
        not_before: nb.into(),
        not_after: na.into(),
        der,
    }
}

/// Adds the signing service's CA to an existing hierarchy (a data folder made before
/// the signing service): signed by the root with its key (`root_key`), its own key made
/// where `home` says. Returns the certificate to record.
pub fn add_signing_ca(
    spec: &HierarchySpec,
    settings: &Settings,
    signing: &SigningPolicies,
    home: KeyHome<'_>,
    root: (&[u8], &dyn Signer),
    now: OffsetDateTime,
) -> Result<NewCaCertificate, CaError> {
    let new = NewSubordinate {
        id: spec.signing_id(),
        name: &spec.names.signing,
        role: CaRole::Signing,
        policies: signing.all(),
    };
    add_subordinate(spec, settings, home, root, new, now)
}

/// A new issuing CA for a hierarchy (a CA rollover): its key made where `home` says,
/// its certificate signed by the root with `root_key`, named `id` with the subject
/// `name`. Returns the certificate to record (as the hierarchy's current issuing CA).
pub fn next_issuing_ca(
    spec: &HierarchySpec,
    settings: &Settings,
    home: KeyHome<'_>,
    root: (&[u8], &dyn Signer),
    (id, name): (String, &CaName),
    now: OffsetDateTime,
) -> Result<NewCaCertificate, CaError> {
    let new = NewSubordinate {
        id,
        name,
        role: CaRole::Issuing,
        policies: issuing_policies(settings),
    };
    add_subordinate(spec, settings, home, root, new, now)
}

/// The policies an issuing CA's certificate names.
pub(crate) fn issuing_policies(settings: &Settings) -> Vec<der::asn1::ObjectIdentifier> {
    vec![
        oids::ETSI_NCP,
        settings.policies.national(CertKind::Organisation),
        settings.policies.national(CertKind::Employee),
    ]
}

/// A CA to add under a hierarchy's root.
struct NewSubordinate<'a> {
    id: String,
    name: &'a CaName,
    role: CaRole,
    policies: Vec<der::asn1::ObjectIdentifier>,
}

fn add_subordinate(
    spec: &HierarchySpec,
    settings: &Settings,
    home: KeyHome<'_>,
    (root_der, root_key): (&[u8], &dyn Signer),
    new: NewSubordinate<'_>,
    now: OffsetDateTime,
) -> Result<NewCaCertificate, CaError> {
    let root = Root::of(spec, root_der, root_key)?;
    let key = home.generate(&new.id, KeySpec::Rsa3072)?;
    let kept = [(&new.id, &key)];
    let made = new
        .name
        .to_rdn_sequence()
        .map_err(CaError::from)
        .and_then(|subject| {
            subordinate(
                &root,
                subject,
                key.signer().public_key(),
                new.policies,
                settings,
                now,
            )
        })
        .and_then(|made| home.keep(&kept).map(|()| made));
    let (profile, der, ski) = match made {
        Ok(m) => m,
        Err(e) => {
            home.discard(&kept);
            return Err(e);
        }
    };
    Ok(record(
        spec.environment,
        home,
        new.id.clone(),
        new.role,
        Some(root.id.clone()),
        (&profile, der, ski),
    ))
}
