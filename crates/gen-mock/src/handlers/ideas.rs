//! Step 2 (agent host): agent runs, conversations, ideas, research.

use axum::body::Bytes;
use axum::extract::{Path, Query as Q, State};
use serde_json::{Map, Value, json};
use tokio::time::Instant;

use super::agent_q;
use crate::error::*;
use crate::model::{Conversation, Run, RunPhase};
use crate::state::{Data, MockState};

/// Main idea status flow; `POST .../status` moves one step along it.
const FLOW: [&str; 5] = [
    "generated",
    "approve_to_create",
    "ready_for_review",
    "approved_to_post",
    "posted",
];
/// Every idea status.
const STATUSES: &[&str] = genpro_api::open_enums::IdeaStatus::KNOWN;

/// The `agent_id` of an agent-host body: a string (documented) or a number; must exist.
fn body_agent(d: &Data, b: &Map<String, Value>) -> Result<String, ApiError> {
    let id = match b.get("agent_id") {
        Some(Value::String(s)) => s.parse::<i64>().map_err(|_| ApiError::agent_not_found())?,
        Some(Value::Number(n)) => n.as_i64().ok_or_else(ApiError::agent_not_found)?,
        None | Some(Value::Null) => return Err(ApiError::validation("`agent_id` is required")),
        Some(_) => return Err(ApiError::validation("`agent_id` must be a string")),
    };
    if d.agents.exists(id) {
        Ok(id.to_string())
    } else {
        Err(ApiError::agent_not_found())
    }
}

fn new_run(
    d: &mut Data,
    agent_id: String,
    conversation_id: Option<String>,
    kind: &str,
    message: String,
    depth: String,
) -> Run {
    let id = d.next_str("run");
    let now = d.now_str();
    Run {
        id,
        agent_id,
        conversation_id,
        kind: kind.to_string(),
        needs_approval: kind == "action",
        message,
        depth,
        started: Instant::now(),
        phase: RunPhase::Running,
        result: None,
        summary: None,
        findings: None,
        idea_ids: Vec::new(),
        created_at: now.clone(),
        updated_at: now,
    }
}

/// `POST /v1/agent/run`: messages starting with `remember:` set preferences; messages mentioning
/// "publish" need approval (`pending_approval` after the run duration); anything else generates
/// 3-5 ideas (the first number in the message, clamped; default 5).
pub(crate) async fn create_run(State(s): State<MockState>, body: Bytes) -> ApiResult {
    let b = json_object(&body)?;
    let mut d = s.data();
    let agent_id = body_agent(&d, &b)?;
    let message = req_str(&b, "message")?;
    let now = d.now_str();
    let conv_id = match opt_str(&b, "conversation_id")? {
        Some(c) => {
            let conv = d
                .ideas
                .conversations
                .get(&c)
                .ok_or_else(|| ApiError::not_found("Conversation"))?;
            if conv.agent_id != agent_id {
                return Err(ApiError::not_found("Conversation"));
            }
            c
        }
        None => {
            let d = &mut *d;
            d.ideas
                .open_conversation(&mut d.ids, &agent_id, &message, &now)
        }
    };
    let lower = message.trim_start().to_ascii_lowercase();
    let kind = if lower.starts_with("remember:") {
        "preferences"
    } else if lower.contains("publish") {
        "action"
    } else {
        "ideas"
    };
    let run = new_run(
        &mut d,
        agent_id,
        Some(conv_id.clone()),
        kind,
        message.clone(),
        String::new(),
    );
    let run_id = run.id.clone();
    let agent = run.agent_id.clone();
    let d = &mut *d;
    d.ideas
        .add_user_message(&mut d.ids, &conv_id, &message, &run_id, &now);
    d.ideas.runs.insert(run_id.clone(), run);
    ok(json!({
        "run_id": run_id,
        "conversation_id": conv_id,
        "status": "running",
        "firebase_path": format!("agents/{agent}/conversations/{conv_id}/runs/{run_id}"),
    }))
}

/// `GET /v1/agent/runs/{run_id}`
pub(crate) async fn get_run(State(s): State<MockState>, Path(p): Path<Params>) -> ApiResult {
    let id = str_param(&p, "run_id");
    let d = s.data();
    let r = d
        .ideas
        .runs
        .get(&id)
        .ok_or_else(|| ApiError::not_found("Run"))?;
    ok(d.ideas.run_json(r))
}

/// `POST /v1/agent/runs/{run_id}/approve` `{approved}`: only for `pending_approval` runs (422 otherwise).
pub(crate) async fn approve_run(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    body: Bytes,
) -> ApiResult {
    let id = str_param(&p, "run_id");
    let b = json_object(&body)?;
    let approved = b
        .get("approved")
        .and_then(Value::as_bool)
        .ok_or_else(|| ApiError::validation("`approved` (boolean) is required"))?;
    let mut d = s.data();
    let r = d
        .ideas
        .runs
        .get(&id)
        .ok_or_else(|| ApiError::not_found("Run"))?;
    if r.phase != RunPhase::PendingApproval {
        return Err(ApiError::validation(format!(
            "Run is {}, not pending_approval",
            r.phase.as_str()
        )));
    }
    let now = d.now_str();
    let r = d.ideas.runs.get_mut(&id).expect("run");
    r.updated_at = now;
    if approved {
        r.phase = RunPhase::Completed;
        r.result = Some("Approved: the action was carried out.".into());
    } else {
        r.phase = RunPhase::Cancelled;
        r.result = Some("Rejected: the action was cancelled.".into());
    }
    let r = d.ideas.runs[&id].clone();
    ok(d.ideas.run_json(&r))
}

/// `GET /v1/agent/conversations?agent_id=`
pub(crate) async fn list_conversations(State(s): State<MockState>, Q(q): Q<Query>) -> ApiResult {
    let d = s.data();
    let agent = agent_q(&d, &q)?.to_string();
    let mut v: Vec<&Conversation> = d
        .ideas
        .conversations
        .values()
        .filter(|c| c.agent_id == agent)
        .collect();
    v.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(b.id.cmp(&a.id)));
    ok(Value::Array(
        v.into_iter().map(Conversation::json).collect(),
    ))
}

/// `GET /v1/agent/conversations/{id}`
pub(crate) async fn get_conversation(
    State(s): State<MockState>,
    Path(p): Path<Params>,
) -> ApiResult {
    let id = str_param(&p, "id");
    let d = s.data();
    d.ideas
        .conversations
        .get(&id)
        .map(Conversation::json)
        .ok_or_else(|| ApiError::not_found("Conversation"))
        .and_then(ok)
}

/// `PATCH /v1/agent/conversations/{id}` `{title?, pinned?}`
pub(crate) async fn update_conversation(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    body: Bytes,
) -> ApiResult {
    let id = str_param(&p, "id");
    let b = json_object(&body)?;
    let title = opt_str(&b, "title")?;
    let pinned = match b.get("pinned") {
        None => None,
        Some(Value::Bool(x)) => Some(*x),
        Some(_) => return Err(ApiError::validation("`pinned` must be a boolean")),
    };
    let mut d = s.data();
    let now = d.now_str();
    let c = d
        .ideas
        .conversations
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found("Conversation"))?;
    if let Some(t) = title {
        c.title = Some(t);
    }
    if let Some(x) = pinned {
        c.pinned = x;
    }
    c.updated_at = now;
    ok(c.json())
}

/// `DELETE /v1/agent/conversations/{id}`
pub(crate) async fn delete_conversation(
    State(s): State<MockState>,
    Path(p): Path<Params>,
) -> ApiResult {
    let id = str_param(&p, "id");
    let mut d = s.data();
    d.ideas
        .conversations
        .remove(&id)
        .ok_or_else(|| ApiError::not_found("Conversation"))?;
    no_content()
}

/// `GET /v1/agent/conversations/{id}/messages` (assistant messages of idea runs carry `ideas`).
pub(crate) async fn list_messages(State(s): State<MockState>, Path(p): Path<Params>) -> ApiResult {
    let id = str_param(&p, "id");
    let d = s.data();
    let c = d
        .ideas
        .conversations
        .get(&id)
        .ok_or_else(|| ApiError::not_found("Conversation"))?;
    // Ideas in messages reflect their current status.
    let msgs: Vec<Value> = c
        .messages
        .iter()
        .map(|m| {
            let mut m = m.clone();
            if let Some(ideas) = m.get_mut("ideas").and_then(Value::as_array_mut) {
                for idea in ideas {
                    if let Some(cur) = idea["id"].as_str().and_then(|i| d.ideas.by_id.get(i)) {
                        *idea = cur.clone();
                    }
                }
            }
            m
        })
        .collect();
    ok(Value::Array(msgs))
}

/// `GET /v1/agent/conversations/{id}/runs`
pub(crate) async fn list_conv_runs(State(s): State<MockState>, Path(p): Path<Params>) -> ApiResult {
    let id = str_param(&p, "id");
    let d = s.data();
    let c = d
        .ideas
        .conversations
        .get(&id)
        .ok_or_else(|| ApiError::not_found("Conversation"))?;
    ok(Value::Array(
        c.run_ids
            .iter()
            .filter_map(|r| d.ideas.runs.get(r))
            .map(|r| d.ideas.run_json(r))
            .collect(),
    ))
}

fn check_status(st: &str) -> Result<(), ApiError> {
    if STATUSES.contains(&st) {
        Ok(())
    } else {
        Err(ApiError::validation(format!(
            "Invalid idea status `{st}` (one of {})",
            STATUSES.join(", ")
        )))
    }
}

/// `GET /v1/agent/ideas?agent_id=&status=`
pub(crate) async fn list_ideas(State(s): State<MockState>, Q(q): Q<Query>) -> ApiResult {
    let d = s.data();
    let agent = agent_q(&d, &q)?.to_string();
    if let Some(st) = q.get("status") {
        check_status(st)?;
    }
    ok(Value::Array(
        d.ideas
            .order
            .iter()
            .filter_map(|i| d.ideas.by_id.get(i))
            .filter(|i| i["agent_id"] == agent.as_str())
            .filter(|i| q.get("status").is_none_or(|st| i["status"] == st.as_str()))
            .cloned()
            .collect(),
    ))
}

/// `POST /v1/agent/ideas/{id}/status`: next status of the main flow (`posted` stays `posted`;
/// edit/rejection statuses go back to `generated`).
pub(crate) async fn advance_idea(State(s): State<MockState>, Path(p): Path<Params>) -> ApiResult {
    let id = str_param(&p, "id");
    let mut d = s.data();
    let idea = d
        .ideas
        .by_id
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found("Idea"))?;
    let cur = idea["status"].as_str().unwrap_or("generated");
    let next = match FLOW.iter().position(|f| *f == cur) {
        Some(i) => FLOW[(i + 1).min(FLOW.len() - 1)],
        None => "generated",
    };
    idea["status"] = json!(next);
    ok(idea.clone())
}

/// `PUT /v1/agent/ideas/{id}/status/{status}` (invalid status → 422).
pub(crate) async fn set_idea_status(
    State(s): State<MockState>,
    Path(p): Path<Params>,
) -> ApiResult {
    let id = str_param(&p, "id");
    let st = str_param(&p, "status");
    let mut d = s.data();
    let idea = d
        .ideas
        .by_id
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found("Idea"))?;
    check_status(&st)?;
    idea["status"] = json!(st);
    ok(idea.clone())
}

/// `POST /v1/research` `{agent_id, topic, depth?}` → a run that completes with `summary` and
/// `findings` (3 / 5 / 8 findings for quick / default / deep).
pub(crate) async fn create_research(State(s): State<MockState>, body: Bytes) -> ApiResult {
    let b = json_object(&body)?;
    let mut d = s.data();
    let agent_id = body_agent(&d, &b)?;
    let topic = req_str(&b, "topic")?;
    let depth = opt_str(&b, "depth")?.unwrap_or_else(|| "default".into());
    if !["quick", "default", "deep"].contains(&depth.as_str()) {
        return Err(ApiError::validation(
            "`depth` must be quick, default or deep",
        ));
    }
    let run = new_run(&mut d, agent_id.clone(), None, "research", topic, depth);
    let run_id = run.id.clone();
    d.ideas.runs.insert(run_id.clone(), run);
    ok(json!({
        "run_id": run_id,
        "status": "running",
        "firebase_path": format!("agents/{agent_id}/runs/{run_id}"),
    }))
}
