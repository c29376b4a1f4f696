//! Certificate profiles.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::{JsonBody, now, page, parse_id};
use crate::auth::Caller;
use crate::{AppState, Problem};

fn profile_json(p: &orgca_store::Profile) -> serde_json::Value {
    serde_json::json!({
        "id": p.id, "kind": p.kind, "name": p.name, "email": p.email,
        "contact": {"name": p.contact_name, "email": p.contact_email},
        "allow_signing": p.allow_signing, "publish": p.publish,
    })
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
