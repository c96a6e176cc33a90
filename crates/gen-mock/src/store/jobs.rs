//! User jobs (`/v1/user_jobs`: social training, publishing) and their timed status.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::time::Instant;

use crate::model::UserJob;

/// Every user job, by id.
pub(crate) struct JobStore {
    /// How long a timed job (user job, voice preview) takes to complete.
    pub duration: Duration,
    /// User jobs by id.
    pub user_jobs: BTreeMap<i64, UserJob>,
}

impl JobStore {
    pub fn new(duration: Duration) -> Self {
        Self {
            duration,
            user_jobs: BTreeMap::new(),
        }
    }

    /// Status of a timed job (user job, voice preview) started at `started`.
    pub fn status(&self, started: Instant, now: Instant) -> &'static str {
        let d = self.duration;
        let e = now.saturating_duration_since(started);
        if e >= d {
            "completed"
        } else if e < d / 3 {
            "pending"
        } else {
            "processing"
        }
    }
    /// JSON of a user job at `now`.
    pub fn json(&self, j: &UserJob, now: Instant) -> Value {
        let mut status = self.status(j.started, now);
        let mut result = Value::Null;
        let mut failed_reason = Value::Null;
        if status == "completed" {
            if j.job_type == "publish_content" {
                let platform = j.data.get("platform").and_then(Value::as_str).unwrap_or("");
                if platform == "tiktok" {
                    result = json!({
                        "post_id": format!("7345678{:012}", j.id),
                        "platform": platform,
                        "media_url": j.data.get("media_url"),
                        "schedule_type": j.data.get("schedule_type"),
                        "scheduled_time": j.data.get("scheduled_time"),
                    });
                } else {
                    status = "failed";
                    failed_reason = json!(format!(
                        "Publishing to {platform} is not supported yet (TikTok only)"
                    ));
                    result = json!({"error": failed_reason});
                }
            } else {
                let max = j
                    .data
                    .get("max_results")
                    .and_then(Value::as_i64)
                    .unwrap_or(50);
                result = json!({"items_indexed": max.min(50), "platform": j.data.get("platform"), "monitoring": j.data.get("monitoring")});
            }
        }
        json!({
            "id": j.id,
            "user_job_type": j.job_type,
            "status": status,
            "result": result,
            "failed_reason": failed_reason,
            "data": Value::String(Value::Object(j.data.clone()).to_string()),
            "agent_id": j.agent_id,
            "created_at": j.created_at,
        })
    }
}
