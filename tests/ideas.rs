//! Contract tests, step 2 (ideas): agent runs, ideas, research — agent host.

use gen_contract_tests::{Call, GET, POST, PUT, api, expect, spec_example};
use genpro_api::prelude::*;
use genpro_api::types;
use serde_json::json;

#[tokio::test]
async fn create_agent_run_posts_message_and_decodes_run_created() {
    let api = api().await;
    let body = json!({
        "agent_id": "42",
        "message": "Generate 5 content ideas grounded in this week trends"
    });
    let seed_resp = json!({ "run_id": "run_abc", "conversation_id": "conv_xyz", "status": "running", "firebase_path": "..." });
    let mock = expect(
        &api.server,
        Call::new(POST, "/v1/agent/run").body(body.clone()),
        200,
        Some(seed_resp),
    )
    .await;
    let run = api
        .client
        .create_agent_run()
        .body(serde_json::from_value::<types::AgentRunRequest>(body).unwrap())
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(run.run_id, "run_abc");
    assert_eq!(run.conversation_id.as_deref(), Some("conv_xyz"));
    assert_eq!(run.status.as_ref().map(|s| s.as_str()), Some("running"));
}

#[tokio::test]
async fn refinement_reuses_the_conversation_id() {
    let api = api().await;
    let body = json!({
        "agent_id": "42",
        "conversation_id": "conv_xyz",
        "message": "Make idea 1 hook punchier. Change idea 3 to montage. Drop idea 5."
    });
    let mock = expect(
        &api.server,
        Call::new(POST, "/v1/agent/run").body(body.clone()),
        200,
        Some(json!({"run_id": "run_def", "conversation_id": "conv_xyz", "status": "running"})),
    )
    .await;
    api.client
        .create_agent_run()
        .body(serde_json::from_value::<types::AgentRunRequest>(body).unwrap())
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn get_agent_run_decodes_completed_run() {
    let api = api().await;
    let run = spec_example("AgentRun");
    let mock = expect(
        &api.server,
        Call::new(GET, "/v1/agent/runs/run_abc"),
        200,
        Some(run),
    )
    .await;
    let resp = api
        .client
        .get_agent_run()
        .run_id("run_abc")
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(resp.status.as_str(), "completed");
}

/// An idea carrying every field seed 001 lists.
fn full_idea() -> serde_json::Value {
    json!({
        "id": "idea_1",
        "title": "The $2 taco at 2am",
        "hook": "The $2 taco at 2am saved my life.",
        "full_script": "Hook. Story. Call to action.",
        "video_type": "talking_avatar",
        "video_type_id": 1,
        "estimated_duration": 15,
        "aspect_ratio": "9:16",
        "selected_assets": [{ "url": "https://cdn.gen.pro/a.mp4", "type": "clip",
            "description": "steam rising", "usage": "b-roll under hook", "clip_range": "0-3" }],
        "project_manifest": { "total_duration": 15, "timeline_layers": [{ "kind": "voiceover" }] },
        "inspiration_sources": [{ "url": "https://tiktok.com/@keithlee/video/1", "platform": "tiktok", "title": "review" }],
        "rationale": "Late-night food content is trending.",
        "status": "generated"
    })
}

#[tokio::test]
async fn list_ideas_filters_by_agent_and_status_and_decodes_every_idea_field() {
    let api = api().await;
    let mock = expect(
        &api.server,
        Call::new(GET, "/v1/agent/ideas")
            .query("agent_id", 42)
            .query("status", "generated"),
        200,
        Some(json!([full_idea()])),
    )
    .await;
    let ideas = api
        .client
        .list_ideas()
        .agent_id(42)
        .status(genpro_api::open_enums::IdeaStatus::from("generated"))
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    let idea = &ideas[0];
    assert_eq!(idea.title.as_deref(), Some("The $2 taco at 2am"));
    assert_eq!(
        idea.hook.as_deref(),
        Some("The $2 taco at 2am saved my life.")
    );
    assert_eq!(
        idea.full_script.as_deref(),
        Some("Hook. Story. Call to action.")
    );
    assert_eq!(
        idea.video_type.as_ref().map(|v| v.as_str()),
        Some("talking_avatar")
    );
    assert_eq!(idea.video_type_id, Some(1));
    assert_eq!(idea.estimated_duration, Some(15.0));
    assert_eq!(idea.aspect_ratio.as_deref(), Some("9:16"));
    assert_eq!(idea.selected_assets[0].clip_range.as_deref(), Some("0-3"));
    assert_eq!(
        idea.selected_assets[0].usage.as_deref(),
        Some("b-roll under hook")
    );
    let manifest = idea.project_manifest.as_ref().unwrap();
    assert_eq!(manifest.total_duration, Some(15.0));
    assert_eq!(manifest.timeline_layers.len(), 1);
    assert_eq!(
        idea.inspiration_sources[0].platform.as_deref(),
        Some("tiktok")
    );
    assert_eq!(
        idea.rationale.as_deref(),
        Some("Late-night food content is trending.")
    );
    assert_eq!(idea.status.as_ref().map(|s| s.as_str()), Some("generated"));
}

#[tokio::test]
async fn set_idea_status_puts_to_the_status_path() {
    let api = api().await;
    let idea = spec_example("Idea");
    let mock = expect(
        &api.server,
        Call::new(PUT, "/v1/agent/ideas/idea_1/status/approved_to_post"),
        200,
        Some(idea),
    )
    .await;
    api.client
        .set_idea_status()
        .id("idea_1")
        .status(genpro_api::open_enums::IdeaStatus::ApprovedToPost)
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn research_posts_topic_and_depth() {
    let api = api().await;
    let body =
        json!({ "agent_id": "42", "topic": "tariffs on beauty imports 2026", "depth": "default" });
    let mock = expect(
        &api.server,
        Call::new(POST, "/v1/research").body(body.clone()),
        200,
        Some(json!({"run_id": "run_r1", "status": "running"})),
    )
    .await;
    let run = api
        .client
        .create_research()
        .body(serde_json::from_value::<types::ResearchRequest>(body).unwrap())
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(run.run_id, "run_r1");
}
