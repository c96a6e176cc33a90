//! Step 5 handle: `client.publish()`.

use gen_contract_tests::{Call, GET, POST, any_request, expect, sdk, spec_example};
use gen_sdk::phases::{CellRef, PublishPost};
use serde_json::json;

#[tokio::test]
async fn render_posts_to_the_final_video_cell_without_body() {
    let s = sdk().await;
    let mock = expect(
        &s.api,
        Call::new(POST, "/v1/autocontentengine/101/cells/3099/render").query("agent_id", 42),
        200,
        Some(json!({ "generation_id": 56789, "status": "pending" })),
    )
    .await;
    let got = s
        .client
        .publish()
        .render(CellRef::new(42, 101, 3099))
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(got.generation_id, 56789);
}

#[tokio::test]
async fn publish_now_sends_data_as_the_seed_s_json_string() {
    let s = sdk().await;
    // seed 001, byte for byte: `data` is a string holding JSON
    let mock = expect(
        &s.api,
        Call::new(POST, "/v1/user_jobs")
            .query("agent_id", 42)
            .body(json!({ "user_job_type": "publish_content",
                "data": "{\"platform\":\"tiktok\",\"media_url\":\"https://cdn.gen.pro/outputs/render_xyz.mp4\",\"description\":\"The $2 taco at 2am #streetfood #tacotok\",\"schedule_type\":\"now\",\"media_type\":\"VIDEO\"}" })),
        200,
        Some(json!({ "user_job_id": 138860 })),
    )
    .await;
    let post = PublishPost::tiktok(
        "https://cdn.gen.pro/outputs/render_xyz.mp4",
        "The $2 taco at 2am #streetfood #tacotok",
    );
    let got = s.client.publish().publish(42, &post).await.unwrap();
    mock.assert_async().await;
    assert_eq!(got.user_job_id, 138860);
}

#[tokio::test]
async fn publish_scheduled_sends_the_time_in_data() {
    let s = sdk().await;
    let mock = expect(
        &s.api,
        Call::new(POST, "/v1/user_jobs")
            .query("agent_id", 42)
            .body(json!({ "user_job_type": "publish_content",
                "data": "{\"platform\":\"tiktok\",\"media_url\":\"https://cdn.gen.pro/x.mp4\",\"description\":\"tacos\",\"schedule_type\":\"scheduled\",\"scheduled_time\":\"2026-12-20T15:00:00Z\",\"media_type\":\"VIDEO\"}" })),
        200,
        Some(json!({ "user_job_id": 1 })),
    )
    .await;
    let at = "2026-12-20T15:00:00Z".parse().unwrap();
    let post = PublishPost::tiktok("https://cdn.gen.pro/x.mp4", "tacos").scheduled(at);
    s.client.publish().publish(42, &post).await.unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn publish_refuses_a_non_http_media_url_before_sending() {
    let s = sdk().await;
    let any = any_request(&s.api).await;
    let post = PublishPost::tiktok("file:///tmp/x.mp4", "tacos");
    let err = s.client.publish().publish(42, &post).await.unwrap_err();
    assert!(
        matches!(err, gen_sdk::Error::Validation { ref field, .. } if field == "data.media_url"),
        "{err:?}"
    );
    assert_eq!(any.calls_async().await, 0);
}

#[tokio::test]
async fn user_job_gets_the_job_of_the_agent() {
    let s = sdk().await;
    let mock = expect(
        &s.api,
        Call::new(GET, "/v1/user_jobs/138860").query("agent_id", 42),
        200,
        Some(spec_example("UserJob")),
    )
    .await;
    let job = s.client.publish().user_job(138860, 42).await.unwrap();
    mock.assert_async().await;
    assert_eq!(job.status.as_str(), "completed");
}
