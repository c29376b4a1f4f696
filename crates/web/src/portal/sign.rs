//! Signing a file in the portal: upload it, get it back signed (PAdES for a PDF, a
//! detached CAdES `.p7s` for any file), personally or as the organisation's seal. The
//! same service and rules as `POST /api/v1/sign`. Never log or keep an upload; the
//! download is answered only after the audit event is committed.

use askama::Template;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use orgca_ra::signing::{Mode, SignatureMade};
use orgca_signing::Format;
use uuid::Uuid;

use super::pages::Choice;
use super::text::Texts;
use super::{Chrome, OnPage, Page, Session, render};
use crate::AppState;

#[derive(Template)]
#[template(path = "sign.html")]
struct SignPage {
    t: &'static Texts,
    chrome: Option<Chrome>,
    section: &'static str,
    notice: Option<String>,
    error: Option<String>,
    csrf: String,
    /// Organisation profiles this user may seal with (empty: no seal choice).
    seal_profiles: Vec<Choice>,
    max_mb: usize,
}

async fn page(
    state: &AppState,
    session: &Session,
    status: StatusCode,
    error: Option<String>,
) -> Page {
    let t = session.t;
    let chrome = session.chrome(state).await?;
    let seal_profiles = state
        .ra
        .seal_profiles(&session.caller)
        .await
        .or_fault(t)?
        .into_iter()
        .map(|p| Choice {
            key: p.id.to_string(),
            label: p.name,
            selected: false,
        })
        .collect();
    let max = state.ra.max_document();
    Ok(render(
        status,
        &SignPage {
            t,
            csrf: session.csrf.clone(),
            chrome: Some(chrome),
            section: "sign",
            notice: None,
            error,
            seal_profiles,
            max_mb: max / (1024 * 1024),
        },
    ))
}

/// `GET /portal/sign`.
pub(crate) async fn form(State(state): State<AppState>, session: Session) -> Page {
    page(&state, &session, StatusCode::OK, None).await
}

/// What the upload form sent.
#[derive(Default)]
struct Upload {
    csrf: String,
    file_name: String,
    document: Vec<u8>,
    format: String,
    signer: String,
}

/// Reads the multipart form. A field other than the form's, or one that cannot be read,
/// makes it unreadable (400); a body over the limit is 413.
async fn read_upload(mut mp: Multipart) -> Result<Upload, StatusCode> {
    let status = |e: axum::extract::multipart::MultipartError| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => StatusCode::PAYLOAD_TOO_LARGE,
        _ => StatusCode::BAD_REQUEST,
    };
    let mut u = Upload::default();
    while let Some(field) = mp.next_field().await.map_err(status)? {
        let name = field.name().unwrap_or("").to_owned();
        match name.as_str() {
            "document" => {
                u.file_name = field.file_name().unwrap_or("").to_owned();
                u.document = field.bytes().await.map_err(status)?.to_vec();
            }
            "csrf" | "format" | "signer" => {
                let v = field.text().await.map_err(status)?;
                match name.as_str() {
                    "csrf" => u.csrf = v,
                    "format" => u.format = v,
                    _ => u.signer = v,
                }
            }
            _ => return Err(StatusCode::BAD_REQUEST),
        }
    }
    Ok(u)
}

/// The name of the file handed back: the upload's stem (safe characters only) with
/// `-signed.pdf`, or the whole name with `.p7s`.
fn download_name(uploaded: &str, format: Format) -> String {
    let base: String = uploaded
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .take(100)
        .collect();
    let base = if base.trim_matches('.').is_empty() {
        "document".to_owned()
    } else {
        base
    };
    match format {
        Format::Pades => {
            let stem = base
                .strip_suffix(".pdf")
                .or_else(|| base.strip_suffix(".PDF"))
                .unwrap_or(&base);
            format!("{stem}-signed.pdf")
        }
        Format::Cades => format!("{base}.p7s"),
    }
}

fn download(made: SignatureMade, name: &str, format: Format) -> Response {
    let mut resp = (
        [(header::CONTENT_TYPE, format.content_type())],
        made.document,
    )
        .into_response();
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&made.signature_id.to_string()) {
        h.insert(crate::api::SIGNATURE_ID_HEADER, v);
    }
    resp
}

/// `POST /portal/sign` (multipart): answers the signed file as a download, or the form
/// again with what to fix.
pub(crate) async fn submit(State(state): State<AppState>, session: Session, req: Request) -> Page {
    let t = session.t;
    let upload = match Multipart::from_request(req, &state).await {
        Ok(mp) => read_upload(mp).await,
        Err(_) => Err(StatusCode::BAD_REQUEST),
    };
    let u = match upload {
        Ok(u) => u,
        Err(status) => {
            let max = state.ra.max_document();
            let text = if status == StatusCode::PAYLOAD_TOO_LARGE {
                format!("{} ({} MB).", t.sign_too_large, max / (1024 * 1024))
            } else {
                t.sign_unreadable.to_owned()
            };
            return page(&state, &session, status, Some(text)).await;
        }
    };
    if !session.csrf_ok(&u.csrf) {
        let chrome = session.chrome(&state).await.ok();
        return Err(super::message(
            t,
            StatusCode::FORBIDDEN,
            chrome,
            t.form_expired,
        ));
    }
    let Some(format) = Format::parse(&u.format) else {
        return page(
            &state,
            &session,
            StatusCode::BAD_REQUEST,
            Some(t.sign_unreadable.into()),
        )
        .await;
    };
    let mode = match u.signer.as_str() {
        "" | "personal" => Mode::Personal,
        id => match Uuid::parse_str(id) {
            Ok(profile) => Mode::Seal { profile },
            Err(_) => {
                return page(
                    &state,
                    &session,
                    StatusCode::BAD_REQUEST,
                    Some(t.sign_unreadable.into()),
                )
                .await;
            }
        },
    };
    let name = download_name(&u.file_name, format);
    let result = state
        .ra
        .sign(&session.caller, u.document, format, mode, state.now())
        .await;
    match result {
        Ok(made) => Ok(download(made, &name, format)),
        // The API's statuses and words; a server fault is logged there, shown here plainly.
        Err(e) => match crate::Problem::from(e) {
            p if p.status == StatusCode::INTERNAL_SERVER_ERROR => {
                Err(super::message(t, p.status, None, t.server_error))
            }
            p => page(&state, &session, p.status, Some(p.detail)).await,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_names_keep_only_safe_characters() {
        assert_eq!(
            download_name("Kontrakt 2026.pdf", Format::Pades),
            "Kontrakt2026-signed.pdf"
        );
        assert_eq!(
            download_name(r"C:\docs\a.PDF", Format::Pades),
            "a-signed.pdf"
        );
        assert_eq!(
            download_name("../../etc/passwd", Format::Cades),
            "passwd.p7s"
        );
        assert_eq!(
            download_name("x\"; y=\".pdf", Format::Pades),
            "xy-signed.pdf"
        );
        assert_eq!(download_name("", Format::Cades), "document.p7s");
        assert_eq!(download_name("..", Format::Cades), "document.p7s");
    }
}
