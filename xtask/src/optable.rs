//! The operation table: everything per operation that genpro-sdk, the CLI and
//! the MCP server need at run time (operation id, method, path template,
//! phase, host, retry class, parameters, body, input schema), generated from
//! the 3.1 document into `crates/gen-api/src/operations.rs`.
//!
//! openapi.yaml is the only copy of these facts: nothing downstream keeps a
//! hand-written table.

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use std::fmt::Write;

use crate::normalize::Warnings;
use crate::transform::{METHODS, PHASES};

/// The retry classes `x-retry` may name.
pub const RETRY_CLASSES: [&str; 3] = ["idempotent", "free_create", "paid"];

/// One parameter of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Name on the wire.
    pub name: String,
    /// `path`, `query` or `header`.
    pub location: String,
    /// Required by the spec.
    pub required: bool,
    /// JSON type of the value (`integer`, `string`, `boolean`, `number`, `array`).
    pub kind: String,
    /// Description, if any.
    pub description: String,
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// operationId.
    pub operation_id: String,
    /// Upper-case method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// x-phase.
    pub phase: String,
    /// Host key (`api`, `agent`).
    pub host: String,
    /// Retry class.
    pub retry: String,
    /// Whether x-retry was given (else derived from the method).
    pub retry_explicit: bool,
    /// Summary.
    pub summary: String,
    /// Description (empty when the operation has none).
    pub description: String,
    /// `x-mcp-core: true`: listed in `gen mcp`'s default tool set.
    pub mcp_core: bool,
    /// Parameters.
    pub params: Vec<Param>,
    /// Request media types, in spec order.
    pub body_media_types: Vec<String>,
    /// Whether the body is required.
    pub body_required: bool,
    /// The JSON Schema of the operation's input: one object with the path
    /// and query parameters as properties and, when the operation takes a
    /// JSON (or form) body, a `body` property; `$ref`s inlined.
    pub input_schema: Value,
}

/// A host named by the spec's `servers`.
#[derive(Debug, Clone, PartialEq)]
pub struct HostDef {
    /// Key derived from the first DNS label (`api`, `agent`).
    pub key: String,
    /// Default base URL.
    pub url: String,
    /// Description.
    pub description: String,
}

/// The whole table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// `info.version`: the `api-version` header's value.
    pub api_version: String,
    /// Hosts, root server first.
    pub hosts: Vec<HostDef>,
    /// Phases with their tag description, in journey order.
    pub phases: Vec<(String, String)>,
    /// Operations, in spec order.
    pub rows: Vec<Row>,
}

fn host_of(url: &str, description: &str) -> Result<HostDef> {
    let rest = url
        .split("://")
        .nth(1)
        .with_context(|| format!("server url {url} has no scheme"))?;
    let label = rest.split(['.', ':', '/']).next().unwrap_or_default();
    if label.is_empty() || !label.chars().all(|c| c.is_ascii_alphanumeric()) {
        bail!("cannot derive a host name from server url {url}");
    }
    let key = label.to_ascii_lowercase();
    // The key names a Rust variant (`Host::Api`): not a leading digit.
    let key = if key.starts_with(|c: char| c.is_ascii_digit()) {
        format!("h{key}")
    } else {
        key
    };
    Ok(HostDef {
        key,
        url: url.trim_end_matches('/').to_owned(),
        description: description.to_owned(),
    })
}

/// The hosts of a `servers` list; a server whose host cannot be named (a
/// relative or templated URL) is left out with a warning.
fn servers(v: Option<&Value>, whose: &str, w: &mut Warnings) -> Vec<HostDef> {
    let mut out = Vec::new();
    for s in v.and_then(Value::as_array).into_iter().flatten() {
        let url = s.get("url").and_then(Value::as_str).unwrap_or_default();
        let d = s
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default();
        match host_of(url, d) {
            Ok(h) => out.push(h),
            Err(e) => w.add(
                whose,
                format!("{e}: server left out (the default host is used)"),
            ),
        }
    }
    out
}

/// Resolves a local `$ref` (`#/components/...`).
fn deref<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    let mut cur = v;
    for _ in 0..16 {
        match cur.get("$ref").and_then(Value::as_str) {
            Some(r) if r.starts_with("#/") => {
                let mut t = doc;
                for part in r[2..].split('/') {
                    match t.get(part) {
                        Some(x) => t = x,
                        None => return cur,
                    }
                }
                cur = t;
            }
            _ => return cur,
        }
    }
    cur
}

/// Inlines `$ref`s of a schema (cycles become `{}`), dropping keywords that
/// only make sense inside openapi.yaml (`example`s stay, `$ref` siblings
/// merge).
fn inline(doc: &Value, v: &Value, seen: &mut Vec<String>) -> Value {
    match v {
        Value::Object(map) => {
            if let Some(r) = map.get("$ref").and_then(Value::as_str) {
                if seen.iter().any(|s| s == r) || seen.len() > 12 {
                    return json!({});
                }
                seen.push(r.to_owned());
                let mut target = inline(doc, deref(doc, v), seen);
                seen.pop();
                if let Value::Object(t) = &mut target {
                    for (k, x) in map {
                        if k != "$ref" {
                            t.insert(k.clone(), inline(doc, x, seen));
                        }
                    }
                }
                return target;
            }
            let mut out = Map::new();
            for (k, x) in map {
                out.insert(k.clone(), inline(doc, x, seen));
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(|x| inline(doc, x, seen)).collect()),
        other => other.clone(),
    }
}

fn type_of(schema: &Value) -> String {
    match schema.get("type") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("string")
            .to_owned(),
        _ => "string".to_owned(),
    }
}

/// Builds the table from the 3.1 document (after
/// [`crate::normalize::identities`]); what had to be guessed goes to `w`.
pub fn build(doc: &Value, w: &mut Warnings) -> Result<Table> {
    let root_hosts = servers(doc.get("servers"), "servers", w);
    let default_host = match root_hosts.first() {
        Some(h) => h.clone(),
        None => {
            w.add(
                "servers",
                "no root server with an absolute URL: host `api` has no default URL (configure it)",
            );
            HostDef {
                key: "api".into(),
                url: String::new(),
                description: "The API (openapi.yaml names no absolute server URL).".into(),
            }
        }
    };
    let mut hosts = vec![default_host.clone()];
    let tag_desc = |name: &str| -> String {
        doc.get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|t| t.get("name").and_then(Value::as_str) == Some(name))
            .and_then(|t| t.get("description"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let phases = PHASES
        .iter()
        .map(|p| (p.to_string(), tag_desc(p)))
        .collect::<Vec<_>>();
    let mut rows = Vec::new();
    let mut ids = BTreeSet::new();
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .context("openapi.yaml has no paths")?;
    for (path, item) in paths {
        let path_hosts = servers(item.get("servers"), path, w);
        let host = match path_hosts.first() {
            Some(h) => {
                if !hosts.iter().any(|x| x.key == h.key) {
                    hosts.push(h.clone());
                }
                h.key.clone()
            }
            None => default_host.key.clone(),
        };
        let path_params = item
            .get("parameters")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let operation_id = op
                .get("operationId")
                .and_then(Value::as_str)
                .with_context(|| format!("{} {path} has no operationId", method.to_uppercase()))?
                .to_owned();
            if !ids.insert(operation_id.clone()) {
                bail!("operationId {operation_id} is used twice");
            }
            let phase = op
                .get("x-phase")
                .and_then(Value::as_str)
                .with_context(|| format!("{operation_id} has no x-phase"))?
                .to_owned();
            if !PHASES.contains(&phase.as_str()) {
                bail!("{operation_id}: x-phase `{phase}` is not one of {PHASES:?}");
            }
            let (retry, retry_explicit) = match op.get("x-retry").and_then(Value::as_str) {
                Some(r) if RETRY_CLASSES.contains(&r) => (r.to_owned(), true),
                Some(r) => bail!("{operation_id}: x-retry `{r}` is not one of {RETRY_CLASSES:?}"),
                None if method == "post" => ("paid".to_owned(), false),
                None => ("idempotent".to_owned(), false),
            };
            let mcp_core = match op.get("x-mcp-core") {
                None => false,
                Some(Value::Bool(b)) => *b,
                Some(other) => bail!("{operation_id}: x-mcp-core `{other}` is not a boolean"),
            };
            let mut params = Vec::new();
            let mut props = Map::new();
            let mut required = Vec::new();
            let op_params = op
                .get("parameters")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for p in path_params.iter().chain(op_params.iter()) {
                let p = deref(doc, p);
                let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
                let location = p.get("in").and_then(Value::as_str).unwrap_or_default();
                // Cookies are left to the caller's HTTP client (progenitor
                // does not send them either).
                if !matches!(location, "path" | "query" | "header") {
                    continue;
                }
                let req = location == "path"
                    || p.get("required").and_then(Value::as_bool).unwrap_or(false);
                let schema = inline(doc, p.get("schema").unwrap_or(&json!({})), &mut Vec::new());
                let description = p
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .trim()
                    .to_owned();
                let mut prop = schema.clone();
                if let (Value::Object(o), false) = (&mut prop, description.is_empty()) {
                    o.entry("description")
                        .or_insert_with(|| Value::String(description.clone()));
                }
                props.insert(name.to_owned(), prop);
                if req {
                    required.push(Value::String(name.to_owned()));
                }
                params.push(Param {
                    name: name.to_owned(),
                    location: location.to_owned(),
                    required: req,
                    kind: type_of(&schema),
                    description,
                });
            }
            let mut body_media_types = Vec::new();
            let mut body_required = false;
            if let Some(rb) = op.get("requestBody") {
                let rb = deref(doc, rb);
                body_required = rb.get("required").and_then(Value::as_bool).unwrap_or(false);
                if let Some(content) = rb.get("content").and_then(Value::as_object) {
                    for (mt, media) in content {
                        body_media_types.push(mt.clone());
                        if !props.contains_key("body")
                            && let Some(s) = media.get("schema")
                        {
                            let mut schema = inline(doc, s, &mut Vec::new());
                            if let Value::Object(o) = &mut schema {
                                o.entry("description").or_insert_with(|| {
                                    Value::String(format!("The request body ({mt})."))
                                });
                            }
                            props.insert("body".to_owned(), schema);
                            if body_required {
                                required.push(Value::String("body".to_owned()));
                            }
                        }
                    }
                }
            }
            let input_schema = json!({
                "type": "object",
                "properties": Value::Object(props),
                "required": Value::Array(required),
                "additionalProperties": false,
            });
            rows.push(Row {
                operation_id,
                method: method.to_uppercase(),
                path: path.clone(),
                phase,
                host: host.clone(),
                retry,
                retry_explicit,
                summary: op
                    .get("summary")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .trim()
                    .to_owned(),
                description: op
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .trim()
                    .to_owned(),
                mcp_core,
                params,
                body_media_types,
                body_required,
                input_schema,
            });
        }
    }
    let api_version = match doc.pointer("/info/version").and_then(Value::as_str) {
        Some(v) => v,
        None => {
            w.add("info", "no `info.version`: the api-version header is empty");
            ""
        }
    };
    Ok(Table {
        api_version: api_version.to_owned(),
        hosts,
        phases,
        rows,
    })
}

fn camel(s: &str) -> String {
    s.split(['_', '-'])
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn doc_lines(out: &mut String, indent: &str, text: &str) {
    for line in text.lines() {
        if line.trim().is_empty() {
            let _ = writeln!(out, "{indent}///");
        } else {
            let _ = writeln!(out, "{indent}/// {}", line.trim_end());
        }
    }
}

/// Renders `operations.rs`.
pub fn render(table: &Table, header: &str) -> String {
    let mut o = String::new();
    o.push_str(header);
    o.push_str(
        "\n//! The operation table, generated from openapi.yaml: every operation's id,\n\
         //! method, path template, phase (`x-phase`), host (path-level `servers`),\n\
         //! retry class (`x-retry`), parameters, body media types and input schema.\n\
         //! genpro-sdk's transport, the `gen api` CLI command and `gen mcp` read it; no\n\
         //! other copy exists.\n\n",
    );
    o.push_str(&format!(
        "/// `info.version` of openapi.yaml: the value of the `api-version` header\n\
         /// every request carries.\n\
         pub const API_VERSION: &str = {:?};\n\n",
        table.api_version
    ));
    // Phase.
    o.push_str("/// A step of the journey (`x-phase`).\n");
    o.push_str("#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]\n#[non_exhaustive]\npub enum Phase {\n");
    for (i, (p, d)) in table.phases.iter().enumerate() {
        let d = if d.is_empty() {
            format!("Step {}: `{p}`.", i + 1)
        } else {
            d.clone()
        };
        doc_lines(&mut o, "    ", &d);
        let _ = writeln!(o, "    {},", camel(p));
    }
    o.push_str("}\n\nimpl Phase {\n    /// Every phase, in journey order.\n    pub const ALL: &'static [Phase] = &[");
    for (p, _) in &table.phases {
        let _ = write!(o, "Phase::{}, ", camel(p));
    }
    o.push_str("];\n\n    /// The `x-phase` value.\n    pub const fn as_str(self) -> &'static str {\n        match self {\n");
    for (p, _) in &table.phases {
        let _ = writeln!(o, "            Phase::{} => {p:?},", camel(p));
    }
    o.push_str("        }\n    }\n\n    /// The tag description of the phase in openapi.yaml.\n    pub const fn description(self) -> &'static str {\n        match self {\n");
    for (p, d) in &table.phases {
        let _ = writeln!(o, "            Phase::{} => {d:?},", camel(p));
    }
    o.push_str("        }\n    }\n\n    /// The phase named `name` (an `x-phase` value).\n    pub fn from_name(name: &str) -> Option<Phase> {\n        Phase::ALL.iter().copied().find(|p| p.as_str() == name)\n    }\n}\n\n");
    o.push_str("impl std::fmt::Display for Phase {\n    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {\n        f.write_str(self.as_str())\n    }\n}\n\n");
    // Host.
    o.push_str("/// A host of the API (the spec's `servers`).\n");
    o.push_str("#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]\n#[non_exhaustive]\npub enum Host {\n");
    for h in &table.hosts {
        doc_lines(
            &mut o,
            "    ",
            &format!(
                "`{}`{}",
                h.url,
                if h.description.is_empty() {
                    String::new()
                } else {
                    format!(": {}.", h.description)
                }
            ),
        );
        let _ = writeln!(o, "    {},", camel(&h.key));
    }
    o.push_str("}\n\nimpl Host {\n    /// Every host; the first is the root `servers` entry.\n    pub const ALL: &'static [Host] = &[");
    for h in &table.hosts {
        let _ = write!(o, "Host::{}, ", camel(&h.key));
    }
    o.push_str("];\n\n    /// Short name (first DNS label of the default URL).\n    pub const fn as_str(self) -> &'static str {\n        match self {\n");
    for h in &table.hosts {
        let _ = writeln!(o, "            Host::{} => {:?},", camel(&h.key), h.key);
    }
    o.push_str("        }\n    }\n\n    /// The production base URL.\n    pub const fn default_url(self) -> &'static str {\n        match self {\n");
    for h in &table.hosts {
        let _ = writeln!(o, "            Host::{} => {:?},", camel(&h.key), h.url);
    }
    o.push_str("        }\n    }\n\n    /// The host named `name`.\n    pub fn from_name(name: &str) -> Option<Host> {\n        Host::ALL.iter().copied().find(|h| h.as_str() == name)\n    }\n}\n\n");
    o.push_str("impl std::fmt::Display for Host {\n    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {\n        f.write_str(self.as_str())\n    }\n}\n\n");
    // Retry class.
    o.push_str(
        "/// How an operation may be retried (`x-retry`; without it GET/PUT/PATCH/DELETE\n\
         /// are `Idempotent` and POST is `Paid`, the careful default).\n\
         #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\n#[non_exhaustive]\npub enum RetryClass {\n\
         \x20   /// Repeating it has the effect of sending it once: retried on connect\n\
         \x20   /// errors, timeouts, 408, 429 and 5xx.\n    Idempotent,\n\
         \x20   /// Creates something free: retried on connect errors before the request\n\
         \x20   /// was written, 429 and 503.\n    FreeCreate,\n\
         \x20   /// Spends credits or starts paid work: retried only when it provably\n\
         \x20   /// never reached the server.\n    Paid,\n}\n\n\
         impl RetryClass {\n    /// The `x-retry` value.\n    pub const fn as_str(self) -> &'static str {\n        match self {\n\
         \x20           RetryClass::Idempotent => \"idempotent\",\n            RetryClass::FreeCreate => \"free_create\",\n            RetryClass::Paid => \"paid\",\n        }\n    }\n}\n\n",
    );
    o.push_str(
        "/// Where a parameter goes.\n#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\n#[non_exhaustive]\npub enum ParamLocation {\n\
         \x20   /// A `{name}` segment of the path template.\n    Path,\n    /// The query string.\n    Query,\n    /// A request header.\n    Header,\n}\n\n\
         /// One path, query or header parameter.\n#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\n#[non_exhaustive]\npub struct Param {\n\
         \x20   /// Name on the wire.\n    pub name: &'static str,\n    /// Path, query or header.\n    pub location: ParamLocation,\n\
         \x20   /// Whether the spec requires it (path parameters always).\n    pub required: bool,\n\
         \x20   /// JSON type of the value: `integer`, `string`, `boolean`, `number` or `array`.\n    pub kind: &'static str,\n\
         \x20   /// Description in openapi.yaml.\n    pub description: &'static str,\n}\n\n\
         /// One operation of the API.\n#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\n#[non_exhaustive]\npub struct Operation {\n\
         \x20   /// The `operationId` (also the genpro-api builder method's name).\n    pub operation_id: &'static str,\n\
         \x20   /// Upper-case HTTP method.\n    pub method: &'static str,\n\
         \x20   /// Path template with `{name}` parameters.\n    pub path: &'static str,\n\
         \x20   /// The step (`x-phase`).\n    pub phase: Phase,\n\
         \x20   /// The host (path-level `servers`, else the root one).\n    pub host: Host,\n\
         \x20   /// The retry class (`x-retry`).\n    pub retry: RetryClass,\n\
         \x20   /// The summary in openapi.yaml.\n    pub summary: &'static str,\n\
         \x20   /// The description in openapi.yaml (empty when it has none).\n    pub description: &'static str,\n\
         \x20   /// `x-mcp-core: true`: in `gen mcp`'s default tool set (the core tools a content\n\
         \x20   /// agent needs at every step; every other operation is reached through its meta-tools).\n    pub mcp_core: bool,\n\
         \x20   /// Path and query parameters.\n    pub params: &'static [Param],\n\
         \x20   /// Request body media types (empty: no body).\n    pub body_media_types: &'static [&'static str],\n\
         \x20   /// Whether the body is required.\n    pub body_required: bool,\n\
         \x20   /// JSON Schema (as JSON text) of the operation's input: the path and query\n\
         \x20   /// parameters as properties, plus `body` when it takes one; `$ref`s inlined.\n\
         \x20   pub input_schema: &'static str,\n}\n\n\
         impl Operation {\n\
         \x20   /// Whether the operation only reads (GET).\n    pub fn is_read_only(&self) -> bool {\n        self.method == \"GET\"\n    }\n\n\
         \x20   /// Whether the request body is multipart/form-data only (genpro-api does not\n\
         \x20   /// generate those operations; genpro-sdk sends them by hand).\n    pub fn is_multipart_only(&self) -> bool {\n\
         \x20       !self.body_media_types.is_empty()\n            && self.body_media_types.iter().all(|m| *m == \"multipart/form-data\")\n    }\n\n\
         \x20   /// Whether the operation takes a JSON body (`application/json` or a\n    /// `+json` media type).\n    pub fn takes_json(&self) -> bool {\n        self.json_media_type().is_some()\n    }\n\n\
         \x20   /// The JSON media type of the body (`application/json` first, else the\n    /// first `+json` one, such as `application/vnd.api+json`).\n    pub fn json_media_type(&self) -> Option<&'static str> {\n\
         \x20       let base = |m: &str| m.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();\n\
         \x20       let media = self.body_media_types.iter().copied();\n\
         \x20       media.clone().find(|m| base(m) == \"application/json\").or_else(|| media.into_iter().find(|m| base(m).ends_with(\"+json\")))\n    }\n\n\
         \x20   /// The media type of a body that is not JSON nor a multipart form\n    /// (`text/plain`, `application/xml`, `application/octet-stream`...), taken as\n    /// it is; `None` when the operation takes JSON.\n    pub fn raw_media_type(&self) -> Option<&'static str> {\n\
         \x20       if self.takes_json() {\n            return None;\n        }\n\
         \x20       self.body_media_types.iter().copied().find(|m| !m.starts_with(\"multipart/\"))\n    }\n}\n\n",
    );
    let _ = writeln!(
        o,
        "/// Every operation, sorted by path ({} in all).\npub static OPERATIONS: &[Operation] = &[",
        table.rows.len()
    );
    for r in &table.rows {
        let _ = writeln!(o, "    Operation {{");
        let _ = writeln!(o, "        operation_id: {:?},", r.operation_id);
        let _ = writeln!(o, "        method: {:?},", r.method);
        let _ = writeln!(o, "        path: {:?},", r.path);
        let _ = writeln!(o, "        phase: Phase::{},", camel(&r.phase));
        let _ = writeln!(o, "        host: Host::{},", camel(&r.host));
        let _ = writeln!(o, "        retry: RetryClass::{},", camel(&r.retry));
        let _ = writeln!(o, "        summary: {:?},", r.summary);
        let _ = writeln!(o, "        description: {:?},", r.description);
        let _ = writeln!(o, "        mcp_core: {},", r.mcp_core);
        let _ = write!(o, "        params: &[");
        for p in &r.params {
            let _ = write!(
                o,
                "Param {{ name: {:?}, location: ParamLocation::{}, required: {}, kind: {:?}, description: {:?} }}, ",
                p.name,
                camel(&p.location),
                p.required,
                p.kind,
                p.description
            );
        }
        let _ = writeln!(o, "],");
        let _ = writeln!(o, "        body_media_types: &{:?},", r.body_media_types);
        let _ = writeln!(o, "        body_required: {},", r.body_required);
        let _ = writeln!(
            o,
            "        input_schema: {:?},",
            serde_json::to_string(&r.input_schema).unwrap_or_default()
        );
        let _ = writeln!(o, "    }},");
    }
    o.push_str("];\n\n/// The operation named `operation_id`.\npub fn find(operation_id: &str) -> Option<&'static Operation> {\n    let index = match operation_id {\n");
    for (i, r) in table.rows.iter().enumerate() {
        let _ = writeln!(o, "        {:?} => {i},", r.operation_id);
    }
    o.push_str("        _ => return None,\n    };\n    OPERATIONS.get(index)\n}\n");
    o
}

/// Renders `spec/operations.tsv` (operationId, method, path, phase, host, retry).
pub fn render_tsv(table: &Table) -> String {
    let mut o = String::from(
        "# @generated by `cargo xtask generate` from openapi.yaml — do not edit.\n\
         # operation_id\tmethod\tpath\tphase\thost\tretry\n",
    );
    for r in &table.rows {
        let _ = writeln!(
            o,
            "{}\t{}\t{}\t{}\t{}\t{}",
            r.operation_id, r.method, r.path, r.phase, r.host, r.retry
        );
    }
    o
}

/// README.md's markers around the generated operation-tools table.
pub const README_BEGIN: &str = "<!-- operation tools (cargo xtask generate): begin -->\n";
/// The end marker.
pub const README_END: &str = "<!-- operation tools (cargo xtask generate): end -->";

/// The `gen mcp` operation tools as a markdown table, grouped by phase in
/// journey order (the same table `genpro_mcp::tools::markdown_operations`
/// builds at run time from the generated table).
pub fn render_tool_table(table: &Table) -> String {
    let mut o =
        String::from("| tool | phase | kind | default | description |\n|---|---|---|---|---|\n");
    for (phase, _) in &table.phases {
        for r in table.rows.iter().filter(|r| &r.phase == phase) {
            let multipart = !r.body_media_types.is_empty()
                && r.body_media_types
                    .iter()
                    .all(|m| m == "multipart/form-data");
            let kind = if multipart {
                "operation (multipart)"
            } else if r.method == "GET" {
                "operation (read-only)"
            } else if r.retry == "paid" {
                "operation (paid)"
            } else {
                "operation"
            };
            let description = format!("{} `{} {}`", r.summary, r.method, r.path)
                .replace('|', "\\|")
                .replace('\n', " ");
            let _ = writeln!(
                o,
                "| `{}_{}` | {} | {} | {} | {} |",
                r.phase,
                r.operation_id,
                r.phase,
                kind,
                if r.mcp_core { "yes" } else { "" },
                description
            );
        }
    }
    o
}

/// `readme` with the operation-tools table between its markers replaced.
pub fn splice_readme(readme: &str, table: &Table) -> Result<String> {
    let from = readme
        .find(README_BEGIN)
        .with_context(|| format!("README.md lacks the marker {README_BEGIN:?}"))?
        + README_BEGIN.len();
    let to = readme[from..]
        .find(README_END)
        .with_context(|| format!("README.md lacks the marker {README_END:?}"))?
        + from;
    Ok(format!(
        "{}{}{}",
        &readme[..from],
        render_tool_table(table),
        &readme[to..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "2.1.0"},
            "servers": [{"url": "https://api.gen.pro", "description": "api host"}],
            "tags": [{"name": "edit", "description": "Step 4"}],
            "components": {"schemas": {"Body": {"type": "object", "properties": {"x": {"$ref": "#/components/schemas/Body"}}}}},
            "paths": {
                "/v1/things/{id}": {
                    "get": {"operationId": "get_thing", "x-phase": "edit", "summary": "Get",
                        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}},
                                       {"name": "q", "in": "query", "schema": {"type": ["string", "null"]}}]},
                    "post": {"operationId": "poke_thing", "x-phase": "edit",
                        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Body"}}}}},
                    "put": {"operationId": "put_thing", "x-phase": "edit", "x-retry": "free_create"}
                },
                "/v1/agent/x": {
                    "servers": [{"url": "https://agent.gen.pro", "description": "agent host"}],
                    "delete": {"operationId": "del_x", "x-phase": "ideas"}
                }
            }
        })
    }

    #[test]
    fn rows_carry_host_phase_and_retry_defaults() {
        let t = build(&doc(), &mut Warnings::default()).unwrap();
        let keys: Vec<_> = t.hosts.iter().map(|h| h.key.as_str()).collect();
        assert_eq!(keys, ["api", "agent"]);
        let row = |id: &str| t.rows.iter().find(|r| r.operation_id == id).unwrap();
        let get = row("get_thing");
        assert_eq!(
            (
                get.operation_id.as_str(),
                get.method.as_str(),
                get.retry.as_str()
            ),
            ("get_thing", "GET", "idempotent")
        );
        assert_eq!(get.params.len(), 2);
        assert_eq!(get.params[1].kind, "string");
        assert!(!get.params[1].required);
        assert_eq!(get.input_schema["required"], json!(["id"]));
        let post = row("poke_thing");
        assert_eq!((post.retry.as_str(), post.retry_explicit), ("paid", false));
        assert_eq!(post.input_schema["required"], json!(["body"]));
        // The recursive $ref is cut, not expanded forever.
        assert_eq!(
            post.input_schema["properties"]["body"]["properties"]["x"],
            json!({})
        );
        assert_eq!(row("put_thing").retry, "free_create");
        assert_eq!(row("del_x").host, "agent");
    }

    #[test]
    fn bad_retry_class_and_phase_are_errors() {
        let mut d = doc();
        d["paths"]["/v1/things/{id}"]["get"]["x-retry"] = json!("sometimes");
        let e = build(&d, &mut Warnings::default()).unwrap_err().to_string();
        assert!(e.contains("get_thing: x-retry `sometimes`"), "{e}");
        let mut d = doc();
        d["paths"]["/v1/things/{id}"]["get"]["x-phase"] = json!("later");
        assert!(
            build(&d, &mut Warnings::default())
                .unwrap_err()
                .to_string()
                .contains("x-phase `later`")
        );
    }

    #[test]
    fn rendered_table_has_a_find_arm_per_operation() {
        let t = build(&doc(), &mut Warnings::default()).unwrap();
        let s = render(&t, "");
        // Rows are sorted by path, then by method.
        assert!(s.contains("\"del_x\" => 0,"));
        assert!(s.contains("\"get_thing\" => 1,"));
        assert!(s.contains("host: Host::Agent,"));
        assert!(s.contains("retry: RetryClass::FreeCreate,"));
        assert!(s.contains("pub const API_VERSION: &str = \"2.1.0\";"));
    }
}
