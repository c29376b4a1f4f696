//! The single-use certificate of the signing service (DOMAIN.md, "Seals and the signing
//! service"): issued at the moment of signing for a key that signs one document, valid
//! for minutes, qualified (ETSI EN 319 412-5) and under a QSCD policy.
//!
//! A personal certificate names the employee (natural person, esign); a seal names the
//! organisation and the profile, never a person (legal person, eseal). Neither carries
//! an e-mail address.

use ::time::{Duration, OffsetDateTime};
use der::asn1::ObjectIdentifier;
use der::flagset::FlagSet;
use orgca_model::{CertName, Cvr, PersonName, Serial};
use spki::SubjectPublicKeyInfoOwned;
use uuid::Uuid;
use x509_cert::certificate::Version;
use x509_cert::ext::pkix::KeyUsages;
use x509_cert::name::RdnSequence;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Validity;

use crate::ext::QcType;
use crate::profile::{SubjectIds, subject_name};
use crate::{DerError, SignatureAlgorithm, Tbs, ext, time};

/// The longest lifetime a single-use certificate may have.
pub const MAX_LIFETIME: Duration = Duration::hours(1);

/// Who signs: the employee by name, or the organisation (a seal).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SingleUseHolder {
    /// A personal signature: the employee's names.
    Person {
        /// givenName.
        given_name: PersonName,
        /// surname.
        surname: PersonName,
    },
    /// A seal: the organisation, named by the profile (CN).
    Seal,
}

impl SingleUseHolder {
    /// esign for a person, eseal for a seal.
    pub fn qc_type(&self) -> QcType {
        match self {
            SingleUseHolder::Person { .. } => QcType::Esign,
            SingleUseHolder::Seal => QcType::Eseal,
        }
    }
}

/// The subject of a single-use certificate, all from orgca's data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SingleUseSubject {
    /// Person or seal.
    pub holder: SingleUseHolder,
    /// CN: the person's full name, or the seal profile's name.
    pub common_name: CertName,
    /// The user's (person) or the profile's (seal) persistent UUID.
    pub subject_uuid: Uuid,
    /// O.
    pub organization: String,
    /// organizationIdentifier.
    pub cvr: Cvr,
}

/// The signing CA as a single-use certificate needs it.
#[derive(Clone, Debug)]
pub struct SigningIssuer<'a> {
    /// Its subject name.
    pub name: &'a RdnSequence,
    /// Its subjectKeyIdentifier.
    pub key_id: &'a [u8],
    /// The algorithm its key signs with.
    pub signature: SignatureAlgorithm,
    /// Where its certificate is (AIA caIssuers).
    pub ca_issuers_url: &'a str,
    /// Its CRL (CDP).
    pub crl_url: &'a str,
    /// Policies: persons and seals.
    pub policies: &'a SigningPolicies,
}

/// The policies of the signing service (configurable; ETSI EN 319 411-2 by default).
/// A certificate claims a QSCD (QcSSCD and a `-qscd` policy) only when `qscd` says that
/// the keys are made in one: software keys in memory are not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigningPolicies {
    /// For personal signatures with keys outside a QSCD (default QCP-n).
    pub person: ObjectIdentifier,
    /// For seals with keys outside a QSCD (default QCP-l).
    pub seal: ObjectIdentifier,
    /// For personal signatures with keys in a QSCD (default QCP-n-qscd).
    pub person_qscd: ObjectIdentifier,
    /// For seals with keys in a QSCD (default QCP-l-qscd).
    pub seal_qscd: ObjectIdentifier,
    /// The keys are made in a QSCD (an operator's statement about their token).
    pub qscd: bool,
    /// The `UI:` identifier scheme's authority (semantics statement).
    pub name_registration_authority: String,
    /// The PKI disclosure statement (QcPDS), an https URL.
    pub pds_url: String,
}

impl SigningPolicies {
    /// ETSI EN 319 411-2's policies (QCP-n, QCP-l and their `-qscd` forms).
    pub fn etsi(name_registration_authority: &str, pds_url: &str, qscd: bool) -> SigningPolicies {
        SigningPolicies {
            person: crate::oids::QCP_N,
            seal: crate::oids::QCP_L,
            person_qscd: crate::oids::QCP_N_QSCD,
            seal_qscd: crate::oids::QCP_L_QSCD,
            qscd,
            name_registration_authority: name_registration_authority.to_owned(),
            pds_url: pds_url.to_owned(),
        }
    }

    /// The policy of a holder.
    pub fn for_holder(&self, holder: &SingleUseHolder) -> ObjectIdentifier {
        let [person, seal] = self.in_use();
        match holder {
            SingleUseHolder::Person { .. } => person,
            SingleUseHolder::Seal => seal,
        }
    }

    /// The two policies in use now (person, seal), by `qscd`.
    pub fn in_use(&self) -> [ObjectIdentifier; 2] {
        if self.qscd {
            [self.person_qscd, self.seal_qscd]
        } else {
            [self.person, self.seal]
        }
    }

    /// Every policy the signing CA is certified for, so that `qscd` may change later.
    pub fn all(&self) -> Vec<ObjectIdentifier> {
        vec![self.person, self.seal, self.person_qscd, self.seal_qscd]
    }
}

/// Key usage of a single-use certificate: nonRepudiation (contentCommitment) alone, the
/// setting ETSI EN 319 412-2 §4.3.2 prefers for keys that only sign documents.
pub fn single_use_key_usage() -> FlagSet<KeyUsages> {
    KeyUsages::NonRepudiation.into()
}

/// Everything a single-use TBS is made of.
#[derive(Clone, Debug)]
pub struct SingleUseProfile<'a> {
    /// Who signs.
    pub subject: &'a SingleUseSubject,
    /// The fresh key.
    pub spki: &'a SubjectPublicKeyInfoOwned,
    /// A fresh random serial.
    pub serial: Serial,
    /// notBefore (truncated to the second).
    pub now: OffsetDateTime,
    /// notAfter - notBefore.
    pub lifetime: Duration,
    /// The signing CA.
    pub issuer: SigningIssuer<'a>,
}

impl SingleUseProfile<'_> {
    /// Builds the TBS.
    pub fn build(&self) -> Result<Tbs, DerError> {
        let s = self.subject;
        let person = match &s.holder {
            SingleUseHolder::Person {
                given_name,
                surname,
            } => Some((given_name, surname)),
            SingleUseHolder::Seal => None,
        };
        let subject = subject_name(
            &s.common_name,
            person,
            &SubjectIds {
                natural_person: person.is_some(),
                subject_uuid: s.subject_uuid,
                organization: &s.organization,
                cvr: &s.cvr,
            },
        )?;
        let not_before = self.now.replace_nanosecond(0).unwrap_or(self.now);
        let not_after = not_before + self.lifetime;
        let issuer = &self.issuer;
        let ski = ext::key_identifier(self.spki.subject_public_key.raw_bytes());
        let policies = issuer.policies;
        let extensions = vec![
            ext::basic_constraints(false, None)?,
            ext::authority_key_id(issuer.key_id)?,
            ext::subject_key_id(&ski)?,
            ext::key_usage(single_use_key_usage())?,
            ext::authority_info_access(issuer.ca_issuers_url, None)?,
            ext::crl_distribution_point(issuer.crl_url)?,
            ext::certificate_policies(&[policies.for_holder(&s.holder)])?,
            ext::qualified_qc_statements(
                s.holder.qc_type(),
                &policies.name_registration_authority,
                &policies.pds_url,
                policies.qscd,
            )?,
        ];
        Ok(Tbs {
            version: Version::V3,
            serial_number: SerialNumber::new(self.serial.as_bytes())?,
            signature: issuer.signature.identifier(),
            issuer: issuer.name.clone(),
            validity: Validity::new(
                time::to_x509_time(not_before)?,
                time::to_x509_time(not_after)?,
            ),
            subject,
            subject_public_key_info: self.spki.clone(),
            issuer_unique_id: None,
            subject_unique_id: None,
            extensions: Some(extensions),
        })
    }
}
