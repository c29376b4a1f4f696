//! The discovery documents (RFC 7644 section 4): what orgca's SCIM service does, its one
//! resource type and the User schema as orgca keeps it. The schema marks the name, the
//! address and `active` required because orgca needs them: certificates show the name
//! and address, and a user is always either active or not.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::{ScimError, USER_SCHEMA, document, list};

const SCHEMA_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";
const RESOURCE_TYPE_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
const CONFIG_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";

/// Most users a list answers at once (`filter.maxResults`).
pub(crate) const MAX_RESULTS: i64 = 100;

pub(super) async fn service_provider_config() -> Response {
    let off = json!({"supported": false});
    let body = json!({
        "schemas": [CONFIG_SCHEMA],
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": MAX_RESULTS},
        "changePassword": off,
        "sort": off,
        "etag": off,
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "Provisioning token",
            "description": "A bearer token for one organisation, made by the operator with \
                            `orgca scim token create --org CVR --name NAME`",
            "primary": true,
        }],
        "meta": {"resourceType": "ServiceProviderConfig", "location": "/ServiceProviderConfig"},
    });
    document(StatusCode::OK, &body)
}

fn user_resource_type() -> Value {
    json!({
        "schemas": [RESOURCE_TYPE_SCHEMA],
        "id": "User",
        "name": "User",
        "endpoint": "/Users",
        "description": "A person of the organisation; employee certificates name them",
        "schema": USER_SCHEMA,
        "schemaExtensions": [],
        "meta": {"resourceType": "ResourceType", "location": "/ResourceTypes/User"},
    })
}

pub(super) async fn resource_types() -> Response {
    document(StatusCode::OK, &list(1, 1, vec![user_resource_type()]))
}

pub(super) async fn resource_type(Path(id): Path<String>) -> Result<Response, ScimError> {
    if id != "User" {
        return Err(ScimError::not_found(format!(
            "no resource type {id:?}: orgca serves User only"
        )));
    }
    Ok(document(StatusCode::OK, &user_resource_type()))
}

/// One attribute's definition (RFC 7643 section 7), readWrite and returned by default.
fn attribute(name: &str, kind: &str, required: bool, multi: bool, more: Value) -> Value {
    let mut a = json!({
        "name": name, "type": kind, "multiValued": multi, "required": required,
        "caseExact": false, "mutability": "readWrite", "returned": "default",
        "uniqueness": "none",
    });
    if let (Some(a), Value::Object(more)) = (a.as_object_mut(), more) {
        a.extend(more);
    }
    a
}

fn user_schema() -> Value {
    let string =
        |name: &str, required: bool, more: Value| attribute(name, "string", required, false, more);
    json!({
        "schemas": [SCHEMA_SCHEMA],
        "id": USER_SCHEMA,
        "name": "User",
        "description": "A user of the organisation, as orgca keeps them",
        "attributes": [
            string("userName", true, json!({
                "uniqueness": "server",
                "description": "The directory's unique name for the user: their e-mail \
                                address, or another name (Entra ID's user principal name) \
                                when emails gives the address",
            })),
            attribute("name", "complex", true, false, json!({
                "description": "The name employee certificates show",
                "subAttributes": [
                    string("givenName", true, json!({})),
                    string("familyName", true, json!({})),
                ],
            })),
            attribute("emails", "complex", true, true, json!({
                "description": "The address the user logs in with and employee certificates \
                                show; orgca keeps one: the one marked primary (a primary \
                                sent is read, never returned), else the work one, else the \
                                first",
                "subAttributes": [
                    string("value", true, json!({})),
                    string("type", false, json!({"canonicalValues": ["work"]})),
                ],
            })),
            attribute("active", "boolean", true, false, json!({
                "description": "false blocks the user's employee certificates \
                                (left_organisation) and cancels their open orders",
            })),
        ],
        "meta": {"resourceType": "Schema", "location": format!("/Schemas/{USER_SCHEMA}")},
    })
}

pub(super) async fn schemas() -> Response {
    document(StatusCode::OK, &list(1, 1, vec![user_schema()]))
}

pub(super) async fn schema(Path(id): Path<String>) -> Result<Response, ScimError> {
    if id != USER_SCHEMA {
        return Err(ScimError::not_found(format!(
            "no schema {id:?}: orgca serves {USER_SCHEMA} only"
        )));
    }
    Ok(document(StatusCode::OK, &user_schema()))
}
