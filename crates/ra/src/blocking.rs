//! Blocking certificates (docs/DOMAIN.md, "Blocking"): by a user administrator of the
//! certificate's organisation, by a user for their own employee certificate, or by the
//! operator by serial. Permanent and idempotent; the contact person is told in the same
//! transaction that blocks.

use orgca_model::UnixTime;
use orgca_model::{BlockReason, CertKind, CertificateRecord};
use orgca_store::{Blocked, NewMail, OrgScope};
use uuid::Uuid;

use crate::{Caller, Ra, RaError};

/// A block as it was done.
#[derive(Debug)]
pub struct BlockDone {
    /// The certificate as it is now, and whether this call blocked it.
    pub blocked: Blocked,
    /// The contact person mailed about this block: none when it was blocked already, or
    /// when the certificate has no contact person.
    pub told: Option<String>,
}

impl Ra {
    /// Blocks a certificate of the caller's organisation for `reason` (a name of
    /// [`BlockReason`]). Another organisation's certificate, or for a user someone else's,
    /// is "not found".
    pub async fn block(
        &self,
        caller: &Caller,
        id: Uuid,
        reason: &str,
        now: UnixTime,
    ) -> Result<BlockDone, RaError> {
        let scope = self.scope(caller);
        let c = scope
            .certificate(id)
            .await?
            .ok_or(RaError::NotFound("certificate"))?;
        let own = c.kind == CertKind::Employee
            && caller.as_user().is_some_and(|u| c.subject_uuid == u.id);
        if !caller.role().administers_users() && !own {
            return Err(RaError::NotFound("certificate"));
        }
        let reason = BlockReason::parse(reason).map_err(|e| RaError::Invalid(e.to_string()))?;
        let who = caller.display_name();
        block_in(&scope, &c, reason, &who, &caller.actor_id(), now).await
    }

    /// The operator blocks a certificate by its serial (hex), whatever its organisation.
    pub async fn block_by_serial(
        &self,
        serial_hex: &str,
        reason: &str,
        now: UnixTime,
    ) -> Result<BlockDone, RaError> {
        let reason = BlockReason::parse(reason).map_err(|e| RaError::Invalid(e.to_string()))?;
        let serial = crate::certificates::serial_from_hex(serial_hex)?;
        let c = self
            .store
            .certificate_by_serial(&serial)
            .await?
            .ok_or(RaError::NotFound("certificate with that serial"))?;
        let scope = self.store.org(c.org_id);
        block_in(&scope, &c, reason, "the operator", "operator", now).await
    }
}

async fn block_in(
    scope: &OrgScope,
    c: &CertificateRecord,
    reason: BlockReason,
    who: &str,
    actor: &str,
    now: UnixTime,
) -> Result<BlockDone, RaError> {
    let contact = scope.contact_email(c).await?;
    let mails: Vec<NewMail> = contact
        .iter()
        .map(|to| notice(c, to, reason, who, now))
        .collect();
    let blocked = scope
        .block(c.id, reason, &mails, actor, now)
        .await?
        .ok_or(RaError::NotFound("certificate"))?;
    // The store queues the notice only with a new block.
    let told = contact.filter(|_| blocked.newly);
    Ok(BlockDone { blocked, told })
}

pub(crate) fn notice(
    c: &CertificateRecord,
    to: &str,
    reason: BlockReason,
    who: &str,
    now: UnixTime,
) -> NewMail {
    let why = match reason {
        BlockReason::ContentWrong => "something in it was wrong",
        BlockReason::KeyLost => "access to its key was lost",
        BlockReason::KeyCompromised => "its key may be known to someone else",
        BlockReason::LeftOrganisation => "its holder has left the organisation",
        BlockReason::Superseded => "it has been replaced",
    };
    NewMail {
        recipient: to.to_owned(),
        subject: format!("Certificate \"{}\" has been blocked", c.name),
        body: format!(
            "The certificate \"{}\" (serial {}) was blocked at {} by {who},\n\
             because {why} (reason: {}).\n\n\
             Blocking is permanent: relying parties now see it as revoked. If it is still\n\
             needed, order a new certificate.\n",
            c.name,
            c.serial,
            now.rfc3339(),
            reason.as_str(),
        ),
    }
}
