//! # genpro-mcp — the GEN API as a Model Context Protocol server
//!
//! `gen mcp` (the `gen` CLI) serves these tools over stdio, or Streamable
//! HTTP on a loopback address, with the official Rust MCP SDK (`rmcp`).
//! Every tool comes from one catalog ([`tools::catalog`]); a [`Selection`]
//! says which are listed (by default about 19 KB of `tools/list`, where
//! listing every tool takes about 80 KB):
//!
//! - **One tool per operation of the API, generated at run time** from the
//!   operation table ([`genpro_sdk::genpro_api::operations::OPERATIONS`]): named
//!   `{phase}_{operation_id}` (`edit_get_generation`), described by the
//!   operation's summary, method, path and phase ("Spends credits." for paid
//!   operations, "Read-only." for GETs), with the operation's JSON Schema
//!   in compact form ([`compact::listed`]: path and query parameters as
//!   properties, `body` for the JSON body) and the annotations
//!   `readOnlyHint` (GET), `destructiveHint` (DELETE), `idempotentHint`
//!   (retry class idempotent). Calling one runs [`genpro_sdk::dynamic::call`]
//!   through genpro-sdk's one transport (auth, host routing, retries by
//!   class: a paid POST is never sent twice); its result is
//!   `{"status", "body"}`, a text answer's `body` its text, a binary
//!   answer's bytes in `body_base64` (up to 16 KiB; larger ones are
//!   described, never passed on as lossy text). Listed by default: the
//!   operations openapi.yaml marks `x-mcp-core: true`.
//! - **Meta-tools** ([`tools::Meta`]): `search_operations`,
//!   `describe_operation` (the full input schema) and `call_operation`
//!   reach every operation on demand; in dynamic mode `list_toolsets` and
//!   `enable_toolset` add a [`Toolset`] to the session's list and send
//!   `notifications/tools/list_changed`. A new operation in openapi.yaml
//!   is a tool, searchable and callable, after `cargo xtask generate`,
//!   with no edit here.
//! - **Workflow tools** on genpro-sdk's helpers ([`tools::Workflow`]): generate
//!   from a typed card and wait, wait for any job, upload a local file
//!   (only under the allowed roots: the client's MCP roots, else
//!   [`Settings::allow_dirs`]), render and wait, publish and wait, run the
//!   Ideas Engine and wait, the credit balance with a cost check, and a
//!   credit-checked column regeneration. Their waits are bounded, report
//!   MCP progress notifications and end on MCP cancellation (optionally
//!   stopping the generation: `stop_on_cancel`).
//! - **Resources and a prompt**: the operation reference ([`INDEX_URI`],
//!   [`OPERATION_URI_TEMPLATE`], [`CARD_URI`]) and [`JOURNEY_PROMPT`].
//!
//! Errors come back as tool errors (`isError: true`) whose structured
//! content carries GEN's `status`, `error_code`, `hint` and `request_id`.
//! The API key never appears in a tool output: genpro-sdk keeps it out of its
//! errors, and every output is scrubbed of it once more.
//!
//! Without an API key (or with [`Options::offline`]) the server starts the
//! in-process fake ([`genpro_mock::MockServer`]) and says so in its
//! instructions.
//!
//! ```no_run
//! # async fn run() -> Result<(), genpro_mcp::BoxError> {
//! let backend = genpro_mcp::Backend::connect(genpro_mcp::Options::default()).await?;
//! let settings = genpro_mcp::Settings {
//!     selection: genpro_mcp::Selection::parse(Some("default,publish"), None, false)?,
//!     allow_dirs: vec!["/home/me/videos".into()],
//! };
//! genpro_mcp::serve_stdio(backend, settings).await?;
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]

pub mod compact;
mod meta;
mod output;
mod reference;
mod roots;
mod server;
pub mod tools;
mod workflow;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use genpro_sdk::GenClient;
use rmcp::ServiceExt;

pub use reference::{CARD_URI, INDEX_URI, JOURNEY_PROMPT, OPERATION_URI_TEMPLATE};
pub use roots::RootsSource;
pub use server::GenMcp;
pub use tools::{Selection, Toolset};

/// What a server offers: which tools it lists ([`Selection`]) and which
/// folders its upload tool may read when the client offers no MCP roots.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// The tools listed at the start of a session (default: core, workflow
    /// and meta), and whether the client may enable more at run time.
    pub selection: Selection,
    /// The folders `edit_upload_file` may read when the client offers no
    /// MCP roots (`gen mcp --allow-dir`). Empty: the working directory.
    pub allow_dirs: Vec<PathBuf>,
}

impl Settings {
    /// The folders local files may be read from when the client offers no
    /// roots: [`Settings::allow_dirs`], or the working directory.
    pub fn allowed_dirs(&self) -> Vec<PathBuf> {
        if self.allow_dirs.is_empty() {
            std::env::current_dir().into_iter().collect()
        } else {
            self.allow_dirs.clone()
        }
    }
}

/// The error type of the serving functions.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// How to reach GEN.
#[derive(Clone, Default)]
pub struct Options {
    /// The API key; `None` or empty: serve the offline fake.
    pub api_key: Option<String>,
    /// Base URL of the api host (default `https://api.gen.pro`).
    pub api_url: Option<String>,
    /// Base URL of the agent host (default `https://agent.gen.pro`).
    pub agent_url: Option<String>,
    /// Serve the offline fake even when a key is set.
    pub offline: bool,
    /// Configuration of the offline fake (default: [`genpro_mock::MockConfig::default`]).
    pub mock: Option<genpro_mock::MockConfig>,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("api_key", &self.api_key.as_ref().map(|_| "***"))
            .field("api_url", &self.api_url)
            .field("agent_url", &self.agent_url)
            .field("offline", &self.offline)
            .finish_non_exhaustive()
    }
}

/// The connection the tools use: a genpro-sdk client, and the in-process fake
/// when offline.
pub struct Backend {
    client: GenClient,
    secret: String,
    offline_url: Option<String>,
    mock: tokio::sync::Mutex<Option<genpro_mock::MockServer>>,
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backend")
            .field("client", &self.client)
            .field("offline_url", &self.offline_url)
            .finish_non_exhaustive()
    }
}

impl Backend {
    /// Builds the client; without a key (or with `offline`) starts the
    /// in-process fake first.
    pub async fn connect(options: Options) -> Result<Arc<Self>, BoxError> {
        let key = options.api_key.clone().filter(|k| !k.trim().is_empty());
        let (key, api_url, agent_url, mock) = match key {
            Some(key) if !options.offline => (key, options.api_url, options.agent_url, None),
            _ => {
                let server =
                    genpro_mock::MockServer::start(options.mock.clone().unwrap_or_default())
                        .await?;
                (
                    server.api_key(),
                    Some(server.api_url()),
                    Some(server.agent_url()),
                    Some(server),
                )
            }
        };
        let mut builder = GenClient::builder().api_key(key.clone());
        if let Some(url) = api_url {
            builder = builder.api_url(url);
        }
        if let Some(url) = agent_url {
            builder = builder.agent_url(url);
        }
        let client = builder.build()?;
        Ok(Arc::new(Self {
            client,
            secret: key,
            offline_url: mock.as_ref().map(genpro_mock::MockServer::base_url),
            mock: tokio::sync::Mutex::new(mock),
        }))
    }

    /// A backend on an existing client (no fake). `api_key` is the key the
    /// client was built with: tool outputs are scrubbed of it.
    pub fn from_client(client: GenClient, api_key: impl Into<String>) -> Arc<Self> {
        Arc::new(Self {
            client,
            secret: api_key.into(),
            offline_url: None,
            mock: tokio::sync::Mutex::new(None),
        })
    }

    /// The genpro-sdk client.
    pub fn client(&self) -> &GenClient {
        &self.client
    }

    /// The base URL of the in-process fake, when serving offline.
    pub fn offline_url(&self) -> Option<&str> {
        self.offline_url.as_deref()
    }

    /// Stops the in-process fake, if any.
    pub async fn shutdown(&self) {
        if let Some(mock) = self.mock.lock().await.take() {
            mock.shutdown().await;
        }
    }

    pub(crate) fn secret(&self) -> &str {
        &self.secret
    }
}

/// Sends this process's logs (genpro-sdk's warnings, e.g. where the seeds
/// contradict each other, and the server's own) to stderr: stdout carries
/// the protocol. The level is `GEN_MCP_LOG` (`error`, `warn`, `info`,
/// `debug`, `trace`; default `warn`). Does nothing when a subscriber is
/// already installed. Logs never carry the API key (genpro-sdk sends it in a
/// sensitive header and keeps it out of errors).
pub fn log_to_stderr() {
    let level = std::env::var("GEN_MCP_LOG")
        .ok()
        .and_then(|l| l.trim().parse::<tracing::Level>().ok())
        .unwrap_or(tracing::Level::WARN);
    let subscriber = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(level)
        .with_target(false)
        .finish();
    let _ = tracing::subscriber::set_global_default(subscriber);
}

/// Serves the tools on stdin/stdout until the client disconnects. Logs go
/// to stderr (never stdout, which carries the protocol).
pub async fn serve_stdio(backend: Arc<Backend>, settings: Settings) -> Result<(), BoxError> {
    let service = GenMcp::with_settings(backend.clone(), Arc::new(settings))
        .serve(rmcp::transport::stdio())
        .await?;
    let result = service.waiting().await;
    backend.shutdown().await;
    result?;
    Ok(())
}

/// The official Python client takes only 200 or 204 as a successful end of
/// a session (it logs "Session termination failed: 202" otherwise); rmcp
/// answers the session-ending `DELETE` with 202. A body-less 2xx to a
/// `DELETE` becomes 204 No Content.
async fn session_end_no_content(
    method: axum::http::Method,
    response: axum::response::Response,
) -> axum::response::Response {
    if method == axum::http::Method::DELETE && response.status() == axum::http::StatusCode::ACCEPTED
    {
        let (mut parts, _) = response.into_parts();
        parts.status = axum::http::StatusCode::NO_CONTENT;
        parts.headers.remove(axum::http::header::CONTENT_LENGTH);
        parts.headers.remove(axum::http::header::CONTENT_TYPE);
        return axum::response::Response::from_parts(parts, axum::body::Body::empty());
    }
    response
}

/// The `Origin`s the HTTP transport serves: pages on a loopback host (any
/// port). A request with another `Origin` (a page of another site, e.g.
/// after DNS rebinding) is refused with 403; a request without one (not
/// from a browser) is served.
pub const ALLOWED_ORIGINS: &[&str] = &[
    "http://localhost:*",
    "http://127.0.0.1:*",
    "http://[::1]:*",
    "https://localhost:*",
    "https://127.0.0.1:*",
    "https://[::1]:*",
];

/// Serves the tools over Streamable HTTP at `http://{addr}/mcp` until
/// `shutdown` resolves. Only loopback addresses are accepted: the server
/// acts with the API key and has no authentication of its own. The `Host`
/// must be a loopback name and the `Origin`, when present, one of
/// [`ALLOWED_ORIGINS`]; the `DELETE` that ends a session is answered
/// `204 No Content`.
pub async fn serve_http(
    backend: Arc<Backend>,
    settings: Settings,
    addr: SocketAddr,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), BoxError> {
    use rmcp::transport::streamable_http_server::{
        StreamableHttpServerConfig, StreamableHttpService, session::local::LocalSessionManager,
    };
    if !addr.ip().is_loopback() {
        return Err(format!(
            "refusing to serve on {addr}: the MCP server acts with your API key and has no authentication; bind a loopback address such as 127.0.0.1:{}",
            addr.port()
        )
        .into());
    }
    let ct = tokio_util::sync::CancellationToken::new();
    let factory_backend = backend.clone();
    let settings = Arc::new(settings);
    let service = StreamableHttpService::new(
        move || {
            Ok(GenMcp::with_settings(
                factory_backend.clone(),
                settings.clone(),
            ))
        },
        Arc::new(LocalSessionManager::default()),
        StreamableHttpServerConfig::default()
            .with_sse_keep_alive(Some(Duration::from_secs(15)))
            .with_allowed_origins(ALLOWED_ORIGINS.iter().copied())
            .enforce_origin_validation()
            .with_cancellation_token(ct.child_token()),
    );
    let router = axum::Router::new()
        .nest_service("/mcp", service)
        .layer(axum::middleware::map_response(session_end_no_content));
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let result = axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            shutdown.await;
            ct.cancel();
        })
        .await;
    backend.shutdown().await;
    result?;
    Ok(())
}
