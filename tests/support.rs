//! Shared helpers for the contract tests: an httpmock server, a `genpro_api`
//! client pointed at it (the raw builders), a `genpro_sdk::GenClient` pointed at
//! two of them (the phase handles users call, one server per host), and a
//! matcher that pins down the exact wire format of one call (method, path,
//! query, `X-API-Key`, `api-version`, JSON body).

use httpmock::{HttpMockRequest, Mock, MockServer};
use serde_json::Value;

/// HTTP methods, as the calls name them.
pub const GET: &str = "GET";
/// `POST`
pub const POST: &str = "POST";
/// `PUT`
pub const PUT: &str = "PUT";
/// `PATCH`
pub const PATCH: &str = "PATCH";
/// `DELETE`
pub const DELETE: &str = "DELETE";

/// The API key every contract test sends.
pub const KEY: &str = "contract-test-key";

/// A mock server and a raw client that talks to it with [`KEY`].
pub struct Api {
    /// The httpmock server standing in for api.gen.pro / agent.gen.pro.
    pub server: MockServer,
    /// The generated client under test.
    pub client: genpro_api::Client,
}

/// Start a mock server and build a `genpro_api::Client` for it.
pub async fn api() -> Api {
    let server = MockServer::start_async().await;
    let mut key = reqwest::header::HeaderValue::from_static(KEY);
    key.set_sensitive(true);
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-api-key", key);
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .expect("reqwest client");
    let client = genpro_api::Client::new_with_client(
        &server.base_url(),
        http,
        genpro_api::transport::plain(),
    );
    Api { server, client }
}

/// Two mock servers (one per GEN host) and a `genpro_sdk::GenClient` using
/// [`KEY`], with retries that do not wait.
pub struct Sdk {
    /// Stands in for api.gen.pro.
    pub api: MockServer,
    /// Stands in for agent.gen.pro.
    pub agent: MockServer,
    /// The ergonomic client under test (its phase handles).
    pub client: genpro_sdk::GenClient,
}

/// Start one mock server per host and build a `GenClient` for them.
pub async fn sdk() -> Sdk {
    let api = MockServer::start_async().await;
    let agent = MockServer::start_async().await;
    let client = genpro_sdk::GenClient::builder()
        .api_key(KEY)
        .api_url(api.base_url())
        .agent_url(agent.base_url())
        .retry_policy(
            genpro_sdk::RetryPolicy::default()
                .with_max_attempts(2)
                .with_backoff(
                    std::time::Duration::from_millis(1),
                    std::time::Duration::from_millis(2),
                )
                .with_jitter(false),
        )
        .build()
        .expect("GenClient");
    Sdk { api, agent, client }
}

/// The `api-version` every call must carry: `info.version` of openapi.yaml.
pub fn api_version() -> String {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION
        .get_or_init(|| {
            spec()["info"]["version"]
                .as_str()
                .expect("info.version")
                .to_owned()
        })
        .clone()
}

fn spec() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.yaml"))
        .expect("openapi.yaml");
    serde_yaml::from_str(&text).expect("openapi.yaml parses")
}

/// The exact request a test expects on the wire.
#[derive(Debug, Clone)]
pub struct Call {
    /// HTTP method, upper case.
    pub method: &'static str,
    /// Exact path, `/v1/...`.
    pub path: String,
    /// Exact query as (name, value) pairs, in any order; empty = no query.
    pub query: Vec<(&'static str, String)>,
    /// Exact JSON body; `None` = the request has no body.
    pub body: Option<Value>,
}

impl Call {
    /// A call without query or body.
    pub fn new(method: &'static str, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
        }
    }

    /// Add one expected query parameter.
    pub fn query(mut self, name: &'static str, value: impl ToString) -> Self {
        self.query.push((name, value.to_string()));
        self
    }

    /// Expect exactly this JSON body.
    pub fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }
}

fn query_pairs(req: &HttpMockRequest) -> Vec<(String, String)> {
    let uri = req.uri();
    let mut pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    pairs.sort();
    pairs
}

/// Register a mock that matches only `call` exactly (with the API key and
/// the spec's `api-version`) and answers `status` with `response` as JSON
/// (or no body).
pub async fn expect<'a>(
    server: &'a MockServer,
    call: Call,
    status: u16,
    response: Option<Value>,
) -> Mock<'a> {
    let mut expected_query: Vec<(String, String)> = call
        .query
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    expected_query.sort();
    server
        .mock_async(move |when, then| {
            let mut when = when
                .method(call.method)
                .path(call.path.clone())
                .header("x-api-key", KEY)
                .header("api-version", api_version())
                .is_true(move |req| query_pairs(req) == expected_query);
            when = match call.body.clone() {
                Some(body) => when
                    .header("content-type", "application/json")
                    .json_body(body),
                None => when.is_true(|req| req.body().is_empty()),
            };
            let _ = when;
            let then = then.status(status);
            if let Some(resp) = response {
                then.header("content-type", "application/json")
                    .json_body(resp);
            }
        })
        .await
}

/// The first `examples` entry of a component schema in openapi.yaml: the
/// seeds' JSON the spec documents.
pub fn spec_example(schema: &str) -> Value {
    spec()["components"]["schemas"][schema]["examples"][0].clone()
}

/// A mock answering any request on `server` with a 500: register it before
/// a call that must send nothing, then check `calls_async()` is 0.
pub async fn any_request(server: &MockServer) -> Mock<'_> {
    server
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await
}

/// The workspace README's Rust snippets, run as doctests (offline against
/// the built-in fake when `GEN_API_KEY` is unset).
#[doc = include_str!("../README.md")]
mod readme {}
