//! Picking up a certificate without an account: reference and one-time code, then the
//! certificate's name and CVR to confirm and the terms to accept, then the PKCS#12 with
//! its password shown once (or, for a CSR order, the PEM chain).

use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use orgca_model::Issuance;
use orgca_ra::delivery::KeySource;
use orgca_ra::{PickupRefusal, RaError};
use serde::Deserialize;

use super::Lang;
use super::downloads::Receipt;
use super::text::Texts;
use super::{Chrome, fault, form_token_ok, message, render, with_form_token};
use crate::AppState;
use crate::client::ClientAddress;

#[derive(Template)]
#[template(path = "pickup.html")]
struct PickupPage {
    t: &'static Texts,
    chrome: Option<Chrome>,
    section: &'static str,
    notice: Option<String>,
    error: Option<String>,
    reference: String,
    form_token: String,
}

#[derive(Template)]
#[template(path = "pickup_confirm.html")]
struct ConfirmPage {
    t: &'static Texts,
    chrome: Option<Chrome>,
    section: &'static str,
    notice: Option<String>,
    error: Option<String>,
    form_token: String,
    reference: String,
    code: String,
    name: String,
    org_name: String,
    cvr: String,
    email: Option<String>,
    csr: bool,
    csr_text: String,
    /// The order is a test organisation's: the test banner shows.
    test: bool,
}

#[derive(Template)]
#[template(path = "pickup_done.html")]
struct DonePage {
    t: &'static Texts,
    chrome: Option<Chrome>,
    section: &'static str,
    notice: Option<String>,
    error: Option<String>,
    name: String,
    serial: String,
    password: Option<String>,
    download: String,
    /// A test organisation's certificate: the test banner shows.
    test: bool,
}

/// The first form: reference and code.
#[derive(Deserialize)]
pub(crate) struct CodeForm {
    #[serde(default)]
    form: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    terms: String,
    #[serde(default)]
    csr: String,
}

fn first_page(
    t: &'static Texts,
    status: StatusCode,
    reference: String,
    error: Option<String>,
) -> Response {
    with_form_token(status, |form_token| {
        render(
            StatusCode::OK,
            &PickupPage {
                t,
                chrome: None,
                section: "",
                notice: None,
                error,
                reference,
                form_token,
            },
        )
    })
}

/// `GET /portal/pickup`.
pub(crate) async fn page(Lang(t): Lang) -> Response {
    first_page(t, StatusCode::OK, String::new(), None)
}

/// Whether a refusal is about the reference and code (then the first form comes back).
fn about_the_code(e: &RaError) -> bool {
    matches!(
        e,
        RaError::NotFound(_) | RaError::Pickup(PickupRefusal::WrongCode | PickupRefusal::Locked)
    )
}

/// The status a refused pick-up is shown with.
fn status_of(e: &RaError) -> StatusCode {
    match e {
        RaError::Pickup(PickupRefusal::Locked) => StatusCode::LOCKED,
        RaError::NotFound(_) | RaError::Pickup(PickupRefusal::WrongCode) => StatusCode::FORBIDDEN,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// A refusal in words that say what to do. An unknown reference and a wrong code get
/// the same words, so that the form does not tell which references exist.
fn refusal(t: &'static Texts, e: &RaError) -> String {
    match e {
        RaError::NotFound(_) | RaError::Pickup(PickupRefusal::WrongCode) => t.code_wrong.into(),
        other => {
            let text = other.to_string();
            let mut chars = text.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>() + ".")
                .unwrap_or_default()
        }
    }
}

/// The form of either step, if it is readable and carries its form token. A forged or
/// stale form goes back to the first step: its code is not checked (no try is used).
fn fresh(
    t: &'static Texts,
    headers: &HeaderMap,
    form: Result<Form<CodeForm>, FormRejection>,
) -> Result<CodeForm, Box<Response>> {
    let Ok(Form(form)) = form else {
        return Err(Box::new(first_page(
            t,
            StatusCode::BAD_REQUEST,
            String::new(),
            Some(t.form_expired.into()),
        )));
    };
    if !form_token_ok(headers, &form.form) {
        return Err(Box::new(first_page(
            t,
            StatusCode::FORBIDDEN,
            form.reference,
            Some(t.form_expired.into()),
        )));
    }
    Ok(form)
}

/// `POST /portal/pickup`: checks the code and shows what will be issued.
pub(crate) async fn check(
    Lang(t): Lang,
    State(state): State<AppState>,
    client: ClientAddress,
    headers: HeaderMap,
    form: Result<Form<CodeForm>, FormRejection>,
) -> Response {
    let form = match fresh(t, &headers, form) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    confirm_page(t, &state, client, form, StatusCode::OK, None).await
}

/// The first form with a refusal, when `client` has tried too many wrong codes: the
/// code is not checked.
fn past_the_limit(
    t: &'static Texts,
    state: &AppState,
    client: ClientAddress,
    reference: &str,
) -> Option<Response> {
    let refused = state.failures.check(client, state.now()).err()?;
    let mut page = first_page(
        t,
        StatusCode::TOO_MANY_REQUESTS,
        reference.to_owned(),
        Some(t.code_too_many.into()),
    );
    page.headers_mut()
        .insert(header::RETRY_AFTER, refused.retry_after());
    Some(page)
}

async fn confirm_page(
    t: &'static Texts,
    state: &AppState,
    client: ClientAddress,
    form: CodeForm,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    if let Some(page) = past_the_limit(t, state, client, &form.reference) {
        return page;
    }
    let ra = &state.ra;
    let now = state.now();
    let preview = match ra.preview_with_code(&form.reference, &form.code, now).await {
        Ok(p) => p,
        Err(e) if e.is_client_error() => {
            if e.is_wrong_code() {
                state.failures.failed(client, now);
            }
            return first_page(t, status_of(&e), form.reference, Some(refusal(t, &e)));
        }
        Err(e) => return fault(t, &e),
    };
    with_form_token(status, |form_token| {
        render(
            StatusCode::OK,
            &ConfirmPage {
                t,
                chrome: None,
                section: "",
                notice: None,
                error,
                form_token,
                reference: form.reference,
                code: form.code,
                name: preview.subject.common_name.as_str().to_owned(),
                org_name: preview.org.name,
                cvr: preview.org.cvr.to_string(),
                email: preview
                    .subject
                    .holder
                    .email()
                    .map(|e| e.as_str().to_owned()),
                csr: preview.order.issuance == Issuance::Csr,
                csr_text: form.csr,
                test: preview.org.environment == orgca_model::Environment::Test,
            },
        )
    })
}

/// `POST /portal/pickup/confirm`: issues, then the password (shown once) and the
/// download.
pub(crate) async fn confirm(
    Lang(t): Lang,
    State(state): State<AppState>,
    client: ClientAddress,
    headers: HeaderMap,
    form: Result<Form<CodeForm>, FormRejection>,
) -> Response {
    let form = match fresh(t, &headers, form) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    if form.terms != "yes" {
        return confirm_page(
            t,
            &state,
            client,
            form,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(t.terms_unaccepted.into()),
        )
        .await;
    }
    let ra = &state.ra;
    // Room for the download is checked before anything is issued.
    if !state.downloads.has_room() {
        return message(t, StatusCode::SERVICE_UNAVAILABLE, None, t.downloads_full);
    }
    let source = if form.csr.trim().is_empty() {
        KeySource::Pkcs12
    } else {
        KeySource::Csr(form.csr.as_bytes())
    };
    let receipt_key = format!("reference:{}", orgca_ra::orders::normalise(&form.reference));
    if let Some(page) = past_the_limit(t, &state, client, &form.reference) {
        return page;
    }
    let now = state.now();
    let delivered = match ra
        .pickup_with_code(&form.reference, &form.code, source, now)
        .await
    {
        Ok(d) => d,
        // The same form sent twice: the code was right, and the first answer is shown.
        Err(e) if already_picked_up(&e) => match state.downloads.receipt(&receipt_key) {
            Some(r) => return receipt_page(t, &r),
            None => return first_page(t, status_of(&e), form.reference, Some(refusal(t, &e))),
        },
        Err(e) if about_the_code(&e) => {
            if e.is_wrong_code() {
                state.failures.failed(client, now);
            }
            return first_page(t, status_of(&e), form.reference, Some(refusal(t, &e)));
        }
        Err(e) if e.is_client_error() => {
            let status = status_of(&e);
            let why = refusal(t, &e);
            return confirm_page(t, &state, client, form, status, Some(why)).await;
        }
        Err(e) => return fault(t, &e),
    };
    delivered_page(t, &state, &delivered, receipt_key)
}

/// The page after a pick-up: the PKCS#12's password (shown once) and its download, or
/// the PEM chain's download.
pub(crate) fn delivered_page(
    t: &'static Texts,
    state: &AppState,
    delivered: &orgca_ra::delivery::Delivered,
    receipt_key: String,
) -> Response {
    let cert = &delivered.issued.certificate;
    let name = cert.request.subject.common_name.as_str().to_owned();
    let file_stem: String = name
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect();
    let (bytes, content_type, file_name, password) = match &delivered.pkcs12 {
        Some(p) => (
            p.der.clone(),
            "application/x-pkcs12",
            format!("{file_stem}.p12"),
            Some(p.password.clone()),
        ),
        None => (
            format!("{}{}", cert.pem, cert.chain_pem).into_bytes(),
            "application/pem-certificate-chain",
            format!("{file_stem}.pem"),
            None,
        ),
    };
    let token = match orgca_ra::login::new_secret() {
        Ok(t) => t,
        Err(e) => return fault(t, &e),
    };
    let owner = match orgca_ra::login::new_secret() {
        Ok(t) => t,
        Err(e) => return fault(t, &e),
    };
    let Some(download) = state
        .downloads
        .put(token, &owner, bytes, content_type, file_name)
    else {
        return message(t, StatusCode::SERVICE_UNAVAILABLE, None, t.downloads_full);
    };
    let receipt = Receipt {
        name,
        serial: cert.serial.to_string(),
        password,
        download,
        owner,
        test: cert.request.environment == orgca_model::Environment::Test,
    };
    state.downloads.keep_receipt(receipt_key, receipt.clone());
    receipt_page(t, &receipt)
}

/// The page of a pick-up, from what it showed, with the cookie its download needs.
pub(crate) fn receipt_page(t: &'static Texts, r: &Receipt) -> Response {
    let mut resp = render(
        StatusCode::OK,
        &DonePage {
            t,
            chrome: None,
            section: "",
            notice: None,
            error: None,
            name: r.name.clone(),
            serial: r.serial.clone(),
            password: r.password.clone(),
            download: r.download.clone(),
            test: r.test,
        },
    );
    resp.headers_mut().append(
        header::SET_COOKIE,
        super::set_cookie(super::DOWNLOAD_COOKIE, &r.owner, 600),
    );
    resp
}

/// Whether a pick-up was refused because the order was picked up already.
pub(crate) fn already_picked_up(e: &RaError) -> bool {
    matches!(e, RaError::Pickup(p) if p.code() == "already_picked_up")
}

/// `GET /portal/pickup/file/{token}`: the file, once.
pub(crate) async fn file(
    Lang(t): Lang,
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let owner = super::cookie(&headers, super::DOWNLOAD_COOKIE);
    let Some(f) = state.downloads.take(&token, owner.as_deref()) else {
        return message(t, StatusCode::GONE, None, t.download_gone);
    };
    let mut resp = f.bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(f.content_type),
    );
    // The name is the certificate's, reduced to letters, digits and dashes.
    let ascii: String = f
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}
