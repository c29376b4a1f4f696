//! Expiry notices: which certificates come near their end, and the record that a notice
//! for one point (days before notAfter) was queued, written with the mail itself.

use orgca_model::UnixTime;
use uuid::Uuid;

use crate::certs::{cert_columns, cert_from_row};
use crate::mail::NewMail;
use crate::{OrgScope, Store, StoreError};
use orgca_model::CertificateRecord;

impl Store {
    /// Active certificates that expire after `now` and by `until`, that no other
    /// certificate renews, soonest first, at most `limit`.
    pub async fn expiring(
        &self,
        now: UnixTime,
        until: UnixTime,
        limit: i64,
    ) -> Result<Vec<CertificateRecord>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            cert_columns!(),
            " FROM certificates c WHERE c.status = 'active' AND c.not_after > $1 AND c.not_after <= $2 ",
            "AND NOT EXISTS (SELECT 1 FROM certificates r WHERE r.renews = c.id) ",
            "ORDER BY c.not_after LIMIT $3"
        ))
        .bind(now.secs())
        .bind(until.secs())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(cert_from_row).collect()
    }
}

impl OrgScope {
    /// Who hears about a certificate of this organisation: its profile's contact
    /// person, or for an employee certificate the employee.
    pub async fn contact_email(&self, c: &CertificateRecord) -> Result<Option<String>, StoreError> {
        let subject = c.subject_uuid;
        Ok(match c.kind {
            orgca_model::CertKind::Employee => self.user(subject).await?.map(|u| u.email),
            _ => self.profile(subject).await?.map(|p| p.contact_email),
        })
    }

    /// Records that the notice `days_before` notAfter of a certificate of this
    /// organisation is queued, and queues `mail`, in one transaction; `false` (and
    /// nothing queued) when that notice was queued before.
    pub async fn record_expiry_notice(
        &self,
        certificate_id: Uuid,
        days_before: i64,
        mail: &NewMail,
        now: UnixTime,
    ) -> Result<bool, StoreError> {
        let mut tx = self.store.begin_write().await?;
        let done = sqlx::query(
            "INSERT INTO expiry_notices (certificate_id, days_before, queued_at) \
             SELECT id, $2, $3 FROM certificates WHERE id = $1 AND org_id = $4 \
             ON CONFLICT (certificate_id, days_before) DO NOTHING",
        )
        .bind(certificate_id.to_string())
        .bind(days_before)
        .bind(now.secs())
        .bind(self.org_id.to_string())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        crate::mail::queue_in(
            &mut tx,
            &self.store,
            Some(self.org_id),
            std::slice::from_ref(mail),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}
