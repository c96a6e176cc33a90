//! Resources and prompts: the operation reference, read on demand (it
//! costs nothing until a client reads it), and one prompt for the journey.
//!
//! - `gen://operations`: every operation as a markdown table (id, phase,
//!   kind, method, path, summary);
//! - `gen://operations/{operation_id}`: one operation as
//!   `describe_operation` gives it (JSON, the full input schema);
//! - `gen://schemas/card`: the full creation card schema (JSON).
//!
//! The prompt `idea_to_published_video` walks an agent from an idea to a
//! published video through the default tools.

use std::fmt::Write as _;

use genpro_sdk::genpro_api::operations::OPERATIONS;
use rmcp::model::{
    GetPromptResult, Prompt, PromptArgument, PromptMessage, ReadResourceResult, Resource,
    ResourceContents, ResourceTemplate,
};
use serde_json::Value;

use crate::meta;
use crate::tools::Workflow;

/// The URI of the operation index.
pub const INDEX_URI: &str = "gen://operations";
/// The URI template of one operation.
pub const OPERATION_URI_TEMPLATE: &str = "gen://operations/{operation_id}";
/// The URI of the full creation card schema.
pub const CARD_URI: &str = "gen://schemas/card";
/// The name of the journey prompt.
pub const JOURNEY_PROMPT: &str = "idea_to_published_video";

/// The fixed resources.
pub fn resources() -> Vec<Resource> {
    vec![
        Resource::new(INDEX_URI, "operations")
            .with_title("GEN API operations")
            .with_description("Every operation: id, phase, kind, method, path, summary.")
            .with_mime_type("text/markdown"),
        Resource::new(CARD_URI, "creation-card")
            .with_title("Creation card schema")
            .with_description(
                "The full JSON Schema of a creation card (the body of the generate operations).",
            )
            .with_mime_type("application/json"),
    ]
}

/// The resource templates.
pub fn templates() -> Vec<ResourceTemplate> {
    vec![
        ResourceTemplate::new(OPERATION_URI_TEMPLATE, "operation")
            .with_title("One GEN API operation")
            .with_description(
                "An operation as describe_operation gives it, with its full input schema.",
            )
            .with_mime_type("application/json"),
    ]
}

fn index() -> String {
    let mut out = String::from(
        "| operation_id | phase | kind | method | path | summary |\n|---|---|---|---|---|---|\n",
    );
    for op in OPERATIONS {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | `{}` | {} |",
            op.operation_id,
            op.phase.as_str(),
            meta::kind(op),
            op.method,
            op.path,
            op.summary.replace('|', "\\|")
        );
    }
    out
}

/// The contents of the resource at `uri`, or `None` when there is none.
pub fn read(uri: &str) -> Option<ReadResourceResult> {
    let text = |text: String, mime: &str| {
        Some(ReadResourceResult::new(vec![
            ResourceContents::text(text, uri).with_mime_type(mime),
        ]))
    };
    if uri == INDEX_URI {
        return text(index(), "text/markdown");
    }
    if uri == CARD_URI {
        let card = crate::compact::card_schema()
            .cloned()
            .unwrap_or(Value::Null);
        return text(
            serde_json::to_string_pretty(&card).ok()?,
            "application/json",
        );
    }
    let id = uri.strip_prefix("gen://operations/")?;
    meta::find_operation(id)?;
    let value = meta::describe(id).ok()?;
    text(
        serde_json::to_string_pretty(&value).ok()?,
        "application/json",
    )
}

/// The prompts.
pub fn prompts() -> Vec<Prompt> {
    vec![Prompt::new(
        JOURNEY_PROMPT,
        Some("From a raw idea to a published short video, step by step, with the default tools."),
        Some(vec![
            PromptArgument::new("idea")
                .with_description("The idea or topic (default: ask the Ideas Engine).")
                .with_required(false),
            PromptArgument::new("agent_id")
                .with_description(
                    "The agent to work with (default: the first of setup_list_agents).",
                )
                .with_required(false),
        ]),
    )]
}

/// The prompt `name` with `arguments`, or `None` when there is none.
pub fn prompt(name: &str, arguments: &serde_json::Map<String, Value>) -> Option<GetPromptResult> {
    if name != JOURNEY_PROMPT {
        return None;
    }
    let arg = |key: &str| {
        arguments.get(key).and_then(|v| match v {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
    };
    let agent = arg("agent_id").map_or_else(
        || "the agent (setup_list_agents; the first one unless told otherwise)".to_owned(),
        |a| format!("agent {a}"),
    );
    let idea = arg("idea").map_or_else(
        || {
            format!(
                "an idea from the Ideas Engine (`{}`)",
                Workflow::IDEAS_RUN_AND_WAIT.name()
            )
        },
        |i| format!("this idea: {i}"),
    );
    let text = format!(
        "Make a short video with GEN for {agent}, from {idea}.\n\
         1. Setup: read the user (setup_get_me) and the agent; check the workspace's credit with `{credit}`, passing the cards you plan.\n\
         2. Ideas: pick or refine the idea (`{ideas}`).\n\
         3. Vidsheet: list templates (vidsheet_list_templates), clone one into the agent (vidsheet_clone_template), read the engine (vidsheet_get_engine).\n\
         4. Edit: set the script cell (edit_update_cell), then generate the video cell from a creation card and wait (`{generate}`).\n\
         5. Publish: render the final video and wait (`{render}`), then publish it (`{publish}`).\n\
         Anything else: search_operations, describe_operation, call_operation. Tools that spend credits are sent once: never repeat one without checking what the first call did.",
        credit = Workflow::CREDIT_BALANCE.name(),
        ideas = Workflow::IDEAS_RUN_AND_WAIT.name(),
        generate = Workflow::GENERATE_AND_WAIT.name(),
        render = Workflow::RENDER_AND_WAIT.name(),
        publish = Workflow::PUBLISH_AND_WAIT.name(),
    );
    Some(
        GetPromptResult::new(vec![PromptMessage::new_text(rmcp::model::Role::User, text)])
            .with_description("From a raw idea to a published short video."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_a_readable_resource() {
        for op in OPERATIONS {
            let uri = format!("gen://operations/{}", op.operation_id);
            let read = read(&uri).unwrap_or_else(|| panic!("{uri}"));
            let json = serde_json::to_value(&read).unwrap();
            let text = json["contents"][0]["text"].as_str().unwrap();
            let value: Value = serde_json::from_str(text).unwrap();
            assert_eq!(value["operation_id"], op.operation_id);
        }
        assert!(read("gen://operations/nope").is_none());
        let index = serde_json::to_value(read(INDEX_URI).unwrap()).unwrap();
        let rows = index["contents"][0]["text"]
            .as_str()
            .unwrap()
            .lines()
            .count();
        assert_eq!(rows, OPERATIONS.len() + 2);
    }

    #[test]
    fn the_journey_prompt_names_the_tools_it_uses() {
        let mut args = serde_json::Map::new();
        args.insert("agent_id".into(), Value::from(42));
        let prompt = prompt(JOURNEY_PROMPT, &args).unwrap();
        let text = serde_json::to_string(&prompt).unwrap();
        assert!(text.contains("agent 42"), "{text}");
        for tool in [
            "setup_get_me",
            "vidsheet_clone_template",
            "edit_generate_and_wait",
            "publish_post_and_wait",
        ] {
            assert!(crate::tools::catalog().get(tool).is_some(), "{tool}");
            assert!(text.contains(tool), "{tool}");
        }
        assert!(super::prompt("other", &args).is_none());
    }
}
