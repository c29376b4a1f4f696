//! Direct issuance from a CSR (operator CLI). Orders and pick-up build on this.

use orgca_ca::{IssuedCertificate, LeafRequest};
use orgca_model::UnixTime;
use orgca_model::{CertKind, CertName, Email};
use orgca_pki::csr;
use orgca_pki::profile::{Holder, LeafSubject};
use orgca_store::NewCertificate;
use uuid::Uuid;

use crate::{Ra, RaError};

/// A request to issue one certificate for an organisation, as typed by an operator.
#[derive(Clone, Debug, Default)]
pub struct IssueRequest {
    /// The organisation's CVR.
    pub org_cvr: String,
    /// `organisation`, `system` or `employee`.
    pub kind: String,
    /// The certificate's name (CN); for employees defaults to "given surname".
    pub name: Option<String>,
    /// The e-mail shown in the certificate (required for employees).
    pub email: Option<String>,
    /// Employee's given name.
    pub given_name: Option<String>,
    /// Employee's surname.
    pub surname: Option<String>,
    /// The subject's persistent UUID; a new one when absent.
    pub subject_uuid: Option<Uuid>,
    /// The PKCS#10 request, PEM or DER.
    pub csr: Vec<u8>,
}

/// An issued and committed certificate.
#[derive(Clone, Debug)]
pub struct Issued {
    /// orgca's id for it.
    pub id: Uuid,
    /// The certificate and its chain.
    pub certificate: IssuedCertificate,
}

fn holder(req: &IssueRequest, kind: CertKind) -> Result<(Holder, CertName), RaError> {
    let email = req.email.as_deref().map(Email::parse).transpose()?;
    match kind {
        CertKind::Employee => {
            let (Some(g), Some(s)) = (&req.given_name, &req.surname) else {
                return Err(RaError::Invalid(
                    "an employee certificate needs a given name and a surname".into(),
                ));
            };
            let names = crate::employee::person_names(g, s)?;
            let email = email.ok_or_else(|| {
                RaError::Invalid(
                    "an employee certificate needs the employee's e-mail address".into(),
                )
            })?;
            let cn = match &req.name {
                Some(n) => CertName::parse(n)?,
                None => names.common_name,
            };
            Ok((
                Holder::Employee {
                    given_name: names.given_name,
                    surname: names.surname,
                    email,
                },
                cn,
            ))
        }
        CertKind::Organisation | CertKind::System => {
            if req.given_name.is_some() || req.surname.is_some() {
                return Err(RaError::Invalid(format!(
                    "a {kind} certificate names no person: drop the given name and surname"
                )));
            }
            let cn =
                CertName::parse(req.name.as_deref().ok_or_else(|| {
                    RaError::Invalid(format!("a {kind} certificate needs a name"))
                })?)?;
            let holder = if kind == CertKind::Organisation {
                Holder::Organisation { email }
            } else {
                Holder::System { email }
            };
            Ok((holder, cn))
        }
    }
}

impl Ra {
    /// Issues a certificate from a CSR: checks the input and the CSR (signature and key
    /// policy), asks the CA to build, lint, record and sign, and commits the certificate
    /// with its audit event.
    pub async fn issue(
        &self,
        req: &IssueRequest,
        actor: &str,
        now: UnixTime,
    ) -> Result<Issued, RaError> {
        let kind = CertKind::parse(&req.kind)?;
        let (holder, common_name) = holder(req, kind)?;
        let verified = csr::parse_and_verify(&req.csr)?;
        let org = self.organisation_by_cvr(&req.org_cvr).await?;
        let subject = LeafSubject {
            holder,
            common_name,
            subject_uuid: req.subject_uuid.unwrap_or_else(Uuid::new_v4),
            organization: org.name.clone(),
            cvr: org.cvr.clone(),
        };
        self.issue_for(&org, subject, verified.spki, None, actor, now)
            .await
    }

    /// Steps shared by every way a certificate is made: the CA builds, lints, records
    /// and signs; the certificate (and the order it completes, if any) is committed
    /// with its audit event in one transaction.
    pub(crate) async fn issue_for(
        &self,
        org: &orgca_model::Organisation,
        subject: LeafSubject,
        spki: spki::SubjectPublicKeyInfoOwned,
        order_id: Option<Uuid>,
        actor: &str,
        now: UnixTime,
    ) -> Result<Issued, RaError> {
        let kind = subject.holder.kind();
        let request = LeafRequest {
            org_id: org.id,
            environment: org.environment,
            subject,
            spki,
        };
        let ca = self.ca()?;
        let token = ca.prepare(request, now.to_offset()).await?;
        let certificate = ca.issue_on_pool(token).await?;
        let id = Uuid::new_v4();
        let record = NewCertificate {
            id,
            serial: certificate.serial,
            issuer: certificate.issuer.clone(),
            crl_shard: certificate.crl_shard,
            org_id: org.id,
            kind,
            name: certificate.request.subject.common_name.as_str().to_owned(),
            subject_uuid: certificate.request.subject.subject_uuid,
            email: certificate
                .request
                .subject
                .holder
                .email()
                .map(|e| e.as_str().to_owned()),
            fingerprint: certificate.fingerprint.clone(),
            tbs_sha256: certificate.tbs_sha256,
            order_id,
            not_before: certificate.not_before.into(),
            not_after: certificate.not_after.into(),
            der: certificate.der.clone(),
        };
        self.store.issuance().commit(&record, actor, now).await?;
        metrics::counter!("orgca_certificates_issued_total", "kind" => kind.as_str()).increment(1);
        tracing::info!(serial = %certificate.serial, %kind, org = %org.cvr, "certificate issued");
        Ok(Issued { id, certificate })
    }
}
