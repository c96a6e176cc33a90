//! Step 2 handle: `client.ideas()` — agent host.

use gen_api::types;
use gen_contract_tests::{Call, GET, POST, any_request, expect, sdk, spec_example};
use gen_sdk::status::IdeaStatus;
use serde_json::json;

#[tokio::test]
async fn start_run_posts_the_agent_id_as_a_string_to_the_agent_host() {
    let s = sdk().await;
    let mock = expect(
        &s.agent,
        Call::new(POST, "/v1/agent/run").body(json!({
            "agent_id": "42",
            "message": "Generate 5 content ideas grounded in this week trends"
        })),
        200,
        Some(json!({ "run_id": "run_abc", "conversation_id": "conv_xyz",
                     "status": "running", "firebase_path": "..." })),
    )
    .await;
    let run = s
        .client
        .ideas()
        .start_run(
            42,
            "Generate 5 content ideas grounded in this week trends",
            None,
        )
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(run.run_id, "run_abc");
    assert_eq!(run.conversation_id.as_deref(), Some("conv_xyz"));
}

#[tokio::test]
async fn start_run_refines_in_the_same_conversation() {
    let s = sdk().await;
    let mock = expect(
        &s.agent,
        Call::new(POST, "/v1/agent/run").body(json!({
            "agent_id": "42",
            "conversation_id": "conv_xyz",
            "message": "Make idea 1 hook punchier."
        })),
        200,
        Some(json!({"run_id": "run_def", "conversation_id": "conv_xyz", "status": "running"})),
    )
    .await;
    s.client
        .ideas()
        .start_run(42, "Make idea 1 hook punchier.", Some("conv_xyz"))
        .await
        .unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn start_run_refuses_an_empty_message_before_sending() {
    let s = sdk().await;
    let any = any_request(&s.agent).await;
    let err = s
        .client
        .ideas()
        .start_run(42, "  ", None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, gen_sdk::Error::Validation { ref field, .. } if field == "message"),
        "{err:?}"
    );
    assert_eq!(any.calls_async().await, 0);
}

#[tokio::test]
async fn run_gets_the_run() {
    let s = sdk().await;
    let mock = expect(
        &s.agent,
        Call::new(GET, "/v1/agent/runs/run_abc"),
        200,
        Some(spec_example("AgentRun")),
    )
    .await;
    let run = s.client.ideas().run("run_abc").await.unwrap();
    mock.assert_async().await;
    assert_eq!(run.status.as_str(), "completed");
    assert_eq!(run.result.as_deref(), Some("Here are 5 ideas."));
}

#[tokio::test]
async fn run_refuses_an_empty_id_before_sending() {
    let s = sdk().await;
    let any = any_request(&s.agent).await;
    let err = s.client.ideas().run("").await.unwrap_err();
    assert!(
        matches!(err, gen_sdk::Error::Validation { ref field, .. } if field == "run_id"),
        "{err:?}"
    );
    assert_eq!(any.calls_async().await, 0);
}

#[tokio::test]
async fn messages_gets_the_conversation_s_messages() {
    let s = sdk().await;
    let message = spec_example("Message");
    let mock = expect(
        &s.agent,
        Call::new(GET, "/v1/agent/conversations/conv_xyz/messages"),
        200,
        Some(json!([message])),
    )
    .await;
    let messages = s.client.ideas().messages("conv_xyz").await.unwrap();
    mock.assert_async().await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].content.as_deref(), Some("Here are 5 ideas."));
}

#[tokio::test]
async fn ideas_filters_by_agent_and_status() {
    let s = sdk().await;
    let idea = spec_example("Idea");
    let mock = expect(
        &s.agent,
        Call::new(GET, "/v1/agent/ideas")
            .query("agent_id", 42)
            .query("status", "generated"),
        200,
        Some(json!([idea])),
    )
    .await;
    let ideas = s
        .client
        .ideas()
        .ideas(42, Some(IdeaStatus::Generated))
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(ideas.len(), 1);
}

#[tokio::test]
async fn ideas_without_status_sends_only_the_agent() {
    let s = sdk().await;
    let mock = expect(
        &s.agent,
        Call::new(GET, "/v1/agent/ideas").query("agent_id", 42),
        200,
        Some(json!([])),
    )
    .await;
    assert!(s.client.ideas().ideas(42, None).await.unwrap().is_empty());
    mock.assert_async().await;
}

#[tokio::test]
async fn research_posts_topic_and_depth() {
    let s = sdk().await;
    let mock = expect(
        &s.agent,
        Call::new(POST, "/v1/research").body(json!({
            "agent_id": "42",
            "topic": "tariffs on beauty imports 2026",
            "depth": "deep"
        })),
        200,
        Some(json!({"run_id": "run_r1", "status": "running"})),
    )
    .await;
    let run = s
        .client
        .ideas()
        .research(
            42,
            "tariffs on beauty imports 2026",
            types::ResearchRequestDepth::Deep,
        )
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(run.run_id, "run_r1");
}
