//! The bodies of orgca's fuzz targets: each takes any bytes, gives them to one parser of
//! outside input, and asserts what must hold whatever the bytes are. A panic is a finding.
//!
//! Two callers share them, so that a target is written once:
//! - `fuzz/` (cargo-fuzz and libFuzzer) runs them on generated inputs
//!   (`scripts/fuzz.sh`);
//! - `tests/corpus.rs` replays the seeds and every input that once failed
//!   (`fuzz/seeds/<target>/`, `fuzz/regressions/<target>/`) on each `cargo test`.
//!
//! This crate must never be a dependency of the service, and must never catch a panic:
//! the fuzzer and the replay test must see it.

use std::sync::LazyLock;

use orgca_pki::ocsp::{self, CertStatus, ResponseParts, SingleAnswer};
use orgca_store::{Cursor, MAX_QUERY_CHARS, Text};
use time::OffsetDateTime;

/// A fuzz target: its name (its folder under `fuzz/`) and its body.
pub struct Target {
    /// The name, as `cargo fuzz run NAME` takes it.
    pub name: &'static str,
    /// The body: answers whether the parser accepted the input.
    pub run: fn(&[u8]) -> bool,
}

/// Every target.
pub const TARGETS: &[Target] = &[
    Target {
        name: "csr",
        run: csr,
    },
    Target {
        name: "ocsp_request",
        run: ocsp_request,
    },
    Target {
        name: "pdf",
        run: pdf,
    },
    Target {
        name: "search_text",
        run: search_text,
    },
    Target {
        name: "cursor",
        run: cursor,
    },
    Target {
        name: "config",
        run: config,
    },
];

/// A CSR as the pick-up API receives it (PEM or DER). An accepted one certifies a key
/// orgca can certify, and was at most [`orgca_pki::csr::MAX_CSR_BYTES`] long.
pub fn csr(data: &[u8]) -> bool {
    let Ok(verified) = orgca_pki::csr::parse_and_verify(data) else {
        return false;
    };
    assert!(data.len() <= orgca_pki::csr::MAX_CSR_BYTES);
    orgca_pki::csr::check_key(&verified.spki).expect("an accepted CSR's key is accepted");
    true
}

/// An OCSP request as the responder receives it (POST body, or GET path decoded). An
/// accepted request can always be answered: otherwise a client's bytes would end in a
/// 500 instead of a `malformedRequest`.
pub fn ocsp_request(data: &[u8]) -> bool {
    let Ok(request) = ocsp::parse_request(data) else {
        return false;
    };
    assert!((1..=ocsp::MAX_CERT_IDS).contains(&request.cert_ids.len()));
    let answers: Vec<SingleAnswer> = request
        .cert_ids
        .iter()
        .map(|id| SingleAnswer {
            cert_id: id.clone(),
            status: CertStatus::Revoked {
                at: 1_700_000_000,
                reason: 1,
            },
        })
        .collect();
    let at = OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("a fixed time");
    let parts = ResponseParts {
        responder_key_hash: [7; 20],
        this_update: at,
        next_update: at + time::Duration::hours(1),
        answers: &answers,
        nonce: request.nonce.as_deref(),
    };
    ocsp::response_data(&parts).expect("an accepted request can be answered");
    true
}

/// A document as the signing service receives it. A refusal is the client's (never an
/// internal error); an accepted PDF is kept byte for byte before the appended update,
/// and the signature's hole lies inside that update.
pub fn pdf(data: &[u8]) -> bool {
    let at = OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("a fixed time");
    match orgca_signing::pdf::prepare(data, "orgca-fuzz", at) {
        Ok(prepared) => {
            let [before, after] = prepared.covered();
            assert!(before.starts_with(data), "the original bytes are kept");
            let (before_len, after_len) = (before.len(), after.len());
            let signed = prepared.finish(&[0xA5; 64]).expect("a small CMS fits");
            assert!(signed.starts_with(data));
            assert!(
                before_len > data.len(),
                "the hole is in the appended update"
            );
            assert!(before_len + after_len < signed.len());
            true
        }
        Err(orgca_signing::SignError::Internal(e)) => {
            panic!("a client's document ended in an internal error: {e}")
        }
        Err(_) => false,
    }
}

/// A search box's text (`q`). Too long or with a control character is refused; words
/// are distinct and none starts another; reading the words again gives the same words.
pub fn search_text(data: &[u8]) -> bool {
    let Ok(q) = std::str::from_utf8(data) else {
        return false;
    };
    match Text::parse(q) {
        Ok(Some(Text::Words(words))) => {
            assert!(q.chars().count() <= MAX_QUERY_CHARS);
            for (i, w) in words.iter().enumerate() {
                assert!(!w.is_empty());
                for (j, other) in words.iter().enumerate() {
                    assert!(i == j || !other.starts_with(w.as_str()), "{words:?}");
                }
            }
            // Read again, the words are the same words; unless one word alone, stripped
            // of its punctuation or cut to 40 characters, now spells a serial or an id,
            // which are searched exactly (found by this target: 41 hex digits are a
            // word and their first 40 a serial; 32 hex digits and a `/` a word, and
            // without the `/` a UUID).
            match Text::parse(&words.join(" ")).expect("the words are a query") {
                Some(Text::Words(again)) => assert_eq!(again, words),
                Some(_) => assert_eq!(words.len(), 1, "{words:?}"),
                None => panic!("the words {words:?} read again are no query"),
            }
            true
        }
        Ok(_) => {
            assert!(q.chars().count() <= MAX_QUERY_CHARS);
            true
        }
        Err(_) => false,
    }
}

/// The API document's pattern for `after`, as a client's validator would use it.
static CURSOR_PATTERN: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(Cursor::PATTERN).expect("the cursor pattern compiles"));

/// A list's `after` cursor. It is accepted exactly when the API document's pattern says
/// so, and an accepted cursor written out again reads back the same.
pub fn cursor(data: &[u8]) -> bool {
    let Ok(s) = std::str::from_utf8(data) else {
        return false;
    };
    let decoded = Cursor::decode(s);
    assert_eq!(
        decoded.is_ok(),
        CURSOR_PATTERN.is_match(s),
        "the parser and the API document disagree on {s:?}"
    );
    let Ok(c) = decoded else {
        return false;
    };
    let again = Cursor::decode(&c.encode()).expect("a written cursor reads back");
    assert_eq!(again, c);
    true
}

/// A `config.toml`. An accepted one, written out as `orgca init` writes it, reads back
/// and is written the same way again.
pub fn config(data: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(data) else {
        return false;
    };
    let Ok(written) = orgca::read_config_text(text) else {
        return false;
    };
    let again = orgca::read_config_text(&written)
        .unwrap_or_else(|e| panic!("a written configuration is refused: {e}"));
    assert_eq!(again, written);
    true
}
