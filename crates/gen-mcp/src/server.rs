//! The MCP server handler: lists the catalog, dispatches calls, reports
//! progress and honours cancellation.

use std::collections::BTreeSet;
use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use genpro_sdk::GenClient;
use genpro_sdk::genpro_api::operations::{Operation, RetryClass};
use genpro_sdk::wait::{Progress, WaitError, WaitOptions};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, GetPromptRequestParams,
    GetPromptResponse, Implementation, JsonObject, ListPromptsResult, ListResourceTemplatesResult,
    ListResourcesResult, ListToolsResult, PaginatedRequestParams, ProgressNotificationParam,
    ProgressToken, ReadResourceRequestParams, ReadResourceResponse, ServerCapabilities,
    ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, Peer, RoleServer, ServerHandler};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::roots::{self, RootsSource};
use crate::tools::{self, Meta, Target, Toolset};
use crate::{Backend, Settings, meta, output, reference};

/// The GEN MCP server on a [`Backend`]: the tools its [`Settings`] select
/// ([`tools::Selection`]), the toolsets a client enables at run time
/// (dynamic mode), the operation reference as resources, and the journey
/// prompt.
#[derive(Clone, Debug)]
pub struct GenMcp {
    backend: Arc<Backend>,
    settings: Arc<Settings>,
    /// The names of the tools this session lists.
    listed: Arc<Mutex<BTreeSet<String>>>,
}

impl GenMcp {
    /// A server on `backend` with the default settings (core, workflow and
    /// meta tools; uploads from the working directory).
    pub fn new(backend: Arc<Backend>) -> Self {
        Self::with_settings(backend, Arc::new(Settings::default()))
    }

    /// A server on `backend` with `settings`.
    pub fn with_settings(backend: Arc<Backend>, settings: Arc<Settings>) -> Self {
        let listed = settings.selection.names().into_iter().collect();
        Self {
            backend,
            settings,
            listed: Arc::new(Mutex::new(listed)),
        }
    }

    /// The names of the tools this session lists now.
    pub fn listed(&self) -> Vec<String> {
        let listed = self.listed.lock().unwrap_or_else(|e| e.into_inner());
        tools::catalog()
            .entries()
            .iter()
            .map(|e| e.tool.name.to_string())
            .filter(|n| listed.contains(n))
            .collect()
    }

    fn is_listed(&self, name: &str) -> bool {
        self.listed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(name)
    }

    /// The instructions sent at initialization.
    pub fn instructions(&self) -> String {
        let mut text = String::from(
            "GEN Auto Content Engine: a raw idea to a published short video in five steps. \
             Tools are named {phase}_{operation}: setup_* (agent, workspace credit), ideas_* \
             (Ideas Engine), vidsheet_* (templates, clone a template into an engine), edit_* \
             (cells, layers, cards, generations, uploads), publish_* (render, publish). The \
             workflow tools wait with progress and can be cancelled. Every API operation is \
             reachable: search_operations finds it, describe_operation gives its full input \
             schema, call_operation runs it. Anything that spends credits is sent once and \
             never retried after it may have reached GEN: check before calling it again. \
             Errors come back as tool errors with status, error_code and hint.",
        );
        if self.settings.selection.is_dynamic() {
            text.push_str(
                " More tools: list_toolsets, then enable_toolset adds a toolset's tools to this list.",
            );
        }
        if let Some(url) = self.backend.offline_url() {
            text.push_str(&format!(
                " OFFLINE MODE: no GEN_API_KEY was given (or --offline), so this server talks to \
                 the built-in fake GEN API (genpro-mock) at {url}; nothing reaches GEN and no real \
                 credits are spent. The fake has user 7, workspace (organization) 1, agent 42 and \
                 seven starter templates (e.g. tiktok-talking-avatar)."
            ));
        }
        text
    }

    async fn dispatch(
        &self,
        request: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResult {
        let secret = self.backend.secret();
        let Some(entry) = tools::catalog().get(&request.name) else {
            return output::bad_arguments(
                format!("unknown tool `{}` (tools/list lists them)", request.name),
                secret,
            );
        };
        if !self.is_listed(&request.name) {
            let how = if self.settings.selection.is_dynamic() {
                "enable its toolset with enable_toolset"
            } else {
                "start the server with --toolsets or --tools naming it"
            };
            return output::bad_arguments(
                format!(
                    "tool `{}` is not enabled on this server: {how}, or reach an operation through call_operation",
                    request.name
                ),
                secret,
            );
        }
        let args = request.arguments.unwrap_or_default();
        let call = Call {
            backend: &self.backend,
            settings: &self.settings,
            ct: ctx.ct.clone(),
            peer: ctx.peer.clone(),
            progress_token: ctx.meta.get_progress_token(),
        };
        tracing::debug!(tool = %request.name, "tool call");
        match entry.target {
            Target::Operation(op) => call.operation(op, &args).await,
            Target::Workflow(w) => w.run(&call, args).await,
            Target::Meta(m) => self.meta(m, &call, args).await,
        }
    }

    async fn meta(&self, m: Meta, call: &Call<'_>, args: JsonObject) -> CallToolResult {
        let secret = call.secret();
        fn parse<T: serde::de::DeserializeOwned>(args: JsonObject) -> Result<T, String> {
            serde_json::from_value(Value::Object(args)).map_err(|e| e.to_string())
        }
        let answer = match m {
            Meta::Search => parse(args).and_then(meta::search),
            Meta::Describe => {
                parse::<meta::DescribeArgs>(args).and_then(|a| meta::describe(&a.operation_id))
            }
            Meta::Call => {
                return match parse::<meta::CallArgs>(args) {
                    Err(e) => output::bad_arguments(e, secret),
                    Ok(a) => match meta::find_operation(&a.operation_id) {
                        Some(op) => call.operation(op, &a.arguments.unwrap_or_default()).await,
                        None => output::bad_arguments(
                            format!(
                                "no operation `{}`; search_operations finds operation ids",
                                a.operation_id
                            ),
                            secret,
                        ),
                    },
                };
            }
            Meta::ListToolsets => Ok(self.toolsets()),
            Meta::EnableToolset => match parse::<meta::EnableArgs>(args) {
                Ok(a) => self.enable(&a.toolset, &call.peer).await,
                Err(e) => Err(e),
            },
        };
        match answer {
            Ok(value) => output::success(value, secret),
            Err(e) => output::bad_arguments(e, secret),
        }
    }

    fn toolsets(&self) -> Value {
        let listed = self.listed.lock().unwrap_or_else(|e| e.into_inner());
        let sets: Vec<Value> = Toolset::all()
            .into_iter()
            .map(|t| {
                let names: Vec<String> = tools::catalog()
                    .entries()
                    .iter()
                    .filter(|e| t.contains(e))
                    .map(|e| e.tool.name.to_string())
                    .collect();
                json!({
                    "toolset": t.name(),
                    "description": t.description(),
                    "enabled": names.iter().all(|n| listed.contains(n)),
                    "tools": names,
                })
            })
            .collect();
        json!({"toolsets": sets})
    }

    async fn enable(&self, name: &str, peer: &Peer<RoleServer>) -> Result<Value, String> {
        let sets = Toolset::parse(name)?;
        let added: Vec<String> = {
            let mut listed = self.listed.lock().unwrap_or_else(|e| e.into_inner());
            tools::catalog()
                .entries()
                .iter()
                .filter(|e| sets.iter().any(|t| t.contains(e)))
                .map(|e| e.tool.name.to_string())
                .filter(|n| listed.insert(n.clone()))
                .collect()
        };
        if !added.is_empty()
            && let Err(e) = peer.notify_tool_list_changed().await
        {
            tracing::debug!(error = %e, "could not send notifications/tools/list_changed");
        }
        Ok(json!({"enabled": name, "added": added}))
    }
}

impl ServerHandler for GenMcp {
    fn get_info(&self) -> ServerConfig {
        let mut capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_resources()
            .enable_prompts()
            .build();
        if self.settings.selection.is_dynamic()
            && let Some(tools) = capabilities.tools.as_mut()
        {
            tools.list_changed = Some(true);
        }
        ServerConfig::new(capabilities)
            .with_server_info(
                Implementation::new("genpro-mcp", env!("CARGO_PKG_VERSION"))
                    .with_title("GEN Auto Content Engine"),
            )
            .with_instructions(self.instructions())
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        let listed = self.listed.lock().unwrap_or_else(|e| e.into_inner());
        Ok(ListToolsResult::with_all_items(
            tools::catalog()
                .entries()
                .iter()
                .filter(|e| listed.contains(e.tool.name.as_ref()))
                .map(|e| e.tool.clone())
                .collect(),
        ))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        Ok(self.dispatch(request, context).await.into())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        Ok(ListResourcesResult::with_all_items(reference::resources()))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, McpError> {
        Ok(ListResourceTemplatesResult::with_all_items(
            reference::templates(),
        ))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, McpError> {
        reference::read(&request.uri)
            .map(Into::into)
            .ok_or_else(|| {
                McpError::resource_not_found(
                    format!("no resource `{}`", request.uri),
                    Some(json!({"uri": request.uri})),
                )
            })
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, McpError> {
        Ok(ListPromptsResult::with_all_items(reference::prompts()))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, McpError> {
        reference::prompt(&request.name, &request.arguments.unwrap_or_default())
            .map(Into::into)
            .ok_or_else(|| McpError::invalid_params(format!("no prompt `{}`", request.name), None))
    }
}

/// One tool call in progress: the backend, the request's cancellation and
/// progress token.
pub(crate) struct Call<'a> {
    backend: &'a Backend,
    settings: &'a Settings,
    ct: CancellationToken,
    peer: Peer<RoleServer>,
    progress_token: Option<ProgressToken>,
}

impl Call<'_> {
    pub(crate) fn client(&self) -> &GenClient {
        self.backend.client()
    }

    /// Runs the operation `op` with `args` through genpro-sdk's transport.
    async fn operation(&self, op: &'static Operation, args: &JsonObject) -> CallToolResult {
        let secret = self.secret();
        if op.is_multipart_only() {
            return output::bad_arguments(tools::multipart_note(op), secret);
        }
        let request = genpro_sdk::dynamic::call(self.client(), op.operation_id, args);
        // Only idempotent calls end on cancellation: a paid or creating
        // call runs to its answer, so that what it created is known (and
        // it is never sent twice either way).
        let answer = if op.retry == RetryClass::Idempotent {
            tokio::select! {
                _ = self.ct.cancelled() => return self.cancelled(),
                answer = request => answer,
            }
        } else {
            request.await
        };
        match answer {
            Ok(answer) => output::success(output::answer_json(&answer), secret),
            Err(e) => output::error(&e, secret),
        }
    }

    /// The folders local files may be read from, and where they came
    /// from: the client's MCP roots when it offers any, else
    /// `--allow-dir` (default: the working directory).
    // MCP roots are deprecated by SEP-2577 for a future protocol version;
    // the clients of today's versions (the official Python and TypeScript
    // SDKs among them) still offer them, so they are honoured while they
    // exist.
    #[allow(deprecated)]
    pub(crate) async fn allowed_roots(&self) -> (Vec<PathBuf>, RootsSource) {
        let offers_roots = self
            .peer
            .peer_info()
            .is_some_and(|info| info.capabilities.roots.is_some());
        if offers_roots {
            let asked = tokio::time::timeout(Duration::from_secs(10), self.peer.list_roots()).await;
            match asked {
                Ok(Ok(list)) => {
                    let roots = roots::from_uris(list.roots.iter().map(|r| r.uri.as_str()));
                    if !roots.is_empty() {
                        return (roots, RootsSource::Client);
                    }
                }
                Ok(Err(e)) => tracing::debug!(error = %e, "roots/list failed"),
                Err(_) => tracing::debug!("roots/list timed out"),
            }
        }
        (self.settings.allowed_dirs(), RootsSource::Server)
    }

    pub(crate) fn secret(&self) -> &str {
        self.backend.secret()
    }

    pub(crate) fn cancellation(&self) -> &CancellationToken {
        &self.ct
    }

    /// The result of a cancelled call (MCP does not deliver it; it ends the
    /// handler).
    pub(crate) fn cancelled(&self) -> CallToolResult {
        output::failure(
            json!({"error": "cancelled by the client", "status": null, "error_code": "cancelled", "hint": null}),
            self.secret(),
        )
    }

    pub(crate) async fn notify(&self, progress: f64, total: f64, message: String) {
        let Some(token) = &self.progress_token else {
            return;
        };
        let params = ProgressNotificationParam::new(token.clone(), progress)
            .with_total(total)
            .with_message(message);
        if let Err(e) = self.peer.notify_progress(params).await {
            tracing::debug!(error = %e, "could not send a progress notification");
        }
    }

    /// Runs the wait `run` with `options` plus a progress channel, sending
    /// a progress notification on every change (progress = seconds waited,
    /// total = the maximum wait). `None` when the call was cancelled: the
    /// wait future is dropped, which stops polling and, with
    /// `stop_on_cancel`, stops the generation.
    pub(crate) async fn wait<T, F, Fut>(
        &self,
        options: WaitOptions,
        run: F,
    ) -> Option<Result<T, WaitError>>
    where
        F: FnOnce(WaitOptions) -> Fut,
        Fut: Future<Output = Result<T, WaitError>>,
    {
        let total = options.max_wait.as_secs_f64();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Progress>();
        let fut = run(options.progress(tx));
        let report = async {
            let mut last = -1.0_f64;
            while let Some(progress) = rx.recv().await {
                let mut value = progress.elapsed.as_secs_f64();
                if value <= last {
                    value = last + 0.001;
                }
                last = value;
                let status = progress
                    .status
                    .as_ref()
                    .map_or("waiting", |s| s.as_str())
                    .to_owned();
                let percent = progress
                    .progress_percent
                    .map(|p| format!(" {p:.0}%"))
                    .unwrap_or_default();
                self.notify(value, total, format!("{}: {status}{percent}", progress.job))
                    .await;
            }
            std::future::pending::<()>().await;
        };
        tokio::select! {
            biased;
            _ = self.ct.cancelled() => {
                tracing::debug!("wait cancelled by the client");
                None
            }
            result = fut => Some(result),
            _ = report => None,
        }
    }
}
