//! Step 5: render (`Cell::render`) and publish (`Agent::publish`, `Agent::user_job`).

use crate::common::{refused_before_sending, wire};
use gen_contract_tests::{Call, GET, POST, spec_example};
use genpro_sdk::steps::{AgentId, CellId, EngineId, GenerationId, PublishPost, UserJobId};
use serde_json::json;

#[tokio::test]
async fn render_posts_to_the_final_video_cell_without_body() {
    let got = wire()
        .api(
            Call::new(POST, "/v1/autocontentengine/101/cells/3099/render").query("agent_id", 42),
            200,
            json!({ "generation_id": 56789, "status": "pending" }),
        )
        .run(async |c| {
            c.agent(AgentId::new(42))
                .engine(EngineId::new(101))
                .cell(CellId::new(3099))
                .render()
                .await
        })
        .await
        .unwrap();
    assert_eq!(got.id, GenerationId::new(56789));
}

/// `publish().publish(42, post)` against a server that expects exactly one
/// `publish_content` user job whose `data` is the string `data` (seed 001,
/// byte for byte: `data` is a string holding JSON) and answers `user_job_id`.
async fn publish(
    post: &PublishPost,
    data: &str,
    user_job_id: i64,
) -> Result<UserJobId, genpro_sdk::Error> {
    let call = Call::new(POST, "/v1/user_jobs")
        .query("agent_id", 42)
        .body(json!({ "user_job_type": "publish_content", "data": data }));
    wire()
        .api(call, 200, json!({ "user_job_id": user_job_id }))
        .run(async |c| c.agent(AgentId::new(42)).publish(post).await)
        .await
}

#[tokio::test]
async fn publish_now_sends_data_as_the_seed_s_json_string() {
    let post = PublishPost::tiktok(
        "https://cdn.gen.pro/outputs/render_xyz.mp4",
        "The $2 taco at 2am #streetfood #tacotok",
    );
    let got = publish(
        &post,
        "{\"platform\":\"tiktok\",\"media_url\":\"https://cdn.gen.pro/outputs/render_xyz.mp4\",\"description\":\"The $2 taco at 2am #streetfood #tacotok\",\"schedule_type\":\"now\",\"media_type\":\"VIDEO\"}",
        138860,
    )
    .await
    .unwrap();
    assert_eq!(got, UserJobId::new(138860));
}

#[tokio::test]
async fn publish_scheduled_sends_the_time_in_data() {
    let at = "2026-12-20T15:00:00Z".parse().unwrap();
    let post = PublishPost::tiktok("https://cdn.gen.pro/x.mp4", "tacos").scheduled(at);
    let got = publish(
        &post,
        "{\"platform\":\"tiktok\",\"media_url\":\"https://cdn.gen.pro/x.mp4\",\"description\":\"tacos\",\"schedule_type\":\"scheduled\",\"scheduled_time\":\"2026-12-20T15:00:00Z\",\"media_type\":\"VIDEO\"}",
        1,
    )
    .await
    .unwrap();
    assert_eq!(got, UserJobId::new(1));
}

#[tokio::test]
async fn publish_refuses_a_non_http_media_url_before_sending() {
    let post = PublishPost::tiktok("file:///tmp/x.mp4", "tacos");
    refused_before_sending("data.media_url", async |c| {
        c.agent(AgentId::new(42)).publish(&post).await
    })
    .await;
}

#[tokio::test]
async fn user_job_gets_the_job_of_the_agent() {
    let job = wire()
        .api(
            Call::new(GET, "/v1/user_jobs/138860").query("agent_id", 42),
            200,
            spec_example("UserJob"),
        )
        .run(async |c| {
            c.agent(AgentId::new(42))
                .user_job(UserJobId::new(138860))
                .await
        })
        .await
        .unwrap();
    assert_eq!(job.status.as_ref().map(|s| s.as_str()), Some("completed"));
}
