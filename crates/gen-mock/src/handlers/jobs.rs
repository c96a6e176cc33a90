//! User jobs: publish_content (JSON) and train_social (multipart form), poll and update.

use axum::body::Bytes;
use axum::extract::{Path, Query as Q, Request, State};
use axum::http::HeaderMap;
use serde_json::{Map, Value, json};
use tokio::time::Instant;

use super::{agent_q, is_multipart, multipart_parts};
use crate::error::*;
use crate::model::UserJob;
use crate::state::MockState;

/// Parse the JSON-encoded `data` string of a job.
fn parse_data(raw: &Value) -> Result<Map<String, Value>, ApiError> {
    match raw {
        Value::String(s) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(m)) => Ok(m),
            _ => Err(ApiError::validation(
                "`data` must be a string containing a JSON object",
            )),
        },
        Value::Null => Err(ApiError::validation("`data` is required")),
        _ => Err(ApiError::validation(
            "`data` must be a STRING containing JSON, not an object",
        )),
    }
}

fn validate(job_type: &str, data: &Map<String, Value>) -> Result<(), ApiError> {
    let s = |k: &str| {
        data.get(k)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
    };
    match job_type {
        "publish_content" => {
            s("platform").ok_or_else(|| ApiError::validation("`data.platform` is required"))?;
            s("media_url").ok_or_else(|| ApiError::validation("`data.media_url` is required"))?;
            match s("schedule_type") {
                Some("now") => Ok(()),
                Some("scheduled") => {
                    let t = s("scheduled_time").ok_or_else(|| {
                        ApiError::validation(
                            "`data.scheduled_time` is required with schedule_type scheduled",
                        )
                    })?;
                    chrono::DateTime::parse_from_rfc3339(t)
                        .map(|_| ())
                        .map_err(|_| {
                            ApiError::validation(
                                "`data.scheduled_time` must be an RFC 3339 date-time",
                            )
                        })
                }
                _ => Err(ApiError::validation(
                    "`data.schedule_type` must be now or scheduled",
                )),
            }
        }
        "train_social" => {
            let platform =
                s("platform").ok_or_else(|| ApiError::validation("`data.platform` is required"))?;
            if !["tiktok", "instagram", "youtube"].contains(&platform) {
                return Err(ApiError::validation(
                    "`data.platform` must be tiktok, instagram or youtube",
                ));
            }
            let t = s("type").ok_or_else(|| ApiError::validation("`data.type` is required"))?;
            if !["username", "hashtag", "keyword"].contains(&t) {
                return Err(ApiError::validation(
                    "`data.type` must be username, hashtag or keyword",
                ));
            }
            s("value").ok_or_else(|| ApiError::validation("`data.value` is required"))?;
            Ok(())
        }
        other => Err(ApiError::validation(format!(
            "Unknown user_job_type `{other}` (publish_content or train_social)"
        ))),
    }
}

/// `POST /v1/user_jobs?agent_id=`: JSON `{user_job_type, data: "<json>"}` or multipart
/// `user_job[user_job_type]`, `user_job[data]` → `{user_job_id}`. Completes after
/// [`crate::MockConfig::user_job_duration`]; publishing to a platform other than TikTok fails.
/// A scheduled publish stays `pending` until its `scheduled_time` (scaled by
/// [`crate::MockConfig::schedule_scale`]) before it runs.
pub(crate) async fn create_user_job(
    State(s): State<MockState>,
    Q(q): Q<Query>,
    headers: HeaderMap,
    req: Request,
) -> ApiResult {
    let agent = agent_q(&s.data(), &q)?;
    let (job_type, raw) = if is_multipart(&headers) {
        let mut t = None;
        let mut data = None;
        for part in multipart_parts(req).await? {
            let text = String::from_utf8_lossy(&part.bytes).into_owned();
            match part.name.as_str() {
                "user_job[user_job_type]" => t = Some(text),
                "user_job[data]" => data = Some(Value::String(text)),
                _ => {}
            }
        }
        (
            t.ok_or_else(|| ApiError::validation("`user_job[user_job_type]` is required"))?,
            data.unwrap_or(Value::Null),
        )
    } else {
        let body = axum::body::to_bytes(req.into_body(), crate::MAX_BUFFERED_BODY)
            .await
            .map_err(|e| ApiError::validation(format!("Bad body: {e}")))?;
        let mut b = json_object(&body)?;
        if let Some(Value::Object(inner)) = b.get("user_job").cloned() {
            b = inner;
        }
        (
            req_str(&b, "user_job_type")?,
            b.get("data").cloned().unwrap_or(Value::Null),
        )
    };
    let data = parse_data(&raw)?;
    validate(&job_type, &data)?;
    let mut d = s.data();
    let id = d.next(|i| &mut i.user_job);
    let now = Instant::now();
    let started = now + scheduled_delay(&d.wall(now), &data, d.cfg.schedule_scale);
    let job = UserJob {
        id,
        agent_id: agent,
        job_type,
        data,
        started,
        created_at: d.wall(now),
    };
    d.jobs.user_jobs.insert(id, job);
    ok(json!({"user_job_id": id}))
}

/// How long a publish job waits before it starts: until its `scheduled_time` (from the wall
/// clock `now`), times `scale`; zero for a post published now or a time already past.
fn scheduled_delay(now: &str, data: &Map<String, Value>, scale: f64) -> std::time::Duration {
    let scheduled = data.get("schedule_type").and_then(Value::as_str) == Some("scheduled");
    let at = data
        .get("scheduled_time")
        .and_then(Value::as_str)
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
    let now = chrono::DateTime::parse_from_rfc3339(now).ok();
    match (scheduled, at, now) {
        (true, Some(at), Some(now)) => (at - now)
            .to_std()
            .map(|d| d.mul_f64(scale.max(0.0)))
            .unwrap_or_default(),
        _ => std::time::Duration::ZERO,
    }
}

/// `GET /v1/user_jobs/{id}?agent_id=`
pub(crate) async fn get_user_job(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
) -> ApiResult {
    let id = id_param(&p, "id", "User job")?;
    let d = s.data();
    let agent = agent_q(&d, &q)?;
    let j = d
        .jobs
        .user_jobs
        .get(&id)
        .filter(|j| j.agent_id == agent)
        .ok_or_else(|| ApiError::not_found("User job"))?;
    ok(d.jobs.json(j, Instant::now()))
}

/// `PUT /v1/user_jobs/{id}[?agent_id=]` `{data: "<json>"}`: merges the given fields into the job's data.
/// `agent_id` is optional here (seed 001 lists "PUT /v1/user_jobs/:id — update monitoring job"
/// without it); when given, the job must belong to that agent.
pub(crate) async fn update_user_job(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
    body: Bytes,
) -> ApiResult {
    let id = id_param(&p, "id", "User job")?;
    let mut b = json_object(&body)?;
    if let Some(Value::Object(inner)) = b.get("user_job").cloned() {
        b = inner;
    }
    let patch = parse_data(b.get("data").unwrap_or(&Value::Null))?;
    let mut d = s.data();
    let agent = match q.contains_key("agent_id") {
        true => Some(agent_q(&d, &q)?),
        false => None,
    };
    let j = d
        .jobs
        .user_jobs
        .get(&id)
        .filter(|j| agent.is_none_or(|a| j.agent_id == a))
        .cloned()
        .ok_or_else(|| ApiError::not_found("User job"))?;
    let mut merged = j.data.clone();
    merged.extend(patch);
    validate(&j.job_type, &merged)?;
    let job = d.jobs.user_jobs.get_mut(&id).expect("job");
    job.data = merged;
    let job = job.clone();
    ok(d.jobs.json(&job, Instant::now()))
}
