//! `gen journey`: the five steps of seed 001, end to end: the SDK's
//! workflow ([`genpro_sdk::workflow::journey`]) with progress bars.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::Result;
use genpro_sdk::steps::AgentId;
use genpro_sdk::wait::WaitOptions;
use genpro_sdk::workflow::{self, JourneyEvent, JourneyOptions, JourneyStep};
use indicatif::ProgressBar;
use serde::Serialize;

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
    #[serde(flatten)]
    report: workflow::JourneyReport,
    /// Where the video was downloaded, if asked.
    downloaded_to: Option<String>,
    /// True when the run used the built-in offline fake.
    offline: bool,
}

/// Run the journey.
pub async fn run(global: &Global, args: JourneyArgs) -> Result<()> {
    let progress = Progress::new();
    let conn = Connection::open(global, true, &progress).await?;
    let client = &conn.client;
    let agent = match (args.agent, conn.offline) {
        (Some(a), _) => AgentId::new(a),
        (None, true) => workflow::OFFLINE_AGENT,
        (None, false) => {
            let pb = progress.step(JourneyStep::Agent.label());
            pb.set_message("finding your agent");
            let found = workflow::find_agent(client).await;
            pb.finish_and_clear();
            let found = found?;
            progress.say(format!(
                "using agent {} ({}): {}",
                found.id, found.name, found.why
            ));
            found.id
        }
    };
    let options = JourneyOptions::default()
        .message(args.message.clone())
        .publish(!args.no_publish)
        .wait(WaitOptions::default().max_wait(Duration::from_secs(args.max_wait)));
    let mut bars: HashMap<JourneyStep, ProgressBar> = HashMap::new();
    let report = workflow::journey(client, agent, &options, |event| {
        let bar = |step: JourneyStep, bars: &mut HashMap<JourneyStep, ProgressBar>| {
            bars.entry(step)
                .or_insert_with(|| progress.step(step.label()))
                .clone()
        };
        match event {
            JourneyEvent::Doing { step, message } => bar(step, &mut bars).set_message(message),
            JourneyEvent::Waiting { step, progress } => bar(step, &mut bars)
                .set_message(ui::scrub(&workflow::describe_progress(&progress)).into_owned()),
            JourneyEvent::Done { step, message } => {
                bar(step, &mut bars).finish_with_message(message)
            }
            _ => {}
        }
    })
    .await?;
    let downloaded_to = match &args.download {
        Some(path) => {
            commands::download_to(&report.video_url, path, &progress).await?;
            Some(path.display().to_string())
        }
        None => None,
    };
    let video_url = report.video_url.clone();
    let result = JourneyResult {
        report,
        downloaded_to,
        offline: conn.offline,
    };
    ui::output(global.json, &result, || format!("final video: {video_url}"));
    conn.close().await;
    Ok(())
}
