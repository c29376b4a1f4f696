//! Notices before expiry: at each configured point (days before notAfter) the contact
//! person of a certificate gets one message, never two (the store's key sees to that,
//! across restarts and nodes), and none for a certificate that has been renewed or
//! blocked.

use orgca_model::CertificateRecord;
use orgca_model::UnixTime;
use orgca_store::NewMail;

use crate::{Ra, RaError};

/// Certificates looked at per run, at most (the next run takes the rest).
const BATCH: i64 = 1000;

/// The default points: 90, 30 and 7 days before notAfter.
pub const DEFAULT_POINTS: [u32; 3] = [90, 30, 7];

impl Ra {
    /// Queues the notices due at `now` for the points `points` (days before notAfter);
    /// answers how many were queued. Safe to run again, and from several nodes at once.
    pub async fn queue_expiry_notices(
        &self,
        points: &[u32],
        now: UnixTime,
    ) -> Result<usize, RaError> {
        let store = &self.store;
        let Some(&furthest) = points.iter().max() else {
            return Ok(0);
        };
        let mut queued = 0;
        for c in store
            .expiring(now, now.plus_days(i64::from(furthest)), BATCH)
            .await?
        {
            // The nearest point that has been reached: one message, for that point only
            // (a certificate first seen 20 days out gets the 30-day notice, not 90 and 30).
            let left = now.secs_until(c.not_after);
            let Some(point) = points
                .iter()
                .copied()
                .filter(|&d| left <= i64::from(d) * 86_400)
                .min()
            else {
                continue;
            };
            let scope = store.org(c.org_id);
            let Some(to) = scope.contact_email(&c).await? else {
                continue;
            };
            let mail = notice(&c, &to, left);
            if scope
                .record_expiry_notice(c.id, i64::from(point), &mail, now)
                .await?
            {
                queued += 1;
            }
        }
        Ok(queued)
    }
}

fn notice(c: &CertificateRecord, to: &str, left: i64) -> NewMail {
    let days = left / 86_400;
    let when = c.not_after.to_offset().date();
    NewMail {
        recipient: to.to_owned(),
        subject: format!("Certificate \"{}\" expires in {days} days", c.name),
        body: format!(
            "The certificate \"{}\" (serial {}) expires on {when}, in {days} days.\n\n\
             Renew it in time (POST /api/v1/certificates/{}/renew, or in the portal): the\n\
             renewal is a new order with the same data and a new key. Systems that use\n\
             the certificate stop working when it expires.\n",
            c.name, c.serial, c.id
        ),
    }
}
