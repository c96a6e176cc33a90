//! The one error body of the GEN API (`{"error", "error_code"}`) and small response helpers.

use std::collections::HashMap;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

/// An error answered by the mock: HTTP status + `{"error": message, "error_code": code}`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Machine-readable `error_code`.
    pub code: &'static str,
    /// Human-readable `error`.
    pub message: String,
}

impl ApiError {
    /// Any error.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// 401 `unauthorized`.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    /// 403 `forbidden`.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// 404 `not_found` for `what` (e.g. "Generation").
    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }

    /// 422 `validation_error`.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_error",
            message,
        )
    }

    /// 422 `agent_not_found`.
    pub fn agent_not_found() -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "agent_not_found",
            "Agent not found",
        )
    }

    /// 422 `insufficient_credits_for_job`.
    pub fn insufficient_credits(needed: f64, available: f64) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "insufficient_credits_for_job",
            format!(
                "Not enough credits for this generation (needs {needed}, available {available})"
            ),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            axum::Json(json!({"error": self.message, "error_code": self.code})),
        )
            .into_response()
    }
}

/// Handler result.
pub type ApiResult = Result<Response, ApiError>;

/// 200 with a JSON body.
pub fn ok(v: Value) -> ApiResult {
    Ok((StatusCode::OK, axum::Json(v)).into_response())
}

/// 201 with a JSON body.
pub fn created(v: Value) -> ApiResult {
    Ok((StatusCode::CREATED, axum::Json(v)).into_response())
}

/// 204 without a body.
pub fn no_content() -> ApiResult {
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Path parameters.
pub type Params = HashMap<String, String>;
/// Query parameters.
pub type Query = HashMap<String, String>;

/// A numeric path parameter; a non-numeric one is a 404 for `what`.
pub fn id_param(p: &Params, name: &str, what: &str) -> Result<i64, ApiError> {
    p.get(name)
        .and_then(|s| s.parse::<i64>().ok())
        .ok_or_else(|| ApiError::not_found(what))
}

/// A string path parameter.
pub fn str_param(p: &Params, name: &str) -> String {
    p.get(name).cloned().unwrap_or_default()
}

/// Parse a JSON request body. An empty body is `{}`; malformed JSON is 422 `validation_error`.
pub fn json_body(body: &[u8]) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::validation(format!("Malformed JSON body: {e}")))
}

/// A JSON body that must be an object.
pub fn json_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match json_body(body)? {
        Value::Object(m) => Ok(m),
        _ => Err(ApiError::validation("Request body must be a JSON object")),
    }
}

/// A nested object `body[key]` that must be present and an object (Rails-style wrappers).
pub fn wrapped(body: &Map<String, Value>, key: &str) -> Result<Map<String, Value>, ApiError> {
    match body.get(key) {
        Some(Value::Object(m)) => Ok(m.clone()),
        Some(_) => Err(ApiError::validation(format!("`{key}` must be an object"))),
        None => Err(ApiError::validation(format!("`{key}` is required"))),
    }
}

/// An optional string field (422 when present but not a string).
pub fn opt_str(m: &Map<String, Value>, key: &str) -> Result<Option<String>, ApiError> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::validation(format!("`{key}` must be a string"))),
    }
}

/// A required non-empty string field.
pub fn req_str(m: &Map<String, Value>, key: &str) -> Result<String, ApiError> {
    match opt_str(m, key)? {
        Some(s) if !s.trim().is_empty() => Ok(s),
        _ => Err(ApiError::validation(format!("`{key}` is required"))),
    }
}

/// An optional integer field; numeric strings are accepted too.
pub fn opt_i64(m: &Map<String, Value>, key: &str) -> Result<Option<i64>, ApiError> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| ApiError::validation(format!("`{key}` must be an integer"))),
        Some(Value::String(s)) => s
            .parse()
            .map(Some)
            .map_err(|_| ApiError::validation(format!("`{key}` must be an integer"))),
        Some(_) => Err(ApiError::validation(format!("`{key}` must be an integer"))),
    }
}
