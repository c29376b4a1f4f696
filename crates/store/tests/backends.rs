//! The store test suite, run once on SQLite and, when `ORGCA_TEST_POSTGRES_URL` is set,
//! once more on PostgreSQL (each test in a fresh database of its own). A set but
//! unreachable PostgreSQL fails the tests; it never skips them.

use orgca_model::{Environment, Serial};
use orgca_store::{NewCertificate, NewOrganisation, SerialIntent, Store, StoreError};
use uuid::Uuid;

use orgca_testkit::db::TestDb;
use orgca_testkit::on_all_backends;
use orgca_testkit::store::{NOW, certificate, intent, issued, issuing_ca, org};

on_all_backends!(
    organisations_unique_by_cvr,
    organisations_unique_by_cvr_case
);
async fn organisations_unique_by_cvr_case(db: &TestDb) {
    let url = db.url.clone();
    let store = Store::open(&url).await.expect("open");
    let a = org(&store, "99999991").await;
    assert_eq!(
        store.orgs().by_cvr("99999991").await.expect("by cvr"),
        Some(a.clone())
    );
    let again = NewOrganisation {
        cvr: a.cvr.clone(),
        name: "Other".into(),
        environment: Environment::Test,
    };
    assert!(matches!(
        store.orgs().create(&again, "test", NOW).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.orgs().list().await.expect("list").len(), 1);
    let report = store.audit().verify().await.expect("verify");
    assert_eq!((report.events, report.first_break), (1, None));
}

on_all_backends!(
    issuance_is_recorded_and_scoped,
    issuance_is_recorded_and_scoped_case
);
async fn issuance_is_recorded_and_scoped_case(db: &TestDb) {
    let url = db.url.clone();
    let store = Store::open(&url).await.expect("open");
    let issuer = issuing_ca(&store).await;
    let a = org(&store, "99999992").await;
    let b = org(&store, "99999993").await;
    let serial = Serial::from_random([9; 20]);
    store
        .ca()
        .reserve_serial(&intent(serial, &issuer, &a))
        .await
        .expect("reserve");
    // Recording the same intent again is harmless (a retry after a lost answer)...
    store
        .ca()
        .reserve_serial(&intent(serial, &issuer, &a))
        .await
        .expect("idempotent");
    // ...but the serial cannot be reserved for another TBS.
    let other = SerialIntent {
        tbs_sha256: [9; 32],
        ..intent(serial, &issuer, &a)
    };
    assert!(matches!(
        store.ca().reserve_serial(&other).await,
        Err(StoreError::Conflict(_))
    ));
    let cert = certificate(serial, &issuer, &a);
    store
        .issuance()
        .commit(&cert, "test", NOW)
        .await
        .expect("commit");
    let got = store
        .org(a.id)
        .certificate(cert.id)
        .await
        .expect("get")
        .expect("present");
    assert_eq!(
        (got.serial, got.status, got.der.as_slice()),
        (serial, orgca_model::CertStatus::Active, cert.der.as_slice())
    );
    // Organisation B sees nothing of A's.
    assert!(
        store
            .org(b.id)
            .certificate(cert.id)
            .await
            .expect("get")
            .is_none()
    );
    assert!(
        store
            .org(b.id)
            .certificates(100)
            .await
            .expect("list")
            .is_empty()
    );
    assert_eq!(
        store.org(a.id).certificates(100).await.expect("list").len(),
        1
    );
    // A serial used once cannot be committed again.
    let twice = NewCertificate {
        id: Uuid::new_v4(),
        ..cert.clone()
    };
    assert!(matches!(
        store.issuance().commit(&twice, "test", NOW).await,
        Err(StoreError::Conflict(_))
    ));
    // A serial never reserved is refused and nothing is written.
    let stray = certificate(Serial::from_random([3; 20]), &issuer, &a);
    assert!(matches!(
        store.issuance().commit(&stray, "test", NOW).await,
        Err(StoreError::Corrupt(_))
    ));
    // A serial reserved by another issuer cannot be certified by this one.
    let other = Serial::from_random([4; 20]);
    store
        .ca()
        .reserve_serial(&intent(other, "test-root", &a))
        .await
        .expect("reserve");
    assert!(matches!(
        store
            .issuance()
            .commit(&certificate(other, &issuer, &a), "test", NOW)
            .await,
        Err(StoreError::Corrupt(_))
    ));
    assert_eq!(
        store.org(a.id).certificates(100).await.expect("list").len(),
        1
    );
    let report = store.audit().verify().await.expect("verify");
    // 2 CAs + 2 organisations + 1 certificate.
    assert_eq!((report.events, report.first_break), (5, None));
}

on_all_backends!(audit_tampering_is_found, audit_tampering_is_found_case);
async fn audit_tampering_is_found_case(db: &TestDb) {
    let url = db.url.clone();
    let store = Store::open(&url).await.expect("open");
    let mut raw = db.raw().await;
    for cvr in ["99999994", "99999995", "99999996"] {
        org(&store, cvr).await;
    }
    assert_eq!(
        store.audit().verify().await.expect("verify").first_break,
        None
    );
    sqlx::query("UPDATE audit_events SET details = '{\"cvr\":\"12345674\"}' WHERE seq = 2")
        .execute(&mut raw)
        .await
        .expect("tamper");
    let report = store.audit().verify().await.expect("verify");
    let brk = report.first_break.expect("tampering found");
    assert_eq!(brk.seq, 2, "{brk:?}");
    assert!(brk.reason.contains("altered"), "{brk:?}");
}

on_all_backends!(audit_truncation_is_found, audit_truncation_is_found_case);
async fn audit_truncation_is_found_case(db: &TestDb) {
    let url = db.url.clone();
    let store = Store::open(&url).await.expect("open");
    let mut raw = db.raw().await;
    for cvr in ["99999997", "99999998"] {
        org(&store, cvr).await;
    }
    sqlx::query("DELETE FROM audit_events WHERE seq = 2")
        .execute(&mut raw)
        .await
        .expect("delete");
    let report = store.audit().verify().await.expect("verify");
    assert_eq!(report.first_break.map(|b| b.seq), Some(2));
}

on_all_backends!(data_survives_reopen, data_survives_reopen_case);
async fn data_survives_reopen_case(db: &TestDb) {
    let url = db.url.clone();
    let store = Store::open(&url).await.expect("open");
    let issuer = issuing_ca(&store).await;
    let a = org(&store, "99999990").await;
    let serial = Serial::from_random([5; 20]);
    let cert = issued(&store, serial, &issuer, &a).await;
    // Closing waits for every connection, the writer's too: it must not hang.
    tokio::time::timeout(std::time::Duration::from_secs(30), store.close())
        .await
        .expect("close returns once the writer is idle");
    let again = Store::open(&url)
        .await
        .expect("reopen (migrations are idempotent)");
    assert!(
        again
            .org(a.id)
            .certificate(cert.id)
            .await
            .expect("get")
            .is_some()
    );
    assert_eq!(again.ca().list().await.expect("list").len(), 2);
    assert_eq!(
        again.audit().verify().await.expect("verify").first_break,
        None
    );
}

on_all_backends!(
    concurrent_appenders_keep_one_chain,
    concurrent_appenders_keep_one_chain_case
);
async fn concurrent_appenders_keep_one_chain_case(db: &TestDb) {
    let url = db.url.clone();
    let store = Store::open(&url).await.expect("open");
    let mut tasks = Vec::new();
    for i in 0..16u32 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            org(&store, &format!("9{i:07}")).await;
        }));
    }
    for t in tasks {
        t.await.expect("join");
    }
    let report = store.audit().verify().await.expect("verify");
    assert_eq!((report.events, report.first_break), (16, None));
}

on_all_backends!(
    nodes_starting_at_once_migrate_once,
    nodes_starting_at_once_case
);
async fn nodes_starting_at_once_case(db: &TestDb) {
    // Four processes' worth of stores opening a fresh database at the same moment: the
    // migrations run once and every open succeeds.
    let opens: Vec<_> = (0..4)
        .map(|_| {
            let url = db.url.clone();
            tokio::spawn(async move { Store::open(&url).await })
        })
        .collect();
    let mut stores = Vec::new();
    for o in opens {
        stores.push(o.await.expect("join").expect("open"));
    }
    org(&stores[3], "99999989").await;
    assert!(
        stores[0]
            .orgs()
            .by_cvr("99999989")
            .await
            .expect("read")
            .is_some()
    );
}

on_all_backends!(a_certificate_for_another_tbs_is_refused, another_tbs_case);
async fn another_tbs_case(db: &TestDb) {
    // The intent records the TBS hash; a certificate whose TBS differs cannot use the serial.
    let store = db.open().await;
    let issuer = issuing_ca(&store).await;
    let a = org(&store, "99999988").await;
    let serial = Serial::from_random([6; 20]);
    store
        .ca()
        .reserve_serial(&intent(serial, &issuer, &a))
        .await
        .expect("reserve");
    let other = NewCertificate {
        tbs_sha256: [2; 32],
        ..certificate(serial, &issuer, &a)
    };
    assert!(matches!(
        store.issuance().commit(&other, "test", NOW).await,
        Err(StoreError::Corrupt(_))
    ));
    store
        .issuance()
        .commit(&certificate(serial, &issuer, &a), "test", NOW)
        .await
        .expect("the linted one");
}

on_all_backends!(
    audit_rows_outside_the_chain_are_found,
    outside_the_chain_case
);
async fn outside_the_chain_case(db: &TestDb) {
    let store = db.open().await;
    org(&store, "99999987").await;
    let mut raw = db.raw().await;
    sqlx::query(
        "INSERT INTO audit_events (seq, at, actor, org_id, action, object, details, prev_hash, hash) \
         VALUES (0, 0, 'mallory', NULL, 'x', 'x', '{}', 'x', 'x')",
    )
    .execute(&mut raw)
    .await
    .expect("insert");
    let report = store.audit().verify().await.expect("verify");
    let brk = report.first_break.expect("found");
    assert!(brk.reason.contains("outside the chain"), "{brk:?}");
}

on_all_backends!(
    verify_while_events_are_appended,
    verify_while_appending_case
);
async fn verify_while_appending_case(db: &TestDb) {
    // A verification that runs while others append must not report a break.
    let store = db.open().await;
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            for i in 0..40u32 {
                org(&store, &format!("98{i:06}")).await;
            }
        })
    };
    while !writer.is_finished() {
        let report = store.audit().verify().await.expect("verify");
        assert_eq!(report.first_break, None, "after {} events", report.events);
    }
    writer.await.expect("join");
    assert_eq!(store.audit().verify().await.expect("verify").events, 40);
}

fn new_user(email: &str, role: orgca_model::Role) -> orgca_store::NewUser {
    orgca_store::NewUser {
        email: orgca_model::Email::parse(email).expect("email"),
        given_name: orgca_model::PersonName::parse("given name", "Søren").expect("g"),
        surname: orgca_model::PersonName::parse("surname", "Ærø").expect("s"),
        role,
        seal: false,
        status: orgca_model::UserStatus::Active,
        external_id: None,
        directory_name: None,
    }
}

on_all_backends!(settings_users_and_tokens, settings_users_and_tokens_case);
async fn settings_users_and_tokens_case(db: &TestDb) {
    use orgca_model::Role;
    let store = db.open().await;
    let a = org(&store, "99999986").await;
    let b = org(&store, "99999985").await;
    // New organisations start with everything on; a change keeps what it does not name.
    assert!(
        a.settings.user_certificates && a.settings.organisation_certificates && a.settings.seals
    );
    let change = orgca_model::SettingsChange {
        seals: Some(false),
        ..Default::default()
    };
    let after = store
        .orgs()
        .change_settings(&a, change, "test", NOW)
        .await
        .expect("change");
    assert!(after.user_certificates && after.organisation_certificates && !after.seals);
    let again = store
        .orgs()
        .by_cvr("99999986")
        .await
        .expect("read")
        .expect("present");
    assert_eq!(again.settings, after);
    // Users are confined to their organisation; an address names at most one user of
    // an organisation (in any case), and another organisation may have it too.
    let admin = store
        .org(a.id)
        .create_user(&new_user("admin@a.dk", Role::OrgAdmin), "test", NOW)
        .await
        .expect("user");
    assert!(matches!(
        store
            .org(a.id)
            .create_user(&new_user("ADMIN@a.dk", Role::User), "test", NOW)
            .await,
        Err(StoreError::Conflict(_))
    ));
    let namesake = store
        .org(b.id)
        .create_user(
            &new_user("Admin@a.dk", Role::User),
            "test",
            NOW.plus_secs(1),
        )
        .await
        .expect("the same address in another organisation");
    assert_eq!(
        store.org(a.id).user(admin.id).await.expect("get"),
        Some(admin.clone())
    );
    assert_eq!(store.org(b.id).user(admin.id).await.expect("get"), None);
    assert_eq!(
        store.org(b.id).users().await.expect("list"),
        vec![namesake.clone()]
    );
    assert_eq!(
        store.users_by_email("admin@A.dk").await.expect("by email"),
        vec![admin.clone(), namesake]
    );
    // Tokens are found by their hash only.
    store
        .tokens()
        .create(&admin, [0x42; 32], "test", NOW)
        .await
        .expect("token");
    assert_eq!(
        store.tokens().authenticate([0x42; 32]).await.expect("auth"),
        Some(admin)
    );
    assert_eq!(
        store.tokens().authenticate([0x43; 32]).await.expect("auth"),
        None
    );
    // Operator tokens live apart: a user token's hash is not an operator's, nor the
    // other way round.
    let op = store
        .tokens()
        .create_operator("support desk", [0x44; 32], "test", NOW)
        .await
        .expect("operator token");
    assert_eq!(
        store
            .tokens()
            .authenticate_operator([0x44; 32])
            .await
            .expect("auth"),
        Some(op)
    );
    assert_eq!(
        store
            .tokens()
            .authenticate_operator([0x42; 32])
            .await
            .expect("auth"),
        None
    );
    assert_eq!(
        store.tokens().authenticate([0x44; 32]).await.expect("auth"),
        None
    );
    let report = store.audit().verify().await.expect("verify");
    // 2 organisations + settings change + 2 users + 1 token + 1 operator token.
    assert_eq!((report.events, report.first_break), (7, None));
}

on_all_backends!(blocking_is_permanent_and_scoped, blocking_case);
async fn blocking_case(db: &TestDb) {
    use orgca_model::BlockReason;
    let store = db.open().await;
    let issuer = issuing_ca(&store).await;
    let a = org(&store, "99999980").await;
    let b = org(&store, "99999979").await;
    let mut ids = Vec::new();
    for i in 0..3u8 {
        ids.push(
            issued(&store, Serial::from_random([i + 1; 20]), &issuer, &a)
                .await
                .id,
        );
    }
    assert_eq!(
        store.status().status_revision(&issuer).await.expect("rev"),
        0
    );
    // Another organisation cannot block A's certificate, nor learn it exists.
    assert!(
        store
            .org(b.id)
            .block(ids[0], BlockReason::KeyCompromised, &[], "b", NOW)
            .await
            .expect("block")
            .is_none()
    );
    let mail = orgca_store::NewMail {
        recipient: "ane@a.dk".into(),
        subject: "blocked".into(),
        body: "x".into(),
    };
    let first = store
        .org(a.id)
        .block(
            ids[0],
            BlockReason::KeyCompromised,
            std::slice::from_ref(&mail),
            "a",
            NOW.plus_secs(5),
        )
        .await
        .expect("block")
        .expect("A's");
    assert!(first.newly);
    assert_eq!(
        (
            first.certificate.status.as_str(),
            first.certificate.blocked_at,
            first.certificate.block_reason
        ),
        (
            "blocked",
            Some(NOW.plus_secs(5)),
            Some(BlockReason::KeyCompromised)
        )
    );
    // Blocking again changes nothing and queues no second notice.
    let again = store
        .org(a.id)
        .block(
            ids[0],
            BlockReason::Superseded,
            &[mail],
            "a",
            NOW.plus_secs(9),
        )
        .await
        .expect("block")
        .expect("A's");
    assert!(!again.newly);
    assert_eq!(again.certificate.blocked_at, Some(NOW.plus_secs(5)));
    assert_eq!(
        again.certificate.block_reason,
        Some(BlockReason::KeyCompromised)
    );
    assert_eq!(
        store
            .mail()
            .due(NOW.plus_secs(100), 10)
            .await
            .expect("due")
            .len(),
        1
    );
    store
        .org(a.id)
        .block(
            ids[2],
            BlockReason::ContentWrong,
            &[],
            "a",
            NOW.plus_secs(6),
        )
        .await
        .expect("block");
    assert_eq!(
        store.status().status_revision(&issuer).await.expect("rev"),
        2
    );
    // What a CRL lists: the two blocked ones, in serial order, with their reasons.
    let mut listed = Vec::new();
    let n = store
        .status()
        .for_each_revoked(&issuer, None, |e| {
            listed.push(e);
            Ok(())
        })
        .await
        .expect("list");
    assert_eq!(n, 2);
    assert_eq!(
        listed
            .iter()
            .map(|e| (e.serial.as_bytes()[19], e.revoked_at, e.reason))
            .collect::<Vec<_>>(),
        [(1, NOW.plus_secs(5), 1), (3, NOW.plus_secs(6), 0)]
    );
    // A partition lists only its own (serial 1 is in partition 1, serial 3 in 0).
    for (shard, want) in [(0u16, vec![3u8]), (1, vec![1]), (2, vec![])] {
        let mut listed = Vec::new();
        store
            .status()
            .for_each_revoked(&issuer, Some(shard), |e| {
                listed.push(e.serial.as_bytes()[19]);
                Ok(())
            })
            .await
            .expect("list");
        assert_eq!(listed, want, "partition {shard}");
    }
    // The partition count never shrinks.
    assert_eq!(
        store
            .status()
            .crl_partitions(&issuer, 3)
            .await
            .expect("parts"),
        3
    );
    assert_eq!(
        store
            .status()
            .crl_partitions(&issuer, 0)
            .await
            .expect("parts"),
        3
    );
    assert_eq!(
        store
            .status()
            .crl_partitions(&issuer, 4)
            .await
            .expect("parts"),
        4
    );
    // CRL numbers only go up.
    let numbers: Vec<i64> = crl_numbers(&store, &issuer).await;
    assert_eq!(numbers, [1, 2, 3]);
    let report = store.audit().verify().await.expect("verify");
    assert_eq!(report.first_break, None);
}

async fn crl_numbers(store: &Store, issuer: &str) -> Vec<i64> {
    let mut out = Vec::new();
    for _ in 0..3 {
        out.push(
            store
                .status()
                .next_crl_number(issuer, 0)
                .await
                .expect("number"),
        );
    }
    out
}

on_all_backends!(expiry_notices_are_recorded_once, expiry_notices_case);
async fn expiry_notices_case(db: &TestDb) {
    let store = db.open().await;
    let issuer = issuing_ca(&store).await;
    let a = org(&store, "99999978").await;
    let b = org(&store, "99999977").await;
    let cert = issued(&store, Serial::from_random([4; 20]), &issuer, &a).await;
    // It expires at NOW.plus_secs(10): seen from NOW with a 100-second horizon, not from later.
    let seen = store
        .expiring(NOW, NOW.plus_secs(100), 10)
        .await
        .expect("expiring");
    assert_eq!(seen.iter().map(|c| c.id).collect::<Vec<_>>(), [cert.id]);
    assert!(
        store
            .expiring(NOW.plus_secs(10), NOW.plus_secs(100), 10)
            .await
            .expect("expiring")
            .is_empty()
    );
    let mail = orgca_store::NewMail {
        recipient: "ane@a.dk".into(),
        subject: "expires".into(),
        body: "x".into(),
    };
    // Another organisation cannot record a notice for it.
    assert!(
        !store
            .org(b.id)
            .record_expiry_notice(cert.id, 30, &mail, NOW)
            .await
            .expect("b")
    );
    assert!(
        store
            .org(a.id)
            .record_expiry_notice(cert.id, 30, &mail, NOW)
            .await
            .expect("first")
    );
    assert!(
        !store
            .org(a.id)
            .record_expiry_notice(cert.id, 30, &mail, NOW)
            .await
            .expect("again")
    );
    assert!(
        store
            .org(a.id)
            .record_expiry_notice(cert.id, 7, &mail, NOW)
            .await
            .expect("next point")
    );
    assert_eq!(
        store
            .mail()
            .due(NOW.plus_secs(1), 10)
            .await
            .expect("due")
            .len(),
        2
    );
}

on_all_backends!(stale_pickups_are_given_back, stale_pickups_case);
async fn stale_pickups_case(db: &TestDb) {
    use orgca_model::{Identification, Issuance, OrderStatus};
    use orgca_store::NewOrder;
    let store = db.open().await;
    let a = org(&store, "99999976").await;
    let scope = store.org(a.id);
    let profile =
        orgca_testkit::store::system_profile(&store, &a, "Afhentning", ("Ane", "ane@a.dk")).await;
    let order = scope
        .create_order(
            &NewOrder {
                id: Uuid::new_v4(),
                reference: "ABCD-EFGH".into(),
                subject: orgca_model::OrderSubject::Profile(profile.id),
                identification: Identification::OneTimeCode,
                issuance: Issuance::Csr,
                status: OrderStatus::Ready,
                code_sha256: Some([3; 32]),
                expires_at: NOW.plus_secs(1000),
                renews: None,
            },
            None,
            &[],
            "test",
            NOW,
        )
        .await
        .expect("order");
    let pickup = store.pickup();
    assert!(pickup.claim(&order, NOW).await.expect("claim"));
    assert!(!pickup.claim(&order, NOW).await.expect("claimed once only"));
    // A pick-up in progress is left alone; one older than the cut-off is given back.
    assert_eq!(pickup.release_stale(NOW).await.expect("sweep"), 0);
    assert_eq!(
        pickup
            .release_stale(NOW.plus_secs(601))
            .await
            .expect("sweep"),
        1
    );
    let again = scope.order(order.id).await.expect("get").expect("present");
    assert_eq!(again.status, OrderStatus::Ready);
    // An expired order cannot be taken.
    assert!(
        !pickup
            .claim(&order, NOW.plus_secs(1001))
            .await
            .expect("claim")
    );
}

on_all_backends!(logins_are_limited_and_links_work_once, logins_case);
async fn logins_case(db: &TestDb) {
    use orgca_store::FailureLimit;
    let store = db.open().await;
    let a = org(&store, "99999958").await;
    let user = store
        .org(a.id)
        .create_user(&new_user("It@a.dk", orgca_model::Role::User), "t", NOW)
        .await
        .expect("user");
    // The address names the account in any case: another spelling is taken.
    let clash = store
        .org(a.id)
        .create_user(&new_user("it@A.DK", orgca_model::Role::User), "t", NOW)
        .await;
    assert!(
        matches!(clash, Err(orgca_store::StoreError::Conflict(_))),
        "{clash:?}"
    );
    let logins = store.logins();
    // Three attempts pass; the fourth locks the key for 50 s; a quiet window starts over.
    let limit = FailureLimit {
        allowed: 3,
        window: 100,
        lock: 50,
    };
    for at in [NOW, NOW.plus_secs(1), NOW.plus_secs(2)] {
        assert!(logins.count_attempt("k", limit, at).await.expect("count"));
    }
    assert!(
        !logins
            .count_attempt("k", limit, NOW.plus_secs(3))
            .await
            .expect("count")
    );
    assert!(
        !logins
            .count_attempt("k", limit, NOW.plus_secs(52))
            .await
            .expect("count")
    );
    assert!(
        logins
            .count_attempt("k", limit, NOW.plus_secs(54))
            .await
            .expect("count")
    );
    assert!(
        logins
            .count_attempt("other", limit, NOW.plus_secs(3))
            .await
            .expect("count")
    );
    // Only the newest password link works, and only once; the address matches in any case.
    logins
        .create_password_link(&user, [1; 32], &[], "t", NOW, NOW.plus_secs(100))
        .await
        .expect("link");
    logins
        .create_password_link(&user, [2; 32], &[], "t", NOW, NOW.plus_secs(100))
        .await
        .expect("link");
    let set =
        |token: [u8; 32], at: orgca_model::UnixTime| logins.set_password_by_link(token, "phc", at);
    assert!(set([1; 32], NOW.plus_secs(1)).await.expect("set").is_none());
    assert!(
        set([2; 32], NOW.plus_secs(101))
            .await
            .expect("set")
            .is_none(),
        "expired"
    );
    logins
        .create_password_link(&user, [3; 32], &[], "t", NOW, NOW.plus_secs(100))
        .await
        .expect("link");
    assert_eq!(
        set([3; 32], NOW.plus_secs(1))
            .await
            .expect("set")
            .map(|u| u.id),
        Some(user.id)
    );
    assert!(
        set([3; 32], NOW.plus_secs(2)).await.expect("set").is_none(),
        "used"
    );
    let accounts = logins.accounts("it@A.DK").await.expect("accounts");
    assert_eq!(
        accounts
            .iter()
            .map(|a| (a.user.id, a.password_hash.as_deref(), a.password_login))
            .collect::<Vec<_>>(),
        vec![(user.id, Some("phc"), true)]
    );
    // A session shows its user and CSRF token until it ends or expires.
    logins
        .start_session(
            [9; 32],
            &user,
            orgca_store::LoginMethod::Password,
            "csrf",
            NOW,
            NOW.plus_secs(10),
        )
        .await
        .expect("session");
    let (u, csrf) = logins
        .session([9; 32], NOW.plus_secs(1))
        .await
        .expect("s")
        .expect("live");
    assert_eq!((u.id, csrf.as_str()), (user.id, "csrf"));
    assert!(
        logins
            .session([9; 32], NOW.plus_secs(10))
            .await
            .expect("s")
            .is_none(),
        "expired"
    );
    logins.end_session([9; 32]).await.expect("end");
    assert!(
        logins
            .session([9; 32], NOW.plus_secs(1))
            .await
            .expect("s")
            .is_none(),
        "ended"
    );
}

on_all_backends!(mail_bodies_are_sealed_at_rest, mail_sealing_case);
async fn mail_sealing_case(db: &TestDb) {
    use orgca_store::NewMail;
    use sqlx::Row;
    let store = db.open().await;
    let a = org(&store, "99999939").await;
    let user = store
        .org(a.id)
        .create_user(&new_user("it@a.dk", orgca_model::Role::User), "t", NOW)
        .await
        .expect("user");
    let mail = NewMail {
        recipient: "it@a.dk".into(),
        subject: "Set your orgca password".into(),
        body: "https://ca.example/portal/password/LINKTOKEN".into(),
    };
    // Without the mail key, queuing is refused and the change that queues it is undone.
    let keyless = Store::open(&db.url).await.expect("open");
    let refused = keyless
        .logins()
        .create_password_link(
            &user,
            [5; 32],
            std::slice::from_ref(&mail),
            "t",
            NOW,
            NOW.plus_secs(9),
        )
        .await;
    assert!(matches!(refused, Err(StoreError::NoMailKey)), "{refused:?}");
    assert!(
        store
            .logins()
            .set_password_by_link([5; 32], "phc", NOW.plus_secs(1))
            .await
            .expect("set")
            .is_none(),
        "the link of a refused change does not exist"
    );
    store
        .logins()
        .create_password_link(
            &user,
            [6; 32],
            std::slice::from_ref(&mail),
            "t",
            NOW,
            NOW.plus_secs(9),
        )
        .await
        .expect("link");
    // At rest: sealed, no token; to send: the body as queued.
    let raw = sqlx::AnyPool::connect(&db.url).await.expect("raw");
    let stored: String = sqlx::query("SELECT body FROM mail_queue")
        .fetch_one(&raw)
        .await
        .expect("row")
        .get("body");
    assert!(
        stored.starts_with("sealed1:") && !stored.contains("LINKTOKEN"),
        "{stored}"
    );
    let due = store.mail().due(NOW.plus_secs(1), 10).await.expect("due");
    assert!(
        matches!(due.as_slice(), [Ok(m)] if m.body == mail.body),
        "{due:?}"
    );
    // Another passphrase, or none, reads nothing.
    assert!(matches!(
        keyless.mail().due(NOW.plus_secs(1), 10).await,
        Err(StoreError::NoMailKey)
    ));
    let other = Store::open(&db.url)
        .await
        .expect("open")
        .with_mail_key(b"another passphrase")
        .await
        .expect("key");
    let due = other.mail().due(NOW.plus_secs(1), 10).await.expect("due");
    assert!(
        matches!(due.as_slice(), [Err(u)] if u.why.contains("does not open")),
        "{due:?}"
    );
    // A body moved to another message does not open.
    sqlx::query("UPDATE mail_queue SET subject = 'Something else'")
        .execute(&raw)
        .await
        .expect("tamper");
    let due = store.mail().due(NOW.plus_secs(1), 10).await.expect("due");
    assert!(
        matches!(due.as_slice(), [Err(u)] if u.why.contains("does not open")),
        "{due:?}"
    );
    raw.close().await;
}

on_all_backends!(kept_crls_never_go_back, kept_crls_never_go_back_case);
/// A kept CRL must number above every CRL its CA has published, and moves the CA's
/// counter past it: relying parties never see a CRL number go back.
async fn kept_crls_never_go_back_case(db: &TestDb) {
    use orgca_store::{CrlOrigin, Keeping, KeptCrl};
    let store = Store::open(&db.url).await.expect("open");
    let _ = issuing_ca(&store).await;
    let status = store.status();
    for _ in 0..3 {
        status
            .next_crl_number("test-root", 0)
            .await
            .expect("number");
    }
    let crl = |number| KeptCrl {
        ca_name: "test-root".into(),
        number,
        this_update: NOW,
        next_update: NOW.plus_secs(86_400),
        der: vec![0x30, 0x00],
        origin: CrlOrigin::Ceremony,
    };
    let ca = store.ca();
    assert_eq!(
        ca.keep_crl(&crl(3), "test", NOW).await.expect("keep"),
        Keeping::NotNewer { published: 3 }
    );
    assert_eq!(
        ca.keep_crl(&crl(10), "test", NOW).await.expect("keep"),
        Keeping::Kept
    );
    assert_eq!(
        ca.keep_crl(&crl(9), "test", NOW).await.expect("keep"),
        Keeping::NotNewer { published: 10 }
    );
    assert_eq!(ca.kept_crls().await.expect("kept"), vec![crl(10)]);
    assert_eq!(
        status
            .next_crl_number("test-root", 0)
            .await
            .expect("number"),
        11
    );
    // A floor above the counter is taken (a CRL's time in nanoseconds), and the next
    // number after it is one more even when its floor is lower: numbers never go back.
    let at = 1_800_000_000_000_000_000;
    assert_eq!(
        status.next_crl_number("test-root", at).await.expect("n"),
        at
    );
    assert_eq!(
        status
            .next_crl_number("test-root", at - 5)
            .await
            .expect("n"),
        at + 1
    );
    assert_eq!(
        status.next_crl_number("test-root", 0).await.expect("n"),
        at + 2
    );
    let report = store.audit().verify().await.expect("verify");
    assert_eq!(report.first_break, None);
}

on_all_backends!(
    a_lease_has_one_holder_until_it_runs_out,
    a_lease_has_one_holder_until_it_runs_out_case
);
/// One node holds a lease at a time; it renews its own; another takes it only once it has
/// run out or was given up.
async fn a_lease_has_one_holder_until_it_runs_out_case(db: &TestDb) {
    let store = Store::open(&db.url).await.expect("open");
    let leases = store.leases();
    let hold = |who: &'static str, at: i64| {
        let leases = leases.clone();
        async move {
            leases
                .hold("crl", who, NOW.plus_secs(at), 10)
                .await
                .expect("hold")
        }
    };
    assert!(hold("a", 0).await);
    assert!(!hold("b", 1).await, "a holds it");
    assert!(hold("a", 5).await, "a renews its own");
    assert!(!hold("b", 14).await, "renewed until 15");
    assert!(hold("b", 15).await, "run out: b takes it");
    assert!(!hold("a", 16).await);
    assert_eq!(
        leases
            .holder("crl", NOW.plus_secs(16))
            .await
            .expect("holder")
            .as_deref(),
        Some("b")
    );
    leases.release_all("b").await.expect("release");
    assert!(hold("a", 17).await, "given up: a takes it at once");
}

on_all_backends!(
    a_stored_crl_is_replaced_only_by_a_higher_number,
    a_stored_crl_is_replaced_only_by_a_higher_number_case
);
async fn a_stored_crl_is_replaced_only_by_a_higher_number_case(db: &TestDb) {
    let store = Store::open(&db.url).await.expect("open");
    let status = store.status();
    let crl = |number| orgca_store::StoredCrl {
        name: "test-issuing-1".into(),
        number,
        this_update: NOW,
        next_update: NOW.plus_secs(3600),
        entries: 0,
        revision: 1,
        der: vec![0x30, 0x00],
    };
    assert!(status.publish_crl(&crl(5)).await.expect("publish"));
    assert!(!status.publish_crl(&crl(4)).await.expect("publish"));
    assert!(!status.publish_crl(&crl(5)).await.expect("publish"));
    assert!(status.publish_crl(&crl(6)).await.expect("publish"));
    assert_eq!(
        status.published_numbers().await.expect("numbers"),
        vec![("test-issuing-1".to_owned(), 6)]
    );
    assert_eq!(
        status.published_crl("test-issuing-1").await.expect("crl"),
        Some(crl(6))
    );
}

on_all_backends!(
    a_copy_reads_back_row_for_row_and_refuses_a_full_destination,
    a_copy_case
);
/// The destination of a copy: the other backend when PostgreSQL is there (SQLite to
/// PostgreSQL is the move operators make, PostgreSQL to SQLite is a backup), else a
/// second SQLite file.
async fn other_backend(source: &TestDb) -> TestDb {
    match std::env::var("ORGCA_TEST_POSTGRES_URL") {
        Ok(base) if source.url.starts_with("sqlite:") => TestDb::postgres(&base).await,
        _ => TestDb::sqlite(),
    }
}
async fn a_copy_case(db: &TestDb) {
    use orgca_model::BlockReason;
    let store = db.open().await;
    // Rows of every kind the copy must carry: CAs (an issuing CA refers to its root),
    // organisations, users, certificates, a block with its queued (sealed) mail, the
    // audit chain and a CRL number.
    let issuer = issuing_ca(&store).await;
    let a = org(&store, "99999930").await;
    let user = store
        .org(a.id)
        .create_user(&new_user("copy@a.dk", orgca_model::Role::User), "t", NOW)
        .await
        .expect("user");
    let mut ids = Vec::new();
    for i in 0..3u8 {
        ids.push(
            issued(&store, Serial::from_random([i + 40; 20]), &issuer, &a)
                .await
                .id,
        );
    }
    let mail = orgca_store::NewMail {
        recipient: user.email.clone(),
        subject: "blocked".into(),
        body: "your certificate is blocked".into(),
    };
    store
        .org(a.id)
        .block(
            ids[1],
            BlockReason::KeyCompromised,
            &[mail],
            "a",
            NOW.plus_secs(5),
        )
        .await
        .expect("block")
        .expect("A's");
    let crl = store
        .status()
        .next_crl_number(&issuer, 7)
        .await
        .expect("crl number");
    let notice = orgca_store::NewMail {
        recipient: user.email.clone(),
        subject: "expires".into(),
        body: "your certificate expires".into(),
    };
    assert!(
        store
            .org(a.id)
            .record_expiry_notice(ids[0], 30, &notice, NOW)
            .await
            .expect("notice")
    );

    let target = other_backend(db).await;
    let copy = Store::open(&target.url).await.expect("open target");
    let written = store.copy_into(&copy).await.expect("copy");
    assert_eq!(written.rows("certificates"), 3);
    assert_eq!(written.rows("ca_certificates"), 2);
    assert_eq!(written.rows("expiry_notices"), 1);
    assert_eq!(written.rows("users"), 1);
    assert!(written.rows("audit_events") >= 6);
    // Read again in a snapshot of its own, the copy is the source, table for table.
    let source = store.digest().await.expect("digest");
    assert_eq!(copy.digest().await.expect("digest"), source);
    assert_eq!(source, written);
    // What it holds reads as it did: the chain, a certificate, its block, the mail
    // (sealed with the same salt, so that the same passphrase opens it), the next CRL
    // number.
    let report = copy.audit().verify().await.expect("verify");
    assert_eq!(report.first_break, None);
    assert_eq!(report.events as u64, written.rows("audit_events"));
    let blocked = copy
        .org(a.id)
        .certificate(ids[1])
        .await
        .expect("get")
        .expect("copied");
    assert_eq!(blocked.status, orgca_model::CertStatus::Blocked);
    let copy = copy
        .with_mail_key(orgca_testkit::db::PASSPHRASE)
        .await
        .expect("mail key");
    let queued = copy.mail().due(NOW.plus_secs(60), 10).await.expect("due");
    assert_eq!(queued.len(), 2);
    assert!(
        queued.iter().all(Result::is_ok),
        "the copied mail opens with the same passphrase"
    );
    assert!(
        copy.status()
            .next_crl_number(&issuer, 0)
            .await
            .expect("crl number")
            > crl
    );
    // A destination that holds data is refused, and left as it was.
    let before = copy.digest().await.expect("digest");
    let refused = store.copy_into(&copy).await;
    assert!(
        matches!(&refused, Err(StoreError::CopyRefused(m)) if m.contains("not empty")),
        "{refused:?}"
    );
    assert_eq!(copy.digest().await.expect("digest"), before);
    target.drop_pg().await;
    // A snapshot into a file (what a backup archives) holds the same tables, in one
    // file with no write-ahead log beside it.
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("snapshot.db");
    let snapshot = store.snapshot_to_file(&file).await.expect("snapshot");
    assert_eq!(snapshot, store.digest().await.expect("digest"));
    assert!(!dir.path().join("snapshot.db-wal").exists());
    let reopened = Store::open(&format!("sqlite://{}", file.display()))
        .await
        .expect("open the snapshot");
    assert_eq!(reopened.digest().await.expect("digest"), snapshot);
    // A table this orgca does not know would be lost: the copy refuses.
    {
        use sqlx::Executor;
        let mut raw = db.raw().await;
        raw.execute("CREATE TABLE stray_notes (note TEXT)")
            .await
            .expect("create");
    }
    let fresh = TestDb::sqlite();
    let refused = store
        .copy_into(&Store::open(&fresh.url).await.expect("open"))
        .await;
    assert!(
        matches!(&refused, Err(StoreError::CopyRefused(m)) if m.contains("stray_notes")),
        "{refused:?}"
    );
}
