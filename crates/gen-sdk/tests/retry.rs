//! Retries against an httpmock server, counting hits. Sleeping and the clock
//! are injected (`ManualTime`), so nothing waits for real.

use genpro_sdk::steps::{AgentId, CellId, EngineId, GenerationId, UserJobId};
use std::sync::Arc;
use std::time::Duration;

use genpro_sdk::ErrorKind;
use genpro_sdk::cards::{Card, TextCard, TextModel};
use genpro_sdk::genpro_api::prelude::*;
use genpro_sdk::retry::Clock;
use genpro_sdk::retry::testing::ManualTime;
use genpro_sdk::{Error, ErrorCode, GenClient, GenClientBuilder, RetryPolicy};
use httpmock::prelude::*;
use serde_json::json;

const KEY: &str = "sk-gen-test-SECRET-0123456789";

fn policy() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(3)
        .with_backoff(Duration::from_millis(100), Duration::from_secs(5))
        .with_jitter(false)
}

fn builder(url: &str, policy: RetryPolicy, time: &ManualTime) -> GenClientBuilder {
    GenClient::builder()
        .api_key(KEY)
        .api_url(url)
        .agent_url(url)
        .retry_policy(policy)
        .sleep(Arc::new(time.clone()))
        .clock(Arc::new(time.clone()))
}

fn client(server: &MockServer, policy: RetryPolicy, time: &ManualTime) -> GenClient {
    builder(&server.base_url(), policy, time).build().unwrap()
}

fn generation() -> serde_json::Value {
    json!({ "id": 9000, "status": "completed", "output_resources": [] })
}

fn card() -> Card {
    Card::from(TextCard::new("Write a hook", TextModel::Gemini25Pro))
}

/// The retry of a generated GET is the same request as the first attempt:
/// method, path, query and every header (the transport rebuilds it from
/// the method and URL when the headers are only the ones it sets).
#[tokio::test]
async fn a_retried_get_is_the_same_request_on_the_wire() {
    let server = MockServer::start_async().await;
    let time = ManualTime::default();
    let same = |when: httpmock::When| {
        when.method(GET)
            .path("/v1/generations/9000")
            .query_param("include", "progress")
            .header("x-api-key", KEY)
            .header("api-version", genpro_sdk::transport::api_version())
            .header("accept", "application/json")
            .header("user-agent", genpro_sdk::config::DEFAULT_USER_AGENT);
    };
    let failing = server
        .mock_async(|when, then| {
            same(when);
            then.status(502).body("bad gateway");
        })
        .await;
    failing.up_to_n_times_async(1).await;
    let ok = server
        .mock_async(|when, then| {
            same(when);
            then.status(200).json_body(generation());
        })
        .await;
    let client = client(&server, policy(), &time);
    let g = client
        .raw()
        .get_generation()
        .id(9000)
        .include("progress")
        .send()
        .await
        .map_err(Error::from)
        .unwrap();
    assert_eq!(g.id, 9000);
    assert_eq!(failing.calls_async().await, 1);
    assert_eq!(ok.calls_async().await, 1);
}

#[tokio::test]
async fn get_is_retried_on_503_then_succeeds() {
    let server = MockServer::start_async().await;
    let time = ManualTime::default();
    let failing = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/generations/9000")
                .header("x-api-key", KEY);
            then.status(503)
                .json_body(json!({"error": "busy", "error_code": "service_unavailable"}));
        })
        .await;
    failing.up_to_n_times_async(1).await;
    let ok = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/generations/9000");
            then.status(200).json_body(generation());
        })
        .await;

    let g = client(&server, policy(), &time)
        .generation(GenerationId::new(9000))
        .get()
        .await
        .unwrap();
    assert_eq!(g.id, 9000);
    assert_eq!(failing.calls_async().await + ok.calls_async().await, 2);
    assert_eq!(time.sleeps(), vec![Duration::from_millis(100)]);
}

#[tokio::test]
async fn gateway_html_503_keeps_its_status_and_is_retried() {
    let server = MockServer::start_async().await;
    let time = ManualTime::default();
    let failing = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/agent/runs/run_abc");
            then.status(503)
                .header("content-type", "text/html")
                .body("<html><body>503 Service Temporarily Unavailable</body></html>");
        })
        .await;
    failing.up_to_n_times_async(1).await;
    let ok = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/agent/runs/run_abc");
            then.status(200)
                .json_body(json!({"run_id": "run_abc", "status": "completed"}));
        })
        .await;
    let run = client(&server, policy(), &time)
        .agent_run("run_abc")
        .await
        .unwrap();
    assert_eq!(run.status.as_str(), "completed");
    assert_eq!(failing.calls_async().await, 1);
    assert_eq!(ok.calls_async().await, 1);
}

#[tokio::test]
async fn retry_after_seconds_is_honoured() {
    let server = MockServer::start_async().await;
    let time = ManualTime::default();
    let limited = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/me");
            then.status(429)
                .header("retry-after", "7")
                .json_body(json!({"error": "slow down", "error_code": "rate_limited"}));
        })
        .await;
    limited.up_to_n_times_async(1).await;
    let ok = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/me");
            then.status(200).json_body(json!({"id": 1}));
        })
        .await;
    let me = client(&server, policy(), &time).me().await.unwrap();
    assert_eq!(me.id, Some(1));
    assert_eq!(limited.calls_async().await + ok.calls_async().await, 2);
    assert_eq!(time.sleeps(), vec![Duration::from_secs(7)]);
}

#[tokio::test]
async fn retry_after_http_date_is_honoured() {
    let server = MockServer::start_async().await;
    let time = ManualTime::default();
    let date = httpdate::fmt_http_date(time.now() + Duration::from_secs(12));
    let limited = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/me");
            then.status(503)
                .header("retry-after", date.as_str())
                .body("");
        })
        .await;
    limited.up_to_n_times_async(1).await;
    let _ok = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/me");
            then.status(200).json_body(json!({"id": 1}));
        })
        .await;
    client(&server, policy(), &time).me().await.unwrap();
    assert_eq!(time.sleeps(), vec![Duration::from_secs(12)]);
}

#[tokio::test]
async fn retry_after_beyond_the_cap_is_not_waited_for() {
    let server = MockServer::start_async().await;
    let time = ManualTime::default();
    let limited = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/me");
            then.status(429).header("retry-after", "3600").body("");
        })
        .await;
    let err = client(&server, policy(), &time).me().await.unwrap_err();
    assert_eq!(err.status(), Some(429));
    assert_eq!(limited.calls_async().await, 1);
    assert!(time.sleeps().is_empty());
}

#[tokio::test]
async fn retries_are_bounded() {
    let server = MockServer::start_async().await;
    let time = ManualTime::default();
    let failing = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/generations/9000");
            then.status(502).body("bad gateway");
        })
        .await;
    let err = client(&server, policy(), &time)
        .generation(GenerationId::new(9000))
        .get()
        .await
        .unwrap_err();
    assert_eq!(failing.calls_async().await, 3, "max_attempts = 3");
    assert_eq!(err.status(), Some(502));
    assert!(err.is_retryable());
    assert_eq!(
        time.sleeps(),
        vec![Duration::from_millis(100), Duration::from_millis(200)]
    );
}

#[tokio::test]
async fn retries_stop_when_the_time_budget_is_spent() {
    let server = MockServer::start_async().await;
    let time = ManualTime::default();
    let failing = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/generations/9000");
            then.status(500).body("");
        })
        .await;
    let policy = policy()
        .with_max_attempts(10)
        .with_backoff(Duration::from_secs(1), Duration::from_secs(1))
        .with_max_elapsed(Some(Duration::from_millis(2500)));
    client(&server, policy, &time)
        .generation(GenerationId::new(9000))
        .get()
        .await
        .unwrap_err();
    assert_eq!(
        failing.calls_async().await,
        3,
        "1 s + 1 s fit in 2.5 s, a third does not"
    );
}

#[tokio::test]
async fn no_retry_policy_sends_once() {
    let server = MockServer::start_async().await;
    let time = ManualTime::default();
    let failing = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/generations/9000");
            then.status(503).body("");
        })
        .await;
    let err = client(&server, RetryPolicy::none(), &time)
        .generation(GenerationId::new(9000))
        .get()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(failing.calls_async().await, 1);
    assert!(time.sleeps().is_empty());
}

#[tokio::test]
async fn paid_post_answered_503_is_sent_exactly_once() {
    let server = MockServer::start_async().await;
    let time = ManualTime::default();
    let generate = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/autocontentengine/101/cells/3000/generate")
                .query_param("agent_id", "42")
                .json_body(json!({
                    "generation_type": "text",
                    "data": {"prompt": "Write a hook", "model": "gemini_2_5_pro"}
                }));
            then.status(503)
                .header("x-request-id", "req-503")
                .json_body(json!({"error": "overloaded", "error_code": "service_unavailable"}));
        })
        .await;
    let err = client(&server, policy(), &time)
        .agent(AgentId::new(42))
        .engine(EngineId::new(101))
        .cell(CellId::new(3000))
        .generate(&card())
        .await
        .unwrap_err();
    assert_eq!(generate.calls_async().await, 1);
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.request_id(), Some("req-503"));
    assert!(time.sleeps().is_empty());
}

#[tokio::test]
async fn paid_posts_are_not_retried_on_429_either() {
    let server = MockServer::start_async().await;
    let time = ManualTime::default();
    let render = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/autocontentengine/101/cells/3000/render");
            then.status(429).header("retry-after", "1").body("");
        })
        .await;
    let run = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/agent/run");
            then.status(500).body("");
        })
        .await;
    let client = client(&server, policy(), &time);
    client
        .agent(AgentId::new(42))
        .engine(EngineId::new(101))
        .cell(CellId::new(3000))
        .render()
        .await
        .unwrap_err();
    client
        .agent(AgentId::new(42))
        .start_run("Generate 5 ideas", None)
        .await
        .unwrap_err();
    assert_eq!(render.calls_async().await, 1);
    assert_eq!(run.calls_async().await, 1);
}

#[tokio::test]
async fn paid_post_timing_out_is_not_retried() {
    let server = MockServer::start_async().await;
    let time = ManualTime::default();
    let slow = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/generations/9000/continue");
            then.status(200)
                .delay(Duration::from_millis(1500))
                .json_body(generation());
        })
        .await;
    let client = builder(&server.base_url(), policy(), &time)
        .request_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = client
        .generation(GenerationId::new(9000))
        .resume()
        .await
        .unwrap_err();
    assert!(
        err.kind() == ErrorKind::Timeout && !err.is_connect(),
        "{err:?}"
    );
    assert_eq!(slow.calls_async().await, 1);
}

/// A port on which nothing listens.
fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

#[tokio::test]
async fn paid_post_to_a_closed_port_is_retried() {
    let time = ManualTime::default();
    let client = builder(&closed_port_url(), policy(), &time)
        .build()
        .unwrap();
    let err = client
        .agent(AgentId::new(42))
        .engine(EngineId::new(101))
        .cell(CellId::new(3000))
        .generate(&card())
        .await
        .unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    assert!(
        err.kind() == ErrorKind::Transport && err.is_connect(),
        "{err:?}"
    );
    // 3 attempts: 2 sleeps between them
    assert_eq!(time.sleeps().len(), 2);
    assert!(err.hint().is_some());
}

#[tokio::test]
async fn invalid_card_is_refused_before_any_request() {
    let server = MockServer::start_async().await;
    let time = ManualTime::default();
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(201)
                .json_body(json!({"generation_id": 1, "status": "pending"}));
        })
        .await;
    let card = Card::from(
        // 12 s: refused by every seed ("5 or 10", "up to 8s")
        genpro_sdk::cards::VideoFromTextCard::new("x", genpro_sdk::cards::VideoFromTextModel::Veo3)
            .duration(12),
    );
    let err = client(&server, policy(), &time)
        .agent(AgentId::new(42))
        .engine(EngineId::new(101))
        .cell(CellId::new(3000))
        .generate(&card)
        .await
        .unwrap_err();
    assert!(err.kind() == ErrorKind::Validation && err.field() == Some("data.duration"));
    assert_eq!(any.calls_async().await, 0);
}

/// Collects the messages of WARN events on the current thread.
struct Warnings(Arc<std::sync::Mutex<Vec<String>>>);

impl tracing::Subscriber for Warnings {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        struct Message(String);
        impl tracing::field::Visit for Message {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                if field.name() == "message" {
                    self.0 = format!("{value:?}");
                }
            }
        }
        if *event.metadata().level() == tracing::Level::WARN {
            let mut message = Message(String::new());
            event.record(&mut message);
            self.0.lock().unwrap().push(message.0);
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test]
async fn a_veo_card_the_seeds_disagree_on_is_sent_and_warned_about_once() {
    // seed 001 sends veo_3 with 10 s; seed 002 says "Veo 3 supports up to 8s"
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let _guard = tracing::subscriber::set_default(Warnings(seen.clone()));
    let server = MockServer::start_async().await;
    let time = ManualTime::default();
    let sent = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/autocontentengine/101/cells/3000/generate")
                .query_param("agent_id", "42")
                .json_body(json!({"generation_type": "video_from_text", "data": {
                    "prompt": "San Antonio taco truck at golden hour, steam rising, handheld camera",
                    "model": "veo_3", "aspect_ratio": "9:16", "duration": 10
                }}));
            then.status(201)
                .json_body(json!({"generation_id": 789, "status": "pending"}));
        })
        .await;
    let card = Card::from(
        genpro_sdk::cards::VideoFromTextCard::new(
            "San Antonio taco truck at golden hour, steam rising, handheld camera",
            genpro_sdk::cards::VideoFromTextModel::Veo3,
        )
        .aspect_ratio(genpro_sdk::cards::AspectRatio::Ratio9x16)
        .duration(10),
    );
    let client = client(&server, policy(), &time);
    for _ in 0..2 {
        let created = client
            .agent(AgentId::new(42))
            .engine(EngineId::new(101))
            .cell(CellId::new(3000))
            .generate(&card)
            .await
            .unwrap();
        assert_eq!(created.id, GenerationId::new(789));
    }
    assert_eq!(sent.calls_async().await, 2);
    let warnings: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|w| w.contains("veo_3") && w.contains("10 s"))
        .cloned()
        .collect();
    assert_eq!(warnings.len(), 1, "warned once: {warnings:?}");
    assert!(warnings[0].contains("up to 8s"), "{warnings:?}");
}

#[tokio::test]
async fn raw_builder_calls_get_retries_and_error_conversion() {
    use genpro_api::prelude::*;
    let server = MockServer::start_async().await;
    let time = ManualTime::default();
    let failing = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/generations/9000");
            then.status(503)
                .json_body(json!({"error": "busy", "error_code": "service_unavailable"}));
        })
        .await;
    failing.up_to_n_times_async(1).await;
    let _ok = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/generations/9000");
            then.status(200).json_body(generation());
        })
        .await;
    let missing = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/generations/404");
            then.status(404)
                .header("x-request-id", "req-404")
                .json_body(json!({"error": "Generation not found", "error_code": "not_found"}));
        })
        .await;
    let client = client(&server, policy(), &time);
    let api = client.raw();
    let g = client
        .send(api.get_generation().id(9000).send())
        .await
        .unwrap();
    assert_eq!(g.id, 9000);
    assert_eq!(time.sleeps().len(), 1);

    let err = client
        .send(api.get_generation().id(404).send())
        .await
        .unwrap_err();
    assert_eq!(missing.calls_async().await, 1, "404 is not retried");
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.error_code(), Some(&ErrorCode::NotFound));
    assert_eq!(err.request_id(), Some("req-404"));
    assert!(err.hint().unwrap().contains("id"));
    assert!(err.to_string().contains("Generation not found"), "{err}");
}

#[tokio::test]
async fn insufficient_credits_error_has_the_documented_hint() {
    let server = MockServer::start_async().await;
    let time = ManualTime::default();
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/autocontentengine/101/cells/3000/generate");
            then.status(422).json_body(json!({
                "error": "Not enough credits",
                "error_code": "insufficient_credits_for_job"
            }));
        })
        .await;
    let err = client(&server, policy(), &time)
        .agent(AgentId::new(42))
        .engine(EngineId::new(101))
        .cell(CellId::new(3000))
        .generate(&card())
        .await
        .unwrap_err();
    assert_eq!(
        err.error_code(),
        Some(&ErrorCode::InsufficientCreditsForJob)
    );
    assert!(!err.is_retryable());
    assert!(
        err.hint()
            .unwrap()
            .contains("available_credit.generic and top up, or lower the batch")
    );
}

#[tokio::test]
async fn the_key_never_appears_in_debug_or_errors() {
    let server = MockServer::start_async().await;
    let time = ManualTime::default();
    // a misbehaving server echoing the key back
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/me").header("x-api-key", KEY);
            then.status(401).json_body(
                json!({"error": format!("invalid key {KEY}"), "error_code": "unauthorized"}),
            );
        })
        .await;
    let client = builder(&server.base_url(), policy(), &time)
        .build()
        .unwrap();
    // Not `Clone` (a builder may hold a `reqwest::ClientBuilder`): another one.
    let builder = builder(&server.base_url(), policy(), &time);
    let err = client.me().await.unwrap_err();
    assert_eq!(err.error_code(), Some(&ErrorCode::Unauthorized));
    assert!(err.hint().unwrap().contains("GEN_API_KEY"));

    let connect_err = GenClient::builder()
        .api_key(KEY)
        .api_url(closed_port_url())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
        .me()
        .await
        .unwrap_err();

    let outputs = [
        format!("{builder:?}"),
        format!("{client:?}"),
        format!("{:?}", client.config()),
        format!("{err}"),
        format!("{err:?}"),
        format!("{connect_err}"),
        format!("{connect_err:?}"),
    ];
    for text in &outputs {
        assert!(!text.contains(KEY), "key leaked: {text}");
        assert!(!text.contains("SECRET"), "key leaked: {text}");
    }
    assert!(outputs[1].contains(r#"api_key: "***""#), "{}", outputs[1]);

    let bearer = GenClient::builder()
        .bearer_token(KEY)
        .api_url(server.base_url())
        .build()
        .unwrap();
    assert!(!format!("{bearer:?}").contains(KEY));
}

#[tokio::test]
async fn bearer_token_and_user_agent_are_sent() {
    let server = MockServer::start_async().await;
    let me = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/me")
                .header("authorization", format!("Bearer {KEY}"))
                .header(
                    "user-agent",
                    format!("genpro-sdk-rust/{}", env!("CARGO_PKG_VERSION")),
                );
            then.status(200).json_body(json!({"id": 7}));
        })
        .await;
    let client = GenClient::builder()
        .bearer_token(KEY)
        .api_url(server.base_url())
        .build()
        .unwrap();
    assert_eq!(client.me().await.unwrap().id, Some(7));
    assert_eq!(me.calls_async().await, 1);
}

#[tokio::test]
async fn agent_core_207_reports_failed_sections() {
    let server = MockServer::start_async().await;
    let time = ManualTime::default();
    let patch = server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path("/v1/agents/42/core")
                .json_body(json!({"brand_name": "Santiago", "keywords": ["streetfood"]}));
            then.status(207).json_body(json!({
                "core": {"brand_name": "Santiago", "keywords": ["streetfood"]},
                "failed_sections": [
                    {"section": "default_user_voice", "error": "voice not found", "error_code": "validation_error"}
                ]
            }));
        })
        .await;
    let result = client(&server, policy(), &time)
        .agent(AgentId::new(42))
        .update_core(
            &genpro_sdk::agent_core::AgentCorePatch::new()
                .brand_name("Santiago")
                .keywords(["streetfood"]),
        )
        .await
        .unwrap();
    assert_eq!(patch.calls_async().await, 1);
    assert_eq!(result.status, 207);
    assert!(!result.is_complete());
    assert_eq!(result.failed_section_names(), vec!["default_user_voice"]);
}

#[tokio::test]
async fn publish_hides_the_json_string_data() {
    let server = MockServer::start_async().await;
    let time = ManualTime::default();
    let publish = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/user_jobs")
                .query_param("agent_id", "42")
                .json_body(json!({
                    "user_job_type": "publish_content",
                    "data": "{\"platform\":\"tiktok\",\"media_url\":\"https://cdn.gen.pro/outputs/render_xyz.mp4\",\"description\":\"The $2 taco at 2am #streetfood #tacotok\",\"schedule_type\":\"now\",\"media_type\":\"VIDEO\"}"
                }));
            then.status(201).json_body(json!({"user_job_id": 138860}));
        })
        .await;
    let post = genpro_sdk::steps::PublishPost::tiktok(
        "https://cdn.gen.pro/outputs/render_xyz.mp4",
        "The $2 taco at 2am #streetfood #tacotok",
    );
    let created = client(&server, policy(), &time)
        .agent(AgentId::new(42))
        .publish(&post)
        .await
        .unwrap();
    assert_eq!(created, UserJobId::new(138860));
    assert_eq!(publish.calls_async().await, 1);

    let at = chrono::DateTime::parse_from_rfc3339("2026-04-20T15:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let data: serde_json::Value = serde_json::from_str(&post.scheduled(at).data_string()).unwrap();
    assert_eq!(data["schedule_type"], "scheduled");
    assert_eq!(data["scheduled_time"], "2026-04-20T15:00:00Z");
}

#[test]
fn insecure_urls_are_refused() {
    let err = GenClient::builder()
        .api_key(KEY)
        .api_url("http://api.gen.pro")
        .build()
        .unwrap_err();
    assert!(err.kind() == ErrorKind::Config, "{err:?}");
    assert!(!err.to_string().contains(KEY));
    GenClient::builder()
        .api_key(KEY)
        .api_url("http://api.example.test")
        .allow_insecure_http(true)
        .build()
        .unwrap();
    let err = GenClient::builder().build().unwrap_err();
    assert!(err.to_string().contains("GEN_API_KEY"), "{err}");
}

#[test]
fn from_env_reads_key_and_urls() {
    let env = |name: &str| match name {
        "GEN_API_KEY" => Some(KEY.to_owned()),
        "GEN_API_URL" => Some("http://127.0.0.1:9999/".to_owned()),
        "GEN_AGENT_URL" => Some("".to_owned()),
        _ => None,
    };
    let client = GenClientBuilder::from_env_with(env).build().unwrap();
    assert_eq!(client.config().api_url(), "http://127.0.0.1:9999");
    assert_eq!(client.config().agent_url(), "https://agent.gen.pro");
}

#[test]
fn free_creates_retry_on_429_and_503_only() {
    use genpro_sdk::Idempotency::NonIdempotent;
    let err = |status: u16| {
        genpro_sdk::Error::from_response_parts(
            reqwest::StatusCode::from_u16(status).unwrap(),
            &Default::default(),
            b"{}",
        )
    };
    assert!(NonIdempotent.should_retry(&err(429)));
    assert!(NonIdempotent.should_retry(&err(503)));
    for status in [500, 502, 504, 422] {
        assert!(!NonIdempotent.should_retry(&err(status)), "{status}");
    }
}

/// Seed 000's answer to a stop or continue the generation's state refuses.
fn state_refusal() -> serde_json::Value {
    json!({
        "error": "Generation cannot be stopped/continued in its current state",
        "error_code": "validation_error"
    })
}

/// `POST /v1/generations/9000/{action}`: `first` answers the first
/// attempt, then every later attempt gets `then_status` with `then_body`;
/// `GET /v1/generations/9000` answers `generation`. Returns the three mocks.
async fn state_change_server<'a>(
    server: &'a MockServer,
    action: &str,
    first: (u16, serde_json::Value),
    then_status: u16,
    then_body: serde_json::Value,
    generation: serde_json::Value,
) -> (httpmock::Mock<'a>, httpmock::Mock<'a>, httpmock::Mock<'a>) {
    let path = format!("/v1/generations/9000/{action}");
    let first_mock = server
        .mock_async(|when, then| {
            when.method(POST).path(path.clone());
            then.status(first.0).json_body(first.1);
        })
        .await;
    first_mock.up_to_n_times_async(1).await;
    let later = server
        .mock_async(|when, then| {
            when.method(POST).path(path.clone());
            then.status(then_status).json_body(then_body);
        })
        .await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/generations/9000");
            then.status(200).json_body(generation);
        })
        .await;
    (first_mock, later, get)
}

/// A stop whose first attempt reached GEN (answered 503 by the way back,
/// per the idempotent class retried) and whose retry gets seed 000's 422
/// "cannot be stopped/continued in its current state" is done: the
/// generation is read and returned.
#[tokio::test]
async fn a_retried_stop_refused_for_its_state_is_done() {
    let server = MockServer::start_async().await;
    let time = ManualTime::default();
    let (first, retry, get) = state_change_server(
        &server,
        "stop",
        (503, json!({"error": "busy"})),
        422,
        state_refusal(),
        json!({"id": 9000, "status": "stopped"}),
    )
    .await;
    let g = client(&server, policy(), &time)
        .generation(GenerationId::new(9000))
        .stop()
        .await
        .unwrap();
    assert_eq!(g.id, 9000);
    assert_eq!(g.status, genpro_sdk::status::GenerationStatus::Stopped);
    assert_eq!(first.calls_async().await, 1);
    assert_eq!(retry.calls_async().await, 1);
    assert_eq!(get.calls_async().await, 1);
    assert_eq!(time.sleeps(), vec![Duration::from_millis(100)]);
}

/// The same for continue, whose class (`paid`) retries only connect
/// errors: a caller that widens it (`with_retry_class`) gets the 422 to the
/// retry taken as done.
#[tokio::test]
async fn a_retried_continue_refused_for_its_state_is_done() {
    let server = MockServer::start_async().await;
    let time = ManualTime::default();
    let (first, retry, get) = state_change_server(
        &server,
        "continue",
        (503, json!({"error": "busy"})),
        422,
        state_refusal(),
        json!({"id": 9000, "status": "pending"}),
    )
    .await;
    let client = client(&server, policy(), &time);
    let g = genpro_sdk::transport::with_retry_class(
        genpro_sdk::Idempotency::Idempotent,
        client.generation(GenerationId::new(9000)).resume(),
    )
    .await
    .unwrap();
    assert_eq!(g.status, genpro_sdk::status::GenerationStatus::Pending);
    assert_eq!(first.calls_async().await, 1);
    assert_eq!(retry.calls_async().await, 1);
    assert_eq!(get.calls_async().await, 1);
}

/// Under its own class a continue answered 503 is sent once, and that
/// error is returned (nothing was retried, so nothing is taken as done).
#[tokio::test]
async fn a_continue_answered_503_is_not_retried() {
    let server = MockServer::start_async().await;
    let time = ManualTime::default();
    let (first, retry, get) = state_change_server(
        &server,
        "continue",
        (503, json!({"error": "busy"})),
        422,
        state_refusal(),
        json!({"id": 9000, "status": "pending"}),
    )
    .await;
    let err = client(&server, policy(), &time)
        .generation(GenerationId::new(9000))
        .resume()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(first.calls_async().await, 1);
    assert_eq!(retry.calls_async().await, 0);
    assert_eq!(get.calls_async().await, 0);
}

/// The 422 to a first attempt is the generation's real state: an error.
#[tokio::test]
async fn a_stop_refused_at_the_first_attempt_is_an_error() {
    let server = MockServer::start_async().await;
    let time = ManualTime::default();
    let (first, retry, get) = state_change_server(
        &server,
        "stop",
        (422, state_refusal()),
        200,
        json!({"id": 9000, "status": "stopped"}),
        json!({"id": 9000, "status": "completed"}),
    )
    .await;
    let err = client(&server, policy(), &time)
        .generation(GenerationId::new(9000))
        .stop()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(422));
    assert_eq!(err.error_code(), Some(&ErrorCode::ValidationError));
    assert_eq!(
        err.to_string(),
        "GEN API error 422 (validation_error): Generation cannot be stopped/continued in its current state"
    );
    assert_eq!(first.calls_async().await, 1);
    assert_eq!(retry.calls_async().await, 0);
    assert_eq!(get.calls_async().await, 0);
}

/// A 422 with another code after a retry (a continue that cannot be
/// charged) is not the state refusal: an error.
#[tokio::test]
async fn a_retried_continue_refused_for_credit_is_an_error() {
    let server = MockServer::start_async().await;
    let time = ManualTime::default();
    let (first, retry, get) = state_change_server(
        &server,
        "continue",
        (503, json!({"error": "busy"})),
        422,
        json!({"error": "Not enough credits", "error_code": "insufficient_credits_for_job"}),
        json!({"id": 9000, "status": "stopped"}),
    )
    .await;
    let client = client(&server, policy(), &time);
    let err = genpro_sdk::transport::with_retry_class(
        genpro_sdk::Idempotency::Idempotent,
        client.generation(GenerationId::new(9000)).resume(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.error_code(),
        Some(&ErrorCode::InsufficientCreditsForJob)
    );
    assert_eq!(first.calls_async().await, 1);
    assert_eq!(retry.calls_async().await, 1);
    assert_eq!(get.calls_async().await, 0);
}

/// The first stop reaches the server, which closes the connection without
/// answering (a reset after the request was written: may have landed,
/// retried by the idempotent class); the retry gets the 422; the generation
/// is then read. A bare TCP server, since httpmock always answers.
#[tokio::test]
async fn a_stop_whose_answer_was_lost_is_done_after_the_retry() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let seen = requests.clone();
    tokio::spawn(async move {
        for n in 0.. {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let mut buf = vec![0u8; 4096];
            let mut read = 0;
            while !buf[..read].windows(4).any(|w| w == b"\r\n\r\n") {
                match socket.read(&mut buf[read..]).await {
                    Ok(0) | Err(_) => break,
                    Ok(k) => read += k,
                }
            }
            let head = String::from_utf8_lossy(&buf[..read]);
            let line = head.lines().next().unwrap_or_default().to_owned();
            seen.lock().unwrap().push(line.clone());
            let (status, body) = if n == 0 {
                // the request arrived; the answer never leaves
                drop(socket);
                continue;
            } else if line.starts_with("POST") {
                ("422 Unprocessable Entity", state_refusal().to_string())
            } else {
                (
                    "200 OK",
                    json!({"id": 9000, "status": "stopped"}).to_string(),
                )
            };
            let answer = format!(
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(answer.as_bytes()).await;
            let _ = socket.shutdown().await;
        }
    });
    let time = ManualTime::default();
    let client = builder(&url, policy(), &time).build().unwrap();
    let g = client
        .generation(GenerationId::new(9000))
        .stop()
        .await
        .unwrap();
    assert_eq!(g.status, genpro_sdk::status::GenerationStatus::Stopped);
    assert_eq!(
        *requests.lock().unwrap(),
        [
            "POST /v1/generations/9000/stop HTTP/1.1",
            "POST /v1/generations/9000/stop HTTP/1.1",
            "GET /v1/generations/9000 HTTP/1.1",
        ]
    );
}
