//! The status upkeep on an injected clock, with a real hierarchy and store: OCSP answers
//! signed ahead (also for a certificate committed behind the signing-ahead cursor),
//! re-signed after the refresh time, the responder renewed at half its life, and CRLs
//! re-issued after theirs with nextUpdate where the policy puts it.

use std::sync::Arc;
use std::time::Duration;

use der::asn1::ObjectIdentifier;
use der::{Decode, Encode};
use orgca_ca::ceremony::{HierarchyNames, HierarchySpec, create_hierarchy};
use orgca_ca::{IssuingCa, Settings, ocsp::Responder};
use orgca_model::{Environment, Organisation, Serial};
use orgca_pki::profile::Policies;
use orgca_status::ocsp::{OcspPolicy, OcspService, Reply};
use orgca_status::{CrlCache, CrlPolicy, CrlTarget};
use orgca_store::Store;
use orgca_testkit::db::TestDb;
use orgca_testkit::store::{NOW, certificate, intent, org};
use time::OffsetDateTime;

const PASSPHRASE: &[u8] = b"pw";

/// A test hierarchy in a fresh store, its issuing CA loaded, and an organisation.
struct Fixture {
    _db: TestDb,
    keys: tempfile::TempDir,
    store: Store,
    ca: Arc<IssuingCa>,
    org: Organisation,
    /// A responder of the issuing CA, only to make the CertIDs clients send (they name
    /// the CA, not the responder).
    ids: Responder,
}

fn t0() -> OffsetDateTime {
    NOW.to_offset()
}

fn secs(s: i64) -> time::Duration {
    time::Duration::seconds(s)
}

async fn fixture() -> Fixture {
    let db = TestDb::sqlite();
    let store = db.open().await;
    let keys = tempfile::tempdir().expect("tempdir");
    let settings = Settings {
        public_base_url: "http://pki.orgca-test.dk".into(),
        policies: Policies {
            organisation: ObjectIdentifier::new_unwrap("1.2.208.169.1.1.1.3.7.1"),
            employee: ObjectIdentifier::new_unwrap("1.2.208.169.1.1.1.2.7.1"),
            name_registration_authority: "https://uid.gov.dk".into(),
        },
        crl_partitions: 0,
    };
    let spec = HierarchySpec {
        environment: Environment::Test,
        names: HierarchyNames::default_for(Environment::Test),
        rsa_pss: true,
    };
    let signing = orgca_pki::single_use::SigningPolicies::etsi(
        "https://uid.gov.dk",
        "https://pki.orgca-test.dk/pds/en",
        false,
    );
    let ca_keys = orgca_ca::CaKeys::files(keys.path(), PASSPHRASE, true);
    let home = orgca_ca::KeyHome::Files(&ca_keys);
    let certs = create_hierarchy(&spec, &settings, &signing, home, t0()).expect("hierarchy");
    store
        .ca()
        .add_ca_certificates(&certs, "test", NOW)
        .await
        .expect("record");
    let ca = orgca_ca::load_issuing_cas(&store.ca(), &ca_keys, &settings)
        .await
        .expect("load")
        .into_iter()
        .next()
        .expect("an issuing CA");
    let org = org(&store, "99999999").await;
    let ca = Arc::new(ca);
    let ids = Responder::issue(&ca, &store.ca(), t0(), time::Duration::DAY)
        .await
        .expect("a responder to make CertIDs");
    Fixture {
        _db: db,
        keys,
        store,
        ca,
        org,
        ids,
    }
}

impl Fixture {
    /// An OCSP responder for the issuing CA, started at [`t0`].
    async fn responder(&self, policy: OcspPolicy) -> OcspService {
        OcspService::start(self.store.status(), vec![self.ca.clone()], policy, t0())
            .await
            .expect("start")
    }

    /// Records a certificate with `serial` as committed at `at`.
    async fn commit(&self, serial: Serial, at: OffsetDateTime) {
        self.store
            .ca()
            .reserve_serial(&intent(serial, &self.ca.name, &self.org))
            .await
            .expect("reserve");
        self.store
            .issuance()
            .commit(
                &certificate(serial, &self.ca.name, &self.org),
                "test",
                at.into(),
            )
            .await
            .expect("commit");
    }

    /// An OCSP request (DER, no nonce) for `serial`, with the CertID clients send.
    fn request(&self, serial: Serial) -> Vec<u8> {
        let cert_id = self
            .ids
            .sha1_cert_id(serial.as_bytes())
            .expect("cert id")
            .to_der()
            .expect("der");
        // OCSPRequest { TBSRequest { requestList { Request { CertID } } } }
        (0..4).fold(cert_id, |inner, _| sequence(&inner))
    }

    /// The answer about `serial` that a client gets at `at`.
    async fn answer(
        &self,
        ocsp: &OcspService,
        serial: Serial,
        at: OffsetDateTime,
    ) -> Arc<orgca_status::ocsp::Answer> {
        match ocsp.respond(&self.request(serial), at).await {
            Reply::Signed(answer) => answer,
            _ => panic!("no single signed answer"),
        }
    }
}

fn sequence(content: &[u8]) -> Vec<u8> {
    der::asn1::AnyRef::new(der::Tag::Sequence, content)
        .expect("length")
        .to_der()
        .expect("der")
}

/// A certificate committed after the signing-ahead cursor passed its position (the
/// same second with a lower serial, or a slower commit a few seconds back) still has
/// its answer signed ahead, in the next round.
#[tokio::test(flavor = "multi_thread")]
async fn answers_are_signed_ahead_also_behind_the_cursor() {
    let f = fixture().await;
    let ocsp = f.responder(OcspPolicy::default()).await;
    let (high, low, late) = (
        Serial::from_random([0x7f; 20]),
        Serial::from_random([0x10; 20]),
        Serial::from_random([0x20; 20]),
    );
    f.commit(high, t0() + secs(10)).await;
    ocsp.upkeep(t0() + secs(11)).await.expect("upkeep");
    f.commit(low, t0() + secs(10)).await;
    f.commit(late, t0() + secs(4)).await;
    ocsp.upkeep(t0() + secs(12)).await.expect("upkeep");
    // Asked later, each answer is the one signed ahead, not one signed on request.
    let asked = t0() + secs(20);
    assert_eq!(
        f.answer(&ocsp, high, asked).await.this_update,
        t0() + secs(11)
    );
    assert_eq!(
        f.answer(&ocsp, low, asked).await.this_update,
        t0() + secs(12)
    );
    assert_eq!(
        f.answer(&ocsp, late, asked).await.this_update,
        t0() + secs(12)
    );
}

/// A kept answer is signed again once it is as old as the refresh time, not before;
/// its nextUpdate is the policy's validity after.
#[tokio::test(flavor = "multi_thread")]
async fn kept_answers_are_re_signed_after_the_refresh_time() {
    let f = fixture().await;
    let policy = OcspPolicy::default();
    let ocsp = f.responder(policy).await;
    let serial = Serial::from_random([0x33; 20]);
    f.commit(serial, t0()).await;
    let first = t0() + secs(1);
    ocsp.upkeep(first).await.expect("upkeep");
    let refresh = time::Duration::try_from(policy.refresh_after).expect("refresh");
    ocsp.upkeep(first + refresh - secs(1))
        .await
        .expect("upkeep");
    assert_eq!(
        f.answer(&ocsp, serial, first + refresh).await.this_update,
        first
    );
    ocsp.upkeep(first + refresh).await.expect("upkeep");
    let answer = f.answer(&ocsp, serial, first + refresh + secs(5)).await;
    assert_eq!(answer.this_update, first + refresh);
    assert_eq!(
        answer.next_update - answer.this_update,
        time::Duration::try_from(policy.validity).expect("validity")
    );
}

/// The responder certificate is replaced once half its life has passed, not before.
#[tokio::test(flavor = "multi_thread")]
async fn the_responder_is_renewed_at_half_its_life() {
    let f = fixture().await;
    let ocsp = f.responder(OcspPolicy::default()).await;
    let first = ocsp.responder_certificates()[0].1.clone();
    let (not_before, not_after) = validity(&first);
    let half = not_before + (not_after - not_before) / 2;
    ocsp.upkeep(half - secs(1)).await.expect("upkeep");
    assert_eq!(
        ocsp.responder_certificates()[0].1,
        first,
        "renewed too early"
    );
    ocsp.upkeep(half).await.expect("upkeep");
    let renewed = ocsp.responder_certificates()[0].1.clone();
    assert_ne!(renewed, first, "not renewed at half its life");
    assert_eq!(
        validity(&renewed).0,
        half - secs(60),
        "back-dated a minute from the renewal"
    );
}

fn validity(der: &[u8]) -> (OffsetDateTime, OffsetDateTime) {
    let cert = x509_cert::Certificate::from_der(der).expect("certificate");
    let v = cert.tbs_certificate().validity();
    let at = |t: &x509_cert::time::Time| {
        let secs = i64::try_from(t.to_unix_duration().as_secs()).expect("a time in range");
        OffsetDateTime::from_unix_timestamp(secs).expect("time")
    };
    (at(&v.not_before), at(&v.not_after))
}

/// A CRL is re-issued once it is as old as the refresh time, with a higher number and
/// nextUpdate the policy's validity after its thisUpdate, as its DER says too.
#[tokio::test(flavor = "multi_thread")]
async fn crls_are_re_issued_after_the_refresh_time() {
    let f = fixture().await;
    let issuer = orgca_ca::load_crl_issuers(
        &f.store.ca(),
        &orgca_ca::CaKeys::files(f.keys.path(), PASSPHRASE, true),
        std::slice::from_ref(&f.ca),
    )
    .await
    .expect("CRL issuers")
    .into_iter()
    .find(|i| i.name == f.ca.name)
    .expect("the issuing CA's");
    let targets = [CrlTarget::full(Arc::new(issuer))];
    let (cache, policy) = (CrlCache::default(), CrlPolicy::default());
    let status = f.store.status();
    orgca_status::publish_all(&status, &targets, &cache, &policy, t0())
        .await
        .expect("publish");
    let name = targets[0].name().to_owned();
    let first = cache.get(&name).expect("published");
    let refresh = time::Duration::try_from(policy.refresh_after).expect("refresh");
    orgca_status::refresh_due(&status, &targets, &cache, &policy, t0() + refresh - secs(1)).await;
    assert_eq!(cache.get(&name).expect("crl").number, first.number);
    orgca_status::refresh_due(&status, &targets, &cache, &policy, t0() + refresh).await;
    let next = cache.get(&name).expect("crl");
    // Numbered by its thisUpdate in nanoseconds (above the first's).
    assert_eq!(
        next.number,
        u64::try_from(orgca_status::crl_number_floor(t0() + refresh)).expect("positive")
    );
    assert!(next.number > first.number);
    let validity = time::Duration::try_from(policy.validity).expect("validity");
    assert_eq!(
        (next.this_update, next.next_update),
        (t0() + refresh, t0() + refresh + validity)
    );
    let crl =
        x509_cert::crl::CertificateList::<x509_cert::certificate::Rfc5280>::from_der(&next.der)
            .expect("CRL");
    let next_update = crl.tbs_cert_list.next_update.expect("nextUpdate");
    let expected = u64::try_from((t0() + refresh + validity).unix_timestamp()).expect("positive");
    assert_eq!(
        next_update.to_unix_duration(),
        Duration::from_secs(expected)
    );
}
