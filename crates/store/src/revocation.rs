//! Blocking (revocation) and what revocation status is published from: the blocked
//! certificates of an issuer, its status revision and its CRL numbers.

use orgca_model::UnixTime;
use orgca_model::{BlockReason, CertificateRecord, Serial};
use sqlx::Row;
use uuid::Uuid;

use crate::audit::{self, NewEvent};
use crate::certs::{cert_columns, cert_from_row};
use crate::db::AbortOnDrop;
use crate::mail::NewMail;
use crate::{OrgScope, Store, StoreError};

/// The outcome of a block.
#[derive(Clone, Debug)]
pub struct Blocked {
    /// The certificate as it is now.
    pub certificate: CertificateRecord,
    /// False when it was blocked already (the earlier block stands, unchanged).
    pub newly: bool,
}

/// One entry of a CRL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevokedEntry {
    /// Serial.
    pub serial: Serial,
    /// When it was blocked.
    pub revoked_at: UnixTime,
    /// RFC 5280 CRLReason.
    pub reason: u8,
}

/// Bumps the issuer's revision inside `conn`'s transaction.
async fn bump_revision(conn: &mut sqlx::AnyConnection, issuer: &str) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO ca_status (issuer, revision, crl_number) VALUES ($1, 1, 0) \
         ON CONFLICT (issuer) DO UPDATE SET revision = ca_status.revision + 1",
    )
    .bind(issuer)
    .execute(conn)
    .await?;
    Ok(())
}

impl OrgScope {
    /// Blocks a certificate of this organisation, permanently: status, time and reason
    /// with its audit event, the issuer's status revision and the `mails` (the notice
    /// to the contact person), all in one transaction. Blocking a blocked certificate
    /// changes nothing and queues nothing. `None` when it is not this organisation's.
    pub async fn block(
        &self,
        id: Uuid,
        reason: BlockReason,
        mails: &[NewMail],
        actor: &str,
        now: UnixTime,
    ) -> Result<Option<Blocked>, StoreError> {
        let mut tx = self.store.begin_write().await?;
        let blocked = self
            .block_in(&mut tx, id, reason, mails, actor, now)
            .await?;
        tx.commit().await?;
        Ok(blocked)
    }

    /// [`OrgScope::block`] inside the caller's transaction.
    pub(crate) async fn block_in(
        &self,
        tx: &mut sqlx::AnyConnection,
        id: Uuid,
        reason: BlockReason,
        mails: &[NewMail],
        actor: &str,
        now: UnixTime,
    ) -> Result<Option<Blocked>, StoreError> {
        let done = sqlx::query(
            "UPDATE certificates SET status = 'blocked', revoked_at = $1, revocation_reason = $2, \
             block_reason = $3, blocked_by = $4 WHERE id = $5 AND org_id = $6 AND status = 'active'",
        )
        .bind(now.secs())
        .bind(i64::from(reason.crl_reason()))
        .bind(reason.as_str())
        .bind(actor)
        .bind(id.to_string())
        .bind(self.org_id.to_string())
        .execute(&mut *tx)
        .await?;
        let newly = done.rows_affected() == 1;
        let row = sqlx::query(concat!(
            "SELECT ",
            cert_columns!(),
            " FROM certificates WHERE id = $1 AND org_id = $2"
        ))
        .bind(id.to_string())
        .bind(self.org_id.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let certificate = cert_from_row(&row)?;
        if newly {
            let event = NewEvent {
                at: now,
                actor: actor.to_owned(),
                org_id: Some(self.org_id.to_string()),
                action: "certificate.blocked",
                object: id.to_string(),
                details: serde_json::json!({
                    "serial": certificate.serial.to_string(), "issuer": certificate.issuer,
                    "reason": reason.as_str(), "crl_reason": reason.crl_reason(),
                }),
            };
            audit::append(&mut *tx, &event).await?;
            bump_revision(&mut *tx, &certificate.issuer).await?;
            crate::mail::queue_in(&mut *tx, &self.store, Some(self.org_id), mails, now).await?;
        }
        Ok(Some(Blocked { certificate, newly }))
    }
}

impl Store {
    /// Operator look-up of a certificate by serial (hex), across organisations.
    pub async fn certificate_by_serial(
        &self,
        serial_hex: &str,
    ) -> Result<Option<CertificateRecord>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            cert_columns!(),
            " FROM certificates WHERE serial = $1"
        ))
        .bind(serial_hex.to_ascii_lowercase())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(cert_from_row).transpose()
    }

    /// The status service's view: what CRLs and OCSP answers are built from.
    pub fn status(&self) -> StatusStore {
        StatusStore {
            store: self.clone(),
        }
    }
}

/// What the status service reads (revocations, serials, revisions) and the only things
/// it writes: CRL numbers and partitions, and its responders' reservations (`ca()`). It
/// never changes a certificate.
#[derive(Clone, Debug)]
pub struct StatusStore {
    pub(crate) store: Store,
}

impl StatusStore {
    /// The CA view, for the OCSP responders' certificates.
    pub fn ca(&self) -> crate::CaStore {
        self.store.ca()
    }

    /// What OCSP says about a serial (hex) of `issuer`: `None` when this issuer never
    /// issued it, else its revocation (time, CRLReason) if blocked.
    pub async fn serial_status(
        &self,
        issuer: &str,
        serial_hex: &str,
    ) -> Result<Option<Option<(i64, u8)>>, StoreError> {
        let row = sqlx::query(
            "SELECT status, revoked_at, revocation_reason FROM certificates WHERE serial = $1 AND issuer = $2",
        )
        .bind(serial_hex)
        .bind(issuer)
        .fetch_optional(&self.store.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let status: String = row.try_get(0)?;
        if status != "blocked" {
            return Ok(Some(None));
        }
        let at: Option<i64> = row.try_get(1)?;
        let reason: Option<i64> = row.try_get(2)?;
        Ok(Some(Some((
            at.unwrap_or_default(),
            u8::try_from(reason.unwrap_or_default()).unwrap_or_default(),
        ))))
    }

    /// Certificates of `issuer` in the order they were issued, after the position
    /// `(created_at, serial)`, at most `limit`: `(created_at, serial hex)` each. For
    /// signing OCSP answers ahead.
    pub async fn issued_after(
        &self,
        issuer: &str,
        after: (i64, &str),
        limit: i64,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT created_at, serial FROM certificates WHERE issuer = $1 \
             AND (created_at > $2 OR (created_at = $2 AND serial > $3)) \
             ORDER BY created_at, serial LIMIT $4",
        )
        .bind(issuer)
        .bind(after.0)
        .bind(after.1)
        .bind(limit)
        .fetch_all(&self.store.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    /// The serials (hex) of `issuer` blocked at or after `since`.
    pub async fn blocked_since(
        &self,
        issuer: &str,
        since: UnixTime,
    ) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT serial FROM certificates WHERE issuer = $1 AND status = 'blocked' AND revoked_at >= $2",
        )
        .bind(issuer)
        .bind(since.secs())
        .fetch_all(&self.store.pool)
        .await?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    /// The issuer's status revision: it changes whenever one of its certificates is
    /// blocked (0 before the first block).
    pub async fn status_revision(&self, issuer: &str) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT revision FROM ca_status WHERE issuer = $1")
            .bind(issuer)
            .fetch_optional(&self.store.pool)
            .await?;
        Ok(row.map(|r| r.try_get("revision")).transpose()?.unwrap_or(0))
    }

    /// Hands out the issuer's next CRL number: strictly increasing, whichever node asks,
    /// and at least `at_least` (the status service gives the CRL's thisUpdate in Unix
    /// nanoseconds, so that a store restored from an older backup still numbers above
    /// every CRL published since).
    pub async fn next_crl_number(&self, issuer: &str, at_least: i64) -> Result<i64, StoreError> {
        let mut tx = self.store.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO ca_status (issuer, revision, crl_number) \
             VALUES ($1, 0, CASE WHEN $2 > 1 THEN $2 ELSE 1 END) \
             ON CONFLICT (issuer) DO UPDATE SET crl_number = \
             CASE WHEN ca_status.crl_number + 1 > $2 THEN ca_status.crl_number + 1 ELSE $2 END \
             RETURNING crl_number",
        )
        .bind(issuer)
        .bind(at_least)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(row.try_get("crl_number")?)
    }

    /// How many CRL partitions `issuer` publishes: `configured`, or more if it once had
    /// more (certificates naming a partition keep it published). Recorded, so that it
    /// never shrinks across restarts and nodes.
    pub async fn crl_partitions(&self, issuer: &str, configured: u16) -> Result<u16, StoreError> {
        let mut tx = self.store.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO ca_status (issuer, revision, crl_number, crl_partitions) VALUES ($1, 0, 0, $2) \
             ON CONFLICT (issuer) DO UPDATE SET crl_partitions = \
             CASE WHEN ca_status.crl_partitions < $2 THEN $2 ELSE ca_status.crl_partitions END \
             RETURNING crl_partitions",
        )
        .bind(issuer)
        .bind(i64::from(configured))
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        let n: i64 = row.try_get(0)?;
        u16::try_from(n)
            .map_err(|_| StoreError::Corrupt(format!("{issuer} has {n} CRL partitions")))
    }

    /// Calls `each` with every blocked certificate of `issuer` (of partition `shard`
    /// only, when given), in serial order, read in pages of [`REVOKED_PAGE`] entries:
    /// the database aggregates each page into one text value over a covering index, so
    /// a million entries cost a hundred round trips rather than a million rows through
    /// the driver. The next page is read while `each` works through the current one;
    /// memory holds two pages.
    pub async fn for_each_revoked(
        &self,
        issuer: &str,
        shard: Option<u16>,
        mut each: impl FnMut(RevokedEntry) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError> {
        let read = |after: String| {
            let (pool, issuer) = (self.store.pool.clone(), issuer.to_owned());
            AbortOnDrop(tokio::spawn(async move {
                revoked_page(&pool, &issuer, shard, &after).await
            }))
        };
        let mut next = read(String::new());
        let mut n = 0;
        loop {
            // A reader that panicked or was cancelled is a crashed worker, not data.
            let page = (&mut next.0)
                .await
                .map_err(|_| StoreError::Db(sqlx::Error::WorkerCrashed))??;
            let Some((page, last)) = page else {
                return Ok(n);
            };
            next = read(last);
            for item in page.split(';') {
                // Returning drops (and so stops) the read of the next page.
                parse_revoked(item).and_then(&mut each)?;
                n += 1;
            }
        }
    }
}

/// One page of [`Store::for_each_revoked`]: the entries after serial `after`, and the
/// last serial in it; `None` past the end.
async fn revoked_page(
    pool: &sqlx::AnyPool,
    issuer: &str,
    shard: Option<u16>,
    after: &str,
) -> Result<Option<(String, String)>, StoreError> {
    // A NULL must not drop an entry silently (string_agg skips NULLs): it becomes an
    // empty field, which the parser refuses as corrupt.
    macro_rules! page {
        ($filter:literal) => {
            concat!(
                "SELECT string_agg(serial || ',' || COALESCE(CAST(revoked_at AS TEXT), '') || ',' || \
                 COALESCE(CAST(revocation_reason AS TEXT), ''), ';'), max(serial) FROM (\
                 SELECT serial, revoked_at, revocation_reason FROM certificates \
                 WHERE issuer = $1 AND status = 'blocked' AND serial > $2 ",
                $filter,
                " ORDER BY serial LIMIT $3) page"
            )
        };
    }
    let q = match shard {
        None => sqlx::query(page!("")),
        Some(_) => sqlx::query(page!("AND crl_shard = $4")),
    };
    let mut q = q.bind(issuer).bind(after).bind(REVOKED_PAGE);
    if let Some(s) = shard {
        q = q.bind(i64::from(s));
    }
    let row = q.fetch_one(pool).await?;
    let Some(page): Option<String> = row.try_get(0)? else {
        return Ok(None);
    };
    Ok(Some((page, row.try_get(1)?)))
}

/// Entries per page read by [`Store::for_each_revoked`].
pub const REVOKED_PAGE: i64 = 20_000;

/// One `serial,revoked_at,reason` item of a page.
fn parse_revoked(item: &str) -> Result<RevokedEntry, StoreError> {
    let corrupt = || StoreError::Corrupt(format!("revoked entry {item:?}"));
    let mut parts = item.split(',');
    let (Some(serial), Some(at), Some(reason), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(corrupt());
    };
    Ok(RevokedEntry {
        serial: Serial::parse_hex(serial).map_err(|_| corrupt())?,
        revoked_at: at.parse().map(UnixTime::from_secs).map_err(|_| corrupt())?,
        reason: reason.parse().map_err(|_| corrupt())?,
    })
}
