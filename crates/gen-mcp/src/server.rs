//! The MCP server handler: lists the catalog, dispatches calls, reports
//! progress and honours cancellation.

use std::sync::Arc;

use genpro_sdk::GenClient;
use genpro_sdk::genpro_api::operations::RetryClass;
use std::future::Future;

use genpro_sdk::wait::{Progress, WaitError, WaitOptions};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, Implementation, ListToolsResult,
    PaginatedRequestParams, ProgressNotificationParam, ProgressToken, ServerCapabilities,
    ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, Peer, RoleServer, ServerHandler};
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::Backend;
use crate::output;
use crate::tools::{self, Target};

/// The GEN MCP server: one tool per operation plus the workflow tools
/// ([`tools::catalog`]), on a [`Backend`].
#[derive(Clone, Debug)]
pub struct GenMcp {
    backend: Arc<Backend>,
}

impl GenMcp {
    /// A server on `backend`.
    pub fn new(backend: Arc<Backend>) -> Self {
        Self { backend }
    }

    /// The instructions sent at initialization.
    pub fn instructions(&self) -> String {
        let mut text = String::from(
            "GEN Auto Content Engine: a raw idea to a published short video in five steps. \
             Tools are named {phase}_{operation}: setup_* (agent, voice, workspace credit), \
             ideas_* (Ideas Engine runs, conversations, ideas), vidsheet_* (templates, clone a \
             template into an engine), edit_* (cells, layers, cards, generations, uploads), \
             publish_* (render, publish). One tool per API operation (arguments: path and query \
             parameters by name, `body` for the JSON body), plus workflow tools that wait with \
             progress and can be cancelled: ideas_run_and_wait, edit_generate_and_wait, \
             edit_upload_file, edit_regenerate_column, publish_render_and_wait, \
             publish_post_and_wait, setup_credit_balance, wait_for_job. Tools whose description \
             says \"Spends credits\" are sent once and never retried after they may have reached \
             GEN: check before calling them again. Errors come back as tool errors with status, \
             error_code and hint.",
        );
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
        let args = request.arguments.unwrap_or_default();
        let call = Call {
            backend: &self.backend,
            ct: ctx.ct.clone(),
            peer: ctx.peer.clone(),
            progress_token: ctx.meta.get_progress_token(),
        };
        tracing::debug!(tool = %request.name, "tool call");
        match entry.target {
            Target::Operation(op) if op.is_multipart_only() => {
                output::bad_arguments(tools::multipart_note(op), secret)
            }
            Target::Operation(op) => {
                let request =
                    genpro_sdk::dynamic::call(self.backend.client(), op.operation_id, &args);
                // Only idempotent calls end on cancellation: a paid or
                // creating call runs to its answer, so that what it created
                // is known (and it is never sent twice either way).
                let answer = if op.retry == RetryClass::Idempotent {
                    tokio::select! {
                        _ = call.ct.cancelled() => return call.cancelled(),
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
            Target::Workflow(w) => w.run(&call, args).await,
        }
    }
}

impl ServerHandler for GenMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
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
        Ok(ListToolsResult::with_all_items(tools::catalog().tools()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        Ok(self.dispatch(request, context).await.into())
    }
}

/// One tool call in progress: the backend, the request's cancellation and
/// progress token.
pub(crate) struct Call<'a> {
    backend: &'a Backend,
    ct: CancellationToken,
    peer: Peer<RoleServer>,
    progress_token: Option<ProgressToken>,
}

impl Call<'_> {
    pub(crate) fn client(&self) -> &GenClient {
        self.backend.client()
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
