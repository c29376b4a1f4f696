//! `orgca init`: data folder, config, database and both CA hierarchies.

use orgca_model::UnixTime;
use std::path::PathBuf;

use anyhow::Context as _;
use orgca_ca::ceremony::{HierarchySpec, create_hierarchy};
use orgca_model::Environment;
use orgca_store::Store;

use crate::cli::{Global, InitArgs, SignatureChoice};
use crate::config::{Config, DataDir, write_new_file};
use crate::context::{CA_TOKEN_PIN_ENV, PASSPHRASE_ENV, database_url, passphrase_from_env};
use crate::exit::Refused;

/// Creates a folder readable by its owner only. A folder that exists is left as it is:
/// `init` never changes the permissions of a folder it did not create.
pub(crate) fn create_private_dir(path: &std::path::Path) -> anyhow::Result<()> {
    if path.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(path).with_context(|| format!("creating {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("securing {}", path.display()))?;
    }
    Ok(())
}

/// Whether the host of `url` (`http://HOST[:PORT]`) is this machine or a name no one
/// elsewhere can resolve: localhost, a loopback or unspecified address, a name without a
/// dot.
fn names_this_machine(url: &str) -> bool {
    let authority = url.trim_start_matches("http://");
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return ip.is_loopback() || ip.is_unspecified();
    }
    let host = host.to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost") || !host.contains('.')
}

/// Initialises the data folder. Refuses an initialised one and changes nothing then; on
/// any failure removes the keys and secrets it wrote, so that it can simply be re-run.
pub async fn run(global: &Global, args: &InitArgs, now: UnixTime) -> anyhow::Result<()> {
    let data = DataDir {
        root: global.data.clone(),
    };
    if data.config().exists() {
        return Err(Refused(format!(
            "{} is already initialised (config.toml exists); nothing was changed",
            data.root.display()
        ))
        .into());
    }
    let mut config = match &args.config {
        Some(path) => Config::read_prepared(path)?,
        None => Config::default(),
    };
    if let Some(url) = &args.public_base_url {
        config.public_base_url.clone_from(url);
    }
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    match args.signature {
        Some(SignatureChoice::RsaPssSha256) => config.signature = "rsa-pss-sha256".into(),
        Some(SignatureChoice::RsaPkcs1Sha256) => config.signature = "rsa-pkcs1-sha256".into(),
        None => {}
    }
    if global.database_url.is_some() {
        config.database_url.clone_from(&global.database_url);
    }
    config.hierarchies = config.hierarchies.resolved();
    let settings = config.settings()?;
    if !args.local_trial && names_this_machine(&settings.public_base_url) {
        return Err(Refused(format!(
            "public_base_url {} names this machine: the production CA certificates (valid 10 and \
             25 years) and every certificate they issue would send relying parties there. Give \
             --public-base-url with the address relying parties reach (for example \
             http://pki.example.com), or --local-trial to try orgca on this machine only; \
             nothing was changed",
            settings.public_base_url
        ))
        .into());
    }
    create_private_dir(&data.root)?;
    create_private_dir(&data.keys())?;
    let offline_root = match &args.offline_root {
        None => None,
        Some(path) => {
            let bytes = std::fs::read(path).map_err(|e| {
                Refused(format!(
                    "cannot read the offline root {}: {e}",
                    path.display()
                ))
            })?;
            Some(orgca_pki::encode::pem_block(&bytes, "CERTIFICATE").unwrap_or(bytes))
        }
    };
    let mut written: Vec<PathBuf> = Vec::new();
    let result = init_inner(
        &data,
        (&config, &settings, offline_root.as_deref()),
        global,
        now,
        &mut written,
    )
    .await;
    if result.is_err() {
        for p in &written {
            let _ = std::fs::remove_file(p);
        }
    }
    result
}

async fn init_inner(
    data: &DataDir,
    (config, settings, offline_root): (&Config, &orgca_ca::Settings, Option<&[u8]>),
    global: &Global,
    now: UnixTime,
    written: &mut Vec<PathBuf>,
) -> anyhow::Result<()> {
    let passphrase = match passphrase_from_env() {
        Some(p) => p,
        None => {
            let path = config.passphrase_path(data);
            if let Some(parent) = path.parent() {
                create_private_dir(parent)?;
            }
            let mut raw = [0u8; 32];
            aws_lc_rs::rand::fill(&mut raw)
                .map_err(|_| anyhow::anyhow!("the system random generator failed"))?;
            let phrase = hex::encode(raw);
            write_new_file(&path, format!("{phrase}\n").as_bytes(), 0o600)?;
            written.push(path.clone());
            eprintln!(
                "note: the CA keys are encrypted with the passphrase in {}. For production, move it out of \
                 the data folder and set {PASSPHRASE_ENV} (or key_passphrase_file).",
                path.display()
            );
            phrase.into_bytes()
        }
    };
    let store = Store::open(&database_url(global, data, Some(config))).await?;
    if let Some(existing) = store.ca().list().await?.first() {
        return Err(Refused(format!(
            "the database already holds CA {:?} (another data folder's?); nothing was changed",
            existing.name
        ))
        .into());
    }
    let keys = orgca_ca::CaKeys {
        dir: data.keys(),
        passphrase,
        rsa_pss: config.rsa_pss(),
        token: match &config.ca_token {
            None => None,
            Some(t) => Some(std::sync::Arc::new(crate::context::open_token(
                data,
                t,
                CA_TOKEN_PIN_ENV,
                "the CA token",
            )?)),
        },
    };
    let mut certs = Vec::new();
    let mut homes = Vec::new();
    let result = async {
        for (env, names) in [
            (Environment::Production, &config.hierarchies.production),
            (Environment::Test, &config.hierarchies.test),
        ] {
            let spec = HierarchySpec {
                environment: env,
                names: names.resolve(env),
                rsa_pss: config.rsa_pss(),
            };
            // The production keys go on the CA token when there is one; the test
            // hierarchy's are files.
            let home = match (&keys.token, env) {
                (Some(token), Environment::Production) => {
                    orgca_ca::KeyHome::Token(token, keys.rsa_pss)
                }
                _ => orgca_ca::KeyHome::Files(&keys),
            };
            if let (Environment::Production, Some(root_der)) = (env, offline_root) {
                let root = orgca_ca::offline::adopt_root(&spec.root_id(), env, root_der)?;
                for (id, name) in [
                    (spec.issuing_id(), &spec.names.issuing),
                    (spec.signing_id(), &spec.names.signing),
                ] {
                    let (key_ref, request) = orgca_ca::offline::request(home, &id, name)
                        .with_context(|| format!("making the key and request of {id}"))?;
                    homes.push((home, id.clone(), key_ref.clone()));
                    if matches!(home, orgca_ca::KeyHome::Files(_)) {
                        written.push(data.keys().join(&key_ref));
                    }
                    written.extend(crate::cmd::ca::write_request(
                        data, &id, &key_ref, &request,
                    )?);
                }
                certs.push(root);
                continue;
            }
            let signing = config.signing_policies()?;
            let made = create_hierarchy(&spec, settings, &signing, home, now.to_offset())
                .with_context(|| format!("creating the {env} hierarchy"))?;
            if matches!(home, orgca_ca::KeyHome::Files(_)) {
                written.extend(made.iter().map(|c| data.keys().join(&c.key_ref)));
            }
            homes.extend(
                made.iter()
                    .map(|c| (home, c.name.clone(), c.key_ref.clone())),
            );
            certs.extend(made);
        }
        // The config marks the folder initialised: written before the CAs are committed,
        // and removed again (with the keys) if that commit fails, so that `init` can be
        // re-run.
        config.write_new(data)?;
        written.push(data.config());
        store
            .ca()
            .add_ca_certificates(&certs, "operator", now)
            .await?;
        anyhow::Ok(())
    }
    .await;
    if let Err(e) = result {
        for (home, name, key_ref) in &homes {
            home.forget(name, key_ref);
        }
        return Err(e);
    }
    // The ceremony is anchored: the first checkpoint, signed by the audit key (made now,
    // where the CA keys are). Should that fail, the CAs stand; the operator signs one.
    let anchored =
        match orgca_ca::checkpoint::Anchor::new(store.audit(), &keys, &settings.public_base_url) {
            Ok(anchor) => anchor.sign("operator", now).await,
            Err(e) => Err(e),
        };
    if let Err(e) = anchored {
        eprintln!("warning: no audit checkpoint was signed ({e}); run `orgca audit checkpoint`");
    }
    store.close().await;
    let names: Vec<&str> = certs.iter().map(|c| c.name.as_str()).collect();
    eprintln!(
        "initialised {} with CAs {}",
        data.root.display(),
        names.join(", ")
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::names_this_machine;

    #[test]
    fn urls_that_only_this_machine_reaches() {
        for local in [
            "http://localhost:8080",
            "http://LOCALHOST",
            "http://ca.localhost:80",
            "http://127.0.0.1:19000",
            "http://127.8.9.1",
            "http://[::1]:8080",
            "http://0.0.0.0:8080",
            "http://myhost:8080",
        ] {
            assert!(names_this_machine(local), "{local}");
        }
        for public in [
            "http://pki.example.com",
            "http://pki.orgca-test.dk:8080",
            "http://192.0.2.10:8080",
            "http://[2001:db8::1]:80",
        ] {
            assert!(!names_this_machine(public), "{public}");
        }
    }
}
