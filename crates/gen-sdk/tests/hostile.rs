//! Hostile servers (issue 10): one test per attack, each against a tiny
//! local server on 127.0.0.1 (and 127.0.0.2 as "another host"), asserting
//! what crossed the wire (hit counts, headers the other host saw), the time
//! taken and, where it matters, memory.
//!
//! | item | attack | test(s) |
//! |---|---|---|
//! | A | a redirect carries the key to another host | `a_*_redirect_*` (needs the one transport) |
//! | B | the key survives in serde error text, `Debug`, tracing | `b_*` |
//! | C | a redirect to a dead host makes a paid POST look unsent | `c_*` (needs the one transport) |
//! | D | a 300 MiB answer is buffered whole | `d_*` (the waiter's and multipart uploads' parts pass here; the transport's part needs the one transport) |
//! | E | `max_wait` is not a deadline against a trickling server | `e_*` |
//! | F | `Retry-After: 0` / past dates remove the pause; refused connections retried for 30 min | `f_*` |
//! | G | `.`/`..`/empty ids reach other endpoints | `g_*` (the waiter's part passes here; `fill_path` needs the one transport) |
//!
//! Everything runs in real time (no manual clock): the point is what a real
//! client does against a real socket.

mod hostile_common;

use genpro_sdk::steps::{AgentId, CellId, EngineId, GenerationId, OrganizationId};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use genpro_sdk::ErrorKind;
use genpro_sdk::GenClient;
use genpro_sdk::cards::{Card, TextCard, TextModel};
use genpro_sdk::wait::{JobRef, Outcome, WaitError, WaitOptions};
use hostile_common::{Body, HostileServer, Reply, refused_base};
use serde_json::json;

const KEY: &str = "sk-gen-HOSTILE-0123456789abcdef";

fn client(base: &str) -> GenClient {
    GenClient::builder()
        .api_key(KEY)
        .api_url(base)
        .agent_url(base)
        .build()
        .unwrap()
}

fn card() -> Card {
    Card::from(TextCard::new("Write a hook", TextModel::Gemini25Pro))
}

fn processing() -> Reply {
    Reply::json(200, json!({"id": 9000, "status": "processing"}))
}

/// Every text an error can show: Display, alternate Display, Debug and the
/// Display of each error in its `source()` chain.
fn all_texts(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = format!("{e}\n{e:#}\n{e:?}\n{e:#?}\n");
    let mut source = e.source();
    while let Some(s) = source {
        let _ = writeln!(out, "{s}\n{s:?}");
        source = s.source();
    }
    out
}

/// Peak resident memory of this process (VmHWM), in bytes.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// A server on 127.0.0.1 answering everything with `status` (an empty JSON
/// object) and `Location: location`.
async fn redirecting(status: u16, location: String) -> HostileServer {
    HostileServer::start("127.0.0.1", move |_| {
        Reply::json(status, json!({})).header("location", location.clone())
    })
    .await
}

/// A server on 127.0.0.1 answering everything with `status` and a 300 MiB
/// JSON body: `head`, 300 MiB of `x`, then `"}`.
async fn huge(status: u16, head: &'static [u8]) -> HostileServer {
    HostileServer::start("127.0.0.1", move |_| Reply::huge(status, head)).await
}

/// Wait for generation 9000 on `base` with `options`.
async fn wait_9000(base: &str, options: WaitOptions) -> Result<Outcome, WaitError> {
    client(base).waiter().with_options(options).wait(9000).await
}

// ---------------------------------------------------------------- A

/// A `302` from the API to another host must not deliver the key there:
/// credentialed clients follow no redirects and a 3xx is a final answer.
#[tokio::test]
async fn a_cross_host_redirect_never_delivers_the_key() {
    let other = HostileServer::start("127.0.0.2", |_| Reply::json(200, json!({"id": 1}))).await;
    let location = format!("{}/steal", other.base);
    let api = redirecting(302, location).await;

    let error = client(&api.base)
        .organization(OrganizationId::new(1))
        .await
        .unwrap_err();

    assert_eq!(
        other.hit_count(),
        0,
        "the other host saw {:?}",
        other.hits()
    );
    assert_eq!(api.hit_count(), 1);
    assert_eq!(error.status(), Some(302), "{error:?}");
    assert!(error.kind() == ErrorKind::Api, "{error:?}");
}

/// A `307` on a paid `generate` must not re-send the key and the paid body
/// to another host, and is not retried.
#[tokio::test]
async fn a_307_on_a_paid_generate_is_final_and_goes_nowhere_else() {
    let other = HostileServer::start("127.0.0.2", |_| {
        Reply::json(201, json!({"generation_id": 1, "status": "pending"}))
    })
    .await;
    let location = format!("{}/v1/steal", other.base);
    let api = redirecting(307, location).await;

    let error = client(&api.base)
        .agent(AgentId::new(42))
        .engine(EngineId::new(101))
        .cell(CellId::new(3000))
        .generate(&card())
        .await
        .unwrap_err();

    assert!(other.hits().is_empty(), "{:?}", other.hits());
    assert_eq!(api.hit_count(), 1, "the paid POST is sent once");
    assert_eq!(error.status(), Some(307), "{error:?}");
}

// ---------------------------------------------------------------- C

/// A paid POST answered with a redirect to a dead host reached GEN: it is
/// sent once, and its error does not say "never sent".
#[tokio::test]
async fn c_a_redirect_to_a_dead_host_does_not_make_a_paid_post_look_unsent() {
    let dead = refused_base().await;
    for status in [302u16, 303, 307] {
        let api = redirecting(status, format!("{dead}/v1/x")).await;

        let error = client(&api.base)
            .agent(AgentId::new(42))
            .engine(EngineId::new(101))
            .cell(CellId::new(3000))
            .generate(&card())
            .await
            .unwrap_err();

        assert_eq!(
            api.hit_count(),
            1,
            "{status}: sent {} times",
            api.hit_count()
        );
        assert!(!error.is_connect(), "{status}: {error:?}");
    }
}

// ---------------------------------------------------------------- D

/// The transport's part: a 300 MiB JSON answer is cut at the body cap while
/// streaming, with a typed error, without buffering it (200); an error
/// answer is read only up to what an error keeps (500: `Api` with its
/// status and a cut body).
#[tokio::test]
async fn d_a_300_mib_answer_is_cut_at_the_body_cap() {
    for status in [200u16, 500] {
        let api = huge(status, br#"{"id":1,"name":""#).await;
        let before = peak_rss();

        // Never print the value: it is 300 MiB.
        let error = match client(&api.base).organization(OrganizationId::new(1)).await {
            Ok(_) => panic!("{status}: a 300 MiB answer was accepted whole"),
            Err(e) => e,
        };

        let grown = peak_rss().saturating_sub(before);
        if status == 200 {
            assert!(
                error.kind() == ErrorKind::BodyTooLarge
                    && error.limit() == Some(16 << 20)
                    && error.status() == Some(status),
                "{status}: {error:?}"
            );
        } else {
            assert!(
                error.kind() == ErrorKind::Api
                    && error.status() == Some(status)
                    && error.body().unwrap().len() < 8 << 10,
                "{status}: {}",
                error.status().unwrap_or_default()
            );
        }
        assert!(grown < 64 << 20, "{status}: peak RSS grew by {grown} bytes");
    }
}

/// The waiter's part: a 300 MiB status answer ends the wait with
/// `BodyTooLarge` at once, without buffering it.
#[tokio::test]
async fn d_a_300_mib_status_answer_ends_the_wait_with_a_typed_error() {
    let api = huge(200, br#"{"id":9000,"status":"processing","pad":""#).await;
    let before = peak_rss();
    let started = Instant::now();

    let result = wait_9000(
        &api.base,
        WaitOptions::default().max_wait(Duration::from_secs(5)),
    )
    .await;
    // Never print an outcome: its body would be 300 MiB.
    let Err(error) = result else {
        panic!("a 300 MiB status answer was accepted");
    };

    let grown = peak_rss().saturating_sub(before);
    eprintln!(
        "300 MiB status answer: peak RSS grew {} MiB in {:?}",
        grown >> 20,
        started.elapsed()
    );
    let WaitError::Poll { source, .. } = &error else {
        panic!("{error:?}");
    };
    assert!(
        source.kind() == ErrorKind::BodyTooLarge
            && source.limit() == Some(16 << 20)
            && source.status() == Some(200),
        "{source:?}"
    );
    assert_eq!(api.hit_count(), 1, "not retried");
    assert!(grown < 64 << 20, "peak RSS grew by {grown} bytes");
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// The multipart part (content resource uploads): a 300 MiB answer to the
/// upload POST is cut at the body cap, not buffered.
#[tokio::test]
async fn d_a_300_mib_answer_to_a_multipart_upload_is_cut_at_the_body_cap() {
    let api = huge(201, br#"{"id":1,"url":""#).await;
    let before = peak_rss();
    let source = genpro_sdk::upload::UploadSource::bytes(vec![7u8; 1024], "clip.mp4");

    let result = client(&api.base)
        .agent(AgentId::new(42))
        .upload(source, genpro_sdk::upload::UploadOptions::new())
        .await;

    let Err(error) = result else {
        panic!("a 300 MiB answer was accepted");
    };
    let grown = peak_rss().saturating_sub(before);
    assert!(
        error.kind() == ErrorKind::BodyTooLarge
            && error.limit() == Some(16 << 20)
            && error.status() == Some(201),
        "{error:?}"
    );
    assert_eq!(api.hit_count(), 1, "a created resource is not posted again");
    assert!(grown < 64 << 20, "peak RSS grew by {grown} bytes");
}

// ---------------------------------------------------------------- E

/// A status answer that trickles one byte every 100 ms forever.
fn trickle(_: &hostile_common::Hit) -> Reply {
    Reply::with_body(
        200,
        Body::Trickle {
            announced: 1 << 20,
            chunk: b" ".to_vec(),
            every: Duration::from_millis(100),
        },
    )
}

/// Wait with `options` (`max_wait` 2 s) against a server that trickles its
/// body: the wait ends within 2 s + 1 s of slack (plus scheduling margin)
/// with a resumable `MaxWaitExceeded`. Returns what the server saw.
async fn max_wait_against_a_trickling_server(options: WaitOptions) -> Vec<hostile_common::Hit> {
    let api = HostileServer::start("127.0.0.1", trickle).await;
    let started = Instant::now();

    let error = wait_9000(&api.base, options.max_wait(Duration::from_secs(2)))
        .await
        .unwrap_err();

    let took = started.elapsed();
    eprintln!("trickling server, max_wait 2 s: ended after {took:?}");
    assert!(
        took < Duration::from_millis(3_800),
        "took {took:?}; {error}"
    );
    assert!(
        matches!(error, WaitError::MaxWaitExceeded { .. }),
        "{error:?}"
    );
    assert_eq!(error.resume(), Some(JobRef::Generation(9000)));
    api.hits()
}

/// `max_wait` is a deadline against a trickling server, in interval mode.
#[tokio::test]
async fn e_max_wait_is_a_deadline_against_a_trickling_server_interval_mode() {
    max_wait_against_a_trickling_server(WaitOptions::default().long_poll(false)).await;
}

/// The same in long-poll mode; the `timeout=` of every long-poll request
/// is bounded by the time left.
#[tokio::test]
async fn e_max_wait_is_a_deadline_against_a_trickling_server_long_poll_mode() {
    let hits = max_wait_against_a_trickling_server(WaitOptions::default()).await;
    assert!(hits[0].query.contains("wait=true"), "{:?}", hits[0].query);
    for hit in &hits {
        if let Some(t) = hit
            .query
            .split('&')
            .find_map(|p| p.strip_prefix("timeout="))
        {
            let t: f64 = t.parse().unwrap();
            assert!(t <= 2.0, "timeout={t} beyond the 2 s left");
        }
    }
}

/// `max_wait = 0` still asks once (and ends at once).
#[tokio::test]
async fn e_max_wait_zero_still_asks_once() {
    let api = HostileServer::start("127.0.0.1", |_| processing()).await;
    let started = Instant::now();

    let error = wait_9000(&api.base, WaitOptions::default().max_wait(Duration::ZERO))
        .await
        .unwrap_err();

    let WaitError::MaxWaitExceeded { polls, last, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(*polls, 1);
    assert_eq!(api.hit_count(), 1);
    assert_eq!(last.as_ref().unwrap().raw_status, "processing");
    assert!(started.elapsed() < Duration::from_secs(2));
}

// ---------------------------------------------------------------- F

/// Polls in 3 s against a server whose every answer carries `reply`'s
/// `Retry-After`; returns the request times.
async fn polls_in_three_seconds(reply: fn() -> Reply) -> Vec<Instant> {
    let api = HostileServer::start("127.0.0.1", move |_| reply()).await;
    let started = Instant::now();
    let result = wait_9000(
        &api.base,
        WaitOptions::default().max_wait(Duration::from_secs(3)),
    )
    .await;
    assert!(result.is_err(), "{result:?}");
    assert!(started.elapsed() < Duration::from_millis(4_300));
    api.hits().into_iter().map(|h| h.at).collect()
}

fn assert_paced(label: &str, times: &[Instant]) {
    eprintln!("{label}: {} requests in 3 s", times.len());
    assert!(
        times.len() <= 12,
        "{label}: {} requests in 3 s",
        times.len()
    );
    assert!(times.len() >= 2, "{label}: {} requests", times.len());
    // After the first (long-poll probe) answer, every gap is at least the
    // floor (500 ms, minus scheduling slop), except before the one last
    // look at the deadline (the sleep before it ends at the deadline).
    for w in times[1..times.len() - 1].windows(2) {
        let gap = w[1] - w[0];
        assert!(gap >= Duration::from_millis(450), "{label}: gap {gap:?}");
    }
}

#[tokio::test]
async fn f_retry_after_zero_on_a_running_job_keeps_a_pause_between_polls() {
    let times = polls_in_three_seconds(|| processing().header("retry-after", "0")).await;
    assert_paced("200 + Retry-After: 0", &times);
}

#[tokio::test]
async fn f_retry_after_zero_on_503_keeps_a_pause_between_polls() {
    let times = polls_in_three_seconds(|| {
        Reply::json(503, json!({"error": "busy"})).header("retry-after", "0")
    })
    .await;
    assert_paced("503 + Retry-After: 0", &times);
}

#[tokio::test]
async fn f_a_past_or_negative_retry_after_keeps_a_pause_between_polls() {
    let times = polls_in_three_seconds(|| {
        processing().header("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")
    })
    .await;
    assert_paced("past HTTP date", &times);
    let times = polls_in_three_seconds(|| {
        Reply::json(429, json!({"error": "slow down"})).header("retry-after", "-5")
    })
    .await;
    assert_paced("429 + Retry-After: -5", &times);
}

/// Refused connections end the wait after `max_unreachable`, with an error
/// that says so and can be resumed.
#[tokio::test]
async fn f_refused_connections_end_the_wait_with_a_resumable_error() {
    let dead = refused_base().await;
    let started = Instant::now();

    let error = wait_9000(
        &dead,
        WaitOptions::default()
            .max_wait(Duration::from_secs(60))
            .max_unreachable(Some(Duration::from_secs(2))),
    )
    .await
    .unwrap_err();

    let took = started.elapsed();
    eprintln!("refused port, max_unreachable 2 s: ended after {took:?}");
    assert!(took < Duration::from_millis(3_500), "took {took:?}");
    assert!(took >= Duration::from_secs(2), "took {took:?}");
    let WaitError::Unreachable {
        job,
        failures,
        source,
        ..
    } = &error
    else {
        panic!("{error:?}");
    };
    assert_eq!(*job, JobRef::Generation(9000));
    assert!(*failures >= 2, "{failures}");
    assert!(source.is_connect(), "{source:?}");
    assert_eq!(error.resume(), Some(JobRef::Generation(9000)));
    assert!(error.hint().is_some());
    assert_eq!(
        WaitOptions::default().max_unreachable,
        Some(Duration::from_secs(120)),
        "default: two minutes"
    );
}

// ---------------------------------------------------------------- G

/// The waiter refuses `.`, `..` and empty ids before any request.
#[tokio::test]
async fn g_dot_segments_and_empty_ids_are_refused_by_the_waiter_before_any_request() {
    let api = HostileServer::start("127.0.0.1", |_| processing()).await;
    let waiter = client(&api.base)
        .waiter()
        .with_options(WaitOptions::default().max_wait(Duration::from_secs(2)));
    let jobs = [
        JobRef::AgentRun("..".into()),
        JobRef::AgentRun(".".into()),
        JobRef::AgentRun(String::new()),
        JobRef::VoicePreview {
            agent_id: 42,
            job_id: "..".into(),
        },
        JobRef::VoicePreview {
            agent_id: 42,
            job_id: String::new(),
        },
    ];
    for job in jobs {
        let error = waiter.wait(job.clone()).await.unwrap_err();
        let WaitError::Poll { source, .. } = &error else {
            panic!("{job}: {error:?}");
        };
        assert!(source.kind() == ErrorKind::Validation, "{job}: {source:?}");
    }
    assert!(api.hits().is_empty(), "{:?}", api.hits());
}

/// `fill_path` (the transport) refuses `.`, `..` and empty path
/// parameters before any request.
#[tokio::test]
async fn g_dot_segments_in_path_parameters_are_refused_before_any_request() {
    let api = HostileServer::start("127.0.0.1", |_| Reply::json(200, json!({}))).await;
    let client = client(&api.base);

    let e1 = client
        .agent(AgentId::new(42))
        .clone_template("..")
        .await
        .unwrap_err();
    let e2 = client.agent_run("..").await.unwrap_err();
    let e3 = client.agent_run(".").await.unwrap_err();
    let e4 = client.agent_run("").await.unwrap_err();

    for e in [e1, e2, e3, e4] {
        assert!(e.kind() == ErrorKind::Validation, "{e:?}");
    }
    assert!(api.hits().is_empty(), "{:?}", api.hits());
}

// ---------------------------------------------------------------- B

/// Records every span field and event of the current thread as text.
struct Capture {
    lines: Arc<Mutex<Vec<String>>>,
    next: AtomicU64,
}

struct Fields<'a>(&'a mut String);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, "{}={:?} ", field.name(), value);
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut line = format!("span {} ", span.metadata().name());
        span.record(&mut Fields(&mut line));
        self.lines.lock().unwrap().push(line);
        tracing::span::Id::from_u64(self.next.fetch_add(1, Ordering::Relaxed))
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut line = String::from("record ");
        values.record(&mut Fields(&mut line));
        self.lines.lock().unwrap().push(line);
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut line = format!("event {} ", event.metadata().level());
        event.record(&mut Fields(&mut line));
        self.lines.lock().unwrap().push(line);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

fn capture() -> (Arc<Mutex<Vec<String>>>, tracing::subscriber::DefaultGuard) {
    let lines: Arc<Mutex<Vec<String>>> = Arc::default();
    let guard = tracing::subscriber::set_default(Capture {
        lines: lines.clone(),
        next: AtomicU64::new(1),
    });
    (lines, guard)
}

/// `{"id": "<key>"}` where a number is expected in a required field (a
/// generation's `id`, pinned by seed 000): the decode error keeps a
/// useful, cleaned message, and the key appears in no text (Display,
/// Debug, the source chain, tracing).
#[tokio::test]
async fn b_a_key_in_a_wrongly_typed_field_never_reaches_any_text() {
    let api = HostileServer::start("127.0.0.1", |_| {
        Reply::json(200, json!({"id": KEY, "status": "completed", "result": 7}))
    })
    .await;
    let (lines, _guard) = capture();

    let client = client(&api.base);
    let error = client
        .generation(GenerationId::new(1))
        .get()
        .await
        .unwrap_err();
    // The same answer through the generated client (`GenClient::send`).
    let api_client = client.raw();
    let raw_error = client
        .send({
            use genpro_sdk::genpro_api::prelude::*;
            api_client.get_generation().id(1).send()
        })
        .await
        .unwrap_err();

    let raw_texts = all_texts(&raw_error);
    assert!(raw_error.kind() == ErrorKind::Decode, "{raw_error:?}");
    assert!(!raw_texts.contains(KEY), "{raw_texts}");
    assert!(raw_texts.contains("invalid type: string"), "{raw_texts}");
    let texts = all_texts(&error);
    assert!(error.kind() == ErrorKind::Decode, "{error:?}");
    assert!(!texts.contains(KEY), "{texts}");
    assert!(!texts.contains("0123456789abcdef"), "{texts}");
    let shown = error.to_string();
    assert!(shown.contains("invalid type"), "{shown}");
    assert!(shown.contains("expected"), "{shown}");
    let lines = lines.lock().unwrap().join("\n");
    assert!(lines.contains("get_generation"), "captured: {lines}");
    assert!(!lines.contains(KEY), "{lines}");
}

/// The key in optional fields no seed pins, each of another type than
/// openapi.yaml guessed: the answer decodes (issue 19), those fields read
/// as absent, and the key appears in no trace.
#[tokio::test]
async fn b_a_key_in_wrongly_typed_optional_fields_is_read_as_absent() {
    let api = HostileServer::start("127.0.0.1", |_| {
        Reply::json(
            200,
            json!({"id": KEY, "name": {"k": KEY}, "available_credit": KEY, "role": "owner"}),
        )
    })
    .await;
    let (lines, _guard) = capture();
    let client = client(&api.base);
    let org = client.organization(OrganizationId::new(1)).await.unwrap();
    assert_eq!(org.id, None);
    assert_eq!(org.name, None);
    assert_eq!(org.available_credit, None);
    assert_eq!(org.role.as_deref(), Some("owner"));
    let lines = lines.lock().unwrap().join("\n");
    assert!(!lines.contains(KEY), "{lines}");
}

/// A key echoed in an error answer (message, code, request id) is scrubbed
/// from every text.
#[tokio::test]
async fn b_a_key_echoed_in_an_error_answer_is_scrubbed_everywhere() {
    let api = HostileServer::start("127.0.0.1", |_| {
        Reply::json(
            401,
            json!({"error": format!("bad key {KEY}"), "error_code": KEY}),
        )
        .header("x-request-id", KEY)
    })
    .await;
    let (lines, _guard) = capture();

    let error = client(&api.base)
        .organization(OrganizationId::new(1))
        .await
        .unwrap_err();

    let texts = all_texts(&error);
    assert_eq!(error.status(), Some(401));
    assert!(!texts.contains(KEY), "{texts}");
    assert!(texts.contains("bad key ***"), "{texts}");
    let lines = lines.lock().unwrap().join("\n");
    assert!(!lines.contains(KEY), "{lines}");
}

/// The waiter's texts (the error, the progress channel's `last_error`)
/// never carry a key a server echoes into a status answer.
#[tokio::test]
async fn b_a_key_echoed_into_status_answers_is_scrubbed_from_wait_errors() {
    let api = HostileServer::start("127.0.0.1", |hit| {
        if hit.query.contains("wait=true") {
            Reply::json(503, json!({"error": format!("retry {KEY}")}))
        } else {
            Reply::json(
                403,
                json!({"error": format!("nope {KEY}"), "error_code": "forbidden"}),
            )
        }
    })
    .await;
    let (lines, _guard) = capture();
    let (tx, mut progress) = tokio::sync::mpsc::unbounded_channel();
    let error = client(&api.base)
        .waiter()
        .with_options(
            WaitOptions::default()
                .max_wait(Duration::from_secs(5))
                .progress(tx),
        )
        .wait(9000)
        .await
        .unwrap_err();

    let texts = all_texts(&error);
    assert!(!texts.contains(KEY), "{texts}");
    assert!(texts.contains("nope ***"), "{texts}");
    let mut events = 0;
    while let Ok(p) = progress.try_recv() {
        assert!(!format!("{p:?}").contains(KEY));
        events += 1;
    }
    assert!(events > 0);
    let lines = lines.lock().unwrap().join("\n");
    assert!(!lines.contains(KEY), "{lines}");
}
