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
