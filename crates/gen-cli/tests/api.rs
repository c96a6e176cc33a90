//! `gen api`: any operation by id, against httpmock servers on 127.0.0.1
//! standing in for the two hosts. Each test checks what went on the wire.

use std::process::Output;
use std::time::Duration;

use genpro_sdk::ErrorCodeExt as _;
use genpro_sdk::genpro_api::operations::OPERATIONS;
use httpmock::prelude::*;
use serde_json::{Value, json};

const KEY: &str = "api-cli-test-key-8c1f";

/// The two hosts.
struct Hosts {
    api: MockServer,
    agent: MockServer,
}

impl Hosts {
    async fn start() -> Self {
        Self {
            api: MockServer::start_async().await,
            agent: MockServer::start_async().await,
        }
    }
}

/// Run `gen` with `args` against `hosts` (key from the environment, as a
/// user would set it).
async fn genpro_api(hosts: Option<&Hosts>, key: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = assert_cmd::Command::cargo_bin("gen").expect("gen binary");
    cmd.env_remove("GEN_API_KEY")
        .env_remove("GEN_API_KEY_FILE")
        .env_remove("GEN_API_URL")
        .env_remove("GEN_AGENT_URL")
        .env_remove("GEN_AGENT_ID");
    if let Some(hosts) = hosts {
        cmd.env("GEN_API_URL", hosts.api.base_url())
            .env("GEN_AGENT_URL", hosts.agent.base_url());
    }
    if let Some(key) = key {
        cmd.env("GEN_API_KEY", key);
    }
    cmd.arg("api").args(args);
    cmd.timeout(Duration::from_secs(60));
    tokio::task::spawn_blocking(move || cmd.output().expect("run gen"))
        .await
        .expect("join")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout_json(out: &Output) -> Value {
    assert!(out.status.success(), "gen api failed: {}", stderr(out));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", stdout(out)))
}

/// A mock on `server` that answers anything with 418: must never be hit.
async fn stray(server: &MockServer) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.any_request();
            then.status(418).body("wrong host");
        })
        .await
}

fn assert_no_key(out: &Output) {
    assert!(!stdout(out).contains(KEY), "key on stdout");
    assert!(!stderr(out).contains(KEY), "key on stderr");
}

#[tokio::test]
async fn get_with_path_and_query_parameters() {
    let hosts = Hosts::start().await;
    let cell = hosts
        .api
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/autocontentengine/101/cells/3000")
                .is_true(|req| req.uri().query() == Some("agent_id=42"))
                .header("x-api-key", KEY)
                .header_missing("authorization")
                .header_missing("content-type")
                .is_true(|req| req.body_ref().is_empty());
            then.status(200)
                .json_body(json!({"id": 3000, "value": "taco", "extra": [1]}));
        })
        .await;
    let wrong = stray(&hosts.agent).await;
    let out = genpro_api(
        Some(&hosts),
        Some(KEY),
        &[
            "get_cell",
            "--param",
            "id=101",
            "--param",
            "cell_id=3000",
            "-p",
            "agent_id=42",
        ],
    )
    .await;
    assert_eq!(
        stdout_json(&out),
        json!({"id": 3000, "value": "taco", "extra": [1]})
    );
    // pretty-printed
    assert!(
        stdout(&out).contains("\n  \"id\": 3000"),
        "{}",
        stdout(&out)
    );
    assert_eq!(cell.calls_async().await, 1);
    assert_eq!(wrong.calls_async().await, 0);
    assert_no_key(&out);
}

#[tokio::test]
async fn query_strings_stay_strings_and_optional_ones_stay_out() {
    let hosts = Hosts::start().await;
    let with_status = hosts
        .agent
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/agent/ideas")
                .is_true(|req| req.uri().query() == Some("agent_id=42&status=007"))
                .header("x-api-key", KEY);
            then.status(200).json_body(json!([]));
        })
        .await;
    let without = hosts
        .agent
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/agent/ideas")
                .is_true(|req| req.uri().query() == Some("agent_id=42"))
                .header("x-api-key", KEY);
            then.status(200).json_body(json!([{"title": "t"}]));
        })
        .await;
    let wrong = stray(&hosts.api).await;
    let out = genpro_api(
        Some(&hosts),
        Some(KEY),
        &[
            "list_ideas",
            "--param",
            "agent_id=42",
            "--param",
            "status=007",
        ],
    )
    .await;
    assert_eq!(stdout_json(&out), json!([]));
    let out = genpro_api(
        Some(&hosts),
        Some(KEY),
        &["list_ideas", "--param", "agent_id=42"],
    )
    .await;
    assert_eq!(stdout_json(&out), json!([{"title": "t"}]));
    assert_eq!(with_status.calls_async().await, 1);
    assert_eq!(without.calls_async().await, 1);
    assert_eq!(wrong.calls_async().await, 0);
}

#[tokio::test]
async fn post_with_a_json_body() {
    let hosts = Hosts::start().await;
    let create = hosts
        .api
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/agents")
                .is_true(|req| req.uri().query().is_none())
                .header("x-api-key", KEY)
                .header("content-type", "application/json")
                .json_body(json!({"name": "Santiago", "workspace_id": 12}));
            then.status(201)
                .json_body(json!({"id": 43, "name": "Santiago"}));
        })
        .await;
    let wrong = stray(&hosts.agent).await;
    let out = genpro_api(
        Some(&hosts),
        Some(KEY),
        &[
            "create_agent",
            "--body",
            r#"{"name": "Santiago", "workspace_id": 12}"#,
        ],
    )
    .await;
    assert_eq!(stdout_json(&out), json!({"id": 43, "name": "Santiago"}));
    assert_eq!(create.calls_async().await, 1);
    assert_eq!(wrong.calls_async().await, 0);
}

#[tokio::test]
async fn patch_with_a_body_from_a_file() {
    let hosts = Hosts::start().await;
    let body = json!({"brand_name": "Santiago", "keywords": ["streetfood", "tacotok"]});
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), serde_json::to_vec_pretty(&body).unwrap()).unwrap();
    let patch = hosts
        .api
        .mock_async(|when, then| {
            when.method(PATCH)
                .path("/v1/agents/42/core")
                .is_true(|req| req.uri().query().is_none())
                .header("x-api-key", KEY)
                .header("content-type", "application/json")
                .json_body(body.clone());
            then.status(200)
                .json_body(json!({"brand_name": "Santiago"}));
        })
        .await;
    let at_file = format!("@{}", file.path().display());
    let out = genpro_api(
        Some(&hosts),
        Some(KEY),
        &["update_agent_core", "-p", "agent_id=42", "--body", &at_file],
    )
    .await;
    assert_eq!(stdout_json(&out), json!({"brand_name": "Santiago"}));
    assert_eq!(patch.calls_async().await, 1);
}

#[tokio::test]
async fn an_agent_host_operation_goes_to_gen_agent_url() {
    let hosts = Hosts::start().await;
    let run = hosts
        .agent
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/agent/run")
                .header("x-api-key", KEY)
                .json_body(json!({"agent_id": "42", "message": "3 ideas"}));
            then.status(200).json_body(
                json!({"run_id": "run_abc", "conversation_id": "conv_xyz", "status": "running"}),
            );
        })
        .await;
    let wrong = stray(&hosts.api).await;
    let out = genpro_api(
        Some(&hosts),
        Some(KEY),
        &[
            "create_agent_run",
            "--body",
            r#"{"agent_id": "42", "message": "3 ideas"}"#,
        ],
    )
    .await;
    assert_eq!(stdout_json(&out)["run_id"], "run_abc");
    assert_eq!(run.calls_async().await, 1);
    assert_eq!(wrong.calls_async().await, 0);
    assert_no_key(&out);
}

#[tokio::test]
async fn a_404_gives_status_code_and_a_hint_line() {
    let hosts = Hosts::start().await;
    let missing = hosts
        .api
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/generations/404404")
                .header("x-api-key", KEY);
            then.status(404)
                .json_body(json!({"error": "Generation not found", "error_code": "not_found"}));
        })
        .await;
    let out = genpro_api(
        Some(&hosts),
        Some(KEY),
        &["get_generation", "--param", "id=404404"],
    )
    .await;
    // exit code 5: an API error
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert_eq!(stdout(&out), "", "nothing on stdout on failure");
    let err = stderr(&out);
    assert_eq!(
        err,
        format!(
            "error: get_generation (GET /v1/generations/404404): GEN API error 404 (not_found): Generation not found\n  hint: {}\n",
            genpro_sdk::ErrorCode::NotFound.hint().unwrap()
        )
    );
    // an idempotent GET answered 404 is not retried
    assert_eq!(missing.calls_async().await, 1);
    assert_no_key(&out);
}

#[tokio::test]
async fn bad_input_is_refused_before_any_request() {
    let hosts = Hosts::start().await;
    let api = stray(&hosts.api).await;
    let agent = stray(&hosts.agent).await;
    let cases: [(&[&str], &str); 7] = [
        (
            &["get_generaton", "--param", "id=1"],
            "error: invalid `operation`: unknown operation `get_generaton` (`gen api --list` lists them)",
        ),
        (
            &["get_generation", "--param", "idd=1"],
            "error: `get_generation` has no parameter `idd` (its parameters: id, wait, timeout, include; `gen api get_generation --help-params` describes them)",
        ),
        (
            &["get_generation"],
            "error: invalid `id`: `get_generation` needs the path parameter `id`",
        ),
        (
            &["get_generation", "--param", "id=abc"],
            "error: --param id=abc: `id` is an integer",
        ),
        (
            &["get_generation", "--param", "id=1", "--body", "{}"],
            "error: invalid `body`: `get_generation` takes no body",
        ),
        (
            &["create_agent", "--body", "{not json"],
            "error: --body is not valid JSON",
        ),
        (
            &["list_ideas", "--param", "status=generated"],
            "error: invalid `agent_id`: `list_ideas` needs the query parameter `agent_id`",
        ),
    ];
    for (args, expected) in cases {
        let out = genpro_api(Some(&hosts), Some(KEY), args).await;
        // exit code 3: bad input, refused before sending
        assert_eq!(out.status.code(), Some(3), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.starts_with(expected),
            "{args:?}:\n{err}\nexpected: {expected}"
        );
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    }
    assert_eq!(api.calls_async().await, 0);
    assert_eq!(agent.calls_async().await, 0);
}

#[tokio::test]
async fn list_names_every_operation_grouped_by_phase() {
    let out = genpro_api(None, None, &["--list"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for op in OPERATIONS {
        let line = text
            .lines()
            .find(|l| l.split_whitespace().nth(2) == Some(op.operation_id))
            .unwrap_or_else(|| panic!("{} not listed:\n{text}", op.operation_id));
        let cols: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(
            cols,
            [
                op.method,
                op.path,
                op.operation_id,
                op.retry.as_str(),
                op.host.as_str()
            ],
            "{line}"
        );
    }
    // grouped: each phase's heading precedes exactly its operations
    let mut phase = None;
    for line in text.lines() {
        if !line.starts_with(' ') && line.contains(" — ") {
            phase = line.split(' ').next();
        } else if let Some(id) = line
            .strip_prefix("  ")
            .and_then(|l| l.split_whitespace().nth(2))
        {
            let op = genpro_sdk::genpro_api::operations::find(id).unwrap();
            assert_eq!(Some(op.phase.as_str()), phase, "{line}");
        }
    }
    assert!(
        text.contains(&format!("{} operations.", OPERATIONS.len())),
        "{text}"
    );

    let out = genpro_api(None, None, &["--list", "--json"]).await;
    let listed = stdout_json(&out);
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["operation_id"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = OPERATIONS.iter().map(|o| o.operation_id).collect();
    assert_eq!(ids, expected);
}

#[tokio::test]
async fn describe_and_help_params_print_the_parameters() {
    let out = genpro_api(None, None, &["get_cell", "--help-params"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("get_cell — ")
            && text.contains("GET /v1/autocontentengine/{id}/cells/{cell_id} (host: api, phase: edit, retry: idempotent)")
            && text.contains("--param id=<integer>  (path, required)")
            && text.contains("--param cell_id=<integer>  (path, required)")
            && text.contains("--param agent_id=<integer>  (query, required)")
            && text.contains("body: none"),
        "{text}"
    );
    let out = genpro_api(None, None, &["--describe", "get_cell"]).await;
    assert_eq!(stdout(&out), text);

    let out = genpro_api(None, None, &["--describe", "create_agent_run", "--json"]).await;
    let described = stdout_json(&out);
    assert_eq!(described["host"], "agent");
    assert_eq!(described["retry"], "paid");
    assert_eq!(described["input_schema"]["type"], "object");
    assert!(described["input_schema"]["properties"]["body"].is_object());
}

#[tokio::test]
async fn without_a_key_it_runs_against_the_built_in_fake_and_says_so() {
    let out = genpro_api(None, None, &["list_templates"]).await;
    let templates = stdout_json(&out);
    assert!(
        templates
            .as_array()
            .is_some_and(|t| t.iter().any(|t| t["slug"] == "tiktok-talking-avatar")),
        "{templates}"
    );
    assert!(
        stderr(&out).contains("running offline against the built-in fake GEN API"),
        "{}",
        stderr(&out)
    );
}

/// The SHA-256 of `bytes`, in hex.
fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A PNG signature, then every byte value once: 264 bytes, 129 of them
/// >= 0x80, not valid UTF-8.
fn binary_body() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend(0..=255u8);
    bytes
}

/// A mock answering `GET /v1/generations/9000` with `body` as
/// `content_type`.
async fn generation_answer<'a>(
    hosts: &'a Hosts,
    content_type: &str,
    body: Vec<u8>,
) -> httpmock::Mock<'a> {
    let content_type = content_type.to_owned();
    hosts
        .api
        .mock_async(move |when, then| {
            when.method(GET)
                .path("/v1/generations/9000")
                .is_true(|req| req.uri().query().is_none())
                .header("x-api-key", KEY);
            then.status(200)
                .header("content-type", content_type)
                .body(body);
        })
        .await
}

#[tokio::test]
async fn a_binary_answer_goes_to_stdout_byte_for_byte() {
    let hosts = Hosts::start().await;
    let served = binary_body();
    assert_eq!(served.len(), 264);
    assert_eq!(served.iter().filter(|b| **b >= 0x80).count(), 129);
    let get = generation_answer(&hosts, "application/octet-stream", served.clone()).await;
    let out = genpro_api(
        Some(&hosts),
        Some(KEY),
        &["get_generation", "--param", "id=9000"],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    // stdout is a pipe here, not a terminal: the bytes as they came
    assert_eq!(out.stdout.len(), served.len());
    assert_eq!(sha256(&out.stdout), sha256(&served));
    assert!(out.stdout == served, "stdout differs from the served bytes");
    assert_eq!(stderr(&out), "");
    assert_eq!(get.calls_async().await, 1);
}

#[tokio::test]
async fn output_writes_the_exact_body_bytes_of_any_answer() {
    let hosts = Hosts::start().await;
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, Vec<u8>); 3] = [
        ("image/png", binary_body()),
        (
            "text/plain; charset=utf-8",
            "He said \"olé\" – 9000\n".as_bytes().to_vec(),
        ),
        // compact JSON stays compact: the file is the body, not a reprint
        (
            "application/json",
            br#"{"id":9000,"status":"completed"}"#.to_vec(),
        ),
    ];
    for (content_type, served) in cases {
        let get = generation_answer(&hosts, content_type, served.clone()).await;
        let path = dir.path().join("answer.bin");
        let path_arg = path.display().to_string();
        let out = genpro_api(
            Some(&hosts),
            Some(KEY),
            &[
                "get_generation",
                "--param",
                "id=9000",
                "--output",
                &path_arg,
            ],
        )
        .await;
        assert!(out.status.success(), "{content_type}: {}", stderr(&out));
        assert_eq!(stdout(&out), "", "{content_type}: nothing on stdout");
        assert_eq!(
            stderr(&out),
            format!(
                "HTTP 200: wrote {} bytes ({content_type}) to {path_arg}\n",
                served.len()
            )
        );
        let written = std::fs::read(&path).unwrap();
        assert_eq!(sha256(&written), sha256(&served), "{content_type}");
        assert!(written == served, "{content_type}: the file differs");
        assert_eq!(get.calls_async().await, 1, "{content_type}");
        get.delete_async().await;
    }
}

#[tokio::test]
async fn a_text_answer_is_printed_as_is_not_json_quoted() {
    let hosts = Hosts::start().await;
    // a quote, non-ASCII characters and no final newline: printed exactly
    let served = "id,note\n9000,\"olé\" – ✓";
    for content_type in ["text/plain", "text/csv; charset=utf-8"] {
        let get = generation_answer(&hosts, content_type, served.as_bytes().to_vec()).await;
        let out = genpro_api(
            Some(&hosts),
            Some(KEY),
            &["get_generation", "--param", "id=9000"],
        )
        .await;
        assert!(out.status.success(), "{content_type}: {}", stderr(&out));
        assert_eq!(out.stdout, served.as_bytes(), "{content_type}");
        assert_eq!(stderr(&out), "", "{content_type}");
        assert_eq!(get.calls_async().await, 1, "{content_type}");
        get.delete_async().await;
    }
}

#[tokio::test]
async fn a_json_answer_is_printed_pretty_as_before() {
    let hosts = Hosts::start().await;
    for content_type in [
        "application/json; charset=utf-8",
        "application/problem+json",
    ] {
        let get = generation_answer(
            &hosts,
            content_type,
            br#"{"id":9000,"status":"completed","note":"ol\u00e9"}"#.to_vec(),
        )
        .await;
        let out = genpro_api(
            Some(&hosts),
            Some(KEY),
            &["get_generation", "--param", "id=9000"],
        )
        .await;
        assert!(out.status.success(), "{content_type}: {}", stderr(&out));
        assert_eq!(
            stdout(&out),
            "{\n  \"id\": 9000,\n  \"note\": \"olé\",\n  \"status\": \"completed\"\n}\n",
            "{content_type}"
        );
        assert_eq!(stderr(&out), "", "{content_type}");
        assert_eq!(get.calls_async().await, 1, "{content_type}");
        get.delete_async().await;
    }
}
