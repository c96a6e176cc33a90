//! `gen batch` killed with SIGKILL at random points, then run again until
//! done, against genpro-mock (in this process, on 127.0.0.1): the mock's
//! charge ledger shows exactly one net-charged generation per row, and
//! every output is on disk with the checksum of what the fake serves.
//!
//! The seed of the kill points is `GEN_BATCH_CRASH_SEED` (default 7); the
//! test prints its figures (kills, rows caught mid-POST, reconciliations).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use genpro_batch::{Journal, RowState, SqliteJournal};
use genpro_sdk::GenClient;
use genpro_sdk::steps::AgentId;
use serde_json::Value;
use sha2::Digest as _;

const ROWS: usize = 200;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

struct RunOutput {
    killed: bool,
    code: Option<i32>,
    events: Vec<Value>,
}

/// Runs `gen batch run` on `manifest`; kills it with SIGKILL after
/// `kill_after` when given.
async fn batch_run(
    mock: &genpro_mock::MockServer,
    manifest: &Path,
    kill_after: Option<Duration>,
) -> RunOutput {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(["--json", "batch", "run"])
        .arg(manifest)
        .args([
            "--parallel",
            "8",
            "--retries",
            "3",
            "--doubt-grace",
            "1",
            "--min-poll-ms",
            "20",
            "--organization",
            "1",
        ])
        .env("GEN_API_KEY", mock.api_key())
        .env("GEN_API_URL", mock.api_url())
        .env("GEN_AGENT_URL", mock.agent_url())
        .env_remove("GEN_API_KEY_FILE")
        .env_remove("GEN_MOCK_VARY")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn gen batch run");
    let mut stdout = child.stdout.take().unwrap();
    let reader = tokio::spawn(async move {
        let mut text = String::new();
        let _ = tokio::io::AsyncReadExt::read_to_string(&mut stdout, &mut text).await;
        text
    });
    let mut killed = false;
    let status = match kill_after {
        Some(after) => match tokio::time::timeout(after, child.wait()).await {
            Ok(status) => status.ok(),
            Err(_) => {
                child.start_kill().expect("SIGKILL");
                killed = true;
                child.wait().await.ok()
            }
        },
        None => tokio::time::timeout(Duration::from_secs(120), child.wait())
            .await
            .expect("a run without kills ends")
            .ok(),
    };
    let text = reader.await.unwrap_or_default();
    RunOutput {
        killed,
        code: status.and_then(|s| s.code()),
        events: text
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect(),
    }
}

fn notes(events: &[Value], prefix: &str) -> usize {
    events
        .iter()
        .filter(|e| e["note"].as_str().is_some_and(|n| n.starts_with(prefix)))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killed_at_random_points_no_row_is_charged_twice_and_every_output_is_verified() {
    let started = Instant::now();
    let seed: u64 = std::env::var("GEN_BATCH_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(7);
    let mut rng = fastrand::Rng::with_seed(seed);
    let config = genpro_mock::MockConfig::default()
        .with_generation_timing(Duration::from_millis(30), Duration::from_millis(120))
        .with_initial_credit(1_000_000.0)
        // Some generations fail (refunded): retried with a new POST.
        .with_failing_generations(12, "provider timeout");
    let mock = genpro_mock::MockServer::start(config)
        .await
        .expect("fake GEN");
    // A killed run may be between sending a paid POST and reading its
    // answer: the fake holds every answer this long after charging.
    mock.state()
        .set_generate_answer_delay(Duration::from_millis(250));

    // 200 cells: clones of a template.
    let client = GenClient::builder()
        .api_key(mock.api_key())
        .api_url(mock.api_url())
        .agent_url(mock.agent_url())
        .build()
        .unwrap();
    let agent = client.agent(AgentId::new(42));
    let mut cells: Vec<(i64, i64)> = Vec::new();
    while cells.len() < ROWS {
        let clone = agent.clone_template("tiktok-talking-avatar").await.unwrap();
        for cell in &clone.engine.spreadsheet_cells {
            if let Some(id) = cell.id {
                cells.push((clone.id.get(), id));
            }
        }
    }
    cells.truncate(ROWS);
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("batch.jsonl");
    let lines: Vec<String> = cells
        .iter()
        .enumerate()
        .map(|(i, (engine, cell))| {
            serde_json::json!({
                "id": format!("row-{i}"),
                "agent_id": 42,
                "engine_id": engine,
                "cell_id": cell,
                "generation_type": "video_from_text",
                "data": {"prompt": format!("taco truck {i}"), "model": "kling_1_6", "aspect_ratio": "9:16", "duration": 5},
                "layer_id": null,
                "download": format!("out/row-{i}.mp4"),
            })
            .to_string()
        })
        .collect();
    std::fs::write(&manifest, lines.join("\n")).unwrap();
    let journal_path = genpro_batch::default_journal_path(&manifest);

    // Kill at random points.
    let mut kills = 0;
    let mut caught_sending = 0;
    let mut events = Vec::new();
    for _ in 0..10 {
        let after = Duration::from_millis(rng.u64(150..2_500));
        let out = batch_run(&mock, &manifest, Some(after)).await;
        events.extend(out.events);
        if out.killed {
            kills += 1;
            let rows = SqliteJournal::open_read(&journal_path)
                .unwrap()
                .rows()
                .unwrap();
            caught_sending += rows.iter().filter(|r| r.state == RowState::Sending).count();
        } else {
            break;
        }
    }
    // Then run until done.
    let mut finishing_runs = 0;
    loop {
        finishing_runs += 1;
        let out = batch_run(&mock, &manifest, None).await;
        events.extend(out.events);
        if out.code == Some(0) {
            break;
        }
        assert!(
            finishing_runs < 5,
            "the batch does not finish (exit {:?})",
            out.code
        );
    }

    // The ledger: exactly one net-charged generation per row's cell, and
    // nothing charged anywhere else.
    let charged = mock.state().net_charged_by_cell();
    let rows_cells: BTreeSet<i64> = cells.iter().map(|(_, c)| *c).collect();
    for cell in &rows_cells {
        let generations = charged.get(cell).cloned().unwrap_or_default();
        assert_eq!(
            generations.len(),
            1,
            "cell {cell}: net-charged generations {generations:?}"
        );
    }
    let elsewhere: Vec<&i64> = charged.keys().filter(|c| !rows_cells.contains(c)).collect();
    assert_eq!(elsewhere, Vec::<&i64>::new());

    // Every row done, its output on disk with the checksum of what the fake serves.
    let journal = SqliteJournal::open_read(&journal_path).unwrap();
    let rows = journal.rows().unwrap();
    assert_eq!(rows.len(), ROWS);
    let http = genpro_sdk::reqwest::Client::new();
    for row in &rows {
        assert_eq!(row.state, RowState::Done, "{row:?}");
        let path = dir.path().join(format!("out/{}.mp4", row.id));
        let on_disk = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let served = http
            .get(row.output_url.as_deref().unwrap())
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(
            hex(&sha2::Sha256::digest(&on_disk)),
            hex(&sha2::Sha256::digest(&served))
        );
        assert_eq!(
            row.sha256.as_deref(),
            Some(hex(&sha2::Sha256::digest(&served)).as_str())
        );
        // The generation the journal holds is the one charged.
        assert_eq!(
            charged.get(&cells[row.id.trim_start_matches("row-").parse::<usize>().unwrap()].1),
            Some(&vec![row.generation_id.unwrap()])
        );
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("out"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".mp4"))
        .collect();
    assert_eq!(leftovers, Vec::<String>::new(), "no part files left");

    // Nothing finished is redone: one more run sends nothing and downloads nothing.
    let generate_calls: u32 = mock.state().generate_calls_by_cell().values().sum();
    let downloads = mock
        .state()
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/cdn/outputs/"))
        .count();
    // The batch fetched each output once (the check above fetched each once
    // more), except downloads a kill cut short: at most 8 per kill
    // (`--parallel 8`).
    assert!(
        (ROWS..=ROWS + 8 * kills).contains(&(downloads - ROWS)),
        "{} output downloads by the batch for {ROWS} outputs and {kills} kills",
        downloads - ROWS
    );
    let again = batch_run(&mock, &manifest, None).await;
    assert_eq!(again.code, Some(0));
    assert_eq!(
        mock.state().generate_calls_by_cell().values().sum::<u32>(),
        generate_calls
    );
    let downloads_after = mock
        .state()
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/cdn/outputs/"))
        .count();
    assert_eq!(downloads_after, downloads);

    // `status` and `report` read the journal.
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(["--json", "batch", "status"])
        .arg(&manifest)
        .output()
        .unwrap();
    let status: Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["rows"], ROWS);
    assert_eq!(status["states"]["done"], ROWS);
    assert_eq!(status["states"]["in_doubt"], 0);
    let report = std::process::Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(["--json", "batch", "report"])
        .arg(&manifest)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&report.stdout).unwrap();
    assert_eq!(report.as_array().unwrap().len(), ROWS);
    assert_eq!(report[0]["state"], "done");
    assert!(report[0]["generation_id"].is_i64());

    let ledger = mock.state().ledger();
    let refunded = ledger.iter().filter(|e| e.amount < 0.0).count();
    eprintln!(
        "crash test (seed {seed}): {ROWS} rows, {kills} SIGKILLs, {caught_sending} rows caught between intent and answer, \
         {} adopted by reconciliation, {} found never sent, {} in doubt; {finishing_runs} finishing run(s); \
         {generate_calls} generate POSTs ({} charges, {refunded} refunds of failed generations); \
         {} output downloads by the batch for {ROWS} outputs; {:.1} s",
        notes(&events, "reconciled: GEN made"),
        notes(&events, "reconciled: the unanswered POST never"),
        notes(&events, "in doubt"),
        ledger.iter().filter(|e| e.amount > 0.0).count(),
        downloads - ROWS,
        started.elapsed().as_secs_f64()
    );
    assert!(kills >= 3, "the seed killed only {kills} runs");
    mock.shutdown().await;
}
