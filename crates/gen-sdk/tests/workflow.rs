//! The workflow layer against the built-in fake (genpro-mock on 127.0.0.1):
//! connect or run offline, cells by role, the one way to wait (timeout,
//! progress channel, cancellation), the scheduled publish outcome, and the
//! whole journey.

use std::time::{Duration, Instant};

use genpro_mock::MockConfig;
use genpro_sdk::cards::{Card, TextCard, TextModel};
use genpro_sdk::chrono::{self, Utc};
use genpro_sdk::steps::{AgentId, PublishOutcome, PublishPost, Role};
use genpro_sdk::wait::{CancellationToken, JobStatus, Outcome, WaitError, WaitOptions};
use genpro_sdk::workflow::{
    self, ConnectOptions, Connection, JourneyEvent, JourneyOptions, JourneyStep, OFFLINE_AGENT,
};

/// A connection to a fresh fake (never the real API, whatever the
/// environment says).
async fn offline(mock: MockConfig) -> Connection {
    let options = ConnectOptions::default()
        .allow_offline(true)
        .announce(false)
        .mock(mock);
    Connection::open(options).await.expect("the fake starts")
}

fn fast() -> MockConfig {
    MockConfig::default()
        .with_generation_timing(Duration::from_millis(50), Duration::from_millis(100))
        .with_user_job_duration(Duration::from_millis(150))
}

#[tokio::test]
async fn without_a_key_it_runs_offline_with_the_fakes_agent_and_says_so() {
    let conn = offline(fast()).await;
    assert!(conn.is_offline());
    assert_eq!(conn.agent_id, Some(OFFLINE_AGENT));
    let notice = conn.offline_notice().expect("offline says so");
    assert!(notice.contains("No GEN_API_KEY set"), "{notice}");
    assert!(notice.contains("127.0.0.1"), "{notice}");
    assert!(conn.client.config().api_url().contains("127.0.0.1"));
    conn.client.me().await.expect("the fake answers");
    conn.close().await;

    // offline not allowed: no key is an error, nothing started
    let refused = Connection::open(ConnectOptions::default().allow_offline(false)).await;
    let error = refused.expect_err("no key, no offline");
    assert!(error.to_string().contains("no API key"), "{error}");
}

#[tokio::test]
async fn with_a_key_it_connects_to_the_given_urls_and_needs_an_agent() {
    let conn = Connection::open(
        ConnectOptions::default()
            .api_key(Some("k".into()))
            .api_url(Some("http://127.0.0.1:9".into()))
            .agent_url(Some("http://127.0.0.1:9".into())),
    )
    .await
    .unwrap();
    assert!(!conn.is_offline());
    assert!(conn.offline_notice().is_none());
    assert!(conn.agent().is_err(), "online without GEN_AGENT_ID");
    let conn = Connection::open(
        ConnectOptions::default()
            .api_key(Some("k".into()))
            .api_url(Some("http://127.0.0.1:9".into()))
            .agent_url(Some("http://127.0.0.1:9".into()))
            .agent_id(Some(AgentId::new(7))),
    )
    .await
    .unwrap();
    assert_eq!(conn.agent().unwrap().id(), AgentId::new(7));
}

#[tokio::test]
async fn cells_are_found_by_role_in_every_clone() {
    let conn = offline(fast()).await;
    let agent = conn.agent().unwrap();
    let first = agent.clone_template("tiktok-talking-avatar").await.unwrap();
    let second = agent.clone_template("tiktok-talking-avatar").await.unwrap();
    assert_ne!(first.id, second.id);
    for cloned in [&first, &second] {
        let engine = agent.engine(cloned.id);
        let answer = engine.get().await.unwrap();
        let column_of = |role: Role| {
            let cell = role.first_row_cell(&answer).expect("a cell");
            let cell = answer
                .spreadsheet_cells
                .iter()
                .chain(
                    answer
                        .spreadsheet_rows
                        .iter()
                        .flat_map(|r| r.spreadsheet_cells.iter()),
                )
                .find(|c| c.id == Some(cell.get()))
                .unwrap();
            answer
                .spreadsheet_columns
                .iter()
                .find(|c| c.id == cell.column_id)
                .unwrap()
                .clone()
        };
        let script = column_of(Role::Script);
        assert_eq!(script.role.unwrap().as_str(), "ingredient");
        assert_eq!(script.column_type.unwrap().as_str(), "text");
        assert_eq!(
            column_of(Role::Audio).column_type.unwrap().as_str(),
            "audio"
        );
        assert_eq!(column_of(Role::Video).role.unwrap().as_str(), "video");
        assert_eq!(
            column_of(Role::FinalVideo).role.unwrap().as_str(),
            "final_video"
        );
        // the handle and the answer at hand agree
        let by_role = engine.cell_by_role(Role::FinalVideo).await.unwrap();
        assert_eq!(
            Some(by_role.id()),
            engine
                .cell_in(&cloned.engine, &Role::FinalVideo)
                .map(|c| c.id())
        );
        assert_eq!(by_role.engine_id(), cloned.id);
    }
    // the cells of the two clones differ: ids cannot be hard-coded
    let a = agent
        .engine(first.id)
        .cell_by_role(Role::FinalVideo)
        .await
        .unwrap();
    let b = agent
        .engine(second.id)
        .cell_by_role(Role::FinalVideo)
        .await
        .unwrap();
    assert_ne!(a.id(), b.id());
    // the fake renders only a final_video cell: the role lookup finds it
    let render = a
        .render_and_wait(&WaitOptions::default())
        .await
        .unwrap()
        .into_completed()
        .unwrap();
    assert!(!render.output_resources.is_empty());
    // a role no column has is a typed error, not a guessed id
    let missing = agent
        .engine(first.id)
        .cell_by_role(Role::Image)
        .await
        .unwrap_err();
    assert!(
        missing.kind() == genpro_sdk::ErrorKind::MissingField,
        "{missing:?}"
    );
    conn.close().await;
}

#[tokio::test]
async fn a_wait_reports_progress_on_its_channel_until_it_finishes() {
    let conn = offline(fast()).await;
    let agent = conn.agent().unwrap();
    let cloned = agent.clone_template("tiktok-talking-avatar").await.unwrap();
    let script = agent
        .engine(cloned.id)
        .cell_by_role(Role::Script)
        .await
        .unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let card = Card::from(TextCard::new("Write a hook", TextModel::Gpt4o));
    let outcome = script
        .generate_and_wait(&card, &WaitOptions::default().progress(tx))
        .await
        .unwrap();
    assert!(outcome.is_completed(), "{outcome}");
    let mut events = Vec::new();
    while let Ok(p) = rx.try_recv() {
        events.push(p);
    }
    let last = events.last().expect("progress events");
    assert!(last.finished);
    assert_eq!(last.status, Some(JobStatus::Completed));
    assert!(events.iter().all(|p| p.job == events[0].job));
    conn.close().await;
}

#[tokio::test]
async fn a_cancelled_wait_ends_at_once_and_can_be_resumed() {
    // a generation that takes a minute
    let conn = offline(
        MockConfig::default()
            .with_generation_timing(Duration::from_secs(30), Duration::from_secs(30)),
    )
    .await;
    let agent = conn.agent().unwrap();
    let cloned = agent.clone_template("tiktok-talking-avatar").await.unwrap();
    let script = agent
        .engine(cloned.id)
        .cell_by_role(Role::Script)
        .await
        .unwrap();
    let cancel = CancellationToken::new();
    let canceller = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        canceller.cancel();
    });
    let started = Instant::now();
    let card = Card::from(TextCard::new("Write a hook", TextModel::Gpt4o));
    let error = script
        .generate_and_wait(&card, &WaitOptions::default().cancel(cancel))
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(error, WaitError::Cancelled { .. }), "{error:?}");
    assert!(error.resume().is_some());
    // and the timeout is a timeout, not a hang
    let error = script
        .generate_and_wait(
            &card,
            &WaitOptions::default().max_wait(Duration::from_millis(300)),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(error, WaitError::MaxWaitExceeded { .. }),
        "{error:?}"
    );
    conn.close().await;
}

#[tokio::test]
async fn a_scheduled_publish_returns_once_gen_accepted_it() {
    // one hour of schedule passes in 1.8 s
    let conn = offline(fast().with_schedule_scale(0.0005)).await;
    let agent = conn.agent().unwrap();
    let url = "https://cdn.gen.pro/outputs/render_xyz.mp4";
    let at = Utc::now() + chrono::Duration::hours(1);
    let post = PublishPost::tiktok(url, "later").scheduled(at);

    let started = Instant::now();
    let outcome = agent
        .publish_and_wait(&post, &WaitOptions::default())
        .await
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    let PublishOutcome::Scheduled {
        user_job_id,
        scheduled_time,
    } = outcome
    else {
        panic!("{outcome:?}");
    };
    assert_eq!(scheduled_time, at);
    assert!(outcome.is_success() && outcome.is_scheduled());
    // GEN keeps it pending until its time...
    let job = agent.user_job(user_job_id).await.unwrap();
    assert_eq!(job.status.as_ref().map(|s| s.as_str()), Some("pending"));
    // ...then publishes it
    let done = agent
        .wait_user_job(user_job_id, &WaitOptions::default())
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(1500));
    let Outcome::Completed(done) = done else {
        panic!("{done:?}");
    };
    assert!(workflow::post_id_of(&done).is_some());

    // a post published now is waited for until it is published
    let now = agent
        .publish_and_wait(&PublishPost::tiktok(url, "now"), &WaitOptions::default())
        .await
        .unwrap();
    assert!(workflow::published_post_id(&now).is_some(), "{now:?}");
    conn.close().await;
}

#[tokio::test]
async fn the_journey_runs_end_to_end_with_one_event_stream() {
    let conn = offline(fast()).await;
    let mut events = Vec::new();
    let report = workflow::journey(
        &conn.client,
        conn.agent().unwrap().id(),
        &JourneyOptions::default(),
        |event| events.push(event),
    )
    .await
    .unwrap();
    assert_eq!(report.agent_id, OFFLINE_AGENT);
    assert!(report.video_url.starts_with("http"), "{}", report.video_url);
    assert!(report.post_id.is_some());
    assert!(report.publish_job_id.is_some());
    let done: Vec<JourneyStep> = events
        .iter()
        .filter_map(|e| match e {
            JourneyEvent::Done { step, .. } => Some(*step),
            _ => None,
        })
        .collect();
    assert_eq!(
        done,
        [
            JourneyStep::Setup,
            JourneyStep::Ideas,
            JourneyStep::Vidsheet,
            JourneyStep::Edit,
            JourneyStep::Publish
        ]
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, JourneyEvent::Waiting { .. }))
    );

    // without publishing
    let report = workflow::journey(
        &conn.client,
        OFFLINE_AGENT,
        &JourneyOptions::default().publish(false),
        |_| {},
    )
    .await
    .unwrap();
    assert!(report.publish_job_id.is_none() && report.post_id.is_none());
    conn.close().await;
}
