//! The page the e-mail validation link opens: a button that confirms the address. A
//! GET never confirms (mail scanners open links), the POST does.

use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::HeaderMap;
use axum::response::Response;
use serde::Deserialize;

use super::Lang;
use super::text::Texts;
use super::{Chrome, OnPage, form_token_ok, render, with_form_token};
use crate::AppState;

#[derive(Template)]
#[template(path = "email.html")]
struct EmailPage {
    t: &'static Texts,
    chrome: Option<Chrome>,
    section: &'static str,
    notice: Option<String>,
    error: Option<String>,
    form_token: String,
    confirmed: Option<String>,
    orders_ready: u64,
}

/// The confirm form.
#[derive(Deserialize)]
pub(crate) struct ConfirmForm {
    #[serde(default)]
    form: String,
}

fn page(t: &'static Texts, status: StatusCode, error: Option<String>) -> Response {
    with_form_token(status, |form_token| {
        render(
            StatusCode::OK,
            &EmailPage {
                t,
                chrome: None,
                section: "",
                notice: None,
                error,
                form_token,
                confirmed: None,
                orders_ready: 0,
            },
        )
    })
}

/// `GET /portal/email/{token}`.
pub(crate) async fn show(Lang(t): Lang) -> Response {
    page(t, StatusCode::OK, None)
}

/// `POST /portal/email/{token}`.
pub(crate) async fn confirm(
    Lang(t): Lang,
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    form: Result<Form<ConfirmForm>, FormRejection>,
) -> Response {
    let ok = form.is_ok_and(|Form(f)| form_token_ok(&headers, &f.form));
    if !ok {
        return page(t, StatusCode::FORBIDDEN, Some(t.form_expired.into()));
    }
    match state
        .ra
        .confirm_email(&token, state.now())
        .await
        .or_refusal(t)
    {
        Ok(Ok(c)) => render(
            StatusCode::OK,
            &EmailPage {
                t,
                chrome: None,
                section: "",
                notice: None,
                error: None,
                form_token: String::new(),
                confirmed: Some(c.email),
                orders_ready: c.orders_ready,
            },
        ),
        Ok(Err(why)) => page(t, StatusCode::GONE, Some(why)),
        Err(fault_page) => fault_page,
    }
}
