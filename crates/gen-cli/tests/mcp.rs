//! `gen mcp` driven as a child process by rmcp's MCP client (stdio),
//! offline against the built-in fake (genpro-mock). Nothing reaches the
//! internet.
//!
//! The journey and the workflow tests also run against the varied fake
//! (`GEN_MOCK_VARY`) for the seeds in [`SEEDS`]: `varied::<test>::seed_<n>`.
//! There, an assertion on a value the answer may leave out (a field
//! openapi.yaml does not require) holds when the value is there, and a
//! value an operation tool passes through as sent may come in its varied
//! shape; everything else is asserted as in the plain run.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use genpro_sdk::genpro_api::operations::OPERATIONS;
use genpro_sdk::genpro_api::types::Engine;
use genpro_sdk::steps::Role;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientRequest, ProgressNotificationParam, ProgressToken,
    Request, ServerResult,
};
use rmcp::service::{NotificationContext, PeerRequestOptions, RunningService};
use rmcp::transport::{ConfigureCommandExt, TokioChildProcess};
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde_json::{Map, Value, json};

/// The MCP client: keeps every progress notification it receives.
#[derive(Clone, Default)]
struct Client {
    received: Arc<Mutex<Vec<ProgressNotificationParam>>>,
}

impl ClientHandler for Client {
    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.received.lock().unwrap().push(params);
    }
}

/// The first progress notification for `token`, waiting up to `within`.
async fn first_progress(
    session: &Session,
    token: &ProgressToken,
    within: Duration,
) -> ProgressNotificationParam {
    let deadline = Instant::now() + within;
    loop {
        if let Some(p) = session
            .service()
            .received
            .lock()
            .unwrap()
            .iter()
            .find(|p| &p.progress_token == token)
        {
            return p.clone();
        }
        assert!(Instant::now() < deadline, "no progress notification");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

type Session = RunningService<RoleClient, Client>;

/// The seeds of the varied runs (genpro-mock's journey tests use the same).
const SEEDS: [u64; 3] = [11, 2024, 31337];

/// Starts `gen mcp --offline` (plus `extra` arguments) without a key and
/// connects to it.
async fn connect(extra: &[&str]) -> Session {
    connect_varied(extra, None).await
}

/// [`connect`], the fake varying its answers with `vary` when given
/// (`GEN_MOCK_VARY`).
async fn connect_varied(extra: &[&str], vary: Option<u64>) -> Session {
    let extra: Vec<String> = extra.iter().map(|s| (*s).to_owned()).collect();
    let command = tokio::process::Command::new(env!("CARGO_BIN_EXE_gen")).configure(|cmd| {
        cmd.arg("mcp").arg("--offline").args(&extra);
        cmd.env_remove("GEN_API_KEY")
            .env_remove("GEN_API_KEY_FILE")
            .env_remove("GEN_API_URL")
            .env_remove("GEN_AGENT_URL")
            .env_remove("GEN_MOCK_VARY");
        if let Some(seed) = vary {
            cmd.env("GEN_MOCK_VARY", seed.to_string());
        }
    });
    let (transport, _stderr) = TokioChildProcess::builder(command)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn gen mcp");
    Client::default()
        .serve(transport)
        .await
        .expect("initialize the MCP session")
}

/// `check` holds for `value`, or, in a varied run, the value is absent
/// (the answer left out a field openapi.yaml does not require).
fn when_present(vary: Option<u64>, value: &Value, check: impl Fn(&Value) -> bool) -> bool {
    (vary.is_some() && value.is_null()) || check(value)
}

/// A number an operation tool passed through as the fake sent it: `n`, or
/// in a varied run also its text, `null` or nothing.
fn passed_through(vary: Option<u64>, value: &Value, n: i64) -> bool {
    let text = n.to_string();
    *value == n || (vary.is_some() && (value.is_null() || value.as_str() == Some(text.as_str())))
}

fn args(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("arguments must be an object, got {other}"),
    }
}

/// The structured content of a result.
fn content(result: &CallToolResult) -> Value {
    result
        .structured_content
        .clone()
        .unwrap_or_else(|| panic!("no structured content in {result:?}"))
}

/// A short form of a result for the transcript: the body reduced to its
/// id and status, lists to their lengths.
fn brief(value: &Value) -> String {
    let mut value = value.clone();
    if let Some(map) = value.as_object_mut() {
        if let Some(body) = map.remove("body") {
            for key in ["id", "status", "generation_id", "user_job_id"] {
                if let Some(v) = body.get(key) {
                    map.insert(format!("body.{key}"), v.clone());
                }
            }
        }
        for key in ["ideas", "output_urls"] {
            if let Some(Value::Array(items)) = map.get(key) {
                let first = items
                    .first()
                    .map(|i| i.get("title").cloned().unwrap_or_else(|| i.clone()));
                let short = json!({"count": items.len(), "first": first});
                map.insert(key.to_owned(), short);
            }
        }
        map.remove("note");
        map.remove("hint");
    }
    value.to_string()
}

/// Calls `tool` and prints one transcript line (tool, arguments, short result).
async fn call(session: &Session, tool: &str, arguments: Value) -> CallToolResult {
    let shown = arguments.to_string();
    let result = session
        .call_tool(CallToolRequestParams::new(tool.to_owned()).with_arguments(args(arguments)))
        .await
        .unwrap_or_else(|e| panic!("{tool}: {e}"));
    let mut short = result
        .structured_content
        .as_ref()
        .map(brief)
        .unwrap_or_default();
    if short.len() > 400 {
        let mut end = 400;
        while !short.is_char_boundary(end) {
            end -= 1;
        }
        short.truncate(end);
        short.push('…');
    }
    eprintln!(
        "transcript | {tool} | {shown} | {}{short}",
        if result.is_error == Some(true) {
            "ERROR "
        } else {
            ""
        }
    );
    result
}

/// Calls `tool` and returns its structured content, failing on a tool error.
async fn ok(session: &Session, tool: &str, arguments: Value) -> Value {
    let result = call(session, tool, arguments).await;
    assert_ne!(result.is_error, Some(true), "{tool} failed: {result:?}");
    content(&result)
}

fn expected_names() -> BTreeSet<String> {
    OPERATIONS
        .iter()
        .map(|op| format!("{}_{}", op.phase.as_str(), op.operation_id))
        .chain(
            genpro_mcp::tools::Workflow::ALL
                .iter()
                .map(|w| w.name().to_owned()),
        )
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn initialize_and_list_one_tool_per_operation_plus_the_workflow_tools() {
    let session = connect(&[]).await;
    let info = session.peer_info().expect("server info");
    assert_eq!(
        info.server_info.as_ref().map(|i| i.name.as_str()),
        Some("genpro-mcp")
    );
    let instructions = info.instructions.clone().unwrap_or_default();
    assert!(instructions.contains("OFFLINE MODE"), "{instructions}");
    assert!(instructions.contains("genpro-mock"), "{instructions}");

    let tools = session.list_all_tools().await.expect("tools/list");
    let workflow = genpro_mcp::tools::Workflow::ALL.len();
    assert_eq!(workflow, 8);
    assert_eq!(tools.len(), OPERATIONS.len() + workflow);
    let names: BTreeSet<String> = tools.iter().map(|t| t.name.to_string()).collect();
    assert_eq!(names.len(), tools.len(), "tool names are distinct");
    assert_eq!(names, expected_names());

    for op in OPERATIONS {
        let name = format!("{}_{}", op.phase.as_str(), op.operation_id);
        let tool = tools.iter().find(|t| t.name == name).expect("listed");
        let schema: Value = serde_json::from_str(op.input_schema).unwrap();
        assert_eq!(
            Value::Object((*tool.input_schema).clone()),
            schema,
            "{name}: the input schema is the operation's"
        );
        let description = tool.description.as_deref().unwrap_or_default();
        assert!(description.starts_with(op.summary.trim().trim_end_matches('.')));
        assert!(description.contains(&format!("({})", op.phase.as_str())));
        let annotations = tool.annotations.clone().expect("annotations");
        assert_eq!(
            annotations.read_only_hint,
            Some(op.method == "GET"),
            "{name}"
        );
        assert_eq!(
            description.contains("Read-only."),
            op.method == "GET",
            "{name}"
        );
        if op.method == "DELETE" {
            assert_eq!(annotations.destructive_hint, Some(true), "{name}");
        }
        let paid = op.retry == genpro_sdk::steps::RetryClass::Paid && op.method != "GET";
        assert_eq!(description.contains("Spends credits"), paid, "{name}");
    }
    let paid = tools
        .iter()
        .find(|t| t.name == "edit_generate_on_cell")
        .unwrap();
    assert!(
        paid.description
            .as_deref()
            .unwrap()
            .contains("Spends credits")
    );
    session.cancel().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_tool_answers_with_status_and_body() {
    let session = connect(&[]).await;
    let me = ok(&session, "setup_get_me", json!({})).await;
    assert_eq!(me["status"], 200);
    assert_eq!(me["body"]["id"], 7);
    let org = ok(&session, "setup_get_organization", json!({"id": 1})).await;
    assert_eq!(org["status"], 200);
    assert!(org["body"]["available_credit"]["generic"].is_number());
    session.cancel().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tool_errors_carry_status_error_code_and_hint() {
    let session = connect(&[]).await;
    let result = call(&session, "edit_get_generation", json!({"id": 987654})).await;
    assert_eq!(result.is_error, Some(true));
    let error = content(&result);
    assert_eq!(error["status"], 404);
    assert_eq!(error["error_code"], "not_found");
    assert!(
        error["hint"].as_str().unwrap().contains("does not exist"),
        "{error}"
    );

    // Unknown argument: refused before sending, as a tool error naming it.
    let result = call(
        &session,
        "edit_get_generation",
        json!({"id": 1, "colour": "red"}),
    )
    .await;
    assert_eq!(result.is_error, Some(true));
    let error = content(&result);
    assert_eq!(error["status"], Value::Null);
    assert_eq!(error["field"], "colour");

    // A typed card that fails validation: nothing is sent.
    let result = call(
        &session,
        "edit_generate_and_wait",
        json!({"agent_id": 42, "engine_id": 1, "cell_id": 1,
               "card": {"generation_type": "video_from_text",
                        "data": {"prompt": "tacos", "model": "kling_1_6", "duration": 7}}}),
    )
    .await;
    assert_eq!(result.is_error, Some(true));
    let error = content(&result);
    assert_eq!(error["field"], "data.duration", "{error}");

    // A multipart-only operation points to the upload tool.
    let result = call(
        &session,
        "setup_clone_voice",
        json!({"agent_id": 42, "body": {"name": "x", "file": "x"}}),
    )
    .await;
    assert_eq!(result.is_error, Some(true));
    assert!(
        content(&result)["error"]
            .as_str()
            .unwrap()
            .contains("edit_upload_file")
    );

    // The session survives errors.
    let me = ok(&session, "setup_get_me", json!({})).await;
    assert_eq!(me["status"], 200);
    session.cancel().await.ok();
}

async fn clone_engine(session: &Session) -> Engine {
    let cloned = ok(
        session,
        "vidsheet_clone_template",
        json!({"slug": "tiktok-talking-avatar", "body": {"agent_id": 42}}),
    )
    .await;
    serde_json::from_value(cloned["body"].clone()).expect("an engine")
}

fn video_cell(engine: &Engine) -> i64 {
    Role::Video
        .first_row_cell(engine)
        .expect("a video cell")
        .get()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_journey_through_workflow_tools() {
    the_whole_journey_through_workflow_tools_on(None).await;
}

async fn the_whole_journey_through_workflow_tools_on(vary: Option<u64>) {
    let session = connect_varied(&[], vary).await;

    // 1 — set up the agent (operation tool).
    let core = ok(
        &session,
        "setup_update_agent_core",
        json!({"agent_id": 42, "body": {"brand_name": "Santiago", "keywords": ["streetfood", "tacotok"]}}),
    )
    .await;
    assert_eq!(core["status"], 200);
    let credit = ok(
        &session,
        "setup_credit_balance",
        json!({"organization_id": 1, "planned": [{"card": {"generation_type": "video_from_text", "data": {"prompt": "tacos", "model": "kling_1_6"}}, "count": 2}]}),
    )
    .await;
    assert_eq!(credit["estimated_cost"], 100.0);
    // The generic balance is a guess (seed 003 names it, with no value):
    // when a varied answer leaves it out (or nulls it), `enough` is unknown.
    let generic = &credit["available_credit"]["generic"];
    if generic.is_null() {
        assert!(vary.is_some(), "{credit}");
        assert_eq!(credit["enough"], Value::Null, "{credit}");
    } else {
        assert_eq!(credit["enough"], true, "{credit}");
    }

    // 2 — ideas (workflow: run and wait).
    let ideas = ok(
        &session,
        "ideas_run_and_wait",
        json!({"agent_id": 42, "message": "Generate 3 content ideas"}),
    )
    .await;
    assert_eq!(ideas["outcome"], "completed");
    let idea = ideas["ideas"][0].clone();
    // `title` is a guess (no seed shows an idea's title with a value).
    assert!(
        when_present(vary, &idea["title"], Value::is_string),
        "{ideas}"
    );

    // 3 — clone a template into a vidsheet (operation tool).
    let engine = clone_engine(&session).await;
    let cell = video_cell(&engine);

    // 4 — generate and wait, with progress notifications.
    let handle = session
        .send_cancellable_request(
            ClientRequest::CallToolRequest(Request::new(
                CallToolRequestParams::new("edit_generate_and_wait").with_arguments(args(json!({
                    "agent_id": 42, "engine_id": engine.id, "cell_id": cell,
                    "card": {"generation_type": "video_from_text",
                             "data": {"prompt": idea["hook"].as_str().unwrap_or("tacos"),
                                      "model": "kling_1_6", "aspect_ratio": "9:16", "duration": 5}},
                    "max_wait_secs": 60
                }))),
            )),
            PeerRequestOptions::no_options(),
        )
        .await
        .expect("send");
    let token = handle.progress_token.clone();
    let ServerResult::CallToolResult(generated) = handle.await_response().await.expect("answer")
    else {
        panic!("not a tool result");
    };
    let generated = content(&generated);
    eprintln!(
        "transcript | edit_generate_and_wait | engine {} cell {cell} video_from_text | {}",
        engine.id.unwrap_or_default(),
        generated["summary"]
    );
    assert_eq!(generated["outcome"], "completed", "{generated}");
    assert!(generated["generation_id"].is_i64());
    assert!(
        generated["output_urls"][0]
            .as_str()
            .is_some_and(|u| u.starts_with("http")),
        "{generated}"
    );
    let first = first_progress(&session, &token, Duration::from_secs(5)).await;
    assert!(
        first.message.unwrap_or_default().contains("generation"),
        "progress names the job"
    );
    assert_eq!(first.total, Some(60.0));

    // 5 — render and wait, then publish and wait.
    let rendered = ok(
        &session,
        "publish_render_and_wait",
        json!({"agent_id": 42, "engine_id": engine.id, "max_wait_secs": 60}),
    )
    .await;
    assert_eq!(rendered["outcome"], "completed");
    let video_url = rendered["video_url"]
        .as_str()
        .expect("video_url")
        .to_owned();
    let published = ok(
        &session,
        "publish_post_and_wait",
        json!({"agent_id": 42, "media_url": video_url, "description": "The $2 taco at 2am #tacotok", "max_wait_secs": 60}),
    )
    .await;
    assert_eq!(published["outcome"], "completed", "{published}");
    assert!(
        when_present(vary, &published["post_id"], |p| !p.is_null()),
        "{published}"
    );

    // Scheduled: submitted, not awaited.
    let scheduled = ok(
        &session,
        "publish_post_and_wait",
        json!({"agent_id": 42, "media_url": rendered["video_url"], "description": "later", "scheduled_time": "2030-01-01T18:00:00Z"}),
    )
    .await;
    assert_eq!(scheduled["outcome"], "submitted");
    assert_eq!(scheduled["job"]["kind"], "user_job");
    session.cancel().await.ok();
}

/// Starts a generation on a fresh engine through the paid operation tool.
async fn start_generation(session: &Session) -> i64 {
    let engine = clone_engine(session).await;
    let cell = video_cell(&engine);
    let created = ok(
        session,
        "edit_generate_on_cell",
        json!({"id": engine.id, "cell_id": cell, "agent_id": 42,
               "body": {"generation_type": "text", "data": {"prompt": "a hook", "model": "gemini_2_5_pro"}}}),
    )
    .await;
    created["body"]["generation_id"]
        .as_i64()
        .expect("generation_id")
}

async fn generation_status(session: &Session, id: i64) -> String {
    let generation = ok(session, "edit_get_generation", json!({"id": id})).await;
    generation["body"]["status"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Calls wait_for_job on `id`, waits for its first progress notification,
/// then cancels the request (MCP notifications/cancelled).
async fn wait_then_cancel(session: &Session, id: i64, stop_on_cancel: bool) {
    let handle = session
        .send_cancellable_request(
            ClientRequest::CallToolRequest(Request::new(
                CallToolRequestParams::new("wait_for_job").with_arguments(args(json!({
                    "kind": "generation", "id": id, "stop_on_cancel": stop_on_cancel,
                    "max_wait_secs": 120
                }))),
            )),
            PeerRequestOptions::no_options(),
        )
        .await
        .expect("send");
    first_progress(session, &handle.progress_token, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    handle
        .cancel(Some("test".into()))
        .await
        .expect("cancel the request");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_wait_ends_and_stops_the_generation_only_when_asked() {
    a_cancelled_wait_ends_and_stops_the_generation_only_when_asked_on(None).await;
}

async fn a_cancelled_wait_ends_and_stops_the_generation_only_when_asked_on(vary: Option<u64>) {
    // Generations take 60 s in this fake: only a stop ends them early.
    let session = connect_varied(&["--mock-generation-ms", "60000"], vary).await;

    let kept = start_generation(&session).await;
    wait_then_cancel(&session, kept, false).await;
    let stopped = start_generation(&session).await;
    wait_then_cancel(&session, stopped, true).await;

    // The server answers at once after the cancellations (the waits ended).
    let started = Instant::now();
    assert_eq!(ok(&session, "setup_get_me", json!({})).await["status"], 200);
    assert!(started.elapsed() < Duration::from_secs(5));

    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let status = generation_status(&session, stopped).await;
        if status == "stopped" {
            break;
        }
        assert!(Instant::now() < deadline, "still {status}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let status = generation_status(&session, kept).await;
    assert!(
        status == "pending" || status == "processing",
        "without stop_on_cancel the generation goes on: {status}"
    );
    session.cancel().await.ok();
}

fn readme_section(begin: &str, end: &str) -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("README.md");
    let from = readme
        .find(begin)
        .unwrap_or_else(|| panic!("README has the marker {begin:?}"))
        + begin.len();
    let to = readme[from..].find(end).expect("end marker") + from;
    readme[from..to].to_owned()
}

/// README's two tool tables are what `gen mcp --list-tools` prints: the
/// operation tools (written by `cargo xtask generate` from openapi.yaml)
/// and the workflow tools.
#[test]
fn readme_tool_tables_are_the_list_tools_output() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(["mcp", "--list-tools"])
        .env_remove("GEN_API_KEY")
        .env_remove("GEN_API_KEY_FILE")
        .output()
        .expect("run gen mcp --list-tools");
    assert!(output.status.success());
    let listed = String::from_utf8(output.stdout).unwrap();
    assert_eq!(listed.lines().count(), 5 + expected_names().len());
    for name in expected_names() {
        assert!(listed.contains(&format!("| `{name}` |")), "{name}");
    }
    let operations = readme_section(
        "<!-- operation tools (cargo xtask generate): begin -->\n",
        "<!-- operation tools (cargo xtask generate): end -->",
    );
    let workflows = readme_section(
        "<!-- workflow tools: begin -->\n",
        "<!-- workflow tools: end -->",
    );
    assert_eq!(
        operations,
        genpro_mcp::tools::markdown_operations(),
        "README.md's operation tool table is stale: run `cargo xtask generate`"
    );
    assert_eq!(
        workflows,
        genpro_mcp::tools::markdown_workflows(),
        "README.md's workflow tool table is stale: paste the second table of `gen mcp --list-tools`"
    );
    assert_eq!(listed, format!("{operations}\n{workflows}"));
}

#[test]
fn http_refuses_a_non_loopback_address() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(["mcp", "--offline", "--http", "0.0.0.0:0"])
        .env_remove("GEN_API_KEY")
        .env_remove("GEN_API_KEY_FILE")
        .output()
        .expect("run gen mcp --http");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("refusing to serve on 0.0.0.0:0"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_key_it_talks_to_the_given_host_and_never_shows_the_key() {
    const KEY: &str = "gen-live-Secret-Key-0123456789";
    let mock =
        genpro_mock::MockServer::start(genpro_mock::MockConfig::default().with_api_keys([KEY]))
            .await
            .expect("fake GEN");
    let (api_url, agent_url) = (mock.api_url(), mock.agent_url());
    let command = tokio::process::Command::new(env!("CARGO_BIN_EXE_gen")).configure(|cmd| {
        cmd.arg("mcp")
            .env("GEN_API_KEY", KEY)
            .env("GEN_API_URL", &api_url)
            .env("GEN_AGENT_URL", &agent_url);
    });
    let (transport, _stderr) = TokioChildProcess::builder(command)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn gen mcp");
    let session = Client::default()
        .serve(transport)
        .await
        .expect("initialize");
    let instructions = session
        .peer_info()
        .and_then(|i| i.instructions.clone())
        .unwrap_or_default();
    assert!(!instructions.contains("OFFLINE"), "{instructions}");
    assert!(!instructions.contains(KEY));

    let me = ok(&session, "setup_get_me", json!({})).await;
    assert_eq!(me["body"]["id"], 7);
    let requests = mock.state().requests_to("/v1/me");
    assert_eq!(requests.len(), 1, "the call reached the given host");
    assert_eq!(requests[0].header("x-api-key"), Some(KEY));

    // GEN echoing the key in an answer: the tool output shows *** instead.
    let echoed = ok(
        &session,
        "setup_update_agent_core",
        json!({"agent_id": 42, "body": {"description": format!("my key is {KEY}")}}),
    )
    .await;
    assert_eq!(echoed["status"], 200);
    let mut outputs = vec![echoed.to_string()];
    assert!(echoed.to_string().contains("my key is ***"), "{echoed}");

    // Errors and tool texts never carry it either.
    for (tool, arguments) in [
        ("edit_get_generation", json!({"id": 424242})),
        ("setup_get_agent_core", json!({"agent_id": 999})),
        ("wait_for_job", json!({"kind": "generation", "id": 424242})),
    ] {
        let result = call(&session, tool, arguments).await;
        assert_eq!(result.is_error, Some(true), "{tool}");
        outputs.push(serde_json::to_string(&result).unwrap());
    }
    for output in outputs {
        assert!(!output.contains(KEY), "{output}");
    }
    session.cancel().await.ok();
    mock.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_a_local_file_as_a_content_resource() {
    upload_a_local_file_as_a_content_resource_on(None).await;
}

async fn upload_a_local_file_as_a_content_resource_on(vary: Option<u64>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hero.mp4");
    std::fs::write(&path, vec![7u8; 4096]).unwrap();
    let session = connect_varied(&[], vary).await;
    let uploaded = ok(
        &session,
        "edit_upload_file",
        json!({"agent_id": 42, "path": path.display().to_string()}),
    )
    .await;
    let resource = &uploaded["content_resource"];
    assert!(
        when_present(vary, &resource["id"], Value::is_i64),
        "{uploaded}"
    );
    assert!(
        when_present(vary, &resource["filename"], |f| f == "hero.mp4"),
        "{uploaded}"
    );
    // The content resource's `id` is optional: a varied answer may leave
    // it out, and then there is nothing to fetch.
    if let Some(id) = resource["id"].as_i64() {
        let fetched = ok(
            &session,
            "edit_get_content_resource",
            json!({"id": id, "agent_id": 42}),
        )
        .await;
        assert_eq!(fetched["status"], 200);
        assert!(
            passed_through(vary, &fetched["body"]["byte_size"], 4096),
            "{fetched}"
        );
    }

    let missing = call(
        &session,
        "edit_upload_file",
        json!({"agent_id": 42, "path": dir.path().join("nope.mp4").display().to_string()}),
    )
    .await;
    assert_eq!(missing.is_error, Some(true));
    assert!(
        content(&missing)["error"]
            .as_str()
            .unwrap()
            .contains("nope.mp4"),
        "{missing:?}"
    );
    session.cancel().await.ok();
}

fn column_of(engine: &Engine, cell_id: i64) -> i64 {
    engine
        .spreadsheet_cells
        .iter()
        .chain(
            engine
                .spreadsheet_rows
                .iter()
                .flat_map(|r| r.spreadsheet_cells.iter()),
        )
        .find(|c| c.id == Some(cell_id))
        .and_then(|c| c.column_id)
        .expect("the cell's column")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn column_regeneration_is_checked_against_the_credit_first() {
    column_regeneration_is_checked_against_the_credit_first_on(None).await;
}

async fn column_regeneration_is_checked_against_the_credit_first_on(vary: Option<u64>) {
    let text_card =
        json!({"generation_type": "text", "data": {"prompt": "a hook", "model": "gemini_2_5_pro"}});

    // Enough credit: every cell of the column is generated and awaited.
    let session = connect_varied(&[], vary).await;
    let engine = clone_engine(&session).await;
    let column = column_of(&engine, video_cell(&engine));
    let report = ok(
        &session,
        "edit_regenerate_column",
        json!({"organization_id": 1, "agent_id": 42, "engine_id": engine.id,
               "column_id": column, "card": text_card, "max_wait_secs": 60}),
    )
    .await;
    let cells = report["cells"].as_array().expect("cells");
    assert!(!cells.is_empty());
    assert_eq!(report["completed"], cells.len(), "{report}");
    assert!(
        cells.iter().all(|c| c["outcome"] == "completed"),
        "{report}"
    );
    session.cancel().await.ok();

    // 2 credits: refused before anything is sent, the balance untouched.
    let session = connect_varied(&["--mock-credit", "2"], vary).await;
    let engine = clone_engine(&session).await;
    let column = column_of(&engine, video_cell(&engine));
    let refused = call(
        &session,
        "edit_regenerate_column",
        json!({"organization_id": 1, "agent_id": 42, "engine_id": engine.id,
               "column_id": column, "card": text_card}),
    )
    .await;
    if vary.is_some() && refused.is_error != Some(true) {
        // The varied answer gave no generic balance: the cost could not be
        // checked first, and the batch went on (GEN's own check is left).
        let report = content(&refused);
        assert_eq!(report["available_credit"], Value::Null, "{report}");
        session.cancel().await.ok();
        return;
    }
    assert_eq!(refused.is_error, Some(true));
    let refused = content(&refused);
    assert_eq!(refused["error_code"], "insufficient_credits_for_job");
    assert!(
        when_present(vary, &refused["available_credit"], |c| *c == 2.0),
        "{refused}"
    );
    assert!(
        refused["estimated_cost"].as_f64().unwrap() >= 3.0,
        "{refused}"
    );
    let balance = ok(
        &session,
        "setup_credit_balance",
        json!({"organization_id": 1}),
    )
    .await;
    assert!(
        when_present(vary, &balance["available_credit"]["generic"], |c| *c == 2.0),
        "{balance}"
    );
    let check = ok(
        &session,
        "setup_credit_balance",
        json!({"organization_id": 1, "planned": [{"card": text_card}]}),
    )
    .await;
    if check["available_credit"]["generic"].is_null() {
        assert!(vary.is_some(), "{check}");
        assert_eq!(check["enough"], Value::Null, "{check}");
    } else {
        assert_eq!(check["enough"], false, "{check}");
    }
    session.cancel().await.ok();
}

/// One module per test above, one test per seed of [`SEEDS`]: the same
/// test against the varied fake.
macro_rules! varied_tests {
    ($($test:ident => $on:ident),* $(,)?) => {
        mod varied {
            $(
                mod $test {
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn seed_11() {
                        super::super::$on(Some(super::super::SEEDS[0])).await;
                    }
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn seed_2024() {
                        super::super::$on(Some(super::super::SEEDS[1])).await;
                    }
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn seed_31337() {
                        super::super::$on(Some(super::super::SEEDS[2])).await;
                    }
                }
            )*
        }
    };
}

varied_tests!(
    the_whole_journey_through_workflow_tools => the_whole_journey_through_workflow_tools_on,
    a_cancelled_wait_ends_and_stops_the_generation_only_when_asked => a_cancelled_wait_ends_and_stops_the_generation_only_when_asked_on,
    upload_a_local_file_as_a_content_resource => upload_a_local_file_as_a_content_resource_on,
    column_regeneration_is_checked_against_the_credit_first => column_regeneration_is_checked_against_the_credit_first_on,
);
