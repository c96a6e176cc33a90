//! Throughput benchmark (not a test): typed calls through gen-sdk against
//! raw reqwest + serde into a plain struct, on the same loopback server
//! (axum, 127.0.0.1, a fixed generation answer).
//!
//! For each round, the three clients run interleaved (so machine noise hits
//! them alike), sequential and with 64 requests in flight:
//!
//! - `reqwest+serde`: `http.get(url).send()`, `bytes()`, `serde_json::from_slice` into a plain struct;
//! - `edit().generation(id)`: the phase handle's typed call;
//! - `raw().get_generation()`: the generated builder through the one transport.
//!
//! Prints requests/s per round and the ratio to the baseline of the same
//! round, then the median ratio with min–max over the rounds. Run with
//! `cargo bench -p gen-sdk --bench throughput`; `GEN_BENCH_REQUESTS`
//! (default 4000) and `GEN_BENCH_ROUNDS` (default 3) change the load.

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
        .unwrap_or(default)
}

async fn run<F, Fut>(n: usize, in_flight: usize, call: F) -> f64
where
    F: Fn(i64) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let start = Instant::now();
    if in_flight <= 1 {
        for i in 0..n {
            call(i as i64).await;
        }
    } else {
        futures::stream::iter(0..n)
            .map(|i| call(i as i64))
            .buffer_unordered(in_flight)
            .for_each(|()| async {})
            .await;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn median(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let n = env("GEN_BENCH_REQUESTS", 4000);
    let rounds = env("GEN_BENCH_ROUNDS", 3);
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

    println!(
        "throughput, {n} requests per run, {rounds} rounds (requests/s; ratio to reqwest+serde in the same round)"
    );
    for in_flight in [1usize, 64] {
        let mut ratios_handle = Vec::new();
        let mut ratios_raw = Vec::new();
        for round in 1..=rounds {
            let baseline = run(n, in_flight, |i| {
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
            })
            .await;
            let handle = run(n, in_flight, |i| {
                let client = &client;
                async move {
                    client.edit().generation(i).await.unwrap();
                }
            })
            .await;
            let raw = run(n, in_flight, |i| {
                let client = &client;
                async move {
                    client.raw().get_generation().id(i).send().await.unwrap();
                }
            })
            .await;
            println!(
                "  in flight {in_flight:>2}, round {round}: reqwest+serde {baseline:>8.0}/s | edit().generation {handle:>8.0}/s ({:.2}x) | raw builder {raw:>8.0}/s ({:.2}x)",
                handle / baseline,
                raw / baseline
            );
            ratios_handle.push(handle / baseline);
            ratios_raw.push(raw / baseline);
        }
        let (m, lo, hi) = median(ratios_handle);
        let (rm, rlo, rhi) = median(ratios_raw);
        println!(
            "in flight {in_flight:>2}: edit().generation {m:.2}x (min {lo:.2}, max {hi:.2}); raw builder {rm:.2}x (min {rlo:.2}, max {rhi:.2})"
        );
    }
}
