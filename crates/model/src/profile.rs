//! Certificate profiles (docs/DOMAIN.md, "Certificate profiles and orders").

use uuid::Uuid;

use crate::CertKind;

/// A profile of an organisation. Its id is the UUID in its certificates' subject serialNumber.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    /// Stable id (kept across renewals).
    pub id: Uuid,
    /// `organisation` or `system`.
    pub kind: CertKind,
    /// The certificates' CN; unique in the organisation regardless of case.
    pub name: String,
    /// E-mail shown in the certificates, if any.
    pub email: Option<String>,
    /// Contact person's name.
    pub contact_name: String,
    /// Contact person's e-mail (told before expiry and on blocking).
    pub contact_email: String,
    /// Certificates may be used for seals.
    pub allow_signing: bool,
    /// Certificates are published in the public directory.
    pub publish: bool,
}
