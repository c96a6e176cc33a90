//! Compact input schemas for `tools/list`: what a model needs to build a
//! call (types, names, enums, required, one short sentence per field), with
//! the rest (examples, long descriptions, vendor extensions, the full
//! creation card schema) left to `describe_operation`.
//!
//! The creation card, inlined in full by every tool that takes one (about
//! 24 KB each), is listed once per tool as a shared definition
//! (`$defs.Card`): a brief derived from openapi.yaml's card schema (the
//! types and each type's `data` fields).

use std::sync::LazyLock;

use genpro_sdk::genpro_api::operations;
use serde_json::{Map, Value, json};

/// The longest description kept in a compact schema, in characters.
pub const MAX_DESCRIPTION: usize = 120;

/// Keys whose value is a map of names to schemas: the names are kept, the
/// schemas compacted.
const SCHEMA_MAPS: &[&str] = &["properties", "$defs", "definitions", "patternProperties"];

/// Keys whose value is data, not a schema: kept as they are.
const DATA_KEYS: &[&str] = &["enum", "const", "required", "default"];

/// `text` cut to its first sentence (and at most [`MAX_DESCRIPTION`]
/// characters, at a word boundary).
pub fn short(text: &str) -> String {
    // Lines wrapped inside a paragraph (doc comments) are one line.
    let joined = text
        .trim()
        .split("\n\n")
        .next()
        .unwrap_or_default()
        .split('\n')
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    let text = joined.as_str();
    let mut end = text.len();
    for (i, sep) in text.match_indices(['.', '\n', ';']) {
        let before = &text[..i];
        let next = text[i + sep.len()..].chars().next();
        // A sentence ends at a line break, or at `.`/`;` before a space
        // (not inside `e.g.`, `i.e.`, a number or a file name).
        let ends = sep == "\n"
            || (next.is_none_or(char::is_whitespace)
                && !before.ends_with("e.g")
                && !before.ends_with("i.e"));
        if ends && !before.trim().is_empty() {
            end = i;
            break;
        }
    }
    let first = text[..end].trim();
    if first.chars().count() <= MAX_DESCRIPTION {
        return first.to_owned();
    }
    let cut: String = first.chars().take(MAX_DESCRIPTION).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{}…", cut.trim_end_matches([',', ':', ' ']))
}

/// A compact copy of the JSON Schema `schema`: no `examples`, `title`,
/// `discriminator`, `x-*` extensions, numeric `format`s or `null`
/// defaults; descriptions cut to one short sentence. Property names,
/// enums, constants, `required` and references are kept.
pub fn compact(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, value) in map {
                let key = key.as_str();
                if matches!(
                    key,
                    "examples" | "example" | "title" | "discriminator" | "$schema" | "$comment"
                ) || key.starts_with("x-")
                {
                    continue;
                }
                if key == "format"
                    && matches!(
                        value.as_str(),
                        Some("int64" | "int32" | "uint64" | "uint32" | "uint" | "double" | "float")
                    )
                {
                    continue;
                }
                if key == "default" && value.is_null() {
                    continue;
                }
                let value = if key == "description" {
                    match value.as_str() {
                        Some(text) => Value::String(short(text)),
                        None => continue,
                    }
                } else if SCHEMA_MAPS.contains(&key) {
                    match value {
                        Value::Object(m) => {
                            Value::Object(m.iter().map(|(k, v)| (k.clone(), compact(v))).collect())
                        }
                        other => other.clone(),
                    }
                } else if DATA_KEYS.contains(&key) {
                    value.clone()
                } else {
                    compact(value)
                };
                out.insert(key.to_owned(), value);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(compact).collect()),
        other => other.clone(),
    }
}

/// The operation whose JSON body is the creation card.
const CARD_OPERATION: &str = "generate_on_cell";

/// The full creation card schema: the JSON body of `generate_on_cell` in
/// openapi.yaml (`None` when the table lacks it).
pub fn card_schema() -> Option<&'static Value> {
    static CARD: LazyLock<Option<Value>> = LazyLock::new(|| {
        operations::find(CARD_OPERATION)
            .and_then(|op| serde_json::from_str::<Value>(op.input_schema).ok())
            .and_then(|s| s.pointer("/properties/body").cloned())
    });
    CARD.as_ref()
}

/// The card's variants: each `generation_type` with its `data` fields
/// (required ones first, marked `*`).
fn card_types(card: &Value) -> Vec<(String, Vec<String>)> {
    let variants = card
        .get("oneOf")
        .or_else(|| card.get("anyOf"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut types = Vec::new();
    for variant in &variants {
        let gt = variant.pointer("/properties/generation_type");
        let names: Vec<String> = match gt {
            Some(gt) => match (gt.get("const"), gt.get("enum")) {
                (Some(Value::String(c)), _) => vec![c.clone()],
                (_, Some(Value::Array(e))) => e
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect(),
                _ => Vec::new(),
            },
            None => Vec::new(),
        };
        let data = variant.pointer("/properties/data");
        let required: Vec<&str> = data
            .and_then(|d| d.get("required"))
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut fields: Vec<String> = required.iter().map(|r| format!("{r}*")).collect();
        if let Some(props) = data
            .and_then(|d| d.get("properties"))
            .and_then(Value::as_object)
        {
            fields.extend(
                props
                    .keys()
                    .filter(|k| !required.contains(&k.as_str()))
                    .cloned(),
            );
        }
        for name in names {
            types.push((name, fields.clone()));
        }
    }
    types
}

/// The brief creation card: `generation_type` and `data`, with each
/// type's data fields in the description. Derived from openapi.yaml's card
/// schema; a plain `{generation_type, data}` object when the table lacks
/// it.
pub fn card_brief() -> Value {
    static BRIEF: LazyLock<Value> = LazyLock::new(|| {
        let types = card_schema().map(card_types).unwrap_or_default();
        let mut description = String::from(
            "A creation card {generation_type, data}. data fields by type (* required): ",
        );
        let lines: Vec<String> = types
            .iter()
            .map(|(name, fields)| format!("{name}: {}", fields.join(", ")))
            .collect();
        description.push_str(&lines.join("; "));
        description.push_str(&format!(
            ". Full schema: describe_operation {{\"operation_id\": \"{CARD_OPERATION}\"}}."
        ));
        let mut generation_type = json!({"type": "string"});
        if !types.is_empty() {
            generation_type["enum"] = Value::Array(
                types
                    .iter()
                    .map(|(name, _)| Value::String(name.clone()))
                    .collect(),
            );
        }
        json!({
            "type": "object",
            "description": description,
            "properties": {
                "generation_type": generation_type,
                "data": {"type": "object"},
            },
            "required": ["generation_type", "data"],
        })
    });
    BRIEF.clone()
}

/// `schema` with every copy of the full creation card replaced by a
/// reference to one shared, brief `$defs.Card` (added when there was a
/// copy); `schema` itself when the table has no card.
pub fn share_card(schema: &Value) -> Value {
    let Some(card) = card_schema() else {
        return schema.clone();
    };
    let mut found = false;
    let out = replace(schema, card, &mut found);
    if found { with_card_def(out) } else { out }
}

fn with_card_def(mut schema: Value) -> Value {
    if let Some(map) = schema.as_object_mut() {
        let defs = map
            .entry("$defs")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(defs) = defs.as_object_mut() {
            defs.insert("Card".into(), card_brief());
        }
    }
    schema
}

fn replace(value: &Value, card: &Value, found: &mut bool) -> Value {
    if value == card {
        *found = true;
        return json!({"$ref": "#/$defs/Card"});
    }
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), replace(v, card, found)))
                .collect(),
        ),
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| replace(v, card, found)).collect())
        }
        other => other.clone(),
    }
}

/// The schema a tool lists: every copy of the card replaced by the shared
/// brief ([`share_card`]), the rest [`compact`] (the brief is kept whole).
pub fn listed(schema: &Value) -> Value {
    let mut found = false;
    let shared = match card_schema() {
        Some(card) => replace(schema, card, &mut found),
        None => schema.clone(),
    };
    let mut out = compact(&shared);
    // The root's description repeats the tool's (`Arguments of ...`).
    if let Some(map) = out.as_object_mut() {
        map.remove("description");
    }
    if found { with_card_def(out) } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_keeps_the_first_sentence() {
        assert_eq!(
            short("Numeric id of the thing. More."),
            "Numeric id of the thing"
        );
        assert_eq!(short("  One line\nwrapped. Next"), "One line wrapped");
        assert_eq!(short("A paragraph\n\nAnother"), "A paragraph");
        let long = "word ".repeat(60);
        let cut = short(&long);
        assert!(cut.ends_with('…'), "{cut}");
        assert!(cut.chars().count() <= MAX_DESCRIPTION + 1, "{cut}");
    }

    #[test]
    fn compact_drops_noise_and_keeps_names_enums_and_required() {
        let schema = json!({
            "type": "object",
            "title": "T",
            "x-internal": 1,
            "properties": {
                "title": {"type": "string", "examples": ["a"], "description": "The title. Long details follow."},
                "n": {"type": "integer", "format": "int64", "default": null},
                "at": {"type": "string", "format": "date-time"},
                "kind": {"enum": ["a", "b"], "x-enum-descriptions": {"a": "A"}},
            },
            "required": ["title"],
            "discriminator": {"propertyName": "kind"},
        });
        assert_eq!(
            compact(&schema),
            json!({
                "type": "object",
                "properties": {
                    "title": {"type": "string", "description": "The title"},
                    "n": {"type": "integer"},
                    "at": {"type": "string", "format": "date-time"},
                    "kind": {"enum": ["a", "b"]},
                },
                "required": ["title"],
            })
        );
    }

    #[test]
    fn the_card_is_shared_once_as_a_brief_derived_from_the_spec() {
        let card = card_schema().expect("openapi.yaml has the card").clone();
        let schema =
            json!({"type": "object", "properties": {"a": card.clone(), "b": {"items": card}}});
        let shared = share_card(&schema);
        assert_eq!(shared["properties"]["a"], json!({"$ref": "#/$defs/Card"}));
        assert_eq!(
            shared["properties"]["b"]["items"],
            json!({"$ref": "#/$defs/Card"})
        );
        let brief = &shared["$defs"]["Card"];
        let types = brief["properties"]["generation_type"]["enum"]
            .as_array()
            .unwrap();
        assert!(types.contains(&json!("video_from_text")), "{brief}");
        let description = brief["description"].as_str().unwrap();
        assert!(
            description.contains("video_from_text: prompt*"),
            "{description}"
        );
        assert!(serde_json::to_string(&shared).unwrap().len() < 2_000);
    }
}
