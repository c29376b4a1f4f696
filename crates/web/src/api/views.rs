//! What the API answers, as types: the OpenAPI document is generated from these, so a
//! field a client sees is a field declared here. Times are RFC 3339 in UTC.

use orgca_model::UnixTime;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// A list: `next` is the cursor of the next page, `null` on the last one.
#[derive(Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    /// This page's items.
    pub items: Vec<T>,
    /// Cursor of the next page; always `null` until search brings paging.
    pub next: Option<String>,
}

impl<T: ToSchema> Page<T> {
    /// One page with everything.
    pub fn all(items: Vec<T>) -> Page<T> {
        Page { items, next: None }
    }
}

/// An RFC 9457 problem document (`application/problem+json`).
#[derive(Serialize, ToSchema)]
pub struct ProblemDocument {
    /// `https://orgca.dev/problems/{code}`.
    #[serde(rename = "type")]
    pub type_: String,
    /// The HTTP status's reason phrase.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong and what to do about it.
    pub detail: String,
    /// Stable machine-readable code, such as `wrong_code` or `not_found`.
    pub code: String,
}

/// The caller's organisation and what it has switched on.
#[derive(Serialize, ToSchema)]
pub struct OrganisationView {
    /// orgca's id.
    pub id: String,
    /// CVR number.
    pub cvr: String,
    /// Legal name.
    pub name: String,
    /// `production` or `test`.
    pub environment: String,
    /// Employee certificates may be ordered.
    pub user_certificates: bool,
    /// Organisation and system certificates may be ordered.
    pub organisation_certificates: bool,
    /// Users may be given the seal right.
    pub seals: bool,
}

impl From<&orgca_model::Organisation> for OrganisationView {
    fn from(o: &orgca_model::Organisation) -> Self {
        OrganisationView {
            id: o.id.to_string(),
            cvr: o.cvr.to_string(),
            name: o.name.clone(),
            environment: o.environment.to_string(),
            user_certificates: o.settings.user_certificates,
            organisation_certificates: o.settings.organisation_certificates,
            seals: o.settings.seals,
        }
    }
}

/// A user of the organisation.
#[derive(Serialize, ToSchema)]
pub struct UserView {
    /// Id (also the subject UUID of the user's employee certificates).
    pub id: Uuid,
    /// E-mail address.
    pub email: String,
    /// Given name.
    pub given_name: String,
    /// Surname.
    pub surname: String,
    /// `org_admin`, `user_admin` or `user`.
    pub role: String,
    /// Holds the seal right.
    pub seal: bool,
    /// `active` or `deactivated`.
    pub status: String,
    /// Their employee certificates are in the public directory (their own choice).
    pub publish: bool,
}

impl From<&orgca_model::User> for UserView {
    fn from(u: &orgca_model::User) -> Self {
        UserView {
            id: u.id,
            email: u.email.clone(),
            given_name: u.given_name.clone(),
            surname: u.surname.clone(),
            role: u.role.as_str().to_owned(),
            seal: u.seal,
            status: u.status.as_str().to_owned(),
            publish: u.publish,
        }
    }
}

/// A profile's contact person.
#[derive(Serialize, ToSchema)]
pub struct ContactView {
    /// Name.
    pub name: String,
    /// E-mail address.
    pub email: String,
}

/// A certificate profile.
#[derive(Serialize, ToSchema)]
pub struct ProfileView {
    /// Id: the UUID in the subject serialNumber of its certificates.
    pub id: Uuid,
    /// `organisation` or `system`.
    pub kind: String,
    /// Name; the certificates' CN.
    pub name: String,
    /// E-mail shown in the certificates.
    pub email: Option<String>,
    /// Contact person.
    pub contact: ContactView,
    /// May be used for seals.
    pub allow_signing: bool,
    /// Certificates are published in the directory.
    pub publish: bool,
}

impl From<&orgca_model::Profile> for ProfileView {
    fn from(p: &orgca_model::Profile) -> Self {
        ProfileView {
            id: p.id,
            kind: p.kind.to_string(),
            name: p.name.clone(),
            email: p.email.clone(),
            contact: ContactView {
                name: p.contact_name.clone(),
                email: p.contact_email.clone(),
            },
            allow_signing: p.allow_signing,
            publish: p.publish,
        }
    }
}

/// An order.
#[derive(Serialize, ToSchema)]
pub struct OrderView {
    /// Id.
    pub id: Uuid,
    /// Short reference for the recipient to type.
    pub reference: String,
    /// `awaiting_email_validation`, `ready`, `issuing` (being picked up), `issued`,
    /// `cancelled`, `locked` (too many wrong codes) or `expired`.
    pub status: String,
    /// `one_time_code` or `user_login`.
    pub identification: String,
    /// `csr` or `pkcs12`.
    pub issuance: String,
    /// The profile it is for (organisation and system certificates).
    pub profile: Option<Uuid>,
    /// The user it is for (employee certificates).
    pub user: Option<Uuid>,
    /// Until when it may be picked up.
    pub expires_at: String,
    /// The certificate, once picked up.
    pub certificate_id: Option<Uuid>,
    /// The certificate it renews.
    pub renews: Option<Uuid>,
    /// The one-time code: only in the answer that creates the order, never again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub one_time_code: Option<String>,
}

impl OrderView {
    /// The order as seen at `now` (an order past its time shows `expired`).
    pub fn at(o: &orgca_model::Order, now: UnixTime) -> OrderView {
        OrderView {
            id: o.id,
            reference: o.reference.clone(),
            status: orgca_ra::orders::visible_status(o, now).to_owned(),
            identification: o.identification.as_str().to_owned(),
            issuance: o.issuance.as_str().to_owned(),
            profile: o.subject.profile(),
            user: o.subject.user(),
            expires_at: o.expires_at.rfc3339(),
            certificate_id: o.certificate_id,
            renews: o.renews,
            one_time_code: None,
        }
    }

    /// A freshly placed order, with its code.
    pub fn placed(p: orgca_ra::orders::Placed, now: UnixTime) -> OrderView {
        OrderView {
            one_time_code: p.one_time_code,
            ..OrderView::at(&p.order, now)
        }
    }
}

/// A certificate.
#[derive(Serialize, ToSchema)]
pub struct CertificateView {
    /// orgca's id.
    pub id: Uuid,
    /// Serial number, hex.
    pub serial: String,
    /// The subject's UUID (profile or user id), kept across renewals.
    pub subject_uuid: String,
    /// `organisation`, `system` or `employee`.
    pub kind: String,
    /// The CN.
    pub name: String,
    /// E-mail shown in the certificate.
    pub email: Option<String>,
    /// `active`, `blocked` or `expired`.
    pub status: String,
    /// notBefore.
    pub not_before: String,
    /// notAfter.
    pub not_after: String,
    /// The certificate it renews.
    pub renews: Option<Uuid>,
    /// SHA-256 of the DER, hex.
    pub fingerprint_sha256: String,
    /// When it was blocked.
    pub blocked_at: Option<String>,
    /// Why: `content_wrong`, `key_lost`, `key_compromised`, `left_organisation` or
    /// `superseded`.
    pub block_reason: Option<String>,
}

impl CertificateView {
    /// The certificate as seen at `now`.
    pub fn at(c: &orgca_model::CertificateRecord, now: UnixTime) -> CertificateView {
        CertificateView {
            id: c.id,
            serial: c.serial.to_string(),
            subject_uuid: c.subject_uuid.to_string(),
            kind: c.kind.to_string(),
            name: c.name.clone(),
            email: c.email.clone(),
            status: orgca_ra::certificates::visible_status(c, now)
                .as_str()
                .to_owned(),
            not_before: c.not_before.rfc3339(),
            not_after: c.not_after.rfc3339(),
            renews: c.renews,
            fingerprint_sha256: c.fingerprint.clone(),
            blocked_at: c.blocked_at.map(UnixTime::rfc3339),
            block_reason: c.block_reason.map(|r| r.as_str().to_owned()),
        }
    }
}

/// A picked-up certificate: PEM, and for PKCS#12 orders the file and its password
/// (both shown once).
#[derive(Serialize, ToSchema)]
pub struct DeliveredView {
    /// orgca's id of the certificate.
    pub certificate_id: Uuid,
    /// Serial number, hex.
    pub serial: String,
    /// The certificate, PEM.
    pub certificate_pem: String,
    /// Issuing CA and root, PEM.
    pub chain_pem: String,
    /// The PKCS#12 (base64): key, certificate and chain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pkcs12: Option<String>,
    /// The PKCS#12's password.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

impl From<&orgca_ra::delivery::Delivered> for DeliveredView {
    fn from(d: &orgca_ra::delivery::Delivered) -> Self {
        use base64ct::Encoding as _;
        let c = &d.issued.certificate;
        DeliveredView {
            certificate_id: d.issued.id,
            serial: c.serial.to_string(),
            certificate_pem: c.pem.clone(),
            chain_pem: c.chain_pem.clone(),
            pkcs12: d
                .pkcs12
                .as_ref()
                .map(|p| base64ct::Base64::encode_string(&p.der)),
            password: d.pkcs12.as_ref().map(|p| p.password.to_string()),
        }
    }
}

/// A confirmed e-mail address.
#[derive(Serialize, ToSchema)]
pub struct ValidationView {
    /// The address.
    pub email: String,
    /// How many orders became ready.
    pub orders_ready: u64,
}
