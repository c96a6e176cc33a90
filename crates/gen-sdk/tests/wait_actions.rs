//! Trigger-and-wait conveniences, stop / continue, mass regenerate and
//! waiting for many jobs, against the local fake (see `wait_common`).

mod wait_common;

use std::collections::HashSet;
use std::time::Duration;

use futures::StreamExt;
use genpro_sdk::GenClient;
use genpro_sdk::cards::{Card, TextCard, TextModel, VideoFromTextCard, VideoFromTextModel};
use genpro_sdk::steps::{AgentId, CellId, Engine, EngineId, GenerationId, LayerId, OrganizationId};
use genpro_sdk::wait::{
    CellResult, ControlAction, JobRef, JobStatus, MassRegenerate, Outcome, RequestBudget,
    WaitError, WaitOptions,
};
use serde_json::json;
use wait_common::{Fake, GenerateBehaviour};

fn text_card() -> Card {
    Card::from(TextCard::new("Write a punchier hook", TextModel::Gpt4o))
}

fn video_card() -> Card {
    Card::from(
        VideoFromTextCard::new("Taco truck at golden hour", VideoFromTextModel::Kling16)
            .duration(5),
    )
}

fn engine(client: &GenClient) -> Engine<'_> {
    client.agent(AgentId::new(42)).engine(EngineId::new(101))
}

fn generate_path(cell_id: i64) -> String {
    format!("/v1/autocontentengine/101/cells/{cell_id}/generate")
}

#[tokio::test]
async fn generate_on_cell_sends_one_generate_then_long_polls_the_new_generation() {
    let fake = Fake::start().await;
    fake.with(|s| s.honour_wait = true);
    let card = text_card();

    let outcome = engine(&fake.client())
        .cell(CellId::new(3000))
        .generate_and_wait(&card, &WaitOptions::default())
        .await
        .unwrap();

    assert_eq!(outcome.result(), Some("done"));
    let hits = fake.hits();
    assert_eq!(hits.len(), 2, "{hits:?}");
    assert_eq!(hits[0].method, "POST");
    assert_eq!(hits[0].path, generate_path(3000));
    assert_eq!(hits[0].query, "agent_id=42");
    assert_eq!(hits[0].body.as_ref(), Some(&card.to_json()));
    assert_eq!(hits[1].method, "GET");
    assert_eq!(hits[1].path, "/v1/generations/1");
    assert_eq!(hits[1].query, "wait=true&timeout=50");
}

#[tokio::test]
async fn generate_on_layer_and_render_wait_for_their_generations() {
    let fake = Fake::start().await;
    fake.with(|s| s.honour_wait = true);
    let client = fake.client();
    let cell = engine(&client).cell(CellId::new(3000));
    let wait = WaitOptions::default();

    cell.layer(LayerId::new(4000))
        .generate_and_wait(&text_card(), &wait)
        .await
        .unwrap();
    cell.render_and_wait(&wait).await.unwrap();

    let paths: Vec<(String, String)> = fake
        .hits()
        .into_iter()
        .map(|h| (h.method, h.path))
        .collect();
    assert_eq!(
        paths,
        [
            (
                "POST".into(),
                "/v1/autocontentengine/101/cells/3000/layers/4000/generate".into()
            ),
            ("GET".into(), "/v1/generations/1".into()),
            (
                "POST".into(),
                "/v1/autocontentengine/101/cells/3000/render".into()
            ),
            ("GET".into(), "/v1/generations/2".into()),
        ]
    );
}

#[tokio::test]
async fn a_refused_generate_is_sent_once_and_reported_as_a_request_error() {
    let fake = Fake::start().await;
    fake.with(|s| {
        s.generate.insert(
            3000,
            GenerateBehaviour::Fail(503, json!({"error": "Service unavailable"})),
        )
    });

    let error = engine(&fake.client())
        .cell(CellId::new(3000))
        .generate_and_wait(&text_card(), &WaitOptions::default())
        .await
        .unwrap_err();

    assert!(matches!(error, WaitError::Request(_)), "{error:?}");
    assert_eq!(error.api_error().unwrap().status(), Some(503));
    // A paid POST answered 503 may have been charged: never retried.
    assert_eq!(fake.hits().len(), 1);
}

#[tokio::test]
async fn stop_and_continue_refused_with_422_are_invalid_state_errors() {
    let fake = Fake::start().await;
    fake.job(
        "/v1/generations/9000",
        vec![(0, json!({"id": 9000, "status": "completed"}))],
    );
    fake.with(|s| {
        s.stop_status = 422;
        s.continue_status = 422;
    });
    let client = fake.client();
    let generation = client.generation(GenerationId::new(9000));
    let wait = WaitOptions::default();

    let stop = generation.stop_and_wait(&wait).await.unwrap_err();
    let cont = generation.resume_and_wait(&wait).await.unwrap_err();

    let WaitError::InvalidState {
        generation_id,
        action,
        status,
        source,
    } = &stop
    else {
        panic!("{stop:?}");
    };
    assert_eq!(*generation_id, 9000);
    assert_eq!(*action, ControlAction::Stop);
    assert_eq!(*status, Some(JobStatus::Completed));
    assert_eq!(source.status(), Some(422));
    assert_eq!(
        stop.to_string(),
        "generation 9000 cannot be stopped in its current state (completed): GEN API error 422 (validation_error): Generation cannot be stoped in its current state"
    );
    assert!(stop.hint().unwrap().contains("can be stopped"));
    assert!(matches!(
        cont,
        WaitError::InvalidState {
            action: ControlAction::Continue,
            ..
        }
    ));
    // 422 is not retried: one POST each (plus one GET each to report the
    // current status).
    assert_eq!(
        fake.hits_matching("POST", "/v1/generations/9000/stop")
            .len(),
        1
    );
    assert_eq!(
        fake.hits_matching("POST", "/v1/generations/9000/continue")
            .len(),
        1
    );
}

#[tokio::test]
async fn stop_returns_the_stopped_outcome_and_continue_waits_again() {
    let fake = Fake::start().await;
    fake.with(|s| s.honour_wait = true);
    fake.job(
        "/v1/generations/9000",
        vec![(0, json!({"id": 9000, "status": "processing"}))],
    );
    let client = fake.client();
    let generation = client.generation(GenerationId::new(9000));
    let wait = WaitOptions::default();

    let stopped = generation.stop_and_wait(&wait).await.unwrap();
    let continued = generation.resume_and_wait(&wait).await.unwrap();

    assert!(matches!(stopped, Outcome::Stopped(_)), "{stopped:?}");
    assert_eq!(continued.result(), Some("continued"));
    let hits: Vec<(String, String)> = fake
        .hits()
        .into_iter()
        .map(|h| (h.method, h.path))
        .collect();
    assert_eq!(
        hits,
        [
            ("POST".into(), "/v1/generations/9000/stop".into()),
            ("POST".into(), "/v1/generations/9000/continue".into()),
            ("GET".into(), "/v1/generations/9000".into()),
        ]
    );
}

#[tokio::test]
async fn mass_regenerate_refuses_up_front_when_credit_is_too_low() {
    let fake = Fake::start().await;
    let client = fake.client();
    fake.with(|s| s.credit = Some(120.0));
    let plan = MassRegenerate::cells(
        OrganizationId::new(12),
        &engine(&client),
        [
            (CellId::new(3001), video_card()),
            (CellId::new(3002), video_card()),
            (CellId::new(3003), video_card()),
        ],
    );

    let error = fake.waiter().mass_regenerate(plan).await.unwrap_err();

    let WaitError::InsufficientCredit {
        organization_id,
        estimated,
        available,
        cells,
    } = &error
    else {
        panic!("{error:?}");
    };
    assert_eq!(*organization_id, 12);
    assert_eq!(*estimated, 150.0);
    assert_eq!(*available, Some(120.0));
    assert_eq!(*cells, 3);
    assert!(error.to_string().contains("nothing was triggered"));
    // Only the balance was read: zero generate calls.
    let hits: Vec<(String, String)> = fake
        .hits()
        .into_iter()
        .map(|h| (h.method, h.path))
        .collect();
    assert_eq!(hits, [("GET".into(), "/v1/organizations/12".into())]);
}

#[tokio::test]
async fn mass_regenerate_uses_the_caller_estimate_and_goes_on_without_a_balance() {
    let fake = Fake::start().await;
    let client = fake.client();
    fake.with(|s| s.credit = Some(120.0));
    let cells = [
        (CellId::new(3001), video_card()),
        (CellId::new(3002), video_card()),
        (CellId::new(3003), video_card()),
    ];
    let report = fake
        .waiter()
        .mass_regenerate(
            MassRegenerate::cells(OrganizationId::new(12), &engine(&client), cells.clone())
                .estimate(|_| 40.0),
        )
        .await
        .unwrap();
    assert_eq!(report.estimated_cost, 120.0);
    assert_eq!(report.completed(), 3);

    fake.with(|s| {
        s.credit = None;
        s.hits.clear();
    });
    // No balance reported (no seed shows `available_credit.generic` with a
    // value): the check cannot be made, so the batch goes on (GEN refuses,
    // without charging, a generate it cannot pay for), each cell once.
    let report = fake
        .waiter()
        .mass_regenerate(MassRegenerate::cells(
            OrganizationId::new(12),
            &engine(&client),
            cells,
        ))
        .await
        .unwrap();
    assert_eq!(report.available_credit, None);
    assert_eq!(report.estimated_cost, 150.0);
    assert_eq!(report.completed(), 3);
    for cell in [3001, 3002, 3003] {
        assert_eq!(fake.hits_matching("POST", &generate_path(cell)).len(), 1);
    }
}

#[tokio::test]
async fn mass_regenerate_reports_each_cell_and_triggers_none_twice() {
    let fake = Fake::start().await;
    let client = fake.client();
    fake.with(|s| {
        s.generate.insert(
            3002,
            GenerateBehaviour::Fail(503, json!({"error": "Service unavailable"})),
        );
        s.generate.insert(
            3003,
            GenerateBehaviour::Create(vec![
                (0, json!({"status": "processing"})),
                (
                    4,
                    json!({"status": "failed", "failed_reason": "model overloaded"}),
                ),
            ]),
        );
    });
    // 3002 listed twice: triggered once.
    let plan = MassRegenerate::cells(
        OrganizationId::new(12),
        &engine(&client),
        [
            (CellId::new(3001), text_card()),
            (CellId::new(3002), text_card()),
            (CellId::new(3003), text_card()),
            (CellId::new(3002), text_card()),
        ],
    )
    .trigger_concurrency(2);

    let report = fake.waiter().mass_regenerate(plan).await.unwrap();

    let ids: Vec<i64> = report.cells.iter().map(|c| c.cell_id).collect();
    assert_eq!(ids, [3001, 3002, 3003]);
    assert!(
        report.cells[0].result.is_completed(),
        "{}",
        report.cells[0].result
    );
    assert!(report.cells[0].generation_id.is_some());
    match &report.cells[1].result {
        CellResult::TriggerFailed(e) => assert_eq!(e.status(), Some(503)),
        other => panic!("{other:?}"),
    }
    assert_eq!(report.cells[1].generation_id, None);
    match &report.cells[2].result {
        CellResult::Finished(Outcome::Failed(s)) => {
            assert_eq!(s.failure_reason.as_deref(), Some("model overloaded"))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(report.completed(), 1);
    assert_eq!(report.unsuccessful().count(), 2);
    for cell in [3001, 3002, 3003] {
        assert_eq!(
            fake.hits_matching("POST", &generate_path(cell)).len(),
            1,
            "cell {cell} triggered exactly once"
        );
    }
}

#[tokio::test]
async fn mass_regenerate_of_a_column_triggers_exactly_its_cells() {
    let fake = Fake::start().await;
    let client = fake.client();
    fake.with(|s| s.engine_cells = vec![(3001, 2000), (3002, 2000), (3003, 2001)]);

    let report = fake
        .waiter()
        .mass_regenerate(MassRegenerate::column(
            OrganizationId::new(12),
            &engine(&client),
            2000,
            text_card(),
        ))
        .await
        .unwrap();

    assert_eq!(
        report.cells.iter().map(|c| c.cell_id).collect::<Vec<_>>(),
        [3001, 3002]
    );
    assert_eq!(report.completed(), 2);
    let posts: HashSet<String> = fake
        .hits()
        .into_iter()
        .filter(|h| h.method == "POST")
        .map(|h| h.path)
        .collect();
    assert_eq!(
        posts,
        HashSet::from([generate_path(3001), generate_path(3002)])
    );
    assert_eq!(
        fake.hits_matching("GET", "/v1/autocontentengine/101")[0].query,
        "agent_id=42"
    );
}

#[tokio::test]
async fn mass_regenerate_stops_triggering_after_insufficient_credits() {
    let fake = Fake::start().await;
    let client = fake.client();
    fake.with(|s| {
        s.generate.insert(
            3001,
            GenerateBehaviour::Fail(
                422,
                json!({"error": "Not enough credits", "error_code": "insufficient_credits_for_job"}),
            ),
        )
    });
    let plan = MassRegenerate::cells(
        OrganizationId::new(12),
        &engine(&client),
        [
            (CellId::new(3001), text_card()),
            (CellId::new(3002), text_card()),
            (CellId::new(3003), text_card()),
        ],
    )
    .trigger_concurrency(1);

    let report = fake.waiter().mass_regenerate(plan).await.unwrap();

    assert!(matches!(
        report.cells[0].result,
        CellResult::TriggerFailed(_)
    ));
    assert!(matches!(report.cells[1].result, CellResult::Skipped(_)));
    assert!(matches!(report.cells[2].result, CellResult::Skipped(_)));
    assert_eq!(fake.hits().iter().filter(|h| h.method == "POST").count(), 1);
}

#[tokio::test]
async fn wait_all_yields_every_job_within_the_request_budget() {
    let fake = Fake::start().await;
    fake.with(|s| s.get_delay = Some(Duration::from_millis(5)));
    let jobs: Vec<JobRef> = (0..12)
        .map(|i| {
            let id = 9000 + i;
            fake.job(
                &format!("/v1/generations/{id}"),
                vec![
                    (0, json!({"id": id, "status": "processing"})),
                    (2 + i as u64, json!({"id": id, "status": "completed"})),
                ],
            );
            JobRef::Generation(id)
        })
        .collect();
    let waiter = fake
        .waiter()
        .with_options(WaitOptions::default().long_poll(false))
        .with_budget(RequestBudget::unlimited().max_in_flight(2));

    let results: Vec<_> = waiter.wait_all(jobs.clone(), 6).collect().await;

    assert_eq!(results.len(), 12);
    assert!(
        results
            .iter()
            .all(|(_, r)| r.as_ref().is_ok_and(Outcome::is_completed))
    );
    let done: HashSet<JobRef> = results.into_iter().map(|(job, _)| job).collect();
    assert_eq!(done, jobs.into_iter().collect());
    let max = fake.max_in_flight.load(std::sync::atomic::Ordering::SeqCst);
    assert!((1..=2).contains(&max), "max in flight {max}");
}

#[tokio::test]
async fn a_rate_budget_spaces_requests_out() {
    let fake = Fake::start().await;
    fake.job(
        "/v1/generations/9000",
        vec![
            (0, json!({"id": 9000, "status": "processing"})),
            (1, json!({"id": 9000, "status": "completed"})),
        ],
    );
    let waiter = fake
        .waiter()
        .with_options(
            WaitOptions::default()
                .long_poll(false)
                .interval(Duration::from_millis(10), Duration::from_millis(10))
                .min_interval(Duration::from_millis(10))
                .jitter(false),
        )
        .with_budget(RequestBudget::unlimited().per_second(0.5, 1));

    waiter.wait(9000).await.unwrap();

    // Requests 2.. each waited for a token: 2 s apart at 0.5/s.
    let sleeps = fake.time.sleeps();
    assert!(
        sleeps.iter().any(|d| *d >= Duration::from_millis(1900)),
        "{sleeps:?}"
    );
    assert_eq!(fake.hits().len(), 2);
}
