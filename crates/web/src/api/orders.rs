//! Orders, pick-up and e-mail validation.

use crate::api::requests::{ProfileOrderRequest, UserOrderRequest};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use orgca_ra::delivery::KeySource;

use super::openapi::Problems;
use super::views::{DeliveredView, OrderView, ValidationView};
use super::{JsonBody, parse_id};
use crate::auth::Caller;
use crate::client::ClientAddress;
use crate::{AppState, Problem};

/// Orders an organisation or system certificate for a profile (administrators). The
/// answer carries the one-time code, once; the contact person is mailed the reference.
#[utoipa::path(post, path = "/api/v1/profiles/{id}/orders", tag = "orders",
    security(("bearer" = [])), params(("id" = String, Path, description = "The profile's id")),
    request_body = ProfileOrderRequest,
    responses((status = 201, description = "The order placed; its one-time code is shown this once", body = OrderView), Problems))]
pub async fn order_for_profile(
    State(s): State<AppState>,
    Caller(c): Caller,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ProfileOrderRequest>,
) -> Result<(StatusCode, Json<OrderView>), Problem> {
    let (id, now) = (parse_id(&id, "profile")?, s.now());
    let placed =
        s.ra.order_for_profile(&c, id, req.into(), None, now)
            .await?;
    Ok((StatusCode::CREATED, Json(OrderView::placed(placed, now))))
}

/// Orders an employee certificate for an active user (administrators); the user picks
/// it up after logging in.
#[utoipa::path(post, path = "/api/v1/users/{id}/orders", tag = "orders",
    security(("bearer" = [])), params(("id" = String, Path, description = "The user's id")),
    request_body = UserOrderRequest,
    responses((status = 201, description = "The order placed", body = OrderView), Problems))]
pub async fn order_for_user(
    State(s): State<AppState>,
    Caller(c): Caller,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<UserOrderRequest>,
) -> Result<(StatusCode, Json<OrderView>), Problem> {
    let (id, now) = (parse_id(&id, "user")?, s.now());
    let placed = s.ra.order_for_user(&c, id, req.into(), None, now).await?;
    Ok((StatusCode::CREATED, Json(OrderView::placed(placed, now))))
}

/// One order (never with its code).
#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders",
    security(("bearer" = [])), params(("id" = String, Path, description = "The order's id")),
    responses((status = 200, description = "The order", body = OrderView), Problems))]
pub async fn get_order(
    State(s): State<AppState>,
    Caller(c): Caller,
    Path(id): Path<String>,
) -> Result<Json<OrderView>, Problem> {
    let o = s.ra.order(&c, parse_id(&id, "order")?).await?;
    Ok(Json(OrderView::at(&o, s.now())))
}

/// Cancels an order that has not been picked up (administrators).
#[utoipa::path(post, path = "/api/v1/orders/{id}/cancel", tag = "orders",
    security(("bearer" = [])), params(("id" = String, Path, description = "The order's id")),
    responses((status = 200, description = "The order, cancelled", body = OrderView), Problems))]
pub async fn cancel_order(
    State(s): State<AppState>,
    Caller(c): Caller,
    Path(id): Path<String>,
) -> Result<Json<OrderView>, Problem> {
    let now = s.now();
    let o = s.ra.cancel(&c, parse_id(&id, "order")?, now).await?;
    Ok(Json(OrderView::at(&o, now)))
}

/// A pick-up with the order's reference and one-time code: with `csr` (PEM), or with
/// `"pkcs12": true` for a key made by orgca.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PickupRequest {
    /// The order's reference.
    reference: String,
    /// The one-time code the administrator passed on.
    one_time_code: String,
    /// A PKCS#10 request, PEM.
    csr: Option<String>,
    /// Ask for a PKCS#12 with a key made by orgca instead.
    #[serde(default)]
    pkcs12: bool,
}

impl utoipa::PartialSchema for PickupRequest {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        super::schema::pickup(&[
            ("reference", "The order's reference."),
            (
                "one_time_code",
                "The one-time code the administrator passed on.",
            ),
        ])
        .into()
    }
}

impl utoipa::ToSchema for PickupRequest {}

/// The logged-in user's pick-up: `csr` (PEM) or `"pkcs12": true`, as the order asks.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserPickup {
    /// A PKCS#10 request, PEM.
    csr: Option<String>,
    /// Ask for a PKCS#12 with a key made by orgca instead.
    #[serde(default)]
    pkcs12: bool,
}

impl utoipa::PartialSchema for UserPickup {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        super::schema::pickup(&[]).into()
    }
}

impl utoipa::ToSchema for UserPickup {}

/// What a pick-up brings: a CSR, or `"pkcs12": true` for a key made by orgca.
fn key_source(csr: Option<&str>, pkcs12: bool) -> Result<KeySource<'_>, Problem> {
    match (csr, pkcs12) {
        (Some(c), false) => Ok(KeySource::Csr(c.as_bytes())),
        (None, true) => Ok(KeySource::Pkcs12),
        _ => Err(Problem {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_request",
            detail: "send either `csr` (PEM) or `\"pkcs12\": true`, as the order asks".into(),
        }),
    }
}

/// Picks up a certificate without logging in: the reference and the one-time code
/// identify. A PKCS#12 and its password are shown once; five wrong codes lock the order.
#[utoipa::path(post, path = "/api/v1/pickup", tag = "orders",
    request_body = PickupRequest,
    responses((status = 200, description = "The certificate delivered (a PKCS#12's password is shown this once)", body = DeliveredView), Problems))]
pub async fn pickup(
    State(s): State<AppState>,
    client: ClientAddress,
    JsonBody(req): JsonBody<PickupRequest>,
) -> Result<Json<DeliveredView>, Response> {
    let now = s.now();
    s.failures
        .check(client, now)
        .map_err(IntoResponse::into_response)?;
    let source = key_source(req.csr.as_deref(), req.pkcs12).map_err(IntoResponse::into_response)?;
    let delivered =
        s.ra.pickup_with_code(&req.reference, &req.one_time_code, source, now)
            .await
            .map_err(|e| {
                if e.is_wrong_code() {
                    s.failures.failed(client, now);
                }
                Problem::from(e).into_response()
            })?;
    Ok(Json((&delivered).into()))
}

/// The logged-in user picks up their employee certificate.
#[utoipa::path(post, path = "/api/v1/orders/{id}/pickup", tag = "orders",
    security(("bearer" = [])), params(("id" = String, Path, description = "The order's id")),
    request_body = UserPickup,
    responses((status = 200, description = "The certificate delivered (a PKCS#12's password is shown this once)", body = DeliveredView), Problems))]
pub async fn pickup_as_user(
    State(s): State<AppState>,
    Caller(c): Caller,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<UserPickup>,
) -> Result<Json<DeliveredView>, Problem> {
    let id = parse_id(&id, "order")?;
    let source = key_source(req.csr.as_deref(), req.pkcs12)?;
    let delivered = s.ra.pickup_as_user(&c, id, source, s.now()).await?;
    Ok(Json((&delivered).into()))
}

/// Confirms an e-mail address with the token mailed to it (no login: the token proves
/// the address); orders waiting for it become ready.
#[utoipa::path(post, path = "/api/v1/email-validations/{token}", tag = "orders",
    params(("token" = String, Path, description = "The token from the mail")),
    responses((status = 200, description = "The address is confirmed", body = ValidationView), Problems))]
pub async fn confirm_email(
    State(s): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<ValidationView>, Problem> {
    let c = s.ra.confirm_email(&token, s.now()).await?;
    Ok(Json(ValidationView {
        email: c.email,
        orders_ready: c.orders_ready,
    }))
}
