//! Searching an organisation's certificates: the filters a client sends (a query
//! string, CLI flags or a portal form) read into a store query, confined to what the
//! caller may see.

use orgca_model::CertKind;
use orgca_model::UnixTime;
use orgca_store::{CertQuery, Cursor, OrgScope, SortKey, StatusFilter, Text};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::RaError;

/// The rows of a page when the client does not say.
pub const DEFAULT_PAGE: u32 = 50;

/// A search as a client types it (a query string, CLI flags or a portal form), every
/// field text (`None` or empty: no filter).
#[derive(Clone, Debug, Default)]
pub struct SearchParams {
    /// Free text, or an exact subject UUID, certificate id, serial or e-mail address.
    pub q: Option<String>,
    /// `organisation`, `system` or `employee`.
    pub kind: Option<String>,
    /// `active`, `blocked` or `expired`.
    pub status: Option<String>,
    /// RFC 3339 time or a date (`2027-01-31`, meaning its start in UTC).
    pub expires_before: Option<String>,
    /// A profile's id or name.
    pub profile: Option<String>,
    /// A user's id or e-mail address.
    pub user: Option<String>,
    /// `created` (default), `not_after` or `name`.
    pub sort: Option<String>,
    /// `asc` or `desc`; by default newest first, soonest expiry first, A to Z.
    pub order: Option<String>,
    /// The `next` cursor of the page before.
    pub after: Option<String>,
    /// Rows per page, 1 to 500.
    pub limit: Option<String>,
}

/// A search read for the store: `None` when nothing the caller may see can match (a
/// user filtering on someone else).
pub struct Search {
    /// The store's query.
    pub query: Option<CertQuery>,
    /// Rows per page.
    pub limit: u32,
}

/// A filter's value: `None` when absent or empty. Read as sent (no trimming), so that
/// the API document's enumerations say exactly what is read.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.is_empty())
}

fn invalid(e: impl std::fmt::Display) -> RaError {
    RaError::Invalid(e.to_string())
}

/// Reads `expires_before`: RFC 3339, or a date meaning its first second in UTC.
fn parse_time(s: &str) -> Result<UnixTime, RaError> {
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(UnixTime::from(t));
    }
    Date::parse(s, format_description!("[year]-[month]-[day]"))
        .map(|d| UnixTime::from(d.midnight().assume_utc()))
        .map_err(|_| {
            invalid(format!(
                "expires_before {s:?} is not a date: write 2027-01-31 or 2027-01-31T12:00:00Z"
            ))
        })
}

/// The `sort` names a search takes, with their keys (also what the API's document lists).
pub const SORTS: [(&str, SortKey); 3] = [
    ("created", SortKey::Created),
    ("not_after", SortKey::NotAfter),
    ("name", SortKey::Name),
];

/// Every `after` a search reads, as a regular expression (the API's document shows it).
pub const CURSOR_PATTERN: &str = Cursor::PATTERN;

/// The most free-text characters, counted as sent.
pub const MAX_QUERY_CHARS: usize = orgca_store::MAX_QUERY_CHARS;

/// The most rows a page holds (`limit` is 1 to this).
pub const MAX_PAGE: u32 = orgca_store::MAX_PAGE;

/// The `order` names a search takes: whether each sorts descending.
pub const ORDERS: [(&str, bool); 2] = [("asc", false), ("desc", true)];

/// The `status` names a search takes, with their filters.
pub const STATUSES: [(&str, StatusFilter); 3] = [
    ("active", StatusFilter::Active),
    ("blocked", StatusFilter::Blocked),
    ("expired", StatusFilter::Expired),
];

/// The value `name` stands for in `table`, or a refusal that lists the names.
fn named<T: Copy>(field: &str, name: &str, table: &[(&str, T)]) -> Result<T, RaError> {
    table
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| *v)
        .ok_or_else(|| {
            let names: Vec<&str> = table.iter().map(|(n, _)| *n).collect();
            let (last, rest) = names.split_last().unwrap_or((&"", &[]));
            invalid(format!(
                "{field} {name:?} is not known: use {} or {last}",
                rest.join(", ")
            ))
        })
}

impl SearchParams {
    /// Reads the search for `caller` at `now`: each bad value is an
    /// [`RaError::Invalid`] saying what to write instead.
    pub(crate) async fn read(
        &self,
        scope: &OrgScope,
        caller: &crate::Caller,
        now: UnixTime,
    ) -> Result<Search, RaError> {
        let after = given(&self.after)
            .map(Cursor::decode)
            .transpose()
            .map_err(invalid)?;
        let sort = match given(&self.sort) {
            None => SortKey::Created,
            Some(s) => named("sort", s, &SORTS)?,
        };
        let descending = match given(&self.order) {
            None => sort == SortKey::Created,
            Some(s) => named("order", s, &ORDERS)?,
        };
        // A later page continues the list its cursor came from, in that list's order.
        let (sort, descending) = after.as_ref().map_or((sort, descending), Cursor::order);
        let limit = match given(&self.limit) {
            None => DEFAULT_PAGE,
            Some(s) => match s.parse::<u32>() {
                Ok(n @ 1..=MAX_PAGE) => n,
                _ => {
                    return Err(invalid(format!(
                        "limit {s:?} is not a number from 1 to {MAX_PAGE}"
                    )));
                }
            },
        };
        let status = given(&self.status)
            .map(|s| named("status", s, &STATUSES))
            .transpose()?;
        let kind = given(&self.kind).map(CertKind::parse).transpose()?;
        let text = given(&self.q)
            .map(Text::parse)
            .transpose()
            .map_err(invalid)?
            .flatten();
        let expires_before = given(&self.expires_before).map(parse_time).transpose()?;
        // A profile or user filter that names no one in the organisation matches
        // nothing, as any filter would.
        let mut subject = None;
        if let Some(p) = given(&self.profile) {
            let found = match Uuid::try_parse(p) {
                Ok(id) => scope.profile(id).await?,
                Err(_) => {
                    let key = p.to_lowercase();
                    let all = scope.profiles().await?;
                    all.into_iter().find(|x| x.name.to_lowercase() == key)
                }
            };
            let Some(found) = found else {
                return Ok(Search { query: None, limit });
            };
            subject = Some(found.id);
        }
        if let Some(u) = given(&self.user) {
            let found = match (Uuid::try_parse(u), orgca_model::Email::parse(u)) {
                (Ok(id), _) => scope.user(id).await?,
                (_, Ok(email)) => scope.user_by_email(email.as_str()).await?,
                _ => None,
            };
            let Some(found) = found else {
                return Ok(Search { query: None, limit });
            };
            if subject.is_some_and(|s| s != found.id) {
                return Ok(Search { query: None, limit });
            }
            subject = Some(found.id);
        }
        // A user sees only their own certificates.
        if !caller.role().administers_users() {
            let me = caller.as_user().map(|u| u.id);
            if subject.is_some() && subject != me {
                return Ok(Search { query: None, limit });
            }
            subject = me;
        }
        Ok(Search {
            query: Some(CertQuery {
                text,
                kind,
                status,
                expires_before,
                subject,
                sort,
                descending,
                after,
                now,
            }),
            limit,
        })
    }
}
