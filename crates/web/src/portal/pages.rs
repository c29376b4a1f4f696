//! The pages of a session: overview, certificate list and detail, blocking.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect};
use orgca_model::UnixTime;
use orgca_model::{BlockReason, CertKind, CertificateRecord, VisibleStatus};
use orgca_ra::RaError;
use serde::Deserialize;
use uuid::Uuid;

use super::Posted;
use super::text::Texts;
use super::{Chrome, OnPage, Page, Session, message, not_found, parse_id, refusal, render};
use crate::AppState;

/// A page with one message.
#[derive(Template)]
#[template(path = "message.html")]
pub(crate) struct MessagePage {
    pub(crate) t: &'static Texts,
    pub(crate) chrome: Option<Chrome>,
    pub(crate) section: &'static str,
    pub(crate) notice: Option<String>,
    pub(crate) error: Option<String>,
}

/// One row of the overview's counts.
struct CountRow {
    kind: &'static str,
    kind_key: &'static str,
    active: i64,
    blocked: i64,
    expired: i64,
}

/// A certificate as a table row or detail page shows it.
pub(crate) struct CertView {
    pub(crate) id: Uuid,
    pub(crate) name: String,
    pub(crate) kind: &'static str,
    pub(crate) status: &'static str,
    pub(crate) status_key: &'static str,
    pub(crate) serial: String,
    pub(crate) serial_short: String,
    pub(crate) subject_uuid: String,
    pub(crate) email: Option<String>,
    pub(crate) issuer: String,
    pub(crate) fingerprint: String,
    pub(crate) not_before: String,
    pub(crate) not_after: String,
    pub(crate) blocked: Option<BlockedView>,
}

/// One audit event of a certificate.
struct EventRow {
    at: String,
    action: String,
    by: String,
}

/// When, why and by whom a certificate was blocked.
pub(crate) struct BlockedView {
    pub(crate) at: String,
    pub(crate) reason: &'static str,
    pub(crate) by: String,
}

/// One choice of a `<select>`.
pub(crate) struct Choice {
    pub(crate) key: String,
    pub(crate) label: String,
    pub(crate) selected: bool,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    t: &'static Texts,
    chrome: Option<Chrome>,
    section: &'static str,
    notice: Option<String>,
    error: Option<String>,
    counts: Vec<CountRow>,
    rows: Vec<CertView>,
    waiting: Vec<WaitingOrder>,
    csrf: String,
    holder: String,
    org_name: String,
    cvr: String,
    /// The user's directory choice.
    publish: bool,
}

/// An order waiting for the logged-in user.
struct WaitingOrder {
    id: Uuid,
    reference: String,
    delivery: &'static str,
    expires: String,
    ready: bool,
    csr: bool,
}

#[derive(Template)]
#[template(path = "certificate.html")]
struct CertificatePage {
    t: &'static Texts,
    chrome: Option<Chrome>,
    section: &'static str,
    notice: Option<String>,
    error: Option<String>,
    c: CertView,
    may_block: bool,
    may_renew: bool,
    renews: Option<(Uuid, String)>,
    renewed_by: Vec<(Uuid, String)>,
    events: Vec<EventRow>,
    csrf: String,
    reasons: Vec<Choice>,
}

pub(crate) fn kind_text(t: &'static Texts, k: CertKind) -> &'static str {
    match k {
        CertKind::Employee => t.kinds[0],
        CertKind::Organisation => t.kinds[1],
        CertKind::System => t.kinds[2],
    }
}

fn reason_text(t: &'static Texts, r: BlockReason) -> &'static str {
    BlockReason::ALL
        .iter()
        .position(|x| *x == r)
        .map_or("", |i| t.reasons[i])
}

pub(crate) fn date(at: UnixTime) -> String {
    let t = at.to_offset();
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

pub(crate) fn view(t: &'static Texts, c: &CertificateRecord, now: UnixTime) -> CertView {
    let visible = orgca_ra::certificates::visible_status(c, now);
    let status = match visible {
        VisibleStatus::Blocked => t.blocked,
        VisibleStatus::Expired => t.expired,
        VisibleStatus::Active => t.active,
    };
    let status_key = visible.as_str();
    let serial = c.serial.to_string();
    CertView {
        id: c.id,
        name: c.name.clone(),
        kind: kind_text(t, c.kind),
        status,
        status_key,
        serial_short: format!("{}…", serial.get(..12).unwrap_or(&serial)),
        serial,
        subject_uuid: c.subject_uuid.to_string(),
        email: c.email.clone(),
        issuer: c.issuer.clone(),
        fingerprint: c.fingerprint.clone(),
        not_before: date(c.not_before),
        not_after: date(c.not_after),
        blocked: c.blocked_at.map(|at| BlockedView {
            at: date(at),
            reason: c.block_reason.map_or("", |r| reason_text(t, r)),
            by: c.blocked_by.clone().unwrap_or_default(),
        }),
    }
}

/// `GET /portal`: counts by kind and status, and what expires in the next 90 days.
pub(crate) async fn overview(State(state): State<AppState>, session: Session) -> Page {
    let t = session.t;
    let chrome = session.chrome(&state).await?;
    let now = state.now();
    let (counts, expiring) = state
        .ra
        .overview(&session.caller, now, 90)
        .await
        .or_fault(t)?;
    let waiting = state
        .ra
        .orders_waiting_for_me(&session.caller, now)
        .await
        .or_fault(t)?;
    let waiting = waiting
        .into_iter()
        .map(|o| WaitingOrder {
            id: o.id,
            reference: o.reference,
            csr: o.issuance == orgca_model::Issuance::Csr,
            delivery: if o.issuance == orgca_model::Issuance::Csr {
                t.delivery_csr
            } else {
                t.delivery_pkcs12
            },
            expires: date(o.expires_at),
            ready: o.status == orgca_model::OrderStatus::Ready,
        })
        .collect();
    let (org_name, cvr) = (chrome.org_name.clone(), chrome.cvr.clone());
    let counts = counts
        .into_iter()
        .map(|(k, c)| CountRow {
            kind: kind_text(t, k),
            kind_key: k.as_str(),
            active: c.active,
            blocked: c.blocked,
            expired: c.expired,
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &OverviewPage {
            t,
            chrome: Some(chrome),
            section: "overview",
            notice: None,
            error: None,
            counts,
            rows: expiring.iter().map(|c| view(t, c, now)).collect(),
            waiting,
            csrf: session.csrf.clone(),
            holder: format!("{} {}", session.user.given_name, session.user.surname),
            publish: session.user.publish,
            org_name,
            cvr,
        },
    ))
}

async fn certificate_page(
    state: &AppState,
    session: &Session,
    id: &str,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
) -> Page {
    let t = session.t;
    let chrome = session.chrome(state).await?;
    let id = parse_id(t, id, Some(&chrome))?;
    let c = state
        .ra
        .certificate(&session.caller, id)
        .await
        .or_not_found(t, &chrome)?;
    let now = state.now();
    let history = state.ra.history(&session.caller, &c).await.or_fault(t)?;
    // Actors are kept by id: show the organisation's users by name.
    let actors = state.ra.actors(&session.caller).await.unwrap_or_default();
    let events = history
        .events
        .iter()
        .map(|e| EventRow {
            at: date(e.at),
            action: e.action.clone(),
            by: actors.get(&e.actor).map_or_else(
                || e.actor.clone(),
                |u| format!("{} {}", u.given_name, u.surname),
            ),
        })
        .collect();
    let blocked_by = c
        .blocked_by
        .as_deref()
        .and_then(|id| actors.get(id))
        .map(|u| format!("{} {} <{}>", u.given_name, u.surname, u.email));
    let mut c = view(t, &c, now);
    if let (Some(b), Some(name)) = (c.blocked.as_mut(), blocked_by) {
        b.by = name;
    }
    let may_block = c.status_key == "active";
    let may_renew = session.user.role.administers_users() && c.status_key != "blocked";
    Ok(render(
        status,
        &CertificatePage {
            t,
            chrome: Some(chrome),
            section: "certificates",
            notice,
            error,
            c,
            may_block,
            may_renew,
            renews: history.renews.map(|r| (r.id, r.name)),
            renewed_by: history
                .renewed_by
                .into_iter()
                .map(|r| (r.id, r.name))
                .collect(),
            events,
            csrf: session.csrf.clone(),
            reasons: BlockReason::ALL
                .iter()
                .map(|r| Choice {
                    key: r.as_str().into(),
                    label: reason_text(t, *r).into(),
                    selected: false,
                })
                .collect(),
        },
    ))
}

/// `GET /portal/certificates/{id}`.
pub(crate) async fn certificate(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Query(q): Query<BlockedQuery>,
) -> Page {
    let t = session.t;
    let notice = q.blocked.as_deref().map(|what| {
        match what {
            "told" => t.block_done,
            "already" => t.block_already,
            _ => t.block_done_nobody_told,
        }
        .to_owned()
    });
    certificate_page(&state, &session, &id, StatusCode::OK, notice, None).await
}

/// `GET /portal/certificates/{id}/certificate.pem`: the certificate and its CA
/// certificates, as a download named after it.
pub(crate) async fn certificate_pem(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Page {
    let t = session.t;
    let uuid = parse_id(t, &id, None)?;
    let chrome = session.chrome(&state).await?;
    let (c, pem) = state
        .ra
        .certificate_with_chain(&session.caller, uuid)
        .await
        .or_not_found(t, &chrome)?;
    let file: String = c
        .name
        .chars()
        .map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '-' })
        .collect();
    let disposition = format!("attachment; filename=\"{file}.pem\"");
    let mut resp = pem.into_response();
    let h = resp.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/pem-certificate-chain"),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

/// `?blocked=told|nobody_told|already` after a block.
#[derive(Deserialize)]
pub(crate) struct BlockedQuery {
    blocked: Option<String>,
}

/// The block form.
#[derive(Deserialize)]
pub(crate) struct BlockForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /portal/certificates/{id}/block`: with the session's CSRF token and the
/// confirmation ticked; then the detail page with a notice.
pub(crate) async fn block(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { session, form }: Posted<BlockForm>,
) -> Page {
    let t = session.t;
    if form.confirm != "yes" {
        return certificate_page(
            &state,
            &session,
            &id,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(t.block_unconfirmed.into()),
        )
        .await;
    }
    let uuid = parse_id(t, &id, None)?;
    match state
        .ra
        .block(&session.caller, uuid, &form.reason, state.now())
        .await
        .or_refusal(t)?
    {
        Ok(done) => {
            state.status_changed.notify_waiters();
            let what = match (done.blocked.newly, done.told.is_some()) {
                (true, true) => "told",
                (true, false) => "nobody_told",
                (false, _) => "already",
            };
            Ok(
                Redirect::to(&format!("/portal/certificates/{uuid}?blocked={what}"))
                    .into_response(),
            )
        }
        Err(why) => {
            certificate_page(
                &state,
                &session,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(why),
            )
            .await
        }
    }
}

/// The form of a waiting order.
#[derive(Deserialize)]
pub(crate) struct UserPickupForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    csr: String,
    #[serde(default)]
    terms: String,
}

/// `POST /portal/orders/{id}/pickup`: the logged-in user picks up their own order.
pub(crate) async fn pickup_own(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { session, form }: Posted<UserPickupForm>,
) -> Page {
    let t = session.t;
    let chrome = session.chrome(&state).await?;
    if form.terms != "yes" {
        return Err(message(
            t,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(chrome),
            t.terms_unaccepted,
        ));
    }
    let id = parse_id(t, &id, Some(&chrome))?;
    // Room for the download is checked before anything is issued.
    if !state.downloads.has_room() {
        return Err(message(
            t,
            StatusCode::SERVICE_UNAVAILABLE,
            Some(chrome),
            t.downloads_full,
        ));
    }
    let source = if form.csr.trim().is_empty() {
        orgca_ra::delivery::KeySource::Pkcs12
    } else {
        orgca_ra::delivery::KeySource::Csr(form.csr.as_bytes())
    };
    // Only this user's own order reaches its receipt: the key names both.
    let receipt_key = format!("order:{id}:{}", session.user.id);
    let delivered = state
        .ra
        .pickup_as_user(&session.caller, id, source, state.now())
        .await;
    match delivered {
        Ok(d) => Ok(super::pickup::delivered_page(t, &state, &d, receipt_key)),
        Err(e) if super::pickup::already_picked_up(&e) => {
            match state.downloads.receipt(&receipt_key) {
                Some(r) => Ok(super::pickup::receipt_page(t, &r)),
                None => Err(message(
                    t,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some(chrome),
                    &e.to_string(),
                )),
            }
        }
        Err(RaError::NotFound(_)) => Err(not_found(t, Some(chrome))),
        Err(e) => {
            let why = refusal(t, e)?;
            Err(message(
                t,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(chrome),
                &why,
            ))
        }
    }
}

/// `POST /portal/certificates/{id}/renew`: a new order with the same data.
pub(crate) async fn renew(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { session, .. }: Posted<super::login::CsrfForm>,
) -> Page {
    let t = session.t;
    let uuid = parse_id(t, &id, None)?;
    match state
        .ra
        .renew(&session.caller, uuid, state.now())
        .await
        .or_refusal(t)?
    {
        Ok(placed) => super::orders::placed_page(&state, &session, &placed).await,
        Err(why) => {
            certificate_page(
                &state,
                &session,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(why),
            )
            .await
        }
    }
}

super::session_forms!(BlockForm, UserPickupForm);

/// The directory choice on the overview.
#[derive(Deserialize)]
pub(crate) struct DirectoryForm {
    csrf: String,
    #[serde(default)]
    publish: Option<String>,
}
super::session_forms!(DirectoryForm);

/// `POST /portal/directory`: the user's own choice to publish their employee
/// certificates in the public directory (nobody else can make it for them).
pub(crate) async fn directory(
    State(state): State<AppState>,
    Posted { session, form }: Posted<DirectoryForm>,
) -> Page {
    let patch = orgca_ra::UserPatch {
        publish: Some(form.publish.as_deref() == Some("yes")),
        ..orgca_ra::UserPatch::default()
    };
    match state
        .ra
        .change_user(&session.caller, session.user.id, &patch, state.now())
        .await
        .or_refusal(session.t)?
    {
        Ok(_) => Ok(Redirect::to("/portal#directory").into_response()),
        Err(why) => Err(message(
            session.t,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            &why,
        )),
    }
}
