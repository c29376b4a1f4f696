//! Files a pick-up hands to a browser: a PKCS#12 (with the key orgca made) or a PEM
//! chain, kept in this process's memory only, for one download within ten minutes. A
//! private key is never written to the store; the page that shows the PKCS#12's password
//! links here, and the file is gone once fetched.

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
}

impl Drop for Receipt {
    fn drop(&mut self) {
        if let Some(p) = self.password.as_mut() {
            p.zeroize();
        }
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
    /// Keeps `bytes` for one download under a fresh random token; `None` when too many
    /// files are waiting already.
    pub(crate) fn put(
        &self,
        token: String,
        bytes: Vec<u8>,
        content_type: &'static str,
        file_name: String,
    ) -> Option<String> {
        let mut w = self.waiting_now();
        let now = Instant::now();
        if w.len() >= MAX_WAITING {
            return None;
        }
        w.insert(
            token.clone(),
            Waiting {
                bytes,
                content_type,
                file_name,
                until: now + KEEP,
            },
        );
        Some(token)
    }

    /// The waiting files, those past their time dropped first.
    fn waiting_now(&self) -> std::sync::MutexGuard<'_, HashMap<String, Waiting>> {
        let mut w = self
            .waiting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        w.retain(|_, f| f.until > now);
        w
    }

    /// Whether another file would fit now (checked before a pick-up issues anything).
    pub(crate) fn has_room(&self) -> bool {
        self.waiting_now().len() < MAX_WAITING
    }

    /// Takes the file for `token` (once), if it has not expired; expired files go too.
    pub(crate) fn take(&self, token: &str) -> Option<File> {
        let mut w = self
            .waiting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        w.retain(|_, f| f.until > now);
        let mut f = w.remove(token)?;
        (f.until > Instant::now()).then(|| File {
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
