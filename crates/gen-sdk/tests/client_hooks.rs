//! The builder hooks (`http_client`, `default_header`) and the request id
//! of successful calls (`with_meta`, `Response`, the `genpro_api_call`
//! span), against local servers only.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use genpro_sdk::genpro_api::prelude::*;
use genpro_sdk::response::{Meta, Response, WithMeta as _};
use genpro_sdk::{ErrorKind, GenClient, GenClientBuilder, Idempotency, RetryPolicy, reqwest};
use httpmock::prelude::*;
use serde_json::{Map, json};

const KEY: &str = "hooks-test-key";

fn builder(server: &MockServer) -> GenClientBuilder {
    GenClient::builder()
        .api_key(KEY)
        .api_url(server.base_url())
        .agent_url(server.base_url())
        .retry_policy(RetryPolicy::none())
}

// ------------------------------------------------------------ request id

#[tokio::test]
async fn a_successful_call_keeps_its_request_id() {
    let server = MockServer::start_async().await;
    let me = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/me").header("x-api-key", KEY);
            then.status(200)
                .header("x-request-id", "req-ok-1")
                .json_body(json!({"id": 1}));
        })
        .await;
    let client = builder(&server).build().unwrap();

    // A step handle's method.
    let answer = client.me().with_meta().await.unwrap();
    assert_eq!(answer.request_id(), Some("req-ok-1"));
    assert_eq!(answer.status(), Some(200));
    assert_eq!(answer.value().id, Some(1));

    // A generated builder, through `send_with` and through `Response::from`.
    let sent = client
        .send_with(Idempotency::Idempotent, client.raw().get_me().send())
        .await
        .unwrap();
    assert_eq!(sent.request_id(), Some("req-ok-1"));
    let raw = Response::from(client.raw().get_me().send().await.unwrap());
    assert_eq!(
        raw.meta(),
        Some(&Meta::from_parts(
            reqwest::StatusCode::OK,
            &[(
                reqwest::header::HeaderName::from_static("x-request-id"),
                reqwest::header::HeaderValue::from_static("req-ok-1"),
            )]
            .into_iter()
            .collect(),
        ))
    );

    // A call by name.
    let dynamic = genpro_sdk::dynamic::call(&client, "get_me", &Map::new())
        .with_meta()
        .await
        .unwrap();
    assert_eq!(dynamic.request_id(), Some("req-ok-1"));
    assert_eq!(dynamic.value().body, json!({"id": 1}));
    assert_eq!(me.calls_async().await, 4);
}

#[tokio::test]
async fn no_request_id_header_and_no_request_give_none() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/me");
            then.status(200).json_body(json!({"id": 1}));
        })
        .await;
    let client = builder(&server).build().unwrap();
    let answer = client.me().with_meta().await.unwrap();
    assert_eq!(answer.status(), Some(200));
    assert_eq!(answer.request_id(), None);

    // Nothing sent: no metadata.
    let nothing = async { Ok::<_, genpro_sdk::Error>(7) }
        .with_meta()
        .await
        .unwrap();
    assert_eq!(nothing.meta(), None);
    assert_eq!(nothing.into_inner(), 7);
}

#[tokio::test]
async fn with_meta_keeps_the_future_send() {
    fn send<T: Send>(_: &T) {}
    let server = MockServer::start_async().await;
    let client = builder(&server).build().unwrap();
    let fut = client.me().with_meta();
    send(&fut);
}

/// Records every span field of the current thread as text.
struct Capture {
    lines: Arc<Mutex<Vec<String>>>,
    next: AtomicU64,
}

struct Fields<'a>(&'a mut String);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, "{}={:?} ", field.name(), value);
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut line = format!("span {} ", span.metadata().name());
        span.record(&mut Fields(&mut line));
        self.lines.lock().unwrap().push(line);
        tracing::span::Id::from_u64(self.next.fetch_add(1, Ordering::Relaxed))
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut line = String::from("record ");
        values.record(&mut Fields(&mut line));
        self.lines.lock().unwrap().push(line);
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, _: &tracing::Event<'_>) {}
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test]
async fn the_request_id_is_recorded_in_the_call_span() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/me");
            then.status(200)
                .header("x-request-id", "req-span-1")
                .json_body(json!({"id": 1}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/generations/404");
            then.status(404)
                .header("x-request-id", "req-span-404")
                .json_body(json!({"error": "Generation not found", "error_code": "not_found"}));
        })
        .await;
    let client = builder(&server).build().unwrap();
    let lines: Arc<Mutex<Vec<String>>> = Arc::default();
    let _guard = tracing::subscriber::set_default(Capture {
        lines: lines.clone(),
        next: AtomicU64::new(1),
    });
    client.me().await.unwrap();
    let err = client
        .send(client.raw().get_generation().id(404).send())
        .await
        .unwrap_err();
    assert_eq!(err.request_id(), Some("req-span-404"));
    let lines = lines.lock().unwrap().clone();
    let spans: Vec<&String> = lines
        .iter()
        .filter(|l| l.starts_with("span genpro_api_call") || l.starts_with("record "))
        .collect();
    assert_eq!(
        spans,
        [
            "span genpro_api_call operation_id=\"get_me\" method=\"GET\" host=\"api\" ",
            "record attempt=1 ",
            "record status=200 ",
            "record request_id=\"req-span-1\" ",
            "span genpro_api_call operation_id=\"get_generation\" method=\"GET\" host=\"api\" ",
            "record attempt=1 ",
            "record status=404 ",
            "record request_id=\"req-span-404\" ",
        ],
        "{lines:#?}"
    );
}

// ------------------------------------------------------------ http_client

#[tokio::test]
async fn a_user_http_client_with_default_headers_reaches_the_server() {
    let server = MockServer::start_async().await;
    let me = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/me")
                .header("x-api-key", KEY)
                .header("x-tenant", "acme")
                .header("x-trace", "t-1")
                .header("accept", "application/json")
                .header("user-agent", "hooks-test/1");
            then.status(200).json_body(json!({"id": 1}));
        })
        .await;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "x-tenant",
        reqwest::header::HeaderValue::from_static("acme"),
    );
    let client = builder(&server)
        .http_client(reqwest::Client::builder().default_headers(headers))
        .default_header("x-trace", "t-1")
        .user_agent("hooks-test/1")
        .build()
        .unwrap();
    let answer = client.me().await.unwrap();
    assert_eq!(answer.id, Some(1));
    assert_eq!(me.calls_async().await, 1);
    // The builder's Debug names the header, not its value.
    let shown = format!(
        "{:?}",
        builder(&server).default_header("x-trace", "secret-trace")
    );
    assert!(shown.contains("\"x-trace\""), "{shown}");
    assert!(!shown.contains("secret-trace"), "{shown}");
}

#[tokio::test]
async fn a_user_http_client_still_follows_no_redirect_and_sends_no_key_elsewhere() {
    let api = MockServer::start_async().await;
    let other = MockServer::start_async().await;
    let stolen = other
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).json_body(json!({"id": 666}));
        })
        .await;
    let location = format!("{}/v1/me", other.base_url());
    let redirect = api
        .mock_async(|when, then| {
            when.method(GET).path("/v1/me");
            then.status(307).header("location", location.clone());
        })
        .await;
    // The application's builder asks for redirects to be followed.
    let client = builder(&api)
        .http_client(reqwest::Client::builder().redirect(reqwest::redirect::Policy::limited(10)))
        .build()
        .unwrap();
    let err = client.me().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api, "{err:?}");
    assert_eq!(err.status(), Some(307));
    assert_eq!(redirect.calls_async().await, 1);

    // A hand-built request to another host through the transport is
    // refused before sending.
    let err = client
        .execute(
            "get_me",
            client.http().get(format!("{}/v1/me", other.base_url())),
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "invalid request: refused before sending: {} is not one of the client's base URLs ({}), and the key is sent to no other host",
            other.base_url(),
            api.base_url()
        )
    );
    // A URL that only starts like a base (`/gen` against `/general`) is
    // under none.
    let prefixed = GenClient::builder()
        .api_key(KEY)
        .api_url(format!("{}/gen", api.base_url()))
        .agent_url(format!("{}/gen", api.base_url()))
        .build()
        .unwrap();
    let near = format!("{}/general/v1/me", api.base_url());
    let err = prefixed
        .execute("get_me", prefixed.http().get(near), None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{err:?}");
    assert_eq!(redirect.calls_async().await, 1, "nothing sent");
    assert_eq!(
        stolen.calls_async().await,
        0,
        "nothing reached the other host"
    );
}

#[tokio::test]
async fn the_sdk_timeouts_apply_over_a_user_http_client() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/me");
            then.status(200)
                .delay(Duration::from_secs(3))
                .json_body(json!({"id": 1}));
        })
        .await;
    let client = builder(&server)
        .http_client(reqwest::Client::builder().timeout(Duration::from_secs(3600)))
        .request_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = client.me().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    assert!(!err.is_connect());
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn default_header_refuses_the_credential_and_bad_headers() {
    let base = || GenClient::builder().api_key(KEY);
    for name in ["x-api-key", "X-API-Key", "authorization", "api-version"] {
        let err = base().default_header(name, "x").build().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config, "{name}");
        assert_eq!(
            err.to_string(),
            format!(
                "invalid genpro-sdk configuration: default_header cannot set `{}`: genpro-sdk sets it (use api_key(..) / bearer_token(..) for the credential)",
                name.to_ascii_lowercase()
            )
        );
    }
    let err = base().default_header("bad name", "x").build().unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid genpro-sdk configuration: default_header: not a valid header name"
    );
    let err = base()
        .default_header("x-ok", "bad\nvalue")
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid genpro-sdk configuration: default_header: not a valid header value"
    );
    assert!(base().default_header("x-ok", "fine").build().is_ok());
}
