//! `orgca ca list|cert`.

use anyhow::Context as _;
use orgca_ca::ceremony::HierarchySpec;
use orgca_model::Environment;
use orgca_model::UnixTime;
use orgca_pki::encode;
use orgca_store::CaRole;

use crate::cli::{CaCommand, Global};
use crate::cmd::print_json;
use crate::context::Context;
use crate::exit::{self, Refused};

/// Runs a `ca` subcommand.
pub async fn run(global: &Global, cmd: &CaCommand, now: UnixTime) -> anyhow::Result<u8> {
    let ctx = Context::open(global).await?;
    match cmd {
        CaCommand::List => {
            let cas = ctx.store.ca().list().await?;
            if global.json {
                let items: Vec<_> = cas
                    .iter()
                    .map(|c| {
                        let subject = x509_subject(&c.der);
                        serde_json::json!({
                            "name": c.name, "environment": c.environment, "role": c.role, "parent": c.parent,
                            "serial": c.serial, "subject": subject, "subject_key_id": c.subject_key_id,
                            "not_before": c.not_before.rfc3339(), "not_after": c.not_after.rfc3339(),
                            "state": state(&cas, c),
                        })
                    })
                    .collect();
                print_json(&items)?;
            } else {
                for c in &cas {
                    println!(
                        "{:<22} {:<10} {:<7} {:<8} until {}  {}",
                        c.name,
                        c.environment.as_str(),
                        c.role.as_str(),
                        state(&cas, c),
                        c.not_after.rfc3339(),
                        x509_subject(&c.der)
                    );
                }
            }
        }
        CaCommand::Cert { name } => {
            let ca = ctx.store.ca().get(name).await?.ok_or_else(|| {
                Refused(format!(
                    "no CA named {name:?}; `orgca ca list` shows the names"
                ))
            })?;
            print!("{}", encode::certificate_pem(&ca.der)?);
        }
        CaCommand::AddSigning => add_signing(&ctx, now).await?,
        CaCommand::Rollover { test, common_name } => {
            let env = if *test {
                Environment::Test
            } else {
                Environment::Production
            };
            rollover(&ctx, global, env, common_name.as_deref(), now).await?;
        }
        CaCommand::Retire { name } => retire(&ctx, name, now).await?,
        CaCommand::Import { files, record_key } => {
            crate::cmd::ca_import::run(&ctx, files, record_key.as_deref(), now).await?;
        }
    }
    Ok(exit::OK)
}

/// An issuing CA's state: `current` (it issues), `earlier` (it keeps its CRL and OCSP
/// answers) or `retired`; a root or signing CA is `active`.
fn state(all: &[orgca_store::CaCertificate], c: &orgca_store::CaCertificate) -> &'static str {
    if c.role != CaRole::Issuing {
        return "active";
    }
    if c.retired_at.is_some() {
        return "retired";
    }
    let newest = all
        .iter()
        .filter(|o| {
            o.environment == c.environment && o.role == CaRole::Issuing && o.retired_at.is_none()
        })
        .max_by_key(|o| o.activated_at);
    if newest.is_some_and(|n| n.name == c.name) {
        "current"
    } else {
        "earlier"
    }
}

/// Where a new key of a hierarchy goes: on the CA token when `like` (a key of that
/// hierarchy) is there, else a file.
fn home_like<'a>(keys: &'a orgca_ca::CaKeys, like: &str) -> orgca_ca::KeyHome<'a> {
    match (orgca_ca::KeyRef::parse(like), &keys.token) {
        (orgca_ca::KeyRef::Token(_), Some(token)) => orgca_ca::KeyHome::Token(token, keys.rsa_pss),
        _ => orgca_ca::KeyHome::Files(keys),
    }
}

/// The commonName of issuing CA number `n`: `common` without its trailing number, then
/// `n` ("orgca OCES udstedende-CA 1" becomes "orgca OCES udstedende-CA 2").
fn numbered(common: &str, n: u32) -> String {
    let stem = common
        .trim_end_matches(|c: char| c.is_ascii_digit())
        .trim_end();
    format!("{stem} {n}")
}

/// Makes the next issuing CA of `env` under its root and makes it current.
async fn rollover(
    ctx: &Context,
    global: &Global,
    env: Environment,
    common_name: Option<&str>,
    now: UnixTime,
) -> anyhow::Result<()> {
    let cas = ctx.store.ca().list().await?;
    let in_env = |role| {
        cas.iter()
            .filter(move |c| c.environment == env && c.role == role)
    };
    let root = in_env(CaRole::Root).next().ok_or_else(|| {
        Refused(format!(
            "there is no {env} hierarchy; `orgca init` makes one"
        ))
    })?;
    let current = in_env(CaRole::Issuing)
        .filter(|c| c.retired_at.is_none())
        .max_by_key(|c| c.activated_at)
        .ok_or_else(|| Refused(format!("the {env} hierarchy has no issuing CA in service")))?;
    let number = in_env(CaRole::Issuing)
        .filter_map(|c| c.name.rsplit('-').next()?.parse::<u32>().ok())
        .max()
        .unwrap_or(0)
        + 1;
    let id = format!("{env}-issuing-{number}");
    let spec = HierarchySpec {
        environment: env,
        names: ctx.config.hierarchies.resolve_for(env),
        rsa_pss: ctx.config.rsa_pss(),
    };
    let mut name = spec.names.issuing.clone();
    name.common_name = match common_name {
        Some(cn) => cn.to_owned(),
        None => numbered(
            &x509_common_name(&current.der).unwrap_or(name.common_name),
            number,
        ),
    };
    let keys = ctx.ca_keys()?;
    let home = home_like(&keys, &current.key_ref);
    if orgca_ca::KeyRef::parse(&root.key_ref) == orgca_ca::KeyRef::Offline {
        // The root signs in a ceremony: make the key and the request, and wait.
        let (key_ref, request) = orgca_ca::offline::request(home, &id, &name)
            .with_context(|| format!("making the key and request of {id}"))?;
        let written = write_request(&ctx.data, &id, &key_ref, &request);
        if written.is_err() {
            home.forget(&id, &key_ref);
        }
        let files = written?;
        println!(
            "the root of {env} is offline: the request for {id} is {}.\n\
             Have the root certify it (`orgca ceremony sign --role issuing`), then `orgca ca import` \
             the certificate: {id} issues from then on.",
            files[0].display()
        );
        return Ok(());
    }
    let root_key = keys.open(&root.key_ref).with_context(|| {
        format!(
            "the root's key ({}) is not here: a rollover needs it (an offline root signs in a ceremony)",
            root.key_ref
        )
    })?;
    let settings = ctx.config.settings()?;
    let made = orgca_ca::ceremony::next_issuing_ca(
        &spec,
        &settings,
        home,
        (&root.der, root_key.as_ref()),
        (id, &name),
        now.to_offset(),
    )
    .with_context(|| format!("making the next {env} issuing CA"))?;
    let previous = match ctx.store.ca().roll_over(&made, "operator", now).await {
        Ok(p) => p,
        Err(e) => {
            home.forget(&made.name, &made.key_ref);
            return Err(e.into());
        }
    };
    ctx.checkpoint("operator", now).await?;
    let fingerprint = hex::encode(orgca_pki::cms::sha256(&[&made.der]));
    if global.json {
        print_json(&serde_json::json!({
            "name": made.name, "previous": previous, "subject": x509_subject(&made.der),
            "serial": made.serial.to_string(), "sha256": fingerprint, "key_ref": made.key_ref,
            "not_after": made.not_after.rfc3339(),
        }))?;
    } else {
        println!(
            "{} ({}) issues from now on; restart `orgca serve` on every node.\n\
             {} keeps its CRL and OCSP answers until `orgca ca retire` after its last certificate expires.\n\
             SHA-256 {fingerprint}",
            made.name,
            x509_subject(&made.der),
            previous.as_deref().unwrap_or("the previous CA"),
        );
    }
    Ok(())
}

/// Retires an earlier issuing CA, with its final CRL (valid until the CA itself
/// expires), which is served from then on.
async fn retire(ctx: &Context, name: &str, now: UnixTime) -> anyhow::Result<()> {
    use orgca_store::Retirement;
    let cas = ctx.store.ca().list().await?;
    let ca = cas.iter().find(|c| c.name == name).ok_or_else(|| {
        Refused(format!(
            "no CA named {name:?}; `orgca ca list` shows the names"
        ))
    })?;
    if state(&cas, ca) != "earlier" {
        return Err(Refused(format!(
            "{name} is {}: only an earlier issuing CA (one a rollover replaced) is retired",
            state(&cas, ca)
        ))
        .into());
    }
    let final_crl = final_crl(ctx, ca, now).await?;
    match ctx.store.ca().retire(name, &final_crl, "operator", now).await? {
        Retirement::Retired => {
            ctx.checkpoint("operator", now).await?;
            eprintln!(
                "{name} is retired: it signs nothing more. Its final CRL (number {}, valid until {}) \
                 is served from the next start of `orgca serve`",
                final_crl.number,
                final_crl.next_update.rfc3339()
            );
            Ok(())
        }
        Retirement::NotFound => Err(Refused(format!(
            "no CA named {name:?}; `orgca ca list` shows the names"
        ))
        .into()),
        Retirement::NotInService => Err(Refused(format!(
            "{name} is not an issuing CA in service; only those are retired"
        ))
        .into()),
        Retirement::Current => Err(Refused(format!(
            "{name} is the current issuing CA of its hierarchy; roll over first (`orgca ca rollover`)"
        ))
        .into()),
        Retirement::StillValid(n) => Err(Refused(format!(
            "{name} still has {n} certificate(s) that have not expired: relying parties need its CRL \
             and OCSP answers until the last one expires"
        ))
        .into()),
    }
}

/// The last CRL `ca` signs: everything it revoked, valid until the CA expires.
async fn final_crl(
    ctx: &Context,
    ca: &orgca_store::CaCertificate,
    now: UnixTime,
) -> anyhow::Result<orgca_store::KeptCrl> {
    let signer = ctx
        .ca_keys()?
        .open(&ca.key_ref)
        .with_context(|| format!("the key of {} signs its final CRL", ca.name))?;
    let issuer = orgca_ca::CrlIssuer::new(&ca.name, &ca.der, signer)?;
    let mut policy = ctx.config.crl.policy()?;
    let until_expiry = std::time::Duration::from_secs(
        u64::try_from(ca.not_after.secs() - now.secs()).unwrap_or(0),
    );
    policy.validity = policy.validity.max(until_expiry);
    let target = orgca_status::CrlTarget::full(std::sync::Arc::new(issuer));
    let crl = orgca_status::build_crl(&ctx.store.status(), &target, &policy, now.to_offset(), 0)
        .await
        .with_context(|| format!("signing the final CRL of {}", ca.name))?;
    Ok(orgca_store::KeptCrl {
        ca_name: ca.name.clone(),
        number: i64::try_from(crl.number)?,
        this_update: crl.this_update.into(),
        next_update: crl.next_update.into(),
        der: crl.der.to_vec(),
        origin: orgca_store::CrlOrigin::Final,
    })
}

/// Where the requests for an offline root wait for their certificates.
pub(crate) fn requests_dir(data: &crate::config::DataDir) -> std::path::PathBuf {
    data.root.join("requests")
}

/// Writes the request of the CA `id` (PEM, `requests/ID.csr`) and where its key is
/// (`requests/ID.key-ref`); answers the files written.
pub(crate) fn write_request(
    data: &crate::config::DataDir,
    id: &str,
    key_ref: &str,
    request: &[u8],
) -> anyhow::Result<Vec<std::path::PathBuf>> {
    let dir = requests_dir(data);
    std::fs::create_dir_all(&dir)?;
    let csr = dir.join(format!("{id}.csr"));
    let pem = der::pem::encode_string("CERTIFICATE REQUEST", der::pem::LineEnding::LF, request)
        .map_err(|e| anyhow::anyhow!("encoding the request: {e}"))?;
    crate::config::write_new_file(&csr, pem.as_bytes(), 0o644)?;
    let key = dir.join(format!("{id}.key-ref"));
    crate::config::write_new_file(&key, key_ref.as_bytes(), 0o600)?;
    Ok(vec![csr, key])
}

/// The commonName of a DER certificate's subject.
fn x509_common_name(der: &[u8]) -> Option<String> {
    use der::Decode;
    let cert = x509_cert::Certificate::from_der(der).ok()?;
    orgca_pki::name::common_name_of(cert.tbs_certificate().subject().as_ref())
}

/// Creates the signing CA of every hierarchy whose root is in the store but that has no
/// signing CA yet.
async fn add_signing(ctx: &Context, now: UnixTime) -> anyhow::Result<()> {
    let cas = ctx.store.ca().list().await?;
    let settings = ctx.config.settings()?;
    let signing = ctx.config.signing_policies()?;
    let keys = ctx.ca_keys()?;
    let mut added = Vec::new();
    for env in [Environment::Production, Environment::Test] {
        let in_env = |role| cas.iter().find(|c| c.environment == env && c.role == role);
        if in_env(CaRole::Signing).is_some() {
            continue;
        }
        let Some(root) = in_env(CaRole::Root) else {
            continue;
        };
        let spec = HierarchySpec {
            environment: env,
            names: ctx.config.hierarchies.resolve_for(env),
            rsa_pss: ctx.config.rsa_pss(),
        };
        let root_key = keys.open(&root.key_ref)?;
        // The signing CA's key goes where its root's is.
        let home = home_like(&keys, &root.key_ref);
        let made = orgca_ca::ceremony::add_signing_ca(
            &spec,
            &settings,
            &signing,
            home,
            (&root.der, root_key.as_ref()),
            now.to_offset(),
        )
        .with_context(|| format!("creating the {env} signing CA"))?;
        if let Err(e) = ctx
            .store
            .ca()
            .add_ca_certificates(std::slice::from_ref(&made), "operator", now)
            .await
        {
            home.forget(&made.name, &made.key_ref);
            return Err(e.into());
        }
        added.push(made.name);
    }
    if !added.is_empty() {
        ctx.checkpoint("operator", now).await?;
    }
    if added.is_empty() {
        eprintln!("every hierarchy has its signing CA; nothing was changed");
    } else {
        eprintln!(
            "added {}; restart `orgca serve` to sign with it",
            added.join(", ")
        );
    }
    Ok(())
}

/// The subject of a DER certificate in RFC 4514 form, or "?" if it does not parse.
pub(crate) fn x509_subject(der: &[u8]) -> String {
    use der::Decode;
    x509_cert::Certificate::from_der(der)
        .map(|c| c.tbs_certificate().subject().to_string())
        .unwrap_or_else(|_| "?".into())
}
