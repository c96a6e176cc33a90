//! Step 2 — generate content ideas: agent runs, conversations, ideas,
//! research (agent host), monitoring job updates (api host).

use genpro_api::prelude::*;
use genpro_api::types;

use super::{AgentId, handle, non_empty};
use crate::error::Error;
use crate::status::IdeaStatus;

handle!(
    /// Step 2 — generate content ideas: agent runs, conversations, ideas,
    /// research (agent host), monitoring job updates (api host).
    Ideas,
    genpro_api::operations::Phase::Ideas
);

impl<'a> Ideas<'a> {
    /// `POST /v1/agent/run`: starts an agent run (ideas, refinement,
    /// `remember:` preferences, chat). Pass the `conversation_id` of an
    /// earlier run to refine its ideas. Spends credits: retried only when
    /// the request never reached GEN.
    pub async fn start_run(
        &self,
        agent_id: impl Into<AgentId>,
        message: impl Into<String>,
        conversation_id: Option<&str>,
    ) -> Result<types::AgentRunCreated, Error> {
        let message = message.into();
        if message.trim().is_empty() {
            return Err(Error::validation("message", "must not be empty", None));
        }
        let body = types::AgentRunRequest {
            agent_id: agent_id.into().to_string(),
            conversation_id: conversation_id.map(str::to_owned),
            message,
        };
        let call = self.raw().create_agent_run().body(body);
        Ok(call.send().await?.into_inner())
    }

    /// `GET /v1/agent/runs/{run_id}`: a run's status (and, when completed,
    /// its ideas or research findings).
    pub async fn run(&self, run_id: &str) -> Result<types::AgentRun, Error> {
        let run_id = non_empty("run_id", run_id)?;
        let call = self.raw().get_agent_run().run_id(run_id);
        Ok(call.send().await?.into_inner())
    }

    /// `GET /v1/agent/conversations/{id}/messages`: the messages (and the
    /// ideas in them) of a conversation.
    pub async fn messages(&self, conversation_id: &str) -> Result<Vec<types::Message>, Error> {
        let id = non_empty("conversation_id", conversation_id)?;
        let call = self.raw().list_conversation_messages().id(id);
        Ok(call.send().await?.into_inner())
    }

    /// `GET /v1/agent/ideas?agent_id=&status=`: an agent's ideas.
    pub async fn ideas(
        &self,
        agent_id: impl Into<AgentId>,
        status: Option<IdeaStatus>,
    ) -> Result<Vec<types::Idea>, Error> {
        let mut call = self.raw().list_ideas().agent_id(agent_id.into().0);
        if let Some(status) = status {
            call = call.status(status);
        }
        Ok(call.send().await?.into_inner())
    }

    /// `POST /v1/research`: standalone research on `topic`; poll the
    /// returned run with [`Self::run`]. Spends credits.
    pub async fn research(
        &self,
        agent_id: impl Into<AgentId>,
        topic: impl Into<String>,
        depth: types::ResearchRequestDepth,
    ) -> Result<types::AgentRunCreated, Error> {
        let topic = topic.into();
        if topic.trim().is_empty() {
            return Err(Error::validation("topic", "must not be empty", None));
        }
        let body = types::ResearchRequest {
            agent_id: agent_id.into().to_string(),
            depth,
            topic,
        };
        let call = self.raw().create_research().body(body);
        Ok(call.send().await?.into_inner())
    }
}
