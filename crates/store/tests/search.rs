//! Search, count and export pages, on SQLite and (with `ORGCA_TEST_POSTGRES_URL`) on
//! PostgreSQL: each filter, each sort, exact and free-text matching, confinement to the
//! organisation, and pages that neither repeat nor skip a row while rows are added.

use std::collections::HashSet;

use orgca_model::{BlockReason, CertKind, Email, Organisation, Role, Serial, UnixTime};
use orgca_store::{CertQuery, NewCertificate, SortKey, StatusFilter, Store, Text};
use uuid::Uuid;

use orgca_testkit::db::TestDb;
use orgca_testkit::on_all_backends;
use orgca_testkit::store::{NOW, certificate, intent, issuing_ca, org};

/// What one test certificate differs in.
struct Spec {
    name: &'static str,
    kind: CertKind,
    subject: Uuid,
    email: Option<&'static str>,
    not_after: UnixTime,
    created: UnixTime,
}

/// Issues a certificate of `org` as `spec` says; `n` makes the serial unique.
async fn add(store: &Store, issuer: &str, org: &Organisation, n: u32, s: Spec) -> NewCertificate {
    let mut bytes = [0x11u8; 20];
    bytes[16..].copy_from_slice(&n.to_be_bytes());
    let serial = Serial::from_random(bytes);
    store
        .ca()
        .reserve_serial(&intent(serial, issuer, org))
        .await
        .expect("reserve");
    let cert = NewCertificate {
        kind: s.kind,
        name: s.name.into(),
        subject_uuid: s.subject,
        email: s.email.map(Into::into),
        not_after: s.not_after,
        ..certificate(serial, issuer, org)
    };
    store
        .issuance()
        .commit(&cert, "test", s.created)
        .await
        .expect("commit");
    cert
}

fn query(text: Option<&str>) -> CertQuery {
    CertQuery {
        text: text.and_then(|t| Text::parse(t).expect("query")),
        ..CertQuery::at(NOW)
    }
}

async fn names(store: &Store, org: &Organisation, q: &CertQuery) -> Vec<String> {
    let page = store.org(org.id).search(q, 500).await.expect("search");
    assert!(page.next.is_none(), "one page holds them all");
    let mut v: Vec<String> = page.items.into_iter().map(|c| c.name).collect();
    v.sort();
    v
}

on_all_backends!(search_filters_sorts_and_pages, search_case);
async fn search_case(db: &TestDb) {
    let store = db.open().await;
    let issuer = issuing_ca(&store).await;
    let a = org(&store, "10000009").await;
    let b = org(&store, "20000008").await;
    let scope = store.org(a.id);
    let profile = orgca_testkit::store::system_profile(
        &store,
        &a,
        "Webshop",
        ("Søren Østergaard", "soren@firma.dk"),
    )
    .await;
    let user = scope
        .create_user(
            &orgca_store::NewUser {
                email: Email::parse("jens.hansen@firma.dk").expect("email"),
                given_name: orgca_model::PersonName::parse("given name", "Jens").expect("g"),
                surname: orgca_model::PersonName::parse("surname", "Hansen").expect("s"),
                role: Role::User,
                seal: false,
                status: orgca_model::UserStatus::Active,
                external_id: None,
                directory_name: None,
            },
            "test",
            NOW,
        )
        .await
        .expect("user");
    let day = 86_400;
    let spec = |name, kind, subject, email, not_after, created| Spec {
        name,
        kind,
        subject,
        email,
        not_after,
        created,
    };
    let sys = CertKind::System;
    let ærø = add(
        &store,
        &issuer,
        &a,
        1,
        spec(
            "ÆRØ Bryghus",
            CertKind::Organisation,
            Uuid::new_v4(),
            Some("Info@Aeroe.dk"),
            NOW.plus_secs(300 * day),
            NOW.minus_secs(50),
        ),
    )
    .await;
    add(
        &store,
        &issuer,
        &a,
        2,
        spec(
            "ærø webshop",
            sys,
            profile.id,
            None,
            NOW.plus_secs(20 * day),
            NOW.minus_secs(40),
        ),
    )
    .await;
    let old = add(
        &store,
        &issuer,
        &a,
        3,
        spec(
            "Gammel server",
            sys,
            Uuid::new_v4(),
            None,
            NOW.minus_secs(day),
            NOW.minus_secs(30),
        ),
    )
    .await;
    let blocked = add(
        &store,
        &issuer,
        &a,
        4,
        spec(
            "Løn 50%_a",
            sys,
            Uuid::new_v4(),
            None,
            NOW.plus_secs(60 * day),
            NOW.minus_secs(20),
        ),
    )
    .await;
    let jens = add(
        &store,
        &issuer,
        &a,
        5,
        spec(
            "Jens Hansen",
            CertKind::Employee,
            user.id,
            Some("jens.hansen@firma.dk"),
            NOW.plus_secs(100 * day),
            NOW.minus_secs(10),
        ),
    )
    .await;
    // Another organisation's certificate with the same name and address.
    add(
        &store,
        &issuer,
        &b,
        6,
        spec(
            "ÆRØ Bryghus",
            CertKind::Organisation,
            ærø.subject_uuid,
            Some("info@aeroe.dk"),
            NOW.plus_secs(300 * day),
            NOW.minus_secs(50),
        ),
    )
    .await;
    scope
        .block(blocked.id, BlockReason::KeyLost, &[], "test", NOW)
        .await
        .expect("block")
        .expect("found");

    // Free text: the start of any word, in any case, Danish letters; every word given
    // must match; never another organisation's.
    assert_eq!(
        names(&store, &a, &query(Some("ærø"))).await,
        ["ÆRØ Bryghus", "ærø webshop"]
    );
    assert_eq!(
        names(&store, &a, &query(Some("BRYGHUS"))).await,
        ["ÆRØ Bryghus"]
    );
    assert_eq!(
        names(&store, &b, &query(Some("ærø"))).await,
        ["ÆRØ Bryghus"]
    );
    assert_eq!(
        names(&store, &a, &query(Some("bryg ÆR"))).await,
        ["ÆRØ Bryghus"]
    );
    assert!(
        names(&store, &a, &query(Some("ryghus"))).await.is_empty(),
        "not inside a word"
    );
    assert!(
        names(&store, &a, &query(Some("bryghus webshop")))
            .await
            .is_empty()
    );
    // A word of the address in the certificate, of a contact person's name or address,
    // of a user's.
    assert_eq!(
        names(&store, &a, &query(Some("aeroe"))).await,
        ["ÆRØ Bryghus"]
    );
    assert_eq!(
        names(&store, &a, &query(Some("østergaard"))).await,
        ["ærø webshop"]
    );
    assert_eq!(
        names(&store, &a, &query(Some("SØREN Ø"))).await,
        ["ærø webshop"]
    );
    assert_eq!(
        names(&store, &a, &query(Some("soren"))).await,
        ["ærø webshop"]
    );
    assert_eq!(
        names(&store, &a, &query(Some("hans"))).await,
        ["Jens Hansen"]
    );
    assert_eq!(
        names(&store, &a, &query(Some("webshop søren"))).await,
        ["ærø webshop"]
    );
    // Punctuation separates words; LIKE's wild cards in a person's match are plain.
    assert_eq!(names(&store, &a, &query(Some("50%_"))).await, ["Løn 50%_a"]);
    assert_eq!(
        names(&store, &a, &query(Some("løn-50"))).await,
        ["Løn 50%_a"]
    );
    assert!(names(&store, &a, &query(Some("s%n"))).await.is_empty());
    // Exact: whole UUIDs, serials and addresses only.
    let subject = ærø.subject_uuid.to_string();
    assert_eq!(
        names(&store, &a, &query(Some(&subject))).await,
        ["ÆRØ Bryghus"]
    );
    assert_eq!(
        names(&store, &a, &query(Some(&jens.id.to_string()))).await,
        ["Jens Hansen"]
    );
    assert!(
        names(&store, &a, &query(Some(&subject[..8])))
            .await
            .is_empty()
    );
    let serial = old.serial.to_string().to_uppercase();
    assert_eq!(
        names(&store, &a, &query(Some(&serial))).await,
        ["Gammel server"]
    );
    // The start of a serial (here shared by all of this test's serials) finds those of
    // this organisation; a part from the middle finds nothing.
    assert_eq!(
        names(&store, &a, &query(Some(&serial[..20]))).await.len(),
        5
    );
    assert!(
        names(&store, &a, &query(Some(&serial[20..36])))
            .await
            .is_empty()
    );
    assert_eq!(
        names(&store, &a, &query(Some("INFO@aeroe.dk"))).await,
        ["ÆRØ Bryghus"]
    );
    assert_eq!(
        names(&store, &a, &query(Some("soren@firma.dk"))).await,
        ["ærø webshop"]
    );
    assert_eq!(
        names(&store, &a, &query(Some("jens.hansen@firma.dk"))).await,
        ["Jens Hansen"]
    );
    assert!(
        names(&store, &a, &query(Some("ren@firma.dk")))
            .await
            .is_empty()
    );

    // Filters.
    let with = |f: &dyn Fn(&mut CertQuery)| {
        let mut q = query(None);
        f(&mut q);
        q
    };
    assert_eq!(
        names(&store, &a, &with(&|q| q.kind = Some(CertKind::Employee))).await,
        ["Jens Hansen"]
    );
    assert_eq!(
        names(
            &store,
            &a,
            &with(&|q| q.status = Some(StatusFilter::Blocked))
        )
        .await,
        ["Løn 50%_a"]
    );
    assert_eq!(
        names(
            &store,
            &a,
            &with(&|q| q.status = Some(StatusFilter::Expired))
        )
        .await,
        ["Gammel server"]
    );
    assert_eq!(
        names(
            &store,
            &a,
            &with(&|q| q.status = Some(StatusFilter::Active))
        )
        .await,
        ["Jens Hansen", "ÆRØ Bryghus", "ærø webshop"]
    );
    assert_eq!(
        names(
            &store,
            &a,
            &with(&|q| q.expires_before = Some(NOW.plus_secs(30 * day)))
        )
        .await,
        ["Gammel server", "ærø webshop"]
    );
    assert_eq!(
        names(&store, &a, &with(&|q| q.subject = Some(profile.id))).await,
        ["ærø webshop"]
    );
    assert_eq!(
        names(
            &store,
            &a,
            &with(&|q| {
                q.kind = Some(CertKind::System);
                q.status = Some(StatusFilter::Active);
                q.text = Text::parse("ærø").expect("text");
            })
        )
        .await,
        ["ærø webshop"]
    );
    assert_eq!(scope.count(&query(Some("ærø"))).await.expect("count"), 2);
    assert_eq!(scope.count(&query(None)).await.expect("count"), 5);

    // Each sort, both ways, a page of two at a time.
    let all = |sort, descending| {
        let store = store.clone();
        let a = a.id;
        async move {
            let mut q = CertQuery {
                sort,
                descending,
                ..CertQuery::at(NOW)
            };
            let mut seen = Vec::new();
            loop {
                let page = store.org(a).search(&q, 2).await.expect("page");
                seen.extend(page.items.into_iter().map(|c| c.name));
                match page.next {
                    Some(next) => q.after = Some(next),
                    None => return seen,
                }
            }
        }
    };
    let by_created = [
        "ÆRØ Bryghus",
        "ærø webshop",
        "Gammel server",
        "Løn 50%_a",
        "Jens Hansen",
    ];
    assert_eq!(all(SortKey::Created, false).await, by_created);
    let mut newest = by_created;
    newest.reverse();
    assert_eq!(all(SortKey::Created, true).await, newest);
    let by_expiry = [
        "Gammel server",
        "ærø webshop",
        "Løn 50%_a",
        "Jens Hansen",
        "ÆRØ Bryghus",
    ];
    assert_eq!(all(SortKey::NotAfter, false).await, by_expiry);
    // By name without regard to case: "ÆRØ" and "ærø" sort together.
    let by_name = all(SortKey::Name, false).await;
    assert_eq!(by_name[..3], ["Gammel server", "Jens Hansen", "Løn 50%_a"]);
    assert_eq!(by_name.len(), 5);
    let mut z_to_a = all(SortKey::Name, true).await;
    z_to_a.reverse();
    assert_eq!(z_to_a, by_name);

    // Rows added while paging (before and after the cursor, and with the same sort
    // value as the last row seen) cause neither duplicates nor gaps among the others.
    let mut q = CertQuery {
        sort: SortKey::NotAfter,
        ..CertQuery::at(NOW)
    };
    let mut seen = Vec::new();
    let mut n = 100;
    loop {
        let page = scope.search(&q, 2).await.expect("page");
        for c in &page.items {
            seen.push(c.id);
        }
        let Some(next) = page.next else { break };
        q.after = Some(next);
        if let Some(last) = page.items.last() {
            for not_after in [
                NOW.minus_secs(10 * day),
                last.not_after,
                NOW.plus_secs(1000 * day),
            ] {
                n += 1;
                add(
                    &store,
                    &issuer,
                    &a,
                    n,
                    spec("Ny", sys, Uuid::new_v4(), None, not_after, NOW),
                )
                .await;
            }
        }
    }
    let unique: HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no row twice");
    for c in [&ærø, &old, &blocked, &jens] {
        assert!(unique.contains(&c.id), "{} was skipped", c.name);
    }

    // The export page: the contact person of a profile's certificate, the user of an
    // employee certificate; the same rows in the same order as the search, page by page.
    let page = scope
        .export_page(&query(Some("firma.dk")), 10)
        .await
        .expect("export");
    let rows = page.rows().expect("rows");
    let webshop = rows
        .iter()
        .find(|r| r.name == "ærø webshop")
        .expect("webshop");
    assert_eq!(
        (webshop.contact_name, webshop.contact_email),
        ("Søren Østergaard", "soren@firma.dk")
    );
    assert_eq!(webshop.user, "");
    let employee = rows.iter().find(|r| r.name == "Jens Hansen").expect("jens");
    assert_eq!(employee.contact_name, "Jens Hansen");
    assert_eq!(employee.user, "jens.hansen@firma.dk");
    for (sort, descending) in [
        (SortKey::Name, false),
        (SortKey::NotAfter, true),
        (SortKey::Created, true),
    ] {
        let mut q = CertQuery {
            sort,
            descending,
            ..CertQuery::at(NOW)
        };
        let mut exported = Vec::new();
        loop {
            let page = scope.export_page(&q, 3).await.expect("export page");
            exported.extend(page.rows().expect("rows").iter().map(|r| r.id.to_owned()));
            match page.next {
                Some(next) => q.after = Some(next),
                None => break,
            }
        }
        q.after = None;
        let searched: Vec<String> = scope
            .search(&q, 500)
            .await
            .expect("search")
            .items
            .iter()
            .map(|c| c.id.to_string())
            .collect();
        assert_eq!(exported, searched, "{sort:?}");
    }
    store.close().await;
}
