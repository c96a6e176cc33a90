//! Varied answers over a socket ([`MockConfig::vary`]): reproducible per seed, different across
//! seeds, and never applied to errors, non-JSON answers or mock-only routes.

mod common;

use std::time::Duration;

use common::Api;
use genpro_mock::{MockConfig, MockServer};
use serde_json::{Value, json};

/// `value` with the server's base URL and the times made comparable across servers (ports and
/// clocks differ; what was varied does not).
fn normalized(value: &Value, base: &str) -> Value {
    match value {
        Value::String(s) if chrono::DateTime::parse_from_rfc3339(s).is_ok() => json!("<time>"),
        Value::String(s) => json!(s.replace(base, "<base>")),
        Value::Array(items) => items.iter().map(|v| normalized(v, base)).collect(),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| (k.clone(), normalized(v, base)))
            .collect(),
        v => v.clone(),
    }
}

/// The same request sequence against a fresh server: status and normalised body of each answer.
async fn answers(config: MockConfig) -> Vec<(u16, Value)> {
    let server = MockServer::start(
        config
            .with_generation_timing(Duration::from_millis(20), Duration::from_millis(40))
            .with_run_duration(Duration::from_millis(40)),
    )
    .await
    .unwrap();
    let api = Api::new(&server);
    let base = server.base_url();
    let mut out = Vec::new();
    let mut push = |r: common::Resp| out.push((r.status, normalized(&r.body, &base)));
    push(api.get("/v1/me").await);
    // The same request twice: the second answer has draws of its own.
    push(api.get("/v1/organizations/1").await);
    push(api.get("/v1/organizations/1").await);
    push(api.get("/v1/agents/42/core").await);
    push(api.get("/v1/templates/projects").await);
    let engine = api
        .post(
            "/v1/templates/spreadsheets/tiktok-talking-avatar/clone",
            json!({"agent_id": "42"}),
        )
        .await;
    push(engine);
    push(api.get("/v1/autocontentengine/101?agent_id=42").await);
    push(api.get("/v1/agents/42/voice/library").await);
    server.shutdown().await;
    out
}

#[tokio::test]
async fn the_same_seed_gives_the_same_answers() {
    let first = answers(MockConfig::default().vary(7)).await;
    let again = answers(MockConfig::default().vary(7)).await;
    assert_eq!(first, again);
    assert_ne!(first[1], first[2], "each request draws anew");
}

#[tokio::test]
async fn other_seeds_give_other_answers() {
    let plain = answers(MockConfig::default()).await;
    let seven = answers(MockConfig::default().vary(7)).await;
    let eight = answers(MockConfig::default().vary(8)).await;
    assert_ne!(seven, eight);
    assert_ne!(plain, seven);
    // Only bodies vary, never statuses.
    let statuses = |a: &[(u16, Value)]| a.iter().map(|(s, _)| *s).collect::<Vec<_>>();
    assert_eq!(statuses(&plain), statuses(&seven));
    assert_eq!(statuses(&plain), statuses(&eight));
}

#[tokio::test]
async fn errors_non_json_answers_and_mock_routes_are_untouched() {
    let plain = MockServer::start(MockConfig::default()).await.unwrap();
    let varied = MockServer::start(MockConfig::default().vary(3))
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let raw = |server: &MockServer, method: reqwest::Method, path: &str, body: Option<Value>| {
        let mut req = http
            .request(method, format!("{}{path}", server.base_url()))
            .header("X-API-Key", "mock-key");
        if let Some(b) = body {
            req = req.json(&b);
        }
        async move {
            let resp = req.send().await.unwrap();
            let status = resp.status().as_u16();
            let content_type = resp
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_owned());
            (status, content_type, resp.bytes().await.unwrap())
        }
    };
    use reqwest::Method;
    for round in 0..5 {
        for (method, path, body, status) in [
            (Method::GET, "/v1/generations/424242", None, 404),
            (Method::GET, "/v1/organizations/99", None, 404),
            (
                Method::POST,
                "/v1/agent/run",
                Some(json!({"agent_id": "999", "message": "x"})),
                422,
            ),
            (
                Method::PATCH,
                "/v1/agents/42/core",
                Some(json!({"goal": 7})),
                422,
            ),
            (Method::GET, "/v1/no/such/route", None, 404),
            // binary (XLSX), a mock-only route, no body
            (
                Method::GET,
                "/v1/autocontentengine/global_variables_template",
                None,
                200,
            ),
            (Method::GET, "/healthz", None, 200),
            (Method::DELETE, "/v1/persisted_tokens/revoke_all", None, 204),
        ] {
            let p = raw(&plain, method.clone(), path, body.clone()).await;
            let v = raw(&varied, method.clone(), path, body).await;
            assert_eq!(p.0, status, "{method} {path}");
            assert_eq!(p, v, "round {round}: {method} {path}");
        }
    }
    // Without a key: 401, untouched.
    let no_key = |server: &MockServer| {
        let url = format!("{}/v1/me", server.base_url());
        let http = http.clone();
        async move {
            let r = http.get(url).send().await.unwrap();
            (r.status().as_u16(), r.bytes().await.unwrap())
        }
    };
    assert_eq!(no_key(&plain).await, no_key(&varied).await);
    plain.shutdown().await;
    varied.shutdown().await;
}

#[tokio::test]
async fn a_varied_answer_is_whole_json_with_its_own_length() {
    let server = MockServer::start(MockConfig::default().vary(5))
        .await
        .unwrap();
    let http = reqwest::Client::new();
    for _ in 0..10 {
        let resp = http
            .post(format!(
                "{}/v1/templates/spreadsheets/tiktok-montage/clone",
                server.base_url()
            ))
            .header("X-API-Key", "mock-key")
            .json(&json!({"agent_id": "42"}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        let declared = resp.content_length();
        let bytes = resp.bytes().await.unwrap();
        assert_eq!(declared, Some(bytes.len() as u64));
        assert!(serde_json::from_slice::<Value>(&bytes).unwrap().is_object());
    }
    server.shutdown().await;
}
