//! Bearer-token authentication, through the RA. A user's API token names one active
//! user of one organisation. An operator token acts for any organisation, but for one per
//! request, named by CVR in the `Orgca-Organisation` header, as an organisation
//! administrator of it: the RA's [`orgca_ra::Caller`] carries that one organisation.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use orgca_ra::TokenRefused;

use crate::{AppState, Problem};

/// The header an operator token names its organisation in.
pub const ORGANISATION_HEADER: &str = "orgca-organisation";

/// The authenticated caller behind a request.
pub struct Caller(pub orgca_ra::Caller);

impl FromRequestParts<AppState> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let header = |name| parts.headers.get(name).and_then(|v| v.to_str().ok());
        let token = header(AUTHORIZATION.as_str()).and_then(|h| h.strip_prefix("Bearer "));
        match state
            .ra
            .authenticate_token(token, header(ORGANISATION_HEADER))
            .await
        {
            Ok(caller) => Ok(Caller(caller)),
            Err(e @ (TokenRefused::Missing | TokenRefused::NotValid)) => {
                Err(Problem::unauthorized(e.to_string()))
            }
            Err(e @ TokenRefused::OrganisationRequired) => Err(Problem {
                status: StatusCode::BAD_REQUEST,
                code: "organisation_required",
                detail: e.to_string(),
            }),
            Err(e @ TokenRefused::UnknownOrganisation(_)) => Err(Problem::not_found(e.to_string())),
            Err(e @ TokenRefused::Store(_)) => Err(Problem::internal(&e)),
        }
    }
}
