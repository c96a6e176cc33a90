//! The hand-written request types (creation cards, Agent Core patch) and
//! openapi.yaml cannot drift apart: their JSON Schemas (schemars) are
//! compared with the spec's, property by property, and every mismatch is
//! reported at once.

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
    let rust = &rust_root;
    let spec_schema = resolve(spec, &spec["components"]["schemas"][spec_name]);
    let rust_name = std::any::type_name::<T>().rsplit("::").next().unwrap();
    let props = |root: &Value, s: &Value| -> BTreeMap<String, Value> {
        resolve(root, s)
            .get("properties")
            .and_then(Value::as_object)
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    };
    let (rp, sp) = (props(rust, rust), props(spec, spec_schema));
    if sp.is_empty() {
        problems.push(format!(
            "{spec_name}: not found in openapi.yaml or has no properties"
        ));
        return;
    }
    for name in sp.keys().filter(|k| !rp.contains_key(*k)) {
        problems.push(format!("{rust_name}: lacks `{name}` of {spec_name}"));
    }
    for name in rp.keys().filter(|k| !sp.contains_key(*k)) {
        problems.push(format!(
            "{rust_name}: has `{name}`, which {spec_name} does not define"
        ));
    }
    let (rr, sr) = (required(resolve(rust, rust)), required(spec_schema));
    if rr != sr {
        problems.push(format!(
            "{rust_name} requires {rr:?} but {spec_name} requires {sr:?}"
        ));
    }
    for (name, rs) in &rp {
        let Some(ss) = sp.get(name) else { continue };
        let (rk, sk) = (kinds(rust, rs), kinds(spec, ss));
        if !rk.is_empty() && !sk.is_empty() && rk.is_disjoint(&sk) {
            problems.push(format!(
                "{rust_name}.{name} is {rk:?} but {spec_name}.{name} is {sk:?}"
            ));
        }
        if let (Some(known), Some(listed)) = (
            listed_values(rust, rs, "x-known-values"),
            listed_values(spec, ss, "enum"),
        ) {
            // Every value the spec lists must be a known Rust value. Rust may
            // know more only where one shared type serves several cards and
            // `validate()` narrows it per card (checked below).
            let narrowed = SHARED_AND_NARROWED.contains(&name.as_str());
            if !listed.is_subset(&known) || (!narrowed && known != listed) {
                problems.push(format!(
                    "{rust_name}.{name}: values only in Rust {:?}, only in openapi.yaml {:?}",
                    known.difference(&listed).collect::<Vec<_>>(),
                    listed.difference(&known).collect::<Vec<_>>()
                ));
            }
        }
    }
}

/// Properties whose Rust type is shared by several cards (one
/// `AspectRatio`) and narrowed per card by `Card::validate`.
const SHARED_AND_NARROWED: &[&str] = &["aspect_ratio"];

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
