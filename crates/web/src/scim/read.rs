//! Users as SCIM documents: orgca's user as a `User` resource, a `User` document read
//! into what the directory says, the `attributes` and `excludedAttributes` parameters,
//! and the `eq` filters a directory looks users up with.

use orgca_model::User;
use orgca_ra::provisioning::DirectoryUser;
use serde_json::{Map, Value, json};

use super::{ScimError, USER_SCHEMA};

/// The user as a SCIM `User` resource; `base` is the service's public address.
pub(crate) fn resource(user: &User, base: &str) -> Value {
    let mut r = json!({
        "schemas": [USER_SCHEMA],
        "id": user.id.to_string(),
        "userName": user.directory_name.as_deref().unwrap_or(&user.email),
        "name": {"givenName": user.given_name, "familyName": user.surname},
        "emails": [{"value": user.email, "type": "work"}],
        "active": !user.status.has_ended(),
        "meta": {
            "resourceType": "User",
            "created": user.created_at.rfc3339(),
            "lastModified": user.modified_at.rfc3339(),
            "location": format!("{}/scim/v2/Users/{}", base.trim_end_matches('/'), user.id),
        },
    });
    if let Some(external) = &user.external_id {
        r["externalId"] = json!(external);
    }
    r
}

/// The value of `name` in `object`, whose attribute names match in any case (RFC 7643
/// 2.1).
pub(crate) fn field<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
        .filter(|v| !v.is_null())
}

fn string(object: &Map<String, Value>, name: &str) -> Result<Option<String>, ScimError> {
    match field(object, name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ScimError::bad(
            "invalidValue",
            format!("{name} must be a string"),
        )),
    }
}

fn required(object: &Map<String, Value>, name: &str, why: &str) -> Result<String, ScimError> {
    string(object, name)?
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| ScimError::bad("invalidValue", format!("{name} is required: {why}")))
}

/// A boolean, also as the strings `"True"` and `"False"` that Entra ID sends.
fn boolean(value: &Value, name: &str) -> Result<bool, ScimError> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(ScimError::bad(
            "invalidValue",
            format!("{name} must be true or false"),
        )),
    }
}

/// A request document: a JSON object whose `schemas` lists `urn`; `what` names it in
/// the error.
pub(crate) fn document_of<'a>(
    doc: &'a Value,
    what: &str,
    urn: &str,
) -> Result<&'a Map<String, Value>, ScimError> {
    let object = doc
        .as_object()
        .ok_or_else(|| ScimError::bad("invalidSyntax", format!("send {what} as a JSON object")))?;
    let listed = field(object, "schemas")
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().any(|u| u.as_str() == Some(urn)));
    if !listed {
        return Err(ScimError::bad(
            "invalidSyntax",
            format!("schemas must list {urn}"),
        ));
    }
    Ok(object)
}

/// Reads a `User` document (created, replaced, or as a PATCH left it).
pub(crate) fn directory_user(doc: &Value) -> Result<DirectoryUser, ScimError> {
    let object = document_of(doc, "a User", USER_SCHEMA)?;
    let user_name = required(
        object,
        "userName",
        "the directory's unique name for the user",
    )?;
    let name = match field(object, "name") {
        Some(Value::Object(n)) => n,
        _ => {
            return Err(ScimError::bad(
                "invalidValue",
                "name is required, with givenName and familyName: employee certificates show them",
            ));
        }
    };
    let why = "employee certificates show the user's name";
    let given_name = required(name, "givenName", why)?;
    let family_name = required(name, "familyName", why)?;
    let email = match field(object, "emails") {
        None => None,
        Some(Value::Array(emails)) => chosen_email(emails)?,
        Some(_) => {
            return Err(ScimError::bad(
                "invalidValue",
                "emails must be a list of {\"value\": address, \"type\": \"work\"}",
            ));
        }
    };
    let active = field(object, "active")
        .map(|v| boolean(v, "active"))
        .transpose()?;
    Ok(DirectoryUser {
        user_name,
        email,
        given_name,
        family_name,
        external_id: string(object, "externalId")?,
        active,
    })
}

/// The address orgca keeps of a user's `emails`: the primary, else the work one, else
/// the first.
fn chosen_email(emails: &[Value]) -> Result<Option<String>, ScimError> {
    let mut entries = Vec::with_capacity(emails.len());
    for e in emails {
        let Some(e) = e.as_object() else {
            return Err(ScimError::bad(
                "invalidValue",
                "each of emails must be an object with a value",
            ));
        };
        let primary = field(e, "primary")
            .map(|v| boolean(v, "emails.primary"))
            .transpose()?
            .unwrap_or(false);
        let work = string(e, "type")?.is_some_and(|t| t.eq_ignore_ascii_case("work"));
        let value = required(e, "value", "each of emails needs its address")?;
        entries.push((primary, work, value));
    }
    let pick = entries
        .iter()
        .position(|e| e.0)
        .or_else(|| entries.iter().position(|e| e.1))
        .or((!entries.is_empty()).then_some(0));
    Ok(pick.map(|i| entries.swap_remove(i).2))
}

/// Attribute names from a comma-separated parameter, without a schema prefix.
fn names(list: &str) -> Vec<String> {
    list.split(',')
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .map(|n| {
            let n = n
                .strip_prefix(USER_SCHEMA)
                .map_or(n, |rest| rest.trim_start_matches(':'));
            // `name.givenName` keeps or drops the whole of `name`.
            n.split('.').next().unwrap_or(n).to_owned()
        })
        .collect()
}

/// Applies `attributes` (only these, with `schemas` and `id`, which are always
/// returned) or `excludedAttributes` (all but these) to a resource (RFC 7644 3.9).
pub(crate) fn project(
    mut resource: Value,
    attributes: Option<&str>,
    excluded: Option<&str>,
) -> Value {
    let always = ["schemas", "id"];
    if let Some(object) = resource.as_object_mut() {
        if let Some(list) = attributes.filter(|a| !a.trim().is_empty()) {
            let keep = names(list);
            object.retain(|k, _| {
                always.contains(&k.as_str()) || keep.iter().any(|n| n.eq_ignore_ascii_case(k))
            });
        } else if let Some(list) = excluded {
            let drop = names(list);
            object.retain(|k, _| {
                always.contains(&k.as_str()) || !drop.iter().any(|n| n.eq_ignore_ascii_case(k))
            });
        }
    }
    resource
}

/// A list filter: `userName eq "..."`, `externalId eq "..."` or `id eq "..."`, what
/// directories look users up with.
pub(crate) enum Lookup {
    /// By `userName`, in any case.
    UserName(String),
    /// By `externalId`, exactly.
    ExternalId(String),
    /// By `id`.
    Id(String),
}

/// Reads a list filter; anything else is refused with what orgca reads.
pub(crate) fn filter(text: &str) -> Result<Lookup, ScimError> {
    let refused = || {
        ScimError::bad(
            "invalidFilter",
            format!(
                "orgca filters users by one equality: userName eq \"...\", externalId eq \"...\" \
                 or id eq \"...\" (not {text:?})"
            ),
        )
    };
    let (attr, rest) = text
        .trim()
        .split_once(char::is_whitespace)
        .ok_or_else(refused)?;
    let (op, value) = rest
        .trim_start()
        .split_once(char::is_whitespace)
        .ok_or_else(refused)?;
    if !op.eq_ignore_ascii_case("eq") {
        return Err(refused());
    }
    let value: String = serde_json::from_str(value.trim()).map_err(|_| refused())?;
    let attr = attr
        .strip_prefix(USER_SCHEMA)
        .map_or(attr, |rest| rest.trim_start_matches(':'));
    if attr.eq_ignore_ascii_case("userName") {
        Ok(Lookup::UserName(value))
    } else if attr.eq_ignore_ascii_case("externalId") {
        Ok(Lookup::ExternalId(value))
    } else if attr.eq_ignore_ascii_case("id") {
        Ok(Lookup::Id(value))
    } else {
        Err(refused())
    }
}
