//! Step 3 — convert an idea to a vidsheet: templates and engines.

use genpro_api::prelude::*;
use genpro_api::types;

use super::{AgentId, EngineId, handle, non_empty};
use crate::error::Error;

handle!(
    /// Step 3 — convert an idea to a vidsheet: templates and engines.
    Vidsheet,
    genpro_api::operations::Phase::Vidsheet
);

impl<'a> Vidsheet<'a> {
    /// `GET /v1/templates/projects`: the templates (first page; every page:
    /// [`Self::templates_stream`]).
    pub async fn templates(&self) -> Result<Vec<types::Template>, Error> {
        Ok(self.raw().list_templates().send().await?.into_inner())
    }

    /// `POST /v1/templates/spreadsheets/{slug}/clone`: clones a template
    /// into the agent (free). Retried only on 429 / 503 (GEN did not act
    /// on it), never after another 5xx: a retry could create a second
    /// engine.
    pub async fn clone_template(
        &self,
        slug: &str,
        agent_id: impl Into<AgentId>,
    ) -> Result<types::Engine, Error> {
        let slug = non_empty("slug", slug)?;
        let body = types::TemplateCloneRequest {
            // seed 001's curl quotes the id: `{ "agent_id": "'"$AGENT_ID"'" }`
            agent_id: agent_id.into().0.to_string(),
        };
        let call = self.raw().clone_template().slug(slug).body(body);
        Ok(call.send().await?.into_inner())
    }

    /// `GET /v1/autocontentengine/{id}?agent_id=`: an engine with its
    /// columns, rows, cells and layers.
    pub async fn engine(
        &self,
        engine_id: impl Into<EngineId>,
        agent_id: impl Into<AgentId>,
    ) -> Result<types::Engine, Error> {
        let call = self
            .raw()
            .get_engine()
            .id(engine_id.into().0)
            .agent_id(agent_id.into().0);
        Ok(call.send().await?.into_inner())
    }
}
