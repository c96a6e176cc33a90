//! The hand-written request types (creation card data structs, Agent Core
//! patch) and openapi.yaml cannot drift apart: their JSON Schemas (schemars)
//! are compared with the spec's, property by property, and every mismatch is
//! reported at once. Their value lists (models, aspect ratios, voice
//! methods) are gen-api's open enums, generated from the spec; the check
//! still catches a field typed with the wrong list. Runs with the
//! `schemars` feature (`required-features` in Cargo.toml; gen-mcp turns it
//! on, so `cargo test --workspace` runs it).

use std::collections::{BTreeMap, BTreeSet};

use gen_sdk::agent_core::AgentCorePatch;
use gen_sdk::cards::*;
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

/// The object-with-properties a schema describes, directly, as array items
/// or as one branch of `anyOf`/`oneOf`/`allOf` (the `AiText` of a
/// `TextInput`, the object of an `Option<_>`).
fn object_part<'a>(root: &'a Value, schema: &'a Value) -> Option<&'a Value> {
    let s = resolve(root, schema);
    if s.get("properties").is_some_and(Value::is_object) {
        return Some(s);
    }
    if let Some(items) = s.get("items") {
        return object_part(root, items);
    }
    ["anyOf", "oneOf", "allOf"]
        .iter()
        .flat_map(|k| s.get(*k).and_then(Value::as_array).into_iter().flatten())
        .find_map(|alt| object_part(root, alt))
}

/// The two documents compared: the Rust schema (`$defs`) and openapi.yaml
/// (`components.schemas`), each resolving its own `$ref`s.
struct Sides<'a> {
    rust: &'a Value,
    spec: &'a Value,
}

impl Sides<'_> {
    /// Compare two object schemas, `(path, schema)` on each side; recurses
    /// into properties that are objects on both sides.
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
                    // The enums are generated from openapi.yaml (gen-api's
                    // open_enums), so equal lists mean the field has the
                    // enum of the schema it references; a difference is a
                    // field typed with another list (or a stale gen-api).
                    // One shared type may serve several cards where
                    // `validate()` narrows it per card (checked by its own
                    // test).
                    let narrowed = SHARED_AND_NARROWED.contains(&name.as_str());
                    let only_rust: Vec<_> = known.difference(&listed).collect();
                    let only_spec: Vec<_> = listed.difference(&known).collect();
                    if !only_spec.is_empty() || (!narrowed && !only_rust.is_empty()) {
                        problems.push(format!(
                            "{rust_prop}: values only in Rust {only_rust:?}, only in openapi.yaml {only_spec:?}"
                        ));
                    }
                }
                // integer enums (durations) are checked by
                // `validation_constants_match_openapi_yaml`
                (None, Some(listed)) if sk.contains("string") => problems.push(format!(
                    "{rust_prop} is an untyped string but {spec_prop} is an enum {listed:?}: use an open enum"
                )),
                _ => {}
            }
            if let (Some(ro), Some(so)) = (object_part(rust, rs), object_part(spec, ss)) {
                self.compare_object((&rust_prop, ro), (&spec_prop, so), problems);
            }
        }
    }
}

/// Properties whose Rust type is shared by several cards (one
/// `AspectRatio`) and narrowed per card by `Card::validate`.
const SHARED_AND_NARROWED: &[&str] = &["aspect_ratio"];

/// The spec's `enum` of a card property, as strings.
fn spec_enum(spec: &Value, card: &str, property: &str) -> BTreeSet<String> {
    let schema = &spec["components"]["schemas"][card]["properties"][property];
    listed_values(spec, schema, "enum")
        .unwrap_or_else(|| panic!("{card}.{property} lists no values in openapi.yaml"))
}

#[test]
fn validation_constants_match_openapi_yaml() {
    // The per-card lists `Card::validate` enforces, where the Rust type is
    // wider (one `AspectRatio`, a `u32` duration).
    let spec = spec();
    let strings = |values: &[&str]| values.iter().map(|v| v.to_string()).collect();
    let numbers = |values: &[u32]| values.iter().map(|v| v.to_string()).collect();
    let checks: [(&str, &str, BTreeSet<String>); 7] = [
        (
            "ImageFromTextCardData",
            "aspect_ratio",
            strings(IMAGE_FROM_TEXT_ASPECT_RATIOS),
        ),
        (
            "VideoFromTextCardData",
            "aspect_ratio",
            strings(VIDEO_FROM_TEXT_ASPECT_RATIOS),
        ),
        (
            "VideoFromImageCardData",
            "aspect_ratio",
            strings(VIDEO_FROM_TEXT_ASPECT_RATIOS),
        ),
        (
            "VideoFromIngredientsCardData",
            "aspect_ratio",
            strings(VIDEO_FROM_TEXT_ASPECT_RATIOS),
        ),
        (
            "VideoFromTextCardData",
            "duration",
            numbers(VIDEO_FROM_TEXT_DURATIONS),
        ),
        (
            "VideoFromImageCardData",
            "duration",
            numbers(VIDEO_FROM_TEXT_DURATIONS),
        ),
        (
            "VideoFromIngredientsCardData",
            "duration",
            numbers(VIDEO_FROM_TEXT_DURATIONS),
        ),
    ];
    let problems: Vec<String> = checks
        .into_iter()
        .filter_map(|(card, property, rust)| {
            let listed = spec_enum(&spec, card, property);
            (listed != rust).then(|| {
                format!(
                    "{card}.{property}: gen-sdk validates {rust:?}, openapi.yaml lists {listed:?}"
                )
            })
        })
        .collect();
    assert!(
        problems.is_empty(),
        "gen-sdk and openapi.yaml disagree:\n- {}",
        problems.join("\n- ")
    );
}

#[test]
fn video_cards_refuse_the_image_only_aspect_ratios() {
    let cards = [
        Card::from(
            VideoFromTextCard::new("p", VideoFromTextModel::Kling16)
                .aspect_ratio(AspectRatio::Ratio4x3),
        ),
        Card::from(
            VideoFromImageCard::new(1, VideoFromImageModel::Kling26)
                .aspect_ratio(AspectRatio::Ratio3x4),
        ),
        Card::from(
            VideoFromIngredientsCard::new("p", VideoFromIngredientsModel::Pika, vec![1])
                .aspect_ratio(AspectRatio::Ratio4x3),
        ),
    ];
    for card in cards {
        let err = card.validate().unwrap_err();
        assert!(
            err.to_string().contains("data.aspect_ratio"),
            "{}: {err}",
            card.generation_type()
        );
    }
}

#[test]
fn hand_written_request_types_match_openapi_yaml() {
    let spec = spec();
    let mut problems = Vec::new();
    compare::<TextCard>(&spec, "TextCardData", &mut problems);
    compare::<MediaCard>(&spec, "MediaCardData", &mut problems);
    compare::<ImageFromTextCard>(&spec, "ImageFromTextCardData", &mut problems);
    compare::<VideoFromTextCard>(&spec, "VideoFromTextCardData", &mut problems);
    compare::<VideoFromImageCard>(&spec, "VideoFromImageCardData", &mut problems);
    compare::<VideoFromIngredientsCard>(&spec, "VideoFromIngredientsCardData", &mut problems);
    compare::<SpeechFromTextCard>(&spec, "SpeechFromTextCardData", &mut problems);
    compare::<LipsyncCard>(&spec, "LipsyncCardData", &mut problems);
    compare::<CaptionsCard>(&spec, "CaptionsCardData", &mut problems);
    compare::<AgentCorePatch>(&spec, "AgentCoreUpdate", &mut problems);
    assert!(
        problems.is_empty(),
        "gen-sdk and openapi.yaml disagree:\n- {}",
        problems.join("\n- ")
    );
}

#[test]
fn the_comparison_catches_a_drift() {
    // a spec where the text card lost `model` and gained `temperature`
    let mut spec = spec();
    let props = spec["components"]["schemas"]["TextCardData"]["properties"]
        .as_object_mut()
        .unwrap();
    props.remove("model");
    props.insert("temperature".into(), serde_json::json!({"type": "number"}));
    let mut problems = Vec::new();
    compare::<TextCard>(&spec, "TextCardData", &mut problems);
    assert!(
        problems.iter().any(|p| p.contains("has `model`")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("lacks `temperature`")),
        "{problems:?}"
    );
}

#[test]
fn the_comparison_reaches_nested_objects_and_enums() {
    // a spec where AI text knows a third model (gen-api was not regenerated),
    // a lipsync model was renamed,
    // the captions card's resource id became a string and its model optional
    let mut spec = spec();
    let schemas = &mut spec["components"]["schemas"];
    resolve_mut(schemas, "AiText", "model").push("claude".into());
    let lipsync_models = resolve_mut(schemas, "LipsyncCardData", "model");
    let renamed = lipsync_models.iter_mut().find(|v| *v == "sync_so").unwrap();
    *renamed = "sync_so_v2".into();
    schemas["CaptionsCardData"]["properties"]["source_resource_id"] =
        serde_json::json!({"type": "string"});
    schemas["CaptionsCardData"]["required"] = serde_json::json!(["source_resource_id"]);

    let mut problems = Vec::new();
    compare::<TextCard>(&spec, "TextCardData", &mut problems);
    compare::<LipsyncCard>(&spec, "LipsyncCardData", &mut problems);
    compare::<CaptionsCard>(&spec, "CaptionsCardData", &mut problems);
    let expected = [
        r#"TextCard.prompt.model: values only in Rust [], only in openapi.yaml ["claude"]"#,
        r#"LipsyncCard.model: values only in Rust ["sync_so"], only in openapi.yaml ["sync_so_v2"]"#,
        r#"CaptionsCard.source_resource_id is {"integer", "number"} but CaptionsCardData.source_resource_id is {"string"}"#,
        r#"CaptionsCard requires {"model", "source_resource_id"} but CaptionsCardData requires {"source_resource_id"}"#,
    ];
    for message in expected {
        assert!(
            problems.iter().any(|p| p == message),
            "{message}\nnot in {problems:#?}"
        );
    }
    assert_eq!(problems.len(), expected.len(), "{problems:#?}");
}

/// The `enum` array of `<card>.properties.<property>`, through one `$ref`.
fn resolve_mut<'a>(schemas: &'a mut Value, card: &str, property: &str) -> &'a mut Vec<Value> {
    let target = schemas[card]["properties"][property]["$ref"]
        .as_str()
        .map(|r| r.rsplit('/').next().unwrap().to_owned());
    match target {
        Some(name) => schemas[name.as_str()]["enum"].as_array_mut().unwrap(),
        None => schemas[card]["properties"][property]["enum"]
            .as_array_mut()
            .unwrap(),
    }
}
