//! CLI conventions: shell completions, exit codes by kind of failure,
//! errors as JSON, the key from a file or stdin, `--verbose` tracing with
//! the key scrubbed, `--type` choices from the spec, the `--body` cap.
//! Every server is an httpmock on 127.0.0.1.

use std::io::Write;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use genpro_sdk::ErrorCode;
use genpro_sdk::ErrorCodeExt as _;
use genpro_sdk::genpro_api::open_enums::GenerationType;
use httpmock::prelude::*;
use serde_json::{Value, json};

const KEY: &str = "sk-conventions-key-5f2e";

/// `gen` with a clean environment (no GEN_*, NO_COLOR or RUST_LOG of the
/// caller's), pointed at `server` when given.
fn gen_command(server: Option<&MockServer>) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_gen"));
    for var in [
        "GEN_API_KEY",
        "GEN_API_KEY_FILE",
        "GEN_API_URL",
        "GEN_AGENT_URL",
        "GEN_AGENT_ID",
        "GEN_MOCK_VARY",
        "NO_COLOR",
        "RUST_LOG",
    ] {
        cmd.env_remove(var);
    }
    if let Some(server) = server {
        cmd.env("GEN_API_URL", server.base_url())
            .env("GEN_AGENT_URL", server.base_url());
    }
    cmd.stdin(Stdio::null());
    cmd
}

/// Run `gen` (off the async runtime), with `stdin` when given.
async fn run(mut cmd: std::process::Command, stdin: Option<&[u8]>) -> Output {
    let stdin = stdin.map(<[u8]>::to_vec);
    tokio::task::spawn_blocking(move || {
        if stdin.is_some() {
            cmd.stdin(Stdio::piped());
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run gen");
        if let Some(bytes) = stdin {
            let mut pipe = child.stdin.take().unwrap();
            pipe.write_all(&bytes).unwrap();
        }
        child.wait_with_output().expect("wait for gen")
    })
    .await
    .expect("join")
}

/// Run `gen args` with the key in GEN_API_KEY (when given) against `server`.
async fn gen_with(server: Option<&MockServer>, key: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = gen_command(server);
    if let Some(key) = key {
        cmd.env("GEN_API_KEY", key);
    }
    cmd.args(args);
    run(cmd, None).await
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn assert_no_key(out: &Output, key: &str) {
    assert!(!stdout(out).contains(key), "key on stdout: {}", stdout(out));
    assert!(!stderr(out).contains(key), "key on stderr: {}", stderr(out));
}

/// A mock answering anything with 418: for requests that must never be made.
async fn stray(server: &MockServer) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.any_request();
            then.status(418).body("must not be reached");
        })
        .await
}

/// `GET /v1/organizations/1` answered with `status` and `body`.
async fn organization(server: &MockServer, status: u16, body: Value) -> httpmock::Mock<'_> {
    server
        .mock_async(move |when, then| {
            when.method(GET).path("/v1/organizations/1");
            then.status(status)
                .header("content-type", "application/json")
                .header("x-request-id", format!("req-{status}"))
                .json_body(body);
        })
        .await
}

fn organization_ok() -> Value {
    json!({"id": 1, "name": "Acme", "available_credit": {"generic": 12.5, "aura": 0}})
}

// ---- completions ----------------------------------------------------------

#[tokio::test]
async fn bash_completions_list_the_subcommands() {
    let out = gen_with(None, None, &["completions", "bash"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let script = stdout(&out);
    assert!(script.contains("_gen()"), "{script}");
    assert!(script.contains("complete -F _gen"), "{script}");
    for sub in [
        "journey",
        "generate",
        "wait",
        "stop",
        "continue",
        "upload",
        "render",
        "publish",
        "credits",
        "mock",
        "api",
        "mcp",
        "completions",
    ] {
        assert!(
            script.contains(&format!("gen,{sub})")),
            "no {sub} in the bash script"
        );
    }
    // the --type choices reach the completions too
    assert!(script.contains("video_from_ingredients"), "{script}");
}

#[tokio::test]
async fn every_shell_has_completions_and_an_unknown_one_is_a_usage_error() {
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let out = gen_with(None, None, &["completions", shell]).await;
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", stderr(&out));
        assert!(stdout(&out).contains("credits"), "{shell}");
    }
    let out = gen_with(None, None, &["completions", "tcsh"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
}

// ---- exit codes, error text and JSON --------------------------------------

#[tokio::test]
async fn a_401_exits_4_with_the_message_then_the_hint() {
    let server = MockServer::start_async().await;
    let org = organization(
        &server,
        401,
        json!({"error": "Invalid API key", "error_code": "unauthorized"}),
    )
    .await;
    let out = gen_with(Some(&server), Some(KEY), &["credits", "--org", "1"]).await;
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!(
            "error: GEN API error 401 (unauthorized): Invalid API key (request id req-401)\n  hint: {}\n",
            ErrorCode::Unauthorized.hint().unwrap()
        )
    );
    assert_eq!(stdout(&out), "");
    assert_eq!(org.calls_async().await, 1);
    assert_no_key(&out, KEY);
}

#[tokio::test]
async fn a_403_exits_4() {
    let server = MockServer::start_async().await;
    organization(
        &server,
        403,
        json!({"error": "Forbidden", "error_code": "forbidden"}),
    )
    .await;
    let out = gen_with(Some(&server), Some(KEY), &["credits", "--org", "1"]).await;
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
}

#[tokio::test]
async fn no_key_exits_4_with_the_fix() {
    let server = MockServer::start_async().await;
    let never = stray(&server).await;
    let out = gen_with(Some(&server), None, &["credits", "--org", "1"]).await;
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "error: no API key: set GEN_API_KEY, GEN_API_KEY_FILE, --api-key-file or --api-key-stdin\n  hint: create a personal access token in the GEN dashboard > API page; or run `gen mock` and point --api-url at it\n"
    );
    assert_eq!(never.calls_async().await, 0);
}

#[tokio::test]
async fn another_4xx_exits_5() {
    let server = MockServer::start_async().await;
    organization(
        &server,
        404,
        json!({"error": "Organization not found", "error_code": "not_found"}),
    )
    .await;
    let out = gen_with(Some(&server), Some(KEY), &["credits", "--org", "1"]).await;
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!(
            "error: GEN API error 404 (not_found): Organization not found (request id req-404)\n  hint: {}\n",
            ErrorCode::NotFound.hint().unwrap()
        )
    );
}

#[tokio::test]
async fn a_failure_under_json_is_one_json_object_on_stdout() {
    let server = MockServer::start_async().await;
    organization(
        &server,
        404,
        json!({"error": "Organization not found", "error_code": "not_found"}),
    )
    .await;
    let out = gen_with(
        Some(&server),
        Some(KEY),
        &["--json", "credits", "--org", "1"],
    )
    .await;
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert_eq!(stderr(&out), "", "nothing on stderr");
    let error: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(
        error,
        json!({"error": {
            "kind": "api",
            "message": "GEN API error 404 (not_found): Organization not found (request id req-404)",
            "status": 404,
            "error_code": "not_found",
            "request_id": "req-404",
            "hint": ErrorCode::NotFound.hint().unwrap(),
        }})
    );
}

#[tokio::test]
async fn a_local_failure_under_json_has_nulls() {
    let server = MockServer::start_async().await;
    let never = stray(&server).await;
    let out = gen_with(
        Some(&server),
        Some(KEY),
        &[
            "--json", "generate", "--agent", "1", "--engine", "2", "--cell", "3", "--type", "text",
            "--data", "{nope",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let error: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(
        error,
        json!({"error": {
            "kind": "input",
            "message": "--data is not valid JSON: key must be a string at line 1 column 2",
            "status": null,
            "error_code": null,
            "request_id": null,
            "hint": null,
        }})
    );
    assert_eq!(never.calls_async().await, 0);
}

#[tokio::test]
async fn bad_input_exits_3_before_anything_is_sent() {
    let server = MockServer::start_async().await;
    let never = stray(&server).await;
    let out = gen_with(
        Some(&server),
        Some(KEY),
        &[
            "generate", "--agent", "1", "--engine", "2", "--cell", "3", "--type", "text", "--data",
            "{nope",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "error: --data is not valid JSON: key must be a string at line 1 column 2\n"
    );
    let out = gen_with(
        Some(&server),
        Some(KEY),
        &["api", "get_generation", "--param", "id=abc"],
    )
    .await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_eq!(stderr(&out), "error: --param id=abc: `id` is an integer\n");
    assert_eq!(never.calls_async().await, 0);
}

#[tokio::test]
async fn a_usage_error_exits_2() {
    let out = gen_with(None, Some(KEY), &["credits"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).starts_with("error: "), "{}", stderr(&out));
}

#[tokio::test]
async fn an_unreachable_server_exits_6() {
    // a port nothing listens on
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cmd = gen_command(None);
    cmd.env("GEN_API_KEY", KEY)
        .env("GEN_API_URL", format!("http://127.0.0.1:{port}"))
        .env("GEN_AGENT_URL", format!("http://127.0.0.1:{port}"))
        .args(["credits", "--org", "1"]);
    let out = run(cmd, None).await;
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.starts_with("error: could not connect to the GEN API: "),
        "{err}"
    );
    assert!(
        err.ends_with(
            "\n  hint: could not connect: check the network and the base URLs (GEN_API_URL / GEN_AGENT_URL)\n"
        ),
        "{err}"
    );
}

/// `GET /v1/generations/77` answered with `body`.
async fn generation(server: &MockServer, body: Value) -> httpmock::Mock<'_> {
    server
        .mock_async(move |when, then| {
            when.method(GET).path("/v1/generations/77");
            then.status(200)
                .header("content-type", "application/json")
                .json_body(body);
        })
        .await
}

#[tokio::test]
async fn a_wait_that_runs_out_exits_7() {
    let server = MockServer::start_async().await;
    let polled = generation(&server, json!({"id": 77, "status": "processing"})).await;
    let out = gen_with(Some(&server), Some(KEY), &["wait", "77", "--max-wait", "1"]).await;
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("error: gave up waiting for generation 77 after "),
        "{}",
        stderr(&out)
    );
    assert!(polled.calls_async().await >= 1);
}

#[tokio::test]
async fn a_failed_job_exits_8() {
    let server = MockServer::start_async().await;
    generation(
        &server,
        json!({"id": 77, "status": "failed", "failed_reason": "Not enough credits",
               "error_code": "insufficient_credits_for_job"}),
    )
    .await;
    let out = gen_with(Some(&server), Some(KEY), &["wait", "77"]).await;
    assert_eq!(out.status.code(), Some(8), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!(
            "error: generation 77 failed (insufficient_credits_for_job): Not enough credits\n  hint: {}\n",
            ErrorCode::InsufficientCreditsForJob.hint().unwrap()
        )
    );
}

#[tokio::test]
async fn ctrl_c_exits_130() {
    let server = MockServer::start_async().await;
    let polled = generation(&server, json!({"id": 77, "status": "processing"})).await;
    let mut cmd = gen_command(Some(&server));
    cmd.env("GEN_API_KEY", KEY)
        .args(["wait", "77", "--max-wait", "60"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd.spawn().expect("run gen");
    let started = Instant::now();
    while polled.calls_async().await == 0 {
        assert!(started.elapsed() < Duration::from_secs(30), "never polled");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill -INT");
    assert!(sent.success());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert_eq!(stderr(&out), "error: interrupted\n");
    assert!(started.elapsed() < Duration::from_secs(30));
}

// ---- the key from a file or stdin -----------------------------------------

/// `GET /v1/organizations/1` answered only when X-API-Key is exactly `key`.
async fn organization_for_key<'a>(server: &'a MockServer, key: &str) -> httpmock::Mock<'a> {
    let key = key.to_owned();
    server
        .mock_async(move |when, then| {
            when.method(GET)
                .path("/v1/organizations/1")
                .header("x-api-key", key);
            then.status(200)
                .header("content-type", "application/json")
                .json_body(organization_ok());
        })
        .await
}

#[tokio::test]
async fn the_key_comes_from_a_file_trimmed() {
    let server = MockServer::start_async().await;
    let org = organization_for_key(&server, KEY).await;
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), format!("{KEY}\n")).unwrap();
    let path = file.path().to_str().unwrap();

    let mut cmd = gen_command(Some(&server));
    cmd.args(["--api-key-file", path, "credits", "--org", "1"]);
    let out = run(cmd, None).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "Acme (workspace 1): 12.5 generic credits, 0 aura\n"
    );
    assert_no_key(&out, KEY);

    // GEN_API_KEY_FILE, winning over a GEN_API_KEY
    let mut cmd = gen_command(Some(&server));
    cmd.env("GEN_API_KEY_FILE", path)
        .env("GEN_API_KEY", "sk-not-this-one")
        .args(["credits", "--org", "1"]);
    let out = run(cmd, None).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_no_key(&out, KEY);
    assert_eq!(org.calls_async().await, 2);
}

#[tokio::test]
async fn the_key_comes_from_stdin_trimmed() {
    let server = MockServer::start_async().await;
    let org = organization_for_key(&server, KEY).await;
    let mut cmd = gen_command(Some(&server));
    cmd.args(["--api-key-stdin", "--json", "credits", "--org", "1"]);
    let out = run(cmd, Some(format!("{KEY}\r\n").as_bytes())).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let credit: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(credit["generic"], 12.5);
    assert_no_key(&out, KEY);
    assert_eq!(org.calls_async().await, 1);
}

#[tokio::test]
async fn an_empty_or_missing_key_file_is_refused_before_sending() {
    let server = MockServer::start_async().await;
    let never = stray(&server).await;
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), "\n").unwrap();
    let path = file.path().to_str().unwrap().to_owned();
    let mut cmd = gen_command(Some(&server));
    cmd.args(["--api-key-file", &path, "credits", "--org", "1"]);
    let out = run(cmd, None).await;
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!(
            "error: no API key in {path}\n  hint: put the key (a GEN personal access token) in it; create one in the GEN dashboard > API page\n"
        )
    );
    let mut cmd = gen_command(Some(&server));
    cmd.args([
        "--api-key-file",
        "/nonexistent/gen-key",
        "credits",
        "--org",
        "1",
    ]);
    let out = run(cmd, None).await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "error: reading the API key from /nonexistent/gen-key: No such file or directory (os error 2)\n"
    );
    assert_eq!(never.calls_async().await, 0);
}

// ---- --verbose ------------------------------------------------------------

#[tokio::test]
async fn verbose_traces_requests_without_the_key() {
    let server = MockServer::start_async().await;
    // the server echoes the key everywhere it can
    let org = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/organizations/1")
                .header("x-api-key", KEY);
            then.status(200)
                .header("content-type", "application/json")
                .header("x-request-id", KEY)
                .json_body(
                    json!({"id": 1, "name": KEY, "available_credit": {"generic": 1, "aura": 0}}),
                );
        })
        .await;
    for verbose in ["-v", "-vvv"] {
        let mut cmd = gen_command(Some(&server));
        cmd.env("GEN_API_KEY", KEY)
            .args([verbose, "credits", "--org", "1"]);
        let out = run(cmd, None).await;
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let err = stderr(&out);
        let request = err
            .lines()
            .find(|l| l.contains("genpro_api_call{") && l.contains(" close "))
            .unwrap_or_else(|| panic!("{verbose}: no request line in {err}"));
        assert!(
            request.contains("operation_id=\"get_organization\"")
                || request.contains("operation_id=get_organization"),
            "{request}"
        );
        assert!(request.contains("status=200"), "{request}");
        assert_no_key(&out, KEY);
    }
    // without -v: no tracing
    let out = gen_with(Some(&server), Some(KEY), &["credits", "--org", "1"]).await;
    assert_eq!(stderr(&out), "");
    assert_eq!(org.calls_async().await, 3);
}

// ---- --type ---------------------------------------------------------------

#[tokio::test]
async fn type_choices_come_from_the_spec() {
    let out = gen_with(None, None, &["generate", "--help"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let help = stdout(&out).replace('\n', " ");
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    let listed = format!("[possible values: {}]", GenerationType::KNOWN.join(", "));
    assert!(help.contains(&listed), "{help}");

    let server = MockServer::start_async().await;
    let never = stray(&server).await;
    let out = gen_with(
        Some(&server),
        Some(KEY),
        &[
            "generate", "--agent", "1", "--engine", "2", "--cell", "3", "--type", "movie",
            "--data", "{}",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with(&format!(
            "error: invalid value 'movie' for '--type <CARD_TYPE>'\n  [possible values: {}; or an internal `…_generation` name]\n",
            GenerationType::KNOWN.join(", ")
        )),
        "{}",
        stderr(&out)
    );
    assert_eq!(never.calls_async().await, 0);
}

// ---- the --body cap -------------------------------------------------------

/// The cap of `gen api --body` (16 MiB: genpro-sdk's largest answer).
const CAP: u64 = genpro_sdk::error::DEFAULT_MAX_BODY;

#[tokio::test]
async fn a_body_file_one_byte_over_the_cap_is_refused() {
    let server = MockServer::start_async().await;
    let never = stray(&server).await;
    let file = tempfile::NamedTempFile::new().unwrap();
    // sparse: no disk is spent on it
    file.as_file().set_len(CAP + 1).unwrap();
    let path = file.path().to_str().unwrap().to_owned();
    let body = format!("@{path}");
    let out = gen_with(
        Some(&server),
        Some(KEY),
        &[
            "api",
            "update_agent_core",
            "--param",
            "agent_id=42",
            "--body",
            &body,
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!("error: --body @{path} is larger than the {CAP}-byte body cap; nothing was sent\n")
    );
    // at the cap it is read (and refused for what it holds: zero bytes are not JSON)
    file.as_file().set_len(CAP).unwrap();
    let out = gen_with(
        Some(&server),
        Some(KEY),
        &[
            "api",
            "update_agent_core",
            "--param",
            "agent_id=42",
            "--body",
            &body,
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with(&format!("error: {path} is not valid JSON: ")),
        "{}",
        stderr(&out)
    );
    assert_eq!(never.calls_async().await, 0);
}

#[tokio::test]
async fn an_endless_body_fails_fast() {
    let server = MockServer::start_async().await;
    let never = stray(&server).await;
    let started = Instant::now();
    let out = gen_with(
        Some(&server),
        Some(KEY),
        &[
            "api",
            "update_agent_core",
            "--param",
            "agent_id=42",
            "--body",
            "@/dev/zero",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!(
            "error: --body @/dev/zero is larger than the {CAP}-byte body cap; nothing was sent\n"
        )
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(never.calls_async().await, 0);
}

#[tokio::test]
async fn a_body_on_stdin_over_the_cap_is_refused() {
    let server = MockServer::start_async().await;
    let never = stray(&server).await;
    let mut cmd = gen_command(Some(&server));
    cmd.env("GEN_API_KEY", KEY).args([
        "api",
        "update_agent_core",
        "--param",
        "agent_id=42",
        "--body",
        "@-",
    ]);
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    // writes until gen stops reading (a broken pipe ends the writer)
    let writer = std::thread::spawn(move || {
        let chunk = vec![b' '; 64 * 1024];
        let mut sent = 0u64;
        while pipe.write_all(&chunk).is_ok() {
            sent += chunk.len() as u64;
            if sent > 4 * CAP {
                break;
            }
        }
        sent
    });
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    let sent = writer.join().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!("error: --body @- is larger than the {CAP}-byte body cap; nothing was sent\n")
    );
    assert!(sent < 4 * CAP, "gen read on: {sent} bytes");
    assert_eq!(never.calls_async().await, 0);
}

#[tokio::test]
async fn help_documents_the_exit_codes() {
    let out = gen_with(None, None, &["--help"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let help = stdout(&out);
    for line in [
        "Exit codes:",
        "  0    success",
        "  2    usage: unknown command or option, missing or invalid argument",
        "  3    bad input, refused before sending (card, --data, --param, --body)",
        "  4    authentication: no API key, or GEN refused it (401, 403)",
        "  5    API error: GEN answered another 4xx or 5xx",
        "  6    network: GEN could not be reached",
        "  7    timeout: a request timed out, or --max-wait ran out",
        "  8    the job ended without completing (failed, rejected, stopped)",
        "  130  interrupted (Ctrl-C)",
    ] {
        assert!(help.lines().any(|l| l == line), "{line:?} not in {help}");
    }
}

// ---- NO_COLOR -------------------------------------------------------------

/// Runs `gen args` on a pseudo-terminal (util-linux `script`), with
/// `NO_COLOR=no_color` when given; the terminal's output and exit code.
/// `None` when `script` is not installed.
async fn on_a_terminal(
    server: &MockServer,
    no_color: Option<&str>,
    args: &[&str],
) -> Option<(String, Option<i32>)> {
    let line = std::iter::once(env!("CARGO_BIN_EXE_gen"))
        .chain(args.iter().copied())
        .collect::<Vec<_>>()
        .join(" ");
    let mut cmd = gen_command(Some(server));
    cmd.env("GEN_API_KEY", KEY).env("TERM", "xterm-256color");
    if let Some(value) = no_color {
        cmd.env("NO_COLOR", value);
    }
    // `script` runs gen with the same environment
    let mut script = std::process::Command::new("script");
    script.args(["-q", "-e", "-c", &line, "/dev/null"]);
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => script.env(k, v),
            None => script.env_remove(k),
        };
    }
    let out = tokio::task::spawn_blocking(move || {
        script
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
    })
    .await
    .unwrap()
    .ok()?;
    Some((stdout(&out), out.status.code()))
}

#[tokio::test]
async fn no_color_turns_the_progress_bars_off() {
    let server = MockServer::start_async().await;
    generation(&server, json!({"id": 77, "status": "processing"})).await;
    let args = ["wait", "77", "--max-wait", "2"];
    let Some((drawn, code)) = on_a_terminal(&server, None, &args).await else {
        eprintln!("util-linux `script` is not installed: no terminal to test on");
        return;
    };
    assert_eq!(code, Some(7), "{drawn}");
    // on a terminal the spinner is drawn: escape sequences and its label
    assert!(drawn.contains('\u{1b}'), "{drawn:?}");
    assert!(drawn.contains("generation 77: running"), "{drawn:?}");
    // and cleared before the error is printed, which starts a line
    assert!(
        drawn.contains("\u{1b}[2Kerror: gave up waiting"),
        "{drawn:?}"
    );

    let (plain, code) = on_a_terminal(&server, Some("1"), &args).await.unwrap();
    assert_eq!(code, Some(7), "{plain}");
    assert!(!plain.contains('\u{1b}'), "{plain:?}");
    assert!(!plain.contains("generation 77: running"), "{plain:?}");
    assert!(
        plain.starts_with("error: gave up waiting for generation 77"),
        "{plain:?}"
    );

    // an empty NO_COLOR does not count (no-color.org)
    let (empty, _) = on_a_terminal(&server, Some(""), &args).await.unwrap();
    assert!(empty.contains('\u{1b}'), "{empty:?}");
}

#[tokio::test]
async fn the_key_on_stdin_leaves_the_rest_for_the_body() {
    let server = MockServer::start_async().await;
    let patched = server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path("/v1/agents/42/core")
                .header("x-api-key", KEY)
                .json_body(json!({"brand_name": "Santiago"}));
            then.status(200)
                .header("content-type", "application/json")
                .json_body(json!({"brand_name": "Santiago"}));
        })
        .await;
    let mut cmd = gen_command(Some(&server));
    cmd.args([
        "--api-key-stdin",
        "api",
        "update_agent_core",
        "--param",
        "agent_id=42",
        "--body",
        "@-",
    ]);
    let stdin = format!("{KEY}\n{{\"brand_name\": \"Santiago\"}}\n");
    let out = run(cmd, Some(stdin.as_bytes())).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(patched.calls_async().await, 1);
    assert_no_key(&out, KEY);
}

#[tokio::test]
async fn the_key_on_stdin_is_refused_for_mcp_on_stdio() {
    let mut cmd = gen_command(None);
    cmd.args(["--api-key-stdin", "mcp"]);
    let out = run(cmd, Some(format!("{KEY}\n").as_bytes())).await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "error: --api-key-stdin cannot be used with `gen mcp` on stdio: stdin carries the protocol (use --api-key-file or GEN_API_KEY_FILE)\n"
    );
}
