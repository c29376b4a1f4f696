//! What the OpenAPI document says of fields that the wire carries as text: their allowed
//! values and lengths, taken from the very tables and limits that the RA and the model
//! check them against, so that the document cannot promise what the server refuses.

use orgca_model::{BlockReason, CertKind, CertName, Email, Role};
use utoipa::openapi::Object;
use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};

fn one_of(names: impl IntoIterator<Item = &'static str>) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(names))
        .build()
}

/// One of `names`, or `null` (a patch's "no change").
fn one_of_or_null(names: impl IntoIterator<Item = &'static str>) -> Object {
    let values: Vec<serde_json::Value> = names
        .into_iter()
        .map(serde_json::Value::from)
        .chain([serde_json::Value::Null])
        .collect();
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .enum_values(Some(values))
        .build()
}

fn text(max: usize) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(max))
        .build()
}

/// A role, or `null` (no change).
pub(crate) fn role_or_null() -> Object {
    one_of_or_null(Role::ALL.map(Role::as_str))
}

/// A status an administrator sets, or `null` (no change).
pub(crate) fn user_status_or_null() -> Object {
    one_of_or_null(orgca_ra::SETTABLE_STATUSES.map(|s| s.as_str()))
}

/// A name, or `null` (no change).
pub(crate) fn name_or_null() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .min_length(Some(1))
        .max_length(Some(CertName::MAX))
        .build()
}

/// An e-mail address, or `null` (none; in a patch, removes it).
pub(crate) fn email_or_null() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Email,
        )))
        .max_length(Some(Email::MAX))
        .build()
}

/// What a person types from a paper or a mail: never empty.
pub(crate) fn typed() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .build()
}

/// A user's role.
pub(crate) fn role() -> Object {
    one_of(Role::ALL.map(Role::as_str))
}

/// A certificate kind.
pub(crate) fn kind() -> Object {
    one_of(CertKind::ALL.map(CertKind::as_str))
}

/// How a profile's order is picked up.
pub(crate) fn profile_order_identification() -> Object {
    one_of(orgca_ra::orders::PROFILE_ORDER_IDENTIFICATIONS.map(|i| i.as_str()))
}

/// How an employee's order is picked up.
pub(crate) fn user_order_identification() -> Object {
    one_of(orgca_ra::employee::USER_ORDER_IDENTIFICATIONS.map(|i| i.as_str()))
}

/// A profile's kind.
pub(crate) fn profile_kind() -> Object {
    one_of(orgca_ra::PROFILE_KINDS.map(CertKind::as_str))
}

/// A reason to block a certificate.
pub(crate) fn block_reason() -> Object {
    one_of(BlockReason::ALL.map(BlockReason::as_str))
}

/// A search's sort key.
pub(crate) fn sort() -> Object {
    one_of(orgca_ra::search::SORTS.map(|(name, _)| name))
}

/// A search's direction.
pub(crate) fn order() -> Object {
    one_of(orgca_ra::search::ORDERS.map(|(name, _)| name))
}

/// A search's status filter.
pub(crate) fn search_status() -> Object {
    one_of(orgca_ra::search::STATUSES.map(|(name, _)| name))
}

/// Rows per page (a query string's digits).
pub(crate) fn limit() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(1))
        .maximum(Some(orgca_ra::search::MAX_PAGE))
        .build()
}

/// A certificate or person name (the model's limit; hidden characters are refused too).
pub(crate) fn name() -> Object {
    text(CertName::MAX)
}

/// An e-mail address.
pub(crate) fn email() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Email,
        )))
        .max_length(Some(Email::MAX))
        .build()
}
