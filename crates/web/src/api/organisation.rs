//! The organisation and its users.

use crate::api::requests::{NewUserRequest, UserPatch};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use orgca_model::SettingsChange;

use super::openapi::Problems;
use super::views::{OrganisationView, Page, UserView};
use super::{JsonBody, parse_id};
use crate::auth::Caller;
use crate::{AppState, Problem};

/// The caller's organisation.
#[utoipa::path(get, path = "/api/v1/organisation", tag = "organisation",
    security(("bearer" = [])),
    responses((status = 200, description = "The caller's organisation", body = OrganisationView), Problems))]
pub async fn get_organisation(
    State(s): State<AppState>,
    Caller(c): Caller,
) -> Result<Json<OrganisationView>, Problem> {
    let org = s.ra.organisation(&c).await?;
    Ok(Json((&org).into()))
}

/// What an organisation administrator switches on or off; absent fields stay.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    /// Employee certificates may be ordered.
    user_certificates: Option<bool>,
    /// Organisation and system certificates may be ordered.
    organisation_certificates: Option<bool>,
    /// Users may hold the seal right.
    seals: Option<bool>,
}

/// Switches what the organisation may use (organisation administrators).
#[utoipa::path(patch, path = "/api/v1/organisation", tag = "organisation",
    security(("bearer" = [])), request_body = SettingsPatch,
    responses((status = 200, description = "The organisation, changed", body = OrganisationView), Problems))]
pub async fn patch_organisation(
    State(s): State<AppState>,
    Caller(c): Caller,
    JsonBody(p): JsonBody<SettingsPatch>,
) -> Result<Json<OrganisationView>, Problem> {
    let change = SettingsChange {
        user_certificates: p.user_certificates,
        organisation_certificates: p.organisation_certificates,
        seals: p.seals,
    };
    s.ra.change_settings(&c, change, s.now()).await?;
    let org = s.ra.organisation(&c).await?;
    Ok(Json((&org).into()))
}

/// The organisation's users (administrators).
#[utoipa::path(get, path = "/api/v1/users", tag = "organisation",
    security(("bearer" = [])),
    responses((status = 200, description = "A page of the organisation's users", body = Page<UserView>), Problems))]
pub async fn list_users(
    State(s): State<AppState>,
    Caller(c): Caller,
) -> Result<Json<Page<UserView>>, Problem> {
    let users = s.ra.users(&c).await?;
    Ok(Json(Page::all(users.iter().map(UserView::from).collect())))
}

/// Creates a user (administrators; only an organisation administrator creates another).
#[utoipa::path(post, path = "/api/v1/users", tag = "organisation",
    security(("bearer" = [])), request_body = NewUserRequest,
    responses((status = 201, description = "The user created", body = UserView), Problems))]
pub async fn create_user(
    State(s): State<AppState>,
    Caller(c): Caller,
    JsonBody(req): JsonBody<NewUserRequest>,
) -> Result<(StatusCode, Json<UserView>), Problem> {
    let user = s.ra.create_user(&c, &req.into(), s.now()).await?;
    Ok((StatusCode::CREATED, Json((&user).into())))
}

/// One user (administrators, or the user themself). An id that is not a UUID, or not
/// of the caller's organisation, is a 404 alike.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "organisation",
    security(("bearer" = [])), params(("id" = String, Path, description = "The user's id")),
    responses((status = 200, description = "The user", body = UserView), Problems))]
pub async fn get_user(
    State(s): State<AppState>,
    Caller(c): Caller,
    Path(id): Path<String>,
) -> Result<Json<UserView>, Problem> {
    let user = s.ra.user(&c, parse_id(&id, "user")?).await?;
    Ok(Json((&user).into()))
}

/// Changes a user's role, seal right or status (administrators; nobody their own role
/// or status), or the caller's own directory opt-in (`publish`, any user, only their
/// own).
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "organisation",
    security(("bearer" = [])), params(("id" = String, Path, description = "The user's id")),
    request_body = UserPatch,
    responses((status = 200, description = "The user, changed", body = UserView), Problems))]
pub async fn patch_user(
    State(s): State<AppState>,
    Caller(c): Caller,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<UserPatch>,
) -> Result<Json<UserView>, Problem> {
    let id = parse_id(&id, "user")?;
    let user = s.ra.change_user(&c, id, &patch.into(), s.now()).await?;
    Ok(Json((&user).into()))
}
