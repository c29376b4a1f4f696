//! The JSON bodies and query strings clients send, as the OpenAPI document shows them.
//! They are the wire's business: each turns into the RA's request type, which the CLI
//! and the portal build too, so the API can change its JSON without the RA changing.

use orgca_model::{Identification, Issuance};

use super::schema;
use serde::{Deserialize, Deserializer};

/// A user to create (`POST /api/v1/users`).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    /// E-mail address.
    #[schema(schema_with = schema::email)]
    pub email: String,
    /// Given name.
    #[schema(schema_with = schema::name)]
    pub given_name: String,
    /// Surname.
    #[schema(schema_with = schema::name)]
    pub surname: String,
    /// `org_admin`, `user_admin` or `user`.
    #[schema(schema_with = schema::role)]
    pub role: String,
    /// The seal right.
    #[serde(default)]
    pub seal: bool,
}

impl From<NewUserRequest> for orgca_ra::NewUserRequest {
    fn from(r: NewUserRequest) -> Self {
        orgca_ra::NewUserRequest {
            email: r.email,
            given_name: r.given_name,
            surname: r.surname,
            role: r.role,
            seal: r.seal,
        }
    }
}

/// A change to a user (`PATCH /api/v1/users/{id}`): absent fields stay.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    /// `org_admin`, `user_admin` or `user`.
    #[schema(schema_with = schema::role_or_null)]
    pub role: Option<String>,
    /// The seal right.
    pub seal: Option<bool>,
    /// `active` or `deactivated`.
    #[schema(schema_with = schema::user_status_or_null)]
    pub status: Option<String>,
    /// Publish the user's employee certificates in the public directory (found by
    /// their exact address). Only the user themself sets this: it is their consent.
    pub publish: Option<bool>,
}

impl From<UserPatch> for orgca_ra::UserPatch {
    fn from(p: UserPatch) -> Self {
        orgca_ra::UserPatch {
            role: p.role,
            seal: p.seal,
            status: p.status,
            publish: p.publish,
        }
    }
}

/// The contact person of a profile.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Name.
    #[schema(schema_with = schema::name)]
    pub name: String,
    /// E-mail address.
    #[schema(schema_with = schema::email)]
    pub email: String,
}

impl From<Contact> for orgca_ra::Contact {
    fn from(c: Contact) -> Self {
        orgca_ra::Contact {
            name: c.name,
            email: c.email,
        }
    }
}

/// A profile to create (`POST /api/v1/profiles`).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileRequest {
    /// `organisation` or `system`.
    #[schema(schema_with = schema::profile_kind)]
    pub kind: String,
    /// The certificates' name.
    #[schema(schema_with = schema::name)]
    pub name: String,
    /// E-mail shown in the certificates.
    #[serde(default)]
    #[schema(schema_with = schema::email_or_null)]
    pub email: Option<String>,
    /// Contact person (required).
    pub contact: Contact,
    /// Seal use.
    #[serde(default)]
    pub allow_signing: bool,
    /// Publication in the public directory.
    #[serde(default)]
    pub publish: bool,
}

impl From<ProfileRequest> for orgca_ra::ProfileRequest {
    fn from(r: ProfileRequest) -> Self {
        orgca_ra::ProfileRequest {
            kind: r.kind,
            name: r.name,
            email: r.email,
            contact: r.contact.into(),
            allow_signing: r.allow_signing,
            publish: r.publish,
        }
    }
}

/// A change to a profile (`PATCH /api/v1/profiles/{id}`): absent fields stay; the kind
/// cannot change (it decides what the certificates mean). `email: null` removes it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfilePatch {
    /// New name.
    #[schema(schema_with = schema::name_or_null)]
    pub name: Option<String>,
    /// New e-mail (`null` removes it).
    #[serde(default, deserialize_with = "present")]
    #[schema(schema_with = schema::email_or_null)]
    pub email: Option<Option<String>>,
    /// New contact person.
    pub contact: Option<Contact>,
    /// New seal use.
    pub allow_signing: Option<bool>,
    /// New publication.
    pub publish: Option<bool>,
}

/// A field that is present, `null` included (absent is the `default`, `None`).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

impl From<ProfilePatch> for orgca_ra::ProfilePatch {
    fn from(p: ProfilePatch) -> Self {
        orgca_ra::ProfilePatch {
            name: p.name,
            email: p.email,
            contact: p.contact.map(Into::into),
            allow_signing: p.allow_signing,
            publish: p.publish,
        }
    }
}

/// An order's body: how the recipient identifies (the routes differ in what they take)
/// and how the certificate is delivered.
macro_rules! order_request {
    ($(#[$doc:meta])* $name:ident, $identifications:path) => {
        $(#[$doc])*
        #[derive(Debug, Deserialize, utoipa::ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            /// How the recipient identifies.
            #[schema(schema_with = $identifications)]
            pub identification: Identification,
            /// How the certificate is delivered.
            pub issuance: Issuance,
        }

        impl From<$name> for orgca_ra::orders::OrderRequest {
            fn from(r: $name) -> Self {
                orgca_ra::orders::OrderRequest {
                    identification: r.identification,
                    issuance: r.issuance,
                }
            }
        }
    };
}

order_request!(
    /// An order for a profile (`POST /api/v1/profiles/{id}/orders`): picked up with its
    /// reference and one-time code.
    ProfileOrderRequest,
    schema::profile_order_identification
);

order_request!(
    /// An employee certificate for a user (`POST /api/v1/users/{id}/orders`): picked up by
    /// the user, logged in.
    UserOrderRequest,
    schema::user_order_identification
);
