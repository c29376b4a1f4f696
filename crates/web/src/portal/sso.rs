//! Logging in through the organisation's identity provider: `GET /portal/login/sso`
//! sends the browser there (with the login's state in a cookie of its own), and
//! `GET /portal/login/sso/back/{cvr}` is where the provider sends it back.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use orgca_ra::sso::SsoReturn;
use orgca_ra::{LoginRefusal, RaError};
use serde::Deserialize;

use super::login::{Typed, login_page, refusal_text};
use super::{Chrome, FORM_COOKIE, Lang, SESSION_COOKIE, cookie, fault, render, set_cookie};
use crate::AppState;
use crate::client::ClientAddress;
use crate::portal::text::Texts;

/// The cookie that carries a login's state to the provider and back. SameSite=Lax (not
/// Strict like the portal's others): the browser comes back from another site, on a
/// top-level GET, and must bring it.
const SSO_COOKIE: &str = "orgca_sso";
/// The cookie's path: the start and return addresses see it, no other page.
const SSO_COOKIE_PATH: &str = "/portal/login/sso";

#[derive(Template)]
#[template(path = "logged_in.html")]
struct LoggedIn {
    t: &'static Texts,
    chrome: Option<Chrome>,
    section: &'static str,
    notice: Option<String>,
    error: Option<String>,
}

/// `?organisation=CVR`.
#[derive(Deserialize)]
pub(crate) struct StartQuery {
    #[serde(default)]
    organisation: String,
}

/// What the provider sends back (RFC 6749 4.1.2 and 4.1.2.1, RFC 9207).
#[derive(Deserialize)]
pub(crate) struct BackQuery {
    #[serde(default)]
    state: String,
    iss: Option<String>,
    code: Option<String>,
    error: Option<String>,
}

fn sso_cookie(value: &str, max_age: i64) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{SSO_COOKIE}={value}; Path={SSO_COOKIE_PATH}; HttpOnly; SameSite=Lax; Max-Age={max_age}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("orgca_invalid=; Max-Age=0"))
}

fn refused(t: &'static Texts, e: &RaError, status: StatusCode) -> Response {
    match e {
        RaError::LoginRefused(why) => {
            let status = if *why == LoginRefusal::TooMany {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                status
            };
            let mut resp = login_page(
                t,
                status,
                None,
                Some(refusal_text(t, *why).into()),
                Typed::default(),
            );
            resp.headers_mut()
                .append(header::SET_COOKIE, sso_cookie("", 0));
            resp
        }
        e => fault(t, e),
    }
}

/// `GET /portal/login/sso?organisation=CVR`: off to the organisation's provider.
///
/// Only a navigation the person made starts a login: one that another site set off (a
/// link, an image, a frame; the browser says so in `Sec-Fetch-Site`) is sent to the
/// organisation's login page instead, so that no other site can fill the login table or
/// spend the client address's allowance of started logins.
pub(crate) async fn start(
    Lang(t): Lang,
    State(state): State<AppState>,
    headers: HeaderMap,
    client: ClientAddress,
    Query(q): Query<StartQuery>,
) -> Response {
    let cvr = q.organisation.trim();
    if cvr.is_empty() || cvr.len() > 16 || !cvr.bytes().all(|b| b.is_ascii_digit()) {
        let e = RaError::LoginRefused(LoginRefusal::NoProvider);
        return refused(t, &e, StatusCode::BAD_REQUEST);
    }
    let from_elsewhere = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|site| site != "same-origin" && site != "none");
    if from_elsewhere {
        return Redirect::to(&format!("/portal/login?organisation={cvr}")).into_response();
    }
    match state
        .ra
        .begin_sso(cvr, &client.0.to_string(), state.now())
        .await
    {
        Ok(start) => {
            let mut resp = Redirect::to(&start.url).into_response();
            resp.headers_mut()
                .append(header::SET_COOKIE, sso_cookie(&start.state, 600));
            resp
        }
        Err(e) => refused(t, &e, StatusCode::BAD_REQUEST),
    }
}

/// `GET /portal/login/sso/back/{cvr}?state=...&code=...`: a session and the overview,
/// or the login page saying why not.
pub(crate) async fn back(
    Lang(t): Lang,
    State(state): State<AppState>,
    headers: HeaderMap,
    client: ClientAddress,
    Path(organisation): Path<String>,
    Query(q): Query<BackQuery>,
) -> Response {
    let cookie_state = cookie(&headers, SSO_COOKIE);
    let code = match (&q.code, &q.error) {
        (Some(code), _) => Ok(code.as_str()),
        (None, error) => Err(error.as_deref().unwrap_or("no code and no error")),
    };
    let back = SsoReturn {
        organisation: &organisation,
        state: &q.state,
        issuer: q.iss.as_deref(),
        cookie_state: cookie_state.as_deref(),
        code,
    };
    let policy = *state.ra.login_policy();
    match state
        .ra
        .finish_sso(back, &client.0.to_string(), state.now())
        .await
    {
        Ok(session) => {
            // A page of the portal's own that moves on to the overview, not a redirect:
            // the browser came from another site, and a redirect would still be that
            // site's navigation, on which it withholds the session's SameSite=Strict
            // cookie.
            let mut resp = render(
                StatusCode::OK,
                &LoggedIn {
                    t,
                    chrome: None,
                    section: "",
                    notice: None,
                    error: None,
                },
            );
            let h = resp.headers_mut();
            h.append(
                header::SET_COOKIE,
                set_cookie(SESSION_COOKIE, &session.cookie, policy.session),
            );
            h.append(header::SET_COOKIE, set_cookie(FORM_COOKIE, "", 0));
            h.append(header::SET_COOKIE, sso_cookie("", 0));
            resp
        }
        Err(e) => refused(t, &e, StatusCode::UNAUTHORIZED),
    }
}
