//! An organisation's certificates through the API: search, show, renew, history.

use orgca_model::UnixTime;
use orgca_model::{CertKind, CertificateRecord, Identification, Issuance, VisibleStatus};
use uuid::Uuid;

use crate::orders::{OrderRequest, Placed};
use crate::{Caller, Ra, RaError};

/// A serial as the operator types it (hex, any case, colons or `0x` allowed), as the
/// store keeps it (lower-case hex).
pub(crate) fn serial_from_hex(serial_hex: &str) -> Result<String, RaError> {
    let serial = serial_hex
        .trim()
        .trim_start_matches("0x")
        .replace(':', "")
        .to_ascii_lowercase();
    if serial.is_empty() || serial.len() > 42 || !serial.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(RaError::Invalid(format!(
            "serial {serial_hex:?}: give the serial in hex, as `orgca cert list` shows it"
        )));
    }
    Ok(serial)
}

/// The status a client sees: active, blocked, or expired past notAfter.
pub fn visible_status(c: &CertificateRecord, now: UnixTime) -> VisibleStatus {
    c.status.at(c.not_after, now)
}

impl Ra {
    /// The certificate with this id (as [`Ra::certificate`] confines it) as PEM,
    /// followed by the CA certificates up to its root: what a system installs. Never a
    /// key: orgca keeps none.
    pub async fn certificate_with_chain(
        &self,
        caller: &Caller,
        id: Uuid,
    ) -> Result<(CertificateRecord, String), RaError> {
        let c = self.certificate(caller, id).await?;
        let pem = self.with_chain(&c).await?;
        Ok((c, pem))
    }

    /// The operator's look-up of a certificate by its serial (hex, as `orgca cert list`
    /// shows it, colons allowed), whatever its organisation, with its chain as PEM.
    pub async fn operator_certificate_with_chain(
        &self,
        serial_hex: &str,
    ) -> Result<(CertificateRecord, String), RaError> {
        let serial = serial_from_hex(serial_hex)?;
        let c = self
            .store
            .certificate_by_serial(&serial)
            .await?
            .ok_or(RaError::NotFound("certificate with that serial"))?;
        let pem = self.with_chain(&c).await?;
        Ok((c, pem))
    }

    /// `c` as PEM, then its issuer's, up to the root, from the CA certificates recorded
    /// in the store.
    async fn with_chain(&self, c: &CertificateRecord) -> Result<String, RaError> {
        let pem = |der: &[u8]| {
            orgca_pki::encode::certificate_pem(der)
                .map_err(|e| RaError::internal("encoding a certificate as PEM", e))
        };
        let cas = self.store.ca().list().await?;
        let mut out = pem(&c.der)?;
        let mut next = Some(c.issuer.as_str());
        // A chain is never longer than the CAs there are (a loop would be corrupt data).
        for _ in 0..=cas.len() {
            let Some(name) = next else {
                return Ok(out);
            };
            let ca = cas.iter().find(|ca| ca.name == name).ok_or_else(|| {
                RaError::internal("reading a certificate's chain", format!("no CA {name:?}"))
            })?;
            out.push_str(&pem(&ca.der)?);
            next = ca.parent.as_deref();
        }
        Err(RaError::internal(
            "reading a certificate's chain",
            "the CAs' parents form a loop",
        ))
    }

    /// One page of the certificates of the caller's organisation that `params` select: all
    /// of them for administrators, a user's own for a user.
    pub async fn search(
        &self,
        caller: &Caller,
        params: &crate::search::SearchParams,
        now: UnixTime,
    ) -> Result<orgca_store::Page<CertificateRecord>, RaError> {
        let search = params.read(&self.scope(caller), caller, now).await?;
        match &search.query {
            Some(q) => Ok(self.scope(caller).search(q, search.limit).await?),
            None => Ok(orgca_store::Page {
                items: Vec::new(),
                next: None,
            }),
        }
    }

    /// How many certificates of the caller's organisation `params` select (its `after`
    /// and `limit` aside), as [`search`] confines them.
    pub async fn count(
        &self,
        caller: &Caller,
        params: &crate::search::SearchParams,
        now: UnixTime,
    ) -> Result<u64, RaError> {
        let scope = self.scope(caller);
        match params.read(&scope, caller, now).await?.query {
            Some(q) => Ok(scope.count(&q).await?),
            None => Ok(0),
        }
    }

    /// What the caller's overview shows: counts by kind and visible status, and the active
    /// certificates expiring within `days` (at most 50), of the organisation for
    /// administrators, of their own for a user.
    pub async fn overview(
        &self,
        caller: &Caller,
        now: UnixTime,
        days: i64,
    ) -> Result<
        (
            Vec<(CertKind, orgca_store::KindCounts)>,
            Vec<CertificateRecord>,
        ),
        RaError,
    > {
        // A member sees their own certificates; administrators the organisation's.
        let me = caller
            .as_user()
            .filter(|_| !caller.role().administers_users())
            .map(|u| u.id.to_string());
        let holder = me.as_deref();
        let scope = self.scope(caller);
        let counts = scope.certificate_counts(now, holder).await?;
        let expiring = scope
            .expiring_between(now, now.plus_days(days), holder, 50)
            .await?;
        Ok((counts, expiring))
    }
}

/// A certificate's history: the certificate it renews, those that renew it, and its
/// audit events (oldest first), as far as the caller may see the certificate.
pub struct History {
    /// The certificate it renews.
    pub renews: Option<CertificateRecord>,
    /// The certificates that renew it.
    pub renewed_by: Vec<CertificateRecord>,
    /// Its audit events.
    pub events: Vec<orgca_store::AuditEvent>,
}

impl Ra {
    /// The history of a certificate of the caller's organisation.
    pub async fn history(
        &self,
        caller: &Caller,
        c: &CertificateRecord,
    ) -> Result<History, RaError> {
        let scope = self.scope(caller);
        if c.org_id != caller.org_id() {
            return Err(RaError::NotFound("certificate"));
        }
        let renews = match c.renews {
            Some(id) => scope.certificate(id).await?,
            None => None,
        };
        Ok(History {
            renews,
            renewed_by: scope.renewals_of(c.id).await?,
            events: scope.events_about(&c.id.to_string(), 200).await?,
        })
    }

    /// One certificate of the caller's organisation (a user sees only their own).
    pub async fn certificate(
        &self,
        caller: &Caller,
        id: Uuid,
    ) -> Result<CertificateRecord, RaError> {
        let c = self
            .scope(caller)
            .certificate(id)
            .await?
            .ok_or(RaError::NotFound("certificate"))?;
        if !caller.role().administers_users() && !caller.is_user(c.subject_uuid) {
            return Err(RaError::NotFound("certificate"));
        }
        Ok(c)
    }

    /// Renews a certificate: a new order for the same profile (one-time code) or the same
    /// user (user login), with the same data and delivered as the original order was (a
    /// certificate issued without an order, from the CLI, is renewed by CSR); the new
    /// certificate will have a new key and serial and record which one it renews. The old
    /// one stays valid.
    pub async fn renew(&self, caller: &Caller, id: Uuid, now: UnixTime) -> Result<Placed, RaError> {
        let scope = self.scope(caller);
        let c = scope
            .certificate(id)
            .await?
            .ok_or(RaError::NotFound("certificate"))?;
        caller.require_admin()?;
        if visible_status(&c, now) != VisibleStatus::Active {
            return Err(RaError::Invalid(format!(
                "only an active certificate is renewed; this one is {}: order a new one instead",
                visible_status(&c, now)
            )));
        }
        let subject = c.subject_uuid;
        let issuance = scope
            .order_of_certificate(c.id)
            .await?
            .map_or(Issuance::Csr, |o| o.issuance);
        if c.kind == CertKind::Employee {
            let req = OrderRequest {
                identification: Identification::UserLogin,
                issuance,
            };
            self.order_for_user(caller, subject, req, Some(c.id), now)
                .await
        } else {
            let req = OrderRequest {
                identification: Identification::OneTimeCode,
                issuance,
            };
            self.order_for_profile(caller, subject, req, Some(c.id), now)
                .await
        }
    }
}
