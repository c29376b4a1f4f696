//! The public certificate directory: the one query over every organisation that anyone
//! may run. It answers only exact addresses, only certificates published by their
//! profile or their user's opt-in, and only those valid now; never a listing.

use crate::certs::{cert_columns, cert_from_row};
use crate::search_keys::key;
use crate::{Store, StoreError};
use orgca_model::CertificateRecord;
use orgca_model::UnixTime;

/// The most certificates one directory answer holds.
pub const DIRECTORY_LIMIT: i64 = 20;

impl Store {
    /// The published, active certificates (not blocked, within their validity at
    /// `now`) whose e-mail address is exactly `email` (in any case), latest notAfter
    /// first.
    pub async fn directory(
        &self,
        email: &str,
        now: UnixTime,
    ) -> Result<Vec<CertificateRecord>, StoreError> {
        let sql = concat!(
            "SELECT ",
            cert_columns!(),
            " FROM certificates c WHERE c.email_key = $1 AND c.status = 'active' \
             AND c.not_before <= $2 AND c.not_after >= $2 AND ( \
             (c.kind <> 'employee' AND EXISTS (SELECT 1 FROM profiles p \
                WHERE p.id = c.subject_uuid AND p.org_id = c.org_id AND p.publish <> 0)) \
             OR (c.kind = 'employee' AND EXISTS (SELECT 1 FROM users u \
                WHERE u.id = c.subject_uuid AND u.org_id = c.org_id AND u.publish <> 0 \
                AND u.status = 'active'))) \
             ORDER BY c.not_after DESC, c.id LIMIT $3"
        );
        let rows = sqlx::query(sql)
            .bind(key(email))
            .bind(now.secs())
            .bind(DIRECTORY_LIMIT)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(cert_from_row).collect()
    }
}
