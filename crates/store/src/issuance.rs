//! The issuance path's writes: the intent to sign a serial, recorded before the CA
//! signs, and the issued certificate (which may only use a reserved serial, once) with
//! its audit event. Both go through the store's writer, which commits concurrent ones
//! together (group commit).

use orgca_model::UnixTime;
use orgca_model::{CertKind, OrgId, Serial};
use uuid::Uuid;

use sqlx::{AnyConnection, AnyPool};

use crate::StoreError;
use crate::audit::{self, NewEvent};
use crate::writer::{Batch, Writer};

/// The intent to sign: recorded before the CA key is used, so that a crash after signing
/// never leaves a certificate the store does not know (status can still revoke it).
#[derive(Clone, Debug)]
pub struct SerialIntent {
    /// The serial about to be used.
    pub serial: Serial,
    /// The issuing CA's name.
    pub issuer: String,
    /// The organisation the certificate is for.
    pub org_id: OrgId,
    /// Its kind.
    pub kind: CertKind,
    /// Its subject UUID.
    pub subject_uuid: Uuid,
    /// SHA-256 of the linted TBS.
    pub tbs_sha256: [u8; 32],
    /// When.
    pub at: UnixTime,
}

/// A write of the issuance path.
#[derive(Debug)]
pub(crate) enum IssueJob {
    /// Record a serial before signing.
    Reserve(SerialIntent),
    /// Record a signed certificate with its audit event.
    Commit {
        /// The certificate.
        cert: Box<NewCertificate>,
        /// Who.
        actor: String,
        /// When.
        now: UnixTime,
    },
}

impl Batch for IssueJob {
    /// The intents first (a certificate in the same batch may use one), then the
    /// certificates: a few statements whatever the batch size.
    async fn write_all(conn: &mut AnyConnection, jobs: &[&Self]) -> Result<(), StoreError> {
        let mut intents: Vec<&SerialIntent> = Vec::new();
        let mut certs: Vec<CommitItem<'_>> = Vec::new();
        for job in jobs {
            match job {
                IssueJob::Reserve(intent) => intents.push(intent),
                IssueJob::Commit { cert, actor, now } => certs.push((cert, actor, *now)),
            }
        }
        lock_holders(conn, &certs).await?;
        reserve_all(conn, &intents).await?;
        commit_all(conn, &certs).await
    }

    async fn is_done(&self, pool: &AnyPool) -> Result<bool, StoreError> {
        let present = match self {
            IssueJob::Reserve(i) => {
                sqlx::query(
                    "SELECT 1 AS one FROM serials WHERE serial = $1 AND issuer = $2 AND tbs_sha256 = $3",
                )
                .bind(i.serial.to_string())
                .bind(i.issuer.clone())
                .bind(hex::encode(i.tbs_sha256))
                .fetch_optional(pool)
                .await?
            }
            IssueJob::Commit { cert, .. } => {
                sqlx::query("SELECT 1 AS one FROM certificates WHERE id = $1 AND serial = $2")
                    .bind(cert.id.to_string())
                    .bind(cert.serial.to_string())
                    .fetch_optional(pool)
                    .await?
            }
        };
        Ok(present.is_some())
    }
}

/// A signed certificate to record.
#[derive(Clone, Debug)]
pub struct NewCertificate {
    /// orgca's id for it.
    pub id: Uuid,
    /// Serial (reserved before signing).
    pub serial: Serial,
    /// Issuing CA name.
    pub issuer: String,
    /// The CRL partition it is listed in (its CDP), if the issuer's CRL is partitioned.
    pub crl_shard: Option<u16>,
    /// Organisation.
    pub org_id: OrgId,
    /// Kind.
    pub kind: CertKind,
    /// The certificate's name (CN).
    pub name: String,
    /// Subject UUID.
    pub subject_uuid: Uuid,
    /// E-mail shown in it, if any.
    pub email: Option<String>,
    /// SHA-256 of the DER, hex.
    pub fingerprint: String,
    /// SHA-256 of the signed TBS: must equal the one recorded with the serial's intent.
    pub tbs_sha256: [u8; 32],
    /// The order being picked up (claimed, `issuing`), marked `issued` in the same
    /// transaction.
    pub order_id: Option<Uuid>,
    /// notBefore.
    pub not_before: UnixTime,
    /// notAfter.
    pub not_after: UnixTime,
    /// The certificate.
    pub der: Vec<u8>,
}

/// Where issued certificates are committed.
#[derive(Clone, Debug)]
pub struct IssuanceStore {
    pub(crate) writer: Writer<IssueJob>,
}

impl IssuanceStore {
    /// Records `cert` as issued with its audit event, in one transaction. The serial must
    /// have been reserved (and not used); otherwise nothing is written. Concurrent calls
    /// are committed together (group commit), each durable when this returns.
    pub async fn commit(
        &self,
        cert: &NewCertificate,
        actor: &str,
        now: UnixTime,
    ) -> Result<(), StoreError> {
        let job = IssueJob::Commit {
            cert: Box::new(cert.clone()),
            actor: actor.to_owned(),
            now,
        };
        self.writer.submit(job).await
    }
}

/// Locks the users whom the employee certificates among `items` name, first thing in
/// the writer's transaction (a no-op write, which locks the row on PostgreSQL; SQLite
/// writes one transaction at a time anyway). An off-boarding (which updates the user's
/// row first) and this commit are so put in an order: either the off-boarding finds the
/// new certificate and blocks it, or the pick-up finds its user ended after the commit
/// and blocks it (`Ra::pickup_as_user`). Without it, on PostgreSQL, each could miss the
/// other.
async fn lock_holders(
    conn: &mut AnyConnection,
    items: &[CommitItem<'_>],
) -> Result<(), StoreError> {
    let mut holders: Vec<String> = items
        .iter()
        .filter(|(c, _, _)| c.kind == CertKind::Employee)
        .map(|(c, _, _)| c.subject_uuid.to_string())
        .collect();
    holders.sort();
    holders.dedup();
    for holder in holders {
        sqlx::query("UPDATE users SET status = status WHERE id = $1")
            .bind(holder)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// One certificate to commit with who committed it and when.
pub(crate) type CommitItem<'a> = (&'a NewCertificate, &'a str, UnixTime);

/// Writes the certificates and their audit events on `conn` (inside the writer's
/// transaction) with their search words: a few statements whatever the batch size. The schema refuses a serial
/// that was not reserved by the same issuer, or that was used before.
pub(crate) async fn commit_all(
    conn: &mut AnyConnection,
    items: &[CommitItem<'_>],
) -> Result<(), StoreError> {
    if items.is_empty() {
        return Ok(());
    }
    let sql = crate::sql::multi_row(
        "INSERT INTO certificates (id, serial, issuer, org_id, kind, name, subject_uuid, email, fingerprint, \
         not_before, not_after, status, der, created_at, tbs_sha256, crl_shard, name_key, email_key)",
        items.len(),
        18,
    );
    let mut q = sqlx::query(sql);
    for (cert, _, now) in items {
        q = q
            .bind(cert.id.to_string())
            .bind(cert.serial.to_string())
            .bind(cert.issuer.clone())
            .bind(cert.org_id.to_string())
            .bind(cert.kind.as_str())
            .bind(cert.name.clone())
            .bind(cert.subject_uuid.to_string())
            .bind(cert.email.clone())
            .bind(cert.fingerprint.clone())
            .bind(cert.not_before.secs())
            .bind(cert.not_after.secs())
            .bind("active")
            .bind(cert.der.clone())
            .bind(now.secs())
            .bind(hex::encode(cert.tbs_sha256))
            .bind(cert.crl_shard.map(i64::from))
            .bind(crate::search_keys::sort_key(&cert.name))
            .bind(cert.email.as_deref().map(crate::search_keys::key));
    }
    q.execute(&mut *conn).await.map_err(|e| match (&e, items) {
        (sqlx::Error::Database(d), [(c, _, _)]) if d.is_foreign_key_violation() => {
            StoreError::Corrupt(format!(
                "serial {} was not reserved by {}",
                c.serial, c.issuer
            ))
        }
        (sqlx::Error::Database(d), [(c, _, _)]) if d.is_unique_violation() => {
            StoreError::Conflict(format!("a certificate with serial {}", c.serial))
        }
        _ => StoreError::Db(e),
    })?;
    let words: Vec<_> = items
        .iter()
        .map(|(c, _, _)| {
            (
                c.org_id.to_string(),
                c.id.to_string(),
                c.name.as_str(),
                c.email.as_deref(),
            )
        })
        .collect();
    crate::search_keys::insert_words(conn, &words).await?;
    for (cert, _, _) in items {
        let Some(order) = cert.order_id else { continue };
        let done = sqlx::query(
            "UPDATE orders SET status = 'issued', certificate_id = $1 WHERE id = $2 AND status = 'issuing'",
        )
        .bind(cert.id.to_string())
        .bind(order.to_string())
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Corrupt(format!(
                "order {order} was not being picked up"
            )));
        }
        // A renewal order links its certificate to the one it renews.
        sqlx::query(
            "UPDATE certificates SET renews = (SELECT renews FROM orders WHERE id = $1) WHERE id = $2",
        )
        .bind(order.to_string())
        .bind(cert.id.to_string())
        .execute(&mut *conn)
        .await?;
    }
    let events: Vec<NewEvent> = items
        .iter()
        .map(|(cert, actor, now)| NewEvent {
            at: *now,
            actor: (*actor).to_owned(),
            org_id: Some(cert.org_id.to_string()),
            action: "certificate.issued",
            object: cert.id.to_string(),
            details: serde_json::json!({
                "serial": cert.serial.to_string(), "issuer": cert.issuer, "kind": cert.kind, "name": cert.name,
                "subject_uuid": cert.subject_uuid, "fingerprint_sha256": cert.fingerprint,
                "tbs_sha256": hex::encode(cert.tbs_sha256), "order": cert.order_id,
                "not_after": cert.not_after,
            }),
        })
        .collect();
    audit::append_all(conn, &events).await
}

/// Inserts the intents on `conn` (inside the writer's transaction), in one statement.
pub(crate) async fn reserve_all(
    conn: &mut AnyConnection,
    intents: &[&SerialIntent],
) -> Result<(), StoreError> {
    if intents.is_empty() {
        return Ok(());
    }
    let sql = crate::sql::multi_row(
        "INSERT INTO serials (serial, issuer, org_id, kind, subject_uuid, tbs_sha256, created_at)",
        intents.len(),
        7,
    );
    let mut q = sqlx::query(sql);
    for i in intents {
        q = q
            .bind(i.serial.to_string())
            .bind(i.issuer.clone())
            .bind(i.org_id.to_string())
            .bind(i.kind.as_str())
            .bind(i.subject_uuid.to_string())
            .bind(hex::encode(i.tbs_sha256))
            .bind(i.at.secs());
    }
    let what = match intents {
        [one] => format!("serial {}", one.serial),
        _ => "one of the serials".to_owned(),
    };
    q.execute(&mut *conn)
        .await
        .map_err(StoreError::conflict_as(what))?;
    Ok(())
}
