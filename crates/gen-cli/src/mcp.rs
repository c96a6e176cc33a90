//! `gen mcp`: the GEN API as an MCP server (stdio by default, Streamable
//! HTTP with `--http 127.0.0.1:PORT`). The tools are genpro-mcp's.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Result, anyhow};

use crate::Global;

/// The help of `--toolsets`: the toolsets genpro-mcp offers.
fn toolsets_help() -> String {
    format!(
        "The toolsets to list, comma-separated: {}",
        genpro_mcp::Toolset::choices()
    )
}

/// Options of `gen mcp`.
#[derive(Debug, clap::Args)]
pub struct McpArgs {
    /// Serve Streamable HTTP at http://ADDR/mcp instead of stdio (loopback addresses only).
    #[arg(long, value_name = "ADDR")]
    pub http: Option<SocketAddr>,
    /// Serve the built-in offline fake (genpro-mock) even when GEN_API_KEY is set.
    #[arg(long)]
    pub offline: bool,
    /// Print the tool list as a markdown table and exit (every tool, with
    /// the ones listed by default marked; with --sizes, the selected tools).
    #[arg(long)]
    pub list_tools: bool,
    /// With --list-tools: the bytes of each selected tool as tools/list
    /// sends it, and the total.
    #[arg(long, requires = "list_tools")]
    pub sizes: bool,
    /// The toolsets to list (comma-separated); the help names them, from
    /// genpro-mcp's toolsets.
    #[arg(long, value_name = "LIST", help = toolsets_help())]
    pub toolsets: Option<String>,
    /// Single tools to list, by name (comma-separated; added to --toolsets,
    /// or alone without it).
    #[arg(long, value_name = "NAMES")]
    pub tools: Option<String>,
    /// Dynamic toolsets: also list list_toolsets and enable_toolset, with
    /// which the client adds toolsets at run time
    /// (notifications/tools/list_changed).
    #[arg(long)]
    pub dynamic_toolsets: bool,
    /// A folder edit_upload_file may read from when the client offers no
    /// MCP roots (repeatable; default: the working directory).
    #[arg(long, value_name = "DIR")]
    pub allow_dir: Vec<std::path::PathBuf>,
    /// Offline fake only: how long each generation takes, in milliseconds
    /// (pending for a third, processing for the rest).
    #[arg(long, value_name = "MS", hide = true)]
    pub mock_generation_ms: Option<u64>,
    /// Offline fake only: the workspace's initial generic credit.
    #[arg(long, value_name = "CREDITS", hide = true)]
    pub mock_credit: Option<f64>,
}

/// Run `gen mcp`.
pub async fn run(global: &Global, args: McpArgs) -> Result<()> {
    let selection = genpro_mcp::Selection::parse(
        args.toolsets.as_deref(),
        args.tools.as_deref(),
        args.dynamic_toolsets,
    )
    .map_err(crate::ui::refused)?;
    if args.list_tools {
        if args.sizes {
            print!("{}", genpro_mcp::tools::sizes_table(&selection));
        } else {
            print!("{}", genpro_mcp::tools::markdown());
        }
        return Ok(());
    }
    let mut allow_dirs = Vec::with_capacity(args.allow_dir.len());
    for dir in &args.allow_dir {
        let resolved = std::fs::canonicalize(dir)
            .map_err(|e| crate::ui::refused(format!("--allow-dir {}: {e}", dir.display())))?;
        if !resolved.is_dir() {
            return Err(crate::ui::refused(format!(
                "--allow-dir {}: not a folder",
                dir.display()
            )));
        }
        allow_dirs.push(resolved);
    }
    let settings = genpro_mcp::Settings {
        selection,
        allow_dirs,
    };
    genpro_mcp::log_to_stderr();
    let mut mock = crate::commands::offline_fake(global);
    if let Some(ms) = args.mock_generation_ms {
        let pending = Duration::from_millis(ms / 3);
        mock = mock.with_generation_timing(pending, Duration::from_millis(ms) - pending);
    }
    if let Some(credit) = args.mock_credit {
        mock = mock.with_initial_credit(credit);
    }
    let options = genpro_mcp::Options {
        api_key: global.api_key.clone(),
        api_url: global.api_url.clone(),
        agent_url: global.agent_url.clone(),
        offline: args.offline,
        mock: Some(mock),
    };
    let backend = genpro_mcp::Backend::connect(options)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    if let Some(url) = backend.offline_url() {
        eprintln!(
            "gen mcp: no GEN_API_KEY (or --offline): serving the built-in fake GEN API (genpro-mock) at {url}{}",
            global
                .mock_vary
                .map(|seed| format!(", answers varied with seed {seed} (GEN_MOCK_VARY)"))
                .unwrap_or_default()
        );
    }
    match args.http {
        Some(addr) => {
            eprintln!("gen mcp: Streamable HTTP at http://{addr}/mcp (Ctrl-C to stop)");
            genpro_mcp::serve_http(backend, settings, addr, async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
        }
        None => genpro_mcp::serve_stdio(backend, settings).await,
    }
    .map_err(|e| anyhow!("{e}"))
}
