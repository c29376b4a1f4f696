//! Issued certificates as orgca keeps them.

use crate::UnixTime;
use uuid::Uuid;

use crate::{BlockReason, CertKind, CertStatus, OrgId, Serial};

/// An issued certificate of one organisation.
#[derive(Clone, Debug)]
pub struct CertificateRecord {
    /// orgca's id.
    pub id: Uuid,
    /// The organisation it belongs to.
    pub org_id: OrgId,
    /// Serial.
    pub serial: Serial,
    /// Issuing CA name.
    pub issuer: String,
    /// Kind.
    pub kind: CertKind,
    /// Name (CN).
    pub name: String,
    /// Subject UUID: the profile's or the user's id.
    pub subject_uuid: Uuid,
    /// E-mail in the certificate.
    pub email: Option<String>,
    /// SHA-256 fingerprint, hex.
    pub fingerprint: String,
    /// notBefore.
    pub not_before: UnixTime,
    /// notAfter.
    pub not_after: UnixTime,
    /// Active or blocked.
    pub status: CertStatus,
    /// The certificate this one renews, if any.
    pub renews: Option<Uuid>,
    /// When it was blocked.
    pub blocked_at: Option<UnixTime>,
    /// Why it was blocked.
    pub block_reason: Option<BlockReason>,
    /// Who blocked it (a user id, an operator token id, or `operator` for the CLI).
    pub blocked_by: Option<String>,
    /// The certificate.
    pub der: Vec<u8>,
}
