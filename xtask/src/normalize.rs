//! Normalisation: any valid OpenAPI document into shapes progenitor 0.15 can
//! type, with one warning per operation and construct.
//!
//! progenitor refuses, panics on, or mistypes a number of valid shapes. Each
//! is rewritten here into the nearest shape it does type, and said so
//! ([`Warnings`]); generation never fails for them:
//!
//! | shape | what generation does |
//! |---|---|
//! | no `operationId` | named from method and path (`get_pets_pet_id`) |
//! | two ids that are one Rust name (`getPet`, `get_pet`) | the later gets `_2` |
//! | no or unknown `x-phase` | `edit` |
//! | unknown `x-retry` | derived from the method |
//! | cookie parameter | left out of the typed builder (kept in the operation table) |
//! | parameter given by `content` | typed by that content's schema |
//! | path parameter not `required`, non-`simple` style | required, simple |
//! | query style other than `form`, header style other than `simple` | `form` / `simple` |
//! | `{name}` in the path that no parameter declares | a string path parameter |
//! | declared path parameter missing from the path | left out of the typed builder |
//! | two parameters with one Rust name | the later is left out of the typed builder |
//! | request body: several media types | JSON first, then `+json`, form, bytes, text |
//! | request body: `+json` only | sent as `application/json` |
//! | request body: bytes or text with another schema | `string`/`binary` or `string` |
//! | request body: media type progenitor cannot send (multipart, XML...) | operation set aside (`SET_ASIDE`) |
//! | JSON media type without a schema | `{}` (any JSON) |
//! | `encoding` on a JSON or form body | dropped |
//! | answers: success codes with different JSON bodies | a `oneOf` of them when all are `$ref`s, else any JSON |
//! | answers: JSON and an empty success (`200` + `204`) | the JSON type made nullable; an empty body reads as `null` |
//! | answers: JSON and non-JSON successes | bytes |
//! | answers: `+json` media types only | read as JSON |
//! | answers: error codes with different bodies | any JSON (or no body when none is JSON) |
//! | answers: `default` only | success and error both read it |
//!
//! [`identities`] runs on the source (3.1) document, before the operation
//! table is built; [`for_progenitor`] on the down-converted 3.0 document.

use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::transform::{METHODS, PHASES, SetAside};

/// The phase an operation without a valid `x-phase` is put under.
pub const DEFAULT_PHASE: &str = "edit";

/// The warnings of one generation: `(operation or schema, construct)`,
/// each printed once.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Warnings(BTreeSet<(String, String)>);

impl Warnings {
    /// Records one warning.
    pub fn add(&mut self, subject: impl Into<String>, what: impl Into<String>) {
        self.0.insert((subject.into(), what.into()));
    }

    /// Every warning, sorted.
    pub fn iter(&self) -> impl Iterator<Item = &(String, String)> {
        self.0.iter()
    }

    /// None recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `warning: subject: construct` lines on stderr.
    pub fn print(&self) {
        for (subject, what) in &self.0 {
            eprintln!("warning: {subject}: {what}");
        }
    }
}

/// `s` as typify's `sanitize` hands it to heck: quotes removed, every
/// character that cannot be in an identifier a word break.
fn sanitizable(s: &str) -> String {
    s.replace('\'', "")
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// progenitor's name for an identifier (`sanitize(.., Case::Snake)`, near
/// enough to find two ids that become one Rust name).
pub fn snake(s: &str) -> String {
    use heck::ToSnakeCase;
    let out = sanitizable(s).to_snake_case();
    if out.is_empty() { "x".to_owned() } else { out }
}

fn operations_mut(doc: &mut Value) -> Vec<(String, String, &mut Map<String, Value>)> {
    let mut out = Vec::new();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return out;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            if let Some(op) = op.as_object_mut() {
                out.push((path.clone(), method.clone(), op));
            }
        }
    }
    out
}

/// An operation's id from its method and path: `GET /v1/pets/{pet-id}` is
/// `get_v1_pets_pet_id`.
pub fn derived_id(method: &str, path: &str) -> String {
    snake(&format!("{method} {path}"))
}

/// Gives every operation a unique `operationId` (one Rust name each), a
/// valid `x-phase` and a valid or no `x-retry`.
pub fn identities(doc: &mut Value, w: &mut Warnings) {
    distinct_schema_names(doc, w);
    let snapshot = doc.clone();
    let mut taken: HashSet<String> = HashSet::new();
    for (path, method, op) in operations_mut(doc) {
        let given = op
            .get("operationId")
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .map(str::to_owned);
        let mut id = match &given {
            Some(id) => id.clone(),
            None => {
                let id = derived_id(&method, &path);
                w.add(
                    format!("{} {path}", method.to_uppercase()),
                    format!("no operationId: named `{id}`"),
                );
                id
            }
        };
        if !taken.insert(snake(&id)) {
            let base = id.clone();
            let mut n = 2;
            while !taken.insert(snake(&format!("{base}_{n}"))) {
                n += 1;
            }
            id = format!("{base}_{n}");
            w.add(
                base.as_str(),
                format!(
                    "operationId repeats another as the Rust name `{}`: renamed `{id}`",
                    snake(&base)
                ),
            );
        }
        op.insert("operationId".into(), json!(id));
        match op.get("x-phase").and_then(Value::as_str) {
            Some(p) if PHASES.contains(&p) => {}
            other => {
                let what = match other {
                    Some(p) => format!("x-phase `{p}` is not one of {PHASES:?}"),
                    None => "no x-phase".to_owned(),
                };
                w.add(id.as_str(), format!("{what}: put under `{DEFAULT_PHASE}`"));
                op.insert("x-phase".into(), json!(DEFAULT_PHASE));
            }
        }
        declare_template_names(&snapshot, &path, &id, op, w);
        if let Some(r) = op.get("x-retry")
            && !r
                .as_str()
                .is_some_and(|r| crate::optable::RETRY_CLASSES.contains(&r))
        {
            w.add(
                id.as_str(),
                format!(
                    "x-retry {r} is not one of {:?}: derived from the method",
                    crate::optable::RETRY_CLASSES
                ),
            );
            op.remove("x-retry");
        }
    }
}

/// Declares, as a string path parameter of `op`, each `{name}` of `path`
/// that neither the path item nor the operation declares (so the typed
/// builder, the operation table, `gen api` and `gen mcp` all take it).
fn declare_template_names(
    doc: &Value,
    path: &str,
    id: &str,
    op: &mut Map<String, Value>,
    w: &mut Warnings,
) {
    let inherited = doc["paths"][path]["parameters"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let own = op
        .get("parameters")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let declared: Vec<String> = inherited
        .iter()
        .chain(own.iter())
        .filter_map(|p| resolve(doc, p))
        .filter(|p| p.get("in").and_then(Value::as_str) == Some("path"))
        .filter_map(|p| p.get("name").and_then(Value::as_str).map(str::to_owned))
        .collect();
    let missing: Vec<String> = template_names(path)
        .into_iter()
        .filter(|n| !declared.contains(n))
        .collect();
    if missing.is_empty() {
        return;
    }
    let mut params = own;
    for name in missing {
        w.add(
            id,
            format!("`{{{name}}}` is in the path but not declared: a string path parameter"),
        );
        params.push(
            json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}),
        );
    }
    op.insert("parameters".into(), Value::Array(params));
}

/// Resolves a local `$ref` (`#/...`), following chains; `None` when it
/// points nowhere.
pub fn resolve<'a>(doc: &'a Value, v: &'a Value) -> Option<&'a Value> {
    let mut cur = v;
    for _ in 0..32 {
        match cur.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let pointer = r.strip_prefix('#')?;
                let pointer = pointer.replace("%7B", "{").replace("%7D", "}");
                cur = doc.pointer(&pointer)?;
            }
            None => return Some(cur),
        }
    }
    None
}

/// What a body (request or answer) is, as progenitor sees it.
#[derive(Debug, Clone, PartialEq)]
enum Shape {
    /// No content.
    Empty,
    /// JSON with this schema.
    Json(Value),
    /// Any other content: bytes (`ByteStream`).
    Raw(Vec<String>),
}

fn base(media: &str) -> String {
    media
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

fn is_json(media: &str) -> bool {
    base(media) == "application/json"
}

fn is_json_like(media: &str) -> bool {
    let b = base(media);
    b == "application/json" || b.ends_with("+json")
}

/// The request-body media types progenitor sends, best first.
fn body_rank(media: &str) -> Option<u8> {
    let b = base(media);
    match b.as_str() {
        "application/json" => Some(0),
        _ if b.ends_with("+json") => Some(1),
        "application/x-www-form-urlencoded" => Some(2),
        "application/octet-stream" => Some(3),
        "text/plain" | "text/x-markdown" => Some(4),
        _ => None,
    }
}

/// On the 3.0 document: parameters, request bodies and answers of every
/// operation in shapes progenitor types. Returns the request bodies set
/// aside (operations left with none are removed from the document).
pub fn for_progenitor(doc: &mut Value, w: &mut Warnings) -> Vec<SetAside> {
    let snapshot = doc.clone();
    let mut unsent = Vec::new();
    let mut removed_ops = Vec::new();
    // Path-level parameters are merged into each operation.
    let path_params: BTreeMap<String, Vec<Value>> = snapshot
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(p, item)| {
            let params = item
                .get("parameters")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            (p.clone(), params)
        })
        .collect();
    for (path, method, op) in operations_mut(doc) {
        let id = op
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let inherited = path_params.get(&path).cloned().unwrap_or_default();
        parameters(&snapshot, &path, &id, &inherited, op, w);
        if let Some(u) = request_body(&snapshot, &path, &method, &id, op, w) {
            if !u.kept {
                removed_ops.push((path.clone(), method.clone()));
            }
            unsent.push(u);
        }
        responses(&snapshot, &id, op, w);
    }
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            item.remove("parameters");
        }
    }
    for (path, method) in removed_ops {
        crate::safety::remove(doc, &path, &method);
    }
    unsent.sort_by(|a, b| a.operation_id.cmp(&b.operation_id));
    unsent
}

/// The Rust type name typify gives a component schema (its `sanitize` in
/// Pascal case, without the keyword suffix).
pub fn rust_type_name(schema: &str) -> String {
    use heck::ToPascalCase;
    sanitizable(schema).to_pascal_case()
}

/// Component schemas whose Rust type names collide (`string` and `String`
/// are both `String`) would be defined twice in the generated client: the
/// later one is renamed (`String2`), with every `$ref` to it.
fn distinct_schema_names(doc: &mut Value, w: &mut Warnings) {
    let Some(names) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect::<Vec<_>>())
    else {
        return;
    };
    let mut rust: HashSet<String> = HashSet::new();
    let mut all: HashSet<String> = names.iter().cloned().collect();
    let mut renames: BTreeMap<String, String> = BTreeMap::new();
    for name in &names {
        let ty = rust_type_name(name);
        if rust.insert(ty.clone()) {
            continue;
        }
        let (new, new_ty) = (2..)
            .map(|k| format!("{name}{k}"))
            .map(|n| {
                let t = rust_type_name(&n);
                (n, t)
            })
            .find(|(n, t)| !all.contains(n) && !rust.contains(t))
            .expect("an unused name");
        w.add(
            format!("schema {name}"),
            format!("its Rust type name `{ty}` is another schema's too: renamed `{new}` (type `{new_ty}`)"),
        );
        rust.insert(new_ty);
        all.insert(new.clone());
        renames.insert(name.clone(), new);
    }
    if renames.is_empty() {
        return;
    }
    let schemas = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
        .expect("read above");
    let old = std::mem::take(schemas);
    for (name, schema) in old {
        let key = renames.get(&name).cloned().unwrap_or(name);
        schemas.insert(key, schema);
    }
    let escape = |n: &str| n.replace('~', "~0").replace('/', "~1");
    let by_ref: Vec<(String, String)> = renames
        .iter()
        .map(|(o, n)| {
            (
                format!("#/components/schemas/{}", escape(o)),
                format!("#/components/schemas/{}", escape(n)),
            )
        })
        .collect();
    fn rewrite(v: &mut Value, by_ref: &[(String, String)]) {
        match v {
            Value::Object(o) => {
                if let Some(Value::String(r)) = o.get_mut("$ref") {
                    for (old, new) in by_ref {
                        if r == old {
                            *r = new.clone();
                        } else if let Some(rest) = r.strip_prefix(old.as_str())
                            && rest.starts_with('/')
                        {
                            *r = format!("{new}{rest}");
                        }
                    }
                }
                o.values_mut().for_each(|c| rewrite(c, by_ref));
            }
            Value::Array(a) => a.iter_mut().for_each(|c| rewrite(c, by_ref)),
            _ => {}
        }
    }
    rewrite(doc, &by_ref);
}

/// The `{name}`s of a path template.
pub fn template_names(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        out.push(rest[start + 1..start + end].to_owned());
        rest = &rest[start + end + 1..];
    }
    out
}

fn parameters(
    doc: &Value,
    path: &str,
    id: &str,
    inherited: &[Value],
    op: &mut Map<String, Value>,
    w: &mut Warnings,
) {
    let own = op
        .get("parameters")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    // (name, in) → parameter; the operation's own override the path's.
    let mut merged: Vec<Map<String, Value>> = Vec::new();
    for p in inherited.iter().chain(own.iter()) {
        let Some(p) = resolve(doc, p).and_then(Value::as_object).cloned() else {
            w.add(id, "a parameter `$ref` that points nowhere: left out");
            continue;
        };
        let key = |m: &Map<String, Value>| {
            (
                m.get("name").and_then(Value::as_str).map(str::to_owned),
                m.get("in").and_then(Value::as_str).map(str::to_owned),
            )
        };
        let k = key(&p);
        if k.0.is_none() || k.1.is_none() {
            w.add(id, "a parameter without `name` or `in`: left out");
            continue;
        }
        merged.retain(|m| key(m) != k);
        merged.push(p);
    }
    let names = template_names(path);
    let mut out: Vec<Value> = Vec::new();
    let mut rust_names: HashSet<String> = HashSet::new();
    if op.get("requestBody").is_some() {
        rust_names.insert("body".to_owned());
    }
    for mut p in merged {
        let name = p["name"].as_str().unwrap_or_default().to_owned();
        let location = p["in"].as_str().unwrap_or_default().to_owned();
        match location.as_str() {
            "cookie" => {
                w.add(
                    id,
                    format!("cookie parameter `{name}`: not sent by the typed builder"),
                );
                continue;
            }
            "path" | "query" | "header" => {}
            other => {
                w.add(
                    id,
                    format!("parameter `{name}` in `{other}`: left out of the typed builder"),
                );
                continue;
            }
        }
        if location == "path" && !names.contains(&name) {
            w.add(
                id,
                format!(
                    "path parameter `{name}` is not in the path: left out of the typed builder"
                ),
            );
            continue;
        }
        if !p.contains_key("schema") {
            let from_content = p
                .get("content")
                .and_then(Value::as_object)
                .and_then(|c| c.values().next())
                .and_then(|m| m.get("schema"))
                .cloned();
            let had_content = p.remove("content").is_some();
            if had_content {
                w.add(
                    id,
                    format!("parameter `{name}` given by `content`: typed by its schema"),
                );
            }
            p.insert(
                "schema".into(),
                from_content.unwrap_or_else(|| json!({"type": "string"})),
            );
        } else {
            p.remove("content");
        }
        let expected_style = match location.as_str() {
            "query" => "form",
            _ => "simple",
        };
        if let Some(style) = p.get("style").and_then(Value::as_str)
            && style != expected_style
        {
            w.add(
                id,
                format!("{location} parameter `{name}` has style `{style}`: sent in style `{expected_style}`"),
            );
            p.remove("style");
        }
        if location == "path" && p.get("required").and_then(Value::as_bool) != Some(true) {
            p.insert("required".into(), json!(true));
        }
        // A list or an object in the path or a header: the generated call
        // writes the value with `Display`, which neither has; the caller
        // gives the segment (or header value) as a string.
        if matches!(location.as_str(), "path" | "header")
            && let Some(schema) = p.get("schema")
            && !displayable(doc, schema)
            && resolve(doc, schema).is_some_and(|s| {
                s.get("type").is_some()
                    || s.get("properties").is_some()
                    || s.get("oneOf").is_some()
                    || s.get("anyOf").is_some()
                    || s.get("allOf").is_some()
            })
        {
            w.add(
                id,
                format!("{location} parameter `{name}` is a list or an object: given as a string (as sent)"),
            );
            p.insert("schema".into(), json!({"type": "string"}));
        }
        // A constrained string (`maxLength`, `pattern`...) is a typify
        // newtype that cannot be written into a URL or header: a parameter
        // is sent as a plain string, and the server decides.
        if let Some(schema) = p.get("schema").and_then(|s| resolve(doc, s))
            && schema.get("type").and_then(Value::as_str) == Some("string")
            && ["minLength", "maxLength", "pattern"]
                .iter()
                .any(|k| schema.get(*k).is_some())
        {
            let mut plain = schema.clone();
            if let Some(o) = plain.as_object_mut() {
                for k in ["minLength", "maxLength", "pattern"] {
                    o.remove(k);
                }
            }
            p.insert("schema".into(), plain);
        }
        // progenitor panics on a parameter whose type is a struct (it has
        // a builder): such a query parameter is a JSON map.
        if location == "query" && p.get("schema").is_some_and(|s| is_struct(doc, s)) {
            w.add(
                id,
                format!("{location} parameter `{name}` is an object: typed as a JSON map"),
            );
            p.insert("schema".into(), json!({"type": "object"}));
        }
        // A parameter's schema may itself be a $ref to a parameter-only
        // place; the schema stays as written (typify reads $refs).
        let rust = snake(&name);
        if !rust_names.insert(rust.clone()) {
            w.add(
                id,
                format!("parameter `{name}` ({location}) has the Rust name `{rust}` of another: left out of the typed builder"),
            );
            continue;
        }
        out.push(Value::Object(p));
    }
    for name in names {
        let declared = out.iter().any(|p| {
            p.get("in").and_then(Value::as_str) == Some("path")
                && p.get("name").and_then(Value::as_str) == Some(name.as_str())
        });
        if !declared {
            w.add(
                id,
                format!("`{{{name}}}` is in the path but not declared: a string path parameter"),
            );
            out.push(
                json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}),
            );
        }
    }
    if out.is_empty() {
        op.remove("parameters");
    } else {
        op.insert("parameters".into(), Value::Array(out));
    }
}

/// Whether typify makes `schema` a struct (an object with properties, an
/// `allOf` or an `anyOf`).
fn is_struct(doc: &Value, schema: &Value) -> bool {
    let Some(s) = resolve(doc, schema) else {
        return false;
    };
    s.get("properties")
        .and_then(Value::as_object)
        .is_some_and(|p| !p.is_empty())
        || s.get("allOf").is_some()
        || s.get("anyOf").is_some()
}

fn request_body(
    doc: &Value,
    path: &str,
    method: &str,
    id: &str,
    op: &mut Map<String, Value>,
    w: &mut Warnings,
) -> Option<SetAside> {
    let body = op.get("requestBody")?;
    let Some(mut body) = resolve(doc, body).and_then(Value::as_object).cloned() else {
        w.add(id, "a request body `$ref` that points nowhere: no body");
        op.remove("requestBody");
        return None;
    };
    let content = body
        .get("content")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    if content.is_empty() {
        op.remove("requestBody");
        return None;
    }
    let best = content
        .keys()
        .filter_map(|k| body_rank(k).map(|r| (r, k.clone())))
        .min();
    let unsendable: Vec<String> = content
        .keys()
        .filter(|k| body_rank(k).is_none())
        .cloned()
        .collect();
    let phase = op
        .get("x-phase")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let record = |kept: bool| SetAside {
        operation_id: id.to_owned(),
        method: method.to_uppercase(),
        path: path.to_owned(),
        phase: phase.clone(),
        removed: unsendable.clone(),
        kept,
    };
    let Some((rank, key)) = best else {
        // Nothing progenitor sends: the operation is set aside.
        if !unsendable.iter().all(|m| base(m).starts_with("multipart/")) {
            w.add(
                id,
                format!(
                    "request body {}: not sendable by the typed client; operation set aside (SET_ASIDE)",
                    unsendable.join(", ")
                ),
            );
        }
        return Some(record(false));
    };
    let mut media = content[&key].as_object().cloned().unwrap_or_default();
    let others: Vec<&String> = content
        .keys()
        .filter(|k| **k != key && !base(k).starts_with("multipart/"))
        .collect();
    if !others.is_empty() {
        w.add(
            id,
            format!(
                "request body in {} media types: the typed builder sends `{key}` only",
                others.len() + 1
            ),
        );
    }
    let key = match rank {
        1 => {
            w.add(
                id,
                format!("request body `{key}`: sent as application/json"),
            );
            "application/json".to_owned()
        }
        _ => key,
    };
    match rank {
        0..=2 => {
            if !media.contains_key("schema") {
                media.insert("schema".into(), json!({}));
            }
            if media.remove("encoding").is_some() {
                w.add(id, "request body `encoding`: not applied");
            }
        }
        3 => {
            let want = json!({"type": "string", "format": "binary"});
            if media.get("schema").and_then(|s| resolve(doc, s)) != Some(&want) {
                media.insert("schema".into(), want);
            }
            media.remove("encoding");
        }
        _ => {
            let want = json!({"type": "string"});
            if media.get("schema").and_then(|s| resolve(doc, s)) != Some(&want) {
                media.insert("schema".into(), want);
            }
            media.remove("encoding");
        }
    }
    let mut one = Map::new();
    one.insert(key, Value::Object(media));
    body.insert("content".into(), Value::Object(one));
    op.insert("requestBody".into(), Value::Object(body));
    (!unsendable.is_empty()).then(|| record(true))
}

/// The shape of one answer; `+json`-only content reads as JSON.
fn answer_shape(doc: &Value, resp: &Value) -> Shape {
    let Some(content) = resp.get("content").and_then(Value::as_object) else {
        return Shape::Empty;
    };
    if content.is_empty() {
        return Shape::Empty;
    }
    let json = content
        .iter()
        .find(|(k, _)| is_json(k))
        .or_else(|| content.iter().find(|(k, _)| is_json_like(k)));
    match json {
        Some((_, media)) => {
            let schema = media.get("schema").cloned().unwrap_or(json!({}));
            // A $ref to a schema stays a $ref (named types); a $ref that
            // points nowhere is any JSON.
            match resolve(doc, &schema) {
                Some(_) => Shape::Json(schema),
                None => Shape::Json(json!({})),
            }
        }
        None => Shape::Raw(content.keys().cloned().collect()),
    }
}

fn shape_response(shape: &Shape, description: String) -> Value {
    match shape {
        Shape::Empty => json!({"description": description}),
        Shape::Json(schema) => {
            json!({"description": description, "content": {"application/json": {"schema": schema}}})
        }
        Shape::Raw(types) => {
            let first = types
                .first()
                .cloned()
                .unwrap_or("application/octet-stream".into());
            json!({"description": description, "content": {first: {"schema": {"type": "string", "format": "binary"}}}})
        }
    }
}

fn describe(shape: &Shape) -> String {
    match shape {
        Shape::Empty => "no body".into(),
        Shape::Json(s) => match s.get("$ref").and_then(Value::as_str) {
            Some(r) => format!("JSON {}", r.rsplit('/').next().unwrap_or(r)),
            None => "JSON".into(),
        },
        Shape::Raw(t) => t.join(", "),
    }
}

fn responses(doc: &Value, id: &str, op: &mut Map<String, Value>, w: &mut Warnings) {
    let declared = op
        .get("responses")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut success: Vec<(String, Shape, String)> = Vec::new();
    let mut errors: Vec<(String, Shape, String)> = Vec::new();
    for (code, resp) in &declared {
        let Some(resp) = resolve(doc, resp) else {
            w.add(
                id,
                format!("answer {code}: a `$ref` that points nowhere: no body"),
            );
            continue;
        };
        let description = resp
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let entry = (code.clone(), answer_shape(doc, resp), description);
        match code.chars().next() {
            Some('2') => success.push(entry),
            Some('4') | Some('5') => errors.push(entry),
            Some('d') => errors.push(entry),
            _ => {}
        }
    }
    // `default` alone describes the success too.
    if success.is_empty()
        && let Some(d) = errors.iter().find(|(c, _, _)| c == "default")
    {
        success.push(d.clone());
    }
    let mut out = Map::new();
    if let Some(merged) = merge_success(id, &success, w) {
        out.insert("2XX".into(), merged);
    }
    if let Some(merged) = merge_errors(id, &errors, w) {
        out.insert("4XX".into(), merged.clone());
        out.insert("5XX".into(), merged);
    }
    op.insert("responses".into(), Value::Object(out));
}

fn description(set: &[(String, Shape, String)]) -> String {
    let first = set.first().map(|s| s.2.clone()).unwrap_or_default();
    if set.len() > 1 {
        let codes: Vec<&str> = set.iter().map(|(c, _, _)| c.as_str()).collect();
        format!("{first} (status {})", codes.join(", "))
    } else {
        first
    }
}

fn distinct(set: &[(String, Shape, String)]) -> Vec<&Shape> {
    let mut out: Vec<&Shape> = Vec::new();
    for (_, s, _) in set {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

fn listing(set: &[(String, Shape, String)]) -> String {
    set.iter()
        .map(|(c, s, _)| format!("{c}: {}", describe(s)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn merge_success(id: &str, set: &[(String, Shape, String)], w: &mut Warnings) -> Option<Value> {
    let shapes = distinct(set);
    let description = description(set);
    let merged = match shapes.as_slice() {
        [] => return None,
        [one] => (*one).clone(),
        _ if shapes.iter().any(|s| matches!(s, Shape::Raw(_))) => {
            w.add(
                id,
                format!("success answers differ ({}): read as bytes", listing(set)),
            );
            Shape::Raw(vec!["application/octet-stream".into()])
        }
        _ => {
            let schemas: Vec<&Value> = shapes
                .iter()
                .filter_map(|s| match s {
                    Shape::Json(s) => Some(s),
                    _ => None,
                })
                .collect();
            let nullable = shapes.contains(&&Shape::Empty);
            let mut schema = match schemas.as_slice() {
                [one] => (*one).clone(),
                many if many.iter().all(|s| s.get("$ref").is_some()) => {
                    json!({"oneOf": many})
                }
                _ => json!({}),
            };
            if nullable && schema != json!({}) {
                schema = match schema {
                    Value::Object(mut s) if !s.contains_key("$ref") => {
                        s.insert("nullable".into(), json!(true));
                        Value::Object(s)
                    }
                    other => json!({"allOf": [other], "nullable": true}),
                };
            }
            let typed = if schema == json!({}) {
                "any JSON".to_owned()
            } else if schemas.len() > 1 {
                "one of the JSON bodies".to_owned()
            } else {
                "the JSON body, or none".to_owned()
            };
            w.add(
                id,
                format!("success answers differ ({}): read as {typed}", listing(set)),
            );
            Shape::Json(schema)
        }
    };
    Some(shape_response(&merged, description))
}

fn merge_errors(id: &str, set: &[(String, Shape, String)], w: &mut Warnings) -> Option<Value> {
    let shapes = distinct(set);
    let description = description(set);
    let merged = match shapes.as_slice() {
        [] => return None,
        [one] => (*one).clone(),
        _ if shapes.iter().any(|s| matches!(s, Shape::Json(_))) => {
            w.add(
                id,
                format!("error answers differ ({}): read as any JSON", listing(set)),
            );
            Shape::Json(json!({}))
        }
        _ => {
            w.add(
                id,
                format!("error answers differ ({}): no body is read", listing(set)),
            );
            Shape::Empty
        }
    };
    Some(shape_response(&merged, description))
}

/// Whether progenitor's httpmock matcher can print a parameter of this
/// schema (`value.to_string()`): a string, number, integer or boolean, or
/// a value list of them.
fn displayable(doc: &Value, schema: &Value) -> bool {
    let Some(s) = resolve(doc, schema) else {
        return false;
    };
    if ["oneOf", "anyOf", "allOf", "not"]
        .iter()
        .any(|k| s.get(*k).is_some())
    {
        return false;
    }
    matches!(
        s.get("type").and_then(Value::as_str),
        Some("string" | "integer" | "number" | "boolean")
    )
}

/// The document the typed httpmock crate is generated from: progenitor
/// writes `value.to_string()` for every parameter matcher, which does not
/// compile for a list or an object. Such a query or header parameter gets
/// no typed matcher (a warning; httpmock's own `When` still matches it),
/// such a path parameter is matched as a string.
pub fn for_httpmock(spec: &Value, w: &mut Warnings) -> Value {
    let mut out = spec.clone();
    let mut unmockable = Vec::new();
    for (path, method, op) in operations_mut(&mut out) {
        let id = op
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        // A name twice in the path: progenitor's path matcher formats one
        // value into two places, which does not compile.
        let names = template_names(&path);
        if names.iter().collect::<HashSet<_>>().len() != names.len() {
            w.add(
                id.as_str(),
                "a path parameter named twice in the path: no typed httpmock mock",
            );
            unmockable.push((path, method));
            continue;
        }
        let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else {
            continue;
        };
        params.retain_mut(|p| {
            let schema = p.get("schema").cloned().unwrap_or(json!({}));
            if displayable(spec, &schema) {
                return true;
            }
            let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
            if p.get("in").and_then(Value::as_str) == Some("path") {
                if let Some(p) = p.as_object_mut() {
                    p.insert("schema".into(), json!({"type": "string"}));
                }
                return true;
            }
            w.add(
                id.as_str(),
                format!("parameter `{name}` is a list or an object: no typed httpmock matcher (httpmock's own `When` matches it)"),
            );
            false
        });
    }
    for (path, method) in unmockable {
        crate::safety::remove(&mut out, &path, &method);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn doc(paths: Value) -> Value {
        json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths,
               "components": {"schemas": {"A": {"type": "object"}, "B": {"type": "object"}}}})
    }

    fn warnings(w: &Warnings) -> Vec<String> {
        w.iter().map(|(s, c)| format!("{s}: {c}")).collect()
    }

    #[test]
    fn schemas_whose_rust_names_collide_are_renamed_with_their_refs() {
        let mut doc = json!({"openapi": "3.1.0", "paths": {"/a": {"get": {"operationId": "a",
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema":
            {"type": "array", "items": {"$ref": "#/components/schemas/String"}}}}}}}}},
        "components": {"schemas": {
            "string": {"type": "string"},
            "String": {"type": "object", "properties": {"s": {"$ref": "#/components/schemas/string"},
                "t": {"$ref": "#/components/schemas/String/properties/s"}}},
            "String2": {"type": "integer"},
            "foo_bar": {"type": "integer"}, "FooBar": {"type": "boolean"}
        }}});
        let mut w = Warnings::default();
        distinct_schema_names(&mut doc, &mut w);
        let schemas = &doc["components"]["schemas"];
        let names: Vec<&String> = schemas.as_object().unwrap().keys().collect();
        assert_eq!(
            names,
            ["FooBar", "String", "String2", "foo_bar2", "string3"]
        );
        assert_eq!(
            doc["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
                ["items"],
            json!({"$ref": "#/components/schemas/String"})
        );
        assert_eq!(
            schemas["String"]["properties"],
            json!({"s": {"$ref": "#/components/schemas/string3"}, "t": {"$ref": "#/components/schemas/String/properties/s"}})
        );
        let warned: Vec<String> = w.iter().map(|(s, m)| format!("{s}: {m}")).collect();
        assert_eq!(
            warned,
            [
                "schema foo_bar: its Rust type name `FooBar` is another schema's too: renamed `foo_bar2` (type `FooBar2`)",
                "schema string: its Rust type name `String` is another schema's too: renamed `string3` (type `String3`)",
            ]
        );
    }

    #[test]
    fn ids_are_derived_deduplicated_and_phased() {
        let mut d = doc(json!({
            "/v1/pets/{pet-id}": {"get": {"responses": {}}, "put": {"operationId": "getPet", "x-phase": "setup", "responses": {}}},
            "/v1/x": {"post": {"operationId": "get_pet", "x-phase": "setup", "x-retry": "never", "responses": {}}}
        }));
        let mut w = Warnings::default();
        identities(&mut d, &mut w);
        let p = &d["paths"];
        assert_eq!(
            p["/v1/pets/{pet-id}"]["get"]["operationId"],
            json!("get_v1_pets_pet_id")
        );
        assert_eq!(p["/v1/pets/{pet-id}"]["get"]["x-phase"], json!("edit"));
        assert_eq!(p["/v1/x"]["post"]["operationId"], json!("get_pet_2"));
        assert!(p["/v1/x"]["post"].get("x-retry").is_none());
        assert_eq!(
            warnings(&w),
            vec![
                "GET /v1/pets/{pet-id}: no operationId: named `get_v1_pets_pet_id`",
                "getPet: `{pet-id}` is in the path but not declared: a string path parameter",
                "get_pet: operationId repeats another as the Rust name `get_pet`: renamed `get_pet_2`",
                "get_pet_2: x-retry \"never\" is not one of [\"idempotent\", \"free_create\", \"paid\"]: derived from the method",
                "get_v1_pets_pet_id: `{pet-id}` is in the path but not declared: a string path parameter",
                "get_v1_pets_pet_id: no x-phase: put under `edit`",
            ]
        );
    }

    /// `op` as `POST /a/{id}`; an `id` parameter is declared unless `op`
    /// has parameters of its own.
    fn normalized(mut op: Value) -> (Value, Vec<String>, Vec<SetAside>) {
        if op.get("parameters").is_none() && op.get("x-no-id").is_none() {
            op["parameters"] = json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}]);
        }
        let mut d = doc(json!({"/a/{id}": {"post": op}}));
        let mut w = Warnings::default();
        let unsent = for_progenitor(&mut d, &mut w);
        let op = d
            .pointer("/paths/~1a~1{id}/post")
            .cloned()
            .unwrap_or(Value::Null);
        (op, warnings(&w), unsent)
    }

    #[test]
    fn parameters_are_made_typeable() {
        let (op, w, _) = normalized(json!({"operationId": "o", "parameters": [
            {"name": "id", "in": "path", "style": "label", "schema": {"type": "integer"}},
            {"name": "s", "in": "cookie", "schema": {"type": "string"}},
            {"name": "f", "in": "query", "style": "deepObject", "content": {"application/json": {"schema": {"type": "object"}}}},
            {"name": "F", "in": "query", "schema": {"type": "string"}},
            {"name": "ghost", "in": "path", "required": true, "schema": {"type": "string"}}
        ], "responses": {}}));
        assert_eq!(
            op["parameters"],
            json!([
                {"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}},
                {"name": "f", "in": "query", "schema": {"type": "object"}}
            ])
        );
        assert_eq!(
            w,
            vec![
                "o: cookie parameter `s`: not sent by the typed builder",
                "o: parameter `F` (query) has the Rust name `f` of another: left out of the typed builder",
                "o: parameter `f` given by `content`: typed by its schema",
                "o: path parameter `ghost` is not in the path: left out of the typed builder",
                "o: path parameter `id` has style `label`: sent in style `simple`",
                "o: query parameter `f` has style `deepObject`: sent in style `form`",
            ]
        );
    }

    #[test]
    fn a_list_in_the_path_is_a_string() {
        let (op, w, _) = normalized(json!({"operationId": "o", "parameters": [
            {"name": "id", "in": "path", "required": true, "schema": {"type": "array", "items": {"type": "integer"}}}
        ], "responses": {}}));
        assert_eq!(op["parameters"][0]["schema"], json!({"type": "string"}));
        assert_eq!(
            w,
            vec!["o: path parameter `id` is a list or an object: given as a string (as sent)"]
        );
    }

    #[test]
    fn constrained_string_parameters_are_sent_plain() {
        let (op, w, _) = normalized(json!({"operationId": "o", "parameters": [
            {"name": "id", "in": "path", "required": true, "schema": {"type": "string", "maxLength": 30, "pattern": "^[a-z]+$", "description": "d"}}
        ], "responses": {}}));
        assert_eq!(
            op["parameters"][0]["schema"],
            json!({"type": "string", "description": "d"})
        );
        assert!(w.is_empty());
    }

    #[test]
    fn undeclared_template_names_become_string_parameters() {
        let (op, w, _) = normalized(json!({"operationId": "o", "x-no-id": true, "responses": {}}));
        assert_eq!(
            op["parameters"],
            json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}])
        );
        assert_eq!(
            w,
            vec!["o: `{id}` is in the path but not declared: a string path parameter"]
        );
    }

    #[test]
    fn request_bodies_keep_one_sendable_media_type() {
        let (op, w, unsent) = normalized(json!({"operationId": "o", "requestBody": {"content": {
            "application/xml": {"schema": {"type": "object"}},
            "application/vnd.api+json": {"schema": {"$ref": "#/components/schemas/A"}, "encoding": {}}
        }}, "responses": {}}));
        assert_eq!(
            op["requestBody"],
            json!({"content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}})
        );
        assert_eq!(unsent.len(), 1);
        assert!(unsent[0].kept);
        assert_eq!(unsent[0].removed, vec!["application/xml".to_owned()]);
        assert_eq!(
            w,
            vec![
                "o: request body `application/vnd.api+json`: sent as application/json",
                "o: request body `encoding`: not applied",
                "o: request body in 2 media types: the typed builder sends `application/vnd.api+json` only",
            ]
        );
        let (op, _, _) = normalized(json!({"operationId": "o", "requestBody": {"content": {
            "application/octet-stream": {"schema": {"type": "string"}}}}, "responses": {}}));
        assert_eq!(
            op["requestBody"]["content"]["application/octet-stream"]["schema"],
            json!({"type": "string", "format": "binary"})
        );
        let (op, w, unsent) = normalized(json!({"operationId": "o", "requestBody": {"content": {
            "application/xml": {"schema": {"type": "object"}}}}, "responses": {}}));
        assert_eq!(op, Value::Null, "operation set aside");
        assert!(!unsent[0].kept);
        assert_eq!(
            w,
            vec![
                "o: request body application/xml: not sendable by the typed client; operation set aside (SET_ASIDE)"
            ]
        );
    }

    fn answers(responses: Value) -> (Value, Vec<String>) {
        let (op, w, _) = normalized(
            json!({"operationId": "o", "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}], "responses": responses}),
        );
        (op["responses"].clone(), w)
    }

    fn json_answer(schema: Value) -> Value {
        json!({"description": "d", "content": {"application/json": {"schema": schema}}})
    }

    #[test]
    fn differing_success_answers_become_one() {
        let a = json!({"$ref": "#/components/schemas/A"});
        let b = json!({"$ref": "#/components/schemas/B"});
        let (r, w) = answers(json!({"200": json_answer(a.clone()), "202": json_answer(b.clone())}));
        assert_eq!(
            r["2XX"]["content"]["application/json"]["schema"],
            json!({"oneOf": [a, b]})
        );
        assert_eq!(
            w,
            vec![
                "o: success answers differ (200: JSON A, 202: JSON B): read as one of the JSON bodies"
            ]
        );
        let (r, w) =
            answers(json!({"200": json_answer(a.clone()), "204": {"description": "none"}}));
        assert_eq!(
            r["2XX"]["content"]["application/json"]["schema"],
            json!({"allOf": [a], "nullable": true})
        );
        assert_eq!(
            w,
            vec![
                "o: success answers differ (200: JSON A, 204: no body): read as the JSON body, or none"
            ]
        );
        let (r, _) =
            answers(json!({"200": json_answer(json!({"type": "object"})), "201": json_answer(b)}));
        assert_eq!(r["2XX"]["content"]["application/json"]["schema"], json!({}));
        let (r, w) = answers(
            json!({"200": json_answer(a), "206": {"description": "part", "content": {"text/csv": {}}}}),
        );
        assert_eq!(
            r["2XX"]["content"],
            json!({"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}})
        );
        assert_eq!(
            w,
            vec!["o: success answers differ (200: JSON A, 206: text/csv): read as bytes"]
        );
    }

    #[test]
    fn differing_errors_default_and_schemaless_json() {
        let (r, w) = answers(json!({
            "200": {"description": "ok", "content": {"application/problem+json": {}}},
            "400": json_answer(json!({"$ref": "#/components/schemas/A"})),
            "404": {"description": "gone", "content": {"text/html": {}}}
        }));
        assert_eq!(
            r["2XX"]["content"],
            json!({"application/json": {"schema": {}}})
        );
        assert_eq!(
            r["4XX"]["content"],
            json!({"application/json": {"schema": {}}})
        );
        assert_eq!(r["4XX"], r["5XX"]);
        assert_eq!(
            w,
            vec!["o: error answers differ (400: JSON A, 404: text/html): read as any JSON"]
        );
        let (r, w) =
            answers(json!({"default": json_answer(json!({"$ref": "#/components/schemas/A"}))}));
        assert_eq!(r["2XX"], r["4XX"]);
        assert!(w.is_empty());
        let (r, _) = answers(json!({"200": {"description": "only"}}));
        assert_eq!(r, json!({"2XX": {"description": "only"}}));
    }

    /// Arbitrary JSON where operations, parameters, bodies and answers go:
    /// normalising never panics, whatever the document holds.
    #[test]
    fn arbitrary_documents_never_panic() {
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        fn value(next: &mut dyn FnMut() -> u64, depth: u32) -> Value {
            let keys = [
                "$ref",
                "name",
                "in",
                "schema",
                "content",
                "required",
                "style",
                "type",
                "properties",
                "items",
                "oneOf",
                "allOf",
                "nullable",
                "enum",
                "description",
                "application/json",
                "text/plain",
                "200",
                "204",
                "4XX",
                "default",
                "path",
                "query",
                "header",
                "cookie",
                "#/components/schemas/A",
                "#/nowhere",
            ];
            match (next() % if depth > 3 { 5 } else { 8 }, next()) {
                (0, _) => Value::Null,
                (1, n) => json!(n % 2 == 0),
                (2, n) => json!(n % 1000),
                (3 | 4, n) => json!(keys[(n % keys.len() as u64) as usize]),
                (5 | 6, n) => {
                    let mut m = Map::new();
                    for _ in 0..(n % 5) {
                        let k = keys[(next() % keys.len() as u64) as usize];
                        m.insert(k.to_owned(), value(next, depth + 1));
                    }
                    Value::Object(m)
                }
                (_, n) => Value::Array((0..n % 4).map(|_| value(next, depth + 1)).collect()),
            }
        }
        for _ in 0..2000 {
            let op = value(&mut next, 0);
            let mut d = doc(
                json!({"/a/{id}": {"post": op, "parameters": value(&mut next, 1)}, "/b": value(&mut next, 0)}),
            );
            d["components"]["responses"] = value(&mut next, 1);
            let mut w = Warnings::default();
            identities(&mut d, &mut w);
            for_progenitor(&mut d, &mut w);
            for_httpmock(&d, &mut w);
        }
    }
}
