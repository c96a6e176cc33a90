//! `genpro-mock`: run the GEN API fake on 127.0.0.1.

use std::time::Duration;

use clap::Parser;
use genpro_mock::{MockConfig, MockServer};

/// Offline fake of the GEN Auto Content Engine API (api + agent hosts on one listener).
#[derive(Debug, Parser)]
#[command(name = "genpro-mock", version, about)]
struct Args {
    /// Port to listen on (127.0.0.1).
    #[arg(long, default_value_t = 4010, env = "GEN_MOCK_PORT")]
    port: u16,
    /// Accepted API key (repeatable). Default: mock-key.
    #[arg(long = "key", env = "GEN_MOCK_KEY")]
    keys: Vec<String>,
    /// Initial generic credit of workspace 1.
    #[arg(long, default_value_t = 1000.0)]
    credit: f64,
    /// Milliseconds a generation stays pending.
    #[arg(long, default_value_t = 300)]
    pending_ms: u64,
    /// Milliseconds a generation stays processing.
    #[arg(long, default_value_t = 700)]
    processing_ms: u64,
    /// Milliseconds an agent run takes.
    #[arg(long, default_value_t = 500)]
    run_ms: u64,
    /// Disable long-poll (`wait=true` is ignored).
    #[arg(long)]
    no_long_poll: bool,
    /// Injected latency in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Probability (0..1) of an injected 429.
    #[arg(long, default_value_t = 0.0)]
    rate_429: f64,
    /// Probability (0..1) of an injected 503.
    #[arg(long, default_value_t = 0.0)]
    rate_5xx: f64,
    /// Seed of the fault RNG.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Vary the fields no seed pins (number <-> numeric string, null, left
    /// out, unknown fields), seeded and reproducible.
    #[arg(long, value_name = "SEED", env = "GEN_MOCK_VARY")]
    vary: Option<u64>,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let mut config = MockConfig::default()
        .with_port(args.port)
        .with_initial_credit(args.credit)
        .with_generation_timing(
            Duration::from_millis(args.pending_ms),
            Duration::from_millis(args.processing_ms),
        )
        .with_run_duration(Duration::from_millis(args.run_ms))
        .with_long_poll(!args.no_long_poll)
        .with_latency(Duration::from_millis(args.latency_ms))
        .with_rate_429(args.rate_429, 1)
        .with_rate_5xx(args.rate_5xx)
        .with_seed(args.seed);
    if let Some(seed) = args.vary {
        config = config.vary(seed);
    }
    if !args.keys.is_empty() {
        config = config.with_api_keys(args.keys);
    }
    let server = MockServer::start(config).await?;
    println!("genpro-mock listening on {}", server.base_url());
    println!("GEN_API_URL={}", server.api_url());
    println!("GEN_AGENT_URL={}", server.agent_url());
    println!("GEN_API_KEY={}", server.api_key());
    tokio::signal::ctrl_c().await?;
    server.shutdown().await;
    Ok(())
}
