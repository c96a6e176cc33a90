//! Step 2: agent runs, ideas, research (`Agent`, `client.agent_run`, `client.messages`) — agent host.

use crate::common::{refused_before_sending, wire};
use gen_contract_tests::{Call, GET, POST, spec_example};
use genpro_api::types;
use genpro_sdk::status::IdeaStatus;
use genpro_sdk::steps::AgentId;
use serde_json::json;

#[tokio::test]
async fn start_run_posts_the_agent_id_as_a_string_to_the_agent_host() {
    let run = wire()
        .agent(
            Call::new(POST, "/v1/agent/run").body(json!({
                "agent_id": "42",
                "message": "Generate 5 content ideas grounded in this week trends"
            })),
            200,
            json!({ "run_id": "run_abc", "conversation_id": "conv_xyz",
                    "status": "running", "firebase_path": "..." }),
        )
        .run(async |c| {
            c.agent(AgentId::new(42))
                .start_run(
                    "Generate 5 content ideas grounded in this week trends",
                    None,
                )
                .await
        })
        .await
        .unwrap();
    assert_eq!(run.run_id, "run_abc");
    assert_eq!(run.conversation_id.as_deref(), Some("conv_xyz"));
}

#[tokio::test]
async fn start_run_refines_in_the_same_conversation() {
    wire()
        .agent(
            Call::new(POST, "/v1/agent/run").body(json!({
                "agent_id": "42",
                "conversation_id": "conv_xyz",
                "message": "Make idea 1 hook punchier."
            })),
            200,
            json!({"run_id": "run_def", "conversation_id": "conv_xyz", "status": "running"}),
        )
        .run(async |c| {
            c.agent(AgentId::new(42))
                .start_run("Make idea 1 hook punchier.", Some("conv_xyz"))
                .await
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn start_run_refuses_an_empty_message_before_sending() {
    refused_before_sending("message", async |c| {
        c.agent(AgentId::new(42)).start_run("  ", None).await
    })
    .await;
}

#[tokio::test]
async fn run_gets_the_run() {
    let run = wire()
        .agent(
            Call::new(GET, "/v1/agent/runs/run_abc"),
            200,
            spec_example("AgentRun"),
        )
        .run(async |c| c.agent_run("run_abc").await)
        .await
        .unwrap();
    assert_eq!(run.status.as_str(), "completed");
    assert_eq!(run.result.as_deref(), Some("Here are 5 ideas."));
}

#[tokio::test]
async fn run_refuses_an_empty_id_before_sending() {
    refused_before_sending("run_id", async |c| c.agent_run("").await).await;
}

#[tokio::test]
async fn messages_gets_the_conversation_s_messages() {
    let message = spec_example("Message");
    let messages = wire()
        .agent(
            Call::new(GET, "/v1/agent/conversations/conv_xyz/messages"),
            200,
            json!([message]),
        )
        .run(async |c| c.messages("conv_xyz").await)
        .await
        .unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].content.as_deref(), Some("Here are 5 ideas."));
}

#[tokio::test]
async fn ideas_filters_by_agent_and_status() {
    let idea = spec_example("Idea");
    let ideas = wire()
        .agent(
            Call::new(GET, "/v1/agent/ideas")
                .query("agent_id", 42)
                .query("status", "generated"),
            200,
            json!([idea]),
        )
        .run(async |c| {
            c.agent(AgentId::new(42))
                .ideas(Some(IdeaStatus::Generated))
                .await
        })
        .await
        .unwrap();
    assert_eq!(ideas.len(), 1);
}

#[tokio::test]
async fn ideas_without_status_sends_only_the_agent() {
    let ideas = wire()
        .agent(
            Call::new(GET, "/v1/agent/ideas").query("agent_id", 42),
            200,
            json!([]),
        )
        .run(async |c| c.agent(AgentId::new(42)).ideas(None).await)
        .await
        .unwrap();
    assert!(ideas.is_empty());
}

#[tokio::test]
async fn research_posts_topic_and_depth() {
    let run = wire()
        .agent(
            Call::new(POST, "/v1/research").body(json!({
                "agent_id": "42",
                "topic": "tariffs on beauty imports 2026",
                "depth": "deep"
            })),
            200,
            json!({"run_id": "run_r1", "status": "running"}),
        )
        .run(async |c| {
            c.agent(AgentId::new(42))
                .research(
                    "tariffs on beauty imports 2026",
                    types::ResearchRequestDepth::Deep,
                )
                .await
        })
        .await
        .unwrap();
    assert_eq!(run.run_id, "run_r1");
}
