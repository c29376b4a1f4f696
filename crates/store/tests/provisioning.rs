//! The directory's side of the store (SCIM provisioning), on SQLite and PostgreSQL:
//! provisioning tokens, the directory's view and look-ups, rewriting a user, and
//! off-boarding, which ends the user, blocks their employee certificates and cancels
//! their open orders in one transaction, for one organisation only.

use orgca_model::{
    BlockReason, CertKind, Email, Identification, Issuance, OrderStatus, OrderSubject, PersonName,
    Serial, UserStatus,
};
use orgca_store::{DirectoryEntry, DirectoryMatch, Ending, NewMail, NewOrder, NewUser, Store};
use uuid::Uuid;

use orgca_testkit::db::TestDb;
use orgca_testkit::on_all_backends;
use orgca_testkit::store::{NOW, certificate, intent, issuing_ca, org};

fn person(email: &str, external: Option<&str>, directory_name: Option<&str>) -> NewUser {
    NewUser {
        email: Email::parse(email).expect("email"),
        given_name: PersonName::parse("given name", "Jens").expect("g"),
        surname: PersonName::parse("surname", "Hansen").expect("s"),
        role: orgca_model::Role::User,
        seal: false,
        status: UserStatus::Active,
        external_id: external.map(Into::into),
        directory_name: directory_name.map(Into::into),
    }
}

/// An employee certificate of `user`, committed as the CA does.
async fn employee_certificate(
    store: &Store,
    issuer: &str,
    org: &orgca_model::Organisation,
    user: Uuid,
    n: u8,
) -> Uuid {
    let serial = Serial::from_random([n; 20]);
    let mut intent = intent(serial, issuer, org);
    intent.kind = CertKind::Employee;
    intent.subject_uuid = user;
    store.ca().reserve_serial(&intent).await.expect("reserve");
    let mut cert = certificate(serial, issuer, org);
    cert.kind = CertKind::Employee;
    cert.subject_uuid = user;
    cert.email = Some("jens@a.dk".into());
    store
        .issuance()
        .commit(&cert, "test", NOW)
        .await
        .expect("commit");
    cert.id
}

async fn employee_order(
    store: &Store,
    org: &orgca_model::Organisation,
    user: Uuid,
    reference: &str,
) -> Uuid {
    store
        .org(org.id)
        .create_order(
            &NewOrder {
                id: Uuid::new_v4(),
                reference: reference.into(),
                subject: OrderSubject::User(user),
                identification: Identification::UserLogin,
                issuance: Issuance::Pkcs12,
                status: OrderStatus::Ready,
                code_sha256: None,
                expires_at: NOW.plus_secs(1000),
                renews: None,
            },
            None,
            &[],
            "test",
            NOW,
        )
        .await
        .expect("order")
        .id
}

on_all_backends!(
    offboarding_ends_a_user_blocks_and_cancels_in_one_organisation,
    offboarding_case
);
async fn offboarding_case(db: &TestDb) {
    let store = db.open().await;
    let issuer = issuing_ca(&store).await;
    let a = org(&store, "99999982").await;
    let b = org(&store, "99999983").await;
    let scope = store.org(a.id);
    let jens = scope
        .create_user(
            &person(
                "jens@a.dk",
                Some("entra-1"),
                Some("jens@contoso.onmicrosoft.com"),
            ),
            "scim:t",
            NOW,
        )
        .await
        .expect("user");
    let kim = scope
        .create_user(&person("kim@a.dk", None, None), "scim:t", NOW.plus_secs(1))
        .await
        .expect("user");
    // The same external id and address in another organisation are another user's.
    store
        .org(b.id)
        .create_user(&person("jens@a.dk", Some("entra-1"), None), "scim:u", NOW)
        .await
        .expect("B's user");
    // In one organisation, an external id or a directory name is one user's.
    for taken in [
        person("other@a.dk", Some("entra-1"), None),
        person("other@a.dk", None, Some("JENS@contoso.onmicrosoft.com")),
    ] {
        let refused = scope.create_user(&taken, "scim:t", NOW).await;
        assert!(
            matches!(refused, Err(orgca_store::StoreError::Conflict(_))),
            "{refused:?}"
        );
    }

    // Look-ups: by directory name in any case (an address stands in for a missing
    // name), by external id exactly, and every user with paging.
    let (n, found) = scope
        .directory_users(
            DirectoryMatch::UserName("Jens@Contoso.onmicrosoft.com"),
            0,
            10,
        )
        .await
        .expect("by name");
    assert_eq!((n, found[0].id), (1, jens.id));
    let (n, found) = scope
        .directory_users(DirectoryMatch::UserName("KIM@a.dk"), 0, 10)
        .await
        .expect("by address");
    assert_eq!((n, found[0].id), (1, kim.id));
    let (n, _) = scope
        .directory_users(DirectoryMatch::ExternalId("ENTRA-1"), 0, 10)
        .await
        .expect("by id");
    assert_eq!(n, 0, "external ids match exactly");
    let (n, page) = scope
        .directory_users(DirectoryMatch::All, 1, 1)
        .await
        .expect("page");
    assert_eq!((n, page.len(), page[0].id), (2, 1, kim.id));

    // A rewrite changes what the directory owns, and refuses another user's address.
    let entry = |email: &str| DirectoryEntry {
        email: Email::parse(email).expect("email"),
        given_name: PersonName::parse("g", "Jens").expect("g"),
        surname: PersonName::parse("s", "Hansen-Berg").expect("s"),
        external_id: Some("entra-1".into()),
        directory_name: Some("jens@contoso.onmicrosoft.com".into()),
    };
    let refused = scope
        .rewrite_from_directory(jens.id, &entry("kim@a.dk"), "scim:t", NOW)
        .await;
    assert!(
        matches!(refused, Err(orgca_store::StoreError::Conflict(_))),
        "{refused:?}"
    );
    let renamed = scope
        .rewrite_from_directory(jens.id, &entry("jens@a.dk"), "scim:t", NOW.plus_secs(1))
        .await
        .expect("rewrite")
        .expect("A's");
    assert_eq!(
        (renamed.surname.as_str(), renamed.modified_at),
        ("Hansen-Berg", NOW.plus_secs(1))
    );
    assert!(
        store
            .org(b.id)
            .rewrite_from_directory(jens.id, &entry("jens@a.dk"), "scim:u", NOW)
            .await
            .expect("rewrite")
            .is_none(),
        "another organisation's user is not found"
    );

    // Jens holds two employee certificates (one blocked already) and two open orders;
    // Kim holds one certificate.
    let kept = employee_certificate(&store, &issuer, &a, jens.id, 1).await;
    let blocked_before = employee_certificate(&store, &issuer, &a, jens.id, 2).await;
    let kims = employee_certificate(&store, &issuer, &a, kim.id, 3).await;
    scope
        .block(blocked_before, BlockReason::KeyLost, &[], "a", NOW)
        .await
        .expect("block")
        .expect("A's");
    let orders = [
        employee_order(&store, &a, jens.id, "JENS-0001").await,
        employee_order(&store, &a, jens.id, "JENS-0002").await,
    ];
    let kims_order = employee_order(&store, &a, kim.id, "KIMS-0001").await;
    let revision = store.status().status_revision(&issuer).await.expect("rev");

    // Another organisation cannot off-board A's user.
    let notice = |c: &orgca_model::CertificateRecord| {
        Some(NewMail {
            recipient: "jens@a.dk".into(),
            subject: format!("blocked {}", c.serial),
            body: "left".into(),
        })
    };
    assert!(
        store
            .org(b.id)
            .offboard(jens.id, Ending::Deactivated, &notice, "scim:u", NOW)
            .await
            .expect("offboard")
            .is_none()
    );
    // Jens has an API token; it ends with him.
    store
        .tokens()
        .create(&renamed, [9; 32], "operator", NOW)
        .await
        .expect("token");
    assert!(
        store
            .tokens()
            .authenticate([9; 32])
            .await
            .expect("auth")
            .is_some()
    );
    let done = scope
        .offboard(
            jens.id,
            Ending::Deactivated,
            &notice,
            "scim:t",
            NOW.plus_secs(5),
        )
        .await
        .expect("offboard")
        .expect("A's");
    assert_eq!(
        done.blocked.iter().map(|c| c.id).collect::<Vec<_>>(),
        [kept],
        "only what was active"
    );
    let mut cancelled = done.cancelled.clone();
    cancelled.sort();
    let mut expected = orders.to_vec();
    expected.sort();
    assert_eq!(cancelled, expected);
    let c = scope.certificate(kept).await.expect("get").expect("A's");
    assert_eq!(
        (c.status.as_str(), c.block_reason, c.blocked_at),
        (
            "blocked",
            Some(BlockReason::LeftOrganisation),
            Some(NOW.plus_secs(5))
        )
    );
    let earlier = scope
        .certificate(blocked_before)
        .await
        .expect("get")
        .expect("A's");
    assert_eq!(
        earlier.block_reason,
        Some(BlockReason::KeyLost),
        "the earlier block stands"
    );
    for o in orders {
        let o = scope.order(o).await.expect("get").expect("A's");
        assert_eq!(o.status, OrderStatus::Cancelled);
    }
    // Kim's are untouched; the issuer's status moved on; one notice is queued.
    let k = scope.certificate(kims).await.expect("get").expect("A's");
    assert_eq!(k.status.as_str(), "active");
    let ko = scope.order(kims_order).await.expect("get").expect("A's");
    assert_eq!(ko.status, OrderStatus::Ready);
    assert!(store.status().status_revision(&issuer).await.expect("rev") > revision);
    let due = store.mail().due(NOW.plus_secs(100), 10).await.expect("due");
    assert_eq!(due.len(), 1);
    let user = scope.user(jens.id).await.expect("get").expect("A's");
    assert_eq!(user.status, UserStatus::Deactivated);
    // A write by whoever read him as active before is refused, not written over; one
    // that read him as deactivated activates him, and his token stays revoked.
    let mut active = user.clone();
    active.status = UserStatus::Active;
    assert!(
        scope
            .update_user(&active, UserStatus::Active, "admin", NOW.plus_secs(5))
            .await
            .expect("update")
            .is_none(),
        "a stale write does not undo the deactivation"
    );
    scope
        .update_user(&active, UserStatus::Deactivated, "scim:t", NOW.plus_secs(5))
        .await
        .expect("update")
        .expect("written");
    assert!(
        store
            .tokens()
            .authenticate([9; 32])
            .await
            .expect("auth")
            .is_none()
    );
    scope
        .offboard(
            jens.id,
            Ending::Deactivated,
            &notice,
            "scim:t",
            NOW.plus_secs(5),
        )
        .await
        .expect("offboard")
        .expect("A's");

    // Removed: gone from the directory's view, and the address and names are free.
    let again = scope
        .offboard(
            jens.id,
            Ending::Removed,
            &notice,
            "scim:t",
            NOW.plus_secs(6),
        )
        .await
        .expect("offboard")
        .expect("A's");
    assert!(again.blocked.is_empty() && again.cancelled.is_empty());
    assert!(
        scope
            .offboard(
                jens.id,
                Ending::Deactivated,
                &notice,
                "scim:t",
                NOW.plus_secs(6)
            )
            .await
            .expect("offboard")
            .is_none(),
        "a removed user is not brought back"
    );
    let (n, _) = scope
        .directory_users(DirectoryMatch::ExternalId("entra-1"), 0, 10)
        .await
        .expect("by id");
    assert_eq!(n, 0);
    let rehired = scope
        .create_user(
            &person(
                "jens@a.dk",
                Some("entra-1"),
                Some("jens@contoso.onmicrosoft.com"),
            ),
            "scim:t",
            NOW.plus_secs(7),
        )
        .await
        .expect("the address is free again");
    assert_ne!(rehired.id, jens.id);
    assert_eq!(
        scope
            .user_by_email("jens@a.dk")
            .await
            .expect("get")
            .map(|u| u.id),
        Some(rehired.id)
    );

    // Every step is in the audit trail, which still verifies.
    let report = store.audit().verify().await.expect("verify");
    assert_eq!(report.first_break, None);
}

on_all_backends!(provisioning_tokens_act_for_one_organisation, tokens_case);
async fn tokens_case(db: &TestDb) {
    let store = db.open().await;
    let a = org(&store, "99999984").await;
    let b = org(&store, "99999985").await;
    let tokens = store.tokens();
    let made = tokens
        .create_provisioning(a.id, "Entra ID", [1; 32], "operator", NOW)
        .await
        .expect("create");
    let found = tokens
        .authenticate_provisioning([1; 32])
        .await
        .expect("auth")
        .expect("found");
    assert_eq!((found.id, found.org_id), (made.id, a.id));
    assert!(
        tokens
            .authenticate_provisioning([2; 32])
            .await
            .expect("auth")
            .is_none()
    );
    // Only its own organisation revokes it; then it is refused, and listed as revoked.
    assert!(
        !tokens
            .revoke_provisioning(b.id, made.id, "operator", NOW)
            .await
            .expect("revoke")
    );
    assert!(
        tokens
            .revoke_provisioning(a.id, made.id, "operator", NOW)
            .await
            .expect("revoke")
    );
    assert!(
        !tokens
            .revoke_provisioning(a.id, made.id, "operator", NOW)
            .await
            .expect("again")
    );
    assert!(
        tokens
            .authenticate_provisioning([1; 32])
            .await
            .expect("auth")
            .is_none()
    );
    let listed = tokens.provisioning_tokens(a.id).await.expect("list");
    assert_eq!((listed.len(), listed[0].revoked_at), (1, Some(NOW)));
    assert!(
        tokens
            .provisioning_tokens(b.id)
            .await
            .expect("list")
            .is_empty()
    );
}
