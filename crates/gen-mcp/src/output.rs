//! Tool results: successes, GEN errors as tool errors, job outcomes; every
//! output scrubbed of the API key.

use base64::Engine as _;
use genpro_sdk::Error;
use genpro_sdk::dynamic::{Answer, AnswerKind};
use genpro_sdk::wait::{JobRef, JobSnapshot, Outcome, WaitError};
use rmcp::model::CallToolResult;
use serde_json::{Map, Value, json};

/// Replaces every occurrence of `secret` in the strings of `value` (keys
/// and values) with `***`.
pub(crate) fn scrub(value: &mut Value, secret: &str) {
    if secret.len() < 4 {
        return;
    }
    match value {
        Value::String(s) if s.contains(secret) => *s = s.replace(secret, "***"),
        Value::Array(items) => items.iter_mut().for_each(|v| scrub(v, secret)),
        Value::Object(map) => {
            if map.keys().any(|k| k.contains(secret)) {
                let old = std::mem::take(map);
                for (k, mut v) in old {
                    scrub(&mut v, secret);
                    map.insert(k.replace(secret, "***"), v);
                }
            } else {
                map.values_mut().for_each(|v| scrub(v, secret));
            }
        }
        _ => {}
    }
}

/// A successful result with `value` as structured content (and as text).
pub(crate) fn success(mut value: Value, secret: &str) -> CallToolResult {
    scrub(&mut value, secret);
    CallToolResult::structured(value)
}

/// A tool error with `value` as structured content (and as text).
pub(crate) fn failure(mut value: Value, secret: &str) -> CallToolResult {
    scrub(&mut value, secret);
    CallToolResult::structured_error(value)
}

/// The most bytes of a binary answer an operation tool passes on as
/// base64 (16 KiB, about 22 000 characters); a larger one is described
/// (size and content type) but not passed on.
pub(crate) const BINARY_INLINE_LIMIT: usize = 16 * 1024;

/// The JSON of an operation's answer, never lossy:
///
/// - JSON or empty: `{"status", "body"}` (`body` the value, or `null`);
/// - text: `{"status", "content_type", "body"}`, `body` the text exactly;
/// - binary: `{"status", "content_type", "size_bytes", "body": null,
///   "note", "body_base64"}`, `note` saying what it is and `body_base64`
///   the bytes in standard base64, or `null` above
///   [`BINARY_INLINE_LIMIT`].
pub(crate) fn answer_json(answer: &Answer) -> Value {
    match answer.kind() {
        AnswerKind::Json | AnswerKind::Empty => {
            json!({"status": answer.status, "body": answer.body})
        }
        AnswerKind::Text => json!({
            "status": answer.status,
            "content_type": answer.content_type,
            "body": answer.body,
        }),
        // Binary, and any kind newer than this server: the bytes, never
        // as lossy text.
        _ => {
            let size = answer.bytes.len();
            let content_type = answer.content_type.as_deref().unwrap_or("no content type");
            let inline = size <= BINARY_INLINE_LIMIT;
            let note = if inline {
                format!("binary answer ({size} bytes, {content_type}): body_base64 holds it")
            } else {
                format!(
                    "binary answer ({size} bytes, {content_type}): not passed on above {BINARY_INLINE_LIMIT} bytes; fetch it with `gen api --output FILE`"
                )
            };
            json!({
                "status": answer.status,
                "content_type": answer.content_type,
                "size_bytes": size,
                "body": null,
                "note": note,
                "body_base64": inline
                    .then(|| base64::engine::general_purpose::STANDARD.encode(&answer.bytes)),
            })
        }
    }
}

/// The JSON of a genpro-sdk error: `error` (the message), `status`,
/// `error_code`, `hint`, `request_id`, `retryable`, and for validation
/// errors `field` and `allowed`.
pub(crate) fn error_json(error: &Error) -> Value {
    let mut map = Map::new();
    map.insert("error".into(), Value::String(error.to_string()));
    map.insert(
        "status".into(),
        error.status().map_or(Value::Null, Value::from),
    );
    map.insert(
        "error_code".into(),
        error
            .error_code()
            .map(|c| c.as_str().to_owned())
            .filter(|c| !c.is_empty())
            .map_or(Value::Null, Value::String),
    );
    map.insert("hint".into(), error.hint().map_or(Value::Null, Value::from));
    map.insert(
        "request_id".into(),
        error.request_id().map_or(Value::Null, Value::from),
    );
    map.insert("retryable".into(), Value::Bool(error.is_retryable()));
    if error.kind() == genpro_sdk::ErrorKind::Validation {
        if let Some(field) = error.field() {
            map.insert("field".into(), Value::String(field.to_owned()));
        }
        if let Some(allowed) = error.allowed() {
            map.insert("allowed".into(), json!(allowed));
        }
    }
    Value::Object(map)
}

/// A genpro-sdk error as a tool error.
pub(crate) fn error(error: &Error, secret: &str) -> CallToolResult {
    failure(error_json(error), secret)
}

/// A tool error for bad arguments (nothing was sent).
pub(crate) fn bad_arguments(message: impl Into<String>, secret: &str) -> CallToolResult {
    failure(
        json!({
            "error": message.into(),
            "status": null,
            "error_code": "invalid_arguments",
            "hint": "check the tool's input schema; nothing was sent to GEN",
        }),
        secret,
    )
}

/// The JSON of a job reference: `{"kind", "id", "agent_id"}`.
pub(crate) fn job_json(job: &JobRef) -> Value {
    match job {
        JobRef::Generation(id) => json!({"kind": "generation", "id": id}),
        JobRef::AgentRun(id) => json!({"kind": "agent_run", "id": id}),
        JobRef::UserJob { id, agent_id } => {
            json!({"kind": "user_job", "id": id, "agent_id": agent_id})
        }
        JobRef::VoicePreview { agent_id, job_id } => {
            json!({"kind": "voice_preview", "id": job_id, "agent_id": agent_id})
        }
        // A kind of job newer than this server.
        other => json!({"kind": "other", "id": other.to_string()}),
    }
}

fn snapshot_json(s: &JobSnapshot) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("job".into(), job_json(&s.job));
    map.insert("status".into(), Value::String(s.raw_status.clone()));
    map.insert(
        "progress_percent".into(),
        s.progress_percent.map_or(Value::Null, Value::from),
    );
    map.insert(
        "result".into(),
        s.result.clone().map_or(Value::Null, Value::String),
    );
    map.insert(
        "output_urls".into(),
        Value::Array(
            s.output_resources
                .iter()
                .map(|r| Value::String(r.url.clone()))
                .collect(),
        ),
    );
    map.insert(
        "failure_reason".into(),
        s.failure_reason.clone().map_or(Value::Null, Value::String),
    );
    map.insert(
        "error_code".into(),
        s.error_code
            .as_ref()
            .map_or(Value::Null, |c| Value::String(c.as_str().to_owned())),
    );
    map.insert("hint".into(), s.hint().map_or(Value::Null, Value::from));
    map.insert("body".into(), s.body.clone());
    map
}

/// The JSON of an outcome: `outcome` (completed, failed, rejected,
/// stopped, approval_required) and the final snapshot's fields.
pub(crate) fn outcome_json(outcome: &Outcome) -> Map<String, Value> {
    let name = match outcome {
        Outcome::Completed(_) => "completed",
        Outcome::Failed(_) => "failed",
        Outcome::Rejected(_) => "rejected",
        Outcome::Stopped(_) => "stopped",
        Outcome::ApprovalRequired(_) => "approval_required",
        _ => "other",
    };
    let mut map = Map::new();
    map.insert("outcome".into(), Value::String(name.into()));
    map.insert("summary".into(), Value::String(outcome.to_string()));
    map.extend(snapshot_json(outcome.snapshot()));
    map
}

/// Whether an outcome is reported as a tool error: failed, rejected and
/// stopped jobs are; completed ones and runs awaiting approval are not.
pub(crate) fn outcome_is_error(outcome: &Outcome) -> bool {
    matches!(
        outcome,
        Outcome::Failed(_) | Outcome::Rejected(_) | Outcome::Stopped(_)
    )
}

/// A finished wait as a result, with `extra` fields merged in.
pub(crate) fn outcome_result(
    outcome: &Outcome,
    extra: Map<String, Value>,
    secret: &str,
) -> CallToolResult {
    let mut map = extra;
    map.extend(outcome_json(outcome));
    if outcome_is_error(outcome) {
        failure(Value::Object(map), secret)
    } else {
        success(Value::Object(map), secret)
    }
}

/// A wait error as a tool error: the API error's status, code and hint
/// when there is one; the job and its last state; how to resume.
pub(crate) fn wait_error(
    error: &WaitError,
    extra: Map<String, Value>,
    secret: &str,
) -> CallToolResult {
    let mut map = extra;
    let mut base = match error.api_error() {
        Some(api) => match error_json(api) {
            Value::Object(m) => m,
            _ => Map::new(),
        },
        None => Map::new(),
    };
    base.insert("error".into(), Value::String(error.to_string()));
    if !base.contains_key("status") {
        base.insert("status".into(), Value::Null);
    }
    let code = match error {
        WaitError::MaxWaitExceeded { .. } => Some("max_wait_exceeded"),
        WaitError::InsufficientCredit { .. } => Some("insufficient_credits_for_job"),
        _ => None,
    };
    if let Some(code) = code {
        base.insert("error_code".into(), Value::String(code.into()));
    } else if let WaitError::Unsuccessful(outcome) = error {
        base.extend(outcome_json(outcome));
    }
    base.insert("hint".into(), error.hint().map_or(Value::Null, Value::from));
    if let Some(job) = error.job() {
        base.insert("job".into(), job_json(job));
    }
    if let Some(last) = error.last_state() {
        base.insert("last_status".into(), Value::String(last.raw_status.clone()));
    }
    if let Some(job) = error.resume() {
        base.insert(
            "resume".into(),
            json!({"tool": crate::workflow::Workflow::WAIT_FOR_JOB.name(), "arguments": job_json(&job)}),
        );
    }
    if let WaitError::InsufficientCredit {
        organization_id,
        estimated,
        available,
        cells,
    } = error
    {
        base.insert("organization_id".into(), json!(organization_id));
        base.insert("estimated_cost".into(), json!(estimated));
        base.insert("available_credit".into(), json!(available));
        base.insert("planned_generations".into(), json!(cells));
    }
    map.extend(base);
    failure(Value::Object(map), secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_replaces_the_secret_in_keys_and_values() {
        let mut v = json!({"a": "key sk-secret-1 here", "sk-secret-1": ["x sk-secret-1", 3]});
        scrub(&mut v, "sk-secret-1");
        assert_eq!(v, json!({"a": "key *** here", "***": ["x ***", 3]}));
    }

    fn answer(content_type: Option<&str>, bytes: &[u8]) -> Answer {
        Answer::from_parts(200, content_type.map(str::to_owned), bytes.to_vec().into())
    }

    #[test]
    fn json_and_empty_answers_keep_their_shape() {
        assert_eq!(
            answer_json(&answer(Some("application/json"), br#"{"id":9000}"#)),
            json!({"status": 200, "body": {"id": 9000}})
        );
        assert_eq!(
            answer_json(&answer(None, b"")),
            json!({"status": 200, "body": null})
        );
    }

    #[test]
    fn a_text_answer_is_its_text_exactly() {
        assert_eq!(
            answer_json(&answer(Some("text/csv"), "id,name\n1,\"olé\"\n".as_bytes())),
            json!({"status": 200, "content_type": "text/csv", "body": "id,name\n1,\"olé\"\n"})
        );
    }

    #[test]
    fn a_binary_answer_is_base64_never_lossy_text() {
        let bytes: Vec<u8> = (0..=255).collect();
        let v = answer_json(&answer(Some("application/octet-stream"), &bytes));
        let encoded = v["body_base64"].as_str().unwrap();
        assert_eq!(
            base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .unwrap(),
            bytes
        );
        assert_eq!(
            v,
            json!({
                "status": 200,
                "content_type": "application/octet-stream",
                "size_bytes": 256,
                "body": null,
                "note": "binary answer (256 bytes, application/octet-stream): body_base64 holds it",
                "body_base64": encoded,
            })
        );
        assert!(!v.to_string().contains('\u{fffd}'));
    }

    #[test]
    fn a_large_binary_answer_is_described_not_passed_on() {
        let bytes = vec![0x89; BINARY_INLINE_LIMIT + 1];
        assert_eq!(
            answer_json(&answer(Some("video/mp4"), &bytes)),
            json!({
                "status": 200,
                "content_type": "video/mp4",
                "size_bytes": 16385,
                "body": null,
                "note": "binary answer (16385 bytes, video/mp4): not passed on above 16384 bytes; fetch it with `gen api --output FILE`",
                "body_base64": null,
            })
        );
        let at_limit = answer_json(&answer(None, &bytes[..BINARY_INLINE_LIMIT]));
        assert_eq!(at_limit["size_bytes"], 16384);
        assert_eq!(at_limit["content_type"], Value::Null);
        assert!(at_limit["body_base64"].is_string());
        assert_eq!(
            at_limit["note"],
            "binary answer (16384 bytes, no content type): body_base64 holds it"
        );
    }

    #[test]
    fn api_errors_carry_status_code_and_hint() {
        let mut headers = genpro_sdk::reqwest::header::HeaderMap::new();
        headers.insert("x-request-id", "req-1".parse().unwrap());
        let e = Error::from_response_parts(
            genpro_sdk::reqwest::StatusCode::NOT_FOUND,
            &headers,
            br#"{"error": "Generation not found", "error_code": "not_found"}"#,
        );
        let v = error_json(&e);
        assert_eq!(v["status"], 404);
        assert_eq!(v["error_code"], "not_found");
        assert_eq!(v["request_id"], "req-1");
        assert!(v["hint"].as_str().unwrap().contains("does not exist"));
        assert_eq!(v["retryable"], false);
    }
}
