//! CSV exports as HTTP answers, for the API and the portal alike.

use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use orgca_ra::RaError;
use orgca_ra::export::Export;

/// The whole export as a streamed `text/csv` attachment. The first page is read before
/// the answer starts, so a failure there is still an error answer, not a cut-off body.
pub(crate) async fn response(mut export: Export) -> Result<Response, RaError> {
    let first = export.next_chunk().await?;
    let mut resp = Body::from_stream(stream(first, export)).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8; header=present"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"certificates.csv\""),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

/// The export's chunks as a body stream. A task reads the next page while the last one
/// is sent (two chunks in flight at most: memory does not grow with the rows); when the
/// client goes away, its next send fails and it stops reading. A failure after the
/// first chunk ends the body with an error, so the client never takes a cut-off file for
/// a whole one.
fn stream(
    first: Option<(Vec<u8>, usize)>,
    mut export: Export,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    tokio::spawn(async move {
        let mut first = Some(first);
        loop {
            let next = match first.take() {
                Some(chunk) => Ok(chunk),
                None => export.next_chunk().await,
            };
            let item = match next {
                Ok(Some((chunk, rows))) => {
                    metrics::counter!("orgca_export_rows_total").increment(rows as u64);
                    Ok(chunk)
                }
                Ok(None) => return,
                Err(e) => {
                    tracing::error!(error = %e, "export failed part way");
                    Err(std::io::Error::other("the export failed part way"))
                }
            };
            let failed = item.is_err();
            if tx.send(item).await.is_err() {
                metrics::counter!("orgca_exports_abandoned_total").increment(1);
                tracing::info!("export abandoned by the client");
                return;
            }
            if failed {
                return;
            }
        }
    });
    futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    })
}
