//! The organisation and its users.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use orgca_store::{Organisation, SettingsChange, User};

use super::{JsonBody, now, page, parse_id};
use crate::auth::Caller;
use crate::{AppState, Problem};

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
