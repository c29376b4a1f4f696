//! The command line.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// orgca: a self-hostable certificate service for organisations.
#[derive(Debug, Parser)]
#[command(name = "orgca", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command takes, before or after the subcommand.
#[derive(Debug, Args, Clone)]
pub struct Global {
    /// The data folder (config, SQLite database, encrypted keys).
    #[arg(long, global = true, env = "ORGCA_DATA", default_value = "orgca-data")]
    pub data: PathBuf,
    /// Database URL (sqlite://PATH or postgres://...); default: SQLite in the data folder,
    /// or what `init` recorded.
    #[arg(
        long,
        global = true,
        env = "ORGCA_DATABASE_URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the data folder, config, database and both CA hierarchies.
    Init(InitArgs),
    /// Run the server (an empty data folder is initialised first, with
    /// ORGCA_PUBLIC_BASE_URL as the address relying parties reach).
    Serve(ServeArgs),
    /// Try orgca on this machine: serve, with a test organisation and its administrator
    /// (a password link and an API token are printed once).
    Demo(ServeArgs),
    /// CA certificates.
    #[command(subcommand)]
    Ca(CaCommand),
    /// Organisations.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Certificates.
    #[command(subcommand)]
    Cert(CertCommand),
    /// Users of an organisation.
    #[command(subcommand)]
    User(UserCommand),
    /// API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Provisioning by the organisation's directory (SCIM 2.0 at /scim/v2).
    #[command(subcommand)]
    Scim(ScimCommand),
    /// Logging in through an organisation's identity provider (OpenID Connect).
    #[command(subcommand)]
    Sso(SsoCommand),
    /// The audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Notices to contact persons.
    #[command(subcommand)]
    Notify(NotifyCommand),
    /// Export an organisation's certificates as CSV (RFC 4180, UTF-8, a header row).
    Export(ExportArgs),
    /// Key ceremonies of an offline root, run where its key is: no server, no network,
    /// no database. Each writes a signed record into the ceremony folder.
    #[command(subcommand)]
    Ceremony(CeremonyCommand),
    /// Back up the store, the configuration and the encrypted CA keys into one archive
    /// (while `serve` runs), or check an archive (`backup verify FILE`).
    Backup(BackupArgs),
    /// Restore a backup into a new data folder (`--data`), or into the empty database
    /// that `--database-url` names.
    Restore(RestoreArgs),
    /// The store as a whole.
    #[command(subcommand)]
    Store(StoreCommand),
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BackupArgs {
    #[command(subcommand)]
    pub command: Option<BackupCommand>,
    /// Where to write the archive: a new file (a backup never overwrites), by custom
    /// ending in .tar.gz.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// Check an archive without restoring it: every file against the manifest, the
    /// store's tables against their digests, the audit chain.
    Verify {
        /// The archive.
        archive: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The archive (`orgca backup --out` wrote it).
    #[arg(long)]
    pub from: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Copy the whole store into a new, empty database (from SQLite to PostgreSQL, for
    /// example), check it table by table, and print what to change in config.toml. Stop
    /// `serve` first: what the old store records after the copy begins is not in it.
    Copy {
        /// The new database (postgres://... or sqlite://PATH).
        #[arg(long, env = "ORGCA_COPY_TO_URL", hide_env_values = true)]
        to: String,
    },
}

/// What every ceremony names.
#[derive(Debug, Args)]
pub struct CeremonyArgs {
    /// The ceremony folder (the root's certificate, its key unless on a token, the
    /// records).
    #[arg(long)]
    pub dir: PathBuf,
    /// Who runs the ceremony (written into its record).
    #[arg(long)]
    pub who: String,
}

#[derive(Debug, Subcommand)]
pub enum CeremonyCommand {
    /// Make a root: its key (on the CA token of the configuration, else an encrypted file
    /// in the folder, ORGCA_KEY_PASSPHRASE) and its self-signed certificate.
    Root {
        #[command(flatten)]
        ceremony: CeremonyArgs,
        /// The configuration the serving machines will use (public_base_url, names,
        /// policies, [ca_token]).
        #[arg(long)]
        config: PathBuf,
        /// A root for the test hierarchy (else production).
        #[arg(long)]
        test: bool,
    },
    /// Certify an issuing or signing CA from its request (`orgca init --offline-root` and
    /// `orgca ca rollover` write them).
    Sign {
        #[command(flatten)]
        ceremony: CeremonyArgs,
        /// The request (PEM or DER).
        #[arg(long)]
        csr: PathBuf,
        /// The CA's role: `issuing` or `signing`.
        #[arg(long)]
        role: CeremonyRole,
        /// Where to write the certificate (PEM).
        #[arg(long)]
        out: PathBuf,
    },
    /// Sign the root's CRL (import it with `orgca ca import`).
    Crl {
        #[command(flatten)]
        ceremony: CeremonyArgs,
        /// Where to write the CRL (DER).
        #[arg(long)]
        out: PathBuf,
        /// Revoke a CA the root certified (its serial, hex); kept for later CRLs.
        #[arg(long)]
        revoke: Vec<String>,
        /// Days until nextUpdate.
        #[arg(long, default_value_t = 365)]
        days: u32,
    },
}

/// The role of a CA an offline root certifies.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum CeremonyRole {
    /// Issues leaf certificates.
    Issuing,
    /// Issues the signing service's single-use certificates.
    Signing,
}

/// The filters of `cert list` and `export` (the API's search parameters).
#[derive(Debug, Args)]
pub struct FilterArgs {
    /// The organisation's CVR.
    #[arg(long)]
    pub org: String,
    /// Free text (part of a name or address), or an exact UUID, serial or e-mail.
    #[arg(long)]
    pub q: Option<String>,
    /// organisation, system or employee.
    #[arg(long)]
    pub kind: Option<String>,
    /// active, blocked or expired.
    #[arg(long)]
    pub status: Option<String>,
    /// Only those expiring before this date (2027-01-31) or RFC 3339 time.
    #[arg(long)]
    pub expires_before: Option<String>,
    /// A profile's id or name.
    #[arg(long)]
    pub profile: Option<String>,
    /// A user's id or e-mail address.
    #[arg(long)]
    pub user: Option<String>,
    /// created (newest first), not_after (soonest first) or name.
    #[arg(long)]
    pub sort: Option<String>,
    /// asc or desc.
    #[arg(long)]
    pub order: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Write to this file (written whole or not at all) instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

impl Command {
    /// Whether this command runs the server (it then logs at info level).
    pub fn is_server(&self) -> bool {
        matches!(self, Command::Serve(_) | Command::Demo(_))
    }
}

/// How the CAs sign.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum SignatureChoice {
    /// RSASSA-PSS with SHA-256 (the OCES3 choice).
    RsaPssSha256,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (for relying parties without PSS).
    RsaPkcs1Sha256,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// A prepared config.toml (CA names, policies, URLs ...); keys left out take their
    /// defaults. The flags below override it.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Base URL written into certificates (AIA, CDP, OCSP), e.g. http://pki.example.com:
    /// where relying parties fetch CRLs and ask OCSP, for as long as the CAs live.
    #[arg(long, env = "ORGCA_PUBLIC_BASE_URL")]
    pub public_base_url: Option<String>,
    /// A trial on this machine only: allows a base URL that names this machine
    /// (localhost, a loopback address, a name without a dot), which no relying party
    /// elsewhere can reach.
    #[arg(long)]
    pub local_trial: bool,
    /// Where `serve` listens (written to config.toml; default 127.0.0.1:8080).
    #[arg(long)]
    pub listen: Option<SocketAddr>,
    /// Signature scheme of the CAs (default rsa-pss-sha256).
    #[arg(long, value_enum)]
    pub signature: Option<SignatureChoice>,
    /// The production root is offline: its certificate (made by `orgca ceremony root`).
    /// The production issuing and signing CAs get their keys here and requests in
    /// `requests/`, for the root to certify in a ceremony (then `orgca ca import`).
    #[arg(long)]
    pub offline_root: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (default from config: 127.0.0.1:8080).
    #[arg(long)]
    pub listen: Option<SocketAddr>,
}

#[derive(Debug, Subcommand)]
pub enum CaCommand {
    /// List the CA certificates.
    List,
    /// Print a CA certificate as PEM.
    Cert {
        /// The CA's name, as `ca list` shows it.
        name: String,
    },
    /// Add the signing service's CA to each hierarchy that has none (a data folder made
    /// before the signing service). Signed by the hierarchy's root; restart `serve` after.
    AddSigning,
    /// Make a new issuing CA for a hierarchy, signed by its root, and make it the one that
    /// issues (after `serve` restarts). The earlier issuing CAs keep their CRLs and OCSP
    /// answers. Needs the root's key here.
    Rollover {
        /// The test hierarchy (else production).
        #[arg(long)]
        test: bool,
        /// The new CA's commonName (default: the current one's, numbered anew).
        #[arg(long)]
        common_name: Option<String>,
    },
    /// Bring in what an offline root's ceremonies made: certificates for the requests in
    /// `requests/` (an issuing CA becomes the current one), the root's CRL (served until
    /// its nextUpdate), and ceremony records (into the audit trail, once they verify
    /// with --record-key).
    Import {
        /// Certificates (PEM or DER), CRLs (DER or PEM) and records (`records/*.note`).
        files: Vec<PathBuf>,
        /// The ceremony folder's record key (`record-key.pem`); needed for records.
        #[arg(long)]
        record_key: Option<PathBuf>,
    },
    /// Retire an earlier issuing CA whose certificates have all expired: it signs nothing
    /// more, and its last CRL stays published.
    Retire {
        /// The CA's name, as `ca list` shows it.
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Create an organisation.
    Create {
        /// CVR number (8 digits; must pass mod-11 unless --test).
        #[arg(long)]
        cvr: String,
        /// Registered name.
        #[arg(long)]
        name: String,
        /// A test organisation (test hierarchy; fictitious CVR allowed).
        #[arg(long)]
        test: bool,
    },
    /// List organisations.
    List,
    /// Switch what an organisation may use on or off.
    Set {
        /// CVR number.
        #[arg(long)]
        cvr: String,
        /// Employee (user) certificates.
        #[arg(long, value_enum)]
        user_certificates: Option<OnOff>,
        /// Organisation and system certificates.
        #[arg(long, value_enum)]
        organisation_certificates: Option<OnOff>,
        /// The seal right.
        #[arg(long, value_enum)]
        seals: Option<OnOff>,
    },
}

/// A switch.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum OnOff {
    /// Switched on.
    On,
    /// Switched off.
    Off,
}

impl OnOff {
    /// As a boolean.
    pub fn is_on(self) -> bool {
        self == OnOff::On
    }
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an active user.
    Create {
        /// The organisation's CVR.
        #[arg(long)]
        org: String,
        /// E-mail address (ASCII; names the user).
        #[arg(long)]
        email: String,
        /// Given name.
        #[arg(long)]
        given_name: String,
        /// Surname.
        #[arg(long)]
        surname: String,
        /// org_admin, user_admin or user.
        #[arg(long)]
        role: String,
        /// Give the user the seal right.
        #[arg(long)]
        seal: bool,
    },
    /// List an organisation's users.
    List {
        /// The organisation's CVR.
        #[arg(long)]
        org: String,
    },
    /// Mail a user a one-time link to set their portal password (an invitation, or a
    /// reset); the link is also printed once. It works for 7 days.
    PasswordLink {
        /// The user's e-mail address.
        #[arg(long)]
        email: String,
        /// The CVR of the user's organisation: needed only when several organisations
        /// have a user with this address.
        #[arg(long)]
        org: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token, printed once and stored only as a hash: for a user
    /// (`--user`), or an operator token (`--operator`) that acts for any organisation
    /// named in the request's `Orgca-Organisation` header.
    Create {
        /// The user's e-mail address.
        #[arg(
            long,
            required_unless_present = "operator",
            conflicts_with = "operator"
        )]
        user: Option<String>,
        /// The CVR of the user's organisation: needed only when several organisations
        /// have a user with this address.
        #[arg(long, requires = "user")]
        org: Option<String>,
        /// An operator token instead.
        #[arg(long)]
        operator: bool,
        /// Who or what the operator token is for (shown in the audit trail).
        #[arg(long, requires = "operator", default_value = "operator")]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ScimCommand {
    /// Provisioning tokens: each lets one directory (Entra ID, Okta, any SCIM client)
    /// create, change, deactivate and delete one organisation's users.
    #[command(subcommand)]
    Token(ScimTokenCommand),
}

#[derive(Debug, Subcommand)]
pub enum ScimTokenCommand {
    /// Create a provisioning token, printed once and stored only as a hash.
    Create {
        /// The organisation's CVR.
        #[arg(long)]
        org: String,
        /// Which directory uses it (shown in the audit trail and in the notices a
        /// deactivation sends).
        #[arg(long)]
        name: String,
    },
    /// List an organisation's provisioning tokens (never the tokens themselves).
    List {
        /// The organisation's CVR.
        #[arg(long)]
        org: String,
    },
    /// Revoke a provisioning token: the directory's next request is refused.
    Revoke {
        /// The organisation's CVR.
        #[arg(long)]
        org: String,
        /// The token's id (from `orgca scim token list`).
        id: uuid::Uuid,
    },
}

#[derive(Debug, Subcommand)]
pub enum SsoCommand {
    /// Give an organisation an identity provider (or change it). The secret is read and
    /// the provider's discovery document fetched first: settings that cannot work are
    /// refused now, not at someone's login. Register orgca at the provider with the
    /// redirect URI <portal address>/portal/login/sso/back/<CVR> (this prints it).
    Set {
        /// The organisation's CVR.
        #[arg(long)]
        org: String,
        /// The issuer URL (HTTPS), e.g. https://login.microsoftonline.com/<tenant>/v2.0.
        #[arg(long)]
        issuer: String,
        /// orgca's client (application) id at the provider.
        #[arg(long)]
        client_id: String,
        /// A file holding the client secret (read at each login; never copied).
        #[arg(
            long,
            conflicts_with = "secret_env",
            required_unless_present = "secret_env"
        )]
        secret_file: Option<std::path::PathBuf>,
        /// An environment variable of orgca's that holds the client secret.
        #[arg(long)]
        secret_env: Option<String>,
        /// How a person is found among the organisation's users: `email` (the ID token's
        /// email claim is their address) or `external_id:<claim>` (the claim, e.g. Entra
        /// ID's `oid`, is the external id their directory gave them over SCIM).
        #[arg(long = "match", default_value = "email")]
        match_by: String,
        /// Whether the organisation's users may still log in with a password.
        #[arg(long, value_enum, default_value = "on")]
        passwords: OnOff,
    },
    /// Show an organisation's identity provider (never the secret, only where it is).
    Show {
        /// The organisation's CVR.
        #[arg(long)]
        org: String,
    },
    /// Take the identity provider away: the organisation's users log in with passwords.
    Remove {
        /// The organisation's CVR.
        #[arg(long)]
        org: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum CertCommand {
    /// Issue a certificate from a PKCS#10 CSR.
    Issue(IssueArgs),
    /// Print a certificate as PEM, followed by its CA certificates up to the root (what
    /// a system installs); `--json` adds its details. Never a key: orgca keeps none.
    Get {
        /// The serial, hex (as `cert list` shows it).
        #[arg(long)]
        serial: String,
    },
    /// Block (revoke) a certificate, permanently; blocking again changes nothing.
    Block {
        /// The serial, hex (as `cert list` shows it).
        #[arg(long)]
        serial: String,
        /// content_wrong, key_lost, key_compromised, left_organisation or superseded.
        #[arg(long)]
        reason: String,
    },
    /// Put back certificates this orgca issued that its store does not hold (after a
    /// restore from an older backup): each is checked against the issuing CAs and
    /// recorded as issued, with an audit event.
    Import {
        /// PEM files of certificates (several per file allowed).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List an organisation's certificates, newest first unless sorted otherwise.
    List {
        #[command(flatten)]
        filters: FilterArgs,
        /// At most this many (1 to 10,000).
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
}

#[derive(Debug, Args)]
pub struct IssueArgs {
    /// The organisation's CVR.
    #[arg(long)]
    pub org: String,
    /// organisation, system or employee.
    #[arg(long)]
    pub kind: String,
    /// The certificate's name (CN); for employees, default "given surname".
    #[arg(long)]
    pub name: Option<String>,
    /// E-mail address shown in the certificate (ASCII; required for employees).
    #[arg(long)]
    pub email: Option<String>,
    /// Employee's given name.
    #[arg(long)]
    pub given_name: Option<String>,
    /// Employee's surname.
    #[arg(long)]
    pub surname: Option<String>,
    /// The subject's persistent UUID (kept across renewals); default: a new one.
    #[arg(long)]
    pub subject_uuid: Option<uuid::Uuid>,
    /// The CSR file (PEM or DER), or - for standard input.
    #[arg(long)]
    pub csr: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum NotifyCommand {
    /// Queue the expiry notices due and deliver the mail due, once (what `serve` does
    /// every minute). Safe to repeat: a notice is never sent twice.
    Run {
        /// As of this time (RFC 3339); default now.
        #[arg(long)]
        at: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the audit chain and check every link, then every signed checkpoint against
    /// the audit key (a rewrite before the last checkpoint is found even when every hash
    /// was recomputed).
    Verify,
    /// Sign a checkpoint of the chain as it stands now with the audit key (made on first
    /// use, where the CA keys are). `serve` signs one every hour and at start; `init`
    /// and `ca add-signing` sign one when they finish.
    Checkpoint,
}
