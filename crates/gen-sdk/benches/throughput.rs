//! Throughput benchmark (not a test): typed calls through gen-sdk against
//! raw reqwest + serde into a plain struct, on the same loopback server
//! (axum, 127.0.0.1, a fixed generation answer).
//!
//! Three clients are compared, sequential and with 64 requests in flight:
//!
//! - `reqwest+serde`: `http.get(url).send()`, `bytes()`, `serde_json::from_slice` into a plain struct;
//! - `edit().generation(id)`: the phase handle's typed call;
//! - `raw().get_generation()`: the generated builder through the one transport.
//!
//! The machine this runs on is shared and noisy, so the clients are
//! interleaved finely: each round is cut into blocks of `GEN_BENCH_BLOCK`
//! requests, and every block runs the three clients one after the other
//! (in a rotating order), so a burst of noise hits all of them alike. Each
//! mode starts with an untimed warm-up (64 connections opened per client).
//! A round's ratio is the baseline's total time over the client's total
//! time for the same number of requests (= the ratio of throughputs). The
//! process's CPU time per request (all threads, the in-process server
//! included, read from `/proc/self/task/*/schedstat` on Linux) is printed
//! beside it: the server's share is the same for every client, so the
//! difference is the client's cost.
//!
//! Prints requests/s per round and the ratio to the baseline of the same
//! round, then the median ratio with min–max over the rounds. Run with
//! `cargo bench -p gen-sdk --bench throughput`; `GEN_BENCH_REQUESTS`
//! (per client per round, default 4000), `GEN_BENCH_BLOCK` (default 200)
//! and `GEN_BENCH_ROUNDS` (default 5) change the load; `GEN_BENCH_ONLY`
//! (`baseline`, `handle` or `raw`) runs one client alone and
//! `GEN_BENCH_IN_FLIGHT` (e.g. `1`; default `1,64`) picks the modes, for a
//! profiler.

use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use futures::StreamExt;
use gen_sdk::GenClient;
use gen_sdk::gen_api::prelude::*;
use serde_json::json;

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct PlainGeneration {
    id: i64,
    status: String,
    output_url: Option<String>,
    progress_percent: Option<f64>,
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|v| *v > 0)
        .unwrap_or(default)
}

/// CPU time of the whole process so far (every thread), in nanoseconds;
/// `None` where `/proc` is not there.
fn cpu_ns() -> Option<u64> {
    let mut total = 0;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let path = task.ok()?.path().join("schedstat");
        // A thread may end between the listing and the read.
        let Ok(stat) = std::fs::read_to_string(path) else {
            continue;
        };
        total += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(total)
}

/// Time and CPU spent by one client.
#[derive(Default, Clone, Copy)]
struct Spent {
    wall: Duration,
    cpu_ns: u64,
    requests: usize,
}

async fn block<F, Fut>(first: usize, n: usize, in_flight: usize, call: &F, spent: &mut Spent)
where
    F: Fn(i64) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let cpu = cpu_ns();
    let start = Instant::now();
    if in_flight <= 1 {
        for i in first..first + n {
            call(i as i64).await;
        }
    } else {
        futures::stream::iter(first..first + n)
            .map(|i| call(i as i64))
            .buffer_unordered(in_flight)
            .for_each(|()| async {})
            .await;
    }
    spent.wall += start.elapsed();
    spent.cpu_ns += cpu_ns().zip(cpu).map_or(0, |(b, a)| b.saturating_sub(a));
    spent.requests += n;
}

fn median(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let n = env("GEN_BENCH_REQUESTS", 4000);
    let chunk = env("GEN_BENCH_BLOCK", 200).min(n);
    let rounds = env("GEN_BENCH_ROUNDS", 5);
    let body = json!({
        "id": 9000, "status": "completed", "generation_type": "video_from_text",
        "output_url": "https://cdn.gen.pro/outputs/9000.mp4", "progress_percent": 100.0,
        "created_at": "2026-01-01T00:00:00Z"
    })
    .to_string();
    let app = Router::new().route(
        "/v1/generations/{id}",
        get(move || {
            let body = body.clone();
            async move { ([("content-type", "application/json")], body) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(70))
        .build()
        .unwrap();
    let client = GenClient::builder()
        .api_key("bench-key")
        .api_url(&base)
        .agent_url(&base)
        .build()
        .unwrap();

    let baseline = |i: i64| {
        let http = &http;
        let url = format!("{base}/v1/generations/{i}");
        async move {
            let bytes = http
                .get(url)
                .header("x-api-key", "bench-key")
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            let _: PlainGeneration = serde_json::from_slice(&bytes).unwrap();
        }
    };
    let handle = |i: i64| {
        let client = &client;
        async move {
            client.edit().generation(i).await.unwrap();
        }
    };
    let raw = |i: i64| {
        let client = &client;
        async move {
            client.raw().get_generation().id(i).send().await.unwrap();
        }
    };

    println!(
        "future sizes: reqwest+serde {} B, edit().generation {} B, raw builder {} B",
        std::mem::size_of_val(&baseline(0)),
        std::mem::size_of_val(&handle(0)),
        std::mem::size_of_val(&raw(0)),
    );
    println!(
        "throughput, {n} requests per client per round in blocks of {chunk}, {rounds} rounds \
         (requests/s; ratio to reqwest+serde in the same round; process CPU µs per request)"
    );
    let modes: Vec<usize> = std::env::var("GEN_BENCH_IN_FLIGHT")
        .ok()
        .map(|v| v.split(',').filter_map(|m| m.trim().parse().ok()).collect())
        .filter(|m: &Vec<usize>| !m.is_empty())
        .unwrap_or_else(|| vec![1, 64]);
    for in_flight in modes {
        // Warm-up: open the connections, fill the caches.
        let mut ignored = Spent::default();
        let warm = 4 * in_flight.max(64);
        block(0, warm, in_flight, &baseline, &mut ignored).await;
        block(0, warm, in_flight, &handle, &mut ignored).await;
        block(0, warm, in_flight, &raw, &mut ignored).await;

        let mut ratios_handle = Vec::new();
        let mut ratios_raw = Vec::new();
        for round in 1..=rounds {
            let mut spent = [Spent::default(); 3];
            let mut first = 0;
            let mut turn = 0usize;
            let only = std::env::var("GEN_BENCH_ONLY").ok();
            let picked = |k: usize| {
                only.as_deref()
                    .is_none_or(|o| ["baseline", "handle", "raw"][k] == o)
            };
            while first < n {
                let size = chunk.min(n - first);
                for k in 0..3 {
                    let which = (turn + k) % 3;
                    if !picked(which) {
                        continue;
                    }
                    let s = &mut spent[which];
                    match which {
                        0 => block(first, size, in_flight, &baseline, s).await,
                        1 => block(first, size, in_flight, &handle, s).await,
                        _ => block(first, size, in_flight, &raw, s).await,
                    }
                }
                first += size;
                turn += 1;
            }
            let rate = |s: &Spent| s.requests as f64 / s.wall.as_secs_f64();
            let cpu = |s: &Spent| s.cpu_ns as f64 / s.requests as f64 / 1000.0;
            let [b, h, r] = spent;
            println!(
                "  in flight {in_flight:>2}, round {round}: reqwest+serde {:>7.0}/s {:>5.1}µs | \
                 edit().generation {:>7.0}/s {:>5.1}µs ({:.2}x) | raw builder {:>7.0}/s {:>5.1}µs ({:.2}x)",
                rate(&b),
                cpu(&b),
                rate(&h),
                cpu(&h),
                rate(&h) / rate(&b),
                rate(&r),
                cpu(&r),
                rate(&r) / rate(&b),
            );
            ratios_handle.push(rate(&h) / rate(&b));
            ratios_raw.push(rate(&r) / rate(&b));
        }
        let (m, lo, hi) = median(ratios_handle);
        let (rm, rlo, rhi) = median(ratios_raw);
        println!(
            "in flight {in_flight:>2}: edit().generation {m:.2}x (min {lo:.2}, max {hi:.2}); raw builder {rm:.2}x (min {rlo:.2}, max {rhi:.2})"
        );
    }
}
