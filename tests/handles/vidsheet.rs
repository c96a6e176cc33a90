//! Step 3: templates (`client.templates()`), clone and engines (`Agent`, `Engine`).

use crate::common::{refused_before_sending, wire};
use futures::TryStreamExt;
use gen_contract_tests::{Call, GET, POST, spec_example};
use genpro_sdk::steps::{AgentId, EngineId};
use serde_json::json;

const CLONE: &str = "/v1/templates/spreadsheets/tiktok-talking-avatar/clone";

#[tokio::test]
async fn templates_gets_the_first_page_without_query() {
    let template = spec_example("Template");
    let templates = wire()
        .api(
            Call::new(GET, "/v1/templates/projects"),
            200,
            json!([template]),
        )
        .run(async |c| c.templates().await)
        .await
        .unwrap();
    assert_eq!(templates.len(), 1);
}

#[tokio::test]
async fn templates_stream_asks_page_by_page_until_a_short_page() {
    let template = spec_example("Template");
    let full: Vec<_> = (0..genpro_sdk::pagination::TEMPLATES_PER_PAGE)
        .map(|_| template.clone())
        .collect();
    let page = |n: i64| {
        Call::new(GET, "/v1/templates/projects")
            .query("page", n)
            .query("per_page", 50)
    };
    let all: Vec<_> = wire()
        .api(page(1), 200, json!(full))
        .api(page(2), 200, json!([template]))
        .run(async |c| c.templates_stream().try_collect().await)
        .await
        .unwrap();
    assert_eq!(all.len(), 51);
}

#[tokio::test]
async fn clone_template_posts_the_agent_to_the_slug() {
    let engine = spec_example("Engine");
    let got = wire()
        .api(
            Call::new(POST, CLONE).body(json!({ "agent_id": "42" })),
            200,
            engine.clone(),
        )
        .run(async |c| {
            c.agent(AgentId::new(42))
                .clone_template("tiktok-talking-avatar")
                .await
        })
        .await
        .unwrap();
    assert_eq!(Some(got.id.get()), engine["id"].as_i64());
}

/// A free create is not repeated after a 500 (the engine may exist).
#[tokio::test]
async fn clone_template_is_sent_once_on_a_500() {
    let err = wire()
        .api(
            Call::new(POST, CLONE).body(json!({ "agent_id": "42" })),
            500,
            json!({"error": "internal"}),
        )
        .run(async |c| {
            c.agent(AgentId::new(42))
                .clone_template("tiktok-talking-avatar")
                .await
        })
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(500));
}

#[tokio::test]
async fn clone_template_refuses_an_empty_slug_before_sending() {
    refused_before_sending("slug", async |c| {
        c.agent(AgentId::new(42)).clone_template(" ").await
    })
    .await;
}

#[tokio::test]
async fn engine_gets_the_engine_of_the_agent() {
    let mut engine = spec_example("Engine");
    engine["spreadsheet_columns"] = json!([spec_example("Column")]);
    engine["spreadsheet_cells"] = json!([spec_example("Cell")]);
    let got = wire()
        .api(
            Call::new(GET, "/v1/autocontentengine/101").query("agent_id", 42),
            200,
            engine,
        )
        .times(2)
        .run(async |c| {
            let got = c
                .agent(AgentId::new(42))
                .engine(EngineId::new(101))
                .get()
                .await
                .unwrap();
            // typed ids put each id in its place (swapping them does not compile)
            c.agent(AgentId::new(42))
                .engine(EngineId::new(101))
                .get()
                .await
                .unwrap();
            got
        })
        .await;
    assert_eq!(got.spreadsheet_columns.len(), 1);
    assert_eq!(got.spreadsheet_cells.len(), 1);
}
