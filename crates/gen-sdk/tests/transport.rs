//! The one transport: every operation of the generated table, called by
//! name and through the generated builders, gets the same auth, host
//! routing, retries by class and typed errors.

use std::time::Duration;

use genpro_api::operations::{Host, OPERATIONS, RetryClass};
use genpro_api::prelude::*;
use genpro_sdk::ErrorKind;
use genpro_sdk::{Error, GenClient, RetryPolicy};
use httpmock::prelude::*;
use serde_json::{Map, Value, json};

const KEY: &str = "transport-test-key";

fn client(api: &MockServer, agent: &MockServer) -> GenClient {
    GenClient::builder()
        .api_key(KEY)
        .api_url(api.base_url())
        .agent_url(agent.base_url())
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(2)
                .with_backoff(Duration::from_millis(1), Duration::from_millis(2))
                .with_jitter(false),
        )
        .build()
        .unwrap()
}

/// Arguments that satisfy every parameter of `op` (ids are 7, strings "x").
fn args_for(op: &genpro_api::operations::Operation) -> Map<String, Value> {
    let mut args = Map::new();
    for p in op.params {
        if !p.required {
            continue;
        }
        let v = match p.kind {
            "integer" | "number" => json!(7),
            "boolean" => json!(true),
            "array" => json!(["x"]),
            _ => json!("x"),
        };
        args.insert(p.name.to_owned(), v);
    }
    if op.body_required && op.takes_json() {
        args.insert("body".into(), json!({}));
    }
    args
}

fn concrete_path(op: &genpro_api::operations::Operation, args: &Map<String, Value>) -> String {
    let mut path = op.path.to_owned();
    for p in op.params {
        if let Some(v) = args.get(p.name) {
            let s = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            path = path.replace(&format!("{{{}}}", p.name), &s);
        }
    }
    path
}

/// Each operation answered first with a gateway's HTML 503 and then 200:
/// idempotent and free-create operations are retried once, paid ones are
/// not (the 503 reaches the caller with its status). Each request carries
/// the key and lands on the operation's host.
#[tokio::test]
async fn every_operation_retries_by_its_class_on_its_host() {
    let mut checked = 0;
    for op in OPERATIONS.iter().filter(|op| !op.is_multipart_only()) {
        let api = MockServer::start_async().await;
        let agent = MockServer::start_async().await;
        let (right, wrong) = match op.host {
            Host::Agent => (&agent, &api),
            _ => (&api, &agent),
        };
        let args = args_for(op);
        let path = concrete_path(op, &args);
        // Both attempts carry the credential and `api-version` (the second
        // is rebuilt from the transport's template).
        let fail = right
            .mock_async(|when, then| {
                when.method(op.method)
                    .path(path.clone())
                    .header("x-api-key", KEY)
                    .header("api-version", genpro_sdk::transport::api_version());
                then.status(503)
                    .header("content-type", "text/html")
                    .body("<html><body>503 Service Unavailable</body></html>");
            })
            .await;
        let stray = wrong
            .mock_async(|when, then| {
                when.any_request();
                then.status(418);
            })
            .await;
        let client = client(&api, &agent);
        let result = genpro_sdk::dynamic::call(&client, op.operation_id, &args).await;
        let retried = !matches!(op.retry, RetryClass::Paid);
        let hits = fail.calls_async().await;
        assert_eq!(
            hits,
            if retried { 2 } else { 1 },
            "{} ({:?}) was sent {hits} times",
            op.operation_id,
            op.retry
        );
        match result {
            Err(e) if e.kind() == ErrorKind::Api && e.status() == Some(503) => {
                assert!(
                    e.body().unwrap().contains("503 Service Unavailable"),
                    "{}",
                    op.operation_id
                )
            }
            other => panic!("{}: expected Api 503, got {other:?}", op.operation_id),
        }
        assert_eq!(
            stray.calls_async().await,
            0,
            "{} went to the wrong host",
            op.operation_id
        );
        fail.delete_async().await;

        // And a 200 decodes.
        let ok = right
            .mock_async(|when, then| {
                when.method(op.method)
                    .path(path.clone())
                    .header("x-api-key", KEY);
                then.status(200).json_body(json!({"ok": true}));
            })
            .await;
        let answer = genpro_sdk::dynamic::call(&client, op.operation_id, &args)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", op.operation_id));
        assert_eq!(answer.status, 200);
        assert_eq!(answer.body, json!({"ok": true}));
        assert_eq!(ok.calls_async().await, 1);
        checked += 1;
    }
    assert!(checked >= 90, "only {checked} operations checked");
}

/// Through the generated builders: an HTML 404 keeps its status, a 502 on
/// an idempotent GET is retried, a paid POST answered 503 is sent once, and
/// an agent-host operation goes to the agent host.
#[tokio::test]
async fn generated_builders_use_the_same_transport() {
    let api = MockServer::start_async().await;
    let agent = MockServer::start_async().await;
    let client = client(&api, &agent);

    let not_found = api
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/generations/1")
                .header("x-api-key", KEY);
            then.status(404)
                .header("x-request-id", "req-404")
                .body("<html>nope</html>");
        })
        .await;
    let err = Error::from(
        client
            .raw()
            .get_generation()
            .id(1)
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(err.kind(), ErrorKind::Api, "{err:?}");
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.request_id(), Some("req-404"));
    assert_eq!(err.body(), Some("<html>nope</html>"));
    assert_eq!(not_found.calls_async().await, 1);

    let bad_gateway = api
        .mock_async(|when, then| {
            when.method(GET).path("/v1/generations/2");
            then.status(502).body("bad gateway");
        })
        .await;
    let err = Error::from(
        client
            .raw()
            .get_generation()
            .id(2)
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(err.status(), Some(502));
    assert_eq!(
        bad_gateway.calls_async().await,
        2,
        "idempotent GET retried once"
    );

    let paid = api
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/autocontentengine/4/cells/5/generate");
            then.status(503).body("busy");
        })
        .await;
    let body: genpro_api::types::GenerateRequest = serde_json::from_value(json!({
        "generation_type": "text",
        "data": {"prompt": "hi", "model": "gemini_2_5_pro"}
    }))
    .unwrap();
    let err = client
        .raw()
        .generate_on_cell()
        .agent_id(3)
        .id(4)
        .cell_id(5)
        .body(body)
        .send()
        .await
        .map_err(Error::from)
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(
        paid.calls_async().await,
        1,
        "a paid POST is never re-sent after a 503"
    );

    let conversations = agent
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/agent/conversations")
                .query_param("agent_id", "42")
                .header("x-api-key", KEY);
            then.status(200).json_body(json!([]));
        })
        .await;
    let list = client
        .raw()
        .list_conversations()
        .agent_id(42)
        .send()
        .await
        .unwrap();
    assert!(list.into_inner().is_empty());
    assert_eq!(
        conversations.calls_async().await,
        1,
        "routed to the agent host"
    );
}

/// A `..` or empty path parameter is refused before anything is sent, by
/// name and through the builders.
#[tokio::test]
async fn dot_segments_and_empty_ids_are_refused_before_sending() {
    let api = MockServer::start_async().await;
    let agent = MockServer::start_async().await;
    let any_api = api
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).json_body(json!({}));
        })
        .await;
    let any_agent = agent
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).json_body(json!({}));
        })
        .await;
    let client = client(&api, &agent);
    for id in ["..", ".", ""] {
        let err = Error::from(
            client
                .raw()
                .get_agent_run()
                .run_id(id)
                .send()
                .await
                .unwrap_err(),
        );
        assert!(
            err.kind() == ErrorKind::Validation
                && err.field() == Some("run_id")
                && err.message().unwrap().contains("refused before sending"),
            "{id:?}: {err:?}"
        );
        let args = json!({"run_id": id});
        let err = genpro_sdk::dynamic::call(&client, "get_agent_run", args.as_object().unwrap())
            .await
            .unwrap_err();
        assert!(
            err.kind() == ErrorKind::Validation && err.field() == Some("run_id"),
            "{err:?}"
        );
    }
    assert_eq!(
        any_api.calls_async().await + any_agent.calls_async().await,
        0
    );
}

/// A redirect is never followed: the other host sees nothing, the caller
/// gets the 3xx as an API error.
#[tokio::test]
async fn redirects_are_not_followed() {
    let api = MockServer::start_async().await;
    let agent = MockServer::start_async().await;
    let elsewhere = MockServer::start_async().await;
    let trap = elsewhere
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).json_body(json!({}));
        })
        .await;
    let location = elsewhere.url("/steal");
    api.mock_async(|when, then| {
        when.method(GET).path("/v1/me");
        then.status(302).header("location", location.clone());
    })
    .await;
    let client = client(&api, &agent);
    let err = Error::from(client.raw().get_me().send().await.unwrap_err());
    assert_eq!(err.status(), Some(302));
    assert_eq!(trap.calls_async().await, 0);
}

/// A success body past the cap fails with `BodyTooLarge`, with and without
/// Content-Length.
#[tokio::test]
async fn success_bodies_are_capped() {
    let api = MockServer::start_async().await;
    let agent = MockServer::start_async().await;
    let big = format!("{{\"id\": 1, \"pad\": \"{}\"}}", "x".repeat(4096));
    api.mock_async(|when, then| {
        when.method(GET).path("/v1/me");
        then.status(200).body(big.clone());
    })
    .await;
    let client = GenClient::builder()
        .api_key(KEY)
        .api_url(api.base_url())
        .agent_url(agent.base_url())
        .max_response_body(1024)
        .build()
        .unwrap();
    let err = Error::from(client.raw().get_me().send().await.unwrap_err());
    assert_eq!(err.kind(), ErrorKind::BodyTooLarge, "{err:?}");
    assert_eq!(err.limit(), Some(1024));
    assert_eq!(err.status(), Some(200));
    let err = genpro_sdk::dynamic::call(&client, "get_me", &Map::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BodyTooLarge, "{err:?}");
    assert_eq!(err.limit(), Some(1024));
}

/// Unknown operations and parameters are refused with the allowed names.
#[tokio::test]
async fn dynamic_call_validates_names() {
    let api = MockServer::start_async().await;
    let agent = MockServer::start_async().await;
    let client = client(&api, &agent);
    let err = genpro_sdk::dynamic::call(&client, "get_generatoin", &Map::new())
        .await
        .unwrap_err();
    assert!(
        err.kind() == ErrorKind::Validation && err.field() == Some("operation"),
        "{err:?}"
    );
    let args = json!({"id": 1, "colour": "red"});
    let err = genpro_sdk::dynamic::call(&client, "get_generation", args.as_object().unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation, "{err:?}");
    assert_eq!(err.field(), Some("colour"));
    assert!(err.allowed().unwrap().contains(&"id".to_owned()));
}
