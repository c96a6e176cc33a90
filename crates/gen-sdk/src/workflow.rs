//! The workflows, written once for apps, the `gen` CLI and the MCP server:
//!
//! - **connect or run offline** (`GenClient::connect_or_offline`, feature
//!   `offline`): with `GEN_API_KEY`, the real API; without, the built-in
//!   fake (genpro-mock) on 127.0.0.1, said on stderr;
//! - **find the agent** of a key ([`find_agent`]);
//! - **the whole journey** of seed 001 ([`journey`]): set up the agent,
//!   generate ideas, clone the matching template, write the script cell,
//!   generate the video cell, render the final-video cell, publish, each
//!   wait bounded and reported as [`JourneyEvent`]s.
//!
//! Cells are found by role ([`crate::steps::Role`]) and waits take
//! [`WaitOptions`] (timeout, progress channel, cancellation): the pieces
//! of [`crate::steps`] and [`crate::wait`].
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # #[cfg(feature = "offline")] {
//! use genpro_sdk::workflow::{JourneyOptions, journey};
//! let conn = genpro_sdk::GenClient::connect_or_offline().await?;
//! let report = journey(&conn.client, conn.agent()?.id(), &JourneyOptions::default(), |event| {
//!     eprintln!("{event}");
//! })
//! .await?;
//! println!("final video: {}", report.video_url);
//! # conn.close().await;
//! # }
//! # Ok(()) }
//! ```

use std::fmt;
use std::future::Future;

use serde::Serialize;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::agent_core::AgentCorePatch;
use crate::cards::{AspectRatio, Card, VideoFromTextCard, VideoFromTextModel};
use crate::client::GenClient;
use crate::error::Error;
use crate::genpro_api::types;
use crate::steps::{AgentId, EngineId, GenerationId, PublishOutcome, PublishPost, Role, UserJobId};
use crate::wait::{JobSnapshot, Outcome, Progress, WaitError, WaitOptions};

#[cfg(feature = "offline")]
pub use offline::{ConnectOptions, Connection};

/// The agent of the built-in fake (genpro-mock).
pub const OFFLINE_AGENT: AgentId = AgentId::new(42);

/// A step of the journey.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JourneyStep {
    /// Finding the agent to use ([`find_agent`]).
    Agent,
    /// Step 1 — set up the agent.
    Setup,
    /// Step 2 — generate ideas.
    Ideas,
    /// Step 3 — convert the idea to a vidsheet.
    Vidsheet,
    /// Step 4 — edit and generate.
    Edit,
    /// Step 5 — render and publish.
    Publish,
}

impl JourneyStep {
    /// `"0/5 agent"`, `"1/5 setup"`, ... `"5/5 publish"`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Agent => "0/5 agent",
            Self::Setup => "1/5 setup",
            Self::Ideas => "2/5 ideas",
            Self::Vidsheet => "3/5 vidsheet",
            Self::Edit => "4/5 edit",
            Self::Publish => "5/5 publish",
        }
    }
}

impl fmt::Display for JourneyStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What the journey is doing, for a progress display.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum JourneyEvent {
    /// `step` started (or moved on to) what `message` says.
    Doing {
        /// The step.
        step: JourneyStep,
        /// What it does now.
        message: String,
    },
    /// A wait of `step` changed (status, progress, transient error).
    Waiting {
        /// The step.
        step: JourneyStep,
        /// The wait's state.
        progress: Progress,
    },
    /// `step` ended with `message`.
    Done {
        /// The step.
        step: JourneyStep,
        /// What it produced.
        message: String,
    },
}

impl fmt::Display for JourneyEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Doing { step, message } => write!(f, "{step}: {message}"),
            Self::Waiting { step, progress } => {
                write!(f, "{step}: {}", describe_progress(progress))
            }
            Self::Done { step, message } => write!(f, "{step}: {message}"),
        }
    }
}

/// `"generation 9000: processing 40%"`.
pub fn describe_progress(progress: &Progress) -> String {
    let status = progress
        .status
        .as_ref()
        .map(|s| s.as_str().to_owned())
        .unwrap_or_default();
    let percent = progress
        .progress_percent
        .map(|v| format!(" {v:.0}%"))
        .unwrap_or_default();
    format!("{}: {status}{percent}", progress.job)
}

/// What [`journey`] does.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct JourneyOptions {
    /// The Agent Core written in step 1 (default: seed 001's Santiago).
    pub core: AgentCorePatch,
    /// What to ask the Ideas Engine for.
    pub message: String,
    /// Publish the render (default true).
    pub publish: bool,
    /// Every wait: timeout, progress channel, cancellation (progress is
    /// also reported as [`JourneyEvent::Waiting`]).
    pub wait: WaitOptions,
}

impl Default for JourneyOptions {
    fn default() -> Self {
        Self {
            core: seed_persona(),
            message: "Generate 3 content ideas grounded in this week trends".to_owned(),
            publish: true,
            wait: WaitOptions::default(),
        }
    }
}

impl JourneyOptions {
    /// Sets [`Self::message`].
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    /// Sets [`Self::publish`].
    pub fn publish(mut self, publish: bool) -> Self {
        self.publish = publish;
        self
    }

    /// Sets [`Self::wait`].
    pub fn wait(mut self, wait: WaitOptions) -> Self {
        self.wait = wait;
        self
    }

    /// Sets [`Self::core`].
    pub fn core(mut self, core: AgentCorePatch) -> Self {
        self.core = core;
        self
    }
}

/// The seed-001 persona (Santiago, the San Antonio street food scout).
pub fn seed_persona() -> AgentCorePatch {
    AgentCorePatch::new()
        .brand_name("Santiago")
        .description("San Antonio street food scout who hunts the best tacos.")
        .identity_type("character")
        .goal("growth")
        .target_platforms(["tiktok", "instagram"])
        .shortform(true)
        .keywords(["streetfood", "foodtruck", "tacotok"])
        .personality("Santiago grew up eating at his tia taco stand in south San Antonio...")
}

/// What the journey produced.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct JourneyReport {
    /// The agent used.
    pub agent_id: AgentId,
    /// The title of the idea turned into a video (`None` when the idea
    /// carries none: no seed shows an idea's `title` with a value).
    pub idea_title: Option<String>,
    /// The template cloned.
    pub template: String,
    /// The engine (vidsheet) created.
    pub engine_id: EngineId,
    /// The generation run on the video cell.
    pub generation_id: GenerationId,
    /// The render generation.
    pub render_id: GenerationId,
    /// The final video's public URL.
    pub video_url: String,
    /// The publish job, when published.
    pub publish_job_id: Option<UserJobId>,
    /// The platform's post id, when published.
    pub post_id: Option<String>,
}

/// A journey (or agent lookup) that did not get to the end: the step, and
/// what went wrong, prefixed with the step (`step 1 (set up the agent):
/// ...`).
///
/// The error that stopped it is its [`source`](std::error::Error::source)
/// (a [`crate::Error`], a [`crate::wait::WaitError`]...), so callers can
/// tell an API answer from a timeout.
#[derive(Debug)]
pub struct JourneyError {
    step: JourneyStep,
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl fmt::Display for JourneyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for JourneyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl JourneyError {
    fn new(step: JourneyStep, message: impl Into<String>) -> Self {
        Self {
            step,
            message: message.into(),
            source: None,
        }
    }

    fn at<E>(step: JourneyStep, context: &str, error: E) -> Self
    where
        E: Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    {
        let error = error.into();
        Self {
            step,
            message: format!("{context}: {error}"),
            source: Some(error),
        }
    }

    /// The step that failed.
    pub fn step(&self) -> JourneyStep {
        self.step
    }
}

/// Runs seed 001's journey for `agent`: writes `options.core` (step 1),
/// asks for ideas and waits (step 2), clones the template matching the
/// last idea's video type (step 3), writes the script cell and generates
/// the video cell (step 4, cells found by role), renders the final-video
/// cell and, unless `options.publish` is off, publishes it to TikTok (step
/// 5). Every wait uses `options.wait`; `on_event` hears each step and wait.
pub async fn journey(
    client: &GenClient,
    agent: AgentId,
    options: &JourneyOptions,
    mut on_event: impl FnMut(JourneyEvent) + Send,
) -> Result<JourneyReport, JourneyError> {
    use JourneyStep::*;
    let agent_id = agent;
    let agent = client.agent(agent_id);

    // Step 1 — set up the agent.
    let doing = |step, message: &str| JourneyEvent::Doing {
        step,
        message: message.to_owned(),
    };
    on_event(doing(Setup, "PATCH agent core"));
    let core = agent
        .update_core(&options.core)
        .await
        .map_err(|e| JourneyError::at(Setup, "step 1 (set up the agent)", e))?;
    let failed = core.failed_section_names();
    on_event(JourneyEvent::Done {
        step: Setup,
        message: if failed.is_empty() {
            "agent core saved".to_owned()
        } else {
            format!("agent core saved; sections failed: {}", failed.join(", "))
        },
    });

    // Step 2 — generate ideas.
    on_event(doing(Ideas, "starting an agent run"));
    let run = agent
        .start_run(options.message.clone(), None)
        .await
        .map_err(|e| JourneyError::at(Ideas, "step 2 (generate ideas)", e))?;
    on_event(doing(Ideas, &format!("waiting for run {}", run.run_id)));
    let run_id = run.run_id.clone();
    waited(Ideas, &options.wait, &mut on_event, |wait| async move {
        client.wait_run(&run_id, &wait).await
    })
    .await
    .map_err(|e| JourneyError::at(Ideas, "step 2 (waiting for the ideas run)", e))?;
    let conversation = run
        .conversation_id
        .clone()
        .ok_or_else(|| JourneyError::new(Ideas, "the agent run has no conversation_id"))?;
    let messages = client
        .messages(&conversation)
        .await
        .map_err(|e| JourneyError::at(Ideas, "step 2 (reading the ideas)", e))?;
    let idea = messages
        .iter()
        .rev()
        .flat_map(|m| m.ideas.iter())
        .next()
        .cloned()
        .ok_or_else(|| JourneyError::new(Ideas, "the ideas run finished without ideas"))?;
    // No seed shows an idea with values: every field may be missing.
    let label = idea
        .title
        .clone()
        .or_else(|| idea.hook.clone())
        .unwrap_or_else(|| "(untitled idea)".to_owned());
    on_event(JourneyEvent::Done {
        step: Ideas,
        message: format!("idea: {label}"),
    });

    // Step 3 — clone the template matching the idea's video type.
    let templates = client
        .templates()
        .await
        .map_err(|e| JourneyError::at(Vidsheet, "step 3 (list templates)", e))?;
    let template = pick_template(&templates, &idea);
    on_event(doing(Vidsheet, &format!("cloning {template}")));
    let cloned = agent
        .clone_template(&template)
        .await
        .map_err(|e| JourneyError::at(Vidsheet, "step 3 (clone a template)", e))?;
    let engine = agent.engine(cloned.id);
    on_event(JourneyEvent::Done {
        step: Vidsheet,
        message: format!("engine {} from {template}", cloned.id),
    });

    // Step 4 — write the script cell, generate the video cell.
    if let Some(script) = engine.cell_in(&cloned.engine, &Role::Script) {
        let text = idea
            .full_script
            .clone()
            .or(idea.hook.clone())
            .unwrap_or_default();
        script
            .update(text)
            .await
            .map_err(|e| JourneyError::at(Edit, "step 4 (write the script cell)", e))?;
    }
    let video = engine
        .cell_in(&cloned.engine, &Role::Video)
        .ok_or_else(|| {
            JourneyError::new(Edit, format!("engine {} has no video cell", cloned.id))
        })?;
    let prompt = idea
        .hook
        .clone()
        .or_else(|| idea.title.clone())
        .or_else(|| idea.full_script.clone())
        .ok_or_else(|| {
            JourneyError::new(
                Edit,
                "step 4: the idea has no hook, title or script to prompt the video with",
            )
        })?;
    let card = Card::from(
        VideoFromTextCard::new(prompt, VideoFromTextModel::Kling16)
            .aspect_ratio(AspectRatio::Ratio9x16)
            .duration(5),
    );
    on_event(doing(Edit, "generating the video cell"));
    let generated = video
        .generate(&card)
        .await
        .map_err(|e| JourneyError::at(Edit, "step 4 (generate)", e))?;
    let generation = client.generation(generated.id);
    completed(
        waited(Edit, &options.wait, &mut on_event, |wait| async move {
            generation.wait(&wait).await
        })
        .await,
    )
    .map_err(|e| JourneyError::at(Edit, "step 4 (waiting for the generation)", e))?;
    on_event(JourneyEvent::Done {
        step: Edit,
        message: format!("generation {} completed", generated.id),
    });

    // Step 5 — render, publish.
    let final_video = engine
        .cell_in(&cloned.engine, &Role::FinalVideo)
        .ok_or_else(|| {
            JourneyError::new(
                Publish,
                format!("engine {} has no final_video cell", cloned.id),
            )
        })?;
    on_event(doing(Publish, "rendering"));
    let render = final_video
        .render()
        .await
        .map_err(|e| JourneyError::at(Publish, "step 5 (render)", e))?;
    let rendering = client.generation(render.id);
    let rendered = completed(
        waited(Publish, &options.wait, &mut on_event, |wait| async move {
            rendering.wait(&wait).await
        })
        .await,
    )
    .map_err(|e| JourneyError::at(Publish, "step 5 (waiting for the render)", e))?;
    let video_url = rendered
        .output_resources
        .first()
        .map(|r| r.url.clone())
        .ok_or_else(|| JourneyError::new(Publish, "the render completed without an output URL"))?;
    let (publish_job_id, post_id) = if options.publish {
        on_event(doing(Publish, "publishing to TikTok"));
        let post = PublishPost::tiktok(&video_url, format!("{label} #streetfood"));
        let job = agent
            .publish(&post)
            .await
            .map_err(|e| JourneyError::at(Publish, "step 5 (publish)", e))?;
        let done = completed(
            waited(Publish, &options.wait, &mut on_event, |wait| async move {
                agent.wait_user_job(job, &wait).await
            })
            .await,
        )
        .map_err(|e| JourneyError::at(Publish, "step 5 (waiting for the publish job)", e))?;
        (Some(job), post_id_of(&done))
    } else {
        (None, None)
    };
    on_event(JourneyEvent::Done {
        step: Publish,
        message: "done".to_owned(),
    });
    Ok(JourneyReport {
        agent_id,
        idea_title: idea.title.clone(),
        template,
        engine_id: cloned.id,
        generation_id: generated.id,
        render_id: render.id,
        video_url,
        publish_job_id,
        post_id,
    })
}

/// The platform's post id of a completed publish job (`result.post_id`, a
/// string or a number).
pub fn post_id_of(done: &JobSnapshot) -> Option<String> {
    done.body.pointer("/result/post_id").and_then(|v| {
        v.as_str()
            .map(str::to_owned)
            .or_else(|| Some(v.to_string()))
    })
}

/// The post id of a publish that completed (`None` when scheduled or
/// not completed).
pub fn published_post_id(outcome: &PublishOutcome) -> Option<String> {
    match outcome {
        PublishOutcome::Finished(outcome) => match outcome.as_ref() {
            Outcome::Completed(done) => post_id_of(done),
            _ => None,
        },
        _ => None,
    }
}

/// The completed snapshot of a wait, or a one-line error naming the state,
/// reason and hint.
pub fn completed(result: Result<Outcome, WaitError>) -> Result<JobSnapshot, String> {
    match result.map_err(|e| e.to_string())? {
        Outcome::Completed(snapshot) => Ok(snapshot),
        other => {
            let mut line = format!("{other}");
            if let Some(hint) = other.hint() {
                line.push_str(&format!(" — hint: {hint}"));
            }
            Err(line)
        }
    }
}

/// Runs the wait `wait` with a progress channel added to `options`,
/// reporting each change as [`JourneyEvent::Waiting`].
async fn waited<F, Fut>(
    step: JourneyStep,
    options: &WaitOptions,
    on_event: &mut (impl FnMut(JourneyEvent) + Send),
    wait: F,
) -> Result<Outcome, WaitError>
where
    F: FnOnce(WaitOptions) -> Fut,
    Fut: Future<Output = Result<Outcome, WaitError>>,
{
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut options = options.clone();
    if let Some(theirs) = options.hooks.progress.take() {
        // keep feeding the caller's own channel too
        let (ours, mut forward) = mpsc::unbounded_channel::<Progress>();
        options.hooks.progress = Some(ours);
        let mine = tx.clone();
        tokio::spawn(async move {
            while let Some(p) = forward.recv().await {
                let _ = theirs.send(p.clone());
                let _ = mine.send(p);
            }
        });
    } else {
        options.hooks.progress = Some(tx);
    }
    let fut = wait(options);
    tokio::pin!(fut);
    loop {
        tokio::select! {
            result = &mut fut => {
                while let Ok(progress) = rx.try_recv() {
                    on_event(JourneyEvent::Waiting { step, progress });
                }
                return result;
            }
            Some(progress) = rx.recv() => on_event(JourneyEvent::Waiting { step, progress }),
        }
    }
}

/// The starter template for an idea's video type (the first template
/// tagged with it), or `tiktok-talking-avatar`.
pub fn pick_template(templates: &[types::Template], idea: &types::Idea) -> String {
    let video_type = idea
        .video_type
        .as_ref()
        .map(|v| v.as_str().to_owned())
        .unwrap_or_default();
    templates
        .iter()
        .filter(|t| t.tags.contains(&video_type))
        // a template without a slug (no seed pins it) cannot be cloned
        .find_map(|t| t.slug.clone())
        .unwrap_or_else(|| "tiktok-talking-avatar".to_owned())
}

/// An agent of the key's user, as [`find_agent`] picked it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FoundAgent {
    /// The agent.
    pub id: AgentId,
    /// Its name.
    pub name: String,
    /// Why it was picked.
    pub why: &'static str,
}

/// The agent to use when none was given: the account's only agent, or else
/// the only one with a linked TikTok account (the journey publishes to
/// TikTok). Otherwise an error listing the agents (id and name) and the
/// flag to pass (`--agent ID` or `GEN_AGENT_ID`).
pub async fn find_agent(client: &GenClient) -> Result<FoundAgent, JourneyError> {
    use JourneyStep::Agent;
    let agents = list_agents(client).await?;
    match agents.as_slice() {
        [] => {
            return Err(JourneyError::new(
                Agent,
                "no agent found in your workspaces: create one (POST /v1/agents, or in the GEN dashboard) and pass --agent ID (or set GEN_AGENT_ID)",
            ));
        }
        [(id, name)] => {
            return Ok(FoundAgent {
                id: *id,
                name: name.clone(),
                why: "the account's only agent",
            });
        }
        _ => {}
    }
    let mut with_tiktok = Vec::new();
    for (id, name) in &agents {
        let core = call(client, "get_agent_core", json!({ "agent_id": id.0 }))
            .await
            .map_err(|e| {
                JourneyError::at(
                    Agent,
                    &format!(
                        "reading the linked accounts of agent {id} ({name}) (or pass --agent ID)"
                    ),
                    e,
                )
            })?;
        if has_tiktok(&core) {
            with_tiktok.push((*id, name.clone()));
        }
    }
    if let [(id, name)] = with_tiktok.as_slice() {
        return Ok(FoundAgent {
            id: *id,
            name: name.clone(),
            why: "the only agent with a linked TikTok account",
        });
    }
    let listing = agents
        .iter()
        .map(|(id, name)| {
            let mark = if with_tiktok.iter().any(|(t, _)| t == id) {
                " [tiktok]"
            } else {
                ""
            };
            format!("{id} {name:?}{mark}")
        })
        .collect::<Vec<_>>()
        .join(", ");
    let reason = if with_tiktok.is_empty() {
        "none has a linked TikTok account".to_owned()
    } else {
        format!("{} have a linked TikTok account", with_tiktok.len())
    };
    Err(JourneyError::new(
        Agent,
        format!(
            "you have {} agents and {reason}, so the journey cannot pick one: pass --agent ID (or set GEN_AGENT_ID); your agents: {listing}",
            agents.len()
        ),
    ))
}

async fn call(client: &GenClient, operation_id: &str, args: Value) -> Result<Value, Error> {
    let args = args.as_object().cloned().unwrap_or_default();
    Ok(crate::dynamic::call(client, operation_id, &args)
        .await?
        .body)
}

/// Every agent of every workspace of the key's user (`GET /v1/workspaces`,
/// then `GET /v1/agents?workspace_id=..` for each), each agent once.
async fn list_agents(client: &GenClient) -> Result<Vec<(AgentId, String)>, JourneyError> {
    use JourneyStep::Agent;
    let workspaces = call(client, "list_workspaces", json!({}))
        .await
        .map_err(|e| {
            JourneyError::at(
                Agent,
                "listing your workspaces to find your agent (or pass --agent ID)",
                e,
            )
        })?;
    let mut agents: Vec<(AgentId, String)> = Vec::new();
    for workspace in list_items(&workspaces) {
        let Some(workspace_id) = workspace.get("id").and_then(Value::as_i64) else {
            continue;
        };
        let listed = call(
            client,
            "list_agents",
            json!({ "workspace_id": workspace_id }),
        )
        .await
        .map_err(|e| {
            JourneyError::at(
                Agent,
                &format!("listing the agents of workspace {workspace_id} (or pass --agent ID)"),
                e,
            )
        })?;
        for agent in list_items(&listed) {
            let Some(id) = agent.get("id").and_then(Value::as_i64) else {
                continue;
            };
            if agents.iter().any(|(a, _)| a.0 == id) {
                continue;
            }
            let name = agent
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            agents.push((AgentId(id), name));
        }
    }
    Ok(agents)
}

/// The JSON array of a list answer: a bare array, or the first array field
/// of a wrapper object (`{"data": [...]}`), which the seeds leave open.
fn list_items(body: &Value) -> Vec<Value> {
    match body {
        Value::Array(items) => items.clone(),
        Value::Object(map) => map
            .values()
            .find_map(|v| v.as_array().cloned())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Whether an Agent Core (`GET /v1/agents/{agent_id}/core`) lists a linked
/// TikTok account (`linked_accounts: [{"url": ..., "platform": "tiktok"}]`,
/// seed 001). Read tolerantly: the core alone or wrapped in `core`, the
/// platform in any case, or only a tiktok.com URL.
fn has_tiktok(core: &Value) -> bool {
    let accounts = core
        .get("linked_accounts")
        .or_else(|| core.pointer("/core/linked_accounts"))
        .and_then(Value::as_array);
    accounts.into_iter().flatten().any(|account| {
        let platform = account.get("platform").and_then(Value::as_str);
        let url = account.get("url").and_then(Value::as_str);
        match platform {
            Some(p) => p.eq_ignore_ascii_case("tiktok"),
            None => url.is_some_and(|u| u.to_ascii_lowercase().contains("tiktok.com")),
        }
    })
}

#[cfg(feature = "offline")]
mod offline {
    use super::OFFLINE_AGENT;
    use crate::client::GenClient;
    use crate::config::GenClientBuilder;
    use crate::error::Error;
    use crate::steps::{Agent, AgentId};

    /// How [`Connection::open`] connects.
    #[derive(Clone, Debug, Default)]
    #[non_exhaustive]
    pub struct ConnectOptions {
        /// The API key; `None` or empty: run offline (when allowed).
        pub api_key: Option<String>,
        /// The api host's URL (default `https://api.gen.pro`).
        pub api_url: Option<String>,
        /// The agent host's URL (default `https://agent.gen.pro`).
        pub agent_url: Option<String>,
        /// The agent to use; offline, default [`OFFLINE_AGENT`].
        pub agent_id: Option<AgentId>,
        /// Without a key, run against the built-in fake (else fail).
        pub allow_offline: bool,
        /// Say so on stderr when running offline (default with
        /// [`ConnectOptions::from_env`]: yes).
        pub announce: bool,
        /// The fake's configuration, offline.
        pub mock: genpro_mock::MockConfig,
    }

    impl ConnectOptions {
        /// `GEN_API_KEY`, `GEN_API_URL`, `GEN_AGENT_URL`, `GEN_AGENT_ID`;
        /// offline allowed and announced.
        pub fn from_env() -> Self {
            let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
            Self {
                api_key: var("GEN_API_KEY"),
                api_url: var("GEN_API_URL"),
                agent_url: var("GEN_AGENT_URL"),
                agent_id: var("GEN_AGENT_ID")
                    .and_then(|v| v.trim().parse().ok())
                    .map(AgentId::new),
                allow_offline: true,
                announce: true,
                mock: genpro_mock::MockConfig::default(),
            }
        }

        /// Sets [`Self::api_key`].
        pub fn api_key(mut self, key: Option<String>) -> Self {
            self.api_key = key;
            self
        }

        /// Sets [`Self::api_url`].
        pub fn api_url(mut self, url: Option<String>) -> Self {
            self.api_url = url;
            self
        }

        /// Sets [`Self::agent_url`].
        pub fn agent_url(mut self, url: Option<String>) -> Self {
            self.agent_url = url;
            self
        }

        /// Sets [`Self::agent_id`].
        pub fn agent_id(mut self, agent: Option<AgentId>) -> Self {
            self.agent_id = agent;
            self
        }

        /// Sets [`Self::allow_offline`].
        pub fn allow_offline(mut self, allow: bool) -> Self {
            self.allow_offline = allow;
            self
        }

        /// Sets [`Self::announce`].
        pub fn announce(mut self, announce: bool) -> Self {
            self.announce = announce;
            self
        }

        /// Sets [`Self::mock`].
        pub fn mock(mut self, mock: genpro_mock::MockConfig) -> Self {
            self.mock = mock;
            self
        }
    }

    /// A client, the agent to use, and the in-process fake it talks to when
    /// it runs offline (stopped by [`Connection::close`] or on drop).
    #[derive(Debug)]
    #[non_exhaustive]
    pub struct Connection {
        /// The client.
        pub client: GenClient,
        /// The agent given (`GEN_AGENT_ID`), or the fake's offline.
        pub agent_id: Option<AgentId>,
        mock: Option<genpro_mock::MockServer>,
    }

    impl GenClient {
        /// With `GEN_API_KEY` set, a client of the real API (and
        /// `GEN_AGENT_ID`, if set, as the agent); without, the built-in
        /// fake (genpro-mock) started on 127.0.0.1, said on stderr, with its
        /// agent [`OFFLINE_AGENT`]. Keep the [`Connection`] alive while the
        /// client is used.
        pub async fn connect_or_offline() -> Result<Connection, Error> {
            Connection::open(ConnectOptions::from_env()).await
        }
    }

    impl Connection {
        /// Connects with `options`; see [`GenClient::connect_or_offline`].
        pub async fn open(options: ConnectOptions) -> Result<Self, Error> {
            let key = options.api_key.clone().filter(|k| !k.is_empty());
            let (builder, mock, agent_id) = match key {
                Some(key) => {
                    let mut builder = GenClientBuilder::new().api_key(key);
                    if let Some(url) = &options.api_url {
                        builder = builder.api_url(url.clone());
                    }
                    if let Some(url) = &options.agent_url {
                        builder = builder.agent_url(url.clone());
                    }
                    (builder, None, options.agent_id)
                }
                None if options.allow_offline => {
                    let server = genpro_mock::MockServer::start(options.mock.clone())
                        .await
                        .map_err(|e| {
                            Error::config(format!("could not start the built-in offline fake: {e}"))
                        })?;
                    if options.announce {
                        eprintln!("{}", offline_notice(&server));
                    }
                    tracing::info!(url = %server.base_url(), "running offline against the built-in fake");
                    let builder = GenClientBuilder::new()
                        .api_key(server.api_key())
                        .api_url(server.api_url())
                        .agent_url(server.agent_url());
                    (
                        builder,
                        Some(server),
                        Some(options.agent_id.unwrap_or(OFFLINE_AGENT)),
                    )
                }
                None => {
                    return Err(Error::config(
                        "no API key: set GEN_API_KEY or pass --api-key (create one in the GEN dashboard > API page; or run `gen mock` and point --api-url at it)",
                    ));
                }
            };
            Ok(Self {
                client: builder.build()?,
                agent_id,
                mock,
            })
        }

        /// True when talking to the built-in fake.
        pub fn is_offline(&self) -> bool {
            self.mock.is_some()
        }

        /// The line said when running offline (`None` online).
        pub fn offline_notice(&self) -> Option<String> {
            self.mock.as_ref().map(offline_notice)
        }

        /// The fake, offline.
        pub fn mock(&self) -> Option<&genpro_mock::MockServer> {
            self.mock.as_ref()
        }

        /// The agent to use ([`Self::agent_id`]);
        /// [`ErrorKind::Config`](crate::ErrorKind::Config) when none is known (online without
        /// `GEN_AGENT_ID`: see [`super::find_agent`]).
        pub fn agent(&self) -> Result<Agent<'_>, Error> {
            let id = self.agent_id.ok_or_else(|| {
                Error::config("set GEN_AGENT_ID to the agent to use (or look it up with genpro_sdk::workflow::find_agent)")
            })?;
            Ok(self.client.agent(id))
        }

        /// Stops the fake, if any.
        pub async fn close(self) {
            if let Some(mock) = self.mock {
                mock.shutdown().await;
            }
        }
    }

    fn offline_notice(server: &genpro_mock::MockServer) -> String {
        format!(
            "No GEN_API_KEY set: running offline against the built-in fake GEN API (genpro-mock) at {}",
            server.base_url()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::{has_tiktok, list_items};
    use serde_json::json;

    #[test]
    fn tiktok_is_found_in_the_shapes_the_seeds_leave_open() {
        let seed = json!({"linked_accounts": [{"url": "https://tiktok.com/@santiago_sa", "platform": "tiktok"}]});
        assert!(has_tiktok(&seed));
        assert!(has_tiktok(
            &json!({"core": {"linked_accounts": [{"platform": "TikTok", "url": "x"}]}})
        ));
        assert!(has_tiktok(
            &json!({"linked_accounts": [{"url": "https://www.TikTok.com/@a"}]})
        ));
        assert!(!has_tiktok(
            &json!({"linked_accounts": [{"url": "https://tiktok.com/@a", "platform": "instagram"}]})
        ));
        assert!(!has_tiktok(&json!({"linked_accounts": null})));
        assert!(!has_tiktok(&json!({})));
    }

    #[test]
    fn lists_are_bare_arrays_or_wrapped() {
        assert_eq!(list_items(&json!([{"id": 1}])), vec![json!({"id": 1})]);
        assert_eq!(
            list_items(&json!({"meta": {}, "data": [{"id": 2}]})),
            vec![json!({"id": 2})]
        );
        assert!(list_items(&json!("x")).is_empty());
    }
}
