//! Step 4: `Cell`, `Layer`, `Generation` and the agent's lists — cells, cards, generations, lists.

use crate::common::wire;
use futures::TryStreamExt;
use gen_contract_tests::{Call, GET, PATCH, POST, sdk, spec_example};
use genpro_sdk::cards::{
    AspectRatio, Card, TextCard, TextModel, VideoFromTextCard, VideoFromTextModel,
};
use genpro_sdk::pagination::{AssetFilter, AssetItem, ContentResourceFilter};
use genpro_sdk::steps::{AgentId, CellId, EngineId, GenerationId, LayerId, Triggered};
use serde_json::{Value, json};

const CELL: &str = "/v1/autocontentengine/101/cells/3000";

fn created() -> Value {
    json!({ "generation_id": 789, "status": "pending" })
}

/// `cell.generate(card)` against a server that expects
/// exactly `body` on the cell's generate call (once) and answers `status`
/// with `answer`.
async fn generate_on_cell(
    card: &Card,
    body: Value,
    status: u16,
    answer: Value,
) -> Result<Triggered, genpro_sdk::Error> {
    let call = Call::new(POST, format!("{CELL}/generate"))
        .query("agent_id", 42)
        .body(body);
    wire()
        .api(call, status, answer)
        .run(async |c| {
            c.agent(AgentId::new(42))
                .engine(EngineId::new(101))
                .cell(CellId::new(3000))
                .generate(card)
                .await
        })
        .await
}

#[tokio::test]
async fn update_cell_patches_the_value() {
    let got = wire()
        .api(
            Call::new(PATCH, CELL).query("agent_id", 42).body(json!({
                "spreadsheet_cell": { "value": "The $2 taco at 2am saved my life." }
            })),
            200,
            spec_example("Cell"),
        )
        .run(async |c| {
            c.agent(AgentId::new(42))
                .engine(EngineId::new(101))
                .cell(CellId::new(3000))
                .update("The $2 taco at 2am saved my life.")
                .await
        })
        .await
        .unwrap();
    assert_eq!(got.id, Some(3000));
}

#[tokio::test]
async fn set_cell_card_patches_the_card() {
    let card = Card::from(TextCard::new("Write a hook", TextModel::Gpt4o));
    wire()
        .api(
            Call::new(PATCH, CELL).query("agent_id", 42).body(json!({
                "spreadsheet_cell": { "generation_type": "text",
                    "data": { "prompt": "Write a hook", "model": "gpt_4o" } }
            })),
            200,
            spec_example("Cell"),
        )
        .run(async |c| {
            c.agent(AgentId::new(42))
                .engine(EngineId::new(101))
                .cell(CellId::new(3000))
                .set_card(&card)
                .await
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn generate_on_cell_posts_the_card_exactly() {
    let card = Card::from(
        VideoFromTextCard::new("Taco truck at golden hour", VideoFromTextModel::Kling16)
            .aspect_ratio(AspectRatio::Ratio9x16)
            .duration(5),
    );
    let got = generate_on_cell(
        &card,
        json!({ "generation_type": "video_from_text", "data": {
                "prompt": "Taco truck at golden hour", "model": "kling_1_6",
                "aspect_ratio": "9:16", "duration": 5 } }),
        201,
        created(),
    )
    .await
    .unwrap();
    assert_eq!(got.id, GenerationId::new(789));
    assert_eq!(got.answer.status.as_str(), "pending");
}

/// A model and a field newer than genpro-api's generated types are sent as
/// is (cards are open; the server decides).
#[tokio::test]
async fn generate_on_cell_sends_a_model_newer_than_the_crate_as_is() {
    let mut inner = VideoFromTextCard::new("x", VideoFromTextModel::from("sora_3"));
    inner.extra.insert("prompt_var".into(), json!("col_2"));
    let card = Card::from(inner);
    let got = generate_on_cell(
        &card,
        json!({ "generation_type": "video_from_text", "data": {
                "prompt": "x", "model": "sora_3", "prompt_var": "col_2" } }),
        201,
        created(),
    )
    .await
    .unwrap();
    assert_eq!(got.id, GenerationId::new(789));
}

/// A text card's `variables` (a map in genpro-api's generated card data)
/// reach GEN in key order, byte for byte: the mock matches the body
/// as a string, not as JSON.
#[tokio::test]
async fn generate_on_cell_sends_text_variables_in_key_order() {
    let mut text = TextCard::new("Hook for {{var_00}}", TextModel::Gpt4o);
    for i in (0..12).rev() {
        text = text.variable(format!("var_{i:02}"), "v");
    }
    let card = Card::from(text);
    let variables: Vec<String> = (0..12).map(|i| format!(r#""var_{i:02}":"v""#)).collect();
    let bytes = format!(
        r#"{{"data":{{"model":"gpt_4o","prompt":"Hook for {{{{var_00}}}}","variables":{{{}}}}},"generation_type":"text"}}"#,
        variables.join(",")
    );
    let s = sdk().await;
    let mock = s
        .api
        .mock_async(|when, then| {
            when.method(POST)
                .path(format!("{CELL}/generate"))
                .query_param("agent_id", "42")
                .body(bytes.clone());
            then.status(201).json_body(created());
        })
        .await;
    let got = s
        .client
        .agent(AgentId::new(42))
        .engine(EngineId::new(101))
        .cell(CellId::new(3000))
        .generate(&card)
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(got.id, GenerationId::new(789));
}

/// Seeds 001 and 003 send Veo with 10 s, seed 002 caps Veo 3 at 8 s: the
/// card is sent as is (with a warning), the server decides.
#[tokio::test]
async fn generate_on_cell_sends_a_10s_veo_clip_the_seeds_disagree_on() {
    let card = Card::from(
        VideoFromTextCard::new("Taco truck", VideoFromTextModel::Veo3)
            .aspect_ratio(AspectRatio::Ratio9x16)
            .duration(10),
    );
    let got = generate_on_cell(
        &card,
        json!({
                "generation_type": "video_from_text",
                "data": {"prompt": "Taco truck", "model": "veo_3", "aspect_ratio": "9:16", "duration": 10}
            }),
        201,
        json!({"generation_id": 790, "status": "pending"}),
    )
    .await
        .unwrap();
    assert_eq!(got.id, GenerationId::new(790));
}

/// A paid POST is sent once, even when the answer is a 5xx.
#[tokio::test]
async fn generate_on_cell_is_sent_once_on_a_5xx() {
    let card = Card::from(TextCard::new("Write a hook", TextModel::Gpt4o));
    let err = generate_on_cell(
        &card,
        json!({ "generation_type": "text",
                "data": { "prompt": "Write a hook", "model": "gpt_4o" } }),
        503,
        json!({"error": "unavailable"}),
    )
    .await
    .unwrap_err();
    assert_eq!(err.status(), Some(503));
}

#[tokio::test]
async fn generate_on_layer_posts_to_the_layer() {
    let card = Card::from(
        TextCard::new(
            "Write a 12s TikTok hook for {{topic}}",
            TextModel::Gemini25Pro,
        )
        .variable("topic", "San Antonio tacos"),
    );
    let got = wire()
        .api(
            Call::new(POST, format!("{CELL}/layers/5000/generate"))
                .query("agent_id", 42)
                .body(json!({ "generation_type": "text", "data": {
                    "prompt": "Write a 12s TikTok hook for {{topic}}", "model": "gemini_2_5_pro",
                    "variables": { "topic": "San Antonio tacos" } } })),
            201,
            created(),
        )
        .run(async |c| {
            c.agent(AgentId::new(42))
                .engine(EngineId::new(101))
                .cell(CellId::new(3000))
                .layer(LayerId::new(5000))
                .generate(&card)
                .await
        })
        .await
        .unwrap();
    assert_eq!(got.id, GenerationId::new(789));
}

#[tokio::test]
async fn generation_gets_the_generation_without_query() {
    let got = wire()
        .api(
            Call::new(GET, "/v1/generations/9000"),
            200,
            spec_example("Generation"),
        )
        .run(async |c| c.generation(GenerationId::new(9000)).get().await)
        .await
        .unwrap();
    assert_eq!(got.status.as_str(), "completed");
    assert_eq!(
        got.output_resources[0].url,
        "https://cdn.gen.pro/outputs/abc123.mp4"
    );
}

#[tokio::test]
async fn stop_and_continue_post_without_body() {
    let generation = spec_example("Generation");
    wire()
        .api(
            Call::new(POST, "/v1/generations/9000/stop"),
            200,
            generation.clone(),
        )
        .api(
            Call::new(POST, "/v1/generations/9000/continue"),
            200,
            generation,
        )
        .run(async |c| {
            c.generation(GenerationId::new(9000)).stop().await.unwrap();
            c.generation(GenerationId::new(9000))
                .resume()
                .await
                .unwrap();
        })
        .await;
}

#[tokio::test]
async fn content_resources_streams_pages_with_the_type_filter() {
    let resource = spec_example("ContentResource");
    let page = |n: i64| {
        json!({ "content_resources": [resource.clone()],
                "meta": { "page": n, "per_page": 1, "total_pages": 2, "total_count": 2 } })
    };
    let call = |n: i64| {
        Call::new(GET, "/v1/content_resources")
            .query("agent_id", 42)
            .query("type", "video")
            .query("page", n)
    };
    let all: Vec<_> = wire()
        .api(call(1), 200, page(1))
        .api(call(2), 200, page(2))
        .run(async |c| {
            c.agent(AgentId::new(42))
                .content_resources(ContentResourceFilter::default().object_type("video"))
                .try_collect()
                .await
        })
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
}

#[tokio::test]
async fn asset_library_sends_every_filter() {
    let filter = AssetFilter::default()
        .folder_id(7)
        .asset_type("video")
        .search("taco truck");
    let items: Vec<_> = wire()
        .api(
            Call::new(GET, "/v1/asset_libraries")
                .query("agent_id", 42)
                .query("folder_id", 7)
                .query("asset_type", "video")
                .query("search", "taco truck")
                .query("page", 1),
            200,
            json!({ "asset_folders": [spec_example("AssetFolder")],
                    "content_resources": [spec_example("ContentResource")],
                    "meta": { "page": 1, "per_page": 25, "total_pages": 1, "total_count": 2 } }),
        )
        .run(async |c| {
            c.agent(AgentId::new(42))
                .asset_library(filter)
                .try_collect()
                .await
        })
        .await
        .unwrap();
    assert!(matches!(items[0], AssetItem::Folder(_)));
    assert!(matches!(items[1], AssetItem::Resource(_)));
}
