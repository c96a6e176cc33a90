//! Which answer fields a seed pins, and which are guesses (issue 19).
//!
//! A field of an answer is *pinned* when a seed shows it with a value or a
//! seed sentence states its type:
//!
//! - a seed's JSON answer, copied into `tests/fixtures/seeds/*.json`
//!   (`"kind": "response"`, with its `operation_id` and `status`), shows
//!   it with a value (not `null`): the fixture pins it;
//! - or openapi.yaml says so on the property: `x-pinned-by: 'seed NNN:
//!   "quote"'`.
//!
//! Every other answer field is a guess. `cargo xtask generate` writes the
//! whole list to `spec/answer_fields.tsv` (field, type, required, how it is
//! read, what pins it), and a test keeps openapi.yaml honest: a `required`
//! answer field (read strictly) needs a seed behind it. [`annotate`] hands
//! the fixtures' pins to readers of `x-pinned-by` alone (genpro-mock's varied
//! answers).
//!
//! A field is named `Schema.property` for a component schema,
//! `Schema.property.sub` for an inline object under it (`[]` marks array
//! items: `Schema.list[].sub`), and `operationId STATUS.property` for an
//! answer schema written inline in the operation.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::transform::METHODS;

/// One answer field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Its name (module doc).
    pub name: String,
    /// Its JSON type as openapi.yaml writes it (`string`, `integer|null`,
    /// `ref Schema`, `object`, `array`, `any`).
    pub ty: String,
    /// Listed in its schema's `required`.
    pub required: bool,
    /// Read strictly: required, and pinned (or in a schema requests use
    /// too, or in a document that never says what pins; see [`relax`]).
    pub strict: bool,
    /// What pins it: `x-pinned-by`'s text, or the fixture file; empty for a
    /// guess.
    pub pinned_by: String,
}

/// `v` (found at the JSON pointer `at`) with its `$ref`s followed: the
/// schema, the component name it was last reached by, and its pointer.
fn resolve<'a>(doc: &'a Value, v: &'a Value, at: &str) -> (&'a Value, Option<String>, String) {
    let mut v = v;
    let mut name = None;
    let mut at = at.to_owned();
    for _ in 0..16 {
        match v
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
        {
            Some(n) => {
                name = Some(n.to_owned());
                at = format!("/components/schemas/{n}");
                match doc.pointer(&at) {
                    Some(t) => v = t,
                    None => break,
                }
            }
            None => break,
        }
    }
    (v, name, at)
}

/// A JSON pointer segment.
fn seg(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

fn type_text(s: &Value) -> String {
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        return format!("ref {}", r.rsplit('/').next().unwrap_or(r));
    }
    match s.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join("|"),
        _ if s.get("properties").is_some() => "object".into(),
        _ if s.get("oneOf").is_some() || s.get("anyOf").is_some() => "union".into(),
        _ => "any".into(),
    }
}

/// A property found by [`properties`].
struct Prop<'a> {
    /// The schema name it is declared in (for naming).
    owner: String,
    key: String,
    schema: &'a Value,
    /// The JSON pointer of `schema`.
    at: String,
    /// Listed in `required` where it is declared.
    required: bool,
}

/// The properties (merged through `allOf`, and over `oneOf`/`anyOf`
/// alternatives) of the object schema `s` found at `at`.
fn properties<'a>(
    doc: &'a Value,
    s: &'a Value,
    at: &str,
    owner: &str,
    out: &mut Vec<Prop<'a>>,
    depth: usize,
) {
    if depth > 16 {
        return;
    }
    let (s, name, at) = resolve(doc, s, at);
    let owner = name.unwrap_or_else(|| owner.to_owned());
    let required: BTreeSet<&str> = s
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if let Some(props) = s.get("properties").and_then(Value::as_object) {
        for (k, v) in props {
            out.push(Prop {
                owner: owner.clone(),
                key: k.clone(),
                schema: v,
                at: format!("{at}/properties/{}", seg(k)),
                required: required.contains(k.as_str()),
            });
        }
    }
    for (alt, alt_at) in branches(s, &at, &["allOf", "oneOf", "anyOf"]) {
        properties(doc, alt, &alt_at, &owner, out, depth + 1);
    }
}

/// The subschemas of `s` (at `at`) under `keys`, each with its pointer.
fn branches<'a>(s: &'a Value, at: &str, keys: &[&str]) -> Vec<(&'a Value, String)> {
    keys.iter()
        .flat_map(|key| {
            s.get(*key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
                .map(move |(i, alt)| (alt, format!("{at}/{key}/{i}")))
        })
        .collect()
}

/// Walks every answer field reachable from `schema` (at `at`), calling
/// `visit` with the field's name, its property schema and whether it is
/// required.
fn walk(
    doc: &Value,
    schema: &Value,
    at: &str,
    owner: &str,
    seen: &mut BTreeSet<String>,
    visit: &mut dyn FnMut(String, &Value, bool, &str),
) {
    let (s, name, at) = resolve(doc, schema, at);
    // Each schema once (by its pointer): a schema that reaches itself, by
    // any way a `$ref` can point, ends here.
    if !seen.insert(at.clone()) {
        return;
    }
    let owner = name.clone().unwrap_or_else(|| owner.to_owned());
    if let Some(items) = s.get("items") {
        let items_at = format!("{at}/items");
        let (_, item_name, _) = resolve(doc, items, &items_at);
        walk(
            doc,
            items,
            &items_at,
            &item_name.unwrap_or_else(|| format!("{owner}[]")),
            seen,
            visit,
        );
    }
    let mut props = Vec::new();
    properties(doc, s, &at, &owner, &mut props, 0);
    for p in props {
        let field = format!("{}.{}", p.owner, p.key);
        visit(field.clone(), p.schema, p.required, &p.at);
        walk(doc, p.schema, &p.at, &field, seen, visit);
    }
    if let Some(extra) = s.get("additionalProperties").filter(|a| a.is_object()) {
        walk(
            doc,
            extra,
            &format!("{at}/additionalProperties"),
            &format!("{owner}{{}}"),
            seen,
            visit,
        );
    }
}

/// Every JSON answer schema of every operation: operationId, status, the
/// schema and its pointer.
fn answers(doc: &Value) -> Vec<(String, String, Value, String)> {
    let mut out = Vec::new();
    for (path, item) in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for m in METHODS {
            let Some(op) = item.get(m) else { continue };
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or_default();
            for (status, resp) in op
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let (resp, resp_at) = match resp.get("$ref").and_then(Value::as_str) {
                    Some(r) => {
                        let at = r.replacen('#', "", 1);
                        (doc.pointer(&at).cloned().unwrap_or(Value::Null), at)
                    }
                    None => (
                        resp.clone(),
                        format!("/paths/{}/{m}/responses/{}", seg(path), seg(status)),
                    ),
                };
                for (media, body) in resp
                    .get("content")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    if media.contains("json")
                        && let Some(schema) = body.get("schema")
                    {
                        out.push((
                            id.to_owned(),
                            status.clone(),
                            schema.clone(),
                            format!("{resp_at}/content/{}/schema", seg(media)),
                        ));
                    }
                }
            }
        }
    }
    out
}

/// What the seed fixtures pin: field name → (the fixture file that shows
/// it first, the pointers of its property schemas).
type Pins = BTreeMap<String, (String, BTreeSet<String>)>;

/// The fields each seed fixture answer shows with a value.
fn fixture_pins(doc: &Value, fixtures: &Path) -> Pins {
    let mut pins = Pins::new();
    let Ok(dir) = std::fs::read_dir(fixtures) else {
        return pins;
    };
    let mut files: Vec<_> = dir.filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    let answers = answers(doc);
    for file in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "json"))
    {
        let Some(fx) = std::fs::read_to_string(file)
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        else {
            continue;
        };
        if fx.get("kind").and_then(Value::as_str) != Some("response") {
            continue;
        }
        let (Some(id), Some(status)) = (
            fx.get("operation_id").and_then(Value::as_str),
            fx.get("status").and_then(Value::as_u64),
        ) else {
            continue;
        };
        let label = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let status = status.to_string();
        let class = format!("{}XX", &status[..1]);
        for (op, st, schema, at) in &answers {
            if op == id && (*st == status || *st == class || st == "default") {
                let shown = Shown { doc, label: &label };
                shown.mark(schema, at, &format!("{op} {st}"), &fx["body"], &mut pins, 0);
            }
        }
    }
    pins
}

/// One fixture answer being marked.
struct Shown<'a> {
    doc: &'a Value,
    label: &'a str,
}

impl Shown<'_> {
    /// Marks every field `value` shows (not `null`) under `schema` (at the
    /// pointer `at`).
    fn mark(
        &self,
        schema: &Value,
        at: &str,
        owner: &str,
        value: &Value,
        pins: &mut Pins,
        depth: usize,
    ) {
        if depth > 32 {
            return;
        }
        let doc = self.doc;
        let (s, name, at) = resolve(doc, schema, at);
        let owner = name.unwrap_or_else(|| owner.to_owned());
        match value {
            Value::Array(items) => {
                if let Some(item_schema) = s.get("items") {
                    let items_at = format!("{at}/items");
                    let (_, item_name, _) = resolve(doc, item_schema, &items_at);
                    let item_owner = item_name.unwrap_or_else(|| format!("{owner}[]"));
                    for v in items {
                        self.mark(item_schema, &items_at, &item_owner, v, pins, depth + 1);
                    }
                }
                for (alt, alt_at) in branches(s, &at, &["oneOf", "anyOf"]) {
                    self.mark(alt, &alt_at, &owner, value, pins, depth + 1);
                }
            }
            Value::Object(obj) => {
                let mut props = Vec::new();
                properties(doc, s, &at, &owner, &mut props, 0);
                for p in props {
                    if let Some(shown) = obj.get(&p.key).filter(|x| !x.is_null()) {
                        let field = format!("{}.{}", p.owner, p.key);
                        pins.entry(field.clone())
                            .or_insert_with(|| (self.label.to_owned(), BTreeSet::new()))
                            .1
                            .insert(p.at.clone());
                        self.mark(p.schema, &p.at, &field, shown, pins, depth + 1);
                    }
                }
            }
            _ => {}
        }
    }
}

/// `doc` with `x-pinned-by` on every property schema a seed fixture pins
/// (naming the fixture), for readers of the annotation alone.
pub fn annotate(doc: &Value, fixtures: &Path) -> Value {
    let mut out = doc.clone();
    for (label, pointers) in fixture_pins(doc, fixtures).into_values() {
        for at in pointers {
            if let Some(Value::Object(p)) = out.pointer_mut(&at) {
                p.entry("x-pinned-by")
                    .or_insert_with(|| Value::String(format!("tests/fixtures/seeds/{label}")));
            }
        }
    }
    out
}

/// Every answer field of `doc` (an openapi.yaml, 3.1), with what pins it
/// (`fixtures`: the seed fixtures directory).
pub fn fields(doc: &Value, fixtures: &Path) -> Vec<Field> {
    let pins = fixture_pins(doc, fixtures);
    let says = says_what_pins(doc);
    let requests = request_schemas(doc);
    let mut out: BTreeMap<String, Field> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    for (op, status, schema, at) in answers(doc) {
        let owner = format!("{op} {status}");
        walk(
            doc,
            &schema,
            &at,
            &owner,
            &mut seen,
            &mut |name, v, required, at| {
                let pinned_by = v
                    .get("x-pinned-by")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .or_else(|| {
                        pins.get(&name)
                            .map(|(f, _)| format!("tests/fixtures/seeds/{f}"))
                    })
                    .unwrap_or_default();
                let strict = required
                    && (!pinned_by.is_empty() || !says || in_request_schema(at, &requests));
                let field = Field {
                    name: name.clone(),
                    ty: type_text(v),
                    required,
                    strict,
                    pinned_by,
                };
                out.entry(name).or_insert(field);
            },
        );
    }
    out.into_values().collect()
}

/// Whether `doc` says what pins its answer fields (an `x-pinned-by`
/// anywhere): only then is a `required` without a pin a guess. A document
/// that never says (a vendor's own spec) is taken at its word.
fn says_what_pins(doc: &Value) -> bool {
    match doc {
        Value::Object(o) => o.contains_key("x-pinned-by") || o.values().any(says_what_pins),
        Value::Array(a) => a.iter().any(says_what_pins),
        _ => false,
    }
}

/// The component schemas a request body or parameter reaches.
fn request_schemas(doc: &Value) -> BTreeSet<String> {
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                if let Some(n) = o
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix("#/components/schemas/"))
                {
                    out.push(n.to_owned());
                }
                o.values().for_each(|c| refs(c, out));
            }
            Value::Array(a) => a.iter().for_each(|c| refs(c, out)),
            _ => {}
        }
    }
    let mut todo = Vec::new();
    for item in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(_, item)| item)
    {
        refs(&item["parameters"], &mut todo);
        for m in METHODS {
            if let Some(op) = item.get(m) {
                refs(&op["requestBody"], &mut todo);
                refs(&op["parameters"], &mut todo);
            }
        }
    }
    let mut seen = BTreeSet::new();
    while let Some(n) = todo.pop() {
        if seen.insert(n.clone())
            && let Some(schema) = doc.pointer(&format!("/components/schemas/{}", seg(&n)))
        {
            refs(schema, &mut todo);
        }
    }
    seen
}

/// Whether the pointer `at` is inside a component schema requests use.
fn in_request_schema(at: &str, requests: &BTreeSet<String>) -> bool {
    at.strip_prefix("/components/schemas/")
        .map(|rest| rest.split('/').next().unwrap_or(rest))
        .is_some_and(|n| requests.contains(&n.replace("~1", "/").replace("~0", "~")))
}

/// Only a pinned answer field may be read strictly. In a document that
/// says what pins its fields ([`says_what_pins`]), a `required` answer
/// field that nothing pins (neither `x-pinned-by` nor a seed fixture) is
/// made optional, so that it is read tolerantly, with a warning. A schema
/// that requests use too keeps it (what we send stays as declared), with a
/// warning that it is read strictly.
pub fn relax(doc: &mut Value, fixtures: &Path, w: &mut crate::normalize::Warnings) {
    if !says_what_pins(doc) {
        return;
    }
    let snapshot = annotate(doc, fixtures);
    let requests = request_schemas(&snapshot);
    let mut relaxed: Vec<(String, String, String)> = Vec::new();
    let mut seen = BTreeSet::new();
    for (op, status, schema, at) in answers(&snapshot) {
        walk(
            &snapshot,
            &schema,
            &at,
            &format!("{op} {status}"),
            &mut seen,
            &mut |name, v, required, at| {
                if required
                    && v.get("x-pinned-by").is_none()
                    && let Some((owner, key)) = at.rsplit_once("/properties/")
                {
                    relaxed.push((name, owner.to_owned(), key.to_owned()));
                }
            },
        );
    }
    for (name, owner, key) in relaxed {
        let key = key.replace("~1", "/").replace("~0", "~");
        if in_request_schema(&owner, &requests) {
            w.add(
                name,
                "required, and no seed pins it, but requests use its schema too: read strictly",
            );
            continue;
        }
        if let Some(Value::Array(req)) = doc.pointer_mut(&format!("{owner}/required")) {
            req.retain(|r| r.as_str() != Some(key.as_str()));
            w.add(
                name,
                "required, but no seed pins it (no x-pinned-by, no seed fixture): read tolerantly, as optional",
            );
        }
    }
}

/// `spec/answer_fields.tsv`.
pub fn render_tsv(fields: &[Field]) -> String {
    let guessed = fields.iter().filter(|f| f.pinned_by.is_empty()).count();
    let mut out = format!(
        "# @generated by `cargo xtask generate` from openapi.yaml and tests/fixtures/seeds — do not edit.\n\
         # Every answer field: {} pinned by a seed, {guessed} guessed (read tolerantly: genpro_api::lenient).\n\
         field\ttype\trequired\tread\tpinned_by\n",
        fields.len() - guessed
    );
    for f in fields {
        let read = if f.strict { "strict" } else { "tolerant" };
        out.push_str(&format!(
            "{}\t{}\t{}\t{read}\t{}\n",
            f.name,
            f.ty,
            if f.required { "yes" } else { "no" },
            f.pinned_by.replace(['\t', '\n'], " ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn root() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
    }

    #[test]
    fn every_answer_field_read_strictly_has_a_seed_behind_it() {
        let doc = crate::codegen::load_spec(&root().join("openapi.yaml")).unwrap();
        let fields = fields(&doc, &root().join("tests/fixtures/seeds"));
        assert!(fields.len() > 100, "{}", fields.len());
        let unpinned: Vec<&str> = fields
            .iter()
            .filter(|f| f.strict && f.pinned_by.is_empty())
            .map(|f| f.name.as_str())
            .collect();
        assert!(
            unpinned.is_empty(),
            "read strictly with no seed behind them: {unpinned:?}; make them optional, or add `x-pinned-by: 'seed NNN: \"quote\"'`"
        );
        // And openapi.yaml itself says so: no answer field is `required`
        // without a pin (`relax` would make it optional, with a warning that
        // `openapi_yaml_generates_without_a_warning` refuses), unless this
        // is the drill's copy, whose shapes are meant to be relaxed.
        let spec = std::fs::read_to_string(root().join("openapi.yaml")).unwrap();
        if !spec.contains(crate::drill::PATH) {
            let guessed_required: Vec<&str> = fields
                .iter()
                .filter(|f| f.required && f.pinned_by.is_empty())
                .map(|f| f.name.as_str())
                .collect();
            assert!(
                guessed_required.is_empty(),
                "required with no seed behind them: {guessed_required:?}"
            );
        }
    }

    #[test]
    fn fixtures_and_annotations_pin_fields_and_the_rest_are_guesses() {
        let dir = std::env::temp_dir().join(format!("pinned-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("000_answer.json"),
            json!({"kind": "response", "operation_id": "get_a", "status": 200,
                   "body": {"id": 1, "tags": [{"name": "x"}], "note": null}})
            .to_string(),
        )
        .unwrap();
        let doc = json!({"paths": {"/a": {"get": {"operationId": "get_a", "responses": {
            "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}},
            "422": {"content": {"application/json": {"schema": {"type": "object", "properties": {"code": {"type": "string"}}}}}}}}}},
            "components": {"schemas": {
                "A": {"type": "object", "required": ["id", "title"], "properties": {
                    "id": {"type": "integer"},
                    "title": {"type": "string", "x-pinned-by": "seed 001: \"title\": \"My video\""},
                    "note": {"type": ["string", "null"]},
                    "tags": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}, "n": {"type": "integer"}}}},
                    "b": {"$ref": "#/components/schemas/B"}}},
                "B": {"allOf": [{"type": "object", "properties": {"x": {"type": "number"}}}]}}}});
        let got = fields(&doc, &dir);
        let annotated = annotate(&doc, &dir);
        std::fs::remove_dir_all(&dir).ok();
        let pinned_at = |p: &str| annotated.pointer(&format!("{p}/x-pinned-by")).cloned();
        let a = "/components/schemas/A/properties";
        let fixture = Some(json!("tests/fixtures/seeds/000_answer.json"));
        assert_eq!(pinned_at(&format!("{a}/id")), fixture);
        assert_eq!(pinned_at(&format!("{a}/tags")), fixture);
        assert_eq!(
            pinned_at(&format!("{a}/tags/items/properties/name")),
            fixture
        );
        assert_eq!(pinned_at(&format!("{a}/tags/items/properties/n")), None);
        assert_eq!(pinned_at(&format!("{a}/note")), None);
        assert_eq!(
            pinned_at(&format!("{a}/title")),
            Some(json!("seed 001: \"title\": \"My video\""))
        );
        let got: Vec<(String, String, bool, String)> = got
            .into_iter()
            .map(|f| (f.name, f.ty, f.required, f.pinned_by))
            .collect();
        let f = |n: &str, t: &str, r: bool, p: &str| (n.to_owned(), t.to_owned(), r, p.to_owned());
        assert_eq!(
            got,
            vec![
                f("A.b", "ref B", false, ""),
                f(
                    "A.id",
                    "integer",
                    true,
                    "tests/fixtures/seeds/000_answer.json"
                ),
                f("A.note", "string|null", false, ""),
                f(
                    "A.tags",
                    "array",
                    false,
                    "tests/fixtures/seeds/000_answer.json"
                ),
                f("A.tags[].n", "integer", false, ""),
                f(
                    "A.tags[].name",
                    "string",
                    false,
                    "tests/fixtures/seeds/000_answer.json"
                ),
                f(
                    "A.title",
                    "string",
                    true,
                    "seed 001: \"title\": \"My video\""
                ),
                f("B.x", "number", false, ""),
                f("get_a 422.code", "string", false, ""),
            ]
        );
    }

    #[test]
    fn relax_makes_only_unpinned_required_answer_fields_optional() {
        let doc = json!({"paths": {
            "/a": {"get": {"operationId": "get_a", "responses": {
                "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}}}},
            "/s": {"post": {"operationId": "post_s",
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/S"}}}},
                "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/S"}}}}}}}},
            "components": {"schemas": {
                "A": {"type": "object", "required": ["id", "x"], "properties": {
                    "id": {"type": "integer", "x-pinned-by": "seed 000: \"id\": 9000"},
                    "x": {"type": "string"}}},
                "S": {"type": "object", "required": ["y"], "properties": {"y": {"type": "string"}}}}}});
        let nowhere = Path::new("/nonexistent-fixtures");
        let mut relaxed = doc.clone();
        let mut w = crate::normalize::Warnings::default();
        relax(&mut relaxed, nowhere, &mut w);
        assert_eq!(
            relaxed["components"]["schemas"]["A"]["required"],
            json!(["id"])
        );
        assert_eq!(
            relaxed["components"]["schemas"]["S"]["required"],
            json!(["y"])
        );
        let warned: Vec<String> = w.iter().map(|(s, m)| format!("{s}: {m}")).collect();
        assert_eq!(
            warned,
            [
                "A.x: required, but no seed pins it (no x-pinned-by, no seed fixture): read tolerantly, as optional",
                "S.y: required, and no seed pins it, but requests use its schema too: read strictly",
            ]
        );
        let read: Vec<(String, bool)> = fields(&doc, nowhere)
            .into_iter()
            .map(|f| (f.name, f.strict))
            .collect();
        assert_eq!(
            read,
            [
                ("A.id".to_owned(), true),
                ("A.x".to_owned(), false),
                ("S.y".to_owned(), true)
            ]
        );
        // A document that never says what pins (a vendor's spec): as is.
        let mut vendor = doc.clone();
        vendor["components"]["schemas"]["A"]["properties"]["id"]
            .as_object_mut()
            .unwrap()
            .remove("x-pinned-by");
        let before = vendor.clone();
        let mut w = crate::normalize::Warnings::default();
        relax(&mut vendor, nowhere, &mut w);
        assert_eq!(vendor, before);
        assert!(w.is_empty());
    }

    #[test]
    fn a_schema_that_reaches_itself_is_walked_once() {
        let doc = json!({"paths": {"/t": {"get": {"operationId": "get_t", "responses": {
            "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/T"}}}}}}}},
            "components": {"schemas": {"T": {"type": "object",
                "additionalProperties": {"$ref": "#/components/schemas/T"},
                "properties": {
                    "parent": {"$ref": "#/components/schemas/T"},
                    "children": {"type": "array", "items": {"$ref": "#/components/schemas/T"}},
                    "either": {"oneOf": [{"type": "string"}, {"$ref": "#/components/schemas/T"}]}}}}}});
        let names: Vec<String> = fields(&doc, Path::new("/nonexistent-fixtures"))
            .into_iter()
            .map(|f| f.name)
            .collect();
        assert_eq!(names, ["T.children", "T.either", "T.parent"]);
    }
}
