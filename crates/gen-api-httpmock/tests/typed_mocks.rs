//! The generated typed mocks answer the generated client.

use genpro_api::prelude::*;
use genpro_api_httpmock::MockServerExt;
use httpmock::MockServer;

#[tokio::test]
async fn typed_mock_serves_the_generated_client() {
    let server = MockServer::start_async().await;
    let generation: genpro_api::types::Generation = serde_json::from_value(serde_json::json!({
        "id": 9000, "status": "completed", "result": "script", "output_resources": []
    }))
    .unwrap();
    let expected = generation.clone();
    let mock = server.get_generation(move |when, then| {
        when.id(9000).wait(true);
        then.success(200, &expected);
    });
    let client = genpro_api::Client::plain(&server.base_url());
    let got = client
        .get_generation()
        .id(9000)
        .wait(true)
        .send()
        .await
        .unwrap();
    mock.assert();
    assert_eq!(got.into_inner(), generation);
}

#[tokio::test]
async fn typed_mock_does_not_match_other_parameters() {
    let server = MockServer::start_async().await;
    let mock = server.get_generation(|when, then| {
        when.id(1);
        then.success(
            200,
            &serde_json::from_value(serde_json::json!({"id": 1, "status": "pending"})).unwrap(),
        );
    });
    let client = genpro_api::Client::plain(&server.base_url());
    assert!(client.get_generation().id(2).send().await.is_err());
    assert_eq!(mock.calls(), 0);
}

#[tokio::test]
async fn a_path_value_is_matched_literally_not_as_a_regex() {
    let server = MockServer::start_async().await;
    let conversation = serde_json::json!({"id": "conv.1", "title": "t"});
    let dotted = server.get_conversation(|when, then| {
        when.id("conv.1");
        then.success(200, &serde_json::from_value(conversation.clone()).unwrap());
    });
    // A value that is not a valid regex builds a mock instead of panicking.
    let paren = server.get_conversation(|when, then| {
        when.id("a(b");
        then.success(
            200,
            &serde_json::from_value(serde_json::json!({"id": "a(b"})).unwrap(),
        );
    });
    let client = genpro_api::Client::plain(&server.base_url());
    // `.` is not "any character": convX1 does not match conv.1's mock.
    assert!(client.get_conversation().id("convX1").send().await.is_err());
    assert_eq!(dotted.calls(), 0);
    client.get_conversation().id("conv.1").send().await.unwrap();
    assert_eq!(dotted.calls(), 1);
    client.get_conversation().id("a(b").send().await.unwrap();
    assert_eq!(paren.calls(), 1);
}
