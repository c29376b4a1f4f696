//! The web portal: server-rendered pages (askama) over the RA, for administrators and
//! users. Every core flow works without JavaScript; no page loads anything from
//! elsewhere, and the Content-Security-Policy forbids scripts altogether.
//!
//! Sessions live in HttpOnly, SameSite=Strict cookies (the store keeps only their
//! hash); every form that changes something carries the session's CSRF token, and the
//! forms used before a session exists (login, setting a password) carry a form token
//! matched against a cookie of their own.

mod answer;
mod downloads;
mod email;
mod list;
mod login;
mod orders;
mod origin;
mod pages;
mod pickup;
mod profiles;
mod sign;
mod sso;
pub mod text;
mod users;

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Path, Request, State};
use axum::http::StatusCode;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::request::Parts;
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use orgca_model::User;

use crate::AppState;
pub(crate) use answer::{OnPage, Page, fault, not_found, parse_id, refusal};
pub use downloads::Downloads;
use text::Texts;

/// The session cookie.
const SESSION_COOKIE: &str = "orgca_session";
/// The cookie that pairs with the token in the login and password forms.
const FORM_COOKIE: &str = "orgca_form";
/// The cookie that a pick-up's download needs: the file is for that browser only.
const DOWNLOAD_COOKIE: &str = "orgca_download";
/// The largest form body read.
const MAX_FORM: usize = 16 * 1024;

/// The portal's routes, under `/portal`.
pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/portal", get(pages::overview))
        .route("/portal/login", get(login::page).post(login::submit))
        .route("/portal/login/sso", get(sso::start))
        .route("/portal/login/sso/back/{cvr}", get(sso::back))
        .route("/portal/logout", post(login::logout))
        .route(
            "/portal/password/{token}",
            get(login::password_page_handler).post(login::password_submit),
        )
        .route("/portal/orders/new", get(orders::new))
        .route("/portal/orders", post(orders::place))
        .route("/portal/orders/{id}/pickup", post(pages::pickup_own))
        .route(
            "/portal/profiles",
            get(profiles::list).post(profiles::create),
        )
        .route(
            "/portal/profiles/{id}",
            get(profiles::show).post(profiles::save),
        )
        .route(
            "/portal/settings",
            get(profiles::settings).post(profiles::save_settings),
        )
        .route("/portal/users", get(users::list).post(users::invite))
        .route("/portal/users/{id}", post(users::change))
        .route(
            "/portal/users/{id}/password-link",
            post(users::password_link),
        )
        .route("/portal/users/{id}/order", post(users::order))
        .route("/portal/directory", post(pages::directory))
        .route(
            "/portal/sign",
            get(sign::form)
                .post(sign::submit)
                .layer(DefaultBodyLimit::max(state.ra.max_document() + MAX_FORM)),
        )
        .route("/portal/certificates", get(list::certificates))
        .route("/portal/certificates/export.csv", get(list::export))
        .route("/portal/certificates/{id}", get(pages::certificate))
        .route(
            "/portal/certificates/{id}/certificate.pem",
            get(pages::certificate_pem),
        )
        .route("/portal/certificates/{id}/block", post(pages::block))
        .route("/portal/certificates/{id}/renew", post(pages::renew))
        .route(
            "/portal/email/{token}",
            get(email::show).post(email::confirm),
        )
        .route("/portal/pickup", get(pickup::page).post(pickup::check))
        .route("/portal/pickup/confirm", post(pickup::confirm))
        .route("/portal/pickup/file/{token}", get(pickup::file))
        .route("/portal/language/{code}", get(language))
        .route("/portal/static/portal.css", get(stylesheet))
        .layer(DefaultBodyLimit::max(MAX_FORM))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            origin::same_origin_posts,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security_headers,
        ))
}

/// Headers on every portal answer: no scripts, no framing, no referrer (password links
/// carry their token in the path), nothing cached. When the portal's address is
/// `https://` (TLS in a proxy in front), cookies are `Secure` and browsers are told to
/// keep to HTTPS.
async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    if state
        .ra
        .order_policy()
        .public_base_url
        .starts_with("https://")
    {
        let cookies: Vec<HeaderValue> = h
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| HeaderValue::from_str(&format!("{v}; Secure")).ok())
            .collect();
        h.remove(header::SET_COOKIE);
        for c in cookies {
            h.append(header::SET_COOKIE, c);
        }
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/portal.css"),
    )
        .into_response()
}

/// What every page of a session shows around its content.
#[derive(Clone)]
pub(crate) struct Chrome {
    user_name: String,
    org_name: String,
    cvr: String,
    test: bool,
    admin: bool,
    org_admin: bool,
    csrf: String,
}

/// A logged-in portal user: from the session cookie; without one, the browser is sent
/// to the login page.
pub(crate) struct Session {
    /// The RA's capability for this session's user.
    caller: orgca_ra::Caller,
    /// That user, as read when the request came.
    user: User,
    csrf: String,
    cookie: String,
    t: &'static Texts,
}

impl FromRequestParts<AppState> for Session {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let t = text::for_request(&parts.headers);
        let Some(cookie) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(Redirect::to("/portal/login").into_response());
        };
        match state.ra.session(&cookie, state.now()).await {
            Ok(Some((caller, csrf))) => match caller.as_user().cloned() {
                Some(user) => Ok(Session {
                    caller,
                    user,
                    csrf,
                    cookie,
                    t,
                }),
                None => Err(Redirect::to("/portal/login").into_response()),
            },
            Ok(None) => Err(Redirect::to("/portal/login").into_response()),
            Err(e) => Err(fault(t, &e)),
        }
    }
}

/// A form of a session's page.
pub(crate) trait SessionForm {
    /// The CSRF token the form carries.
    fn csrf(&self) -> &str;
}

/// Implements [`SessionForm`] for forms with a `csrf` field.
macro_rules! session_forms {
    ($($t:ty),* $(,)?) => {
        $(impl $crate::portal::SessionForm for $t {
            fn csrf(&self) -> &str {
                &self.csrf
            }
        })*
    };
}
pub(crate) use session_forms;

/// A form posted in a session, its CSRF token checked against the session's (constant
/// time). A form without it, or one that cannot be read, is answered 403 with a page
/// that says to send it again: nothing is changed.
pub(crate) struct Posted<T> {
    pub(crate) session: Session,
    pub(crate) form: T,
}

impl<T: serde::de::DeserializeOwned + SessionForm + Send> axum::extract::FromRequest<AppState>
    for Posted<T>
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let session = Session::from_request_parts(&mut parts, state).await?;
        let form = axum::Form::<T>::from_request(Request::from_parts(parts, body), state).await;
        match form {
            Ok(axum::Form(form)) if session.csrf_ok(form.csrf()) => Ok(Posted { session, form }),
            _ => {
                let t = session.t;
                let chrome = session.chrome(state).await.ok();
                Err(message(t, StatusCode::FORBIDDEN, chrome, t.form_expired))
            }
        }
    }
}

impl Session {
    /// Whether a form's CSRF token is this session's (constant time).
    fn csrf_ok(&self, given: &str) -> bool {
        orgca_ra::login::tokens_match(&self.csrf, given)
    }

    /// The page around an administrator's page: a 403 page for anyone else.
    async fn admin_chrome(&self, state: &AppState) -> Result<Chrome, Response> {
        let t = self.t;
        let chrome = self.chrome(state).await?;
        if !self.user.role.administers_users() {
            return Err(message(
                t,
                StatusCode::FORBIDDEN,
                Some(chrome),
                t.admins_only,
            ));
        }
        Ok(chrome)
    }

    /// The page around an organisation administrator's page: a 403 page for anyone else.
    async fn org_admin_chrome(&self, state: &AppState) -> Result<Chrome, Response> {
        let t = self.t;
        let chrome = self.chrome(state).await?;
        if self.user.role != orgca_model::Role::OrgAdmin {
            return Err(message(
                t,
                StatusCode::FORBIDDEN,
                Some(chrome),
                t.org_admins_only,
            ));
        }
        Ok(chrome)
    }

    async fn chrome(&self, state: &AppState) -> Result<Chrome, Response> {
        let org = state
            .ra
            .organisation(&self.caller)
            .await
            .map_err(|e| fault(self.t, &e))?;
        Ok(Chrome {
            user_name: format!("{} {}", self.user.given_name, self.user.surname),
            org_name: org.name,
            cvr: org.cvr.to_string(),
            test: org.environment == orgca_model::Environment::Test,
            admin: self.user.role.administers_users(),
            org_admin: self.user.role == orgca_model::Role::OrgAdmin,
            csrf: self.csrf.clone(),
        })
    }
}

/// The value of cookie `name` in the request, if present and sane (hex, as orgca
/// writes them).
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A page of a pre-session form, with a fresh form token in its cookie.
pub(crate) fn with_form_token(
    status: StatusCode,
    page: impl FnOnce(String) -> Response,
) -> Response {
    let token = match orgca_ra::login::new_secret() {
        Ok(token) => token,
        Err(e) => return fault(&text::EN, &e),
    };
    let mut resp = page(token.clone());
    if resp.status() == StatusCode::OK && status != StatusCode::OK {
        *resp.status_mut() = status;
    }
    resp.headers_mut()
        .append(header::SET_COOKIE, set_cookie(FORM_COOKIE, &token, 3600));
    resp
}

/// Whether the form token sent matches the form cookie (constant time).
pub(crate) fn form_token_ok(headers: &HeaderMap, sent: &str) -> bool {
    cookie(headers, FORM_COOKIE).is_some_and(|c| orgca_ra::login::tokens_match(&c, sent))
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, for the portal's paths.
fn set_cookie(name: &str, value: &str, max_age: i64) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/portal; HttpOnly; SameSite=Strict; Max-Age={max_age}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("orgca_invalid=; Max-Age=0"))
}

/// Renders a page (a 500 page if the template fails, which is a bug).
fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a portal template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// A page with one message (errors, not found).
fn message(t: &'static Texts, status: StatusCode, chrome: Option<Chrome>, text: &str) -> Response {
    render(
        status,
        &pages::MessagePage {
            t,
            chrome,
            section: "",
            notice: None,
            error: Some(text.to_owned()),
        },
    )
}

/// The texts of the language a request asks for (see [`text::for_request`]).
pub(crate) struct Lang(pub(crate) &'static Texts);

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang(text::for_request(&parts.headers)))
    }
}

/// `GET /portal/language/{code}`: remembers the choice in a cookie (a year) and goes
/// back to the overview.
async fn language(Path(code): Path<String>) -> Response {
    let code = if code == "da" { "da" } else { "en" };
    let mut resp = Redirect::to("/portal").into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "orgca_lang={code}; Path=/portal; SameSite=Lax; Max-Age=31536000"
    )) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}
