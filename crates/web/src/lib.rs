//! HTTP for orgca: the public endpoints (`/healthz`, `/ca/{name}.cer`, `/metrics`) and
//! the REST API under `/api/v1` (bearer tokens), the portal later. Handlers translate HTTP to calls on the layers below
//! and map every error to a status and an RFC 9457 problem with a stable code.
//!
//! This crate must never hold business rules, keys or SQL: it calls `ra` and the
//! store's read views. It must never answer a client's mistake with a 500, nor put
//! internal error text into a response (that goes to the log).

mod api;
mod auth;
mod problem;
mod public;

pub use problem::Problem;

use std::future::Future;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use metrics_exporter_prometheus::PrometheusHandle;
use orgca_store::Store;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub store: Store,
    /// The RA with its CA (absent on a node that only serves reads).
    pub ra: Option<orgca_ra::Ra>,
    /// Base of the links orgca sends (e-mail validation, pick-up).
    pub public_base_url: String,
    /// Renders `/metrics`.
    pub metrics: PrometheusHandle,
}

/// The router with every endpoint.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route(
            "/api/v1/organisation",
            get(api::get_organisation).patch(api::patch_organisation),
        )
        .route("/api/v1/users", get(api::list_users).post(api::create_user))
        .route(
            "/api/v1/users/{id}",
            get(api::get_user).patch(api::patch_user),
        )
        .route(
            "/api/v1/profiles",
            get(api::list_profiles).post(api::create_profile),
        )
        .route(
            "/api/v1/profiles/{id}",
            get(api::get_profile).patch(api::patch_profile),
        )
        .route("/api/v1/profiles/{id}/orders", post(api::order_for_profile))
        .route("/api/v1/orders/{id}", get(api::get_order))
        .route("/api/v1/orders/{id}/cancel", post(api::cancel_order))
        .route("/api/v1/certificates", get(api::list_certificates))
        .route("/api/v1/certificates/{id}", get(api::get_certificate))
        .route(
            "/api/v1/certificates/{id}/renew",
            post(api::renew_certificate),
        )
        .route("/api/v1/orders/{id}/pickup", post(api::pickup_as_user))
        .route("/api/v1/users/{id}/orders", post(api::order_for_user))
        .route("/api/v1/pickup", post(api::pickup))
        .route(
            "/api/v1/email-validations/{token}",
            post(api::confirm_email),
        )
        .layer(DefaultBodyLimit::max(api::MAX_JSON_BODY));
    Router::new()
        .merge(api)
        .route("/healthz", get(public::healthz))
        .route("/ca/{file}", get(public::ca_certificate))
        .route("/metrics", get(public::metrics))
        .fallback(public::not_found)
        .layer(middleware::from_fn(count_requests))
        .with_state(state)
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
    let status = response.status().as_u16().to_string();
    metrics::counter!("orgca_http_requests_total", "route" => route, "status" => status)
        .increment(1);
    response
}

/// Serves `router` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
