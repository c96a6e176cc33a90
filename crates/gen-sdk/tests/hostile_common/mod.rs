//! A tiny hostile HTTP/1.1 server on a loopback address (127.0.0.1,
//! 127.0.0.2, ...), written on a bare tokio `TcpListener` so that it can do
//! what no well-behaved framework does: trickle a body one byte at a time,
//! announce and stream hundreds of MiB without holding them, answer
//! `Retry-After: 0`, redirect anywhere. Every request it receives is
//! recorded (method, path, query, headers, body, arrival time).
//!
//! Shared by `crates/gen-sdk/tests/hostile.rs` and
//! `crates/gen-cli/tests/hostile_cli.rs`.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One request the server received.
#[derive(Clone, Debug)]
pub struct Hit {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The raw query string (`""` when none).
    pub query: String,
    /// Header names (lower-cased) and values.
    pub headers: Vec<(String, String)>,
    /// The request body.
    pub body: Vec<u8>,
    /// When the request head was read.
    pub at: Instant,
}

impl Hit {
    /// The value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// How the body of a [`Reply`] is sent.
#[derive(Clone, Debug)]
pub enum Body {
    /// These bytes at once (with `Content-Length`).
    Bytes(Vec<u8>),
    /// `Content-Length: announced`, then `chunk` every `every`, forever
    /// (until the client hangs up).
    Trickle {
        /// The announced length.
        announced: u64,
        /// Sent on each tick.
        chunk: Vec<u8>,
        /// Time between chunks.
        every: Duration,
    },
    /// `head`, then `fill` bytes up to `len` bytes in total, then `tail`
    /// (with `Content-Length: len + tail.len()`), streamed in 64 KiB writes
    /// so the server never holds the whole body.
    Huge {
        /// The first bytes (e.g. `{"id":1,"pad":"`).
        head: Vec<u8>,
        /// The filler byte.
        fill: u8,
        /// Bytes of head and filler together.
        len: u64,
        /// The last bytes (e.g. `"}`).
        tail: Vec<u8>,
    },
}

/// An answer.
#[derive(Clone, Debug)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Body,
}

impl Reply {
    /// A JSON answer.
    pub fn json(status: u16, value: serde_json::Value) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: Body::Bytes(value.to_string().into_bytes()),
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// An answer with `body`.
    pub fn with_body(status: u16, body: Body) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body,
        }
    }

    /// A 300 MiB JSON answer: `head`, 300 MiB of `x`, then `"}`.
    pub fn huge(status: u16, head: &[u8]) -> Self {
        Self::with_body(
            status,
            Body::Huge {
                head: head.to_vec(),
                fill: b'x',
                len: 300 << 20,
                tail: br#""}"#.to_vec(),
            },
        )
    }
}

type Handler = dyn Fn(&Hit) -> Reply + Send + Sync;

/// A running server; stops when dropped.
pub struct HostileServer {
    /// `http://<ip>:<port>`.
    pub base: String,
    hits: Arc<Mutex<Vec<Hit>>>,
    task: tokio::task::JoinHandle<()>,
}

impl HostileServer {
    /// Listens on `ip` (a loopback address) and answers every request with
    /// `handler`.
    pub async fn start(ip: &str, handler: impl Fn(&Hit) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind((ip, 0)).await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let hits: Arc<Mutex<Vec<Hit>>> = Arc::default();
        let handler: Arc<Handler> = Arc::new(handler);
        let task = {
            let hits = hits.clone();
            tokio::spawn(async move {
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        continue;
                    };
                    let hits = hits.clone();
                    let handler = handler.clone();
                    tokio::spawn(async move {
                        let _ = serve(stream, hits, handler).await;
                    });
                }
            })
        };
        Self {
            base: format!("http://{addr}"),
            hits,
            task,
        }
    }

    /// Every request so far.
    pub fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }

    /// The number of requests so far.
    pub fn hit_count(&self) -> usize {
        self.hits.lock().unwrap().len()
    }
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A `http://127.0.0.1:<port>` on which nothing listens (connection
/// refused).
pub async fn refused_base() -> String {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    format!("http://{addr}")
}

async fn serve(
    mut stream: TcpStream,
    hits: Arc<Mutex<Vec<Hit>>>,
    handler: Arc<Handler>,
) -> std::io::Result<()> {
    // One request per connection (`Connection: close`).
    let mut buf = Vec::with_capacity(4096);
    let head_end = loop {
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
        if buf.len() > 1 << 20 {
            return Ok(());
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_owned(), q.to_owned()),
        None => (target.clone(), String::new()),
    };
    let headers: Vec<(String, String)> = lines
        .filter(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let mut chunk = vec![0u8; (length - body.len()).min(64 * 1024)];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let hit = Hit {
        method,
        path,
        query,
        headers,
        body,
        at: Instant::now(),
    };
    hits.lock().unwrap().push(hit.clone());
    let reply = handler(&hit);

    let announced = match &reply.body {
        Body::Bytes(b) => b.len() as u64,
        Body::Trickle { announced, .. } => *announced,
        Body::Huge { len, tail, .. } => len + tail.len() as u64,
    };
    let mut out = format!("HTTP/1.1 {} Hostile\r\n", reply.status);
    for (n, v) in &reply.headers {
        out.push_str(&format!("{n}: {v}\r\n"));
    }
    out.push_str(&format!(
        "content-length: {announced}\r\nconnection: close\r\n\r\n"
    ));
    stream.write_all(out.as_bytes()).await?;
    match reply.body {
        Body::Bytes(b) => stream.write_all(&b).await?,
        Body::Trickle { chunk, every, .. } => loop {
            tokio::time::sleep(every).await;
            stream.write_all(&chunk).await?;
            stream.flush().await?;
        },
        Body::Huge {
            head,
            fill,
            len,
            tail,
        } => {
            stream.write_all(&head).await?;
            let block = vec![fill; 64 * 1024];
            let mut left = len.saturating_sub(head.len() as u64);
            while left > 0 {
                let n = left.min(block.len() as u64) as usize;
                stream.write_all(&block[..n]).await?;
                left -= n as u64;
            }
            stream.write_all(&tail).await?;
        }
    }
    stream.flush().await?;
    stream.shutdown().await?;
    Ok(())
}
