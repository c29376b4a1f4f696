//! The API's OpenAPI document, generated from the handlers' `#[utoipa::path]`
//! attributes and the view types: the router and the document are built from the same
//! list, so a route cannot exist without being documented.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{IntoResponses, Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::views::ProblemDocument;
use crate::AppState;

/// The name of the bearer-token security scheme in the document.
pub const BEARER: &str = "bearer";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "orgca API",
        description = "Order, pick up and manage an organisation's certificates. \
            Every call is confined to the caller's organisation: an id of another \
            organisation answers 404. Errors are RFC 9457 problem documents with a \
            stable `code`. An operator token acts for the organisation whose CVR the \
            `Orgca-Organisation` header names.",
        license(name = "Apache-2.0")
    ),
    modifiers(&BearerAuth),
    components(schemas(ProblemDocument)),
    tags(
        (name = "organisation", description = "The caller's organisation and its users"),
        (name = "profiles", description = "Certificate profiles"),
        (name = "orders", description = "Orders, pick-up and e-mail validation"),
        (name = "certificates", description = "Issued certificates"),
        (name = "signing", description = "Documents signed with single-use certificates, and seals"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The refusals every endpoint may answer, as problem documents.
#[derive(IntoResponses)]
#[allow(dead_code)] // Only read by the document generator.
pub enum Problems {
    /// The body is not the expected JSON, or an operator named no organisation.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(ProblemDocument),
    /// No token, or one that is not valid.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(ProblemDocument),
    /// The caller's role does not allow it (or a wrong one-time code).
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(ProblemDocument),
    /// Not found in the caller's organisation.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(ProblemDocument),
    /// Conflicts with the current state (duplicate name, order not ready, picked up, user
    /// not active, a kind of certificate or seals switched off).
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(ProblemDocument),
    /// The order has expired.
    #[response(status = 410, content_type = "application/problem+json")]
    Gone(ProblemDocument),
    /// The body is larger than the limit.
    #[response(status = 413, content_type = "application/problem+json")]
    TooLarge(ProblemDocument),
    /// A value is not acceptable (the detail says which and why).
    #[response(status = 422, content_type = "application/problem+json")]
    Unprocessable(ProblemDocument),
    /// Too many wrong one-time codes: the order is locked.
    #[response(status = 423, content_type = "application/problem+json")]
    Locked(ProblemDocument),
    /// Try again later: other tries of the code are being checked (`try_again`), or too
    /// many wrong tokens or one-time codes came from the client's address
    /// (`too_many_failures`, with `Retry-After` in seconds).
    #[response(status = 429, content_type = "application/problem+json")]
    TooMany(ProblemDocument),
    /// The service cannot do it here and now: `busy` (try again), `no_signing_ca` (the
    /// operator must add one), `unavailable` (the database does not answer).
    #[response(status = 503, content_type = "application/problem+json")]
    Unavailable(ProblemDocument),
}

/// The API's router and its OpenAPI document. The signing routes read documents up to
/// `document_limit` bytes (base64 in JSON, or raw); every other route small JSON.
pub fn router(document_limit: usize) -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    use super::{certificates as c, orders as o, organisation as g, profiles as p, signing as s};
    let signing = OpenApiRouter::new()
        .routes(routes!(s::sign_json))
        .routes(routes!(s::sign_raw))
        .layer(axum::extract::DefaultBodyLimit::max(s::base64_len(
            document_limit,
        )));
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(g::get_organisation, g::patch_organisation))
        .routes(routes!(g::list_users, g::create_user))
        .routes(routes!(g::get_user, g::patch_user))
        .routes(routes!(p::list_profiles, p::create_profile))
        .routes(routes!(p::get_profile, p::patch_profile))
        .routes(routes!(o::order_for_profile))
        .routes(routes!(o::order_for_user))
        .routes(routes!(o::get_order))
        .routes(routes!(o::cancel_order))
        .routes(routes!(o::pickup_as_user))
        .routes(routes!(o::pickup))
        .routes(routes!(o::confirm_email))
        .routes(routes!(c::list_certificates))
        .routes(routes!(c::export_certificates))
        .routes(routes!(c::get_certificate))
        .routes(routes!(c::get_certificate_pem))
        .routes(routes!(c::renew_certificate))
        .routes(routes!(c::block_certificate))
        .layer(axum::extract::DefaultBodyLimit::max(super::MAX_JSON_BODY))
        .merge(signing)
        .split_for_parts()
}

#[cfg(test)]
mod tests {
    /// Every `$ref` of the document names a schema the document defines (a generated
    /// client fails on one that does not).
    #[test]
    fn every_reference_resolves() {
        let doc = serde_json::to_value(super::router(1024).1).expect("json");
        let schemas = doc["components"]["schemas"]
            .as_object()
            .expect("schemas")
            .clone();
        let mut refs = Vec::new();
        collect_refs(&doc, &mut refs);
        assert!(refs.len() > 20, "{refs:?}");
        let missing: std::collections::BTreeSet<&String> = refs
            .iter()
            .filter(|r| {
                r.strip_prefix("#/components/schemas/")
                    .is_none_or(|name| !schemas.contains_key(name))
            })
            .collect();
        assert!(missing.is_empty(), "unresolved: {missing:?}");
    }

    /// Every response says what it is (OpenAPI requires a description; generators refuse
    /// a document without one).
    #[test]
    fn every_response_is_described() {
        let doc = serde_json::to_value(super::router(1024).1).expect("json");
        let mut bare = Vec::new();
        for (path, ops) in doc["paths"].as_object().expect("paths") {
            for (method, op) in ops.as_object().expect("operations") {
                for (status, r) in op["responses"].as_object().expect("responses") {
                    if r["description"].as_str().is_none_or(str::is_empty) {
                        bare.push(format!("{method} {path} {status}"));
                    }
                }
            }
        }
        assert!(bare.is_empty(), "no description: {bare:?}");
    }

    fn collect_refs(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                if let Some(serde_json::Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|v| collect_refs(v, out));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| collect_refs(v, out)),
            _ => {}
        }
    }
}
