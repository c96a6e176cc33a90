//! Step 1 handle: `client.setup()`.

use gen_contract_tests::{Call, GET, PATCH, any_request, expect, sdk, spec_example};
use gen_sdk::agent_core::AgentCorePatch;
use serde_json::json;

#[tokio::test]
async fn me_gets_v1_me() {
    let s = sdk().await;
    let user = spec_example("User");
    let mock = expect(&s.api, Call::new(GET, "/v1/me"), 200, Some(user.clone())).await;
    let me = s.client.setup().me().await.unwrap();
    mock.assert_async().await;
    assert_eq!(serde_json::to_value(me).unwrap(), user);
}

#[tokio::test]
async fn agent_core_gets_the_agent_s_core() {
    let s = sdk().await;
    let core = spec_example("AgentCore");
    let mock = expect(
        &s.api,
        Call::new(GET, "/v1/agents/42/core"),
        200,
        Some(core.clone()),
    )
    .await;
    let got = s.client.setup().agent_core(42).await.unwrap();
    mock.assert_async().await;
    assert_eq!(serde_json::to_value(got).unwrap(), core);
}

#[tokio::test]
async fn update_agent_core_patches_only_the_set_fields_and_keeps_207() {
    let s = sdk().await;
    let result = spec_example("AgentCoreUpdateResult");
    let mock = expect(
        &s.api,
        Call::new(PATCH, "/v1/agents/42/core").body(json!({
            "brand_name": "Santiago",
            "keywords": ["streetfood", "tacotok"],
            "shortform": true
        })),
        207,
        Some(result.clone()),
    )
    .await;
    let patch = AgentCorePatch::new()
        .brand_name("Santiago")
        .keywords(["streetfood", "tacotok"])
        .shortform(true);
    let saved = s
        .client
        .setup()
        .update_agent_core(42, &patch)
        .await
        .expect("207 is a success");
    mock.assert_async().await;
    assert_eq!(saved.status, 207);
    assert_eq!(saved.failed_section_names(), vec!["default_user_voice"]);
    assert_eq!(
        serde_json::to_value(&saved.core).unwrap(),
        result["core"].clone()
    );
}

#[tokio::test]
async fn update_agent_core_refuses_a_long_description_before_sending() {
    let s = sdk().await;
    let any = any_request(&s.api).await;
    let patch = AgentCorePatch::new().description("x".repeat(501));
    let err = s
        .client
        .setup()
        .update_agent_core(42, &patch)
        .await
        .unwrap_err();
    assert!(
        matches!(err, gen_sdk::Error::Validation { ref field, .. } if field == "description"),
        "{err:?}"
    );
    assert_eq!(any.calls_async().await, 0);
}

#[tokio::test]
async fn organization_and_credits_get_the_workspace() {
    let s = sdk().await;
    let org = spec_example("Organization");
    let mock = expect(
        &s.api,
        Call::new(GET, "/v1/organizations/12"),
        200,
        Some(org.clone()),
    )
    .await;
    let got = s.client.setup().organization(12).await.unwrap();
    assert_eq!(got.id, Some(12));
    assert_eq!(got.name.as_deref(), org["name"].as_str());
    let credit = s.client.setup().credits(12).await.unwrap().expect("credit");
    assert_eq!(credit.generic, 1250.5);
    mock.assert_calls_async(2).await;
}

/// An empty list clears a section: it is sent as `[]`, although the
/// generated `AgentCoreUpdate` would drop it (its lists skip when empty).
#[tokio::test]
async fn update_agent_core_sends_an_empty_list_to_clear_a_section() {
    let s = sdk().await;
    let result = spec_example("AgentCoreUpdateResult");
    let mock = expect(
        &s.api,
        Call::new(PATCH, "/v1/agents/42/core").body(json!({ "keywords": [] })),
        200,
        Some(json!({ "core": result["core"].clone(), "failed_sections": [] })),
    )
    .await;
    let patch = AgentCorePatch::new().keywords(Vec::<String>::new());
    let saved = s
        .client
        .setup()
        .update_agent_core(42, &patch)
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(saved.status, 200);
    assert!(saved.failed_section_names().is_empty());
}
