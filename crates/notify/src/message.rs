//! RFC 5322 messages with UTF-8 text (RFC 2047 encoded subject, 8bit body).

use orgca_model::UnixTime;
use orgca_store::QueuedMail;

fn encoded_word(s: &str) -> String {
    if s.is_ascii() && !s.contains(['\r', '\n']) {
        return s.to_owned();
    }
    // RFC 2047 B-encoding of the whole subject (no line breaks can survive it).
    format!("=?UTF-8?B?{}?=", base64(s.as_bytes()))
}

fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(T[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The message as RFC 5322 text with CRLF line ends.
pub fn rfc5322(from: &str, m: &QueuedMail, now: UnixTime) -> String {
    let date = now
        .to_offset()
        .format(&time::format_description::well_known::Rfc2822)
        .unwrap_or_default();
    let body = m.body.replace("\r\n", "\n").replace('\n', "\r\n");
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {date}\r\nMessage-ID: <{id}@orgca>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n",
        to = m.recipient.replace(['\r', '\n'], ""),
        subject = encoded_word(&m.subject),
        id = m.id,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(i.as_bytes()), o);
        }
    }

    #[test]
    fn subject_is_encoded_and_headers_cannot_be_injected() {
        let m = QueuedMail {
            id: uuid::Uuid::nil(),
            recipient: "a@b.dk\r\nBcc: evil@x.dk".into(),
            subject: "Bekræft din e-mail".into(),
            body: "line 1\nline 2".into(),
            created_at: UnixTime::EPOCH,
            attempts: 0,
        };
        let text = rfc5322("orgca <noreply@orgca.dk>", &m, UnixTime::EPOCH);
        assert!(text.contains("Subject: =?UTF-8?B?"));
        assert!(!text.contains("\r\nBcc:"), "{text}");
        assert!(text.ends_with("line 1\r\nline 2\r\n"));
    }
}
