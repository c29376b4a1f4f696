//! `orgca backup --out FILE` and `orgca backup verify FILE`.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use orgca_backup::{CONFIG, DATABASE, FORMAT, Manifest, Source, Staged};
use orgca_model::UnixTime;
use orgca_store::{Operation, Store};

use crate::cli::{BackupArgs, BackupCommand, Global};
use crate::cmd::{backup_seal, print_json};
use crate::config::Config;
use crate::context::Context;
use crate::exit::{self, Refused};

/// Runs `backup`.
pub async fn run(global: &Global, args: &BackupArgs, now: UnixTime) -> anyhow::Result<u8> {
    match (&args.command, &args.out) {
        (Some(BackupCommand::Verify { archive }), _) => verify(global, archive).await,
        (None, Some(out)) => create(global, out, now).await,
        (None, None) => Err(Refused(
            "give --out FILE (where to write the archive), or `backup verify FILE`".into(),
        )
        .into()),
    }
}

/// What a restore needs that the archive leaves out, for this configuration.
fn not_included(ctx: &Context) -> Vec<String> {
    let mut out = vec![format!(
        "the CA key passphrase ({}, or ORGCA_KEY_PASSPHRASE): the key files in the archive \
         are encrypted with it; keep it apart from the archive",
        ctx.config.passphrase_path(&ctx.data).display()
    )];
    if let Some(t) = &ctx.config.ca_token {
        out.push(format!(
            "the CA keys on the PKCS#11 token {:?} and its PIN: back the token up with its own \
             tools (SoftHSM2: its token folder; an HSM: its vendor's backup)",
            t.pkcs11_token
        ));
    }
    if let Some(label) = &ctx.config.signing.pkcs11_token {
        out.push(format!(
            "the signing token {label:?} and its PIN (its keys are single-use; nothing on it \
             needs restoring, but the token must exist)"
        ));
    }
    if ctx.config.tls.is_some() {
        out.push(
            "the TLS certificate and key that [tls] names: copy them with the machine's \
             secrets, or issue new ones"
                .into(),
        );
    }
    out.push("the outbox folder and the mail already sent: they are not the store's".into());
    out
}

/// The encrypted key files of the data folder, by name.
fn key_files(dir: &Path) -> anyhow::Result<Vec<Staged>> {
    let mut files = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(files),
        Err(e) => return Err(e).with_context(|| format!("reading {}", dir.display())),
    };
    for entry in entries {
        let entry = entry.with_context(|| format!("reading {}", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = format!("{}/{name}", orgca_backup::KEYS);
        if !entry.file_type()?.is_file() || !orgca_backup::allowed_name(&path) {
            return Err(Refused(format!(
                "{} is not a key file orgca wrote: move it out of the keys folder and back \
                 up again",
                entry.path().display()
            ))
            .into());
        }
        files.push(Staged {
            path,
            from: entry.path(),
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

async fn create(global: &Global, out: &Path, now: UnixTime) -> anyhow::Result<u8> {
    if out.exists() {
        return Err(Refused(format!(
            "{} exists: give a new file name (a backup never overwrites one)",
            out.display()
        ))
        .into());
    }
    let ctx = Context::open(global).await?;
    let sealer = backup_seal::of_instance(&ctx)?;
    let started = std::time::Instant::now();
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    // The store's copy is made beside the archive (same file system), then removed.
    let staging = tempfile::Builder::new()
        .prefix(".orgca-backup-")
        .tempdir_in(&parent)
        .with_context(|| format!("making a folder in {}", parent.display()))?;
    let db = staging.path().join(DATABASE);
    let store = ctx.store.snapshot_to_file(&db).await?;
    let mut files = vec![Staged {
        path: CONFIG.into(),
        from: ctx.data.config(),
    }];
    files.extend(key_files(&ctx.data.keys())?);
    files.push(Staged {
        path: DATABASE.into(),
        from: db,
    });
    let manifest = Manifest {
        format: FORMAT.into(),
        orgca_version: env!("CARGO_PKG_VERSION").into(),
        taken_at: now.secs(),
        source: match ctx.store.backend() {
            orgca_store::Backend::Sqlite => Source::Sqlite,
            orgca_store::Backend::Postgres => Source::Postgres,
        },
        store,
        files: Vec::new(),
        not_included: not_included(&ctx),
    };
    let seal = |bytes: &[u8]| {
        orgca_ca::seal::seal_manifest(sealer.key.as_ref(), &sealer.origin, bytes)
            .map_err(|e| e.to_string())
    };
    let written = orgca_backup::write(out, manifest, &files, Some(&seal))?;
    drop(staging);
    let seconds = started.elapsed().as_secs_f64();
    ctx.store
        .audit()
        .record_operation(
            Operation::BackupTaken,
            &written.sha256,
            serde_json::json!({
                "file": out.display().to_string(),
                "bytes": written.bytes,
                "certificates": written.manifest.store.rows("certificates"),
                "audit_events": written.manifest.store.rows("audit_events"),
            }),
            now,
        )
        .await?;
    let m = &written.manifest;
    if global.json {
        print_json(&serde_json::json!({
            "archive": out.display().to_string(),
            "bytes": written.bytes,
            "sha256": written.sha256,
            "seconds": seconds,
            "manifest": m,
        }))?;
    } else {
        println!(
            "backup written: {} ({} bytes, {seconds:.1} s)\n  sha256 {}  (record it apart from the archive)",
            out.display(),
            written.bytes,
            written.sha256
        );
        print_summary(m);
    }
    Ok(exit::OK)
}

/// What an archive holds and leaves out.
pub fn print_summary(m: &Manifest) {
    println!(
        "  store of {} (schema {}): {} organisations, {} certificates, {} audit events; {} key files",
        UnixTime::from_secs(m.taken_at).rfc3339(),
        m.store.schema_version,
        m.store.rows("organisations"),
        m.store.rows("certificates"),
        m.store.rows("audit_events"),
        m.files
            .iter()
            .filter(|f| f.path.starts_with("keys/"))
            .count()
    );
    println!("not in the archive (a restore needs them):");
    for n in &m.not_included {
        println!("  - {n}");
    }
}

async fn verify(global: &Global, archive: &Path) -> anyhow::Result<u8> {
    let staging = tempfile::Builder::new()
        .prefix(".orgca-verify-")
        .tempdir()
        .context("making a temporary folder")?;
    let opened = orgca_backup::read(archive, Some(staging.path())).map_err(refused)?;
    let m = &opened.manifest;
    let (sha256_bytes, sha256) = orgca_backup::hash_file(archive)?;
    Config::read_prepared(&staging.path().join(CONFIG))?;
    // The seal and the audit checkpoints, when the archive's audit key can be opened here.
    let (key, seal) = match backup_seal::of_archive(staging.path())? {
        Ok(key) => {
            let id = backup_seal::check(&opened, &key)?;
            (Some(key), format!("sealed by audit key {id}, seal OK"))
        }
        Err(why) => (None, format!("seal NOT checked: {why}")),
    };
    let events = check_store(&staging.path().join(DATABASE), m, key.as_ref()).await?;
    if global.json {
        print_json(&serde_json::json!({
            "ok": true,
            "bytes": sha256_bytes,
            "sha256": sha256,
            "seal": seal,
            "audit_events": events,
            "manifest": m,
        }))?;
    } else {
        println!(
            "backup OK: {} ({sha256_bytes} bytes, sha256 {sha256})\n  {seal}\n  every file matches the manifest, every table its digest; audit chain OK ({events} events)",
            archive.display(),
        );
        print_summary(m);
    }
    Ok(exit::OK)
}

/// An archive's problem is the operator's to fix (another copy of the archive).
pub fn refused(e: orgca_backup::ArchiveError) -> anyhow::Error {
    match e {
        orgca_backup::ArchiveError::Io { .. } => e.into(),
        other => Refused(other.to_string()).into(),
    }
}

/// Checks an archive's store copy as it is, before anything migrates it: its tables must
/// be the ones the manifest describes, its audit chain must hold and, with the archive's
/// audit key, so must its checkpoints. Answers the chain's events.
pub async fn check_store(
    db: &Path,
    m: &Manifest,
    key: Option<&backup_seal::AuditKey>,
) -> anyhow::Result<u64> {
    let store = Store::open_as_is(&format!("sqlite://{}", db.display())).await?;
    let checked = check_open_store(&store, m, key).await;
    store.close().await;
    checked
}

async fn check_open_store(
    store: &Store,
    m: &Manifest,
    key: Option<&backup_seal::AuditKey>,
) -> anyhow::Result<u64> {
    let digest = store.digest().await?;
    if let Some(diff) = m.store.first_difference(&digest) {
        return Err(Refused(format!(
            "the store in the archive is not the one its manifest describes ({diff})"
        ))
        .into());
    }
    let chain = store.audit().verify().await?;
    if let Some(b) = &chain.first_break {
        return Err(Refused(format!(
            "the archive's audit chain is broken at event {}: {}",
            b.seq, b.reason
        ))
        .into());
    }
    if let Some(k) = key {
        let report =
            orgca_ca::checkpoint::verify_checkpoints(&store.audit(), k.key.as_ref(), &k.origin)
                .await?;
        if let Some((seq, why)) = report.first_failure {
            return Err(Refused(format!(
                "the archive's audit checkpoint at event {seq} does not hold: {why}"
            ))
            .into());
        }
    }
    Ok(chain.events as u64)
}
