//! Mail delivery: takes queued messages from the store and hands them to a transport:
//! the outbox folder (the embedded default: one RFC 5322 `.eml` file per message) or an
//! SMTP server. The job is safe to run again and on several nodes: a message is marked
//! sent only after its transport accepted it, and a failure is retried with back-off.
//!
//! This crate must never decide who is told what (the RA writes the messages), never
//! send a secret it was not given in a message body, and never drop a message.

mod message;

use std::path::PathBuf;

use lettre::address::Envelope;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use orgca_model::UnixTime;
use orgca_store::{QueuedMail, Store, StoreError};

pub use message::rfc5322;

/// Where messages go.
#[derive(Clone, Debug)]
pub enum Transport {
    /// One `.eml` file per message in this folder.
    Outbox(PathBuf),
    /// An SMTP server (`smtp://host:port`, `smtp://...?tls=required` for STARTTLS,
    /// `smtps://host:port` for TLS; credentials as `smtp://user:pass@host`).
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

impl Transport {
    /// An SMTP transport from its URL.
    pub fn smtp(url: &str) -> Result<Transport, NotifyError> {
        let t = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| NotifyError::Config(format!("SMTP URL: {e}")))?
            .build();
        Ok(Transport::Smtp(t))
    }
}

/// Why a delivery failed.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The mail configuration is not usable.
    #[error("mail configuration: {0}")]
    Config(String),
}

/// Messages handed over per run, at most.
const BATCH: i64 = 100;

/// The sender and transport.
#[derive(Clone, Debug)]
pub struct Mailer {
    /// `From:` of every message.
    pub from: String,
    /// The transport.
    pub transport: Transport,
}

impl Mailer {
    /// Delivers every message due at `now`; answers how many were delivered. A message
    /// that fails is tried again later (1 minute, doubling, at most 1 hour).
    pub async fn deliver_due(&self, store: &Store, now: UnixTime) -> Result<usize, NotifyError> {
        let mut sent = 0;
        for due in store.mail().due(now, BATCH).await? {
            let (id, attempts, handed) = match due {
                Ok(m) => (m.id, m.attempts, self.hand_over(&m, now).await),
                Err(unopened) => (unopened.id, unopened.attempts, Err(unopened.why)),
            };
            match handed {
                Ok(()) => {
                    store.mail().mark_sent(id, now).await?;
                    sent += 1;
                }
                Err(e) => {
                    let delay = retry_delay(attempts);
                    tracing::warn!(mail = %id, error = %e, "mail delivery failed; will retry");
                    store
                        .mail()
                        .mark_failed(id, &e, now.plus_secs(delay))
                        .await?;
                }
            }
        }
        Ok(sent)
    }

    async fn hand_over(&self, m: &QueuedMail, now: UnixTime) -> Result<(), String> {
        let text = rfc5322(&self.from, m, now);
        match &self.transport {
            Transport::Smtp(smtp) => {
                let from: Address = bare_address(&self.from)
                    .parse()
                    .map_err(|e| format!("mail_from {:?}: {e}", self.from))?;
                let to: Address = m
                    .recipient
                    .parse()
                    .map_err(|e| format!("recipient {:?}: {e}", m.recipient))?;
                let envelope = Envelope::new(Some(from), vec![to]).map_err(|e| e.to_string())?;
                smtp.send_raw(&envelope, text.as_bytes())
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }
            Transport::Outbox(dir) => write_outbox(dir, m, &text).map_err(|e| e.to_string()),
        }
    }
}

/// The address in `Name <address>`, or the whole text.
fn bare_address(from: &str) -> &str {
    match (from.find('<'), from.rfind('>')) {
        (Some(a), Some(b)) if a < b => &from[a + 1..b],
        _ => from.trim(),
    }
}

/// Seconds until the next try of a message that has failed `attempts` times before this
/// failure: 1 minute, doubling, at most an hour.
fn retry_delay(attempts: i64) -> i64 {
    60i64.saturating_mul(1 << attempts.clamp(0, 6)).min(3600)
}

/// Writes one message into the outbox folder.
fn write_outbox(dir: &std::path::Path, m: &QueuedMail, text: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let name = format!("{}-{}.eml", m.created_at.secs(), m.id);
    let tmp = dir.join(format!(".{name}.tmp"));
    std::fs::write(&tmp, text)?;
    // Rename is atomic: a reader of the folder never sees half a message.
    std::fs::rename(tmp, dir.join(name))
}

#[cfg(test)]
mod tests {
    #[test]
    fn retries_wait_a_minute_doubling_to_an_hour() {
        let minutes: Vec<i64> = (0..9).map(|a| super::retry_delay(a) / 60).collect();
        assert_eq!(minutes, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(super::retry_delay(i64::MAX), 3600);
    }
}
