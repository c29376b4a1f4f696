//! Committing an issued certificate: the certificate, its serial's new state and the
//! audit event, in one transaction.

use orgca_model::{CertKind, OrgId, Serial};
use uuid::Uuid;

use crate::audit::{self, NewEvent};
use crate::{Store, StoreError};

/// A signed certificate to record.
#[derive(Clone, Debug)]
pub struct NewCertificate {
    /// orgca's id for it.
    pub id: Uuid,
    /// Serial (reserved before signing).
    pub serial: Serial,
    /// Issuing CA name.
    pub issuer: String,
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
    /// notBefore (Unix seconds).
    pub not_before: i64,
    /// notAfter (Unix seconds).
    pub not_after: i64,
    /// The certificate.
    pub der: Vec<u8>,
}

/// Where issued certificates are committed.
#[derive(Clone, Debug)]
pub struct IssuanceStore {
    store: Store,
}

impl Store {
    /// The issuance commit view.
    pub fn issuance(&self) -> IssuanceStore {
        IssuanceStore {
            store: self.clone(),
        }
    }
}

impl IssuanceStore {
    /// Records `cert` as issued with its audit event. The serial must have been reserved
    /// (and not used); otherwise nothing is written.
    pub async fn commit(
        &self,
        cert: &NewCertificate,
        actor: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let serial = cert.serial.to_string();
        let mut tx = self.store.begin_write().await?;
        let updated = sqlx::query("UPDATE serials SET state = 'issued' WHERE serial = $1 AND state = 'reserved' AND issuer = $2")
            .bind(&serial)
            .bind(&cert.issuer)
            .execute(&mut *tx)
            .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::Corrupt(format!(
                "serial {serial} was not reserved by {}",
                cert.issuer
            )));
        }
        sqlx::query(
            "INSERT INTO certificates (id, serial, issuer, org_id, kind, name, subject_uuid, email, fingerprint, \
             not_before, not_after, status, der, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'active', $12, $13)",
        )
        .bind(cert.id.to_string())
        .bind(&serial)
        .bind(&cert.issuer)
        .bind(cert.org_id.to_string())
        .bind(cert.kind.as_str())
        .bind(&cert.name)
        .bind(cert.subject_uuid.to_string())
        .bind(cert.email.as_deref())
        .bind(&cert.fingerprint)
        .bind(cert.not_before)
        .bind(cert.not_after)
        .bind(&cert.der)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let event = NewEvent {
            at: now,
            actor: actor.to_owned(),
            org_id: Some(cert.org_id.to_string()),
            action: "certificate.issued",
            object: cert.id.to_string(),
            details: serde_json::json!({
                "serial": serial, "issuer": cert.issuer, "kind": cert.kind, "name": cert.name,
                "subject_uuid": cert.subject_uuid, "fingerprint_sha256": cert.fingerprint,
                "not_after": cert.not_after,
            }),
        };
        audit::append(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }
}
