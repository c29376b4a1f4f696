//! The listeners. Plain HTTP serves everything, or, when orgca terminates TLS itself,
//! only what relying parties fetch over plain HTTP (CRLs, OCSP, CA certificates, the
//! health check): a page asked for there is redirected to HTTPS, and anything else is
//! refused before a password or token crosses the network in the clear. HTTPS serves
//! everything. Both stop taking connections at shutdown and give requests in flight up
//! to 30 seconds.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request};
use axum::http::{Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioIo, TokioTimer};

use crate::tls::ReloadingCert;
use crate::{AppState, Problem, router};

/// How long requests in flight get at shutdown.
const DRAIN: Duration = Duration::from_secs(30);
/// How long a client has for its TLS handshake and for its request's headers.
const HANDSHAKE: Duration = Duration::from_secs(10);

/// Paths relying parties fetch over plain HTTP.
fn for_relying_parties(path: &str) -> bool {
    path == "/healthz"
        || path == "/ocsp"
        || path.starts_with("/ocsp/")
        || path.starts_with("/crl/")
        || path.starts_with("/ca/")
}

/// On the plain listener when TLS is on: relying parties' paths pass; a page is
/// redirected to `https_origin`; anything else is refused.
async fn https_only(https_origin: Arc<str>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if for_relying_parties(path) {
        return next.run(req).await;
    }
    if req.method() == Method::GET || req.method() == Method::HEAD {
        let target = format!(
            "{https_origin}{}",
            req.uri().path_and_query().map_or("/", |p| p.as_str())
        );
        return (StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, target)]).into_response();
    }
    Problem {
        status: StatusCode::BAD_REQUEST,
        code: "https_required",
        detail: format!(
            "this address serves CRLs, OCSP and CA certificates only; send this to {https_origin}"
        ),
    }
    .into_response()
}

/// Waits until `stop` says stop.
async fn stopped(mut stop: Stop) {
    let _ = stop.wait_for(|s| *s).await;
}

/// Says when to stop serving (`true`).
pub type Stop = tokio::sync::watch::Receiver<bool>;

/// Serves plain HTTP on `listener` until `stop`, then gives requests in flight up to 30
/// seconds: everything, or with `https_origin` (TLS is on, at that origin) only relying
/// parties' paths.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    stop: Stop,
    https_origin: Option<String>,
) -> std::io::Result<()> {
    let mut app = router(state);
    if let Some(origin) = https_origin {
        let origin: Arc<str> = origin.trim_end_matches('/').into();
        app = app.layer(middleware::from_fn(move |req, next| {
            https_only(origin.clone(), req, next)
        }));
    }
    // The client's address limits failed portal logins.
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    let serving = axum::serve(listener, app).with_graceful_shutdown(stopped(stop.clone()));
    tokio::select! {
        done = std::future::IntoFuture::into_future(serving) => done,
        () = async { stopped(stop).await; tokio::time::sleep(DRAIN).await } => {
            tracing::warn!("HTTP requests still in flight after {DRAIN:?}; closing them");
            Ok(())
        }
    }
}

/// Serves HTTPS on `listener` with the certificate `cert` until `stop`, then gives the
/// requests in flight up to 30 seconds.
pub async fn serve_tls(
    listener: tokio::net::TcpListener,
    state: AppState,
    cert: Arc<ReloadingCert>,
    stop: Stop,
) -> std::io::Result<()> {
    let shutdown = stopped(stop);
    let config = cert.server_config().map_err(std::io::Error::other)?;
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    let app = router(state);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (tcp, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!(error = %e, "accepting a TLS connection failed");
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let (acceptor, watcher) = (acceptor.clone(), graceful.watcher());
        // The client's address, as the plain listener gives it to handlers.
        let app = app.clone().layer(axum::Extension(ConnectInfo(remote)));
        tokio::spawn(async move {
            let tls = match tokio::time::timeout(HANDSHAKE, acceptor.accept(tcp)).await {
                Ok(Ok(tls)) => tls,
                Ok(Err(e)) => {
                    tracing::debug!(error = %e, %remote, "TLS handshake failed");
                    return;
                }
                Err(_) => return,
            };
            let service = hyper_util::service::TowerToHyperService::new(app);
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HANDSHAKE)
                .serve_connection(TokioIo::new(tls), service);
            if let Err(e) = watcher.watch(connection).await {
                tracing::debug!(error = %e, %remote, "HTTPS connection ended with an error");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(DRAIN) => {
            tracing::warn!("HTTPS requests still in flight after {DRAIN:?}; closing them");
        }
    }
    Ok(())
}
