//! `GET /directory?email=ADDRESS`: the public certificate directory, for someone who
//! wants to send an encrypted e-mail. It answers the published, active certificates of
//! exactly one address, as PEM or JSON, and nothing else: no listing, no wildcard, no
//! search by name. Lookups are limited per client address.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use orgca_model::Email;
use serde::{Deserialize, Serialize};

use crate::client::{AddressWindows, ClientAddress};
use crate::{AppState, Problem};

/// Lookups one client address may make per minute (on each node).
pub const LOOKUPS_PER_MINUTE: u32 = 30;

/// Lookups per client address in the current minute.
#[derive(Debug)]
pub struct DirectoryLimiter(AddressWindows);

impl Default for DirectoryLimiter {
    fn default() -> Self {
        DirectoryLimiter(AddressWindows::new(LOOKUPS_PER_MINUTE, 60))
    }
}

/// The query: one address, nothing else.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lookup {
    email: Option<String>,
    format: Option<String>,
}

/// One certificate as the JSON answer shows it.
#[derive(Serialize)]
struct Entry {
    subject: String,
    email: String,
    serial: String,
    not_before: String,
    not_after: String,
    fingerprint_sha256: String,
    pem: String,
}

/// Whether the client asked for JSON (`format=json`, or `Accept` naming JSON before
/// any PEM type).
fn wants_json(format: Option<&str>, headers: &HeaderMap) -> Result<bool, Problem> {
    match format {
        Some("json") => return Ok(true),
        Some("pem") => return Ok(false),
        Some(other) => {
            return Err(bad(format!(
                "format {other:?} is not known: use pem or json"
            )));
        }
        None => {}
    }
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    Ok(accept.contains("application/json") && !accept.contains("pem"))
}

fn bad(detail: String) -> Problem {
    Problem {
        status: StatusCode::BAD_REQUEST,
        code: "invalid_query",
        detail,
    }
}

/// `GET /directory?email=ADDRESS[&format=pem|json]`.
pub async fn lookup(
    State(state): State<AppState>,
    client: ClientAddress,
    headers: HeaderMap,
    query: Result<Query<Lookup>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Problem> {
    let Ok(Query(q)) = query else {
        return Err(bad(
            "the directory answers one exact address: /directory?email=ADDRESS (and format=pem or json)"
                .into(),
        ));
    };
    let now = state.now();
    if let Err(wait) = state.directory_limiter.0.count(client.0, now) {
        let mut resp = Problem {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "too_many_lookups",
            detail: format!(
                "at most {LOOKUPS_PER_MINUTE} lookups a minute from one address: wait a minute"
            ),
        }
        .into_response();
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(wait));
        return Ok(resp);
    }
    let raw = q.email.as_deref().map(str::trim).unwrap_or("");
    if raw.is_empty() {
        return Err(bad(
            "give the exact address: /directory?email=ADDRESS".into()
        ));
    }
    if raw.contains(['*', '%']) {
        return Err(bad(
            "the directory answers exact addresses only: no wildcards".into(),
        ));
    }
    let email = Email::parse(raw).map_err(|e| bad(format!("{e}: give one whole address")))?;
    let json = wants_json(q.format.as_deref(), &headers)?;
    let found = state
        .ra
        .directory(&email, now)
        .await
        .map_err(|e| Problem::internal(&e))?;
    metrics::counter!("orgca_directory_lookups_total").increment(1);
    if found.is_empty() {
        return Err(Problem::not_found(format!(
            "no published, valid certificate for {}",
            email.as_str()
        )));
    }
    let pems = found
        .iter()
        .map(|c| orgca_pki::encode::certificate_pem(&c.der))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Problem::internal(&e))?;
    let mut resp = if json {
        let entries: Vec<Entry> = found
            .iter()
            .zip(pems)
            .map(|(c, pem)| Entry {
                subject: c.name.clone(),
                email: c.email.clone().unwrap_or_default(),
                serial: c.serial.to_string(),
                not_before: c.not_before.rfc3339(),
                not_after: c.not_after.rfc3339(),
                fingerprint_sha256: c.fingerprint.clone(),
                pem,
            })
            .collect();
        axum::Json(serde_json::json!({ "certificates": entries })).into_response()
    } else {
        let body: String = pems.concat();
        let mut r = body.into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/pem-certificate-chain"),
        );
        r
    };
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use orgca_model::UnixTime;
    use std::net::IpAddr;

    #[test]
    fn a_client_gets_its_lookups_per_minute_then_a_refusal() {
        let l = DirectoryLimiter::default().0;
        let a: IpAddr = [192, 0, 2, 1].into();
        // The README promises 30 a minute.
        for _ in 0..30 {
            assert!(l.count(a, UnixTime::from_secs(600)).is_ok());
        }
        assert_eq!(l.count(a, UnixTime::from_secs(659)), Err(1));
        assert!(
            l.count([192, 0, 2, 2].into(), UnixTime::from_secs(659))
                .is_ok()
        );
        assert!(l.count(a, UnixTime::from_secs(660)).is_ok(), "a new minute");
    }
}
