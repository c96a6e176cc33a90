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
//! stderr, hidden when stderr is not a terminal or `NO_COLOR` is set. On
//! failure: an exit code by the kind of failure ([`ui::EXIT_CODES`]), and
//! `error: <cause>` on stderr with, where GEN documents one, the fix on a
//! second line (`  hint: ...`); with `--json`, one JSON object on stdout
//! instead.

mod api;
mod batch;
mod commands;
mod journey;
mod mcp;
mod ui;

use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use clap::{CommandFactory, Parser, Subcommand};

use crate::ui::Kind;

/// The GEN Auto Content Engine from the command line.
#[derive(Debug, Parser)]
#[command(name = "gen", version, about, long_about = None, after_help = ui::EXIT_CODES)]
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
    /// API key (a GEN personal access token). Never printed. A flag is
    /// visible to other users in `ps`: prefer GEN_API_KEY, --api-key-file or
    /// --api-key-stdin.
    #[arg(long, global = true, env = "GEN_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// Read the API key from this file (trailing newline trimmed); wins over
    /// --api-key and GEN_API_KEY.
    #[arg(long, global = true, env = "GEN_API_KEY_FILE", value_name = "PATH")]
    pub api_key_file: Option<PathBuf>,
    /// Read the API key from the first line of stdin; wins over the other
    /// ways of giving it.
    #[arg(long, global = true, conflicts_with = "api_key_file")]
    pub api_key_stdin: bool,
    /// Print the final object as JSON on stdout; a failure too, as
    /// {"error": {...}} on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// Trace requests on stderr (-v requests, -vv details, -vvv everything;
    /// RUST_LOG overrides the levels). The key is scrubbed.
    #[arg(long, short = 'v', global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
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
    /// Crash-safe batches: run a JSON Lines manifest of generations, read its journal.
    Batch(batch::BatchArgs),
    /// Print a shell completion script (e.g. `gen completions bash > ~/.local/share/bash-completion/completions/gen`).
    Completions(CompletionsArgs),
}

/// `gen completions`.
#[derive(Debug, clap::Args)]
struct CompletionsArgs {
    /// The shell.
    shell: clap_complete::Shell,
}

/// The longest API key read from a file or stdin (a GEN key is far
/// shorter); more is refused.
const MAX_KEY_BYTES: u64 = 4096;

/// The API key of `--api-key-stdin`, `--api-key-file` / `GEN_API_KEY_FILE`,
/// or `--api-key` / `GEN_API_KEY`, in that order; trailing whitespace
/// (the newline) trimmed.
fn resolve_key(global: &Global) -> Result<Option<String>> {
    if global.api_key_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .take(MAX_KEY_BYTES + 1)
            .read_line(&mut line)
            .map_err(|e| ui::refused(format!("reading the API key from stdin: {e}")))?;
        return key_text(line, "stdin").map(Some);
    }
    if let Some(path) = &global.api_key_file {
        return read_key_file(path).map(Some);
    }
    Ok(global.api_key.clone())
}

/// The key in a key file.
fn read_key_file(path: &Path) -> Result<String> {
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_KEY_BYTES + 1).read_to_string(&mut text))
        .map_err(|e| ui::refused(format!("reading the API key from {}: {e}", path.display())))?;
    key_text(text, &path.display().to_string())
}

/// A key read from `source`: trimmed, not empty, not over the size limit.
fn key_text(text: String, source: &str) -> Result<String> {
    if text.len() as u64 > MAX_KEY_BYTES {
        return Err(ui::refused(format!(
            "the API key in {source} is longer than {MAX_KEY_BYTES} bytes"
        )));
    }
    let key = text.trim();
    if key.is_empty() {
        return Err(ui::fail_with_hint(
            Kind::Auth,
            format!("no API key in {source}"),
            "put the key (a GEN personal access token) in it; create one in the GEN dashboard > API page",
        ));
    }
    Ok(key.to_owned())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut global = cli.global;
    ui::init_tracing(global.verbose);
    if let Command::Completions(args) = &cli.command {
        let mut cmd = Cli::command();
        clap_complete::generate(args.shell, &mut cmd, "gen", &mut std::io::stdout());
        return ExitCode::SUCCESS;
    }
    if global.api_key_stdin && matches!(&cli.command, Command::Mcp(args) if args.http.is_none()) {
        let e = ui::refused(
            "--api-key-stdin cannot be used with `gen mcp` on stdio: stdin carries the protocol (use --api-key-file or GEN_API_KEY_FILE)",
        );
        return ExitCode::from(ui::report(&e, global.json));
    }
    match resolve_key(&global) {
        Ok(key) => global.api_key = key,
        Err(e) => return ExitCode::from(ui::report(&e, global.json)),
    }
    ui::set_secret(global.api_key.as_deref());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let e = anyhow::Error::new(e).context("cannot start the async runtime");
            return ExitCode::from(ui::report(&e, global.json));
        }
    };
    let json = global.json;
    let result = runtime.block_on(async move {
        // `gen mock` and `gen mcp` stop on Ctrl-C themselves, cleanly.
        let serves = matches!(cli.command, Command::Mock(_) | Command::Mcp(_));
        let run = run(&global, cli.command);
        if serves {
            return run.await;
        }
        tokio::select! {
            result = run => result,
            _ = tokio::signal::ctrl_c() => Err(ui::fail(Kind::Interrupted, "interrupted")),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => ExitCode::from(ui::report(&e, json)),
    }
}

/// Runs one command.
async fn run(global: &Global, command: Command) -> Result<()> {
    match command {
        Command::Journey(args) => journey::run(global, args).await,
        Command::Generate(args) => commands::generate(global, args).await,
        Command::Wait(args) => commands::wait(global, args).await,
        Command::Stop(args) => commands::stop(global, args).await,
        Command::Continue(args) => commands::continue_(global, args).await,
        Command::Upload(args) => commands::upload(global, args).await,
        Command::Render(args) => commands::render(global, args).await,
        Command::Publish(args) => commands::publish(global, args).await,
        Command::Credits(args) => commands::credits(global, args).await,
        Command::Mock(args) => commands::mock(global, args).await,
        Command::Api(args) => api::run(global, args).await,
        Command::Mcp(args) => mcp::run(global, args).await,
        Command::Batch(args) => batch::run(global, args).await,
        Command::Completions(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_trimmed_and_an_empty_one_refused() {
        assert_eq!(key_text("sk-1\n".into(), "f").unwrap(), "sk-1");
        assert_eq!(key_text("sk-1\r\n".into(), "f").unwrap(), "sk-1");
        let e = key_text("\n".into(), "f").unwrap_err();
        assert_eq!(ui::kind_of(&e), Kind::Auth);
        assert_eq!(e.to_string(), "no API key in f");
        let long = "k".repeat(MAX_KEY_BYTES as usize + 1);
        assert_eq!(ui::kind_of(&key_text(long, "f").unwrap_err()), Kind::Input);
    }

    #[test]
    fn the_cli_is_well_formed() {
        Cli::command().debug_assert();
    }
}
