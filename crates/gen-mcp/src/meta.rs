//! The meta-tools: every operation of the operation table reached on
//! demand (search by words and phase, describe with the full input schema,
//! call by id), and, in dynamic mode, toolsets enabled at run time. All of
//! it is read from [`OPERATIONS`]: a new operation in openapi.yaml is
//! searchable, describable and callable after `cargo xtask generate`.

use std::sync::Arc;

use genpro_sdk::genpro_api::operations::{OPERATIONS, Operation, Phase, RetryClass};
use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::tools::{self, Workflow};

/// A meta-tool.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Meta {
    /// `search_operations`: operations by words and phase.
    Search,
    /// `describe_operation`: one operation (or workflow tool) in full.
    Describe,
    /// `call_operation`: call one operation by id.
    Call,
    /// `list_toolsets` (dynamic mode): the toolsets and which are enabled.
    ListToolsets,
    /// `enable_toolset` (dynamic mode): add a toolset's tools to the list.
    EnableToolset,
}

impl Meta {
    /// Every meta-tool, in listing order.
    pub const ALL: &'static [Meta] = &[
        Meta::Search,
        Meta::Describe,
        Meta::Call,
        Meta::ListToolsets,
        Meta::EnableToolset,
    ];

    /// The tool name.
    pub const fn name(self) -> &'static str {
        match self {
            Meta::Search => "search_operations",
            Meta::Describe => "describe_operation",
            Meta::Call => "call_operation",
            Meta::ListToolsets => "list_toolsets",
            Meta::EnableToolset => "enable_toolset",
        }
    }

    /// Whether it is listed only in dynamic mode.
    pub const fn dynamic_only(self) -> bool {
        matches!(self, Meta::ListToolsets | Meta::EnableToolset)
    }

    /// One line on what it does.
    pub const fn summary(self) -> &'static str {
        match self {
            Meta::Search => {
                "Search all GEN API operations by words and/or phase; returns operation ids to describe or call."
            }
            Meta::Describe => {
                "One operation (or workflow tool) in full: description, method, path, retry class and full input schema."
            }
            Meta::Call => {
                "Call any GEN API operation by operation_id with its arguments (path/query parameters by name, `body` for the JSON body)."
            }
            Meta::ListToolsets => {
                "The toolsets this server offers, their tools, and which are enabled."
            }
            Meta::EnableToolset => {
                "Enable a toolset: its tools are added to tools/list (the server sends notifications/tools/list_changed)."
            }
        }
    }

    fn read_only(self) -> bool {
        matches!(self, Meta::Search | Meta::Describe | Meta::ListToolsets)
    }

    fn schema(self) -> JsonObject {
        let value = match self {
            Meta::Search => schemars::schema_for!(SearchArgs).to_value(),
            Meta::Describe => schemars::schema_for!(DescribeArgs).to_value(),
            Meta::Call => schemars::schema_for!(CallArgs).to_value(),
            Meta::ListToolsets => json!({"type": "object", "properties": {}}),
            Meta::EnableToolset => schemars::schema_for!(EnableArgs).to_value(),
        };
        let mut map = match crate::compact::compact(&value) {
            Value::Object(map) => map,
            _ => JsonObject::new(),
        };
        if self == Meta::Search
            && let Some(Value::Object(phase)) =
                map.get_mut("properties").and_then(|p| p.get_mut("phase"))
        {
            // The phases come from the operation table (openapi.yaml's x-phase).
            phase.insert(
                "description".into(),
                Value::String(format!(
                    "Only operations of this phase ({})",
                    tools::phase_names()
                )),
            );
        }
        map
    }

    /// The MCP definition.
    pub fn tool(self) -> Tool {
        let mut annotations = ToolAnnotations::new()
            .read_only(self.read_only())
            .open_world(self == Meta::Call);
        if self.read_only() {
            annotations = annotations.idempotent(true);
        }
        if self == Meta::Call {
            // It can call DELETE operations.
            annotations = annotations.destructive(true);
        }
        let mut description = self.summary().to_owned();
        if self == Meta::Call {
            description.push_str(
                " Operations that spend credits are sent once and never retried after they may have reached GEN.",
            );
        }
        Tool::new(self.name(), description, Arc::new(self.schema())).with_annotations(annotations)
    }
}

/// Arguments of `search_operations`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchArgs {
    /// Words to look for in the operation id, summary, path and description (any order).
    #[serde(default)]
    pub query: Option<String>,
    /// Only operations of this phase (the schema names the phases).
    #[serde(default)]
    pub phase: Option<String>,
    /// Most results (default 10, at most 100).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// Arguments of `describe_operation`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DescribeArgs {
    /// An operation_id (as search_operations gives it), or a tool name.
    pub operation_id: String,
}

/// Arguments of `call_operation`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CallArgs {
    /// The operation_id (or its tool name, `{phase}_{operation_id}`).
    pub operation_id: String,
    /// The operation's arguments, as describe_operation's input_schema says.
    #[serde(default)]
    pub arguments: Option<Map<String, Value>>,
}

/// Arguments of `enable_toolset`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnableArgs {
    /// A toolset name, as list_toolsets gives it.
    pub toolset: String,
}

/// The operation named `name`: an operation id, or an operation tool's
/// name (`{phase}_{operation_id}`).
pub fn find_operation(name: &str) -> Option<&'static Operation> {
    let name = name.trim();
    genpro_sdk::genpro_api::operations::find(name).or_else(|| {
        OPERATIONS
            .iter()
            .find(|op| tools::operation_tool_name(op) == name)
    })
}

/// What kind of call an operation is, in a word.
pub fn kind(op: &Operation) -> &'static str {
    if op.is_multipart_only() {
        "multipart"
    } else if op.is_read_only() {
        "read-only"
    } else if op.retry == RetryClass::Paid {
        "paid"
    } else if op.method == "DELETE" {
        "destructive"
    } else {
        "write"
    }
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// How well `op` matches the query words: 3 per word in the id or the
/// summary, 2 in the path, 1 in the description; 0 when a word is found
/// nowhere.
fn score(op: &Operation, query: &[String]) -> usize {
    let id = words(op.operation_id);
    let summary = words(op.summary);
    let path = words(op.path);
    let description = op.description.to_lowercase();
    let mut total = 0;
    for word in query {
        let stem = word.trim_end_matches('s');
        let hit = |list: &[String]| list.iter().any(|w| w.trim_end_matches('s') == stem);
        let points = if hit(&id) || hit(&summary) {
            3
        } else if hit(&path) {
            2
        } else if description.contains(stem) {
            1
        } else {
            return 0;
        };
        total += points;
    }
    total
}

/// The answer of `search_operations`.
pub fn search(args: SearchArgs) -> Result<Value, String> {
    let phase = match args.phase.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(name) => Some(Phase::from_name(name).ok_or_else(|| {
            format!(
                "unknown phase `{name}`; the phases are {}",
                tools::phase_names()
            )
        })?),
    };
    let query = words(args.query.as_deref().unwrap_or_default());
    let limit = args.limit.unwrap_or(10).clamp(1, 100);
    let mut hits: Vec<(usize, usize, &Operation)> = OPERATIONS
        .iter()
        .enumerate()
        .filter(|(_, op)| phase.is_none_or(|p| op.phase == p))
        .filter_map(|(i, op)| {
            if query.is_empty() {
                return Some((1, i, op));
            }
            let s = score(op, &query);
            (s > 0).then_some((s, i, op))
        })
        .collect();
    hits.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let total = hits.len();
    let operations: Vec<Value> = hits
        .into_iter()
        .take(limit)
        .map(|(_, _, op)| {
            json!({
                "operation_id": op.operation_id,
                "method": op.method,
                "path": op.path,
                "phase": op.phase.as_str(),
                "kind": kind(op),
                "summary": op.summary,
            })
        })
        .collect();
    Ok(json!({
        "total": total,
        "operations": operations,
        "next": "describe_operation {operation_id} for the input schema; call_operation {operation_id, arguments} to run it",
    }))
}

/// The answer of `describe_operation`.
pub fn describe(name: &str) -> Result<Value, String> {
    if let Some(op) = find_operation(name) {
        let schema: Value = serde_json::from_str(op.input_schema).unwrap_or(Value::Null);
        let mut value = json!({
            "operation_id": op.operation_id,
            "tool": tools::operation_tool_name(op),
            "method": op.method,
            "path": op.path,
            "phase": op.phase.as_str(),
            "kind": kind(op),
            "retry": op.retry.as_str(),
            "summary": op.summary,
            "description": op.description,
            "input_schema": schema,
            "call": format!("call_operation {{\"operation_id\": \"{}\", \"arguments\": {{...}}}}", op.operation_id),
        });
        if op.is_multipart_only() {
            value["note"] = Value::String(tools::multipart_note(op));
        }
        return Ok(value);
    }
    if let Some(w) = Workflow::ALL.iter().find(|w| w.name() == name.trim()) {
        return Ok(json!({
            "tool": w.name(),
            "kind": "workflow",
            "phase": w.phase().map_or("any", Phase::as_str),
            "description": w.description(),
            "input_schema": Value::Object(w.full_schema()),
            "call": format!("call the tool `{}` directly", w.name()),
        }));
    }
    Err(format!(
        "no operation or workflow tool named `{name}`; search_operations finds operation ids"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(value: &Value) -> Vec<String> {
        value["operations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["operation_id"].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn search_ranks_by_words_and_filters_by_phase() {
        let found = search(SearchArgs {
            query: Some("clone template".into()),
            phase: None,
            limit: Some(3),
        })
        .unwrap();
        assert_eq!(ids(&found)[0], "clone_template");
        let found = search(SearchArgs {
            query: Some("rows".into()),
            phase: Some("edit".into()),
            limit: Some(100),
        })
        .unwrap();
        let rows = ids(&found);
        assert!(rows.contains(&"list_rows".to_owned()), "{rows:?}");
        assert!(
            rows.iter()
                .all(|id| find_operation(id).unwrap().phase == Phase::Edit)
        );
        let all = search(SearchArgs {
            query: None,
            phase: None,
            limit: Some(100),
        })
        .unwrap();
        assert_eq!(all["total"], OPERATIONS.len());
        let err = search(SearchArgs {
            query: None,
            phase: Some("render".into()),
            limit: None,
        })
        .unwrap_err();
        assert_eq!(
            err,
            "unknown phase `render`; the phases are setup, ideas, vidsheet, edit, publish"
        );
        let none = search(SearchArgs {
            query: Some("zebra".into()),
            phase: None,
            limit: None,
        })
        .unwrap();
        assert_eq!(none["total"], 0);
    }

    #[test]
    fn describe_gives_the_full_schema_by_id_or_tool_name() {
        let by_id = describe("generate_on_cell").unwrap();
        let op = find_operation("generate_on_cell").unwrap();
        assert_eq!(
            by_id["input_schema"],
            serde_json::from_str::<Value>(op.input_schema).unwrap()
        );
        assert_eq!(by_id["kind"], "paid");
        assert_eq!(describe("edit_generate_on_cell").unwrap(), by_id);
        let flow = describe("edit_generate_and_wait").unwrap();
        assert_eq!(flow["kind"], "workflow");
        assert_eq!(
            flow["input_schema"]["properties"]["card"],
            *crate::compact::card_schema().unwrap()
        );
        assert_eq!(
            describe("nope").unwrap_err(),
            "no operation or workflow tool named `nope`; search_operations finds operation ids"
        );
    }
}
