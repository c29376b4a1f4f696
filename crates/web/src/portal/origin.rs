//! Form posts from another site are refused before any handler runs. The CSRF token in
//! every form is the main defence; this is the second one, from what the browser says
//! about where a request comes from (Fetch metadata, else the `Origin` header): a form
//! on another site cannot be made to look like the portal's own.

use axum::extract::{Request, State};
use axum::http::header::{HOST, ORIGIN};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// Why a request that changes something is refused as cross-site, if it is.
///
/// Where the browser sends `Sec-Fetch-Site`, only `same-origin` (the portal's own pages)
/// and `none` (an address typed or bookmarked) pass. Otherwise the `Origin` must name
/// the host the request was sent to, or the portal's configured address `base` (behind a
/// proxy that rewrites `Host`). The portal's `Referrer-Policy: no-referrer` makes
/// browsers send `Origin: null` for its own forms, so `null` tells nothing; a request
/// with neither header (not a browser) is left to the CSRF token.
pub(crate) fn cross_site(headers: &HeaderMap, base: &str) -> Option<&'static str> {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return match site.to_ascii_lowercase().as_str() {
            "same-origin" | "none" => None,
            _ => Some("the browser says the form comes from another site"),
        };
    }
    let origin = text(ORIGIN.as_str()).filter(|o| *o != "null")?;
    if origin_of(base).is_some_and(|b| b.eq_ignore_ascii_case(origin)) {
        return None;
    }
    // An origin is scheme://host[:port]; the request's Host header is host[:port].
    let authority = origin.split_once("://").map(|(_, a)| a);
    match (authority, text(HOST.as_str())) {
        (Some(a), Some(host)) if a.eq_ignore_ascii_case(host) => None,
        _ => Some("the form comes from another origin"),
    }
}

/// `scheme://host[:port]` of a URL.
fn origin_of(url: &str) -> Option<&str> {
    let (_, rest) = url.split_once("://")?;
    let end = rest
        .find('/')
        .map_or(url.len(), |i| url.len() - rest.len() + i);
    Some(&url[..end])
}

/// Refuses a POST to the portal that a browser marks as coming from elsewhere.
pub(crate) async fn same_origin_posts(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let base = &state.ra.order_policy().public_base_url;
    if req.method() == Method::POST
        && let Some(why) = cross_site(req.headers(), base)
    {
        tracing::warn!(path = %req.uri().path(), why, "cross-site form post refused");
        let text = format!(
            "Refused: {why}. Open the portal at its own address and send the form from there.\n"
        );
        return (StatusCode::FORBIDDEN, text).into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::cross_site;
    use axum::http::HeaderMap;

    const BASE: &str = "http://localhost:9999";
    const HOST: (&str, &str) = ("host", "127.0.0.1:8080");

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().expect("value"));
        }
        h
    }

    #[test]
    fn the_portals_own_forms_pass() {
        let cases: [&[(&str, &str)]; 7] = [
            &[HOST],
            &[HOST, ("origin", "http://127.0.0.1:8080")],
            &[HOST, ("origin", "null")],
            &[HOST, ("origin", "null"), ("sec-fetch-site", "same-origin")],
            &[HOST, ("sec-fetch-site", "none")],
            &[
                ("host", "CA.Example.dk"),
                ("origin", "https://ca.example.dk"),
            ],
            &[HOST, ("origin", "https://ca.example.dk")],
        ];
        for (i, ok) in cases.iter().enumerate() {
            // The last one passes only behind a proxy, by the configured address.
            let base = if i == 6 {
                "https://ca.example.dk/"
            } else {
                BASE
            };
            assert_eq!(cross_site(&headers(ok), base), None, "{ok:?}");
        }
    }

    #[test]
    fn forms_from_elsewhere_do_not() {
        let cases: [&[(&str, &str)]; 6] = [
            &[HOST, ("origin", "https://evil.example")],
            &[HOST, ("origin", "http://127.0.0.1:9999")],
            &[HOST, ("origin", "garbage")],
            &[HOST, ("sec-fetch-site", "cross-site")],
            &[HOST, ("origin", "null"), ("sec-fetch-site", "same-site")],
            &[("origin", "http://127.0.0.1:8080")],
        ];
        for bad in cases {
            assert!(cross_site(&headers(bad), BASE).is_some(), "{bad:?}");
        }
        let proxied = headers(&[HOST, ("origin", "https://ca.example.dk")]);
        assert!(cross_site(&proxied, BASE).is_some());
    }
}
