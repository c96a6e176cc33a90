//! Step 3 handle: `client.vidsheet()`.

use futures::TryStreamExt;
use gen_contract_tests::{Call, GET, POST, any_request, expect, sdk, spec_example};
use gen_sdk::phases::{AgentId, EngineId};
use serde_json::json;

#[tokio::test]
async fn templates_gets_the_first_page_without_query() {
    let s = sdk().await;
    let template = spec_example("Template");
    let mock = expect(
        &s.api,
        Call::new(GET, "/v1/templates/projects"),
        200,
        Some(json!([template])),
    )
    .await;
    let templates = s.client.vidsheet().templates().await.unwrap();
    mock.assert_async().await;
    assert_eq!(templates.len(), 1);
}

#[tokio::test]
async fn templates_stream_asks_page_by_page_until_a_short_page() {
    let s = sdk().await;
    let template = spec_example("Template");
    let full: Vec<_> = (0..gen_sdk::pagination::TEMPLATES_PER_PAGE)
        .map(|_| template.clone())
        .collect();
    let page1 = expect(
        &s.api,
        Call::new(GET, "/v1/templates/projects")
            .query("page", 1)
            .query("per_page", 50),
        200,
        Some(json!(full)),
    )
    .await;
    let page2 = expect(
        &s.api,
        Call::new(GET, "/v1/templates/projects")
            .query("page", 2)
            .query("per_page", 50),
        200,
        Some(json!([template])),
    )
    .await;
    let all: Vec<_> = s
        .client
        .vidsheet()
        .templates_stream()
        .try_collect()
        .await
        .unwrap();
    page1.assert_async().await;
    page2.assert_async().await;
    assert_eq!(all.len(), 51);
}

#[tokio::test]
async fn clone_template_posts_the_agent_to_the_slug() {
    let s = sdk().await;
    let engine = spec_example("Engine");
    let mock = expect(
        &s.api,
        Call::new(
            POST,
            "/v1/templates/spreadsheets/tiktok-talking-avatar/clone",
        )
        .body(json!({ "agent_id": "42" })),
        200,
        Some(engine.clone()),
    )
    .await;
    let got = s
        .client
        .vidsheet()
        .clone_template("tiktok-talking-avatar", 42)
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(got.id, engine["id"].as_i64());
}

/// A free create is not repeated after a 500 (the engine may exist).
#[tokio::test]
async fn clone_template_is_sent_once_on_a_500() {
    let s = sdk().await;
    let mock = expect(
        &s.api,
        Call::new(
            POST,
            "/v1/templates/spreadsheets/tiktok-talking-avatar/clone",
        )
        .body(json!({ "agent_id": "42" })),
        500,
        Some(json!({"error": "internal"})),
    )
    .await;
    let err = s
        .client
        .vidsheet()
        .clone_template("tiktok-talking-avatar", 42)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(500));
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn clone_template_refuses_an_empty_slug_before_sending() {
    let s = sdk().await;
    let any = any_request(&s.api).await;
    let err = s
        .client
        .vidsheet()
        .clone_template(" ", 42)
        .await
        .unwrap_err();
    assert!(
        matches!(err, gen_sdk::Error::Validation { ref field, .. } if field == "slug"),
        "{err:?}"
    );
    assert_eq!(any.calls_async().await, 0);
}

#[tokio::test]
async fn engine_gets_the_engine_of_the_agent() {
    let s = sdk().await;
    let mut engine = spec_example("Engine");
    engine["spreadsheet_columns"] = json!([spec_example("Column")]);
    engine["spreadsheet_cells"] = json!([spec_example("Cell")]);
    let mock = expect(
        &s.api,
        Call::new(GET, "/v1/autocontentengine/101").query("agent_id", 42),
        200,
        Some(engine),
    )
    .await;
    let got = s.client.vidsheet().engine(101, 42).await.unwrap();
    assert_eq!(got.spreadsheet_columns.len(), 1);
    assert_eq!(got.spreadsheet_cells.len(), 1);
    // typed ids put each id in its place (swapping them does not compile)
    s.client
        .vidsheet()
        .engine(EngineId(101), AgentId(42))
        .await
        .unwrap();
    mock.assert_calls_async(2).await;
}
