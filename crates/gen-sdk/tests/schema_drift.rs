//! The hand-written request type that remains, the Agent Core patch
//! ([`AgentCorePatch`]), and openapi.yaml's `AgentCoreUpdate` cannot drift
//! apart: their JSON Schemas (schemars) are compared property by property,
//! and every mismatch is reported at once. The creation card data structs
//! are not compared: they wrap genpro-api's types generated from the spec
//! (`genpro_sdk::cards`), so there is nothing left to drift (the per-card
//! value lists `Card::validate` enforces are checked in `tests/cards.rs`).
//! Runs with the `schemars` feature (`required-features` in Cargo.toml;
//! genpro-mcp turns it on, so `cargo test --workspace` runs it).

use std::collections::{BTreeMap, BTreeSet};

use genpro_sdk::agent_core::AgentCorePatch;
use schemars::JsonSchema;
use serde_json::Value;

fn spec() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi.yaml"))
        .expect("openapi.yaml");
    serde_yaml::from_str(&text).expect("openapi.yaml parses")
}

/// Follow `$ref`s (`#/components/schemas/X` or `#/$defs/X`) within `root`.
fn resolve<'a>(root: &'a Value, mut schema: &'a Value) -> &'a Value {
    while let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let pointer = r.trim_start_matches('#');
        schema = root.pointer(pointer).unwrap_or(&Value::Null);
    }
    schema
}

/// The JSON types a schema admits (`null` left out), through refs, type
/// arrays, anyOf/oneOf/allOf and enums.
fn kinds(root: &Value, schema: &Value) -> BTreeSet<String> {
    let s = resolve(root, schema);
    let mut out = BTreeSet::new();
    match s.get("type") {
        Some(Value::String(t)) => {
            out.insert(t.clone());
        }
        Some(Value::Array(ts)) => {
            out.extend(ts.iter().filter_map(Value::as_str).map(str::to_owned))
        }
        _ => {}
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        for alt in s.get(key).and_then(Value::as_array).into_iter().flatten() {
            out.extend(kinds(root, alt));
        }
    }
    if out.is_empty() {
        let values = s
            .get("enum")
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        out.extend(values.map(|v| {
            match v {
                Value::String(_) => "string",
                Value::Number(n) if n.is_i64() => "integer",
                Value::Number(_) => "number",
                Value::Bool(_) => "boolean",
                _ => "object",
            }
            .to_owned()
        }));
    }
    out.remove("null");
    // an integer is a number
    if out.contains("integer") {
        out.insert("number".to_owned());
    }
    out
}

/// String values listed by a schema (spec `enum`, Rust `x-known-values`).
fn listed_values(root: &Value, schema: &Value, key: &str) -> Option<BTreeSet<String>> {
    let s = resolve(root, schema);
    if let Some(values) = s.get(key).and_then(Value::as_array) {
        return Some(
            values
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| v.to_string())
                })
                .collect(),
        );
    }
    for k in ["anyOf", "oneOf", "allOf"] {
        for alt in s.get(k).and_then(Value::as_array).into_iter().flatten() {
            if let Some(found) = listed_values(root, alt, key) {
                return Some(found);
            }
        }
    }
    None
}

fn required(schema: &Value) -> BTreeSet<String> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

/// Compare the Rust type `T` with `components.schemas.<spec_name>`.
fn compare<T: JsonSchema>(spec: &Value, spec_name: &str, problems: &mut Vec<String>) {
    let rust_root = serde_json::to_value(schemars::schema_for!(T)).unwrap();
    let spec_schema = &spec["components"]["schemas"][spec_name];
    let rust_name = std::any::type_name::<T>().rsplit("::").next().unwrap();
    if properties(spec, spec_schema).is_empty() {
        problems.push(format!(
            "{spec_name}: not found in openapi.yaml or has no properties"
        ));
        return;
    }
    let sides = Sides {
        rust: &rust_root,
        spec,
    };
    sides.compare_object((rust_name, &rust_root), (spec_name, spec_schema), problems);
}

/// The properties of an object schema (through `$ref`s).
fn properties(root: &Value, schema: &Value) -> BTreeMap<String, Value> {
    resolve(root, schema)
        .get("properties")
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

/// The two documents compared: the Rust schema (`$defs`) and openapi.yaml
/// (`components.schemas`), each resolving its own `$ref`s.
struct Sides<'a> {
    rust: &'a Value,
    spec: &'a Value,
}

impl Sides<'_> {
    /// Compare two object schemas, `(path, schema)` on each side.
    fn compare_object(
        &self,
        (rust_path, rust_schema): (&str, &Value),
        (spec_path, spec_schema): (&str, &Value),
        problems: &mut Vec<String>,
    ) {
        let (rust, spec) = (self.rust, self.spec);
        let (rp, sp) = (properties(rust, rust_schema), properties(spec, spec_schema));
        for name in sp.keys().filter(|k| !rp.contains_key(*k)) {
            problems.push(format!("{rust_path}: lacks `{name}` of {spec_path}"));
        }
        for name in rp.keys().filter(|k| !sp.contains_key(*k)) {
            problems.push(format!(
                "{rust_path}: has `{name}`, which {spec_path} does not define"
            ));
        }
        let (rr, sr) = (
            required(resolve(rust, rust_schema)),
            required(resolve(spec, spec_schema)),
        );
        if rr != sr {
            problems.push(format!(
                "{rust_path} requires {rr:?} but {spec_path} requires {sr:?}"
            ));
        }
        for (name, rs) in &rp {
            let Some(ss) = sp.get(name) else { continue };
            let (rust_prop, spec_prop) =
                (format!("{rust_path}.{name}"), format!("{spec_path}.{name}"));
            let (rk, sk) = (kinds(rust, rs), kinds(spec, ss));
            if !rk.is_empty() && !sk.is_empty() && rk.is_disjoint(&sk) {
                problems.push(format!("{rust_prop} is {rk:?} but {spec_prop} is {sk:?}"));
            }
            match (
                listed_values(rust, rs, "x-known-values"),
                listed_values(spec, ss, "enum"),
            ) {
                (Some(known), Some(listed)) => {
                    // The enums are generated from openapi.yaml (genpro-api's
                    // open_enums), so equal lists mean the field has the
                    // enum of the schema it references; a difference is a
                    // field typed with another list (or a stale genpro-api).
                    let only_rust: Vec<_> = known.difference(&listed).collect();
                    let only_spec: Vec<_> = listed.difference(&known).collect();
                    if !only_spec.is_empty() || !only_rust.is_empty() {
                        problems.push(format!(
                            "{rust_prop}: values only in Rust {only_rust:?}, only in openapi.yaml {only_spec:?}"
                        ));
                    }
                }
                // integer enums are not compared
                (None, Some(listed)) if sk.contains("string") => problems.push(format!(
                    "{rust_prop} is an untyped string but {spec_prop} is an enum {listed:?}: use an open enum"
                )),
                _ => {}
            }
        }
    }
}

#[test]
fn the_agent_core_patch_matches_openapi_yaml() {
    let spec = spec();
    let mut problems = Vec::new();
    compare::<AgentCorePatch>(&spec, "AgentCoreUpdate", &mut problems);
    assert!(
        problems.is_empty(),
        "genpro-sdk and openapi.yaml disagree:\n- {}",
        problems.join("\n- ")
    );
}

#[test]
fn the_comparison_catches_a_drift() {
    // a spec where the Agent Core lost `brand_name`, gained `temperature`,
    // `shortform` became a string, `goal` an enum and `keywords` required
    let mut spec = spec();
    let core = &mut spec["components"]["schemas"]["AgentCoreUpdate"];
    let props = core["properties"].as_object_mut().unwrap();
    props.remove("brand_name");
    props.insert("temperature".into(), serde_json::json!({"type": "number"}));
    props.insert("shortform".into(), serde_json::json!({"type": "string"}));
    props.insert(
        "goal".into(),
        serde_json::json!({"type": "string", "enum": ["growth", "sales"]}),
    );
    core["required"] = serde_json::json!(["keywords"]);
    let mut problems = Vec::new();
    compare::<AgentCorePatch>(&spec, "AgentCoreUpdate", &mut problems);
    let expected = [
        "AgentCorePatch: has `brand_name`, which AgentCoreUpdate does not define",
        "AgentCorePatch: lacks `temperature` of AgentCoreUpdate",
        r#"AgentCorePatch requires {} but AgentCoreUpdate requires {"keywords"}"#,
        r#"AgentCorePatch.shortform is {"boolean"} but AgentCoreUpdate.shortform is {"string"}"#,
        r#"AgentCorePatch.goal is an untyped string but AgentCoreUpdate.goal is an enum {"growth", "sales"}: use an open enum"#,
    ];
    for message in expected {
        assert!(
            problems.iter().any(|p| p == message),
            "{message}\nnot in {problems:#?}"
        );
    }
    assert_eq!(problems.len(), expected.len(), "{problems:#?}");
}
