//! Who may sign what with the signing service: an active user signs in their own name;
//! a user with the seal right seals with an organisation profile that allows signing,
//! in an organisation whose seals are on. Each signature is audited (who, how, the
//! certificate's serial and fingerprint, the document's SHA-256) before the signed
//! document is handed out; nothing else about it is kept.

use orgca_model::UnixTime;
use orgca_model::{CertKind, CertName, Profile, User, UserStatus};
use orgca_pki::single_use::{SingleUseHolder, SingleUseSubject};
use orgca_signing::{Format, SignError, SignRequest};
use uuid::Uuid;

use crate::{Caller, Ra, RaError};

/// Personal signature or organisation seal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The employee signs in their own name.
    Personal,
    /// The organisation seals, with this profile.
    Seal {
        /// The profile (organisation kind, `allow_signing`).
        profile: Uuid,
    },
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Personal => "personal",
            Mode::Seal { .. } => "seal",
        }
    }
}

/// A signature made.
#[derive(Debug)]
pub struct SignatureMade {
    /// Ties the document to its audit event.
    pub signature_id: Uuid,
    /// The signed PDF, or the detached CMS.
    pub document: Vec<u8>,
    /// The single-use certificate's serial (hex).
    pub serial: String,
}

impl Ra {
    /// Checks the caller's rights, signs on a blocking thread, audits, and answers the
    /// signed document. Refusals come before any key exists.
    pub async fn sign(
        &self,
        caller: &Caller,
        document: Vec<u8>,
        format: Format,
        mode: Mode,
        now: UnixTime,
    ) -> Result<SignatureMade, RaError> {
        let service = self.signing_service()?;
        service.check_size(&document).map_err(RaError::Signing)?;
        let scope = self.scope(caller);
        let only_users = || RaError::Forbidden("only a user of the organisation can sign".into());
        // Read again: the caller must be a user of the organisation (not an operator) and
        // active now, not only when their token or session was made.
        let user_id = caller.as_user().ok_or_else(only_users)?.id;
        let user = scope.user(user_id).await?.ok_or_else(only_users)?;
        if user.status != UserStatus::Active {
            return Err(RaError::Forbidden(format!(
                "user {} is deactivated and cannot sign",
                user.email
            )));
        }
        let org = scope.organisation().await?;
        let subject = match mode {
            Mode::Personal => {
                let crate::employee::PersonNames {
                    common_name,
                    given_name,
                    surname,
                } = crate::employee::person_names(&user.given_name, &user.surname)?;
                SingleUseSubject {
                    common_name,
                    holder: SingleUseHolder::Person {
                        given_name,
                        surname,
                    },
                    subject_uuid: user.id,
                    organization: org.name.clone(),
                    cvr: org.cvr.clone(),
                }
            }
            Mode::Seal { profile } => {
                require_seal_right(&user, &org)?;
                let p = scope
                    .profile(profile)
                    .await?
                    .ok_or(RaError::NotFound("profile"))?;
                if !can_seal_with(&p) {
                    return Err(RaError::Invalid(format!(
                        "profile {:?} cannot seal: a seal needs an organisation profile with allow_signing",
                        p.name
                    )));
                }
                SingleUseSubject {
                    common_name: CertName::parse(&p.name)?,
                    holder: SingleUseHolder::Seal,
                    subject_uuid: p.id,
                    organization: org.name.clone(),
                    cvr: org.cvr.clone(),
                }
            }
        };
        let slot = service.begin().map_err(RaError::Signing)?;
        let signature_id = Uuid::new_v4();
        let environment = org.environment;
        let svc = service.clone();
        let signed = tokio::task::spawn_blocking(move || {
            let field_name = format!("orgca-{signature_id}");
            svc.sign(
                &SignRequest {
                    document: &document,
                    format,
                    subject: &subject,
                    environment,
                    field_name: &field_name,
                },
                now.to_offset(),
            )
        })
        .await
        .map_err(|e| RaError::internal("the signing task", e))?;
        drop(slot);
        metrics::gauge!("orgca_signing_keys_live").set(service.keys().live() as f64);
        metrics::counter!("orgca_signing_keys_made_total").absolute(service.keys().made() as u64);
        let signed = signed.map_err(RaError::Signing)?;
        let t = signed.timings;
        metrics::histogram!("orgca_signing_seconds", "step" => "key").record(t.key.as_secs_f64());
        metrics::histogram!("orgca_signing_seconds", "step" => "certificate")
            .record(t.certificate.as_secs_f64());
        metrics::histogram!("orgca_signing_seconds", "step" => "document")
            .record(t.document.as_secs_f64());
        let cert = &signed.certificate;
        let mut details = serde_json::json!({
            "mode": mode.name(),
            "format": format.name(),
            "certificate_serial": cert.serial,
            "certificate_sha256": cert.fingerprint,
            "signing_ca": signed.ca,
            "document_sha256": hex::encode(signed.document_sha256),
            "signed_sha256": hex::encode(signed.signed_sha256),
            "signed_at": UnixTime::from(cert.not_before).rfc3339(),
        });
        if let Mode::Seal { profile } = mode {
            details["profile"] = serde_json::json!(profile);
        }
        scope
            .record_signature(&user.id.to_string(), signature_id, details, now)
            .await?;
        metrics::counter!("orgca_signatures_total", "mode" => mode.name(), "format" => format.name())
        .increment(1);
        Ok(SignatureMade {
            signature_id,
            serial: cert.serial.clone(),
            document: signed.document,
        })
    }

    /// The profiles `caller` may seal with now (none without the seal right or with seals
    /// off, or for an operator), for a choice in the portal.
    pub async fn seal_profiles(&self, caller: &Caller) -> Result<Vec<Profile>, RaError> {
        let scope = self.scope(caller);
        let Some(user) = caller.as_user() else {
            return Ok(Vec::new());
        };
        if require_seal_right(user, &scope.organisation().await?).is_err() {
            return Ok(Vec::new());
        }
        let mut all = scope.profiles().await?;
        all.retain(can_seal_with);
        Ok(all)
    }
}

/// A seal needs the organisation's seals on and the user's seal right.
fn require_seal_right(user: &User, org: &orgca_model::Organisation) -> Result<(), RaError> {
    if !org.settings.seals {
        return Err(RaError::Forbidden(
            "seals are switched off for this organisation; an organisation administrator can switch them on".into(),
        ));
    }
    if !user.seal {
        return Err(RaError::Forbidden(
            "you do not hold the seal right; an administrator can grant it".into(),
        ));
    }
    Ok(())
}

/// Whether a profile can name a seal: an organisation profile that allows signing.
fn can_seal_with(p: &Profile) -> bool {
    p.kind == CertKind::Organisation && p.allow_signing
}

/// Whether a signing refusal is the caller's (bad document) or the server's.
pub(crate) fn is_client_error(e: &SignError) -> bool {
    matches!(
        e,
        SignError::Empty
            | SignError::TooLarge { .. }
            | SignError::BadPdf(_)
            | SignError::EncryptedPdf
    )
}
