//! One organisation's certificates. Every query here is scoped by the organisation.

use orgca_model::{BlockReason, CertKind, CertStatus, CertificateRecord, OrgId, Serial};
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::{Store, StoreError};

pub(crate) fn cert_from_row(r: &AnyRow) -> Result<CertificateRecord, StoreError> {
    let id: String = r.try_get("id")?;
    let kind: String = r.try_get("kind")?;
    let serial: String = r.try_get("serial")?;
    let subject: String = r.try_get("subject_uuid")?;
    let status: String = r.try_get("status")?;
    Ok(CertificateRecord {
        id: Uuid::parse_str(&id)
            .map_err(|_| StoreError::Corrupt(format!("certificate id {id:?}")))?,
        org_id: crate::db::uuid_col(r, "org_id")?,
        serial: Serial::parse_hex(&serial)
            .map_err(|_| StoreError::Corrupt(format!("certificate serial {serial:?}")))?,
        issuer: r.try_get("issuer")?,
        kind: CertKind::parse(&kind).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        name: r.try_get("name")?,
        subject_uuid: Uuid::parse_str(&subject)
            .map_err(|_| StoreError::Corrupt(format!("certificate subject {subject:?}")))?,
        email: r.try_get("email")?,
        fingerprint: r.try_get("fingerprint")?,
        not_before: crate::sql::time_at(r, "not_before")?,
        not_after: crate::sql::time_at(r, "not_after")?,
        status: CertStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("certificate status {status:?}")))?,
        renews: r
            .try_get::<Option<String>, _>("renews")?
            .map(|s| Uuid::parse_str(&s).map_err(|_| StoreError::Corrupt(format!("renews {s:?}"))))
            .transpose()?,
        blocked_at: crate::sql::maybe_time_at(r, "revoked_at")?,
        block_reason: r
            .try_get::<Option<String>, _>("block_reason")?
            .map(|s| BlockReason::parse(&s).map_err(|e| StoreError::Corrupt(e.to_string())))
            .transpose()?,
        blocked_by: r.try_get("blocked_by")?,
        // NULL where a query leaves the certificate itself out (exports).
        der: r.try_get::<Option<Vec<u8>>, _>("der")?.unwrap_or_default(),
    })
}

macro_rules! cert_columns {
    () => {
        "id, org_id, serial, issuer, kind, name, subject_uuid, email, fingerprint, not_before, not_after, status, renews, \
         revoked_at, block_reason, blocked_by, der"
    };
}
pub(crate) use cert_columns;

/// Read access confined to one organisation.
#[derive(Clone, Debug)]
pub struct OrgScope {
    pub(crate) store: Store,
    pub(crate) org_id: OrgId,
}

impl Store {
    /// A view of one organisation's data; it can see nothing of any other organisation.
    pub fn org(&self, org_id: OrgId) -> OrgScope {
        OrgScope {
            store: self.clone(),
            org_id,
        }
    }
}

impl OrgScope {
    /// The certificate with this id, if it belongs to this organisation.
    pub async fn certificate(&self, id: Uuid) -> Result<Option<CertificateRecord>, StoreError> {
        let sql = concat!(
            "SELECT ",
            cert_columns!(),
            " FROM certificates WHERE org_id = $1 AND id = $2"
        );
        let row = sqlx::query(sql)
            .bind(self.org_id.to_string())
            .bind(id.to_string())
            .fetch_optional(&self.store.pool)
            .await?;
        row.as_ref().map(cert_from_row).transpose()
    }

    /// This organisation's certificates, newest first, at most `limit`.
    pub async fn certificates(&self, limit: i64) -> Result<Vec<CertificateRecord>, StoreError> {
        self.certificates_of(None, limit).await
    }

    /// This organisation's certificates (of `holder` only, by subject UUID, when given),
    /// newest first, at most `limit`.
    pub async fn certificates_of(
        &self,
        holder: Option<&str>,
        limit: i64,
    ) -> Result<Vec<CertificateRecord>, StoreError> {
        let sql = concat!(
            "SELECT ",
            cert_columns!(),
            " FROM certificates WHERE org_id = $1 AND ($3 = '' OR subject_uuid = $3) \
             ORDER BY created_at DESC, id LIMIT $2"
        );
        let rows = sqlx::query(sql)
            .bind(self.org_id.to_string())
            .bind(limit)
            .bind(holder.unwrap_or(""))
            .fetch_all(&self.store.pool)
            .await?;
        rows.iter().map(cert_from_row).collect()
    }
}
