//! The OCSP responder's answers: one delegated responder per issuing CA, answers for
//! single certificates signed ahead and kept (the request path only looks them up),
//! re-signed at once when a certificate is blocked and before they go stale. A request
//! with a nonce, or about several certificates, is signed when it comes.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use der::Encode as _;
use orgca_ca::IssuingCa;
use orgca_ca::ocsp::Responder;
use orgca_model::UnixTime;
use orgca_pki::ocsp::{self, CertId, CertStatus, SingleAnswer, Unsuccessful};
use orgca_store::StatusStore;
use time::OffsetDateTime;

use crate::StatusError;

/// How OCSP answers are timed.
#[derive(Clone, Copy, Debug)]
pub struct OcspPolicy {
    /// thisUpdate to nextUpdate of an answer.
    pub validity: Duration,
    /// An answer older than this is signed again (well before nextUpdate).
    pub refresh_after: Duration,
    /// Lifetime of a responder certificate; renewed at half of it.
    pub responder_validity: Duration,
    /// The most answers kept per node.
    pub max_cached: usize,
}

impl Default for OcspPolicy {
    /// Answers valid 12 hours and re-signed after 3; responder certificates valid 2
    /// days; up to a million answers kept.
    fn default() -> Self {
        OcspPolicy {
            validity: Duration::from_secs(12 * 3600),
            refresh_after: Duration::from_secs(3 * 3600),
            responder_validity: Duration::from_secs(2 * 24 * 3600),
            max_cached: 1_000_000,
        }
    }
}

/// A signed answer about one certificate, as kept.
#[derive(Debug)]
pub struct Answer {
    /// The OCSPResponse, DER.
    pub der: bytes::Bytes,
    /// Its thisUpdate.
    pub this_update: OffsetDateTime,
    /// Its nextUpdate.
    pub next_update: OffsetDateTime,
    /// thisUpdate and nextUpdate as HTTP-dates (RFC 9110), formatted once when signed:
    /// the request path copies them into Last-Modified and Expires.
    pub http_dates: (String, String),
    issuer: usize,
    serial_hex: String,
    cert_id: CertId,
}

/// RFC 9110 HTTP-date (IMF-fixdate).
pub const HTTP_DATE: &[time::format_description::FormatItem<'static>] = time::macros::format_description!(
    "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
);

/// `t` as an HTTP-date.
pub fn http_date(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(HTTP_DATE)
        .unwrap_or_default()
}

/// What the responder answers with: a signed response, or an unsuccessful one.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A signed answer (maybe from the cache).
    Signed(Arc<Answer>),
    /// A signed answer made for this request (nonce or several certificates).
    Fresh(Vec<u8>),
    /// malformedRequest, unauthorized, internalError...
    Unsuccessful(Unsuccessful),
}

struct Issuer {
    ca: Arc<IssuingCa>,
    responder: RwLock<Arc<Responder>>,
    /// The status revision last seen, and when it was read.
    revision: RwLock<(i64, UnixTime)>,
    /// How far answers have been signed ahead: (created_at, serial) of the last one.
    presigned: RwLock<(i64, String)>,
}

/// Certificates whose answers are signed ahead per issuer and upkeep round.
const PRESIGN_BATCH: i64 = 5_000;

/// How far behind its cursor each round looks again, in seconds of `created_at`. A
/// certificate's time is taken before it is signed and committed, so one committed after
/// the cursor passed its position (a lower serial in the same second, or a slower
/// commit) is found here; its answer would otherwise be signed only on request.
const PRESIGN_LOOKBACK: i64 = 10;

/// The OCSP responder of one node.
#[derive(Clone)]
pub struct OcspService {
    store: StatusStore,
    issuers: Arc<Vec<Issuer>>,
    cache: Arc<RwLock<HashMap<Vec<u8>, Arc<Answer>>>>,
    policy: OcspPolicy,
}

impl std::fmt::Debug for OcspService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OcspService").finish_non_exhaustive()
    }
}

fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl OcspService {
    /// A responder for these issuing CAs: one responder certificate each is issued now.
    pub async fn start(
        store: StatusStore,
        cas: Vec<Arc<IssuingCa>>,
        policy: OcspPolicy,
        now: OffsetDateTime,
    ) -> Result<OcspService, StatusError> {
        let mut issuers = Vec::new();
        for ca in cas {
            let responder =
                Responder::issue(&ca, &store.ca(), now, validity(policy.responder_validity))
                    .await?;
            let revision = store.status_revision(&ca.name).await?;
            issuers.push(Issuer {
                ca,
                responder: RwLock::new(Arc::new(responder)),
                revision: RwLock::new((revision, now.into())),
                presigned: RwLock::new((i64::MIN, String::new())),
            });
        }
        Ok(OcspService {
            store,
            issuers: Arc::new(issuers),
            cache: Arc::default(),
            policy,
        })
    }

    /// The responder certificate of each issuing CA (for tests and the operator).
    pub fn responder_certificates(&self) -> Vec<(String, Vec<u8>)> {
        self.issuers
            .iter()
            .map(|i| (i.ca.name.clone(), read(&i.responder).cert_der.clone()))
            .collect()
    }

    /// Answers an OCSPRequest (DER). Never fails: every problem is an unsuccessful
    /// OCSP response (malformed request, unauthorized, internal error).
    pub async fn respond(&self, request: &[u8], now: OffsetDateTime) -> Reply {
        let req = match ocsp::parse_request(request) {
            Ok(r) => r,
            Err(_) => return Reply::Unsuccessful(Unsuccessful::MalformedRequest),
        };
        // Every CertID must name one issuing CA this node answers for.
        let Some(issuer) = self
            .issuers
            .iter()
            .position(|i| read(&i.responder).answers_for(&req.cert_ids[0]))
        else {
            return Reply::Unsuccessful(Unsuccessful::Unauthorized);
        };
        let responder = read(&self.issuers[issuer].responder).clone();
        if !req.cert_ids.iter().all(|id| responder.answers_for(id)) {
            return Reply::Unsuccessful(Unsuccessful::Unauthorized);
        }
        if req.nonce.is_none() && req.cert_ids.len() == 1 {
            let key = req.cert_ids[0].to_der().unwrap_or_default();
            if let Some(a) = read(&self.cache).get(&key).cloned() {
                metrics::counter!("orgca_ocsp_answers_total", "source" => "kept").increment(1);
                return Reply::Signed(a);
            }
            metrics::counter!("orgca_ocsp_answers_total", "source" => "signed_on_request")
                .increment(1);
            return match self.sign_one(issuer, req.cert_ids[0].clone(), now).await {
                Ok(a) => Reply::Signed(a),
                Err(e) => {
                    tracing::error!(error = %e, "OCSP answer failed");
                    Reply::Unsuccessful(Unsuccessful::InternalError)
                }
            };
        }
        let mut answers = Vec::with_capacity(req.cert_ids.len());
        for id in req.cert_ids {
            match self.status(issuer, &id).await {
                Ok((status, _)) => answers.push(SingleAnswer {
                    cert_id: id,
                    status,
                }),
                Err(e) => {
                    tracing::error!(error = %e, "OCSP status lookup failed");
                    return Reply::Unsuccessful(Unsuccessful::TryLater);
                }
            }
        }
        metrics::counter!("orgca_ocsp_answers_total", "source" => "nonce_or_several").increment(1);
        let next = now + self.policy.validity;
        let signed = tokio::task::block_in_place(|| {
            responder.sign(&answers, req.nonce.as_deref(), now, next)
        });
        match signed {
            Ok(der) => Reply::Fresh(der),
            Err(e) => {
                tracing::error!(error = %e, "OCSP signing failed");
                Reply::Unsuccessful(Unsuccessful::InternalError)
            }
        }
    }

    async fn status(
        &self,
        issuer: usize,
        id: &CertId,
    ) -> Result<(CertStatus, String), StatusError> {
        // orgca's serials are 20 bytes: anything else was never issued here.
        let Some(serial) = id.serial().filter(|s| s.len() == 20) else {
            return Ok((CertStatus::Unknown, String::new()));
        };
        let hex = hex::encode(serial);
        let status = match self
            .store
            .serial_status(&self.issuers[issuer].ca.name, &hex)
            .await?
        {
            None => CertStatus::Unknown,
            Some(None) => CertStatus::Good,
            Some(Some((at, reason))) => CertStatus::Revoked { at, reason },
        };
        Ok((status, hex))
    }

    /// Signs the answer about one certificate and keeps it.
    async fn sign_one(
        &self,
        issuer: usize,
        cert_id: CertId,
        now: OffsetDateTime,
    ) -> Result<Arc<Answer>, StatusError> {
        let (status, serial_hex) = self.status(issuer, &cert_id).await?;
        let responder = read(&self.issuers[issuer].responder).clone();
        let next_update = now + self.policy.validity;
        let answers = [SingleAnswer {
            cert_id: cert_id.clone(),
            status,
        }];
        let der = tokio::task::block_in_place(|| responder.sign(&answers, None, now, next_update))?;
        let answer = Arc::new(Answer {
            der: der.into(),
            this_update: now,
            next_update,
            http_dates: (http_date(now), http_date(next_update)),
            issuer,
            serial_hex,
            cert_id,
        });
        let key = answer.cert_id.to_der().unwrap_or_default();
        let mut cache = write(&self.cache);
        if cache.len() < self.policy.max_cached || cache.contains_key(&key) {
            cache.insert(key, answer.clone());
        }
        Ok(answer)
    }

    /// One round of upkeep: renews responder certificates past half their life,
    /// re-signs at once the kept answers of certificates blocked since the last round
    /// (on this node or another), and re-signs answers older than the refresh time.
    pub async fn upkeep(&self, now: OffsetDateTime) -> Result<(), StatusError> {
        for (i, issuer) in self.issuers.iter().enumerate() {
            let current = read(&issuer.responder).clone();
            if now >= current.not_before + (current.not_after - current.not_before) / 2 {
                let fresh = Responder::issue(
                    &issuer.ca,
                    &self.store.ca(),
                    now,
                    validity(self.policy.responder_validity),
                )
                .await?;
                *write(&issuer.responder) = Arc::new(fresh);
                // Answers signed by the old responder stay valid; they are re-signed
                // by the refresh below as they age.
            }
            let revision = self.store.status_revision(&issuer.ca.name).await?;
            let (seen, since) = *read(&issuer.revision);
            if revision != seen {
                // A minute's margin for clocks of other nodes.
                let blocked = self
                    .store
                    .blocked_since(&issuer.ca.name, since.minus_secs(60))
                    .await?;
                let stale: Vec<CertId> = read(&self.cache)
                    .values()
                    .filter(|a| a.issuer == i && blocked.contains(&a.serial_hex))
                    .map(|a| a.cert_id.clone())
                    .collect();
                for id in stale {
                    self.sign_one(i, id, now).await?;
                }
                *write(&issuer.revision) = (revision, now.into());
            }
        }
        self.presign(now).await?;
        let old: Vec<(usize, CertId)> = read(&self.cache)
            .values()
            .filter(|a| now - a.this_update >= self.policy.refresh_after)
            .map(|a| (a.issuer, a.cert_id.clone()))
            .collect();
        for (i, id) in old {
            self.sign_one(i, id, now).await?;
        }
        Ok(())
    }

    /// Signs ahead the answers for certificates issued since the last round (all of
    /// them, in batches, after a start), and for those committed behind the cursor in the
    /// last [`PRESIGN_LOOKBACK`] seconds, so that a client's first request finds its
    /// answer kept; stops at the cache's size.
    async fn presign(&self, now: OffsetDateTime) -> Result<(), StatusError> {
        for (i, issuer) in self.issuers.iter().enumerate() {
            if read(&self.cache).len() >= self.policy.max_cached {
                return Ok(());
            }
            let after = read(&issuer.presigned).clone();
            let mut batch = self
                .store
                .issued_after(&issuer.ca.name, (after.0, &after.1), PRESIGN_BATCH)
                .await?;
            let last = batch.last().cloned();
            if after.0 != i64::MIN {
                let behind = self
                    .store
                    .issued_after(
                        &issuer.ca.name,
                        (after.0.saturating_sub(PRESIGN_LOOKBACK), ""),
                        PRESIGN_BATCH,
                    )
                    .await?;
                batch.extend(
                    behind
                        .into_iter()
                        .take_while(|(at, serial)| (*at, serial.as_str()) <= (after.0, &after.1)),
                );
            }
            let responder = read(&issuer.responder).clone();
            for (_, serial_hex) in &batch {
                let Ok(serial) = hex::decode(serial_hex) else {
                    continue;
                };
                let id = responder.sha1_cert_id(&serial)?;
                let key = id.to_der().unwrap_or_default();
                if !read(&self.cache).contains_key(&key) {
                    self.sign_one(i, id, now).await?;
                }
            }
            if let Some(last) = last {
                *write(&issuer.presigned) = last;
            }
        }
        metrics::gauge!("orgca_ocsp_answers_kept").set(read(&self.cache).len() as f64);
        Ok(())
    }

    /// Runs [`OcspService::upkeep`] every second, or at once when `wake` is notified.
    pub async fn run_forever(
        self,
        now: impl Fn() -> OffsetDateTime,
        wake: Arc<tokio::sync::Notify>,
    ) {
        loop {
            if let Err(e) = self.upkeep(now()).await {
                tracing::error!(error = %e, "OCSP upkeep failed; trying again");
            }
            tokio::select! {
                () = wake.notified() => {}
                () = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
    }
}

fn validity(d: Duration) -> time::Duration {
    time::Duration::try_from(d).unwrap_or(time::Duration::days(2))
}
