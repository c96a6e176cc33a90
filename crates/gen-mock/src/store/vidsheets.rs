//! Vidsheets (engines) and everything inside them: columns, rows, cells, layers, global variables.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};
use tokio::time::Instant;

use super::Ids;
use super::generations::GenerationStore;
use crate::error::ApiError;
use crate::model::{Cell, Column, Engine, Layer, Row};
use crate::seed;

/// A column to add: everything but its id (and its position, when `None`: after the last).
pub(crate) struct NewColumn {
    pub title: String,
    pub column_type: String,
    pub role: String,
    pub position: Option<i64>,
    pub card: Option<Value>,
}

/// Every engine, by id (each holds its columns, rows, cells, layers and variables).
#[derive(Default)]
pub(crate) struct VidsheetStore {
    /// Engines by id.
    pub engines: BTreeMap<i64, Engine>,
}

impl VidsheetStore {
    /// Build an engine (from a template or blank) for an agent; returns its id.
    pub fn build_engine(
        &mut self,
        ids: &mut Ids,
        agent_id: i64,
        title: &str,
        template: Option<&seed::TemplateDef>,
    ) -> i64 {
        let id = super::bump(&mut ids.engine);
        let mut e = Engine {
            id,
            title: title.to_string(),
            agent_id,
            template: template.map(|t| t.slug.to_string()),
            columns: Vec::new(),
            rows: Vec::new(),
            cells: Vec::new(),
            layers: Vec::new(),
            globals: Vec::new(),
        };
        if let Some(t) = template {
            let cols = [
                ("Script", "text", "ingredient", Some("text")),
                ("Voiceover", "audio", "ingredient", Some("speech_from_text")),
                (t.video_title, "video", "video", Some(t.video_card)),
                ("Final Video", "video", "final_video", None),
            ];
            for (pos, (title, ctype, role, card)) in cols.into_iter().enumerate() {
                let cid = super::bump(&mut ids.column);
                e.columns.push(Column {
                    id: cid,
                    title: title.to_string(),
                    column_type: ctype.to_string(),
                    role: role.to_string(),
                    position: pos as i64,
                    card: card
                        .map(|c| json!({"generation_type": c, "data": seed::default_card_data(c)})),
                });
            }
            e.globals = vec![
                ("topic".to_string(), Some("San Antonio tacos".to_string())),
                ("brand_name".to_string(), Some("Santiago".to_string())),
            ];
            self.engines.insert(id, e);
            for _ in 0..2 {
                self.add_row(ids, id, None);
            }
        } else {
            self.engines.insert(id, e);
        }
        id
    }

    /// Add a row with one cell per column (and the default layer stack on video cells).
    pub fn add_row(&mut self, ids: &mut Ids, engine_id: i64, position: Option<i64>) -> Option<i64> {
        let row_id = super::bump(&mut ids.row);
        let columns = self.engines.get(&engine_id)?.columns.clone();
        let pos = position.unwrap_or_else(|| {
            self.engines[&engine_id]
                .rows
                .iter()
                .map(|r| r.position + 1)
                .max()
                .unwrap_or(0)
        });
        let mut cells = Vec::new();
        let mut layers = Vec::new();
        for col in &columns {
            let cell_id = super::bump(&mut ids.cell);
            cells.push(new_cell(cell_id, row_id, col));
            if col.role == "video" {
                for (lp, (name, ltype, gtype)) in [
                    ("Background video", "video", "video_from_text"),
                    ("Voiceover", "audio", "speech_from_text"),
                    ("Captions", "text", "captions"),
                ]
                .into_iter()
                .enumerate()
                {
                    let lid = super::bump(&mut ids.layer);
                    layers.push(Layer {
                        id: lid,
                        cell_id,
                        name: Some(name.to_string()),
                        layer_type: ltype.to_string(),
                        position: lp as i64,
                        generation_type: Some(gtype.to_string()),
                        data: seed::default_card_data(gtype),
                        user_job_id: None,
                    });
                }
            }
        }
        let e = self.engines.get_mut(&engine_id)?;
        e.rows.push(Row {
            id: row_id,
            position: pos,
        });
        e.cells.extend(cells);
        e.layers.extend(layers);
        Some(row_id)
    }

    /// Copy an engine for `agent_id` under `title`: the same structure and values with new ids
    /// (columns, rows, cells, layers, in that order); no generations. Returns the copy's id.
    pub fn clone_engine(
        &mut self,
        ids: &mut Ids,
        src_id: i64,
        agent_id: i64,
        title: String,
    ) -> i64 {
        let src = &self.engines[&src_id];
        let id = super::bump(&mut ids.engine);
        let mut col_map = HashMap::new();
        let mut row_map = HashMap::new();
        let mut cell_map = HashMap::new();
        let mut e = Engine {
            id,
            title,
            agent_id,
            template: src.template.clone(),
            columns: Vec::new(),
            rows: Vec::new(),
            cells: Vec::new(),
            layers: Vec::new(),
            globals: src.globals.clone(),
        };
        for c in &src.columns {
            let nid = super::bump(&mut ids.column);
            col_map.insert(c.id, nid);
            e.columns.push(Column {
                id: nid,
                ..c.clone()
            });
        }
        for r in &src.rows {
            let nid = super::bump(&mut ids.row);
            row_map.insert(r.id, nid);
            e.rows.push(Row {
                id: nid,
                position: r.position,
            });
        }
        for c in &src.cells {
            let nid = super::bump(&mut ids.cell);
            cell_map.insert(c.id, nid);
            e.cells.push(Cell {
                id: nid,
                row_id: row_map[&c.row_id],
                column_id: col_map[&c.column_id],
                user_job_id: None,
                ..c.clone()
            });
        }
        for l in &src.layers {
            let nid = super::bump(&mut ids.layer);
            e.layers.push(Layer {
                id: nid,
                cell_id: cell_map[&l.cell_id],
                user_job_id: None,
                ..l.clone()
            });
        }
        self.engines.insert(id, e);
        id
    }

    /// Copy a row (values, cards and layers; not generations) to the end of its engine.
    /// `None` when the row is not in the engine.
    pub fn duplicate_row(&mut self, ids: &mut Ids, engine_id: i64, row_id: i64) -> Option<Row> {
        let e = self.engines.get_mut(&engine_id)?;
        let row = e.rows.iter().find(|r| r.id == row_id)?.id;
        let new_row = super::bump(&mut ids.row);
        let mut cells = Vec::new();
        let mut layers = Vec::new();
        for c in e.cells.iter().filter(|c| c.row_id == row) {
            let nid = super::bump(&mut ids.cell);
            cells.push(Cell {
                id: nid,
                row_id: new_row,
                user_job_id: None,
                ..c.clone()
            });
            for l in e.layers.iter().filter(|l| l.cell_id == c.id) {
                let lid = super::bump(&mut ids.layer);
                layers.push(Layer {
                    id: lid,
                    cell_id: nid,
                    user_job_id: None,
                    ..l.clone()
                });
            }
        }
        let position = e.rows.iter().map(|r| r.position + 1).max().unwrap_or(0);
        let new = Row {
            id: new_row,
            position,
        };
        e.rows.push(new.clone());
        e.cells.extend(cells);
        e.layers.extend(layers);
        Some(new)
    }

    /// Add a column (at `position`, or after the last one) with a fresh cell in every row.
    /// `None` when there is no such engine.
    pub fn add_column(&mut self, ids: &mut Ids, engine_id: i64, new: NewColumn) -> Option<Column> {
        let e = self.engines.get_mut(&engine_id)?;
        let id = super::bump(&mut ids.column);
        let position = new
            .position
            .unwrap_or_else(|| e.columns.iter().map(|c| c.position + 1).max().unwrap_or(0));
        let col = Column {
            id,
            title: new.title,
            column_type: new.column_type,
            role: new.role,
            position,
            card: new.card,
        };
        let rows: Vec<i64> = e.rows.iter().map(|r| r.id).collect();
        for r in rows {
            let cell_id = super::bump(&mut ids.cell);
            e.cells.push(new_cell(cell_id, r, &col));
        }
        e.columns.push(col.clone());
        Some(col)
    }

    /// Copy a column (title + " (copy)", its cells' values and cards, not generations) right
    /// after it, moving the columns behind it one place. `None` when there is no such column.
    pub fn duplicate_column(
        &mut self,
        ids: &mut Ids,
        engine_id: i64,
        column_id: i64,
    ) -> Option<Column> {
        let e = self.engines.get_mut(&engine_id)?;
        let col = e.column(column_id)?.clone();
        let id = super::bump(&mut ids.column);
        let copy = Column {
            id,
            title: format!("{} (copy)", col.title),
            position: col.position + 1,
            ..col.clone()
        };
        let mut cells = Vec::new();
        for c in e.cells.iter().filter(|c| c.column_id == column_id) {
            cells.push(Cell {
                id: super::bump(&mut ids.cell),
                column_id: id,
                user_job_id: None,
                ..c.clone()
            });
        }
        for c in e.columns.iter_mut().filter(|c| c.position > col.position) {
            c.position += 1;
        }
        e.cells.extend(cells);
        e.columns.push(copy.clone());
        Some(copy)
    }

    /// Add a layer on top of a cell's stack: a fresh id, then `input` fills it in (its error,
    /// e.g. a 422 on a bad field, adds nothing; the id is spent). Errors with 404 when there
    /// is no such engine.
    pub fn add_layer(
        &mut self,
        ids: &mut Ids,
        engine_id: i64,
        cell_id: i64,
        input: impl FnOnce(&mut Layer) -> Result<(), ApiError>,
    ) -> Result<Layer, ApiError> {
        let e = self
            .engines
            .get_mut(&engine_id)
            .ok_or_else(|| ApiError::not_found("Engine"))?;
        let id = super::bump(&mut ids.layer);
        let mut l = Layer {
            id,
            cell_id,
            name: None,
            layer_type: "video".into(),
            position: top_of_stack(e, cell_id),
            generation_type: None,
            data: json!({}),
            user_job_id: None,
        };
        input(&mut l)?;
        e.layers.push(l.clone());
        Ok(l)
    }

    /// Copy a layer (name + " (copy)", not its generation) on top of its cell's stack. `None`
    /// when there is no such layer.
    pub fn duplicate_layer(
        &mut self,
        ids: &mut Ids,
        engine_id: i64,
        cell_id: i64,
        layer_id: i64,
    ) -> Option<Layer> {
        let e = self.engines.get_mut(&engine_id)?;
        let src = e.layers.iter().find(|l| l.id == layer_id)?.clone();
        let l = Layer {
            id: super::bump(&mut ids.layer),
            position: top_of_stack(e, cell_id),
            user_job_id: None,
            name: src.name.as_ref().map(|n| format!("{n} (copy)")),
            ..src
        };
        e.layers.push(l.clone());
        Some(l)
    }

    /// Show a finished generation on its layer (its job id) or its cell (job id and value).
    pub fn attach_result(
        &mut self,
        engine_id: i64,
        cell_id: Option<i64>,
        layer_id: Option<i64>,
        generation_id: i64,
        display: Option<String>,
    ) {
        let Some(engine) = self.engines.get_mut(&engine_id) else {
            return;
        };
        if let Some(layer_id) = layer_id {
            if let Some(l) = engine.layers.iter_mut().find(|l| l.id == layer_id) {
                l.user_job_id = Some(generation_id);
            }
        } else if let Some(cell_id) = cell_id
            && let Some(c) = engine.cell_mut(cell_id)
        {
            c.user_job_id = Some(generation_id);
            c.value = display;
        }
    }
}

/// A fresh cell of a column.
pub(crate) fn new_cell(cell_id: i64, row_id: i64, col: &Column) -> Cell {
    let (gt, data) = match &col.card {
        Some(card) => (
            card["generation_type"].as_str().map(str::to_string),
            card.get("data").cloned().unwrap_or_else(|| json!({})),
        ),
        None => (None, json!({})),
    };
    Cell {
        id: cell_id,
        row_id,
        column_id: col.id,
        value: None,
        user_job_id: None,
        generation_type: gt,
        data,
    }
}

/// Full nested JSON of an engine (with the generations run on it).
pub(crate) fn engine_json(e: &Engine, generations: &GenerationStore, now: Instant) -> Value {
    let user_jobs: Vec<Value> = generations
        .by_id
        .values()
        .filter(|g| g.engine_id == e.id)
        .map(|g| generations.json(g, now, false))
        .collect();
    let mut cells: Vec<&Cell> = e.cells.iter().collect();
    cells.sort_by_key(|c| c.id);
    let mut layers: Vec<&Layer> = e.layers.iter().collect();
    layers.sort_by_key(|l| (l.cell_id, l.position, l.id));
    json!({
        "id": e.id,
        "title": e.title,
        "agent_id": e.agent_id,
        "template_slug": e.template,
        "spreadsheet_columns": e.sorted_columns().into_iter().map(Column::json).collect::<Vec<_>>(),
        "spreadsheet_rows": e.sorted_rows().into_iter().map(|r| e.row_json(r, false)).collect::<Vec<_>>(),
        "spreadsheet_cells": cells.into_iter().map(Cell::json).collect::<Vec<_>>(),
        "layers": layers.into_iter().map(Layer::json).collect::<Vec<_>>(),
        "user_jobs": user_jobs,
    })
}

/// The position above every layer of a cell.
fn top_of_stack(e: &Engine, cell_id: i64) -> i64 {
    e.cell_layers(cell_id)
        .iter()
        .map(|l| l.position + 1)
        .max()
        .unwrap_or(0)
}

/// A row, column or layer: something with an id and a position among its siblings.
pub(crate) trait Positioned {
    /// Its id.
    fn id(&self) -> i64;
    /// Its position, to move it.
    fn position_mut(&mut self) -> &mut i64;
}

impl Positioned for Row {
    fn id(&self) -> i64 {
        self.id
    }
    fn position_mut(&mut self) -> &mut i64 {
        &mut self.position
    }
}

impl Positioned for Column {
    fn id(&self) -> i64 {
        self.id
    }
    fn position_mut(&mut self) -> &mut i64 {
        &mut self.position
    }
}

impl Positioned for Layer {
    fn id(&self) -> i64 {
        self.id
    }
    fn position_mut(&mut self) -> &mut i64 {
        &mut self.position
    }
}

/// Apply `(id, position)` moves (an `update_positions` body) to the items `in_scope` accepts.
/// All or nothing: an id that is not among them is a 422 `Unknown {what} id N` and nothing moves.
pub(crate) fn reorder<T: Positioned>(
    items: &mut [T],
    moves: &[(i64, i64)],
    what: &str,
    in_scope: impl Fn(&T) -> bool,
) -> Result<(), ApiError> {
    for (id, _) in moves {
        if !items.iter().any(|it| it.id() == *id && in_scope(it)) {
            return Err(ApiError::validation(format!("Unknown {what} id {id}")));
        }
    }
    for (id, position) in moves {
        if let Some(it) = items.iter_mut().find(|it| it.id() == *id && in_scope(it)) {
            *it.position_mut() = *position;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<Row> {
        vec![
            Row {
                id: 1000,
                position: 0,
            },
            Row {
                id: 1001,
                position: 1,
            },
        ]
    }

    fn positions(rows: &[Row]) -> Vec<(i64, i64)> {
        rows.iter().map(|r| (r.id, r.position)).collect()
    }

    #[test]
    fn reorder_moves_the_named_items() {
        let mut r = rows();
        reorder(&mut r, &[(1000, 1), (1001, 0)], "row", |_| true).unwrap();
        assert_eq!(positions(&r), [(1000, 1), (1001, 0)]);
    }

    #[test]
    fn reorder_refuses_an_unknown_id_and_moves_nothing() {
        let mut r = rows();
        let err = reorder(&mut r, &[(1000, 5), (7, 0)], "row", |_| true).unwrap_err();
        assert_eq!(err.status.as_u16(), 422);
        assert_eq!(err.code, "validation_error");
        assert_eq!(err.message, "Unknown row id 7");
        assert_eq!(positions(&r), [(1000, 0), (1001, 1)]);
    }

    #[test]
    fn reorder_refuses_an_id_out_of_scope() {
        let mut r = rows();
        let err = reorder(&mut r, &[(1001, 0)], "layer", |x| x.id == 1000).unwrap_err();
        assert_eq!(err.message, "Unknown layer id 1001");
        assert_eq!(positions(&r), [(1000, 0), (1001, 1)]);
    }
}
