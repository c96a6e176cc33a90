//! Contract tests, step 5 (publish): render and user jobs.

use gen_contract_tests::{Call, GET, POST, api, expect, spec_example};
use genpro_api::prelude::*;
use genpro_api::types;
use serde_json::json;

#[tokio::test]
async fn render_posts_to_the_final_video_cell_without_body() {
    let api = api().await;
    let mock = expect(
        &api.server,
        Call::new(POST, "/v1/autocontentengine/101/cells/3099/render").query("agent_id", 42),
        201,
        Some(json!({ "generation_id": 56789, "status": "pending" })),
    )
    .await;
    let created = api
        .client
        .render_cell()
        .id(101)
        .cell_id(3099)
        .agent_id(42)
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(created.generation_id, 56789);
}

#[tokio::test]
async fn publish_now_sends_data_as_a_json_string() {
    let api = api().await;
    // seed 001, byte for byte: `data` is a string holding JSON
    let body = json!({ "user_job_type": "publish_content",
        "data": "{\"platform\":\"tiktok\",\"media_url\":\"https://cdn.gen.pro/outputs/render_xyz.mp4\",\"description\":\"The $2 taco at 2am #streetfood #tacotok\",\"schedule_type\":\"now\",\"media_type\":\"VIDEO\"}" });
    let mock = expect(
        &api.server,
        Call::new(POST, "/v1/user_jobs")
            .query("agent_id", 42)
            .body(body.clone()),
        200,
        Some(json!({ "user_job_id": 138860 })),
    )
    .await;
    let created = api
        .client
        .create_user_job()
        .agent_id(42)
        .body(serde_json::from_value::<types::UserJobCreate>(body).unwrap())
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(created.user_job_id, 138860);
}

#[tokio::test]
async fn poll_publish_job_reads_post_id() {
    let api = api().await;
    let mock = expect(
        &api.server,
        Call::new(GET, "/v1/user_jobs/138860").query("agent_id", 42),
        200,
        Some(spec_example("UserJob")),
    )
    .await;
    let job = api
        .client
        .get_user_job()
        .id(138860)
        .agent_id(42)
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(job.status.as_ref().map(|s| s.as_str()), Some("completed"));
    assert_eq!(
        job.result.as_ref().and_then(|r| r.get("post_id")),
        Some(&json!("7345678901234567890"))
    );
}
