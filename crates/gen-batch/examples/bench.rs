//! A benchmark (not a test): ROWS generations against genpro-mock in fast
//! mode, through genpro-batch or through a naive loop of genpro-sdk calls
//! (generate, wait, download, one row after the other), in this process.
//!
//! ```text
//! cargo run --release -p genpro-batch --example bench -- batch 1000 8
//! cargo run --release -p genpro-batch --example bench -- naive 1000
//! ```
//!
//! Prints one JSON line: the mode, rows, wall time of the run (the setup
//! of the fake and its engines excluded), requests the fake received per
//! row during the run, and the process's peak RSS (`VmHWM`, fake
//! included). `bench.sh` runs each mode 3 times and prints median and
//! min–max.

use std::time::{Duration, Instant};

use genpro_batch::{BatchOptions, SqliteJournal, manifest, run};
use genpro_sdk::GenClient;
use genpro_sdk::cards::GenerateBody;
use genpro_sdk::download::DownloadOptions;
use genpro_sdk::steps::{AgentId, CellId, EngineId};
use genpro_sdk::wait::{Outcome, WaitOptions};

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "batch".into());
    let rows: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let parallel: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(8);

    // Fast mode: generations finish at once, answers come at once.
    let config = genpro_mock::MockConfig::default()
        .with_generation_timing(Duration::ZERO, Duration::from_millis(1))
        .with_initial_credit(1e9);
    let mock = genpro_mock::MockServer::start(config).await?;
    let client = GenClient::builder()
        .api_key(mock.api_key())
        .api_url(mock.api_url())
        .agent_url(mock.agent_url())
        .build()?;
    let agent = client.agent(AgentId::new(42));
    let mut cells = Vec::new();
    while cells.len() < rows {
        let clone = agent.clone_template("tiktok-talking-avatar").await?;
        for cell in &clone.engine.spreadsheet_cells {
            if let Some(id) = cell.id {
                cells.push((clone.id.get(), id));
            }
        }
    }
    cells.truncate(rows);
    let dir = tempfile::tempdir()?;
    let text: Vec<String> = cells
        .iter()
        .enumerate()
        .map(|(i, (engine, cell))| {
            serde_json::json!({
                "id": format!("row-{i}"), "agent_id": 42, "engine_id": engine, "cell_id": cell,
                "generation_type": "video_from_text",
                "data": {"prompt": format!("shot {i}"), "model": "kling_1_6", "duration": 5},
                "download": format!("out/row-{i}.mp4"),
            })
            .to_string()
        })
        .collect();
    let manifest_path = dir.path().join("batch.jsonl");
    std::fs::write(&manifest_path, text.join("\n"))?;
    let manifest = manifest::read(&manifest_path)?;
    mock.state().clear_requests();

    let started = Instant::now();
    let mut done = 0usize;
    match mode.as_str() {
        "batch" => {
            let journal = SqliteJournal::open(genpro_batch::default_journal_path(&manifest_path))?;
            let options = BatchOptions::new()
                .parallel(parallel)
                .min_poll_interval(Duration::from_millis(1));
            let summary = run(&client, &manifest, &journal, options, None).await?;
            done = summary.states[&genpro_batch::RowState::Done];
        }
        "naive" => {
            std::fs::create_dir_all(dir.path().join("out"))?;
            let wait = WaitOptions::default().min_interval(Duration::from_millis(1));
            for row in &manifest.rows {
                let body: &GenerateBody = &row.body;
                let cell = agent
                    .engine(EngineId::new(row.engine_id))
                    .cell(CellId::new(row.cell_id));
                let triggered = cell.generate(body).await?;
                let outcome = client.generation(triggered.id).wait(&wait).await?;
                if let Outcome::Completed(snapshot) = outcome
                    && let Some(output) = snapshot.output_resources.first()
                {
                    let path = row.download.clone().expect("a download path");
                    client
                        .download(&output.url, &path, DownloadOptions::new().overwrite(true))
                        .await?;
                    done += 1;
                }
            }
        }
        other => return Err(format!("unknown mode {other} (batch or naive)").into()),
    }
    let wall = started.elapsed();
    let requests = mock.state().requests().len();
    println!(
        "{}",
        serde_json::json!({
            "mode": mode,
            "rows": rows,
            "parallel": if mode == "batch" { parallel } else { 1 },
            "done": done,
            "wall_s": wall.as_secs_f64(),
            "requests_per_row": requests as f64 / rows as f64,
            "peak_rss_kib": peak_rss_kib(),
        })
    );
    mock.shutdown().await;
    Ok(())
}
