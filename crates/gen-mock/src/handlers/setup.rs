//! Step 1: user, workspaces/organizations, agents, Agent Core, voices, API keys, automation.

use axum::body::Bytes;
use axum::extract::{Path, Query as Q, Request, State};
use serde_json::{Value, json};
use tokio::time::Instant;

use super::{agent_path, multipart_parts};
use crate::error::*;
use crate::model::{Agent, Org, Preview, Token, Voice};
use crate::state::MockState;

/// `GET /v1/me`
pub(crate) async fn me(State(s): State<MockState>) -> ApiResult {
    ok(s.data().account.user.clone())
}

/// `GET /v1/workspaces`
pub(crate) async fn workspaces(State(s): State<MockState>) -> ApiResult {
    let d = s.data();
    ok(Value::Array(
        d.account
            .orgs
            .values()
            .map(|o| json!({"id": o.id, "name": o.name}))
            .collect(),
    ))
}

/// `GET /v1/agents?workspace_id=`
pub(crate) async fn list_agents(State(s): State<MockState>, Q(q): Q<Query>) -> ApiResult {
    let d = s.data();
    let ws: i64 = q
        .get("workspace_id")
        .ok_or_else(|| ApiError::validation("`workspace_id` query parameter is required"))?
        .parse()
        .map_err(|_| ApiError::validation("`workspace_id` must be an integer"))?;
    ok(Value::Array(
        d.agents
            .by_id
            .values()
            .filter(|a| a.workspace_id == ws)
            .map(Agent::json)
            .collect(),
    ))
}

/// `POST /v1/agents`
pub(crate) async fn create_agent(State(s): State<MockState>, body: Bytes) -> ApiResult {
    let b = json_object(&body)?;
    let name = req_str(&b, "name")?;
    let mut d = s.data();
    let ws = opt_i64(&b, "workspace_id")?.unwrap_or(1);
    if !d.account.orgs.contains_key(&ws) {
        return Err(ApiError::validation("Unknown workspace_id"));
    }
    let id = d.next(|i| &mut i.agent);
    let now = d.now_str();
    let a = Agent {
        id,
        name,
        workspace_id: ws,
        description: opt_str(&b, "description")?,
        created_at: now.clone(),
        updated_at: now,
    };
    ok(d.agents.add(a).json())
}

/// `GET /v1/agents/{id}`
pub(crate) async fn get_agent(State(s): State<MockState>, Path(p): Path<Params>) -> ApiResult {
    let id = id_param(&p, "id", "Agent")?;
    let d = s.data();
    d.agents
        .by_id
        .get(&id)
        .map(Agent::json)
        .ok_or_else(|| ApiError::not_found("Agent"))
        .and_then(ok)
}

/// `PATCH /v1/agents/{id}`
pub(crate) async fn update_agent(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    body: Bytes,
) -> ApiResult {
    let id = id_param(&p, "id", "Agent")?;
    let b = json_object(&body)?;
    let mut d = s.data();
    let now = d.now_str();
    let a = d
        .agents
        .by_id
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found("Agent"))?;
    if let Some(n) = opt_str(&b, "name")? {
        if n.trim().is_empty() {
            return Err(ApiError::validation("`name` must not be empty"));
        }
        a.name = n;
    }
    if let Some(desc) = opt_str(&b, "description")? {
        a.description = Some(desc);
    }
    a.updated_at = now;
    ok(a.json())
}

/// `DELETE /v1/agents/{id}`
pub(crate) async fn delete_agent(State(s): State<MockState>, Path(p): Path<Params>) -> ApiResult {
    let id = id_param(&p, "id", "Agent")?;
    if s.data().agents.remove(id) {
        no_content()
    } else {
        Err(ApiError::not_found("Agent"))
    }
}

/// The Agent Core fields `PATCH .../core` accepts.
const CORE_FIELDS: [&str; 12] = [
    "brand_name",
    "description",
    "identity_type",
    "goal",
    "target_platforms",
    "shortform",
    "keywords",
    "monitored",
    "research_topics",
    "linked_accounts",
    "personality",
    "default_user_voice",
];

/// `GET /v1/agents/{agent_id}/core`
pub(crate) async fn get_core(State(s): State<MockState>, Path(p): Path<Params>) -> ApiResult {
    let id = id_param(&p, "id", "Agent")?;
    let d = s.data();
    agent_path(&d, id)?;
    ok(Value::Object(
        d.agents.cores.get(&id).cloned().unwrap_or_default(),
    ))
}

fn string_array(v: &Value, key: &str) -> Result<(), ApiError> {
    match v.as_array() {
        Some(a) if a.iter().all(Value::is_string) => Ok(()),
        _ => Err(ApiError::validation(format!(
            "`{key}` must be an array of strings"
        ))),
    }
}

fn object_array(v: &Value, key: &str, required: &[&str]) -> Result<(), ApiError> {
    let a = v
        .as_array()
        .ok_or_else(|| ApiError::validation(format!("`{key}` must be an array")))?;
    for item in a {
        let o = item
            .as_object()
            .ok_or_else(|| ApiError::validation(format!("`{key}` items must be objects")))?;
        for r in required {
            if !o.get(*r).is_some_and(Value::is_string) {
                return Err(ApiError::validation(format!(
                    "`{key}` items need a string `{r}`"
                )));
            }
        }
    }
    Ok(())
}

/// `PATCH /v1/agents/{agent_id}/core`: only known fields (unknown → 422); description ≤ 500 and
/// personality ≤ 20000 chars; `keywords` without `monitored` mirror into `monitored`
/// (`item_type: keyword`). An unknown `default_user_voice` is a failed section (207).
pub(crate) async fn update_core(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    body: Bytes,
) -> ApiResult {
    let id = id_param(&p, "id", "Agent")?;
    let b = json_object(&body)?;
    let mut d = s.data();
    agent_path(&d, id)?;
    for k in b.keys() {
        if !CORE_FIELDS.contains(&k.as_str()) {
            return Err(ApiError::validation(format!("Unknown field: {k}")));
        }
    }
    for k in ["brand_name", "identity_type", "goal"] {
        opt_str(&b, k)?;
    }
    if let Some(desc) = opt_str(&b, "description")?
        && desc.chars().count() > 500
    {
        return Err(ApiError::validation(
            "`description` is at most 500 characters (put the full persona in `personality`)",
        ));
    }
    if let Some(pers) = opt_str(&b, "personality")?
        && pers.chars().count() > 20_000
    {
        return Err(ApiError::validation(
            "`personality` is at most 20000 characters",
        ));
    }
    if let Some(v) = b.get("shortform")
        && !v.is_boolean()
    {
        return Err(ApiError::validation("`shortform` must be a boolean"));
    }
    for k in ["target_platforms", "keywords"] {
        if let Some(v) = b.get(k) {
            string_array(v, k)?;
        }
    }
    if let Some(v) = b.get("monitored") {
        object_array(v, "monitored", &["handle", "item_type"])?;
        for item in v.as_array().into_iter().flatten() {
            let t = item["item_type"].as_str().unwrap_or("");
            if !["account", "hashtag", "keyword"].contains(&t) {
                return Err(ApiError::validation(format!(
                    "`monitored.item_type` must be account, hashtag or keyword (got {t})"
                )));
            }
        }
    }
    if let Some(v) = b.get("research_topics") {
        object_array(v, "research_topics", &["topic"])?;
    }
    if let Some(v) = b.get("linked_accounts") {
        object_array(v, "linked_accounts", &["url", "platform"])?;
    }
    let mut failed = Vec::new();
    let mut voice_ok = true;
    if let Some(v) = b.get("default_user_voice") {
        let o = v
            .as_object()
            .filter(|o| {
                o.get("voice_id").is_some_and(Value::is_string)
                    && o.get("source").is_some_and(Value::is_string)
            })
            .ok_or_else(|| {
                ApiError::validation("`default_user_voice` needs string `voice_id` and `source`")
            })?;
        let vid = o["voice_id"].as_str().unwrap_or("");
        let known = d.voices.library.iter().any(|voice| {
            voice.voice_id == vid && (voice.agent_id.is_none() || voice.agent_id == Some(id))
        });
        if !known {
            voice_ok = false;
            failed.push(json!({"section": "default_user_voice", "error": "Voice not found", "error_code": "not_found"}));
        }
    }
    let core = d.agents.cores.entry(id).or_default();
    for (k, v) in &b {
        if k == "default_user_voice" && !voice_ok {
            continue;
        }
        core.insert(k.clone(), v.clone());
    }
    if b.contains_key("keywords") && !b.contains_key("monitored") {
        let mut monitored: Vec<Value> = core
            .get("monitored")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|m| m["item_type"] != "keyword")
            .collect();
        for kw in b["keywords"].as_array().into_iter().flatten() {
            monitored.push(json!({"handle": kw, "item_type": "keyword"}));
        }
        core.insert("monitored".into(), Value::Array(monitored));
    }
    let out = json!({"core": Value::Object(core.clone()), "failed_sections": failed});
    if failed.is_empty() {
        ok(out)
    } else {
        Ok(axum::response::IntoResponse::into_response((
            axum::http::StatusCode::MULTI_STATUS,
            axum::Json(out),
        )))
    }
}

/// `GET /v1/agents/{agent_id}/voice/library?source=`
pub(crate) async fn list_voices(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
) -> ApiResult {
    let id = id_param(&p, "id", "Agent")?;
    let d = s.data();
    agent_path(&d, id)?;
    let voices: Vec<Value> = d
        .voices
        .library
        .iter()
        .filter(|v| v.agent_id.is_none() || v.agent_id == Some(id))
        .filter(|v| q.get("source").is_none_or(|src| *src == v.source))
        .map(Voice::json)
        .collect();
    ok(json!({"voices": voices}))
}

fn elevenlabs_key(body: &[u8]) -> Result<String, ApiError> {
    let b = json_object(body)?;
    req_str(&b, "api_key")
}

/// `POST /v1/agents/{agent_id}/voice/integrations/elevenlabs`: keys starting with `sk_` are valid.
pub(crate) async fn connect_elevenlabs(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    body: Bytes,
) -> ApiResult {
    let id = id_param(&p, "id", "Agent")?;
    let key = elevenlabs_key(&body)?;
    let mut d = s.data();
    agent_path(&d, id)?;
    if !key.starts_with("sk_") {
        return Err(ApiError::validation("Invalid ElevenLabs API key"));
    }
    d.voices.elevenlabs.insert(id);
    ok(json!({"success": true, "message": "ElevenLabs connected"}))
}

/// `POST /v1/agents/{agent_id}/voice/integrations/elevenlabs/test`
pub(crate) async fn test_elevenlabs(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    body: Bytes,
) -> ApiResult {
    let id = id_param(&p, "id", "Agent")?;
    let key = elevenlabs_key(&body)?;
    agent_path(&s.data(), id)?;
    let good = key.starts_with("sk_");
    ok(
        json!({"success": good, "message": if good { "Key is valid" } else { "Invalid ElevenLabs API key" }}),
    )
}

/// `DELETE /v1/agents/{agent_id}/voice/integrations/elevenlabs`
pub(crate) async fn disconnect_elevenlabs(
    State(s): State<MockState>,
    Path(p): Path<Params>,
) -> ApiResult {
    let id = id_param(&p, "id", "Agent")?;
    let mut d = s.data();
    agent_path(&d, id)?;
    d.voices.elevenlabs.remove(&id);
    no_content()
}

/// `POST .../voice/design/generate-script`
pub(crate) async fn design_script(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    body: Bytes,
) -> ApiResult {
    let id = id_param(&p, "id", "Agent")?;
    let b = json_object(&body)?;
    let prompt = req_str(&b, "prompt")?;
    agent_path(&s.data(), id)?;
    ok(json!({"script": format!("Y'all, welcome back. Today: {prompt}. Let's get into it.")}))
}

/// `POST .../voice/design/generate-description`
pub(crate) async fn design_description(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    body: Bytes,
) -> ApiResult {
    let id = id_param(&p, "id", "Agent")?;
    let b = json_object(&body)?;
    let prompt = req_str(&b, "prompt")?;
    agent_path(&s.data(), id)?;
    ok(json!({"voice_description": format!("A warm, upbeat voice: {prompt}.")}))
}

/// `POST .../voice/design/generate-samples`: three candidates.
pub(crate) async fn design_samples(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    body: Bytes,
) -> ApiResult {
    let id = id_param(&p, "id", "Agent")?;
    let b = json_object(&body)?;
    req_str(&b, "voice_description")?;
    req_str(&b, "script")?;
    let mut d = s.data();
    agent_path(&d, id)?;
    let mut samples = Vec::new();
    for _ in 0..3 {
        let gv = d.next_str("gv");
        d.voices.designed_samples.insert(gv.clone());
        samples.push(json!({"generated_voice_id": gv, "audio_url": format!("{}/cdn/voice/{gv}.mp3", d.base_url)}));
    }
    ok(json!({"samples": samples}))
}

/// `POST .../voice/design`: save a candidate from generate-samples.
pub(crate) async fn design_create(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    body: Bytes,
) -> ApiResult {
    let id = id_param(&p, "id", "Agent")?;
    let b = json_object(&body)?;
    let name = req_str(&b, "name")?;
    let gv = req_str(&b, "generated_voice_id")?;
    let mut d = s.data();
    agent_path(&d, id)?;
    if !d.voices.designed_samples.remove(&gv) {
        return Err(ApiError::validation(
            "Unknown generated_voice_id (run generate-samples first)",
        ));
    }
    let voice = Voice {
        agent_id: Some(id),
        voice_id: format!("designed_{gv}"),
        name,
        source: "designed".into(),
        description: opt_str(&b, "description")?.or(opt_str(&b, "voice_description")?),
        preview_url: Some(format!("{}/cdn/voice/{gv}.mp3", d.base_url)),
    };
    let v = voice.json();
    d.voices.library.push(voice);
    ok(v)
}

/// `POST .../voice/clone` (multipart: `name`, `file`, optional `description`).
pub(crate) async fn clone_voice(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    req: Request,
) -> ApiResult {
    let id = id_param(&p, "id", "Agent")?;
    let mut name = None;
    let mut description = None;
    let mut file_len = None;
    for part in multipart_parts(req).await? {
        match part.name.as_str() {
            "name" => name = Some(String::from_utf8_lossy(&part.bytes).into_owned()),
            "description" => description = Some(String::from_utf8_lossy(&part.bytes).into_owned()),
            "file" => file_len = Some(part.bytes.len()),
            _ => {}
        }
    }
    let name = name
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| ApiError::validation("`name` is required"))?;
    if file_len.unwrap_or(0) == 0 {
        return Err(ApiError::validation("`file` (audio sample) is required"));
    }
    let mut d = s.data();
    agent_path(&d, id)?;
    let vid = d.next_str("cloned");
    let voice = Voice {
        agent_id: Some(id),
        voice_id: vid.clone(),
        name,
        source: "cloned".into(),
        description,
        preview_url: Some(format!("{}/cdn/voice/{vid}.mp3", d.base_url)),
    };
    let v = voice.json();
    d.voices.library.push(voice);
    ok(v)
}

/// `DELETE .../voice/{voice_id}`: user-owned voices only (public → 403).
pub(crate) async fn delete_voice(State(s): State<MockState>, Path(p): Path<Params>) -> ApiResult {
    let id = id_param(&p, "id", "Agent")?;
    let vid = str_param(&p, "voice_id");
    let mut d = s.data();
    agent_path(&d, id)?;
    match d.voices.library.iter().position(|v| v.voice_id == vid) {
        Some(i) if d.voices.library[i].agent_id == Some(id) => {
            d.voices.library.remove(i);
            no_content()
        }
        Some(i) if d.voices.library[i].agent_id.is_none() => {
            Err(ApiError::forbidden("Public voices cannot be deleted"))
        }
        _ => Err(ApiError::not_found("Voice")),
    }
}

/// `POST .../voice/{voice_id}/preview`
pub(crate) async fn create_preview(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    body: Bytes,
) -> ApiResult {
    let id = id_param(&p, "id", "Agent")?;
    let vid = str_param(&p, "voice_id");
    let b = json_object(&body)?;
    opt_str(&b, "text")?;
    let mut d = s.data();
    agent_path(&d, id)?;
    if !d
        .voices
        .library
        .iter()
        .any(|v| v.voice_id == vid && (v.agent_id.is_none() || v.agent_id == Some(id)))
    {
        return Err(ApiError::not_found("Voice"));
    }
    let job = d.next_str("prev");
    d.voices.previews.insert(
        job.clone(),
        Preview {
            agent_id: id,
            voice_id: vid,
            started: Instant::now(),
        },
    );
    ok(json!({"job_id": job, "status": "pending", "audio_url": null}))
}

/// `GET .../voice/preview/{job_id}`
pub(crate) async fn get_preview(State(s): State<MockState>, Path(p): Path<Params>) -> ApiResult {
    let id = id_param(&p, "id", "Agent")?;
    let job = str_param(&p, "job_id");
    let d = s.data();
    let pv = d
        .voices
        .previews
        .get(&job)
        .filter(|pv| pv.agent_id == id)
        .ok_or_else(|| ApiError::not_found("Voice preview"))?;
    let status = d.jobs.status(pv.started, Instant::now());
    let url = (status == "completed")
        .then(|| format!("{}/cdn/voice/{job}_{}.mp3", d.base_url, pv.voice_id));
    ok(json!({"job_id": job, "status": status, "audio_url": url}))
}

fn automation_default(now: &str) -> Value {
    json!({"webhook_url": null, "callback_url": null, "enabled": false, "updated_at": now})
}

/// `GET /v1/agents/{agent_id}/automation_config`
pub(crate) async fn get_automation(State(s): State<MockState>, Path(p): Path<Params>) -> ApiResult {
    let id = id_param(&p, "id", "Agent")?;
    let d = s.data();
    agent_path(&d, id)?;
    ok(d.agents
        .automation
        .get(&id)
        .cloned()
        .unwrap_or_else(|| automation_default(&d.now_str())))
}

/// `PATCH /v1/agents/{agent_id}/automation_config`
pub(crate) async fn update_automation(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    body: Bytes,
) -> ApiResult {
    let id = id_param(&p, "id", "Agent")?;
    let b = json_object(&body)?;
    let mut d = s.data();
    agent_path(&d, id)?;
    let now = d.now_str();
    let mut cfg = d
        .agents
        .automation
        .get(&id)
        .cloned()
        .unwrap_or_else(|| automation_default(&now));
    for k in ["webhook_url", "callback_url"] {
        match b.get(k) {
            None => {}
            Some(Value::Null) => cfg[k] = Value::Null,
            Some(Value::String(u)) if u.starts_with("http://") || u.starts_with("https://") => {
                cfg[k] = json!(u)
            }
            Some(_) => {
                return Err(ApiError::validation(format!(
                    "`{k}` must be an http(s) URL or null"
                )));
            }
        }
    }
    match b.get("enabled") {
        None => {}
        Some(Value::Bool(e)) => cfg["enabled"] = json!(e),
        Some(_) => return Err(ApiError::validation("`enabled` must be a boolean")),
    }
    cfg["updated_at"] = json!(now);
    d.agents.automation.insert(id, cfg.clone());
    ok(cfg)
}

fn test_delivery(s: &MockState, p: &Params, key: &str) -> ApiResult {
    let id = id_param(p, "id", "Agent")?;
    let d = s.data();
    agent_path(&d, id)?;
    let url = d
        .agents
        .automation
        .get(&id)
        .and_then(|c| c[key].as_str().map(str::to_string));
    match url {
        Some(u) => ok(
            json!({"success": true, "status_code": 200, "message": format!("Delivered a test event to {u}")}),
        ),
        None => ok(
            json!({"success": false, "status_code": null, "message": format!("No {key} configured")}),
        ),
    }
}

/// `POST .../automation_config/test_webhook`
pub(crate) async fn test_webhook(State(s): State<MockState>, Path(p): Path<Params>) -> ApiResult {
    test_delivery(&s, &p, "webhook_url")
}

/// `POST .../automation_config/test_callback`
pub(crate) async fn test_callback(State(s): State<MockState>, Path(p): Path<Params>) -> ApiResult {
    test_delivery(&s, &p, "callback_url")
}

/// `GET /v1/organizations`
pub(crate) async fn list_orgs(State(s): State<MockState>) -> ApiResult {
    ok(Value::Array(
        s.data().account.orgs.values().map(Org::json).collect(),
    ))
}

/// `POST /v1/organizations` (new workspaces start with 0 credits).
pub(crate) async fn create_org(State(s): State<MockState>, body: Bytes) -> ApiResult {
    let b = json_object(&body)?;
    let name = req_str(&b, "name")?;
    let mut d = s.data();
    let id = d.next(|i| &mut i.org);
    let o = Org {
        id,
        name,
        generic: 0.0,
        aura: 0.0,
        role: "owner".into(),
        created_at: d.now_str(),
    };
    let v = o.json();
    d.account.orgs.insert(id, o);
    ok(v)
}

/// `GET /v1/organizations/{id}` (includes `available_credit`).
pub(crate) async fn get_org(State(s): State<MockState>, Path(p): Path<Params>) -> ApiResult {
    let id = id_param(&p, "id", "Organization")?;
    let d = s.data();
    d.account
        .orgs
        .get(&id)
        .map(Org::json)
        .ok_or_else(|| ApiError::not_found("Organization"))
        .and_then(ok)
}

/// `PATCH /v1/organizations/{id}`
pub(crate) async fn update_org(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    body: Bytes,
) -> ApiResult {
    let id = id_param(&p, "id", "Organization")?;
    let b = json_object(&body)?;
    let name = opt_str(&b, "name")?;
    let mut d = s.data();
    let o = d
        .account
        .orgs
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found("Organization"))?;
    if let Some(n) = name {
        if n.trim().is_empty() {
            return Err(ApiError::validation("`name` must not be empty"));
        }
        o.name = n;
    }
    ok(o.json())
}

/// `DELETE /v1/organizations/{id}` (owner only; the seed workspace 1 cannot be deleted → 403).
pub(crate) async fn delete_org(State(s): State<MockState>, Path(p): Path<Params>) -> ApiResult {
    let id = id_param(&p, "id", "Organization")?;
    let mut d = s.data();
    let o = d
        .account
        .orgs
        .get(&id)
        .ok_or_else(|| ApiError::not_found("Organization"))?;
    if id == 1 || o.role != "owner" {
        return Err(ApiError::forbidden(
            "Only the owner can delete this workspace",
        ));
    }
    d.account.orgs.remove(&id);
    no_content()
}

/// `POST /v1/persisted_tokens` (the token is accepted as an API key until revoked).
pub(crate) async fn create_token(State(s): State<MockState>, body: Bytes) -> ApiResult {
    let b = json_object(&body)?;
    let name = req_str(&b, "name")?;
    let mut d = s.data();
    let id = d.next(|i| &mut i.token);
    let secret = format!(
        "gen_pat_{:016x}",
        (id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ d.cfg.seed
    );
    let t = Token {
        id,
        name,
        token: secret.clone(),
        created_at: d.now_str(),
        last_used_at: None,
    };
    let mut v = t.json();
    v["token"] = json!(secret);
    d.account.tokens.insert(id, t);
    ok(v)
}

/// `GET /v1/persisted_tokens`
pub(crate) async fn list_tokens(State(s): State<MockState>) -> ApiResult {
    ok(Value::Array(
        s.data().account.tokens.values().map(Token::json).collect(),
    ))
}

/// `PATCH /v1/persisted_tokens/{id}`
pub(crate) async fn rename_token(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    body: Bytes,
) -> ApiResult {
    let id = id_param(&p, "id", "API key")?;
    let b = json_object(&body)?;
    let name = req_str(&b, "name")?;
    let mut d = s.data();
    let t = d
        .account
        .tokens
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found("API key"))?;
    t.name = name;
    ok(t.json())
}

/// `DELETE /v1/persisted_tokens/{id}/revoke`
pub(crate) async fn revoke_token(State(s): State<MockState>, Path(p): Path<Params>) -> ApiResult {
    let id = id_param(&p, "id", "API key")?;
    let mut d = s.data();
    d.account
        .tokens
        .remove(&id)
        .ok_or_else(|| ApiError::not_found("API key"))?;
    no_content()
}

/// `DELETE /v1/persisted_tokens/revoke_all` (configured keys stay valid).
pub(crate) async fn revoke_all_tokens(State(s): State<MockState>) -> ApiResult {
    s.data().account.tokens.clear();
    no_content()
}
