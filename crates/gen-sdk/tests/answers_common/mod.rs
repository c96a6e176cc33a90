//! What the answer tests (`proptest_decoders.rs`, `tolerant_reading.rs`)
//! read from openapi.yaml.

use std::collections::BTreeSet;

use serde_json::Value;

/// openapi.yaml, parsed.
pub fn openapi() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi.yaml"))
        .expect("openapi.yaml");
    serde_yaml::from_str(&text).expect("openapi.yaml parses")
}

/// `(component schema name, answer is a list of it)` of every operation's
/// JSON 2XX answer.
pub fn answer_types(spec: &Value) -> BTreeSet<(String, bool)> {
    let mut out = BTreeSet::new();
    for item in spec["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            let Some(responses) = op.get("responses").and_then(Value::as_object) else {
                continue;
            };
            for (_, response) in responses.iter().filter(|(c, _)| c.starts_with('2')) {
                let response = match response.get("$ref").and_then(Value::as_str) {
                    Some(r) => &spec["components"]["responses"][r.rsplit('/').next().unwrap()],
                    None => response,
                };
                let Some(schema) = response.pointer("/content/application~1json/schema") else {
                    continue;
                };
                let (schema, array) = match schema.get("items") {
                    Some(items) if schema["type"] == "array" => (items, true),
                    _ => (schema, false),
                };
                if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
                    out.insert((r.rsplit('/').next().unwrap().to_owned(), array));
                }
            }
        }
    }
    out
}
