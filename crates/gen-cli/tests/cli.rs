//! End-to-end tests: the `gen` binary against gen-mock on 127.0.0.1.

use std::process::Output;
use std::time::Duration;

use gen_mock::{MockConfig, MockServer};
use serde_json::Value;

/// Run `gen` with `args` (blocking, off the async runtime) against `server`.
async fn gen_cmd(server: Option<&MockServer>, key: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = assert_cmd::Command::cargo_bin("gen").expect("gen binary");
    cmd.env_remove("GEN_API_KEY")
        .env_remove("GEN_API_URL")
        .env_remove("GEN_AGENT_URL")
        .env_remove("GEN_AGENT_ID");
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

async fn mock() -> MockServer {
    MockServer::start(
        MockConfig::default()
            .with_generation_timing(Duration::from_millis(50), Duration::from_millis(150)),
    )
    .await
    .expect("mock")
}

/// An SDK client for `server`.
fn sdk(server: &MockServer) -> gen_sdk::GenClient {
    gen_sdk::GenClient::builder()
        .api_key(server.api_key())
        .api_url(server.api_url())
        .agent_url(server.agent_url())
        .retry_policy(gen_sdk::RetryPolicy::default().with_max_attempts(10))
        .build()
        .unwrap()
}

/// The id of the first row's cell in the column with `role`.
fn cell_of(engine: &gen_sdk::gen_api::types::Engine, role: &str) -> i64 {
    gen_sdk::phases::first_row_cell(engine, |c| {
        c.role.as_ref().is_some_and(|r| r.as_str() == role)
    })
    .unwrap()
}

/// Clone a template through the fake and return (engine id, video cell,
/// final_video cell). clone_template is not retried by the SDK after a 5xx
/// (it may have reached GEN); the fake's injected faults answer before any
/// work is done, so trying again here is safe.
async fn engine(server: &MockServer) -> (i64, i64, i64) {
    let client = sdk(server);
    let engine = loop {
        if let Ok(e) = client
            .vidsheet()
            .clone_template("tiktok-talking-avatar", 42)
            .await
        {
            break e;
        }
    };
    (
        engine.id.expect("the mock answers with an engine id"),
        cell_of(&engine, "video"),
        cell_of(&engine, "final_video"),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn journey_runs_offline_without_a_key_and_says_so() {
    let out = gen_cmd(None, None, &["--json", "journey"]).await;
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
    assert!(result["post_id"].is_string(), "{result}");
}

#[tokio::test(flavor = "multi_thread")]
async fn journey_prints_the_final_video_url() {
    let out = gen_cmd(None, None, &["journey", "--no-publish"]).await;
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
    let server = mock().await;
    let out = gen_cmd(
        Some(&server),
        Some("mock-key"),
        &["--json", "credits", "--org", "1"],
    )
    .await;
    let credit = stdout_json(&out);
    assert_eq!(credit["generic"], 1000.0);
}

#[tokio::test(flavor = "multi_thread")]
async fn generate_and_wait_then_wait_command() {
    let server = mock().await;
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
    // seed 001's exact video_from_text card (veo_3, 10 s) and seed 003's
    // regenerate card (veo_3_1_fast, 10 s); seed 002 says "Veo 3 supports up
    // to 8s". The seeds disagree, so the card is sent and a note printed.
    let server = mock().await;
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
    // seed 000: `-d '{"generation_type": "text_generation", "data": {}}'`
    let server = mock().await;
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
    let server = mock().await;
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
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("data.duration"), "{err}");
    assert_eq!(server.state().generate_calls(video), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn stop_then_continue() {
    let server = MockServer::start(
        MockConfig::default()
            .with_generation_timing(Duration::from_secs(30), Duration::from_secs(30)),
    )
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
    // continuing again is refused by GEN (422 validation_error): one clear line
    let out = gen_cmd(Some(&server), Some("mock-key"), &["continue", &id]).await;
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("422"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn upload_creates_a_content_resource() {
    let server = mock().await;
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
    assert!(resource["id"].as_i64().is_some(), "{resource}");
    assert_eq!(resource["filename"], "clip.mp4");
}

#[tokio::test(flavor = "multi_thread")]
async fn render_waits_and_downloads() {
    let server = mock().await;
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
    let server = mock().await;
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
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).contains("RFC 3339"), "{}", stderr(&bad));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_key_is_one_line_with_the_hint_and_never_echoed() {
    let server = mock().await;
    let out = gen_cmd(
        Some(&server),
        Some("sk-very-secret-123"),
        &["credits", "--org", "1"],
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("401"), "{err}");
    assert!(err.contains("hint: "), "{err}");
    assert!(!err.contains("sk-very-secret-123"), "{err}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("sk-very-secret-123"));
}

#[tokio::test(flavor = "multi_thread")]
async fn commands_other_than_journey_need_a_key() {
    let out = gen_cmd(None, None, &["credits", "--org", "1"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no API key"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn waits_and_uploads_survive_429s_and_5xx() {
    let server = MockServer::start(
        MockConfig::default()
            .with_generation_timing(Duration::from_millis(50), Duration::from_millis(150))
            .with_rate_429(0.2, 0)
            .with_rate_5xx(0.2)
            .with_seed(7),
    )
    .await
    .unwrap();
    let (engine, _, final_video) = engine(&server).await;
    let client = sdk(&server);
    // render is a paid POST, never retried by the SDK after a 5xx; the
    // fake's faults answer before any work is done, so trying again is safe
    let render = loop {
        if let Ok(r) = client
            .publish()
            .render(gen_sdk::phases::CellRef::new(42, engine, final_video))
            .await
        {
            break r;
        }
    };
    let out = gen_cmd(
        Some(&server),
        Some("mock-key"),
        &["--json", "wait", &render.generation_id.to_string()],
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
    assert!(stdout_json(&out)["id"].as_i64().is_some());
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
    // seed 001: "3. POST /v1/content_resources with signed_id as
    // `content_resource[file]`" on the endpoint marked "(multipart)"
    let server = mock().await;
    let data = vec![7u8; 4096];
    let resource = sdk(&server)
        .edit()
        .upload(
            42,
            gen_sdk::upload::UploadSource::bytes(data.clone(), "hero.mp4"),
            gen_sdk::upload::UploadOptions::new().direct_upload_threshold(1024),
        )
        .await
        .expect("direct upload");
    assert_eq!(resource.byte_size, Some(data.len() as i64));
    assert_eq!(resource.filename.as_deref(), Some("hero.mp4"));
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
