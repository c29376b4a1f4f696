//! The query strings of the certificate list and the export: the same filters, and for
//! the list its page (`after`, `limit`). Each is read under `deny_unknown_fields`, so a
//! parameter the route does not take is refused instead of being ignored.

use serde::Deserialize;

use super::schema;

/// Declares a query string of the search filters plus `$extra` fields, and how it reads
/// into the RA's search (`$extra` by name, the rest absent).
macro_rules! search_query {
    ($(#[$doc:meta])* $name:ident { $($(#[$extra_meta:meta])* $extra:ident),* }) => {
        $(#[$doc])*
        #[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
        #[serde(deny_unknown_fields)]
        #[into_params(parameter_in = Query)]
        pub struct $name {
            /// Free text, or an exact subject UUID, certificate id, serial or e-mail
            /// address. Text without a letter or digit filters nothing.
            #[serde(default)]
            #[param(schema_with = schema::search_text)]
            pub q: Option<String>,
            /// `organisation`, `system` or `employee`.
            #[serde(default)]
            #[param(schema_with = schema::kind_filter)]
            pub kind: Option<String>,
            /// `active`, `blocked` or `expired`.
            #[serde(default)]
            #[param(schema_with = schema::search_status)]
            pub status: Option<String>,
            /// RFC 3339 time or a date (`2027-01-31`, meaning its start in UTC).
            #[serde(default)]
            #[param(schema_with = schema::time_or_date)]
            pub expires_before: Option<String>,
            /// A profile's id or name; one the organisation does not have matches
            /// nothing.
            #[serde(default)]
            pub profile: Option<String>,
            /// A user's id or e-mail address; one the organisation does not have
            /// matches nothing.
            #[serde(default)]
            pub user: Option<String>,
            /// `created` (default), `not_after` or `name`.
            #[serde(default)]
            #[param(schema_with = schema::sort)]
            pub sort: Option<String>,
            /// `asc` or `desc`; by default newest first, soonest expiry first, A to Z.
            #[serde(default)]
            #[param(schema_with = schema::order)]
            pub order: Option<String>,
            $(
                $(#[$extra_meta])*
                #[serde(default)]
                pub $extra: Option<String>,
            )*
        }

        impl From<$name> for orgca_ra::search::SearchParams {
            #[allow(clippy::needless_update, reason = "the list's query names every field")]
            fn from(q: $name) -> Self {
                orgca_ra::search::SearchParams {
                    q: q.q,
                    kind: q.kind,
                    status: q.status,
                    expires_before: q.expires_before,
                    profile: q.profile,
                    user: q.user,
                    sort: q.sort,
                    order: q.order,
                    $($extra: q.$extra,)*
                    ..Default::default()
                }
            }
        }

        impl ReadsSearch for $name {
            const NAMES: &'static str = concat!(
                "q, kind, status, expires_before, profile, user, sort, order",
                $(", ", stringify!($extra),)*
            );
        }
    };
}

/// A query string read into the RA's search.
pub trait ReadsSearch: for<'de> Deserialize<'de> + Into<orgca_ra::search::SearchParams> {
    /// The parameters it takes, for the message when it cannot be read.
    const NAMES: &'static str;
}

search_query!(
    /// A page of a certificate search (`GET /api/v1/certificates`); every field text,
    /// absent or empty meaning no filter.
    SearchQuery {
        /// The `next` of the page before; that page's order applies, whatever `sort`
        /// and `order` say.
        #[param(schema_with = schema::cursor)]
        after,
        /// Rows per page, 1 to 500.
        #[param(schema_with = schema::limit)]
        limit
    }
);

search_query!(
    /// The filters of a CSV export (`GET /api/v1/certificates/export.csv`), which
    /// writes every matching row; every field text, absent or empty meaning no filter.
    ExportQuery {}
);
