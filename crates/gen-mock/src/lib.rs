//! A stateful, offline fake of the GEN Auto Content Engine API.
//!
//! One axum app serves the paths of both hosts (`api.gen.pro` and `agent.gen.pro`, all under
//! `/v1`), plus three mock-only routes: `GET /healthz`, the direct-upload target
//! `PUT /storage/{key}` and a public CDN `GET /cdn/{*path}` serving the generated outputs.
//!
//! Use it in-process without a socket ([`app`] / [`router`]) or on 127.0.0.1 ([`MockServer`]),
//! or run the `genpro-mock` binary.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use genpro_mock::{MockConfig, MockServer};
//! let server = MockServer::start(MockConfig::default()).await?;
//! println!("{} (key {})", server.base_url(), server.api_key());
//! server.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Behaviour in short (see [`MockConfig`] for the knobs):
//! - Auth: `X-API-Key: <key>` or `Authorization: Bearer <key>` on everything except the three
//!   mock-only routes; 401 `unauthorized` otherwise.
//! - Seed data: user 7, workspace/organization 1 (with `available_credit`), agent 42 with a full
//!   Agent Core, four public voices, seven starter templates.
//! - Generations go `pending` → `processing` → `completed` lazily from timestamps (tokio time),
//!   with credits pre-charged, refunded on stop/failure and re-charged on continue.
//! - Success status codes follow openapi.yaml (201 for generate and render, 204 for deletes,
//!   200 elsewhere).
//! - Varied answers on request ([`MockConfig::vary`], [`vary`]): the fields no seed pins in
//!   other plausible shapes (numbers as strings and the reverse, `null`, left out, unknown
//!   fields added), seeded and reproducible.

mod config;
mod error;
mod handlers;
mod middleware;
mod model;
mod seed;
mod state;
mod store;
pub mod vary;

pub mod generated {
    //! Written by `cargo xtask generate` from openapi.yaml.
    pub mod unpinned;
}

use std::net::SocketAddr;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, patch, post, put};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use config::{
    GENERATION_TYPES, MockConfig, RAILS_GENERATION_TYPES, canonical_generation_type, default_costs,
};
pub use error::ApiError;
pub use state::{LedgerEntry, MockState, RequestRecord, StoragePutRecord};

use handlers::{engine, generations, ideas, jobs, setup, uploads};

/// Largest request body buffered by handlers (multipart uploads, JSON). The storage PUT streams
/// and is not limited.
pub const MAX_BUFFERED_BODY: usize = 64 * 1024 * 1024;

/// The full app for `config` with fresh state (in-process use, e.g. with `tower::ServiceExt::oneshot`).
pub fn app(config: MockConfig) -> Router {
    router(MockState::new(config))
}

/// The full app over an existing state (keep a clone of `state` to inspect it).
pub fn router(state: MockState) -> Router {
    let api = Router::new()
        // setup
        .route("/v1/me", get(setup::me))
        .route("/v1/workspaces", get(setup::workspaces))
        .route(
            "/v1/agents",
            get(setup::list_agents).post(setup::create_agent),
        )
        .route(
            "/v1/agents/{id}",
            get(setup::get_agent)
                .patch(setup::update_agent)
                .delete(setup::delete_agent),
        )
        .route(
            "/v1/agents/{id}/core",
            get(setup::get_core).patch(setup::update_core),
        )
        .route("/v1/agents/{id}/voice/library", get(setup::list_voices))
        .route(
            "/v1/agents/{id}/voice/integrations/elevenlabs",
            post(setup::connect_elevenlabs).delete(setup::disconnect_elevenlabs),
        )
        .route(
            "/v1/agents/{id}/voice/integrations/elevenlabs/test",
            post(setup::test_elevenlabs),
        )
        .route(
            "/v1/agents/{id}/voice/design/generate-script",
            post(setup::design_script),
        )
        .route(
            "/v1/agents/{id}/voice/design/generate-description",
            post(setup::design_description),
        )
        .route(
            "/v1/agents/{id}/voice/design/generate-samples",
            post(setup::design_samples),
        )
        .route("/v1/agents/{id}/voice/design", post(setup::design_create))
        .route("/v1/agents/{id}/voice/clone", post(setup::clone_voice))
        .route(
            "/v1/agents/{id}/voice/{voice_id}",
            delete(setup::delete_voice),
        )
        .route(
            "/v1/agents/{id}/voice/{voice_id}/preview",
            post(setup::create_preview),
        )
        .route(
            "/v1/agents/{id}/voice/preview/{job_id}",
            get(setup::get_preview),
        )
        .route(
            "/v1/agents/{id}/automation_config",
            get(setup::get_automation).patch(setup::update_automation),
        )
        .route(
            "/v1/agents/{id}/automation_config/test_webhook",
            post(setup::test_webhook),
        )
        .route(
            "/v1/agents/{id}/automation_config/test_callback",
            post(setup::test_callback),
        )
        .route(
            "/v1/organizations",
            get(setup::list_orgs).post(setup::create_org),
        )
        .route(
            "/v1/organizations/{id}",
            get(setup::get_org)
                .patch(setup::update_org)
                .delete(setup::delete_org),
        )
        .route(
            "/v1/persisted_tokens",
            get(setup::list_tokens).post(setup::create_token),
        )
        .route(
            "/v1/persisted_tokens/revoke_all",
            delete(setup::revoke_all_tokens),
        )
        .route("/v1/persisted_tokens/{id}", patch(setup::rename_token))
        .route(
            "/v1/persisted_tokens/{id}/revoke",
            delete(setup::revoke_token),
        )
        // ideas (agent host)
        .route("/v1/agent/run", post(ideas::create_run))
        .route("/v1/agent/runs/{run_id}", get(ideas::get_run))
        .route("/v1/agent/runs/{run_id}/approve", post(ideas::approve_run))
        .route("/v1/agent/conversations", get(ideas::list_conversations))
        .route(
            "/v1/agent/conversations/{id}",
            get(ideas::get_conversation)
                .patch(ideas::update_conversation)
                .delete(ideas::delete_conversation),
        )
        .route(
            "/v1/agent/conversations/{id}/messages",
            get(ideas::list_messages),
        )
        .route(
            "/v1/agent/conversations/{id}/runs",
            get(ideas::list_conv_runs),
        )
        .route("/v1/agent/ideas", get(ideas::list_ideas))
        .route("/v1/agent/ideas/{id}/status", post(ideas::advance_idea))
        .route(
            "/v1/agent/ideas/{id}/status/{status}",
            put(ideas::set_idea_status),
        )
        .route("/v1/research", post(ideas::create_research))
        // user jobs
        .route("/v1/user_jobs", post(jobs::create_user_job))
        .route(
            "/v1/user_jobs/{id}",
            get(jobs::get_user_job).put(jobs::update_user_job),
        )
        // vidsheet
        .route("/v1/templates/projects", get(engine::list_templates))
        .route("/v1/templates/projects/{slug}", get(engine::get_template))
        .route(
            "/v1/templates/spreadsheets/{slug}/clone",
            post(engine::clone_template),
        )
        .route("/v1/autocontentengine", post(engine::create_engine))
        .route(
            "/v1/autocontentengine/global_variables_template",
            get(engine::global_variables_template),
        )
        .route("/v1/autocontentengine/{id}", get(engine::get_engine))
        .route(
            "/v1/autocontentengine/{id}/clone",
            post(engine::clone_engine),
        )
        // edit: rows
        .route(
            "/v1/autocontentengine/{id}/rows",
            get(engine::list_rows).post(engine::create_row),
        )
        .route(
            "/v1/autocontentengine/{id}/rows/update_positions",
            put(engine::update_row_positions),
        )
        .route(
            "/v1/autocontentengine/{id}/rows/mass_update",
            put(engine::mass_update_rows),
        )
        .route(
            "/v1/autocontentengine/{id}/rows/{row_id}",
            get(engine::get_row),
        )
        .route(
            "/v1/autocontentengine/{id}/rows/{row_id}/duplicate",
            post(engine::duplicate_row),
        )
        // columns
        .route(
            "/v1/autocontentengine/{id}/columns",
            get(engine::list_columns).post(engine::create_column),
        )
        .route(
            "/v1/autocontentengine/{id}/columns/update_positions",
            patch(engine::update_column_positions),
        )
        .route(
            "/v1/autocontentengine/{id}/columns/mass_update",
            put(engine::mass_update_columns),
        )
        .route(
            "/v1/autocontentengine/{id}/columns/{col_id}/duplicate",
            post(engine::duplicate_column),
        )
        // cells
        .route(
            "/v1/autocontentengine/{id}/cells/mass_update",
            put(engine::mass_update_cells),
        )
        .route(
            "/v1/autocontentengine/{id}/cells/{cell_id}",
            get(engine::get_cell).patch(engine::update_cell),
        )
        .route(
            "/v1/autocontentengine/{id}/cells/{cell_id}/set_default_user_job",
            patch(engine::set_default_user_job),
        )
        .route(
            "/v1/autocontentengine/{id}/cells/{cell_id}/generate",
            post(generations::generate_on_cell),
        )
        .route(
            "/v1/autocontentengine/{id}/cells/{cell_id}/render",
            post(generations::render_cell),
        )
        // layers
        .route(
            "/v1/autocontentengine/{id}/cells/{cell_id}/layers",
            post(engine::create_layer),
        )
        .route(
            "/v1/autocontentengine/{id}/cells/{cell_id}/layers/update_positions",
            put(engine::update_layer_positions),
        )
        .route(
            "/v1/autocontentengine/{id}/cells/{cell_id}/layers/{layer_id}",
            get(engine::get_layer)
                .patch(engine::update_layer)
                .delete(engine::delete_layer),
        )
        .route(
            "/v1/autocontentengine/{id}/cells/{cell_id}/layers/{layer_id}/duplicate",
            post(engine::duplicate_layer),
        )
        .route(
            "/v1/autocontentengine/{id}/cells/{cell_id}/layers/{layer_id}/generate",
            post(generations::generate_on_layer),
        )
        // variables
        .route(
            "/v1/autocontentengine/{id}/global_variables",
            get(engine::list_global_variables),
        )
        .route(
            "/v1/autocontentengine/{id}/import_global_variables",
            post(engine::import_global_variables),
        )
        // generations
        .route("/v1/generations/{id}", get(generations::get_generation))
        .route(
            "/v1/generations/{id}/stop",
            post(generations::stop_generation),
        )
        .route(
            "/v1/generations/{id}/continue",
            post(generations::continue_generation),
        )
        // uploads & assets
        .route(
            "/v1/content_resources",
            get(uploads::list_resources).post(uploads::create_resource),
        )
        .route(
            "/v1/content_resources/{id}",
            get(uploads::get_resource)
                .patch(uploads::update_resource)
                .delete(uploads::delete_resource),
        )
        .route("/v1/asset_libraries", get(uploads::list_asset_libraries))
        .route("/v1/asset_folders", post(uploads::create_folder))
        .route(
            "/v1/asset_folders/{id}",
            patch(uploads::update_folder).delete(uploads::delete_folder),
        )
        .route("/v1/direct_upload", post(uploads::create_direct_upload))
        // mock-only
        .route("/healthz", get(handlers::healthz))
        .route("/storage/{key}", put(uploads::storage_put))
        .route("/cdn/{*path}", get(uploads::cdn_get))
        .fallback(handlers::not_found)
        .method_not_allowed_fallback(handlers::method_not_allowed);

    api.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        vary::layer,
    ))
    .layer(axum::middleware::from_fn_with_state(
        state.clone(),
        middleware::gate,
    ))
    .layer(DefaultBodyLimit::max(MAX_BUFFERED_BODY))
    .with_state(state)
}

/// A mock server listening on 127.0.0.1.
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    state: MockState,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl MockServer {
    /// Bind 127.0.0.1 (`config.port`, or an ephemeral port) and serve in a background task.
    pub async fn start(config: MockConfig) -> std::io::Result<MockServer> {
        let port = config.port.unwrap_or(0);
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let state = MockState::new(config);
        state.set_base_url(format!("http://{addr}"));
        let app = router(state.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(MockServer {
            addr,
            state,
            stop: Some(tx),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT` (no `/v1`).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Base URL for the api host's paths (same as [`MockServer::base_url`]).
    pub fn api_url(&self) -> String {
        self.base_url()
    }

    /// Base URL for the agent host's paths (same as [`MockServer::base_url`]).
    pub fn agent_url(&self) -> String {
        self.base_url()
    }

    /// The socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The first accepted API key.
    pub fn api_key(&self) -> String {
        self.state
            .config()
            .api_keys
            .first()
            .cloned()
            .unwrap_or_default()
    }

    /// The shared state (inspection helpers).
    pub fn state(&self) -> MockState {
        self.state.clone()
    }

    /// The full app for `config` with fresh state (same as [`app`]).
    pub fn app(config: MockConfig) -> Router {
        app(config)
    }

    /// The full app over an existing state (same as [`router`]).
    pub fn router(state: MockState) -> Router {
        router(state)
    }

    /// Stop serving: graceful for up to one second (pending long-polls are cut after that).
    pub async fn shutdown(mut self) {
        self.stop_now().await;
    }

    async fn stop_now(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(mut task) = self.task.take() {
            let graceful = tokio::time::timeout(std::time::Duration::from_secs(1), &mut task).await;
            if graceful.is_err() {
                task.abort();
            }
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
