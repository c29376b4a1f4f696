//! An organisation's certificates: list, show, renew.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::openapi::Problems;
use super::views::{CertificateView, OrderView, Page};
use super::{JsonBody, parse_id};
use crate::auth::Caller;
use crate::{AppState, Problem};

/// The organisation's certificates, newest first (a user sees their own).
#[utoipa::path(get, path = "/api/v1/certificates", tag = "certificates",
    security(("bearer" = [])),
    responses((status = 200, body = Page<CertificateView>), Problems))]
pub async fn list_certificates(
    State(s): State<AppState>,
    Caller(c): Caller,
) -> Result<Json<Page<CertificateView>>, Problem> {
    let now = s.now();
    let certs = orgca_ra::certificates::list(&s.store, &c).await?;
    Ok(Json(Page::all(
        certs.iter().map(|c| CertificateView::at(c, now)).collect(),
    )))
}

/// One certificate.
#[utoipa::path(get, path = "/api/v1/certificates/{id}", tag = "certificates",
    security(("bearer" = [])), params(("id" = String, Path, description = "The certificate's id")),
    responses((status = 200, body = CertificateView), Problems))]
pub async fn get_certificate(
    State(s): State<AppState>,
    Caller(c): Caller,
    Path(id): Path<String>,
) -> Result<Json<CertificateView>, Problem> {
    let cert = orgca_ra::certificates::get(&s.store, &c, parse_id(&id, "certificate")?).await?;
    Ok(Json(CertificateView::at(&cert, s.now())))
}

/// Renews a certificate: a new order for the same profile or user with the same data,
/// delivered as the original was. The old certificate stays valid.
#[utoipa::path(post, path = "/api/v1/certificates/{id}/renew", tag = "certificates",
    security(("bearer" = [])), params(("id" = String, Path, description = "The certificate's id")),
    responses((status = 201, body = OrderView), Problems))]
pub async fn renew_certificate(
    State(s): State<AppState>,
    Caller(c): Caller,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<OrderView>), Problem> {
    let now = s.now();
    let id = parse_id(&id, "certificate")?;
    let placed = orgca_ra::certificates::renew(&s.store, &c, id, &s.policy, now).await?;
    Ok((StatusCode::CREATED, Json(OrderView::placed(placed, now))))
}

/// Why a certificate is blocked.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BlockRequest {
    /// `content_wrong`, `key_lost`, `key_compromised`, `left_organisation` or
    /// `superseded`.
    reason: String,
}

/// Blocks a certificate, permanently (user administrators; a user their own employee
/// certificate). Blocking again answers the existing block, unchanged. Relying parties
/// see it in the CRL and OCSP within seconds; the contact person is told.
#[utoipa::path(post, path = "/api/v1/certificates/{id}/block", tag = "certificates",
    security(("bearer" = [])), params(("id" = String, Path, description = "The certificate's id")),
    request_body = BlockRequest,
    responses((status = 200, body = CertificateView), Problems))]
pub async fn block_certificate(
    State(s): State<AppState>,
    Caller(c): Caller,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<BlockRequest>,
) -> Result<Json<CertificateView>, Problem> {
    let now = s.now();
    let id = parse_id(&id, "certificate")?;
    let blocked = orgca_ra::blocking::block(&s.store, &c, id, &req.reason, now).await?;
    if blocked.newly {
        s.status_changed.notify_waiters();
    }
    Ok(Json(CertificateView::at(&blocked.certificate, now)))
}
