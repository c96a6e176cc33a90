//! Waiting for async work: long-poll detection, interval fallback, maximum
//! wait, transient errors, statuses, other job kinds, stop on cancel.
//!
//! Every test runs against a local axum fake (127.0.0.1) with a manual
//! clock: sleeping advances it instantly, and the fake advances it while it
//! "holds" a long-poll, so nothing waits for real and every count is exact.

mod wait_common;

use std::time::Duration;

use genpro_sdk::wait::{JobRef, JobStatus, Outcome, PollMode, WaitError, WaitOptions};
use genpro_sdk::{ErrorCode, ErrorCodeExt as _};
use serde_json::json;
use wait_common::Fake;

const GEN: &str = "/v1/generations/9000";

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

#[tokio::test]
async fn long_poll_honoured_takes_a_single_request() {
    let fake = Fake::start().await;
    fake.with(|s| s.honour_wait = true);
    fake.job(
        GEN,
        vec![
            (0, json!({"id": 9000, "status": "processing", "progress_percent": 10})),
            (20, json!({"id": 9000, "status": "completed", "result": "Here is the generated script text..."})),
        ],
    );
    let waiter = fake.waiter();

    let outcome = waiter.wait(JobRef::Generation(9000)).await.unwrap();

    assert!(outcome.is_completed(), "{outcome:?}");
    assert_eq!(
        outcome.result(),
        Some("Here is the generated script text...")
    );
    let hits = fake.hits();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].method, "GET");
    assert_eq!(hits[0].path, GEN);
    assert_eq!(hits[0].query, "wait=true&timeout=50");
    assert_eq!(waiter.long_poll_support(), Some(true));
    // The server held the request 20 s; the client never slept.
    assert_eq!(fake.elapsed(), secs(20));
    assert!(fake.time.sleeps().is_empty(), "{:?}", fake.time.sleeps());
}

#[tokio::test]
async fn long_poll_repeats_without_sleeping_when_the_server_times_out() {
    let fake = Fake::start().await;
    fake.with(|s| s.honour_wait = true);
    fake.job(
        GEN,
        vec![
            (0, json!({"id": 9000, "status": "pending"})),
            (80, json!({"id": 9000, "status": "completed", "output_resources": [{"id": 1500, "url": "https://cdn.gen.pro/outputs/abc123.mp4", "object_type": "video"}]})),
        ],
    );

    let outcome = fake.waiter().wait(9000).await.unwrap();

    assert_eq!(
        outcome.output_resources()[0].url,
        "https://cdn.gen.pro/outputs/abc123.mp4"
    );
    let queries: Vec<String> = fake.hits().into_iter().map(|h| h.query).collect();
    assert_eq!(queries, ["wait=true&timeout=50", "wait=true&timeout=50"]);
    assert!(fake.time.sleeps().is_empty());
    assert_eq!(fake.elapsed(), secs(80));
}

#[tokio::test]
async fn ignored_long_poll_falls_back_to_jittered_interval_polling() {
    let fake = Fake::start().await;
    fake.job(
        GEN,
        vec![
            (0, json!({"id": 9000, "status": "processing"})),
            (
                60,
                json!({"id": 9000, "status": "completed", "result": "ok"}),
            ),
        ],
    );
    let waiter = fake.waiter();

    let outcome = waiter.wait(9000).await.unwrap();

    assert!(outcome.is_completed());
    assert_eq!(waiter.long_poll_support(), Some(false));
    let hits = fake.hits();
    assert_eq!(hits[0].query, "wait=true&timeout=50", "probe first");
    assert!(
        hits[1..].iter().all(|h| h.query == "include=progress"),
        "then plain polls with progress: {hits:?}"
    );
    // 1 s → 15 s × 1.5 with ±25 % jitter over 60 s: about 9 polls; the
    // documented 3 s loop would need 20.
    assert!((5..=14).contains(&hits.len()), "{} requests", hits.len());
    let sleeps = fake.time.sleeps();
    assert!(
        sleeps
            .iter()
            .all(|d| *d >= Duration::from_millis(750) && *d <= secs(15)),
        "{sleeps:?}"
    );
    assert!(
        sleeps.windows(2).any(|w| w[1] > w[0]),
        "backoff grows: {sleeps:?}"
    );
    // Detected completion within one (maximum) interval.
    assert!(fake.elapsed() >= secs(60) && fake.elapsed() <= secs(75));

    // The verdict is remembered: the next wait does not probe again.
    fake.job(
        "/v1/generations/9001",
        vec![(0, json!({"id": 9001, "status": "completed"}))],
    );
    waiter.wait(9001).await.unwrap();
    let next = fake.hits_matching("GET", "/v1/generations/9001");
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].query, "include=progress");
}

#[tokio::test]
async fn long_poll_parameters_refused_with_422_switch_to_interval_polling() {
    let fake = Fake::start().await;
    fake.with(|s| s.fail_gets.push_back((422, None)));
    fake.job(GEN, vec![(0, json!({"id": 9000, "status": "completed"}))]);

    let outcome = fake.waiter().wait(9000).await.unwrap();

    assert!(outcome.is_completed());
    let queries: Vec<String> = fake.hits().into_iter().map(|h| h.query).collect();
    assert_eq!(queries, ["wait=true&timeout=50", "include=progress"]);
    assert!(fake.time.sleeps().is_empty());
}

#[tokio::test]
async fn max_wait_returns_the_job_and_the_last_state() {
    let fake = Fake::start().await;
    fake.job(
        GEN,
        vec![(
            0,
            json!({"id": 9000, "status": "processing", "progress_percent": 40}),
        )],
    );
    let waiter = fake
        .waiter()
        .with_options(WaitOptions::default().max_wait(secs(120)));

    let error = waiter.wait(9000).await.unwrap_err();

    let WaitError::MaxWaitExceeded {
        job,
        last,
        waited,
        polls,
    } = &error
    else {
        panic!("{error:?}");
    };
    assert_eq!(*job, JobRef::Generation(9000));
    let last = last.as_deref().unwrap();
    assert_eq!(last.status, JobStatus::Running);
    assert_eq!(last.raw_status, "processing");
    assert_eq!(last.progress_percent, Some(40.0));
    assert_eq!(*waited, secs(120));
    assert_eq!(*polls as usize, fake.hits().len());
    assert!(*polls <= 16, "{polls} requests in 2 minutes");
    assert_eq!(fake.elapsed(), secs(120), "stopped exactly at the deadline");
    // The last poll happened at the deadline.
    assert_eq!(fake.time.sleeps().iter().sum::<Duration>(), secs(120));
    assert_eq!(error.resume(), Some(JobRef::Generation(9000)));
    assert!(error.to_string().contains("generation 9000"), "{error}");
    assert!(error.to_string().contains("processing"), "{error}");
}

#[tokio::test]
async fn transient_errors_are_retried_within_the_wait_honouring_retry_after() {
    let fake = Fake::start().await;
    fake.with(|s| {
        s.honour_wait = true;
        s.fail_gets.extend([
            (503, Some("7".to_owned())),
            (502, None),
            (429, Some("2".to_owned())),
        ]);
    });
    fake.job(
        GEN,
        vec![(
            0,
            json!({"id": 9000, "status": "completed", "result": "ok"}),
        )],
    );
    let (tx, mut progress) = tokio::sync::mpsc::unbounded_channel();
    let waiter = fake
        .waiter()
        .with_options(WaitOptions::default().progress(tx));

    let outcome = waiter.wait(9000).await.unwrap();

    assert_eq!(outcome.result(), Some("ok"));
    assert_eq!(fake.hits().len(), 4);
    let sleeps = fake.time.sleeps();
    assert_eq!(sleeps.len(), 3);
    assert_eq!(sleeps[0], secs(7), "Retry-After honoured");
    assert_eq!(sleeps[2], secs(2), "Retry-After honoured");
    let mut last = None;
    while let Ok(p) = progress.try_recv() {
        last = Some(p);
    }
    let last = last.expect("progress events");
    assert!(last.finished);
    assert_eq!(last.status, Some(JobStatus::Completed));
    assert_eq!(last.polls, 4);
    assert_eq!(last.last_error, None);
}

#[tokio::test]
async fn non_transient_errors_end_the_wait_at_once() {
    let fake = Fake::start().await;

    let error = fake.waiter().wait(424242).await.unwrap_err();

    let WaitError::Poll { job, source, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(*job, JobRef::Generation(424242));
    assert_eq!(source.status(), Some(404));
    assert_eq!(source.error_code(), Some(&ErrorCode::NotFound));
    assert!(error.hint().is_some());
    assert_eq!(error.resume(), None);
    assert_eq!(fake.hits().len(), 1);
}

#[tokio::test]
async fn statuses_are_case_insensitive_and_unknown_ones_are_reported_not_terminal() {
    let fake = Fake::start().await;
    fake.job(
        GEN,
        vec![
            (0, json!({"id": 9000, "status": "PENDING"})),
            (4, json!({"id": 9000, "status": "Uploading_Assets"})),
            (
                12,
                json!({"id": 9000, "status": "COMPLETED", "result": "done"}),
            ),
        ],
    );
    let (tx, mut progress) = tokio::sync::mpsc::unbounded_channel();
    let waiter = fake
        .waiter()
        .with_options(WaitOptions::default().long_poll(false).progress(tx));
    let seen = tokio::spawn(async move {
        let mut seen = Vec::new();
        while let Some(p) = progress.recv().await {
            if let Some(status) = &p.status
                && seen.last() != Some(status)
            {
                seen.push(status.clone());
            }
            if p.finished {
                return seen;
            }
        }
        seen
    });

    let outcome = waiter.wait(9000).await.unwrap();

    assert!(matches!(outcome, Outcome::Completed(_)), "{outcome:?}");
    assert_eq!(outcome.snapshot().raw_status, "COMPLETED");
    assert_eq!(
        seen.await.unwrap(),
        [
            JobStatus::Pending,
            JobStatus::Unknown("Uploading_Assets".to_owned()),
            JobStatus::Completed
        ]
    );
    // Interval polling only: no wait parameter at all.
    assert!(fake.hits().iter().all(|h| h.query == "include=progress"));
}

#[tokio::test]
async fn an_unknown_status_never_ends_the_wait() {
    let fake = Fake::start().await;
    fake.job(GEN, vec![(0, json!({"id": 9000, "status": "QUEUED_V2"}))]);
    let waiter = fake
        .waiter()
        .with_options(WaitOptions::default().max_wait(secs(30)));

    let error = waiter.wait(9000).await.unwrap_err();

    let last = error.last_state().unwrap();
    assert_eq!(last.status, JobStatus::Unknown("QUEUED_V2".to_owned()));
    assert!(!last.status.is_terminal());
    assert!(matches!(error, WaitError::MaxWaitExceeded { .. }));
}

#[tokio::test]
async fn failed_and_rejected_outcomes_carry_reason_code_and_hint() {
    let fake = Fake::start().await;
    fake.with(|s| s.honour_wait = true);
    fake.job(
        GEN,
        vec![(
            0,
            json!({"id": 9000, "status": "failed", "failed_reason": "Not enough credits", "error_code": "insufficient_credits_for_job"}),
        )],
    );
    fake.job(
        "/v1/generations/9001",
        vec![(
            0,
            json!({"id": 9001, "status": "REJECTED", "error": "input video inaccessible", "errorCode": "generation_input_video_inaccessible"}),
        )],
    );
    let waiter = fake.waiter();

    let failed = waiter.wait(9000).await.unwrap();
    let rejected = waiter.wait(9001).await.unwrap();

    assert!(matches!(failed, Outcome::Failed(_)));
    assert_eq!(failed.failure_reason(), Some("Not enough credits"));
    assert_eq!(
        failed.error_code(),
        Some(&ErrorCode::InsufficientCreditsForJob)
    );
    assert_eq!(failed.hint(), ErrorCode::InsufficientCreditsForJob.hint());
    assert!(failed.hint().is_some());
    assert!(matches!(rejected, Outcome::Rejected(_)));
    assert_eq!(rejected.failure_reason(), Some("input video inaccessible"));
    assert_eq!(
        rejected.error_code(),
        Some(&ErrorCode::Other(
            "generation_input_video_inaccessible".to_owned()
        ))
    );
    let error = rejected.into_completed().unwrap_err();
    assert!(matches!(error, WaitError::Unsuccessful(_)));
    assert!(error.to_string().contains("rejected"), "{error}");
}

#[tokio::test]
async fn other_job_kinds_are_polled_on_their_own_endpoints() {
    let fake = Fake::start().await;
    fake.with(|s| s.honour_wait = true);
    fake.job(
        "/agenthost/v1/agent/runs/run_abc",
        vec![
            (0, json!({"run_id": "run_abc", "status": "running"})),
            (6, json!({"run_id": "run_abc", "status": "completed", "result": "Here are 5 ideas.", "ideas": []})),
        ],
    );
    fake.job(
        "/agenthost/v1/agent/runs/run_ask",
        vec![(
            0,
            json!({"run_id": "run_ask", "status": "pending_approval"}),
        )],
    );
    fake.job(
        "/v1/user_jobs/138860",
        vec![
            (0, json!({"id": 138860, "status": "pending"})),
            (3, json!({"id": 138860, "status": "completed", "result": {"post_id": "7345678901234567890"}})),
        ],
    );
    fake.job(
        "/v1/agents/42/voice/preview/prev_123",
        vec![
            (0, json!({"job_id": "prev_123", "status": "processing"})),
            (2, json!({"job_id": "prev_123", "status": "completed", "audio_url": "https://cdn.gen.pro/voice/prev_123.mp3"})),
        ],
    );
    let waiter = fake.waiter();

    let run = waiter
        .wait(JobRef::AgentRun("run_abc".into()))
        .await
        .unwrap();
    let ask = waiter
        .wait(JobRef::AgentRun("run_ask".into()))
        .await
        .unwrap();
    let publish = waiter
        .wait(JobRef::UserJob {
            id: 138860,
            agent_id: 42,
        })
        .await
        .unwrap();
    let preview = waiter
        .wait(JobRef::VoicePreview {
            agent_id: 42,
            job_id: "prev_123".into(),
        })
        .await
        .unwrap();

    assert_eq!(run.result(), Some("Here are 5 ideas."));
    assert!(run.snapshot().agent_run().is_some());
    assert!(matches!(ask, Outcome::ApprovalRequired(_)));
    assert_eq!(
        publish.snapshot().body["result"]["post_id"],
        "7345678901234567890"
    );
    assert_eq!(
        preview.output_resources()[0].url,
        "https://cdn.gen.pro/voice/prev_123.mp3"
    );
    // No long-poll for these kinds (only generations have it), and the
    // user job carries its agent_id.
    for hit in fake.hits() {
        assert!(!hit.query.contains("wait"), "{hit:?}");
        match hit.path.as_str() {
            "/v1/user_jobs/138860" => assert_eq!(hit.query, "agent_id=42"),
            _ => assert_eq!(hit.query, ""),
        }
    }
    assert_eq!(waiter.long_poll_support(), None, "never probed");
}

#[tokio::test]
async fn progress_reports_mode_and_percent_while_interval_polling() {
    let fake = Fake::start().await;
    fake.job(
        GEN,
        vec![
            (
                0,
                json!({"id": 9000, "status": "processing", "progress_percent": 10}),
            ),
            (
                10,
                json!({"id": 9000, "status": "processing", "progress_percent": 50}),
            ),
            (20, json!({"id": 9000, "status": "completed"})),
        ],
    );
    let (tx, mut progress) = tokio::sync::mpsc::unbounded_channel();
    let waiter = fake
        .waiter()
        .with_options(WaitOptions::default().progress(tx));
    let seen = tokio::spawn(async move {
        let mut seen = Vec::new();
        while let Some(p) = progress.recv().await {
            seen.push((p.mode, p.progress_percent));
            if p.finished {
                return seen;
            }
        }
        seen
    });

    waiter.wait(9000).await.unwrap();

    let seen = seen.await.unwrap();
    assert!(seen.contains(&(PollMode::Interval, Some(10.0))), "{seen:?}");
    assert!(seen.contains(&(PollMode::Interval, Some(50.0))), "{seen:?}");
}

#[tokio::test]
async fn dropping_the_wait_with_stop_on_cancel_sends_exactly_one_stop() {
    let fake = Fake::start().await;
    fake.job(GEN, vec![(0, json!({"id": 9000, "status": "processing"}))]);
    let waiter = fake
        .waiter()
        .with_options(WaitOptions::default().stop_on_cancel(true));

    let gets = fake.gets.clone();
    let hits = fake.clone();
    tokio::select! {
        result = waiter.wait(9000) => panic!("the job never ends: {result:?}"),
        _ = async move {
            while hits.hits_matching("GET", GEN).len() < 3 {
                gets.notified().await;
            }
        } => {}
    }
    // The wait future is dropped; the stop is sent in the background.
    for _ in 0..200 {
        if !fake
            .hits_matching("POST", "/v1/generations/9000/stop")
            .is_empty()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let gets_at_cancel = fake.hits_matching("GET", GEN).len();
    tokio::time::sleep(Duration::from_millis(100)).await;

    assert_eq!(
        fake.hits_matching("POST", "/v1/generations/9000/stop")
            .len(),
        1
    );
    assert_eq!(
        fake.hits_matching("GET", GEN).len(),
        gets_at_cancel,
        "no polling after the drop"
    );
}

#[tokio::test]
async fn dropping_the_wait_without_stop_on_cancel_sends_no_stop() {
    let fake = Fake::start().await;
    fake.job(GEN, vec![(0, json!({"id": 9000, "status": "processing"}))]);
    let waiter = fake.waiter();

    let gets = fake.gets.clone();
    let hits = fake.clone();
    tokio::select! {
        result = waiter.wait(9000) => panic!("the job never ends: {result:?}"),
        _ = async move {
            while hits.hits_matching("GET", GEN).len() < 3 {
                gets.notified().await;
            }
        } => {}
    }
    let gets_at_cancel = fake.hits_matching("GET", GEN).len();
    tokio::time::sleep(Duration::from_millis(100)).await;

    assert!(
        fake.hits_matching("POST", "/v1/generations/9000/stop")
            .is_empty()
    );
    assert_eq!(fake.hits_matching("GET", GEN).len(), gets_at_cancel);
}

#[tokio::test]
async fn a_finished_wait_with_stop_on_cancel_sends_no_stop() {
    let fake = Fake::start().await;
    fake.with(|s| s.honour_wait = true);
    fake.job(
        GEN,
        vec![
            (0, json!({"id": 9000, "status": "processing"})),
            (5, json!({"id": 9000, "status": "completed"})),
        ],
    );
    let waiter = fake.waiter().with_options(
        WaitOptions::default()
            .stop_on_cancel(true)
            .max_wait(secs(600)),
    );

    waiter.wait(9000).await.unwrap();
    // Also after the maximum wait: the caller may resume.
    fake.job(
        "/v1/generations/9001",
        vec![(0, json!({"id": 9001, "status": "processing"}))],
    );
    let short = waiter.clone().with_options(
        WaitOptions::default()
            .stop_on_cancel(true)
            .max_wait(secs(60)),
    );
    assert!(matches!(
        short.wait(9001).await,
        Err(WaitError::MaxWaitExceeded { .. })
    ));
    tokio::time::sleep(Duration::from_millis(50)).await;

    assert!(
        fake.hits().iter().all(|h| h.method == "GET"),
        "{:?}",
        fake.hits()
    );
}

#[test]
fn status_parsing_ignores_case_and_keeps_unknown_values() {
    for (raw, status) in [
        ("completed", JobStatus::Completed),
        ("COMPLETED", JobStatus::Completed),
        (" Completed ", JobStatus::Completed),
        ("FAILED", JobStatus::Failed),
        ("REJECTED", JobStatus::Rejected),
        ("stopped", JobStatus::Stopped),
        ("cancelled", JobStatus::Stopped),
        ("PENDING", JobStatus::Pending),
        ("processing", JobStatus::Running),
        ("running", JobStatus::Running),
        ("in-progress", JobStatus::Running),
        ("pending_approval", JobStatus::ApprovalRequired),
        ("warming_up", JobStatus::Unknown("warming_up".to_owned())),
    ] {
        assert_eq!(JobStatus::parse(raw), status, "{raw}");
    }
    assert!(!JobStatus::parse("warming_up").is_terminal());
    assert!(JobStatus::parse("Completed").is_terminal());
}

#[tokio::test]
async fn a_waiter_takes_sleep_and_clock_from_the_client_builder() {
    let fake = Fake::start().await;
    fake.job(
        GEN,
        vec![
            (0, json!({"id": 9000, "status": "processing"})),
            (
                5,
                json!({"id": 9000, "status": "completed", "result": "ok"}),
            ),
        ],
    );
    // No `with_time`: the builder's `.sleep()` / `.clock()` (the manual
    // time) must reach the waiter, so nothing sleeps for real.
    let options = WaitOptions::default()
        .long_poll(false)
        .include_progress(false)
        .jitter(false)
        .interval(secs(1), secs(15))
        .multiplier(1.5);
    let started = std::time::Instant::now();

    let waiter = fake.client().waiter().with_options(options);
    let wait = waiter.wait(9000);
    // With tokio's sleep and the system clock the job would never complete
    // on the manual clock: bounded, so that failure is quick.
    let outcome = tokio::time::timeout(secs(10), wait)
        .await
        .expect("the waiter slept for real or read the system clock")
        .unwrap();

    assert!(outcome.is_completed(), "{outcome:?}");
    // Polls at 0, 1, 2.5, 4.75 (processing) and 8.125 s (completed).
    assert_eq!(
        fake.time.sleeps(),
        [
            Duration::from_millis(1000),
            Duration::from_millis(1500),
            Duration::from_millis(2250),
            Duration::from_millis(3375),
        ]
    );
    assert_eq!(fake.hits().len(), 5);
    assert_eq!(fake.elapsed(), Duration::from_millis(8125));
    assert!(
        started.elapsed() < secs(5),
        "slept for real: {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn wait_for_on_the_client_uses_the_client_time() {
    let fake = Fake::start().await;
    fake.job(
        "/v1/user_jobs/77",
        vec![
            (0, json!({"id": 77, "status": "pending"})),
            (1, json!({"id": 77, "status": "completed"})),
        ],
    );

    let client = fake.client();
    let waiter = client.waiter();
    let wait = waiter.wait(JobRef::UserJob {
        id: 77,
        agent_id: 42,
    });
    let outcome = tokio::time::timeout(secs(10), wait)
        .await
        .expect("the waiter slept for real or read the system clock")
        .unwrap();

    assert!(outcome.is_completed());
    // The default schedule (1 s, then 1.5 s, jittered by ±25 %) on the
    // manual clock until the job completes at 1 s.
    let sleeps = fake.time.sleeps();
    assert!((1..=2).contains(&sleeps.len()), "{sleeps:?}");
    assert!(
        sleeps[0] >= Duration::from_millis(750) && sleeps[0] < Duration::from_millis(1250),
        "{sleeps:?}"
    );
}
