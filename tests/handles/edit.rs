//! Step 4 handle: `client.edit()` — cells, cards, generations, lists.

use futures::TryStreamExt;
use gen_contract_tests::{Call, GET, PATCH, POST, expect, sdk, spec_example};
use gen_sdk::cards::{
    AspectRatio, Card, TextCard, TextModel, VideoFromTextCard, VideoFromTextModel,
};
use gen_sdk::pagination::{AssetFilter, AssetItem, ContentResourceFilter};
use gen_sdk::phases::CellRef;
use serde_json::json;

const CELL: &str = "/v1/autocontentengine/101/cells/3000";

fn cell() -> CellRef {
    CellRef::new(42, 101, 3000)
}

fn created() -> serde_json::Value {
    json!({ "generation_id": 789, "status": "pending" })
}

#[tokio::test]
async fn update_cell_patches_the_value() {
    let s = sdk().await;
    let mock = expect(
        &s.api,
        Call::new(PATCH, CELL).query("agent_id", 42).body(json!({
            "spreadsheet_cell": { "value": "The $2 taco at 2am saved my life." }
        })),
        200,
        Some(spec_example("Cell")),
    )
    .await;
    let got = s
        .client
        .edit()
        .update_cell(cell(), "The $2 taco at 2am saved my life.")
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(got.id, Some(3000));
}

#[tokio::test]
async fn set_cell_card_patches_the_card() {
    let s = sdk().await;
    let mock = expect(
        &s.api,
        Call::new(PATCH, CELL).query("agent_id", 42).body(json!({
            "spreadsheet_cell": { "generation_type": "text",
                "data": { "prompt": "Write a hook", "model": "gpt_4o" } }
        })),
        200,
        Some(spec_example("Cell")),
    )
    .await;
    let card = Card::from(TextCard::new("Write a hook", TextModel::Gpt4o));
    s.client.edit().set_cell_card(cell(), &card).await.unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn generate_on_cell_posts_the_card_exactly() {
    let s = sdk().await;
    let mock = expect(
        &s.api,
        Call::new(POST, format!("{CELL}/generate"))
            .query("agent_id", 42)
            .body(json!({ "generation_type": "video_from_text", "data": {
                "prompt": "Taco truck at golden hour", "model": "kling_1_6",
                "aspect_ratio": "9:16", "duration": 5 } })),
        201,
        Some(created()),
    )
    .await;
    let card = Card::from(
        VideoFromTextCard::new("Taco truck at golden hour", VideoFromTextModel::Kling16)
            .aspect_ratio(AspectRatio::Ratio9x16)
            .duration(5),
    );
    let got = s
        .client
        .edit()
        .generate_on_cell(cell(), &card)
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(got.generation_id, 789);
    assert_eq!(got.status.as_str(), "pending");
}

/// A model and a field newer than gen-api's generated types are sent as
/// is (cards are open; the server decides).
#[tokio::test]
async fn generate_on_cell_sends_a_model_newer_than_the_crate_as_is() {
    let s = sdk().await;
    let mock = expect(
        &s.api,
        Call::new(POST, format!("{CELL}/generate"))
            .query("agent_id", 42)
            .body(json!({ "generation_type": "video_from_text", "data": {
                "prompt": "x", "model": "sora_3", "prompt_var": "col_2" } })),
        201,
        Some(created()),
    )
    .await;
    let mut inner = VideoFromTextCard::new("x", VideoFromTextModel::from("sora_3"));
    inner.extra.insert("prompt_var".into(), json!("col_2"));
    let got = s
        .client
        .edit()
        .generate_on_cell(cell(), &Card::from(inner))
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(got.generation_id, 789);
}

/// Seeds 001 and 003 send Veo with 10 s, seed 002 caps Veo 3 at 8 s: the
/// card is sent as is (with a warning), the server decides.
#[tokio::test]
async fn generate_on_cell_sends_a_10s_veo_clip_the_seeds_disagree_on() {
    let s = sdk().await;
    let card = Card::from(
        VideoFromTextCard::new("Taco truck", VideoFromTextModel::Veo3)
            .aspect_ratio(AspectRatio::Ratio9x16)
            .duration(10),
    );
    let mock = expect(
        &s.api,
        Call::new(POST, "/v1/autocontentengine/101/cells/3000/generate")
            .query("agent_id", 42)
            .body(json!({
                "generation_type": "video_from_text",
                "data": {"prompt": "Taco truck", "model": "veo_3", "aspect_ratio": "9:16", "duration": 10}
            })),
        201,
        Some(json!({"generation_id": 790, "status": "pending"})),
    )
    .await;
    let got = s
        .client
        .edit()
        .generate_on_cell(cell(), &card)
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(got.generation_id, 790);
}

/// A paid POST is sent once, even when the answer is a 5xx.
#[tokio::test]
async fn generate_on_cell_is_sent_once_on_a_5xx() {
    let s = sdk().await;
    let mock = expect(
        &s.api,
        Call::new(POST, format!("{CELL}/generate"))
            .query("agent_id", 42)
            .body(json!({ "generation_type": "text",
                "data": { "prompt": "Write a hook", "model": "gpt_4o" } })),
        503,
        Some(json!({"error": "unavailable"})),
    )
    .await;
    let card = Card::from(TextCard::new("Write a hook", TextModel::Gpt4o));
    let err = s
        .client
        .edit()
        .generate_on_cell(cell(), &card)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn generate_on_layer_posts_to_the_layer() {
    let s = sdk().await;
    let mock = expect(
        &s.api,
        Call::new(POST, format!("{CELL}/layers/5000/generate"))
            .query("agent_id", 42)
            .body(json!({ "generation_type": "text", "data": {
                "prompt": "Write a 12s TikTok hook for {{topic}}", "model": "gemini_2_5_pro",
                "variables": { "topic": "San Antonio tacos" } } })),
        201,
        Some(created()),
    )
    .await;
    let card = Card::from(
        TextCard::new(
            "Write a 12s TikTok hook for {{topic}}",
            TextModel::Gemini25Pro,
        )
        .variable("topic", "San Antonio tacos"),
    );
    let got = s
        .client
        .edit()
        .generate_on_layer(cell().layer(5000), &card)
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(got.generation_id, 789);
}

#[tokio::test]
async fn generation_gets_the_generation_without_query() {
    let s = sdk().await;
    let generation = spec_example("Generation");
    let mock = expect(
        &s.api,
        Call::new(GET, "/v1/generations/9000"),
        200,
        Some(generation),
    )
    .await;
    let got = s.client.edit().generation(9000).await.unwrap();
    mock.assert_async().await;
    assert_eq!(got.status.as_str(), "completed");
    assert_eq!(
        got.output_resources[0].url,
        "https://cdn.gen.pro/outputs/abc123.mp4"
    );
}

#[tokio::test]
async fn stop_and_continue_post_without_body() {
    let s = sdk().await;
    let generation = spec_example("Generation");
    let stop = expect(
        &s.api,
        Call::new(POST, "/v1/generations/9000/stop"),
        200,
        Some(generation.clone()),
    )
    .await;
    let cont = expect(
        &s.api,
        Call::new(POST, "/v1/generations/9000/continue"),
        200,
        Some(generation),
    )
    .await;
    s.client.edit().stop_generation(9000).await.unwrap();
    s.client.edit().continue_generation(9000).await.unwrap();
    stop.assert_async().await;
    cont.assert_async().await;
}

#[tokio::test]
async fn content_resources_streams_pages_with_the_type_filter() {
    let s = sdk().await;
    let resource = spec_example("ContentResource");
    let page = |n: i64| {
        json!({ "content_resources": [resource.clone()],
                "meta": { "page": n, "per_page": 1, "total_pages": 2, "total_count": 2 } })
    };
    let mut mocks = Vec::new();
    for n in 1..=2 {
        mocks.push(
            expect(
                &s.api,
                Call::new(GET, "/v1/content_resources")
                    .query("agent_id", 42)
                    .query("type", "video")
                    .query("page", n),
                200,
                Some(page(n)),
            )
            .await,
        );
    }
    let all: Vec<_> = s
        .client
        .edit()
        .content_resources(42, ContentResourceFilter::default().object_type("video"))
        .try_collect()
        .await
        .unwrap();
    for m in &mocks {
        m.assert_async().await;
    }
    assert_eq!(all.len(), 2);
}

#[tokio::test]
async fn asset_library_sends_every_filter() {
    let s = sdk().await;
    let mock = expect(
        &s.api,
        Call::new(GET, "/v1/asset_libraries")
            .query("agent_id", 42)
            .query("folder_id", 7)
            .query("asset_type", "video")
            .query("search", "taco truck")
            .query("page", 1),
        200,
        Some(json!({ "asset_folders": [spec_example("AssetFolder")],
                     "content_resources": [spec_example("ContentResource")],
                     "meta": { "page": 1, "per_page": 25, "total_pages": 1, "total_count": 2 } })),
    )
    .await;
    let items: Vec<_> = s
        .client
        .edit()
        .asset_library(
            42,
            AssetFilter::default()
                .folder_id(7)
                .asset_type("video")
                .search("taco truck"),
        )
        .try_collect()
        .await
        .unwrap();
    mock.assert_async().await;
    assert!(matches!(items[0], AssetItem::Folder(_)));
    assert!(matches!(items[1], AssetItem::Resource(_)));
}
