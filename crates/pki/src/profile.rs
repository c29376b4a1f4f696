//! The OCES3-style certificate profiles (docs/DOMAIN.md, "The common leaf profile" and "CA
//! hierarchies"), each turned into a [`Tbs`].

use ::time::OffsetDateTime;
use der::asn1::ObjectIdentifier;
use der::flagset::FlagSet;
use orgca_model::{CertKind, CertName, Cvr, Email, PersonName, Serial};
use spki::SubjectPublicKeyInfoOwned;
use uuid::Uuid;
use x509_cert::ext::pkix::KeyUsages;
use x509_cert::name::RdnSequence;

use crate::{DerError, Tbs, ext, name, oids, sigalg::SignatureAlgorithm, time};

/// Validity of every leaf certificate, in years (the period is this minus one second).
pub const LEAF_VALIDITY_YEARS: i32 = 3;

/// The public URLs written into leaves: where the issuing CA's certificate, its CRL and
/// the OCSP responder are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Urls {
    /// caIssuers (the issuing CA certificate, DER).
    pub ca_issuers: String,
    /// The OCSP responder.
    pub ocsp: String,
    /// The CRL distribution point.
    pub crl: String,
}

/// The policy identifiers a hierarchy writes (configurable; defaults from docs/DOMAIN.md).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policies {
    /// National policy OID for organisation and system certificates.
    pub organisation: ObjectIdentifier,
    /// National policy OID for employee certificates.
    pub employee: ObjectIdentifier,
    /// URI of the authority that defines the `UI:` identifier scheme (qcStatements).
    pub name_registration_authority: String,
}

impl Policies {
    /// The national policy OID for a kind.
    pub fn national(&self, kind: CertKind) -> ObjectIdentifier {
        match kind {
            CertKind::Employee => self.employee,
            CertKind::Organisation | CertKind::System => self.organisation,
        }
    }
}

/// Who a leaf certificate is for, with what each kind needs and nothing else.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Holder {
    /// An organisation certificate, with the e-mail shown in it if any.
    Organisation {
        /// SubjectAltName rfc822Name.
        email: Option<Email>,
    },
    /// A system certificate, with the e-mail shown in it if any.
    System {
        /// SubjectAltName rfc822Name.
        email: Option<Email>,
    },
    /// An employee certificate: a natural person with their e-mail address.
    Employee {
        /// givenName.
        given_name: PersonName,
        /// surname.
        surname: PersonName,
        /// SubjectAltName rfc822Name (required).
        email: Email,
    },
}

impl Holder {
    /// The certificate kind.
    pub fn kind(&self) -> CertKind {
        match self {
            Holder::Organisation { .. } => CertKind::Organisation,
            Holder::System { .. } => CertKind::System,
            Holder::Employee { .. } => CertKind::Employee,
        }
    }

    /// The e-mail address shown in the certificate, if any.
    pub fn email(&self) -> Option<&Email> {
        match self {
            Holder::Organisation { email } | Holder::System { email } => email.as_ref(),
            Holder::Employee { email, .. } => Some(email),
        }
    }
}

/// The subject of a leaf certificate, all from orgca's own data (never from a CSR).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeafSubject {
    /// The kind and its kind-specific fields.
    pub holder: Holder,
    /// commonName.
    pub common_name: CertName,
    /// The subject's persistent UUID (profile or user), kept across renewals.
    pub subject_uuid: Uuid,
    /// The organisation's registered name (O).
    pub organization: String,
    /// The organisation's CVR (organizationIdentifier NTRDK-CVR).
    pub cvr: Cvr,
}

/// The subject serialNumber: `UI:DK-O:G:<uuid>` (legal person) or `UI:DK-E:G:<uuid>`.
pub fn subject_serial_number(kind: CertKind, uuid: Uuid) -> String {
    serial_number_for(kind.is_natural_person(), uuid)
}

fn serial_number_for(natural_person: bool, uuid: Uuid) -> String {
    let letter = if natural_person { 'E' } else { 'O' };
    format!("UI:DK-{letter}:G:{}", uuid.hyphenated())
}

/// The organizationIdentifier: `NTRDK-<CVR>`.
pub fn organization_identifier(cvr: &Cvr) -> String {
    format!("NTRDK-{cvr}")
}

/// The key usages of a leaf: digitalSignature, nonRepudiation (not for system
/// certificates) and, for RSA keys, keyEncipherment. An EC key cannot encipher keys
/// (RFC 8813 §3 forbids keyEncipherment for it), so it gets keyAgreement instead.
pub fn leaf_key_usage(kind: CertKind, spki: &SubjectPublicKeyInfoOwned) -> FlagSet<KeyUsages> {
    let mut ku: FlagSet<KeyUsages> = KeyUsages::DigitalSignature.into();
    if kind != CertKind::System {
        ku |= KeyUsages::NonRepudiation;
    }
    if spki.algorithm.oid == oids::EC_PUBLIC_KEY {
        ku |= KeyUsages::KeyAgreement;
    } else {
        ku |= KeyUsages::KeyEncipherment;
    }
    ku
}

/// The identifiers every leaf subject carries after its names.
#[derive(Clone, Copy, Debug)]
pub struct SubjectIds<'a> {
    /// A natural person (`UI:DK-E:`) or a legal person (`UI:DK-O:`).
    pub natural_person: bool,
    /// The persistent UUID in serialNumber.
    pub subject_uuid: Uuid,
    /// O.
    pub organization: &'a str,
    /// organizationIdentifier.
    pub cvr: &'a Cvr,
}

/// A leaf subject in the profile's RDN order: CN, [givenName, surname], serialNumber, O,
/// organizationIdentifier, C.
pub fn subject_name(
    common_name: &CertName,
    person: Option<(&PersonName, &PersonName)>,
    ids: &SubjectIds<'_>,
) -> Result<RdnSequence, DerError> {
    let serial_number = serial_number_for(ids.natural_person, ids.subject_uuid);
    let org_id = organization_identifier(ids.cvr);
    let mut attrs: Vec<(ObjectIdentifier, &str)> = vec![(oids::CN, common_name.as_str())];
    if let Some((given_name, surname)) = person {
        attrs.push((oids::GIVEN_NAME, given_name.as_str()));
        attrs.push((oids::SURNAME, surname.as_str()));
    }
    attrs.extend([
        (oids::SERIAL_NUMBER, serial_number.as_str()),
        (oids::ORGANIZATION, ids.organization),
        (oids::ORGANIZATION_IDENTIFIER, org_id.as_str()),
        (oids::COUNTRY, "DK"),
    ]);
    name::build(&attrs)
}

/// The issuing CA as a leaf needs it.
#[derive(Clone, Debug)]
pub struct IssuerInfo<'a> {
    /// The issuing CA's subject name, byte for byte.
    pub name: &'a RdnSequence,
    /// The issuing CA's subjectKeyIdentifier.
    pub key_id: &'a [u8],
    /// The algorithm its key signs with.
    pub signature: SignatureAlgorithm,
    /// The URLs of its hierarchy.
    pub urls: &'a Urls,
    /// The policies of its hierarchy.
    pub policies: &'a Policies,
}

/// Everything a leaf TBS is made of.
#[derive(Clone, Debug)]
pub struct LeafProfile<'a> {
    /// Who it is for.
    pub subject: &'a LeafSubject,
    /// The key from the (verified) CSR.
    pub spki: &'a SubjectPublicKeyInfoOwned,
    /// A fresh random serial.
    pub serial: Serial,
    /// The issuing instant (notBefore, truncated to the second).
    pub now: OffsetDateTime,
    /// The issuing CA.
    pub issuer: IssuerInfo<'a>,
}

impl LeafProfile<'_> {
    /// Builds the TBS: subject in the profile's RDN order and string types, validity 3
    /// years minus one second, and the profile's extensions.
    pub fn build(&self) -> Result<Tbs, DerError> {
        let s = self.subject;
        let kind = s.holder.kind();
        let person = match &s.holder {
            Holder::Employee {
                given_name,
                surname,
                ..
            } => Some((given_name, surname)),
            Holder::Organisation { .. } | Holder::System { .. } => None,
        };
        let subject = subject_name(
            &s.common_name,
            person,
            &SubjectIds {
                natural_person: kind.is_natural_person(),
                subject_uuid: s.subject_uuid,
                organization: &s.organization,
                cvr: &s.cvr,
            },
        )?;
        let (not_before, not_after) = time::years_minus_one_second(self.now, LEAF_VALIDITY_YEARS);
        let issuer = &self.issuer;
        let ski = ext::key_identifier(self.spki.subject_public_key.raw_bytes());
        let semantics = if kind.is_natural_person() {
            oids::SEMANTICS_NATURAL
        } else {
            oids::SEMANTICS_LEGAL
        };
        let mut extensions = vec![
            ext::basic_constraints(false, None)?,
            ext::authority_key_id(issuer.key_id)?,
            ext::subject_key_id(&ski)?,
            ext::key_usage(leaf_key_usage(kind, self.spki))?,
            ext::authority_info_access(&issuer.urls.ca_issuers, Some(&issuer.urls.ocsp))?,
            ext::crl_distribution_point(&issuer.urls.crl)?,
            ext::certificate_policies(&[oids::ETSI_NCP, issuer.policies.national(kind)])?,
            ext::qc_statements(semantics, &issuer.policies.name_registration_authority)?,
        ];
        if let Some(email) = s.holder.email() {
            extensions.push(ext::san_email(email.as_str())?);
        }
        Tbs::v3(
            self.serial.as_bytes(),
            issuer.signature,
            issuer.name.clone(),
            (not_before, not_after),
            subject,
            self.spki.clone(),
            extensions,
        )
    }
}

/// A CA certificate: a self-signed root (no `issuer`) or an issuing CA under a root.
#[derive(Clone, Debug)]
pub struct CaProfile<'a> {
    /// The CA's own name.
    pub subject: RdnSequence,
    /// The CA's key.
    pub spki: &'a SubjectPublicKeyInfoOwned,
    /// A fresh random serial.
    pub serial: Serial,
    /// notBefore.
    pub now: OffsetDateTime,
    /// Lifetime in years (minus one second).
    pub years: i32,
    /// The signing CA: `None` for a self-signed root.
    pub issuer: Option<CaIssuer<'a>>,
    /// The algorithm the signing key (the root's own, for a root) signs with.
    pub signature: SignatureAlgorithm,
}

/// The root that signs an issuing CA, and where relying parties find its certificate and CRL.
#[derive(Clone, Debug)]
pub struct CaIssuer<'a> {
    /// The root's subject name.
    pub name: &'a RdnSequence,
    /// The root's subjectKeyIdentifier.
    pub key_id: &'a [u8],
    /// URL of the root certificate (AIA caIssuers).
    pub ca_issuers_url: String,
    /// URL of the root's CRL (CDP).
    pub crl_url: String,
    /// The policies issued under the issuing CA.
    pub policies: Vec<ObjectIdentifier>,
}

impl CaProfile<'_> {
    /// Builds the TBS: a root gets no path length, an issuing CA pathLen 0, AIA, CDP and
    /// the policies it issues under.
    pub fn build(&self) -> Result<Tbs, DerError> {
        let ski = ext::key_identifier(self.spki.subject_public_key.raw_bytes());
        let (not_before, not_after) = time::years_minus_one_second(self.now, self.years);
        let ca_usage = KeyUsages::KeyCertSign | KeyUsages::CRLSign;
        let (issuer_name, extensions) = match &self.issuer {
            None => (
                self.subject.clone(),
                vec![
                    ext::basic_constraints(true, None)?,
                    ext::key_usage(ca_usage)?,
                    ext::subject_key_id(&ski)?,
                ],
            ),
            Some(root) => (
                root.name.clone(),
                vec![
                    ext::basic_constraints(true, Some(0))?,
                    ext::key_usage(ca_usage)?,
                    ext::subject_key_id(&ski)?,
                    ext::authority_key_id(root.key_id)?,
                    ext::authority_info_access(&root.ca_issuers_url, None)?,
                    ext::crl_distribution_point(&root.crl_url)?,
                    ext::certificate_policies(&root.policies)?,
                ],
            ),
        };
        Tbs::v3(
            self.serial.as_bytes(),
            self.signature,
            issuer_name,
            (not_before, not_after),
            self.subject.clone(),
            self.spki.clone(),
            extensions,
        )
    }
}
