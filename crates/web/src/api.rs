//! The REST API (JSON, RFC 9457 problems), confined to the caller's organisation.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64ct::Encoding as _;
use orgca_ra::RaError;
use orgca_store::{Organisation, SettingsChange, User};
use serde::de::DeserializeOwned;
use time::OffsetDateTime;

use crate::auth::Caller;
use crate::{AppState, Problem};

/// Largest JSON body the API reads.
pub const MAX_JSON_BODY: usize = 64 * 1024;

impl From<RaError> for Problem {
    fn from(e: RaError) -> Problem {
        if !e.is_client_error() {
            return Problem::internal(&e);
        }
        let status = match &e {
            RaError::Forbidden(_)
            | RaError::Pickup {
                code: "wrong_code", ..
            } => StatusCode::FORBIDDEN,
            RaError::Pickup {
                code: "order_locked",
                ..
            } => StatusCode::LOCKED,
            RaError::Pickup {
                code: "order_expired",
                ..
            } => StatusCode::GONE,
            RaError::Pickup { .. } => StatusCode::CONFLICT,
            RaError::NotFound(_) | RaError::UnknownOrganisation(_) => StatusCode::NOT_FOUND,
            RaError::Conflict(_) => StatusCode::CONFLICT,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        Problem {
            status,
            code: e.code(),
            detail: e.to_string(),
        }
    }
}

/// A JSON request body of type `T`, read under the size limit: a body over it is a 413
/// problem, a body that is not the expected JSON a 400 problem saying what is wrong.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequest<S> for JsonBody<T> {
    type Rejection = Problem;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Problem> {
        let body = match Bytes::from_request(req, state).await {
            Ok(b) => b,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(Problem {
                    status: StatusCode::PAYLOAD_TOO_LARGE,
                    code: "body_too_large",
                    detail: format!(
                        "the request body is larger than {} KiB",
                        MAX_JSON_BODY / 1024
                    ),
                });
            }
            Err(e) => {
                return Err(Problem {
                    status: StatusCode::BAD_REQUEST,
                    code: "invalid_body",
                    detail: format!("the request body could not be read: {e}"),
                });
            }
        };
        serde_json::from_slice(&body)
            .map(JsonBody)
            .map_err(|e| Problem {
                status: StatusCode::BAD_REQUEST,
                code: "invalid_json",
                detail: format!("the request body is not the expected JSON: {e}"),
            })
    }
}

/// A list answer: `{"items": [...], "next": null}` (paging comes with search).
fn page(items: Vec<serde_json::Value>) -> Response {
    Json(serde_json::json!({"items": items, "next": null})).into_response()
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

fn organisation_json(o: &Organisation) -> serde_json::Value {
    serde_json::json!({
        "id": o.id, "cvr": o.cvr, "name": o.name, "environment": o.environment,
        "user_certificates": o.settings.user_certificates,
        "organisation_certificates": o.settings.organisation_certificates,
        "seals": o.settings.seals,
    })
}

fn user_json(u: &User) -> serde_json::Value {
    serde_json::json!({
        "id": u.id, "email": u.email, "given_name": u.given_name, "surname": u.surname,
        "role": u.role, "seal": u.seal, "status": u.status,
    })
}

/// `GET /api/v1/organisation`.
pub async fn get_organisation(
    State(s): State<AppState>,
    Caller(c): Caller,
) -> Result<Response, Problem> {
    let org = orgca_ra::caller::organisation(&s.store, &c).await?;
    Ok(Json(organisation_json(&org)).into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SettingsPatch {
    user_certificates: Option<bool>,
    organisation_certificates: Option<bool>,
    seals: Option<bool>,
}

/// `PATCH /api/v1/organisation`: switch what the organisation may use.
pub async fn patch_organisation(
    State(s): State<AppState>,
    Caller(c): Caller,
    JsonBody(p): JsonBody<SettingsPatch>,
) -> Result<Response, Problem> {
    let change = SettingsChange {
        user_certificates: p.user_certificates,
        organisation_certificates: p.organisation_certificates,
        seals: p.seals,
    };
    orgca_ra::caller::change_settings(&s.store, &c, change, now()).await?;
    let org = orgca_ra::caller::organisation(&s.store, &c).await?;
    Ok(Json(organisation_json(&org)).into_response())
}

/// `GET /api/v1/users`.
pub async fn list_users(State(s): State<AppState>, Caller(c): Caller) -> Result<Response, Problem> {
    let users = orgca_ra::caller::users(&s.store, &c).await?;
    let items: Vec<_> = users.iter().map(user_json).collect();
    Ok(page(items))
}

/// `POST /api/v1/users`.
pub async fn create_user(
    State(s): State<AppState>,
    Caller(c): Caller,
    JsonBody(req): JsonBody<orgca_ra::caller::NewUserRequest>,
) -> Result<Response, Problem> {
    let user = orgca_ra::caller::create_user(&s.store, &c, &req, now()).await?;
    Ok((StatusCode::CREATED, Json(user_json(&user))).into_response())
}

/// `GET /api/v1/users/{id}`: an id that is not a UUID, or not of the caller's
/// organisation, is a 404 alike.
pub async fn get_user(
    State(s): State<AppState>,
    Caller(c): Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let user = orgca_ra::caller::user(&s.store, &c, parse_id(&id, "user")?).await?;
    Ok(Json(user_json(&user)).into_response())
}

fn profile_json(p: &orgca_store::Profile) -> serde_json::Value {
    serde_json::json!({
        "id": p.id, "kind": p.kind, "name": p.name, "email": p.email,
        "contact": {"name": p.contact_name, "email": p.contact_email},
        "allow_signing": p.allow_signing, "publish": p.publish,
    })
}

fn parse_id(id: &str, what: &'static str) -> Result<uuid::Uuid, Problem> {
    uuid::Uuid::parse_str(id)
        .map_err(|_| Problem::not_found(format!("no such {what} in your organisation")))
}

/// `GET /api/v1/profiles`.
pub async fn list_profiles(
    State(s): State<AppState>,
    Caller(c): Caller,
) -> Result<Response, Problem> {
    let items: Vec<_> = orgca_ra::caller::profiles(&s.store, &c)
        .await?
        .iter()
        .map(profile_json)
        .collect();
    Ok(page(items))
}

/// `POST /api/v1/profiles`.
pub async fn create_profile(
    State(s): State<AppState>,
    Caller(c): Caller,
    JsonBody(req): JsonBody<orgca_ra::caller::ProfileRequest>,
) -> Result<Response, Problem> {
    let p = orgca_ra::caller::create_profile(&s.store, &c, &req, now()).await?;
    Ok((StatusCode::CREATED, Json(profile_json(&p))).into_response())
}

/// `GET /api/v1/profiles/{id}`.
pub async fn get_profile(
    State(s): State<AppState>,
    Caller(c): Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let p = orgca_ra::caller::profile(&s.store, &c, parse_id(&id, "profile")?).await?;
    Ok(Json(profile_json(&p)).into_response())
}

/// `PATCH /api/v1/profiles/{id}`.
pub async fn patch_profile(
    State(s): State<AppState>,
    Caller(c): Caller,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<orgca_ra::caller::ProfilePatch>,
) -> Result<Response, Problem> {
    let id = parse_id(&id, "profile")?;
    let p = orgca_ra::caller::change_profile(&s.store, &c, id, &patch, now()).await?;
    Ok(Json(profile_json(&p)).into_response())
}

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

fn placed_json(placed: orgca_ra::orders::Placed) -> serde_json::Value {
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

/// `PATCH /api/v1/users/{id}`: role, seal right, status.
pub async fn patch_user(
    State(s): State<AppState>,
    Caller(c): Caller,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<orgca_ra::caller::UserPatch>,
) -> Result<Response, Problem> {
    let id = parse_id(&id, "user")?;
    let user = orgca_ra::caller::change_user(&s.store, &c, id, &patch, now()).await?;
    Ok(Json(user_json(&user)).into_response())
}
