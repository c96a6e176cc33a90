//! No guess can fail an answer (issue 19).
//!
//! `spec/answer_fields.tsv` (written by `cargo xtask generate` from
//! openapi.yaml and the seed fixtures) lists every answer field and what
//! pins it; a field nothing pins is a guess. For every JSON answer type of
//! openapi.yaml, an answer with every property is synthesised; then each
//! guessed field in it is, in turn, replaced by a value of every other
//! JSON type (an integer, a string, `null`, an object, a list, a boolean)
//! or removed. Every such answer must decode through the generated type,
//! and every other field must come out exactly as from the unmutated
//! answer. Unknown fields added to every object change nothing either.
//!
//! Exhaustive, not sampled: every type, every guessed field, every
//! mutation. It fails as soon as a guessed field is read strictly (made
//! `required`, or its lenient reader removed).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

include!("generated/response_types.rs");

mod answers_common;
use answers_common::{answer_types, openapi};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// The guessed fields of `spec/answer_fields.tsv`.
fn guessed() -> BTreeSet<String> {
    let text = std::fs::read_to_string(format!("{ROOT}/spec/answer_fields.tsv"))
        .expect("spec/answer_fields.tsv (cargo xtask generate)");
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            (cols.len() == 5 && cols[4].is_empty()).then(|| cols[0].to_owned())
        })
        .collect()
}

/// Decodes `v` as the response type `name` (a list of it when `array`)
/// and encodes it again.
fn round_trip(name: &str, array: bool, v: &Value) -> Option<Result<Value, String>> {
    macro_rules! decoders {
        ($(($schema:literal, $t:path)),* $(,)?) => {
            match name {
                $($schema => Some(if array {
                    serde_json::from_value::<Vec<$t>>(v.clone())
                        .map(|t| serde_json::to_value(t).unwrap())
                } else {
                    serde_json::from_value::<$t>(v.clone())
                        .map(|t| serde_json::to_value(t).unwrap())
                }.map_err(|e| e.to_string())),)*
                _ => None,
            }
        };
    }
    response_types!(decoders)
}

/// A JSON pointer segment.
fn seg(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// An answer for `schema` with every property, recording the pointer of
/// every field under its answer_fields.tsv name (`owner` names inline
/// schemas, as xtask/src/pinned.rs does).
fn synthesise(
    spec: &Value,
    schema: &Value,
    owner: &str,
    at: &str,
    fields: &mut Vec<(String, String)>,
    depth: usize,
) -> Value {
    if depth > 10 {
        return Value::Null;
    }
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap();
        return synthesise(
            spec,
            &spec["components"]["schemas"][name],
            name,
            at,
            fields,
            depth + 1,
        );
    }
    if let Some(c) = schema.get("const") {
        return c.clone();
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array) {
        return e
            .iter()
            .find(|v| !v.is_null())
            .cloned()
            .unwrap_or(Value::Null);
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        let mut merged = Map::new();
        for part in all {
            if let Value::Object(m) = synthesise(spec, part, owner, at, fields, depth + 1) {
                merged.extend(m);
            }
        }
        return Value::Object(merged);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(first) = schema
            .get(key)
            .and_then(Value::as_array)
            .and_then(|a| a.first())
        {
            return synthesise(spec, first, owner, at, fields, depth + 1);
        }
    }
    let ty = match &schema["type"] {
        Value::String(t) => t.as_str(),
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null"),
        _ if schema.get("properties").is_some() => "object",
        _ => "string",
    };
    match ty {
        "object" => {
            let mut m = Map::new();
            if let Some(props) = schema["properties"].as_object() {
                for (name, prop) in props {
                    let field = format!("{owner}.{name}");
                    let ptr = format!("{at}/{}", seg(name));
                    fields.push((field.clone(), ptr.clone()));
                    m.insert(
                        name.clone(),
                        synthesise(spec, prop, &field, &ptr, fields, depth + 1),
                    );
                }
            }
            Value::Object(m)
        }
        "array" => Value::Array(vec![synthesise(
            spec,
            &schema["items"],
            &format!("{owner}[]"),
            &format!("{at}/0"),
            fields,
            depth + 1,
        )]),
        "integer" => json!(schema["minimum"].as_i64().unwrap_or(3).max(3)),
        "number" => json!(schema["minimum"].as_f64().unwrap_or(2.5).max(2.5)),
        "boolean" => json!(true),
        "null" => Value::Null,
        _ => Value::String(
            match schema["format"].as_str() {
                Some("date-time") => "2026-04-20T15:00:00Z",
                Some("date") => "2026-04-20",
                Some("uri") => "https://cdn.gen.pro/outputs/abc123.mp4",
                _ => "text",
            }
            .to_owned(),
        ),
    }
}

/// `v` without the node at `ptr` (an object member).
fn without(v: &Value, ptr: &str) -> Value {
    let mut v = v.clone();
    if let Some((parent, key)) = ptr.rsplit_once('/') {
        let key = key.replace("~1", "/").replace("~0", "~");
        if let Some(Value::Object(m)) = v.pointer_mut(parent) {
            m.remove(&key);
        }
    }
    v
}

/// Adds `"x_unknown_field": {...}` to every object of `v`.
fn with_unknown_fields(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.values_mut().for_each(with_unknown_fields);
            m.insert("x_unknown_field".into(), json!({"n": 1, "s": ["a"]}));
        }
        Value::Array(a) => a.iter_mut().for_each(with_unknown_fields),
        _ => {}
    }
}

/// `v` without the fields [`with_unknown_fields`] adds (and without a
/// free-form object that held nothing else: an empty one is not sent).
fn strip_unknown(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.remove("x_unknown_field");
            m.values_mut().for_each(strip_unknown);
            m.retain(|_, child| !matches!(child, Value::Object(c) if c.is_empty()));
        }
        Value::Array(a) => a.iter_mut().for_each(strip_unknown),
        _ => {}
    }
}

const REMOVE: &str = "(removed)";

fn mutations() -> Vec<(&'static str, Option<Value>)> {
    vec![
        ("an integer", Some(json!(7))),
        ("a string", Some(json!("mutated"))),
        ("a decimal string", Some(json!("12"))),
        ("null", Some(Value::Null)),
        ("an object", Some(json!({"k": 1}))),
        ("a list", Some(json!([1, "a"]))),
        ("a boolean", Some(json!(false))),
        (REMOVE, None),
    ]
}

#[test]
fn no_guessed_field_of_any_other_type_or_missing_fails_an_answer() {
    let spec = openapi();
    let guessed = guessed();
    assert!(guessed.len() > 50, "{} guessed fields", guessed.len());
    let mut failures = Vec::new();
    let mut checked = 0usize;
    let mut covered: BTreeSet<String> = BTreeSet::new();
    let mut per_type: BTreeMap<String, usize> = BTreeMap::new();
    // An answer that is one of several shapes (a bare list or a wrapper)
    // is tried in each.
    let roots = answer_types(&spec).into_iter().flat_map(|(name, array)| {
        let schema = &spec["components"]["schemas"][&name];
        let alternatives: Vec<Value> = ["oneOf", "anyOf"]
            .iter()
            .filter_map(|k| schema.get(*k).and_then(Value::as_array))
            .flatten()
            .cloned()
            .collect();
        let roots = if alternatives.is_empty() {
            vec![json!({"$ref": format!("#/components/schemas/{name}")})]
        } else {
            alternatives
        };
        roots
            .into_iter()
            .map(move |root| (name.clone(), array, root))
    });
    for (name, array, root) in roots.collect::<Vec<_>>() {
        let mut fields = Vec::new();
        let one = synthesise(
            &spec,
            &root,
            &name,
            if array { "/0" } else { "" },
            &mut fields,
            0,
        );
        let base = if array { json!([one]) } else { one };
        let Some(decoded) = round_trip(&name, array, &base) else {
            failures.push(format!("{name}: no decoder"));
            continue;
        };
        let base_out = match decoded {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!(
                    "{name}: the synthesised answer does not decode: {e}"
                ));
                continue;
            }
        };
        // Unknown fields everywhere change nothing.
        let mut unknown = base.clone();
        with_unknown_fields(&mut unknown);
        // A free-form object (`data`, maps) keeps them; typed ones drop them.
        match round_trip(&name, array, &unknown).unwrap().map(|mut out| {
            strip_unknown(&mut out);
            out
        }) {
            Ok(out)
                if out == {
                    let mut b = base_out.clone();
                    strip_unknown(&mut b);
                    b
                } => {}
            Ok(out) => failures.push(format!("{name}: unknown fields changed it: {out}")),
            Err(e) => failures.push(format!("{name}: unknown fields fail it: {e}")),
        }
        for (field, ptr) in fields.iter().filter(|(f, _)| guessed.contains(f)) {
            if base.pointer(ptr).is_none() {
                continue;
            }
            covered.insert(field.clone());
            for (what, replacement) in mutations() {
                let mutated = match &replacement {
                    Some(r) => {
                        let mut m = base.clone();
                        *m.pointer_mut(ptr).unwrap() = r.clone();
                        m
                    }
                    None => without(&base, ptr),
                };
                checked += 1;
                *per_type.entry(name.clone()).or_default() += 1;
                match round_trip(&name, array, &mutated).unwrap() {
                    Ok(out) => {
                        if without(&out, ptr) != without(&base_out, ptr) {
                            failures
                                .push(format!("{name}: {field} as {what} changed other fields"));
                        }
                    }
                    Err(e) => failures.push(format!("{name}: {field} as {what}: {e}")),
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} mutated answers failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Every answer type was reached, and most guessed fields.
    assert!(checked > 500, "{checked} mutated answers");
    assert!(
        covered.len() * 10 >= guessed.len() * 7,
        "only {} of {} guessed fields reached: {:?}",
        covered.len(),
        guessed.len(),
        guessed.difference(&covered).collect::<Vec<_>>()
    );
    eprintln!(
        "{checked} mutated answers over {} answer types; {} of {} guessed fields reached; not reached: {:?}",
        per_type.len(),
        covered.len(),
        guessed.len(),
        guessed.difference(&covered).collect::<Vec<_>>()
    );
}
