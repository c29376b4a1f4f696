//! What anyone may read without logging in: whether the database answers, the CA
//! certificates, and the public directory's exact-address lookup.

use orgca_model::UnixTime;
use orgca_model::{CertificateRecord, Email};

use crate::{Ra, RaError};

impl Ra {
    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), RaError> {
        Ok(self.store.ping().await?)
    }

    /// The DER of the CA certificate named `name`, if there is one.
    pub async fn ca_certificate(&self, name: &str) -> Result<Option<Vec<u8>>, RaError> {
        Ok(self.store.ca().get(name).await?.map(|ca| ca.der))
    }

    /// The published, valid certificates showing exactly this address.
    pub async fn directory(
        &self,
        email: &Email,
        now: UnixTime,
    ) -> Result<Vec<CertificateRecord>, RaError> {
        Ok(self.store.directory(email.as_str(), now).await?)
    }
}
