//! In-memory records of the fake server and their JSON shapes (aligned with openapi.yaml).

use serde_json::{Map, Value, json};
use tokio::time::Instant;

/// A workspace (organization) with its credit balance.
#[derive(Debug, Clone)]
pub(crate) struct Org {
    pub id: i64,
    pub name: String,
    pub generic: f64,
    pub aura: f64,
    pub role: String,
    pub created_at: String,
}

impl Org {
    pub fn json(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "available_credit": {"generic": self.generic, "aura": self.aura},
            "role": self.role,
            "created_at": self.created_at,
        })
    }
}

/// An agent.
#[derive(Debug, Clone)]
pub(crate) struct Agent {
    pub id: i64,
    pub name: String,
    pub workspace_id: i64,
    pub description: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl Agent {
    pub fn json(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "workspace_id": self.workspace_id,
            "description": self.description,
            "avatar_url": null,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        })
    }
}

/// A voice of the library (`agent_id` None = public).
#[derive(Debug, Clone)]
pub(crate) struct Voice {
    pub agent_id: Option<i64>,
    pub voice_id: String,
    pub name: String,
    pub source: String,
    pub description: Option<String>,
    pub preview_url: Option<String>,
}

impl Voice {
    pub fn json(&self) -> Value {
        json!({
            "voice_id": self.voice_id,
            "name": self.name,
            "source": self.source,
            "description": self.description,
            "preview_url": self.preview_url,
            "user_owned": self.agent_id.is_some(),
        })
    }
}

/// An API key created through the API.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub id: i64,
    pub name: String,
    pub token: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
}

impl Token {
    pub fn json(&self) -> Value {
        json!({"id": self.id, "name": self.name, "created_at": self.created_at, "last_used_at": self.last_used_at})
    }
}

/// Lifecycle of an agent run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RunPhase {
    Running,
    PendingApproval,
    Completed,
    Cancelled,
}

impl RunPhase {
    pub fn as_str(self) -> &'static str {
        match self {
            RunPhase::Running => "running",
            RunPhase::PendingApproval => "pending_approval",
            RunPhase::Completed => "completed",
            RunPhase::Cancelled => "cancelled",
        }
    }
}

/// An agent run (ideas, preferences, chat, research).
#[derive(Debug, Clone)]
pub(crate) struct Run {
    pub id: String,
    pub agent_id: String,
    pub conversation_id: Option<String>,
    pub kind: String,
    pub message: String,
    pub depth: String,
    pub needs_approval: bool,
    pub started: Instant,
    pub phase: RunPhase,
    pub result: Option<String>,
    pub summary: Option<String>,
    pub findings: Option<Value>,
    pub idea_ids: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// A conversation on the agent host.
#[derive(Debug, Clone)]
pub(crate) struct Conversation {
    pub id: String,
    pub agent_id: String,
    pub title: Option<String>,
    pub pinned: bool,
    pub created_at: String,
    pub updated_at: String,
    pub messages: Vec<Value>,
    pub run_ids: Vec<String>,
}

impl Conversation {
    pub fn json(&self) -> Value {
        json!({
            "id": self.id,
            "agent_id": self.agent_id,
            "title": self.title,
            "pinned": self.pinned,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        })
    }
}

/// A vidsheet column.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    pub id: i64,
    pub title: String,
    pub column_type: String,
    pub role: String,
    pub position: i64,
    /// `{generation_type, data}` or None.
    pub card: Option<Value>,
}

impl Column {
    pub fn json(&self) -> Value {
        let mut v = json!({
            "id": self.id,
            "title": self.title,
            "column_type": self.column_type,
            "role": self.role,
            "position": self.position,
        });
        if let Some(card) = &self.card {
            v["creation_card"] = card.clone();
        }
        v
    }
}

/// A vidsheet row.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub id: i64,
    pub position: i64,
}

/// A vidsheet cell.
#[derive(Debug, Clone)]
pub(crate) struct Cell {
    pub id: i64,
    pub row_id: i64,
    pub column_id: i64,
    pub value: Option<String>,
    pub user_job_id: Option<i64>,
    pub generation_type: Option<String>,
    pub data: Value,
}

impl Cell {
    pub fn json(&self) -> Value {
        let mut v = json!({
            "id": self.id,
            "row_id": self.row_id,
            "column_id": self.column_id,
            "value": self.value,
            "user_job_id": self.user_job_id,
            "data": self.data,
        });
        if let Some(t) = &self.generation_type {
            v["generation_type"] = json!(t);
        }
        v
    }
}

/// A layer of a video cell.
#[derive(Debug, Clone)]
pub(crate) struct Layer {
    pub id: i64,
    pub cell_id: i64,
    pub name: Option<String>,
    pub layer_type: String,
    pub position: i64,
    pub generation_type: Option<String>,
    pub data: Value,
    pub user_job_id: Option<i64>,
}

impl Layer {
    pub fn json(&self) -> Value {
        let mut v = json!({
            "id": self.id,
            "cell_id": self.cell_id,
            "name": self.name,
            "layer_type": self.layer_type,
            "position": self.position,
            "data": self.data,
            "user_job_id": self.user_job_id,
        });
        if let Some(t) = &self.generation_type {
            v["generation_type"] = json!(t);
        }
        v
    }
}

/// An Auto Content Engine (vidsheet).
#[derive(Debug, Clone)]
pub(crate) struct Engine {
    pub id: i64,
    pub title: String,
    pub agent_id: i64,
    pub template: Option<String>,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    pub cells: Vec<Cell>,
    pub layers: Vec<Layer>,
    pub globals: Vec<(String, Option<String>)>,
}

impl Engine {
    pub fn column(&self, id: i64) -> Option<&Column> {
        self.columns.iter().find(|c| c.id == id)
    }
    pub fn cell(&self, id: i64) -> Option<&Cell> {
        self.cells.iter().find(|c| c.id == id)
    }
    pub fn cell_mut(&mut self, id: i64) -> Option<&mut Cell> {
        self.cells.iter_mut().find(|c| c.id == id)
    }
    pub fn cell_role(&self, cell_id: i64) -> Option<&str> {
        let cell = self.cell(cell_id)?;
        self.column(cell.column_id).map(|c| c.role.as_str())
    }
    pub fn sorted_columns(&self) -> Vec<&Column> {
        let mut v: Vec<&Column> = self.columns.iter().collect();
        v.sort_by_key(|c| (c.position, c.id));
        v
    }
    pub fn sorted_rows(&self) -> Vec<&Row> {
        let mut v: Vec<&Row> = self.rows.iter().collect();
        v.sort_by_key(|r| (r.position, r.id));
        v
    }
    pub fn row_json(&self, row: &Row, with_cells: bool) -> Value {
        let mut v = json!({"id": row.id, "position": row.position});
        if with_cells {
            let cells: Vec<Value> = self
                .cells
                .iter()
                .filter(|c| c.row_id == row.id)
                .map(Cell::json)
                .collect();
            v["spreadsheet_cells"] = Value::Array(cells);
        }
        v
    }
    pub fn cell_layers(&self, cell_id: i64) -> Vec<&Layer> {
        let mut v: Vec<&Layer> = self
            .layers
            .iter()
            .filter(|l| l.cell_id == cell_id)
            .collect();
        v.sort_by_key(|l| (l.position, l.id));
        v
    }
}

/// Lifecycle of a generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GenPhase {
    /// pending, then processing, computed from `started`.
    Active,
    Completed,
    Failed,
    Stopped,
}

/// A generation (cell, layer, or render).
#[derive(Debug, Clone)]
pub(crate) struct Generation {
    pub id: i64,
    pub engine_id: i64,
    pub org_id: i64,
    pub cell_id: Option<i64>,
    pub layer_id: Option<i64>,
    pub gen_type: String,
    pub data: Value,
    pub started: Instant,
    pub phase: GenPhase,
    pub will_fail: Option<String>,
    pub cost: f64,
    /// Credits currently held by this generation (pre-charge not yet refunded).
    pub held: f64,
    pub result: Option<String>,
    pub outputs: Vec<Value>,
    pub failed_reason: Option<String>,
    pub stopped_progress: f64,
    pub created_at: String,
}

impl Generation {
    pub fn user_job_type(&self) -> &'static str {
        match crate::config::canonical_generation_type(&self.gen_type) {
            "text" => "text_generation",
            "media" => "media_upload",
            "image_from_text" => "image_generation",
            "video_from_text" | "video_from_image" | "video_from_ingredients" => "video_generation",
            "speech_from_text" => "audio_generation",
            "lipsync" => "lipsync_generation",
            "captions" => "captions_generation",
            "render" => "render",
            _ => "generation",
        }
    }

    pub fn is_terminal(&self) -> bool {
        self.phase != GenPhase::Active
    }
}

/// A direct-upload blob (ActiveStorage style).
#[derive(Debug, Clone)]
pub(crate) struct Blob {
    pub signed_id: String,
    pub filename: String,
    pub byte_size: u64,
    pub checksum: String,
    pub content_type: String,
    pub uploaded: bool,
}

/// An uploaded content resource.
#[derive(Debug, Clone)]
pub(crate) struct Resource {
    pub id: i64,
    pub agent_id: i64,
    pub url: String,
    pub thumbnail_url: Option<String>,
    pub object_type: String,
    pub filename: String,
    pub content_type: String,
    pub byte_size: u64,
    pub folder_id: Option<i64>,
    pub created_at: String,
}

impl Resource {
    pub fn json(&self) -> Value {
        json!({
            "id": self.id,
            "url": self.url,
            "thumbnail_url": self.thumbnail_url,
            "object_type": self.object_type,
            "type": "upload",
            "filename": self.filename,
            "content_type": self.content_type,
            "byte_size": self.byte_size,
            "folder_id": self.folder_id,
            "created_at": self.created_at,
        })
    }
}

/// An asset folder.
#[derive(Debug, Clone)]
pub(crate) struct Folder {
    pub id: i64,
    pub agent_id: i64,
    pub name: String,
    pub parent_id: Option<i64>,
    pub created_at: String,
}

impl Folder {
    pub fn json(&self) -> Value {
        json!({"id": self.id, "name": self.name, "parent_id": self.parent_id, "created_at": self.created_at})
    }
}

/// A background user job (publish_content, train_social).
#[derive(Debug, Clone)]
pub(crate) struct UserJob {
    pub id: i64,
    pub agent_id: i64,
    pub job_type: String,
    pub data: Map<String, Value>,
    pub started: Instant,
    pub created_at: String,
}

/// A voice preview job.
#[derive(Debug, Clone)]
pub(crate) struct Preview {
    pub agent_id: i64,
    pub voice_id: String,
    pub started: Instant,
}

/// The object type of a MIME type: `video`, `image`, `audio` or `file`.
pub(crate) fn object_type_of(content_type: &str) -> &'static str {
    if content_type.starts_with("video/") {
        "video"
    } else if content_type.starts_with("image/") {
        "image"
    } else if content_type.starts_with("audio/") {
        "audio"
    } else {
        "file"
    }
}
