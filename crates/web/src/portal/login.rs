//! Logging in and out, and setting a password through a one-time link.

use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{self, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use orgca_ra::login::Credentials;
use orgca_ra::{LoginRefusal, RaError};
use serde::Deserialize;

use super::Lang;
use super::Posted;
use super::text::Texts;
use super::{
    Chrome, FORM_COOKIE, OnPage, SESSION_COOKIE, fault, form_token_ok, render, set_cookie,
    with_form_token,
};
use crate::AppState;
use crate::client::ClientAddress;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    t: &'static Texts,
    chrome: Option<Chrome>,
    section: &'static str,
    notice: Option<String>,
    error: Option<String>,
    email: String,
    /// The CVR field, shown (with what was typed) once a login fitted several
    /// organisations.
    organisation: Option<String>,
    /// Whether the password form is shown (not when the organisation whose page this is
    /// has switched passwords off).
    password_form: bool,
    /// The organisation whose own login page this is, when it has an identity provider:
    /// its name and CVR.
    sso_organisation: Option<(String, String)>,
    form_token: String,
}

/// Which login methods the page offers.
pub(crate) struct Offered {
    /// The password form.
    pub(crate) password: bool,
    /// The login through this organisation's provider (name, CVR); the CVR form if none.
    pub(crate) sso_organisation: Option<(String, String)>,
}

impl Default for Offered {
    fn default() -> Self {
        Offered {
            password: true,
            sso_organisation: None,
        }
    }
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    t: &'static Texts,
    chrome: Option<Chrome>,
    section: &'static str,
    notice: Option<String>,
    error: Option<String>,
    usable: bool,
    email: String,
    form_token: String,
}

/// `?done=password` after a password was set; `?organisation=CVR` for an organisation's
/// own login page.
#[derive(Deserialize)]
pub(crate) struct LoginQuery {
    done: Option<String>,
    organisation: Option<String>,
}

/// The login form.
#[derive(Deserialize)]
pub(crate) struct LoginForm {
    #[serde(default)]
    form: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    /// Sent only by the form that asks for it.
    organisation: Option<String>,
}

/// The set-password form.
#[derive(Deserialize)]
pub(crate) struct PasswordForm {
    #[serde(default)]
    form: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    repeated: String,
}

/// A form with only the CSRF token.
#[derive(Deserialize)]
pub(crate) struct CsrfForm {
    #[serde(default)]
    pub(crate) csrf: String,
}

/// What the login form shows again after a refusal.
#[derive(Default)]
pub(crate) struct Typed {
    email: String,
    organisation: Option<String>,
}

/// The login page with both methods (the identity provider asked for by CVR).
pub(crate) fn login_page(
    t: &'static Texts,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
    typed: Typed,
) -> Response {
    offering_page(t, status, (notice, error), typed, Offered::default())
}

fn offering_page(
    t: &'static Texts,
    status: StatusCode,
    (notice, error): (Option<String>, Option<String>),
    typed: Typed,
    offered: Offered,
) -> Response {
    with_form_token(status, |form_token| {
        render(
            StatusCode::OK,
            &LoginPage {
                t,
                chrome: None,
                section: "",
                notice,
                error,
                email: typed.email,
                organisation: typed.organisation,
                password_form: offered.password,
                sso_organisation: offered.sso_organisation,
                form_token,
            },
        )
    })
}

/// `GET /portal/login`: both methods, or an organisation's own (`?organisation=CVR`).
pub(crate) async fn page(
    Lang(t): Lang,
    State(state): State<AppState>,
    Query(q): Query<LoginQuery>,
) -> Response {
    let notice = (q.done.as_deref() == Some("password")).then(|| t.password_done.to_owned());
    let Some(cvr) = q.organisation.as_deref().map(str::trim) else {
        return login_page(t, StatusCode::OK, notice, None, Typed::default());
    };
    match offered(&state, cvr).await {
        Ok(Some(offered)) => {
            offering_page(t, StatusCode::OK, (notice, None), Typed::default(), offered)
        }
        Ok(None) => login_page(
            t,
            StatusCode::NOT_FOUND,
            None,
            Some(t.login_no_provider.into()),
            Typed::default(),
        ),
        Err(e) => fault(t, &e),
    }
}

/// What organisation `cvr`'s own login page offers; `None` when there is no such
/// organisation or it has no identity provider.
async fn offered(state: &AppState, cvr: &str) -> Result<Option<Offered>, RaError> {
    if cvr.is_empty() || cvr.len() > 16 {
        return Ok(None);
    }
    let Some(org) = state.ra.find_organisation(cvr).await? else {
        return Ok(None);
    };
    let methods = state.ra.login_methods(&org).await?;
    Ok(methods.identity_provider.map(|_| Offered {
        password: methods.password,
        sso_organisation: Some((org.name, org.cvr.to_string())),
    }))
}

/// `POST /portal/login`: a session cookie and the overview, or the form again with one
/// message for every refusal.
pub(crate) async fn submit(
    Lang(t): Lang,
    State(state): State<AppState>,
    headers: HeaderMap,
    client: ClientAddress,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return login_page(
            t,
            StatusCode::BAD_REQUEST,
            None,
            Some(t.form_expired.into()),
            Typed::default(),
        );
    };
    if !form_token_ok(&headers, &form.form) {
        return login_page(
            t,
            StatusCode::FORBIDDEN,
            None,
            Some(t.form_expired.into()),
            Typed {
                email: form.email,
                organisation: form.organisation,
            },
        );
    }
    let address = client.0.to_string();
    let policy = *state.ra.login_policy();
    match state
        .ra
        .login(
            Credentials {
                email: &form.email,
                password: &form.password,
                organisation: form.organisation.as_deref(),
            },
            &address,
            state.now(),
        )
        .await
    {
        Ok(session) => {
            let mut resp = Redirect::to("/portal").into_response();
            let h = resp.headers_mut();
            h.append(
                header::SET_COOKIE,
                set_cookie(SESSION_COOKIE, &session.cookie, policy.session),
            );
            h.append(header::SET_COOKIE, set_cookie(FORM_COOKIE, "", 0));
            resp
        }
        Err(RaError::LoginRefused(why)) => {
            let message = refusal_text(t, why);
            let ask = form.organisation.is_some() || why == LoginRefusal::WhichOrganisation;
            let typed = Typed {
                email: form.email,
                organisation: ask.then(|| form.organisation.unwrap_or_default()),
            };
            login_page(
                t,
                StatusCode::UNAUTHORIZED,
                None,
                Some(message.into()),
                typed,
            )
        }
        Err(e) => fault(t, &e),
    }
}

/// What the login page says about a refusal.
pub(crate) fn refusal_text(t: &'static Texts, why: LoginRefusal) -> &'static str {
    match why {
        LoginRefusal::Wrong => t.login_wrong,
        LoginRefusal::TooMany => t.login_too_many,
        LoginRefusal::WhichOrganisation => t.login_which_organisation,
        LoginRefusal::NoProvider => t.login_no_provider,
        LoginRefusal::ProviderFailed => t.login_provider_failed,
        LoginRefusal::NotAUser => t.login_not_a_user,
    }
}

/// `POST /portal/logout`.
pub(crate) async fn logout(
    State(state): State<AppState>,
    Posted { session, .. }: Posted<CsrfForm>,
) -> Response {
    let t = session.t;
    if let Err(e) = state.ra.logout(&session.cookie).await {
        return fault(t, &e);
    }
    let mut resp = Redirect::to("/portal/login").into_response();
    resp.headers_mut()
        .append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", 0));
    resp
}

fn password_page(
    t: &'static Texts,
    status: StatusCode,
    user: Option<String>,
    error: Option<String>,
) -> Response {
    let usable = user.is_some();
    let error = error.or_else(|| (!usable).then(|| t.password_link_dead.to_owned()));
    with_form_token(status, |form_token| {
        render(
            StatusCode::OK,
            &PasswordPage {
                t,
                chrome: None,
                section: "",
                notice: None,
                error,
                usable,
                email: user.unwrap_or_default(),
                form_token,
            },
        )
    })
}

/// `GET /portal/password/{token}`: the form, if the link still works.
pub(crate) async fn password_page_for(
    t: &'static Texts,
    state: &AppState,
    token: &str,
) -> Result<Option<String>, Response> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    state
        .ra
        .password_link_user(token, state.now())
        .await
        .map(|u| u.map(|u| u.email))
        .map_err(|e| fault(t, &e))
}

/// `GET /portal/password/{token}`.
pub(crate) async fn password_page_handler(
    Lang(t): Lang,
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Response {
    match password_page_for(t, &state, &token).await {
        Ok(user) => {
            let status = if user.is_some() {
                StatusCode::OK
            } else {
                StatusCode::GONE
            };
            password_page(t, status, user, None)
        }
        Err(resp) => resp,
    }
}

/// `POST /portal/password/{token}`: sets the password, then the login page.
pub(crate) async fn password_submit(
    Lang(t): Lang,
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    form: Result<Form<PasswordForm>, FormRejection>,
) -> Response {
    let user = match password_page_for(t, &state, &token).await {
        Ok(Some(u)) => u,
        Ok(None) => return password_page(t, StatusCode::GONE, None, None),
        Err(resp) => return resp,
    };
    let Ok(Form(form)) = form else {
        return password_page(
            t,
            StatusCode::BAD_REQUEST,
            Some(user),
            Some(t.form_expired.into()),
        );
    };
    if !form_token_ok(&headers, &form.form) {
        return password_page(
            t,
            StatusCode::FORBIDDEN,
            Some(user),
            Some(t.form_expired.into()),
        );
    }
    let set = state
        .ra
        .set_password(&token, &form.password, &form.repeated, state.now())
        .await;
    match set.or_refusal(t) {
        Ok(Ok(_)) => Redirect::to("/portal/login?done=password").into_response(),
        Ok(Err(why)) => password_page(t, StatusCode::UNPROCESSABLE_ENTITY, Some(user), Some(why)),
        Err(fault_page) => fault_page,
    }
}

super::session_forms!(CsrfForm);
