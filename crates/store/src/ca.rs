//! What the CA may write and read: its own certificates, and the serials it is about to
//! sign (recorded before it signs).

use orgca_model::UnixTime;
use orgca_model::{Environment, Serial};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{self, NewEvent};
use crate::issuance::{IssueJob, SerialIntent};
use crate::{Store, StoreError};

/// A CA's place in its hierarchy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CaRole {
    /// Self-signed root.
    Root,
    /// Issuing CA under a root; signs leaves.
    Issuing,
    /// The signing service's CA under a root; signs single-use certificates only.
    Signing,
}

impl CaRole {
    /// `root`, `issuing` or `signing`.
    pub fn as_str(self) -> &'static str {
        match self {
            CaRole::Root => "root",
            CaRole::Issuing => "issuing",
            CaRole::Signing => "signing",
        }
    }
}

/// A CA certificate to record.
#[derive(Clone, Debug)]
pub struct NewCaCertificate {
    /// Stable name, used in URLs (`/ca/{name}.cer`).
    pub name: String,
    /// Hierarchy.
    pub environment: Environment,
    /// Root or issuing.
    pub role: CaRole,
    /// The root above an issuing CA.
    pub parent: Option<String>,
    /// Serial.
    pub serial: Serial,
    /// subjectKeyIdentifier, hex.
    pub subject_key_id: String,
    /// notBefore.
    pub not_before: UnixTime,
    /// notAfter.
    pub not_after: UnixTime,
    /// The certificate.
    pub der: Vec<u8>,
    /// Where the private key is (a file name under the data folder's keys/).
    pub key_ref: String,
}

/// A CA certificate as stored.
#[derive(Clone, Debug, Serialize)]
pub struct CaCertificate {
    /// Stable name.
    pub name: String,
    /// Hierarchy.
    pub environment: Environment,
    /// Root or issuing.
    pub role: CaRole,
    /// The root above an issuing CA.
    pub parent: Option<String>,
    /// Serial, hex.
    pub serial: String,
    /// subjectKeyIdentifier, hex.
    pub subject_key_id: String,
    /// notBefore.
    pub not_before: UnixTime,
    /// notAfter.
    pub not_after: UnixTime,
    /// The certificate.
    #[serde(skip)]
    pub der: Vec<u8>,
    /// Key location.
    pub key_ref: String,
    /// An issuing CA: when it became current (the newest activated in its hierarchy
    /// issues).
    pub activated_at: Option<UnixTime>,
    /// An issuing CA: when it was retired (it signs nothing more).
    pub retired_at: Option<UnixTime>,
}

/// What asking to retire an issuing CA did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retirement {
    /// Retired.
    Retired,
    /// No CA has that name.
    NotFound,
    /// It is a root or signing CA, or retired already.
    NotInService,
    /// It is the one that issues now.
    Current,
    /// This many of its certificates have not expired yet.
    StillValid(i64),
}

/// The CA's view of the store.
#[derive(Clone, Debug)]
pub struct CaStore {
    pub(crate) store: Store,
}

impl Store {
    /// The CA's view.
    pub fn ca(&self) -> CaStore {
        CaStore {
            store: self.clone(),
        }
    }
}

fn ca_from_row(r: &AnyRow) -> Result<CaCertificate, StoreError> {
    let env: String = r.try_get("environment")?;
    let role: String = r.try_get("role")?;
    Ok(CaCertificate {
        name: r.try_get("name")?,
        environment: Environment::parse(&env)
            .ok_or_else(|| StoreError::Corrupt(format!("environment {env:?}")))?,
        role: match role.as_str() {
            "root" => CaRole::Root,
            "issuing" => CaRole::Issuing,
            "signing" => CaRole::Signing,
            _ => return Err(StoreError::Corrupt(format!("CA role {role:?}"))),
        },
        parent: r.try_get("parent")?,
        serial: r.try_get("serial")?,
        subject_key_id: r.try_get("subject_key_id")?,
        not_before: crate::sql::time_at(r, "not_before")?,
        not_after: crate::sql::time_at(r, "not_after")?,
        der: r.try_get("der")?,
        key_ref: r.try_get("key_ref")?,
        activated_at: r
            .try_get::<Option<i64>, _>("activated_at")?
            .map(UnixTime::from_secs),
        retired_at: r
            .try_get::<Option<i64>, _>("retired_at")?
            .map(UnixTime::from_secs),
    })
}

macro_rules! ca_columns {
    () => {
        "name, environment, role, parent, serial, subject_key_id, not_before, not_after, der, key_ref, \
         activated_at, retired_at"
    };
}

impl CaStore {
    /// Records CA certificates (a new hierarchy) in one transaction with their audit events.
    pub async fn add_ca_certificates(
        &self,
        certs: &[NewCaCertificate],
        actor: &str,
        now: UnixTime,
    ) -> Result<(), StoreError> {
        let mut tx = self.store.begin_write().await?;
        for c in certs {
            insert(&mut tx, c, now).await?;
            let event = NewEvent {
                at: now,
                actor: actor.to_owned(),
                org_id: None,
                action: "ca.created",
                object: c.name.clone(),
                details: serde_json::json!({
                    "role": c.role, "environment": c.environment, "serial": c.serial.to_string(),
                    "parent": c.parent, "not_after": c.not_after,
                }),
            };
            audit::append(&mut tx, &event).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Records a new issuing CA and makes it the current one of its hierarchy (the one
    /// that issues from now on), with its audit event naming the one it follows. The
    /// earlier ones keep their CRLs and OCSP answers until retired. Answers the name of
    /// the CA that was current before.
    pub async fn roll_over(
        &self,
        new: &NewCaCertificate,
        actor: &str,
        now: UnixTime,
    ) -> Result<Option<String>, StoreError> {
        if new.role != CaRole::Issuing {
            return Err(StoreError::Corrupt(format!(
                "{} is a {} CA; only an issuing CA is rolled over",
                new.name,
                new.role.as_str()
            )));
        }
        let mut tx = self.store.begin_write().await?;
        let previous: Option<(String, i64)> = sqlx::query(
            "SELECT name, activated_at FROM ca_certificates WHERE environment = $1 AND role = 'issuing' \
             AND retired_at IS NULL AND activated_at IS NOT NULL ORDER BY activated_at DESC, name DESC LIMIT 1",
        )
        .bind(new.environment.as_str())
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| Ok::<_, sqlx::Error>((r.try_get("name")?, r.try_get("activated_at")?)))
        .transpose()?;
        insert(&mut tx, new, now).await?;
        // Strictly after the one it follows, even within the same second.
        let activated = previous
            .as_ref()
            .map_or(now.secs(), |(_, at)| now.secs().max(at + 1));
        sqlx::query("UPDATE ca_certificates SET activated_at = $1 WHERE name = $2")
            .bind(activated)
            .bind(&new.name)
            .execute(&mut *tx)
            .await?;
        let previous = previous.map(|(name, _)| name);
        let event = NewEvent {
            at: now,
            actor: actor.to_owned(),
            org_id: None,
            action: "ca.rolled_over",
            object: new.name.clone(),
            details: serde_json::json!({
                "role": new.role, "environment": new.environment, "serial": new.serial.to_string(),
                "parent": new.parent, "not_after": new.not_after, "previous": previous,
                "subject_key_id": new.subject_key_id, "key_ref": new.key_ref,
            }),
        };
        audit::append(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(previous)
    }

    /// Retires an issuing CA that is not the current one and whose certificates have
    /// all expired at `now`: it signs nothing more. Otherwise nothing changes, and the
    /// answer says why.
    pub async fn retire(
        &self,
        name: &str,
        final_crl: &crate::KeptCrl,
        actor: &str,
        now: UnixTime,
    ) -> Result<Retirement, StoreError> {
        let mut tx = self.store.begin_write().await?;
        let ca = sqlx::query(concat!(
            "SELECT ",
            ca_columns!(),
            " FROM ca_certificates WHERE name = $1"
        ))
        .bind(name)
        .fetch_optional(&mut *tx)
        .await?
        .as_ref()
        .map(ca_from_row)
        .transpose()?;
        let Some(ca) = ca else {
            return Ok(Retirement::NotFound);
        };
        if ca.role != CaRole::Issuing || ca.retired_at.is_some() {
            return Ok(Retirement::NotInService);
        }
        let newer: i64 = sqlx::query(
            "SELECT count(*) AS n FROM ca_certificates WHERE environment = $1 AND role = 'issuing' \
             AND retired_at IS NULL AND activated_at > $2",
        )
        .bind(ca.environment.as_str())
        .bind(ca.activated_at.map_or(i64::MAX, UnixTime::secs))
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
        if newer == 0 {
            return Ok(Retirement::Current);
        }
        let valid: i64 = sqlx::query(
            "SELECT count(*) AS n FROM certificates WHERE issuer = $1 AND not_after > $2",
        )
        .bind(name)
        .bind(now.secs())
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
        if valid > 0 {
            return Ok(Retirement::StillValid(valid));
        }
        sqlx::query("UPDATE ca_certificates SET retired_at = $1 WHERE name = $2")
            .bind(now.secs())
            .bind(name)
            .execute(&mut *tx)
            .await?;
        let event = NewEvent {
            at: now,
            actor: actor.to_owned(),
            org_id: None,
            action: "ca.retired",
            object: name.to_owned(),
            details: serde_json::json!({"environment": ca.environment, "serial": ca.serial}),
        };
        audit::append(&mut tx, &event).await?;
        // Its last CRL, served from now on in place of the ones it signed.
        if let crate::Keeping::NotNewer { published } =
            crate::kept_crls::keep_in(&mut tx, final_crl, actor, now).await?
        {
            return Err(StoreError::Corrupt(format!(
                "the final CRL of {name} is number {}, not above {published}",
                final_crl.number
            )));
        }
        tx.commit().await?;
        Ok(Retirement::Retired)
    }

    /// All CA certificates, roots before their issuing CAs.
    pub async fn list(&self) -> Result<Vec<CaCertificate>, StoreError> {
        let sql = concat!(
            "SELECT ",
            ca_columns!(),
            " FROM ca_certificates ORDER BY environment, CASE role WHEN 'root' THEN 0 WHEN 'issuing' THEN 1 ELSE 2 END, name"
        );
        let rows = sqlx::query(sql).fetch_all(&self.store.pool).await?;
        rows.iter().map(ca_from_row).collect()
    }

    /// One CA certificate by name.
    pub async fn get(&self, name: &str) -> Result<Option<CaCertificate>, StoreError> {
        let sql = concat!(
            "SELECT ",
            ca_columns!(),
            " FROM ca_certificates WHERE name = $1"
        );
        let row = sqlx::query(sql)
            .bind(name)
            .fetch_optional(&self.store.pool)
            .await?;
        row.as_ref().map(ca_from_row).transpose()
    }

    /// Records the intent to sign a delegated OCSP responder certificate (serial, TBS
    /// hash, validity), with its audit event, before the issuing CA signs it.
    pub async fn reserve_responder(
        &self,
        serial_hex: &str,
        issuer: &str,
        tbs_sha256: [u8; 32],
        validity: (UnixTime, UnixTime),
        now: UnixTime,
    ) -> Result<(), StoreError> {
        let mut tx = self.store.begin_write().await?;
        sqlx::query(
            "INSERT INTO responder_certificates (serial, issuer, tbs_sha256, not_before, not_after, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(serial_hex)
        .bind(issuer)
        .bind(hex::encode(tbs_sha256))
        .bind(validity.0.secs())
        .bind(validity.1.secs())
        .bind(now.secs())
        .execute(&mut *tx)
        .await
        .map_err(StoreError::conflict_as(format!("responder serial {serial_hex}")))?;
        let event = crate::audit::NewEvent {
            at: now,
            actor: "ca".into(),
            org_id: None,
            action: "ocsp_responder.reserved",
            object: serial_hex.to_owned(),
            details: serde_json::json!({"issuer": issuer, "not_after": validity.1}),
        };
        crate::audit::append(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stores the signed responder certificate for a reserved serial.
    pub async fn store_responder(&self, serial_hex: &str, der: &[u8]) -> Result<(), StoreError> {
        sqlx::query("UPDATE responder_certificates SET der = $1 WHERE serial = $2 AND der IS NULL")
            .bind(der)
            .bind(serial_hex)
            .execute(&self.store.pool)
            .await?;
        Ok(())
    }

    /// Records the intent to sign `intent.serial`. A serial that exists already is a
    /// [`StoreError::Conflict`] (the CA then draws another). Concurrent calls are
    /// committed together (group commit), each durable when this returns.
    pub async fn reserve_serial(&self, intent: &SerialIntent) -> Result<(), StoreError> {
        self.store
            .writer
            .submit(IssueJob::Reserve(intent.clone()))
            .await
    }
}

/// Inserts a CA certificate row (an issuing CA of a new hierarchy is current at once).
async fn insert(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    c: &NewCaCertificate,
    now: UnixTime,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO ca_certificates (name, environment, role, parent, serial, subject_key_id, not_before, \
         not_after, der, key_ref, created_at, activated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&c.name)
    .bind(c.environment.as_str())
    .bind(c.role.as_str())
    .bind(c.parent.as_deref())
    .bind(c.serial.to_string())
    .bind(&c.subject_key_id)
    .bind(c.not_before.secs())
    .bind(c.not_after.secs())
    .bind(&c.der)
    .bind(&c.key_ref)
    .bind(now.secs())
    .bind((c.role == CaRole::Issuing).then_some(now.secs()))
    .execute(&mut **tx)
    .await
    .map_err(StoreError::conflict_as(format!("CA {}", c.name)))?;
    Ok(())
}
