//! The tool catalog: one tool per operation of the operation table, the
//! workflow tools and the meta-tools, each in its toolsets. Built once, at
//! first use, from [`genpro_sdk::genpro_api::operations::OPERATIONS`];
//! nothing here lists operations by hand (the default's core operations
//! are the ones openapi.yaml marks `x-mcp-core: true`).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, LazyLock};

use genpro_sdk::genpro_api::operations::{OPERATIONS, Operation, Phase, RetryClass};
use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use serde_json::Value;

pub use crate::meta::Meta;
pub use crate::workflow::Workflow;

/// What a tool runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// One operation, through [`genpro_sdk::dynamic::call`].
    Operation(&'static Operation),
    /// A workflow on genpro-sdk's helpers.
    Workflow(Workflow),
    /// A meta-tool.
    Meta(Meta),
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

/// Every tool: operation tools first (in the table's order), then the
/// workflow tools, then the meta-tools.
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

/// The phases, in order, comma-separated (from the operation table).
pub fn phase_names() -> String {
    names(Phase::ALL.iter().map(|p| p.as_str()))
}

fn names<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names.collect::<Vec<_>>().join(", ")
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

/// The full input schema of an operation: its `input_schema` (the tool
/// lists a compact one, [`crate::compact::listed`]).
pub fn operation_schema(op: &Operation) -> JsonObject {
    object(serde_json::from_str(op.input_schema).unwrap_or(Value::Null))
}

fn operation_entry(op: &'static Operation) -> Entry {
    let mut annotations = ToolAnnotations::new()
        .read_only(op.is_read_only())
        .open_world(true);
    if op.method == "DELETE" {
        annotations = annotations.destructive(true);
    }
    if op.retry == RetryClass::Idempotent {
        annotations = annotations.idempotent(true);
    }
    let schema = crate::compact::listed(&Value::Object(operation_schema(op)));
    let tool = Tool::new(
        operation_tool_name(op),
        operation_description(op),
        Arc::new(object(schema)),
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
    entries.extend(Meta::ALL.iter().map(|m| Entry {
        tool: m.tool(),
        target: Target::Meta(*m),
        phase: None,
    }));
    let mut by_name = HashMap::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        // A workflow tool never shadows an operation: the first name wins
        // (a test asserts the names are distinct).
        by_name.entry(entry.tool.name.to_string()).or_insert(i);
    }
    Catalog { entries, by_name }
}

/// A group of tools that can be listed together (`gen mcp --toolsets`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Toolset {
    /// The operations openapi.yaml marks `x-mcp-core: true`.
    Core,
    /// The workflow tools.
    Workflow,
    /// `search_operations`, `describe_operation`, `call_operation`: every
    /// operation on demand.
    Meta,
    /// One phase: its operation tools and its workflow tools (plus
    /// `wait_for_job`, which serves every phase).
    Phase(Phase),
}

impl Toolset {
    /// Every toolset, in listing order.
    pub fn all() -> Vec<Toolset> {
        let mut sets = vec![Toolset::Core, Toolset::Workflow, Toolset::Meta];
        sets.extend(Phase::ALL.iter().map(|p| Toolset::Phase(*p)));
        sets
    }

    /// The toolsets listed by default: core, workflow and meta.
    pub const DEFAULT: &'static [Toolset] = &[Toolset::Core, Toolset::Workflow, Toolset::Meta];

    /// The name (`core`, `workflow`, `meta`, or a phase).
    pub fn name(self) -> &'static str {
        match self {
            Toolset::Core => "core",
            Toolset::Workflow => "workflow",
            Toolset::Meta => "meta",
            Toolset::Phase(p) => p.as_str(),
        }
    }

    /// One line on what it holds.
    pub fn description(self) -> String {
        match self {
            Toolset::Core => {
                "The operations a content agent needs at every step (openapi.yaml's x-mcp-core)."
                    .to_owned()
            }
            Toolset::Workflow => {
                "Generate, render, publish and run ideas with bounded waits and progress; uploads; credit checks."
                    .to_owned()
            }
            Toolset::Meta => {
                "Search, describe and call any operation on demand.".to_owned()
            }
            Toolset::Phase(p) => format!("Step {}: {} — every operation tool of the phase.", step(p), p.description()),
        }
    }

    /// The toolsets named `name`: a toolset, `default` or `all`.
    pub fn parse(name: &str) -> Result<Vec<Toolset>, String> {
        let name = name.trim();
        match name {
            "default" => return Ok(Toolset::DEFAULT.to_vec()),
            "all" => return Ok(Toolset::all()),
            _ => {}
        }
        Toolset::all()
            .into_iter()
            .find(|t| t.name() == name)
            .map(|t| vec![t])
            .ok_or_else(|| {
                format!(
                    "unknown toolset `{name}`; the toolsets are {}",
                    Toolset::choices()
                )
            })
    }

    /// What `--toolsets` takes: every toolset, `default` (with what it
    /// holds) and `all`.
    pub fn choices() -> String {
        format!(
            "{}, default ({}) and all",
            names(Toolset::all().into_iter().map(Toolset::name)),
            names(Toolset::DEFAULT.iter().map(|t| t.name())),
        )
    }

    /// Whether `entry` belongs to this toolset. The dynamic-mode tools
    /// (`list_toolsets`, `enable_toolset`) belong to none.
    pub fn contains(self, entry: &Entry) -> bool {
        match (self, entry.target) {
            (Toolset::Core, Target::Operation(op)) => op.mcp_core,
            (Toolset::Workflow, Target::Workflow(_)) => true,
            (Toolset::Meta, Target::Meta(m)) => !m.dynamic_only(),
            (Toolset::Phase(p), Target::Operation(op)) => op.phase == p,
            (Toolset::Phase(p), Target::Workflow(w)) => w.phase().is_none_or(|wp| wp == p),
            _ => false,
        }
    }
}

/// Which tools a server lists: toolsets, single tools, and whether the
/// client may enable more toolsets at run time (dynamic mode).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    toolsets: Vec<Toolset>,
    tools: Vec<String>,
    dynamic: bool,
}

impl Default for Selection {
    /// The default: core, workflow and meta; not dynamic.
    fn default() -> Self {
        Self {
            toolsets: Toolset::DEFAULT.to_vec(),
            tools: Vec::new(),
            dynamic: false,
        }
    }
}

impl Selection {
    /// A selection from `gen mcp`'s flags: `toolsets` a comma-separated
    /// list of toolset names (`default`, `all`, `core`, `workflow`, `meta`,
    /// phases), `tools` a comma-separated list of tool names. Without
    /// either, the default toolsets; with only `tools`, just those tools.
    /// Unknown names are an error naming the known ones.
    pub fn parse(
        toolsets: Option<&str>,
        tools: Option<&str>,
        dynamic: bool,
    ) -> Result<Self, String> {
        let split = |s: &str| -> Vec<String> {
            s.split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let tools = tools.map(split).unwrap_or_default();
        let mut sets = Vec::new();
        match toolsets {
            Some(list) => {
                for name in split(list) {
                    for t in Toolset::parse(&name)? {
                        if !sets.contains(&t) {
                            sets.push(t);
                        }
                    }
                }
            }
            None if tools.is_empty() => sets = Toolset::DEFAULT.to_vec(),
            None => {}
        }
        let catalog = catalog();
        let unknown: Vec<&String> = tools.iter().filter(|n| catalog.get(n).is_none()).collect();
        if !unknown.is_empty() {
            return Err(format!(
                "unknown tool{} {}; `gen mcp --list-tools --toolsets all` lists them",
                if unknown.len() == 1 { "" } else { "s" },
                unknown
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        Ok(Self {
            toolsets: sets,
            tools,
            dynamic,
        })
    }

    /// The toolsets.
    pub fn toolsets(&self) -> &[Toolset] {
        &self.toolsets
    }

    /// Whether the client may enable toolsets at run time.
    pub fn is_dynamic(&self) -> bool {
        self.dynamic
    }

    /// Whether `entry` is listed at the start of a session.
    pub fn lists(&self, entry: &Entry) -> bool {
        if let Target::Meta(m) = entry.target
            && m.dynamic_only()
        {
            return self.dynamic;
        }
        self.toolsets.iter().any(|t| t.contains(entry))
            || self.tools.iter().any(|n| *n == entry.tool.name)
    }

    /// The names of the tools listed at the start of a session, in listing
    /// order.
    pub fn names(&self) -> Vec<String> {
        catalog()
            .entries()
            .iter()
            .filter(|e| self.lists(e))
            .map(|e| e.tool.name.to_string())
            .collect()
    }
}

/// The JSON bytes of each listed tool (as `tools/list` sends it), in
/// listing order, and of the whole `tools/list` result.
pub fn sizes(selection: &Selection) -> (Vec<(String, usize)>, usize) {
    let tools: Vec<Tool> = catalog()
        .entries()
        .iter()
        .filter(|e| selection.lists(e))
        .map(|e| e.tool.clone())
        .collect();
    let each = tools
        .iter()
        .map(|t| {
            (
                t.name.to_string(),
                serde_json::to_vec(t).map_or(0, |v| v.len()),
            )
        })
        .collect();
    let total = serde_json::to_vec(&rmcp::model::ListToolsResult::with_all_items(tools))
        .map_or(0, |v| v.len());
    (each, total)
}

/// `gen mcp --list-tools --sizes`: bytes per listed tool, the total, and
/// an estimate of tokens (bytes / 4: an estimate, not a tokenizer's count).
pub fn sizes_table(selection: &Selection) -> String {
    let (each, total) = sizes(selection);
    let mut out = String::from("| tool | bytes |\n|---|---|\n");
    for (name, bytes) in &each {
        let _ = writeln!(out, "| `{name}` | {bytes} |");
    }
    let _ = writeln!(
        out,
        "\n{} tools; tools/list result {total} bytes, about {} tokens (bytes / 4)",
        each.len(),
        total.div_ceil(4)
    );
    out
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The kind column of an operation tool's row ([`crate::meta::kind`] in
/// the README table's words).
fn operation_kind(op: &Operation) -> &'static str {
    match crate::meta::kind(op) {
        "multipart" => "operation (multipart)",
        "read-only" => "operation (read-only)",
        "paid" => "operation (paid)",
        _ => "operation",
    }
}

const HEADER: &str = "| tool | phase | kind | default | description |\n|---|---|---|---|---|\n";

/// The operation tools as a markdown table, grouped by phase in journey
/// order; `default` says which are listed by default. `cargo xtask
/// generate` writes the same table (from openapi.yaml) into README.md; a
/// test keeps the two equal.
pub fn markdown_operations() -> String {
    let catalog = catalog();
    let mut out = String::from(HEADER);
    for phase in Phase::ALL {
        for e in catalog.entries().iter().filter(|e| e.phase == Some(*phase)) {
            if let Target::Operation(op) = e.target {
                let description = format!("{} `{} {}`", op.summary.trim(), op.method, op.path);
                let _ = writeln!(
                    out,
                    "| `{}` | {} | {} | {} | {} |",
                    e.tool.name,
                    phase.as_str(),
                    operation_kind(op),
                    if op.mcp_core { "yes" } else { "" },
                    cell(&description)
                );
            }
        }
    }
    out
}

/// The workflow tools (phase `any` last), then the meta-tools, as a
/// markdown table.
pub fn markdown_workflows() -> String {
    let catalog = catalog();
    let mut out = String::from(HEADER);
    let groups = Phase::ALL
        .iter()
        .map(|p| Some(*p))
        .chain(std::iter::once(None));
    for group in groups {
        for e in catalog.entries().iter().filter(|e| e.phase == group) {
            if let Target::Workflow(w) = e.target {
                let _ = writeln!(
                    out,
                    "| `{}` | {} | workflow | yes | {} |",
                    e.tool.name,
                    group.map_or("any", Phase::as_str),
                    cell(w.summary())
                );
            }
        }
    }
    for m in Meta::ALL {
        let _ = writeln!(
            out,
            "| `{}` | any | meta | {} | {} |",
            m.name(),
            if m.dynamic_only() {
                "dynamic mode"
            } else {
                "yes"
            },
            cell(m.summary())
        );
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
                crate::compact::listed(&serde_json::from_str::<Value>(op.input_schema).unwrap())
            );
            assert!(catalog.get(&entry.tool.name).is_some());
        }
        assert_eq!(
            catalog.entries().len(),
            OPERATIONS.len() + Workflow::ALL.len() + Meta::ALL.len()
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

    fn listed(selection: &Selection) -> Vec<String> {
        selection.names()
    }

    #[test]
    fn the_default_is_core_workflow_and_meta_within_the_budget() {
        let selection = Selection::default();
        let names = listed(&selection);
        let core: Vec<String> = OPERATIONS
            .iter()
            .filter(|op| op.mcp_core)
            .map(operation_tool_name)
            .collect();
        assert!(!core.is_empty());
        let expected: Vec<String> = core
            .into_iter()
            .chain(Workflow::ALL.iter().map(|w| w.name().to_owned()))
            .chain(["search_operations", "describe_operation", "call_operation"].map(String::from))
            .collect();
        assert_eq!(names, expected);
        let (each, total) = sizes(&selection);
        assert_eq!(each.len(), names.len());
        assert!(names.len() <= 30, "{} tools", names.len());
        assert!(total <= 20 * 1024, "{total} bytes");
    }

    #[test]
    fn toolsets_tools_and_dynamic_select_exactly_what_they_name() {
        let edit = Selection::parse(Some("edit"), None, false).unwrap();
        let names = listed(&edit);
        let edit_ops = OPERATIONS
            .iter()
            .filter(|op| op.phase == Phase::Edit)
            .count();
        let edit_flows = Workflow::ALL
            .iter()
            .filter(|w| w.phase().is_none_or(|p| p == Phase::Edit))
            .count();
        assert_eq!(names.len(), edit_ops + edit_flows);
        assert!(
            names
                .iter()
                .all(|n| n.starts_with("edit_") || n == "wait_for_job"),
            "{names:?}"
        );

        let all = Selection::parse(Some("all"), None, false).unwrap();
        assert_eq!(
            listed(&all).len(),
            OPERATIONS.len() + Workflow::ALL.len() + 3
        );
        let dynamic = Selection::parse(None, None, true).unwrap();
        assert!(listed(&dynamic).contains(&"enable_toolset".to_owned()));
        assert!(!listed(&Selection::default()).contains(&"enable_toolset".to_owned()));

        let single = Selection::parse(None, Some("edit_get_row, wait_for_job"), false).unwrap();
        assert_eq!(listed(&single), ["edit_get_row", "wait_for_job"]);
        let both = Selection::parse(Some("meta"), Some("edit_get_row"), false).unwrap();
        assert_eq!(
            listed(&both),
            [
                "edit_get_row",
                "search_operations",
                "describe_operation",
                "call_operation"
            ]
        );
        assert_eq!(
            Selection::parse(Some("render"), None, false).unwrap_err(),
            "unknown toolset `render`; the toolsets are core, workflow, meta, setup, ideas, vidsheet, edit, publish, default (core, workflow, meta) and all"
        );
        assert_eq!(
            Selection::parse(None, Some("nope,edit_get_row,nah"), false).unwrap_err(),
            "unknown tools `nope`, `nah`; `gen mcp --list-tools --toolsets all` lists them"
        );
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
