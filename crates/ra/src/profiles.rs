//! The caller's organisation's certificate profiles (docs/DOMAIN.md, "Certificate profiles
//! and orders"): what its organisation and system certificates name.

use orgca_model::UnixTime;
use orgca_model::{CertKind, CertName, Email, PersonName, Profile};
use orgca_store::NewProfile;

use crate::{Caller, Ra, RaError};

/// The contact person of a profile, as typed (the RA checks it).
#[derive(Clone, Debug)]
pub struct Contact {
    /// Name.
    pub name: String,
    /// E-mail address.
    pub email: String,
}

/// A profile as typed by a client of the API, the portal or the CLI (the RA checks it).
#[derive(Clone, Debug)]
pub struct ProfileRequest {
    /// `organisation` or `system`.
    pub kind: String,
    /// The certificates' name.
    pub name: String,
    /// E-mail shown in the certificates.
    pub email: Option<String>,
    /// Contact person (required).
    pub contact: Contact,
    /// Seal use.
    pub allow_signing: bool,
    /// Publication in the public directory.
    pub publish: bool,
}

/// The kinds a profile may be of (employee certificates are ordered for a user); also
/// what the API's document lists.
pub const PROFILE_KINDS: [CertKind; 2] = [CertKind::Organisation, CertKind::System];

/// A change to a profile: `None` fields stay; the kind cannot change (it decides what
/// the certificates mean). `email: Some(None)` removes the address.
#[derive(Clone, Debug, Default)]
pub struct ProfilePatch {
    /// New name.
    pub name: Option<String>,
    /// New e-mail (`Some(None)` removes it).
    pub email: Option<Option<String>>,
    /// New contact person.
    pub contact: Option<Contact>,
    /// New seal use.
    pub allow_signing: Option<bool>,
    /// New publication.
    pub publish: Option<bool>,
}

fn contact_name(name: &str) -> Result<String, RaError> {
    Ok(PersonName::parse("contact name", name)?.as_str().to_owned())
}

impl Ra {
    /// Creates a profile in the caller's organisation: administrators only.
    pub async fn create_profile(
        &self,
        caller: &Caller,
        req: &ProfileRequest,
        now: UnixTime,
    ) -> Result<Profile, RaError> {
        caller.require_admin()?;
        let kind = CertKind::parse(&req.kind)?;
        if !PROFILE_KINDS.contains(&kind) {
            return Err(RaError::Invalid(
                "a profile is for organisation or system certificates; employee certificates are ordered for a user".into(),
            ));
        }
        let new = NewProfile {
            kind,
            name: CertName::parse(&req.name)?,
            email: req.email.as_deref().map(Email::parse).transpose()?,
            contact_name: contact_name(&req.contact.name)?,
            contact_email: Email::parse(&req.contact.email)?,
            allow_signing: req.allow_signing,
            publish: req.publish,
        };
        Ok(self
            .scope(caller)
            .create_profile(&new, &caller.actor_id(), now)
            .await?)
    }

    /// The caller's organisation's profiles: administrators only (they name contact
    /// persons and their addresses; a user who seals sees the seal profiles through
    /// [`Ra::seal_profiles`]).
    pub async fn profiles(&self, caller: &Caller) -> Result<Vec<Profile>, RaError> {
        caller.require_admin()?;
        Ok(self.scope(caller).profiles().await?)
    }

    /// One profile of the caller's organisation: administrators only. Looked up first, so
    /// that another organisation's id is "not found" whatever the caller's role.
    pub async fn profile(&self, caller: &Caller, id: uuid::Uuid) -> Result<Profile, RaError> {
        let profile = self
            .scope(caller)
            .profile(id)
            .await?
            .ok_or(RaError::NotFound("profile"))?;
        caller.require_admin()?;
        Ok(profile)
    }

    /// Changes a profile of the caller's organisation: administrators only.
    pub async fn change_profile(
        &self,
        caller: &Caller,
        id: uuid::Uuid,
        patch: &ProfilePatch,
        now: UnixTime,
    ) -> Result<Profile, RaError> {
        let mut p = self.profile(caller, id).await?;
        caller.require_admin()?;
        if let Some(n) = &patch.name {
            p.name = CertName::parse(n)?.as_str().to_owned();
        }
        if let Some(e) = &patch.email {
            p.email = e
                .as_deref()
                .map(Email::parse)
                .transpose()?
                .map(|e| e.as_str().to_owned());
        }
        if let Some(c) = &patch.contact {
            p.contact_name = contact_name(&c.name)?;
            p.contact_email = Email::parse(&c.email)?.as_str().to_owned();
        }
        p.allow_signing = patch.allow_signing.unwrap_or(p.allow_signing);
        p.publish = patch.publish.unwrap_or(p.publish);
        self.scope(caller)
            .update_profile(&p, &caller.actor_id(), now)
            .await?
            .ok_or(RaError::NotFound("profile"))
    }
}
