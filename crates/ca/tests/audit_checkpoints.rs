//! Signed checkpoints of the audit chain catch what the chain alone cannot: an attacker
//! with write access to the database who rewrites an event and recomputes every hash
//! after it. Also: a checkpoint signed by another key, and one removed.

use orgca_ca::checkpoint::{sign_checkpoint, verify_checkpoints};
use orgca_keys::{KeySpec, SoftKey};
use orgca_model::{Cvr, Environment, UnixTime};
use orgca_store::{NewOrganisation, Store};
use sqlx::Connection as _;

const ORIGIN: &str = "pki.example.com/orgca-audit";
const NOW: UnixTime = UnixTime::from_secs(1_800_000_000);

async fn store(dir: &tempfile::TempDir) -> (Store, String) {
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    (Store::open(&url).await.expect("store"), url)
}

/// Appends one event (an organisation's creation).
async fn event(store: &Store, cvr: &str) {
    let new = NewOrganisation {
        cvr: Cvr::parse(cvr, Environment::Test).expect("cvr"),
        name: format!("Org {cvr}"),
        environment: Environment::Test,
    };
    store.orgs().create(&new, "test", NOW).await.expect("org");
}

/// Rewrites event `seq`'s actor and recomputes the hash of it and of every event after
/// it, and the head: what someone with the database but not the audit key can do.
async fn rewrite_history(url: &str, store: &Store, seq: i64) {
    let mut conn = sqlx::AnyConnection::connect(url).await.expect("raw");
    let mut events = store.audit().events(0, 1000).await.expect("events");
    let mut prev = None;
    for e in events.iter_mut() {
        if e.seq < seq {
            prev = Some(e.hash.clone());
            continue;
        }
        if e.seq == seq {
            e.actor = "mallory".into();
        }
        if let Some(p) = prev.take() {
            e.prev_hash = p;
        }
        e.hash = e.computed_hash();
        prev = Some(e.hash.clone());
        sqlx::query("UPDATE audit_events SET actor = $1, prev_hash = $2, hash = $3 WHERE seq = $4")
            .bind(e.actor.clone())
            .bind(e.prev_hash.clone())
            .bind(e.hash.clone())
            .bind(e.seq)
            .execute(&mut conn)
            .await
            .expect("rewrite");
    }
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(prev.expect("a last event"))
        .execute(&mut conn)
        .await
        .expect("head");
}

#[tokio::test]
async fn a_rewrite_with_recomputed_hashes_fails_the_checkpoint_before_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, url) = store(&dir).await;
    let key = SoftKey::generate(KeySpec::P256, false).expect("key");
    let log = store.audit();
    for cvr in ["99000001", "99000002", "99000003"] {
        event(&store, cvr).await;
    }
    assert_eq!(
        sign_checkpoint(&log, &key, ORIGIN, "test", NOW)
            .await
            .expect("sign"),
        Some(3)
    );
    // Nothing new but the checkpoint's own event: no second checkpoint.
    assert_eq!(
        sign_checkpoint(&log, &key, ORIGIN, "test", NOW)
            .await
            .expect("sign"),
        None
    );
    event(&store, "99000004").await;
    assert_eq!(
        sign_checkpoint(&log, &key, ORIGIN, "test", NOW)
            .await
            .expect("sign"),
        Some(5)
    );
    let report = verify_checkpoints(&log, &key, ORIGIN)
        .await
        .expect("verify");
    assert_eq!(
        (report.verified, report.last_verified, report.first_failure),
        (2, Some(5), None)
    );

    // Someone with the database rewrites event 2 and every hash after it: the chain
    // alone still verifies...
    rewrite_history(&url, &store, 2).await;
    let chain = log.verify().await.expect("walk");
    assert_eq!(
        (chain.events, chain.first_break),
        (6, None),
        "the chain alone is fooled"
    );
    // ...and the first checkpoint after the rewrite says so.
    let report = verify_checkpoints(&log, &key, ORIGIN)
        .await
        .expect("verify");
    let (seq, why) = report.first_failure.expect("the rewrite is found");
    assert_eq!(seq, 3);
    assert!(why.contains("rewritten"), "{why}");
}

#[tokio::test]
async fn a_checkpoint_of_another_key_or_one_removed_fails() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, url) = store(&dir).await;
    let key = SoftKey::generate(KeySpec::P256, false).expect("key");
    let other = SoftKey::generate(KeySpec::P256, false).expect("key");
    let log = store.audit();
    event(&store, "99000001").await;
    sign_checkpoint(&log, &key, ORIGIN, "test", NOW)
        .await
        .expect("sign");
    // Checked with another key: its signature is not there.
    let report = verify_checkpoints(&log, &other, ORIGIN)
        .await
        .expect("verify");
    let (_, why) = report.first_failure.expect("refused");
    assert!(why.contains("no signature"), "{why}");
    // A forged checkpoint over the same text, signed by another key under the same name.
    let mut conn = sqlx::AnyConnection::connect(&url).await.expect("raw");
    event(&store, "99000002").await;
    sign_checkpoint(&log, &other, ORIGIN, "test", NOW)
        .await
        .expect("sign");
    let report = verify_checkpoints(&log, &key, ORIGIN)
        .await
        .expect("verify");
    assert_eq!(report.verified, 1);
    assert!(
        report.first_failure.is_some(),
        "the other key's checkpoint is not ours"
    );
    // Removed: its event still names it.
    sqlx::query("DELETE FROM audit_checkpoints")
        .execute(&mut conn)
        .await
        .expect("delete");
    let report = verify_checkpoints(&log, &key, ORIGIN)
        .await
        .expect("verify");
    let (_, why) = report.first_failure.expect("removal found");
    assert!(why.contains("gone"), "{why}");
}
