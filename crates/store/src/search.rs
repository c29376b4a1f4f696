//! Search over one organisation's certificates: free text or an exact id, serial or
//! address, filters, three sort orders, and keyset pages (a page starts after the last
//! row of the one before, so rows added meanwhile cause neither duplicates nor gaps).
//! The same query drives the list and the export.
//!
//! Every statement here starts with `c.org_id = $1`; only placeholders are generated,
//! every value is bound.

use orgca_model::UnixTime;
use orgca_model::{CertKind, CertificateRecord, Email, Serial};
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::certs::{cert_columns, cert_from_row};
use crate::search_keys::key;
use crate::{OrgScope, StoreError};

/// The longest free-text query, counted as sent.
pub const MAX_QUERY_CHARS: usize = 200;
/// The most words of free text whose people (contacts, users) are looked up before the
/// search; any further word is matched through a subquery alone.
const MAX_LOOKED_UP: usize = 8;
/// The most people (contacts, users) a word is matched through by id; past it, by a
/// subquery.
const MAX_PEOPLE: usize = 500;
/// The most rows one page holds.
pub const MAX_PAGE: u32 = 500;

/// What a search's text asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Text {
    /// Words, each the start of a word (any case) of the certificate's name or e-mail
    /// address, of its contact person's name or address, or of its user's: all of them
    /// must match. One word of 8 or more hex digits also matches the start of a serial.
    /// Each word once, and none that starts another (which that one's match implies).
    Words(Vec<String>),
    /// Exactly this subject UUID or certificate id.
    Id(Uuid),
    /// Exactly this serial.
    Serial(Serial),
    /// Exactly this address: in the certificate, or its contact person's or user's.
    Email(String),
}

/// Why a query was refused; the message says what to change.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The free text is too long or holds a control character.
    #[error("the search text {0}")]
    Text(&'static str),
    /// The cursor is not one this search gave.
    #[error(
        "the cursor is not one this list gave for this sort order: start again without `after`"
    )]
    Cursor,
}

impl Text {
    /// Reads a search box: a whole UUID, a whole 40-digit serial (colons allowed) or a
    /// whole e-mail address is matched exactly; anything else as part of a name or
    /// address. `None` for text without a letter or digit, which filters nothing.
    /// Length and characters are checked on the text as sent.
    pub fn parse(q: &str) -> Result<Option<Text>, QueryError> {
        if q.chars().count() > MAX_QUERY_CHARS {
            return Err(QueryError::Text(
                "is longer than 200 characters: shorten it",
            ));
        }
        if q.chars().any(char::is_control) {
            return Err(QueryError::Text(
                "holds a control character (a line break or tab): remove it",
            ));
        }
        let q = q.trim();
        if let Ok(id) = Uuid::try_parse(q) {
            return Ok(Some(Text::Id(id)));
        }
        let hex: String = q.chars().filter(|c| *c != ':').collect();
        if hex.len() == 40
            && hex.bytes().all(|b| b.is_ascii_hexdigit())
            && let Ok(s) = Serial::parse_hex(&hex)
        {
            return Ok(Some(Text::Serial(s)));
        }
        if let Ok(e) = Email::parse(q) {
            return Ok(Some(Text::Email(key(e.as_str()))));
        }
        let all: Vec<String> = crate::search_keys::words(q).collect();
        // In the order typed, each word once, and none that starts a longer one.
        let words: Vec<String> = all
            .iter()
            .enumerate()
            .filter(|&(i, w)| {
                !all.iter().enumerate().any(|(j, other)| {
                    (other == w && j < i)
                        || (other.len() > w.len() && other.starts_with(w.as_str()))
                })
            })
            .map(|(_, w)| w.clone())
            .collect();
        Ok((!words.is_empty()).then_some(Text::Words(words)))
    }
}

/// The status a list shows (expired: active past notAfter).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusFilter {
    /// Not blocked and not expired.
    Active,
    /// Blocked.
    Blocked,
    /// Not blocked, past notAfter.
    Expired,
}

/// A sort column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SortKey {
    /// When issued.
    #[default]
    Created,
    /// notAfter.
    NotAfter,
    /// Name, without regard to case.
    Name,
}

impl SortKey {
    pub(crate) fn column(self) -> &'static str {
        match self {
            SortKey::Created => "c.created_at",
            SortKey::NotAfter => "c.not_after",
            SortKey::Name => "c.name_key",
        }
    }

    fn tag(self) -> char {
        match self {
            SortKey::Created => 'c',
            SortKey::NotAfter => 'x',
            SortKey::Name => 'n',
        }
    }
}

/// A search: the filters (all of them apply), the order and where the page starts.
#[derive(Clone, Debug)]
pub struct CertQuery {
    /// Free text or exact match.
    pub text: Option<Text>,
    /// Only this kind.
    pub kind: Option<CertKind>,
    /// Only this status (at `now`).
    pub status: Option<StatusFilter>,
    /// Only those whose notAfter is before this.
    pub expires_before: Option<UnixTime>,
    /// Only those of this subject: a profile's id, or a user's id (employee certificates).
    pub subject: Option<Uuid>,
    /// Sort column.
    pub sort: SortKey,
    /// Newest, latest or last first.
    pub descending: bool,
    /// The page starts after this position.
    pub after: Option<Cursor>,
    /// Now, for the status filter.
    pub now: UnixTime,
}

impl CertQuery {
    /// Every certificate of the organisation as it stands at `now`, in the default order.
    pub fn at(now: UnixTime) -> CertQuery {
        CertQuery {
            text: None,
            kind: None,
            status: None,
            expires_before: None,
            subject: None,
            sort: SortKey::default(),
            descending: false,
            after: None,
            now,
        }
    }
}

/// A position in a sorted list: the sort value and id of the last row of a page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    sort: SortKey,
    descending: bool,
    value: SortValue,
    id: Uuid,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum SortValue {
    Int(i64),
    Text(String),
}

impl Cursor {
    /// The position of a row whose sort value (as text) and id are these.
    pub(crate) fn at(q: &CertQuery, value: &str, id: &str) -> Result<Cursor, StoreError> {
        let corrupt = || StoreError::Corrupt(format!("export row {id:?}"));
        Ok(Cursor {
            sort: q.sort,
            descending: q.descending,
            value: match q.sort {
                SortKey::Name => SortValue::Text(value.to_owned()),
                _ => SortValue::Int(value.parse().map_err(|_| corrupt())?),
            },
            id: Uuid::parse_str(id).map_err(|_| corrupt())?,
        })
    }

    /// The sort order of the list this cursor came from, and whether it descends.
    pub fn order(&self) -> (SortKey, bool) {
        (self.sort, self.descending)
    }

    /// The form a client sends back as `after`: the sort's letter (upper case when
    /// descending), the row's id, then its sort value: what [`Cursor::PATTERN`] says.
    pub fn encode(&self) -> String {
        let tag = if self.descending {
            self.sort.tag().to_ascii_uppercase()
        } else {
            self.sort.tag()
        };
        let value = match &self.value {
            SortValue::Int(i) => i.to_string(),
            SortValue::Text(s) => s.clone(),
        };
        format!("{tag}{}{value}", self.id.hyphenated())
    }

    /// Every cursor [`Cursor::decode`] reads, as a regular expression: a number after
    /// the created and expiry orders' letters, any text without a control character
    /// after the name order's.
    pub const PATTERN: &str = "^([cCxX][0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-?[0-9]{1,18}\
                               |[nN][0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}[^\\u0000-\\u001F\\u007F-\\u009F]*)$";

    /// Reads a cursor; it carries its list's sort order (see [`Cursor::order`]).
    pub fn decode(s: &str) -> Result<Cursor, QueryError> {
        let mut chars = s.chars();
        let tag = chars.next().ok_or(QueryError::Cursor)?;
        let sort = SORT_TAGS
            .iter()
            .find(|k| k.tag() == tag.to_ascii_lowercase())
            .copied()
            .ok_or(QueryError::Cursor)?;
        let rest = chars.as_str();
        let (id, value) = rest
            .split_at_checked(36)
            .filter(|(id, _)| is_lowercase_uuid(id))
            .ok_or(QueryError::Cursor)?;
        let id = Uuid::try_parse(id).map_err(|_| QueryError::Cursor)?;
        let value = match sort {
            SortKey::Name if !value.chars().any(char::is_control) => {
                SortValue::Text(value.to_owned())
            }
            SortKey::Name => return Err(QueryError::Cursor),
            _ => SortValue::Int(parse_int(value).ok_or(QueryError::Cursor)?),
        };
        Ok(Cursor {
            sort,
            descending: tag.is_ascii_uppercase(),
            value,
            id,
        })
    }
}

/// Every sort key, for reading a cursor's letter.
const SORT_TAGS: [SortKey; 3] = [SortKey::Created, SortKey::NotAfter, SortKey::Name];

/// A UUID as [`Uuid::hyphenated`] writes it: lower-case hex in 8-4-4-4-12.
fn is_lowercase_uuid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_digit() || (b'a'..=b'f').contains(&b),
        })
}

/// `-?[0-9]{1,18}` as a number (18 digits always fit an `i64`); nothing else.
fn parse_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A statement being built: static SQL text and the values bound to it, in order.
pub(crate) struct Statement {
    pub(crate) sql: String,
    pub(crate) binds: Vec<Bind>,
}

pub(crate) enum Bind {
    Text(String),
    Int(i64),
}

impl Statement {
    pub(crate) fn new(org: String) -> Statement {
        Statement {
            sql: String::with_capacity(1024),
            binds: vec![Bind::Text(org)],
        }
    }

    /// Appends `sql`, its `?` replaced by the next placeholders, bound to `values`.
    pub(crate) fn push(&mut self, sql: &'static str, values: impl IntoIterator<Item = Bind>) {
        let mut values = values.into_iter();
        for part in sql.split_inclusive('?') {
            match part.strip_suffix('?') {
                Some(head) => {
                    self.sql.push_str(head);
                    let Some(v) = values.next() else {
                        // Only reachable by a mistake in this file: fewer values than `?`.
                        debug_assert!(false, "a `?` without a value in {sql:?}");
                        self.sql.push_str("NULL");
                        continue;
                    };
                    self.binds.push(v);
                    self.sql.push_str(&format!("${}", self.binds.len()));
                }
                None => self.sql.push_str(part),
            }
        }
    }

    pub(crate) fn query(&self) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments> {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(self.sql.as_str()));
        for b in &self.binds {
            q = match b {
                Bind::Text(s) => q.bind(s.as_str()),
                Bind::Int(i) => q.bind(*i),
            };
        }
        q
    }
}

/// `%text%` for LIKE with `\` as escape: `%`, `_` and `\` in the text match themselves.
fn contains_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// What a query's text matches besides certificates' own words: for each term (or the
/// address), the ids of the people (profiles by their contact, users) it matches, or
/// `None` when too many do; and whether an id is a certificate's.
#[derive(Default)]
pub(crate) struct Resolved {
    people: Vec<Option<Vec<String>>>,
    certificate_id: bool,
}

/// `% word` for LIKE with `\` as escape: `%`, `_` and `\` match themselves.
fn word_start_pattern(word: &str) -> String {
    let mut p = contains_pattern(word);
    p.replace_range(0..1, "% ");
    p
}

/// How a term matches a person: (a profile's contact, a user), each one `?`.
type PersonMatch = (&'static str, &'static str);
/// A word starting a word of the person's name or address.
const PERSON_WORD: PersonMatch = (
    "contact_key LIKE ? ESCAPE '\\'",
    "name_key LIKE ? ESCAPE '\\'",
);
/// Exactly the person's address.
const PERSON_EMAIL: PersonMatch = ("lower(contact_email) = ?", "lower(email) = ?");

/// `SELECT id` of the profiles and users of the organisation that `m` matches.
fn people_select(st: &mut Statement, m: PersonMatch, value: &str) {
    st.sql
        .push_str("SELECT id FROM profiles WHERE org_id = $1 AND ");
    st.push(m.0, [Bind::Text(value.to_owned())]);
    st.sql
        .push_str(" UNION ALL SELECT id FROM users WHERE org_id = $1 AND ");
    st.push(m.1, [Bind::Text(value.to_owned())]);
}

/// ` OR c.subject_uuid IN (...)`: the people `ids`, or (too many) those `m` matches.
fn people_clause(st: &mut Statement, ids: &Option<Vec<String>>, m: PersonMatch, value: &str) {
    match ids {
        Some(ids) if ids.is_empty() => {}
        Some(ids) => {
            st.sql.push_str(" OR c.subject_uuid IN (");
            for (i, id) in ids.iter().enumerate() {
                st.push(if i == 0 { "?" } else { ", ?" }, [Bind::Text(id.clone())]);
            }
            st.sql.push(')');
        }
        None => {
            st.sql.push_str(" OR c.subject_uuid IN (");
            people_select(st, m, value);
            st.sql.push(')');
        }
    }
}

/// The filters of the WHERE clause (after `c.org_id = $1`).
fn filter_clauses(st: &mut Statement, q: &CertQuery, r: &Resolved) {
    use Bind::{Int, Text as T};
    if let Some(kind) = q.kind {
        st.push(" AND c.kind = ?", [T(kind.as_str().to_owned())]);
    }
    match q.status {
        Some(StatusFilter::Active) => st.push(
            " AND c.status = 'active' AND c.not_after >= ?",
            [Int(q.now.secs())],
        ),
        Some(StatusFilter::Expired) => st.push(
            " AND c.status = 'active' AND c.not_after < ?",
            [Int(q.now.secs())],
        ),
        Some(StatusFilter::Blocked) => st.push(" AND c.status = 'blocked'", []),
        None => {}
    }
    if let Some(t) = q.expires_before {
        st.push(" AND c.not_after < ?", [Int(t.secs())]);
    }
    if let Some(s) = q.subject {
        st.push(" AND c.subject_uuid = ?", [T(s.to_string())]);
    }
    match &q.text {
        None => {}
        Some(Text::Id(id)) if r.certificate_id => st.push(" AND c.id = ?", [T(id.to_string())]),
        Some(Text::Id(id)) => st.push(" AND c.subject_uuid = ?", [T(id.to_string())]),
        Some(Text::Serial(s)) => st.push(" AND c.serial = ?", [T(s.to_string())]),
        Some(Text::Words(words)) => {
            for (i, w) in words.iter().enumerate() {
                st.push(
                    " AND (c.id IN (SELECT certificate_id FROM certificate_words \
                     WHERE org_id = $1 AND word >= ? AND word < ?)",
                    [T(w.clone()), T(crate::search_keys::prefix_upper(w))],
                );
                // One word of 8 or more hex digits may also be the start of a serial, as
                // lists show it.
                if words.len() == 1 && w.len() >= 8 && w.bytes().all(|b| b.is_ascii_hexdigit()) {
                    st.push(
                        " OR (c.serial >= ? AND c.serial < ?)",
                        [T(w.clone()), T(crate::search_keys::prefix_upper(w))],
                    );
                }
                let people = r.people.get(i).unwrap_or(&None);
                people_clause(st, people, PERSON_WORD, &word_start_pattern(w));
                st.sql.push(')');
            }
        }
        Some(Text::Email(e)) => {
            st.push(" AND (c.email_key = ?", [T(e.clone())]);
            people_clause(st, r.people.first().unwrap_or(&None), PERSON_EMAIL, e);
            st.sql.push(')');
        }
    }
}

/// The filters, the cursor, ORDER BY and LIMIT of a page.
pub(crate) fn page_clauses(st: &mut Statement, q: &CertQuery, r: &Resolved, limit: u32) {
    use Bind::{Int, Text as T};
    filter_clauses(st, q, r);
    let column = q.sort.column();
    let (cmp, dir) = if q.descending {
        ("<", " DESC")
    } else {
        (">", " ASC")
    };
    if let Some(c) = &q.after {
        st.sql.push_str(&format!(" AND ({column}, c.id) {cmp} ("));
        let value = match &c.value {
            SortValue::Int(i) => Int(*i),
            SortValue::Text(s) => T(s.clone()),
        };
        st.push("?, ?)", [value, T(c.id.to_string())]);
    }
    st.sql
        .push_str(&format!(" ORDER BY {column}{dir}, c.id{dir}"));
    st.push(" LIMIT ?", [Int(i64::from(limit))]);
}

/// One page of rows and the cursor of the next (`None` on the last page).
#[derive(Debug)]
pub struct Page<T> {
    /// The rows.
    pub items: Vec<T>,
    /// Where the next page starts.
    pub next: Option<Cursor>,
}

impl OrgScope {
    /// One page of this organisation's certificates matching `q`, at most `limit`
    /// (capped at [`MAX_PAGE`]).
    pub async fn search(
        &self,
        q: &CertQuery,
        limit: u32,
    ) -> Result<Page<CertificateRecord>, StoreError> {
        let mut st = Statement::new(self.org_id.to_string());
        st.sql.push_str(concat!(
            "SELECT ",
            cert_columns!(),
            ", created_at, name_key FROM certificates c WHERE c.org_id = $1"
        ));
        let limit = limit.clamp(1, MAX_PAGE);
        let r = self.resolve(q).await?;
        page_clauses(&mut st, q, &r, limit);
        let rows = st.query().fetch_all(&self.store.pool).await?;
        let next = match rows.last() {
            Some(last) if rows.len() == limit as usize => Some(cursor_of(last, q)?),
            _ => None,
        };
        let items = rows.iter().map(cert_from_row).collect::<Result<_, _>>()?;
        Ok(Page { items, next })
    }

    /// How many of this organisation's certificates match `q` (its cursor aside).
    pub async fn count(&self, q: &CertQuery) -> Result<u64, StoreError> {
        let mut st = Statement::new(self.org_id.to_string());
        st.sql
            .push_str("SELECT count(*) AS n FROM certificates c WHERE c.org_id = $1");
        let r = self.resolve(q).await?;
        filter_clauses(&mut st, q, &r);
        let n: i64 = st.query().fetch_one(&self.store.pool).await?.try_get("n")?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Looks up what the text needs before the search (see [`Resolved`]).
    pub(crate) async fn resolve(&self, q: &CertQuery) -> Result<Resolved, StoreError> {
        let mut r = Resolved::default();
        let people = |m: PersonMatch, value: String| {
            let org = self.org_id.to_string();
            async move {
                let mut st = Statement::new(org);
                people_select(&mut st, m, &value);
                st.push(" LIMIT ?", [Bind::Int(MAX_PEOPLE as i64 + 1)]);
                let rows = st.query().fetch_all(&self.store.pool).await?;
                let ids = rows
                    .iter()
                    .map(|row| row.try_get::<String, _>("id"))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok::<_, StoreError>((ids.len() <= MAX_PEOPLE).then_some(ids))
            }
        };
        match &q.text {
            Some(Text::Words(words)) => {
                for w in words.iter().take(MAX_LOOKED_UP) {
                    r.people
                        .push(people(PERSON_WORD, word_start_pattern(w)).await?);
                }
            }
            Some(Text::Email(e)) => r.people.push(people(PERSON_EMAIL, e.clone()).await?),
            Some(Text::Id(id)) => {
                r.certificate_id =
                    sqlx::query("SELECT 1 FROM certificates WHERE org_id = $1 AND id = $2")
                        .bind(self.org_id.to_string())
                        .bind(id.to_string())
                        .fetch_optional(&self.store.pool)
                        .await?
                        .is_some();
            }
            _ => {}
        }
        Ok(r)
    }
}

fn cursor_of(r: &AnyRow, q: &CertQuery) -> Result<Cursor, StoreError> {
    let value = match q.sort {
        SortKey::Created => SortValue::Int(r.try_get("created_at")?),
        SortKey::NotAfter => SortValue::Int(r.try_get("not_after")?),
        SortKey::Name => SortValue::Text(r.try_get("name_key")?),
    };
    Ok(Cursor {
        sort: q.sort,
        descending: q.descending,
        value,
        id: crate::db::uuid_col(r, "id")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_read_as_the_narrowest_match() {
        let id = Uuid::new_v4();
        assert_eq!(
            Text::parse(&format!(" {id} ")).ok().flatten(),
            Some(Text::Id(id))
        );
        let serial = "4a".repeat(20);
        assert!(matches!(Text::parse(&serial), Ok(Some(Text::Serial(_)))));
        let colons = serial
            .as_bytes()
            .chunks(2)
            .map(|c| std::str::from_utf8(c).unwrap_or(""))
            .collect::<Vec<_>>()
            .join(":");
        assert!(matches!(
            Text::parse(&colons.to_uppercase()),
            Ok(Some(Text::Serial(_)))
        ));
        assert_eq!(
            Text::parse("Jens@Firma.DK").ok().flatten(),
            Some(Text::Email("jens@firma.dk".into()))
        );
        let words = |w: &[&str]| Some(Text::Words(w.iter().map(|s| s.to_string()).collect()));
        assert_eq!(Text::parse("ØSTER").ok().flatten(), words(&["øster"]));
        assert_eq!(Text::parse("4a4a").ok().flatten(), words(&["4a4a"]));
        assert_eq!(
            Text::parse("Løn-system, 2").ok().flatten(),
            words(&["løn", "system", "2"])
        );
        assert!(
            Text::parse("%_!").is_ok_and(|t| t.is_none()),
            "no word at all"
        );
        assert_eq!(
            Text::parse("ha hans Hans b c d e f g h i j").ok().flatten(),
            words(&["hans", "b", "c", "d", "e", "f", "g", "i", "j"]),
            "each word once, none that starts another"
        );
        assert!(Text::parse("  ").is_ok_and(|t| t.is_none()));
        assert!(Text::parse("a\nb").is_err());
        assert!(Text::parse(&"x".repeat(201)).is_err());
        assert!(
            Text::parse(&format!(" {} ", "x".repeat(199))).is_err(),
            "counted as sent"
        );
    }

    #[test]
    fn like_metacharacters_match_themselves() {
        assert_eq!(contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
        assert_eq!(word_start_pattern("hans"), "% hans%");
    }

    #[test]
    fn cursors_round_trip_and_read_only_what_their_pattern_says() {
        let c = Cursor {
            sort: SortKey::Name,
            descending: true,
            value: SortValue::Text("ærø ~ 1".into()),
            id: Uuid::new_v4(),
        };
        let s = c.encode();
        assert_eq!(Cursor::decode(&s).ok(), Some(c));
        assert!(Cursor::decode("!!").is_err());
        assert!(Cursor::decode("").is_err());
        let id = "0f8fad5b-d9cb-469f-a165-70867728950e";
        assert!(Cursor::decode(&format!("c{id}+5")).is_err(), "a plus sign");
        assert!(Cursor::decode(&format!("c{id}")).is_err(), "no number");
        assert!(Cursor::decode(&format!("c{}5", id.to_uppercase())).is_err());
        assert!(Cursor::decode(&format!("n{id}a\nb")).is_err());
        assert!(Cursor::decode(&format!("x{id}{}", "9".repeat(19))).is_err());
        assert!(Cursor::decode(&format!("X{id}-{}", "9".repeat(18))).is_ok());
        let t = Cursor {
            sort: SortKey::Created,
            descending: false,
            value: SortValue::Int(-5),
            id: Uuid::nil(),
        };
        assert_eq!(Cursor::decode(&t.encode()).ok(), Some(t));
    }

    #[test]
    fn the_cursor_pattern_says_what_decode_reads() {
        let pattern = regex::Regex::new(Cursor::PATTERN).expect("the pattern compiles");
        let id = "0f8fad5b-d9cb-469f-a165-70867728950e";
        let mut samples: Vec<String> = ["", "c", "n", "!!", "c5", "q{id}5"]
            .iter()
            .map(|s| s.replace("{id}", id))
            .collect();
        for tag in ["c", "C", "x", "X", "n", "N", "z", "é"] {
            for uuid in [
                id.to_owned(),
                id.to_uppercase(),
                id.replace('-', ""),
                format!("{id}0"),
            ] {
                for value in [
                    "",
                    "5",
                    "-5",
                    "+5",
                    "-",
                    "05",
                    "ærø ~ 1",
                    "a\u{85}b",
                    "a\nb",
                    " ",
                ] {
                    samples.push(format!("{tag}{uuid}{value}"));
                }
                samples.push(format!("{tag}{uuid}{}", "9".repeat(18)));
                samples.push(format!("{tag}{uuid}{}", "9".repeat(19)));
            }
        }
        for s in samples {
            assert_eq!(pattern.is_match(&s), Cursor::decode(&s).is_ok(), "{s:?}");
        }
    }
}
