//! Store records made the way the CA makes them: an organisation, the test CAs, a
//! reserved serial and its committed certificate, a profile.

use orgca_model::{CertKind, Cvr, Environment, Serial, UnixTime};
use orgca_store::{CaRole, NewCaCertificate, NewCertificate, NewOrganisation, SerialIntent, Store};
use uuid::Uuid;

/// The time at which the records are made.
pub const NOW: UnixTime = UnixTime::from_secs(1_795_000_000);

/// Creates the test organisation with CVR `cvr`.
pub async fn org(store: &Store, cvr: &str) -> orgca_model::Organisation {
    let new = NewOrganisation {
        cvr: Cvr::parse(cvr, Environment::Test).expect("cvr"),
        name: format!("Testorganisation nr. {cvr}"),
        environment: Environment::Test,
    };
    store
        .orgs()
        .create(&new, "test", NOW)
        .await
        .expect("create org")
}

/// Adds a test root and its issuing CA; answers the issuing CA's name.
pub async fn issuing_ca(store: &Store) -> String {
    let ca = |name: &str, role, parent: Option<&str>| NewCaCertificate {
        name: name.into(),
        environment: Environment::Test,
        role,
        parent: parent.map(Into::into),
        serial: Serial::from_random([7; 20]),
        subject_key_id: "00".into(),
        not_before: NOW,
        not_after: NOW.plus_secs(1000),
        der: vec![0x30, 0x00],
        key_ref: format!("{name}.key.pem"),
    };
    let certs = [
        ca("test-root", CaRole::Root, None),
        ca("test-issuing-1", CaRole::Issuing, Some("test-root")),
    ];
    store
        .ca()
        .add_ca_certificates(&certs, "test", NOW)
        .await
        .expect("add CAs");
    "test-issuing-1".into()
}

/// The serial intent for a system certificate of `org` from `issuer`.
pub fn intent(serial: Serial, issuer: &str, org: &orgca_model::Organisation) -> SerialIntent {
    SerialIntent {
        serial,
        issuer: issuer.into(),
        org_id: org.id,
        kind: CertKind::System,
        subject_uuid: Uuid::new_v4(),
        tbs_sha256: [1; 32],
        at: NOW,
    }
}

/// A system certificate of `org` with `serial` from `issuer`.
pub fn certificate(
    serial: Serial,
    issuer: &str,
    org: &orgca_model::Organisation,
) -> NewCertificate {
    NewCertificate {
        id: Uuid::new_v4(),
        serial,
        issuer: issuer.into(),
        // A CRL partition from the last byte, as if the CRL had three.
        crl_shard: Some(u16::from(serial.as_bytes()[19] % 3)),
        org_id: org.id,
        kind: CertKind::System,
        name: "Løn-system".into(),
        subject_uuid: Uuid::new_v4(),
        email: None,
        fingerprint: "ab".repeat(32),
        tbs_sha256: [1; 32],
        order_id: None,
        not_before: NOW,
        not_after: NOW.plus_secs(10),
        der: vec![0x30, 0x03, 0x02, 0x01, 0x01],
    }
}

/// Reserves `serial` and commits a certificate for it.
pub async fn issued(
    store: &Store,
    serial: Serial,
    issuer: &str,
    org: &orgca_model::Organisation,
) -> NewCertificate {
    store
        .ca()
        .reserve_serial(&intent(serial, issuer, org))
        .await
        .expect("reserve");
    let cert = certificate(serial, issuer, org);
    store
        .issuance()
        .commit(&cert, "test", NOW)
        .await
        .expect("commit");
    cert
}

/// Creates a system profile of `org` whose contact person is `contact` (name, address).
pub async fn system_profile(
    store: &Store,
    org: &orgca_model::Organisation,
    name: &str,
    contact: (&str, &str),
) -> orgca_model::Profile {
    store
        .org(org.id)
        .create_profile(
            &orgca_store::NewProfile {
                kind: CertKind::System,
                name: orgca_model::CertName::parse(name).expect("name"),
                email: None,
                contact_name: contact.0.into(),
                contact_email: orgca_model::Email::parse(contact.1).expect("email"),
                allow_signing: false,
                publish: false,
            },
            "test",
            NOW,
        )
        .await
        .expect("profile")
}
