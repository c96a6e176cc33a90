//! A recording HTTP server on 127.0.0.1 for the upload, multipart and
//! download tests: every request (method, path, query, headers, body) is
//! kept; the answer comes from a closure.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use genpro_sdk::GenClient;
use genpro_sdk::retry::RetryPolicy;
use genpro_sdk::retry::testing::ManualTime;

/// The API key the tests configure.
pub const KEY: &str = "sk-test-upload-key-123";

/// One request as received.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }

    /// Asserts that none of our credentials reached this request.
    pub fn assert_no_credentials(&self) {
        assert!(
            self.headers.get("x-api-key").is_none(),
            "X-API-Key sent to {}",
            self.path
        );
        assert!(
            self.headers.get("authorization").is_none(),
            "Authorization sent to {}",
            self.path
        );
        for (name, value) in &self.headers {
            assert!(
                !value
                    .as_bytes()
                    .windows(KEY.len())
                    .any(|w| w == KEY.as_bytes()),
                "the key appears in header {name} sent to {}",
                self.path
            );
        }
    }
}

/// An answer: status, headers, body.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub delay: Option<Duration>,
}

impl Reply {
    pub fn json(status: u16, value: serde_json::Value) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: serde_json::to_vec(&value).unwrap(),
            delay: None,
        }
    }

    pub fn bytes(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: vec![],
            body: body.into(),
            delay: None,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }
}

type Responder = Arc<dyn Fn(&Recorded, usize) -> Reply + Send + Sync>;

#[derive(Clone)]
struct ServerState {
    log: Arc<Mutex<Vec<Recorded>>>,
    responder: Responder,
}

/// A running recording server.
#[derive(Clone)]
pub struct Server {
    pub base: String,
    log: Arc<Mutex<Vec<Recorded>>>,
}

impl Server {
    /// Starts a server; `responder(request, n)` answers, `n` being the
    /// number of earlier requests with the same method and path.
    pub async fn start(
        responder: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let log = Arc::new(Mutex::new(Vec::new()));
        let state = ServerState {
            log: log.clone(),
            responder: Arc::new(responder),
        };
        let app = axum::Router::new()
            .fallback(handle)
            .layer(DefaultBodyLimit::disable())
            .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            base: format!("http://{addr}"),
            log,
        }
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.log.lock().unwrap().clone()
    }

    /// The requests with this method and path.
    pub fn hits(&self, method: &str, path: &str) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == method && r.path == path)
            .collect()
    }
}

async fn handle(
    State(state): State<ServerState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let recorded = Recorded {
        method: method.to_string(),
        path: uri.path().to_owned(),
        query: uri.query().map(str::to_owned),
        headers,
        body,
    };
    let n = {
        let mut log = state.log.lock().unwrap();
        let n = log
            .iter()
            .filter(|r| r.method == recorded.method && r.path == recorded.path)
            .count();
        log.push(recorded.clone());
        n
    };
    let reply = (state.responder)(&recorded, n);
    if let Some(delay) = reply.delay {
        tokio::time::sleep(delay).await;
    }
    let mut response = (StatusCode::from_u16(reply.status).unwrap(), reply.body).into_response();
    for (name, value) in reply.headers {
        response.headers_mut().insert(
            axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    response
}

/// One part of a multipart body.
#[derive(Clone, Debug)]
pub struct FormField {
    pub name: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub data: Bytes,
}

impl FormField {
    pub fn text(&self) -> String {
        String::from_utf8(self.data.to_vec()).unwrap()
    }
}

/// Parses a recorded `multipart/form-data` body.
pub async fn form_fields(request: &Recorded) -> Vec<FormField> {
    let content_type = request.header("content-type").expect("content-type");
    assert!(
        content_type.starts_with("multipart/form-data"),
        "not multipart: {content_type}"
    );
    let boundary = multer::parse_boundary(content_type).unwrap();
    let body = request.body.clone();
    let stream = futures::stream::once(async move { Ok::<_, std::io::Error>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut fields = Vec::new();
    while let Some(field) = multipart.next_field().await.unwrap() {
        let name = field.name().unwrap_or_default().to_owned();
        let filename = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(|m| m.to_string());
        let data = field.bytes().await.unwrap();
        fields.push(FormField {
            name,
            filename,
            content_type,
            data,
        });
    }
    fields
}

/// A GEN client on `api_base` with fast, recorded retries.
pub fn client(api_base: &str, time: &ManualTime) -> GenClient {
    GenClient::builder()
        .api_key(KEY)
        .api_url(api_base)
        .agent_url(api_base)
        .retry_policy(RetryPolicy::default().with_max_attempts(3))
        .sleep(Arc::new(time.clone()))
        .clock(Arc::new(time.clone()))
        .build()
        .unwrap()
}

/// Deterministic pseudo-random bytes.
pub fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// A content resource answer.
pub fn content_resource(id: i64, filename: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id,
        "url": format!("https://cdn.gen.pro/uploads/{filename}"),
        "thumbnail_url": null,
        "object_type": "video",
        "filename": filename,
        "content_type": "video/mp4",
        "byte_size": 1,
        "created_at": "2026-04-01T10:00:00Z"
    })
}
