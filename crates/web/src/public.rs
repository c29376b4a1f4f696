//! Public endpoints: no login.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

use orgca_pki::ocsp::Unsuccessful;
use orgca_status::ocsp::Reply;

use crate::{AppState, Problem};

/// `GET /healthz`: 200 when the database answers and every CA key can sign; else 503
/// saying which part is missing (the details go to the log).
pub async fn healthz(State(state): State<AppState>) -> Response {
    // A database that is down must not hold the health check for the pool's whole wait.
    match tokio::time::timeout(std::time::Duration::from_secs(3), state.ra.ping()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "health check: database does not answer");
            return Problem::unavailable("the database does not answer").into_response();
        }
        Err(_) => {
            tracing::warn!("health check: database does not answer within 3 s");
            return Problem::unavailable("the database does not answer").into_response();
        }
    }
    let unusable = state.ra.unusable_keys().await;
    if unusable.is_empty() {
        return axum::Json(serde_json::json!({"status": "ok"})).into_response();
    }
    for (ca, why) in &unusable {
        tracing::warn!(ca = %ca, error = %why, "health check: a CA key cannot sign");
    }
    let names: Vec<&str> = unusable.iter().map(|(ca, _)| ca.as_str()).collect();
    Problem {
        status: axum::http::StatusCode::SERVICE_UNAVAILABLE,
        code: "key_token_unavailable",
        detail: format!(
            "the key of {} cannot sign now (its key token is not available; the log says why)",
            names.join(", ")
        ),
    }
    .into_response()
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
    match state.ra.ca_certificate(name).await {
        Ok(Some(der)) => {
            let mut resp = der.into_response();
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

fn http_date(t: time::OffsetDateTime) -> Option<HeaderValue> {
    HeaderValue::from_str(&orgca_status::ocsp::http_date(t)).ok()
}

fn is_ca_name(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= 64
        && n.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// `GET /metrics`: Prometheus text format; with a configured token, only for a scraper
/// that sends it (`Authorization: Bearer TOKEN`).
pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(expected) = &state.metrics_token {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(crate::auth::bearer_token);
        if !given.is_some_and(|g| orgca_ra::login::tokens_match(expected, g)) {
            return Problem::unauthorized(
                "the metrics need the bearer token set in ORGCA_METRICS_TOKEN",
            )
            .into_response();
        }
    }
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

/// `POST /ocsp` (`application/ocsp-request`, RFC 6960 Appendix A). A body that is too
/// large or not a request gets the OCSP answer `malformedRequest`, as RFC 6960 asks.
pub async fn ocsp_post(
    State(state): State<AppState>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    match body {
        Ok(b) => ocsp_answer(&state, &b).await,
        Err(_) => ocsp_reply(Reply::Unsuccessful(Unsuccessful::MalformedRequest), &state),
    }
}

/// `GET /ocsp/{base64 request}` (RFC 5019 §5: base64, then URL-encoded).
pub async fn ocsp_get(State(state): State<AppState>, Path(encoded): Path<String>) -> Response {
    use base64ct::Encoding as _;
    let text = encoded.trim_start_matches('/');
    let der = base64ct::Base64::decode_vec(text)
        .or_else(|_| base64ct::Base64Unpadded::decode_vec(text))
        .or_else(|_| base64ct::Base64Url::decode_vec(text))
        .or_else(|_| base64ct::Base64UrlUnpadded::decode_vec(text));
    match der {
        Ok(der) => ocsp_answer(&state, &der).await,
        Err(_) => ocsp_reply(Reply::Unsuccessful(Unsuccessful::MalformedRequest), &state),
    }
}

async fn ocsp_answer(state: &AppState, der: &[u8]) -> Response {
    let Some(ocsp) = &state.ocsp else {
        return ocsp_reply(Reply::Unsuccessful(Unsuccessful::TryLater), state);
    };
    let reply = ocsp.respond(der, state.now().to_offset()).await;
    ocsp_reply(reply, state)
}

/// The HTTP answer (RFC 5019 §6): a kept answer may be cached a minute (a block reaches
/// relying parties in seconds), one made for a nonce not at all.
fn ocsp_reply(reply: Reply, state: &AppState) -> Response {
    let (body, cache) = match &reply {
        Reply::Signed(a) => (a.der.clone(), true),
        Reply::Fresh(der) => (axum::body::Bytes::from(der.clone()), false),
        Reply::Unsuccessful(u) => (axum::body::Bytes::copy_from_slice(&u.der()), false),
    };
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/ocsp-response"),
    );
    if let (Reply::Signed(a), true) = (&reply, cache) {
        // The request path formats nothing it can avoid: a minute is the usual
        // max-age, and the dates were formatted when the answer was signed.
        let left = (a.next_update - state.now().to_offset())
            .whole_seconds()
            .clamp(0, 60);
        let cache_control = if left == 60 {
            Ok(HeaderValue::from_static(
                "max-age=60, public, no-transform, must-revalidate",
            ))
        } else {
            HeaderValue::from_str(&format!(
                "max-age={left}, public, no-transform, must-revalidate"
            ))
        };
        if let Ok(v) = cache_control {
            h.insert(header::CACHE_CONTROL, v);
        }
        if let Ok(v) = HeaderValue::from_str(&a.http_dates.0) {
            h.insert(header::LAST_MODIFIED, v);
        }
        if let Ok(v) = HeaderValue::from_str(&a.http_dates.1) {
            h.insert(header::EXPIRES, v);
        }
    } else {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}
