//! `gen` — the GEN Auto Content Engine from the command line.
//!
//! `gen journey` walks the whole idea → published video journey (set up the
//! agent, generate ideas, clone a template, generate, render, publish) with
//! progress bars. Without `GEN_API_KEY` it starts the built-in offline fake
//! (genpro-mock) in-process and says so; with a key it talks to the real API.
//! The other commands each do one step (generate, wait, stop, continue,
//! upload, render, publish, credits) or serve the fake (`gen mock`);
//! `gen api` calls any operation of the API by its operation id.
//!
//! Output: the final object on stdout (as JSON with `--json`); progress on
//! stderr, hidden when stderr is not a terminal. On failure: exit code 1 and
//! one line naming the cause and, where GEN documents one, the fix.

mod api;
mod commands;
mod journey;
mod mcp;
mod ui;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The GEN Auto Content Engine from the command line.
#[derive(Debug, Parser)]
#[command(name = "gen", version, about, long_about = None)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// Options every command takes.
#[derive(Debug, Clone, clap::Args)]
pub struct Global {
    /// Base URL of the api host.
    #[arg(long, global = true, env = "GEN_API_URL")]
    pub api_url: Option<String>,
    /// Base URL of the agent host (ideas, research).
    #[arg(long, global = true, env = "GEN_AGENT_URL")]
    pub agent_url: Option<String>,
    /// API key (a GEN personal access token). Never printed.
    #[arg(long, global = true, env = "GEN_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// Print the final object as JSON on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// Offline runs only (no key; `gen mock`): the built-in fake sends the fields no seed
    /// pins in other plausible shapes, varied with this seed (see `gen mock --vary`).
    #[arg(
        long,
        global = true,
        env = "GEN_MOCK_VARY",
        value_name = "SEED",
        hide = true
    )]
    pub mock_vary: Option<u64>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run all five steps end to end and print the final video URL.
    Journey(journey::JourneyArgs),
    /// Trigger a generation on a cell (or layer) from a creation card.
    Generate(commands::GenerateArgs),
    /// Wait for a generation to finish.
    Wait(commands::WaitArgs),
    /// Stop a generation (its credits are refunded).
    Stop(commands::IdArg),
    /// Continue a stopped generation (its credits are charged again).
    Continue(commands::IdArg),
    /// Upload a file as a content resource (direct upload above 50 MB).
    Upload(commands::UploadArgs),
    /// Render a final_video cell; optionally wait and download it.
    Render(commands::RenderArgs),
    /// Publish a video now, or schedule it.
    Publish(commands::PublishArgs),
    /// Show a workspace's credit balance.
    Credits(commands::CreditsArgs),
    /// Serve the offline fake of the GEN API on 127.0.0.1.
    Mock(commands::MockArgs),
    /// Call any operation by its id (`gen api --list` lists them).
    Api(api::ApiArgs),
    /// Serve the GEN API as an MCP server for AI agents (stdio; --http for Streamable HTTP).
    Mcp(mcp::McpArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let global = cli.global;
    ui::set_secret(global.api_key.as_deref());
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Journey(args) => journey::run(&global, args).await,
            Command::Generate(args) => commands::generate(&global, args).await,
            Command::Wait(args) => commands::wait(&global, args).await,
            Command::Stop(args) => commands::stop(&global, args).await,
            Command::Continue(args) => commands::continue_(&global, args).await,
            Command::Upload(args) => commands::upload(&global, args).await,
            Command::Render(args) => commands::render(&global, args).await,
            Command::Publish(args) => commands::publish(&global, args).await,
            Command::Credits(args) => commands::credits(&global, args).await,
            Command::Mock(args) => commands::mock(&global, args).await,
            Command::Api(args) => api::run(&global, args).await,
            Command::Mcp(args) => mcp::run(&global, args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", ui::error_line(&e));
            ExitCode::FAILURE
        }
    }
}
