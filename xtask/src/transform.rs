//! Spec transformations applied in memory before progenitor sees the spec.
//!
//! `openapi.yaml` is OpenAPI 3.1 and stays the source of truth. progenitor 0.15
//! reads OpenAPI 3.0 only and has a few more limits, so [`prepare`] runs, in
//! order:
//!
//! 1. [`downconvert`]: 3.1 → 3.0 (type arrays with `"null"` → `nullable`,
//!    `const` → one-value `enum`, schema `examples` → `example`, numeric
//!    `exclusiveMinimum`/`exclusiveMaximum` → boolean form, 3.1-only keys
//!    dropped).
//! 2. [`normalize::for_progenitor`]: parameters, request bodies and answers
//!    in shapes progenitor types (its module doc has the table). progenitor
//!    cannot send `multipart/form-data` (nor XML...): such operations are
//!    removed (genpro-sdk writes them by hand), operations that also accept
//!    JSON keep only their JSON body. Success codes collapse into one `2XX`
//!    response and error codes into `4XX`/`5XX` responses sharing one
//!    schema (progenitor panics on differing schemas); a range also means
//!    a server answering 200 where we documented 201 still decodes.
//! 3. [`phase_tags`]: `x-phase` becomes the operation's only tag, so
//!    `TagStyle::Separate` yields one extension trait per phase.
//! 4. [`open_response_enums`]: string enums reachable from a response become
//!    plain strings (known values listed in the docs) so a status value the
//!    server adds tomorrow does not fail decoding of the whole response.

use crate::normalize::{self, Warnings};
use anyhow::{Context, Result, bail};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// HTTP methods an OpenAPI path item can hold.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The five steps of the GEN journey, the only valid `x-phase` values.
pub const PHASES: [&str; 5] = ["setup", "ideas", "vidsheet", "edit", "publish"];

/// An operation progenitor cannot generate (or can generate only in part).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAside {
    /// The operation's `operationId`.
    pub operation_id: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// The path template.
    pub path: String,
    /// The operation's x-phase.
    pub phase: String,
    /// The media types removed from the request body.
    pub removed: Vec<String>,
    /// True when the operation stays in the generated client with its other
    /// (JSON) body; false when it is removed entirely.
    pub kept: bool,
}

/// The result of [`prepare`].
#[derive(Debug)]
pub struct Prepared {
    /// The OpenAPI 3.0 document progenitor consumes.
    pub spec: Value,
    /// Operations (or bodies) set aside for genpro-sdk.
    pub set_aside: Vec<SetAside>,
    /// Schema names whose enums were opened, with their known values.
    pub opened_enums: BTreeMap<String, Vec<String>>,
}

/// Run every transformation, in order; what had to be normalised is added
/// to `warnings`.
pub fn prepare(mut doc: Value, warnings: &mut Warnings) -> Result<Prepared> {
    check_is_openapi(&doc)?;
    downconvert(&mut doc);
    let set_aside = normalize::for_progenitor(&mut doc, warnings);
    phase_tags(&mut doc)?;
    let opened_enums = open_response_enums(&mut doc);
    Ok(Prepared {
        spec: doc,
        set_aside,
        opened_enums,
    })
}

/// Fail unless `doc` looks like an OpenAPI 3.x document.
pub fn check_is_openapi(doc: &Value) -> Result<()> {
    let version = doc
        .get("openapi")
        .and_then(Value::as_str)
        .context("not an OpenAPI document: no top-level `openapi` version string")?;
    if !version.starts_with("3.") {
        bail!("not an OpenAPI 3.x document: openapi is {version:?}");
    }
    if !doc.get("paths").is_some_and(Value::is_object) {
        bail!("not an OpenAPI document: no `paths` object");
    }
    Ok(())
}

/// Iterate over `(path, method, operation)` of a document, mutably.
fn for_each_operation(
    doc: &mut Value,
    mut f: impl FnMut(&str, &str, &mut Map<String, Value>) -> Result<()>,
) -> Result<()> {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for method in METHODS {
            if let Some(op) = item.get_mut(method).and_then(Value::as_object_mut) {
                f(path, method, op)?;
            }
        }
    }
    Ok(())
}

fn op_id(op: &Map<String, Value>, path: &str, method: &str) -> Result<String> {
    op.get("operationId")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .with_context(|| format!("{} {path} has no operationId", method.to_uppercase()))
}

// ---------------------------------------------------------------------------
// 1. 3.1 → 3.0
// ---------------------------------------------------------------------------

/// Down-convert an OpenAPI 3.1 document to 3.0.3, in place.
pub fn downconvert(doc: &mut Value) {
    if let Some(v) = doc.get_mut("openapi") {
        *v = json!("3.0.3");
    }
    if let Some(obj) = doc.as_object_mut() {
        obj.remove("jsonSchemaDialect");
        obj.remove("webhooks");
        // Security schemes of 3.1 only (`mutualTLS`): the generated client
        // does not read security schemes (genpro-sdk's transport sends the key).
        if let Some(schemes) = obj
            .get_mut("components")
            .and_then(|c| c.get_mut("securitySchemes"))
            .and_then(Value::as_object_mut)
        {
            schemes.retain(|_, s| {
                s.get("$ref").is_some()
                    || s.get("type").and_then(Value::as_str).is_some_and(|t| {
                        matches!(t, "apiKey" | "http" | "oauth2" | "openIdConnect")
                    })
            });
        }
        if let Some(info) = obj.get_mut("info").and_then(Value::as_object_mut) {
            info.remove("summary");
            if let Some(lic) = info.get_mut("license").and_then(Value::as_object_mut) {
                lic.remove("identifier");
            }
        }
    }
    responses_required(doc);
    walk(doc, false);
}

/// OpenAPI 3.1 makes an operation's `responses` optional; 3.0 requires
/// it (an empty map: progenitor reads any success as bytes).
fn responses_required(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for m in METHODS {
            if let Some(op) = item.get_mut(m).and_then(Value::as_object_mut) {
                op.entry("responses").or_insert_with(|| json!({}));
            }
        }
    }
}

/// Recursively rewrite every schema-like object. `in_schema` is true inside a
/// JSON Schema (where `examples` is an array, not an Example map).
fn walk(v: &mut Value, in_schema: bool) {
    match v {
        Value::Array(items) => items.iter_mut().for_each(|i| walk(i, in_schema)),
        Value::Object(obj) => {
            if in_schema {
                convert_schema_object(obj);
            }
            for (key, child) in obj.iter_mut() {
                let child_is_schema = in_schema_child(key, in_schema);
                let is_schema_map = match key.as_str() {
                    "schemas" => !in_schema,
                    "properties" | "patternProperties" | "$defs" => in_schema,
                    _ => false,
                };
                match key.as_str() {
                    _ if is_schema_map => {
                        if let Value::Object(map) = child {
                            map.values_mut().for_each(|s| walk(s, true));
                        }
                    }
                    // literal data: never rewritten
                    "example" | "examples" | "default" | "enum" | "const" | "x-examples" => {}
                    _ => walk(child, child_is_schema),
                }
            }
        }
        _ => {}
    }
}

/// Whether a child under `key` holds a schema (or list of schemas).
fn in_schema_child(key: &str, parent_in_schema: bool) -> bool {
    match key {
        "schema" => true,
        "items"
        | "additionalProperties"
        | "not"
        | "allOf"
        | "anyOf"
        | "oneOf"
        | "prefixItems"
        | "contains"
        | "if"
        | "then"
        | "else" => parent_in_schema,
        _ => false,
    }
}

fn convert_schema_object(obj: &mut Map<String, Value>) {
    // type: [X, "null"] → type: X, nullable: true
    if let Some(Value::Array(types)) = obj.get("type").cloned() {
        let non_null: Vec<Value> = types
            .iter()
            .filter(|t| t.as_str() != Some("null"))
            .cloned()
            .collect();
        if non_null.len() != types.len() {
            obj.insert("nullable".into(), json!(true));
        }
        match non_null.len() {
            0 => {
                obj.remove("type");
            }
            1 => {
                obj.insert("type".into(), non_null[0].clone());
            }
            _ => {
                obj.remove("type");
                let alts: Vec<Value> = non_null.into_iter().map(|t| json!({ "type": t })).collect();
                obj.insert("anyOf".into(), Value::Array(alts));
            }
        }
    }
    // oneOf/anyOf: [X, {type: "null"}] → X made nullable
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(alts)) = obj.get(key).cloned() {
            let is_null = |a: &Value| a.get("type").and_then(Value::as_str) == Some("null");
            if alts.iter().any(is_null) {
                let rest: Vec<Value> = alts.into_iter().filter(|a| !is_null(a)).collect();
                obj.insert("nullable".into(), json!(true));
                if rest.len() == 1 && rest[0].get("$ref").is_some() {
                    obj.remove(key);
                    obj.insert("allOf".into(), Value::Array(rest));
                } else if rest.len() == 1 {
                    obj.remove(key);
                    if let Value::Object(inner) = &rest[0] {
                        for (k, v) in inner {
                            obj.entry(k.clone()).or_insert_with(|| v.clone());
                        }
                    }
                } else {
                    obj.insert(key.into(), Value::Array(rest));
                }
            }
        }
    }
    // const: v → enum: [v]
    if let Some(c) = obj.remove("const") {
        obj.insert("enum".into(), json!([c]));
    }
    // examples: [a, ...] → example: a
    if let Some(ex) = obj.remove("examples") {
        match ex {
            Value::Array(mut items) if !items.is_empty() => {
                obj.entry("example").or_insert_with(|| items.swap_remove(0));
            }
            Value::Array(_) => {}
            other => {
                obj.insert("examples".into(), other);
            }
        }
    }
    // numeric exclusiveMinimum/Maximum → minimum + exclusiveMinimum: true
    for (excl, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(n) = obj.get(excl).filter(|v| v.is_number()).cloned() {
            obj.insert(bound.into(), n);
            obj.insert(excl.into(), json!(true));
        }
    }
    // contentEncoding/contentMediaType → 3.0 formats
    if obj.remove("contentEncoding").is_some_and(|e| e == "base64") {
        obj.insert("format".into(), json!("byte"));
    }
    if obj.remove("contentMediaType").is_some() && !obj.contains_key("format") {
        obj.insert("format".into(), json!("binary"));
    }
    for key in [
        "$schema",
        "$id",
        "$comment",
        "unevaluatedProperties",
        "dependentRequired",
        // Tolerant reading: a string `pattern` is not checked (typify
        // would check it with the `regress` crate, in answers too), and
        // formats whose Rust types refuse near-misses (`uuid`, `ip`...)
        // read as strings.
        "pattern",
        "patternProperties",
    ] {
        obj.remove(key);
    }
    if obj
        .get("format")
        .and_then(Value::as_str)
        .is_some_and(|f| matches!(f, "uuid" | "ip" | "ipv4" | "ipv6"))
    {
        obj.remove("format");
    }
    // A format means something only on a plain string, integer or number
    // (typify stops with "invalid (or unexpected) schema" on an object,
    // array, boolean or union that carries one, e.g. `format: uri-map`).
    let plain = matches!(
        obj.get("type").and_then(Value::as_str),
        Some("string" | "integer" | "number")
    ) || (obj.get("type").is_none()
        && ["minLength", "maxLength"]
            .iter()
            .any(|k| obj.contains_key(*k)));
    let composed = ["allOf", "anyOf", "oneOf", "not"]
        .iter()
        .any(|k| obj.contains_key(*k));
    let enum_not_string =
        obj.contains_key("enum") && obj.get("type").and_then(Value::as_str) != Some("string");
    if obj.contains_key("format") && (!plain || composed || enum_not_string) {
        obj.remove("format");
    }
}

// ---------------------------------------------------------------------------
// 4. x-phase → one tag
// ---------------------------------------------------------------------------

/// Replace each operation's tags with exactly its `x-phase`.
pub fn phase_tags(doc: &mut Value) -> Result<()> {
    for_each_operation(doc, |path, method, op| {
        let id = op_id(op, path, method)?;
        let phase = op
            .get("x-phase")
            .and_then(Value::as_str)
            .with_context(|| format!("{id}: no x-phase"))?
            .to_owned();
        if !PHASES.contains(&phase.as_str()) {
            bail!("{id}: x-phase {phase:?} is not one of {PHASES:?}");
        }
        op.insert("tags".into(), json!([phase]));
        Ok(())
    })
}

// ---------------------------------------------------------------------------
// 5. forward-compatible response enums
// ---------------------------------------------------------------------------

fn collect_refs(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(obj) => {
            if let Some(name) = obj
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                out.insert(name.to_owned());
            }
            obj.values().for_each(|c| collect_refs(c, out));
        }
        Value::Array(items) => items.iter().for_each(|c| collect_refs(c, out)),
        _ => {}
    }
}

/// Open every enum reachable from a response: the `enum` constraint is
/// removed (the known values move into the description). Returns the schema
/// names opened with their known values. Inline enums inside reachable
/// schemas are opened too.
pub fn open_response_enums(doc: &mut Value) -> BTreeMap<String, Vec<String>> {
    // Roots: every response schema.
    let mut roots = BTreeSet::new();
    if let Some(paths) = doc.get("paths") {
        for item in paths.as_object().into_iter().flat_map(|p| p.values()) {
            for m in METHODS {
                if let Some(resps) = item.get(m).and_then(|o| o.get("responses")) {
                    collect_refs(resps, &mut roots);
                }
            }
        }
    }
    if let Some(resps) = doc.pointer("/components/responses") {
        collect_refs(resps, &mut roots);
    }
    // Transitive closure over component schemas.
    let mut reachable = BTreeSet::new();
    let mut todo: Vec<String> = roots.into_iter().collect();
    while let Some(name) = todo.pop() {
        if !reachable.insert(name.clone()) {
            continue;
        }
        if let Some(s) = doc.pointer(&format!("/components/schemas/{name}")) {
            let mut next = BTreeSet::new();
            collect_refs(s, &mut next);
            todo.extend(next.into_iter().filter(|n| !reachable.contains(n)));
        }
    }
    let mut opened = BTreeMap::new();
    // Inline response schemas (not behind a $ref) are opened in place too.
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            for m in METHODS {
                if let Some(resps) = item.get_mut(m).and_then(|o| o.get_mut("responses")) {
                    open_enums_in(resps, &mut Vec::new());
                }
            }
        }
    }
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for name in &reachable {
            if let Some(s) = schemas.get_mut(name) {
                let mut values = Vec::new();
                open_enums_in(s, &mut values);
                if !values.is_empty() {
                    opened.insert(name.clone(), values);
                }
            }
        }
    }
    opened
}

/// The extension openapi.yaml uses for an open value list (known values,
/// others allowed): Zalando's `x-extensible-enum`.
pub const EXTENSIBLE_ENUM: &str = "x-extensible-enum";

/// Open enums inside one schema tree (not following `$ref`s). Enums that are
/// a `oneOf`/`anyOf` discriminator value (one single value) are kept: they
/// select a variant, they are not an open set.
fn open_enums_in(v: &mut Value, values: &mut Vec<String>) {
    match v {
        Value::Object(obj) => {
            // `x-extensible-enum` (an open list written in openapi.yaml) is
            // treated like an enum to open: its values are the known ones.
            let key = ["enum", EXTENSIBLE_ENUM].into_iter().find(|k| {
                obj.get(*k)
                    .and_then(Value::as_array)
                    .is_some_and(|e| e.len() > 1)
            });
            if let Some(key) = key {
                let Some(Value::Array(known)) = obj.remove(key) else {
                    unreachable!("checked above");
                };
                let known: Vec<String> = known
                    .iter()
                    .map(|k| match k {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect();
                let note = format!(
                    "Known values: {}. Other values may appear; clients must accept them.",
                    known.join(", ")
                );
                let desc = match obj.get("description").and_then(Value::as_str) {
                    Some(d) if !d.is_empty() => format!("{d}\n\n{note}"),
                    _ => note,
                };
                obj.insert("description".into(), json!(desc));
                values.extend(known);
            }
            for (k, child) in obj.iter_mut() {
                if k != "example" && k != "default" && k != EXTENSIBLE_ENUM {
                    open_enums_in(child, values);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| open_enums_in(i, values)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn schema_doc(schema: Value) -> Value {
        json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1", "summary": "s", "license": {"name": "MIT", "identifier": "MIT"}},
            "paths": {},
            "components": {"schemas": {"S": schema}}
        })
    }

    fn converted(schema: Value) -> Value {
        let mut doc = schema_doc(schema);
        downconvert(&mut doc);
        doc["components"]["schemas"]["S"].clone()
    }

    #[test]
    fn type_array_with_null_becomes_nullable() {
        assert_eq!(
            converted(json!({"type": ["string", "null"], "description": "d"})),
            json!({"type": "string", "nullable": true, "description": "d"})
        );
    }

    #[test]
    fn nested_property_type_arrays_are_converted() {
        assert_eq!(
            converted(json!({"type": "object", "properties": {
                "a": {"type": ["integer", "null"]},
                "b": {"type": "array", "items": {"type": ["number", "null"]}}
            }})),
            json!({"type": "object", "properties": {
                "a": {"type": "integer", "nullable": true},
                "b": {"type": "array", "items": {"type": "number", "nullable": true}}
            }})
        );
    }

    #[test]
    fn multi_type_array_becomes_any_of() {
        assert_eq!(
            converted(json!({"type": ["string", "integer"]})),
            json!({"anyOf": [{"type": "string"}, {"type": "integer"}]})
        );
    }

    #[test]
    fn nullable_ref_via_one_of_becomes_all_of() {
        assert_eq!(
            converted(json!({"oneOf": [{"$ref": "#/components/schemas/X"}, {"type": "null"}]})),
            json!({"allOf": [{"$ref": "#/components/schemas/X"}], "nullable": true})
        );
    }

    #[test]
    fn const_becomes_single_enum() {
        assert_eq!(
            converted(json!({"type": "string", "const": "text"})),
            json!({"type": "string", "enum": ["text"]})
        );
    }

    #[test]
    fn schema_examples_become_example() {
        assert_eq!(
            converted(json!({"type": "object", "examples": [{"id": 1}, {"id": 2}]})),
            json!({"type": "object", "example": {"id": 1}})
        );
    }

    #[test]
    fn example_values_are_not_rewritten() {
        // a property literally named "type" inside an example must stay
        assert_eq!(
            converted(json!({"type": "object", "examples": [{"type": ["a", "null"], "const": 1}]})),
            json!({"type": "object", "example": {"type": ["a", "null"], "const": 1}})
        );
    }

    #[test]
    fn media_type_examples_map_is_kept() {
        let mut doc = json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"type": ["string", "null"]},
                "examples": {"one": {"value": "x"}}
            }}}}
        }}}});
        downconvert(&mut doc);
        let mt = &doc["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"];
        assert_eq!(mt["examples"], json!({"one": {"value": "x"}}));
        assert_eq!(mt["schema"], json!({"type": "string", "nullable": true}));
    }

    #[test]
    fn numeric_exclusive_minimum_becomes_boolean() {
        assert_eq!(
            converted(json!({"type": "number", "exclusiveMinimum": 0, "maximum": 55})),
            json!({"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 55})
        );
    }

    #[test]
    fn version_and_31_only_keys() {
        let mut doc = schema_doc(json!({"type": "string"}));
        doc["jsonSchemaDialect"] = json!("x");
        doc["webhooks"] = json!({});
        downconvert(&mut doc);
        assert_eq!(doc["openapi"], json!("3.0.3"));
        assert!(doc.get("jsonSchemaDialect").is_none());
        assert!(doc.get("webhooks").is_none());
        assert!(doc["info"].get("summary").is_none());
        assert!(doc["info"]["license"].get("identifier").is_none());
    }

    #[test]
    fn patterns_and_strict_formats_are_not_checked() {
        assert_eq!(
            converted(
                json!({"type": "object", "patternProperties": {"^x": {"type": "string"}},
                "properties": {"pattern": {"type": "string", "pattern": "^a+$"}, "id": {"type": "string", "format": "uuid"},
                               "at": {"type": "string", "format": "date-time"}}})
            ),
            json!({"type": "object", "properties": {"pattern": {"type": "string"}, "id": {"type": "string"},
                   "at": {"type": "string", "format": "date-time"}}})
        );
    }

    #[test]
    fn an_operation_without_responses_gets_an_empty_map() {
        let mut doc = json!({"openapi": "3.1.0", "paths": {"/a": {"get": {"operationId": "a"}}}});
        downconvert(&mut doc);
        assert_eq!(doc["paths"]["/a"]["get"]["responses"], json!({}));
    }

    #[test]
    fn mutual_tls_security_schemes_are_dropped() {
        let mut doc = schema_doc(json!({"type": "string"}));
        doc["components"]["securitySchemes"] = json!({"m": {"type": "mutualTLS"}, "k": {"type": "apiKey", "in": "header", "name": "X"}});
        downconvert(&mut doc);
        assert_eq!(
            doc["components"]["securitySchemes"],
            json!({"k": {"type": "apiKey", "in": "header", "name": "X"}})
        );
    }

    #[test]
    fn a_format_stays_only_on_a_plain_string_integer_or_number() {
        let mut doc = json!({"openapi": "3.1.0", "components": {"schemas": {
            "Links": {"type": ["object", "null"], "format": "uri-map"},
            "Flags": {"type": "array", "format": "csv", "items": {"type": "boolean", "format": "yes-no"}},
            "Either": {"type": ["string", "integer"], "format": "int64"},
            "Level": {"type": "integer", "format": "int32", "enum": [1, 2]},
            "At": {"type": "string", "format": "date-time"},
            "Count": {"type": "integer", "format": "int32"},
            "Code": {"maxLength": 3, "format": "iso-4217"}
        }}});
        downconvert(&mut doc);
        assert_eq!(
            doc["components"]["schemas"],
            json!({
                "Links": {"type": "object", "nullable": true},
                "Flags": {"type": "array", "items": {"type": "boolean"}},
                "Either": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                "Level": {"type": "integer", "enum": [1, 2]},
                "At": {"type": "string", "format": "date-time"},
                "Count": {"type": "integer", "format": "int32"},
                "Code": {"maxLength": 3, "format": "iso-4217"}
            })
        );
    }

    #[test]
    fn binary_content_media_type_becomes_format_binary() {
        assert_eq!(
            converted(json!({"type": "string", "contentMediaType": "application/octet-stream"})),
            json!({"type": "string", "format": "binary"})
        );
    }

    fn op(id: &str, body: Value) -> Value {
        json!({"operationId": id, "x-phase": "edit", "requestBody": {"content": body},
               "responses": {"200": {"description": "ok"}}})
    }

    #[test]
    fn multipart_only_operation_is_removed_and_listed() {
        let mut doc = json!({"openapi": "3.1.0", "paths": {
            "/v1/x/import": {"post": op("import_x", json!({"multipart/form-data": {"schema": {"type": "object"}}}))},
            "/v1/y": {
                "post": op("create_y", json!({
                    "multipart/form-data": {"schema": {"type": "object"}},
                    "application/json": {"schema": {"type": "object"}}
                })),
                "get": {"operationId": "get_y", "responses": {}}
            }
        }});
        let aside = normalize::for_progenitor(&mut doc, &mut Warnings::default());
        assert_eq!(
            aside,
            vec![
                SetAside {
                    operation_id: "create_y".into(),
                    method: "POST".into(),
                    path: "/v1/y".into(),
                    phase: "edit".into(),
                    removed: vec!["multipart/form-data".into()],
                    kept: true
                },
                SetAside {
                    operation_id: "import_x".into(),
                    method: "POST".into(),
                    path: "/v1/x/import".into(),
                    phase: "edit".into(),
                    removed: vec!["multipart/form-data".into()],
                    kept: false
                },
            ]
        );
        assert!(
            doc["paths"].get("/v1/x/import").is_none(),
            "empty path item dropped"
        );
        assert_eq!(
            doc["paths"]["/v1/y"]["post"]["requestBody"]["content"],
            json!({"application/json": {"schema": {"type": "object"}}})
        );
        assert!(doc["paths"]["/v1/y"].get("get").is_some());
    }

    fn responses_doc(responses: Value) -> Value {
        json!({"openapi": "3.0.3", "paths": {"/a": {"patch": {"operationId": "a", "x-phase": "setup", "responses": responses}}},
               "components": {"responses": {"Err": {"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}},
                              "schemas": {"Error": {"type": "object"}, "R": {"type": "object"}}}})
    }

    #[test]
    fn success_and_error_sets_collapse_to_ranges() {
        let ok = json!({"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/R"}}}});
        let mut doc = responses_doc(json!({
            "200": ok.clone(), "207": ok,
            "401": {"$ref": "#/components/responses/Err"},
            "422": {"$ref": "#/components/responses/Err"}
        }));
        let mut w = Warnings::default();
        normalize::for_progenitor(&mut doc, &mut w);
        assert!(w.is_empty(), "{w:?}");
        let r = &doc["paths"]["/a"]["patch"]["responses"];
        assert_eq!(
            r.as_object().unwrap().keys().collect::<Vec<_>>(),
            vec!["2XX", "4XX", "5XX"]
        );
        assert_eq!(r["2XX"]["description"], json!("ok (status 200, 207)"));
        assert_eq!(
            r["4XX"]["content"]["application/json"]["schema"],
            json!({"$ref": "#/components/schemas/Error"})
        );
        assert_eq!(r["4XX"], r["5XX"]);
    }

    #[test]
    fn tags_are_replaced_by_phase() {
        let mut doc = json!({"paths": {"/a": {"get": {"operationId": "a", "x-phase": "ideas", "tags": ["x", "y"], "responses": {}}}}});
        phase_tags(&mut doc).unwrap();
        assert_eq!(doc["paths"]["/a"]["get"]["tags"], json!(["ideas"]));
    }

    #[test]
    fn missing_or_invalid_phase_is_an_error() {
        let mut doc = json!({"paths": {"/a": {"get": {"operationId": "a", "x-phase": "render", "responses": {}}}}});
        assert!(
            phase_tags(&mut doc)
                .unwrap_err()
                .to_string()
                .contains("\"render\"")
        );
        let mut doc = json!({"paths": {"/a": {"get": {"operationId": "a", "responses": {}}}}});
        assert_eq!(
            phase_tags(&mut doc).unwrap_err().to_string(),
            "a: no x-phase"
        );
    }

    #[test]
    fn response_enums_open_request_enums_stay() {
        let mut doc = json!({"paths": {"/g": {
            "get": {"operationId": "g", "responses": {"2XX": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Gen"}}}}}},
            "post": {"operationId": "p", "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Req"}}}}, "responses": {}}
        }}, "components": {"schemas": {
            "Gen": {"type": "object", "properties": {"status": {"$ref": "#/components/schemas/Status"}, "kind": {"type": "string", "enum": ["a", "b"]}}},
            "Status": {"type": "string", "enum": ["pending", "completed"], "description": "Status."},
            "Req": {"type": "object", "properties": {"model": {"$ref": "#/components/schemas/Model"}, "t": {"type": "string", "enum": ["text"]}}},
            "Model": {"type": "string", "enum": ["veo_3", "sora_2"]}
        }}});
        let opened = open_response_enums(&mut doc);
        let s = &doc["components"]["schemas"];
        assert!(s["Status"].get("enum").is_none());
        assert_eq!(
            s["Status"]["description"],
            json!(
                "Status.\n\nKnown values: pending, completed. Other values may appear; clients must accept them."
            )
        );
        assert!(s["Gen"]["properties"]["kind"].get("enum").is_none());
        assert_eq!(
            s["Model"]["enum"],
            json!(["veo_3", "sora_2"]),
            "request-only enum kept"
        );
        assert_eq!(s["Req"]["properties"]["t"]["enum"], json!(["text"]));
        assert_eq!(opened.keys().collect::<Vec<_>>(), vec!["Gen", "Status"]);
    }

    #[test]
    fn extensible_enums_are_opened_with_their_known_values() {
        let mut doc = json!({"paths": {"/g": {
            "get": {"operationId": "g", "responses": {"2XX": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}}}}
        }}, "components": {"schemas": {
            "Status": {"type": "string", "x-extensible-enum": ["pending", "completed"], "description": "Status."}
        }}});
        let opened = open_response_enums(&mut doc);
        let s = &doc["components"]["schemas"]["Status"];
        assert!(s.get(EXTENSIBLE_ENUM).is_none());
        assert_eq!(s["type"], json!("string"));
        assert_eq!(
            s["description"],
            json!(
                "Status.\n\nKnown values: pending, completed. Other values may appear; clients must accept them."
            )
        );
        assert_eq!(
            opened.get("Status"),
            Some(&vec!["pending".to_owned(), "completed".to_owned()])
        );
    }

    #[test]
    fn not_openapi_is_rejected() {
        assert!(
            check_is_openapi(&json!({"swagger": "2.0"}))
                .unwrap_err()
                .to_string()
                .contains("not an OpenAPI document")
        );
        assert!(check_is_openapi(&json!({"openapi": "2.0", "paths": {}})).is_err());
        assert!(check_is_openapi(&json!({"openapi": "3.1.0", "paths": {}})).is_ok());
    }
}
