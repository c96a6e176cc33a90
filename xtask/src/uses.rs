//! What a spec change takes away from the hand-written crates.
//!
//! When openapi.yaml loses an operation, or a type loses (or renames) a
//! field, genpro-api's builder method or field goes with it, and genpro-sdk,
//! genpro-cli or genpro-mcp code that used it stops compiling with a wall of
//! rustc errors in generated names. Generation compares the client it
//! writes with the one checked in and names, before any build, each
//! removed operation or field and the hand-written lines that use it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::normalize::Warnings;

/// The builder methods (one per operation) of a generated client.
fn operations(client: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in client.lines() {
        let line = line.trim_start();
        if let Some(rest) = line.strip_prefix("fn ")
            && let Some((name, tail)) = rest.split_once('(')
            && tail.starts_with("&self) -> builder::")
        {
            out.insert(name.to_owned());
        }
    }
    out
}

/// `type → fields` of the structs of the generated `types` module.
fn fields(client: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    let Ok(file) = syn::parse_file(client) else {
        return out;
    };
    let types = file.items.iter().find_map(|i| match i {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_ref().map(|(_, items)| items),
        _ => None,
    });
    for item in types.into_iter().flatten() {
        if let syn::Item::Struct(s) = item {
            let names = s
                .fields
                .iter()
                .filter_map(|f| f.ident.as_ref().map(|i| i.to_string()))
                .collect();
            out.insert(s.ident.to_string(), names);
        }
    }
    out
}

/// Every `.rs` file of the hand-written crates under `root` (the generated
/// files left out).
fn hand_written(root: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n != "target") {
                    walk(&p, out);
                }
            } else if p.extension().is_some_and(|e| e == "rs") {
                let generated = std::fs::read_to_string(&p)
                    .map(|t| t.starts_with("// @generated"))
                    .unwrap_or(true);
                if !generated {
                    out.push(p);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(&root.join("crates"), &mut out);
    walk(&root.join("tests"), &mut out);
    out.sort();
    out
}

fn uses_ident(line: &str, prefix: &str, name: &str, suffix: impl Fn(char) -> bool) -> bool {
    let needle = format!("{prefix}{name}");
    line.match_indices(&needle).any(|(at, _)| {
        line[at + needle.len()..]
            .chars()
            .next()
            .is_some_and(&suffix)
    })
}

/// Compares the client `old` (checked in) with `new` (being written) and
/// warns about each operation and field `new` no longer has, with the
/// hand-written lines under `root` that use it.
pub fn removed(root: &Path, old: &str, new: &str, w: &mut Warnings) {
    let gone_ops: Vec<String> = operations(old)
        .difference(&operations(new))
        .cloned()
        .collect();
    let new_fields = fields(new);
    let mut gone_fields: Vec<(String, String)> = Vec::new();
    for (ty, names) in fields(old) {
        let Some(now) = new_fields.get(&ty) else {
            continue;
        };
        for f in names.difference(now) {
            gone_fields.push((ty.clone(), f.clone()));
        }
    }
    if gone_ops.is_empty() && gone_fields.is_empty() {
        return;
    }
    let files: Vec<(PathBuf, String)> = hand_written(root)
        .into_iter()
        .filter_map(|p| Some((p.clone(), std::fs::read_to_string(&p).ok()?)))
        .collect();
    let rel = |p: &Path| p.strip_prefix(root).unwrap_or(p).display().to_string();
    let not_ident = |c: char| !(c.is_alphanumeric() || c == '_');
    for op in gone_ops {
        let mut at = Vec::new();
        for (path, text) in &files {
            for (n, line) in text.lines().enumerate() {
                if uses_ident(line, ".", &op, |c| c == '(') {
                    at.push(format!("{}:{}", rel(path), n + 1));
                }
            }
        }
        if !at.is_empty() {
            w.add(
                format!("operation {op}"),
                format!(
                    "gone from openapi.yaml (removed or renamed), so is genpro-api's `{op}()`; hand-written code calls it at {}",
                    at.join(", ")
                ),
            );
        }
    }
    for (ty, field) in gone_fields {
        let mut at = Vec::new();
        for (path, text) in &files {
            if !uses_ident(text, "", &ty, not_ident) {
                continue;
            }
            for (n, line) in text.lines().enumerate() {
                if uses_ident(line, ".", &field, not_ident)
                    || uses_ident(line, "", &format!("{field}:"), |_| true)
                {
                    at.push(format!("{}:{}", rel(path), n + 1));
                }
            }
        }
        if !at.is_empty() {
            w.add(
                format!("field {ty}.{field}"),
                format!(
                    "gone from openapi.yaml (removed or renamed); hand-written code that names `{ty}` uses `{field}` at {}",
                    at.join(", ")
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = "pub mod types {\n    pub struct Balance {\n        pub credits: i64,\n        pub name: String,\n    }\n}\npub trait ClientSetupExt {\n    fn get_balance(&self) -> builder::GetBalance<'_>;\n    fn get_other(&self) -> builder::GetOther<'_>;\n}\n";

    #[test]
    fn removed_operations_and_fields_are_named_with_their_uses() {
        let root = std::env::temp_dir().join(format!("gen-xtask-uses-{}", std::process::id()));
        let src = root.join("crates/gen-sdk/src");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(
            src.join("credits.rs"),
            "use genpro_api::types::Balance;\nfn f(c: &Client) {\n    let b = c.get_balance().send();\n    b.credits + 1\n}\n",
        )
        .unwrap();
        std::fs::write(src.join("gen.rs"), "// @generated\nc.get_balance()\n").unwrap();
        let new = OLD
            .replace("fn get_balance(&self) -> builder::GetBalance<'_>;\n", "")
            .replace("pub credits: i64", "pub credit_count: i64");
        let mut w = Warnings::default();
        removed(&root, OLD, &new, &mut w);
        std::fs::remove_dir_all(&root).ok();
        let said: Vec<String> = w.iter().map(|(s, c)| format!("{s}: {c}")).collect();
        assert_eq!(
            said,
            vec![
                "field Balance.credits: gone from openapi.yaml (removed or renamed); hand-written code that names `Balance` uses `credits` at crates/gen-sdk/src/credits.rs:4",
                "operation get_balance: gone from openapi.yaml (removed or renamed), so is genpro-api's `get_balance()`; hand-written code calls it at crates/gen-sdk/src/credits.rs:3",
            ]
        );
        // Nothing gone: nothing said.
        let mut w = Warnings::default();
        removed(Path::new("/nonexistent"), OLD, OLD, &mut w);
        assert!(w.is_empty());
    }
}
