//! `gen mcp`: the GEN API as an MCP server (stdio by default, Streamable
//! HTTP with `--http 127.0.0.1:PORT`). The tools are genpro-mcp's.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Result, anyhow};

use crate::Global;

/// Options of `gen mcp`.
#[derive(Debug, clap::Args)]
pub struct McpArgs {
    /// Serve Streamable HTTP at http://ADDR/mcp instead of stdio (loopback addresses only).
    #[arg(long, value_name = "ADDR")]
    pub http: Option<SocketAddr>,
    /// Serve the built-in offline fake (genpro-mock) even when GEN_API_KEY is set.
    #[arg(long)]
    pub offline: bool,
    /// Print the tool list as a markdown table and exit.
    #[arg(long)]
    pub list_tools: bool,
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
    if args.list_tools {
        print!("{}", genpro_mcp::tools::markdown());
        return Ok(());
    }
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
            genpro_mcp::serve_http(backend, addr, async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
        }
        None => genpro_mcp::serve_stdio(backend).await,
    }
    .map_err(|e| anyhow!("{e}"))
}
