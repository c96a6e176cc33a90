//! `gen journey`: the five steps of seed 001, end to end.

use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use genpro_sdk::GenClient;
use genpro_sdk::agent_core::AgentCorePatch;
use genpro_sdk::cards::{AspectRatio, Card, VideoFromTextCard, VideoFromTextModel};
use genpro_sdk::genpro_api::types;
use genpro_sdk::phases::{CellRef, PublishPost, first_row_cell};
use serde::Serialize;
use serde_json::{Value, json};

use crate::Global;
use crate::commands::{self, Connection};
use crate::ui::{self, Progress};

/// Options of `gen journey`.
#[derive(Debug, clap::Args)]
pub struct JourneyArgs {
    /// Agent to work with. Default offline: 42, the fake's agent; with a real
    /// key: the account's only agent, or the only one with a linked TikTok
    /// account.
    #[arg(long, env = "GEN_AGENT_ID")]
    pub agent: Option<i64>,
    /// What to ask the Ideas Engine for.
    #[arg(
        long,
        default_value = "Generate 3 content ideas grounded in this week trends"
    )]
    pub message: String,
    /// Also download the rendered video to this path.
    #[arg(long)]
    pub download: Option<std::path::PathBuf>,
    /// Stop after rendering (do not publish).
    #[arg(long)]
    pub no_publish: bool,
    /// Longest wait for any one job, in seconds.
    #[arg(long, default_value_t = 1800)]
    pub max_wait: u64,
}

/// What the journey produced (printed with `--json`).
#[derive(Debug, Serialize)]
pub struct JourneyResult {
    /// The agent used.
    pub agent_id: i64,
    /// The title of the idea turned into a video (`None` when the idea
    /// carries none: no seed shows an idea's `title` with a value).
    pub idea_title: Option<String>,
    /// The template cloned.
    pub template: String,
    /// The engine (vidsheet) created.
    pub engine_id: i64,
    /// The generation run on the video cell.
    pub generation_id: i64,
    /// The render generation.
    pub render_id: i64,
    /// The final video's public URL.
    pub video_url: String,
    /// Where the video was downloaded, if asked.
    pub downloaded_to: Option<String>,
    /// The publish job and the platform's post id.
    pub publish_job_id: Option<i64>,
    /// The platform's post id.
    pub post_id: Option<String>,
    /// True when the run used the built-in offline fake.
    pub offline: bool,
}

/// The seed-001 persona used when the journey sets up the agent.
fn persona() -> AgentCorePatch {
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

/// Run the journey.
pub async fn run(global: &Global, args: JourneyArgs) -> Result<()> {
    let progress = Progress::new();
    let conn = Connection::open(global, true, &progress).await?;
    let client = &conn.client;
    let agent_id = match (args.agent, conn.offline) {
        (Some(a), _) => a,
        (None, true) => 42,
        (None, false) => {
            let pb = progress.step("0/5 agent");
            pb.set_message("finding your agent");
            let found = find_agent(client).await;
            pb.finish_and_clear();
            let found = found?;
            progress.say(format!(
                "using agent {} ({}): {}",
                found.id, found.name, found.why
            ));
            found.id
        }
    };
    let max_wait = Duration::from_secs(args.max_wait);

    // Step 1 — set up the agent.
    let pb = progress.step("1/5 setup");
    pb.set_message("PATCH agent core");
    let core = client
        .setup()
        .update_agent_core(agent_id, &persona())
        .await
        .context("step 1 (set up the agent)")?;
    let failed = core.failed_section_names();
    pb.finish_with_message(if failed.is_empty() {
        "agent core saved".to_string()
    } else {
        format!("agent core saved; sections failed: {}", failed.join(", "))
    });

    // Step 2 — generate ideas.
    let pb = progress.step("2/5 ideas");
    pb.set_message("starting an agent run");
    let run = client
        .ideas()
        .start_run(agent_id, args.message.clone(), None)
        .await
        .context("step 2 (generate ideas)")?;
    pb.set_message(format!("waiting for run {}", run.run_id));
    commands::wait_job(
        client,
        genpro_sdk::wait::JobRef::AgentRun(run.run_id.clone()),
        max_wait,
        &pb,
    )
    .await
    .context("step 2 (waiting for the ideas run)")?;
    let conversation = run
        .conversation_id
        .clone()
        .ok_or_else(|| anyhow!("the agent run has no conversation_id"))?;
    let messages = client.ideas().messages(&conversation).await?;
    let idea = messages
        .iter()
        .rev()
        .flat_map(|m| m.ideas.iter())
        .next()
        .cloned()
        .ok_or_else(|| anyhow!("the ideas run finished without ideas"))?;
    // No seed shows an idea with values: every field may be missing.
    let label = idea
        .title
        .clone()
        .or_else(|| idea.hook.clone())
        .unwrap_or_else(|| "(untitled idea)".to_owned());
    pb.finish_with_message(format!("idea: {label}"));

    // Step 3 — clone the template matching the idea's video type.
    let pb = progress.step("3/5 vidsheet");
    let templates = client.vidsheet().templates().await?;
    let template = pick_template(&templates, &idea);
    pb.set_message(format!("cloning {template}"));
    let engine = client
        .vidsheet()
        .clone_template(&template, agent_id)
        .await
        .context("step 3 (clone a template)")?;
    let engine_id = engine
        .id
        .ok_or_else(|| anyhow!("step 3: the clone answer carries no engine id"))?;
    pb.finish_with_message(format!("engine {} from {template}", engine_id));

    // Step 4 — edit the script cell, generate the video cell.
    let pb = progress.step("4/5 edit");
    if let Some(script) =
        first_row_cell(&engine, |c| is_role(c, "ingredient") && is_type(c, "text"))
    {
        let text = idea
            .full_script
            .clone()
            .or(idea.hook.clone())
            .unwrap_or_default();
        client
            .edit()
            .update_cell(CellRef::new(agent_id, engine_id, script), text)
            .await
            .context("step 4 (write the script cell)")?;
    }
    let video_cell = first_row_cell(&engine, |c| {
        is_role(c, "video") || is_type(c, "video") && !is_role(c, "final_video")
    })
    .ok_or_else(|| anyhow!("engine {} has no video cell", engine_id))?;
    let prompt = idea
        .hook
        .clone()
        .or_else(|| idea.title.clone())
        .or_else(|| idea.full_script.clone())
        .ok_or_else(|| {
            anyhow!("step 4: the idea has no hook, title or script to prompt the video with")
        })?;
    let card = Card::from(
        VideoFromTextCard::new(prompt, VideoFromTextModel::Kling16)
            .aspect_ratio(AspectRatio::Ratio9x16)
            .duration(5),
    );
    pb.set_message("generating the video cell");
    let created = client
        .edit()
        .generate_on_cell(CellRef::new(agent_id, engine_id, video_cell), &card)
        .await
        .context("step 4 (generate)")?;
    commands::wait_job(
        client,
        genpro_sdk::wait::JobRef::Generation(created.generation_id),
        max_wait,
        &pb,
    )
    .await
    .context("step 4 (waiting for the generation)")?;
    pb.finish_with_message(format!("generation {} completed", created.generation_id));

    // Step 5 — render, download, publish.
    let pb = progress.step("5/5 publish");
    let final_cell = first_row_cell(&engine, |c| is_role(c, "final_video"))
        .ok_or_else(|| anyhow!("engine {} has no final_video cell", engine_id))?;
    pb.set_message("rendering");
    let render = client
        .publish()
        .render(CellRef::new(agent_id, engine_id, final_cell))
        .await
        .context("step 5 (render)")?;
    let rendered = commands::wait_job(
        client,
        genpro_sdk::wait::JobRef::Generation(render.generation_id),
        max_wait,
        &pb,
    )
    .await
    .context("step 5 (waiting for the render)")?;
    let video_url = rendered
        .output_resources
        .first()
        .map(|r| r.url.clone())
        .ok_or_else(|| anyhow!("the render completed without an output URL"))?;
    let downloaded_to = match &args.download {
        Some(path) => {
            commands::download_to(&video_url, path, &progress).await?;
            Some(path.display().to_string())
        }
        None => None,
    };
    let (publish_job_id, post_id) = if args.no_publish {
        (None, None)
    } else {
        pb.set_message("publishing to TikTok");
        let description = format!("{label} #streetfood");
        let job = client
            .publish()
            .publish(agent_id, &PublishPost::tiktok(&video_url, description))
            .await
            .context("step 5 (publish)")?;
        let done = commands::wait_job(
            client,
            genpro_sdk::wait::JobRef::UserJob {
                id: job.user_job_id,
                agent_id,
            },
            max_wait,
            &pb,
        )
        .await
        .context("step 5 (waiting for the publish job)")?;
        let post_id = done.body.pointer("/result/post_id").and_then(|v| {
            v.as_str()
                .map(str::to_owned)
                .or_else(|| Some(v.to_string()))
        });
        (Some(job.user_job_id), post_id)
    };
    pb.finish_with_message("done");

    let result = JourneyResult {
        agent_id,
        idea_title: idea.title.clone(),
        template,
        engine_id,
        generation_id: created.generation_id,
        render_id: render.generation_id,
        video_url: video_url.clone(),
        downloaded_to,
        publish_job_id,
        post_id,
        offline: conn.offline,
    };
    ui::output(global.json, &result, || format!("final video: {video_url}"));
    conn.close().await;
    Ok(())
}

/// An agent as listed by `GET /v1/agents?workspace_id=..`.
#[derive(Debug, Clone, PartialEq)]
struct AgentSummary {
    id: i64,
    name: String,
}

/// The agent the journey picked, and why.
#[derive(Debug)]
struct FoundAgent {
    id: i64,
    name: String,
    why: &'static str,
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

async fn call(client: &GenClient, operation_id: &str, args: Value) -> Result<Value> {
    let args = args.as_object().cloned().unwrap_or_default();
    Ok(genpro_sdk::dynamic::call(client, operation_id, &args)
        .await?
        .body)
}

/// Every agent of every workspace of the key's user (`GET /v1/workspaces`,
/// then `GET /v1/agents?workspace_id=..` for each), each agent once.
async fn list_agents(client: &GenClient) -> Result<Vec<AgentSummary>> {
    let workspaces = call(client, "list_workspaces", json!({}))
        .await
        .context("listing your workspaces to find your agent (or pass --agent ID)")?;
    let mut agents: Vec<AgentSummary> = Vec::new();
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
        .with_context(|| {
            format!("listing the agents of workspace {workspace_id} (or pass --agent ID)")
        })?;
        for agent in list_items(&listed) {
            let Some(id) = agent.get("id").and_then(Value::as_i64) else {
                continue;
            };
            if agents.iter().any(|a| a.id == id) {
                continue;
            }
            let name = agent
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            agents.push(AgentSummary { id, name });
        }
    }
    Ok(agents)
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

/// The agent to use when none was given with a real key: the account's only
/// agent, or else the only one with a linked TikTok account (the journey
/// publishes to TikTok). Otherwise an error listing the agents (id and name)
/// and the flag to pass.
async fn find_agent(client: &GenClient) -> Result<FoundAgent> {
    let agents = list_agents(client).await?;
    match agents.as_slice() {
        [] => bail!(
            "no agent found in your workspaces: create one (POST /v1/agents, or in the GEN dashboard) and pass --agent ID (or set GEN_AGENT_ID)"
        ),
        [only] => {
            return Ok(FoundAgent {
                id: only.id,
                name: only.name.clone(),
                why: "the account's only agent",
            });
        }
        _ => {}
    }
    let mut with_tiktok = Vec::new();
    for agent in &agents {
        let core = call(client, "get_agent_core", json!({ "agent_id": agent.id }))
            .await
            .with_context(|| {
                format!(
                    "reading the linked accounts of agent {} ({}) (or pass --agent ID)",
                    agent.id, agent.name
                )
            })?;
        if has_tiktok(&core) {
            with_tiktok.push(agent);
        }
    }
    if let [only] = with_tiktok.as_slice() {
        return Ok(FoundAgent {
            id: only.id,
            name: only.name.clone(),
            why: "the only agent with a linked TikTok account",
        });
    }
    let listing = agents
        .iter()
        .map(|a| {
            let mark = if with_tiktok.iter().any(|t| t.id == a.id) {
                " [tiktok]"
            } else {
                ""
            };
            format!("{} {:?}{mark}", a.id, a.name)
        })
        .collect::<Vec<_>>()
        .join(", ");
    let reason = if with_tiktok.is_empty() {
        "none has a linked TikTok account".to_owned()
    } else {
        format!("{} have a linked TikTok account", with_tiktok.len())
    };
    bail!(
        "you have {} agents and {reason}, so the journey cannot pick one: pass --agent ID (or set GEN_AGENT_ID); your agents: {listing}",
        agents.len()
    )
}

/// The starter template for an idea's video type (seed 001's mapping), or
/// the first template tagged with it.
fn pick_template(templates: &[types::Template], idea: &types::Idea) -> String {
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

fn is_role(c: &types::Column, role: &str) -> bool {
    c.role
        .as_ref()
        .is_some_and(|r| r.as_str().eq_ignore_ascii_case(role))
}

fn is_type(c: &types::Column, column_type: &str) -> bool {
    c.column_type
        .as_ref()
        .is_some_and(|t| t.as_str().eq_ignore_ascii_case(column_type))
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
