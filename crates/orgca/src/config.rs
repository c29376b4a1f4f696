//! The configuration file (`config.toml` in the data folder) and the data folder layout.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use der::asn1::ObjectIdentifier;
use orgca_ca::Settings;
use orgca_ca::ceremony::HierarchyNames;
use orgca_model::Environment;
use orgca_pki::name::CaName;
use orgca_pki::profile::Policies;
use orgca_pki::single_use::SigningPolicies;
use serde::{Deserialize, Serialize};

use crate::exit::Refused;

/// Where things live inside the data folder.
#[derive(Clone, Debug)]
pub struct DataDir {
    /// The folder.
    pub root: PathBuf,
}

impl DataDir {
    /// `config.toml`.
    pub fn config(&self) -> PathBuf {
        self.root.join("config.toml")
    }
    /// Encrypted CA keys.
    pub fn keys(&self) -> PathBuf {
        self.root.join("keys")
    }
    /// The default SQLite database URL.
    pub fn default_database_url(&self) -> String {
        format!("sqlite://{}", self.root.join("orgca.db").display())
    }
}

/// Policy OIDs and the name registration authority, as written in the file.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PolicyConfig {
    /// National policy OID for organisation and system certificates.
    pub organisation: String,
    /// National policy OID for employee certificates.
    pub employee: String,
    /// URI of the authority defining the `UI:` identifiers (qcStatements).
    pub name_registration_authority: String,
}

/// The CA names of one hierarchy as written in the file; a CA left out gets the default
/// name of its hierarchy.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HierarchyConfig {
    /// The root's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root: Option<CaName>,
    /// The issuing CA's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuing: Option<CaName>,
    /// The signing service's CA's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing: Option<CaName>,
}

impl HierarchyConfig {
    /// The names, defaults filled in.
    pub fn resolve(&self, env: Environment) -> HierarchyNames {
        let d = HierarchyNames::default_for(env);
        HierarchyNames {
            root: self.root.clone().unwrap_or(d.root),
            issuing: self.issuing.clone().unwrap_or(d.issuing),
            signing: self.signing.clone().unwrap_or(d.signing),
        }
    }

    fn resolved(&self, env: Environment) -> HierarchyConfig {
        let n = self.resolve(env);
        HierarchyConfig {
            root: Some(n.root),
            issuing: Some(n.issuing),
            signing: Some(n.signing),
        }
    }
}

/// The names of both hierarchies.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Hierarchies {
    /// Production.
    pub production: HierarchyConfig,
    /// Test.
    pub test: HierarchyConfig,
}

impl Hierarchies {
    /// The names of one hierarchy, defaults filled in.
    pub fn resolve_for(&self, env: Environment) -> HierarchyNames {
        match env {
            Environment::Production => self.production.resolve(env),
            Environment::Test => self.test.resolve(env),
        }
    }

    /// Every name written out, defaults filled in (what `init` records).
    pub fn resolved(&self) -> Hierarchies {
        Hierarchies {
            production: self.production.resolved(Environment::Production),
            test: self.test.resolved(Environment::Test),
        }
    }
}

/// How long orders and validated e-mail addresses last (`[orders]`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OrdersConfig {
    /// Days an order (and its one-time code) may be picked up.
    pub validity_days: u32,
    /// Days an e-mail address, once validated, counts as validated for its organisation.
    pub email_validation_days: u32,
}

impl Default for OrdersConfig {
    fn default() -> Self {
        OrdersConfig {
            validity_days: 14,
            email_validation_days: 90,
        }
    }
}

/// Notices to contact persons (`[notices]`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NoticesConfig {
    /// Days before notAfter at which the contact person is told.
    pub expiry_days: Vec<u32>,
}

impl Default for NoticesConfig {
    fn default() -> Self {
        NoticesConfig {
            expiry_days: orgca_ra::expiry::DEFAULT_POINTS.to_vec(),
        }
    }
}

/// CRL timing and partitioning (`[crl]`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CrlConfig {
    /// Hours from thisUpdate to nextUpdate.
    pub validity_hours: u32,
    /// Hours after which a CRL is re-issued even without a block (well before
    /// nextUpdate).
    pub refresh_hours: u32,
    /// Partitions of each issuing CA's CRL (0: one full CRL only). Set it when a CA's
    /// CRL would grow past what relying parties should download: a leaf's partition is
    /// fixed at issuance and written into its CDP (`/crl/{ca}-p{N}.crl`); the full CRL
    /// is still published. Raising it later affects only new certificates.
    pub partitions: u16,
}

impl Default for CrlConfig {
    fn default() -> Self {
        CrlConfig {
            validity_hours: 24,
            refresh_hours: 6,
            partitions: 0,
        }
    }
}

impl CrlConfig {
    /// The CRL timing, checked: re-issued at least an hour before nextUpdate.
    pub fn policy(&self) -> Result<orgca_status::CrlPolicy, Refused> {
        if !(2..=24 * 31).contains(&self.validity_hours)
            || self.refresh_hours == 0
            || self.refresh_hours >= self.validity_hours
        {
            return Err(Refused(format!(
                "crl.validity_hours = {} and crl.refresh_hours = {}: give 2 to 744 hours of validity and a refresh time of at least 1 hour, shorter than the validity",
                self.validity_hours, self.refresh_hours
            )));
        }
        if self.partitions > 1024 {
            return Err(Refused(format!(
                "crl.partitions = {}: give 0 (off) to 1024",
                self.partitions
            )));
        }
        Ok(orgca_status::CrlPolicy {
            validity: std::time::Duration::from_secs(u64::from(self.validity_hours) * 3600),
            refresh_after: std::time::Duration::from_secs(u64::from(self.refresh_hours) * 3600),
            ..orgca_status::CrlPolicy::default()
        })
    }
}

/// The OCSP responder (`[ocsp]`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OcspConfig {
    /// The most answers a node keeps in memory, signed ahead from its start; a
    /// certificate past it is answered by signing when asked. Lower it on a node with
    /// little memory and many certificates: with 1,000,000 certificates a node was past
    /// 2 GB and still signing 8 minutes after its start (session 4's bench).
    pub signed_ahead_max: usize,
}

impl Default for OcspConfig {
    fn default() -> Self {
        OcspConfig {
            signed_ahead_max: orgca_status::ocsp::OcspPolicy::default().max_cached,
        }
    }
}

/// Limits on guessing (`[limits]`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsConfig {
    /// Wrong API tokens and wrong one-time codes one client address may send in 15
    /// minutes; past it, every try from that address is refused until they end.
    pub failures_per_address: u32,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            failures_per_address: orgca_web::client::FAILURES_ALLOWED,
        }
    }
}

/// The signing service (`[signing]`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SigningConfig {
    /// Minutes a single-use certificate is valid (1 to 60).
    pub certificate_minutes: u32,
    /// The keys are made in a QSCD: certificates then carry QcSSCD and the `_qscd`
    /// policies. Only with `pkcs11_module` (a token the operator has had certified as a
    /// QSCD); software keys in memory never make that claim.
    pub qscd: bool,
    /// Policy OID of personal signatures (default ETSI QCP-n).
    pub policy_personal: String,
    /// Policy OID of seals (default ETSI QCP-l).
    pub policy_seal: String,
    /// Policy OID of personal signatures with keys in a QSCD (default QCP-n-qscd).
    pub policy_personal_qscd: String,
    /// Policy OID of seals with keys in a QSCD (default QCP-l-qscd).
    pub policy_seal_qscd: String,
    /// The PKI disclosure statement in English (QcPDS): an https URL.
    pub pds_url: String,
    /// The largest document signed, in bytes (a JSON request carries it as base64, a
    /// third larger).
    pub max_document_bytes: usize,
    /// A PKCS#11 module (`.so`) whose token makes the single-use keys; absent: software
    /// keys in memory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pkcs11_module: Option<PathBuf>,
    /// The label of that token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pkcs11_token: Option<String>,
    /// File holding the token's user PIN, relative to the data folder unless absolute;
    /// the environment variable ORGCA_PKCS11_PIN takes precedence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pkcs11_pin_file: Option<PathBuf>,
}

impl Default for SigningConfig {
    fn default() -> Self {
        SigningConfig {
            certificate_minutes: 10,
            qscd: false,
            policy_personal: orgca_pki::oids::QCP_N.to_string(),
            policy_seal: orgca_pki::oids::QCP_L.to_string(),
            policy_personal_qscd: orgca_pki::oids::QCP_N_QSCD.to_string(),
            policy_seal_qscd: orgca_pki::oids::QCP_L_QSCD.to_string(),
            pds_url: "https://pki.example.dk/pds/en".into(),
            max_document_bytes: 16 * 1024 * 1024,
            pkcs11_module: None,
            pkcs11_token: None,
            pkcs11_pin_file: None,
        }
    }
}

/// `config.toml`. Every key may be left out: it then takes its default.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Base URL in certificates (AIA, CDP, OCSP): plain http, as relying parties fetch
    /// status without TLS.
    pub public_base_url: String,
    /// Base URL of the portal and of the links in orgca's mail (pick-up, e-mail
    /// validation, password links); absent: `public_base_url`. Give `https://...` when a
    /// TLS proxy is in front: then portal cookies are `Secure` and HSTS is sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub portal_base_url: Option<String>,
    /// Where `serve` listens.
    pub listen: SocketAddr,
    /// `rsa-pss-sha256` or `rsa-pkcs1-sha256`.
    pub signature: String,
    /// `From:` of the mail orgca sends.
    pub mail_from: String,
    /// SMTP server for mail (`smtp://host:port`, `?tls=required` for STARTTLS,
    /// `smtps://` for TLS); absent: the outbox folder in the data folder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mail_smtp_url: Option<String>,
    /// The proxies in front of orgca whose `X-Forwarded-For` names the client:
    /// addresses or networks (`10.0.0.5`, `10.0.0.0/8`, `fd00::/8`). Empty: the
    /// connection's peer is the client. The per-address limits count the client.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub trusted_proxies: Vec<String>,
    /// Database URL; absent means SQLite in the data folder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    /// File holding the key passphrase, relative to the data folder unless absolute;
    /// the environment variable ORGCA_KEY_PASSPHRASE takes precedence.
    pub key_passphrase_file: PathBuf,
    /// Policies.
    pub policies: PolicyConfig,
    /// CA names.
    pub hierarchies: Hierarchies,
    /// Order lifetimes.
    pub orders: OrdersConfig,
    /// Notices.
    pub notices: NoticesConfig,
    /// CRLs.
    pub crl: CrlConfig,
    /// OCSP.
    pub ocsp: OcspConfig,
    /// Limits on guessing.
    pub limits: LimitsConfig,
    /// The signing service.
    pub signing: SigningConfig,
    /// The PKCS#11 token that holds the CA keys. Given when `init` runs, the production
    /// hierarchy's keys (root, issuing CA, signing CA) are made on it and never leave it;
    /// the test hierarchy's stay encrypted files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_token: Option<TokenConfig>,
    /// HTTPS served by orgca itself (absent: plain HTTP only, for a TLS proxy in front).
    /// With it, `listen` serves relying parties only (CRLs, OCSP, CA certificates), and
    /// `portal_base_url` must be this listener's `https://` address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsConfig>,
}

/// The HTTPS listener and its certificate.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// Where HTTPS listens (for example `0.0.0.0:443`).
    pub listen: SocketAddr,
    /// The certificate chain, PEM, the server's first; relative to the data folder unless
    /// absolute. Read again on SIGHUP and when it changes.
    pub certificate: PathBuf,
    /// Its private key, PEM.
    pub key: PathBuf,
}

/// A PKCS#11 token: its module, its label, and where its user PIN is read (the
/// environment variable of its use first, then `pkcs11_pin_file`; never the command line).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenConfig {
    /// The PKCS#11 module (`.so`).
    pub pkcs11_module: PathBuf,
    /// The token's label.
    pub pkcs11_token: String,
    /// File holding the token's user PIN, relative to the data folder unless absolute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pkcs11_pin_file: Option<PathBuf>,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        PolicyConfig {
            organisation: "1.2.208.169.1.1.1.3.7.1".into(),
            employee: "1.2.208.169.1.1.1.2.7.1".into(),
            name_registration_authority: "https://uid.gov.dk".into(),
        }
    }
}

impl Default for Hierarchies {
    fn default() -> Self {
        Hierarchies {
            production: HierarchyConfig::default(),
            test: HierarchyConfig::default(),
        }
        .resolved()
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            public_base_url: "http://localhost:8080".into(),
            portal_base_url: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            signature: "rsa-pss-sha256".into(),
            mail_from: "orgca <noreply@localhost>".into(),
            mail_smtp_url: None,
            trusted_proxies: Vec::new(),
            database_url: None,
            key_passphrase_file: PathBuf::from("secrets/key-passphrase"),
            policies: PolicyConfig::default(),
            hierarchies: Hierarchies::default(),
            orders: OrdersConfig::default(),
            notices: NoticesConfig::default(),
            crl: CrlConfig::default(),
            ocsp: OcspConfig::default(),
            limits: LimitsConfig::default(),
            signing: SigningConfig::default(),
            ca_token: None,
            tls: None,
        }
    }
}

/// Parses a configuration file's text (keys left out take their defaults).
pub(crate) fn parse(text: &str, path: &Path) -> anyhow::Result<Config> {
    let config: Config = toml::from_str(text)
        .map_err(|e| Refused(format!("{} is not valid: {e}", path.display())))?;
    config.settings()?;
    config.trusted_proxies()?;
    config.failures_per_address()?;
    Ok(config)
}

impl Config {
    /// Reads a configuration prepared for `init --config` (any subset of the keys).
    pub fn read_prepared(path: &Path) -> anyhow::Result<Config> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Refused(format!("cannot read {}: {e}", path.display())))?;
        parse(&text, path)
    }

    /// Reads and checks `config.toml`.
    pub fn load(data: &DataDir) -> anyhow::Result<Config> {
        let path = data.config();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Refused(format!(
                    "{} is not initialised (no config.toml): run `orgca init --data {}` first",
                    data.root.display(),
                    data.root.display()
                ))
                .into());
            }
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        parse(&text, &path)
    }

    /// Writes the file; never overwrites one.
    pub fn write_new(&self, data: &DataDir) -> anyhow::Result<()> {
        write_new_file(&data.config(), self.to_text()?.as_bytes(), 0o600)
    }

    /// The file's text, with its heading comment.
    pub fn to_text(&self) -> anyhow::Result<String> {
        Ok(format!(
            "# orgca configuration. Changes take effect at the next start.\n{}",
            toml::to_string_pretty(self).context("encoding the configuration")?
        ))
    }

    /// Whether the CAs sign with RSASSA-PSS.
    pub fn rsa_pss(&self) -> bool {
        self.signature == "rsa-pss-sha256"
    }

    /// The signing service's policies, checked. Errors name the key to fix.
    pub fn signing_policies(&self) -> Result<SigningPolicies, Refused> {
        let g = &self.signing;
        let oid = |key: &str, v: &str| {
            ObjectIdentifier::new(v)
                .map_err(|_| Refused(format!("signing.{key} = {v:?} is not an OID")))
        };
        let pds_ok = g
            .pds_url
            .strip_prefix("https://")
            .is_some_and(|h| !h.is_empty() && g.pds_url.is_ascii() && !g.pds_url.contains(' '));
        if !pds_ok {
            return Err(Refused(format!(
                "signing.pds_url = {:?}: give the https:// URL of the PKI disclosure statement in English",
                g.pds_url
            )));
        }
        if !(1..=60).contains(&g.certificate_minutes) {
            return Err(Refused(format!(
                "signing.certificate_minutes = {}: give 1 to 60 minutes",
                g.certificate_minutes
            )));
        }
        if !(1..=64 * 1024 * 1024).contains(&g.max_document_bytes) {
            return Err(Refused(format!(
                "signing.max_document_bytes = {}: give 1 to 67108864 bytes (64 MiB)",
                g.max_document_bytes
            )));
        }
        if g.qscd && g.pkcs11_module.is_none() {
            return Err(Refused(
                "signing.qscd = true claims the keys are in a QSCD: set signing.pkcs11_module to that token (software keys are not)".into(),
            ));
        }
        Ok(SigningPolicies {
            person: oid("policy_personal", &g.policy_personal)?,
            seal: oid("policy_seal", &g.policy_seal)?,
            person_qscd: oid("policy_personal_qscd", &g.policy_personal_qscd)?,
            seal_qscd: oid("policy_seal_qscd", &g.policy_seal_qscd)?,
            qscd: g.qscd,
            name_registration_authority: self.policies.name_registration_authority.clone(),
            pds_url: g.pds_url.clone(),
        })
    }

    /// The limit on wrong tokens and codes per client address, checked.
    pub fn failures_per_address(&self) -> Result<u32, Refused> {
        let n = self.limits.failures_per_address;
        if !(1..=100_000).contains(&n) {
            return Err(Refused(format!(
                "limits.failures_per_address = {n}: give 1 to 100000"
            )));
        }
        Ok(n)
    }

    /// The trusted proxies, checked. The error names the entry to fix.
    pub fn trusted_proxies(&self) -> Result<orgca_web::client::TrustedProxies, Refused> {
        let nets = self
            .trusted_proxies
            .iter()
            .map(|p| {
                orgca_web::client::ProxyNet::parse(p)
                    .map_err(|e| Refused(format!("trusted_proxies: {e}")))
            })
            .collect::<Result<_, _>>()?;
        Ok(orgca_web::client::TrustedProxies(nets))
    }

    /// The checked settings the CA needs. Errors name the key to fix.
    pub fn settings(&self) -> anyhow::Result<Settings> {
        let url = self.public_base_url.trim_end_matches('/');
        let host = url.strip_prefix("http://").unwrap_or("");
        if host.is_empty() || host.contains(['/', '?', '#', ' ']) {
            return Err(Refused(format!(
                "public_base_url = {:?}: give http://HOST[:PORT] (plain http: relying parties fetch CRLs and OCSP without TLS)",
                self.public_base_url
            ))
            .into());
        }
        if !matches!(
            self.signature.as_str(),
            "rsa-pss-sha256" | "rsa-pkcs1-sha256"
        ) {
            return Err(Refused(format!(
                "signature = {:?}: use rsa-pss-sha256 or rsa-pkcs1-sha256",
                self.signature
            ))
            .into());
        }
        let oid = |key: &str, v: &str| {
            ObjectIdentifier::new(v)
                .map_err(|_| Refused(format!("policies.{key} = {v:?} is not an OID")))
        };
        let o = &self.orders;
        if !(1..=365).contains(&o.validity_days) || !(1..=3650).contains(&o.email_validation_days) {
            return Err(Refused(format!(
                "orders.validity_days = {} and orders.email_validation_days = {}: give 1 to 365 and 1 to 3650 days",
                o.validity_days, o.email_validation_days
            ))
            .into());
        }
        let days = &self.notices.expiry_days;
        if days.len() > 10 || days.iter().any(|d| !(1..=365).contains(d)) {
            return Err(Refused(format!(
                "notices.expiry_days = {days:?}: give up to 10 points of 1 to 365 days"
            ))
            .into());
        }
        let p = &self.policies;
        if !p.name_registration_authority.is_ascii() || p.name_registration_authority.is_empty() {
            return Err(Refused(
                "policies.name_registration_authority must be an ASCII URI".into(),
            )
            .into());
        }
        self.crl.policy()?;
        self.signing_policies()?;
        if let Some(portal) = &self.portal_base_url {
            let host = portal
                .strip_prefix("https://")
                .or_else(|| portal.strip_prefix("http://"))
                .unwrap_or("")
                .trim_end_matches('/');
            if host.is_empty() || host.contains(['/', '?', '#', ' ']) {
                return Err(Refused(format!(
                    "portal_base_url = {portal:?}: give https://HOST[:PORT] (or http:// without TLS)"
                ))
                .into());
            }
        }
        if self.tls.is_some()
            && !self
                .portal_base_url
                .as_deref()
                .is_some_and(|p| p.starts_with("https://"))
        {
            return Err(Refused(
                "[tls] is set: give portal_base_url = \"https://HOST[:PORT]\", the address of the \
                 HTTPS listener (pages asked for over plain HTTP are sent there)"
                    .into(),
            )
            .into());
        }
        Ok(Settings {
            public_base_url: url.to_owned(),
            policies: Policies {
                organisation: oid("organisation", &p.organisation)?,
                employee: oid("employee", &p.employee)?,
                name_registration_authority: p.name_registration_authority.clone(),
            },
            crl_partitions: self.crl.partitions,
        })
    }

    /// The order rules, with links to the portal (call after [`Config::settings`] has
    /// checked the file).
    pub fn order_policy(&self, public_base_url: &str) -> orgca_ra::OrderPolicy {
        let links = self.portal_base_url.as_deref().unwrap_or(public_base_url);
        orgca_ra::OrderPolicy::new(links)
            .with_days(self.orders.validity_days, self.orders.email_validation_days)
    }

    /// The TLS certificate and key files, relative paths taken from the data folder.
    pub fn tls_files(&self, data: &DataDir) -> Option<orgca_web::TlsFiles> {
        let at = |p: &PathBuf| {
            if p.is_absolute() {
                p.clone()
            } else {
                data.root.join(p)
            }
        };
        self.tls.as_ref().map(|t| orgca_web::TlsFiles {
            certificate: at(&t.certificate),
            key: at(&t.key),
        })
    }

    /// The key passphrase file's path.
    pub fn passphrase_path(&self, data: &DataDir) -> PathBuf {
        if self.key_passphrase_file.is_absolute() {
            self.key_passphrase_file.clone()
        } else {
            data.root.join(&self.key_passphrase_file)
        }
    }
}

/// Creates `path` with `contents`, readable only by its owner, failing if it exists.
pub fn write_new_file(path: &Path, contents: &[u8], mode: u32) -> anyhow::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(mode);
    }
    let _ = mode;
    let mut f = opts
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    f.write_all(contents)
        .with_context(|| format!("writing {}", path.display()))?;
    f.sync_all()
        .with_context(|| format!("writing {}", path.display()))
}
