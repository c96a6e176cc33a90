//! Contract tests, step 4 (edit): cells, generations, uploads.

use gen_contract_tests::{Call, GET, PATCH, POST, api, expect, spec_example};
use genpro_api::prelude::*;
use genpro_api::types;
use serde_json::json;

/// Seed 000's generation object.
fn seed_generation() -> serde_json::Value {
    json!({ "id": 9000, "status": "completed", "user_job_type": "text_generation",
            "result": "Here is the generated script text...", "failed_reason": null,
            "output_resources": [ { "id": 1500, "url": "https://cdn.gen.pro/outputs/abc123.mp4",
              "thumbnail_url": "https://cdn.gen.pro/thumbnails/abc123.jpg", "object_type": "video", "type": "output" } ],
            "execution_cost": 2.5 })
}

#[tokio::test]
async fn update_cell_drops_text_into_a_cell() {
    let api = api().await;
    let body = json!({ "spreadsheet_cell": { "value": "The $2 taco at 2am saved my life." } });
    let mock = expect(
        &api.server,
        Call::new(PATCH, "/v1/autocontentengine/101/cells/3000")
            .query("agent_id", 42)
            .body(body.clone()),
        200,
        Some(spec_example("Cell")),
    )
    .await;
    api.client
        .update_cell()
        .id(101)
        .cell_id(3000)
        .agent_id(42)
        .body(serde_json::from_value::<types::CellRequest>(body).unwrap())
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn generate_on_cell_sends_the_card_exactly() {
    let api = api().await;
    // seed 001's request as written; the raw crate sends what it is given
    // (genpro-sdk's validation is what rejects veo_3 with 10 s, per seed 002).
    let body = json!({ "generation_type": "video_from_text", "data": {
        "prompt": "San Antonio taco truck at golden hour, steam rising, handheld camera",
        "model": "veo_3", "aspect_ratio": "9:16", "duration": 10 } });
    let mock = expect(
        &api.server,
        Call::new(POST, "/v1/autocontentengine/101/cells/3000/generate")
            .query("agent_id", 42)
            .body(body.clone()),
        201,
        Some(json!({ "generation_id": 789, "status": "pending" })),
    )
    .await;
    let created = api
        .client
        .generate_on_cell()
        .id(101)
        .cell_id(3000)
        .agent_id(42)
        .body(serde_json::from_value::<types::GenerateRequest>(body).unwrap())
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(created.generation_id, 789);
    assert_eq!(created.status.as_str(), "pending");
}

#[tokio::test]
async fn generate_on_layer_targets_the_layer() {
    let api = api().await;
    let body = json!({ "generation_type": "text", "data": {
        "prompt": "Write a 12s TikTok hook for {{topic}}", "model": "gemini_2_5_pro",
        "variables": { "topic": "San Antonio tacos" } } });
    let mock = expect(
        &api.server,
        Call::new(
            POST,
            "/v1/autocontentengine/101/cells/3000/layers/4000/generate",
        )
        .query("agent_id", 42)
        .body(body.clone()),
        201,
        Some(json!({ "generation_id": 9001, "status": "pending" })),
    )
    .await;
    api.client
        .generate_on_layer()
        .id(101)
        .cell_id(3000)
        .layer_id(4000)
        .agent_id(42)
        .body(serde_json::from_value::<types::GenerateRequest>(body).unwrap())
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn get_generation_long_polls_with_progress_params_and_decodes_seed_000() {
    let api = api().await;
    let mock = expect(
        &api.server,
        Call::new(GET, "/v1/generations/9000")
            .query("wait", true)
            .query("timeout", "55.0"),
        200,
        Some(seed_generation()),
    )
    .await;
    let g = api
        .client
        .get_generation()
        .id(9000)
        .wait(true)
        .timeout(55.0)
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(g.status.as_str(), "completed");
    assert_eq!(g.execution_cost, Some(2.5));
    assert_eq!(
        g.output_resources[0].url,
        "https://cdn.gen.pro/outputs/abc123.mp4"
    );
    assert_eq!(g.failed_reason, None);
    // every field of the seed survives the round trip (null fields are omitted)
    let mut seed = seed_generation();
    seed.as_object_mut().unwrap().remove("failed_reason");
    assert_eq!(serde_json::to_value(g.into_inner()).unwrap(), seed);
}

#[tokio::test]
async fn get_generation_include_progress() {
    let api = api().await;
    let mut body = seed_generation();
    body["status"] = json!("processing");
    body["progress_percent"] = json!(42.5);
    let mock = expect(
        &api.server,
        Call::new(GET, "/v1/generations/9000").query("include", "progress"),
        200,
        Some(body),
    )
    .await;
    let g = api
        .client
        .get_generation()
        .id(9000)
        .include("progress")
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(g.progress_percent, Some(42.5));
}

#[tokio::test]
async fn stop_generation_posts_without_body() {
    let api = api().await;
    let mut stopped = seed_generation();
    stopped["status"] = json!("stopped");
    let mock = expect(
        &api.server,
        Call::new(POST, "/v1/generations/789/stop"),
        200,
        Some(stopped),
    )
    .await;
    let g = api.client.stop_generation().id(789).send().await.unwrap();
    mock.assert_async().await;
    assert_eq!(g.status.as_str(), "stopped");
}

#[tokio::test]
async fn direct_upload_sends_the_blob() {
    let api = api().await;
    let body = json!({ "blob": { "filename": "hero.mp4", "byte_size": 123456789,
        "checksum": "BASE64MD5==", "content_type": "video/mp4" } });
    let mock = expect(
        &api.server,
        Call::new(POST, "/v1/direct_upload").body(body.clone()),
        200,
        Some(spec_example("DirectUpload")),
    )
    .await;
    let up = api
        .client
        .create_direct_upload()
        .body(serde_json::from_value::<types::DirectUploadRequest>(body).unwrap())
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    let target = up.direct_upload.as_ref().expect("direct_upload");
    assert!(
        target
            .url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://gen-uploads.s3.amazonaws.com/"))
    );
    assert_eq!(target.headers["Content-MD5"], "BASE64MD5==");
}
