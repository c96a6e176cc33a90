//! Route handlers, grouped by journey step.

pub(crate) mod engine;
pub(crate) mod generations;
pub(crate) mod ideas;
pub(crate) mod jobs;
pub(crate) mod setup;
pub(crate) mod uploads;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::{ApiError, Query};
use crate::state::Data;

/// `GET /healthz` (no auth, no faults).
pub(crate) async fn healthz() -> Response {
    axum::Json(json!({"status": "ok"})).into_response()
}

/// Unknown route: 404 `not_found`.
pub(crate) async fn not_found() -> Response {
    ApiError::not_found("Route").into_response()
}

/// Known route, wrong method: 405 with the error body.
pub(crate) async fn method_not_allowed() -> Response {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "not_found",
        "Method not allowed",
    )
    .into_response()
}

/// The `agent_id` query parameter: required (422 `validation_error` when missing) and must name an
/// existing agent (422 `agent_not_found`).
pub(crate) fn agent_q(d: &Data, q: &Query) -> Result<i64, ApiError> {
    let raw = q
        .get("agent_id")
        .ok_or_else(|| ApiError::validation("`agent_id` query parameter is required"))?;
    let id: i64 = raw.parse().map_err(|_| ApiError::agent_not_found())?;
    if d.agents.exists(id) {
        Ok(id)
    } else {
        Err(ApiError::agent_not_found())
    }
}

/// A path agent id that must exist (404 otherwise).
pub(crate) fn agent_path(d: &Data, id: i64) -> Result<(), ApiError> {
    if d.agents.exists(id) {
        Ok(())
    } else {
        Err(ApiError::not_found("Agent"))
    }
}

/// Page number and size of a paginated list.
pub(crate) fn page_of(q: &Query) -> Result<(usize, usize), ApiError> {
    let page = match q.get("page") {
        Some(p) => p
            .parse::<usize>()
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| ApiError::validation("`page` must be an integer >= 1"))?,
        None => 1,
    };
    let per_page = match q.get("per_page") {
        Some(p) => p
            .parse::<usize>()
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| ApiError::validation("`per_page` must be an integer >= 1"))?,
        None => 25,
    };
    Ok((page, per_page))
}

/// One multipart field, fully read.
pub(crate) struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub bytes: axum::body::Bytes,
}

/// Read a whole multipart/form-data body (422 `validation_error` when it is not one).
pub(crate) async fn multipart_parts(req: axum::extract::Request) -> Result<Vec<Part>, ApiError> {
    use axum::extract::FromRequest;
    let mut mp = axum::extract::Multipart::from_request(req, &())
        .await
        .map_err(|e| ApiError::validation(format!("Expected multipart/form-data: {e}")))?;
    let mut parts = Vec::new();
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|e| ApiError::validation(format!("Bad multipart body: {e}")))?
    {
        let name = field.name().unwrap_or("").to_string();
        let filename = field.file_name().map(str::to_string);
        let content_type = field.content_type().map(str::to_string);
        let bytes = field
            .bytes()
            .await
            .map_err(|e| ApiError::validation(format!("Bad multipart body: {e}")))?;
        parts.push(Part {
            name,
            filename,
            content_type,
            bytes,
        });
    }
    Ok(parts)
}

/// Whether a request's content type is multipart/form-data.
pub(crate) fn is_multipart(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"))
}
