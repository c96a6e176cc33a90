//! Step 1: the user, workspaces (`client.me()`, `client.organization(id)`) and the Agent Core (`Agent`).

use crate::common::{refused_before_sending, wire};
use gen_contract_tests::{Call, GET, PATCH, spec_example};
use genpro_sdk::agent_core::AgentCorePatch;
use genpro_sdk::steps::{AgentId, OrganizationId};
use serde_json::json;

#[tokio::test]
async fn me_gets_v1_me() {
    let user = spec_example("User");
    let me = wire()
        .api(Call::new(GET, "/v1/me"), 200, user.clone())
        .run(async |c| c.me().await)
        .await
        .unwrap();
    assert_eq!(serde_json::to_value(me).unwrap(), user);
}

#[tokio::test]
async fn agent_core_gets_the_agent_s_core() {
    let core = spec_example("AgentCore");
    let got = wire()
        .api(Call::new(GET, "/v1/agents/42/core"), 200, core.clone())
        .run(async |c| c.agent(AgentId::new(42)).core().await)
        .await
        .unwrap();
    assert_eq!(serde_json::to_value(got).unwrap(), core);
}

#[tokio::test]
async fn update_agent_core_patches_only_the_set_fields_and_keeps_207() {
    let result = spec_example("AgentCoreUpdateResult");
    let patch = AgentCorePatch::new()
        .brand_name("Santiago")
        .keywords(["streetfood", "tacotok"])
        .shortform(true);
    let saved = wire()
        .api(
            Call::new(PATCH, "/v1/agents/42/core").body(json!({
                "brand_name": "Santiago",
                "keywords": ["streetfood", "tacotok"],
                "shortform": true
            })),
            207,
            result.clone(),
        )
        .run(async |c| c.agent(AgentId::new(42)).update_core(&patch).await)
        .await
        .expect("207 is a success");
    assert_eq!(saved.status, 207);
    assert_eq!(saved.failed_section_names(), vec!["default_user_voice"]);
    assert_eq!(
        serde_json::to_value(&saved.core).unwrap(),
        result["core"].clone()
    );
}

#[tokio::test]
async fn update_agent_core_refuses_a_long_description_before_sending() {
    let patch = AgentCorePatch::new().description("x".repeat(501));
    refused_before_sending("description", async |c| {
        c.agent(AgentId::new(42)).update_core(&patch).await
    })
    .await;
}

#[tokio::test]
async fn organization_and_credits_get_the_workspace() {
    let org = spec_example("Organization");
    let (got, credit) = wire()
        .api(Call::new(GET, "/v1/organizations/12"), 200, org.clone())
        .times(2)
        .run(async |c| {
            let got = c.organization(OrganizationId::new(12)).await.unwrap();
            (got, c.credits(OrganizationId::new(12)).await.unwrap())
        })
        .await;
    assert_eq!(got.id, Some(12));
    assert_eq!(got.name.as_deref(), org["name"].as_str());
    assert_eq!(credit.expect("credit").generic, Some(1250.5));
}

/// An empty list clears a section: it is sent as `[]`, although the
/// generated `AgentCoreUpdate` would drop it (its lists skip when empty).
#[tokio::test]
async fn update_agent_core_sends_an_empty_list_to_clear_a_section() {
    let result = spec_example("AgentCoreUpdateResult");
    let patch = AgentCorePatch::new().keywords(Vec::<String>::new());
    let saved = wire()
        .api(
            Call::new(PATCH, "/v1/agents/42/core").body(json!({ "keywords": [] })),
            200,
            json!({ "core": result["core"].clone(), "failed_sections": [] }),
        )
        .run(async |c| c.agent(AgentId::new(42)).update_core(&patch).await)
        .await
        .unwrap();
    assert_eq!(saved.status, 200);
    assert!(saved.failed_section_names().is_empty());
}
