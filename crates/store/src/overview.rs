//! What an organisation's overview shows: its certificates counted by kind and status,
//! and those that expire soon. Confined to the organisation (and to one holder, for a
//! user who sees only their own).

use orgca_model::UnixTime;
use orgca_model::{CertKind, CertificateRecord};
use sqlx::Row;

use crate::certs::{cert_columns, cert_from_row};
use crate::{OrgScope, StoreError};

/// Certificates of one kind, by the status a client sees.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KindCounts {
    /// Active (not blocked, not past notAfter).
    pub active: i64,
    /// Blocked.
    pub blocked: i64,
    /// Past notAfter and never blocked.
    pub expired: i64,
}

impl OrgScope {
    /// Counts by kind and visible status as of `now`; of `holder`'s certificates only
    /// (subject UUID) when given.
    pub async fn certificate_counts(
        &self,
        now: UnixTime,
        holder: Option<&str>,
    ) -> Result<Vec<(CertKind, KindCounts)>, StoreError> {
        let rows = sqlx::query(
            "SELECT kind, \
             CASE WHEN status = 'blocked' THEN 'blocked' WHEN not_after < $2 THEN 'expired' ELSE 'active' END AS seen, \
             count(*) AS n FROM certificates WHERE org_id = $1 AND ($3 = '' OR subject_uuid = $3) \
             GROUP BY kind, seen",
        )
        .bind(self.org_id.to_string())
        .bind(now.secs())
        .bind(holder.unwrap_or(""))
        .fetch_all(&self.store.pool)
        .await?;
        let mut out: Vec<(CertKind, KindCounts)> =
            [CertKind::Employee, CertKind::Organisation, CertKind::System]
                .into_iter()
                .map(|k| (k, KindCounts::default()))
                .collect();
        for r in rows {
            let kind: String = r.try_get("kind")?;
            let seen: String = r.try_get("seen")?;
            let n: i64 = r.try_get("n")?;
            let kind = CertKind::parse(&kind)
                .map_err(|_| StoreError::Corrupt(format!("certificate kind {kind:?}")))?;
            if let Some((_, c)) = out.iter_mut().find(|(k, _)| *k == kind) {
                match seen.as_str() {
                    "blocked" => c.blocked += n,
                    "expired" => c.expired += n,
                    _ => c.active += n,
                }
            }
        }
        Ok(out)
    }

    /// Active certificates whose notAfter falls between `now` and `until`, soonest
    /// first, at most `limit`; of `holder`'s only when given.
    pub async fn expiring_between(
        &self,
        now: UnixTime,
        until: UnixTime,
        holder: Option<&str>,
        limit: i64,
    ) -> Result<Vec<CertificateRecord>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            cert_columns!(),
            " FROM certificates WHERE org_id = $1 AND status = 'active' AND not_after >= $2 \
             AND not_after <= $3 AND ($4 = '' OR subject_uuid = $4) ORDER BY not_after, id LIMIT $5"
        ))
        .bind(self.org_id.to_string())
        .bind(now.secs())
        .bind(until.secs())
        .bind(holder.unwrap_or(""))
        .bind(limit)
        .fetch_all(&self.store.pool)
        .await?;
        rows.iter().map(cert_from_row).collect()
    }
}

impl OrgScope {
    /// The certificates that renew the one with id `id` (newest first).
    pub async fn renewals_of(&self, id: uuid::Uuid) -> Result<Vec<CertificateRecord>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            cert_columns!(),
            " FROM certificates WHERE org_id = $1 AND renews = $2 ORDER BY created_at DESC, id LIMIT 100"
        ))
        .bind(self.org_id.to_string())
        .bind(id.to_string())
        .fetch_all(&self.store.pool)
        .await?;
        rows.iter().map(cert_from_row).collect()
    }
}
