//! Step 4 — edit and generate: rows, columns, cells, layers, generations,
//! variables, content resources, assets, automation.
//!
//! Waiting for a generation ([`Edit::generate_on_cell_and_wait`]...) is in
//! [`crate::wait`], uploads in [`crate::upload`] and [`crate::multipart`],
//! paginated lists in [`crate::pagination`].

use gen_api::prelude::*;
use gen_api::types;
use serde_json::json;

use super::{CellRef, GenerationId, LayerRef, as_is, exact, handle};
use crate::cards::GenerateBody;
use crate::error::Error;

handle!(
    /// Step 4 — edit and generate: rows, columns, cells, layers,
    /// generations, variables, content resources, assets, automation.
    Edit,
    gen_api::operations::Phase::Edit
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
    /// validated first; a model or field newer than gen-api is sent as is).
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
    /// gen-api; warnings as for [`Edit::generate_on_cell`]). Spends credits.
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
    /// refunded).
    pub async fn stop_generation(
        &self,
        generation_id: impl Into<GenerationId>,
    ) -> Result<types::Generation, Error> {
        let call = self.raw().stop_generation().id(generation_id.into().0);
        Ok(call.send().await?.into_inner())
    }

    /// `POST /v1/generations/{id}/continue`: resumes a stopped generation
    /// (credits are charged again; retried only when the request never
    /// reached GEN).
    pub async fn continue_generation(
        &self,
        generation_id: impl Into<GenerationId>,
    ) -> Result<types::Generation, Error> {
        let call = self.raw().continue_generation().id(generation_id.into().0);
        Ok(call.send().await?.into_inner())
    }
}
