//! The CSV export of an organisation's certificates: RFC 4180 (CRLF line ends, fields
//! quoted when they hold a comma, quote or line break), UTF-8, a header row, times in
//! RFC 3339 UTC. Read page by page, so memory does not grow with the rows.
//!
//! Safe to open in a spreadsheet: a field that starts with `=`, `+`, `-`, `@`, a tab or
//! a carriage return gets a leading `'` and is quoted (OWASP's CSV injection advice), so
//! no cell is taken for a formula.

use orgca_model::UnixTime;
use orgca_store::{CertQuery, ExportReader, ExportRow, OrgScope};

use crate::RaError;
use crate::search::SearchParams;

/// The columns, in order, as the header row names them.
pub const COLUMNS: [&str; 16] = [
    "id",
    "kind",
    "name",
    "subject_uuid",
    "serial",
    "status",
    "not_before",
    "not_after",
    "email",
    "contact_name",
    "contact_email",
    "user",
    "block_reason",
    "blocked_at",
    "renewed_by",
    "created_at",
];

/// Rows read from the store at a time.
pub const EXPORT_PAGE: u32 = 4_000;

/// Appends one field.
fn field(out: &mut Vec<u8>, value: &str) {
    let formula = value
        .as_bytes()
        .first()
        .is_some_and(|b| matches!(b, b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r'));
    let quote = formula
        || value
            .bytes()
            .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'));
    if !quote {
        out.extend_from_slice(value.as_bytes());
        return;
    }
    out.push(b'"');
    if formula {
        out.push(b'\'');
    }
    for part in value.split_inclusive('"') {
        out.extend_from_slice(part.as_bytes());
        if part.ends_with('"') {
            out.push(b'"');
        }
    }
    out.push(b'"');
}

/// Appends one record of `fields`.
fn record<'a>(out: &mut Vec<u8>, fields: impl IntoIterator<Item = &'a str>) {
    for (i, f) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        field(out, f);
    }
    out.extend_from_slice(b"\r\n");
}

/// Appends the header row.
pub fn header(out: &mut Vec<u8>) {
    record(out, COLUMNS);
}

/// Appends one certificate's row, its status as seen at `now`.
pub fn row(out: &mut Vec<u8>, r: &ExportRow<'_>, now: UnixTime) {
    let (not_before, not_after, created_at) = (
        r.not_before.rfc3339(),
        r.not_after.rfc3339(),
        r.created_at.rfc3339(),
    );
    let blocked_at = r.blocked_at.map(UnixTime::rfc3339).unwrap_or_default();
    record(
        out,
        [
            r.id,
            r.kind,
            r.name,
            r.subject_uuid,
            r.serial,
            // A stored status orgca does not know is shown as it is, never hidden.
            orgca_model::CertStatus::parse(r.status)
                .map_or(r.status, |s| s.at(r.not_after, now).as_str()),
            &not_before,
            &not_after,
            r.email,
            r.contact_name,
            r.contact_email,
            r.user,
            r.block_reason,
            &blocked_at,
            r.renewed_by,
            &created_at,
        ],
    );
}

/// An export being read: each [`Export::next_chunk`] is the CSV of one page (the first
/// with the header row), until `None`.
pub struct Export {
    scope: OrgScope,
    query: Option<CertQuery>,
    reader: Option<ExportReader>,
    header_sent: bool,
    now: UnixTime,
}

impl crate::Ra {
    /// Starts the export of what `params` select (its `after` and `limit` aside) for
    /// `caller`.
    pub async fn export(
        &self,
        caller: &crate::Caller,
        params: &SearchParams,
        now: UnixTime,
    ) -> Result<Export, RaError> {
        let params = SearchParams {
            after: None,
            limit: None,
            ..params.clone()
        };
        let scope = self.scope(caller);
        let search = params.read(&scope, caller, now).await?;
        Ok(Export {
            scope,
            query: search.query,
            reader: None,
            header_sent: false,
            now,
        })
    }
}

impl Export {
    /// How many rows the export will hold (for a progress bar; rows issued meanwhile
    /// may add to it).
    pub async fn total(&self) -> Result<u64, RaError> {
        match &self.query {
            Some(q) => Ok(self.scope.count(q).await?),
            None => Ok(0),
        }
    }

    /// The next chunk of CSV and the rows in it; `None` after the last.
    pub async fn next_chunk(&mut self) -> Result<Option<(Vec<u8>, usize)>, RaError> {
        let mut out = Vec::new();
        if !self.header_sent {
            self.header_sent = true;
            header(&mut out);
        }
        let Some(q) = &self.query else {
            return Ok((!out.is_empty()).then_some((out, 0)));
        };
        let reader = self
            .reader
            .get_or_insert_with(|| self.scope.export(q, EXPORT_PAGE));
        let Some(page) = reader.next_page().await? else {
            return Ok((!out.is_empty()).then_some((out, 0)));
        };
        out.reserve(page.rows * 300);
        for r in page.rows()? {
            row(&mut out, &r, self.now);
        }
        Ok(Some((out, page.rows)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(v: &str) -> String {
        let mut out = Vec::new();
        field(&mut out, v);
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(one("Ærø Bryghus"), "Ærø Bryghus");
        assert_eq!(one("a,b"), "\"a,b\"");
        assert_eq!(one("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(one("two\nlines"), "\"two\nlines\"");
        assert_eq!(one(""), "");
    }

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(one("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        for lead in ["+", "-", "@", "\t", "\r"] {
            assert_eq!(one(&format!("{lead}1")), format!("\"'{lead}1\""));
        }
        assert_eq!(one("a=b"), "a=b");
    }

    #[test]
    fn the_header_names_every_column_once() {
        let mut out = Vec::new();
        header(&mut out);
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            "id,kind,name,subject_uuid,serial,status,not_before,not_after,email,contact_name,\
             contact_email,user,block_reason,blocked_at,renewed_by,created_at\r\n"
        );
    }
}
