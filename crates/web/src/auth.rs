//! Bearer-token authentication, through the RA. A user's API token names one active
//! user of one organisation. An operator token acts for any organisation, but for one per
//! request, named by CVR in the `Orgca-Organisation` header, as an organisation
//! administrator of it: the RA's [`orgca_ra::Caller`] carries that one organisation.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use orgca_ra::TokenRefused;

use crate::client::ClientAddress;
use crate::{AppState, Problem};

/// The header an operator token names its organisation in.
pub const ORGANISATION_HEADER: &str = "orgca-organisation";

/// The token of an `Authorization: Bearer TOKEN` header; the scheme's case does not
/// matter (RFC 9110, 11.1), extra blanks around the token neither.
pub(crate) fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
        .filter(|t| !t.is_empty())
}

/// The authenticated caller behind a request.
pub struct Caller(pub orgca_ra::Caller);

impl FromRequestParts<AppState> for Caller {
    /// A problem; a 429 carries `Retry-After`.
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Ok(client) = ClientAddress::from_request_parts(parts, state).await;
        let now = state.now();
        // An address past its wrong tries is refused before its token is looked at.
        state
            .failures
            .check(client, now)
            .map_err(IntoResponse::into_response)?;
        let header = |name| parts.headers.get(name).and_then(|v| v.to_str().ok());
        let token = header(AUTHORIZATION.as_str()).and_then(bearer_token);
        let refused = match state
            .ra
            .authenticate_token(token, header(ORGANISATION_HEADER))
            .await
        {
            Ok(caller) => return Ok(Caller(caller)),
            Err(e @ TokenRefused::Missing) => Problem::unauthorized(e.to_string()),
            Err(e @ TokenRefused::NotValid) => {
                state.failures.failed(client, now);
                Problem::unauthorized(e.to_string())
            }
            Err(e @ TokenRefused::OrganisationRequired) => Problem {
                status: StatusCode::BAD_REQUEST,
                code: "organisation_required",
                detail: e.to_string(),
            },
            Err(e @ TokenRefused::UnknownOrganisation(_)) => Problem::not_found(e.to_string()),
            Err(TokenRefused::Store(e)) if e.is_unavailable() => Problem {
                code: "database_unavailable",
                ..Problem::unavailable("the database does not answer; try again shortly")
            },
            Err(e @ TokenRefused::Store(_)) => Problem::internal(&e),
        };
        Err(refused.into_response())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_bearer_scheme_is_read_in_any_case() {
        for h in ["Bearer abc", "bearer abc", "BEARER  abc ", " Bearer abc"] {
            assert_eq!(super::bearer_token(h), Some("abc"), "{h:?}");
        }
        for h in ["Basic abc", "Bearer", "Bearer   ", "Bearerabc", ""] {
            assert_eq!(super::bearer_token(h), None, "{h:?}");
        }
    }
}
