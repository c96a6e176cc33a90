//! The five steps of the GEN journey as handles on [`GenClient`], and the
//! routing table of all 97 operations.
//!
//! Every operation of the API belongs to one step (`x-phase` in
//! `openapi.yaml`) and one host. [`OPERATIONS`] records both, plus the
//! operation's retry class; the handles route with it:
//!
//! - each handle's `raw()` is the gen-api client of the step's host, and
//!   `raw_for(operation_id)` the client on which a given operation of the
//!   step is reachable (`ideas` has one api-host operation,
//!   `update_user_job`);
//! - the ergonomic methods wrap the most used operations with retries,
//!   error conversion and a tracing span (`gen_api_call` with
//!   `operation_id`, `method`, `host`, `attempt`, `status`; never the key).
//!
//! ```no_run
//! use gen_sdk::{GenClient, phases::CellRef, cards::*};
//!
//! # async fn run() -> Result<(), gen_sdk::Error> {
//! let client = GenClient::from_env()?;
//! let cell = CellRef::new(42, 101, 3000); // agent, engine, cell
//! let card = Card::from(TextCard::new("Write a 12s hook for {{topic}}", TextModel::Gemini25Pro)
//!     .variable("topic", "San Antonio tacos"));
//! let created = client.edit().generate_on_cell(cell, &card).await?;
//! let generation = client.edit().generation(created.generation_id).await?;
//! # Ok(()) }
//! ```

use std::fmt;
use std::str::FromStr;

use gen_api::types;

use crate::agent_core::{AgentCorePatch, AgentCoreUpdate};
use crate::cards::GenerateBody;
use crate::client::GenClient;
use crate::error::Error;
use crate::retry::Idempotency::{self, Idempotent, NonIdempotent, PaidPost};
use crate::status::IdeaStatus;

/// A step of the journey (`x-phase`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Phase {
    /// Step 1 — set up the agent.
    Setup,
    /// Step 2 — generate content ideas.
    Ideas,
    /// Step 3 — convert an idea to a vidsheet.
    Vidsheet,
    /// Step 4 — edit and generate.
    Edit,
    /// Step 5 — export and publish.
    Publish,
}

impl Phase {
    /// All phases, in journey order.
    pub const ALL: [Phase; 5] = [
        Phase::Setup,
        Phase::Ideas,
        Phase::Vidsheet,
        Phase::Edit,
        Phase::Publish,
    ];

    /// The `x-phase` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Setup => "setup",
            Self::Ideas => "ideas",
            Self::Vidsheet => "vidsheet",
            Self::Edit => "edit",
            Self::Publish => "publish",
        }
    }

    /// The host most of the phase's operations live on.
    pub fn primary_host(self) -> Host {
        match self {
            Self::Ideas => Host::Agent,
            _ => Host::Api,
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Phase {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Phase::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| {
                Error::validation(
                    "phase",
                    format!("unknown phase `{s}`"),
                    Some(Phase::ALL.iter().map(|p| p.as_str().to_owned()).collect()),
                )
            })
    }
}

/// One of the two GEN hosts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Host {
    /// `https://api.gen.pro`: setup, vidsheets, generations, renders,
    /// publishing.
    Api,
    /// `https://agent.gen.pro`: ideas, research, conversations
    /// (`/v1/agent/*`, `/v1/research`).
    Agent,
}

impl Host {
    /// `api` or `agent`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Api => "api",
            Self::Agent => "agent",
        }
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One operation of the API: where it lives and how it may be retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OperationSpec {
    /// The `operationId` (also the gen-api method name).
    pub operation_id: &'static str,
    /// Upper-case HTTP method.
    pub method: &'static str,
    /// Path template.
    pub path: &'static str,
    /// The step (`x-phase`).
    pub phase: Phase,
    /// The host.
    pub host: Host,
    /// The retry class.
    pub idempotency: Idempotency,
}

impl OperationSpec {
    /// The entry of `operation_id` in [`OPERATIONS`].
    pub fn find(operation_id: &str) -> Option<&'static OperationSpec> {
        OPERATIONS.iter().find(|op| op.operation_id == operation_id)
    }
}

const fn op(
    operation_id: &'static str,
    method: &'static str,
    path: &'static str,
    phase: Phase,
    host: Host,
    idempotency: Idempotency,
) -> OperationSpec {
    OperationSpec {
        operation_id,
        method,
        path,
        phase,
        host,
        idempotency,
    }
}

/// Every operation of the API (checked against `openapi.yaml` both ways in
/// the tests).
///
/// Retry classes: GET/PUT/PATCH/DELETE are [`Idempotent`], as are the POSTs
/// `stop_generation`, `test_elevenlabs`, `connect_elevenlabs` (an upsert) and
/// `create_direct_upload` (a spare upload slot is harmless). POSTs that spend
/// credits or start paid work are [`PaidPost`]: generate (cell, layer),
/// render, agent run, research, user jobs, voice preview, continue, the
/// voice design steps (model calls) and run approval (it resumes a run).
/// Other POSTs create something free and are [`NonIdempotent`].
pub const OPERATIONS: &[OperationSpec] = &[
    op(
        "get_me",
        "GET",
        "/v1/me",
        Phase::Setup,
        Host::Api,
        Idempotent,
    ),
    op(
        "list_workspaces",
        "GET",
        "/v1/workspaces",
        Phase::Setup,
        Host::Api,
        Idempotent,
    ),
    op(
        "list_agents",
        "GET",
        "/v1/agents",
        Phase::Setup,
        Host::Api,
        Idempotent,
    ),
    op(
        "create_agent",
        "POST",
        "/v1/agents",
        Phase::Setup,
        Host::Api,
        NonIdempotent,
    ),
    op(
        "get_agent",
        "GET",
        "/v1/agents/{id}",
        Phase::Setup,
        Host::Api,
        Idempotent,
    ),
    op(
        "update_agent",
        "PATCH",
        "/v1/agents/{id}",
        Phase::Setup,
        Host::Api,
        Idempotent,
    ),
    op(
        "delete_agent",
        "DELETE",
        "/v1/agents/{id}",
        Phase::Setup,
        Host::Api,
        Idempotent,
    ),
    op(
        "get_agent_core",
        "GET",
        "/v1/agents/{agent_id}/core",
        Phase::Setup,
        Host::Api,
        Idempotent,
    ),
    op(
        "update_agent_core",
        "PATCH",
        "/v1/agents/{agent_id}/core",
        Phase::Setup,
        Host::Api,
        Idempotent,
    ),
    op(
        "list_voices",
        "GET",
        "/v1/agents/{agent_id}/voice/library",
        Phase::Setup,
        Host::Api,
        Idempotent,
    ),
    op(
        "connect_elevenlabs",
        "POST",
        "/v1/agents/{agent_id}/voice/integrations/elevenlabs",
        Phase::Setup,
        Host::Api,
        Idempotent,
    ),
    op(
        "test_elevenlabs",
        "POST",
        "/v1/agents/{agent_id}/voice/integrations/elevenlabs/test",
        Phase::Setup,
        Host::Api,
        Idempotent,
    ),
    op(
        "disconnect_elevenlabs",
        "DELETE",
        "/v1/agents/{agent_id}/voice/integrations/elevenlabs",
        Phase::Setup,
        Host::Api,
        Idempotent,
    ),
    op(
        "generate_voice_design_script",
        "POST",
        "/v1/agents/{agent_id}/voice/design/generate-script",
        Phase::Setup,
        Host::Api,
        PaidPost,
    ),
    op(
        "generate_voice_design_description",
        "POST",
        "/v1/agents/{agent_id}/voice/design/generate-description",
        Phase::Setup,
        Host::Api,
        PaidPost,
    ),
    op(
        "generate_voice_design_samples",
        "POST",
        "/v1/agents/{agent_id}/voice/design/generate-samples",
        Phase::Setup,
        Host::Api,
        PaidPost,
    ),
    op(
        "create_designed_voice",
        "POST",
        "/v1/agents/{agent_id}/voice/design",
        Phase::Setup,
        Host::Api,
        NonIdempotent,
    ),
    op(
        "clone_voice",
        "POST",
        "/v1/agents/{agent_id}/voice/clone",
        Phase::Setup,
        Host::Api,
        NonIdempotent,
    ),
    op(
        "delete_voice",
        "DELETE",
        "/v1/agents/{agent_id}/voice/{voice_id}",
        Phase::Setup,
        Host::Api,
        Idempotent,
    ),
    op(
        "create_voice_preview",
        "POST",
        "/v1/agents/{agent_id}/voice/{voice_id}/preview",
        Phase::Setup,
        Host::Api,
        PaidPost,
    ),
    op(
        "get_voice_preview",
        "GET",
        "/v1/agents/{agent_id}/voice/preview/{job_id}",
        Phase::Setup,
        Host::Api,
        Idempotent,
    ),
    op(
        "list_organizations",
        "GET",
        "/v1/organizations",
        Phase::Setup,
        Host::Api,
        Idempotent,
    ),
    op(
        "create_organization",
        "POST",
        "/v1/organizations",
        Phase::Setup,
        Host::Api,
        NonIdempotent,
    ),
    op(
        "get_organization",
        "GET",
        "/v1/organizations/{id}",
        Phase::Setup,
        Host::Api,
        Idempotent,
    ),
    op(
        "update_organization",
        "PATCH",
        "/v1/organizations/{id}",
        Phase::Setup,
        Host::Api,
        Idempotent,
    ),
    op(
        "delete_organization",
        "DELETE",
        "/v1/organizations/{id}",
        Phase::Setup,
        Host::Api,
        Idempotent,
    ),
    op(
        "create_persisted_token",
        "POST",
        "/v1/persisted_tokens",
        Phase::Setup,
        Host::Api,
        NonIdempotent,
    ),
    op(
        "list_persisted_tokens",
        "GET",
        "/v1/persisted_tokens",
        Phase::Setup,
        Host::Api,
        Idempotent,
    ),
    op(
        "rename_persisted_token",
        "PATCH",
        "/v1/persisted_tokens/{id}",
        Phase::Setup,
        Host::Api,
        Idempotent,
    ),
    op(
        "revoke_persisted_token",
        "DELETE",
        "/v1/persisted_tokens/{id}/revoke",
        Phase::Setup,
        Host::Api,
        Idempotent,
    ),
    op(
        "revoke_all_persisted_tokens",
        "DELETE",
        "/v1/persisted_tokens/revoke_all",
        Phase::Setup,
        Host::Api,
        Idempotent,
    ),
    op(
        "create_agent_run",
        "POST",
        "/v1/agent/run",
        Phase::Ideas,
        Host::Agent,
        PaidPost,
    ),
    op(
        "get_agent_run",
        "GET",
        "/v1/agent/runs/{run_id}",
        Phase::Ideas,
        Host::Agent,
        Idempotent,
    ),
    op(
        "approve_agent_run",
        "POST",
        "/v1/agent/runs/{run_id}/approve",
        Phase::Ideas,
        Host::Agent,
        PaidPost,
    ),
    op(
        "list_conversations",
        "GET",
        "/v1/agent/conversations",
        Phase::Ideas,
        Host::Agent,
        Idempotent,
    ),
    op(
        "get_conversation",
        "GET",
        "/v1/agent/conversations/{id}",
        Phase::Ideas,
        Host::Agent,
        Idempotent,
    ),
    op(
        "update_conversation",
        "PATCH",
        "/v1/agent/conversations/{id}",
        Phase::Ideas,
        Host::Agent,
        Idempotent,
    ),
    op(
        "delete_conversation",
        "DELETE",
        "/v1/agent/conversations/{id}",
        Phase::Ideas,
        Host::Agent,
        Idempotent,
    ),
    op(
        "list_conversation_messages",
        "GET",
        "/v1/agent/conversations/{id}/messages",
        Phase::Ideas,
        Host::Agent,
        Idempotent,
    ),
    op(
        "list_conversation_runs",
        "GET",
        "/v1/agent/conversations/{id}/runs",
        Phase::Ideas,
        Host::Agent,
        Idempotent,
    ),
    op(
        "list_ideas",
        "GET",
        "/v1/agent/ideas",
        Phase::Ideas,
        Host::Agent,
        Idempotent,
    ),
    op(
        "advance_idea_status",
        "POST",
        "/v1/agent/ideas/{id}/status",
        Phase::Ideas,
        Host::Agent,
        NonIdempotent,
    ),
    op(
        "set_idea_status",
        "PUT",
        "/v1/agent/ideas/{id}/status/{status}",
        Phase::Ideas,
        Host::Agent,
        Idempotent,
    ),
    op(
        "create_research",
        "POST",
        "/v1/research",
        Phase::Ideas,
        Host::Agent,
        PaidPost,
    ),
    op(
        "update_user_job",
        "PUT",
        "/v1/user_jobs/{id}",
        Phase::Ideas,
        Host::Api,
        Idempotent,
    ),
    op(
        "list_templates",
        "GET",
        "/v1/templates/projects",
        Phase::Vidsheet,
        Host::Api,
        Idempotent,
    ),
    op(
        "get_template",
        "GET",
        "/v1/templates/projects/{slug}",
        Phase::Vidsheet,
        Host::Api,
        Idempotent,
    ),
    op(
        "clone_template",
        "POST",
        "/v1/templates/spreadsheets/{slug}/clone",
        Phase::Vidsheet,
        Host::Api,
        NonIdempotent,
    ),
    op(
        "create_engine",
        "POST",
        "/v1/autocontentengine",
        Phase::Vidsheet,
        Host::Api,
        NonIdempotent,
    ),
    op(
        "get_engine",
        "GET",
        "/v1/autocontentengine/{id}",
        Phase::Vidsheet,
        Host::Api,
        Idempotent,
    ),
    op(
        "clone_engine",
        "POST",
        "/v1/autocontentengine/{id}/clone",
        Phase::Vidsheet,
        Host::Api,
        NonIdempotent,
    ),
    op(
        "list_rows",
        "GET",
        "/v1/autocontentengine/{id}/rows",
        Phase::Edit,
        Host::Api,
        Idempotent,
    ),
    op(
        "create_row",
        "POST",
        "/v1/autocontentengine/{id}/rows",
        Phase::Edit,
        Host::Api,
        NonIdempotent,
    ),
    op(
        "get_row",
        "GET",
        "/v1/autocontentengine/{id}/rows/{row_id}",
        Phase::Edit,
        Host::Api,
        Idempotent,
    ),
    op(
        "duplicate_row",
        "POST",
        "/v1/autocontentengine/{id}/rows/{row_id}/duplicate",
        Phase::Edit,
        Host::Api,
        NonIdempotent,
    ),
    op(
        "update_row_positions",
        "PUT",
        "/v1/autocontentengine/{id}/rows/update_positions",
        Phase::Edit,
        Host::Api,
        Idempotent,
    ),
    op(
        "mass_update_rows",
        "PUT",
        "/v1/autocontentengine/{id}/rows/mass_update",
        Phase::Edit,
        Host::Api,
        Idempotent,
    ),
    op(
        "list_columns",
        "GET",
        "/v1/autocontentengine/{id}/columns",
        Phase::Edit,
        Host::Api,
        Idempotent,
    ),
    op(
        "create_column",
        "POST",
        "/v1/autocontentengine/{id}/columns",
        Phase::Edit,
        Host::Api,
        NonIdempotent,
    ),
    op(
        "duplicate_column",
        "POST",
        "/v1/autocontentengine/{id}/columns/{col_id}/duplicate",
        Phase::Edit,
        Host::Api,
        NonIdempotent,
    ),
    op(
        "update_column_positions",
        "PATCH",
        "/v1/autocontentengine/{id}/columns/update_positions",
        Phase::Edit,
        Host::Api,
        Idempotent,
    ),
    op(
        "mass_update_columns",
        "PUT",
        "/v1/autocontentengine/{id}/columns/mass_update",
        Phase::Edit,
        Host::Api,
        Idempotent,
    ),
    op(
        "get_cell",
        "GET",
        "/v1/autocontentengine/{id}/cells/{cell_id}",
        Phase::Edit,
        Host::Api,
        Idempotent,
    ),
    op(
        "update_cell",
        "PATCH",
        "/v1/autocontentengine/{id}/cells/{cell_id}",
        Phase::Edit,
        Host::Api,
        Idempotent,
    ),
    op(
        "mass_update_cells",
        "PUT",
        "/v1/autocontentengine/{id}/cells/mass_update",
        Phase::Edit,
        Host::Api,
        Idempotent,
    ),
    op(
        "set_cell_default_user_job",
        "PATCH",
        "/v1/autocontentengine/{id}/cells/{cell_id}/set_default_user_job",
        Phase::Edit,
        Host::Api,
        Idempotent,
    ),
    op(
        "create_layer",
        "POST",
        "/v1/autocontentengine/{id}/cells/{cell_id}/layers",
        Phase::Edit,
        Host::Api,
        NonIdempotent,
    ),
    op(
        "get_layer",
        "GET",
        "/v1/autocontentengine/{id}/cells/{cell_id}/layers/{layer_id}",
        Phase::Edit,
        Host::Api,
        Idempotent,
    ),
    op(
        "update_layer",
        "PATCH",
        "/v1/autocontentengine/{id}/cells/{cell_id}/layers/{layer_id}",
        Phase::Edit,
        Host::Api,
        Idempotent,
    ),
    op(
        "delete_layer",
        "DELETE",
        "/v1/autocontentengine/{id}/cells/{cell_id}/layers/{layer_id}",
        Phase::Edit,
        Host::Api,
        Idempotent,
    ),
    op(
        "duplicate_layer",
        "POST",
        "/v1/autocontentengine/{id}/cells/{cell_id}/layers/{layer_id}/duplicate",
        Phase::Edit,
        Host::Api,
        NonIdempotent,
    ),
    op(
        "update_layer_positions",
        "PUT",
        "/v1/autocontentengine/{id}/cells/{cell_id}/layers/update_positions",
        Phase::Edit,
        Host::Api,
        Idempotent,
    ),
    op(
        "generate_on_cell",
        "POST",
        "/v1/autocontentengine/{id}/cells/{cell_id}/generate",
        Phase::Edit,
        Host::Api,
        PaidPost,
    ),
    op(
        "generate_on_layer",
        "POST",
        "/v1/autocontentengine/{id}/cells/{cell_id}/layers/{layer_id}/generate",
        Phase::Edit,
        Host::Api,
        PaidPost,
    ),
    op(
        "get_generation",
        "GET",
        "/v1/generations/{id}",
        Phase::Edit,
        Host::Api,
        Idempotent,
    ),
    op(
        "stop_generation",
        "POST",
        "/v1/generations/{id}/stop",
        Phase::Edit,
        Host::Api,
        Idempotent,
    ),
    op(
        "continue_generation",
        "POST",
        "/v1/generations/{id}/continue",
        Phase::Edit,
        Host::Api,
        PaidPost,
    ),
    op(
        "list_global_variables",
        "GET",
        "/v1/autocontentengine/{id}/global_variables",
        Phase::Edit,
        Host::Api,
        Idempotent,
    ),
    op(
        "import_global_variables",
        "POST",
        "/v1/autocontentengine/{id}/import_global_variables",
        Phase::Edit,
        Host::Api,
        NonIdempotent,
    ),
    op(
        "get_global_variables_template",
        "GET",
        "/v1/autocontentengine/global_variables_template",
        Phase::Edit,
        Host::Api,
        Idempotent,
    ),
    op(
        "list_content_resources",
        "GET",
        "/v1/content_resources",
        Phase::Edit,
        Host::Api,
        Idempotent,
    ),
    op(
        "create_content_resource",
        "POST",
        "/v1/content_resources",
        Phase::Edit,
        Host::Api,
        NonIdempotent,
    ),
    op(
        "get_content_resource",
        "GET",
        "/v1/content_resources/{id}",
        Phase::Edit,
        Host::Api,
        Idempotent,
    ),
    op(
        "update_content_resource",
        "PATCH",
        "/v1/content_resources/{id}",
        Phase::Edit,
        Host::Api,
        Idempotent,
    ),
    op(
        "delete_content_resource",
        "DELETE",
        "/v1/content_resources/{id}",
        Phase::Edit,
        Host::Api,
        Idempotent,
    ),
    op(
        "list_asset_libraries",
        "GET",
        "/v1/asset_libraries",
        Phase::Edit,
        Host::Api,
        Idempotent,
    ),
    op(
        "create_asset_folder",
        "POST",
        "/v1/asset_folders",
        Phase::Edit,
        Host::Api,
        NonIdempotent,
    ),
    op(
        "update_asset_folder",
        "PATCH",
        "/v1/asset_folders/{id}",
        Phase::Edit,
        Host::Api,
        Idempotent,
    ),
    op(
        "delete_asset_folder",
        "DELETE",
        "/v1/asset_folders/{id}",
        Phase::Edit,
        Host::Api,
        Idempotent,
    ),
    op(
        "create_direct_upload",
        "POST",
        "/v1/direct_upload",
        Phase::Edit,
        Host::Api,
        Idempotent,
    ),
    op(
        "get_automation_config",
        "GET",
        "/v1/agents/{agent_id}/automation_config",
        Phase::Edit,
        Host::Api,
        Idempotent,
    ),
    op(
        "update_automation_config",
        "PATCH",
        "/v1/agents/{agent_id}/automation_config",
        Phase::Edit,
        Host::Api,
        Idempotent,
    ),
    op(
        "test_automation_webhook",
        "POST",
        "/v1/agents/{agent_id}/automation_config/test_webhook",
        Phase::Edit,
        Host::Api,
        NonIdempotent,
    ),
    op(
        "test_automation_callback",
        "POST",
        "/v1/agents/{agent_id}/automation_config/test_callback",
        Phase::Edit,
        Host::Api,
        NonIdempotent,
    ),
    op(
        "render_cell",
        "POST",
        "/v1/autocontentengine/{id}/cells/{cell_id}/render",
        Phase::Publish,
        Host::Api,
        PaidPost,
    ),
    op(
        "create_user_job",
        "POST",
        "/v1/user_jobs",
        Phase::Publish,
        Host::Api,
        PaidPost,
    ),
    op(
        "get_user_job",
        "GET",
        "/v1/user_jobs/{id}",
        Phase::Publish,
        Host::Api,
        Idempotent,
    ),
];

/// Address of a vidsheet cell: agent, engine (sheet) and cell ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CellRef {
    /// The agent owning the engine (`?agent_id=`).
    pub agent_id: i64,
    /// The engine (sheet) id.
    pub engine_id: i64,
    /// The cell id.
    pub cell_id: i64,
}

impl CellRef {
    /// A cell address.
    pub fn new(agent_id: i64, engine_id: i64, cell_id: i64) -> Self {
        Self {
            agent_id,
            engine_id,
            cell_id,
        }
    }

    /// A layer of this cell.
    pub fn layer(self, layer_id: i64) -> LayerRef {
        LayerRef {
            cell: self,
            layer_id,
        }
    }
}

/// The id of the cell in the engine's first row (lowest `position`) whose
/// column matches `column`, e.g. the `final_video` cell to render:
///
/// ```
/// # fn f(engine: &gen_sdk::gen_api::types::Engine) {
/// let final_video = gen_sdk::phases::first_row_cell(engine, |c| {
///     c.role.as_ref().is_some_and(|r| r.as_str() == "final_video")
/// });
/// # }
/// ```
///
/// Cells are looked up in `spreadsheet_cells` and in each row's nested
/// `spreadsheet_cells` (GEN may send either).
pub fn first_row_cell(
    engine: &types::Engine,
    column: impl Fn(&types::Column) -> bool,
) -> Option<i64> {
    let row = engine
        .spreadsheet_rows
        .iter()
        .filter(|r| r.id.is_some())
        .min_by_key(|r| r.position.unwrap_or(i64::MAX))?
        .id?;
    let columns: Vec<i64> = engine
        .spreadsheet_columns
        .iter()
        .filter(|c| column(c))
        .filter_map(|c| c.id)
        .collect();
    engine
        .spreadsheet_cells
        .iter()
        .chain(
            engine
                .spreadsheet_rows
                .iter()
                .flat_map(|r| r.spreadsheet_cells.iter()),
        )
        .find(|c| {
            c.id.is_some()
                && c.row_id == Some(row)
                && c.column_id.is_some_and(|id| columns.contains(&id))
        })
        .and_then(|c| c.id)
}

/// Address of a layer of a vidsheet cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LayerRef {
    /// The cell.
    pub cell: CellRef,
    /// The layer id.
    pub layer_id: i64,
}

macro_rules! handle {
    ($(#[$meta:meta])* $name:ident, $phase:expr) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug)]
        pub struct $name<'a> {
            client: &'a GenClient,
        }

        impl<'a> $name<'a> {
            /// The phase of this handle.
            pub const PHASE: Phase = $phase;

            pub(crate) fn new(client: &'a GenClient) -> Self {
                Self { client }
            }

            /// The gen-api client of this step's host: every operation of
            /// the step is a method of it (bring the traits in scope with
            /// `use gen_api::prelude::*`). Retries and error conversion are
            /// available through [`GenClient::send`].
            pub fn raw(&self) -> &'a gen_api::Client {
                self.client.raw(Self::PHASE.primary_host())
            }

            /// The gen-api client on which `operation_id` is reachable, or
            /// `None` when the operation is not part of this step.
            pub fn raw_for(&self, operation_id: &str) -> Option<&'a gen_api::Client> {
                self.client.raw_for(Self::PHASE, operation_id)
            }

            /// The operations of this step.
            pub fn operations(&self) -> impl Iterator<Item = &'static OperationSpec> + 'static {
                OPERATIONS.iter().filter(|op| op.phase == Self::PHASE)
            }

            /// The client.
            pub fn client(&self) -> &'a GenClient {
                self.client
            }
        }
    };
}

handle!(
    /// Step 1 — set up the agent: user, agents, Agent Core, voices,
    /// workspaces (organizations) and credits, API keys.
    Setup,
    Phase::Setup
);
handle!(
    /// Step 2 — generate content ideas: agent runs, conversations, ideas,
    /// research (agent host), monitoring job updates (api host).
    Ideas,
    Phase::Ideas
);
handle!(
    /// Step 3 — convert an idea to a vidsheet: templates and engines.
    Vidsheet,
    Phase::Vidsheet
);
handle!(
    /// Step 4 — edit and generate: rows, columns, cells, layers,
    /// generations, variables, content resources, assets, automation.
    Edit,
    Phase::Edit
);
handle!(
    /// Step 5 — export and publish: render, publish / schedule, publish
    /// jobs.
    Publish,
    Phase::Publish
);

fn id(value: i64) -> String {
    value.to_string()
}

fn json_body<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

impl<'a> Setup<'a> {
    /// `GET /v1/me`: the current user.
    pub async fn me(&self) -> Result<types::User, Error> {
        Ok(self.client.call("get_me", &[], &[], None).await?.1)
    }

    /// `GET /v1/agents/{agent_id}/core`: the flat agent setup.
    pub async fn agent_core(&self, agent_id: i64) -> Result<types::AgentCore, Error> {
        let path = [("agent_id", id(agent_id))];
        Ok(self
            .client
            .call("get_agent_core", &path, &[], None)
            .await?
            .1)
    }

    /// `PATCH /v1/agents/{agent_id}/core`: writes the fields set in `patch`
    /// (validated first: description ≤ 500, personality ≤ 20000
    /// characters). A `207 Multi-Status` answer is not an error: the result
    /// lists the sections that failed.
    pub async fn update_agent_core(
        &self,
        agent_id: i64,
        patch: &AgentCorePatch,
    ) -> Result<AgentCoreUpdate, Error> {
        patch.validate()?;
        let path = [("agent_id", id(agent_id))];
        let (status, result) = self
            .client
            .call::<types::AgentCoreUpdateResult>(
                "update_agent_core",
                &path,
                &[],
                Some(&patch.to_json()),
            )
            .await?;
        Ok(AgentCoreUpdate::from_answer(status, result))
    }

    /// `GET /v1/organizations/{id}`: a workspace, with its credit balance.
    pub async fn organization(&self, organization_id: i64) -> Result<types::Organization, Error> {
        let path = [("id", id(organization_id))];
        Ok(self
            .client
            .call("get_organization", &path, &[], None)
            .await?
            .1)
    }

    /// The credit balance of a workspace (`available_credit` of
    /// `GET /v1/organizations/{id}`); `None` when GEN did not include it.
    /// Read it before a batch: a 422 `insufficient_credits_for_job`
    /// mid-batch is painful.
    pub async fn credits(
        &self,
        organization_id: i64,
    ) -> Result<Option<types::AvailableCredit>, Error> {
        Ok(self.organization(organization_id).await?.available_credit)
    }
}

impl<'a> Ideas<'a> {
    /// `POST /v1/agent/run`: starts an agent run (ideas, refinement,
    /// `remember:` preferences, chat). Pass the `conversation_id` of an
    /// earlier run to refine its ideas. Spends credits: retried only when
    /// the request never reached GEN.
    pub async fn start_run(
        &self,
        agent_id: i64,
        message: impl Into<String>,
        conversation_id: Option<&str>,
    ) -> Result<types::AgentRunCreated, Error> {
        let message = message.into();
        if message.trim().is_empty() {
            return Err(Error::validation("message", "must not be empty", None));
        }
        let body = types::AgentRunRequest {
            agent_id: agent_id.to_string(),
            conversation_id: conversation_id.map(str::to_owned),
            message,
        };
        Ok(self
            .client
            .call("create_agent_run", &[], &[], Some(&json_body(&body)))
            .await?
            .1)
    }

    /// `GET /v1/agent/runs/{run_id}`: a run's status (and, when completed,
    /// its ideas or research findings).
    pub async fn run(&self, run_id: &str) -> Result<types::AgentRun, Error> {
        let path = [("run_id", run_id.to_owned())];
        Ok(self.client.call("get_agent_run", &path, &[], None).await?.1)
    }

    /// `GET /v1/agent/conversations/{id}/messages`: the messages (and the
    /// ideas in them) of a conversation.
    pub async fn messages(&self, conversation_id: &str) -> Result<Vec<types::Message>, Error> {
        let path = [("id", conversation_id.to_owned())];
        Ok(self
            .client
            .call("list_conversation_messages", &path, &[], None)
            .await?
            .1)
    }

    /// `GET /v1/agent/ideas?agent_id=&status=`: an agent's ideas.
    pub async fn ideas(
        &self,
        agent_id: i64,
        status: Option<IdeaStatus>,
    ) -> Result<Vec<types::Idea>, Error> {
        let mut query = vec![("agent_id", id(agent_id))];
        if let Some(status) = status {
            query.push(("status", status.into()));
        }
        Ok(self.client.call("list_ideas", &[], &query, None).await?.1)
    }

    /// `POST /v1/research`: standalone research on `topic`; poll the
    /// returned run with [`Self::run`]. Spends credits.
    pub async fn research(
        &self,
        agent_id: i64,
        topic: impl Into<String>,
        depth: types::ResearchRequestDepth,
    ) -> Result<types::AgentRunCreated, Error> {
        let topic = topic.into();
        if topic.trim().is_empty() {
            return Err(Error::validation("topic", "must not be empty", None));
        }
        let body = types::ResearchRequest {
            agent_id: agent_id.to_string(),
            depth,
            topic,
        };
        Ok(self
            .client
            .call("create_research", &[], &[], Some(&json_body(&body)))
            .await?
            .1)
    }
}

impl<'a> Vidsheet<'a> {
    /// `GET /v1/templates/projects`: the templates (first page).
    pub async fn templates(&self) -> Result<Vec<types::Template>, Error> {
        Ok(self.client.call("list_templates", &[], &[], None).await?.1)
    }

    /// `POST /v1/templates/spreadsheets/{slug}/clone`: clones a template
    /// into the agent (free). Not retried on 5xx (a retry could create a
    /// second engine).
    pub async fn clone_template(&self, slug: &str, agent_id: i64) -> Result<types::Engine, Error> {
        let path = [("slug", slug.trim().to_owned())];
        // seed 001's curl quotes the id: `{ "agent_id": "'"$AGENT_ID"'" }`
        let body = json_body(&types::TemplateCloneRequest {
            agent_id: agent_id.to_string(),
        });
        Ok(self
            .client
            .call("clone_template", &path, &[], Some(&body))
            .await?
            .1)
    }

    /// `GET /v1/autocontentengine/{id}?agent_id=`: an engine with its
    /// columns, rows, cells and layers.
    pub async fn engine(&self, engine_id: i64, agent_id: i64) -> Result<types::Engine, Error> {
        let path = [("id", id(engine_id))];
        let query = [("agent_id", id(agent_id))];
        Ok(self.client.call("get_engine", &path, &query, None).await?.1)
    }
}

impl CellRef {
    fn path(&self) -> [(&'static str, String); 2] {
        [("id", id(self.engine_id)), ("cell_id", id(self.cell_id))]
    }

    fn query(&self) -> [(&'static str, String); 1] {
        [("agent_id", id(self.agent_id))]
    }
}

impl<'a> Edit<'a> {
    /// `PATCH .../cells/{cell_id}`: sets a cell's value.
    pub async fn update_cell(
        &self,
        cell: CellRef,
        value: impl Into<String>,
    ) -> Result<types::Cell, Error> {
        let body = types::CellRequest {
            spreadsheet_cell: types::CellInput {
                value: Some(value.into()),
                ..Default::default()
            },
        };
        self.patch_cell(cell, json_body(&body)).await
    }

    /// `PATCH .../cells/{cell_id}`: sets a cell's creation card (validated
    /// first; a typed [`Card`](crate::cards::Card) or a [`GenerateBody`], which may carry an
    /// internal Rails generation type name). Where the seeds disagree about
    /// the card it is sent with a warning ([`Card::warnings`](crate::cards::Card::warnings)).
    pub async fn set_cell_card(
        &self,
        cell: CellRef,
        card: impl Into<GenerateBody>,
    ) -> Result<types::Cell, Error> {
        let card = card.into();
        card.validate()?;
        crate::cards::warn_once(&card.warnings());
        let body = serde_json::json!({ "spreadsheet_cell": card.to_json() });
        self.patch_cell(cell, body).await
    }

    async fn patch_cell(
        &self,
        cell: CellRef,
        body: serde_json::Value,
    ) -> Result<types::Cell, Error> {
        Ok(self
            .client
            .call("update_cell", &cell.path(), &cell.query(), Some(&body))
            .await?
            .1)
    }

    /// `POST .../cells/{cell_id}/generate`: generates the cell from `card`
    /// (a typed [`Card`](crate::cards::Card) or a [`GenerateBody`]; validated first; sent as is,
    /// so models newer than gen-api work). Where the seeds disagree about the
    /// card (e.g. Veo with 10 s) it is sent and each warning is logged once
    /// ([`Card::warnings`](crate::cards::Card::warnings)). Spends credits: retried only when the request
    /// never reached GEN.
    pub async fn generate_on_cell(
        &self,
        cell: CellRef,
        card: impl Into<GenerateBody>,
    ) -> Result<types::GenerationCreated, Error> {
        let card = card.into();
        card.validate()?;
        crate::cards::warn_once(&card.warnings());
        Ok(self
            .client
            .call(
                "generate_on_cell",
                &cell.path(),
                &cell.query(),
                Some(&card.to_json()),
            )
            .await?
            .1)
    }

    /// `POST .../cells/{cell_id}/layers/{layer_id}/generate`: generates a
    /// layer from `card` (validated first; warnings as for
    /// [`Edit::generate_on_cell`]). Spends credits.
    pub async fn generate_on_layer(
        &self,
        layer: LayerRef,
        card: impl Into<GenerateBody>,
    ) -> Result<types::GenerationCreated, Error> {
        let card = card.into();
        card.validate()?;
        crate::cards::warn_once(&card.warnings());
        let [engine, cell] = layer.cell.path();
        let path = [engine, cell, ("layer_id", id(layer.layer_id))];
        Ok(self
            .client
            .call(
                "generate_on_layer",
                &path,
                &layer.cell.query(),
                Some(&card.to_json()),
            )
            .await?
            .1)
    }

    /// `GET /v1/generations/{id}`: a generation's status and output.
    pub async fn generation(&self, generation_id: i64) -> Result<types::Generation, Error> {
        let path = [("id", id(generation_id))];
        Ok(self
            .client
            .call("get_generation", &path, &[], None)
            .await?
            .1)
    }

    /// `POST /v1/generations/{id}/stop`: cancels a generation (credits are
    /// refunded).
    pub async fn stop_generation(&self, generation_id: i64) -> Result<types::Generation, Error> {
        let path = [("id", id(generation_id))];
        Ok(self
            .client
            .call("stop_generation", &path, &[], None)
            .await?
            .1)
    }

    /// `POST /v1/generations/{id}/continue`: resumes a stopped generation
    /// (credits are charged again; retried only when the request never
    /// reached GEN).
    pub async fn continue_generation(
        &self,
        generation_id: i64,
    ) -> Result<types::Generation, Error> {
        let path = [("id", id(generation_id))];
        Ok(self
            .client
            .call("continue_generation", &path, &[], None)
            .await?
            .1)
    }
}

/// When to publish.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Schedule {
    /// At once (`schedule_type: "now"`).
    Now,
    /// Later (`schedule_type: "scheduled"`, `scheduled_time`).
    At(chrono::DateTime<chrono::Utc>),
}

/// A post to publish: the fields of a `publish_content` user job, which the
/// API takes as a JSON *string* in `data` (gen-sdk encodes it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublishPost {
    /// `tiktok` (Instagram / YouTube coming).
    pub platform: String,
    /// A publicly accessible media URL (a render's `output_resources[0].url`).
    pub media_url: String,
    /// The post's caption.
    pub description: String,
    /// `VIDEO`.
    pub media_type: String,
    /// Now or later.
    pub schedule: Schedule,
}

impl PublishPost {
    /// A TikTok video post published now.
    pub fn tiktok(media_url: impl Into<String>, description: impl Into<String>) -> Self {
        Self {
            platform: "tiktok".to_owned(),
            media_url: media_url.into(),
            description: description.into(),
            media_type: "VIDEO".to_owned(),
            schedule: Schedule::Now,
        }
    }

    /// Schedules the post for `at` instead of now.
    pub fn scheduled(mut self, at: chrono::DateTime<chrono::Utc>) -> Self {
        self.schedule = Schedule::At(at);
        self
    }

    /// Checks the post: a platform, and an `http(s)` media URL.
    pub fn validate(&self) -> Result<(), Error> {
        if self.platform.trim().is_empty() {
            return Err(Error::validation(
                "data.platform",
                "must not be empty",
                None,
            ));
        }
        match url::Url::parse(&self.media_url) {
            Ok(url) if matches!(url.scheme(), "https" | "http") => Ok(()),
            _ => Err(Error::validation(
                "data.media_url",
                "must be a publicly accessible http(s) URL",
                None,
            )),
        }
    }

    /// The `data` JSON string, fields in the documented order.
    pub fn data_string(&self) -> String {
        #[derive(serde::Serialize)]
        struct Data<'a> {
            platform: &'a str,
            media_url: &'a str,
            description: &'a str,
            schedule_type: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            scheduled_time: Option<String>,
            media_type: &'a str,
        }
        let (schedule_type, scheduled_time) = match &self.schedule {
            Schedule::Now => ("now", None),
            Schedule::At(at) => (
                "scheduled",
                Some(at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
            ),
        };
        serde_json::to_string(&Data {
            platform: &self.platform,
            media_url: &self.media_url,
            description: &self.description,
            schedule_type,
            scheduled_time,
            media_type: &self.media_type,
        })
        .unwrap_or_default()
    }
}

impl<'a> Publish<'a> {
    /// `POST .../cells/{cell_id}/render`: composites the final_video cell's
    /// layers into one MP4; poll the generation with
    /// [`Edit::generation`]. Spends credits.
    pub async fn render(&self, cell: CellRef) -> Result<types::GenerationCreated, Error> {
        Ok(self
            .client
            .call("render_cell", &cell.path(), &cell.query(), None)
            .await?
            .1)
    }

    /// `POST /v1/user_jobs` (`publish_content`): publishes now or schedules
    /// `post`. The agent needs a connected account on the platform. Not
    /// retried unless the request never reached GEN.
    pub async fn publish(
        &self,
        agent_id: i64,
        post: &PublishPost,
    ) -> Result<types::UserJobCreated, Error> {
        post.validate()?;
        let body = types::UserJobCreate {
            data: post.data_string(),
            user_job_type: types::UserJobCreateUserJobType::PublishContent,
        };
        let query = [("agent_id", id(agent_id))];
        Ok(self
            .client
            .call("create_user_job", &[], &query, Some(&json_body(&body)))
            .await?
            .1)
    }

    /// `GET /v1/user_jobs/{id}?agent_id=`: a publish job; on `completed`,
    /// `result.post_id` is the platform's post id.
    pub async fn user_job(&self, user_job_id: i64, agent_id: i64) -> Result<types::UserJob, Error> {
        let path = [("id", id(user_job_id))];
        let query = [("agent_id", id(agent_id))];
        Ok(self
            .client
            .call("get_user_job", &path, &query, None)
            .await?
            .1)
    }
}
