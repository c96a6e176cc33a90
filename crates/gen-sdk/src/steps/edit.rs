//! Step 4 — edit and generate: rows, columns, cells, layers, generations,
//! variables, content resources, assets, automation.
//!
//! Waiting for a generation ([`Edit::generate_on_cell_and_wait`]...) is in
//! [`crate::wait`], uploads in [`crate::upload`] and [`crate::multipart`],
//! paginated lists in [`crate::pagination`].

use genpro_api::prelude::*;
use genpro_api::types;
use serde_json::json;

use super::{CellRef, GenerationId, LayerRef, as_is, exact, handle};
use crate::cards::GenerateBody;
use crate::error::{Error, ErrorCode};
use crate::transport::{Attempts, recording_attempts};

handle!(
    /// Step 4 — edit and generate: rows, columns, cells, layers,
    /// generations, variables, content resources, assets, automation.
    Edit,
    genpro_api::operations::Phase::Edit
);

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
        self.patch_cell(cell, body).await
    }

    /// `PATCH .../cells/{cell_id}`: sets a cell's creation card (validated
    /// first; a typed [`Card`](crate::cards::Card) or a [`GenerateBody`],
    /// which may carry an internal Rails generation type name). Where the
    /// seeds disagree about the card it is sent with a warning
    /// ([`Card::warnings`](crate::cards::Card::warnings)).
    pub async fn set_cell_card(
        &self,
        cell: CellRef,
        card: impl Into<GenerateBody>,
    ) -> Result<types::Cell, Error> {
        let card = card.into();
        card.validate()?;
        crate::cards::warn_once(&card.warnings());
        let body = json!({ "spreadsheet_cell": card.to_json() });
        match exact::<types::CellRequest>(&body) {
            Some(body) => self.patch_cell(cell, body).await,
            None => {
                let args = json!({ "id": cell.engine_id, "cell_id": cell.cell_id,
                                   "agent_id": cell.agent_id, "body": body });
                Ok(as_is(self.client, "update_cell", args).await?.1)
            }
        }
    }

    async fn patch_cell(
        &self,
        cell: CellRef,
        body: types::CellRequest,
    ) -> Result<types::Cell, Error> {
        let call = self
            .raw()
            .update_cell()
            .id(cell.engine_id)
            .cell_id(cell.cell_id)
            .agent_id(cell.agent_id)
            .body(body);
        Ok(call.send().await?.into_inner())
    }

    /// `POST .../cells/{cell_id}/generate`: generates the cell from `card`
    /// (a typed [`Card`](crate::cards::Card) or a [`GenerateBody`];
    /// validated first; a model or field newer than genpro-api is sent as is).
    /// Where the seeds disagree about the card (e.g. Veo with 10 s) it is
    /// sent and each warning is logged once
    /// ([`Card::warnings`](crate::cards::Card::warnings)). Spends credits:
    /// retried only when the request never reached GEN.
    pub async fn generate_on_cell(
        &self,
        cell: CellRef,
        card: impl Into<GenerateBody>,
    ) -> Result<types::GenerationCreated, Error> {
        let card = card.into();
        card.validate()?;
        crate::cards::warn_once(&card.warnings());
        let body = card.to_json();
        match exact::<types::GenerateRequest>(&body) {
            Some(body) => {
                let call = self
                    .raw()
                    .generate_on_cell()
                    .id(cell.engine_id)
                    .cell_id(cell.cell_id)
                    .agent_id(cell.agent_id)
                    .body(body);
                Ok(call.send().await?.into_inner())
            }
            None => {
                let args = json!({ "id": cell.engine_id, "cell_id": cell.cell_id,
                                   "agent_id": cell.agent_id, "body": body });
                Ok(as_is(self.client, "generate_on_cell", args).await?.1)
            }
        }
    }

    /// `POST .../cells/{cell_id}/layers/{layer_id}/generate`: generates a
    /// layer from `card` (validated first; sent as is when newer than
    /// genpro-api; warnings as for [`Edit::generate_on_cell`]). Spends credits.
    pub async fn generate_on_layer(
        &self,
        layer: LayerRef,
        card: impl Into<GenerateBody>,
    ) -> Result<types::GenerationCreated, Error> {
        let card = card.into();
        card.validate()?;
        crate::cards::warn_once(&card.warnings());
        let cell = layer.cell;
        let body = card.to_json();
        match exact::<types::GenerateRequest>(&body) {
            Some(body) => {
                let call = self
                    .raw()
                    .generate_on_layer()
                    .id(cell.engine_id)
                    .cell_id(cell.cell_id)
                    .layer_id(layer.layer_id)
                    .agent_id(cell.agent_id)
                    .body(body);
                Ok(call.send().await?.into_inner())
            }
            None => {
                let args = json!({ "id": cell.engine_id, "cell_id": cell.cell_id,
                                   "layer_id": layer.layer_id, "agent_id": cell.agent_id,
                                   "body": body });
                Ok(as_is(self.client, "generate_on_layer", args).await?.1)
            }
        }
    }

    /// `GET /v1/generations/{id}`: a generation's status and output.
    pub async fn generation(
        &self,
        generation_id: impl Into<GenerationId>,
    ) -> Result<types::Generation, Error> {
        let call = self.raw().get_generation().id(generation_id.into().0);
        Ok(call.send().await?.into_inner())
    }

    /// `POST /v1/generations/{id}/stop`: cancels a generation (credits are
    /// refunded). Retried like any idempotent call; a retry whose earlier
    /// attempt may have landed and that GEN refuses for the generation's
    /// state is done (see [`Edit::continue_generation`]).
    pub async fn stop_generation(
        &self,
        generation_id: impl Into<GenerationId>,
    ) -> Result<types::Generation, Error> {
        let id = generation_id.into().0;
        let call = self.raw().stop_generation().id(id);
        let (result, attempts) = recording_attempts(call.send()).await;
        let result = result.map(|r| r.into_inner()).map_err(Error::from);
        self.done_after_retry(id, "stop", result, attempts).await
    }

    /// `POST /v1/generations/{id}/continue`: resumes a stopped generation
    /// (credits are charged again; retried only when the request never
    /// reached GEN, unless the caller widens the class with
    /// [`crate::transport::with_retry_class`]).
    ///
    /// A stop or continue whose first attempt reached GEN and landed, and
    /// whose answer was lost (a reset connection, a 503 from a proxy...),
    /// gets, when retried, seed 000's 422 `validation_error` "Generation
    /// cannot be stopped/continued in its current state": the generation is
    /// already stopped (or continued). That answer to a retry is taken as
    /// done: the generation is read (`GET /v1/generations/{id}`) and
    /// returned as it now is. A 422 to the first attempt, to a retry after
    /// attempts that never connected, or with another code (e.g.
    /// `insufficient_credits_for_job`) stays an error.
    pub async fn continue_generation(
        &self,
        generation_id: impl Into<GenerationId>,
    ) -> Result<types::Generation, Error> {
        let id = generation_id.into().0;
        let call = self.raw().continue_generation().id(id);
        let (result, attempts) = recording_attempts(call.send()).await;
        let result = result.map(|r| r.into_inner()).map_err(Error::from);
        self.done_after_retry(id, "continue", result, attempts)
            .await
    }

    /// `result` of a stop or continue, with seed 000's 422 to a retry whose
    /// earlier attempt may have landed taken as done (the generation as it
    /// now is).
    async fn done_after_retry(
        &self,
        generation_id: i64,
        action: &'static str,
        result: Result<types::Generation, Error>,
        attempts: Attempts,
    ) -> Result<types::Generation, Error> {
        match result {
            Err(error)
                if attempts.sent > 1
                    && attempts.earlier_may_have_landed
                    && is_state_refusal(&error) =>
            {
                tracing::info!(
                    generation_id,
                    action,
                    attempts = attempts.sent,
                    "a retried {action} was refused for the generation's state after an earlier \
                     attempt may have landed: taken as done"
                );
                self.generation(generation_id).await
            }
            other => other,
        }
    }
}

/// Seed 000's answer to a stop or continue the generation's state does not
/// allow: 422 `validation_error` ("Generation cannot be stopped/continued
/// in its current state"), or a 422 without a code.
fn is_state_refusal(error: &Error) -> bool {
    error.status() == Some(422)
        && error
            .error_code()
            .is_some_and(|code| *code == ErrorCode::ValidationError || code.as_str().is_empty())
}
