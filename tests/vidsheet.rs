//! Contract tests, step 3 (vidsheet): templates and engines.

use gen_contract_tests::{Call, GET, POST, api, expect, spec_example};
use genpro_api::prelude::*;
use genpro_api::types;
use serde_json::json;

#[tokio::test]
async fn list_templates_decodes_a_bare_array() {
    let api = api().await;
    let template = spec_example("Template");
    let mock = expect(
        &api.server,
        Call::new(GET, "/v1/templates/projects"),
        200,
        Some(json!([template.clone()])),
    )
    .await;
    let templates = api.client.list_templates().send().await.unwrap();
    mock.assert_async().await;
    assert_eq!(templates.len(), 1);
    assert_eq!(templates[0].slug.as_deref(), Some("tiktok-talking-avatar"));
    assert_eq!(templates[0].title.as_deref(), template["title"].as_str());
    assert_eq!(templates[0].tags, vec!["talking_avatar".to_string()]);
    assert_eq!(templates[0].cover.as_deref(), template["cover"].as_str());
}

#[tokio::test]
async fn clone_template_posts_agent_id_to_the_slug() {
    let api = api().await;
    let engine = spec_example("Engine");
    let mock = expect(
        &api.server,
        Call::new(
            POST,
            "/v1/templates/spreadsheets/tiktok-talking-avatar/clone",
        )
        // seed 001's curl quotes the id: `{ "agent_id": "'"$AGENT_ID"'" }`
        .body(json!({ "agent_id": "42" })),
        200,
        Some(engine),
    )
    .await;
    let engine = api
        .client
        .clone_template()
        .slug("tiktok-talking-avatar")
        .body(types::TemplateCloneRequest::builder().agent_id("42"))
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(engine.id, Some(101));
}

#[tokio::test]
async fn create_blank_engine_sends_agent_id_query_and_spreadsheet_title() {
    let api = api().await;
    let body = json!({ "spreadsheet": { "title": "Custom campaign" } });
    let mock = expect(
        &api.server,
        Call::new(POST, "/v1/autocontentengine")
            .query("agent_id", 42)
            .body(body.clone()),
        200,
        Some(spec_example("Engine")),
    )
    .await;
    api.client
        .create_engine()
        .agent_id(42)
        .body(serde_json::from_value::<types::EngineCreate>(body).unwrap())
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn get_engine_reads_nested_data() {
    let api = api().await;
    let mut engine = spec_example("Engine");
    engine["spreadsheet_columns"] = json!([spec_example("Column")]);
    engine["spreadsheet_cells"] = json!([spec_example("Cell")]);
    let mock = expect(
        &api.server,
        Call::new(GET, "/v1/autocontentengine/101").query("agent_id", 42),
        200,
        Some(engine),
    )
    .await;
    let engine = api
        .client
        .get_engine()
        .id(101)
        .agent_id(42)
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(engine.spreadsheet_columns.len(), 1);
    assert_eq!(engine.spreadsheet_cells.len(), 1);
}
