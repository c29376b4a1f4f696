//! `orgca ceremony root|sign|crl`: the ceremonies of an offline root, in a ceremony
//! folder, with no server, no network and no database. The folder holds the
//! configuration the serving machines use (`config.toml`), the root's certificate
//! (`root.pem`) and where its key is (`key-ref`: on the configuration's CA token, else
//! an encrypted file in `keys/`), the record key's public key (`record-key.pem`), the
//! last CRL number (`crl-number`), the CAs it revoked (`revoked`), and one signed record
//! per ceremony (`records/`).

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use orgca_ca::ceremony::HierarchySpec;
use orgca_model::{Environment, Serial, UnixTime};
use orgca_pki::encode;
use orgca_store::CaRole;

use crate::cli::{CeremonyArgs, CeremonyCommand, CeremonyRole, Global};
use crate::config::{Config, DataDir, write_new_file};
use crate::context::{CA_TOKEN_PIN_ENV, PASSPHRASE_ENV, passphrase_from_env};
use crate::exit::{self, Refused};

/// An opened ceremony folder.
struct Folder {
    dir: PathBuf,
    config: Config,
    spec: HierarchySpec,
    keys: orgca_ca::CaKeys,
}

/// Runs a `ceremony` subcommand.
pub fn run(_global: &Global, cmd: &CeremonyCommand, now: UnixTime) -> anyhow::Result<u8> {
    match cmd {
        CeremonyCommand::Root {
            ceremony,
            config,
            test,
        } => root(ceremony, config, *test, now)?,
        CeremonyCommand::Sign {
            ceremony,
            csr,
            role,
            out,
        } => sign(ceremony, csr, *role, out, now)?,
        CeremonyCommand::Crl {
            ceremony,
            out,
            revoke,
            days,
        } => crl(ceremony, out, revoke, *days, now)?,
    }
    Ok(exit::OK)
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(orgca_pki::cms::sha256(&[data]))
}

/// The CA keys of a ceremony folder: its CA token if the configuration names one, and
/// its key files, encrypted with ORGCA_KEY_PASSPHRASE (never a passphrase kept beside
/// them: a root deserves better).
fn folder_keys(dir: &Path, config: &Config) -> anyhow::Result<orgca_ca::CaKeys> {
    let token = match &config.ca_token {
        None => None,
        Some(t) => Some(std::sync::Arc::new(crate::context::open_token(
            &DataDir {
                root: dir.to_owned(),
            },
            t,
            CA_TOKEN_PIN_ENV,
            "the CA token",
        )?)),
    };
    let passphrase = match (passphrase_from_env(), &token) {
        (Some(p), _) => p,
        // Everything is on the token: no file is written or read.
        (None, Some(_)) => Vec::new(),
        (None, None) => {
            return Err(Refused(format!(
                "set {PASSPHRASE_ENV}: the root's key file is encrypted with it (a ceremony \
                 never keeps the passphrase beside the key)"
            ))
            .into());
        }
    };
    Ok(orgca_ca::CaKeys {
        dir: dir.join("keys"),
        passphrase,
        rsa_pss: config.rsa_pss(),
        token,
    })
}

fn spec_of(config: &Config, env: Environment) -> HierarchySpec {
    HierarchySpec {
        environment: env,
        names: config.hierarchies.resolve_for(env),
        rsa_pss: config.rsa_pss(),
    }
}

fn open(args: &CeremonyArgs) -> anyhow::Result<Folder> {
    let dir = args.dir.clone();
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name)).map_err(|e| {
            Refused(format!(
                "{} is not a ceremony folder ({name}: {e}); `orgca ceremony root` makes one",
                dir.display()
            ))
        })
    };
    let env = match read("environment")?.trim() {
        "production" => Environment::Production,
        "test" => Environment::Test,
        other => return Err(Refused(format!("unknown hierarchy {other:?} in environment")).into()),
    };
    let config = Config::read_prepared(&dir.join("config.toml"))?;
    let keys = folder_keys(&dir, &config)?;
    Ok(Folder {
        spec: spec_of(&config, env),
        dir,
        config,
        keys,
    })
}

impl Folder {
    fn root_der(&self) -> anyhow::Result<Vec<u8>> {
        let pem = std::fs::read(self.dir.join("root.pem"))?;
        encode::pem_block(&pem, "CERTIFICATE")
            .ok_or_else(|| Refused("root.pem holds no certificate".into()).into())
    }

    fn root_key(&self) -> anyhow::Result<std::sync::Arc<dyn orgca_keys::Signer>> {
        let key_ref = std::fs::read_to_string(self.dir.join("key-ref"))?;
        self.keys
            .open(key_ref.trim())
            .with_context(|| format!("opening the root's key ({})", key_ref.trim()))
    }

    /// Signs a record of `fields` with the record key and writes it as the folder's
    /// next record; answers its path.
    fn record(&self, act: &str, fields: Vec<(&str, String)>) -> anyhow::Result<PathBuf> {
        let key = self
            .keys
            .audit_key()?
            .ok_or_else(|| Refused("the ceremony folder's record key is missing".into()))?;
        let note = orgca_ca::record::sign_record(&fields, key.as_ref())?;
        let records = self.dir.join("records");
        std::fs::create_dir_all(&records)?;
        let n = std::fs::read_dir(&records)?.count() + 1;
        let path = records.join(format!("{n:04}-{act}.note"));
        write_new_file(&path, note.as_bytes(), 0o644)?;
        Ok(path)
    }

    fn common(&self, act: &str, who: &str, now: UnixTime) -> Vec<(&'static str, String)> {
        vec![
            ("act", act.to_owned()),
            ("hierarchy", self.spec.environment.as_str().to_owned()),
            ("who", who.to_owned()),
            ("when", now.rfc3339()),
        ]
    }
}

/// `ceremony root`: a new folder, the root's key and certificate, the record key.
fn root(args: &CeremonyArgs, prepared: &Path, test: bool, now: UnixTime) -> anyhow::Result<()> {
    let dir = &args.dir;
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        return Err(Refused(format!(
            "{} is not empty: a root ceremony starts a folder of its own; nothing was changed",
            dir.display()
        ))
        .into());
    }
    let mut config = Config::read_prepared(prepared)?;
    config.hierarchies = config.hierarchies.resolved();
    config.settings()?;
    let env = if test {
        Environment::Test
    } else {
        Environment::Production
    };
    let keys = folder_keys(dir, &config)?;
    crate::cmd::init::create_private_dir(dir)?;
    crate::cmd::init::create_private_dir(&dir.join("keys"))?;
    let made = root_in(args, dir, config, keys, env, now);
    if made.is_err() {
        // Nothing half-made stays behind: the folder is as empty as it was.
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                let path = e.path();
                let _ = if path.is_dir() {
                    std::fs::remove_dir_all(&path)
                } else {
                    std::fs::remove_file(&path)
                };
            }
        }
    }
    made
}

fn root_in(
    args: &CeremonyArgs,
    dir: &Path,
    config: Config,
    keys: orgca_ca::CaKeys,
    env: Environment,
    now: UnixTime,
) -> anyhow::Result<()> {
    let spec = spec_of(&config, env);
    let home = match &keys.token {
        Some(token) => orgca_ca::KeyHome::Token(token, keys.rsa_pss),
        None => orgca_ca::KeyHome::Files(&keys),
    };
    let made =
        orgca_ca::offline::make_root(&spec, home, now.to_offset()).context("making the root")?;
    let record_key = keys.audit_key_or_make()?;
    let folder = Folder {
        dir: dir.to_owned(),
        config,
        spec,
        keys: keys.clone(),
    };
    let written = (|| {
        folder.config.write_new(&DataDir {
            root: dir.to_owned(),
        })?;
        write_new_file(&dir.join("environment"), env.as_str().as_bytes(), 0o644)?;
        write_new_file(&dir.join("key-ref"), made.key_ref.as_bytes(), 0o644)?;
        write_new_file(
            &dir.join("root.pem"),
            encode::certificate_pem(&made.der)?.as_bytes(),
            0o644,
        )?;
        write_new_file(
            &dir.join("record-key.pem"),
            encode::public_key_pem(record_key.public_key())?.as_bytes(),
            0o644,
        )?;
        anyhow::Ok(())
    })();
    if let Err(e) = written {
        home.forget(&made.name, &made.key_ref);
        return Err(e);
    }
    let fingerprint = sha256_hex(&made.der);
    let key_id = orgca_ca::record::record_key_id(record_key.as_ref())?;
    let mut fields = folder.common("root", &args.who, now);
    fields.extend([
        ("key", made.key_ref.clone()),
        ("certificate", made.name.clone()),
        ("serial", made.serial.to_string()),
        ("sha256", fingerprint.clone()),
        ("record-key", key_id.clone()),
    ]);
    let record = folder.record("root", fields)?;
    println!(
        "root {} made in {}\n  certificate SHA-256 {fingerprint}\n  record key ID {key_id}\n  \
         record {}\nWrite both fingerprints down: relying parties trust the first, the serving \
         machines check ceremony records with the second.",
        made.name,
        dir.display(),
        record.display()
    );
    Ok(())
}

/// `ceremony sign`: the root certifies an issuing or signing CA from its request.
fn sign(
    args: &CeremonyArgs,
    csr: &Path,
    role: CeremonyRole,
    out: &Path,
    now: UnixTime,
) -> anyhow::Result<()> {
    let folder = open(args)?;
    let request = std::fs::read(csr)
        .map_err(|e| Refused(format!("cannot read the request {}: {e}", csr.display())))?;
    let role = match role {
        CeremonyRole::Issuing => CaRole::Issuing,
        CeremonyRole::Signing => CaRole::Signing,
    };
    let root_der = folder.root_der()?;
    let root_key = folder.root_key()?;
    let der = orgca_ca::offline::certify(
        &folder.spec,
        &folder.config.settings()?,
        &folder.config.signing_policies()?,
        (&root_der, root_key.as_ref()),
        &request,
        role,
        now.to_offset(),
    )?;
    write_new_file(out, encode::certificate_pem(&der)?.as_bytes(), 0o644)?;
    let subject = crate::cmd::ca::x509_subject(&der);
    let mut fields = folder.common("sign", &args.who, now);
    fields.extend([
        (
            "key",
            std::fs::read_to_string(folder.dir.join("key-ref"))?
                .trim()
                .to_owned(),
        ),
        ("role", role.as_str().to_owned()),
        ("certificate", subject.clone()),
        ("sha256", sha256_hex(&der)),
        ("request-sha256", sha256_hex(&request)),
    ]);
    let record = folder.record("sign", fields)?;
    println!(
        "certified {subject} as a {} CA: {}\n  record {}",
        role.as_str(),
        out.display(),
        record.display()
    );
    Ok(())
}

/// `ceremony crl`: the root's CRL, numbered after the last one, listing every CA it
/// revoked (those of `revoke` added for good).
fn crl(
    args: &CeremonyArgs,
    out: &Path,
    revoke: &[String],
    days: u32,
    now: UnixTime,
) -> anyhow::Result<()> {
    let folder = open(args)?;
    let revoked_file = folder.dir.join("revoked");
    let mut revoked: Vec<(Serial, i64)> = Vec::new();
    if let Ok(text) = std::fs::read_to_string(&revoked_file) {
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let (serial, at) = line.split_once(' ').ok_or_else(|| {
                Refused(format!(
                    "a bad line in {}: {line:?}",
                    revoked_file.display()
                ))
            })?;
            revoked.push((Serial::parse_hex(serial)?, at.trim().parse()?));
        }
    }
    for s in revoke {
        let serial = Serial::parse_hex(s)
            .map_err(|e| Refused(format!("--revoke {s:?} is not a serial orgca drew: {e}")))?;
        if !revoked.iter().any(|(r, _)| *r == serial) {
            revoked.push((serial, now.secs()));
        }
    }
    let number: u64 = match std::fs::read_to_string(folder.dir.join("crl-number")) {
        Ok(t) => t.trim().parse::<u64>()? + 1,
        Err(_) => 1,
    };
    let entries: Vec<(Vec<u8>, i64, u8)> = revoked
        .iter()
        .map(|(s, at)| (s.as_bytes().to_vec(), *at, 0))
        .collect();
    let this_update = now.to_offset();
    let next_update = this_update + time::Duration::days(i64::from(days.max(1)));
    let der = orgca_ca::offline::root_crl(
        (
            &folder.spec.root_id(),
            &folder.root_der()?,
            folder.root_key()?,
        ),
        &entries,
        number,
        (this_update, next_update),
    )?;
    write_new_file(out, &der, 0o644)?;
    // The folder remembers what it published: the number, and the CAs revoked.
    std::fs::write(folder.dir.join("crl-number"), number.to_string())?;
    let lines: String = revoked
        .iter()
        .map(|(s, at)| format!("{s} {at}\n"))
        .collect();
    std::fs::write(&revoked_file, lines)?;
    let mut fields = folder.common("crl", &args.who, now);
    fields.extend([
        ("crl-number", number.to_string()),
        ("entries", revoked.len().to_string()),
        ("next-update", UnixTime::from(next_update).rfc3339()),
        ("sha256", sha256_hex(&der)),
    ]);
    let record = folder.record("crl", fields)?;
    println!(
        "CRL number {number} of {} ({} entries, next update {}): {}\n  record {}",
        folder.spec.root_id(),
        revoked.len(),
        UnixTime::from(next_update).rfc3339(),
        out.display(),
        record.display()
    );
    Ok(())
}
