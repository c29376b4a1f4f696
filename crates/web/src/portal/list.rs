//! The certificate list: search box, filters, sort order, pages and the CSV export of
//! the same selection, through the same search as the API.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use orgca_model::UnixTime;

use orgca_ra::search::SearchParams;
use serde::{Deserialize, Serialize};

use super::pages::{CertView, Choice, view};
use super::text::Texts;
use super::{Chrome, OnPage, Page, Session, message, render};
use crate::AppState;

/// The list's form, as its query string carries it.
#[derive(Deserialize, Serialize, Default, Clone)]
pub(crate) struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    kind: String,
    /// Days: `30` or `90` (active certificates expiring within them).
    #[serde(default)]
    expiring: String,
    /// `created` (newest first), `not_after` (expiring first) or `name`.
    #[serde(default)]
    sort: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    after: String,
}

impl ListQuery {
    /// The API's search for this form at `now`.
    fn params(&self, now: UnixTime) -> SearchParams {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        let days = match self.expiring.as_str() {
            "30" => Some(30),
            "90" => Some(90),
            _ => None,
        };
        SearchParams {
            q: some(&self.q),
            kind: some(&self.kind),
            status: some(&self.status).or(days.map(|_| "active".to_owned())),
            expires_before: days.map(|d| now.plus_days(d).rfc3339()),
            sort: some(&self.sort),
            after: some(&self.after),
            ..SearchParams::default()
        }
    }

    /// This form's query string (without the page's cursor unless `after` is given).
    fn link(&self, path: &str, after: Option<String>) -> String {
        let q = ListQuery {
            after: after.unwrap_or_default(),
            ..self.clone()
        };
        format!(
            "{path}?{}",
            serde_urlencoded::to_string(&q).unwrap_or_default()
        )
    }
}

#[derive(Template)]
#[template(path = "certificates.html")]
struct CertificatesPage {
    t: &'static Texts,
    chrome: Option<Chrome>,
    section: &'static str,
    notice: Option<String>,
    error: Option<String>,
    q: String,
    statuses: Vec<Choice>,
    kinds: Vec<Choice>,
    expiring: Vec<Choice>,
    sorts: Vec<Choice>,
    matching: u64,
    rows: Vec<CertView>,
    next: Option<String>,
    first: Option<String>,
    export: String,
}

fn choices(selected: &str, options: &[(&str, &str)]) -> Vec<Choice> {
    options
        .iter()
        .map(|(key, label)| Choice {
            key: (*key).into(),
            label: (*label).into(),
            selected: selected == *key,
        })
        .collect()
}

/// `GET /portal/certificates`: one page of the caller's certificates as the form
/// selects them. A filter the search refuses is shown as the page's error.
pub(crate) async fn certificates(
    State(state): State<AppState>,
    session: Session,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Page {
    let t = session.t;
    let chrome = session.chrome(&state).await?;
    let Query(form) = query.unwrap_or_default();
    let now = state.now();
    let params = form.params(now);
    let found = state
        .ra
        .search(&session.caller, &params, now)
        .await
        .or_refusal(t)?;
    let (rows, next, matching, error) = match found {
        Ok(page) => {
            let matching = state
                .ra
                .count(&session.caller, &params, now)
                .await
                .or_fault(t)?;
            let next = page
                .next
                .map(|c| form.link("/portal/certificates", Some(c.encode())));
            (
                page.items.iter().map(|c| view(t, c, now)).collect(),
                next,
                matching,
                None,
            )
        }
        Err(why) => (Vec::new(), None, 0, Some(why)),
    };
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok(render(
        status,
        &CertificatesPage {
            t,
            chrome: Some(chrome),
            section: "certificates",
            notice: None,
            error,
            statuses: choices(
                &form.status,
                &[
                    ("active", t.active),
                    ("blocked", t.blocked),
                    ("expired", t.expired),
                ],
            ),
            kinds: choices(
                &form.kind,
                &[
                    ("organisation", t.kinds[1]),
                    ("system", t.kinds[2]),
                    ("employee", t.kinds[0]),
                ],
            ),
            expiring: choices(
                &form.expiring,
                &[
                    ("", t.expiring[0]),
                    ("30", t.expiring[1]),
                    ("90", t.expiring[2]),
                ],
            ),
            sorts: choices(
                &form.sort,
                &[
                    ("", t.sorts[0]),
                    ("not_after", t.sorts[1]),
                    ("name", t.sorts[2]),
                ],
            ),
            matching,
            rows,
            next,
            first: (!form.after.is_empty()).then(|| form.link("/portal/certificates", None)),
            export: form.link("/portal/certificates/export.csv", None),
            q: form.q,
        },
    ))
}

/// `GET /portal/certificates/export.csv`: every certificate the list's form selects, as
/// CSV (the API's export).
pub(crate) async fn export(
    State(state): State<AppState>,
    session: Session,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Page {
    let Ok(Query(form)) = query else {
        return Err(message(
            session.t,
            StatusCode::BAD_REQUEST,
            None,
            session.t.not_found,
        ));
    };
    let now = state.now();
    let result = match state
        .ra
        .export(&session.caller, &form.params(now), now)
        .await
    {
        Ok(export) => crate::csv::response(export).await,
        Err(e) => Err(e),
    };
    result
        .or_refusal(session.t)?
        .map_err(|why| message(session.t, StatusCode::BAD_REQUEST, None, &why))
}
