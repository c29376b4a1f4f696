//! What a command needs: the data folder, its configuration, the store, the CA.

use std::sync::Arc;

use anyhow::Context as _;
use orgca_ca::Ca;
use orgca_ra::Ra;
use orgca_store::Store;

use crate::cli::Global;
use crate::config::{Config, DataDir};
use crate::exit::Refused;

/// The environment variable that holds the CA key passphrase (overrides the file).
pub const PASSPHRASE_ENV: &str = "ORGCA_KEY_PASSPHRASE";

/// The environment variable that holds the signing token's PIN (overrides the file).
pub const PKCS11_PIN_ENV: &str = "ORGCA_PKCS11_PIN";

/// The environment variable that holds the CA token's PIN (overrides the file).
pub const CA_TOKEN_PIN_ENV: &str = "ORGCA_CA_TOKEN_PIN";

/// Opens the PKCS#11 token `token` (the `what` of the messages), logged in with the PIN
/// from `pin_env`, else from its PIN file (relative to `data`).
pub fn open_token(
    data: &DataDir,
    token: &crate::config::TokenConfig,
    pin_env: &str,
    what: &str,
) -> anyhow::Result<orgca_keys::Pkcs11Keys> {
    let pin = match std::env::var(pin_env).ok().filter(|p| !p.is_empty()) {
        Some(p) => p,
        None => {
            let file = token.pkcs11_pin_file.as_ref().ok_or_else(|| {
                Refused(format!(
                    "{what}'s PIN: set {pin_env} or its pkcs11_pin_file"
                ))
            })?;
            let path = data.root.join(file);
            std::fs::read_to_string(&path)
                .map_err(|e| {
                    Refused(format!(
                        "cannot read {what}'s PIN from {} ({e})",
                        path.display()
                    ))
                })?
                .trim_end_matches(['\n', '\r'])
                .to_owned()
        }
    };
    Ok(
        orgca_keys::Pkcs11Keys::open(&token.pkcs11_module, &token.pkcs11_token, &pin)
            .map_err(|e| Refused(format!("{what}: {e}")))?,
    )
}

/// The passphrase from ORGCA_KEY_PASSPHRASE; an empty value counts as unset.
pub fn passphrase_from_env() -> Option<Vec<u8>> {
    std::env::var(PASSPHRASE_ENV)
        .ok()
        .filter(|p| !p.is_empty())
        .map(String::into_bytes)
}

/// The key passphrase: ORGCA_KEY_PASSPHRASE, else the configured file.
fn passphrase(config: &Config, data: &DataDir) -> anyhow::Result<Vec<u8>> {
    if let Some(p) = passphrase_from_env() {
        return Ok(p);
    }
    let path = config.passphrase_path(data);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Refused(format!(
            "cannot read the CA key passphrase from {} ({e}); set {PASSPHRASE_ENV} or key_passphrase_file",
            path.display()
        ))
    })?;
    Ok(text.trim_end_matches(['\n', '\r']).as_bytes().to_vec())
}

/// An opened data folder.
pub struct Context {
    pub data: DataDir,
    pub config: Config,
    pub store: Store,
}

/// The database URL: the flag (or ORGCA_DATABASE_URL), else the config, else SQLite in the
/// data folder.
pub fn database_url(global: &Global, data: &DataDir, config: Option<&Config>) -> String {
    global
        .database_url
        .clone()
        .or_else(|| config.and_then(|c| c.database_url.clone()))
        .unwrap_or_else(|| data.default_database_url())
}

impl Context {
    /// Opens an initialised data folder and its database.
    pub async fn open(global: &Global) -> anyhow::Result<Context> {
        let data = DataDir {
            root: global.data.clone(),
        };
        let config = Config::load(&data)?;
        let store = Store::open(&database_url(global, &data, Some(&config))).await?;
        // Queued mail bodies are sealed with a key derived from the passphrase. A command
        // run without it does everything but queue or send mail, which it refuses with
        // what to set.
        let store = match passphrase(&config, &data) {
            Ok(p) => store.with_mail_key(&p).await?,
            Err(_) => store,
        };
        Ok(Context {
            data,
            config,
            store,
        })
    }

    /// The key passphrase: ORGCA_KEY_PASSPHRASE, else the configured file.
    pub fn passphrase(&self) -> anyhow::Result<Vec<u8>> {
        passphrase(&self.config, &self.data)
    }

    /// The mail transport of the configuration: SMTP when configured, else the outbox
    /// folder.
    pub fn mailer(&self) -> anyhow::Result<orgca_notify::Mailer> {
        let transport = match &self.config.mail_smtp_url {
            Some(url) => orgca_notify::Transport::smtp(url)?,
            None => orgca_notify::Transport::Outbox(self.data.root.join("outbox")),
        };
        Ok(orgca_notify::Mailer {
            from: self.config.mail_from.clone(),
            transport,
        })
    }

    /// Every CRL this node publishes: each CA's full CRL (signed with its key: the
    /// issuing CAs' keys shared with `ra`), and each partition of an issuing CA's CRL
    /// that has ever been configured.
    pub async fn crl_targets(&self, ca: &Ca) -> anyhow::Result<Vec<orgca_status::CrlTarget>> {
        let settings = self.config.settings()?;
        let loaded: Vec<_> = ca.issuers().cloned().collect();
        let issuers = orgca_ca::load_crl_issuers(&self.store.ca(), &self.ca_keys()?, &loaded)
            .await
            .context("loading the CA keys for CRLs")?;
        let mut targets = Vec::new();
        for issuer in issuers {
            let issuer = Arc::new(issuer);
            targets.push(orgca_status::CrlTarget::full(issuer.clone()));
            if !loaded.iter().any(|l| l.name == issuer.name) {
                continue;
            }
            let partitions = self
                .store
                .status()
                .crl_partitions(&issuer.name, settings.crl_partitions)
                .await?;
            for shard in 0..partitions {
                let url = settings.crl_url(&orgca_ca::partition_name(&issuer.name, shard));
                targets.push(orgca_status::CrlTarget::partition(
                    issuer.clone(),
                    shard,
                    url,
                ));
            }
        }
        Ok(targets)
    }

    /// The signing service with its CAs (none in a data folder made before it: then it
    /// answers 503 until `orgca ca add-signing`).
    pub async fn signing(&self) -> anyhow::Result<orgca_signing::SigningService> {
        let settings = self.config.settings()?;
        let policies = self.config.signing_policies()?;
        let cas =
            orgca_ca::load_signing_cas(&self.store.ca(), &self.ca_keys()?, &settings, &policies)
                .await
                .context("loading the signing CAs")?;
        if cas.is_empty() {
            tracing::warn!(
                "no signing CA: the signing service answers 503 until `orgca ca add-signing`"
            );
        }
        let g = &self.config.signing;
        let keys = match &g.pkcs11_module {
            None => orgca_keys::OneShotKeys::in_memory(),
            Some(module) => orgca_keys::OneShotKeys::on_token(self.signing_token(module)?),
        };
        Ok(orgca_signing::SigningService::new(
            cas,
            keys,
            time::Duration::minutes(i64::from(g.certificate_minutes)),
            g.max_document_bytes,
        ))
    }

    /// The PKCS#11 token of `[signing]`, logged in.
    fn signing_token(&self, module: &std::path::Path) -> anyhow::Result<orgca_keys::Pkcs11Keys> {
        let g = &self.config.signing;
        let label = g.pkcs11_token.clone().ok_or_else(|| {
            Refused(
                "signing.pkcs11_module is set: give signing.pkcs11_token (the token's label) too"
                    .into(),
            )
        })?;
        let token = crate::config::TokenConfig {
            pkcs11_module: module.to_owned(),
            pkcs11_token: label,
            pkcs11_pin_file: g.pkcs11_pin_file.clone(),
        };
        open_token(&self.data, &token, PKCS11_PIN_ENV, "the signing token")
    }

    /// What opens the CA keys: the key files with the passphrase, and the CA token
    /// (`[ca_token]`) when one is configured.
    pub fn ca_keys(&self) -> anyhow::Result<orgca_ca::CaKeys> {
        let token = match &self.config.ca_token {
            None => None,
            Some(t) => Some(Arc::new(open_token(
                &self.data,
                t,
                CA_TOKEN_PIN_ENV,
                "the CA token",
            )?)),
        };
        Ok(orgca_ca::CaKeys {
            dir: self.data.keys(),
            passphrase: self.passphrase()?,
            rsa_pss: self.config.rsa_pss(),
            token,
        })
    }

    /// What signs this instance's audit checkpoints (the audit key made on first use).
    pub fn anchor(&self) -> anyhow::Result<orgca_ca::checkpoint::Anchor> {
        orgca_ca::checkpoint::Anchor::new(
            self.store.audit(),
            &self.ca_keys()?,
            &self.config.settings()?.public_base_url,
        )
        .context("the audit key")
    }

    /// Signs a checkpoint of the audit chain now.
    pub async fn checkpoint(
        &self,
        actor: &str,
        now: orgca_model::UnixTime,
    ) -> anyhow::Result<Option<i64>> {
        self.anchor()?
            .sign(actor, now)
            .await
            .context("signing an audit checkpoint")
    }

    /// Checks the audit checkpoints against the audit key; `None` when there is no audit
    /// key yet.
    pub async fn verify_checkpoints(
        &self,
    ) -> anyhow::Result<Option<orgca_ca::checkpoint::CheckpointReport>> {
        let Some(key) = self.ca_keys()?.audit_key().context("the audit key")? else {
            return Ok(None);
        };
        let origin = orgca_ca::checkpoint::audit_origin(&self.config.settings()?.public_base_url);
        Ok(Some(
            orgca_ca::checkpoint::verify_checkpoints(&self.store.audit(), key.as_ref(), &origin)
                .await?,
        ))
    }

    /// The RA without CA keys: administration, search, blocking (no passphrase needed).
    pub fn ra_without_keys(&self) -> anyhow::Result<Ra> {
        let settings = self.config.settings()?;
        Ok(Ra::new(
            self.store.clone(),
            self.config.order_policy(&settings.public_base_url),
        ))
    }

    /// The RA with the CA and its keys loaded.
    pub async fn ra(&self) -> anyhow::Result<Ra> {
        Ok(self.ra_without_keys()?.with_ca(self.ca().await?))
    }

    /// The CA with its issuing keys loaded.
    pub async fn ca(&self) -> anyhow::Result<Arc<Ca>> {
        let settings = self.config.settings()?;
        let issuers = orgca_ca::load_issuing_cas(&self.store.ca(), &self.ca_keys()?, &settings)
            .await
            .context("loading the issuing CAs")?;
        // Recorded before anything is issued with it: a certificate may name a CRL
        // partition only once every node that starts publishes that partition.
        for issuer in &issuers {
            self.store
                .status()
                .crl_partitions(&issuer.name, settings.crl_partitions)
                .await?;
        }
        Ok(Arc::new(Ca::new(issuers, self.store.ca())))
    }
}
