//! `orgca export`: an organisation's certificates as CSV, the same file the API's
//! export gives. A file given by `--out` is written beside itself and renamed into
//! place, so it is whole or absent; a progress bar shows on a terminal, never in a pipe.

use orgca_model::UnixTime;
use std::io::{IsTerminal, Write};

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use orgca_ra::search::SearchParams;
use orgca_ra::{Caller, Ra};

use crate::cli::{ExportArgs, FilterArgs, Global};
use crate::context::Context;
use crate::exit::{self, Refused};

/// The operator acting for the organisation `filters` name, and the search they ask.
pub(super) async fn search_for(
    ra: &Ra,
    filters: &FilterArgs,
) -> anyhow::Result<(Caller, SearchParams)> {
    let caller = ra.operator_cli(&filters.org).await?;
    let params = SearchParams {
        q: filters.q.clone(),
        kind: filters.kind.clone(),
        status: filters.status.clone(),
        expires_before: filters.expires_before.clone(),
        profile: filters.profile.clone(),
        user: filters.user.clone(),
        sort: filters.sort.clone(),
        order: filters.order.clone(),
        ..SearchParams::default()
    };
    Ok((caller, params))
}

/// Runs `orgca export`.
pub async fn run(global: &Global, args: &ExportArgs, now: UnixTime) -> anyhow::Result<u8> {
    let ctx = Context::open(global).await?;
    let ra = ctx.ra_without_keys()?;
    let (caller, params) = search_for(&ra, &args.filters).await?;
    let mut export = ra.export(&caller, &params, now).await?;
    let to_terminal = args.out.is_none() && std::io::stdout().is_terminal();
    let bar = if std::io::stderr().is_terminal() && !to_terminal {
        let bar = ProgressBar::with_draw_target(
            Some(export.total().await?),
            ProgressDrawTarget::stderr(),
        );
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} rows, {per_sec}, {eta} left")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let (mut out, staged): (Box<dyn Write>, _) = match &args.out {
        Some(path) => {
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(std::path::Path::new("."));
            let file = tempfile::NamedTempFile::new_in(dir)
                .map_err(|e| Refused(format!("cannot write in {}: {e}", dir.display())))?;
            let writer = file.reopen().context("opening the export file")?;
            (Box::new(std::io::BufWriter::new(writer)), Some(file))
        }
        None => (
            Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
            None,
        ),
    };
    let mut rows = 0u64;
    while let Some((chunk, n)) = export.next_chunk().await? {
        out.write_all(&chunk).context("writing the export")?;
        rows += n as u64;
        bar.inc(n as u64);
    }
    out.flush().context("writing the export")?;
    drop(out);
    bar.finish_and_clear();
    if let (Some(file), Some(path)) = (staged, &args.out) {
        file.as_file().sync_all().context("writing the export")?;
        file.persist(path)
            .map_err(|e| Refused(format!("cannot write {}: {}", path.display(), e.error)))?;
        eprintln!("{rows} certificates written to {}", path.display());
    }
    ctx.store.close().await;
    Ok(exit::OK)
}
