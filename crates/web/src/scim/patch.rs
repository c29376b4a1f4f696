//! PATCH (RFC 7644 3.5.2) applied to a user's SCIM document: `add`, `replace` and
//! `remove`, with a path of an attribute (`active`), a sub-attribute (`name.givenName`),
//! or a multi-valued attribute's entries chosen by one equality
//! (`emails[type eq "work"].value`), or without a path (an object of attributes). The
//! result is read back as a whole user, so a PATCH that leaves out something orgca needs
//! is refused like a PUT would be.

use serde_json::{Map, Value};

use super::read::{document_of, field};
use super::{PATCH_SCHEMA, ScimError, USER_SCHEMA};

/// Most operations one PATCH carries.
const MAX_OPERATIONS: usize = 100;

/// Most entries a multi-valued attribute may hold after an operation.
const MAX_ENTRIES: usize = 20;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Replace,
    Remove,
}

/// A parsed path: `attribute[selector].sub`, each part optional but the first.
struct Path {
    attribute: String,
    selector: Option<(String, Value)>,
    sub: Option<String>,
}

fn invalid_path(path: &str) -> ScimError {
    ScimError::bad(
        "invalidPath",
        format!(
            "orgca reads paths like active, name.givenName or emails[type eq \"work\"].value \
             (not {path:?})"
        ),
    )
}

/// Reads a path; `None` for a path into another schema than the core User (Entra ID
/// sends the enterprise extension's `department`, `manager` ...), which orgca does not
/// keep and so leaves alone.
fn parse_path(text: &str) -> Result<Option<Path>, ScimError> {
    let mut rest = text.trim();
    if rest.len() >= 4 && rest[..4].eq_ignore_ascii_case("urn:") {
        // The schema is all up to the last `:` before any value filter (attribute
        // names hold no `:`; the schema's version does hold a `.`).
        let head = rest.find('[').map_or(rest, |i| &rest[..i]);
        let split = head.rfind(':').ok_or_else(|| invalid_path(text))?;
        if !rest[..split].eq_ignore_ascii_case(USER_SCHEMA) {
            return Ok(None);
        }
        rest = &rest[split + 1..];
    }
    let name_end = rest.find(['[', '.']).unwrap_or(rest.len());
    let attribute = rest[..name_end].to_owned();
    rest = &rest[name_end..];
    if attribute.is_empty()
        || !attribute
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(invalid_path(text));
    }
    let mut selector = None;
    if let Some(r) = rest.strip_prefix('[') {
        let close = r.find(']').ok_or_else(|| invalid_path(text))?;
        let (sub, more) = r[..close]
            .trim()
            .split_once(char::is_whitespace)
            .ok_or_else(|| invalid_path(text))?;
        let (op, value) = more
            .trim_start()
            .split_once(char::is_whitespace)
            .ok_or_else(|| invalid_path(text))?;
        if !op.eq_ignore_ascii_case("eq") {
            return Err(invalid_path(text));
        }
        let value: Value = serde_json::from_str(value.trim()).map_err(|_| invalid_path(text))?;
        selector = Some((sub.to_owned(), value));
        rest = &r[close + 1..];
    }
    let sub = match rest.strip_prefix('.') {
        Some(s) if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric()) => {
            Some(s.to_owned())
        }
        Some(_) => return Err(invalid_path(text)),
        None if rest.is_empty() => None,
        None => return Err(invalid_path(text)),
    };
    Ok(Some(Path {
        attribute,
        selector,
        sub,
    }))
}

/// The key under which `name` is in `object` (in any case), or `name` itself.
fn key(object: &Map<String, Value>, name: &str) -> String {
    object
        .keys()
        .find(|k| k.eq_ignore_ascii_case(name))
        .cloned()
        .unwrap_or_else(|| name.to_owned())
}

/// Whether a multi-valued entry matches `[sub eq value]` (strings in any case).
fn selected(entry: &Value, (sub, value): &(String, Value)) -> bool {
    let Some(found) = entry.as_object().and_then(|e| field(e, sub)) else {
        return false;
    };
    match (found, value) {
        (Value::String(a), Value::String(b)) => a.eq_ignore_ascii_case(b),
        (a, b) => a == b,
    }
}

/// Applies a PATCH request's operations, in order, to `doc`.
pub(crate) fn apply(doc: &mut Value, request: &Value) -> Result<(), ScimError> {
    let syntax = |what: &str| ScimError::bad("invalidSyntax", what.to_owned());
    let request = document_of(request, "a PatchOp", PATCH_SCHEMA)?;
    let operations = field(request, "Operations")
        .and_then(Value::as_array)
        .filter(|o| !o.is_empty() && o.len() <= MAX_OPERATIONS)
        .ok_or_else(|| {
            syntax(&format!(
                "Operations must list 1 to {MAX_OPERATIONS} operations"
            ))
        })?;
    for operation in operations {
        let o = operation
            .as_object()
            .ok_or_else(|| syntax("each operation must be an object with op, path and value"))?;
        let op = match field(o, "op").and_then(Value::as_str) {
            Some(s) if s.eq_ignore_ascii_case("add") => Op::Add,
            Some(s) if s.eq_ignore_ascii_case("replace") => Op::Replace,
            Some(s) if s.eq_ignore_ascii_case("remove") => Op::Remove,
            _ => return Err(syntax("op must be add, replace or remove")),
        };
        let value = field(o, "value").cloned();
        let path = match field(o, "path") {
            None => None,
            Some(Value::String(p)) => match parse_path(p)? {
                Some(path) => Some(path),
                // Another schema's attribute: not kept, left alone.
                None => continue,
            },
            Some(_) => return Err(invalid_path("(not a string)")),
        };
        let object = doc
            .as_object_mut()
            .ok_or_else(|| syntax("the user is not an object"))?;
        match (path, value) {
            (None, Some(Value::Object(values))) if op != Op::Remove => {
                for (name, v) in values {
                    let core = name.eq_ignore_ascii_case(USER_SCHEMA);
                    match (core, v) {
                        // {"urn:...:core:2.0:User": {...}}: the core attributes inside.
                        (true, Value::Object(inner)) => {
                            for (name, v) in inner {
                                set_named(object, op, &name, v)?;
                            }
                        }
                        (_, v) => set_named(object, op, &name, v)?,
                    }
                }
            }
            (None, _) => {
                return Err(ScimError::bad(
                    "noTarget",
                    "an operation without a path must add or replace an object of attributes",
                ));
            }
            (Some(path), _) if op == Op::Remove => remove(object, &path),
            (Some(path), Some(v)) => set(object, op, &path, v)?,
            (Some(_), None) => {
                return Err(ScimError::bad(
                    "invalidValue",
                    "add and replace need a value",
                ));
            }
        }
        // Bounded after every operation: a PATCH cannot grow the user without limit.
        let too_long = object
            .values()
            .any(|v| v.as_array().is_some_and(|a| a.len() > MAX_ENTRIES));
        if too_long {
            return Err(ScimError::bad(
                "invalidValue",
                format!("a multi-valued attribute holds at most {MAX_ENTRIES} entries"),
            ));
        }
    }
    Ok(())
}

/// Sets the attribute a path-less operation names by a key, which may itself be a path
/// (`"name.givenName"`, as Entra ID sends); another schema's attribute is left alone.
fn set_named(
    object: &mut Map<String, Value>,
    op: Op,
    name: &str,
    value: Value,
) -> Result<(), ScimError> {
    match parse_path(name)? {
        Some(path) => set(object, op, &path, value),
        None => Ok(()),
    }
}

fn set(
    object: &mut Map<String, Value>,
    op: Op,
    path: &Path,
    value: Value,
) -> Result<(), ScimError> {
    let k = key(object, &path.attribute);
    match (&path.selector, &path.sub) {
        (None, None) => {
            let slot = object.entry(k).or_insert(Value::Null);
            match (op, slot, value) {
                // Adding to a multi-valued attribute adds entries (RFC 7644 3.5.2.1).
                (Op::Add, Value::Array(have), Value::Array(more)) => have.extend(more),
                // Adding to a complex attribute sets the sub-attributes given.
                (Op::Add, Value::Object(have), Value::Object(more)) => have.extend(more),
                (_, slot, value) => *slot = value,
            }
        }
        (None, Some(sub)) => {
            let slot = object.entry(k).or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            if let Some(inner) = slot.as_object_mut() {
                let sk = key(inner, sub);
                inner.insert(sk, value);
            }
        }
        (Some(selector), sub) => {
            let slot = object.entry(k).or_insert_with(|| Value::Array(Vec::new()));
            if !slot.is_array() {
                *slot = Value::Array(Vec::new());
            }
            let Some(entries) = slot.as_array_mut() else {
                return Ok(());
            };
            let mut hit = false;
            for entry in entries.iter_mut().filter(|e| selected(e, selector)) {
                hit = true;
                put(entry, sub.as_deref(), value.clone());
            }
            if !hit && op == Op::Replace {
                return Err(ScimError::bad(
                    "noTarget",
                    format!(
                        "no entry of {} matches the filter, so nothing is replaced",
                        path.attribute
                    ),
                ));
            }
            if !hit {
                // Nothing matched: a new entry that does (Entra ID adds
                // `emails[type eq "work"].value` so).
                let mut entry = Map::new();
                entry.insert(selector.0.clone(), selector.1.clone());
                let mut entry = Value::Object(entry);
                put(&mut entry, sub.as_deref(), value);
                entries.push(entry);
            }
        }
    }
    Ok(())
}

/// Sets a sub-attribute of an entry, or merges an object into it.
fn put(entry: &mut Value, sub: Option<&str>, value: Value) {
    let Some(e) = entry.as_object_mut() else {
        return;
    };
    match (sub, value) {
        (Some(sub), value) => {
            let sk = key(e, sub);
            e.insert(sk, value);
        }
        (None, Value::Object(values)) => e.extend(values),
        (None, _) => {}
    }
}

fn remove(object: &mut Map<String, Value>, path: &Path) {
    let k = key(object, &path.attribute);
    match (&path.selector, &path.sub) {
        (None, None) => {
            object.remove(&k);
        }
        (None, Some(sub)) => {
            if let Some(inner) = object.get_mut(&k).and_then(Value::as_object_mut) {
                let sk = key(inner, sub);
                inner.remove(&sk);
            }
        }
        (Some(selector), None) => {
            if let Some(entries) = object.get_mut(&k).and_then(Value::as_array_mut) {
                entries.retain(|e| !selected(e, selector));
            }
        }
        (Some(selector), Some(sub)) => {
            if let Some(entries) = object.get_mut(&k).and_then(Value::as_array_mut) {
                for e in entries.iter_mut().filter(|e| selected(e, selector)) {
                    if let Some(e) = e.as_object_mut() {
                        let sk = key(e, sub);
                        e.remove(&sk);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::apply;

    fn user() -> serde_json::Value {
        json!({
            "schemas": [super::USER_SCHEMA], "userName": "ann@a.dk",
            "name": {"givenName": "Ann", "familyName": "A"},
            "emails": [{"value": "ann@a.dk", "type": "work"}], "active": true,
        })
    }

    fn patch(ops: serde_json::Value) -> serde_json::Value {
        json!({"schemas": [super::PATCH_SCHEMA], "Operations": ops})
    }

    #[test]
    fn entra_id_s_operations_apply() {
        let mut u = user();
        apply(
            &mut u,
            &patch(json!([
                {"op": "Replace", "path": "active", "value": "False"},
                {"op": "replace", "path": "name.familyName", "value": "B"},
                {"op": "Add", "path": "emails[type eq \"work\"].value", "value": "ann@b.dk"},
                {"op": "add", "path": "externalId", "value": "e-1"},
            ])),
        )
        .expect("applies");
        assert_eq!(u["active"], json!("False"));
        assert_eq!(u["name"], json!({"givenName": "Ann", "familyName": "B"}));
        assert_eq!(u["emails"], json!([{"value": "ann@b.dk", "type": "work"}]));
        assert_eq!(u["externalId"], json!("e-1"));
    }

    #[test]
    fn entra_id_s_pathless_names_and_extension_attributes_apply_or_are_left_alone() {
        let mut u = user();
        let enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        apply(&mut u, &patch(json!([
            {"op": "Replace", "value": {
                "name.givenName": "Anne", "name.familyName": "Berg", "active": false,
            }},
            {"op": "Add", "path": format!("{enterprise}:department"), "value": "Drift"},
            {"op": "Replace", "value": {enterprise: {"employeeNumber": "7"}}},
            {"op": "replace", "path": format!("{}:name.givenName", super::USER_SCHEMA), "value": "Ann"},
            {"op": "Replace", "value": {super::USER_SCHEMA: {"userName": "ab@a.dk"}}},
        ])))
        .expect("applies");
        assert_eq!(u["name"], json!({"givenName": "Ann", "familyName": "Berg"}));
        assert_eq!(
            (u["active"].clone(), u["userName"].clone()),
            (json!(false), json!("ab@a.dk"))
        );
        assert!(u.get("department").is_none());
    }

    #[test]
    fn a_patch_cannot_grow_a_list_without_bound_nor_replace_what_is_not_there() {
        let many: Vec<_> = (0..21)
            .map(|i| json!({"value": format!("a{i}@a.dk")}))
            .collect();
        let e = apply(
            &mut user(),
            &patch(json!([{"op": "add", "path": "emails", "value": many}])),
        )
        .expect_err("too many");
        assert!(e.detail.contains("at most 20"), "{}", e.detail);
        let e = apply(
            &mut user(),
            &patch(json!([
                {"op": "replace", "path": "emails[type eq \"home\"].value", "value": "h@a.dk"},
            ])),
        )
        .expect_err("no target");
        assert_eq!(e.scim_type, Some("noTarget"));
    }

    #[test]
    fn pathless_replace_remove_and_a_new_entry_by_selector() {
        let mut u = user();
        apply(
            &mut u,
            &patch(json!([
                {"op": "replace", "value": {"active": false, "userName": "x@a.dk"}},
                {"op": "remove", "path": "emails[type eq \"work\"]"},
                {"op": "add", "path": "emails[type eq \"home\"].value", "value": "h@a.dk"},
                {"op": "remove", "path": "name.givenName"},
            ])),
        )
        .expect("applies");
        assert_eq!(u["active"], json!(false));
        assert_eq!(u["userName"], json!("x@a.dk"));
        assert_eq!(u["emails"], json!([{"type": "home", "value": "h@a.dk"}]));
        assert_eq!(u["name"], json!({"familyName": "A"}));
    }

    #[test]
    fn malformed_requests_are_refused_with_what_to_fix() {
        for (request, says) in [
            (json!({"Operations": []}), "schemas must list"),
            (patch(json!([])), "1 to 100"),
            (
                patch(json!([{"op": "move", "path": "active"}])),
                "op must be",
            ),
            (
                patch(json!([{"op": "add", "path": "emails[type ne \"w\"]", "value": 1}])),
                "paths like",
            ),
            (
                patch(json!([{"op": "add", "path": "a b", "value": 1}])),
                "paths like",
            ),
            (patch(json!([{"op": "remove"}])), "without a path"),
            (
                patch(json!([{"op": "add", "path": "active"}])),
                "need a value",
            ),
        ] {
            let e = apply(&mut user(), &request).expect_err("refused");
            assert!(e.detail.contains(says), "{request}: {}", e.detail);
        }
    }
}
