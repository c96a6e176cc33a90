//! [`Cell`] and [`Layer`]: one cell of an engine (its value, creation
//! card, generations, render) and one layer of a cell.

use genpro_api::prelude::*;
use genpro_api::types;
use serde_json::json;

use super::{AgentId, CellId, EngineId, Generation, GenerationId, LayerId, as_is, exact};
use crate::cards::GenerateBody;
use crate::client::GenClient;
use crate::error::Error;
use crate::wait::{Outcome, WaitError, WaitOptions};

/// One cell of an engine. Made by [`super::Engine::cell`] or
/// [`super::Engine::cell_by_role`].
#[derive(Clone, Copy, Debug)]
pub struct Cell<'a> {
    client: &'a GenClient,
    agent: AgentId,
    engine: EngineId,
    id: CellId,
}

/// One layer of a cell. Made by [`Cell::layer`].
#[derive(Clone, Copy, Debug)]
pub struct Layer<'a> {
    cell: Cell<'a>,
    id: LayerId,
}

/// The answer to a generate or render: the generation's id (GEN always
/// sends it) and the answer.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Triggered {
    /// The generation (or render).
    pub id: GenerationId,
    /// The answer (`status`, ...).
    pub answer: types::GenerationCreated,
}

impl Triggered {
    fn new(answer: types::GenerationCreated) -> Self {
        Self {
            id: GenerationId(answer.generation_id),
            answer,
        }
    }
}

impl<'a> Cell<'a> {
    pub(crate) fn new(client: &'a GenClient, agent: AgentId, engine: EngineId, id: CellId) -> Self {
        Self {
            client,
            agent,
            engine,
            id,
        }
    }

    /// The cell's id.
    pub fn id(&self) -> CellId {
        self.id
    }

    /// Its engine.
    pub fn engine_id(&self) -> EngineId {
        self.engine
    }

    /// The agent owning its engine.
    pub fn agent_id(&self) -> AgentId {
        self.agent
    }

    /// The layer `id` of this cell (no request).
    pub fn layer(&self, id: LayerId) -> Layer<'a> {
        Layer { cell: *self, id }
    }

    /// `PATCH .../cells/{cell_id}`: sets the cell's value.
    pub async fn update(&self, value: impl Into<String>) -> Result<types::Cell, Error> {
        let body = types::CellRequest {
            spreadsheet_cell: types::CellInput {
                value: Some(value.into()),
                ..Default::default()
            },
        };
        self.patch(body).await
    }

    /// `PATCH .../cells/{cell_id}`: sets the cell's creation card (validated
    /// first; a typed [`Card`](crate::cards::Card) or a [`GenerateBody`],
    /// which may carry an internal Rails generation type name). Where the
    /// seeds disagree about the card it is sent with a warning
    /// ([`Card::warnings`](crate::cards::Card::warnings)).
    pub async fn set_card(&self, card: impl Into<GenerateBody>) -> Result<types::Cell, Error> {
        let card = card.into();
        card.validate()?;
        crate::cards::warn_once(&card.warnings());
        let body = json!({ "spreadsheet_cell": card.to_json() });
        match exact::<types::CellRequest>(&body) {
            Some(body) => self.patch(body).await,
            None => {
                let args = json!({ "id": self.engine.0, "cell_id": self.id.0,
                                   "agent_id": self.agent.0, "body": body });
                Ok(as_is(self.client, "update_cell", args).await?.1)
            }
        }
    }

    async fn patch(&self, body: types::CellRequest) -> Result<types::Cell, Error> {
        let call = self
            .client
            .raw()
            .update_cell()
            .id(self.engine.0)
            .cell_id(self.id.0)
            .agent_id(self.agent.0)
            .body(body);
        Ok(call.send().await?.into_inner())
    }

    /// `POST .../cells/{cell_id}/generate`: generates the cell from `card`
    /// (a typed [`Card`](crate::cards::Card) or a [`GenerateBody`];
    /// validated first; a model or field newer than genpro-api is sent as
    /// is). Where the seeds disagree about the card (e.g. Veo with 10 s) it
    /// is sent and each warning is logged once
    /// ([`Card::warnings`](crate::cards::Card::warnings)). Spends credits:
    /// retried only when the request never reached GEN.
    pub async fn generate(&self, card: impl Into<GenerateBody>) -> Result<Triggered, Error> {
        let card = card.into();
        card.validate()?;
        crate::cards::warn_once(&card.warnings());
        let body = card.to_json();
        let answer = match exact::<types::GenerateRequest>(&body) {
            Some(body) => {
                let call = self
                    .client
                    .raw()
                    .generate_on_cell()
                    .id(self.engine.0)
                    .cell_id(self.id.0)
                    .agent_id(self.agent.0)
                    .body(body);
                call.send().await?.into_inner()
            }
            None => {
                let args = json!({ "id": self.engine.0, "cell_id": self.id.0,
                                   "agent_id": self.agent.0, "body": body });
                as_is(self.client, "generate_on_cell", args).await?.1
            }
        };
        Ok(Triggered::new(answer))
    }

    /// [`Cell::generate`], then waits for the generation with `options`
    /// (timeout, progress channel, cancellation: [`WaitOptions`]). The
    /// paid request is sent once; a failed trigger is
    /// [`WaitError::Request`].
    pub async fn generate_and_wait(
        &self,
        card: impl Into<GenerateBody>,
        options: &WaitOptions,
    ) -> Result<Outcome, WaitError> {
        let started = self.generate(card).await.map_err(WaitError::request)?;
        self.wait(started.id, options).await
    }

    /// `POST .../cells/{cell_id}/render`: composites the `final_video`
    /// cell's layers into one MP4 (find the cell with
    /// [`super::Role::FinalVideo`]). Spends credits.
    pub async fn render(&self) -> Result<Triggered, Error> {
        let call = self
            .client
            .raw()
            .render_cell()
            .id(self.engine.0)
            .cell_id(self.id.0)
            .agent_id(self.agent.0);
        Ok(Triggered::new(call.send().await?.into_inner()))
    }

    /// [`Cell::render`], then waits with `options`; on completion
    /// `output_resources[0].url` is the MP4.
    pub async fn render_and_wait(&self, options: &WaitOptions) -> Result<Outcome, WaitError> {
        let started = self.render().await.map_err(WaitError::request)?;
        self.wait(started.id, options).await
    }

    async fn wait(&self, id: GenerationId, options: &WaitOptions) -> Result<Outcome, WaitError> {
        Generation::new(self.client, id).wait(options).await
    }
}

impl<'a> Layer<'a> {
    /// The layer's id.
    pub fn id(&self) -> LayerId {
        self.id
    }

    /// Its cell.
    pub fn cell(&self) -> Cell<'a> {
        self.cell
    }

    /// `POST .../cells/{cell_id}/layers/{layer_id}/generate`: generates the
    /// layer from `card` (validated first; sent as is when newer than
    /// genpro-api; warnings as for [`Cell::generate`]). Spends credits.
    pub async fn generate(&self, card: impl Into<GenerateBody>) -> Result<Triggered, Error> {
        let card = card.into();
        card.validate()?;
        crate::cards::warn_once(&card.warnings());
        let cell = self.cell;
        let body = card.to_json();
        let answer = match exact::<types::GenerateRequest>(&body) {
            Some(body) => {
                let call = cell
                    .client
                    .raw()
                    .generate_on_layer()
                    .id(cell.engine.0)
                    .cell_id(cell.id.0)
                    .layer_id(self.id.0)
                    .agent_id(cell.agent.0)
                    .body(body);
                call.send().await?.into_inner()
            }
            None => {
                let args = json!({ "id": cell.engine.0, "cell_id": cell.id.0,
                                   "layer_id": self.id.0, "agent_id": cell.agent.0,
                                   "body": body });
                as_is(cell.client, "generate_on_layer", args).await?.1
            }
        };
        Ok(Triggered::new(answer))
    }

    /// [`Layer::generate`], then waits with `options`.
    pub async fn generate_and_wait(
        &self,
        card: impl Into<GenerateBody>,
        options: &WaitOptions,
    ) -> Result<Outcome, WaitError> {
        let started = self.generate(card).await.map_err(WaitError::request)?;
        self.cell.wait(started.id, options).await
    }
}
