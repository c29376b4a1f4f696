//! The portal's one mapping of RA errors to pages, and the steps every page handler
//! opens with. A page handler answers a [`Page`]: `?` on a step that cannot go on ends
//! the request with the page that says why.

// The error of these results is the answer page itself: made once, returned straight to
// axum, never carried through a loop, so boxing it would only add an allocation.
#![allow(clippy::result_large_err)]

use axum::http::StatusCode;
use axum::response::Response;
use orgca_ra::RaError;
use uuid::Uuid;

use super::text::Texts;
use super::{Chrome, message};

/// A page, or the page that ends the request early (a refusal, a missing thing, a fault).
pub(crate) type Page = Result<Response, Response>;

/// A server fault: logged with its sources, and a page that says to try again.
pub(crate) fn fault(t: &'static Texts, e: &(dyn std::error::Error + 'static)) -> Response {
    if e.downcast_ref::<RaError>()
        .is_some_and(RaError::is_unavailable)
    {
        // The database or a key token is out of reach: the person may try again soon.
        tracing::warn!(error = %crate::problem::with_sources(e), "portal request: unavailable");
        return message(
            t,
            StatusCode::SERVICE_UNAVAILABLE,
            None,
            t.server_unavailable,
        );
    }
    tracing::error!(error = %crate::problem::with_sources(e), "portal request failed");
    message(t, StatusCode::INTERNAL_SERVER_ERROR, None, t.server_error)
}

/// The not-found page, inside the session's page when there is one.
pub(crate) fn not_found(t: &'static Texts, chrome: Option<Chrome>) -> Response {
    message(t, StatusCode::NOT_FOUND, chrome, t.not_found)
}

/// The id in a path, or the not-found page: an id that is not a UUID names nothing.
pub(crate) fn parse_id(
    t: &'static Texts,
    id: &str,
    chrome: Option<&Chrome>,
) -> Result<Uuid, Response> {
    Uuid::parse_str(id).map_err(|_| not_found(t, chrome.cloned()))
}

/// A refusal's words for the page it came from; a fault ends the request with the fault
/// page.
pub(crate) fn refusal(t: &'static Texts, e: RaError) -> Result<String, Response> {
    if e.is_client_error() {
        Ok(e.to_string())
    } else {
        Err(fault(t, &e))
    }
}

/// What an RA answer means on a page.
pub(crate) trait OnPage<T> {
    /// The value; a fault ends the request with the fault page.
    fn or_fault(self, t: &'static Texts) -> Result<T, Response>;

    /// The value; a fault ends the request with the fault page and any refusal with the
    /// not-found page (for look-ups, whose only refusal is "not in your organisation").
    fn or_not_found(self, t: &'static Texts, chrome: &Chrome) -> Result<T, Response>;

    /// For an action whose refusal is shown on the page it came from: the value, or the
    /// refusal's words; a fault ends the request with the fault page.
    fn or_refusal(self, t: &'static Texts) -> Result<Result<T, String>, Response>;
}

impl<T> OnPage<T> for Result<T, RaError> {
    fn or_fault(self, t: &'static Texts) -> Result<T, Response> {
        self.map_err(|e| fault(t, &e))
    }

    fn or_not_found(self, t: &'static Texts, chrome: &Chrome) -> Result<T, Response> {
        match self {
            Ok(v) => Ok(v),
            Err(e) if e.is_client_error() => Err(not_found(t, Some(chrome.clone()))),
            Err(e) => Err(fault(t, &e)),
        }
    }

    fn or_refusal(self, t: &'static Texts) -> Result<Result<T, String>, Response> {
        match self {
            Ok(v) => Ok(Ok(v)),
            Err(e) => refusal(t, e).map(Err),
        }
    }
}
