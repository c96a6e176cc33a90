//! The five steps of the GEN journey as handles on [`GenClient`], one file
//! per step: [`setup`], [`ideas`], [`vidsheet`], [`edit`], [`publish`].
//!
//! Every operation of the API belongs to one step (`x-phase` in
//! `openapi.yaml`) and one host; the generated table
//! ([`genpro_api::operations::OPERATIONS`]) records both, with the retry class.
//! A handle's ready-made methods are thin typed wrappers over the generated
//! builders (`client.raw().get_generation().id(id).send()`), so they share
//! the one transport ([`crate::transport`]) with every other call: auth,
//! routing to the right host, retries by the operation's class, typed
//! errors. They exist only where they add something: validation before
//! sending, waiting, the `207` of an Agent Core update, the publish `data`
//! string, uploads. Every other operation is a builder of
//! [`GenClient::raw`] (or a call by name through [`crate::dynamic`]).
//!
//! ```no_run
//! use genpro_sdk::{GenClient, phases::CellRef, cards::*};
//!
//! # async fn run() -> Result<(), genpro_sdk::Error> {
//! let client = GenClient::from_env()?;
//! let cell = CellRef::new(42, 101, 3000); // agent, engine, cell
//! let card = Card::from(TextCard::new("Write a 12s hook for {{topic}}", TextModel::Gemini25Pro)
//!     .variable("topic", "San Antonio tacos"));
//! let created = client.edit().generate_on_cell(cell, &card).await?;
//! let generation = client.edit().generation(created.generation_id).await?;
//! # Ok(()) }
//! ```

use genpro_api::types;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::client::GenClient;
use crate::error::Error;

pub use genpro_api::operations::{Host, OPERATIONS, Operation, Phase, RetryClass};

pub mod edit;
pub mod ideas;
pub mod ids;
pub mod publish;
pub mod setup;
pub mod vidsheet;

pub use edit::Edit;
pub use ideas::Ideas;
pub use ids::{AgentId, CellId, EngineId, GenerationId, LayerId, OrganizationId, UserJobId};
pub use publish::{Publish, PublishPost, Schedule};
pub use setup::Setup;
pub use vidsheet::Vidsheet;

/// Address of a vidsheet cell: agent, engine (sheet) and cell ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CellRef {
    /// The agent owning the engine (`?agent_id=`).
    pub agent_id: i64,
    /// The engine (sheet) id.
    pub engine_id: i64,
    /// The cell id.
    pub cell_id: i64,
}

impl CellRef {
    /// A cell address: agent, engine, cell (plain `i64`s or typed ids).
    pub fn new(
        agent_id: impl Into<AgentId>,
        engine_id: impl Into<EngineId>,
        cell_id: impl Into<CellId>,
    ) -> Self {
        Self {
            agent_id: agent_id.into().0,
            engine_id: engine_id.into().0,
            cell_id: cell_id.into().0,
        }
    }

    /// A layer of this cell.
    pub fn layer(self, layer_id: impl Into<LayerId>) -> LayerRef {
        LayerRef {
            cell: self,
            layer_id: layer_id.into().0,
        }
    }
}

/// Address of a layer of a vidsheet cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LayerRef {
    /// The cell.
    pub cell: CellRef,
    /// The layer id.
    pub layer_id: i64,
}

/// The id of the cell in the engine's first row (lowest `position`) whose
/// column matches `column`, e.g. the `final_video` cell to render:
///
/// ```
/// # fn f(engine: &genpro_sdk::genpro_api::types::Engine) {
/// let final_video = genpro_sdk::phases::first_row_cell(engine, |c| {
///     c.role.as_ref().is_some_and(|r| r.as_str() == "final_video")
/// });
/// # }
/// ```
///
/// Cells are looked up in `spreadsheet_cells` and in each row's nested
/// `spreadsheet_cells` (GEN may send either).
pub fn first_row_cell(
    engine: &types::Engine,
    column: impl Fn(&types::Column) -> bool,
) -> Option<i64> {
    let row = engine
        .spreadsheet_rows
        .iter()
        .filter(|r| r.id.is_some())
        .min_by_key(|r| r.position.unwrap_or(i64::MAX))?
        .id?;
    let columns: Vec<i64> = engine
        .spreadsheet_columns
        .iter()
        .filter(|c| column(c))
        .filter_map(|c| c.id)
        .collect();
    engine
        .spreadsheet_cells
        .iter()
        .chain(
            engine
                .spreadsheet_rows
                .iter()
                .flat_map(|r| r.spreadsheet_cells.iter()),
        )
        .find(|c| {
            c.id.is_some()
                && c.row_id == Some(row)
                && c.column_id.is_some_and(|id| columns.contains(&id))
        })
        .and_then(|c| c.id)
}

macro_rules! handle {
    ($(#[$meta:meta])* $name:ident, $phase:expr) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug)]
        pub struct $name<'a> {
            client: &'a $crate::client::GenClient,
        }

        impl<'a> $name<'a> {
            /// The phase of this handle.
            pub const PHASE: $crate::steps::Phase = $phase;

            pub(crate) fn new(client: &'a $crate::client::GenClient) -> Self {
                Self { client }
            }

            /// The generated client: every operation (of this step and the
            /// others) is a builder of it (bring the traits in scope with
            /// `use genpro_api::prelude::*`). Its calls go through the one
            /// transport, which routes each to its host; convert errors
            /// with `genpro_sdk::Error::from`.
            pub fn raw(&self) -> &'a genpro_api::Client {
                self.client.raw()
            }

            /// The generated client if `operation_id` is part of this step,
            /// else `None`.
            pub fn raw_for(&self, operation_id: &str) -> Option<&'a genpro_api::Client> {
                self.client.raw_for(Self::PHASE, operation_id)
            }

            /// The operations of this step.
            pub fn operations(
                &self,
            ) -> impl Iterator<Item = &'static $crate::steps::Operation> + 'static {
                $crate::steps::OPERATIONS
                    .iter()
                    .filter(|op| op.phase == Self::PHASE)
            }

            /// The client.
            pub fn client(&self) -> &'a $crate::client::GenClient {
                self.client
            }
        }
    };
}
pub(crate) use handle;

/// Refuses an empty (or blank) string id before anything is sent.
pub(crate) fn non_empty<'v>(field: &str, value: &'v str) -> Result<&'v str, Error> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Error::validation(field, "must not be empty", None));
    }
    Ok(value)
}

/// `value` as the generated request type `T`, when `T` serialises to
/// exactly the same bytes (so the typed builder sends byte for byte what
/// the caller asked for); `None` when it cannot: a field newer than
/// genpro-api, which the generated types would drop, a value a closed enum
/// refuses (the card models and aspect ratios are open enums, so a newer
/// model fits), or keys the generated type would reorder (genpro-api's maps
/// are `BTreeMap`s, sorted like `serde_json`'s, but a caller's
/// `preserve_order` JSON need not be).
pub(crate) fn exact<T: DeserializeOwned + Serialize>(value: &Value) -> Option<T> {
    let typed: T = serde_json::from_value(value.clone()).ok()?;
    (serde_json::to_vec(&typed).ok()? == serde_json::to_vec(value).ok()?).then_some(typed)
}

/// Sends a body the generated type cannot hold ([`exact`] said `None`)
/// as is, by operation name through the table-driven path
/// ([`crate::dynamic::call`]: same transport, host and retry class as the
/// generated builder), and decodes the answer into the generated response
/// type. Returns the status too (a `207` is a success).
pub(crate) async fn as_is<T: DeserializeOwned>(
    client: &GenClient,
    operation_id: &'static str,
    args: Value,
) -> Result<(u16, T), Error> {
    tracing::debug!(
        operation_id,
        "the body does not fit genpro-api's generated type (a value newer than the crate); sent as is"
    );
    let args = match args {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    let answer = crate::dynamic::call(client, operation_id, &args).await?;
    let status = answer.status;
    let value = serde_json::from_value(answer.body.clone()).map_err(|source| {
        Error::decode(Some(status), answer.body.to_string().as_bytes(), &source)
            .redact(client.secret())
    })?;
    Ok((status, value))
}

#[cfg(test)]
mod tests {
    use genpro_api::types;
    use serde_json::json;

    use super::exact;

    #[test]
    fn exact_takes_what_the_generated_type_holds_and_nothing_it_would_change() {
        let known = json!({ "generation_type": "video_from_text", "data": {
            "prompt": "x", "model": "kling_1_6", "aspect_ratio": "9:16", "duration": 5 } });
        let typed = exact::<types::GenerateRequest>(&known).expect("a known card fits");
        assert_eq!(serde_json::to_value(typed).unwrap(), known);
        // a model newer than genpro-api: the open enum keeps it as `Other`
        let newer = json!({ "generation_type": "video_from_text", "data": {
            "prompt": "x", "model": "sora_3" } });
        let typed = exact::<types::GenerateRequest>(&newer).expect("an open enum holds it");
        assert_eq!(serde_json::to_value(typed).unwrap(), newer);
        // a field newer than genpro-api: the generated struct would drop it
        let extra = json!({ "generation_type": "video_from_text", "data": {
            "prompt": "x", "model": "kling_1_6", "field_from_2030": "col_2" } });
        assert!(exact::<types::GenerateRequest>(&extra).is_none());
        // bodies of the other typed calls fit too
        let cell = json!({ "spreadsheet_cell": { "value": "hook" } });
        assert!(exact::<types::CellRequest>(&cell).is_some());
        let core = json!({ "brand_name": "Santiago", "keywords": ["tacotok"] });
        assert!(exact::<types::AgentCoreUpdate>(&core).is_some());
    }

    #[test]
    fn exact_never_lets_a_map_reorder_the_wire() {
        // whatever map type genpro-api holds a text card's `variables` in, the
        // typed builder is used only when the bytes are the same
        let variables: serde_json::Map<String, serde_json::Value> = (0..12)
            .map(|i| (format!("var_{i:02}"), json!("v")))
            .collect();
        let body = json!({ "generation_type": "text", "data": {
            "prompt": "p", "model": "gpt_4o", "variables": variables } });
        let sent = serde_json::to_vec(&body).unwrap();
        for _ in 0..8 {
            if let Some(typed) = exact::<types::GenerateRequest>(&body) {
                assert_eq!(serde_json::to_vec(&typed).unwrap(), sent);
            }
        }
        // one variable cannot be reordered: the typed builder takes it
        let one = json!({ "generation_type": "text", "data": {
            "prompt": "p", "model": "gpt_4o", "variables": { "topic": "tacos" } } });
        assert!(exact::<types::GenerateRequest>(&one).is_some());
    }
}
