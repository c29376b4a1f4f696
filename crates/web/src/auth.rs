//! Bearer-token authentication: an API token names one active user of one organisation.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use orgca_store::User;

use crate::{AppState, Problem};

/// The authenticated user behind a request.
pub struct Caller(pub User);

/// Tokens are 70 characters; anything much longer is not one of ours.
const MAX_TOKEN: usize = 256;

impl FromRequestParts<AppState> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= MAX_TOKEN);
        let Some(token) = token else {
            return Err(Problem::unauthorized(
                "send an API token: `Authorization: Bearer orgca_...`",
            ));
        };
        // Looked up by its SHA-256: the token itself is never stored, logged or compared.
        match state
            .store
            .tokens()
            .authenticate(orgca_ra::token_hash(token))
            .await
        {
            Ok(Some(user)) => Ok(Caller(user)),
            Ok(None) => Err(Problem::unauthorized(
                "the API token is not valid: unknown, revoked, or its user is not active",
            )),
            Err(e) => Err(Problem::internal(&e)),
        }
    }
}
