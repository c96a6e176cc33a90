//! Contract tests, step 1 (setup): agent core, organizations, agents.

use gen_contract_tests::{Call, GET, PATCH, POST, api, expect, spec_example};
use genpro_api::prelude::*;
use genpro_api::types;
use serde_json::json;

/// Seed 001's "one call that sets everything up".
fn seed_core() -> serde_json::Value {
    json!({
        "brand_name": "Santiago",
        "description": "San Antonio street food scout who hunts the best tacos.",
        "identity_type": "character",
        "goal": "growth",
        "target_platforms": ["tiktok", "instagram"],
        "shortform": true,
        "keywords": ["streetfood", "foodtruck", "tacotok"],
        "monitored": [
            { "handle": "https://tiktok.com/@keithlee", "item_type": "account" },
            { "handle": "sanantonioeats", "item_type": "hashtag" }
        ],
        "research_topics": [ { "topic": "new food truck openings in San Antonio" } ],
        "linked_accounts": [ { "url": "https://tiktok.com/@santiago_sa", "platform": "tiktok" } ],
        "personality": "Santiago grew up eating at his tia taco stand in south San Antonio...",
        "default_user_voice": { "voice_id": "21m00Tcm4TlvDq8ikWAM", "source": "public" }
    })
}

#[tokio::test]
async fn update_agent_core_sends_the_seed_body_and_decodes_207() {
    let api = api().await;
    let result = spec_example("AgentCoreUpdateResult");
    let mock = expect(
        &api.server,
        Call::new(PATCH, "/v1/agents/42/core").body(seed_core()),
        207,
        Some(result.clone()),
    )
    .await;
    let body: types::AgentCoreUpdate = serde_json::from_value(seed_core()).unwrap();
    let resp = api
        .client
        .update_agent_core()
        .agent_id(42)
        .body(body)
        .send()
        .await
        .expect("207 is a success");
    mock.assert_async().await;
    assert_eq!(resp.status().as_u16(), 207);
    assert_eq!(resp.failed_sections.len(), 1);
    assert_eq!(
        resp.failed_sections[0].section.as_deref(),
        Some("default_user_voice")
    );
    assert_eq!(serde_json::to_value(resp.into_inner()).unwrap(), result);
}

#[tokio::test]
async fn agent_core_update_refuses_unknown_fields_before_sending() {
    // unknown fields return 422 on the server; the typed body cannot even hold one
    let err =
        serde_json::from_value::<types::AgentCoreUpdate>(json!({"brand_name": "x", "brnad": 1}))
            .unwrap_err();
    assert!(err.to_string().contains("unknown field `brnad`"), "{err}");
}

#[tokio::test]
async fn get_organization_reads_available_credit() {
    let api = api().await;
    let org = spec_example("Organization");
    let mock = expect(
        &api.server,
        Call::new(GET, "/v1/organizations/12"),
        200,
        Some(org),
    )
    .await;
    let resp = api.client.get_organization().id(12).send().await.unwrap();
    mock.assert_async().await;
    let credit = resp.available_credit.as_ref().expect("available_credit");
    assert_eq!(credit.generic, Some(1250.5));
    assert_eq!(credit.aura, Some(0.0));
}

#[tokio::test]
async fn list_agents_sends_workspace_id() {
    let api = api().await;
    let agent = spec_example("Agent");
    let mock = expect(
        &api.server,
        Call::new(GET, "/v1/agents").query("workspace_id", 7),
        200,
        Some(json!([agent])),
    )
    .await;
    let resp = api
        .client
        .list_agents()
        .workspace_id(7)
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(resp.len(), 1);
}

#[tokio::test]
async fn create_persisted_token_posts_the_name() {
    let api = api().await;
    let body = spec_example("PersistedTokenRequest");
    let created = spec_example("PersistedTokenCreated");
    let mock = expect(
        &api.server,
        Call::new(POST, "/v1/persisted_tokens").body(body.clone()),
        200,
        Some(created.clone()),
    )
    .await;
    let resp = api
        .client
        .create_persisted_token()
        .body(serde_json::from_value::<types::PersistedTokenRequest>(body).unwrap())
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(serde_json::to_value(resp.into_inner()).unwrap(), created);
}
