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

/// `s` on one line (whitespace collapsed), at most 160 bytes.
fn first_line(s: &str) -> String {
    let line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.len() > 160 {
        let mut end = 160;
        while !line.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}...", &line[..end])
    } else {
        line
    }
}

fn client(settings: &GenerationSettings, spec: &Value) -> Result<TokenStream, String> {
    let spec: openapiv3::OpenAPI =
        serde_json::from_value(spec.clone()).map_err(|e| e.to_string())?;
    let tokens = contained(|| {
        Generator::new(settings)
            .generate_tokens(&spec)
            .map_err(|e| e.to_string())
    })?;
    defined_once(&tokens)?;
    Ok(tokens)
}

/// rustc refuses a type name defined twice in one module (progenitor can
/// emit that, e.g. for two inline types whose derived names meet): found
/// here, so the part that brings the second is left out like any other.
fn defined_once(tokens: &TokenStream) -> Result<(), String> {
    fn check(items: &[syn::Item], module: &str) -> Result<(), String> {
        let mut seen = std::collections::HashSet::new();
        for item in items {
            let name = match item {
                syn::Item::Struct(i) => &i.ident,
                syn::Item::Enum(i) => &i.ident,
                syn::Item::Type(i) => &i.ident,
                syn::Item::Trait(i) => &i.ident,
                syn::Item::Union(i) => &i.ident,
                syn::Item::Mod(i) => {
                    if let Some((_, inner)) = &i.content {
                        check(inner, &format!("{module}::{}", i.ident))?;
                    }
                    &i.ident
                }
                _ => continue,
            };
            if !seen.insert(name.to_string()) {
                return Err(format!("the name `{name}` is defined twice in `{module}`"));
            }
        }
        Ok(())
    }
    let file: syn::File = syn::parse2(tokens.clone()).map_err(|e| e.to_string())?;
    check(&file.items, "crate")
}

fn mocks(settings: &GenerationSettings, spec: &Value) -> Result<TokenStream, String> {
    let spec: openapiv3::OpenAPI =
        serde_json::from_value(spec.clone()).map_err(|e| e.to_string())?;
    contained(|| {
        Generator::new(settings)
            .httpmock(&spec, "genpro_api")
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

/// The largest prefix-greedy subset of `0..n` that `ok` accepts: items are
/// added in halves, and a half `ok` refuses is split until the one item
/// that cannot join is found. `ok(&[])` must hold. Costs about
/// `k * log2(n)` calls of `ok` for `k` refused items. A refused item comes
/// with the error `ok` gave when it was tried on its own turn.
type Check<'a> = dyn FnMut(&[usize]) -> Result<(), String> + 'a;

fn keep_greedy(n: usize, ok: &mut Check) -> (Vec<usize>, Vec<(usize, String)>) {
    fn add(
        kept: &mut Vec<usize>,
        refused: &mut Vec<(usize, String)>,
        batch: &[usize],
        ok: &mut Check,
    ) {
        if batch.is_empty() {
            return;
        }
        let mut with: Vec<usize> = kept.clone();
        with.extend_from_slice(batch);
        match ok(&with) {
            Ok(()) => *kept = with,
            Err(e) if batch.len() == 1 => refused.push((batch[0], e)),
            Err(_) => {
                let (a, b) = batch.split_at(batch.len() / 2);
                add(kept, refused, a, ok);
                add(kept, refused, b, ok);
            }
        }
    }
    let all: Vec<usize> = (0..n).collect();
    let (mut kept, mut refused) = (Vec::new(), Vec::new());
    add(&mut kept, &mut refused, &all, ok);
    (kept, refused)
}

/// `spec` with every component schema outside `keep` read as any JSON.
fn schemas_only(spec: &Value, names: &[String], keep: &[usize]) -> Value {
    let mut one = spec.clone();
    for (i, name) in names.iter().enumerate() {
        if !keep.contains(&i) {
            one["components"]["schemas"][name] = json!({});
        }
    }
    one
}

/// `spec` with only the operations of `ops` at `keep`.
fn operations_only(
    spec: &Value,
    ops: &[(String, String, String, String)],
    keep: &[usize],
) -> Value {
    let mut one = spec.clone();
    for (i, (path, method, _, _)) in ops.iter().enumerate() {
        if !keep.contains(&i) {
            remove(&mut one, path, method);
        }
    }
    one
}

fn set_aside_one(set_aside: &mut Vec<SetAside>, op: (String, String, String, String)) {
    let (path, method, id, phase) = op;
    set_aside.push(SetAside {
        operation_id: id,
        method: method.to_uppercase(),
        path,
        phase,
        removed: Vec::new(),
        kept: false,
    });
}

/// The generated client's tokens for `spec`, with what progenitor cannot
/// take left out (see the module doc). Returns the document actually
/// generated.
///
/// A part progenitor takes alone but not together with the others (two
/// names that collide, say) is found by adding the parts in halves; what
/// cannot join is left out the same way.
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
    let names: Vec<String> = all_schemas
        .as_object()
        .map(|s| s.keys().cloned().collect())
        .unwrap_or_default();
    let no_paths = |spec: &Value| pruned(spec, serde_json::Map::new(), &all_schemas);
    if client(settings, &no_paths(&spec)).is_err() {
        for name in &names {
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
                spec["components"]["schemas"][name] = json!({});
            }
        }
        if client(settings, &no_paths(&spec)).is_err() {
            let base = no_paths(&spec);
            let (_, refused) = keep_greedy(names.len(), &mut |keep| {
                client(settings, &schemas_only(&base, &names, keep)).map(|_| ())
            });
            for (i, e) in refused {
                w.add(
                    format!("schema {}", names[i]),
                    format!(
                        "progenitor cannot type it together with the other schemas ({}): read as any JSON",
                        first_line(&e)
                    ),
                );
                spec["components"]["schemas"][&names[i]] = json!({});
            }
        }
    }
    for op in operations(&spec) {
        let (path, method, id, _) = &op;
        if let Err(e) = client(settings, &only(&spec, path, method)) {
            w.add(
                id.as_str(),
                format!(
                    "progenitor cannot generate it ({}): left out of the typed client (SET_ASIDE; `gen api` calls it)",
                    first_line(&e)
                ),
            );
            remove(&mut spec, path, method);
            set_aside_one(set_aside, op);
        }
    }
    if client(settings, &spec).is_err() {
        let ops = operations(&spec);
        let (_, refused) = keep_greedy(ops.len(), &mut |keep| {
            client(settings, &operations_only(&spec, &ops, keep)).map(|_| ())
        });
        for (i, e) in refused {
            let op = ops[i].clone();
            w.add(
                op.2.as_str(),
                format!(
                    "progenitor cannot generate it together with the other operations ({}): left out of the typed client (SET_ASIDE; `gen api` calls it)",
                    first_line(&e)
                ),
            );
            remove(&mut spec, &op.0, &op.1);
            set_aside_one(set_aside, op);
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

#[cfg(test)]
mod together {
    use super::*;

    #[test]
    fn greedy_keeps_all_but_what_cannot_join() {
        // 3 and 7 cannot be together; 5 fails alone.
        let mut calls = 0;
        let (kept, refused) = keep_greedy(10, &mut |set| {
            calls += 1;
            if set.contains(&5) {
                Err("five".to_owned())
            } else if set.contains(&3) && set.contains(&7) {
                Err("three and seven".to_owned())
            } else {
                Ok(())
            }
        });
        assert_eq!(kept, vec![0, 1, 2, 3, 4, 6, 8, 9]);
        assert_eq!(
            refused,
            vec![(5, "five".to_owned()), (7, "three and seven".to_owned())]
        );
        assert!(calls <= 12, "{calls} calls");
    }

    #[test]
    fn a_type_defined_twice_in_a_module_is_an_error() {
        let twice = quote::quote! {
            pub mod types { pub struct String {} pub type Other = u8; pub enum String { A } }
        };
        assert_eq!(
            defined_once(&twice),
            Err("the name `String` is defined twice in `crate::types`".to_owned())
        );
        let once = quote::quote! {
            pub mod types { pub struct String {} impl String {} pub fn f() {} }
            pub struct String {}
        };
        assert_eq!(defined_once(&once), Ok(()));
    }
}
