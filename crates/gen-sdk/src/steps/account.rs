//! The client's own calls, scoped to no agent: the user, workspaces and
//! their credit, templates, agent runs and conversations (by their own
//! ids), downloads.

use std::path::Path;

use genpro_api::prelude::*;
use genpro_api::types;

use super::{OrganizationId, non_empty};
use crate::client::GenClient;
use crate::download::{DownloadOptions, Downloaded};
use crate::error::Error;
use crate::pagination::ItemStream;
use crate::wait::{JobRef, Outcome, WaitError, WaitOptions};

impl GenClient {
    /// `GET /v1/me`: the current user.
    pub async fn me(&self) -> Result<types::User, Error> {
        Ok(self.raw().get_me().send().await?.into_inner())
    }

    /// `GET /v1/organizations/{id}`: a workspace, with its credit balance.
    pub async fn organization(&self, id: OrganizationId) -> Result<types::Organization, Error> {
        let call = self.raw().get_organization().id(id.0);
        Ok(call.send().await?.into_inner())
    }

    /// The credit balance of a workspace (`available_credit` of
    /// `GET /v1/organizations/{id}`); `None` when GEN did not include it.
    /// Read it before a batch: a 422 `insufficient_credits_for_job`
    /// mid-batch is painful.
    pub async fn credits(
        &self,
        id: OrganizationId,
    ) -> Result<Option<types::AvailableCredit>, Error> {
        Ok(self.organization(id).await?.available_credit)
    }

    /// `GET /v1/templates/projects`: the templates (first page; every page:
    /// [`Self::templates_stream`]).
    pub async fn templates(&self) -> Result<Vec<types::Template>, Error> {
        Ok(self.raw().list_templates().send().await?.into_inner())
    }

    /// `GET /v1/templates/projects?page=&per_page=`, every page, as a stream
    /// of templates.
    pub fn templates_stream(&self) -> ItemStream<types::Template> {
        crate::pagination::templates(self)
    }

    /// `GET /v1/agent/runs/{run_id}`: a run's status (and, when completed,
    /// its ideas or research findings).
    pub async fn agent_run(&self, run_id: &str) -> Result<types::AgentRun, Error> {
        let run_id = non_empty("run_id", run_id)?;
        let call = self.raw().get_agent_run().run_id(run_id);
        Ok(call.send().await?.into_inner())
    }

    /// Waits for the agent run `run_id` (of
    /// [`super::Agent::start_run`] or [`super::Agent::research`]) with
    /// `options` (timeout, progress channel, cancellation).
    pub async fn wait_run(
        &self,
        run_id: &str,
        options: &WaitOptions,
    ) -> Result<Outcome, WaitError> {
        self.waiter()
            .with_options(options.clone())
            .wait(JobRef::AgentRun(run_id.to_owned()))
            .await
    }

    /// `GET /v1/agent/conversations/{id}/messages`: the messages (and the
    /// ideas in them) of a conversation.
    pub async fn messages(&self, conversation_id: &str) -> Result<Vec<types::Message>, Error> {
        let id = non_empty("conversation_id", conversation_id)?;
        let call = self.raw().list_conversation_messages().id(id);
        Ok(call.send().await?.into_inner())
    }

    /// Downloads a public output URL (e.g. a render's
    /// `output_resources[0].url`) to `path`, with the client's retry
    /// policy, connect timeout and user agent but **without** its API key;
    /// see the [module documentation](crate::download).
    pub async fn download(
        &self,
        url: &str,
        path: impl AsRef<Path>,
        options: DownloadOptions,
    ) -> Result<Downloaded, Error> {
        crate::download::download_with(self, url, path.as_ref(), options).await
    }
}
