//! Upload benchmark: a 1 GiB file direct-uploaded by genpro-sdk to a local
//! server, against `curl -T` to the same server.
//!
//! ```text
//! cargo run --release -p genpro-sdk --example upload_bench [SIZE_MIB]
//! ```
//!
//! The example starts itself a second time as the server
//! (`upload_bench server`, an axum server on 127.0.0.1 that answers
//! `POST /v1/direct_upload` and `POST /v1/content_resources`, and hashes
//! and discards `PUT` bodies, checking `Content-MD5` and that no API key
//! arrives). It writes the file under /tmp (deleted afterwards), then
//! measures:
//!
//! - `curl -T FILE URL` (one PUT of the file) — the baseline;
//! - `Edit::upload` of the same file (checksum pass + `direct_upload` +
//!   streamed PUT + `content_resources`), with the checksum and PUT phases
//!   timed separately from the progress channel;
//! - the peak RSS of this (client) process, from `VmHWM` in
//!   `/proc/self/status` (target ≤ 64 MiB).

use genpro_sdk::steps::AgentId;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use genpro_sdk::GenClient;
use genpro_sdk::upload::{UploadOptions, UploadPhase, UploadSource, md5_base64};

const KEY: &str = "bench-key-do-not-leak";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("server") {
        return server::run();
    }
    let size_mib: u64 = args.get(1).map(|s| s.parse()).transpose()?.unwrap_or(1024);
    let size = size_mib * 1024 * 1024;

    // The server, as a separate process: its memory is not ours.
    let mut child = Command::new(std::env::current_exe()?)
        .arg("server")
        .stdout(Stdio::piped())
        .spawn()?;
    let result = run(size, &mut child);
    let _ = child.kill();
    let _ = child.wait();
    result
}

fn run(size: u64, child: &mut std::process::Child) -> Result<(), Box<dyn std::error::Error>> {
    use std::io::BufRead;
    let stdout = child.stdout.take().ok_or("no server stdout")?;
    let mut line = String::new();
    std::io::BufReader::new(stdout).read_line(&mut line)?;
    let base = line.trim().to_owned();
    println!("server: {base}");

    let dir = tempfile::Builder::new()
        .prefix("genpro-sdk-upload-bench-")
        .tempdir_in("/tmp")?;
    let path = dir.path().join("bench.mp4");
    let started = Instant::now();
    write_file(&path, size)?;
    println!(
        "wrote {} ({} MiB) in {:.1} s",
        path.display(),
        size / (1024 * 1024),
        started.elapsed().as_secs_f64()
    );
    println!("peak RSS after writing the file: {} KiB", vm_hwm_kib());

    // Warm the page cache equally for both contestants.
    let _ = Command::new("cat")
        .arg(&path)
        .stdout(Stdio::null())
        .status();

    // Baseline: curl -T.
    let curl_url = format!("{base}/storage/curl");
    let t = Instant::now();
    let out = Command::new("curl")
        .args(["-sS", "-f", "-o", "/dev/null", "-w", "%{http_code}", "-T"])
        .arg(&path)
        .arg(&curl_url)
        .output();
    let curl_secs = t.elapsed().as_secs_f64();
    match out {
        Ok(out) if out.status.success() => println!(
            "curl -T: {:.2} s, {:.0} MiB/s (HTTP {})",
            curl_secs,
            size as f64 / 1048576.0 / curl_secs,
            String::from_utf8_lossy(&out.stdout)
        ),
        Ok(out) => println!(
            "curl failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => println!("curl not runnable: {e}"),
    }

    // genpro-sdk.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let client = GenClient::builder()
            .api_key(KEY)
            .api_url(&base)
            .agent_url(&base)
            .build()?;
        let (options, mut progress) = UploadOptions::new().progress_channel();
        let watcher = tokio::spawn(async move {
            let start = Instant::now();
            let mut hashed_at = None;
            while progress.changed().await.is_ok() {
                let p = *progress.borrow_and_update();
                if p.phase == UploadPhase::Sending && hashed_at.is_none() {
                    hashed_at = Some(start.elapsed());
                }
            }
            hashed_at
        });
        let t = Instant::now();
        let resource = client
            .agent(AgentId::new(42)).upload(UploadSource::path(&path), options)
            .await?;
        let total = t.elapsed();
        let hashed = watcher.await?.unwrap_or(Duration::ZERO);
        let put = total.saturating_sub(hashed);
        println!(
            "genpro-sdk upload: {:.2} s total (content resource {}): checksum {:.2} s ({:.0} MiB/s), PUT + API calls {:.2} s ({:.0} MiB/s)",
            total.as_secs_f64(),
            resource.id,
            hashed.as_secs_f64(),
            size as f64 / 1048576.0 / hashed.as_secs_f64().max(1e-9),
            put.as_secs_f64(),
            size as f64 / 1048576.0 / put.as_secs_f64().max(1e-9),
        );
        println!(
            "PUT throughput vs curl -T: {:.0}%",
            100.0 * curl_secs / put.as_secs_f64().max(1e-9)
        );
        Ok::<_, Box<dyn std::error::Error>>(())
    })?;
    let hwm = vm_hwm_kib();
    println!(
        "peak RSS of the client process (VmHWM): {} KiB = {:.1} MiB (target <= 64 MiB)",
        hwm,
        hwm as f64 / 1024.0
    );
    let stats = Command::new("curl")
        .args(["-sS", &format!("{base}/stats")])
        .output()?;
    println!("server: {}", String::from_utf8_lossy(&stats.stdout).trim());
    drop(dir); // deletes the file
    Ok(())
}

/// Writes `size` pseudo-random bytes in 1 MiB blocks.
fn write_file(path: &std::path::Path, size: u64) -> std::io::Result<()> {
    let mut file = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut block = vec![0u8; 1 << 20];
    let mut left = size;
    while left > 0 {
        for chunk in block.chunks_exact_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            chunk.copy_from_slice(&x.to_le_bytes());
        }
        let n = left.min(block.len() as u64) as usize;
        file.write_all(&block[..n])?;
        left -= n as u64;
    }
    file.flush()
}

fn vm_hwm_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

mod server {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    use axum::Router;
    use axum::body::Body;
    use axum::extract::{DefaultBodyLimit, Path, State};
    use axum::http::{HeaderMap, StatusCode};
    use axum::routing::{post, put};
    use futures::StreamExt;
    use md5::{Digest, Md5};
    use serde_json::json;

    use super::{KEY, md5_base64};

    #[derive(Clone)]
    struct Stats {
        puts: Arc<AtomicU64>,
        bytes: Arc<AtomicU64>,
        base: Arc<String>,
    }

    pub fn run() -> Result<(), Box<dyn std::error::Error>> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()?;
        runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let base = format!("http://{}", listener.local_addr()?);
            let stats = Stats {
                puts: Arc::default(),
                bytes: Arc::default(),
                base: Arc::new(base.clone()),
            };
            let app = Router::new()
                .route("/v1/direct_upload", post(direct_upload))
                .route("/v1/content_resources", post(content_resource))
                .route("/storage/{name}", put(storage_put))
                .route("/stats", axum::routing::get(stats_handler))
                .layer(DefaultBodyLimit::disable())
                .with_state(stats);
            println!("{base}");
            axum::serve(listener, app).await?;
            Ok(())
        })
    }

    async fn direct_upload(
        State(stats): State<Stats>,
        axum::Json(body): axum::Json<serde_json::Value>,
    ) -> axum::Json<serde_json::Value> {
        let blob = &body["blob"];
        axum::Json(json!({
            "signed_id": "bench-signed-id",
            "direct_upload": {
                "url": format!("{}/storage/sdk?X-Amz-Signature=x", stats.base),
                "headers": {
                    "Content-Type": blob["content_type"],
                    "Content-MD5": blob["checksum"],
                }
            }
        }))
    }

    async fn content_resource() -> axum::Json<serde_json::Value> {
        axum::Json(json!({"id": 4821, "url": "https://cdn.gen.pro/uploads/bench.mp4"}))
    }

    async fn stats_handler(State(stats): State<Stats>) -> String {
        format!(
            "{} PUTs, {} bytes hashed and discarded",
            stats.puts.load(Ordering::Relaxed),
            stats.bytes.load(Ordering::Relaxed)
        )
    }

    /// Hashes and discards the body; 400 when Content-MD5 does not match
    /// or an API key arrived.
    async fn storage_put(
        State(stats): State<Stats>,
        Path(_name): Path<String>,
        headers: HeaderMap,
        body: Body,
    ) -> (StatusCode, String) {
        if headers.contains_key("x-api-key")
            || headers.contains_key("authorization")
            || headers
                .values()
                .any(|v| v.as_bytes().windows(KEY.len()).any(|w| w == KEY.as_bytes()))
        {
            return (
                StatusCode::BAD_REQUEST,
                "credentials sent to storage".into(),
            );
        }
        let mut hasher = Md5::new();
        let mut n = 0u64;
        let mut stream = body.into_data_stream();
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(chunk) => {
                    n += chunk.len() as u64;
                    hasher.update(&chunk);
                }
                Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()),
            }
        }
        let digest = hasher.finalize();
        let got = {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD.encode(digest)
        };
        debug_assert_eq!(md5_base64(b""), "1B2M2Y8AsgTpgAmY7PhCfg==");
        stats.puts.fetch_add(1, Ordering::Relaxed);
        stats.bytes.fetch_add(n, Ordering::Relaxed);
        if let Some(expected) = headers.get("content-md5").and_then(|v| v.to_str().ok())
            && expected != got
        {
            return (
                StatusCode::BAD_REQUEST,
                format!("BadDigest: {expected} != {got}"),
            );
        }
        (StatusCode::OK, got)
    }
}
