//! Step 1 — set up the agent: user, agents, Agent Core, voices, workspaces
//! (organizations) and credits, API keys.

use genpro_api::prelude::*;
use genpro_api::types;

use super::{AgentId, OrganizationId, as_is, exact, handle};
use crate::agent_core::{AgentCorePatch, AgentCoreUpdate};
use crate::error::Error;

handle!(
    /// Step 1 — set up the agent: user, agents, Agent Core, voices,
    /// workspaces (organizations) and credits, API keys.
    Setup,
    genpro_api::operations::Phase::Setup
);

impl<'a> Setup<'a> {
    /// `GET /v1/me`: the current user.
    pub async fn me(&self) -> Result<types::User, Error> {
        Ok(self.raw().get_me().send().await?.into_inner())
    }

    /// `GET /v1/agents/{agent_id}/core`: the flat agent setup.
    pub async fn agent_core(
        &self,
        agent_id: impl Into<AgentId>,
    ) -> Result<types::AgentCore, Error> {
        let api = self.raw().get_agent_core().agent_id(agent_id.into().0);
        Ok(api.send().await?.into_inner())
    }

    /// `PATCH /v1/agents/{agent_id}/core`: writes the fields set in `patch`
    /// (validated first: description ≤ 500, personality ≤ 20000
    /// characters). A `207 Multi-Status` answer is not an error: the result
    /// lists the sections that failed.
    pub async fn update_agent_core(
        &self,
        agent_id: impl Into<AgentId>,
        patch: &AgentCorePatch,
    ) -> Result<AgentCoreUpdate, Error> {
        let agent_id = agent_id.into().0;
        patch.validate()?;
        let body = patch.to_json();
        let (status, result) = match exact::<types::AgentCoreUpdate>(&body) {
            Some(body) => {
                let call = self.raw().update_agent_core().agent_id(agent_id).body(body);
                let answer = call.send().await?;
                (answer.status().as_u16(), answer.into_inner())
            }
            None => {
                let args = serde_json::json!({ "agent_id": agent_id, "body": body });
                as_is::<types::AgentCoreUpdateResult>(self.client, "update_agent_core", args)
                    .await?
            }
        };
        Ok(AgentCoreUpdate::from_answer(status, result))
    }

    /// `GET /v1/organizations/{id}`: a workspace, with its credit balance.
    pub async fn organization(
        &self,
        organization_id: impl Into<OrganizationId>,
    ) -> Result<types::Organization, Error> {
        let call = self.raw().get_organization().id(organization_id.into().0);
        Ok(call.send().await?.into_inner())
    }

    /// The credit balance of a workspace (`available_credit` of
    /// `GET /v1/organizations/{id}`); `None` when GEN did not include it.
    /// Read it before a batch: a 422 `insufficient_credits_for_job`
    /// mid-batch is painful.
    pub async fn credits(
        &self,
        organization_id: impl Into<OrganizationId>,
    ) -> Result<Option<types::AvailableCredit>, Error> {
        Ok(self.organization(organization_id).await?.available_credit)
    }
}
