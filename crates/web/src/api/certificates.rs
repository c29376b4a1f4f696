//! An organisation's certificates: search, export, show, renew, block.

use crate::api::search_query::{ExportQuery, SearchQuery};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::openapi::Problems;
use super::views::{CertificateView, OrderView, Page};
use super::{JsonBody, Search, parse_id};
use crate::auth::Caller;
use crate::{AppState, Problem};

/// Searches the organisation's certificates (a user sees their own), one page at a time:
/// `next` is the `after` of the next page. A whole UUID, 40-digit serial or e-mail
/// address in `q` is matched exactly; other text as part of a name or address, in any
/// case.
#[utoipa::path(get, path = "/api/v1/certificates", tag = "certificates",
    security(("bearer" = [])), params(SearchQuery),
    responses((status = 200, description = "A page of the organisation's certificates that the search selects", body = Page<CertificateView>), Problems))]
pub async fn list_certificates(
    State(s): State<AppState>,
    Caller(c): Caller,
    Search(params, _): Search<SearchQuery>,
) -> Result<Json<Page<CertificateView>>, Problem> {
    let now = s.now();
    let page = s.ra.search(&c, &params, now).await?;
    Ok(Json(Page {
        items: page
            .items
            .iter()
            .map(|c| CertificateView::at(c, now))
            .collect(),
        next: page.next.map(|n| n.encode()),
    }))
}

/// Exports what the same filters select (every page, in the chosen order) as CSV:
/// RFC 4180, UTF-8, a header row, times in RFC 3339 UTC; a field that a spreadsheet
/// would take for a formula starts with `'`. Columns: id, kind, name, subject_uuid,
/// serial, status, not_before, not_after, email, contact_name, contact_email, user,
/// block_reason, blocked_at, renewed_by, created_at.
#[utoipa::path(get, path = "/api/v1/certificates/export.csv", tag = "certificates",
    security(("bearer" = [])), params(ExportQuery),
    responses((status = 200, description = "The selected certificates as CSV", content_type = "text/csv", body = String), Problems))]
pub async fn export_certificates(
    State(s): State<AppState>,
    Caller(c): Caller,
    Search(params, _): Search<ExportQuery>,
) -> Result<Response, Problem> {
    let export = s.ra.export(&c, &params, s.now()).await?;
    Ok(crate::csv::response(export).await?)
}

/// One certificate.
#[utoipa::path(get, path = "/api/v1/certificates/{id}", tag = "certificates",
    security(("bearer" = [])), params(("id" = String, Path, description = "The certificate's id")),
    responses((status = 200, description = "The certificate", body = CertificateView), Problems))]
pub async fn get_certificate(
    State(s): State<AppState>,
    Caller(c): Caller,
    Path(id): Path<String>,
) -> Result<Json<CertificateView>, Problem> {
    let cert = s.ra.certificate(&c, parse_id(&id, "certificate")?).await?;
    Ok(Json(CertificateView::at(&cert, s.now())))
}

/// One certificate as PEM, followed by its CA certificates up to the root (what a
/// system installs, as the pick-up gave it). Never a key: orgca keeps none.
#[utoipa::path(get, path = "/api/v1/certificates/{id}/pem", tag = "certificates",
    security(("bearer" = [])), params(("id" = String, Path, description = "The certificate's id")),
    responses((status = 200, description = "The certificate and its CA certificates up to the root, as PEM", content_type = "application/pem-certificate-chain", body = String), Problems))]
pub async fn get_certificate_pem(
    State(s): State<AppState>,
    Caller(c): Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let (_, pem) =
        s.ra.certificate_with_chain(&c, parse_id(&id, "certificate")?)
            .await?;
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "application/pem-certificate-chain",
        )],
        pem,
    )
        .into_response())
}

/// Renews a certificate: a new order for the same profile or user with the same data,
/// delivered as the original was. The old certificate stays valid.
#[utoipa::path(post, path = "/api/v1/certificates/{id}/renew", tag = "certificates",
    security(("bearer" = [])), params(("id" = String, Path, description = "The certificate's id")),
    responses((status = 201, description = "The renewal's order", body = OrderView), Problems))]
pub async fn renew_certificate(
    State(s): State<AppState>,
    Caller(c): Caller,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<OrderView>), Problem> {
    let now = s.now();
    let id = parse_id(&id, "certificate")?;
    let placed = s.ra.renew(&c, id, now).await?;
    Ok((StatusCode::CREATED, Json(OrderView::placed(placed, now))))
}

/// Why a certificate is blocked.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BlockRequest {
    /// `content_wrong`, `key_lost`, `key_compromised`, `left_organisation` or
    /// `superseded`.
    #[schema(schema_with = super::schema::block_reason)]
    reason: String,
}

/// Blocks a certificate, permanently (user administrators; a user their own employee
/// certificate). Blocking again answers the existing block, unchanged. Relying parties
/// see it in the CRL and OCSP within seconds; the contact person is told.
#[utoipa::path(post, path = "/api/v1/certificates/{id}/block", tag = "certificates",
    security(("bearer" = [])), params(("id" = String, Path, description = "The certificate's id")),
    request_body = BlockRequest,
    responses((status = 200, description = "The certificate, blocked", body = CertificateView), Problems))]
pub async fn block_certificate(
    State(s): State<AppState>,
    Caller(c): Caller,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<BlockRequest>,
) -> Result<Json<CertificateView>, Problem> {
    let now = s.now();
    let id = parse_id(&id, "certificate")?;
    let blocked = s.ra.block(&c, id, &req.reason, now).await?.blocked;
    if blocked.newly {
        s.status_changed.notify_waiters();
    }
    Ok(Json(CertificateView::at(&blocked.certificate, now)))
}
