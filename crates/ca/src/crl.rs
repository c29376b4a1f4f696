//! CRLs signed with a CA's key: the key is checked against the CA's certificate when
//! loaded, and every signature is verified before the CRL is handed out.

use std::sync::Arc;

use der::Encode as _;
use orgca_keys::Signer;
use orgca_pki::crl::{CrlHeader, CrlWriter, SignedCrl};
use orgca_store::CaStore;
use time::OffsetDateTime;

use crate::CaError;

/// A CA that signs CRLs: every CA, root or issuing.
pub struct CrlIssuer {
    /// Its stable name (the CRL's file name).
    pub name: String,
    subject_der: Vec<u8>,
    key_id: Vec<u8>,
    algorithm_der: Vec<u8>,
    signer: Arc<dyn Signer>,
}

impl std::fmt::Debug for CrlIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CrlIssuer")
            .field("name", &self.name)
            .finish()
    }
}

impl CrlIssuer {
    /// A CRL issuer from the CA's certificate and key; refuses a key that is not the
    /// certificate's, or a certificate without a subjectKeyIdentifier.
    pub fn new(name: &str, cert_der: &[u8], signer: Arc<dyn Signer>) -> Result<Self, CaError> {
        let (subject, key_id) = crate::issuer::ca_identity(name, cert_der, signer.as_ref())?;
        Ok(CrlIssuer {
            name: name.to_owned(),
            subject_der: subject.to_der().map_err(orgca_pki::DerError::from)?,
            key_id,
            algorithm_der: signer
                .algorithm()
                .identifier()
                .to_der()
                .map_err(orgca_pki::DerError::from)?,
            signer,
        })
    }

    /// Signs the CRL whose entries `writer` holds; the signature is verified before the
    /// CRL is returned.
    pub fn sign(
        &self,
        writer: CrlWriter,
        this_update: OffsetDateTime,
        next_update: OffsetDateTime,
        number: u64,
        partition_url: Option<&str>,
    ) -> Result<SignedCrl, CaError> {
        let header = CrlHeader {
            issuer: &self.subject_der,
            algorithm: &self.algorithm_der,
            this_update,
            next_update,
            number,
            authority_key_id: &self.key_id,
            partition_url,
        };
        // The key's own failure (a token away) stays a key error; only a signature that
        // does not verify is a failed self-check.
        let mut failure = None;
        let signed = writer.finish(&header, |tbs| {
            let sig = match self.signer.sign(tbs) {
                Ok(sig) => sig,
                Err(e) => {
                    failure = Some(CaError::Key(e));
                    return Err("the key".into());
                }
            };
            if let Err(e) = crate::issuer::check_signature(self.signer.as_ref(), tbs, &sig) {
                failure = Some(e);
                return Err("self-check".into());
            }
            Ok(sig)
        });
        match (signed, failure) {
            (_, Some(e)) => Err(e),
            (Ok(crl), None) => Ok(crl),
            (Err(e), None) => Err(CaError::SelfCheck(e.to_string())),
        }
    }
}

/// Every CA in the store whose CRLs orgca signs (not retired, no kept CRL, its key
/// here) as a CRL
/// issuer, with its key: the key of a CA in `loaded` is shared (decrypting a key costs a
/// scrypt), the others are opened through `keys`.
pub async fn load_crl_issuers(
    store: &CaStore,
    keys: &crate::CaKeys,
    loaded: &[Arc<crate::IssuingCa>],
) -> Result<Vec<CrlIssuer>, CaError> {
    let kept: Vec<String> = store
        .kept_crls()
        .await?
        .into_iter()
        .map(|k| k.ca_name)
        .collect();
    let mut out = Vec::new();
    for ca in store.list().await? {
        // A retired CA signs nothing more; a CA whose CRL is kept (its final one, or an
        // offline root's from a ceremony) is served from that, and its key may be away.
        if ca.retired_at.is_some() || kept.contains(&ca.name) {
            continue;
        }
        if crate::KeyRef::parse(&ca.key_ref) == crate::KeyRef::Offline {
            tracing::warn!(ca = %ca.name, "an offline root without an imported CRL: no CRL is served for it until one is imported (`orgca ceremony crl`, `orgca ca import`)");
            continue;
        }
        let signer = match loaded.iter().find(|l| l.name == ca.name) {
            Some(l) => l.signer.clone(),
            None => keys.open(&ca.key_ref)?,
        };
        out.push(CrlIssuer::new(&ca.name, &ca.der, signer)?);
    }
    Ok(out)
}
