//! HTTPS terminated by orgca itself (rustls with aws-lc-rs): the certificate chain and
//! key are read from PEM files, and read again on SIGHUP and whenever a file changes. A
//! new pair that does not load (unreadable, not a key, not the certificate's key) is
//! refused with a log line and the pair in use is kept, so that a botched renewal never
//! takes the service down.
//!
//! This module must never log or keep key material anywhere but in rustls' signing key.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::SystemTime;

use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

/// The files of the TLS certificate chain (leaf first) and its private key.
#[derive(Clone, Debug)]
pub struct TlsFiles {
    /// PEM certificates, the server's first.
    pub certificate: PathBuf,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// The certificate and key in use, and what to read them from again.
#[derive(Debug)]
pub struct ReloadingCert {
    files: TlsFiles,
    current: RwLock<Arc<CertifiedKey>>,
    /// The files' modification times when last read.
    read_at: Mutex<(Option<SystemTime>, Option<SystemTime>)>,
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// Reads and checks a pair; the error says what to fix.
fn load(files: &TlsFiles) -> Result<CertifiedKey, String> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&files.certificate)
        .and_then(|certs| certs.collect::<Result<_, _>>())
        .map_err(|e| format!("{}: {e}", files.certificate.display()))?;
    if chain.is_empty() {
        return Err(format!(
            "{} holds no CERTIFICATE",
            files.certificate.display()
        ));
    }
    let key = PrivateKeyDer::from_pem_file(&files.key)
        .map_err(|e| format!("{}: no private key ({e})", files.key.display()))?;
    CertifiedKey::from_der(chain, key, &provider()).map_err(|e| {
        format!(
            "{} and {} are not a certificate and its key: {e}",
            files.certificate.display(),
            files.key.display()
        )
    })
}

impl ReloadingCert {
    /// Loads the pair: an error names the file and what is wrong with it.
    pub fn load(files: TlsFiles) -> Result<Arc<ReloadingCert>, String> {
        let stamp = (modified(&files.certificate), modified(&files.key));
        let key = load(&files)?;
        Ok(Arc::new(ReloadingCert {
            files,
            current: RwLock::new(Arc::new(key)),
            read_at: Mutex::new(stamp),
        }))
    }

    /// Reads the pair again (SIGHUP). A pair that does not load is refused and the one
    /// in use kept; answers whether the new one is in use.
    pub fn reload(&self) -> bool {
        let stamp = (modified(&self.files.certificate), modified(&self.files.key));
        match load(&self.files) {
            Ok(key) => {
                *self
                    .current
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(key);
                *self
                    .read_at
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = stamp;
                tracing::info!(certificate = %self.files.certificate.display(), "TLS certificate loaded");
                true
            }
            Err(e) => {
                tracing::error!(error = %e, "the new TLS certificate does not load; the one in use is kept");
                false
            }
        }
    }

    /// Reads the pair again if a file changed since it was last read.
    pub fn reload_if_changed(&self) {
        let stamp = (modified(&self.files.certificate), modified(&self.files.key));
        let changed = *self
            .read_at
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            != stamp;
        if changed && !self.reload() {
            // Not again until the files change again.
            *self
                .read_at
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = stamp;
        }
    }

    /// The server configuration over this pair: TLS 1.2 and 1.3, HTTP/1.1.
    pub fn server_config(self: &Arc<Self>) -> Result<Arc<rustls::ServerConfig>, String> {
        let mut config = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_no_client_auth()
            .with_cert_resolver(self.clone());
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

impl ResolvesServerCert for ReloadingCert {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(
            self.current
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone(),
        )
    }
}
