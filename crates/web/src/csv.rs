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

/// Where a CSV body's chunks come from: an [`Export`], page by page.
trait Chunks: Send + 'static {
    /// The next chunk and how many rows it holds, or `None` at the end.
    fn next_chunk(
        &mut self,
    ) -> impl Future<Output = Result<Option<(Vec<u8>, usize)>, RaError>> + Send;
}

impl Chunks for Export {
    async fn next_chunk(&mut self) -> Result<Option<(Vec<u8>, usize)>, RaError> {
        Export::next_chunk(self).await
    }
}

/// The export's chunks as a body stream. A task reads the next page while the last one
/// is sent (two chunks in flight at most: memory does not grow with the rows); when the
/// client goes away (the server drops the body), its next send fails, it stops reading
/// and lets go of the export. A failure after the first chunk ends the body with an
/// error, so the client never takes a cut-off file for a whole one.
fn stream(
    first: Option<(Vec<u8>, usize)>,
    mut export: impl Chunks,
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use futures_util::StreamExt;

    use super::*;

    /// An export without end that counts its reads and says when it is let go of.
    struct Endless {
        reads: Arc<AtomicUsize>,
        dropped: Option<tokio::sync::oneshot::Sender<()>>,
    }

    impl Chunks for Endless {
        async fn next_chunk(&mut self) -> Result<Option<(Vec<u8>, usize)>, RaError> {
            self.reads.fetch_add(1, Ordering::SeqCst);
            // A page is read from the database: the task waits, as it would there.
            tokio::task::yield_now().await;
            Ok(Some((vec![b'x'; 1000], 10)))
        }
    }

    impl Drop for Endless {
        fn drop(&mut self) {
            if let Some(tx) = self.dropped.take() {
                let _ = tx.send(());
            }
        }
    }

    /// A body dropped part way (the client went away) stops the reading at once: the
    /// export is let go of, after at most the two chunks in flight.
    #[tokio::test]
    async fn the_reading_stops_when_the_client_goes_away() {
        let reads = Arc::new(AtomicUsize::new(0));
        let (tx, dropped) = tokio::sync::oneshot::channel();
        let source = Endless {
            reads: reads.clone(),
            dropped: Some(tx),
        };
        let mut body = Box::pin(stream(Some((b"header\r\n".to_vec(), 0)), source));
        for _ in 0..3 {
            assert!(body.next().await.is_some_and(|c| c.is_ok()));
        }
        drop(body);
        tokio::time::timeout(Duration::from_secs(5), dropped)
            .await
            .expect("the export is let go of")
            .expect("dropped once");
        let read = reads.load(Ordering::SeqCst);
        assert!(read <= 4, "{read} chunks read for 3 sent");
    }
}
