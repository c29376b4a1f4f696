//! Export pages: many rows of one organisation's certificates with their contact
//! person, user and newest renewal, read as one aggregated string per page (one value
//! to decode instead of a row per certificate: the row-by-row driver cost is what
//! bounds an export), borrowed field by field while the CSV is written.

use orgca_model::UnixTime;
use sqlx::Row;

use crate::db::AbortOnDrop;
use crate::search::{Bind, CertQuery, Cursor, SortKey, Statement, page_clauses};
use crate::{OrgScope, StoreError};

/// Field and record separators inside a page: control characters, which no stored
/// name, address or id may hold (names refuse them at input), so a page splits exactly.
const FIELD: char = '\u{1f}';
const RECORD: char = '\u{1e}';
/// The fields of a record, in order.
const FIELDS: usize = 18;

/// The rows of one export page, as read.
#[derive(Debug)]
pub struct ExportPage {
    text: String,
    sort: SortKey,
    descending: bool,
    /// Rows in the page.
    pub rows: usize,
    /// Where the next page starts (`None` on the last).
    pub next: Option<Cursor>,
}

/// One exported certificate, borrowed from its page.
#[derive(Debug, Clone, Copy)]
pub struct ExportRow<'a> {
    /// orgca's id.
    pub id: &'a str,
    /// Kind name.
    pub kind: &'a str,
    /// Name (CN).
    pub name: &'a str,
    /// Subject UUID.
    pub subject_uuid: &'a str,
    /// Serial, hex.
    pub serial: &'a str,
    /// `active` or `blocked` as stored (expiry is the reader's to judge).
    pub status: &'a str,
    /// notBefore.
    pub not_before: UnixTime,
    /// notAfter.
    pub not_after: UnixTime,
    /// E-mail in the certificate (empty: none).
    pub email: &'a str,
    /// Contact person: the profile's contact, or the user.
    pub contact_name: &'a str,
    /// Contact person's e-mail.
    pub contact_email: &'a str,
    /// The user of an employee certificate (their address; empty otherwise).
    pub user: &'a str,
    /// Why it was blocked (empty: not blocked).
    pub block_reason: &'a str,
    /// When it was blocked.
    pub blocked_at: Option<UnixTime>,
    /// The newest certificate that renews it (empty: none).
    pub renewed_by: &'a str,
    /// When issued.
    pub created_at: UnixTime,
    name_key: &'a str,
}

impl ExportPage {
    /// The page's rows in the query's order (sorted here: an aggregate's order is the
    /// database's choice, and sorting a page in SQL costs more than in memory).
    pub fn rows(&self) -> Result<Vec<ExportRow<'_>>, StoreError> {
        let mut rows = self
            .text
            .split(RECORD)
            .filter(|r| !r.is_empty())
            .map(parse_row)
            .collect::<Result<Vec<_>, _>>()?;
        rows.sort_unstable_by(|a, b| {
            let order = match self.sort {
                SortKey::Created => a.created_at.cmp(&b.created_at),
                SortKey::NotAfter => a.not_after.cmp(&b.not_after),
                SortKey::Name => a.name_key.cmp(b.name_key),
            }
            .then_with(|| a.id.cmp(b.id));
            if self.descending {
                order.reverse()
            } else {
                order
            }
        });
        Ok(rows)
    }
}

fn parse_row(record: &str) -> Result<ExportRow<'_>, StoreError> {
    let corrupt = || StoreError::Corrupt(format!("export record {:?}", record.get(..40)));
    let mut f = [""; FIELDS];
    let mut parts = record.split(FIELD);
    for slot in &mut f {
        *slot = parts.next().ok_or_else(corrupt)?;
    }
    if parts.next().is_some() {
        return Err(corrupt());
    }
    let int = |s: &str| {
        s.parse::<i64>()
            .map(UnixTime::from_secs)
            .map_err(|_| corrupt())
    };
    let employee = f[1] == "employee";
    Ok(ExportRow {
        id: f[0],
        kind: f[1],
        name: f[2],
        subject_uuid: f[3],
        serial: f[4],
        status: f[5],
        not_before: int(f[6])?,
        not_after: int(f[7])?,
        email: f[8],
        contact_name: if employee { f[11] } else { f[9] },
        contact_email: if employee { f[12] } else { f[10] },
        user: if employee { f[12] } else { "" },
        block_reason: f[13],
        blocked_at: (!f[14].is_empty()).then(|| int(f[14])).transpose()?,
        renewed_by: f[15],
        created_at: int(f[16])?,
        name_key: f[17],
    })
}

/// Reads an export page by page: each page is asked for as soon as the one before
/// arrives, so the database works on it while the caller writes the last (two pages in
/// memory at most). Dropping the reader stops the query in flight.
pub struct ExportReader {
    next: Option<AbortOnDrop<Result<ExportPage, StoreError>>>,
    scope: OrgScope,
    query: CertQuery,
    page: u32,
}

impl ExportReader {
    fn fetch(&self) -> AbortOnDrop<Result<ExportPage, StoreError>> {
        let (scope, query, page) = (self.scope.clone(), self.query.clone(), self.page);
        AbortOnDrop(tokio::spawn(async move {
            scope.export_page(&query, page).await
        }))
    }

    /// The next page; `None` after the last.
    pub async fn next_page(&mut self) -> Result<Option<ExportPage>, StoreError> {
        let Some(mut pending) = self.next.take() else {
            return Ok(None);
        };
        // A reader that panicked or was cancelled is a crashed worker, not data.
        let page = (&mut pending.0)
            .await
            .map_err(|_| StoreError::Db(sqlx::Error::WorkerCrashed))??;
        if let Some(after) = &page.next {
            self.query.after = Some(after.clone());
            self.next = Some(self.fetch());
        }
        Ok(Some(page))
    }
}

impl OrgScope {
    /// Starts reading every row matching `q` (from its cursor on), `page` rows at a
    /// time (see [`ExportReader`]).
    pub fn export(&self, q: &CertQuery, page: u32) -> ExportReader {
        let mut reader = ExportReader {
            next: None,
            scope: self.clone(),
            query: q.clone(),
            page,
        };
        reader.next = Some(reader.fetch());
        reader
    }

    /// One page of export rows matching `q`, at most `limit`, in `q`'s order. "Renewed
    /// by" looks up the rows that renew an exported one by the renews index alone: a
    /// renewal is of the same organisation as what it renews (the RA renews within the
    /// caller's), and adding `org_id` there lets SQLite pick the organisation's index
    /// and scan it once per row.
    pub async fn export_page(&self, q: &CertQuery, limit: u32) -> Result<ExportPage, StoreError> {
        let mut st = Statement::new(self.org_id.to_string());
        st.binds.push(Bind::Text(FIELD.to_string()));
        let f = format!(" || ${} || ", st.binds.len());
        st.binds.push(Bind::Text(RECORD.to_string()));
        let r = format!("${}", st.binds.len());
        let line = [
            "c.id",
            "c.kind",
            "c.name",
            "c.subject_uuid",
            "c.serial",
            "c.status",
            "CAST(c.not_before AS TEXT)",
            "CAST(c.not_after AS TEXT)",
            "COALESCE(c.email, '')",
            "COALESCE(p.contact_name, '')",
            "COALESCE(p.contact_email, '')",
            "COALESCE(u.given_name || ' ' || u.surname, '')",
            "COALESCE(u.email, '')",
            "COALESCE(c.block_reason, '')",
            "COALESCE(CAST(c.revoked_at AS TEXT), '')",
            "COALESCE((SELECT r.id FROM certificates r WHERE r.renews = c.id \
             ORDER BY r.created_at DESC LIMIT 1), '')",
            "CAST(c.created_at AS TEXT)",
            "COALESCE(c.name_key, '')",
        ]
        .join(&f);
        st.sql.push_str(&format!(
            "SELECT string_agg(line, {r}) AS page, count(*) AS n FROM (\
             SELECT {line} AS line, {} AS k, c.id AS id FROM certificates c \
             LEFT JOIN profiles p ON p.id = c.subject_uuid AND p.org_id = $1 \
             LEFT JOIN users u ON u.id = c.subject_uuid AND u.org_id = $1 \
             WHERE c.org_id = $1",
            q.sort.column()
        ));
        let limit = limit.clamp(1, EXPORT_PAGE_MAX);
        let resolved = self.resolve(q).await?;
        page_clauses(&mut st, q, &resolved, limit);
        st.sql.push_str(") page");
        let row = st.query().fetch_one(&self.store.pool).await?;
        let text: Option<String> = row.try_get("page")?;
        let rows = usize::try_from(row.try_get::<i64, _>("n")?).unwrap_or(0);
        let page = ExportPage {
            text: text.unwrap_or_default(),
            sort: q.sort,
            descending: q.descending,
            rows,
            next: None,
        };
        if rows < limit as usize {
            return Ok(page);
        }
        let next = match page.rows()?.last() {
            Some(last) => {
                let value = match q.sort {
                    SortKey::Created => last.created_at.secs().to_string(),
                    SortKey::NotAfter => last.not_after.secs().to_string(),
                    SortKey::Name => last.name_key.to_owned(),
                };
                Some(Cursor::at(q, &value, last.id)?)
            }
            None => None,
        };
        Ok(ExportPage { next, ..page })
    }
}

/// The most rows one export page holds.
pub const EXPORT_PAGE_MAX: u32 = 5_000;
