//! Orders, pick-up and e-mail validation.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64ct::Encoding as _;
use time::OffsetDateTime;

use super::{JsonBody, now, parse_id};
use crate::auth::Caller;
use crate::{AppState, Problem};

fn order_json(o: &orgca_store::Order) -> serde_json::Value {
    serde_json::json!({
        "id": o.id, "reference": o.reference, "status": orgca_ra::orders::visible_status(o, now()),
        "identification": o.identification, "issuance": o.issuance,
        "profile": o.profile_id, "user": o.user_id,
        "expires_at": o.expires_at, "certificate_id": o.certificate_id, "renews": o.renews,
    })
}

/// `POST /api/v1/profiles/{id}/orders`: the answer carries the one-time code, once.
pub async fn order_for_profile(
    State(s): State<AppState>,
    Caller(c): Caller,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<orgca_ra::orders::OrderRequest>,
) -> Result<Response, Problem> {
    let id = parse_id(&id, "profile")?;
    let placed =
        orgca_ra::orders::order_for_profile(&s.store, &c, id, req, &s.public_base_url, None, now())
            .await?;
    Ok((StatusCode::CREATED, Json(placed_json(placed))).into_response())
}

/// `GET /api/v1/orders/{id}` (never shows the code).
pub async fn get_order(
    State(s): State<AppState>,
    Caller(c): Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let o = orgca_ra::orders::order(&s.store, &c, parse_id(&id, "order")?).await?;
    Ok(Json(order_json(&o)).into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PickupRequest {
    reference: String,
    one_time_code: String,
    csr: Option<String>,
    #[serde(default)]
    pkcs12: bool,
}

/// What a pick-up brings: a CSR, or `"pkcs12": true` for a key made by orgca.
fn key_source(
    csr: Option<&str>,
    pkcs12: bool,
) -> Result<orgca_ra::delivery::KeySource<'_>, Problem> {
    match (csr, pkcs12) {
        (Some(c), false) => Ok(orgca_ra::delivery::KeySource::Csr(c.as_bytes())),
        (None, true) => Ok(orgca_ra::delivery::KeySource::Pkcs12),
        _ => Err(Problem {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_request",
            detail: "send either `csr` (PEM) or `\"pkcs12\": true`, as the order asks".into(),
        }),
    }
}

fn delivered_json(d: &orgca_ra::delivery::Delivered) -> serde_json::Value {
    let mut v = issued_json(&d.issued);
    if let (Some(obj), Some(p)) = (v.as_object_mut(), &d.pkcs12) {
        obj.insert(
            "pkcs12".into(),
            base64ct::Base64::encode_string(&p.der).into(),
        );
        obj.insert("password".into(), p.password.clone().into());
    }
    v
}

/// `POST /api/v1/pickup`: no login; the reference and the one-time code identify.
pub async fn pickup(
    State(s): State<AppState>,
    JsonBody(req): JsonBody<PickupRequest>,
) -> Result<Response, Problem> {
    let source = key_source(req.csr.as_deref(), req.pkcs12)?;
    let ra =
        s.ra.as_ref()
            .ok_or_else(|| Problem::unavailable("this server does not issue certificates"))?;
    let delivered = ra
        .pickup_with_code(
            &req.reference,
            &req.one_time_code,
            source,
            OffsetDateTime::now_utc(),
        )
        .await?;
    Ok(Json(delivered_json(&delivered)).into_response())
}

/// `POST /api/v1/email-validations/{token}`: no login; the token proves the address.
pub async fn confirm_email(
    State(s): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, Problem> {
    let c = orgca_ra::orders::confirm_email(&s.store, &token, now()).await?;
    Ok(Json(serde_json::json!({"email": c.email, "orders_ready": c.orders_ready})).into_response())
}

/// `POST /api/v1/orders/{id}/cancel`.
pub async fn cancel_order(
    State(s): State<AppState>,
    Caller(c): Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let o = orgca_ra::orders::cancel(&s.store, &c, parse_id(&id, "order")?, now()).await?;
    Ok(Json(order_json(&o)).into_response())
}

pub(super) fn placed_json(placed: orgca_ra::orders::Placed) -> serde_json::Value {
    let mut v = order_json(&placed.order);
    if let (Some(obj), Some(code)) = (v.as_object_mut(), placed.one_time_code) {
        obj.insert("one_time_code".into(), code.into());
    }
    v
}

/// `POST /api/v1/users/{id}/orders`: an employee certificate for a user.
pub async fn order_for_user(
    State(s): State<AppState>,
    Caller(c): Caller,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<orgca_ra::orders::OrderRequest>,
) -> Result<Response, Problem> {
    let id = parse_id(&id, "user")?;
    let placed =
        orgca_ra::employee::order_for_user(&s.store, &c, id, req, &s.public_base_url, None, now())
            .await?;
    Ok((StatusCode::CREATED, Json(placed_json(placed))).into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UserPickup {
    csr: Option<String>,
    #[serde(default)]
    pkcs12: bool,
}

/// `POST /api/v1/orders/{id}/pickup`: the logged-in user picks up their certificate.
pub async fn pickup_as_user(
    State(s): State<AppState>,
    Caller(c): Caller,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<UserPickup>,
) -> Result<Response, Problem> {
    let id = parse_id(&id, "order")?;
    let ra =
        s.ra.as_ref()
            .ok_or_else(|| Problem::unavailable("this server does not issue certificates"))?;
    let source = key_source(req.csr.as_deref(), req.pkcs12)?;
    let delivered = ra
        .pickup_as_user(&c, id, source, OffsetDateTime::now_utc())
        .await?;
    Ok(Json(delivered_json(&delivered)).into_response())
}

fn issued_json(issued: &orgca_ra::Issued) -> serde_json::Value {
    let c = &issued.certificate;
    serde_json::json!({
        "certificate_id": issued.id,
        "serial": c.serial.to_string(),
        "certificate_pem": c.pem,
        "chain_pem": c.chain_pem,
    })
}
