//! Waiting benchmark (not a test): N jobs finishing at random times on an
//! in-process axum server (127.0.0.1), awaited with each strategy:
//!
//! - long-poll, on a server that honours `wait=true`;
//! - interval polling (jittered backoff 1 s → 15 s), on a server that ignores
//!   `wait=true` (the waiter probes once, then falls back);
//! - the same, with the server reporting `progress_percent` (the waiter
//!   brings polls forward to the estimated completion);
//! - the documentation's loop: a plain GET every 3 s.
//!
//! Prints requests per job and the latency from a job's completion to its
//! detection (p50 / p95 / max). Run with
//! `cargo bench -p genpro-sdk --bench wait`; `GEN_BENCH_JOBS` (default 1000)
//! and `GEN_BENCH_WINDOW_SECS` (default 20: jobs finish uniformly within it)
//! change the load.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use axum::routing::get;
use genpro_sdk::GenClient;
use genpro_sdk::wait::{JobRef, WaitOptions};
use serde_json::json;

#[derive(Clone)]
struct Server {
    jobs: Arc<Vec<(Instant, Instant)>>,
    honour_wait: bool,
    progress: bool,
    requests: Arc<AtomicU64>,
}

#[derive(serde::Deserialize)]
struct Params {
    wait: Option<bool>,
    timeout: Option<f64>,
    include: Option<String>,
}

async fn generation(
    State(server): State<Server>,
    Path(id): Path<usize>,
    Query(params): Query<Params>,
) -> axum::response::Response {
    server.requests.fetch_add(1, Ordering::Relaxed);
    let Some(&(start, done)) = server.jobs.get(id) else {
        return (axum::http::StatusCode::NOT_FOUND, "{}").into_response();
    };
    let mut now = Instant::now();
    if server.honour_wait && params.wait == Some(true) && now < done {
        let timeout = Duration::from_secs_f64(params.timeout.unwrap_or(30.0).clamp(0.0, 55.0));
        tokio::time::sleep_until((now + timeout).min(done).into()).await;
        now = Instant::now();
    }
    if now >= done {
        return axum::Json(json!({"id": id, "status": "completed", "result": "ok"}))
            .into_response();
    }
    let mut body = json!({"id": id, "status": "processing"});
    if server.progress && params.include.as_deref() == Some("progress") {
        let total = done.duration_since(start).as_secs_f64().max(1e-3);
        let percent = (now.duration_since(start).as_secs_f64() / total * 100.0).min(99.0);
        body["progress_percent"] = json!(percent.floor());
    }
    axum::Json(body).into_response()
}

struct Row {
    name: &'static str,
    requests_per_job: f64,
    p50: Duration,
    p95: Duration,
    max: Duration,
    wall: Duration,
    errors: usize,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// Deterministic finish offsets, uniform in `[0, window)`.
fn finish_offsets(n: usize, window: Duration) -> Vec<Duration> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            window.mul_f64((x >> 11) as f64 / (1u64 << 53) as f64)
        })
        .collect()
}

async fn scenario(
    name: &'static str,
    offsets: &[Duration],
    honour_wait: bool,
    progress: bool,
    options: WaitOptions,
) -> Row {
    let start = Instant::now();
    let jobs: Vec<(Instant, Instant)> = offsets.iter().map(|d| (start, start + *d)).collect();
    let server = Server {
        jobs: Arc::new(jobs.clone()),
        honour_wait,
        progress,
        requests: Arc::new(AtomicU64::new(0)),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new()
        .route("/v1/generations/{id}", get(generation))
        .with_state(server.clone());
    let serve = tokio::spawn(async move { axum::serve(listener, app).await });

    let client = GenClient::builder()
        .api_key("bench-key")
        .api_url(&base)
        .agent_url(&base)
        .build()
        .unwrap();
    let waiter = client.waiter().with_options(options);

    let tasks: Vec<_> = (0..jobs.len())
        .map(|id| {
            let waiter = waiter.clone();
            tokio::spawn(async move {
                let result = waiter.wait(JobRef::Generation(id as i64)).await;
                (id, result.is_ok(), Instant::now())
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(jobs.len());
    let mut errors = 0;
    for task in tasks {
        let (id, ok, detected) = task.await.unwrap();
        if ok {
            latencies.push(detected.saturating_duration_since(jobs[id].1));
        } else {
            errors += 1;
        }
    }
    let wall = start.elapsed();
    serve.abort();
    latencies.sort();
    Row {
        name,
        requests_per_job: server.requests.load(Ordering::Relaxed) as f64 / jobs.len() as f64,
        p50: percentile(&latencies, 0.5),
        p95: percentile(&latencies, 0.95),
        max: latencies.last().copied().unwrap_or_default(),
        wall,
        errors,
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let jobs = env_number("GEN_BENCH_JOBS", 1000) as usize;
    let window = Duration::from_secs(env_number("GEN_BENCH_WINDOW_SECS", 20));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let offsets = finish_offsets(jobs, window);
    println!(
        "waiting for {jobs} jobs finishing uniformly within {window:?} (local axum server, 127.0.0.1)\n"
    );
    let rows = runtime.block_on(async {
        vec![
            scenario(
                "long-poll (server honours wait=true)",
                &offsets,
                true,
                false,
                WaitOptions::default(),
            )
            .await,
            scenario(
                "interval 1s→15s (server ignores wait)",
                &offsets,
                false,
                false,
                WaitOptions::default(),
            )
            .await,
            scenario(
                "interval 1s→15s + progress ETA",
                &offsets,
                false,
                true,
                WaitOptions::default(),
            )
            .await,
            scenario(
                "documented fixed 3 s loop",
                &offsets,
                false,
                false,
                WaitOptions::fixed_interval(Duration::from_secs(3)),
            )
            .await,
        ]
    });
    println!(
        "| strategy | requests/job | detection p50 | p95 | max | wall | errors |\n|---|---:|---:|---:|---:|---:|---:|"
    );
    for row in rows {
        println!(
            "| {} | {:.2} | {:.3} s | {:.3} s | {:.3} s | {:.1} s | {} |",
            row.name,
            row.requests_per_job,
            row.p50.as_secs_f64(),
            row.p95.as_secs_f64(),
            row.max.as_secs_f64(),
            row.wall.as_secs_f64(),
            row.errors
        );
    }
}
