//! The order wizard of a user administrator: profile and delivery, then the reference
//! and the one-time code, shown once.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;

use axum::response::{IntoResponse, Redirect};
use orgca_model::{CertKind, Identification, Issuance, OrderStatus};
use orgca_ra::orders::{OrderRequest, Placed};
use serde::Deserialize;
use uuid::Uuid;

use super::Posted;
use super::pages::{Choice, date};
use super::text::Texts;
use super::{Chrome, OnPage, Page, Session, render};
use crate::AppState;

#[derive(Template)]
#[template(path = "order.html")]
struct OrderPage {
    t: &'static Texts,
    chrome: Option<Chrome>,
    section: &'static str,
    notice: Option<String>,
    error: Option<String>,
    csrf: String,
    profiles: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "ordered.html")]
struct OrderedPage {
    t: &'static Texts,
    chrome: Option<Chrome>,
    section: &'static str,
    notice: Option<String>,
    error: Option<String>,
    profile: String,
    reference: String,
    code: String,
    expires: String,
    waits: bool,
}

/// The order form.
#[derive(Deserialize)]
pub(crate) struct OrderForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    profile: String,
    #[serde(default)]
    issuance: String,
}

async fn order_page(
    state: &AppState,
    session: &Session,
    status: StatusCode,
    chosen: Option<&str>,
    error: Option<String>,
) -> Page {
    let t = session.t;
    let chrome = session.admin_chrome(state).await?;
    let profiles = state.ra.profiles(&session.caller).await.or_fault(t)?;
    let profiles = profiles
        .into_iter()
        .filter(|p| p.kind != CertKind::Employee)
        .map(|p| Choice {
            selected: chosen == Some(p.id.to_string().as_str()),
            key: p.id.to_string(),
            label: format!("{} ({})", p.name, super::pages::kind_text(t, p.kind)),
        })
        .collect();
    Ok(render(
        status,
        &OrderPage {
            t,
            chrome: Some(chrome),
            section: "order",
            notice: None,
            error,
            csrf: session.csrf.clone(),
            profiles,
        },
    ))
}

/// `GET /portal/orders/new`.
pub(crate) async fn new(State(state): State<AppState>, session: Session) -> Page {
    order_page(&state, &session, StatusCode::OK, None, None).await
}

/// `POST /portal/orders`: places the order; the code is on the answer only.
pub(crate) async fn place(
    State(state): State<AppState>,
    Posted { session, form }: Posted<OrderForm>,
) -> Page {
    let t = session.t;
    let Ok(profile_id) = Uuid::parse_str(&form.profile) else {
        return order_page(
            &state,
            &session,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(format!("{}: {}", t.profile, t.no_profiles)),
        )
        .await;
    };
    let issuance = if form.issuance == "csr" {
        Issuance::Csr
    } else {
        Issuance::Pkcs12
    };
    let req = OrderRequest {
        identification: Identification::OneTimeCode,
        issuance,
    };
    let placed = match state
        .ra
        .order_for_profile(&session.caller, profile_id, req, None, state.now())
        .await
        .or_refusal(t)?
    {
        Ok(p) => p,
        Err(why) => {
            return order_page(
                &state,
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&form.profile),
                Some(why),
            )
            .await;
        }
    };
    placed_page(&state, &session, &placed).await
}

/// The page after an order (or a renewal) is placed: a one-time-code order shows its
/// reference and code, once; an order for a user waits on their overview.
pub(crate) async fn placed_page(state: &AppState, session: &Session, placed: &Placed) -> Page {
    let t = session.t;
    let Some(code) = placed.one_time_code.clone() else {
        return Ok(Redirect::to("/portal").into_response());
    };
    let chrome = session.chrome(state).await?;
    let profile = match placed.order.subject.profile() {
        Some(id) => state
            .ra
            .profile(&session.caller, id)
            .await
            .map(|p| p.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    Ok(render(
        StatusCode::OK,
        &OrderedPage {
            t,
            chrome: Some(chrome),
            section: "order",
            notice: None,
            error: None,
            profile,
            reference: placed.order.reference.clone(),
            code,
            expires: date(placed.order.expires_at),
            waits: placed.order.status == OrderStatus::AwaitingEmailValidation,
        },
    ))
}

super::session_forms!(OrderForm);
