//! How the key of a picked-up certificate comes about: from the recipient's CSR, or made
//! by the `keys` crate for a PKCS#12 whose password is shown once. The RA holds such a
//! key only as an opaque handle: it never sees the key's bytes, and the key is never
//! stored and is wiped from memory when the PKCS#12 is packed.

use orgca_keys::DeliveryKey;
use orgca_model::{Issuance, Order};
use orgca_pki::csr;
use spki::SubjectPublicKeyInfoOwned;

use crate::{Issued, RaError};

/// What the recipient brings to a pick-up.
#[derive(Clone, Copy, Debug)]
pub enum KeySource<'a> {
    /// Their own key, as a PKCS#10 request (PEM or DER).
    Csr(&'a [u8]),
    /// Nothing: orgca makes the key and answers a PKCS#12.
    Pkcs12,
}

/// A PKCS#12 file and the password that opens it (shown once, never stored).
#[derive(Clone)]
pub struct Pkcs12File {
    /// The file.
    pub der: Vec<u8>,
    /// Its password.
    pub password: String,
}

impl std::fmt::Debug for Pkcs12File {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs12File")
            .field("bytes", &self.der.len())
            .finish_non_exhaustive()
    }
}

/// What a pick-up hands out.
#[derive(Clone, Debug)]
pub struct Delivered {
    /// The certificate and chain.
    pub issued: Issued,
    /// The PKCS#12, for a PKCS#12 order.
    pub pkcs12: Option<Pkcs12File>,
}

/// The key to certify, and the handle of the private key when orgca made it.
pub struct Prepared {
    pub(crate) spki: SubjectPublicKeyInfoOwned,
    generated: Option<DeliveryKey>,
}

/// Checks that the recipient brings what the order asked for, and makes the key.
pub(crate) async fn prepare(order: &Order, source: KeySource<'_>) -> Result<Prepared, RaError> {
    match (order.issuance, source) {
        (Issuance::Csr, KeySource::Csr(bytes)) => Ok(Prepared {
            spki: csr::parse_and_verify(bytes)?.spki,
            generated: None,
        }),
        (Issuance::Pkcs12, KeySource::Pkcs12) => {
            // Key generation takes tens of milliseconds of CPU: off the async workers.
            let key = tokio::task::spawn_blocking(DeliveryKey::generate)
                .await
                .map_err(|e| RaError::internal("the key generation task", e))?
                .map_err(|e| RaError::internal("generating a PKCS#12 key", e))?;
            Ok(Prepared {
                spki: key.spki().clone(),
                generated: Some(key),
            })
        }
        (Issuance::Csr, KeySource::Pkcs12) => Err(RaError::NotNow(
            "this order is picked up with a CSR: send it as `csr`".into(),
        )),
        (Issuance::Pkcs12, KeySource::Csr(_)) => Err(RaError::NotNow(
            "this order delivers a PKCS#12 made by orgca: send `\"pkcs12\": true` instead of a CSR"
                .into(),
        )),
    }
}

/// Wraps a generated key with its certificate and chain into a PKCS#12 (friendlyName =
/// the lower-cased certificate name); the key is wiped when `prepared` drops.
pub(crate) fn finish(issued: Issued, prepared: Prepared) -> Result<Delivered, RaError> {
    let Some(key) = prepared.generated else {
        return Ok(Delivered {
            issued,
            pkcs12: None,
        });
    };
    let c = &issued.certificate;
    let mut chain = vec![c.der.clone()];
    for block in c.chain_pem.split_inclusive("-----END CERTIFICATE-----\n") {
        let (_, der) = der::pem::decode_vec(block.as_bytes())
            .map_err(|e| RaError::internal("reading the CA chain", e.to_string()))?;
        chain.push(der);
    }
    let refs: Vec<&[u8]> = chain.iter().map(Vec::as_slice).collect();
    let password = crate::orders::random_code(4)?;
    let der = key
        .into_pkcs12(&refs, c.request.subject.common_name.as_str(), &password)
        .map_err(|e| RaError::internal("packing the PKCS#12", e))?;
    Ok(Delivered {
        issued,
        pkcs12: Some(Pkcs12File { der, password }),
    })
}
