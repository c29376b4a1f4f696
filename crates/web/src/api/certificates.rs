//! An organisation's certificates: list, show, renew.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::orders::placed_json;
use super::{now, page, parse_id};
use crate::auth::Caller;
use crate::{AppState, Problem};

fn certificate_json(c: &orgca_store::CertificateRecord) -> serde_json::Value {
    serde_json::json!({
        "id": c.id, "serial": c.serial, "subject_uuid": c.subject_uuid, "kind": c.kind,
        "name": c.name, "email": c.email, "status": orgca_ra::certificates::visible_status(c, now()),
        "not_before": c.not_before, "not_after": c.not_after, "renews": c.renews,
        "fingerprint_sha256": c.fingerprint,
    })
}

/// `GET /api/v1/certificates`.
pub async fn list_certificates(
    State(s): State<AppState>,
    Caller(c): Caller,
) -> Result<Response, Problem> {
    let items: Vec<_> = orgca_ra::certificates::list(&s.store, &c)
        .await?
        .iter()
        .map(certificate_json)
        .collect();
    Ok(page(items))
}

/// `GET /api/v1/certificates/{id}`.
pub async fn get_certificate(
    State(s): State<AppState>,
    Caller(c): Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let cert = orgca_ra::certificates::get(&s.store, &c, parse_id(&id, "certificate")?).await?;
    Ok(Json(certificate_json(&cert)).into_response())
}

/// `POST /api/v1/certificates/{id}/renew`: a new order with the same data.
pub async fn renew_certificate(
    State(s): State<AppState>,
    Caller(c): Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let placed = orgca_ra::certificates::renew(
        &s.store,
        &c,
        parse_id(&id, "certificate")?,
        &s.public_base_url,
        now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(placed_json(placed))).into_response())
}
