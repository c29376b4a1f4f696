//! Synthetic data for benchmarks only: compiled in with the `bench` feature, which no
//! shipped binary enables. It writes rows directly, bypassing the issuance path (no
//! signatures, no audit events): never use it on a real store.

use uuid::Uuid;

use crate::{Store, StoreError};

impl Store {
    /// Inserts `n` blocked certificates (with their serial reservations) of `issuer` and
    /// organisation `org_id`, in batches: deterministic serials from `seed`, revocation
    /// times spread over a month, reasons cycling through the CRL's.
    pub async fn bench_fill_revoked(
        &self,
        issuer: &str,
        org_id: Uuid,
        n: u64,
        seed: u64,
        now: i64,
    ) -> Result<(), StoreError> {
        // Small statements (sqlx's cost grows faster than the row count), many per
        // transaction (one commit, one fsync, per 20,000 rows).
        const BATCH: u64 = 25;
        const PER_COMMIT: u64 = 20_000;
        let reasons = [1i64, 4, 5, 3, 0];
        let mut done = 0;
        let mut tx = self.begin_write().await?;
        while done < n {
            let rows = BATCH.min(n - done);
            if done > 0 && done % PER_COMMIT == 0 {
                tx.commit().await?;
                tx = self.begin_write().await?;
            }
            let serials: Vec<String> = (done..done + rows)
                .map(|i| {
                    let mut b = [0u8; 20];
                    b[..8].copy_from_slice(
                        &(seed ^ i.wrapping_mul(0x9e37_79b9_7f4a_7c15)).to_be_bytes(),
                    );
                    b[12..].copy_from_slice(&i.to_be_bytes());
                    b[0] = (b[0] & 0x7f) | 0x40;
                    hex::encode(b)
                })
                .collect();
            let sql = crate::sql::multi_row(
                "INSERT INTO serials (serial, issuer, org_id, kind, subject_uuid, tbs_sha256, created_at)",
                serials.len(),
                7,
            );
            let mut q = sqlx::query(sql);
            for s in &serials {
                q = q
                    .bind(s.clone())
                    .bind(issuer)
                    .bind(org_id.to_string())
                    .bind("system")
                    .bind(Uuid::nil().to_string())
                    .bind("00")
                    .bind(now);
            }
            q.execute(&mut *tx).await?;
            let sql = crate::sql::multi_row(
                "INSERT INTO certificates (id, serial, issuer, org_id, kind, name, subject_uuid, fingerprint, \
                 tbs_sha256, not_before, not_after, status, revoked_at, revocation_reason, der, created_at, name_key)",
                serials.len(),
                17,
            );
            let mut q = sqlx::query(sql);
            for (k, s) in serials.iter().enumerate() {
                let i = done + k as u64;
                q = q
                    .bind(Uuid::new_v4().to_string())
                    .bind(s.clone())
                    .bind(issuer)
                    .bind(org_id.to_string())
                    .bind("system")
                    .bind(format!("bench-{i}"))
                    .bind(Uuid::nil().to_string())
                    .bind("00")
                    .bind("00")
                    .bind(now - 86_400)
                    .bind(now + 365 * 86_400)
                    .bind("blocked")
                    .bind(now - (i % (30 * 86_400)) as i64)
                    .bind(reasons[(i % 5) as usize])
                    .bind(vec![0x30u8, 0x00])
                    .bind(now)
                    .bind(format!("bench-{i}"));
            }
            q.execute(&mut *tx).await?;
            done += rows;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// The size of the placeholder DER of a search benchmark row (a real leaf signed by an
/// RSA-3072 issuing CA is about this long).
const BENCH_DER_BYTES: usize = 1_600;

/// A synthetic certificate record for search benchmarks (see [`Store::bench_insert`]).
#[derive(Clone, Debug)]
pub struct BenchCertificate {
    /// Organisation.
    pub org_id: Uuid,
    /// Kind name.
    pub kind: &'static str,
    /// Name (CN).
    pub name: String,
    /// Subject UUID (a profile's or user's id).
    pub subject_uuid: Uuid,
    /// E-mail in the certificate.
    pub email: Option<String>,
    /// Serial, 40 hex digits.
    pub serial: String,
    /// notBefore, notAfter, created (Unix seconds).
    pub not_before: i64,
    /// notAfter.
    pub not_after: i64,
    /// When issued.
    pub created_at: i64,
    /// Blocked (reason 1, at `created_at + 1`).
    pub blocked: bool,
}

impl Store {
    /// Inserts synthetic certificate rows (and their serial reservations) of `issuer`,
    /// with their search keys, in one transaction: no signature, no audit event, a
    /// placeholder DER. For benchmarks only.
    pub async fn bench_insert(
        &self,
        issuer: &str,
        rows: &[BenchCertificate],
    ) -> Result<(), StoreError> {
        const BATCH: usize = 40;
        let ids: Vec<String> = rows.iter().map(|_| Uuid::new_v4().to_string()).collect();
        let mut tx = self.begin_write().await?;
        for (batch, batch_ids) in rows.chunks(BATCH).zip(ids.chunks(BATCH)) {
            let sql = crate::sql::multi_row(
                "INSERT INTO serials (serial, issuer, org_id, kind, subject_uuid, tbs_sha256, created_at)",
                batch.len(),
                7,
            );
            let mut q = sqlx::query(sql);
            for r in batch {
                q = q
                    .bind(r.serial.clone())
                    .bind(issuer)
                    .bind(r.org_id.to_string())
                    .bind(r.kind)
                    .bind(r.subject_uuid.to_string())
                    .bind("00")
                    .bind(r.created_at);
            }
            q.execute(&mut *tx).await?;
            let sql = crate::sql::multi_row(
                "INSERT INTO certificates (id, serial, issuer, org_id, kind, name, subject_uuid, email, fingerprint, \
                 tbs_sha256, not_before, not_after, status, revoked_at, revocation_reason, block_reason, der, \
                 created_at, name_key, email_key)",
                batch.len(),
                20,
            );
            let mut q = sqlx::query(sql);
            for (r, id) in batch.iter().zip(batch_ids) {
                q = q
                    .bind(id.clone())
                    .bind(r.serial.clone())
                    .bind(issuer)
                    .bind(r.org_id.to_string())
                    .bind(r.kind)
                    .bind(r.name.clone())
                    .bind(r.subject_uuid.to_string())
                    .bind(r.email.clone())
                    .bind(r.serial.clone() + &r.serial[..24])
                    .bind("00")
                    .bind(r.not_before)
                    .bind(r.not_after)
                    .bind(if r.blocked { "blocked" } else { "active" })
                    .bind(r.blocked.then_some(r.created_at + 1))
                    .bind(r.blocked.then_some(1i64))
                    .bind(r.blocked.then_some("key_lost"))
                    // As long as a real leaf under an RSA-3072 issuing CA: row size
                    // decides how many pages a scan reads.
                    .bind(vec![0x30u8; BENCH_DER_BYTES])
                    .bind(r.created_at)
                    .bind(crate::search_keys::sort_key(&r.name))
                    .bind(r.email.as_deref().map(crate::search_keys::key));
            }
            q.execute(&mut *tx).await?;
        }
        let words: Vec<_> = rows
            .iter()
            .zip(&ids)
            .map(|(r, id)| {
                (
                    r.org_id.to_string(),
                    id.clone(),
                    r.name.as_str(),
                    r.email.as_deref(),
                )
            })
            .collect();
        crate::search_keys::insert_words(&mut tx, &words).await?;
        tx.commit().await?;
        Ok(())
    }
}
