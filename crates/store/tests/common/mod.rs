//! What the store suites share: a fresh database per test on each backend, and
//! certificates committed the way the CA does.
#![allow(dead_code)] // Each suite uses its own part.

use orgca_model::{CertKind, Cvr, Environment, Serial};
use orgca_store::{CaRole, NewCaCertificate, NewCertificate, NewOrganisation, SerialIntent, Store};
use sqlx::Connection;
use uuid::Uuid;

/// A database for one test: its URL, and what to clean up.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg_admin: Option<(String, String)>,
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}", dir.path().join("orgca.db").display());
        TestDb {
            url,
            _dir: Some(dir),
            pg_admin: None,
        }
    }

    pub async fn postgres(base: &str) -> TestDb {
        let name = format!("orgca_t_{}", Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(base).await.unwrap_or_else(|e| {
            panic!("ORGCA_TEST_POSTGRES_URL={base} is set but unreachable: {e}")
        });
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("create database");
        let (head, _) = base.rsplit_once('/').expect("postgres URL with a database");
        TestDb {
            url: format!("{head}/{name}"),
            _dir: None,
            pg_admin: Some((base.to_owned(), name)),
        }
    }

    pub async fn drop_pg(&self) {
        let Some((base, name)) = &self.pg_admin else {
            return;
        };
        if let Ok(mut conn) = sqlx::PgConnection::connect(base).await {
            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut conn)
                .await;
        }
    }

    /// A raw connection that bypasses orgca's API (for tampering tests).
    pub async fn raw(&self) -> sqlx::AnyConnection {
        sqlx::any::install_default_drivers();
        sqlx::AnyConnection::connect(&self.url)
            .await
            .expect("raw connection")
    }
}

/// Runs `body` on every backend.
#[macro_export]
macro_rules! on_all_backends {
    ($name:ident, $case:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let db = $crate::common::TestDb::sqlite();
            $case(&db).await;
            if let Ok(base) = std::env::var("ORGCA_TEST_POSTGRES_URL") {
                let db = $crate::common::TestDb::postgres(&base).await;
                $case(&db).await;
                db.drop_pg().await;
            }
        }
    };
}

pub const NOW: i64 = 1_795_000_000;

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

pub async fn issuing_ca(store: &Store) -> String {
    let ca = |name: &str, role, parent: Option<&str>| NewCaCertificate {
        name: name.into(),
        environment: Environment::Test,
        role,
        parent: parent.map(Into::into),
        serial: Serial::from_random([7; 20]),
        subject_key_id: "00".into(),
        not_before: NOW,
        not_after: NOW + 1000,
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
        not_after: NOW + 10,
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
