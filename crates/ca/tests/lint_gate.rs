//! The lint gate: every profile rule has a lint that catches its violation, and a TBS
//! that fails a lint is neither recorded nor signed.

use std::sync::{Arc, OnceLock};

use der::asn1::{Any, ObjectIdentifier, PrintableStringRef, Utf8StringRef};
use der::{Decode, Encode};
use orgca_ca::ceremony::{HierarchyNames, HierarchySpec, create_hierarchy};
use orgca_ca::{Ca, CaError, IssuingCa, LeafRequest, Settings};
use orgca_keys::{KeySpec, Signer, SoftKey};
use orgca_model::{CertKind, CertName, Cvr, Email, Environment, PersonName, Serial};
use orgca_pki::lint::LeafExpectations;
use orgca_pki::profile::{Holder, IssuerInfo, LeafProfile, LeafSubject, Policies};
use orgca_pki::{SignatureAlgorithm, Tbs, ext, oids};
use orgca_store::Store;
use spki::SubjectPublicKeyInfoOwned;
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;
use x509_cert::ext::Extension;
use x509_cert::serial_number::SerialNumber;

const NOW: OffsetDateTime = datetime!(2026-11-26 12:00:00 UTC);

fn settings(base: &str) -> Settings {
    Settings {
        public_base_url: base.into(),
        policies: Policies {
            organisation: ObjectIdentifier::new_unwrap("1.2.208.169.1.1.1.3.7.1"),
            employee: ObjectIdentifier::new_unwrap("1.2.208.169.1.1.1.2.7.1"),
            name_registration_authority: "https://uid.gov.dk".into(),
        },
        crl_partitions: 0,
    }
}

/// A test hierarchy (made once: RSA-4096 key generation takes a while) and its store.
struct Fixture {
    dir: tempfile::TempDir,
    store: Store,
    org_id: uuid::Uuid,
    issuing: (String, Vec<u8>, Vec<u8>, Arc<dyn Signer>),
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&format!("sqlite://{}", dir.path().join("t.db").display()))
        .await
        .expect("store");
    let spec = HierarchySpec {
        environment: Environment::Test,
        names: HierarchyNames::default_for(Environment::Test),
        rsa_pss: true,
    };
    let certs = create_hierarchy(
        &spec,
        &settings("http://pki.orgca-test.dk"),
        &orgca_pki::single_use::SigningPolicies::etsi(
            "https://uid.gov.dk",
            "https://pki.orgca-test.dk/pds/en",
            false,
        ),
        orgca_ca::KeyHome::Files(&orgca_ca::CaKeys::files(dir.path(), b"pw", true)),
        NOW,
    )
    .expect("hierarchy");
    store
        .ca()
        .add_ca_certificates(&certs, "test", NOW.into())
        .await
        .expect("record");
    let key = orgca_keys::load_key(&dir.path().join(&certs[1].key_ref), b"pw", true).expect("load");
    let org = orgca_store::NewOrganisation {
        cvr: Cvr::parse("99999999", Environment::Test).expect("cvr"),
        name: "Testorganisation nr. 99999999".into(),
        environment: Environment::Test,
    };
    let org = store
        .orgs()
        .create(&org, "test", NOW.into())
        .await
        .expect("org");
    Fixture {
        issuing: (
            certs[1].name.clone(),
            certs[1].der.clone(),
            certs[0].der.clone(),
            Arc::new(key),
        ),
        dir,
        store,
        org_id: org.id,
    }
}

impl Fixture {
    fn ca(&self, base: &str) -> Ca {
        let (name, der, root, signer) = &self.issuing;
        let issuer = IssuingCa::new(
            name.clone(),
            Environment::Test,
            der.clone(),
            root,
            signer.clone(),
            &settings(base),
        )
        .expect("issuer");
        Ca::new(vec![issuer], self.store.ca())
    }
}

fn p256() -> SubjectPublicKeyInfoOwned {
    static K: OnceLock<SoftKey> = OnceLock::new();
    K.get_or_init(|| SoftKey::generate(KeySpec::P256, true).expect("key"))
        .public_key()
        .clone()
}

fn employee() -> LeafSubject {
    LeafSubject {
        holder: Holder::Employee {
            given_name: PersonName::parse("given name", "Søren").expect("g"),
            surname: PersonName::parse("surname", "Østergård").expect("s"),
            email: Email::parse("soren@firma.dk").expect("e"),
        },
        common_name: CertName::parse("Søren Østergård").expect("cn"),
        subject_uuid: Uuid::new_v4(),
        organization: "Testorganisation nr. 99999999".into(),
        cvr: Cvr::parse("99999999", Environment::Test).expect("cvr"),
    }
}

async fn serial_count(store_url: &std::path::Path) -> i64 {
    use sqlx::{Connection, Row};
    sqlx::any::install_default_drivers();
    let mut c = sqlx::AnyConnection::connect(&format!("sqlite://{}", store_url.display()))
        .await
        .expect("raw");
    sqlx::query("SELECT COUNT(*) AS n FROM serials")
        .fetch_one(&mut c)
        .await
        .expect("count")
        .try_get("n")
        .expect("n")
}

#[tokio::test]
async fn a_lint_failure_refuses_and_records_nothing() {
    let f = fixture().await;
    let db = f.dir.path().join("t.db");
    // A base URL the profile forbids in AIA (https) gets through a hand-made Settings; the
    // lint must stop it before anything is recorded or signed.
    let ca = f.ca("https://pki.orgca-test.dk");
    let req = LeafRequest {
        org_id: f.org_id,
        environment: Environment::Test,
        subject: employee(),
        spki: p256(),
    };
    match ca.prepare(req, NOW).await {
        Err(CaError::Lint(l)) => assert_eq!(l.lint, "e_authority_info_access", "{l}"),
        other => panic!("expected a lint refusal, got {other:?}"),
    }
    assert_eq!(serial_count(&db).await, 0, "nothing recorded");
    // The same request with a correct configuration goes through, and its serial is
    // recorded before it is signed.
    let ca = f.ca("http://pki.orgca-test.dk");
    let req = LeafRequest {
        org_id: f.org_id,
        environment: Environment::Test,
        subject: employee(),
        spki: p256(),
    };
    let token = ca.prepare(req, NOW).await.expect("prepare");
    assert_eq!(serial_count(&db).await, 1, "intent recorded before signing");
    let issued = ca.issue(token).expect("issue");
    let cert = x509_cert::Certificate::from_der(&issued.der).expect("parse");
    assert_eq!(
        cert.tbs_certificate().serial_number().as_bytes(),
        issued.serial.as_bytes()
    );
}

/// A valid employee TBS and the expectations it is linted against.
fn valid(ca: &Ca) -> (Tbs, Policies, Vec<u8>, x509_cert::name::RdnSequence) {
    let issuer = ca.issuer(Environment::Test).expect("issuer");
    let subject = employee();
    let tbs = LeafProfile {
        subject: &subject,
        spki: &p256(),
        serial: Serial::from_random([0x5a; 20]),
        now: NOW,
        issuer: IssuerInfo {
            name: &issuer.subject,
            key_id: &issuer.key_id,
            signature: SignatureAlgorithm::RsaPssSha256,
            urls: &issuer.urls,
            policies: &issuer.policies,
        },
    }
    .build()
    .expect("build");
    (
        tbs,
        issuer.policies.clone(),
        issuer.key_id.clone(),
        issuer.subject.clone(),
    )
}

fn lint(
    tbs: &Tbs,
    policies: &Policies,
    key_id: &[u8],
    issuer: &x509_cert::name::RdnSequence,
) -> Result<(), String> {
    let want = LeafExpectations {
        kind: CertKind::Employee,
        issuer_name: issuer,
        issuer_key_id: key_id,
        signature: SignatureAlgorithm::RsaPssSha256,
        policies,
    };
    orgca_pki::lint_leaf_tbs(&tbs.to_der().expect("encode"), &want).map_err(|l| l.lint.to_owned())
}

/// Puts `cn` in place of the subject's first RDN (its common name).
fn replace_cn(t: &mut Tbs, cn: Any) {
    let mut rdns: Vec<_> = t.subject.iter().cloned().collect();
    rdns[0] = x509_cert::name::RelativeDistinguishedName::try_from(vec![
        x509_cert::attr::AttributeTypeAndValue {
            oid: oids::CN,
            value: cn,
        },
    ])
    .expect("rdn");
    let mut s = x509_cert::name::RdnSequence::default();
    rdns.into_iter().for_each(|r| s.push(r));
    t.subject = s;
}

fn replace_ext(tbs: &mut Tbs, new: Extension) {
    let exts = tbs.extensions.as_mut().expect("extensions");
    let i = exts
        .iter()
        .position(|e| e.extn_id == new.extn_id)
        .expect("present");
    exts[i] = new;
}

#[tokio::test]
async fn each_profile_rule_has_a_lint_that_catches_it() {
    let f = fixture().await;
    let ca = f.ca("http://pki.orgca-test.dk");
    let (base, pol, kid, iss) = valid(&ca);
    assert_eq!(lint(&base, &pol, &kid, &iss), Ok(()));
    type Mutation = Box<dyn Fn(&mut Tbs)>;
    let cases: Vec<(&str, Mutation)> = vec![
        (
            "e_serial_number_not_20_octets",
            Box::new(|t| t.serial_number = SerialNumber::new(&[0x11; 19]).expect("serial")),
        ),
        (
            "e_signature_algorithm_mismatch",
            Box::new(|t| t.signature = SignatureAlgorithm::RsaPkcs1Sha256.identifier()),
        ),
        (
            "e_leaf_validity_period",
            Box::new(|t| {
                t.validity.not_after =
                    orgca_pki::time::to_x509_time(NOW + time::Duration::days(3 * 365))
                        .expect("time");
            }),
        ),
        (
            "e_subject_rdn_order",
            Box::new(|t| {
                let mut rdns: Vec<_> = t.subject.iter().cloned().collect();
                rdns.swap(0, 3);
                let mut s = x509_cert::name::RdnSequence::default();
                rdns.into_iter().for_each(|r| s.push(r));
                t.subject = s;
            }),
        ),
        (
            "e_subject_string_type",
            Box::new(|t| {
                let cn = Any::encode_from(&PrintableStringRef::new("Soren Ostergard").expect("ps"))
                    .expect("any");
                replace_cn(t, cn);
            }),
        ),
        (
            "e_hidden_character",
            Box::new(|t| {
                let cn = Any::encode_from(&Utf8StringRef::new("Sys\u{202e}evil").expect("utf8"))
                    .expect("any");
                replace_cn(t, cn);
            }),
        ),
        (
            "e_subject_key_not_allowed",
            Box::new(|t| {
                use aws_lc_rs::encoding::AsDer;
                use aws_lc_rs::signature::KeyPair;
                let k = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
                    .expect("rsa");
                let der = k.public_key().as_der().expect("der");
                t.subject_public_key_info =
                    SubjectPublicKeyInfoOwned::from_der(der.as_ref()).expect("spki");
            }),
        ),
        (
            "e_extended_key_usage_present",
            Box::new(|t| {
                let eku =
                    x509_cert::ext::pkix::ExtendedKeyUsage(vec![ObjectIdentifier::new_unwrap(
                        "1.3.6.1.5.5.7.3.4",
                    )]);
                let v = der::asn1::OctetString::new(eku.to_der().expect("der")).expect("os");
                t.extensions.as_mut().expect("e").push(Extension {
                    extn_id: oids::EXT_EKU,
                    critical: false,
                    extn_value: v,
                });
            }),
        ),
        (
            "e_duplicate_extension",
            Box::new(|t| {
                let e = t.extensions.as_ref().expect("e")[2].clone();
                t.extensions.as_mut().expect("e").push(e);
            }),
        ),
        (
            "e_basic_constraints",
            Box::new(|t| replace_ext(t, ext::basic_constraints(true, None).expect("bc"))),
        ),
        (
            "e_key_usage",
            Box::new(|t| {
                use x509_cert::ext::pkix::KeyUsages;
                replace_ext(
                    t,
                    ext::key_usage(KeyUsages::DigitalSignature | KeyUsages::KeyAgreement)
                        .expect("ku"),
                );
            }),
        ),
        (
            "e_subject_key_identifier",
            Box::new(|t| replace_ext(t, ext::subject_key_id(&[1; 20]).expect("ski"))),
        ),
        (
            "e_authority_key_identifier",
            Box::new(|t| replace_ext(t, ext::authority_key_id(&[2; 20]).expect("aki"))),
        ),
        (
            "e_crl_distribution_points",
            Box::new(|t| replace_ext(t, ext::crl_distribution_point("ldap://x/crl").expect("cdp"))),
        ),
        (
            "e_certificate_policies",
            Box::new(|t| replace_ext(t, ext::certificate_policies(&[oids::ETSI_NCP]).expect("cp"))),
        ),
        (
            "e_qc_statements",
            Box::new(|t| {
                replace_ext(
                    t,
                    ext::qc_statements(oids::SEMANTICS_LEGAL, "https://uid.gov.dk").expect("qc"),
                )
            }),
        ),
        (
            "e_subject_alt_name",
            Box::new(|t| {
                t.extensions
                    .as_mut()
                    .expect("e")
                    .retain(|e| e.extn_id != oids::EXT_SAN);
            }),
        ),
    ];
    for (name, mutate) in cases {
        let mut t = base.clone();
        mutate(&mut t);
        assert_eq!(
            lint(&t, &pol, &kid, &iss),
            Err(name.to_owned()),
            "mutation for {name}"
        );
    }
}

/// A valid responder TBS for the fixture's issuing CA, valid `days`.
fn responder_tbs(ca: &Ca, days: i64) -> Tbs {
    let issuer = ca.issuer(Environment::Test).expect("issuer");
    orgca_pki::ocsp::ResponderProfile {
        subject: orgca_pki::name::build(&[(oids::CN, "test-issuing-1 OCSP")]).expect("name"),
        issuer: &issuer.subject,
        issuer_key_id: &issuer.key_id,
        spki: &p256(),
        serial: Serial::from_random([0x3c; 20]).as_bytes(),
        not_before: NOW,
        not_after: NOW + time::Duration::days(days),
        signature: SignatureAlgorithm::RsaPssSha256,
    }
    .build()
    .expect("build")
}

fn lint_responder(ca: &Ca, tbs: &Tbs) -> Result<(), String> {
    let issuer = ca.issuer(Environment::Test).expect("issuer");
    let want = orgca_pki::lint::ResponderExpectations {
        issuer_name: &issuer.subject,
        issuer_key_id: &issuer.key_id,
        signature: SignatureAlgorithm::RsaPssSha256,
        max_validity: orgca_ca::ocsp::MAX_RESPONDER_VALIDITY,
    };
    orgca_pki::lint_responder_tbs(&tbs.to_der().expect("encode"), &want)
        .map_err(|l| l.lint.to_owned())
}

#[tokio::test]
async fn the_responder_certificate_may_only_sign_ocsp_answers_and_lives_briefly() {
    let f = fixture().await;
    let ca = f.ca("http://pki.orgca-test.dk");
    let base = responder_tbs(&ca, 2);
    assert_eq!(lint_responder(&ca, &base), Ok(()));
    assert_eq!(
        lint_responder(&ca, &responder_tbs(&ca, 30)),
        Err("e_responder_validity_too_long".into())
    );
    let eku = |usages: Vec<ObjectIdentifier>, critical: bool| {
        let mut e = orgca_pki::ext::extended_key_usage(usages).expect("eku");
        e.critical = critical;
        e
    };
    type Mutation = Box<dyn Fn(&mut Tbs)>;
    let server_auth = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1");
    let ocsp_signing = orgca_pki::ocsp::KP_OCSP_SIGNING;
    let cases: Vec<(&str, Mutation)> = vec![
        (
            "e_responder_extended_key_usage",
            Box::new(move |t| replace_ext(t, eku(vec![server_auth], false))),
        ),
        (
            "e_responder_extended_key_usage",
            Box::new(move |t| replace_ext(t, eku(vec![ocsp_signing, server_auth], false))),
        ),
        (
            "e_responder_extended_key_usage",
            Box::new(move |t| replace_ext(t, eku(vec![ocsp_signing], true))),
        ),
        (
            "e_responder_ocsp_nocheck",
            Box::new(|t| {
                t.extensions
                    .as_mut()
                    .expect("e")
                    .retain(|e| e.extn_id != orgca_pki::ocsp::OCSP_NOCHECK);
            }),
        ),
        (
            "e_key_usage",
            Box::new(|t| {
                replace_ext(
                    t,
                    orgca_pki::ext::key_usage(
                        x509_cert::ext::pkix::KeyUsages::DigitalSignature
                            | x509_cert::ext::pkix::KeyUsages::KeyCertSign,
                    )
                    .expect("ku"),
                );
            }),
        ),
        (
            "e_unexpected_extension",
            Box::new(|t| {
                t.extensions
                    .as_mut()
                    .expect("e")
                    .push(orgca_pki::ext::basic_constraints(true, None).expect("bc"));
            }),
        ),
        (
            "e_authority_key_identifier",
            Box::new(|t| replace_ext(t, orgca_pki::ext::authority_key_id(&[7; 20]).expect("aki"))),
        ),
        (
            "e_issuer_name",
            Box::new(|t| {
                t.issuer = orgca_pki::name::build(&[(oids::CN, "someone else")]).expect("name");
            }),
        ),
    ];
    for (name, mutate) in cases {
        let mut t = base.clone();
        mutate(&mut t);
        assert_eq!(
            lint_responder(&ca, &t),
            Err(name.to_owned()),
            "mutation for {name}"
        );
    }
}
