//! The unpinned response fields, generated from openapi.yaml into
//! `crates/gen-mock/src/generated/unpinned.rs` for genpro-mock's varied answers
//! (`gen mock --vary SEED`).
//!
//! A response property is *pinned* when its schema carries `x-pinned-by`
//! (the seed sentence that shows it with a value or states its type); every
//! other response property is a guess of openapi.yaml, and genpro-mock may send
//! it in another plausible shape. For each operation with a JSON success
//! answer (every `2xx`/`2XX` code, `application/json` or `+json`, merged) the
//! table lists:
//!
//! - `fields`: the JSON locations of the unpinned properties, following
//!   `$ref`s, `allOf`/`oneOf`/`anyOf` branches, array items and nested
//!   objects, and stopping where a `$ref` recurses (or 16 levels down, or
//!   after 4096 locations).
//!   A location is property names joined by `.`, `[]` after an array's name
//!   for each of its items (`ideas[].title`; `[].id` for the items of an
//!   array answer); `\` escapes a `.`, `[`, `]` or `\` inside a name. A
//!   location pinned on any path (two branches naming it) is pinned.
//! - `open_objects`: the locations of the objects that may take unknown
//!   fields: the answer itself (`""`, or `[]` for the items of an array
//!   answer) and every unpinned object property (or the items of an
//!   unpinned array), when their schema declares `properties` and no branch
//!   closes them with `additionalProperties: false`.
//!
//! Maps (`additionalProperties` with a schema) are not descended: their
//! entries are no properties.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use crate::normalize;
use crate::transform::METHODS;

/// Deepest location followed (segments), so a wide schema graph cannot
/// explode.
const MAX_DEPTH: usize = 16;

/// Most locations walked per operation (a wide schema graph of a large
/// spec: the walk stops there, in its fixed order).
const MAX_LOCATIONS: usize = 4096;

/// One operation's unpinned locations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// operationId.
    pub operation_id: String,
    /// Upper-case method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// Unpinned property locations, sorted (a parent before its children).
    pub fields: Vec<String>,
    /// Object locations that may take unknown fields, sorted.
    pub open_objects: Vec<String>,
}

/// What the walk learned about one location.
#[derive(Debug, Default, Clone, Copy)]
struct Seen {
    /// Some path reaches it as a property without `x-pinned-by`.
    unpinned: bool,
    /// Some path reaches it as a property with `x-pinned-by`.
    pinned: bool,
    /// Some schema there is an object declaring `properties`.
    described: bool,
    /// Some schema there sets `additionalProperties: false`.
    closed: bool,
}

/// Escape a property name for a location.
fn escape(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if matches!(c, '.' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `prefix` followed by the property `name`.
fn child(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        escape(name)
    } else {
        format!("{prefix}.{}", escape(name))
    }
}

struct Walker<'a> {
    doc: &'a Value,
    seen: BTreeMap<String, Seen>,
}

impl Walker<'_> {
    /// Walk `schema` found at `loc` (`depth` segments down), with the
    /// `$ref`s being expanded in `stack`.
    fn walk(&mut self, schema: &Value, loc: &str, depth: usize, stack: &mut Vec<String>) {
        let Some(map) = schema.as_object() else {
            return;
        };
        if self.seen.len() >= MAX_LOCATIONS {
            return;
        }
        if let Some(r) = map.get("$ref").and_then(Value::as_str) {
            if stack.iter().any(|s| s == r) {
                return; // recursion: stop here
            }
            if let Some(target) = normalize::resolve(self.doc, schema) {
                stack.push(r.to_owned());
                self.walk(target, loc, depth, stack);
                stack.pop();
            }
            // 3.1 lets keywords sit beside `$ref`: walk those too.
        }
        let entry = self.seen.entry(loc.to_owned()).or_default();
        if map.get("additionalProperties") == Some(&Value::Bool(false)) {
            entry.closed = true;
        }
        if map.get("properties").is_some_and(Value::is_object) {
            entry.described = true;
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            for branch in map.get(key).and_then(Value::as_array).into_iter().flatten() {
                self.walk(branch, loc, depth, stack);
            }
        }
        if depth >= MAX_DEPTH {
            return;
        }
        if let Some(items) = map.get("items") {
            self.walk(items, &format!("{loc}[]"), depth + 1, stack);
        }
        for (name, property) in map
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let at = child(loc, name);
            let pinned = property.get("x-pinned-by").is_some();
            let entry = self.seen.entry(at.clone()).or_default();
            if pinned {
                entry.pinned = true;
            } else {
                entry.unpinned = true;
            }
            self.walk(property, &at, depth + 1, stack);
        }
    }
}

/// The property location owning `loc`: `loc` without its trailing `[]`s
/// (a `]` of a name is escaped, so a trailing `[]` is always a marker).
fn owner(loc: &str) -> &str {
    let mut l = loc;
    while let Some(s) = l.strip_suffix("[]") {
        l = s;
    }
    l
}

/// The JSON success schemas of an operation (every 2xx code, JSON media
/// types).
fn success_schemas<'a>(doc: &'a Value, op: &'a Value) -> Vec<&'a Value> {
    let mut out = Vec::new();
    for (code, response) in op
        .get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if !code.starts_with('2') {
            continue;
        }
        let Some(response) = normalize::resolve(doc, response) else {
            continue;
        };
        for (media, content) in response
            .get("content")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let base = media
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            if (base == "application/json" || base.ends_with("+json"))
                && let Some(schema) = content.get("schema")
            {
                out.push(schema);
            }
        }
    }
    out
}

/// Every operation with a JSON success answer, by path (sorted), then
/// method.
pub fn build(doc: &Value) -> Vec<Answer> {
    let mut answers = Vec::new();
    for (path, item) in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for method in METHODS {
            let Some(op) = item.get(method) else {
                continue;
            };
            let schemas = success_schemas(doc, op);
            if schemas.is_empty() {
                continue;
            }
            let mut walker = Walker {
                doc,
                seen: BTreeMap::new(),
            };
            for schema in schemas {
                walker.walk(schema, "", 0, &mut Vec::new());
            }
            let seen = walker.seen;
            let unpinned = |loc: &str| {
                seen.get(loc)
                    .is_some_and(|s: &Seen| s.unpinned && !s.pinned)
            };
            let fields: BTreeSet<String> =
                seen.keys().filter(|loc| unpinned(loc)).cloned().collect();
            let open_objects: BTreeSet<String> = seen
                .iter()
                .filter(|(loc, s)| {
                    let owner = owner(loc);
                    s.described && !s.closed && (owner.is_empty() || unpinned(owner))
                })
                .map(|(loc, _)| loc.clone())
                .collect();
            answers.push(Answer {
                operation_id: op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .unwrap_or_else(|| normalize::derived_id(method, path)),
                method: method.to_ascii_uppercase(),
                path: path.clone(),
                fields: fields.into_iter().collect(),
                open_objects: open_objects.into_iter().collect(),
            });
        }
    }
    answers
}

/// The Rust source of `crates/gen-mock/src/generated/unpinned.rs`.
pub fn render(doc: &Value, header: &str) -> String {
    let mut o = String::new();
    o.push_str(header);
    o.push_str(
        "\n//! The response fields no seed pins (no `x-pinned-by` in openapi.yaml), per\n\
         //! operation: what genpro-mock's varied answers (`MockConfig::vary`,\n\
         //! `gen mock --vary SEED`) may send in another shape. Written by\n\
         //! xtask/src/unpinned.rs, whose module doc has the rules.\n\n\
         /// The unpinned locations of one operation's JSON success answer.\n\
         #[derive(Debug, Clone, Copy, PartialEq, Eq)]\n\
         pub struct UnpinnedAnswer {\n\
         \x20   /// The operationId in openapi.yaml.\n    pub operation_id: &'static str,\n\
         \x20   /// Upper-case HTTP method.\n    pub method: &'static str,\n\
         \x20   /// Path template, as in openapi.yaml.\n    pub path: &'static str,\n\
         \x20   /// Locations of the unpinned properties: names joined by `.`, `[]` for\n\
         \x20   /// each item of an array (`ideas[].title`; `[].id` in an array answer),\n\
         \x20   /// `\\` escaping a `.`, `[`, `]` or `\\` in a name. Sorted: a parent\n\
         \x20   /// comes before its children.\n\
         \x20   pub fields: &'static [&'static str],\n\
         \x20   /// Locations of the objects that may take unknown fields: the answer\n\
         \x20   /// (`\"\"`, or `[]` for an array answer's items) and the unpinned object\n\
         \x20   /// properties not closed by `additionalProperties: false`.\n\
         \x20   pub open_objects: &'static [&'static str],\n\
         }\n\n\
         /// Every operation with a JSON success answer, by path, then method.\n\
         pub const UNPINNED: &[UnpinnedAnswer] = &[\n",
    );
    for a in build(doc) {
        let _ = writeln!(
            o,
            "    UnpinnedAnswer {{ operation_id: {:?}, method: {:?}, path: {:?}, fields: &{:?}, open_objects: &{:?} }},",
            a.operation_id, a.method, a.path, a.fields, a.open_objects
        );
    }
    o.push_str("];\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;
    use serde_json::json;

    fn doc(paths: Value, schemas: Value) -> Value {
        json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
               "paths": paths, "components": {"schemas": schemas}})
    }

    fn ok(schema: Value) -> Value {
        json!({"responses": {"200": {"description": "ok",
            "content": {"application/json": {"schema": schema}}}}})
    }

    fn only(doc: &Value) -> Answer {
        let mut answers = build(doc);
        assert_eq!(answers.len(), 1, "{answers:#?}");
        answers.remove(0)
    }

    #[test]
    fn nested_objects_arrays_and_refs() {
        let d = doc(
            json!({"/v1/orgs/{id}": {"get": ok(json!({"$ref": "#/components/schemas/Org"}))}}),
            json!({
                "Org": {"type": "object", "required": ["id"], "properties": {
                    "id": {"type": "integer", "x-pinned-by": "seed 001: \"id\": 1"},
                    "name": {"type": "string"},
                    "credit": {"$ref": "#/components/schemas/Credit"},
                    "ideas": {"type": "array", "items": {"$ref": "#/components/schemas/Idea"}},
                    "tags": {"type": ["array", "null"], "items": {"type": "string"}},
                    "headers": {"type": "object", "additionalProperties": {"type": "string"}}
                }},
                "Credit": {"type": "object", "properties": {
                    "generic": {"type": "number", "x-pinned-by": "seed 000"},
                    "aura": {"type": "number"}
                }},
                "Idea": {"type": "object", "properties": {"title": {"type": "string"}}}
            }),
        );
        let a = only(&d);
        assert_eq!(
            (a.operation_id.as_str(), a.method.as_str(), a.path.as_str()),
            ("get_v1_orgs_id", "GET", "/v1/orgs/{id}")
        );
        assert_eq!(
            a.fields,
            [
                "credit",
                "credit.aura",
                "headers",
                "ideas",
                "ideas[].title",
                "name",
                "tags"
            ]
        );
        assert_eq!(a.open_objects, ["", "credit", "ideas[]"]);
    }

    #[test]
    fn pinned_locations_and_their_items_are_left_out() {
        // `ideas` pinned: its items take no unknown field, but its items'
        // own unpinned properties are listed.
        let d = doc(
            json!({"/x": {"post": ok(json!({"type": "object", "properties": {
                "ideas": {"type": "array", "x-pinned-by": "seed 002",
                          "items": {"type": "object", "properties": {
                              "title": {"type": "string", "x-pinned-by": "seed 002"},
                              "hook": {"type": "string"}}}}}}))}}),
            json!({}),
        );
        let a = only(&d);
        assert_eq!(a.fields, ["ideas[].hook"]);
        assert_eq!(a.open_objects, [""]);
    }

    #[test]
    fn an_array_answer_recursion_branches_and_closed_objects() {
        let d = doc(
            json!({"/v1/nodes": {"get": ok(json!({"type": "array",
                "items": {"$ref": "#/components/schemas/Node"}}))}}),
            json!({
                "Node": {"allOf": [{"$ref": "#/components/schemas/Base"}], "type": "object",
                         "properties": {
                    "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
                    "card": {"oneOf": [{"$ref": "#/components/schemas/Open"},
                                       {"$ref": "#/components/schemas/Closed"}]}
                }},
                "Base": {"type": "object", "properties": {"id": {"type": "string"}}},
                "Open": {"type": "object", "properties": {"a": {"type": "integer"},
                         "b": {"type": "string", "x-pinned-by": "seed 000"}}},
                "Closed": {"type": "object", "additionalProperties": false,
                           "properties": {"b": {"type": "string"}}}
            }),
        );
        let a = only(&d);
        // `b` is pinned in one branch: pinned.
        assert_eq!(a.fields, ["[].card", "[].card.a", "[].children", "[].id"]);
        // `card` may be the closed branch: no unknown field there; the
        // recursive `children[]` is not descended.
        assert_eq!(a.open_objects, ["[]"]);
    }

    #[test]
    fn success_codes_merge_and_other_answers_are_skipped() {
        let d = doc(
            json!({
                "/a": {"patch": {"responses": {
                    "200": {"content": {"application/json": {"schema": {"type": "object", "properties": {"x": {}}}}}},
                    "207": {"content": {"application/vnd.api+json; charset=utf-8": {"schema": {"type": "object", "properties": {"y": {}}}}}},
                    "422": {"content": {"application/json": {"schema": {"type": "object", "properties": {"error": {}}}}}}
                }}},
                "/b": {"get": {"responses": {"200": {"content": {"text/plain": {"schema": {"type": "string"}}}}}},
                       "delete": {"responses": {"204": {"description": "gone"}}}},
                "/c": {"get": {"responses": {"2XX": {"$ref": "#/components/responses/Ok"}}}}
            }),
            json!({}),
        );
        let mut d = d;
        d["components"]["responses"] = json!({"Ok": {"description": "ok",
            "content": {"application/json": {"schema": {"type": "object", "properties": {"z.w[0]": {}}}}}}});
        let answers = build(&d);
        assert_eq!(answers.len(), 2, "{answers:#?}");
        assert_eq!(answers[0].fields, ["x", "y"]);
        assert_eq!(answers[1].fields, ["z\\.w\\[0\\]"]);
        assert_eq!(owner("a\\[\\][]"), "a\\[\\]");
        assert_eq!(owner("a[][]"), "a");
    }

    #[test]
    fn the_rendered_table_is_rust() {
        let d = doc(
            json!({"/v1/me": {"get": ok(json!({"type": "object", "properties": {
                "id": {"type": "integer"}, "we\"ird\\name": {"type": "string"}}}))}}),
            json!({}),
        );
        let src = render(&d, "// header\n");
        let file = syn::parse_file(&src).unwrap();
        assert!(!file.items.is_empty());
        assert!(
            src.contains(r#"fields: &["id", "we\"ird\\\\name"]"#),
            "{src}"
        );
    }

    /// The drill's shapes (text, bytes, `204`, `+json`, two success codes,
    /// 3.1 types, `default` only...) give a table that is Rust.
    #[test]
    fn the_drill_shapes_give_a_table() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap()
            .to_path_buf();
        let mut d = crate::codegen::load_spec(&root.join("openapi.yaml")).unwrap();
        let drill: Value = serde_yaml::from_str(crate::drill::PATH_ITEM).unwrap();
        let schemas: Value = serde_yaml::from_str(crate::drill::SCHEMAS).unwrap();
        for (k, v) in drill.as_object().unwrap() {
            d["paths"][k] = v.clone();
        }
        for (k, v) in schemas.as_object().unwrap() {
            d["components"]["schemas"][k] = v.clone();
        }
        let src = render(&d, crate::codegen::HEADER);
        syn::parse_file(&src).unwrap();
        let start = build(&d).into_iter().find(|a| {
            a.path.starts_with("/v1/drill") && a.method == "POST" && !a.fields.is_empty()
        });
        assert!(start.is_some(), "{src}");
    }

    #[test]
    fn openapi_yaml_lists_the_guessed_fields_of_the_journey() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap()
            .to_path_buf();
        let d = crate::codegen::load_spec(&root.join("openapi.yaml")).unwrap();
        let answers = build(&d);
        let org = answers
            .iter()
            .find(|a| a.operation_id == "get_organization")
            .unwrap();
        // Every field is either listed or carries `x-pinned-by`.
        let schema = &d["components"]["schemas"]["Organization"]["properties"];
        for (name, property) in schema.as_object().unwrap() {
            assert_eq!(
                org.fields.contains(name),
                property.get("x-pinned-by").is_none(),
                "{name}"
            );
        }
        assert!(org.open_objects.contains(&String::new()));
    }
}
