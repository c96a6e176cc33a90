//! Step 4/5: generate on cells and layers, render, poll (with long-poll), stop, continue.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, Query as Q, State};
use serde_json::{Value, json};
use tokio::time::Instant;

use super::agent_q;
use super::engine::check_generation_type;
use crate::error::*;
use crate::state::{Data, MockState};
use crate::store::generations::NewGeneration;

/// Resolve engine + cell of a generate/render path (404s), check the agent.
fn engine_cell(d: &Data, p: &Params, q: &Query) -> Result<(i64, i64), ApiError> {
    let id = id_param(p, "id", "Engine")?;
    let agent = agent_q(d, q)?;
    let e = d
        .vidsheets
        .engines
        .get(&id)
        .filter(|e| e.agent_id == agent)
        .ok_or_else(|| ApiError::not_found("Engine"))?;
    let cell_id = id_param(p, "cell_id", "Cell")?;
    e.cell(cell_id).ok_or_else(|| ApiError::not_found("Cell"))?;
    Ok((id, cell_id))
}

/// Pre-charge and create a generation; 422 `insufficient_credits_for_job` (nothing created) when short.
fn create_generation(
    d: &mut Data,
    engine_id: i64,
    cell_id: i64,
    layer_id: Option<i64>,
    gen_type: &str,
    data: Value,
) -> Result<Value, ApiError> {
    let agent = d.vidsheets.engines[&engine_id].agent_id;
    let org = d.org_of_agent(agent);
    let cost = d
        .cfg
        .cost_of(crate::config::canonical_generation_type(gen_type));
    let balance = d.account.balance(org);
    if balance < cost {
        return Err(ApiError::insufficient_credits(cost, balance));
    }
    let id = d.next(|i| &mut i.generation);
    let now = Instant::now();
    let created_at = d.wall(now);
    let status = d.generations.start(NewGeneration {
        id,
        engine_id,
        org_id: org,
        cell_id,
        layer_id,
        gen_type: gen_type.to_string(),
        data,
        cost,
        now,
        created_at,
    });
    d.charge(id, cost);
    Ok(json!({"generation_id": id, "status": status}))
}

/// Parse a generate body: `generation_type` (one of the nine) and `data` (object, default `{}`).
fn generate_body(body: &[u8]) -> Result<(String, Value), ApiError> {
    let b = json_object(body)?;
    let gt = req_str(&b, "generation_type")?;
    check_generation_type(&gt)?;
    let data = match b.get("data") {
        None | Some(Value::Null) => json!({}),
        Some(v @ Value::Object(_)) => v.clone(),
        Some(_) => return Err(ApiError::validation("`data` must be an object")),
    };
    Ok((gt, data))
}

/// `POST .../cells/{cell_id}/generate?agent_id=` → 201 `{generation_id, status}`.
pub(crate) async fn generate_on_cell(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
    body: Bytes,
) -> ApiResult {
    let (v, delay) = {
        let mut d = s.data();
        let (id, cell_id) = engine_cell(&d, &p, &q)?;
        *d.generations.generate_calls.entry(cell_id).or_default() += 1;
        let (gt, data) = generate_body(&body)?;
        let v = create_generation(&mut d, id, cell_id, None, &gt, data)?;
        (v, d.generate_answer_delay)
    };
    tokio::time::sleep(delay).await;
    created(v)
}

/// `POST .../cells/{cell_id}/layers/{layer_id}/generate?agent_id=` → 201.
pub(crate) async fn generate_on_layer(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
    body: Bytes,
) -> ApiResult {
    let (v, delay) = {
        let mut d = s.data();
        let (id, cell_id) = engine_cell(&d, &p, &q)?;
        let lid = id_param(&p, "layer_id", "Layer")?;
        if !d.vidsheets.engines[&id]
            .layers
            .iter()
            .any(|l| l.id == lid && l.cell_id == cell_id)
        {
            return Err(ApiError::not_found("Layer"));
        }
        *d.generations.generate_calls.entry(cell_id).or_default() += 1;
        let (gt, data) = generate_body(&body)?;
        let v = create_generation(&mut d, id, cell_id, Some(lid), &gt, data)?;
        (v, d.generate_answer_delay)
    };
    tokio::time::sleep(delay).await;
    created(v)
}

/// `POST .../cells/{cell_id}/render?agent_id=` (final_video cells only; 422 otherwise) → 201.
pub(crate) async fn render_cell(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
) -> ApiResult {
    let mut d = s.data();
    let (id, cell_id) = engine_cell(&d, &p, &q)?;
    *d.generations.render_calls.entry(cell_id).or_default() += 1;
    if d.vidsheets.engines[&id].cell_role(cell_id) != Some("final_video") {
        return Err(ApiError::validation(
            "Render is only available on the final_video cell",
        ));
    }
    let v = create_generation(&mut d, id, cell_id, None, "render", json!({}))?;
    created(v)
}

fn truthy(v: Option<&String>) -> bool {
    v.is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "1" | "yes"))
}

/// `GET /v1/generations/{id}?wait=&timeout=&include=progress`.
///
/// With `wait=true` (and [`crate::MockConfig::long_poll`]) the request is held until the
/// generation is terminal or `timeout` seconds (default 30, max 55; > 55 or <= 0 → 422) pass.
/// `wait=true` with `include=progress` is 422 `validation_error`: seed 004 says they "Cannot be
/// combined" but not what a server answers, so this is the mock's choice (openapi.yaml says the
/// seeds are silent).
pub(crate) async fn get_generation(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
) -> ApiResult {
    let id = id_param(&p, "id", "Generation")?;
    let progress = q
        .get("include")
        .is_some_and(|inc| inc.split(',').any(|x| x.trim() == "progress"));
    let wait = s.config().long_poll && truthy(q.get("wait"));
    let timeout = if s.config().long_poll {
        match q.get("timeout") {
            None => 30.0,
            Some(t) => {
                let t: f64 = t
                    .parse()
                    .map_err(|_| ApiError::validation("`timeout` must be a number of seconds"))?;
                if !(t > 0.0 && t <= 55.0) {
                    return Err(ApiError::validation(
                        "`timeout` must be > 0 and at most 55 seconds",
                    ));
                }
                t
            }
        }
    } else {
        30.0
    };
    if wait && progress {
        return Err(ApiError::validation(
            "`wait=true` cannot be combined with `include=progress`",
        ));
    }
    let deadline = Instant::now() + Duration::from_secs_f64(timeout);
    loop {
        let notified = s.notifier().notified();
        let next_change = {
            let now = Instant::now();
            let d = s.data();
            let g = d
                .generations
                .by_id
                .get(&id)
                .ok_or_else(|| ApiError::not_found("Generation"))?;
            if !wait || g.is_terminal() || now >= deadline {
                return ok(d.generations.json(g, now, progress));
            }
            d.generations.next_change(g, now).unwrap_or(deadline)
        };
        let until = next_change.min(deadline);
        tokio::select! {
            _ = tokio::time::sleep_until(until) => {}
            _ = notified => {}
        }
    }
}

/// `POST /v1/generations/{id}/stop`: pending/processing → stopped with a full refund; 422 otherwise.
pub(crate) async fn stop_generation(
    State(s): State<MockState>,
    Path(p): Path<Params>,
) -> ApiResult {
    let id = id_param(&p, "id", "Generation")?;
    let now = Instant::now();
    let v = {
        let mut d = s.data();
        let (_, refund) = d.generations.stop(id, now)?;
        d.charge(id, -refund);
        let g = &d.generations.by_id[&id];
        d.generations.json(g, now, false)
    };
    s.notify();
    ok(v)
}

/// `POST /v1/generations/{id}/continue`: stopped → pending with the cost re-charged
/// (422 `insufficient_credits_for_job` when short); 422 `validation_error` in any other state.
pub(crate) async fn continue_generation(
    State(s): State<MockState>,
    Path(p): Path<Params>,
) -> ApiResult {
    let id = id_param(&p, "id", "Generation")?;
    let now = Instant::now();
    let v = {
        let mut d = s.data();
        let (org, cost) = d.generations.continue_cost(id, now)?;
        let balance = d.account.balance(org);
        if balance < cost {
            return Err(ApiError::insufficient_credits(cost, balance));
        }
        d.charge(id, cost);
        d.generations.resume(id, now);
        let g = &d.generations.by_id[&id];
        d.generations.json(g, now, false)
    };
    s.notify();
    ok(v)
}
