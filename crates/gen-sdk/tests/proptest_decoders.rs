//! Property tests (issue 10): mutated answers fed to every response decoder
//! and to the error parser never panic, and always give a typed value or a
//! typed error whose text quotes nothing from the answer.
//!
//! Base answers, for every operation's 2XX JSON schema in openapi.yaml:
//! the schema's own `examples`, a synthesised answer with every property
//! and one with the required properties only, plus the answers the seeds
//! show (a generation, a creation, an organization's credit, GEN's error
//! object, seed 004's camelCase error). Mutations: truncation, a node
//! replaced by a value of another type, huge and out-of-range numbers,
//! deep nesting (far beyond serde_json's recursion limit), unknown fields,
//! unknown enum values, `null`s, arbitrary bytes. Every injected string
//! carries a marker that no error text may show.
//!
//! Bounded: 64 cases per property, every case running all decoders.

use std::collections::BTreeSet;

use genpro_sdk::Error;
use genpro_sdk::ErrorKind;
use genpro_sdk::wait::{JobRef, JobSnapshot};
use proptest::prelude::*;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{Map, Value, json};

include!("generated/response_types.rs");

mod answers_common;
use answers_common::{answer_types, openapi};

/// Every injected string contains this; no error text may.
const MARKER: &str = "INJECTED-sk-0123456789";

/// Decodes `bytes` as the response type named `name` (an array of it when
/// `array`): `None` when no decoder is known for that name.
fn decode(name: &str, array: bool, bytes: &[u8]) -> Option<Result<(), serde_json::Error>> {
    macro_rules! decoders {
        ($(($schema:literal, $t:path)),* $(,)?) => {
            match name {
                $($schema => Some(if array {
                    serde_json::from_slice::<Vec<$t>>(bytes).map(drop)
                } else {
                    serde_json::from_slice::<$t>(bytes).map(drop)
                }),)*
                _ => None,
            }
        };
    }
    // Every response type of openapi.yaml, written by `cargo xtask generate`.
    response_types!(decoders)
}

/// A response type: a component schema, or an array of one.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Target {
    name: String,
    array: bool,
}

/// The JSON 2XX response type of every operation.
fn targets(spec: &Value) -> BTreeSet<Target> {
    answer_types(spec)
        .into_iter()
        .map(|(name, array)| Target { name, array })
        .collect()
}

/// A value valid for `schema`: every property when `full`, else the
/// required ones only.
fn synthesise(spec: &Value, schema: &Value, full: bool, depth: usize) -> Value {
    if depth > 12 {
        return Value::Null;
    }
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap();
        return synthesise(spec, &spec["components"]["schemas"][name], full, depth + 1);
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
    for key in ["oneOf", "anyOf"] {
        if let Some(first) = schema
            .get(key)
            .and_then(Value::as_array)
            .and_then(|a| a.first())
        {
            return synthesise(spec, first, full, depth + 1);
        }
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        let mut merged = Map::new();
        for part in all {
            if let Value::Object(m) = synthesise(spec, part, full, depth + 1) {
                merged.extend(m);
            }
        }
        return Value::Object(merged);
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
            let required: BTreeSet<&str> = schema["required"]
                .as_array()
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let mut m = Map::new();
            if let Some(props) = schema["properties"].as_object() {
                for (name, prop) in props {
                    if full || required.contains(name.as_str()) {
                        m.insert(name.clone(), synthesise(spec, prop, full, depth + 1));
                    }
                }
            }
            Value::Object(m)
        }
        "array" => Value::Array(vec![synthesise(spec, &schema["items"], full, depth + 1)]),
        "integer" => json!(schema["minimum"].as_i64().unwrap_or(1).max(1)),
        "number" => json!(schema["minimum"].as_f64().unwrap_or(1.5).max(1.5)),
        "boolean" => json!(true),
        "null" => Value::Null,
        _ => Value::String(
            match schema["format"].as_str() {
                Some("date-time") => "2026-04-20T15:00:00Z",
                Some("date") => "2026-04-20",
                Some("uri") => "https://cdn.gen.pro/outputs/abc123.mp4",
                Some("email") => "a@example.com",
                Some("uuid") => "6f1c1e4e-3f0b-4a8e-9a51-2b1d1c0e9f10",
                _ => "x",
            }
            .to_owned(),
        ),
    }
}

/// Answers the seeds show, by response type.
fn seed_answers() -> Vec<(Target, Value)> {
    let t = |name: &str| Target {
        name: name.to_owned(),
        array: false,
    };
    vec![
        (
            t("Generation"),
            json!({"id": 9000, "status": "completed", "generation_type": "video_from_text",
                   "output_resources": [{"id": 1500, "url": "https://cdn.gen.pro/outputs/abc123.mp4", "object_type": "video"}],
                   "result": "Here is the generated script text...", "failed_reason": null}),
        ),
        (
            t("GenerationCreated"),
            json!({"generation_id": 9000, "status": "pending"}),
        ),
        (
            t("Organization"),
            json!({"id": 1, "name": "Acme", "available_credit": {"generic": 1000.0, "aura": 0}}),
        ),
        (
            t("Error"),
            json!({"error": "Not enough credits", "error_code": "insufficient_credits_for_job"}),
        ),
    ]
}

/// Every (type, base answer) pair; panics when a type has no decoder or a
/// base answer does not decode (the bases must be valid for the mutations
/// to mean anything).
fn bases() -> Vec<(Target, Value)> {
    let spec = openapi();
    let mut out = Vec::new();
    for target in targets(&spec) {
        let schema = &spec["components"]["schemas"][target.name.as_str()];
        let mut values = vec![
            synthesise(&spec, schema, true, 0),
            synthesise(&spec, schema, false, 0),
        ];
        if let Some(examples) = schema["examples"].as_array() {
            values.extend(examples.iter().cloned());
        }
        for value in values {
            let value = if target.array { json!([value]) } else { value };
            out.push((target.clone(), value));
        }
    }
    out.extend(seed_answers());
    for (target, value) in &out {
        let bytes = serde_json::to_vec(value).unwrap();
        match decode(&target.name, target.array, &bytes) {
            None => panic!("no decoder for response type {}", target.name),
            Some(Err(e)) => panic!("base answer of {target:?} does not decode: {e}: {value}"),
            Some(Ok(())) => {}
        }
    }
    out
}

/// A mutation of a JSON answer.
#[derive(Clone, Debug)]
enum Mutation {
    /// Keep this fraction of the bytes.
    Truncate(f64),
    /// Replace node `at` (index in pre-order) with a value of another type.
    WrongType(usize, u8),
    /// Replace node `at` with a huge or out-of-range number.
    HugeNumber(usize, u8),
    /// Wrap node `at` in `depth` arrays.
    DeepNest(usize, usize),
    /// Add an unknown field to the object at or above node `at`.
    UnknownField(usize, String),
    /// Replace string node `at` with an unknown value (an enum value GEN
    /// may add).
    UnknownEnum(usize, String),
    /// Replace node `at` with `null`.
    Null(usize),
    /// Several at once.
    Many(Vec<Mutation>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let leaf = prop_oneof![
        (0.0..1.0f64).prop_map(Mutation::Truncate),
        (any::<usize>(), any::<u8>()).prop_map(|(a, k)| Mutation::WrongType(a, k)),
        (any::<usize>(), any::<u8>()).prop_map(|(a, k)| Mutation::HugeNumber(a, k)),
        (any::<usize>(), 1usize..3000).prop_map(|(a, d)| Mutation::DeepNest(a, d)),
        (any::<usize>(), "[a-z_]{1,12}").prop_map(|(a, n)| Mutation::UnknownField(a, n)),
        (any::<usize>(), "[A-Za-z_ -]{0,16}").prop_map(|(a, v)| Mutation::UnknownEnum(a, v)),
        any::<usize>().prop_map(Mutation::Null),
    ];
    prop_oneof![
        4 => leaf.clone(),
        1 => prop::collection::vec(leaf, 2..5).prop_map(Mutation::Many),
    ]
}

/// The number of nodes of `v` (pre-order).
fn count(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(count).sum(),
        Value::Object(m) => m.values().map(count).sum(),
        _ => 0,
    }
}

/// Node `at` (pre-order, modulo the node count) of `v`.
fn node(v: &mut Value, at: usize) -> &mut Value {
    fn find(v: &Value, at: &mut usize, path: &mut Vec<PathStep>) -> bool {
        if *at == 0 {
            return true;
        }
        *at -= 1;
        match v {
            Value::Array(a) => {
                for (i, c) in a.iter().enumerate() {
                    path.push(PathStep::Index(i));
                    if find(c, at, path) {
                        return true;
                    }
                    path.pop();
                }
                false
            }
            Value::Object(m) => {
                for (k, c) in m {
                    path.push(PathStep::Key(k.clone()));
                    if find(c, at, path) {
                        return true;
                    }
                    path.pop();
                }
                false
            }
            _ => false,
        }
    }
    let mut at = at % count(v);
    let mut path = Vec::new();
    find(v, &mut at, &mut path);
    let mut cur = v;
    for step in path {
        cur = match step {
            PathStep::Index(i) => &mut cur[i],
            PathStep::Key(k) => &mut cur[k.as_str()],
        };
    }
    cur
}

/// One step from a node to a child.
enum PathStep {
    Index(usize),
    Key(String),
}

fn injected(s: &str) -> String {
    format!("{s}{MARKER}")
}

/// What is applied to the bytes after the value is serialised.
#[derive(Default)]
struct Post {
    /// Keep this fraction of the bytes.
    truncate: Option<f64>,
    /// (placeholder string, JSON of the node, depth): deep nesting is built
    /// as text, never as a `Value` (whose clone, serialisation and drop
    /// recurse without limit in the test itself).
    nests: Vec<(String, String, usize)>,
}

/// Applies `m` to `v`; returns the bytes to decode.
fn apply(v: &Value, m: &Mutation) -> Vec<u8> {
    let mut v = v.clone();
    let mut post = Post::default();
    apply_value(&mut v, m, &mut post);
    let mut text = serde_json::to_string(&v).unwrap();
    for (placeholder, inner, depth) in post.nests.iter().rev() {
        let nested = format!("{}{inner}{}", "[".repeat(*depth), "]".repeat(*depth));
        text = text.replacen(&format!("\"{placeholder}\""), &nested, 1);
    }
    let mut bytes = text.into_bytes();
    if let Some(f) = post.truncate {
        let keep = ((bytes.len() as f64) * f) as usize;
        bytes.truncate(keep.min(bytes.len().saturating_sub(1)));
    }
    bytes
}

fn apply_value(v: &mut Value, m: &Mutation, post: &mut Post) {
    match m {
        Mutation::Truncate(f) => post.truncate = Some(*f),
        Mutation::WrongType(at, k) => {
            let n = node(v, *at);
            *n = match (k % 6, &*n) {
                (0, Value::String(_)) | (1, _) => json!(42),
                (0, _) | (2, _) => json!(injected("wrong")),
                (3, _) => json!([injected("a")]),
                (4, _) => json!({"nested": injected("o")}),
                _ => json!(n.is_string()),
            };
        }
        Mutation::HugeNumber(at, k) => {
            let huge: Value = serde_json::from_str(match k % 6 {
                0 => "18446744073709551616",
                1 => "-9223372036854775809",
                2 => "1e400",
                3 => "-1e308",
                4 => "9223372036854775807",
                _ => "123456789012345678901234567890.5",
            })
            .unwrap_or(json!(f64::MAX));
            *node(v, *at) = huge;
        }
        Mutation::DeepNest(at, depth) => {
            let n = node(v, *at);
            let placeholder = format!("__deep_nest_{}__", post.nests.len());
            let inner = std::mem::replace(n, Value::String(placeholder.clone()));
            post.nests
                .push((placeholder, serde_json::to_string(&inner).unwrap(), *depth));
        }
        Mutation::UnknownField(at, name) => {
            let n = node(v, *at);
            if let Value::Object(m) = n {
                m.insert(injected(name), json!(injected("v")));
            } else if let Value::Object(m) = v {
                m.insert(injected(name), json!({"x": [1, 2, injected("y")]}));
            }
        }
        Mutation::UnknownEnum(at, value) => {
            let n = node(v, *at);
            if n.is_string() {
                *n = json!(injected(value));
            }
        }
        Mutation::Null(at) => *node(v, *at) = Value::Null,
        Mutation::Many(ms) => {
            for m in ms {
                apply_value(v, m, post);
            }
        }
    }
}

/// The checks every decode result passes: a decode error's text, as genpro-sdk
/// shows it, quotes nothing injected.
fn check_decode_error(target: &Target, bytes: &[u8], e: serde_json::Error) {
    let error = Error::from(e);
    let shown = format!("{error} {error:?}");
    assert!(
        !shown.contains(MARKER),
        "{target:?}: the error quotes the answer: {shown}\nanswer: {}",
        String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
    );
}

fn bases_cached() -> &'static [(Target, Value)] {
    static BASES: std::sync::OnceLock<Vec<(Target, Value)>> = std::sync::OnceLock::new();
    BASES.get_or_init(bases)
}

#[test]
fn every_response_type_has_a_decoder_and_valid_bases() {
    let bases = bases_cached();
    let names: BTreeSet<&str> = bases.iter().map(|(t, _)| t.name.as_str()).collect();
    // 39 response types in openapi.yaml, plus GEN's error object.
    assert!(names.len() >= 39, "{} types: {names:?}", names.len());
    // A mutation that must fail does fail, with a clean message.
    let (target, value) = bases
        .iter()
        .find(|(t, _)| t.name == "GenerationCreated")
        .unwrap();
    let mut bad = value.clone();
    bad["generation_id"] = json!(injected("id"));
    let bytes = serde_json::to_vec(&bad).unwrap();
    let e = decode(&target.name, target.array, &bytes)
        .unwrap()
        .unwrap_err();
    let error = Error::from(e);
    assert!(
        error
            .to_string()
            .contains("invalid type: string, expected i64"),
        "{error}"
    );
    assert!(!error.to_string().contains(MARKER));
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Every response decoder, on a mutation of each of its base answers.
    #[test]
    fn response_decoders_never_panic_and_never_quote_the_answer(m in mutation()) {
        for (target, base) in bases_cached() {
            let bytes = apply(base, &m);
            match decode(&target.name, target.array, &bytes).expect("decoder") {
                Ok(()) => {}
                Err(e) => check_decode_error(target, &bytes, e),
            }
        }
    }

    /// Arbitrary bytes, and arbitrary bytes after a valid prefix.
    #[test]
    fn response_decoders_survive_arbitrary_bytes(
        noise in prop::collection::vec(any::<u8>(), 0..512),
        cut in any::<usize>(),
    ) {
        for (target, base) in bases_cached() {
            let mut bytes = serde_json::to_vec(base).unwrap();
            bytes.truncate(cut % (bytes.len() + 1));
            bytes.extend_from_slice(&noise);
            for input in [&noise[..], &bytes[..]] {
                if let Err(e) = decode(&target.name, target.array, input).expect("decoder") {
                    check_decode_error(target, input, e);
                }
            }
        }
    }

    /// The waiter's lenient decoder of status answers.
    #[test]
    fn job_snapshots_decode_any_mutated_status_answer(m in mutation()) {
        let generations = bases_cached()
            .iter()
            .filter(|(t, _)| !t.array && matches!(t.name.as_str(), "Generation" | "AgentRun" | "UserJob" | "VoicePreviewJob"));
        for (_, base) in generations {
            let bytes = apply(base, &m);
            if let Ok(value) = serde_json::from_slice::<Value>(&bytes) {
                match JobSnapshot::from_json(JobRef::Generation(9000), value) {
                    Ok(snapshot) => {
                        let _ = snapshot.outcome();
                        let _ = snapshot.generation();
                    }
                    Err(e) => prop_assert!(e.kind() == ErrorKind::Decode, "{e:?}"),
                }
            }
        }
    }

    /// The error parser: any status, any `Retry-After` / `x-request-id`,
    /// mutated GEN error objects (and seed 004's camelCase ones).
    #[test]
    fn the_error_parser_never_panics(
        status in 100u16..=599,
        m in mutation(),
        camel in any::<bool>(),
        retry_after in "[ -~]{0,40}",
        request_id in "[ -~]{0,40}",
    ) {
        let base = if camel {
            json!({"errorCode": "generation_media_failed", "error": "media could not be fetched", "status": "FAILED"})
        } else {
            json!({"error": "Not enough credits", "error_code": "insufficient_credits_for_job"})
        };
        let bytes = apply(&base, &m);
        let mut headers = HeaderMap::new();
        if let Ok(v) = HeaderValue::from_str(&retry_after) {
            headers.insert("retry-after", v);
        }
        if let Ok(v) = HeaderValue::from_str(&request_id) {
            headers.insert("x-request-id", v);
        }
        let status = StatusCode::from_u16(status).unwrap();

        let error = Error::from_response_parts(status, &headers, &bytes);

        prop_assert_eq!(error.status(), Some(status.as_u16()));
        let Some(body) = error.body().filter(|_| error.kind() == ErrorKind::Api) else {
            panic!("{error:?}");
        };
        prop_assert!(body.len() <= genpro_sdk::error::MAX_ERROR_BODY + 64, "{}", body.len());
        let _ = (error.to_string(), format!("{error:?}"), error.hint(), error.is_retryable());
    }
}
