//! `/Users`: list (with an `eq` filter and paging), create, read, replace, patch and
//! delete, each through the RA as the organisation's directory. Deactivating or deleting
//! a user off-boards them; the status service is woken at once, so that CRLs and OCSP
//! show the blocks without waiting for the next tick.

use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use orgca_ra::provisioning::DirectoryMatch;
use serde::Deserialize;
use serde_json::Value;

use super::discovery::MAX_RESULTS;
use super::read::{Lookup, directory_user, document_of, field, filter, project, resource};
use super::{Directory, SEARCH_SCHEMA, ScimError, document, json_body, list};
use crate::AppState;

/// The query parameters of a list or a read (RFC 7644 3.4.2, 3.9); sorting is not
/// offered (the service provider configuration says so), and its parameters are ignored
/// as RFC 7644 3.4.2.3 allows.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(super) struct Params {
    filter: Option<String>,
    start_index: Option<String>,
    count: Option<String>,
    attributes: Option<String>,
    excluded_attributes: Option<String>,
}

impl Params {
    fn project(&self, resource: Value) -> Value {
        project(
            resource,
            self.attributes.as_deref(),
            self.excluded_attributes.as_deref(),
        )
    }
}

/// A paging number (`name`): absent is the default; RFC 7644 3.4.2.4 says values below
/// 1 are read as 1 (`startIndex`) and 0 (`count`); anything but an integer is refused.
fn number(value: Option<&str>, name: &str, default: i64) -> Result<i64, ScimError> {
    value.map_or(Ok(default), |v| {
        v.trim().parse::<i64>().map_err(|_| {
            ScimError::bad(
                "invalidValue",
                format!("{name} must be an integer, not {v:?}"),
            )
        })
    })
}

fn base(state: &AppState) -> &str {
    &state.ra.order_policy().public_base_url
}

fn user_id(id: &str) -> Result<uuid::Uuid, ScimError> {
    uuid::Uuid::parse_str(id).map_err(|_| ScimError::not_found(format!("no user {id}")))
}

pub(super) async fn list_users(
    State(state): State<AppState>,
    Directory(p): Directory,
    Query(params): Query<Params>,
) -> Result<Response, ScimError> {
    listing(&state, &p, &params).await
}

/// A search by POST (RFC 7644 3.4.3), at `/Users/.search` or at the root: orgca has one
/// resource type, so both search users.
pub(super) async fn search(
    State(state): State<AppState>,
    Directory(p): Directory,
    req: Request,
) -> Result<Response, ScimError> {
    let doc = json_body(req).await?;
    let object = document_of(&doc, "a SearchRequest", SEARCH_SCHEMA)?;
    // The same parameters as a list's query string: lists of names joined by commas.
    let text = |name: &str| -> Option<String> {
        match field(object, name)? {
            Value::Array(names) => Some(
                names
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let params = Params {
        filter: text("filter"),
        start_index: text("startIndex"),
        count: text("count"),
        attributes: text("attributes"),
        excluded_attributes: text("excludedAttributes"),
    };
    listing(&state, &p, &params).await
}

async fn listing(
    state: &AppState,
    p: &orgca_ra::provisioning::Provisioner,
    params: &Params,
) -> Result<Response, ScimError> {
    let start = number(params.start_index.as_deref(), "startIndex", 1)?.max(1);
    let count = number(params.count.as_deref(), "count", MAX_RESULTS)?.clamp(0, MAX_RESULTS);
    let lookup = params.filter.as_deref().map(filter).transpose()?;
    let (total, users) = match &lookup {
        Some(Lookup::Id(id)) => match uuid::Uuid::parse_str(id) {
            Ok(id) => match state.ra.directory_user(p, id).await {
                Ok(u) => (
                    1,
                    if start == 1 && count > 0 {
                        vec![u]
                    } else {
                        Vec::new()
                    },
                ),
                Err(orgca_ra::RaError::NotFound(_)) => (0, Vec::new()),
                Err(e) => return Err(e.into()),
            },
            Err(_) => (0, Vec::new()),
        },
        other => {
            let matching = match other {
                Some(Lookup::UserName(v)) => DirectoryMatch::UserName(v),
                Some(Lookup::ExternalId(v)) => DirectoryMatch::ExternalId(v),
                _ => DirectoryMatch::All,
            };
            state
                .ra
                .directory_users(p, matching, start - 1, count)
                .await?
        }
    };
    let resources = users
        .iter()
        .map(|u| params.project(resource(u, base(state))))
        .collect();
    Ok(document(StatusCode::OK, &list(total, start, resources)))
}

pub(super) async fn get(
    State(state): State<AppState>,
    Directory(p): Directory,
    Path(id): Path<String>,
    Query(params): Query<Params>,
) -> Result<Response, ScimError> {
    let user = state.ra.directory_user(&p, user_id(&id)?).await?;
    Ok(document(
        StatusCode::OK,
        &params.project(resource(&user, base(&state))),
    ))
}

pub(super) async fn create(
    State(state): State<AppState>,
    Directory(p): Directory,
    req: Request,
) -> Result<Response, ScimError> {
    let doc = json_body(req).await?;
    let wanted = directory_user(&doc)?;
    let user = state.ra.provision(&p, &wanted, state.now()).await?;
    let body = resource(&user, base(&state));
    let mut resp = document(StatusCode::CREATED, &body);
    if let Some(Ok(location)) = body["meta"]["location"].as_str().map(HeaderValue::from_str) {
        resp.headers_mut().insert(header::LOCATION, location);
    }
    Ok(resp)
}

pub(super) async fn replace(
    State(state): State<AppState>,
    Directory(p): Directory,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, ScimError> {
    let id = user_id(&id)?;
    let doc = json_body(req).await?;
    let wanted = directory_user(&doc)?;
    write(&state, &p, id, &wanted).await
}

pub(super) async fn patch(
    State(state): State<AppState>,
    Directory(p): Directory,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, ScimError> {
    let id = user_id(&id)?;
    let request = json_body(req).await?;
    let user = state.ra.directory_user(&p, id).await?;
    let mut doc = resource(&user, base(&state));
    super::patch::apply(&mut doc, &request)?;
    let wanted = directory_user(&doc)?;
    write(&state, &p, id, &wanted).await
}

/// Writes what the directory says of a user and answers the user as they now are.
async fn write(
    state: &AppState,
    p: &orgca_ra::provisioning::Provisioner,
    id: uuid::Uuid,
    wanted: &orgca_ra::provisioning::DirectoryUser,
) -> Result<Response, ScimError> {
    let user = state.ra.reprovision(p, id, wanted, state.now()).await?;
    if user.status.has_ended() {
        state.status_changed.notify_waiters();
    }
    Ok(document(StatusCode::OK, &resource(&user, base(state))))
}

pub(super) async fn remove(
    State(state): State<AppState>,
    Directory(p): Directory,
    Path(id): Path<String>,
) -> Result<Response, ScimError> {
    let done = state.ra.deprovision(&p, user_id(&id)?, state.now()).await?;
    if !done.blocked.is_empty() {
        state.status_changed.notify_waiters();
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
