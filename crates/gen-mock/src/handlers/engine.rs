//! Steps 3 and 4: templates, engines (vidsheets), rows, columns, cells, layers, variables.

use axum::body::Bytes;
use axum::extract::{Path, Query as Q, Request, State};
use axum::http::header;
use axum::response::IntoResponse;
use serde_json::{Map, Value, json};
use tokio::time::Instant;

use super::{agent_q, multipart_parts, page_of};
use crate::config::GENERATION_TYPES;
use crate::error::*;
use crate::model::{Cell, Column, Engine, Layer};
use crate::seed::{self, TEMPLATES, TemplateDef};
use crate::state::{Data, MockState};
use crate::store::vidsheets::{NewColumn, reorder};

const COLUMN_TYPES: [&str; 4] = ["text", "image", "video", "audio"];

fn template_json(t: &TemplateDef, base: &str) -> Value {
    json!({
        "slug": t.slug,
        "title": t.title,
        "description": t.description,
        "tags": t.tags,
        "cover": format!("{base}/cdn/templates/{}.jpg", t.slug),
        "recent_generated_contents": [{
            "url": format!("{base}/cdn/outputs/template_{}.mp4", t.slug),
            "thumbnail_url": format!("{base}/cdn/thumbnails/template_{}.jpg", t.slug),
            "object_type": "video",
        }],
    })
}

/// `GET /v1/templates/projects` (bare array; `page` / `per_page`).
pub(crate) async fn list_templates(State(s): State<MockState>, Q(q): Q<Query>) -> ApiResult {
    let (page, per_page) = page_of(&q)?;
    let base = s.base_url();
    ok(Value::Array(
        TEMPLATES
            .iter()
            .skip((page - 1) * per_page)
            .take(per_page)
            .map(|t| template_json(t, &base))
            .collect(),
    ))
}

/// `GET /v1/templates/projects/{slug}` (with the column layout a clone gets).
pub(crate) async fn get_template(State(s): State<MockState>, Path(p): Path<Params>) -> ApiResult {
    let slug = str_param(&p, "slug");
    let t = seed::template(&slug).ok_or_else(|| ApiError::not_found("Template"))?;
    let mut v = template_json(t, &s.base_url());
    let cols = [
        ("Script", "text", "ingredient", Some("text")),
        ("Voiceover", "audio", "ingredient", Some("speech_from_text")),
        (t.video_title, "video", "video", Some(t.video_card)),
        ("Final Video", "video", "final_video", None),
    ];
    v["spreadsheet_columns"] = Value::Array(
        cols.iter()
            .enumerate()
            .map(|(i, (title, ct, role, card))| {
                Column {
                    id: i as i64 + 1,
                    title: (*title).to_string(),
                    column_type: (*ct).to_string(),
                    role: (*role).to_string(),
                    position: i as i64,
                    card: card
                        .map(|c| json!({"generation_type": c, "data": seed::default_card_data(c)})),
                }
                .json()
            })
            .collect(),
    );
    ok(v)
}

/// `POST /v1/templates/spreadsheets/{slug}/clone` `{agent_id}`: a full engine (4 columns:
/// Script, Voiceover, a video column, Final Video; 2 rows; a cell per row × column; a 3-layer
/// stack on each video cell). Free.
pub(crate) async fn clone_template(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    body: Bytes,
) -> ApiResult {
    let slug = str_param(&p, "slug");
    let b = json_object(&body)?;
    let t = seed::template(&slug).ok_or_else(|| ApiError::not_found("Template"))?;
    let mut d = s.data();
    let agent = opt_i64(&b, "agent_id")
        .map_err(|_| ApiError::agent_not_found())?
        .ok_or_else(|| ApiError::validation("`agent_id` is required"))?;
    if !d.agents.exists(agent) {
        return Err(ApiError::agent_not_found());
    }
    let id = d.build_engine(agent, t.title, Some(t));
    let e = d.vidsheets.engines[&id].clone();
    ok(d.engine_json(&e, Instant::now()))
}

/// `POST /v1/autocontentengine?agent_id=` `{spreadsheet: {title}}`: a blank engine with the two
/// system columns (video, final_video) and no rows.
pub(crate) async fn create_engine(
    State(s): State<MockState>,
    Q(q): Q<Query>,
    body: Bytes,
) -> ApiResult {
    let b = json_object(&body)?;
    let sheet = wrapped(&b, "spreadsheet")?;
    let title = req_str(&sheet, "title")?;
    let mut d = s.data();
    let agent = agent_q(&d, &q)?;
    let id = d.build_engine(agent, &title, None);
    for (pos, (title, role)) in [("Video", "video"), ("Final Video", "final_video")]
        .into_iter()
        .enumerate()
    {
        let col = NewColumn {
            title: title.into(),
            column_type: "video".into(),
            role: role.into(),
            position: Some(pos as i64),
            card: None,
        };
        let d = &mut *d;
        d.vidsheets.add_column(&mut d.ids, id, col);
    }
    let e = d.vidsheets.engines[&id].clone();
    ok(d.engine_json(&e, Instant::now()))
}

/// The engine of a request (`agent_id` required and must own it; 404 otherwise).
fn engine_id(d: &Data, p: &Params, q: &Query) -> Result<i64, ApiError> {
    let id = id_param(p, "id", "Engine")?;
    let agent = agent_q(d, q)?;
    match d.vidsheets.engines.get(&id) {
        Some(e) if e.agent_id == agent => Ok(id),
        _ => Err(ApiError::not_found("Engine")),
    }
}

fn engine_mut(d: &mut Data, id: i64) -> &mut Engine {
    d.vidsheets.engines.get_mut(&id).expect("engine checked")
}

/// `GET /v1/autocontentengine/{id}?agent_id=`
pub(crate) async fn get_engine(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
) -> ApiResult {
    let d = s.data();
    let id = engine_id(&d, &p, &q)?;
    ok(d.engine_json(&d.vidsheets.engines[&id], Instant::now()))
}

/// `POST /v1/autocontentengine/{id}/clone?agent_id=` `{target_agent_id?, title?}`: same
/// structure and values with new ids; no generations.
pub(crate) async fn clone_engine(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
    body: Bytes,
) -> ApiResult {
    let b = json_object(&body)?;
    let mut d = s.data();
    let src_id = engine_id(&d, &p, &q)?;
    let target = match opt_i64(&b, "target_agent_id").map_err(|_| ApiError::agent_not_found())? {
        Some(t) if !d.agents.exists(t) => return Err(ApiError::agent_not_found()),
        Some(t) => t,
        None => d.vidsheets.engines[&src_id].agent_id,
    };
    let title = match opt_str(&b, "title")? {
        Some(t) => t,
        None => format!("{} (copy)", d.vidsheets.engines[&src_id].title),
    };
    let d = &mut *d;
    let id = d.vidsheets.clone_engine(&mut d.ids, src_id, target, title);
    let e = &d.vidsheets.engines[&id];
    ok(d.engine_json(e, Instant::now()))
}

/// `GET .../rows`
pub(crate) async fn list_rows(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
) -> ApiResult {
    let d = s.data();
    let id = engine_id(&d, &p, &q)?;
    let e = &d.vidsheets.engines[&id];
    ok(Value::Array(
        e.sorted_rows()
            .into_iter()
            .map(|r| e.row_json(r, false))
            .collect(),
    ))
}

/// `POST .../rows` `{spreadsheet_row?: {position?}}`: a row with a cell per column.
pub(crate) async fn create_row(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
    body: Bytes,
) -> ApiResult {
    let b = json_object(&body)?;
    let position = match b.get("spreadsheet_row") {
        Some(Value::Object(r)) => opt_i64(r, "position")?,
        None | Some(Value::Null) => None,
        Some(_) => return Err(ApiError::validation("`spreadsheet_row` must be an object")),
    };
    let mut d = s.data();
    let id = engine_id(&d, &p, &q)?;
    let row_id = d
        .add_row(id, position)
        .ok_or_else(|| ApiError::not_found("Engine"))?;
    let e = &d.vidsheets.engines[&id];
    let row = e.rows.iter().find(|r| r.id == row_id).expect("row");
    ok(e.row_json(row, true))
}

/// `GET .../rows/{row_id}` (with its cells).
pub(crate) async fn get_row(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
) -> ApiResult {
    let d = s.data();
    let id = engine_id(&d, &p, &q)?;
    let row_id = id_param(&p, "row_id", "Row")?;
    let e = &d.vidsheets.engines[&id];
    let row = e
        .rows
        .iter()
        .find(|r| r.id == row_id)
        .ok_or_else(|| ApiError::not_found("Row"))?;
    ok(e.row_json(row, true))
}

/// `POST .../rows/{row_id}/duplicate`: copies values, cards and layers (not generations).
pub(crate) async fn duplicate_row(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
) -> ApiResult {
    let mut d = s.data();
    let id = engine_id(&d, &p, &q)?;
    let row_id = id_param(&p, "row_id", "Row")?;
    let d = &mut *d;
    let row = d
        .vidsheets
        .duplicate_row(&mut d.ids, id, row_id)
        .ok_or_else(|| ApiError::not_found("Row"))?;
    let e = &d.vidsheets.engines[&id];
    ok(e.row_json(&row, true))
}

/// Parse `{positions: [{id, position}]}`.
fn positions(body: &[u8]) -> Result<Vec<(i64, i64)>, ApiError> {
    let b = json_object(body)?;
    let arr = b
        .get("positions")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::validation("`positions` (array) is required"))?;
    arr.iter()
        .map(|p| {
            let o = p
                .as_object()
                .ok_or_else(|| ApiError::validation("`positions` items must be objects"))?;
            let id = opt_i64(o, "id")?
                .ok_or_else(|| ApiError::validation("`positions[].id` is required"))?;
            let pos = opt_i64(o, "position")?
                .ok_or_else(|| ApiError::validation("`positions[].position` is required"))?;
            Ok((id, pos))
        })
        .collect()
}

/// Parse `{key: [{id, ...}]}` of a mass update.
fn mass_items(body: &[u8], key: &str) -> Result<Vec<Map<String, Value>>, ApiError> {
    let b = json_object(body)?;
    let arr = b
        .get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::validation(format!("`{key}` (array) is required")))?;
    arr.iter()
        .map(|i| {
            let o = i
                .as_object()
                .cloned()
                .ok_or_else(|| ApiError::validation(format!("`{key}` items must be objects")))?;
            opt_i64(&o, "id")?
                .ok_or_else(|| ApiError::validation(format!("`{key}[].id` is required")))?;
            Ok(o)
        })
        .collect()
}

/// `PUT .../rows/update_positions`
pub(crate) async fn update_row_positions(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
    body: Bytes,
) -> ApiResult {
    let pos = positions(&body)?;
    let mut d = s.data();
    let id = engine_id(&d, &p, &q)?;
    let e = engine_mut(&mut d, id);
    reorder(&mut e.rows, &pos, "row", |_| true)?;
    ok(Value::Array(
        e.sorted_rows()
            .into_iter()
            .map(|r| e.row_json(r, false))
            .collect(),
    ))
}

/// `PUT .../rows/mass_update` `{rows: [{id, position?}]}`
pub(crate) async fn mass_update_rows(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
    body: Bytes,
) -> ApiResult {
    let items = mass_items(&body, "rows")?;
    let mut d = s.data();
    let id = engine_id(&d, &p, &q)?;
    let e = engine_mut(&mut d, id);
    let mut out = Vec::new();
    for it in &items {
        let rid = opt_i64(it, "id")?.unwrap_or_default();
        if !e.rows.iter().any(|r| r.id == rid) {
            return Err(ApiError::validation(format!("Unknown row id {rid}")));
        }
    }
    for it in items {
        let rid = opt_i64(&it, "id")?.unwrap_or_default();
        let np = opt_i64(&it, "position")?;
        let r = e.rows.iter_mut().find(|r| r.id == rid).expect("row");
        if let Some(np) = np {
            r.position = np;
        }
        out.push(r.clone());
    }
    ok(Value::Array(
        out.iter().map(|r| e.row_json(r, false)).collect(),
    ))
}

/// `GET .../columns`
pub(crate) async fn list_columns(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
) -> ApiResult {
    let d = s.data();
    let id = engine_id(&d, &p, &q)?;
    ok(Value::Array(
        d.vidsheets.engines[&id]
            .sorted_columns()
            .into_iter()
            .map(Column::json)
            .collect(),
    ))
}

fn check_card(card: &Value) -> Result<Value, ApiError> {
    let o = card
        .as_object()
        .ok_or_else(|| ApiError::validation("`creation_card` must be an object"))?;
    let gt = o
        .get("generation_type")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::validation("`creation_card.generation_type` is required"))?;
    check_generation_type(gt)?;
    Ok(json!({"generation_type": gt, "data": o.get("data").cloned().unwrap_or_else(|| json!({}))}))
}

/// 422 unless one of the nine canonical generation types or a Rails name seed 000 sends
/// (`text_generation`, `audio_generation`).
pub(crate) fn check_generation_type(gt: &str) -> Result<(), ApiError> {
    if GENERATION_TYPES.contains(&crate::config::canonical_generation_type(gt)) {
        Ok(())
    } else {
        Err(ApiError::validation(format!(
            "Invalid generation_type `{gt}` (one of {})",
            GENERATION_TYPES.join(", ")
        )))
    }
}

fn check_column_type(ct: &str) -> Result<(), ApiError> {
    if COLUMN_TYPES.contains(&ct) {
        Ok(())
    } else {
        Err(ApiError::validation(format!(
            "Invalid column_type `{ct}` (text, image, video, audio)"
        )))
    }
}

/// `POST .../columns` `{spreadsheet_column: {title, column_type, position?, creation_card?}}`:
/// always an `ingredient` column; a cell is added to every row.
pub(crate) async fn create_column(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
    body: Bytes,
) -> ApiResult {
    let b = json_object(&body)?;
    let c = wrapped(&b, "spreadsheet_column")?;
    if let Some(role) = opt_str(&c, "role")?
        && role != "ingredient"
    {
        return Err(ApiError::validation(
            "Only ingredient columns can be created",
        ));
    }
    let title = opt_str(&c, "title")?.unwrap_or_else(|| "Untitled".into());
    let ct = opt_str(&c, "column_type")?.unwrap_or_else(|| "text".into());
    check_column_type(&ct)?;
    let card = c
        .get("creation_card")
        .filter(|v| !v.is_null())
        .map(check_card)
        .transpose()?;
    let position = opt_i64(&c, "position")?;
    let mut d = s.data();
    let id = engine_id(&d, &p, &q)?;
    let col = NewColumn {
        title,
        column_type: ct,
        role: "ingredient".into(),
        position,
        card,
    };
    let d = &mut *d;
    let col = d
        .vidsheets
        .add_column(&mut d.ids, id, col)
        .ok_or_else(|| ApiError::not_found("Engine"))?;
    ok(col.json())
}

/// `POST .../columns/{col_id}/duplicate` (ingredient columns only; 422 for system roles).
pub(crate) async fn duplicate_column(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
) -> ApiResult {
    let mut d = s.data();
    let id = engine_id(&d, &p, &q)?;
    let col_id = id_param(&p, "col_id", "Column")?;
    let col = d.vidsheets.engines[&id]
        .column(col_id)
        .ok_or_else(|| ApiError::not_found("Column"))?;
    if col.role != "ingredient" {
        return Err(ApiError::validation(format!(
            "`{}` columns are system-managed (read-only)",
            col.role
        )));
    }
    let d = &mut *d;
    let col = d
        .vidsheets
        .duplicate_column(&mut d.ids, id, col_id)
        .ok_or_else(|| ApiError::not_found("Column"))?;
    ok(col.json())
}

/// `PATCH .../columns/update_positions`
pub(crate) async fn update_column_positions(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
    body: Bytes,
) -> ApiResult {
    let pos = positions(&body)?;
    let mut d = s.data();
    let id = engine_id(&d, &p, &q)?;
    let e = engine_mut(&mut d, id);
    reorder(&mut e.columns, &pos, "column", |_| true)?;
    ok(Value::Array(
        e.sorted_columns().into_iter().map(Column::json).collect(),
    ))
}

/// `PUT .../columns/mass_update` `{columns: [{id, title?, column_type?, creation_card?}]}`
/// (ingredient columns only).
pub(crate) async fn mass_update_columns(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
    body: Bytes,
) -> ApiResult {
    let items = mass_items(&body, "columns")?;
    let mut d = s.data();
    let id = engine_id(&d, &p, &q)?;
    let e = engine_mut(&mut d, id);
    for it in &items {
        let cid = opt_i64(it, "id")?.unwrap_or_default();
        let col = e
            .column(cid)
            .ok_or_else(|| ApiError::validation(format!("Unknown column id {cid}")))?;
        if col.role != "ingredient" {
            return Err(ApiError::validation(format!(
                "`{}` columns are system-managed (read-only)",
                col.role
            )));
        }
        if let Some(ct) = opt_str(it, "column_type")? {
            check_column_type(&ct)?;
        }
        if let Some(card) = it.get("creation_card").filter(|v| !v.is_null()) {
            check_card(card)?;
        }
        opt_str(it, "title")?;
    }
    let mut out = Vec::new();
    for it in items {
        let cid = opt_i64(&it, "id")?.unwrap_or_default();
        let c = e.columns.iter_mut().find(|c| c.id == cid).expect("column");
        if let Some(t) = opt_str(&it, "title")? {
            c.title = t;
        }
        if let Some(ct) = opt_str(&it, "column_type")? {
            c.column_type = ct;
        }
        if let Some(card) = it.get("creation_card").filter(|v| !v.is_null()) {
            c.card = Some(check_card(card)?);
        }
        out.push(c.json());
    }
    ok(Value::Array(out))
}

fn find_cell(d: &Data, id: i64, p: &Params) -> Result<i64, ApiError> {
    let cell_id = id_param(p, "cell_id", "Cell")?;
    d.vidsheets.engines[&id]
        .cell(cell_id)
        .map(|c| c.id)
        .ok_or_else(|| ApiError::not_found("Cell"))
}

/// `GET .../cells/{cell_id}`
pub(crate) async fn get_cell(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
) -> ApiResult {
    let d = s.data();
    let id = engine_id(&d, &p, &q)?;
    let cell_id = find_cell(&d, id, &p)?;
    ok(d.vidsheets.engines[&id].cell(cell_id).expect("cell").json())
}

fn apply_cell_input(c: &mut Cell, input: &Map<String, Value>) -> Result<(), ApiError> {
    match input.get("value") {
        None => {}
        Some(Value::Null) => c.value = None,
        Some(Value::String(v)) => c.value = Some(v.clone()),
        Some(_) => return Err(ApiError::validation("`value` must be a string or null")),
    }
    apply_card(input, &mut c.generation_type, &mut c.data)
}

/// `PATCH .../cells/{cell_id}` `{spreadsheet_cell: {value?, generation_type?, data?}}`
pub(crate) async fn update_cell(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
    body: Bytes,
) -> ApiResult {
    let b = json_object(&body)?;
    let input = wrapped(&b, "spreadsheet_cell")?;
    let mut d = s.data();
    let id = engine_id(&d, &p, &q)?;
    let cell_id = find_cell(&d, id, &p)?;
    let c = engine_mut(&mut d, id).cell_mut(cell_id).expect("cell");
    let mut copy = c.clone();
    apply_cell_input(&mut copy, &input)?;
    *c = copy;
    ok(c.json())
}

/// `PUT .../cells/mass_update` `{cells: [{id, value?, generation_type?, data?}]}` (all or nothing).
pub(crate) async fn mass_update_cells(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
    body: Bytes,
) -> ApiResult {
    let items = mass_items(&body, "cells")?;
    let mut d = s.data();
    let id = engine_id(&d, &p, &q)?;
    let e = engine_mut(&mut d, id);
    let mut updated = Vec::new();
    for it in &items {
        let cid = opt_i64(it, "id")?.unwrap_or_default();
        let mut c = e
            .cell(cid)
            .cloned()
            .ok_or_else(|| ApiError::validation(format!("Unknown cell id {cid}")))?;
        apply_cell_input(&mut c, it)?;
        updated.push(c);
    }
    let out: Vec<Value> = updated.iter().map(Cell::json).collect();
    for c in updated {
        if let Some(slot) = e.cell_mut(c.id) {
            *slot = c;
        }
    }
    ok(Value::Array(out))
}

/// `PATCH .../cells/{cell_id}/set_default_user_job` `{user_job_id}`: must be one of the cell's generations.
pub(crate) async fn set_default_user_job(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
    body: Bytes,
) -> ApiResult {
    let b = json_object(&body)?;
    let job = opt_i64(&b, "user_job_id")?
        .ok_or_else(|| ApiError::validation("`user_job_id` is required"))?;
    let mut d = s.data();
    let id = engine_id(&d, &p, &q)?;
    let cell_id = find_cell(&d, id, &p)?;
    let g = d
        .generations
        .by_id
        .get(&job)
        .filter(|g| g.cell_id == Some(cell_id) && g.layer_id.is_none())
        .cloned()
        .ok_or_else(|| ApiError::validation("user_job_id is not a generation of this cell"))?;
    let display = g.result.clone().or_else(|| {
        g.outputs
            .first()
            .and_then(|o| o["url"].as_str())
            .map(str::to_string)
    });
    let c = engine_mut(&mut d, id).cell_mut(cell_id).expect("cell");
    c.user_job_id = Some(job);
    if display.is_some() {
        c.value = display;
    }
    ok(c.json())
}

fn layer_cell(d: &Data, id: i64, p: &Params) -> Result<i64, ApiError> {
    find_cell(d, id, p)
}

fn find_layer(d: &Data, id: i64, cell_id: i64, p: &Params) -> Result<i64, ApiError> {
    let lid = id_param(p, "layer_id", "Layer")?;
    d.vidsheets.engines[&id]
        .layers
        .iter()
        .find(|l| l.id == lid && l.cell_id == cell_id)
        .map(|l| l.id)
        .ok_or_else(|| ApiError::not_found("Layer"))
}

fn apply_layer_input(l: &mut Layer, input: &Map<String, Value>) -> Result<(), ApiError> {
    if let Some(n) = opt_str(input, "name")? {
        l.name = Some(n);
    }
    if let Some(t) = opt_str(input, "layer_type")? {
        l.layer_type = t;
    }
    if let Some(pos) = opt_i64(input, "position")? {
        l.position = pos;
    }
    apply_card(input, &mut l.generation_type, &mut l.data)
}

/// Apply the `generation_type` and `data` of a cell or layer input.
fn apply_card(
    input: &serde_json::Map<String, Value>,
    generation_type: &mut Option<String>,
    data: &mut Value,
) -> Result<(), ApiError> {
    if let Some(gt) = opt_str(input, "generation_type")? {
        check_generation_type(&gt)?;
        *generation_type = Some(gt);
    }
    match input.get("data") {
        None | Some(Value::Null) => {}
        Some(v @ Value::Object(_)) => *data = v.clone(),
        Some(_) => return Err(ApiError::validation("`data` must be an object")),
    }
    Ok(())
}

/// `POST .../cells/{cell_id}/layers` `{layer: {...}}` (video and final_video cells only).
pub(crate) async fn create_layer(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
    body: Bytes,
) -> ApiResult {
    let b = json_object(&body)?;
    let input = wrapped(&b, "layer")?;
    let mut d = s.data();
    let id = engine_id(&d, &p, &q)?;
    let cell_id = layer_cell(&d, id, &p)?;
    let role = d.vidsheets.engines[&id]
        .cell_role(cell_id)
        .unwrap_or("")
        .to_string();
    if role != "video" && role != "final_video" {
        return Err(ApiError::validation(
            "Layers exist only on video and final_video cells",
        ));
    }
    let d = &mut *d;
    let l = d
        .vidsheets
        .add_layer(&mut d.ids, id, cell_id, |l| apply_layer_input(l, &input))?;
    ok(l.json())
}

/// `GET .../layers/{layer_id}`
pub(crate) async fn get_layer(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
) -> ApiResult {
    let d = s.data();
    let id = engine_id(&d, &p, &q)?;
    let cell_id = layer_cell(&d, id, &p)?;
    let lid = find_layer(&d, id, cell_id, &p)?;
    ok(d.vidsheets.engines[&id]
        .layers
        .iter()
        .find(|l| l.id == lid)
        .expect("layer")
        .json())
}

/// `PATCH .../layers/{layer_id}` `{layer: {...}}`
pub(crate) async fn update_layer(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
    body: Bytes,
) -> ApiResult {
    let b = json_object(&body)?;
    let input = wrapped(&b, "layer")?;
    let mut d = s.data();
    let id = engine_id(&d, &p, &q)?;
    let cell_id = layer_cell(&d, id, &p)?;
    let lid = find_layer(&d, id, cell_id, &p)?;
    let l = engine_mut(&mut d, id)
        .layers
        .iter_mut()
        .find(|l| l.id == lid)
        .expect("layer");
    let mut copy = l.clone();
    apply_layer_input(&mut copy, &input)?;
    *l = copy;
    ok(l.json())
}

/// `DELETE .../layers/{layer_id}`
pub(crate) async fn delete_layer(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
) -> ApiResult {
    let mut d = s.data();
    let id = engine_id(&d, &p, &q)?;
    let cell_id = layer_cell(&d, id, &p)?;
    let lid = find_layer(&d, id, cell_id, &p)?;
    engine_mut(&mut d, id).layers.retain(|l| l.id != lid);
    no_content()
}

/// `POST .../layers/{layer_id}/duplicate` (placed on top of the stack).
pub(crate) async fn duplicate_layer(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
) -> ApiResult {
    let mut d = s.data();
    let id = engine_id(&d, &p, &q)?;
    let cell_id = layer_cell(&d, id, &p)?;
    let lid = find_layer(&d, id, cell_id, &p)?;
    let d = &mut *d;
    let l = d
        .vidsheets
        .duplicate_layer(&mut d.ids, id, cell_id, lid)
        .ok_or_else(|| ApiError::not_found("Layer"))?;
    ok(l.json())
}

/// `PUT .../cells/{cell_id}/layers/update_positions`
pub(crate) async fn update_layer_positions(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
    body: Bytes,
) -> ApiResult {
    let pos = positions(&body)?;
    let mut d = s.data();
    let id = engine_id(&d, &p, &q)?;
    let cell_id = layer_cell(&d, id, &p)?;
    let e = engine_mut(&mut d, id);
    reorder(&mut e.layers, &pos, "layer", |l| l.cell_id == cell_id)?;
    ok(Value::Array(
        e.cell_layers(cell_id)
            .into_iter()
            .map(Layer::json)
            .collect(),
    ))
}

/// `GET .../global_variables`
pub(crate) async fn list_global_variables(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
) -> ApiResult {
    let d = s.data();
    let id = engine_id(&d, &p, &q)?;
    ok(Value::Array(
        d.vidsheets.engines[&id]
            .globals
            .iter()
            .map(|(n, v)| json!({"name": n, "value": v}))
            .collect(),
    ))
}

/// `POST .../import_global_variables` (multipart `file`). The mock does not read XLSX: a UTF-8
/// file is parsed as `name,value` lines (CSV/TSV); any other file adds `imported_file` = its name.
pub(crate) async fn import_global_variables(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
    req: Request,
) -> ApiResult {
    {
        let d = s.data();
        engine_id(&d, &p, &q)?;
    }
    let parts = multipart_parts(req).await?;
    let file = parts
        .into_iter()
        .find(|f| f.name == "file")
        .ok_or_else(|| ApiError::validation("`file` is required"))?;
    let mut vars = Vec::new();
    match std::str::from_utf8(&file.bytes) {
        Ok(text) if !file.bytes.starts_with(b"PK") => {
            for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
                let mut it = line.splitn(2, [',', '\t']);
                let name = it.next().unwrap_or("").trim().to_string();
                if name.is_empty() || name.eq_ignore_ascii_case("name") {
                    continue;
                }
                vars.push((name, it.next().map(|v| v.trim().to_string())));
            }
        }
        _ => vars.push(("imported_file".to_string(), file.filename.clone())),
    }
    let mut d = s.data();
    let id = engine_id(&d, &p, &q)?;
    let e = engine_mut(&mut d, id);
    for (n, v) in vars {
        match e.globals.iter_mut().find(|(k, _)| *k == n) {
            Some(slot) => slot.1 = v,
            None => e.globals.push((n, v)),
        }
    }
    ok(Value::Array(
        e.globals
            .iter()
            .map(|(n, v)| json!({"name": n, "value": v}))
            .collect(),
    ))
}

/// `GET /v1/autocontentengine/global_variables_template`: a small placeholder XLSX (ZIP magic).
pub(crate) async fn global_variables_template() -> ApiResult {
    let mut bytes = b"PK\x03\x04".to_vec();
    bytes.extend_from_slice(b"genpro-mock global variables template: name,value\n");
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"global_variables_template.xlsx\"",
            ),
        ],
        bytes,
    )
        .into_response())
}
