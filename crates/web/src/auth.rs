//! Bearer-token authentication. A user's API token names one active user of one
//! organisation. An operator token acts for any organisation, but for one per request,
//! named by CVR in the `Orgca-Organisation` header, as an organisation administrator of
//! it: every call stays confined to one organisation by the store API.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use orgca_store::{OperatorToken, User};

use crate::{AppState, Problem};

/// The header an operator token names its organisation in.
pub const ORGANISATION_HEADER: &str = "orgca-organisation";

/// The authenticated caller behind a request: a user, or an operator acting as an
/// organisation administrator of the organisation the request names.
pub struct Caller(pub User);

/// Tokens are at most 73 characters; anything much longer is not one of ours.
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
        let hash = orgca_ra::token_hash(token);
        let tokens = state.store.tokens();
        if token.starts_with(orgca_ra::OPERATOR_TOKEN_PREFIX) {
            let op = tokens
                .authenticate_operator(hash)
                .await
                .map_err(|e| Problem::internal(&e))?
                .ok_or_else(not_valid)?;
            return acting_operator(parts, state, op).await.map(Caller);
        }
        match tokens.authenticate(hash).await {
            Ok(Some(user)) => Ok(Caller(user)),
            Ok(None) => Err(not_valid()),
            Err(e) => Err(Problem::internal(&e)),
        }
    }
}

fn not_valid() -> Problem {
    Problem::unauthorized("the API token is not valid: unknown, revoked, or its user is not active")
}

/// The operator as an organisation administrator of the organisation the request
/// names. The operator has no user row: its token's id stands in as the actor.
async fn acting_operator(
    parts: &Parts,
    state: &AppState,
    op: OperatorToken,
) -> Result<User, Problem> {
    let cvr = parts
        .headers
        .get(ORGANISATION_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| Problem {
            status: StatusCode::BAD_REQUEST,
            code: "organisation_required",
            detail: "an operator token acts for one organisation per request: send its CVR in the `Orgca-Organisation` header".into(),
        })?;
    let org = state
        .store
        .orgs()
        .by_cvr(cvr)
        .await
        .map_err(|e| Problem::internal(&e))?
        .ok_or_else(|| Problem::not_found(format!("no organisation with CVR {cvr:?}")))?;
    tracing::info!(operator = %op.id, name = %op.name, cvr = %org.cvr, "operator request");
    Ok(orgca_ra::caller::operator(org.id, op.id, &op.name))
}
