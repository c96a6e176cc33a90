//! genpro-batch against genpro-mock (in this process, 127.0.0.1): credits,
//! rate limits, bad rows and reconciliation. The crash test (SIGKILL at
//! random points) is `gen batch`'s, in genpro-cli's tests.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use genpro_batch::{
    BatchError, BatchOptions, Event, Journal, MemoryJournal, RowState, manifest, run,
};
use genpro_sdk::GenClient;
use genpro_sdk::cards::GenerateBody;
use genpro_sdk::steps::{AgentId, CellId, EngineId};

struct Fixture {
    mock: genpro_mock::MockServer,
    client: GenClient,
    engine: i64,
    cells: Vec<i64>,
}

async fn fixture(config: genpro_mock::MockConfig) -> Fixture {
    let mock = genpro_mock::MockServer::start(
        config.with_generation_timing(Duration::from_millis(10), Duration::from_millis(40)),
    )
    .await
    .unwrap();
    let client = GenClient::builder()
        .api_key(mock.api_key())
        .api_url(mock.api_url())
        .agent_url(mock.agent_url())
        .build()
        .unwrap();
    let clone = client
        .agent(AgentId::new(42))
        .clone_template("tiktok-talking-avatar")
        .await
        .unwrap();
    let cells = clone
        .engine
        .spreadsheet_cells
        .iter()
        .filter_map(|c| c.id)
        .collect();
    Fixture {
        mock,
        client,
        engine: clone.id.get(),
        cells,
    }
}

fn lines(f: &Fixture, n: usize, card: &str) -> String {
    (0..n)
        .map(|i| {
            format!(
                r#"{{"id": "r{i}", "agent_id": 42, "engine_id": {}, "cell_id": {}, {card}}}"#,
                f.engine, f.cells[i]
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

const VIDEO: &str = r#""generation_type": "video_from_text", "data": {"prompt": "tacos", "model": "kling_1_6", "duration": 5}"#;

fn fast() -> BatchOptions {
    BatchOptions::new()
        .parallel(4)
        .min_poll_interval(Duration::from_millis(10))
        .doubt_grace(Duration::from_millis(50))
}

fn states(journal: &dyn Journal) -> Vec<RowState> {
    journal.rows().unwrap().iter().map(|r| r.state).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_credits_stops_starting_paid_work_at_the_budget() {
    let f = fixture(genpro_mock::MockConfig::default()).await;
    let m = manifest::parse(&lines(&f, 6, VIDEO), Path::new("."));
    let journal = MemoryJournal::new();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let summary = run(
        &f.client,
        &m,
        &journal,
        fast().max_credits(Some(120.0)),
        Some(tx),
    )
    .await
    .unwrap();
    // 50 credits each (the estimate of a video card): two fit in 120.
    assert_eq!(summary.states[&RowState::Done], 2);
    assert_eq!(summary.states[&RowState::Pending], 4);
    assert_eq!(
        summary.paused.as_deref(),
        Some("--max-credits 120 reached: no new generation is started")
    );
    assert_eq!(
        f.mock
            .state()
            .generate_calls_by_cell()
            .values()
            .sum::<u32>(),
        2
    );
    let mut planned = None;
    while let Ok(event) = rx.try_recv() {
        if let Event::Planned {
            to_send, estimate, ..
        } = event
        {
            planned = Some((to_send, estimate));
        }
    }
    assert_eq!(planned, Some((6, 300.0)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_balance_is_refused_before_anything_is_sent_and_a_422_pauses_new_starts() {
    let f = fixture(
        genpro_mock::MockConfig::default()
            .with_initial_credit(120.0)
            .with_cost("video_from_text", 50.0),
    )
    .await;
    let m = manifest::parse(&lines(&f, 6, VIDEO), Path::new("."));
    let journal = MemoryJournal::new();
    let err = run(&f.client, &m, &journal, fast().organization(Some(1)), None)
        .await
        .unwrap_err();
    match &err {
        BatchError::ShortBalance {
            organization,
            estimate,
            balance,
        } => assert_eq!((*organization, *estimate, *balance), (1, 300.0, 120.0)),
        other => panic!("{other}"),
    }
    assert_eq!(
        f.mock
            .state()
            .generate_calls_by_cell()
            .values()
            .sum::<u32>(),
        0
    );

    // Started anyway: GEN answers 422 insufficient_credits_for_job once the
    // credit is spent; new starts pause, the rows already charged finish.
    let summary = run(
        &f.client,
        &m,
        &journal,
        fast()
            .organization(Some(1))
            .allow_short_balance(true)
            .parallel(1),
        None,
    )
    .await
    .unwrap();
    let charged: usize = f
        .mock
        .state()
        .net_charged_by_cell()
        .values()
        .map(Vec::len)
        .sum();
    assert_eq!(summary.states[&RowState::Done], charged);
    assert!(charged >= 1, "{summary:?}");
    assert_eq!(summary.states[&RowState::Pending], 6 - charged);
    assert!(
        summary
            .paused
            .as_deref()
            .is_some_and(|p| p.starts_with("GEN answered 422 insufficient_credits_for_job")),
        "{summary:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_and_failed_generations_are_ridden_out_with_one_charge_per_row() {
    let f = fixture(
        genpro_mock::MockConfig::default()
            .with_rate_429(0.2, 0)
            .with_failing_generations(2, "provider timeout"),
    )
    .await;
    let m = manifest::parse(&lines(&f, 6, VIDEO), Path::new("."));
    let journal = MemoryJournal::new();
    let summary = run(&f.client, &m, &journal, fast().retries(2), None)
        .await
        .unwrap();
    assert!(summary.all_done(), "{summary:?}");
    let charged = f.mock.state().net_charged_by_cell();
    for cell in &f.cells[..6] {
        assert_eq!(charged[cell].len(), 1, "cell {cell}");
    }
    let failures: u32 = journal.rows().unwrap().iter().map(|r| r.failures).sum();
    assert_eq!(failures, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_row_sends_nothing_and_the_others_run() {
    let f = fixture(genpro_mock::MockConfig::default()).await;
    let text = format!(
        "{}\n{{\"id\": \"bad\", \"agent_id\": 42, \"engine_id\": {}, \"cell_id\": {}, \"generation_type\": \"video_from_text\", \"data\": {{\"prompt\": \"x\", \"duration\": \"forever\"}}}}",
        lines(&f, 1, VIDEO),
        f.engine,
        f.cells[1]
    );
    let m = manifest::parse(&text, Path::new("."));
    assert_eq!(m.errors.len(), 1);
    assert_eq!(m.errors[0].line, 2);
    let journal = MemoryJournal::new();
    let summary = run(&f.client, &m, &journal, fast(), None).await.unwrap();
    assert!(summary.all_done());
    assert_eq!(f.mock.state().generate_calls(f.cells[1]), 0);
    assert_eq!(f.mock.state().generate_calls(f.cells[0]), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unanswered_posts_are_adopted_resent_or_left_in_doubt_never_sent_twice() {
    let f = fixture(genpro_mock::MockConfig::default()).await;
    let m = manifest::parse(&lines(&f, 3, VIDEO), Path::new("."));
    let journal = MemoryJournal::new();
    genpro_batch::plan(&m, &journal).unwrap();
    journal.set_baseline(f.engine, &BTreeSet::new()).unwrap();
    // Each row was journaled as sent (killed before its answer was read):
    // r0's POST landed once, r1's never did, r2's cell has two new
    // generations (one could be another client's).
    let cell = |i: usize| {
        f.client
            .agent(AgentId::new(42))
            .engine(EngineId::new(f.engine))
            .cell(CellId::new(f.cells[i]))
    };
    let body = GenerateBody::from_json(
        &serde_json::json!({"generation_type": "text", "data": {"prompt": "x"}}),
    )
    .unwrap();
    let landed = cell(0).generate(&body).await.unwrap().id.get();
    cell(2).generate(&body).await.unwrap();
    cell(2).generate(&body).await.unwrap();
    for mut record in journal.rows().unwrap() {
        record.state = RowState::Sending;
        record.attempts = 1;
        record.intent_at = Some(chrono::Utc::now() - chrono::Duration::seconds(5));
        journal.save(&record).unwrap();
    }
    let before: Vec<u32> = (0..3)
        .map(|i| f.mock.state().generate_calls(f.cells[i]))
        .collect();
    let summary = run(&f.client, &m, &journal, fast(), None).await.unwrap();
    let rows = journal.rows().unwrap();
    assert_eq!(
        states(&journal),
        [RowState::Done, RowState::Done, RowState::InDoubt]
    );
    assert_eq!(rows[0].generation_id, Some(landed));
    assert_eq!(summary.in_doubt, ["r2"]);
    let after: Vec<u32> = (0..3)
        .map(|i| f.mock.state().generate_calls(f.cells[i]))
        .collect();
    // r0 adopted (no POST), r1 sent once, r2 left alone.
    assert_eq!(
        after
            .iter()
            .zip(&before)
            .map(|(a, b)| a - b)
            .collect::<Vec<_>>(),
        [0, 1, 0]
    );
    // A later run leaves the row in doubt alone too.
    run(&f.client, &m, &journal, fast(), None).await.unwrap();
    assert_eq!(f.mock.state().generate_calls(f.cells[2]), before[2]);
}
