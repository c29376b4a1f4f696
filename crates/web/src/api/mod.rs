//! The REST API (JSON, RFC 9457 problems), confined to the caller's organisation.

use axum::body::Bytes;
use axum::http::StatusCode;
use orgca_ra::{PickupRefusal, RaError};
use serde::de::DeserializeOwned;

use crate::Problem;

mod certificates;
mod openapi;
mod orders;
mod organisation;
mod profiles;
mod requests;
mod schema;
mod search_query;
mod signing;
mod views;

pub use openapi::router;
pub use signing::SIGNATURE_ID_HEADER;

/// Largest JSON body the API reads.
pub const MAX_JSON_BODY: usize = 64 * 1024;

/// The one place the API maps the RA's errors to statuses and problems.
impl From<RaError> for Problem {
    fn from(e: RaError) -> Problem {
        if e.is_unavailable() {
            // 503 with the reason's own code: `busy` is worth a retry, `no_signing_ca`
            // needs the operator.
            return Problem {
                code: e.code(),
                ..Problem::unavailable(e.to_string())
            };
        }
        if !e.is_client_error() {
            return Problem::internal(&e);
        }
        let status = match &e {
            RaError::Forbidden(_) | RaError::Pickup(PickupRefusal::WrongCode) => {
                StatusCode::FORBIDDEN
            }
            RaError::Pickup(PickupRefusal::Locked) => StatusCode::LOCKED,
            RaError::Pickup(PickupRefusal::Busy) => StatusCode::TOO_MANY_REQUESTS,
            RaError::Pickup(PickupRefusal::Expired) => StatusCode::GONE,
            RaError::Pickup(_) => StatusCode::CONFLICT,
            RaError::NotFound(_) | RaError::UnknownOrganisation(_) => StatusCode::NOT_FOUND,
            RaError::Conflict(_) | RaError::NotNow(_) => StatusCode::CONFLICT,
            RaError::LoginRefused(_) => StatusCode::UNAUTHORIZED,
            RaError::Signing(orgca_signing::SignError::TooLarge { .. }) => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            RaError::Signing(orgca_signing::SignError::Empty) => StatusCode::BAD_REQUEST,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        Problem {
            status,
            code: e.code(),
            detail: e.to_string(),
        }
    }
}

/// Reads a request body under the route's limit (`limit`, for the message): a body over
/// it is a 413 problem, one that cannot be read a 400.
pub(crate) async fn read_body<S: Send + Sync>(
    req: axum::extract::Request,
    state: &S,
    limit: usize,
) -> Result<Bytes, Problem> {
    use axum::extract::FromRequest as _;
    match Bytes::from_request(req, state).await {
        Ok(b) => Ok(b),
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(Problem {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: "body_too_large",
            detail: format!("the request body is larger than {} KiB", limit / 1024),
        }),
        Err(e) => Err(Problem {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_body",
            detail: format!("the request body could not be read: {e}"),
        }),
    }
}

/// A JSON request body of type `T`, read under the size limit: a body over it is a 413
/// problem, a body that is not the expected JSON a 400 problem saying what is wrong.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequest<S> for JsonBody<T> {
    type Rejection = Problem;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Problem> {
        let body = read_body(req, state, MAX_JSON_BODY).await?;
        serde_json::from_slice(&body)
            .map(JsonBody)
            .map_err(|e| Problem {
                status: StatusCode::BAD_REQUEST,
                code: "invalid_json",
                detail: format!("the request body is not the expected JSON: {e}"),
            })
    }
}

/// The search filters of a query string read as `Q`; a parameter that is not one of
/// them, or cannot be read, is a 400 problem naming them.
pub struct Search<Q>(
    pub orgca_ra::search::SearchParams,
    std::marker::PhantomData<Q>,
);

impl<S: Send + Sync, Q: search_query::ReadsSearch> axum::extract::FromRequestParts<S>
    for Search<Q>
{
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Problem> {
        serde_urlencoded::from_str::<Q>(parts.uri.query().unwrap_or(""))
            .map(|q| Search(q.into(), std::marker::PhantomData))
            .map_err(|e| Problem {
                status: StatusCode::BAD_REQUEST,
                code: "invalid_query",
                detail: format!(
                    "the query string cannot be read ({e}): the parameters are {}",
                    Q::NAMES
                ),
            })
    }
}

fn parse_id(id: &str, what: &'static str) -> Result<uuid::Uuid, Problem> {
    uuid::Uuid::parse_str(id)
        .map_err(|_| Problem::not_found(format!("no such {what} in your organisation")))
}
