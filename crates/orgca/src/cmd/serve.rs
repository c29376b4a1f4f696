//! `orgca serve` and `orgca demo`.

use anyhow::Context as _;
use metrics_exporter_prometheus::PrometheusBuilder;
use orgca_ra::{Clock, FAKE_CLOCK_VAR};

use crate::cli::{Global, InitArgs, ServeArgs};
use crate::config::{Config, DataDir};
use crate::context::Context;
use crate::exit;
use crate::jobs;

/// Serves until Ctrl-C or SIGTERM. An empty data folder is initialised first: `serve`
/// takes its public URL from `ORGCA_PUBLIC_BASE_URL`; `demo` from where it listens (a
/// trial on this machine), and also makes a test organisation with an administrator.
pub async fn run(
    global: &Global,
    args: &ServeArgs,
    demo: bool,
    clock: Clock,
) -> anyhow::Result<u8> {
    let data = DataDir {
        root: global.data.clone(),
    };
    let initialised = data.config().exists();
    let listen = match (args.listen, initialised) {
        (Some(addr), _) => addr,
        (None, true) => Config::load(&data)?.listen,
        (None, false) => Config::default().listen,
    };
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let local = listener.local_addr()?;
    if !initialised {
        let public_base_url = if demo {
            Some(super::demo::url_of(local))
        } else {
            std::env::var("ORGCA_PUBLIC_BASE_URL").ok()
        };
        let Some(public_base_url) = public_base_url else {
            return Err(exit::Refused(format!(
                "{} is not initialised: run `orgca init --public-base-url URL` (the address relying \
                 parties reach) or set ORGCA_PUBLIC_BASE_URL, or run `orgca demo` to try orgca on \
                 this machine",
                data.root.display()
            ))
            .into());
        };
        let init = InitArgs {
            config: None,
            public_base_url: Some(public_base_url),
            signature: None,
            local_trial: demo,
            listen: Some(local),
            offline_root: None,
        };
        super::init::run(global, &init, clock.now()).await?;
    }
    let ctx = Context::open(global).await?;
    // Fail at start, not at the first issuance, when the keys do not open.
    let ca = ctx.ca().await?;
    let ra = ctx
        .ra_without_keys()?
        .with_ca(ca.clone())
        .with_signing(std::sync::Arc::new(ctx.signing().await?));
    let metrics = PrometheusBuilder::new()
        .install_recorder()
        .context("installing the metrics recorder")?;
    // HTTPS, when orgca terminates TLS itself: the certificate must load before anything
    // is served.
    let https = match (&ctx.config.tls, ctx.config.tls_files(&data)) {
        (Some(tls), Some(files)) => {
            let cert = orgca_web::ReloadingCert::load(files)
                .map_err(|e| exit::Refused(format!("[tls]: {e}")))?;
            let tls_listener = tokio::net::TcpListener::bind(tls.listen)
                .await
                .with_context(|| format!("listening on {} (HTTPS)", tls.listen))?;
            let origin = ctx.config.portal_base_url.clone().unwrap_or_default();
            Some((tls_listener, cert, origin))
        }
        _ => None,
    };
    // The first line on standard output is the address (scripts and tests read it, and
    // may close the pipe after it: nothing more is printed there).
    println!("orgca listening on http://{local}");
    if let Some((tls_listener, ..)) = &https {
        tracing::info!(https = %tls_listener.local_addr()?, "serving HTTPS");
    }
    let welcome = match demo {
        true => Some(super::demo::welcome(&ctx, &ra, clock.now()).await?),
        false => None,
    };
    tracing::info!(%local, data = %data.root.display(), "serving");
    if clock.is_fake() {
        tracing::warn!(now = %clock.now().rfc3339(), "{FAKE_CLOCK_VAR} is set: this server runs on a fake clock (tests only)");
    }
    // This node's name in the leases of the jobs that run on one node at a time.
    let node = crate::jobs::node_name();
    tracing::info!(%node, "this node");
    // Revocation status: every CA's CRL, kept current by a task of its own.
    let crls = orgca_status::CrlCache::default();
    let status_changed = std::sync::Arc::new(tokio::sync::Notify::new());
    let crl_targets = ctx.crl_targets(&ca).await?;
    let crl_policy = ctx.config.crl.policy()?;
    orgca_status::publish_all(
        &ctx.store.status(),
        &crl_targets,
        &crls,
        &crl_policy,
        clock.now().to_offset(),
    )
    .await
    .context("building the first CRLs")?;
    for kept in ctx.store.ca().kept_crls().await? {
        if kept.next_update.secs() < clock.now().secs() {
            tracing::warn!(crl = %kept.ca_name, number = kept.number, "the kept CRL is past its nextUpdate: sign a new one in a ceremony and import it");
        }
        crls.keep(&kept);
    }
    tokio::spawn(orgca_status::run_forever(
        ctx.store.status(),
        crl_targets,
        crls.clone(),
        crl_policy,
        move || clock.now().to_offset(),
        status_changed.clone(),
        orgca_status::CrlLease {
            leases: ctx.store.leases(),
            holder: node.clone(),
        },
    ));
    let ocsp = orgca_status::ocsp::OcspService::start(
        ctx.store.status(),
        ca.issuers().cloned().collect(),
        orgca_status::ocsp::OcspPolicy {
            max_cached: ctx.config.ocsp.signed_ahead_max,
            ..orgca_status::ocsp::OcspPolicy::default()
        },
        clock.now().to_offset(),
    )
    .await
    .context("starting the OCSP responder")?;
    tokio::spawn(
        ocsp.clone()
            .run_forever(move || clock.now().to_offset(), status_changed.clone()),
    );
    let state = orgca_web::AppState::new(orgca_web::Shared {
        ra: ra.clone(),
        clock,
        crls,
        ocsp: Some(ocsp),
        status_changed,
        metrics,
        metrics_token: std::env::var("ORGCA_METRICS_TOKEN")
            .ok()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty()),
        downloads: orgca_web::Downloads::default(),
        directory_limiter: Default::default(),
        trusted_proxies: ctx.config.trusted_proxies()?,
        failures: orgca_web::client::FailureLimiter::new(ctx.config.failures_per_address()?),
        scim_requests: orgca_web::client::Windows::new(orgca_web::SCIM_REQUESTS_PER_MINUTE, 60),
    });
    // Queued mail goes out every second (the outbox folder, or SMTP when configured),
    // from one node at a time.
    let (mailer, store) = (ctx.mailer()?, ctx.store.clone());
    tokio::spawn(jobs::leased(
        ctx.store.leases(),
        "mail",
        node.clone(),
        std::time::Duration::from_secs(1),
        clock,
        move || {
            let (mailer, store) = (mailer.clone(), store.clone());
            async move {
                if let Err(e) = mailer.deliver_due(&store, clock.now()).await {
                    tracing::warn!(error = %e, "mail job failed; trying again");
                }
            }
        },
    ));
    // Expiry notices are queued, and stale pick-ups given back, every minute, by one
    // node at a time.
    let (store, points) = (ctx.store.clone(), ctx.config.notices.expiry_days.clone());
    tokio::spawn(jobs::leased(
        ctx.store.leases(),
        "notices",
        node.clone(),
        std::time::Duration::from_secs(60),
        clock,
        move || {
            let (ra, store, points) = (ra.clone(), store.clone(), points.clone());
            async move {
                if let Err(e) = ra.queue_expiry_notices(&points, clock.now()).await {
                    tracing::warn!(error = %e, "queueing expiry notices failed; trying again");
                }
                // Orders a dead process left half picked up are given back after 10
                // minutes.
                match store
                    .pickup()
                    .release_stale(clock.now().minus_secs(600))
                    .await
                {
                    Ok(0) => {}
                    Ok(n) => tracing::warn!(orders = n, "gave back orders left half picked up"),
                    Err(e) => tracing::warn!(error = %e, "giving back stale pick-ups failed"),
                }
            }
        },
    ));
    // The audit chain is anchored: a signed checkpoint at start (before the first
    // request, so that every start leaves one) and every hour after (none when nothing
    // happened since the last).
    match ctx.anchor() {
        Err(e) => tracing::warn!(error = %e, "no audit key: the audit chain is not checkpointed"),
        Ok(anchor) => {
            let sign = move || {
                let anchor = anchor.clone();
                async move {
                    if let Err(e) = anchor.sign("system", clock.now()).await {
                        tracing::warn!(error = %e, "signing an audit checkpoint failed; trying again in an hour");
                    }
                }
            };
            sign().await;
            // Then hourly, by one node at a time.
            let leases = ctx.store.leases();
            let node = node.clone();
            tokio::spawn(async move {
                tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
                jobs::leased(
                    leases,
                    "checkpoint",
                    node,
                    std::time::Duration::from_secs(3600),
                    clock,
                    sign,
                )
                .await;
            });
        }
    }
    // The query planner's statistics are refreshed hourly (SQLite; PostgreSQL's
    // autovacuum does its own), so searches keep their index plans as data grows.
    let store = ctx.store.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
            if let Err(e) = store.optimize().await {
                tracing::warn!(error = %e, "refreshing the planner's statistics failed");
            }
        }
    });
    // Last, so that it is what the person at the terminal sees (on standard error:
    // standard output's first line stays the address).
    if let Some(welcome) = welcome {
        eprintln!("{welcome}");
    }
    // One shutdown for both listeners.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    });
    match https {
        None => orgca_web::serve(listener, state, stopped, None)
            .await
            .context("serving HTTP")?,
        Some((tls_listener, cert, origin)) => {
            tokio::spawn(reload_on_hangup_or_change(cert.clone()));
            let plain = orgca_web::serve(listener, state.clone(), stopped.clone(), Some(origin));
            let tls = orgca_web::serve_tls(tls_listener, state, cert, stopped);
            tokio::try_join!(plain, tls).context("serving HTTP and HTTPS")?;
        }
    }
    // Another node takes this one's jobs at once, not when the leases run out.
    if let Err(e) = ctx.store.leases().release_all(&node).await {
        tracing::warn!(error = %e, "giving up the leases failed; they run out by themselves");
    }
    ctx.store.close().await;
    Ok(exit::OK)
}

/// Reads the TLS certificate and key again on SIGHUP, and when a file changed (checked
/// every 10 seconds).
async fn reload_on_hangup_or_change(cert: std::sync::Arc<orgca_web::ReloadingCert>) {
    #[cfg(unix)]
    let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
    loop {
        #[cfg(unix)]
        let hup = async {
            match hangup.as_mut() {
                Some(h) => {
                    h.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let hup = std::future::pending::<()>();
        tokio::select! {
            () = hup => {
                tracing::info!("SIGHUP: reading the TLS certificate again");
                cert.reload();
            }
            () = tokio::time::sleep(std::time::Duration::from_secs(10)) => cert.reload_if_changed(),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
    tracing::info!("shutting down");
}
