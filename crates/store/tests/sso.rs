//! Logins through an organisation's identity provider, on SQLite and PostgreSQL: the
//! provider's settings (and the password switch they carry), the logins under way (each
//! taken once, and not after it expired), and finding the person a provider names among
//! one organisation's users only.

use orgca_model::{Email, IdentityProvider, MatchBy, PersonName, Role, SecretSource, UserStatus};
use orgca_store::{NewUser, PendingSso};

use orgca_testkit::db::TestDb;
use orgca_testkit::on_all_backends;
use orgca_testkit::store::{NOW, org};

fn person(email: &str, external: Option<&str>) -> NewUser {
    NewUser {
        email: Email::parse(email).expect("email"),
        given_name: PersonName::parse("given name", "Jens").expect("g"),
        surname: PersonName::parse("surname", "Hansen").expect("s"),
        role: Role::User,
        seal: false,
        status: UserStatus::Active,
        external_id: external.map(Into::into),
        directory_name: None,
    }
}

on_all_backends!(
    identity_providers_belong_to_one_organisation,
    providers_case
);
async fn providers_case(db: &TestDb) {
    let store = db.open().await;
    let (a, b) = (org(&store, "99999984").await, org(&store, "99999985").await);
    let logins = store.logins();
    assert_eq!(logins.identity_provider(a.id).await.expect("read"), None);
    let mut provider = IdentityProvider {
        org_id: a.id,
        issuer: "https://login.example.com/tenant/v2.0".into(),
        client_id: "orgca".into(),
        client_secret: SecretSource::Env("ORGCA_OIDC_SECRET".into()),
        match_by: MatchBy::ExternalId("oid".into()),
        password_login: false,
        updated_at: NOW,
    };
    logins
        .set_identity_provider(&provider, "operator")
        .await
        .expect("set");
    assert_eq!(
        logins.identity_provider(a.id).await.expect("read"),
        Some(provider.clone())
    );
    assert_eq!(logins.identity_provider(b.id).await.expect("read"), None);
    // Set again: replaced, not added.
    provider.client_secret = SecretSource::File("/etc/orgca/secret".into());
    provider.match_by = MatchBy::Email;
    provider.updated_at = NOW.plus_secs(5);
    logins
        .set_identity_provider(&provider, "operator")
        .await
        .expect("set again");
    assert_eq!(
        logins.identity_provider(a.id).await.expect("read"),
        Some(provider.clone())
    );

    // The password switch reaches the password login's view of the accounts.
    let users = store.org(a.id);
    let jens = users
        .create_user(&person("jens@a.dk", Some("entra-1")), "test", NOW)
        .await
        .expect("user");
    store
        .org(b.id)
        .create_user(&person("jens@a.dk", None), "test", NOW.plus_secs(1))
        .await
        .expect("user in b");
    let switches: Vec<(uuid::Uuid, bool)> = logins
        .accounts("jens@a.dk")
        .await
        .expect("accounts")
        .iter()
        .map(|acc| (acc.user.org_id, acc.password_login))
        .collect();
    assert_eq!(switches, vec![(a.id, false), (b.id, true)]);

    // The person a provider names: in this organisation only, by address in any case or
    // by external id exactly.
    let found = logins
        .sso_account(a.id, &MatchBy::Email, "JENS@a.dk")
        .await
        .expect("find");
    assert_eq!(found.map(|u| u.org_id), Some(a.id));
    let by_external = MatchBy::ExternalId("oid".into());
    assert!(
        logins
            .sso_account(a.id, &by_external, "entra-1")
            .await
            .expect("find")
            .is_some()
    );
    assert!(
        logins
            .sso_account(a.id, &by_external, "ENTRA-1")
            .await
            .expect("find")
            .is_none()
    );
    assert!(
        logins
            .sso_account(b.id, &by_external, "entra-1")
            .await
            .expect("find")
            .is_none()
    );
    let nobody = logins
        .sso_account(a.id, &MatchBy::Email, "kim@a.dk")
        .await
        .expect("find");
    assert!(nobody.is_none());

    // Passwords back on, a session, then passwords off: the session ends (a password
    // may have opened it). Setting the provider again with passwords still off does not.
    provider.password_login = true;
    logins
        .set_identity_provider(&provider, "operator")
        .await
        .expect("on");
    let session = |n: u8| {
        logins.start_session(
            [n; 32],
            &jens,
            orgca_store::LoginMethod::Password,
            "csrf",
            NOW,
            NOW.plus_secs(3600),
        )
    };
    session(7).await.expect("session");
    provider.password_login = false;
    logins
        .set_identity_provider(&provider, "operator")
        .await
        .expect("off");
    assert!(logins.session([7; 32], NOW).await.expect("read").is_none());
    session(8).await.expect("session");
    logins
        .set_identity_provider(&provider, "operator")
        .await
        .expect("off again");
    assert!(logins.session([8; 32], NOW).await.expect("read").is_some());

    // Removed: passwords work again, and the logins under way are gone.
    logins
        .begin_sso([1; 32], &pending(a.id), NOW, NOW.plus_secs(600))
        .await
        .expect("begin");
    assert!(
        logins
            .remove_identity_provider(a.id, "operator", NOW)
            .await
            .expect("remove")
    );
    assert!(
        !logins
            .remove_identity_provider(a.id, "operator", NOW)
            .await
            .expect("remove again")
    );
    assert_eq!(logins.identity_provider(a.id).await.expect("read"), None);
    assert!(logins.take_sso([1; 32], NOW).await.expect("take").is_none());
    let actions: Vec<&str> = store
        .audit()
        .events(0, 1000)
        .await
        .expect("audit")
        .iter()
        .map(|e| e.action.as_str())
        .filter(|a| a.starts_with("organisation.identity_provider"))
        .map(|a| if a.ends_with("set") { "set" } else { "removed" })
        .collect();
    assert_eq!(actions, ["set", "set", "set", "set", "set", "removed"]);
}

fn pending(org_id: uuid::Uuid) -> PendingSso {
    PendingSso {
        org_id,
        issuer: "https://login.example.com/tenant/v2.0".into(),
        client_id: "orgca".into(),
        nonce: "nonce".into(),
        verifier: "verifier".into(),
    }
}

on_all_backends!(a_login_under_way_is_taken_once, attempts_case);
async fn attempts_case(db: &TestDb) {
    let store = db.open().await;
    let a = org(&store, "99999984").await;
    let logins = store.logins();
    logins
        .begin_sso([1; 32], &pending(a.id), NOW, NOW.plus_secs(600))
        .await
        .expect("begin");
    logins
        .begin_sso([2; 32], &pending(a.id), NOW, NOW.plus_secs(600))
        .await
        .expect("begin");
    // Once, with what was kept.
    assert_eq!(
        logins
            .take_sso([1; 32], NOW.plus_secs(1))
            .await
            .expect("take"),
        Some(pending(a.id))
    );
    assert_eq!(
        logins
            .take_sso([1; 32], NOW.plus_secs(2))
            .await
            .expect("take"),
        None
    );
    // Not after it expired, and not afterwards either.
    assert_eq!(
        logins
            .take_sso([2; 32], NOW.plus_secs(600))
            .await
            .expect("take"),
        None
    );
    assert_eq!(logins.take_sso([2; 32], NOW).await.expect("take"), None);
    // Unknown states are nothing; expired ones go when a new login starts.
    assert_eq!(logins.take_sso([3; 32], NOW).await.expect("take"), None);
    logins
        .begin_sso([4; 32], &pending(a.id), NOW, NOW.plus_secs(10))
        .await
        .expect("begin");
    logins
        .begin_sso(
            [5; 32],
            &pending(a.id),
            NOW.plus_secs(20),
            NOW.plus_secs(600),
        )
        .await
        .expect("begin");
    assert_eq!(logins.take_sso([4; 32], NOW).await.expect("take"), None);
}
