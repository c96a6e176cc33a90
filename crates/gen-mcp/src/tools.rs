//! The tool catalog: one tool per operation of the operation table, plus
//! the workflow tools. Built once, at first use, from
//! [`genpro_sdk::genpro_api::operations::OPERATIONS`]; nothing here lists
//! operations by hand.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, LazyLock};

use genpro_sdk::genpro_api::operations::{OPERATIONS, Operation, Phase, RetryClass};
use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use serde_json::Value;

pub use crate::workflow::Workflow;

/// What a tool runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// One operation, through [`genpro_sdk::dynamic::call`].
    Operation(&'static Operation),
    /// A workflow on genpro-sdk's helpers.
    Workflow(Workflow),
}

/// One tool: its MCP definition and what it runs.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The MCP definition (name, description, input schema, annotations).
    pub tool: Tool,
    /// What calling it runs.
    pub target: Target,
    /// The phase it belongs to (`None`: any phase, e.g. waiting for a job).
    pub phase: Option<Phase>,
}

/// Every tool, operation tools first (in the table's order), then the
/// workflow tools.
#[derive(Debug)]
pub struct Catalog {
    entries: Vec<Entry>,
    by_name: HashMap<String, usize>,
}

impl Catalog {
    /// The tools, in listing order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The tool named `name`.
    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.by_name.get(name).map(|&i| &self.entries[i])
    }

    /// The MCP definitions, in listing order.
    pub fn tools(&self) -> Vec<Tool> {
        self.entries.iter().map(|e| e.tool.clone()).collect()
    }
}

static CATALOG: LazyLock<Catalog> = LazyLock::new(build);

/// The catalog.
pub fn catalog() -> &'static Catalog {
    &CATALOG
}

/// The tool name of an operation: `{phase}_{operation_id}`.
pub fn operation_tool_name(op: &Operation) -> String {
    format!("{}_{}", op.phase.as_str(), op.operation_id)
}

/// The step number (1–5) of a phase.
fn step(phase: Phase) -> usize {
    Phase::ALL.iter().position(|p| *p == phase).unwrap_or(0) + 1
}

/// What multipart-only operations say instead of being callable.
pub(crate) fn multipart_note(op: &Operation) -> String {
    format!(
        "`{}` takes a multipart/form-data file upload, which MCP tool arguments cannot carry: upload a content resource with the `{}` tool (a local file path); for the other multipart forms use genpro-sdk (genpro_sdk::multipart) or the `gen` CLI.",
        op.operation_id,
        Workflow::UPLOAD_FILE.name()
    )
}

/// The description of an operation tool.
pub fn operation_description(op: &Operation) -> String {
    let summary = op.summary.trim().trim_end_matches('.');
    let mut text = format!(
        "{summary}. `{} {}` — step {} ({}).",
        op.method,
        op.path,
        step(op.phase),
        op.phase.as_str()
    );
    if op.retry == RetryClass::Paid && !op.is_read_only() {
        text.push_str(" Spends credits (sent once, never retried after it may have reached GEN).");
    }
    if op.is_read_only() {
        text.push_str(" Read-only.");
    }
    if op.is_multipart_only() {
        text.push(' ');
        text.push_str(&multipart_note(op));
    }
    text
}

fn object(schema: Value) -> JsonObject {
    match schema {
        Value::Object(map) => map,
        _ => {
            let mut map = JsonObject::new();
            map.insert("type".into(), Value::String("object".into()));
            map
        }
    }
}

/// The input schema of an operation tool: the operation's `input_schema`.
pub fn operation_schema(op: &Operation) -> JsonObject {
    object(serde_json::from_str(op.input_schema).unwrap_or(Value::Null))
}

fn operation_entry(op: &'static Operation) -> Entry {
    let mut annotations = ToolAnnotations::with_title(op.summary.trim())
        .read_only(op.is_read_only())
        .open_world(true);
    if op.method == "DELETE" {
        annotations = annotations.destructive(true);
    }
    if op.retry == RetryClass::Idempotent {
        annotations = annotations.idempotent(true);
    }
    let tool = Tool::new(
        operation_tool_name(op),
        operation_description(op),
        Arc::new(operation_schema(op)),
    )
    .with_annotations(annotations);
    Entry {
        tool,
        target: Target::Operation(op),
        phase: Some(op.phase),
    }
}

fn build() -> Catalog {
    let mut entries: Vec<Entry> = OPERATIONS.iter().map(operation_entry).collect();
    entries.extend(Workflow::ALL.iter().map(|w| Entry {
        tool: w.tool(),
        target: Target::Workflow(*w),
        phase: w.phase(),
    }));
    let mut by_name = HashMap::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        // A workflow tool never shadows an operation: the first name wins
        // (a test asserts the names are distinct).
        by_name.entry(entry.tool.name.to_string()).or_insert(i);
    }
    Catalog { entries, by_name }
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The kind column of an operation tool's row.
fn operation_kind(op: &Operation) -> &'static str {
    if op.is_multipart_only() {
        "operation (multipart)"
    } else if op.is_read_only() {
        "operation (read-only)"
    } else if op.retry == RetryClass::Paid {
        "operation (paid)"
    } else {
        "operation"
    }
}

/// The operation tools as a markdown table, grouped by phase in journey
/// order. `cargo xtask generate` writes the same table (from openapi.yaml)
/// into README.md; a test keeps the two equal.
pub fn markdown_operations() -> String {
    let catalog = catalog();
    let mut out = String::new();
    let _ = writeln!(out, "| tool | phase | kind | description |");
    let _ = writeln!(out, "|---|---|---|---|");
    for phase in Phase::ALL {
        for e in catalog.entries().iter().filter(|e| e.phase == Some(*phase)) {
            if let Target::Operation(op) = e.target {
                let description = format!("{} `{} {}`", op.summary.trim(), op.method, op.path);
                let _ = writeln!(
                    out,
                    "| `{}` | {} | {} | {} |",
                    e.tool.name,
                    phase.as_str(),
                    operation_kind(op),
                    cell(&description)
                );
            }
        }
    }
    out
}

/// The workflow tools as a markdown table (phase `any` last).
pub fn markdown_workflows() -> String {
    let catalog = catalog();
    let mut out = String::new();
    let _ = writeln!(out, "| tool | phase | kind | description |");
    let _ = writeln!(out, "|---|---|---|---|");
    let groups = Phase::ALL
        .iter()
        .map(|p| Some(*p))
        .chain(std::iter::once(None));
    for group in groups {
        for e in catalog.entries().iter().filter(|e| e.phase == group) {
            if let Target::Workflow(w) = e.target {
                let _ = writeln!(
                    out,
                    "| `{}` | {} | workflow | {} |",
                    e.tool.name,
                    group.map_or("any", Phase::as_str),
                    cell(w.summary())
                );
            }
        }
    }
    out
}

/// The whole tool list: [`markdown_operations`], a blank line, then
/// [`markdown_workflows`]. This is what `gen mcp --list-tools` prints.
pub fn markdown() -> String {
    format!("{}\n{}", markdown_operations(), markdown_workflows())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_tools_are_derived_from_the_table_with_nothing_added_by_hand() {
        let catalog = catalog();
        let operations: Vec<&Entry> = catalog
            .entries()
            .iter()
            .filter(|e| matches!(e.target, Target::Operation(_)))
            .collect();
        assert_eq!(operations.len(), OPERATIONS.len());
        for (entry, op) in operations.iter().zip(OPERATIONS) {
            assert_eq!(entry.tool.name, operation_tool_name(op));
            assert_eq!(entry.target, Target::Operation(op));
            assert_eq!(entry.phase, Some(op.phase));
            assert_eq!(
                Value::Object((*entry.tool.input_schema).clone()),
                serde_json::from_str::<Value>(op.input_schema).unwrap()
            );
            assert!(catalog.get(&entry.tool.name).is_some());
        }
        assert_eq!(
            catalog.entries().len(),
            OPERATIONS.len() + Workflow::ALL.len()
        );
        assert_eq!(
            catalog.by_name.len(),
            catalog.entries().len(),
            "no workflow tool shadows an operation tool"
        );
    }

    #[test]
    fn descriptions_say_phase_paid_read_only_and_multipart() {
        let find = |id: &str| genpro_sdk::genpro_api::operations::find(id).unwrap();
        let get = operation_description(find("get_generation"));
        assert!(get.contains("`GET /v1/generations/{id}`"), "{get}");
        assert!(get.contains("step 4 (edit)"), "{get}");
        assert!(get.ends_with("Read-only."), "{get}");
        let paid = operation_description(find("render_cell"));
        assert!(paid.contains("Spends credits"), "{paid}");
        assert!(paid.contains("step 5 (publish)"), "{paid}");
        let multipart = operation_description(find("clone_voice"));
        assert!(multipart.contains("edit_upload_file"), "{multipart}");
        let tool = catalog().get("setup_delete_agent").unwrap();
        let annotations = tool.tool.annotations.as_ref().unwrap();
        assert_eq!(annotations.destructive_hint, Some(true));
        assert_eq!(annotations.read_only_hint, Some(false));
    }

    #[test]
    fn the_markdown_tables_have_one_row_per_tool_grouped_by_phase() {
        let ops = markdown_operations();
        let flows = markdown_workflows();
        let rows = |t: &str| t.lines().skip(2).map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(
            rows(&ops).len() + rows(&flows).len(),
            catalog().entries().len()
        );
        assert_eq!(
            rows(&ops).len(),
            genpro_sdk::genpro_api::operations::OPERATIONS.len()
        );
        let phases = |t: &str| {
            let mut p: Vec<String> = rows(t)
                .iter()
                .map(|r| r.split(" | ").nth(1).unwrap().to_owned())
                .collect();
            p.dedup();
            p
        };
        assert_eq!(
            phases(&ops),
            ["setup", "ideas", "vidsheet", "edit", "publish"]
        );
        assert_eq!(phases(&flows).last().map(String::as_str), Some("any"));
        assert_eq!(markdown(), format!("{ops}\n{flows}"));
    }
}
