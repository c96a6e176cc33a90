//! Throughput benchmark (not a test): typed calls through genpro-sdk against
//! raw reqwest + serde into a plain struct, on the same loopback server
//! (axum, 127.0.0.1, a fixed generation answer).
//!
//! Five clients are compared, sequential and with 64 requests in flight:
//!
//! - `reqwest+serde` (the baseline): `http.get(url)` with the same headers
//!   genpro-sdk sends (`X-API-Key`, `api-version`, `Accept`, `User-Agent`, so
//!   the server's share of the work is the same), `bytes()`,
//!   `serde_json::from_slice` into a plain struct with the fields of the
//!   answer that genpro-api's `Generation` reads, in std types;
//! - `control`: the baseline again on its own `reqwest::Client`, an A/A
//!   check: its distance from 1.00x is the noise of the run;
//! - `handle`: `edit().generation(id)`, the phase handle's typed call;
//! - `raw`: `raw().get_generation()`, the generated builder through the one
//!   transport;
//! - `plain`: the same generated builder over genpro-api's `PlainTransport`
//!   (no genpro-sdk transport): the distance from `raw` is the transport's
//!   cost, the distance from the baseline the generated code's and typed
//!   decoding's.
//!
//! Every client has its own connections (`handle` and `raw` each their own
//! `GenClient`), so none runs on connections another has just warmed.
//!
//! The machine this runs on is shared and noisy, so the clients are
//! interleaved finely: each round is cut into blocks of `GEN_BENCH_BLOCK`
//! requests, and every block runs the clients one after the other (in a
//! rotating order), so a burst of noise hits all of them alike. Every round
//! makes new clients (new connections) and warms them up untimed: where a
//! connection's tasks land on the runtime's threads changes sequential
//! throughput for the life of the connection, so it is drawn anew each
//! round rather than once per run. A round's ratio is the baseline's total
//! time over the client's total time for the same number of requests (=
//! the ratio of throughputs). The process's CPU time per request (all
//! threads, the in-process server included, read from
//! `/proc/self/task/*/schedstat` on Linux) is printed beside it.
//!
//! Prints requests/s per round and the ratio to the baseline of the same
//! round, then the median ratio with min–max over the rounds. Run with
//! `cargo bench -p genpro-sdk --bench throughput`; `GEN_BENCH_REQUESTS`
//! (per client per round, default 4000), `GEN_BENCH_BLOCK` (default 200)
//! and `GEN_BENCH_ROUNDS` (default 5) change the load; `GEN_BENCH_ONLY`
//! (`baseline`, `control`, `handle`, `raw` or `plain`) runs one client alone
//! (or a comma-separated list of them) and `GEN_BENCH_IN_FLIGHT` (e.g. `1`; default `1,64`) picks the modes, for
//! a profiler.

use genpro_sdk::steps::GenerationId;
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use futures::StreamExt;
use genpro_sdk::GenClient;
use genpro_sdk::genpro_api::prelude::*;
use serde_json::json;

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct PlainGeneration {
    id: i64,
    status: String,
    created_at: Option<String>,
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

/// The clients of one round, made anew for every round.
struct Clients {
    base: String,
    http: reqwest::Client,
    control: reqwest::Client,
    sdk: GenClient,
    /// A second genpro-sdk client for `raw`, so it does not run on
    /// connections `handle` has just warmed.
    sdk_raw: GenClient,
    plain: genpro_sdk::genpro_api::Client,
}

impl Clients {
    fn new(base: &str) -> Self {
        let sdk = || {
            GenClient::builder()
                .api_key("bench-key")
                .api_url(base)
                .agent_url(base)
                .build()
                .unwrap()
        };
        let http = || {
            reqwest::Client::builder()
                .timeout(Duration::from_secs(70))
                .build()
                .unwrap()
        };
        Self {
            base: base.to_owned(),
            http: http(),
            control: http(),
            sdk: sdk(),
            sdk_raw: sdk(),
            plain: {
                let mut headers = reqwest::header::HeaderMap::new();
                headers.insert("x-api-key", "bench-key".parse().unwrap());
                let http = reqwest::Client::builder()
                    .timeout(Duration::from_secs(70))
                    .default_headers(headers)
                    .user_agent(genpro_sdk::config::DEFAULT_USER_AGENT)
                    .build()
                    .unwrap();
                genpro_sdk::genpro_api::Client::new_with_client(
                    base,
                    http,
                    genpro_sdk::genpro_api::transport::plain(),
                )
            },
        }
    }

    /// reqwest + serde: the same request on the wire as genpro-sdk's (the
    /// same headers, so the server's share is the same), decoded into a
    /// plain struct.
    async fn baseline(&self, http: &reqwest::Client, i: i64) {
        let bytes = http
            .get(format!("{}/v1/generations/{i}", self.base))
            .header("x-api-key", "bench-key")
            .header("accept", "application/json")
            .header("api-version", genpro_sdk::transport::api_version())
            .header("user-agent", genpro_sdk::config::DEFAULT_USER_AGENT)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let _: PlainGeneration = serde_json::from_slice(&bytes).unwrap();
    }

    async fn call(&self, which: usize, i: i64) {
        match which {
            0 => self.baseline(&self.http, i).await,
            1 => self.baseline(&self.control, i).await,
            2 => {
                self.sdk
                    .generation(GenerationId::new(i))
                    .get()
                    .await
                    .unwrap();
            }
            3 => {
                self.sdk_raw
                    .raw()
                    .get_generation()
                    .id(i)
                    .send()
                    .await
                    .unwrap();
            }
            _ => {
                self.plain.get_generation().id(i).send().await.unwrap();
            }
        }
    }
}

const NAMES: [&str; 5] = ["baseline", "control", "handle", "raw", "plain"];
const CLIENTS: usize = NAMES.len();

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

    {
        let c = Clients::new(&base);
        println!(
            "future sizes: reqwest+serde {} B, edit().generation {} B, raw builder {} B",
            std::mem::size_of_val(&c.baseline(&c.http, 0)),
            std::mem::size_of_val(&c.sdk.generation(GenerationId::new(0)).get()),
            std::mem::size_of_val(&c.sdk.raw().get_generation().id(0).send()),
        );
    }
    println!(
        "throughput, {n} requests per client per round in blocks of {chunk}, {rounds} rounds, \
         new clients every round (requests/s; ratio to reqwest+serde in the same round; \
         process CPU µs per request)"
    );
    let modes: Vec<usize> = std::env::var("GEN_BENCH_IN_FLIGHT")
        .ok()
        .map(|v| v.split(',').filter_map(|m| m.trim().parse().ok()).collect())
        .filter(|m: &Vec<usize>| !m.is_empty())
        .unwrap_or_else(|| vec![1, 64]);
    let only = std::env::var("GEN_BENCH_ONLY").ok();
    let picked = |k: usize| {
        only.as_deref()
            .is_none_or(|o| o.split(',').any(|o| NAMES[k] == o.trim()))
    };
    for in_flight in modes {
        let mut ratios: [Vec<f64>; CLIENTS] = Default::default();
        for round in 1..=rounds {
            // New clients (new connections) every round: where a
            // connection's tasks land on the runtime's threads swings
            // sequential throughput by several per cent for the whole life
            // of the connection, so it is drawn anew each round.
            let clients = Clients::new(&base);
            let call = |which: usize| {
                let clients = &clients;
                move |i: i64| clients.call(which, i)
            };
            // Warm-up: open the connections, fill the caches.
            let mut ignored = Spent::default();
            let warm = 4 * in_flight.max(64);
            for k in (0..CLIENTS).filter(|k| picked(*k)) {
                block(0, warm, in_flight, &call(k), &mut ignored).await;
            }
            let mut spent = [Spent::default(); CLIENTS];
            let mut first = 0;
            let mut turn = 0usize;
            while first < n {
                let size = chunk.min(n - first);
                for k in 0..CLIENTS {
                    let which = (turn + k) % CLIENTS;
                    if picked(which) {
                        block(first, size, in_flight, &call(which), &mut spent[which]).await;
                    }
                }
                first += size;
                turn += 1;
            }
            let rate = |s: &Spent| s.requests as f64 / s.wall.as_secs_f64();
            let cpu = |s: &Spent| s.cpu_ns as f64 / s.requests as f64 / 1000.0;
            let b = rate(&spent[0]);
            let mut line = format!(
                "  in flight {in_flight:>2}, round {round}: reqwest+serde {b:>7.0}/s {:>5.1}µs",
                cpu(&spent[0])
            );
            for k in 1..CLIENTS {
                let r = rate(&spent[k]) / b;
                line += &format!(
                    " | {} {:>7.0}/s {:>5.1}µs ({r:.2}x)",
                    NAMES[k],
                    rate(&spent[k]),
                    cpu(&spent[k])
                );
                ratios[k].push(r);
            }
            println!("{line}");
        }
        let summary: Vec<String> = (1..CLIENTS)
            .map(|k| {
                let (m, lo, hi) = median(std::mem::take(&mut ratios[k]));
                format!("{} {m:.2}x (min {lo:.2}, max {hi:.2})", NAMES[k])
            })
            .collect();
        println!("in flight {in_flight:>2}: {}", summary.join("; "));
    }
}
