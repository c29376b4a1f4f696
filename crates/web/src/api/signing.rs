//! The signing service over the API: a document in, the signed document out, made with
//! a single-use certificate for the caller (or the organisation, for a seal).
//!
//! These handlers must never log, store or echo a document, and never answer a signed
//! one before the RA has committed its audit event.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64ct::{Base64, Encoding as _};
use orgca_ra::signing::{Mode, SignatureMade};
use orgca_signing::Format;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::openapi::Problems;
use crate::auth::Caller;
use crate::{AppState, Problem};

/// The header that carries the signature id with a raw signed document.
pub const SIGNATURE_ID_HEADER: &str = "orgca-signature-id";

/// `pades` (a PDF with its signature inside) or `cades` (a detached CMS for any file).
#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum FormatName {
    /// PAdES baseline B.
    Pades,
    /// CAdES baseline B, detached.
    Cades,
}

/// `personal` (in the caller's own name) or `seal` (the organisation, with `profile`).
#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ModeName {
    /// The caller signs as themself.
    Personal,
    /// The organisation seals (needs the seal right and a profile).
    Seal,
}

/// A document to sign.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignBody {
    /// The document, base64 (standard alphabet, padded).
    pub document: String,
    /// Output format.
    pub format: FormatName,
    /// Who signs.
    pub mode: ModeName,
    /// For a seal: the organisation profile (with `allow_signing`) that names the seal.
    #[serde(default)]
    pub profile: Option<Uuid>,
}

impl utoipa::PartialSchema for SignBody {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        super::schema::sign_body(&FormatName::name()).into()
    }
}

impl ToSchema for SignBody {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        use utoipa::PartialSchema as _;
        schemas.push((FormatName::name().into(), FormatName::schema()));
        schemas.push((ModeName::name().into(), ModeName::schema()));
    }
}

/// How to sign a raw document.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SignQuery {
    /// `personal` or `seal`.
    pub mode: ModeName,
    /// For a seal: the organisation profile that names it.
    #[serde(default)]
    pub profile: Option<Uuid>,
}

/// A signed document.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignedView {
    /// The signed PDF, or the detached CMS (DER), base64.
    pub signed_document: String,
    /// Ties the signature to its audit event.
    pub signature_id: Uuid,
    /// The single-use certificate's serial (hex); the certificate itself is inside the
    /// signature and nowhere else.
    pub certificate_serial: String,
    /// `application/pdf` or `application/pkcs7-signature`.
    pub content_type: &'static str,
}

fn format_of(f: FormatName) -> Format {
    match f {
        FormatName::Pades => Format::Pades,
        FormatName::Cades => Format::Cades,
    }
}

fn mode_of(mode: ModeName, profile: Option<Uuid>) -> Result<Mode, Problem> {
    let bad = |detail: &str| Problem {
        status: StatusCode::BAD_REQUEST,
        code: "invalid_request",
        detail: detail.into(),
    };
    match (mode, profile) {
        (ModeName::Personal, None) => Ok(Mode::Personal),
        (ModeName::Personal, Some(_)) => Err(bad(
            "a personal signature takes no profile; give mode \"seal\" to seal with a profile",
        )),
        (ModeName::Seal, Some(profile)) => Ok(Mode::Seal { profile }),
        (ModeName::Seal, None) => Err(bad(
            "a seal needs \"profile\": the id of an organisation profile that allows signing",
        )),
    }
}

async fn sign(
    s: &AppState,
    caller: &orgca_ra::Caller,
    document: Vec<u8>,
    format: Format,
    mode: Mode,
) -> Result<SignatureMade, Problem> {
    Ok(s.ra.sign(caller, document, format, mode, s.now()).await?)
}

/// Signs a document given as base64 in JSON; answers it signed, as base64. For files of
/// more than a few MB, `POST /api/v1/sign/{format}` takes and answers raw bytes.
#[utoipa::path(post, path = "/api/v1/sign", tag = "signing",
    security(("bearer" = [])), request_body = SignBody,
    responses((status = 200, description = "The signed document", body = SignedView), Problems))]
pub async fn sign_json(
    State(s): State<AppState>,
    Caller(c): Caller,
    req: axum::extract::Request,
) -> Result<Json<SignedView>, Problem> {
    let limit = s.ra.max_document();
    let body = super::read_body(req, &(), base64_len(limit)).await?;
    let b: SignBody = serde_json::from_slice(&body).map_err(|e| Problem {
        status: StatusCode::BAD_REQUEST,
        code: "invalid_json",
        detail: format!("the request body is not the expected JSON: {e}"),
    })?;
    let mode = mode_of(b.mode, b.profile)?;
    let document =
        Base64::decode_vec(b.document.trim_matches([' ', '\t', '\r', '\n'])).map_err(|_| {
            Problem {
                status: StatusCode::BAD_REQUEST,
                code: "invalid_document",
                detail: "\"document\" is not base64 (standard alphabet, with padding)".into(),
            }
        })?;
    let format = format_of(b.format);
    let made = sign(&s, &c, document, format, mode).await?;
    Ok(Json(SignedView {
        signed_document: Base64::encode_string(&made.document),
        signature_id: made.signature_id,
        certificate_serial: made.serial,
        content_type: format.content_type(),
    }))
}

/// Signs the raw request body (any content type); answers the signed PDF or the
/// detached CMS as raw bytes, with the signature id in `Orgca-Signature-Id`.
#[utoipa::path(post, path = "/api/v1/sign/{format}", tag = "signing",
    security(("bearer" = [])),
    params(("format" = String, Path, description = "`pades` or `cades`"), SignQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, description = "The signed document, as bytes", content_type = "application/octet-stream", body = Vec<u8>), Problems))]
pub async fn sign_raw(
    State(s): State<AppState>,
    Caller(c): Caller,
    Path(format): Path<String>,
    query: Result<Query<SignQuery>, axum::extract::rejection::QueryRejection>,
    req: axum::extract::Request,
) -> Result<Response, Problem> {
    let format = match format.as_str() {
        "pades" => Format::Pades,
        "cades" => Format::Cades,
        other => {
            return Err(Problem {
                status: StatusCode::NOT_FOUND,
                code: "not_found",
                detail: format!(
                    "no format {other:?}: use /api/v1/sign/pades or /api/v1/sign/cades"
                ),
            });
        }
    };
    let Query(q) = query.map_err(|e| Problem {
        status: StatusCode::BAD_REQUEST,
        code: "invalid_query",
        detail: format!("{e}: give mode=personal, or mode=seal&profile=<id>"),
    })?;
    let mode = mode_of(q.mode, q.profile)?;
    let limit = s.ra.max_document();
    let body = super::read_body(req, &(), limit).await?;
    let made = sign(&s, &c, body.to_vec(), format, mode).await?;
    let file = match format {
        Format::Pades => "signed.pdf",
        Format::Cades => "signature.p7s",
    };
    let mut resp = (
        [
            (header::CONTENT_TYPE, format.content_type()),
            (header::CACHE_CONTROL, "no-store"),
        ],
        made.document,
    )
        .into_response();
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&made.signature_id.to_string()) {
        h.insert(SIGNATURE_ID_HEADER, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

/// The length of `n` bytes in padded base64, with room for the JSON around it.
pub(crate) fn base64_len(n: usize) -> usize {
    n.div_ceil(3) * 4 + 4096
}
