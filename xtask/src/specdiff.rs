//! What changed between two OpenAPI documents, for `cargo xtask fetch`.
//!
//! [`diff`] compares the operations of two documents (OpenAPI 3.0 or 3.1,
//! as `serde_json::Value`) and classifies each change as breaking for
//! genpro-api's users or not, with a one-line reason. Pure functions, no I/O.
//!
//! Operations are keyed by `operationId` (one without is keyed by
//! `METHOD path`). Per operation it compares the parameters (location,
//! required, type, enum values), the request body (presence, required,
//! media type, fields) and the first 2xx response (fields). Fields are
//! found by following local `$ref`s (`#/components/...`), `allOf`, array
//! items, map values and `oneOf`/`anyOf` variants, with a guard against
//! cycles; a field is named by its path (`data.prompt`, `[].id`,
//! `(TextGenerateRequest).data` for a variant).
//!
//! Types compare the same in 3.0 and 3.1: `type: [string, 'null']`,
//! `anyOf: [X, {type: 'null'}]` and `nullable: true` are all "nullable",
//! and `const` is a one-value enum. A type is named as genpro-api sees it:
//! a `$ref` by its schema name, an array as `[items]`, a format in
//! parentheses (`integer(int64)`), an inline value list as `string enum`.

use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::transform::METHODS;

/// Fields deeper than this are not compared (a guard on top of the cycle
/// guard, for very deep documents).
const MAX_DEPTH: usize = 24;

/// What happened to an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The operation is new.
    Added,
    /// The operation is gone.
    Removed,
    /// The operation is in both documents (or was renamed) and differs.
    Changed,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Added => "added",
            Kind::Removed => "removed",
            Kind::Changed => "changed",
        }
    }
}

/// One change of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Added, removed or changed operation.
    pub kind: Kind,
    /// The operation's key: its `operationId`, or `METHOD path`.
    pub operation: String,
    /// What changed (`GET /v1/x` for an added or removed operation).
    pub detail: String,
    /// Whether code using genpro-api may stop compiling or start failing.
    pub breaking: bool,
    /// Why it is (or is not) breaking, one line.
    pub reason: String,
}

impl Change {
    /// The report line: `+ op GET /x — …`, `- op … — BREAKING: …` or
    /// `~ op: detail — …`.
    pub fn line(&self) -> String {
        let verdict = if self.breaking {
            "BREAKING"
        } else {
            "not breaking"
        };
        let head = match self.kind {
            Kind::Added | Kind::Removed if self.detail.is_empty() => {
                format!("{} {}", self.sign(), self.operation)
            }
            Kind::Added | Kind::Removed => {
                format!("{} {} {}", self.sign(), self.operation, self.detail)
            }
            Kind::Changed => format!("~ {}: {}", self.operation, self.detail),
        };
        format!("{head} — {verdict}: {}", self.reason)
    }

    fn sign(&self) -> char {
        match self.kind {
            Kind::Added => '+',
            Kind::Removed => '-',
            Kind::Changed => '~',
        }
    }
}

/// Every change between two documents: added operations first, then
/// removed ones, then changed ones (each group by operation key).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The changes, in report order.
    pub changes: Vec<Change>,
}

impl Report {
    fn count(&self, kind: Kind) -> usize {
        self.changes.iter().filter(|c| c.kind == kind).count()
    }

    /// Number of operations changed (several changes of one operation
    /// count once).
    fn changed_operations(&self) -> usize {
        self.changes
            .iter()
            .filter(|c| c.kind == Kind::Changed)
            .map(|c| c.operation.as_str())
            .collect::<BTreeSet<_>>()
            .len()
    }

    fn breaking(&self) -> usize {
        self.changes.iter().filter(|c| c.breaking).count()
    }

    /// `N added, M removed, K changed (B breaking)`: operations added,
    /// removed and changed, and the number of breaking changes (lines).
    pub fn summary(&self) -> String {
        format!(
            "{} added, {} removed, {} changed ({} breaking)",
            self.count(Kind::Added),
            self.count(Kind::Removed),
            self.changed_operations(),
            self.breaking()
        )
    }

    /// The report as JSON: `{summary: {added, removed, changed, breaking},
    /// changes: [{kind, operation, detail, breaking, reason}]}`.
    pub fn to_json(&self) -> Value {
        let changes: Vec<Value> = self
            .changes
            .iter()
            .map(|c| {
                json!({
                    "kind": c.kind.as_str(),
                    "operation": c.operation,
                    "detail": c.detail,
                    "breaking": c.breaking,
                    "reason": c.reason,
                })
            })
            .collect();
        json!({
            "summary": {
                "added": self.count(Kind::Added),
                "removed": self.count(Kind::Removed),
                "changed": self.changed_operations(),
                "breaking": self.breaking(),
            },
            "changes": changes,
        })
    }
}

impl fmt::Display for Report {
    /// Grouped lines (added, removed, changed operations), then the summary.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let groups = [
            (Kind::Added, "Added operations"),
            (Kind::Removed, "Removed operations"),
            (Kind::Changed, "Changed operations"),
        ];
        for (kind, title) in groups {
            let lines: Vec<String> = self
                .changes
                .iter()
                .filter(|c| c.kind == kind)
                .map(Change::line)
                .collect();
            if lines.is_empty() {
                continue;
            }
            let n = match kind {
                Kind::Changed => self.changed_operations(),
                _ => lines.len(),
            };
            writeln!(f, "{title} ({n}):")?;
            for line in lines {
                writeln!(f, "  {line}")?;
            }
        }
        if self.changes.is_empty() {
            writeln!(f, "no operation changed")?;
        }
        writeln!(f, "{}", self.summary())
    }
}

/// Compare two OpenAPI documents (3.0 or 3.1): what a user of the client
/// generated from `old` sees change when it is regenerated from `new`.
pub fn diff(old: &Value, new: &Value) -> Report {
    let old_ops = operations(old);
    let new_ops = operations(new);
    let mut added: Vec<&String> = new_ops
        .keys()
        .filter(|k| !old_ops.contains_key(*k))
        .collect();
    let mut removed: Vec<&String> = old_ops
        .keys()
        .filter(|k| !new_ops.contains_key(*k))
        .collect();

    // A removed and an added operation on the same method and path: renamed.
    let mut renamed: Vec<(&String, &String)> = Vec::new();
    removed.retain(|r| {
        let o = &old_ops[*r];
        let same = |a: &&String| new_ops[*a].method == o.method && new_ops[*a].path == o.path;
        match added.iter().position(same) {
            Some(i) => {
                renamed.push((r, added.remove(i)));
                false
            }
            None => true,
        }
    });

    let mut changes = Vec::new();
    for key in added {
        let op = &new_ops[key];
        changes.push(Change {
            kind: Kind::Added,
            operation: key.clone(),
            detail: op.endpoint_detail(),
            breaking: false,
            reason: if op.has_id {
                format!("a new builder method `{key}`")
            } else {
                "a new operation".into()
            },
        });
    }
    for key in removed {
        let op = &old_ops[key];
        changes.push(Change {
            kind: Kind::Removed,
            operation: key.clone(),
            detail: op.endpoint_detail(),
            breaking: true,
            reason: if op.has_id {
                format!("its builder method `{key}` disappears")
            } else {
                "the operation disappears".into()
            },
        });
    }

    let mut changed: Vec<(&String, &Op, &Op, Option<&String>)> = old_ops
        .iter()
        .filter_map(|(k, o)| new_ops.get(k).map(|n| (k, o, n, None)))
        .collect();
    for (old_key, new_key) in renamed {
        changed.push((new_key, &old_ops[old_key], &new_ops[new_key], Some(old_key)));
    }
    changed.sort_by(|a, b| a.0.cmp(b.0));
    for (key, o, n, renamed_from) in changed {
        let mut found = Vec::new();
        if let Some(old_key) = renamed_from {
            found.push(Found::yes(
                format!("renamed from `{old_key}` ({})", o.endpoint()),
                format!("the builder method `{old_key}` disappears"),
            ));
        } else if o.method != n.method || o.path != n.path {
            found.push(Found::no(
                format!("moved `{}` → `{}`", o.endpoint(), n.endpoint()),
                "the builder method keeps its name and arguments; note: it now calls the new endpoint",
            ));
        }
        diff_params(old, new, o, n, &mut found);
        diff_request(old, new, o.op, n.op, &mut found);
        diff_response(old, new, o.op, n.op, &mut found);
        changes.extend(found.into_iter().map(|f| Change {
            kind: Kind::Changed,
            operation: key.clone(),
            detail: f.detail,
            breaking: f.breaking,
            reason: f.reason,
        }));
    }
    Report { changes }
}

/// One change found inside an operation.
struct Found {
    detail: String,
    breaking: bool,
    reason: String,
}

impl Found {
    fn new(detail: impl Into<String>, breaking: bool, reason: impl Into<String>) -> Found {
        Found {
            detail: detail.into(),
            breaking,
            reason: reason.into(),
        }
    }
    fn yes(detail: impl Into<String>, reason: impl Into<String>) -> Found {
        Found::new(detail, true, reason)
    }
    fn no(detail: impl Into<String>, reason: impl Into<String>) -> Found {
        Found::new(detail, false, reason)
    }
}

// ---------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------

/// One operation of a document.
struct Op<'a> {
    method: String,
    path: &'a str,
    item: &'a Value,
    op: &'a Value,
    has_id: bool,
}

impl Op<'_> {
    fn endpoint(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
    /// `METHOD path` after the key, unless the key is that already.
    fn endpoint_detail(&self) -> String {
        if self.has_id {
            self.endpoint()
        } else {
            String::new()
        }
    }
}

/// The operations of a document by key (`operationId`, or `METHOD path`).
fn operations(doc: &Value) -> BTreeMap<String, Op<'_>> {
    let mut out = BTreeMap::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        for method in METHODS {
            let Some(op) = item.get(method).filter(|o| o.is_object()) else {
                continue;
            };
            let method = method.to_uppercase();
            let id = op.get("operationId").and_then(Value::as_str);
            let key = id.map_or_else(|| format!("{method} {path}"), str::to_string);
            out.entry(key).or_insert(Op {
                method,
                path,
                item,
                op,
                has_id: id.is_some(),
            });
        }
    }
    out
}

/// Resolve a local `$ref` (`#/components/...`) chain; `None` when it
/// points outside the document, nowhere, or in a circle.
fn resolve<'a>(doc: &'a Value, v: &'a Value) -> Option<&'a Value> {
    let mut v = v;
    for _ in 0..32 {
        match v.get("$ref").and_then(Value::as_str) {
            Some(r) => v = doc.pointer(r.strip_prefix('#')?)?,
            None => return Some(v),
        }
    }
    None
}

/// The last segment of a `$ref`: the schema's name.
fn ref_name(r: &str) -> &str {
    r.rsplit('/').next().unwrap_or(r)
}

// ---------------------------------------------------------------------------
// types
// ---------------------------------------------------------------------------

/// A type as genpro-api sees it: a name and whether null is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ty {
    name: String,
    nullable: bool,
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.nullable {
            write!(f, "{} | null", self.name)
        } else {
            f.write_str(&self.name)
        }
    }
}

fn is_null_schema(s: &Value) -> bool {
    match s.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(ts)) => ts.len() == 1 && ts[0] == "null",
        _ => false,
    }
}

/// A schema that is only a type (no structure): a union of these is a
/// type union (`integer | string`), not a set of variants.
fn is_bare_type(s: &Value) -> bool {
    s.get("type").is_some()
        && [
            "$ref",
            "properties",
            "items",
            "allOf",
            "anyOf",
            "oneOf",
            "enum",
            "const",
            "x-extensible-enum",
            "additionalProperties",
        ]
        .iter()
        .all(|k| s.get(k).is_none())
}

/// The non-null branches of a `oneOf`/`anyOf`, and whether a null branch
/// was there.
fn union(s: &Value) -> Option<(&'static str, Vec<&Value>, bool)> {
    ["oneOf", "anyOf"].into_iter().find_map(|key| {
        let alts = s.get(key)?.as_array()?;
        let rest: Vec<&Value> = alts.iter().filter(|a| !is_null_schema(a)).collect();
        let had_null = rest.len() != alts.len();
        Some((key, rest, had_null))
    })
}

fn has_enum(s: &Value) -> bool {
    ["enum", "const", "x-extensible-enum"]
        .iter()
        .any(|k| s.get(k).is_some())
}

/// The type of a schema, without looking inside `$ref`s.
fn ty(s: &Value) -> Ty {
    let mut nullable = s.get("nullable") == Some(&Value::Bool(true));
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        return Ty {
            name: ref_name(r).to_string(),
            nullable,
        };
    }
    if let Some((key, rest, had_null)) = union(s) {
        nullable |= had_null;
        if rest.len() == 1 {
            let inner = ty(rest[0]);
            return Ty {
                name: inner.name,
                nullable: nullable || inner.nullable,
            };
        }
        if rest.iter().all(|a| is_bare_type(a)) {
            return Ty {
                name: type_union(rest.iter().map(|a| ty(a).to_string())),
                nullable,
            };
        }
        return Ty {
            name: key.to_string(),
            nullable,
        };
    }
    if let Some(alts) = s.get("allOf").and_then(Value::as_array) {
        if let [one] = alts.as_slice() {
            let inner = ty(one);
            return Ty {
                name: inner.name,
                nullable: nullable || inner.nullable,
            };
        }
        return Ty {
            name: "allOf".into(),
            nullable,
        };
    }
    let types: Vec<&str> = match s.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let non_null: Vec<&str> = types.iter().copied().filter(|t| *t != "null").collect();
    nullable |= non_null.len() != types.len();
    let mut name = match non_null.as_slice() {
        [] if s.get("properties").is_some() => "object".to_string(),
        [] if s.get("items").is_some() => format!("[{}]", ty(&s["items"])),
        [] => "any".to_string(),
        ["array"] => match s.get("items") {
            Some(items) => format!("[{}]", ty(items)),
            None => "[any]".to_string(),
        },
        [one] => match format(s) {
            Some(format) => format!("{one}({format})"),
            None => one.to_string(),
        },
        many => type_union(many.iter().map(|t| t.to_string())),
    };
    if has_enum(s) {
        name.push_str(" enum");
    }
    Ty { name, nullable }
}

/// `format`, or what the 3.0 form of the schema (which genpro-api is
/// generated from) has: `contentEncoding: base64` is `byte`, any
/// `contentMediaType` is `binary`.
fn format(s: &Value) -> Option<&str> {
    s.get("format").and_then(Value::as_str).or_else(|| {
        if s.get("contentEncoding").is_some_and(|e| e == "base64") {
            Some("byte")
        } else {
            s.get("contentMediaType").map(|_| "binary")
        }
    })
}

fn type_union(names: impl Iterator<Item = String>) -> String {
    let names: BTreeSet<String> = names.collect();
    names.into_iter().collect::<Vec<_>>().join(" | ")
}

/// The value list of a schema (through `$ref`s and nullable wrappers):
/// `enum`, `x-extensible-enum` or `const`, without null.
fn enum_values(doc: &Value, s: &Value) -> Option<BTreeSet<String>> {
    let mut s = s;
    for _ in 0..32 {
        s = resolve(doc, s)?;
        let next = match union(s) {
            Some((_, rest, _)) if rest.len() == 1 => rest[0],
            _ => match s.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
                Some([one]) => one,
                _ => break,
            },
        };
        if has_enum(s) {
            break;
        }
        s = next;
    }
    let values: Vec<&Value> = if let Some(c) = s.get("const") {
        vec![c]
    } else {
        s.get("enum")
            .or_else(|| s.get("x-extensible-enum"))?
            .as_array()?
            .iter()
            .collect()
    };
    Some(
        values
            .into_iter()
            .filter(|v| !v.is_null())
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect(),
    )
}

// ---------------------------------------------------------------------------
// fields
// ---------------------------------------------------------------------------

/// One field of a body: its type, required-ness and value list.
#[derive(Debug, Clone, PartialEq)]
struct Field {
    ty: Ty,
    required: bool,
    values: Option<BTreeSet<String>>,
    parent: Option<String>,
}

/// The fields of a body schema by path (`""` is the body itself).
fn fields(doc: &Value, schema: &Value) -> BTreeMap<String, Field> {
    let mut w = Walker {
        doc,
        stack: Vec::new(),
        out: BTreeMap::new(),
    };
    w.field(schema, String::new(), true, None, 0);
    w.out
}

struct Walker<'a> {
    doc: &'a Value,
    /// The `$ref`s being walked through (the cycle guard).
    stack: Vec<&'a str>,
    out: BTreeMap<String, Field>,
}

/// What a schema holds, merged over `$ref`s, `allOf` and nullable wrappers.
#[derive(Default)]
struct Parts<'a> {
    props: Vec<(&'a str, &'a Value)>,
    required: BTreeSet<&'a str>,
    items: Option<&'a Value>,
    additional: Option<&'a Value>,
    variants: Vec<(String, &'a Value)>,
    refs: Vec<&'a str>,
}

impl<'a> Walker<'a> {
    fn field(
        &mut self,
        s: &'a Value,
        path: String,
        required: bool,
        parent: Option<String>,
        depth: usize,
    ) {
        if self.out.contains_key(&path) {
            return;
        }
        let field = Field {
            ty: ty(s),
            required,
            values: enum_values(self.doc, s),
            parent,
        };
        self.out.insert(path.clone(), field);
        if depth < MAX_DEPTH {
            self.children(s, &path, depth + 1);
        }
    }

    fn children(&mut self, s: &'a Value, path: &str, depth: usize) {
        let mut parts = Parts::default();
        self.gather(s, &mut parts);
        let height = self.stack.len();
        self.stack.extend(parts.refs.iter().copied());
        let join = |name: &str| {
            if path.is_empty() {
                name.to_string()
            } else {
                format!("{path}.{name}")
            }
        };
        let parent = Some(path.to_string());
        for (name, sub) in parts.props {
            let required = parts.required.contains(name);
            self.field(sub, join(name), required, parent.clone(), depth);
        }
        if let Some(items) = parts.items {
            self.field(items, format!("{path}[]"), true, parent.clone(), depth);
        }
        if let Some(values) = parts.additional {
            self.field(values, join("*"), false, parent.clone(), depth);
        }
        for (label, variant) in parts.variants {
            let vpath = format!("{path}({label})");
            self.field(variant, vpath, true, parent.clone(), depth);
        }
        self.stack.truncate(height);
    }

    fn gather(&self, s: &'a Value, parts: &mut Parts<'a>) {
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            if self.stack.contains(&r) || parts.refs.contains(&r) {
                return;
            }
            parts.refs.push(r);
            if let Some(target) = r.strip_prefix('#').and_then(|p| self.doc.pointer(p)) {
                self.gather(target, parts);
            }
            return;
        }
        if let Some(props) = s.get("properties").and_then(Value::as_object) {
            for (name, sub) in props {
                if !parts.props.iter().any(|(n, _)| n == name) {
                    parts.props.push((name, sub));
                }
            }
        }
        if let Some(req) = s.get("required").and_then(Value::as_array) {
            parts.required.extend(req.iter().filter_map(Value::as_str));
        }
        if parts.items.is_none() {
            parts.items = s.get("items").filter(|i| i.is_object());
        }
        if parts.additional.is_none() {
            parts.additional = s.get("additionalProperties").filter(|a| a.is_object());
        }
        for branch in s
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.gather(branch, parts);
        }
        if let Some((_, rest, _)) = union(s) {
            if let [one] = rest.as_slice() {
                self.gather(one, parts);
            } else if !rest.iter().all(|a| is_bare_type(a)) {
                for (i, v) in rest.into_iter().enumerate() {
                    let label = match v.get("$ref").and_then(Value::as_str) {
                        Some(r) => ref_name(r).to_string(),
                        None => format!("#{i}"),
                    };
                    parts.variants.push((label, v));
                }
            }
        }
    }
}

/// Which side of the wire a body is on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Request,
    Response,
}

fn describe(side: Side, path: &str) -> String {
    let side = match side {
        Side::Request => "request",
        Side::Response => "response",
    };
    if path.is_empty() {
        format!("{side} body")
    } else if is_variant(path) {
        format!("{side} variant `{path}`")
    } else {
        format!("{side} field `{path}`")
    }
}

/// A `oneOf`/`anyOf` variant's path ends with its label in parentheses.
fn is_variant(path: &str) -> bool {
    path.ends_with(')')
}

fn required_word(required: bool) -> &'static str {
    if required { "required" } else { "optional" }
}

/// Compare the fields of two bodies.
fn diff_fields(
    side: Side,
    old: &BTreeMap<String, Field>,
    new: &BTreeMap<String, Field>,
    found: &mut Vec<Found>,
) {
    // A field under an added or removed parent is not reported by itself.
    let parent_in = |f: &Field, other: &BTreeMap<String, Field>| {
        f.parent.as_ref().is_none_or(|p| other.contains_key(p))
    };
    let paths: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for path in paths {
        let what = describe(side, path);
        match (old.get(path), new.get(path)) {
            (None, Some(_)) if is_variant(path) => {
                found.push(Found::no(format!("{what} added"), "a new variant"));
            }
            (None, Some(n)) if parent_in(n, old) => {
                let detail = format!("{what} added, {}", required_word(n.required));
                found.push(match side {
                    Side::Request if n.required => Found::yes(
                        detail,
                        "body builders that compiled now fail at run time with a missing field",
                    ),
                    Side::Request => Found::no(detail, "a new optional field"),
                    Side::Response => Found::no(detail, "a new field; old code ignores it"),
                });
            }
            (Some(o), None) if parent_in(o, new) => {
                let detail = format!("{what} removed");
                found.push(match side {
                    Side::Request => Found::yes(
                        detail,
                        "it disappears from the Rust type; code that sets it no longer compiles",
                    ),
                    Side::Response => Found::yes(detail, "code reading it no longer compiles"),
                });
            }
            (Some(o), Some(n)) => {
                // A type change under a parent whose type changed is the parent's.
                let parent_retyped = n.parent.as_ref().is_some_and(
                    |p| matches!((old.get(p), new.get(p)), (Some(a), Some(b)) if a.ty != b.ty),
                );
                changed_field(side, path, &what, (o, n), parent_retyped, found);
            }
            _ => {}
        }
    }
}

fn changed_field(
    side: Side,
    path: &str,
    what: &str,
    (o, n): (&Field, &Field),
    parent_retyped: bool,
    found: &mut Vec<Found>,
) {
    if o.ty != n.ty && !parent_retyped {
        let detail = format!("{what} type `{}` → `{}`", o.ty, n.ty);
        let widened = o.ty.name == n.ty.name && !o.ty.nullable && n.ty.nullable;
        found.push(match side {
            Side::Request if widened => {
                Found::no(detail, "its setter still accepts every old value")
            }
            Side::Request => Found::yes(detail, "its setter takes a different type"),
            Side::Response => Found::yes(detail, "code reading it sees a different type"),
        });
    }
    if o.required != n.required && !path.is_empty() {
        let detail = format!("{what} now {}", required_word(n.required));
        let nullable = o.ty.nullable && n.ty.nullable;
        found.push(match (side, n.required) {
            (Side::Request, true) => Found::yes(
                detail,
                "builders that leave it out compile but fail at run time",
            ),
            (Side::Request, false) => Found::no(detail, "code that sets it still compiles"),
            (Side::Response, _) if nullable => {
                Found::no(detail, "it is nullable: its Rust type stays `Option<_>`")
            }
            (Side::Response, true) => Found::yes(detail, "its Rust type loses its `Option<_>`"),
            (Side::Response, false) => Found::yes(detail, "its Rust type becomes `Option<_>`"),
        });
    }
    enum_changes(side, what, o.values.as_ref(), n.values.as_ref(), found);
}

fn enum_changes(
    side: Side,
    what: &str,
    old: Option<&BTreeSet<String>>,
    new: Option<&BTreeSet<String>>,
    found: &mut Vec<Found>,
) {
    let (Some(old), Some(new)) = (old, new) else {
        return;
    };
    for v in old.difference(new) {
        let detail = format!("{what} enum value `{v}` removed");
        found.push(match side {
            Side::Request => Found::yes(
                detail,
                "its variant disappears from the Rust enum; code that sends it no longer compiles",
            ),
            Side::Response => Found::no(
                detail,
                "the server no longer sends it; every answer still decodes",
            ),
        });
    }
    for v in new.difference(old) {
        let detail = format!("{what} enum value `{v}` added");
        found.push(match side {
            Side::Request => Found::no(detail, "a new variant"),
            Side::Response => Found::no(
                detail,
                "genpro-api's response enums are open (`Other(String)`): it decoded before",
            ),
        });
    }
}

// ---------------------------------------------------------------------------
// parameters
// ---------------------------------------------------------------------------

/// One parameter: where, required, type, value list.
struct Param {
    location: String,
    required: bool,
    ty: Ty,
    values: Option<BTreeSet<String>>,
}

/// The parameters of an operation (path item's, overridden by the
/// operation's) by `(name, in)`.
fn params(doc: &Value, op: &Op) -> BTreeMap<(String, String), Param> {
    let mut out = BTreeMap::new();
    let lists = [op.item.get("parameters"), op.op.get("parameters")];
    for p in lists
        .into_iter()
        .flatten()
        .filter_map(Value::as_array)
        .flatten()
    {
        let Some(p) = resolve(doc, p) else { continue };
        let (Some(name), Some(location)) = (
            p.get("name").and_then(Value::as_str),
            p.get("in").and_then(Value::as_str),
        ) else {
            continue;
        };
        let schema = p.get("schema").or_else(|| {
            p.get("content")?
                .as_object()?
                .values()
                .next()?
                .get("schema")
        });
        let null = Value::Null;
        let schema = schema.unwrap_or(&null);
        let values = enum_values(doc, schema).or_else(|| {
            let items = resolve(doc, schema)?.get("items")?;
            enum_values(doc, items)
        });
        out.insert(
            (name.to_string(), location.to_string()),
            Param {
                location: location.to_string(),
                required: location == "path" || p.get("required") == Some(&Value::Bool(true)),
                ty: ty(schema),
                values,
            },
        );
    }
    out
}

fn diff_params(old_doc: &Value, new_doc: &Value, o: &Op, n: &Op, found: &mut Vec<Found>) {
    let old = params(old_doc, o);
    let mut new = params(new_doc, n);
    for ((name, location), op) in &old {
        let label = format!("param `{name}` ({location})");
        let key = (name.clone(), location.clone());
        let np = match new.remove(&key) {
            Some(np) => np,
            None => {
                // Same name elsewhere: moved.
                let moved = new
                    .keys()
                    .find(|(nn, nl)| nn == name && !old.contains_key(&(nn.clone(), nl.clone())))
                    .cloned();
                match moved.and_then(|k| new.remove(&k)) {
                    Some(np) => {
                        found.push(Found::no(
                            format!("param `{name}` moved {location} → {}", np.location),
                            "the builder method keeps its name and type",
                        ));
                        np
                    }
                    None => {
                        found.push(Found::yes(
                            format!("{label} removed"),
                            "its builder method disappears",
                        ));
                        continue;
                    }
                }
            }
        };
        if op.ty != np.ty {
            let detail = format!("{label} type `{}` → `{}`", op.ty, np.ty);
            let widened = op.ty.name == np.ty.name && !op.ty.nullable && np.ty.nullable;
            found.push(if widened {
                Found::no(detail, "its builder method still accepts every old value")
            } else {
                Found::yes(detail, "its builder method takes a different type")
            });
        }
        if op.required != np.required {
            let detail = format!("{label} now {}", required_word(np.required));
            found.push(if np.required {
                Found::yes(
                    detail,
                    "calls that leave it out compile but fail at run time",
                )
            } else {
                Found::no(detail, "calls that set it still compile")
            });
        }
        enum_changes(
            Side::Request,
            &label,
            op.values.as_ref(),
            np.values.as_ref(),
            found,
        );
    }
    for ((name, location), np) in new {
        let detail = format!(
            "param `{name}` ({location}) added, {}",
            required_word(np.required)
        );
        found.push(if np.required {
            Found::yes(
                detail,
                format!("builder calls that compiled now fail at run time: `{name}` is missing"),
            )
        } else {
            Found::no(detail, "a new optional builder method")
        });
    }
}

// ---------------------------------------------------------------------------
// bodies
// ---------------------------------------------------------------------------

/// The media type and schema of a content map: JSON first, else the first.
fn content_schema(content: Option<&Value>) -> Option<(&str, &Value)> {
    let content = content?.as_object()?;
    let (media, body) = content
        .iter()
        .find(|(m, _)| m.as_str() == "application/json")
        .or_else(|| content.iter().find(|(m, _)| m.ends_with("+json")))
        .or_else(|| content.iter().next())?;
    Some((media.as_str(), body.get("schema")?))
}

/// An operation's request body: required, and its media type and schema.
type Body<'a> = (bool, Option<(&'a str, &'a Value)>);

fn request_body<'a>(doc: &'a Value, op: &'a Value) -> Option<Body<'a>> {
    let b = resolve(doc, op.get("requestBody")?)?;
    let required = b.get("required") == Some(&Value::Bool(true));
    Some((required, content_schema(b.get("content"))))
}

fn diff_request(old_doc: &Value, new_doc: &Value, o: &Value, n: &Value, found: &mut Vec<Found>) {
    let (ob, nb) = (request_body(old_doc, o), request_body(new_doc, n));
    match (ob, nb) {
        (None, None) => {}
        (None, Some((required, _))) => {
            let detail = format!("request body added, {}", required_word(required));
            found.push(if required {
                Found::yes(
                    detail,
                    "calls that compiled now fail at run time without a body",
                )
            } else {
                Found::no(detail, "a new optional `body` builder method")
            });
        }
        (Some(_), None) => found.push(Found::yes(
            "request body removed",
            "its `body` builder method disappears",
        )),
        (Some((or, oc)), Some((nr, nc))) => {
            if or != nr {
                let detail = format!("request body now {}", required_word(nr));
                found.push(if nr {
                    Found::yes(detail, "calls without a body compile but fail at run time")
                } else {
                    Found::no(detail, "calls that send one still compile")
                });
            }
            if let (Some((om, os)), Some((nm, ns))) = (oc, nc) {
                if om != nm {
                    found.push(Found::yes(
                        format!("request body media type `{om}` → `{nm}`"),
                        "genpro-api builds and sends this body differently",
                    ));
                }
                let (of, nf) = (fields(old_doc, os), fields(new_doc, ns));
                diff_fields(Side::Request, &of, &nf, found);
            }
        }
    }
}

/// The first 2xx response of an operation: status and body schema.
fn success<'a>(doc: &'a Value, op: &'a Value) -> Option<(&'a str, Option<&'a Value>)> {
    let responses = op.get("responses")?.as_object()?;
    let (status, resp) = responses
        .iter()
        .filter(|(s, _)| s.starts_with('2'))
        .min_by(|a, b| a.0.cmp(b.0))?;
    let resp = resolve(doc, resp)?;
    Some((
        status.as_str(),
        content_schema(resp.get("content")).map(|(_, s)| s),
    ))
}

fn diff_response(old_doc: &Value, new_doc: &Value, o: &Value, n: &Value, found: &mut Vec<Found>) {
    let (Some((os, ob)), Some((ns, nb))) = (success(old_doc, o), success(new_doc, n)) else {
        return;
    };
    if os != ns {
        found.push(Found::no(
            format!("success status `{os}` → `{ns}`"),
            "genpro-api accepts the new status like the old one",
        ));
    }
    match (ob, nb) {
        (None, None) => {}
        (None, Some(_)) => found.push(Found::no(
            "response body added",
            "calls still compile; the answer now carries a value",
        )),
        (Some(_), None) => found.push(Found::yes(
            "response body removed",
            "code reading the answer no longer compiles",
        )),
        (Some(os), Some(ns)) => {
            let (of, nf) = (fields(old_doc, os), fields(new_doc, ns));
            diff_fields(Side::Response, &of, &nf, found);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    /// A document with the given paths and component schemas.
    fn doc(paths: Value, schemas: Value) -> Value {
        json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": paths,
            "components": {"schemas": schemas},
        })
    }

    fn lines(old: &Value, new: &Value) -> Vec<String> {
        diff(old, new).changes.iter().map(Change::line).collect()
    }

    fn get(id: &str) -> Value {
        json!({"operationId": id, "responses": {"200": {"description": "ok"}}})
    }

    /// One GET operation `op` on /v1/x with these parameters.
    fn with_params(params: Value) -> Value {
        doc(
            json!({"/v1/x": {"get": {
                "operationId": "op",
                "parameters": params,
                "responses": {"200": {"description": "ok"}},
            }}}),
            json!({}),
        )
    }

    /// One POST operation `op` with this request body schema.
    fn with_body(schema: Value, schemas: Value) -> Value {
        doc(
            json!({"/v1/x": {"post": {
                "operationId": "op",
                "requestBody": {"required": true, "content": {"application/json": {"schema": schema}}},
                "responses": {"200": {"description": "ok"}},
            }}}),
            schemas,
        )
    }

    /// One GET operation `op` whose 200 answer has this schema.
    fn with_answer(schema: Value, schemas: Value) -> Value {
        doc(
            json!({"/v1/x": {"get": {
                "operationId": "op",
                "responses": {
                    "200": {"description": "ok", "content": {"application/json": {"schema": schema}}},
                    "404": {"description": "no", "content": {"application/json": {"schema": {"type": "string"}}}},
                },
            }}}),
            schemas,
        )
    }

    #[test]
    fn identical_documents_have_no_changes() {
        let d = with_body(
            json!({"$ref": "#/components/schemas/A"}),
            json!({"A": {"type": "object"}}),
        );
        let report = diff(&d, &d);
        assert_eq!(report, Report::default());
        assert_eq!(
            report.to_string(),
            "no operation changed\n0 added, 0 removed, 0 changed (0 breaking)\n"
        );
    }

    #[test]
    fn operations_added_and_removed() {
        let old = doc(
            json!({"/v1/old": {"get": get("old_op")}, "/v1/y": {"delete": {}}}),
            json!({}),
        );
        let new = doc(
            json!({"/v1/x": {"get": get("get_x")}, "/v1/z": {"put": {}}}),
            json!({}),
        );
        assert_eq!(
            lines(&old, &new),
            [
                "+ PUT /v1/z — not breaking: a new operation",
                "+ get_x GET /v1/x — not breaking: a new builder method `get_x`",
                "- DELETE /v1/y — BREAKING: the operation disappears",
                "- old_op GET /v1/old — BREAKING: its builder method `old_op` disappears",
            ]
        );
    }

    #[test]
    fn operation_renamed_on_the_same_endpoint() {
        let old = doc(json!({"/v1/x": {"get": get("old_name")}}), json!({}));
        let new = doc(json!({"/v1/x": {"get": get("new_name")}}), json!({}));
        assert_eq!(
            lines(&old, &new),
            [
                "~ new_name: renamed from `old_name` (GET /v1/x) — BREAKING: the builder method `old_name` disappears"
            ]
        );
    }

    #[test]
    fn operation_moved_is_noted_not_breaking() {
        let old = doc(json!({"/v1/x": {"get": get("op")}}), json!({}));
        let new = doc(json!({"/v2/x": {"post": get("op")}}), json!({}));
        assert_eq!(
            lines(&old, &new),
            [
                "~ op: moved `GET /v1/x` → `POST /v2/x` — not breaking: the builder method keeps its name and arguments; note: it now calls the new endpoint"
            ]
        );
    }

    #[test]
    fn parameters_added() {
        let old = with_params(json!([]));
        let new = with_params(json!([
            {"name": "limit", "in": "query", "required": true, "schema": {"type": "integer"}},
            {"name": "page", "in": "query", "schema": {"type": "integer"}},
        ]));
        assert_eq!(
            lines(&old, &new),
            [
                "~ op: param `limit` (query) added, required — BREAKING: builder calls that compiled now fail at run time: `limit` is missing",
                "~ op: param `page` (query) added, optional — not breaking: a new optional builder method",
            ]
        );
    }

    #[test]
    fn parameters_removed_moved_retyped_and_required() {
        let old = with_params(json!([
            {"name": "gone", "in": "query", "schema": {"type": "string"}},
            {"name": "key", "in": "query", "schema": {"type": "string"}},
            {"name": "n", "in": "query", "schema": {"type": "integer", "format": "int32"}},
            {"name": "m", "in": "query", "schema": {"type": "string"}},
            {"name": "r", "in": "query", "required": true, "schema": {"type": "string"}},
            {"name": "s", "in": "query", "schema": {"type": "string"}},
        ]));
        let new = with_params(json!([
            {"name": "key", "in": "header", "schema": {"type": "string"}},
            {"name": "n", "in": "query", "schema": {"type": "integer", "format": "int64"}},
            {"name": "m", "in": "query", "schema": {"type": ["string", "null"]}},
            {"name": "r", "in": "query", "schema": {"type": "string"}},
            {"name": "s", "in": "query", "required": true, "schema": {"type": "string"}},
        ]));
        assert_eq!(
            lines(&old, &new),
            [
                "~ op: param `gone` (query) removed — BREAKING: its builder method disappears",
                "~ op: param `key` moved query → header — not breaking: the builder method keeps its name and type",
                "~ op: param `m` (query) type `string` → `string | null` — not breaking: its builder method still accepts every old value",
                "~ op: param `n` (query) type `integer(int32)` → `integer(int64)` — BREAKING: its builder method takes a different type",
                "~ op: param `r` (query) now optional — not breaking: calls that set it still compile",
                "~ op: param `s` (query) now required — BREAKING: calls that leave it out compile but fail at run time",
            ]
        );
    }

    #[test]
    fn parameter_refs_and_path_item_parameters_are_followed() {
        let mut old = doc(
            json!({"/v1/x/{id}": {
                "parameters": [{"$ref": "#/components/parameters/Id"}],
                "get": get("op"),
            }}),
            json!({}),
        );
        old["components"]["parameters"] = json!({"Id": {"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}});
        let mut new = old.clone();
        new["components"]["parameters"]["Id"]["schema"] = json!({"type": "string"});
        assert_eq!(
            lines(&old, &new),
            [
                "~ op: param `id` (path) type `integer` → `string` — BREAKING: its builder method takes a different type"
            ]
        );
    }

    #[test]
    fn parameter_enum_values() {
        let old = with_params(json!([
            {"name": "status", "in": "query", "schema": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}}},
        ]));
        let new = with_params(json!([
            {"name": "status", "in": "query", "schema": {"type": "array", "items": {"type": "string", "enum": ["b", "c"]}}},
        ]));
        assert_eq!(
            lines(&old, &new),
            [
                "~ op: param `status` (query) enum value `a` removed — BREAKING: its variant disappears from the Rust enum; code that sends it no longer compiles",
                "~ op: param `status` (query) enum value `c` added — not breaking: a new variant",
            ]
        );
    }

    #[test]
    fn request_body_added_removed_and_required() {
        let none = doc(json!({"/v1/x": {"post": get("op")}}), json!({}));
        let body = |required: bool| {
            let mut d = with_body(json!({"type": "object"}), json!({}));
            d["paths"]["/v1/x"]["post"]["requestBody"]["required"] = json!(required);
            d
        };
        assert_eq!(
            lines(&none, &body(true)),
            [
                "~ op: request body added, required — BREAKING: calls that compiled now fail at run time without a body"
            ]
        );
        assert_eq!(
            lines(&none, &body(false)),
            [
                "~ op: request body added, optional — not breaking: a new optional `body` builder method"
            ]
        );
        assert_eq!(
            lines(&body(true), &none),
            ["~ op: request body removed — BREAKING: its `body` builder method disappears"]
        );
        assert_eq!(
            lines(&body(false), &body(true)),
            [
                "~ op: request body now required — BREAKING: calls without a body compile but fail at run time"
            ]
        );
        assert_eq!(
            lines(&body(true), &body(false)),
            ["~ op: request body now optional — not breaking: calls that send one still compile"]
        );
    }

    #[test]
    fn request_media_type_change_is_breaking() {
        let old = with_body(json!({"type": "object"}), json!({}));
        let mut new = old.clone();
        let content = &mut new["paths"]["/v1/x"]["post"]["requestBody"]["content"];
        *content = json!({"multipart/form-data": content["application/json"].clone()});
        assert_eq!(
            lines(&old, &new),
            [
                "~ op: request body media type `application/json` → `multipart/form-data` — BREAKING: genpro-api builds and sends this body differently"
            ]
        );
    }

    #[test]
    fn request_fields_through_refs() {
        let schemas = |a: Value| json!({"Req": {"$ref": "#/components/schemas/Inner"}, "Inner": a});
        let old = with_body(
            json!({"$ref": "#/components/schemas/Req"}),
            schemas(json!({
                "type": "object",
                "required": ["name", "opt"],
                "properties": {
                    "name": {"type": "string"},
                    "gone": {"type": "string"},
                    "opt": {"type": "string"},
                    "later": {"type": "string"},
                    "n": {"type": "integer"},
                    "nested": {"type": "object", "properties": {"a": {"type": "string"}}},
                },
            })),
        );
        let new = with_body(
            json!({"$ref": "#/components/schemas/Req"}),
            schemas(json!({
                "type": "object",
                "required": ["name", "later", "new_req"],
                "properties": {
                    "name": {"type": "string"},
                    "opt": {"type": "string"},
                    "later": {"type": "string"},
                    "n": {"type": "string"},
                    "new_req": {"type": "object", "required": ["x"], "properties": {"x": {"type": "string"}}},
                    "new_opt": {"type": "boolean"},
                    "nested": {"type": "object", "required": ["b"], "properties": {"a": {"type": "string"}, "b": {"type": "string"}}},
                },
            })),
        );
        assert_eq!(
            lines(&old, &new),
            [
                "~ op: request field `gone` removed — BREAKING: it disappears from the Rust type; code that sets it no longer compiles",
                "~ op: request field `later` now required — BREAKING: builders that leave it out compile but fail at run time",
                "~ op: request field `n` type `integer` → `string` — BREAKING: its setter takes a different type",
                "~ op: request field `nested.b` added, required — BREAKING: body builders that compiled now fail at run time with a missing field",
                "~ op: request field `new_opt` added, optional — not breaking: a new optional field",
                "~ op: request field `new_req` added, required — BREAKING: body builders that compiled now fail at run time with a missing field",
                "~ op: request field `opt` now optional — not breaking: code that sets it still compiles",
            ]
        );
    }

    #[test]
    fn request_enum_values_through_refs() {
        let schemas = |values: Value| {
            json!({
                "Req": {"type": "object", "properties": {"model": {"$ref": "#/components/schemas/Model"}}},
                "Model": {"type": "string", "enum": values},
            })
        };
        let old = with_body(
            json!({"$ref": "#/components/schemas/Req"}),
            schemas(json!(["a", "b"])),
        );
        let new = with_body(
            json!({"$ref": "#/components/schemas/Req"}),
            schemas(json!(["b", "c"])),
        );
        assert_eq!(
            lines(&old, &new),
            [
                "~ op: request field `model` enum value `a` removed — BREAKING: its variant disappears from the Rust enum; code that sends it no longer compiles",
                "~ op: request field `model` enum value `c` added — not breaking: a new variant",
            ]
        );
    }

    #[test]
    fn request_variants_of_a_one_of() {
        let schemas = json!({
            "Text": {"type": "object", "required": ["kind"], "properties": {"kind": {"const": "text"}}},
            "Image": {"type": "object", "properties": {"kind": {"const": "image"}}},
            "Video": {"type": "object", "properties": {"kind": {"const": "video"}}},
        });
        let one_of = |names: &[&str]| {
            let refs: Vec<Value> = names
                .iter()
                .map(|n| json!({"$ref": format!("#/components/schemas/{n}")}))
                .collect();
            with_body(json!({"oneOf": refs}), schemas.clone())
        };
        assert_eq!(
            lines(&one_of(&["Text", "Image"]), &one_of(&["Text", "Video"])),
            [
                "~ op: request variant `(Image)` removed — BREAKING: it disappears from the Rust type; code that sets it no longer compiles",
                "~ op: request variant `(Video)` added — not breaking: a new variant",
            ]
        );
    }

    #[test]
    fn response_fields() {
        let old = with_answer(
            json!({"type": "array", "items": {"$ref": "#/components/schemas/Item"}}),
            json!({"Item": {
                "type": "object",
                "required": ["id", "name", "note"],
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "note": {"type": ["string", "null"]},
                    "size": {"type": "integer"},
                    "gone": {"type": "string"},
                    "t": {"type": "string"},
                },
            }}),
        );
        let new = with_answer(
            json!({"type": "array", "items": {"$ref": "#/components/schemas/Item"}}),
            json!({"Item": {
                "type": "object",
                "required": ["id", "size"],
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "note": {"type": ["string", "null"]},
                    "size": {"type": "integer"},
                    "t": {"type": "integer"},
                    "extra": {"type": "string"},
                },
            }}),
        );
        assert_eq!(
            lines(&old, &new),
            [
                "~ op: response field `[].extra` added, optional — not breaking: a new field; old code ignores it",
                "~ op: response field `[].gone` removed — BREAKING: code reading it no longer compiles",
                "~ op: response field `[].name` now optional — BREAKING: its Rust type becomes `Option<_>`",
                "~ op: response field `[].note` now optional — not breaking: it is nullable: its Rust type stays `Option<_>`",
                "~ op: response field `[].size` now required — BREAKING: its Rust type loses its `Option<_>`",
                "~ op: response field `[].t` type `string` → `integer` — BREAKING: code reading it sees a different type",
            ]
        );
    }

    #[test]
    fn response_enum_values_are_not_breaking() {
        let answer = |values: Value| {
            with_answer(
                json!({"type": "object", "properties": {"status": {"$ref": "#/components/schemas/Status"}}}),
                json!({"Status": {"type": "string", "x-extensible-enum": values}}),
            )
        };
        assert_eq!(
            lines(
                &answer(json!(["queued", "done"])),
                &answer(json!(["done", "failed"]))
            ),
            [
                "~ op: response field `status` enum value `queued` removed — not breaking: the server no longer sends it; every answer still decodes",
                "~ op: response field `status` enum value `failed` added — not breaking: genpro-api's response enums are open (`Other(String)`): it decoded before",
            ]
        );
    }

    #[test]
    fn response_body_type_status_and_presence() {
        let a = with_answer(
            json!({"$ref": "#/components/schemas/A"}),
            json!({"A": {}, "B": {}}),
        );
        let b = with_answer(
            json!({"$ref": "#/components/schemas/B"}),
            json!({"A": {}, "B": {}}),
        );
        assert_eq!(
            lines(&a, &b),
            [
                "~ op: response body type `A` → `B` — BREAKING: code reading it sees a different type"
            ]
        );
        let mut created = a.clone();
        let responses = &mut created["paths"]["/v1/x"]["get"]["responses"];
        let ok = responses["200"].take();
        *responses = json!({"201": ok});
        assert_eq!(
            lines(&a, &created),
            [
                "~ op: success status `200` → `201` — not breaking: genpro-api accepts the new status like the old one"
            ]
        );
        let empty = doc(
            json!({"/v1/x": {"get": get("op")}}),
            json!({"A": {}, "B": {}}),
        );
        assert_eq!(
            lines(&a, &empty),
            ["~ op: response body removed — BREAKING: code reading the answer no longer compiles"]
        );
        assert_eq!(
            lines(&empty, &a),
            [
                "~ op: response body added — not breaking: calls still compile; the answer now carries a value"
            ]
        );
    }

    #[test]
    fn cycles_are_guarded() {
        let node = |extra: &str| {
            json!({"Node": {
                "type": "object",
                "properties": {
                    "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
                    "parent": {"$ref": "#/components/schemas/Node"},
                    extra: {"type": "string"},
                },
            }})
        };
        let old = with_answer(json!({"$ref": "#/components/schemas/Node"}), node("a"));
        let new = with_answer(json!({"$ref": "#/components/schemas/Node"}), node("b"));
        assert_eq!(
            lines(&old, &new),
            [
                "~ op: response field `a` removed — BREAKING: code reading it no longer compiles",
                "~ op: response field `b` added, optional — not breaking: a new field; old code ignores it",
            ]
        );
        // A $ref loop that never reaches a schema.
        let lp = json!({"A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"}});
        let d = with_answer(json!({"$ref": "#/components/schemas/A"}), lp);
        assert_eq!(lines(&d, &d), Vec::<String>::new());
    }

    #[test]
    fn openapi_30_and_31_nullables_compare_equal() {
        let v31 = with_answer(
            json!({"type": "object", "properties": {
                "a": {"type": ["string", "null"], "format": "date-time"},
                "b": {"oneOf": [{"$ref": "#/components/schemas/S"}, {"type": "null"}]},
                "c": {"anyOf": [{"type": "string", "enum": ["x", null]}, {"type": "null"}]},
                "d": {"const": "k"},
                "e": {"type": ["string", "integer", "null"]},
                "f": {"type": "string", "contentMediaType": "application/json"},
            }}),
            json!({"S": {"type": "string"}}),
        );
        let mut v30 = with_answer(
            json!({"type": "object", "properties": {
                "a": {"type": "string", "format": "date-time", "nullable": true},
                "b": {"allOf": [{"$ref": "#/components/schemas/S"}], "nullable": true},
                "c": {"type": "string", "enum": ["x", null], "nullable": true},
                "d": {"enum": ["k"]},
                "e": {"anyOf": [{"type": "string"}, {"type": "integer"}], "nullable": true},
                "f": {"type": "string", "format": "binary"},
            }}),
            json!({"S": {"type": "string"}}),
        );
        v30["openapi"] = json!("3.0.3");
        assert_eq!(lines(&v31, &v30), Vec::<String>::new());
        assert_eq!(lines(&v30, &v31), Vec::<String>::new());
        // and a real change still shows
        let mut notnull = v30.clone();
        let a = &mut notnull["paths"]["/v1/x"]["get"]["responses"]["200"]["content"]["application/json"]
            ["schema"]["properties"]["a"];
        a.as_object_mut().unwrap().remove("nullable");
        assert_eq!(
            lines(&v31, &notnull),
            [
                "~ op: response field `a` type `string(date-time) | null` → `string(date-time)` — BREAKING: code reading it sees a different type"
            ]
        );
    }

    #[test]
    fn request_field_becoming_nullable_is_not_breaking() {
        let old = with_body(
            json!({"type": "object", "properties": {"a": {"type": "string"}}}),
            json!({}),
        );
        let new = with_body(
            json!({"type": "object", "properties": {"a": {"type": ["string", "null"]}}}),
            json!({}),
        );
        assert_eq!(
            lines(&old, &new),
            [
                "~ op: request field `a` type `string` → `string | null` — not breaking: its setter still accepts every old value"
            ]
        );
    }

    #[test]
    fn report_text_and_json() {
        let old = doc(
            json!({"/v1/old": {"get": get("old_op")}, "/v1/x": {"get": get("op")}}),
            json!({}),
        );
        let mut new = doc(
            json!({"/v1/new": {"get": get("get_new")}, "/v1/x": {"get": get("op")}}),
            json!({}),
        );
        new["paths"]["/v1/x"]["get"]["parameters"] = json!([
            {"name": "limit", "in": "query", "required": true, "schema": {"type": "integer"}},
            {"name": "page", "in": "query", "schema": {"type": "integer"}},
        ]);
        let report = diff(&old, &new);
        assert_eq!(
            report.to_string(),
            "Added operations (1):\n\
             \x20 + get_new GET /v1/new — not breaking: a new builder method `get_new`\n\
             Removed operations (1):\n\
             \x20 - old_op GET /v1/old — BREAKING: its builder method `old_op` disappears\n\
             Changed operations (1):\n\
             \x20 ~ op: param `limit` (query) added, required — BREAKING: builder calls that compiled now fail at run time: `limit` is missing\n\
             \x20 ~ op: param `page` (query) added, optional — not breaking: a new optional builder method\n\
             1 added, 1 removed, 1 changed (2 breaking)\n"
        );
        let j = report.to_json();
        assert_eq!(
            j["summary"],
            json!({"added": 1, "removed": 1, "changed": 1, "breaking": 2})
        );
        assert_eq!(
            j["changes"][1],
            json!({
                "kind": "removed",
                "operation": "old_op",
                "detail": "GET /v1/old",
                "breaking": true,
                "reason": "its builder method `old_op` disappears",
            })
        );
        assert_eq!(j["changes"].as_array().unwrap().len(), 4);
    }

    fn spec() -> Value {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.yaml");
        let text = std::fs::read_to_string(path).expect("openapi.yaml at the workspace root");
        serde_yaml::from_str(&text).expect("openapi.yaml parses")
    }

    #[test]
    fn openapi_yaml_against_itself_and_its_30_form_is_empty() {
        let spec = spec();
        assert_eq!(diff(&spec, &spec), Report::default());
        let mut v30 = spec.clone();
        crate::transform::downconvert(&mut v30);
        assert_eq!(diff(&spec, &v30), Report::default());
        // Every operation and their fields are seen.
        let ops = operations(&spec);
        assert!(ops.len() > 90, "{}", ops.len());
        let seen: usize = ops
            .values()
            .map(|op| {
                let req = request_body(&spec, op.op).and_then(|(_, c)| c);
                let resp = success(&spec, op.op).and_then(|(_, s)| s);
                [req.map(|(_, s)| s), resp]
                    .into_iter()
                    .flatten()
                    .map(|s| fields(&spec, s).len())
                    .sum::<usize>()
            })
            .sum();
        assert!(seen > 1000, "{seen}");
    }

    #[test]
    fn openapi_yaml_with_an_operation_removed() {
        let spec = spec();
        let mut new = spec.clone();
        new["paths"]["/v1/me"]
            .as_object_mut()
            .unwrap()
            .remove("get");
        assert_eq!(
            lines(&spec, &new),
            ["- get_me GET /v1/me — BREAKING: its builder method `get_me` disappears"]
        );
    }
}
