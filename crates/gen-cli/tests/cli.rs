//! End-to-end tests: the `gen` binary against genpro-mock on 127.0.0.1.
//!
//! Every test that talks to a fake also runs against the varied fake
//! (`MockConfig::vary`, `GEN_MOCK_VARY` for the offline journey) for the
//! seeds in [`SEEDS`]: `varied::<test>::seed_<n>`. There, an assertion on a
//! value the answer may leave out (a field openapi.yaml does not require)
//! holds when the value is there; everything else is asserted as in the
//! plain run.

use genpro_sdk::steps::{AgentId, CellId, EngineId, Role};
use std::process::Output;
use std::time::Duration;

use genpro_mock::{MockConfig, MockServer};
use genpro_sdk::ErrorCodeExt as _;
use serde_json::Value;

/// The seeds of the varied runs (genpro-mock's journey tests use the same).
const SEEDS: [u64; 3] = [11, 2024, 31337];

/// Run `gen` with `args` (blocking, off the async runtime) against `server`.
async fn gen_cmd(server: Option<&MockServer>, key: Option<&str>, args: &[&str]) -> Output {
    gen_cmd_varied(server, key, args, None).await
}

/// [`gen_cmd`], with `GEN_MOCK_VARY=seed` when `vary` is given (the
/// built-in fake of an offline run varies its answers).
async fn gen_cmd_varied(
    server: Option<&MockServer>,
    key: Option<&str>,
    args: &[&str],
    vary: Option<u64>,
) -> Output {
    let mut cmd = assert_cmd::Command::cargo_bin("gen").expect("gen binary");
    cmd.env_remove("GEN_API_KEY")
        .env_remove("GEN_API_KEY_FILE")
        .env_remove("GEN_API_URL")
        .env_remove("GEN_AGENT_URL")
        .env_remove("GEN_AGENT_ID")
        .env_remove("GEN_MOCK_VARY");
    if let Some(seed) = vary {
        cmd.env("GEN_MOCK_VARY", seed.to_string());
    }
    if let Some(server) = server {
        cmd.args([
            "--api-url",
            &server.api_url(),
            "--agent-url",
            &server.agent_url(),
        ]);
    }
    if let Some(key) = key {
        cmd.args(["--api-key", key]);
    }
    cmd.args(args);
    cmd.timeout(Duration::from_secs(120));
    tokio::task::spawn_blocking(move || cmd.output().expect("run gen"))
        .await
        .expect("join")
}

fn stdout_json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "gen failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

async fn mock(vary: Option<u64>) -> MockServer {
    MockServer::start(varied(
        MockConfig::default()
            .with_generation_timing(Duration::from_millis(50), Duration::from_millis(150)),
        vary,
    ))
    .await
    .expect("mock")
}

/// `config`, varied with `vary` when given.
fn varied(config: MockConfig, vary: Option<u64>) -> MockConfig {
    match vary {
        Some(seed) => config.vary(seed),
        None => config,
    }
}

/// `check` holds for `value`, or, in a varied run, the value is absent
/// (the answer left out a field openapi.yaml does not require).
fn when_present(vary: Option<u64>, value: &Value, check: impl Fn(&Value) -> bool) -> bool {
    (vary.is_some() && value.is_null()) || check(value)
}

/// An SDK client for `server`.
fn sdk(server: &MockServer) -> genpro_sdk::GenClient {
    genpro_sdk::GenClient::builder()
        .api_key(server.api_key())
        .api_url(server.api_url())
        .agent_url(server.agent_url())
        .retry_policy(genpro_sdk::RetryPolicy::default().with_max_attempts(10))
        .build()
        .unwrap()
}

/// The id of the first row's cell with `role`.
fn cell_of(engine: &genpro_sdk::genpro_api::types::Engine, role: Role) -> i64 {
    role.first_row_cell(engine).unwrap().get()
}

/// Whether the SDK error is one of the fake's injected faults (429, 5xx).
fn injected(e: &genpro_sdk::Error) -> bool {
    e.status().is_some_and(|s| s == 429 || s >= 500)
}

/// Clone a template through the fake and return (engine id, video cell,
/// final_video cell). clone_template is not retried by the SDK after a 5xx
/// (it may have reached GEN); the fake's injected faults answer before any
/// work is done, so trying again here is safe. Any other error fails.
async fn engine(server: &MockServer) -> (i64, i64, i64) {
    let client = sdk(server);
    let engine = loop {
        match client
            .agent(AgentId::new(42))
            .clone_template("tiktok-talking-avatar")
            .await
        {
            Ok(e) => break e,
            Err(e) if injected(&e) => continue,
            Err(e) => panic!("clone_template: {e}"),
        }
    };
    (
        engine.id.get(),
        cell_of(&engine.engine, Role::Video),
        cell_of(&engine.engine, Role::FinalVideo),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn journey_runs_offline_without_a_key_and_says_so() {
    journey_runs_offline_without_a_key_and_says_so_on(None).await;
}

async fn journey_runs_offline_without_a_key_and_says_so_on(vary: Option<u64>) {
    let out = gen_cmd_varied(None, None, &["--json", "journey"], vary).await;
    let result = stdout_json(&out);
    assert!(
        stderr(&out).contains("No GEN_API_KEY set: running offline against the built-in fake"),
        "{}",
        stderr(&out)
    );
    assert_eq!(result["offline"], true);
    assert!(
        result["video_url"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:"),
        "{result}"
    );
    assert!(result["publish_job_id"].is_i64(), "{result}");
    assert!(
        when_present(vary, &result["post_id"], Value::is_string),
        "{result}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn journey_prints_the_final_video_url() {
    journey_prints_the_final_video_url_on(None).await;
}

async fn journey_prints_the_final_video_url_on(vary: Option<u64>) {
    let out = gen_cmd_varied(None, None, &["journey", "--no-publish"], vary).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("final video: http://127.0.0.1:"),
        "{stdout}"
    );
    assert!(stdout.contains("/cdn/"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread")]
async fn credits_reads_available_credit() {
    credits_reads_available_credit_on(None).await;
}

async fn credits_reads_available_credit_on(vary: Option<u64>) {
    let server = mock(vary).await;
    let out = gen_cmd(
        Some(&server),
        Some("mock-key"),
        &["--json", "credits", "--org", "1"],
    )
    .await;
    if vary.is_some() && !out.status.success() {
        // The organization's `available_credit` is optional: a varied
        // answer may leave it out, and then the command says so.
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("did not report available_credit"), "{err}");
        return;
    }
    let credit = stdout_json(&out);
    // `generic` is a guess too (seed 003 names it, with no value): a varied
    // answer may send it as text (read as the number), null or not at all.
    assert!(
        when_present(vary, &credit["generic"], |g| *g == 1000.0),
        "{credit}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn generate_and_wait_then_wait_command() {
    generate_and_wait_then_wait_command_on(None).await;
}

async fn generate_and_wait_then_wait_command_on(vary: Option<u64>) {
    let server = mock(vary).await;
    let (engine, video, _) = engine(&server).await;
    let data = r#"{"prompt":"taco truck","model":"kling_1_6","aspect_ratio":"9:16","duration":5}"#;
    let (e, c) = (engine.to_string(), video.to_string());
    let out = gen_cmd(
        Some(&server),
        Some("mock-key"),
        &[
            "--json",
            "generate",
            "--agent",
            "42",
            "--engine",
            &e,
            "--cell",
            &c,
            "--type",
            "video_from_text",
            "--data",
            data,
            "--wait",
        ],
    )
    .await;
    let generation = stdout_json(&out);
    assert_eq!(generation["status"], "completed");
    let id = generation["id"].as_i64().unwrap();
    assert_eq!(server.state().generate_calls(video), 1);

    let out = gen_cmd(
        Some(&server),
        Some("mock-key"),
        &["--json", "wait", &id.to_string()],
    )
    .await;
    assert_eq!(stdout_json(&out)["status"], "completed");
}

#[tokio::test(flavor = "multi_thread")]
async fn seed_veo_cards_reach_the_server_with_a_note() {
    seed_veo_cards_reach_the_server_with_a_note_on(None).await;
}

async fn seed_veo_cards_reach_the_server_with_a_note_on(vary: Option<u64>) {
    // seed 001's exact video_from_text card (veo_3, 10 s) and seed 003's
    // regenerate card (veo_3_1_fast, 10 s); seed 002 says "Veo 3 supports up
    // to 8s". The seeds disagree, so the card is sent and a note printed.
    let server = mock(vary).await;
    let (engine, video, _) = engine(&server).await;
    let (e, c) = (engine.to_string(), video.to_string());
    let cards = [
        r#"{ "prompt": "San Antonio taco truck at golden hour, steam rising, handheld camera", "model": "veo_3", "aspect_ratio": "9:16", "duration": 10 }"#,
        r#"{ "prompt": "... updated prompt ...", "model": "veo_3_1_fast", "aspect_ratio": "9:16", "duration": 10 }"#,
    ];
    for (i, data) in cards.into_iter().enumerate() {
        let out = gen_cmd(
            Some(&server),
            Some("mock-key"),
            &[
                "--json",
                "generate",
                "--agent",
                "42",
                "--engine",
                &e,
                "--cell",
                &c,
                "--type",
                "video_from_text",
                "--data",
                data,
            ],
        )
        .await;
        let created = stdout_json(&out);
        assert_eq!(created["status"], "pending", "{created}");
        let err = stderr(&out);
        assert!(
            err.lines()
                .any(|l| l.starts_with("note: ") && l.contains("up to 8s")),
            "{err}"
        );
        assert_eq!(server.state().generate_calls(video), i as u32 + 1);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rails_generation_type_from_seed_000_is_sent_as_given() {
    a_rails_generation_type_from_seed_000_is_sent_as_given_on(None).await;
}

async fn a_rails_generation_type_from_seed_000_is_sent_as_given_on(vary: Option<u64>) {
    // seed 000: `-d '{"generation_type": "text_generation", "data": {}}'`
    let server = mock(vary).await;
    let (engine, video, _) = engine(&server).await;
    let (e, c) = (engine.to_string(), video.to_string());
    let out = gen_cmd(
        Some(&server),
        Some("mock-key"),
        &[
            "--json",
            "generate",
            "--agent",
            "42",
            "--engine",
            &e,
            "--cell",
            &c,
            "--type",
            "text_generation",
            "--data",
            "{}",
        ],
    )
    .await;
    let created = stdout_json(&out);
    assert_eq!(created["status"], "pending", "{created}");
    let err = stderr(&out);
    assert!(
        err.lines()
            .any(|l| l.starts_with("note: ") && l.contains("text_generation")),
        "{err}"
    );
    assert_eq!(server.state().generate_calls(video), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invalid_card_fails_before_any_request() {
    an_invalid_card_fails_before_any_request_on(None).await;
}

async fn an_invalid_card_fails_before_any_request_on(vary: Option<u64>) {
    let server = mock(vary).await;
    let (engine, video, _) = engine(&server).await;
    // 12 s: every seed refuses it (seed 001 "5 or 10", seed 002 "up to 8s")
    let data = r#"{"prompt":"x","model":"veo_3","aspect_ratio":"9:16","duration":12}"#;
    let (e, c) = (engine.to_string(), video.to_string());
    let out = gen_cmd(
        Some(&server),
        Some("mock-key"),
        &[
            "generate",
            "--agent",
            "42",
            "--engine",
            &e,
            "--cell",
            &c,
            "--type",
            "video_from_text",
            "--data",
            data,
        ],
    )
    .await;
    // exit code 3: refused before sending
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("data.duration"), "{err}");
    assert_eq!(server.state().generate_calls(video), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn stop_then_continue() {
    stop_then_continue_on(None).await;
}

async fn stop_then_continue_on(vary: Option<u64>) {
    let server = MockServer::start(varied(
        MockConfig::default()
            .with_generation_timing(Duration::from_secs(30), Duration::from_secs(30)),
        vary,
    ))
    .await
    .unwrap();
    let (engine, video, _) = engine(&server).await;
    let data = r#"{"prompt":"taco truck","model":"kling_1_6","aspect_ratio":"9:16","duration":5}"#;
    let (e, c) = (engine.to_string(), video.to_string());
    let created = stdout_json(
        &gen_cmd(
            Some(&server),
            Some("mock-key"),
            &[
                "--json",
                "generate",
                "--agent",
                "42",
                "--engine",
                &e,
                "--cell",
                &c,
                "--type",
                "video_from_text",
                "--data",
                data,
            ],
        )
        .await,
    );
    let id = created["generation_id"].as_i64().unwrap().to_string();
    let before = server.state().credit_balance();
    let stopped =
        stdout_json(&gen_cmd(Some(&server), Some("mock-key"), &["--json", "stop", &id]).await);
    assert_eq!(stopped["status"], "stopped");
    assert!(server.state().credit_balance() > before, "stop refunds");
    let resumed = stdout_json(
        &gen_cmd(
            Some(&server),
            Some("mock-key"),
            &["--json", "continue", &id],
        )
        .await,
    );
    assert_eq!(resumed["status"], "pending");
    // continuing again is refused by GEN (422 validation_error): one clear
    // line and the fix, exit code 5 (an API error)
    let out = gen_cmd(Some(&server), Some("mock-key"), &["continue", &id]).await;
    assert_eq!(out.status.code(), Some(5));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(
        lines[0].starts_with("error: ") && lines[0].contains("422"),
        "{err}"
    );
    assert_eq!(
        lines[1],
        format!(
            "  hint: {}",
            genpro_sdk::ErrorCode::ValidationError.hint().unwrap()
        )
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn upload_creates_a_content_resource() {
    upload_creates_a_content_resource_on(None).await;
}

async fn upload_creates_a_content_resource_on(vary: Option<u64>) {
    let server = mock(vary).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("clip.mp4");
    std::fs::write(&file, vec![7u8; 4096]).unwrap();
    let out = gen_cmd(
        Some(&server),
        Some("mock-key"),
        &["--json", "upload", file.to_str().unwrap(), "--agent", "42"],
    )
    .await;
    let resource = stdout_json(&out);
    assert!(
        when_present(vary, &resource["id"], Value::is_i64),
        "{resource}"
    );
    assert!(
        when_present(vary, &resource["filename"], |f| f == "clip.mp4"),
        "{resource}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn render_waits_and_downloads() {
    render_waits_and_downloads_on(None).await;
}

async fn render_waits_and_downloads_on(vary: Option<u64>) {
    let server = mock(vary).await;
    let (engine, _, final_video) = engine(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("final.mp4");
    let (e, c) = (engine.to_string(), final_video.to_string());
    let out = gen_cmd(
        Some(&server),
        Some("mock-key"),
        &[
            "--json",
            "render",
            "--agent",
            "42",
            "--engine",
            &e,
            "--cell",
            &c,
            "--download",
            path.to_str().unwrap(),
        ],
    )
    .await;
    let render = stdout_json(&out);
    assert_eq!(render["status"], "completed");
    assert!(std::fs::metadata(&path).unwrap().len() > 0);
    // the CDN download carried no API key
    let cdn: Vec<_> = server
        .state()
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/cdn/"))
        .collect();
    assert!(!cdn.is_empty());
    assert!(cdn.iter().all(|r| !r.has_api_key && !r.has_authorization));
}

#[tokio::test(flavor = "multi_thread")]
async fn publish_now_and_scheduled() {
    publish_now_and_scheduled_on(None).await;
}

async fn publish_now_and_scheduled_on(vary: Option<u64>) {
    let server = mock(vary).await;
    let url = format!("{}/cdn/outputs/x.mp4", server.base_url());
    let now = stdout_json(
        &gen_cmd(
            Some(&server),
            Some("mock-key"),
            &[
                "--json",
                "publish",
                "--agent",
                "42",
                "--media-url",
                &url,
                "--description",
                "tacos",
            ],
        )
        .await,
    );
    assert!(now["user_job_id"].as_i64().is_some());
    let later = gen_cmd(
        Some(&server),
        Some("mock-key"),
        &[
            "--json",
            "publish",
            "--agent",
            "42",
            "--media-url",
            &url,
            "--description",
            "tacos",
            "--at",
            "2026-12-20T15:00:00Z",
        ],
    )
    .await;
    assert!(stdout_json(&later)["user_job_id"].as_i64().is_some());
    let bad = gen_cmd(
        Some(&server),
        Some("mock-key"),
        &[
            "publish",
            "--agent",
            "42",
            "--media-url",
            &url,
            "--description",
            "x",
            "--at",
            "tomorrow",
        ],
    )
    .await;
    assert_eq!(bad.status.code(), Some(3));
    assert!(stderr(&bad).contains("RFC 3339"), "{}", stderr(&bad));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_key_gives_the_cause_and_the_hint_and_is_never_echoed() {
    let server = mock(None).await;
    let out = gen_cmd(
        Some(&server),
        Some("sk-very-secret-123"),
        &["credits", "--org", "1"],
    )
    .await;
    // exit code 4: authentication
    assert_eq!(out.status.code(), Some(4));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(
        lines[0].starts_with("error: ") && lines[0].contains("401"),
        "{err}"
    );
    assert!(lines[1].starts_with("  hint: "), "{err}");
    assert!(!err.contains("sk-very-secret-123"), "{err}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("sk-very-secret-123"));
}

#[tokio::test(flavor = "multi_thread")]
async fn commands_other_than_journey_need_a_key() {
    let out = gen_cmd(None, None, &["credits", "--org", "1"]).await;
    assert_eq!(out.status.code(), Some(4));
    assert!(stderr(&out).contains("no API key"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn waits_and_uploads_survive_429s_and_5xx() {
    waits_and_uploads_survive_429s_and_5xx_on(None).await;
}

async fn waits_and_uploads_survive_429s_and_5xx_on(vary: Option<u64>) {
    let server = MockServer::start(varied(
        MockConfig::default()
            .with_generation_timing(Duration::from_millis(50), Duration::from_millis(150))
            .with_rate_429(0.2, 0)
            .with_rate_5xx(0.2)
            .with_seed(7),
        vary,
    ))
    .await
    .unwrap();
    let (engine, _, final_video) = engine(&server).await;
    let client = sdk(&server);
    // render is a paid POST, never retried by the SDK after a 5xx; the
    // fake's faults answer before any work is done, so trying again is safe
    let render = loop {
        match client
            .agent(AgentId::new(42))
            .engine(EngineId::new(engine))
            .cell(CellId::new(final_video))
            .render()
            .await
        {
            Ok(r) => break r,
            Err(e) if injected(&e) => continue,
            Err(e) => panic!("render: {e}"),
        }
    };
    let out = gen_cmd(
        Some(&server),
        Some("mock-key"),
        &["--json", "wait", &render.id.to_string()],
    )
    .await;
    assert_eq!(stdout_json(&out)["status"], "completed");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("clip.mp4");
    std::fs::write(&file, vec![1u8; 10_000]).unwrap();
    let out = gen_cmd(
        Some(&server),
        Some("mock-key"),
        &["--json", "upload", file.to_str().unwrap(), "--agent", "42"],
    )
    .await;
    let resource = stdout_json(&out);
    assert!(
        when_present(vary, &resource["id"], Value::is_i64),
        "{resource}"
    );
    let faults = server
        .state()
        .requests()
        .iter()
        .filter(|r| matches!(r.status, Some(429) | Some(503)))
        .count();
    assert!(faults > 0, "the fake injected faults");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_direct_upload_ends_with_a_multipart_signed_id_on_gen_mock() {
    a_direct_upload_ends_with_a_multipart_signed_id_on_gen_mock_on(None).await;
}

async fn a_direct_upload_ends_with_a_multipart_signed_id_on_gen_mock_on(vary: Option<u64>) {
    // seed 001: "3. POST /v1/content_resources with signed_id as
    // `content_resource[file]`" on the endpoint marked "(multipart)"
    let server = mock(vary).await;
    let data = vec![7u8; 4096];
    let resource = sdk(&server)
        .agent(AgentId::new(42))
        .upload(
            genpro_sdk::upload::UploadSource::bytes(data.clone(), "hero.mp4"),
            genpro_sdk::upload::UploadOptions::new().direct_upload_threshold(1024),
        )
        .await
        .expect("direct upload");
    assert!(
        (vary.is_some() && resource.resource.byte_size.is_none())
            || resource.resource.byte_size == Some(data.len() as i64),
        "{resource:?}"
    );
    assert!(
        (vary.is_some() && resource.resource.filename.is_none())
            || resource.resource.filename.as_deref() == Some("hero.mp4"),
        "{resource:?}"
    );
    assert_eq!(server.state().requests_to("/v1/direct_upload").len(), 1);
    assert_eq!(server.state().storage_puts().len(), 1);
    let creates = server.state().requests_to("/v1/content_resources");
    assert_eq!(creates.len(), 1);
    let content_type = creates[0].header("content-type").unwrap_or_default();
    assert!(
        content_type.starts_with("multipart/form-data"),
        "{content_type}"
    );
}

/// One module per test above, one test per seed of [`SEEDS`]: the same
/// test against the varied fake.
macro_rules! varied_tests {
    ($($test:ident => $on:ident),* $(,)?) => {
        mod varied {
            $(
                mod $test {
                    #[tokio::test(flavor = "multi_thread")]
                    async fn seed_11() {
                        super::super::$on(Some(super::super::SEEDS[0])).await;
                    }
                    #[tokio::test(flavor = "multi_thread")]
                    async fn seed_2024() {
                        super::super::$on(Some(super::super::SEEDS[1])).await;
                    }
                    #[tokio::test(flavor = "multi_thread")]
                    async fn seed_31337() {
                        super::super::$on(Some(super::super::SEEDS[2])).await;
                    }
                }
            )*
        }
    };
}

varied_tests!(
    journey_runs_offline_without_a_key_and_says_so => journey_runs_offline_without_a_key_and_says_so_on,
    journey_prints_the_final_video_url => journey_prints_the_final_video_url_on,
    credits_reads_available_credit => credits_reads_available_credit_on,
    generate_and_wait_then_wait_command => generate_and_wait_then_wait_command_on,
    seed_veo_cards_reach_the_server_with_a_note => seed_veo_cards_reach_the_server_with_a_note_on,
    a_rails_generation_type_from_seed_000_is_sent_as_given => a_rails_generation_type_from_seed_000_is_sent_as_given_on,
    an_invalid_card_fails_before_any_request => an_invalid_card_fails_before_any_request_on,
    stop_then_continue => stop_then_continue_on,
    upload_creates_a_content_resource => upload_creates_a_content_resource_on,
    render_waits_and_downloads => render_waits_and_downloads_on,
    publish_now_and_scheduled => publish_now_and_scheduled_on,
    waits_and_uploads_survive_429s_and_5xx => waits_and_uploads_survive_429s_and_5xx_on,
    a_direct_upload_ends_with_a_multipart_signed_id_on_gen_mock => a_direct_upload_ends_with_a_multipart_signed_id_on_gen_mock_on,
);

/// `gen mock --vary SEED` (and `GEN_MOCK_VARY=SEED gen mock`) serves what
/// `MockConfig::vary(SEED)` serves: the same answers to the same requests.
#[tokio::test(flavor = "multi_thread")]
async fn genpro_mock_vary_serves_the_libraries_varied_answers() {
    use std::io::{BufRead, BufReader};
    /// The answers to a fixed request sequence, times made comparable.
    async fn answers(base: &str) -> Vec<Value> {
        fn times(v: &Value) -> Value {
            match v {
                Value::String(s) if s.len() == 20 && s.ends_with('Z') && s.contains('T') => {
                    Value::from("<time>")
                }
                Value::Array(a) => a.iter().map(times).collect(),
                Value::Object(m) => m.iter().map(|(k, v)| (k.clone(), times(v))).collect(),
                v => v.clone(),
            }
        }
        let http = reqwest::Client::new();
        let mut out = Vec::new();
        for path in ["/v1/me", "/v1/organizations/1", "/v1/organizations/1"] {
            let body: Value = http
                .get(format!("{base}{path}"))
                .header("X-API-Key", "mock-key")
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            out.push(times(&body));
        }
        out
    }
    let library = MockServer::start(MockConfig::default().vary(5))
        .await
        .unwrap();
    let expected = answers(&library.base_url()).await;
    let plain = mock(None).await;
    assert_ne!(answers(&plain.base_url()).await, expected);
    for by_env in [false, true] {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_gen"));
        cmd.args(["mock", "--port", &port.to_string()])
            .env_remove("GEN_API_KEY")
            .env_remove("GEN_API_KEY_FILE")
            .env_remove("GEN_MOCK_VARY")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null());
        if by_env {
            cmd.env("GEN_MOCK_VARY", "5");
        } else {
            cmd.args(["--vary", "5"]);
        }
        let mut child = cmd.spawn().expect("gen mock");
        let stdout = child.stdout.take().unwrap();
        // The first two lines; the rest is drained (a closed pipe would
        // end the server at its next line).
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let lines: Vec<String> = tokio::task::spawn_blocking(move || {
            (0..2)
                .map(|_| rx.recv_timeout(Duration::from_secs(30)).unwrap_or_default())
                .collect()
        })
        .await
        .unwrap();
        assert!(
            lines[0].starts_with("genpro-mock serving the GEN API at"),
            "{lines:?}"
        );
        assert!(lines[1].contains("varied with seed 5"), "{lines:?}");
        let got = answers(&format!("http://127.0.0.1:{port}")).await;
        child.kill().ok();
        child.wait().ok();
        assert_eq!(got, expected, "by_env: {by_env}");
    }
    let out = gen_cmd(None, None, &["mock", "--vary", "tacos"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--vary"), "{}", stderr(&out));
}
