//! Request logging, fault injection and authentication, applied before every handler.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::ApiError;
use crate::state::{MockState, RequestRecord};

/// Paths that need no API key: health, storage PUT (pre-signed), public CDN.
fn is_public(path: &str) -> bool {
    path == "/healthz" || path.starts_with("/storage/") || path.starts_with("/cdn/")
}

/// The API key of a request: `X-API-Key`, else `Authorization: Bearer`.
fn presented_keys(headers: &HeaderMap) -> Vec<String> {
    let mut keys = Vec::new();
    if let Some(k) = headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        keys.push(k.trim().to_string());
    }
    if let Some(a) = headers.get("authorization").and_then(|v| v.to_str().ok()) {
        let a = a.trim();
        if let Some(k) = a
            .strip_prefix("Bearer ")
            .or_else(|| a.strip_prefix("bearer "))
        {
            keys.push(k.trim().to_string());
        }
    }
    keys
}

/// Log, delay, maybe fault, authenticate, then run the handler.
pub(crate) async fn gate(State(state): State<MockState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let headers = req.headers().clone();
    let record = RequestRecord {
        method: req.method().to_string(),
        path: path.clone(),
        query: req.uri().query().map(str::to_string),
        headers: headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        has_api_key: headers.contains_key("x-api-key"),
        has_authorization: headers.contains_key("authorization"),
        status: None,
    };
    let index = {
        let mut d = state.raw();
        d.log.requests.push(record);
        d.log.requests.len() - 1
    };
    let response = handle(&state, &path, &headers, req, next).await;
    if let Some(r) = state.raw().log.requests.get_mut(index) {
        r.status = Some(response.status().as_u16());
    }
    response
}

async fn handle(
    state: &MockState,
    path: &str,
    headers: &HeaderMap,
    req: Request,
    next: Next,
) -> Response {
    let cfg = state.config().clone();
    let faultable = path != "/healthz" && (!path.starts_with("/storage/") || cfg.fault_storage);
    if faultable {
        if !cfg.latency.is_zero() {
            tokio::time::sleep(cfg.latency).await;
        }
        if let Some(status) = state.roll_fault() {
            // Like a real gateway, read the request before answering: a
            // client still sending its body sees the answer, not a broken pipe.
            drain(req).await;
            return fault_response(status, &cfg);
        }
    }
    if !is_public(path) {
        let keys = presented_keys(headers);
        if keys.is_empty() {
            return ApiError::unauthorized(
                "Missing API key: send X-API-Key or Authorization: Bearer",
            )
            .into_response();
        }
        if !keys.iter().any(|k| state.accepts_key(k)) {
            return ApiError::unauthorized("Invalid API key").into_response();
        }
    }
    next.run(req).await
}

/// The injected 429 (with `Retry-After`) or 503.
fn fault_response(status: u16, cfg: &crate::MockConfig) -> Response {
    if status == 429 {
        let mut resp = (
            StatusCode::TOO_MANY_REQUESTS,
            axum::Json(json!({"error": "Rate limit exceeded (injected by genpro-mock)", "error_code": "rate_limited"})),
        )
            .into_response();
        resp.headers_mut().insert(
            "retry-after",
            HeaderValue::from_str(&cfg.retry_after_secs.to_string())
                .unwrap_or(HeaderValue::from_static("1")),
        );
        resp
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(json!({"error": "Service unavailable (injected by genpro-mock)", "error_code": "service_unavailable"})),
        )
            .into_response()
    }
}

/// Read and discard a request's body.
async fn drain(req: Request) {
    use futures_util::StreamExt;
    let mut body = req.into_body().into_data_stream();
    while let Some(Ok(_)) = body.next().await {}
}
