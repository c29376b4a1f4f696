//! SCIM 2.0 (RFC 7643, RFC 7644) under `/scim/v2`: the organisation's directory (Entra
//! ID, Okta, any SCIM client) provisions its users with a provisioning token. Only the
//! `User` resource is served, and the discovery documents (`/ServiceProviderConfig`,
//! `/ResourceTypes`, `/Schemas`) describe exactly what is: the attributes orgca keeps,
//! PATCH, and `eq` filters on `userName`, `externalId` and `id` (by GET or by POST
//! `.search`); no bulk, sort, ETags or
//! groups.
//!
//! Errors are SCIM error documents (`urn:ietf:params:scim:api:messages:2.0:Error`) with
//! the status as a string and, where RFC 7644 3.12 names one, a `scimType`. A wrong token
//! counts against the client's address like a wrong API token; a token makes at most
//! [`SCIM_REQUESTS_PER_MINUTE`] requests a minute (on each node).

mod discovery;
mod patch;
mod read;
mod users;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use orgca_ra::{RaError, TokenRefused};
use serde_json::{Value, json};

use crate::client::ClientAddress;
use crate::{AppState, Problem};

/// The media type of every SCIM document (RFC 7644 3.1); requests may also be plain
/// `application/json`.
pub(crate) const MEDIA_TYPE: &str = "application/scim+json";
pub(crate) const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const PATCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const SEARCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

/// Requests one provisioning token may make in a minute: a directory's full sync of a
/// large organisation runs at this pace at most, and a runaway client cannot take the
/// whole service.
pub const SCIM_REQUESTS_PER_MINUTE: u32 = 1200;

/// Largest request body read (a user is well under 4 KiB).
const MAX_BODY: usize = 64 * 1024;

/// The SCIM endpoints, to be nested under `/scim/v2`.
pub(crate) fn router() -> axum::Router<AppState> {
    let read_only = |h: axum::routing::MethodRouter<AppState>| {
        h.post(method_not_allowed)
            .put(method_not_allowed)
            .patch(method_not_allowed)
            .delete(method_not_allowed)
    };
    axum::Router::new()
        .route(
            "/ServiceProviderConfig",
            read_only(get(discovery::service_provider_config)),
        )
        .route("/ResourceTypes", read_only(get(discovery::resource_types)))
        .route("/ResourceTypes/{id}", get(discovery::resource_type))
        .route("/Schemas", read_only(get(discovery::schemas)))
        .route("/Schemas/{id}", get(discovery::schema))
        .route("/Users", get(users::list_users).post(users::create))
        .route(
            "/Users/{id}",
            get(users::get)
                .put(users::replace)
                .patch(users::patch)
                .delete(users::remove),
        )
        .route("/.search", post(users::search))
        .route("/Users/.search", post(users::search))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

/// A SCIM error document.
#[derive(Debug)]
pub(crate) struct ScimError {
    status: StatusCode,
    scim_type: Option<&'static str>,
    detail: String,
    retry_after: Option<HeaderValue>,
}

impl ScimError {
    /// 400 with a `scimType` (RFC 7644 table 9).
    pub(crate) fn bad(scim_type: &'static str, detail: impl Into<String>) -> ScimError {
        ScimError {
            status: StatusCode::BAD_REQUEST,
            scim_type: Some(scim_type),
            detail: detail.into(),
            retry_after: None,
        }
    }

    fn status(status: StatusCode, detail: impl Into<String>) -> ScimError {
        ScimError {
            status,
            scim_type: None,
            detail: detail.into(),
            retry_after: None,
        }
    }

    pub(crate) fn not_found(detail: impl Into<String>) -> ScimError {
        ScimError::status(StatusCode::NOT_FOUND, detail)
    }
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        let mut body = json!({
            "schemas": [ERROR_SCHEMA],
            "status": self.status.as_u16().to_string(),
            "detail": self.detail,
        });
        if let Some(t) = self.scim_type {
            body["scimType"] = json!(t);
        }
        let mut resp = document(self.status, &body);
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(wait) = self.retry_after {
            resp.headers_mut().insert(header::RETRY_AFTER, wait);
        }
        resp
    }
}

/// The RA's refusals as SCIM errors: the same statuses as the REST API, but a value the
/// RA refuses is a 400 `invalidValue` (SCIM has no 422) and a taken address or id a 409
/// `uniqueness`.
impl From<RaError> for ScimError {
    fn from(e: RaError) -> ScimError {
        let conflict = matches!(e, RaError::Conflict(_));
        let problem = Problem::from(e);
        let (status, scim_type) = match problem.status {
            StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => {
                (StatusCode::BAD_REQUEST, Some("invalidValue"))
            }
            StatusCode::CONFLICT if conflict => (StatusCode::CONFLICT, Some("uniqueness")),
            s => (s, None),
        };
        ScimError {
            status,
            scim_type,
            detail: problem.detail,
            retry_after: None,
        }
    }
}

/// A SCIM document with its media type.
pub(crate) fn document(status: StatusCode, body: &Value) -> Response {
    let mut resp = (status, body.to_string()).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(MEDIA_TYPE));
    resp
}

/// A list response (RFC 7644 3.4.2).
pub(crate) fn list(total: i64, start_index: i64, resources: Vec<Value>) -> Value {
    json!({
        "schemas": [LIST_SCHEMA],
        "totalResults": total,
        "startIndex": start_index,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

async fn not_found() -> ScimError {
    ScimError::not_found(
        "no such SCIM endpoint: orgca serves /Users, /ServiceProviderConfig, /ResourceTypes and /Schemas",
    )
}

async fn method_not_allowed() -> ScimError {
    ScimError::status(
        StatusCode::METHOD_NOT_ALLOWED,
        "this SCIM endpoint does not take that method",
    )
}

/// The directory behind the request's provisioning token.
pub(crate) struct Directory(pub orgca_ra::provisioning::Provisioner);

impl FromRequestParts<AppState> for Directory {
    type Rejection = ScimError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ScimError> {
        let Ok(client) = ClientAddress::from_request_parts(parts, state).await;
        let now = state.now();
        // An address past its wrong tries is refused before its token is looked at.
        state.failures.check(client, now).map_err(|t| ScimError {
            retry_after: Some(t.retry_after()),
            ..ScimError::status(StatusCode::TOO_MANY_REQUESTS, t.detail())
        })?;
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(crate::auth::bearer_token);
        match state.ra.authenticate_provisioner(token).await {
            Ok(p) => match state.scim_requests.count(p.token_id(), now) {
                Ok(()) => Ok(Directory(p)),
                Err(wait) => Err(ScimError {
                    retry_after: Some(HeaderValue::from(wait)),
                    ..ScimError::status(
                        StatusCode::TOO_MANY_REQUESTS,
                        format!(
                            "more than {SCIM_REQUESTS_PER_MINUTE} requests in a minute with this \
                             provisioning token: try again in {wait} seconds"
                        ),
                    )
                }),
            },
            Err(TokenRefused::Missing) => Err(ScimError::status(
                StatusCode::UNAUTHORIZED,
                "send the organisation's provisioning token: `Authorization: Bearer orgca_scim_...` \
                 (the operator makes one with `orgca scim token create`)",
            )),
            Err(TokenRefused::Store(e)) if e.is_unavailable() => Err(ScimError::status(
                StatusCode::SERVICE_UNAVAILABLE,
                "the database does not answer; try again shortly",
            )),
            Err(TokenRefused::Store(e)) => {
                let p = Problem::internal(&e);
                Err(ScimError::status(p.status, p.detail))
            }
            Err(_) => {
                state.failures.failed(client, now);
                Err(ScimError::status(
                    StatusCode::UNAUTHORIZED,
                    "the provisioning token is not valid: unknown or revoked",
                ))
            }
        }
    }
}

/// A request body as JSON, under the size limit.
pub(crate) async fn json_body(req: axum::extract::Request) -> Result<Value, ScimError> {
    let body = crate::api::read_body(req, &(), MAX_BODY)
        .await
        .map_err(|p| ScimError::status(p.status, p.detail))?;
    serde_json::from_slice(&body).map_err(|e| {
        ScimError::bad(
            "invalidSyntax",
            format!("the request body is not a JSON document: {e}"),
        )
    })
}
