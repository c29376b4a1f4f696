//! Public endpoints: no login.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::{AppState, Problem};

/// `GET /healthz`: 200 when the database answers, else 503.
pub async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => axum::Json(serde_json::json!({"status": "ok"})).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database does not answer");
            Problem::unavailable("the database does not answer").into_response()
        }
    }
}

/// `GET /ca/{name}.cer`: a CA certificate, DER (`application/pkix-cert`, RFC 2585).
pub async fn ca_certificate(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    // CA names are lower-case letters, digits and '-': anything else cannot exist and is
    // answered without asking the database.
    let Some(name) = file.strip_suffix(".cer").filter(|n| is_ca_name(n)) else {
        return Problem::not_found(
            "CA certificates are at /ca/NAME.cer; `orgca ca list` shows the names",
        )
        .into_response();
    };
    match state.store.ca().get(name).await {
        Ok(Some(ca)) => {
            let mut resp = ca.der.into_response();
            let h = resp.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pkix-cert"),
            );
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            );
            resp
        }
        Ok(None) => Problem::not_found(format!("no CA named {name:?}")).into_response(),
        Err(e) => Problem::internal(&e).into_response(),
    }
}

/// `GET /crl/{name}.crl`: the CA's current CRL, DER (`application/pkix-crl`, RFC 2585),
/// with its CRL number as the entity tag. Caches may keep it a minute: a block reaches
/// relying parties in seconds, not at nextUpdate.
pub async fn crl(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: axum::http::HeaderMap,
) -> Response {
    let Some(name) = file.strip_suffix(".crl").filter(|n| is_ca_name(n)) else {
        return Problem::not_found("CRLs are at /crl/NAME.crl; `orgca ca list` shows the names")
            .into_response();
    };
    let Some(crl) = state.crls.get(name) else {
        return Problem::not_found(format!(
            "no CRL for {name:?}: no such CA, or its first CRL is being built"
        ))
        .into_response();
    };
    let etag = format!("\"{}\"", crl.number);
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut resp = if fresh {
        axum::http::StatusCode::NOT_MODIFIED.into_response()
    } else {
        crl.der.clone().into_response()
    };
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pkix-crl"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60, no-transform"),
    );
    let http_date = |t: time::OffsetDateTime| {
        t.to_offset(time::UtcOffset::UTC)
            .format(HTTP_DATE)
            .ok()
            .and_then(|s| HeaderValue::from_str(&s).ok())
    };
    if let Some(v) = http_date(crl.this_update) {
        h.insert(header::LAST_MODIFIED, v);
    }
    if let Some(v) = http_date(crl.next_update) {
        h.insert(header::EXPIRES, v);
    }
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    resp
}

/// RFC 9110 HTTP-date (IMF-fixdate).
const HTTP_DATE: &[time::format_description::FormatItem<'static>] = time::macros::format_description!(
    "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
);

fn is_ca_name(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= 64
        && n.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// `GET /metrics`: Prometheus text format.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let mut resp = state.metrics.render().into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    resp
}

/// Anything else: a 404 problem.
pub async fn not_found() -> Problem {
    Problem::not_found("no such endpoint")
}

/// A known path with a method it does not take: a problem document, not a bare 405.
pub async fn method_not_allowed() -> Problem {
    Problem {
        status: axum::http::StatusCode::METHOD_NOT_ALLOWED,
        code: "method_not_allowed",
        detail: "this endpoint does not take that method; see /api/v1/openapi.json".into(),
    }
}
