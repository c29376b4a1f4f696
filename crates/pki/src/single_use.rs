//! The single-use certificate of the signing service (docs/DOMAIN.md, "Seals and the signing
//! service"): issued at the moment of signing for a key that signs one document, valid
//! for minutes, qualified (ETSI EN 319 412-5); under a QSCD policy (QCP-n-qscd, QCP-l-qscd)
//! only when its key is on a token declared a QSCD (`signing.qscd`), else QCP-n or QCP-l.
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
use x509_cert::ext::pkix::KeyUsages;
use x509_cert::name::RdnSequence;

use crate::ext::QcType;
use crate::profile::{SubjectIds, subject_name};
use crate::{DerError, SignatureAlgorithm, Tbs, ext};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::{SingleUseExpectations, lint_single_use_tbs};
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};
    use der::{Decode, Encode};

    fn subject(holder: SingleUseHolder) -> SingleUseSubject {
        SingleUseSubject {
            holder,
            common_name: CertName::parse("Ane Ørsted").expect("name"),
            subject_uuid: Uuid::new_v4(),
            organization: "Testorganisation ApS".into(),
            cvr: Cvr::parse("31000015", orgca_model::Environment::Test).expect("cvr"),
        }
    }

    fn person() -> SingleUseHolder {
        SingleUseHolder::Person {
            given_name: PersonName::parse("given name", "Ane").expect("name"),
            surname: PersonName::parse("surname", "Ørsted").expect("name"),
        }
    }

    /// Builds a TBS with `policies` and `lifetime`, then lints it against what a signing
    /// CA with `expect` would want; answers the failing lint's name.
    fn lint(
        holder: SingleUseHolder,
        policies: &SigningPolicies,
        lifetime: Duration,
        expect: &SigningPolicies,
        qc_type: QcType,
    ) -> Result<(), &'static str> {
        let key = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_ASN1_SIGNING).expect("key");
        let spki_der = key.public_key().as_der().expect("der");
        let spki = SubjectPublicKeyInfoOwned::from_der(spki_der.as_ref()).expect("spki");
        let issuer = crate::name::build(&[
            (crate::oids::CN, "Signing CA"),
            (crate::oids::COUNTRY, "DK"),
        ])
        .expect("issuer");
        let key_id = [7u8; 20];
        let s = subject(holder.clone());
        let tbs = SingleUseProfile {
            subject: &s,
            spki: &spki,
            serial: Serial::from_random([9; 20]),
            now: OffsetDateTime::now_utc(),
            lifetime,
            issuer: SigningIssuer {
                name: &issuer,
                key_id: &key_id,
                signature: SignatureAlgorithm::RsaPssSha256,
                ca_issuers_url: "http://pki.example.dk/ca/test-signing-1.cer",
                crl_url: "http://pki.example.dk/crl/test-signing-1.crl",
                policies,
            },
        }
        .build()
        .expect("build")
        .to_der()
        .expect("der");
        lint_single_use_tbs(
            &tbs,
            &SingleUseExpectations {
                qc_type,
                issuer_name: &issuer,
                issuer_key_id: &key_id,
                signature: SignatureAlgorithm::RsaPssSha256,
                policy: expect.for_holder(&holder),
                qscd: expect.qscd,
            },
        )
        .map_err(|f| f.lint)
    }

    #[test]
    fn the_lint_passes_the_profile_and_catches_what_differs() {
        let soft =
            SigningPolicies::etsi("https://uid.gov.dk", "https://pki.example.dk/pds/en", false);
        let qscd = SigningPolicies {
            qscd: true,
            ..soft.clone()
        };
        let ten = Duration::minutes(10);
        assert_eq!(lint(person(), &soft, ten, &soft, QcType::Esign), Ok(()));
        assert_eq!(
            lint(SingleUseHolder::Seal, &qscd, ten, &qscd, QcType::Eseal),
            Ok(())
        );
        // Longer than an hour, or none at all.
        assert_eq!(
            lint(person(), &soft, Duration::hours(2), &soft, QcType::Esign),
            Err("e_single_use_lifetime")
        );
        assert_eq!(
            lint(person(), &soft, Duration::ZERO, &soft, QcType::Esign),
            Err("e_validity_order")
        );
        // A QSCD claimed where none is expected: the policy differs, and with the same
        // policy the statements do.
        assert_eq!(
            lint(person(), &qscd, ten, &soft, QcType::Esign),
            Err("e_certificate_policies")
        );
        let same_policy = SigningPolicies {
            person: qscd.person_qscd,
            ..soft.clone()
        };
        assert_eq!(
            lint(person(), &qscd, ten, &same_policy, QcType::Esign),
            Err("e_qc_statements")
        );
        // A seal's certificate linted as a person's: its subject is not a person's.
        assert!(lint(SingleUseHolder::Seal, &soft, ten, &soft, QcType::Esign).is_err());
    }
}
