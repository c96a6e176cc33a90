//! progenitor's errors and panics, contained.
//!
//! [`crate::normalize`] rewrites every shape known to stop progenitor 0.15.
//! A shape nobody has met yet must not stop generation either: when
//! progenitor fails (an error or a panic) on the whole document, each
//! component schema and then each operation is tried alone. A schema it
//! cannot type becomes `{}` (any JSON); an operation it cannot generate is
//! left out of the typed client and listed in `SET_ASIDE` (it stays in the
//! operation table, so `gen api` and `gen mcp` still call it). Each is a
//! warning naming the schema or operation and progenitor's message.

use anyhow::{Result, bail};
use proc_macro2::TokenStream;
use progenitor::{GenerationSettings, Generator};
use serde_json::{Value, json};

use crate::normalize::Warnings;
use crate::transform::{METHODS, SetAside};

/// Runs `f`, turning a panic into an error holding its message (and
/// keeping the panic's report off stderr).
fn contained<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    std::panic::set_hook(hook);
    match out {
        Ok(r) => r,
        Err(payload) => {
            let msg = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "a panic".to_owned());
            Err(format!("panicked: {msg}"))
        }
    }
}

fn first_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or_default();
    if line.len() > 160 {
        let mut end = 160;
        while !line.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}...", &line[..end])
    } else {
        line.to_owned()
    }
}

fn client(settings: &GenerationSettings, spec: &Value) -> Result<TokenStream, String> {
    let spec: openapiv3::OpenAPI =
        serde_json::from_value(spec.clone()).map_err(|e| e.to_string())?;
    contained(|| {
        Generator::new(settings)
            .generate_tokens(&spec)
            .map_err(|e| e.to_string())
    })
}

fn mocks(settings: &GenerationSettings, spec: &Value) -> Result<TokenStream, String> {
    let spec: openapiv3::OpenAPI =
        serde_json::from_value(spec.clone()).map_err(|e| e.to_string())?;
    contained(|| {
        Generator::new(settings)
            .httpmock(&spec, "gen_api")
            .map_err(|e| e.to_string())
    })
}

/// `(path, method, operationId, x-phase)` of every operation.
fn operations(spec: &Value) -> Vec<(String, String, String, String)> {
    let mut out = Vec::new();
    for (path, item) in spec
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for m in METHODS {
            if let Some(op) = item.get(m) {
                let text = |k: &str| {
                    op.get(k)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned()
                };
                out.push((
                    path.clone(),
                    m.to_owned(),
                    text("operationId"),
                    text("x-phase"),
                ));
            }
        }
    }
    out
}

/// The `#/components/...` entries `v` refers to, and those they refer to,
/// as `(section, name)`.
fn reachable(spec: &Value, v: &Value) -> std::collections::BTreeSet<(String, String)> {
    fn refs(v: &Value, out: &mut Vec<(String, String)>) {
        match v {
            Value::Object(o) => {
                if let Some(r) = o.get("$ref").and_then(Value::as_str)
                    && let Some(rest) = r.strip_prefix("#/components/")
                    && let Some((section, name)) = rest.split_once('/')
                {
                    out.push((section.to_owned(), name.to_owned()));
                }
                o.values().for_each(|c| refs(c, out));
            }
            Value::Array(a) => a.iter().for_each(|c| refs(c, out)),
            _ => {}
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut todo = Vec::new();
    refs(v, &mut todo);
    while let Some(key) = todo.pop() {
        if seen.insert(key.clone()) {
            refs(&spec["components"][&key.0][&key.1], &mut todo);
        }
    }
    seen
}

/// `spec` with only `paths` and the components `roots` reach (so that
/// trying one part alone costs what that part costs).
fn pruned(spec: &Value, paths: serde_json::Map<String, Value>, roots: &Value) -> Value {
    let keep = reachable(spec, roots);
    let mut one = spec.clone();
    one["paths"] = Value::Object(paths);
    if let Some(components) = one.get_mut("components").and_then(Value::as_object_mut) {
        for (section, entries) in components.iter_mut() {
            if let Some(entries) = entries.as_object_mut() {
                entries.retain(|name, _| keep.contains(&(section.clone(), name.clone())));
            }
        }
    }
    one
}

/// `spec` with only the one operation (and what it refers to).
fn only(spec: &Value, path: &str, method: &str) -> Value {
    let mut item = spec["paths"][path].clone();
    if let Some(item) = item.as_object_mut() {
        for m in METHODS.iter().filter(|m| **m != method) {
            item.remove(*m);
        }
    }
    let mut paths = serde_json::Map::new();
    paths.insert(path.to_owned(), item.clone());
    pruned(spec, paths, &item)
}

/// The generated client's tokens for `spec`, with what progenitor cannot
/// take left out (see the module doc). Returns the document actually
/// generated.
pub fn tokens(
    settings: &GenerationSettings,
    mut spec: Value,
    w: &mut Warnings,
    set_aside: &mut Vec<SetAside>,
) -> Result<(Value, TokenStream)> {
    let first = match client(settings, &spec) {
        Ok(tokens) => return Ok((spec, tokens)),
        Err(e) => e,
    };
    // Schemas first: one progenitor cannot type fails every operation.
    let all_schemas = spec
        .pointer("/components/schemas")
        .cloned()
        .unwrap_or(json!({}));
    let no_paths = pruned(&spec, serde_json::Map::new(), &all_schemas);
    if client(settings, &no_paths).is_err() {
        let names: Vec<String> = all_schemas
            .as_object()
            .map(|s| s.keys().cloned().collect())
            .unwrap_or_default();
        for name in names {
            let root = json!({"$ref": format!("#/components/schemas/{name}")});
            let alone = pruned(&spec, serde_json::Map::new(), &root);
            if let Err(e) = client(settings, &alone) {
                w.add(
                    format!("schema {name}"),
                    format!(
                        "progenitor cannot type it ({}): read as any JSON",
                        first_line(&e)
                    ),
                );
                spec["components"]["schemas"][&name] = json!({});
            }
        }
    }
    for (path, method, id, phase) in operations(&spec) {
        if let Err(e) = client(settings, &only(&spec, &path, &method)) {
            w.add(
                id.as_str(),
                format!(
                    "progenitor cannot generate it ({}): left out of the typed client (SET_ASIDE; `gen api` calls it)",
                    first_line(&e)
                ),
            );
            remove(&mut spec, &path, &method);
            set_aside.push(SetAside {
                operation_id: id,
                method: method.to_uppercase(),
                path,
                phase,
                removed: Vec::new(),
                kept: false,
            });
        }
    }
    set_aside.sort_by(|a, b| a.operation_id.cmp(&b.operation_id));
    match client(settings, &spec) {
        Ok(tokens) => Ok((spec, tokens)),
        Err(e) => bail!(
            "progenitor failed on the whole document though it takes each part alone: {e} (first: {})",
            first_line(&first)
        ),
    }
}

/// Removes the `method` operation of `path` from `spec`, and the path item
/// when no operation is left in it.
pub fn remove(spec: &mut Value, path: &str, method: &str) {
    if let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut)
        && let Some(item) = paths.get_mut(path).and_then(Value::as_object_mut)
    {
        item.remove(method);
        if !METHODS.iter().any(|m| item.contains_key(*m)) {
            paths.remove(path);
        }
    }
}

/// The typed httpmock extension's tokens; an operation progenitor cannot
/// mock is left out (a warning).
pub fn httpmock(
    settings: &GenerationSettings,
    spec: &Value,
    w: &mut Warnings,
) -> Result<TokenStream> {
    let first = match mocks(settings, spec) {
        Ok(tokens) => return Ok(tokens),
        Err(e) => e,
    };
    let mut spec = spec.clone();
    for (path, method, id, _) in operations(&spec) {
        if let Err(e) = mocks(settings, &only(&spec, &path, &method)) {
            w.add(
                id.as_str(),
                format!(
                    "progenitor cannot mock it ({}): no typed mock",
                    first_line(&e)
                ),
            );
            remove(&mut spec, &path, &method);
        }
    }
    mocks(settings, &spec).or_else(|e| {
        bail!(
            "progenitor's httpmock generation failed: {e} (first: {})",
            first_line(&first)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_an_error_with_its_message() {
        let r: Result<(), String> = contained(|| panic!("boom {}", 7));
        assert_eq!(r, Err("panicked: boom 7".to_owned()));
        let r: Result<(), String> = contained(|| panic!("static"));
        assert_eq!(r, Err("panicked: static".to_owned()));
        assert_eq!(contained(|| Ok::<_, String>(3)), Ok(3));
    }

    #[test]
    fn an_operation_progenitor_cannot_take_is_set_aside() {
        // progenitor rejects a query parameter in `spaceDelimited` style
        // (normalize.rs rewrites it; here it reaches progenitor as written).
        let spec = json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {
            "/a": {"get": {"operationId": "good", "responses": {"200": {"description": "ok"}}}},
            "/b": {"get": {"operationId": "bad", "parameters": [{"name": "q", "in": "query", "style": "spaceDelimited", "schema": {"type": "array", "items": {"type": "string"}}}], "responses": {"200": {"description": "ok"}}}}
        }});
        let mut w = Warnings::default();
        let mut aside = Vec::new();
        let (kept, tokens) =
            tokens(&GenerationSettings::default(), spec, &mut w, &mut aside).unwrap();
        assert!(kept["paths"].get("/b").is_none());
        assert!(tokens.to_string().contains("good"));
        assert_eq!(aside.len(), 1);
        assert_eq!(aside[0].operation_id, "bad");
        let (subject, what) = w.iter().next().unwrap();
        assert_eq!(subject, "bad");
        assert!(
            what.starts_with("progenitor cannot generate it (unexpected or unhandled format in the OpenAPI document unsupported style of query parameter SpaceDelimited)"),
            "{what}"
        );
    }
}
