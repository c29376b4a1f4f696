//! `orgca restore --from FILE`: a backup into a new data folder, and its store into the
//! data folder's SQLite file or into the empty database `--database-url` names.

use std::path::Path;

use anyhow::Context as _;
use orgca_backup::{DATABASE, Manifest};
use orgca_model::UnixTime;
use orgca_store::{Operation, Store};

use crate::cli::{Global, RestoreArgs};
use crate::cmd::backup::{check_store, print_summary, refused};
use crate::cmd::backup_seal;
use crate::cmd::print_json;
use crate::config::{Config, DataDir};
use crate::context::Context;
use crate::exit::{self, Refused};

/// Runs `restore`. Refuses a data folder that holds anything; on any failure removes what
/// it wrote, so that it can simply be run again.
pub async fn run(global: &Global, args: &RestoreArgs, now: UnixTime) -> anyhow::Result<u8> {
    let data = DataDir {
        root: global.data.clone(),
    };
    let created = !data.root.exists();
    if !created {
        let mut entries = std::fs::read_dir(&data.root)
            .with_context(|| format!("reading {}", data.root.display()))?;
        if entries.next().is_some() {
            return Err(Refused(format!(
                "{} is not empty: restore into a new or empty folder (--data); nothing was \
                 changed",
                data.root.display()
            ))
            .into());
        }
    }
    crate::cmd::init::create_private_dir(&data.root)?;
    let restored = restore_into(global, &data, &args.from, now).await;
    if restored.is_err() {
        remove_contents(&data.root, created);
    }
    let (m, sha256, events) = restored?;
    if global.json {
        print_json(&serde_json::json!({
            "restored": data.root.display().to_string(),
            "archive_sha256": sha256,
            "audit_events": events,
            "manifest": m,
        }))?;
    } else {
        println!(
            "restored into {} from a backup of {}; audit chain OK ({events} events, the last \
             recording this restore)",
            data.root.display(),
            UnixTime::from_secs(m.taken_at).rfc3339()
        );
        print_summary(&m);
        println!(
            "certificates issued after {} are not in this store. Find them in the old \
             machine's outbox and mail log, its audit trail (`certificate.issued` events), or \
             with their holders, and put them back with `orgca cert import FILE.pem`. CRL \
             numbers go on above every number published before (they follow the clock).",
            UnixTime::from_secs(m.taken_at).rfc3339()
        );
    }
    Ok(exit::OK)
}

/// Unpacks, checks and opens the backup; records the restore in the audit chain.
async fn restore_into(
    global: &Global,
    data: &DataDir,
    archive: &Path,
    now: UnixTime,
) -> anyhow::Result<(Manifest, String, u64)> {
    let opened = orgca_backup::read(archive, Some(&data.root)).map_err(refused)?;
    // Nothing unpacked is trusted before the seal holds.
    let key = backup_seal::of_archive(&data.root)?.map_err(|why| {
        Refused(format!(
            "a restore checks the archive's seal with its audit key: {why}"
        ))
    })?;
    backup_seal::check(&opened, &key)?;
    let m = opened.manifest;
    let (_, sha256) = orgca_backup::hash_file(archive)?;
    let mut config = Config::load(data)?;
    let unpacked = data.root.join(DATABASE);
    let default_url = data.default_database_url();
    let target = global
        .database_url
        .clone()
        .or_else(|| config.database_url.clone())
        .unwrap_or_else(|| default_url.clone());
    // Checked as archived, then brought to this orgca's schema version.
    check_store(&unpacked, &m, Some(&key)).await?;
    let snapshot = Store::open(&format!("sqlite://{}", unpacked.display())).await?;
    if target != default_url && !names_file(&target, &unpacked) {
        // Into another database, which must be empty: the copy checks every table.
        let into = Store::open(&target).await?;
        let copied = snapshot.copy_into(&into).await;
        snapshot.close().await;
        into.close().await;
        copied?;
        for suffix in ["", "-wal", "-shm"] {
            let f = format!("{}{suffix}", unpacked.display());
            let _ = std::fs::remove_file(f);
        }
        if global.database_url.is_some() {
            config.database_url = Some(target.clone());
            let path = data.config();
            std::fs::remove_file(&path).with_context(|| format!("replacing {}", path.display()))?;
            crate::config::write_new_file(&path, config.to_text()?.as_bytes(), 0o600)?;
        }
    } else {
        snapshot.close().await;
    }
    let ctx = Context::open(global).await?;
    let chain = ctx.store.audit().verify().await?;
    if let Some(b) = &chain.first_break {
        return Err(Refused(format!(
            "the restored audit chain is broken at event {}: {}; nothing was kept",
            b.seq, b.reason
        ))
        .into());
    }
    ctx.store
        .audit()
        .record_operation(
            Operation::Restored,
            &sha256,
            serde_json::json!({
                "taken_at": UnixTime::from_secs(m.taken_at).rfc3339(),
                "orgca_version": m.orgca_version,
                "certificates": m.store.rows("certificates"),
                "audit_events": m.store.rows("audit_events"),
            }),
            now,
        )
        .await?;
    ctx.store.close().await;
    Ok((m, sha256, chain.events as u64 + 1))
}

/// Whether `url` is a SQLite URL of the file `path` (however the path is spelled).
fn names_file(url: &str, path: &Path) -> bool {
    let Some(rest) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    else {
        return false;
    };
    let named = Path::new(rest.split('?').next().unwrap_or_default());
    match (std::fs::canonicalize(named), std::fs::canonicalize(path)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Removes what a failed restore wrote: the folder when it made it, else what is in it.
fn remove_contents(root: &Path, created: bool) {
    if created {
        let _ = std::fs::remove_dir_all(root);
        return;
    }
    if let Ok(entries) = std::fs::read_dir(root) {
        for e in entries.flatten() {
            let p = e.path();
            let _ = if p.is_dir() {
                std::fs::remove_dir_all(&p)
            } else {
                std::fs::remove_file(&p)
            };
        }
    }
}
