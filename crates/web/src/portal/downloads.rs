//! Files a pick-up hands to a browser: a PKCS#12 (with the key orgca made) or a PEM
//! chain, kept in this process's memory only, for one download within ten minutes, by the
//! browser that did the pick-up (the link's token and a cookie set with the page must
//! both match: a leaked link alone fetches nothing). A private key is never written to
//! the store; the page that shows the PKCS#12's password links here, and the file is
//! gone once fetched.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use zeroize::Zeroize;

/// How long a file waits for its download.
const KEEP: Duration = Duration::from_secs(600);
/// At most this many files wait at once (a pick-up beyond it waits for room).
const MAX_WAITING: usize = 1000;

/// One file waiting.
struct Waiting {
    /// SHA-256 of the cookie secret of the browser it is for.
    owner: [u8; 32],
    bytes: Vec<u8>,
    content_type: &'static str,
    file_name: String,
    until: Instant,
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

/// How long the page of a pick-up can be shown again (a form sent twice).
const RECEIPT: Duration = Duration::from_secs(60);

/// What a pick-up's page showed: shown again, for a minute, to the same form sent a
/// second time (a double click), whose own pick-up is refused as already done.
#[derive(Clone)]
pub(crate) struct Receipt {
    pub(crate) name: String,
    pub(crate) serial: String,
    pub(crate) password: Option<String>,
    pub(crate) download: String,
    /// The cookie secret the download needs (set again when the page is shown again).
    pub(crate) owner: String,
    /// A test organisation's certificate (the page shows the test banner).
    pub(crate) test: bool,
}

impl Drop for Receipt {
    fn drop(&mut self) {
        if let Some(p) = self.password.as_mut() {
            p.zeroize();
        }
        self.owner.zeroize();
    }
}

/// The files waiting for their download, and the receipts of recent pick-ups.
#[derive(Default)]
pub struct Downloads {
    waiting: Mutex<HashMap<String, Waiting>>,
    receipts: Mutex<HashMap<String, (Receipt, Instant)>>,
}

impl std::fmt::Debug for Downloads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Downloads").finish_non_exhaustive()
    }
}

/// A file taken for download.
pub(crate) struct File {
    pub(crate) bytes: Vec<u8>,
    pub(crate) content_type: &'static str,
    pub(crate) file_name: String,
}

impl Downloads {
    /// Keeps `bytes` for one download under a fresh random token, for the browser that
    /// presents `owner` (a cookie secret); `None` when too many files are waiting already.
    pub(crate) fn put(
        &self,
        token: String,
        owner: &str,
        bytes: Vec<u8>,
        content_type: &'static str,
        file_name: String,
    ) -> Option<String> {
        self.put_at(Instant::now(), token, owner, bytes, content_type, file_name)
    }

    fn put_at(
        &self,
        now: Instant,
        token: String,
        owner: &str,
        bytes: Vec<u8>,
        content_type: &'static str,
        file_name: String,
    ) -> Option<String> {
        let mut w = self.waiting_at(now);
        if w.len() >= MAX_WAITING {
            return None;
        }
        w.insert(
            token.clone(),
            Waiting {
                owner: orgca_ra::token_hash(owner),
                bytes,
                content_type,
                file_name,
                until: now + KEEP,
            },
        );
        Some(token)
    }

    /// The waiting files at `now`, those past their time dropped first.
    fn waiting_at(&self, now: Instant) -> std::sync::MutexGuard<'_, HashMap<String, Waiting>> {
        let mut w = self
            .waiting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        w.retain(|_, f| f.until > now);
        w
    }

    /// Whether another file would fit now (checked before a pick-up issues anything).
    pub(crate) fn has_room(&self) -> bool {
        self.waiting_at(Instant::now()).len() < MAX_WAITING
    }

    /// Takes the file for `token` (once), if it has not expired and `owner` is the cookie
    /// secret it was kept for; expired files go too. A wrong or missing secret leaves
    /// the file for its browser.
    pub(crate) fn take(&self, token: &str, owner: Option<&str>) -> Option<File> {
        self.take_at(Instant::now(), token, owner)
    }

    fn take_at(&self, now: Instant, token: &str, owner: Option<&str>) -> Option<File> {
        let mut w = self.waiting_at(now);
        let presented = orgca_ra::token_hash(owner?);
        let mine = w.get(token).is_some_and(|f| {
            aws_lc_rs::constant_time::verify_slices_are_equal(&f.owner, &presented).is_ok()
        });
        if !mine {
            return None;
        }
        let mut f = w.remove(token)?;
        Some(File {
            bytes: std::mem::take(&mut f.bytes),
            content_type: f.content_type,
            file_name: std::mem::take(&mut f.file_name),
        })
    }

    /// Keeps what a pick-up showed under `key` (the order, as the form names it).
    pub(crate) fn keep_receipt(&self, key: String, receipt: Receipt) {
        let mut r = self
            .receipts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        r.retain(|_, (_, until)| *until > now);
        if r.len() < MAX_WAITING {
            r.insert(key, (receipt, now + RECEIPT));
        }
    }

    /// What the pick-up of `key` showed, within a minute of it.
    pub(crate) fn receipt(&self, key: &str) -> Option<Receipt> {
        let r = self
            .receipts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        r.get(key)
            .filter(|(_, until)| *until > Instant::now())
            .map(|(receipt, _)| receipt.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_waits_ten_minutes_for_its_own_browser_once() {
        let d = Downloads::default();
        let t0 = Instant::now();
        let keep = |token: &str| {
            d.put_at(
                t0,
                token.into(),
                "cookie-a",
                b"p12".to_vec(),
                "x",
                "f.p12".into(),
            )
            .expect("room")
        };
        let a = keep("a");
        // Another browser, or none, gets nothing, and the file stays.
        assert!(d.take_at(t0, &a, Some("cookie-b")).is_none());
        assert!(d.take_at(t0, &a, None).is_none());
        let f = d.take_at(t0 + Duration::from_secs(599), &a, Some("cookie-a"));
        assert_eq!(f.map(|f| f.bytes), Some(b"p12".to_vec()));
        assert!(d.take_at(t0, &a, Some("cookie-a")).is_none(), "once");
        let b = keep("b");
        assert!(
            d.take_at(t0 + Duration::from_secs(600), &b, Some("cookie-a"))
                .is_none(),
            "ten minutes, not more"
        );
    }
}
