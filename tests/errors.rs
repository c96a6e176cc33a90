//! Contract tests: error bodies and forward compatibility.

use gen_contract_tests::{Call, GET, POST, api, expect};
use genpro_api::prelude::*;
use serde_json::json;

async fn error_for(status: u16, code: &str) -> genpro_api::Error<genpro_api::types::Error> {
    let api = api().await;
    let _m = expect(
        &api.server,
        Call::new(GET, "/v1/generations/1"),
        status,
        Some(json!({ "error": "Human-readable message", "error_code": code })),
    )
    .await;
    api.client.get_generation().id(1).send().await.unwrap_err()
}

fn status_and_code(err: genpro_api::Error<genpro_api::types::Error>) -> (u16, String, String) {
    match err {
        genpro_api::Error::ErrorResponse(rv) => (
            rv.status().as_u16(),
            rv.error_code
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            rv.error.clone().unwrap_or_default(),
        ),
        other => panic!("expected ErrorResponse, got {other:?}"),
    }
}

#[tokio::test]
async fn not_found_decodes() {
    assert_eq!(
        status_and_code(error_for(404, "not_found").await),
        (404, "not_found".into(), "Human-readable message".into())
    );
}

#[tokio::test]
async fn insufficient_credits_decodes() {
    assert_eq!(
        status_and_code(error_for(422, "insufficient_credits_for_job").await).1,
        "insufficient_credits_for_job"
    );
}

#[tokio::test]
async fn validation_error_decodes() {
    let (status, code, _) = status_and_code(error_for(422, "validation_error").await);
    assert_eq!((status, code.as_str()), (422, "validation_error"));
}

#[tokio::test]
async fn an_error_code_unknown_today_still_decodes() {
    assert_eq!(
        status_and_code(error_for(429, "rate_limited").await).1,
        "rate_limited"
    );
}

#[tokio::test]
async fn an_error_without_error_code_keeps_its_status() {
    // seed 001 lists "Common codes"; a body with only `error` (or nothing the
    // client knows) must still be an ErrorResponse with its status
    for (status, body) in [
        (404, json!({ "error": "Generation not found" })),
        (500, json!({ "error": "boom" })),
        (503, json!({})),
        (
            403,
            json!({ "message": "Forbidden", "error_code": "forbidden" }),
        ),
    ] {
        let api = api().await;
        let _m = expect(
            &api.server,
            Call::new(GET, "/v1/generations/1"),
            status,
            Some(body.clone()),
        )
        .await;
        let err = api.client.get_generation().id(1).send().await.unwrap_err();
        match err {
            genpro_api::Error::ErrorResponse(rv) => {
                assert_eq!(rv.status().as_u16(), status, "{body}");
                assert_eq!(rv.error.as_deref(), body["error"].as_str());
            }
            other => panic!("{status} {body}: expected ErrorResponse, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_status_unknown_today_still_decodes() {
    let api = api().await;
    let _m = expect(
        &api.server,
        Call::new(GET, "/v1/generations/9000"),
        200,
        Some(json!({ "id": 9000, "status": "queued_for_gpu", "output_resources": [] })),
    )
    .await;
    let g = api.client.get_generation().id(9000).send().await.unwrap();
    assert_eq!(g.status.as_str(), "queued_for_gpu");
}

#[tokio::test]
async fn a_200_where_201_is_documented_still_decodes() {
    let api = api().await;
    let _m = expect(
        &api.server,
        Call::new(POST, "/v1/generations/9000/continue"),
        201,
        Some(json!({ "id": 9000, "status": "pending", "output_resources": [] })),
    )
    .await;
    let g = api
        .client
        .continue_generation()
        .id(9000)
        .send()
        .await
        .unwrap();
    assert_eq!(g.status.as_str(), "pending");
}

#[tokio::test]
async fn a_garbage_body_is_an_error_not_a_panic() {
    let api = api().await;
    let _m = api
        .server
        .mock_async(|when, then| {
            when.path("/v1/generations/9000");
            then.status(200).body("<html>gateway</html>");
        })
        .await;
    let err = api
        .client
        .get_generation()
        .id(9000)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, genpro_api::Error::InvalidResponsePayload(ref bytes, _) if bytes.starts_with(b"<html>")),
        "{err:?}"
    );
}
