//! HTTP for orgca: the public endpoints (`/healthz`, `/ca/{name}.cer`, `/crl/{name}.crl`,
//! `/ocsp`, `/metrics`), the REST API under `/api/v1` (bearer tokens, OpenAPI at
//! `/api/v1/openapi.json`), SCIM 2.0 provisioning under `/scim/v2` (provisioning tokens) and the portal under `/portal` (sessions, server-rendered). Handlers translate HTTP to calls on the layers below
//! and map every error to a status and an RFC 9457 problem with a stable code.
//!
//! `serve` and `serve_tls` run the listeners: plain HTTP (all of it, or with TLS on only
//! what relying parties fetch: CRLs, OCSP, CA certificates, the health check) and HTTPS
//! (rustls, the certificate read again on SIGHUP or change).
//!
//! This crate must never hold business rules, keys or SQL, and never a store: it calls
//! the RA (the one door to the data) and the status service's read side (CRLs, OCSP). It must never answer a client's mistake with a 500, nor put
//! internal error text into a response (that goes to the log).

mod api;
mod auth;
pub mod client;
mod csv;
mod directory;
mod portal;
mod problem;
mod public;
mod scim;
mod serving;
mod tls;

pub use directory::DirectoryLimiter;
pub use portal::Downloads;
pub use problem::Problem;
pub use scim::SCIM_REQUESTS_PER_MINUTE;
pub use serving::{Stop, serve, serve_tls};
pub use tls::{ReloadingCert, TlsFiles};

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::header;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use metrics_exporter_prometheus::PrometheusHandle;

/// What every handler can reach: cloned for every request, so it is one `Arc`.
#[derive(Clone)]
pub struct AppState(std::sync::Arc<Shared>);

impl AppState {
    /// The state over these parts.
    pub fn new(shared: Shared) -> AppState {
        AppState(std::sync::Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The parts of [`AppState`].
pub struct Shared {
    /// The RA: every operation on an organisation's data goes through it.
    pub ra: orgca_ra::Ra,
    /// The clock every request reads.
    pub clock: orgca_ra::Clock,
    /// The OCSP responder (absent on a node without CA keys).
    pub ocsp: Option<orgca_status::ocsp::OcspService>,
    /// The CRLs this node serves.
    pub crls: orgca_status::CrlCache,
    /// Notified when this node blocks a certificate, so that status is rebuilt at once.
    pub status_changed: std::sync::Arc<tokio::sync::Notify>,
    /// Renders `/metrics`.
    pub metrics: PrometheusHandle,
    /// The bearer token `/metrics` asks for (`ORGCA_METRICS_TOKEN`); `None`: public.
    pub metrics_token: Option<String>,
    /// Files picked up in the portal, waiting for their one download.
    pub downloads: Downloads,
    /// Directory lookups per client address.
    pub directory_limiter: directory::DirectoryLimiter,
    /// The proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: client::TrustedProxies,
    /// Wrong API tokens and pick-up codes per client address.
    pub failures: client::FailureLimiter,
    /// SCIM requests per provisioning token ([`SCIM_REQUESTS_PER_MINUTE`] a minute).
    pub scim_requests: client::Windows<uuid::Uuid>,
}

impl AppState {
    /// Now, by the state's clock.
    pub(crate) fn now(&self) -> orgca_model::UnixTime {
        self.clock.now()
    }
}

/// The router with every endpoint.
pub fn router(state: AppState) -> Router {
    let document_limit = state.ra.max_document();
    let (api, doc) = api::router(document_limit);
    // Rendered once: the document does not change while the process runs.
    let doc = std::sync::Arc::new(doc.to_pretty_json().unwrap_or_else(|e| {
        tracing::error!(error = %e, "rendering the OpenAPI document");
        String::from("{}")
    }));
    let openapi = get(move || {
        let doc = doc.clone();
        async move {
            (
                [(header::CONTENT_TYPE, "application/json")],
                doc.as_str().to_owned(),
            )
        }
    });
    Router::new()
        .merge(api)
        .merge(portal::router(&state))
        .nest("/scim/v2", scim::router())
        .route("/api/v1/openapi.json", openapi)
        .route("/healthz", get(public::healthz))
        .route("/ca/{file}", get(public::ca_certificate))
        .route("/crl/{file}", get(public::crl))
        .route(
            "/ocsp",
            axum::routing::post(public::ocsp_post)
                .layer(DefaultBodyLimit::max(orgca_pki::ocsp::MAX_REQUEST)),
        )
        .route("/ocsp/{*request}", get(public::ocsp_get))
        .route("/metrics", get(public::metrics))
        .route("/directory", get(directory::lookup))
        .route(
            "/",
            get(|| async { axum::response::Redirect::to("/portal") }),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(public::method_not_allowed)
        .layer(middleware::from_fn(count_requests))
        .with_state(state)
}

/// An address that leads nowhere: a page for a browser in the portal, a problem
/// document for everything else.
async fn not_found(uri: axum::http::Uri, portal::Lang(t): portal::Lang) -> Response {
    let path = uri.path();
    if path == "/portal" || path.starts_with("/portal/") {
        return portal::not_found(t, None);
    }
    axum::response::IntoResponse::into_response(public::not_found().await)
}

/// Counts requests by route template (never by raw path: unbounded label values) and
/// status.
async fn count_requests(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_owned();
    let response = next.run(req).await;
    // The usual statuses as static labels: no allocation for them per request.
    let status: metrics::SharedString = match response.status().as_u16() {
        200 => "200".into(),
        201 => "201".into(),
        304 => "304".into(),
        400 => "400".into(),
        401 => "401".into(),
        404 => "404".into(),
        code => code.to_string().into(),
    };
    metrics::counter!("orgca_http_requests_total", "route" => route, "status" => status)
        .increment(1);
    response
}
