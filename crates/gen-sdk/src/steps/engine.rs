//! [`Engine`]: one engine (vidsheet) of an agent: read it, find its cells
//! by role, import its global variables.

use std::fmt;

use genpro_api::prelude::*;
use genpro_api::types;

use super::{AgentId, Cell, CellId, EngineId, first_row_cell};
use crate::client::GenClient;
use crate::error::Error;
use crate::upload::UploadSource;

/// One engine of an agent. Made by [`super::Agent::engine`];
/// [`Engine::cell`] and [`Engine::cell_by_role`] go one scope down.
#[derive(Clone, Copy, Debug)]
pub struct Engine<'a> {
    client: &'a GenClient,
    agent: AgentId,
    id: EngineId,
}

/// What a cell is for, from its column's role and type (seed 001: column
/// types `text`, `image`, `video`, `audio`; roles `ingredient`, `video`,
/// `final_video`, ...). Cell ids differ per clone: look cells up by role
/// ([`Engine::cell_by_role`]) rather than by id.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Role {
    /// The script: an `ingredient` column of type `text`.
    Script,
    /// An image ingredient: an `ingredient` column of type `image`.
    Image,
    /// A voiceover or other audio ingredient: an `ingredient` column of type
    /// `audio`.
    Audio,
    /// The generated video: the column with role `video`.
    Video,
    /// The final video, composited from the layers and rendered: the column
    /// with role `final_video`.
    FinalVideo,
    /// Any column role (`stats`, ...), optionally of one column type.
    Column {
        /// The column role, as on the wire.
        role: String,
        /// The column type, as on the wire; `None`: any.
        column_type: Option<String>,
    },
}

impl Role {
    /// The column role and type (`None`: any type) this role matches.
    pub fn column(&self) -> (&str, Option<&str>) {
        match self {
            Self::Script => ("ingredient", Some("text")),
            Self::Image => ("ingredient", Some("image")),
            Self::Audio => ("ingredient", Some("audio")),
            Self::Video => ("video", None),
            Self::FinalVideo => ("final_video", None),
            Self::Column { role, column_type } => (role, column_type.as_deref()),
        }
    }

    /// The id of the first row's cell of this role's column in `engine` (an
    /// engine answer: `GET /v1/autocontentengine/{id}`, or a clone's).
    pub fn first_row_cell(&self, engine: &types::Engine) -> Option<CellId> {
        first_row_cell(engine, |c| self.matches(c)).map(CellId)
    }

    /// True when `column` has this role (and type).
    pub fn matches(&self, column: &types::Column) -> bool {
        let (role, column_type) = self.column();
        column.role.as_ref().is_some_and(|r| r.as_str() == role)
            && column_type.is_none_or(|t| {
                column
                    .column_type
                    .as_ref()
                    .is_some_and(|ct| ct.as_str() == t)
            })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column() {
            (role, Some(column_type)) => write!(f, "{role} ({column_type})"),
            (role, None) => f.write_str(role),
        }
    }
}

impl<'a> Engine<'a> {
    pub(crate) fn new(client: &'a GenClient, agent: AgentId, id: EngineId) -> Self {
        Self { client, agent, id }
    }

    /// The engine's id.
    pub fn id(&self) -> EngineId {
        self.id
    }

    /// The agent owning it.
    pub fn agent_id(&self) -> AgentId {
        self.agent
    }

    /// The client.
    pub fn client(&self) -> &'a GenClient {
        self.client
    }

    /// The cell `id` of this engine (no request: the handle for its calls).
    pub fn cell(&self, id: CellId) -> Cell<'a> {
        Cell::new(self.client, self.agent, self.id, id)
    }

    /// `GET /v1/autocontentengine/{id}?agent_id=`: the engine with its
    /// columns, rows, cells and layers.
    pub async fn get(&self) -> Result<types::Engine, Error> {
        let call = self
            .client
            .raw()
            .get_engine()
            .id(self.id.0)
            .agent_id(self.agent.0);
        Ok(call.send().await?.into_inner())
    }

    /// The first row's cell of the column with `role`, read from the engine
    /// (one `GET`); [`ErrorKind::MissingField`](crate::ErrorKind::MissingField) when the engine has none.
    pub async fn cell_by_role(&self, role: Role) -> Result<Cell<'a>, Error> {
        let engine = self.get().await?;
        self.cell_in(&engine, &role)
            .ok_or_else(|| Error::missing("get_engine", role_field(&role)))
    }

    /// The first row's cell of the column with `role` in `engine` (an
    /// answer already at hand, e.g. [`super::EngineClone::engine`]; no
    /// request).
    pub fn cell_in(&self, engine: &types::Engine, role: &Role) -> Option<Cell<'a>> {
        role.first_row_cell(engine).map(|id| self.cell(id))
    }

    /// `POST /v1/autocontentengine/{engine_id}/import_global_variables?agent_id=`:
    /// imports the sheet's global variables from an XLSX file (form field
    /// `file`, content type [`crate::multipart::XLSX_CONTENT_TYPE`]); the
    /// template is `GET /v1/autocontentengine/global_variables_template`.
    /// Returns the variables.
    pub async fn import_global_variables(
        &self,
        xlsx: impl Into<UploadSource>,
    ) -> Result<Vec<types::GlobalVariable>, Error> {
        crate::multipart::import_global_variables(self.client, self.id.0, self.agent.0, xlsx.into())
            .await
    }
}

/// The field an engine lacks when no cell has `role`.
fn role_field(role: &Role) -> &'static str {
    match role {
        Role::Script => "spreadsheet_cells (first row, ingredient text column)",
        Role::Image => "spreadsheet_cells (first row, ingredient image column)",
        Role::Audio => "spreadsheet_cells (first row, ingredient audio column)",
        Role::Video => "spreadsheet_cells (first row, video column)",
        Role::FinalVideo => "spreadsheet_cells (first row, final_video column)",
        Role::Column { .. } => "spreadsheet_cells (first row, a column with the role asked)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn engine() -> types::Engine {
        serde_json::from_value(json!({
            "id": 101,
            "spreadsheet_columns": [
                {"id": 1, "role": "ingredient", "column_type": "text", "position": 0},
                {"id": 2, "role": "ingredient", "column_type": "audio", "position": 1},
                {"id": 3, "role": "video", "column_type": "video", "position": 2},
                {"id": 4, "role": "final_video", "column_type": "video", "position": 3}
            ],
            "spreadsheet_rows": [
                {"id": 20, "position": 1, "spreadsheet_cells": [
                    {"id": 2004, "row_id": 20, "column_id": 4}
                ]},
                {"id": 10, "position": 0}
            ],
            "spreadsheet_cells": [
                {"id": 2001, "row_id": 20, "column_id": 1},
                {"id": 1001, "row_id": 10, "column_id": 1},
                {"id": 1002, "row_id": 10, "column_id": 2},
                {"id": 1003, "row_id": 10, "column_id": 3},
                {"id": 1004, "row_id": 10, "column_id": 4}
            ]
        }))
        .unwrap()
    }

    #[test]
    fn roles_find_the_first_rows_cell_of_their_column() {
        let engine = engine();
        let find = |role: Role| first_row_cell(&engine, |c| role.matches(c));
        assert_eq!(find(Role::Script), Some(1001));
        assert_eq!(find(Role::Audio), Some(1002));
        assert_eq!(find(Role::Video), Some(1003));
        assert_eq!(find(Role::FinalVideo), Some(1004));
        assert_eq!(find(Role::Image), None);
        let stats = Role::Column {
            role: "stats".into(),
            column_type: None,
        };
        assert_eq!(find(stats), None);
        assert_eq!(Role::Script.to_string(), "ingredient (text)");
        assert_eq!(Role::FinalVideo.to_string(), "final_video");
    }
}
