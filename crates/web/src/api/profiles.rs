//! Certificate profiles.

use crate::api::requests::{ProfilePatch, ProfileRequest};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::openapi::Problems;
use super::views::{Page, ProfileView};
use super::{JsonBody, parse_id};
use crate::auth::Caller;
use crate::{AppState, Problem};

/// The organisation's certificate profiles.
#[utoipa::path(get, path = "/api/v1/profiles", tag = "profiles",
    security(("bearer" = [])),
    responses((status = 200, description = "A page of the organisation's profiles", body = Page<ProfileView>), Problems))]
pub async fn list_profiles(
    State(s): State<AppState>,
    Caller(c): Caller,
) -> Result<Json<Page<ProfileView>>, Problem> {
    let profiles = s.ra.profiles(&c).await?;
    Ok(Json(Page::all(
        profiles.iter().map(ProfileView::from).collect(),
    )))
}

/// Creates a profile (administrators); its name is unique in the organisation, whatever
/// the case.
#[utoipa::path(post, path = "/api/v1/profiles", tag = "profiles",
    security(("bearer" = [])), request_body = ProfileRequest,
    responses((status = 201, description = "The profile created", body = ProfileView), Problems))]
pub async fn create_profile(
    State(s): State<AppState>,
    Caller(c): Caller,
    JsonBody(req): JsonBody<ProfileRequest>,
) -> Result<(StatusCode, Json<ProfileView>), Problem> {
    let p = s.ra.create_profile(&c, &req.into(), s.now()).await?;
    Ok((StatusCode::CREATED, Json((&p).into())))
}

/// One profile.
#[utoipa::path(get, path = "/api/v1/profiles/{id}", tag = "profiles",
    security(("bearer" = [])), params(("id" = String, Path, description = "The profile's id")),
    responses((status = 200, description = "The profile", body = ProfileView), Problems))]
pub async fn get_profile(
    State(s): State<AppState>,
    Caller(c): Caller,
    Path(id): Path<String>,
) -> Result<Json<ProfileView>, Problem> {
    let p = s.ra.profile(&c, parse_id(&id, "profile")?).await?;
    Ok(Json((&p).into()))
}

/// Changes a profile (administrators); the kind never changes.
#[utoipa::path(patch, path = "/api/v1/profiles/{id}", tag = "profiles",
    security(("bearer" = [])), params(("id" = String, Path, description = "The profile's id")),
    request_body = ProfilePatch,
    responses((status = 200, description = "The profile, changed", body = ProfileView), Problems))]
pub async fn patch_profile(
    State(s): State<AppState>,
    Caller(c): Caller,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<ProfilePatch>,
) -> Result<Json<ProfileView>, Problem> {
    let id = parse_id(&id, "profile")?;
    let p = s.ra.change_profile(&c, id, &patch.into(), s.now()).await?;
    Ok(Json((&p).into()))
}
