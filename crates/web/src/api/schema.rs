//! What the OpenAPI document says of fields that the wire carries as text: their allowed
//! values and lengths, taken from the very tables and limits that the RA and the model
//! check them against, so that the document cannot promise what the server refuses.

use orgca_model::{BlockReason, CertKind, CertName, Email, Role};
use utoipa::openapi::Object;
use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, SchemaType, Type};

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
    name_of(SchemaType::from_iter([Type::String, Type::Null]))
}

/// What `orgca_model::parse_text` accepts as a name: the model's own pattern and limit.
fn name_of(schema_type: SchemaType) -> Object {
    ObjectBuilder::new()
        .schema_type(schema_type)
        .min_length(Some(1))
        .max_length(Some(CertName::MAX))
        .pattern(Some(orgca_model::text_pattern()))
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
fn typed_builder() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
}

/// A user's role.
pub(crate) fn role() -> Object {
    one_of(Role::ALL.map(Role::as_str))
}

/// One of `names` in a query string, or empty (no filter).
fn filter_of(names: impl IntoIterator<Item = &'static str>) -> Object {
    one_of(names.into_iter().chain([""]))
}

/// A certificate kind to filter on.
pub(crate) fn kind_filter() -> Object {
    filter_of(CertKind::ALL.map(CertKind::as_str))
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
    filter_of(orgca_ra::search::SORTS.map(|(name, _)| name))
}

/// A search's direction.
pub(crate) fn order() -> Object {
    filter_of(orgca_ra::search::ORDERS.map(|(name, _)| name))
}

/// A search's status filter.
pub(crate) fn search_status() -> Object {
    filter_of(orgca_ra::search::STATUSES.map(|(name, _)| name))
}

/// A time (RFC 3339) or a date, or empty (no filter).
pub(crate) fn time_or_date() -> utoipa::openapi::Schema {
    let format = |f| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(f)))
            .build()
    };
    AnyOfBuilder::new()
        .item(format(utoipa::openapi::KnownFormat::DateTime))
        .item(format(utoipa::openapi::KnownFormat::Date))
        .item(empty())
        .build()
        .into()
}

/// A list's `next`, or empty (the first page): the store's own pattern of a cursor.
pub(crate) fn cursor() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(format!("^$|{}", orgca_ra::search::CURSOR_PATTERN)))
        .build()
}

/// Rows per page (a query string's digits), or empty (the default).
pub(crate) fn limit() -> utoipa::openapi::Schema {
    let rows = ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(1))
        .maximum(Some(orgca_ra::search::MAX_PAGE))
        .build();
    AnyOfBuilder::new().item(rows).item(empty()).build().into()
}

/// The empty string: a query parameter given without a value, which filters nothing.
fn empty() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(0))
        .build()
}

/// A certificate or person name.
pub(crate) fn name() -> Object {
    name_of(SchemaType::Type(Type::String))
}

/// A search's free text: the store's limit, and no control character.
pub(crate) fn search_text() -> Object {
    let control = orgca_model::invisible::class_of(orgca_model::invisible::CONTROL.iter().copied());
    ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(orgca_ra::search::MAX_QUERY_CHARS))
        .pattern(Some(format!("^[^{control}]*$")))
        .build()
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

/// A pick-up's body: `typed_fields` (each required, never empty, with its description),
/// then exactly one of a CSR (`csr`, PEM) or `"pkcs12": true` (a key made by orgca), as
/// the API's key choice reads them (`csr` null or absent and `pkcs12` false or absent
/// are the same).
pub(crate) fn pickup(typed_fields: &[(&str, &str)]) -> utoipa::openapi::Schema {
    use utoipa::openapi::schema::{AdditionalProperties, AllOfBuilder, OneOfBuilder};
    let mut body = ObjectBuilder::new()
        .schema_type(Type::Object)
        .additional_properties(Some(
            AdditionalProperties::<utoipa::openapi::Schema>::FreeForm(false),
        ));
    for (name, description) in typed_fields {
        body = body
            .property(*name, described(typed_builder(), description))
            .required(*name);
    }
    let body = body
        .property(
            "csr",
            described(
                ObjectBuilder::new().schema_type(SchemaType::from_iter([Type::String, Type::Null])),
                "A PKCS#10 request, PEM (when the order is picked up with a CSR).",
            ),
        )
        .property(
            "pkcs12",
            described(
                ObjectBuilder::new().schema_type(Type::Boolean),
                "`true`: a PKCS#12 with a key made by orgca (when the order delivers one).",
            ),
        )
        .build();
    let only = |value: serde_json::Value| ObjectBuilder::new().enum_values(Some([value])).build();
    let with_csr = ObjectBuilder::new()
        .property(
            "csr",
            ObjectBuilder::new().schema_type(Type::String).build(),
        )
        .required("csr")
        .property("pkcs12", only(false.into()))
        .build();
    let with_pkcs12 = ObjectBuilder::new()
        .property("pkcs12", only(true.into()))
        .required("pkcs12")
        .property("csr", only(serde_json::Value::Null))
        .build();
    AllOfBuilder::new()
        .item(body)
        .item(utoipa::openapi::Schema::from(
            OneOfBuilder::new().item(with_csr).item(with_pkcs12).build(),
        ))
        .build()
        .into()
}

/// Base64 (standard alphabet, padded, canonical: the bits after the last byte are zero)
/// of at least one byte, with ASCII white space around it allowed: what the signing
/// route decodes.
pub(crate) const BASE64_DOCUMENT: &str = "^[ \\t\\r\\n]*(?:[A-Za-z0-9+/]{4})*\
    (?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)[ \\t\\r\\n]*$";

/// A JSON signing request: `mode` `personal` without a profile, or `seal` with one;
/// `format` is the named schema `format`. Each mode is a whole object of its own (one
/// of two), so that generators need not merge a reference into a branch.
pub(crate) fn sign_body(format: &str) -> utoipa::openapi::Schema {
    use utoipa::openapi::Ref;
    use utoipa::openapi::schema::{AdditionalProperties, OneOfBuilder};
    let request = |mode: &str, what: &str, profile: Object, profile_required: bool| {
        let body = ObjectBuilder::new()
            .schema_type(Type::Object)
            .additional_properties(Some(
                AdditionalProperties::<utoipa::openapi::Schema>::FreeForm(false),
            ))
            .property(
                "document",
                described(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .pattern(Some(BASE64_DOCUMENT)),
                    "The document, base64 (standard alphabet, padded): a PDF for `pades`, \
                     any file for `cades`.",
                ),
            )
            .required("document")
            .property("format", Ref::from_schema_name(format))
            .required("format")
            .property(
                "mode",
                described(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .enum_values(Some([mode])),
                    what,
                ),
            )
            .required("mode")
            .property("profile", profile);
        if profile_required {
            body.required("profile").build()
        } else {
            body.build()
        }
    };
    let profile = |types: SchemaType, d: &str| {
        described(
            ObjectBuilder::new().schema_type(types).format(Some(
                utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Uuid),
            )),
            d,
        )
    };
    let personal = request(
        "personal",
        "In the caller's own name.",
        described(
            ObjectBuilder::new().schema_type(Type::Null),
            "None: a personal signature takes no profile.",
        ),
        false,
    );
    let seal = request(
        "seal",
        "The organisation's seal (needs the seal right).",
        profile(
            SchemaType::Type(Type::String),
            "The organisation profile (with `allow_signing`) that names the seal.",
        ),
        true,
    );
    OneOfBuilder::new().item(personal).item(seal).build().into()
}

/// `o` with its description.
fn described(o: ObjectBuilder, description: &str) -> Object {
    o.description(Some(description)).build()
}
