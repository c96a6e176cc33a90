//! The workflow tools: what an agent cannot do well with single operations
//! — bounded waits with progress and cancellation, uploads of local files,
//! credit checks — as a table ([`Workflow::ALL`]), one entry per tool, each
//! presenting genpro-sdk's handles and workflow layer
//! ([`genpro_sdk::steps`], [`genpro_sdk::workflow`]).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use genpro_sdk::cards::Card;
use genpro_sdk::genpro_api::operations::Phase;
use genpro_sdk::steps::{
    AgentId, CellId, EngineId, LayerId, OrganizationId, PublishOutcome, PublishPost, Role,
};
use genpro_sdk::upload::{UploadOptions, UploadPhase, UploadSource};
use genpro_sdk::wait::{
    CellResult, JobRef, MassRegenerate, Outcome, WaitOptions, default_cost_estimate,
};
use rmcp::model::{CallToolResult, JsonObject, Tool, ToolAnnotations};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::output;
use crate::server::Call;

/// Default maximum wait of a workflow tool, in seconds.
pub const DEFAULT_MAX_WAIT_SECS: u64 = 600;
/// Longest maximum wait a workflow tool accepts, in seconds.
pub const MAX_MAX_WAIT_SECS: u64 = 3600;

type Handler = for<'a> fn(
    &'a Call<'a>,
    JsonObject,
) -> Pin<Box<dyn Future<Output = CallToolResult> + Send + 'a>>;

/// A workflow tool: one entry of the table [`Workflow::ALL`] (name, phase,
/// description, input schema, handler).
#[derive(Clone, Copy, Debug)]
pub struct Workflow {
    name: &'static str,
    phase: Option<Phase>,
    summary: &'static str,
    details: &'static str,
    read_only: bool,
    schema: fn() -> JsonObject,
    run: Handler,
}

/// A handler: parses the arguments into `$args`, then runs `$f`.
macro_rules! handler {
    ($f:ident) => {{
        fn run<'a>(
            call: &'a Call<'a>,
            args: JsonObject,
        ) -> Pin<Box<dyn Future<Output = CallToolResult> + Send + 'a>> {
            Box::pin(async move {
                match serde_json::from_value(Value::Object(args)) {
                    Ok(args) => $f(call, args).await,
                    Err(e) => output::bad_arguments(e.to_string(), call.secret()),
                }
            })
        }
        run as Handler
    }};
}

impl Workflow {
    /// `setup_credit_balance`: a workspace's credit, with a cost check.
    pub const CREDIT_BALANCE: Workflow = Workflow {
        name: "setup_credit_balance",
        phase: Some(Phase::Setup),
        summary: "A workspace's credit balance, and whether it covers the generations you plan (estimates err high).",
        details: " Read-only. Pass the cards you plan to generate (and how many of each) to compare the estimated cost with available_credit.generic before a mass regeneration.",
        read_only: true,
        schema: schema::<CreditArgs>,
        run: handler!(credit),
    };
    /// `ideas_run_and_wait`: start an agent run, wait, return the ideas.
    pub const IDEAS_RUN_AND_WAIT: Workflow = Workflow {
        name: "ideas_run_and_wait",
        phase: Some(Phase::Ideas),
        summary: "Start an Ideas Engine run (or refine a conversation), wait for it, return its ideas.",
        details: " Spends credits (POST /v1/agent/run, sent once). Pass conversation_id to refine earlier ideas. Reports MCP progress while waiting; cancelling the call ends the wait (the run goes on).",
        read_only: false,
        schema: schema::<IdeasRunArgs>,
        run: handler!(ideas_run),
    };
    /// `edit_generate_and_wait`: generate a cell or layer from a typed card
    /// and wait.
    pub const GENERATE_AND_WAIT: Workflow = Workflow {
        name: "edit_generate_and_wait",
        phase: Some(Phase::Edit),
        summary: "Generate a cell (or layer) from a typed creation card, validated before any credit is spent, and wait; returns the outcome and output URLs.",
        details: " Spends credits (sent once, never retried after it may have reached GEN). `card` is {generation_type, data} as in POST .../generate; cards of a type this version does not know go through `edit_generate_on_cell` instead. Reports MCP progress; cancelling ends the wait, and with stop_on_cancel also stops the generation (credits refunded).",
        read_only: false,
        schema: schema::<GenerateArgs>,
        run: handler!(generate),
    };
    /// `edit_upload_file`: upload a local file as a content resource.
    pub const UPLOAD_FILE: Workflow = Workflow {
        name: "edit_upload_file",
        phase: Some(Phase::Edit),
        summary: "Upload a local file (up to 1 GiB; direct upload above 50 MiB) as a content resource.",
        details: " Reads only files under the allowed roots: the client's MCP roots, else `gen mcp --allow-dir` (default: the working directory); relative paths start at the first root, and symlinks and `..` are resolved before the check. Use the returned id as content_resource_id / image_resource_id in a card.",
        read_only: false,
        schema: schema::<UploadArgs>,
        run: handler!(upload),
    };
    /// `edit_regenerate_column`: regenerate a column, refused up front when
    /// the estimate exceeds the credit.
    pub const REGENERATE_COLUMN: Workflow = Workflow {
        name: "edit_regenerate_column",
        phase: Some(Phase::Edit),
        summary: "Regenerate every cell of a column from one card, refused before anything is sent when the estimated cost exceeds the workspace's credit.",
        details: " Spends credits. Reads the engine and the workspace's available_credit.generic first; the per-card estimates are deliberately high placeholders. Cancelling the call stops waiting (generations already triggered go on).",
        read_only: false,
        schema: schema::<RegenerateArgs>,
        run: handler!(regenerate),
    };
    /// `publish_render_and_wait`: render the final_video cell and wait.
    pub const RENDER_AND_WAIT: Workflow = Workflow {
        name: "publish_render_and_wait",
        phase: Some(Phase::Publish),
        summary: "Render the final_video cell (found in the engine when not given) and wait; returns the MP4 URL.",
        details: " Spends credits (sent once). Reports MCP progress; cancelling ends the wait, and with stop_on_cancel also stops the render.",
        read_only: false,
        schema: schema::<RenderArgs>,
        run: handler!(render),
    };
    /// `publish_post_and_wait`: publish now or scheduled, and wait.
    pub const PUBLISH_AND_WAIT: Workflow = Workflow {
        name: "publish_post_and_wait",
        phase: Some(Phase::Publish),
        summary: "Publish a video to a social account now, or schedule it, and wait for the publish job.",
        details: " Needs a connected account on the platform. scheduled_time (RFC 3339) schedules the post; a scheduled post is not awaited unless wait is true, and then only until GEN has accepted it (outcome `scheduled`).",
        read_only: false,
        schema: schema::<PublishArgs>,
        run: handler!(publish),
    };
    /// `wait_for_job`: wait for any job kind.
    pub const WAIT_FOR_JOB: Workflow = Workflow {
        name: "wait_for_job",
        phase: None,
        summary: "Wait (bounded) for a generation, render, agent run, user job or voice preview; progress notifications; cancellable.",
        details: " Read-only (polls; long-poll for generations). kind generation|agent_run|user_job|voice_preview; user jobs and voice previews need agent_id. With stop_on_cancel, cancelling the wait stops the generation.",
        read_only: true,
        schema: schema::<WaitArgs>,
        run: handler!(wait_for_job),
    };

    /// Every workflow tool, in listing order: the table.
    pub const ALL: &'static [Workflow] = &[
        Self::CREDIT_BALANCE,
        Self::IDEAS_RUN_AND_WAIT,
        Self::GENERATE_AND_WAIT,
        Self::UPLOAD_FILE,
        Self::REGENERATE_COLUMN,
        Self::RENDER_AND_WAIT,
        Self::PUBLISH_AND_WAIT,
        Self::WAIT_FOR_JOB,
    ];

    /// The tool name.
    pub const fn name(self) -> &'static str {
        self.name
    }

    /// The phase it belongs to (`None`: any).
    pub const fn phase(self) -> Option<Phase> {
        self.phase
    }

    /// One line on what it does.
    pub const fn summary(self) -> &'static str {
        self.summary
    }

    /// Whether it only reads.
    pub const fn read_only(self) -> bool {
        self.read_only
    }

    /// The full description: the summary and the details.
    pub fn description(self) -> String {
        format!("{}{}", self.summary, self.details)
    }

    /// The full input schema (the creation card inlined in full), as
    /// `describe_operation` gives it.
    pub fn full_schema(self) -> JsonObject {
        (self.schema)()
    }

    /// The MCP definition as listed: the summary and the details' first
    /// sentence (whether it spends credits), with a compact schema
    /// ([`crate::compact::listed`]).
    pub fn tool(self) -> Tool {
        let mut annotations = ToolAnnotations::new()
            .read_only(self.read_only)
            .destructive(false)
            .open_world(true);
        if self.read_only {
            annotations = annotations.idempotent(true);
        }
        let first = self.details.trim().split(". ").next().unwrap_or_default();
        let description = format!(
            "{} {}. More: describe_operation.",
            self.summary,
            first.trim_end_matches('.')
        );
        let schema = crate::compact::listed(&Value::Object(self.full_schema()));
        Tool::new(
            self.name,
            description,
            Arc::new(match schema {
                Value::Object(map) => map,
                _ => JsonObject::new(),
            }),
        )
        .with_annotations(annotations)
    }

    /// Runs the tool.
    pub(crate) async fn run(self, call: &Call<'_>, args: JsonObject) -> CallToolResult {
        (self.run)(call, args).await
    }
}

/// Tools are equal when their names are (the names are distinct).
impl PartialEq for Workflow {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for Workflow {}

/// The JSON Schema of `T`, with `card` properties replaced by the spec's
/// creation card schema (the body of `generate_on_cell`).
fn schema<T: JsonSchema>() -> JsonObject {
    let mut value = schemars::schema_for!(T).to_value();
    if let Some(map) = value.as_object_mut() {
        map.remove("$schema");
        map.remove("title");
    }
    let card = card_schema();
    if let Some(props) = value.get_mut("properties").and_then(Value::as_object_mut) {
        if props.contains_key("card") {
            props.insert("card".into(), card.clone());
        }
        if let Some(items) = props
            .get_mut("planned")
            .and_then(|p| p.get_mut("items"))
            .and_then(|i| i.get_mut("properties"))
            .and_then(Value::as_object_mut)
        {
            items.insert("card".into(), card);
        }
    }
    // `planned` items are a $defs entry in schemars' output.
    if let Some(defs) = value.get_mut("$defs").and_then(Value::as_object_mut)
        && let Some(props) = defs
            .get_mut("PlannedCards")
            .and_then(|d| d.get_mut("properties"))
            .and_then(Value::as_object_mut)
    {
        props.insert("card".into(), card_schema());
    }
    match value {
        Value::Object(map) => map,
        _ => JsonObject::new(),
    }
}

/// The creation card schema of openapi.yaml (the JSON body of
/// `generate_on_cell`), or a plain object when the table lacks it.
fn card_schema() -> Value {
    crate::compact::card_schema()
        .cloned()
        .unwrap_or_else(|| json!({"type": "object", "required": ["generation_type", "data"]}))
}

fn parse_card(value: Value, secret: &str) -> Result<Card, CallToolResult> {
    let card: Card = serde_json::from_value(value).map_err(|e| {
        output::bad_arguments(
            format!(
                "`card` is not a creation card ({e}); the known generation_types are {}; use `edit_generate_on_cell` to send another",
                genpro_mock::GENERATION_TYPES.join(", ")
            ),
            secret,
        )
    })?;
    card.validate().map_err(|e| output::error(&e, secret))?;
    Ok(card)
}

fn wait_options(secs: Option<u64>, stop_on_cancel: bool) -> WaitOptions {
    WaitOptions::default()
        .max_wait(Duration::from_secs(
            secs.unwrap_or(DEFAULT_MAX_WAIT_SECS)
                .clamp(1, MAX_MAX_WAIT_SECS),
        ))
        .stop_on_cancel(stop_on_cancel)
}

/// The tool result of a wait, `extra` merged in.
fn wait_result(
    call: &Call<'_>,
    result: Option<Result<Outcome, genpro_sdk::wait::WaitError>>,
    extra: Map<String, Value>,
) -> (CallToolResult, Option<Outcome>) {
    match result {
        None => (call.cancelled(), None),
        Some(Ok(outcome)) => (
            output::outcome_result(&outcome, extra, call.secret()),
            Some(outcome),
        ),
        Some(Err(e)) => (output::wait_error(&e, extra, call.secret()), None),
    }
}

/// `result` with `key: value` added when `outcome` completed.
fn with_on_completion(
    call: &Call<'_>,
    result: CallToolResult,
    outcome: Option<Outcome>,
    key: &str,
    value: impl FnOnce(&Outcome) -> Value,
) -> CallToolResult {
    match outcome {
        Some(outcome) if outcome.is_completed() => {
            let mut structured = result.structured_content.clone().unwrap_or(Value::Null);
            if let Some(map) = structured.as_object_mut() {
                map.insert(key.into(), value(&outcome));
            }
            output::success(structured, call.secret())
        }
        _ => result,
    }
}

/// Arguments of `ideas_run_and_wait`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IdeasRunArgs {
    /// The agent.
    pub agent_id: i64,
    /// What to ask, e.g. "Generate 5 content ideas".
    pub message: String,
    /// The conversation of an earlier run, to refine its ideas.
    #[serde(default)]
    pub conversation_id: Option<String>,
    /// Longest wait in seconds (default 600, at most 3600).
    #[serde(default)]
    pub max_wait_secs: Option<u64>,
}

async fn ideas_run(call: &Call<'_>, args: IdeasRunArgs) -> CallToolResult {
    let secret = call.secret();
    let client = call.client();
    let agent = client.agent(AgentId::new(args.agent_id));
    let run = match agent
        .start_run(args.message, args.conversation_id.as_deref())
        .await
    {
        Ok(run) => run,
        Err(e) => return output::error(&e, secret),
    };
    let mut extra = Map::new();
    extra.insert("run_id".into(), json!(run.run_id));
    extra.insert("conversation_id".into(), json!(run.conversation_id));
    let options = wait_options(args.max_wait_secs, false);
    let waited = call
        .wait(options, |o| async move {
            client.wait_run(&run.run_id, &o).await
        })
        .await;
    let outcome = match waited {
        None => return call.cancelled(),
        Some(Ok(outcome)) => outcome,
        Some(Err(e)) => return output::wait_error(&e, extra, secret),
    };
    if outcome.is_completed()
        && let Some(conversation) = &run.conversation_id
    {
        match client.messages(conversation).await {
            Ok(messages) => {
                let ideas: Vec<Value> = messages
                    .iter()
                    .flat_map(|m| m.ideas.iter())
                    .filter_map(|i| serde_json::to_value(i).ok())
                    .collect();
                extra.insert("ideas".into(), Value::Array(ideas));
            }
            Err(e) => {
                extra.insert("ideas_error".into(), output::error_json(&e));
            }
        }
    }
    output::outcome_result(&outcome, extra, secret)
}

/// Arguments of `edit_generate_and_wait`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerateArgs {
    /// The agent owning the engine.
    pub agent_id: i64,
    /// The engine (vidsheet).
    pub engine_id: i64,
    /// The cell to generate.
    pub cell_id: i64,
    /// A layer of the cell to generate instead of the cell.
    #[serde(default)]
    pub layer_id: Option<i64>,
    /// The creation card: {"generation_type": ..., "data": {...}}.
    pub card: Value,
    /// Longest wait in seconds (default 600, at most 3600).
    #[serde(default)]
    pub max_wait_secs: Option<u64>,
    /// When the call is cancelled, also stop the generation (credits
    /// refunded). Default false: the generation goes on.
    #[serde(default)]
    pub stop_on_cancel: bool,
}

async fn generate(call: &Call<'_>, args: GenerateArgs) -> CallToolResult {
    let secret = call.secret();
    let card = match parse_card(args.card, secret) {
        Ok(card) => card,
        Err(result) => return result,
    };
    let client = call.client();
    let cell = client
        .agent(AgentId::new(args.agent_id))
        .engine(EngineId::new(args.engine_id))
        .cell(CellId::new(args.cell_id));
    // The paid trigger is not cancellable: once sent it runs to its answer
    // so that the generation id is known (and can be stopped).
    let created = match args.layer_id {
        Some(layer) => cell.layer(LayerId::new(layer)).generate(&card).await,
        None => cell.generate(&card).await,
    };
    let created = match created {
        Ok(created) => created,
        Err(e) => return output::error(&e, secret),
    };
    let mut extra = Map::new();
    extra.insert("generation_id".into(), json!(created.id));
    let generation = client.generation(created.id);
    let options = wait_options(args.max_wait_secs, args.stop_on_cancel);
    let waited = call
        .wait(options, |o| async move { generation.wait(&o).await })
        .await;
    wait_result(call, waited, extra).0
}

/// Arguments of `edit_upload_file`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UploadArgs {
    /// The agent the resource belongs to.
    pub agent_id: i64,
    /// Path of the local file.
    pub path: String,
    /// File name to send (default: the path's last component).
    #[serde(default)]
    pub filename: Option<String>,
    /// Content type (default: guessed from the extension).
    #[serde(default)]
    pub content_type: Option<String>,
}

async fn upload(call: &Call<'_>, args: UploadArgs) -> CallToolResult {
    let secret = call.secret();
    let (roots, from) = call.allowed_roots().await;
    let path = match crate::roots::resolve(&args.path, &roots, from) {
        Ok(path) => path,
        Err(e) => {
            let roots: Vec<String> = roots.iter().map(|r| r.display().to_string()).collect();
            return output::failure(
                json!({"error": e, "status": null, "error_code": "path_not_allowed", "hint": "pass a file under one of allowed_roots", "allowed_roots": roots}),
                secret,
            );
        }
    };
    let mut source = UploadSource::path(&path);
    if let Some(name) = args.filename {
        source = source.with_filename(name);
    }
    if let Some(ct) = args.content_type {
        source = source.with_content_type(ct);
    }
    let (options, mut progress) = UploadOptions::new()
        .cancel_token(call.cancellation().child_token())
        .progress_channel();
    let agent = call.client().agent(AgentId::new(args.agent_id));
    let upload = agent.upload(source, options);
    let report = async {
        // Progress: bytes hashed, then bytes sent on top (a retried PUT
        // restarts from 0; the value never goes back).
        let mut last = -1.0_f64;
        while progress.changed().await.is_ok() {
            let p = *progress.borrow_and_update();
            let offset = if p.phase == UploadPhase::Sending {
                p.total
            } else {
                0
            };
            let value = ((offset + p.bytes) as f64).max(last + 1.0);
            last = value;
            call.notify(
                value,
                (2 * p.total) as f64,
                format!("{}: {:?} {}/{} bytes", args.path, p.phase, p.bytes, p.total),
            )
            .await;
        }
        std::future::pending::<()>().await;
    };
    let answer = tokio::select! {
        answer = upload => answer,
        _ = report => return call.cancelled(),
    };
    match answer {
        Ok(uploaded) => output::success(
            json!({
                "content_resource": uploaded.resource,
                "next": "use content_resource.id as content_resource_id in a media card (or image_resource_id in video_from_image)",
            }),
            secret,
        ),
        Err(e) if e.kind() == genpro_sdk::ErrorKind::Cancelled => call.cancelled(),
        Err(e) => output::error(&e, secret),
    }
}

/// Arguments of `edit_regenerate_column`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegenerateArgs {
    /// The workspace (organization) whose credit pays.
    pub organization_id: i64,
    /// The agent owning the engine.
    pub agent_id: i64,
    /// The engine (vidsheet).
    pub engine_id: i64,
    /// The column whose cells are regenerated.
    pub column_id: i64,
    /// The creation card for every cell.
    pub card: Value,
    /// Wait for the generations (default true).
    #[serde(default)]
    pub wait: Option<bool>,
    /// Longest wait for each generation in seconds (default 600, at most 3600).
    #[serde(default)]
    pub max_wait_secs: Option<u64>,
}

async fn regenerate(call: &Call<'_>, args: RegenerateArgs) -> CallToolResult {
    let secret = call.secret();
    let card = match parse_card(args.card, secret) {
        Ok(card) => card,
        Err(result) => return result,
    };
    let client = call.client();
    let engine = client
        .agent(AgentId::new(args.agent_id))
        .engine(EngineId::new(args.engine_id));
    let plan = MassRegenerate::column(
        OrganizationId::new(args.organization_id),
        &engine,
        args.column_id,
        card,
    )
    .wait(args.wait.unwrap_or(true));
    let waiter = client
        .waiter()
        .with_options(wait_options(args.max_wait_secs, false));
    // rustc cannot prove `mass_regenerate`'s future `Send` (higher-ranked
    // closures inside it), so it runs on a blocking thread of the runtime.
    let ct = call.cancellation().clone();
    let handle = tokio::runtime::Handle::current();
    let joined = tokio::task::spawn_blocking(move || {
        handle.block_on(async move {
            tokio::select! {
                _ = ct.cancelled() => None,
                report = waiter.mass_regenerate(plan) => Some(report),
            }
        })
    })
    .await;
    let report = match joined {
        Ok(Some(report)) => report,
        Ok(None) => return call.cancelled(),
        Err(e) => {
            return output::failure(
                json!({"error": format!("the regeneration task failed: {e}"), "status": null, "error_code": null, "hint": null}),
                secret,
            );
        }
    };
    match report {
        Err(e) => output::wait_error(&e, Map::new(), secret),
        Ok(report) => {
            let cells: Vec<Value> = report
                .cells
                .iter()
                .map(|c| {
                    let mut entry = Map::new();
                    entry.insert("cell_id".into(), json!(c.cell_id));
                    entry.insert("generation_id".into(), json!(c.generation_id));
                    entry.insert("result".into(), Value::String(c.result.to_string()));
                    match &c.result {
                        CellResult::Finished(outcome) => {
                            entry.extend(output::outcome_json(outcome))
                        }
                        CellResult::TriggerFailed(e) => {
                            entry.insert("error".into(), output::error_json(e));
                        }
                        _ => {}
                    }
                    entry.remove("body");
                    Value::Object(entry)
                })
                .collect();
            let value = json!({
                "estimated_cost": report.estimated_cost,
                "available_credit": report.available_credit,
                "completed": report.completed(),
                "cells": cells,
            });
            if report
                .cells
                .iter()
                .all(|c| c.result.is_completed() || matches!(c.result, CellResult::Triggered))
            {
                output::success(value, secret)
            } else {
                output::failure(value, secret)
            }
        }
    }
}

/// Arguments of `publish_render_and_wait`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RenderArgs {
    /// The agent owning the engine.
    pub agent_id: i64,
    /// The engine (vidsheet).
    pub engine_id: i64,
    /// The final_video cell (default: the final_video cell of the engine's
    /// first row).
    #[serde(default)]
    pub cell_id: Option<i64>,
    /// Longest wait in seconds (default 600, at most 3600).
    #[serde(default)]
    pub max_wait_secs: Option<u64>,
    /// When the call is cancelled, also stop the render. Default false.
    #[serde(default)]
    pub stop_on_cancel: bool,
}

async fn render(call: &Call<'_>, args: RenderArgs) -> CallToolResult {
    let secret = call.secret();
    let client = call.client();
    let engine = client
        .agent(AgentId::new(args.agent_id))
        .engine(EngineId::new(args.engine_id));
    let cell = match args.cell_id {
        Some(id) => engine.cell(CellId::new(id)),
        None => {
            let answer = match engine.get().await {
                Ok(answer) => answer,
                Err(e) => return output::error(&e, secret),
            };
            match engine.cell_in(&answer, &Role::FinalVideo) {
                Some(cell) => cell,
                None => {
                    return output::bad_arguments(
                        format!(
                            "engine {} has no final_video cell in its first row; pass cell_id",
                            args.engine_id
                        ),
                        secret,
                    );
                }
            }
        }
    };
    let created = match cell.render().await {
        Ok(created) => created,
        Err(e) => return output::error(&e, secret),
    };
    let mut extra = Map::new();
    extra.insert("cell_id".into(), json!(cell.id()));
    extra.insert("generation_id".into(), json!(created.id));
    let generation = client.generation(created.id);
    let options = wait_options(args.max_wait_secs, args.stop_on_cancel);
    let waited = call
        .wait(options, |o| async move { generation.wait(&o).await })
        .await;
    let (result, outcome) = wait_result(call, waited, extra);
    with_on_completion(call, result, outcome, "video_url", |outcome| {
        json!(outcome.output_resources().first().map(|r| r.url.clone()))
    })
}

/// Arguments of `publish_post_and_wait`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishArgs {
    /// The agent whose connected account posts.
    pub agent_id: i64,
    /// A publicly accessible http(s) URL of the video (a render's video_url).
    pub media_url: String,
    /// The post's caption.
    pub description: String,
    /// The platform (default "tiktok").
    #[serde(default)]
    pub platform: Option<String>,
    /// The media type (default "VIDEO").
    #[serde(default)]
    pub media_type: Option<String>,
    /// Publish later, at this RFC 3339 time (e.g. 2026-12-01T18:00:00Z).
    #[serde(default)]
    pub scheduled_time: Option<String>,
    /// Wait for the publish job (default: true when publishing now, false
    /// when scheduled).
    #[serde(default)]
    pub wait: Option<bool>,
    /// Longest wait in seconds (default 600, at most 3600).
    #[serde(default)]
    pub max_wait_secs: Option<u64>,
}

async fn publish(call: &Call<'_>, args: PublishArgs) -> CallToolResult {
    let secret = call.secret();
    let mut post = PublishPost::tiktok(args.media_url, args.description);
    if let Some(platform) = args.platform {
        post.platform = platform;
    }
    if let Some(media_type) = args.media_type {
        post.media_type = media_type;
    }
    if let Some(at) = &args.scheduled_time {
        match chrono::DateTime::parse_from_rfc3339(at) {
            Ok(at) => post = post.scheduled(at.with_timezone(&chrono::Utc)),
            Err(e) => {
                return output::bad_arguments(
                    format!("scheduled_time `{at}` is not an RFC 3339 time: {e}"),
                    secret,
                );
            }
        }
    }
    let agent = call.client().agent(AgentId::new(args.agent_id));
    let created = match agent.publish(&post).await {
        Ok(created) => created,
        Err(e) => return output::error(&e, secret),
    };
    let job = JobRef::UserJob {
        id: created.get(),
        agent_id: args.agent_id,
    };
    let mut extra = Map::new();
    extra.insert("user_job_id".into(), json!(created));
    extra.insert(
        "scheduled_time".into(),
        json!(args.scheduled_time.as_deref()),
    );
    if !args.wait.unwrap_or(args.scheduled_time.is_none()) {
        extra.insert("outcome".into(), json!("submitted"));
        extra.insert("job".into(), output::job_json(&job));
        extra.insert(
            "next".into(),
            json!(format!(
                "wait with the `{}` tool",
                Workflow::WAIT_FOR_JOB.name()
            )),
        );
        return output::success(Value::Object(extra), secret);
    }
    let options = wait_options(args.max_wait_secs, false);
    let post = &post;
    let waited = call
        .wait(options, |o| async move {
            agent.wait_published(created, post, &o).await
        })
        .await;
    let outcome = match waited {
        Some(Ok(PublishOutcome::Scheduled { scheduled_time, .. })) => {
            // GEN accepted the post; it stays pending until its time.
            extra.insert("outcome".into(), json!("scheduled"));
            extra.insert("scheduled_time".into(), json!(scheduled_time));
            extra.insert("job".into(), output::job_json(&job));
            return output::success(Value::Object(extra), secret);
        }
        Some(Ok(PublishOutcome::Finished(outcome))) => Some(Ok(*outcome)),
        Some(Ok(other)) => {
            extra.insert("outcome".into(), json!(other.to_string()));
            return output::success(Value::Object(extra), secret);
        }
        Some(Err(e)) => Some(Err(e)),
        None => None,
    };
    let (result, outcome) = wait_result(call, outcome, extra);
    with_on_completion(call, result, outcome, "post_id", |outcome| {
        outcome
            .snapshot()
            .body
            .pointer("/result/post_id")
            .cloned()
            .unwrap_or(Value::Null)
    })
}

/// A card planned `count` times.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlannedCards {
    /// The creation card.
    pub card: Value,
    /// How many generations of it (default 1).
    #[serde(default)]
    pub count: Option<u32>,
}

/// Arguments of `setup_credit_balance`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreditArgs {
    /// The workspace (organization).
    pub organization_id: i64,
    /// The generations you plan, to check against the balance.
    #[serde(default)]
    pub planned: Vec<PlannedCards>,
}

async fn credit(call: &Call<'_>, args: CreditArgs) -> CallToolResult {
    let secret = call.secret();
    let mut estimated = 0.0;
    let mut generations: u64 = 0;
    for planned in args.planned {
        let card = match parse_card(planned.card, secret) {
            Ok(card) => card,
            Err(result) => return result,
        };
        let count = planned.count.unwrap_or(1);
        estimated += default_cost_estimate(&card) * f64::from(count);
        generations += u64::from(count);
    }
    let credit = match call
        .client()
        .credits(OrganizationId::new(args.organization_id))
        .await
    {
        Ok(credit) => credit,
        Err(e) => return output::error(&e, secret),
    };
    let generic = credit.as_ref().and_then(|c| c.generic);
    let mut value = json!({
        "organization_id": args.organization_id,
        "available_credit": credit,
    });
    if generations > 0 {
        // Unknown (`null`) when the answer gives no generic balance.
        let enough = generic.map(|g| estimated <= g);
        value["planned_generations"] = json!(generations);
        value["estimated_cost"] = json!(estimated);
        value["enough"] = json!(enough);
        value["note"] = json!(
            "estimates are deliberately high placeholders (GEN publishes no price list): text 3, speech 5, image 10, lipsync 25, video 50 credits"
        );
    }
    output::success(value, secret)
}

/// A job id: an integer (generations, user jobs) or a string (agent runs,
/// voice previews).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum JobId {
    /// A numeric id.
    Number(i64),
    /// A string id.
    Text(String),
}

/// The kind of a job.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobKindArg {
    /// A generation or a render.
    Generation,
    /// An agent run (ideas, refinement, research).
    AgentRun,
    /// A user job (publish, train_social): needs agent_id.
    UserJob,
    /// A voice preview: needs agent_id.
    VoicePreview,
}

/// Arguments of `wait_for_job`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaitArgs {
    /// The kind of job.
    pub kind: JobKindArg,
    /// The job id.
    pub id: JobId,
    /// The agent (user jobs and voice previews).
    #[serde(default)]
    pub agent_id: Option<i64>,
    /// Longest wait in seconds (default 600, at most 3600).
    #[serde(default)]
    pub max_wait_secs: Option<u64>,
    /// When the call is cancelled, also stop the generation (generations
    /// only; credits refunded). Default false.
    #[serde(default)]
    pub stop_on_cancel: bool,
}

fn job_ref(args: &WaitArgs) -> Result<JobRef, String> {
    let text = match &args.id {
        JobId::Number(n) => n.to_string(),
        JobId::Text(s) => s.trim().to_owned(),
    };
    let number = || {
        text.parse::<i64>()
            .map_err(|_| format!("id `{text}` is not a number"))
    };
    let agent = || {
        args.agent_id
            .ok_or_else(|| "agent_id is required for this kind of job".to_owned())
    };
    if text.is_empty() {
        return Err("id must not be empty".into());
    }
    Ok(match args.kind {
        JobKindArg::Generation => JobRef::Generation(number()?),
        JobKindArg::AgentRun => JobRef::AgentRun(text.clone()),
        JobKindArg::UserJob => JobRef::UserJob {
            id: number()?,
            agent_id: agent()?,
        },
        JobKindArg::VoicePreview => JobRef::VoicePreview {
            agent_id: agent()?,
            job_id: text.clone(),
        },
    })
}

async fn wait_for_job(call: &Call<'_>, args: WaitArgs) -> CallToolResult {
    let job = match job_ref(&args) {
        Ok(job) => job,
        Err(message) => return output::bad_arguments(message, call.secret()),
    };
    let waiter = call.client().waiter();
    let options = wait_options(args.max_wait_secs, args.stop_on_cancel);
    let waited = call
        .wait(options, |o| async move {
            waiter.with_options(o).wait(job).await
        })
        .await;
    wait_result(call, waited, Map::new()).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_properties_use_the_spec_schema_in_full_and_a_shared_brief_when_listed() {
        let full = Workflow::GENERATE_AND_WAIT.full_schema();
        assert_eq!(full["properties"]["card"], card_schema());
        let listed = Workflow::GENERATE_AND_WAIT.tool().input_schema;
        assert_eq!(
            listed["properties"]["card"],
            json!({"$ref": "#/$defs/Card"})
        );
        assert_eq!(listed["$defs"]["Card"], crate::compact::card_brief());
        let required: Vec<&str> = listed["required"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(required, ["agent_id", "engine_id", "cell_id", "card"]);
        let credit = Workflow::CREDIT_BALANCE.full_schema();
        assert_eq!(
            credit["$defs"]["PlannedCards"]["properties"]["card"],
            card_schema()
        );
        let credit = Workflow::CREDIT_BALANCE.tool().input_schema;
        assert_eq!(
            credit["$defs"]["PlannedCards"]["properties"]["card"],
            json!({"$ref": "#/$defs/Card"})
        );
    }

    #[test]
    fn job_refs_need_an_agent_for_user_jobs() {
        let args: WaitArgs = serde_json::from_value(json!({"kind": "user_job", "id": 5})).unwrap();
        assert_eq!(
            job_ref(&args).unwrap_err(),
            "agent_id is required for this kind of job"
        );
        let args: WaitArgs =
            serde_json::from_value(json!({"kind": "generation", "id": "77"})).unwrap();
        assert_eq!(job_ref(&args).unwrap(), JobRef::Generation(77));
        assert!(
            serde_json::from_value::<WaitArgs>(json!({"kind": "generation", "id": 1, "x": 1}))
                .is_err()
        );
    }
}
