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
    Client::default()
        .serve(spawn(extra, vary))
        .await
        .expect("initialize the MCP session")
}

/// `gen mcp --offline` (plus `extra` arguments) as a child process without
/// a key, the fake varying its answers with `vary` when given.
fn spawn(extra: &[&str], vary: Option<u64>) -> TokioChildProcess {
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
    transport
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
        .chain(["search_operations", "describe_operation", "call_operation"].map(String::from))
        .collect()
}

/// The bytes of a `tools/list` result holding `tools`, as sent.
fn list_bytes(tools: &[rmcp::model::Tool]) -> usize {
    serde_json::to_vec(&rmcp::model::ListToolsResult::with_all_items(
        tools.to_vec(),
    ))
    .unwrap()
    .len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_lists_one_tool_per_operation_plus_the_workflow_and_meta_tools() {
    let session = connect(&["--toolsets", "all"]).await;
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
    assert_eq!(tools.len(), OPERATIONS.len() + workflow + 3);
    let names: BTreeSet<String> = tools.iter().map(|t| t.name.to_string()).collect();
    assert_eq!(names.len(), tools.len(), "tool names are distinct");
    assert_eq!(names, expected_names());

    for op in OPERATIONS {
        let name = format!("{}_{}", op.phase.as_str(), op.operation_id);
        let tool = tools.iter().find(|t| t.name == name).expect("listed");
        let schema: Value = serde_json::from_str(op.input_schema).unwrap();
        assert_eq!(
            Value::Object((*tool.input_schema).clone()),
            genpro_mcp::compact::listed(&schema),
            "{name}: the input schema is the operation's, compact"
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
    // No tool carries the 24 KB creation card any more: it is a shared brief.
    let largest = tools
        .iter()
        .map(|t| serde_json::to_vec(t).unwrap().len())
        .max()
        .unwrap();
    assert!(largest < 4_096, "largest tool {largest} bytes");
    session.cancel().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_list_is_small_and_reaches_every_operation() {
    let session = connect(&[]).await;
    let tools = session.list_all_tools().await.expect("tools/list");
    let names: Vec<String> = tools.iter().map(|t| t.name.to_string()).collect();
    assert_eq!(names, genpro_mcp::Selection::default().names());
    assert!(tools.len() <= 30, "{} tools", tools.len());
    let bytes = list_bytes(&tools);
    assert!(bytes <= 20 * 1024, "{bytes} bytes");
    eprintln!("default tools/list: {} tools, {bytes} bytes", tools.len());
    for core in OPERATIONS.iter().filter(|op| op.mcp_core) {
        assert!(names.contains(&format!("{}_{}", op_phase(core), core.operation_id)));
    }

    // Every operation is found by search and described in full.
    let all = ok(&session, "search_operations", json!({"limit": 100})).await;
    assert_eq!(all["total"], OPERATIONS.len());
    for op in OPERATIONS {
        let described = ok(
            &session,
            "describe_operation",
            json!({"operation_id": op.operation_id}),
        )
        .await;
        assert_eq!(
            described["input_schema"],
            serde_json::from_str::<Value>(op.input_schema).unwrap(),
            "{}",
            op.operation_id
        );
    }
    // A listed-by-name call of an unlisted tool says how to reach it.
    let refused = call(&session, "edit_get_row", json!({"id": 1, "row_id": 1})).await;
    assert_eq!(refused.is_error, Some(true));
    assert_eq!(
        content(&refused)["error"],
        "tool `edit_get_row` is not enabled on this server: start the server with --toolsets or --tools naming it, or reach an operation through call_operation"
    );
    // call_operation reaches it, GEN's error passed on as for any tool.
    let missing = call(
        &session,
        "call_operation",
        json!({"operation_id": "get_generation", "arguments": {"id": 987654}}),
    )
    .await;
    assert_eq!(missing.is_error, Some(true));
    assert_eq!(content(&missing)["status"], 404, "{missing:?}");
    let unknown = call(
        &session,
        "call_operation",
        json!({"operation_id": "launch_rocket", "arguments": {}}),
    )
    .await;
    assert_eq!(
        content(&unknown)["error"],
        "no operation `launch_rocket`; search_operations finds operation ids"
    );
    session.cancel().await.ok();
}

fn op_phase(op: &genpro_sdk::genpro_api::operations::Operation) -> &'static str {
    op.phase.as_str()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn toolsets_and_single_tools_list_exactly_those() {
    let session = connect(&["--toolsets", "publish", "--tools", "setup_get_me"]).await;
    let names: Vec<String> = names_of(&session).await;
    let expected = genpro_mcp::Selection::parse(Some("publish"), Some("setup_get_me"), false)
        .unwrap()
        .names();
    assert_eq!(names, expected);
    assert!(names.contains(&"setup_get_me".to_owned()));
    assert!(names.contains(&"publish_render_and_wait".to_owned()));
    assert!(
        names
            .iter()
            .all(|n| n.starts_with("publish_") || n == "setup_get_me" || n == "wait_for_job"),
        "{names:?}"
    );
    session.cancel().await.ok();

    let status = std::process::Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(["mcp", "--offline", "--toolsets", "render"])
        .env_remove("GEN_API_KEY")
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(3), "input error");
    assert!(
        String::from_utf8_lossy(&status.stderr).contains("unknown toolset `render`"),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
}

/// The names of the tools `session` lists.
async fn names_of<H: ClientHandler>(session: &RunningService<RoleClient, H>) -> Vec<String> {
    session
        .list_all_tools()
        .await
        .expect("tools/list")
        .iter()
        .map(|t| t.name.to_string())
        .collect()
}

/// A client that counts `notifications/tools/list_changed`.
#[derive(Clone, Default)]
struct Watcher {
    changed: Arc<Mutex<usize>>,
}

impl ClientHandler for Watcher {
    async fn on_tool_list_changed(&self, _context: NotificationContext<RoleClient>) {
        *self.changed.lock().unwrap() += 1;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamic_mode_enables_a_toolset_and_says_the_list_changed() {
    let transport = spawn(&["--dynamic-toolsets"], None);
    let watcher = Watcher::default();
    let session = watcher.clone().serve(transport).await.expect("initialize");
    let caps = session.peer_info().unwrap().capabilities.clone();
    assert_eq!(caps.tools.and_then(|t| t.list_changed), Some(true));
    let before: Vec<String> = names_of(&session).await;
    assert!(before.contains(&"enable_toolset".to_owned()));
    assert!(!before.contains(&"edit_get_row".to_owned()));
    let refused = session
        .call_tool(
            CallToolRequestParams::new("edit_get_row")
                .with_arguments(args(json!({"id": 1, "row_id": 1}))),
        )
        .await
        .unwrap();
    assert!(
        content(&refused)["error"]
            .as_str()
            .unwrap()
            .contains("enable its toolset with enable_toolset"),
        "{refused:?}"
    );

    let toolsets = session
        .call_tool(CallToolRequestParams::new("list_toolsets"))
        .await
        .unwrap();
    let toolsets = content(&toolsets);
    let edit = toolsets["toolsets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["toolset"] == "edit")
        .unwrap()
        .clone();
    assert_eq!(edit["enabled"], false);

    let enabled = session
        .call_tool(
            CallToolRequestParams::new("enable_toolset")
                .with_arguments(args(json!({"toolset": "edit"}))),
        )
        .await
        .unwrap();
    let enabled = content(&enabled);
    assert!(
        enabled["added"]
            .as_array()
            .unwrap()
            .contains(&json!("edit_get_row")),
        "{enabled}"
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    while *watcher.changed.lock().unwrap() == 0 {
        assert!(
            Instant::now() < deadline,
            "no notifications/tools/list_changed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let after: Vec<String> = names_of(&session).await;
    let edit_tools: Vec<String> = edit["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_owned())
        .collect();
    assert!(edit_tools.iter().all(|t| after.contains(t)));
    assert_eq!(
        after.len(),
        before.len() + enabled["added"].as_array().unwrap().len()
    );
    // Enabling it again adds nothing and sends no second notification.
    let again = session
        .call_tool(
            CallToolRequestParams::new("enable_toolset")
                .with_arguments(args(json!({"toolset": "edit"}))),
        )
        .await
        .unwrap();
    assert_eq!(content(&again)["added"], json!([]));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(*watcher.changed.lock().unwrap(), 1);
    let row = session
        .call_tool(
            CallToolRequestParams::new("edit_list_rows")
                .with_arguments(args(json!({"id": 999999, "agent_id": 42}))),
        )
        .await
        .unwrap();
    assert_eq!(content(&row)["status"], 404, "{row:?}");
    session.cancel().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resources_and_the_journey_prompt() {
    let session = connect(&[]).await;
    let resources = session.list_all_resources().await.unwrap();
    let uris: Vec<&str> = resources.iter().map(|r| r.uri.as_str()).collect();
    assert_eq!(uris, [genpro_mcp::INDEX_URI, genpro_mcp::CARD_URI]);
    let templates = session.list_all_resource_templates().await.unwrap();
    assert_eq!(
        templates[0].uri_template,
        genpro_mcp::OPERATION_URI_TEMPLATE
    );
    let read = session
        .read_resource(rmcp::model::ReadResourceRequestParams::new(
            "gen://operations/get_generation",
        ))
        .await
        .unwrap();
    let text = match &read.contents[0] {
        rmcp::model::ResourceContents::TextResourceContents { text, .. } => text.clone(),
        other => panic!("{other:?}"),
    };
    let value: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["path"], "/v1/generations/{id}");
    assert!(
        session
            .read_resource(rmcp::model::ReadResourceRequestParams::new(
                "gen://operations/nope"
            ))
            .await
            .is_err()
    );
    let prompts = session.list_all_prompts().await.unwrap();
    assert_eq!(prompts[0].name, genpro_mcp::JOURNEY_PROMPT);
    let prompt = session
        .get_prompt(
            rmcp::model::GetPromptRequestParams::new(genpro_mcp::JOURNEY_PROMPT)
                .with_arguments(args(json!({"agent_id": "42", "idea": "tacos at 2am"}))),
        )
        .await
        .unwrap();
    let text = serde_json::to_string(&prompt).unwrap();
    assert!(
        text.contains("agent 42") && text.contains("tacos at 2am"),
        "{text}"
    );
    session.cancel().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_tool_answers_with_status_and_body() {
    let session = connect(&["--toolsets", "all"]).await;
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
    let session = connect(&["--toolsets", "all"]).await;
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
    // An operation outside the default set: found, described, called
    // through the meta-tools.
    let found = ok(
        &session,
        "search_operations",
        json!({"query": "agent core", "phase": "setup"}),
    )
    .await;
    let ids: Vec<&str> = found["operations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["operation_id"].as_str())
        .collect();
    assert!(ids.contains(&"update_agent_core"), "{found}");
    let described = ok(
        &session,
        "describe_operation",
        json!({"operation_id": "update_agent_core"}),
    )
    .await;
    assert_eq!(described["method"], "PATCH");
    assert!(described["input_schema"]["properties"]["body"].is_object());
    let core = ok(
        &session,
        "call_operation",
        json!({"operation_id": "update_agent_core", "arguments": {"agent_id": 42, "body": {"brand_name": "Santiago", "keywords": ["streetfood", "tacotok"]}}}),
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
    let session = connect_varied(
        &["--toolsets", "all", "--mock-generation-ms", "60000"],
        vary,
    )
    .await;

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
    // Every tool, plus the two of dynamic mode.
    assert_eq!(listed.lines().count(), 5 + expected_names().len() + 2);
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
        cmd.args(["mcp", "--toolsets", "all"])
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
    let root = dir.path().display().to_string();
    let session = connect_varied(&["--toolsets", "all", "--allow-dir", &root], vary).await;
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

/// The error of a refused upload of `path`, and the roots it names.
async fn refused_upload(session: &Session, path: &str) -> (String, Value) {
    let result = call(
        session,
        "edit_upload_file",
        json!({"agent_id": 42, "path": path}),
    )
    .await;
    assert_eq!(result.is_error, Some(true), "{path}: {result:?}");
    let value = content(&result);
    assert_eq!(value["error_code"], "path_not_allowed", "{value}");
    (
        value["error"].as_str().unwrap().to_owned(),
        value["allowed_roots"].clone(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_outside_the_allowed_roots_are_refused() {
    let allowed = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("id_ed25519");
    std::fs::write(&secret, b"PRIVATE KEY").unwrap();
    let inside = allowed.path().join("clip.mp4");
    std::fs::write(&inside, vec![1u8; 64]).unwrap();
    let root = std::fs::canonicalize(allowed.path()).unwrap();
    let root_text = root.display().to_string();
    let session = connect(&["--allow-dir", &root_text]).await;

    // 1. An absolute path outside.
    let (error, roots) = refused_upload(&session, &secret.display().to_string()).await;
    assert_eq!(
        error,
        format!(
            "`{}` is outside the allowed roots ({root_text}): this server reads files only under `gen mcp --allow-dir DIR` (default: the working directory)",
            secret.display()
        )
    );
    assert_eq!(roots, json!([root_text]));
    let (error, _) = refused_upload(&session, "/etc/passwd").await;
    assert!(
        error.starts_with("`/etc/passwd` is outside the allowed roots"),
        "{error}"
    );

    // 2. `../` traversal from a relative path and from inside the root.
    let relative = format!(
        "../{}/id_ed25519",
        outside.path().file_name().unwrap().to_string_lossy()
    );
    let (error, _) = refused_upload(&session, &relative).await;
    assert!(error.contains("is outside the allowed roots"), "{error}");
    let through = format!(
        "{root_text}/../{}/id_ed25519",
        outside.path().file_name().unwrap().to_string_lossy()
    );
    let (error, _) = refused_upload(&session, &through).await;
    assert!(error.contains("is outside the allowed roots"), "{error}");

    // 3. A symlink inside the root that points outside.
    let link = root.join("innocent.mp4");
    std::os::unix::fs::symlink(&secret, &link).unwrap();
    let (error, _) = refused_upload(&session, &link.display().to_string()).await;
    assert!(error.contains("is outside the allowed roots"), "{error}");
    let (error, _) = refused_upload(&session, "innocent.mp4").await;
    assert!(error.contains("is outside the allowed roots"), "{error}");
    // A symlinked folder escaping the root, too.
    std::os::unix::fs::symlink(outside.path(), root.join("shared")).unwrap();
    let (error, _) = refused_upload(&session, "shared/id_ed25519").await;
    assert!(error.contains("is outside the allowed roots"), "{error}");

    // Inside the root: relative (from the root) and absolute paths upload.
    for path in ["clip.mp4".to_owned(), inside.display().to_string()] {
        let uploaded = ok(
            &session,
            "edit_upload_file",
            json!({"agent_id": 42, "path": path}),
        )
        .await;
        assert_eq!(
            uploaded["content_resource"]["filename"], "clip.mp4",
            "{uploaded}"
        );
    }
    session.cancel().await.ok();
}

/// A client offering MCP roots.
#[derive(Clone)]
struct WithRoots {
    roots: Vec<String>,
}

impl ClientHandler for WithRoots {
    // Roots are deprecated by SEP-2577 for a future protocol version; the
    // server honours them while clients offer them.
    #[allow(deprecated)]
    fn get_info(&self) -> rmcp::model::ClientConfig {
        rmcp::model::ClientConfig::new(
            rmcp::model::ClientCapabilities::builder()
                .enable_roots()
                .build(),
            rmcp::model::Implementation::new("roots-test", "1"),
        )
    }

    #[allow(deprecated)]
    async fn list_roots(
        &self,
        _context: rmcp::service::RequestContext<RoleClient>,
    ) -> Result<rmcp::model::ListRootsResult, rmcp::ErrorData> {
        Ok(rmcp::model::ListRootsResult::new(
            self.roots.iter().map(rmcp::model::Root::new).collect(),
        ))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clients_roots_take_the_place_of_allow_dir() {
    let client_root = tempfile::tempdir().unwrap();
    let server_dir = tempfile::tempdir().unwrap();
    let client_root_path = std::fs::canonicalize(client_root.path()).unwrap();
    std::fs::write(client_root_path.join("a.mp4"), vec![1u8; 32]).unwrap();
    let server_file = server_dir.path().join("b.mp4");
    std::fs::write(&server_file, vec![1u8; 32]).unwrap();
    let server_text = server_dir.path().display().to_string();
    let transport = spawn(&["--allow-dir", &server_text], None);
    let uri = genpro_sdk::reqwest::Url::from_directory_path(&client_root_path)
        .unwrap()
        .to_string();
    let session = WithRoots { roots: vec![uri] }
        .serve(transport)
        .await
        .expect("initialize");
    let uploaded = session
        .call_tool(
            CallToolRequestParams::new("edit_upload_file")
                .with_arguments(args(json!({"agent_id": 42, "path": "a.mp4"}))),
        )
        .await
        .unwrap();
    assert_eq!(uploaded.is_error, Some(false), "{uploaded:?}");
    let refused = session
        .call_tool(
            CallToolRequestParams::new("edit_upload_file").with_arguments(args(
                json!({"agent_id": 42, "path": server_file.display().to_string()}),
            )),
        )
        .await
        .unwrap();
    let refused = content(&refused);
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .ends_with("this server reads files only under the client's MCP roots"),
        "{refused}"
    );
    assert_eq!(
        refused["allowed_roots"],
        json!([client_root_path.display().to_string().trim_end_matches('/')])
    );
    session.cancel().await.ok();
}

/// Starts `gen mcp --offline --http` on a free loopback port; the child
/// and the base URL.
async fn http_server() -> (tokio::process::Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(["mcp", "--offline", "--http", &format!("127.0.0.1:{port}")])
        .env_remove("GEN_API_KEY")
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}/mcp");
    let deadline = Instant::now() + Duration::from_secs(20);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "gen mcp --http did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    (child, url)
}

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_checks_origin_and_ends_sessions_with_204() {
    let (_child, url) = http_server().await;
    let http = genpro_sdk::reqwest::Client::new();
    let post = |origin: Option<&str>| {
        let mut request = http
            .post(&url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(INITIALIZE);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        request.send()
    };
    let evil = post(Some("http://evil.example")).await.unwrap();
    assert_eq!(evil.status(), 403);
    let port_origin = url.trim_end_matches("/mcp").to_owned();
    for origin in [
        None,
        Some("http://localhost:6274"),
        Some(port_origin.as_str()),
    ] {
        let answer = post(origin).await.unwrap();
        assert_eq!(answer.status(), 200, "{origin:?}");
    }
    let answer = post(None).await.unwrap();
    let session = answer
        .headers()
        .get("mcp-session-id")
        .expect("a session id")
        .to_str()
        .unwrap()
        .to_owned();
    let _ = answer.text().await;
    let ended = http
        .delete(&url)
        .header("mcp-session-id", &session)
        .header("mcp-protocol-version", "2025-06-18")
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), 204);
    assert_eq!(ended.text().await.unwrap(), "");
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
