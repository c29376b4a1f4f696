//! What anyone may read without logging in: whether the database answers and the CA
//! keys can sign, the CA certificates, and the public directory's exact-address lookup.

use orgca_model::UnixTime;
use orgca_model::{CertificateRecord, Email};

use crate::{Ra, RaError};

impl Ra {
    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), RaError> {
        Ok(self.store.ping().await?)
    }

    /// The CAs whose keys cannot sign now, by name, with why (the reason is for the
    /// log: it may name the token). Asking reconnects to a token that is back.
    pub async fn unusable_keys(&self) -> Vec<(String, String)> {
        let (ca, signing) = (self.ca.clone(), self.signing.clone());
        let checked = tokio::task::spawn_blocking(move || {
            let mut unusable = ca.map(|c| c.unusable_keys()).unwrap_or_default();
            unusable.extend(signing.map(|s| s.unusable_keys()).unwrap_or_default());
            unusable
        })
        .await;
        match checked {
            Ok(unusable) => unusable
                .into_iter()
                .map(|(name, e)| (name, e.to_string()))
                .collect(),
            Err(e) => vec![("(all)".into(), format!("checking the keys panicked: {e}"))],
        }
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
