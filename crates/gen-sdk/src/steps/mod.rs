//! The API as handles that carry their scope, one file per handle:
//!
//! | handle | made by | file |
//! |---|---|---|
//! | the client's own calls (user, workspaces, templates, runs, downloads) | [`GenClient`] | [`account`] |
//! | [`Agent`] (step 1, 2, uploads, 5) | [`GenClient::agent`] | [`agent`] |
//! | [`Engine`] (step 3, 4) | [`Agent::engine`] | [`engine`] |
//! | [`Cell`], [`Layer`] (step 4, render) | [`Engine::cell`], [`Engine::cell_by_role`], [`Cell::layer`] | [`cell`] |
//! | [`Generation`] (status, stop, continue, wait) | [`GenClient::generation`] | [`generation`] |
//!
//! A handle's methods never take its ids again: `client.agent(agent)
//! .engine(engine).cell(cell).generate(&card)`. The ids are typed
//! ([`ids`]), so they cannot be swapped. Each method is a thin typed
//! wrapper over the generated builder (`client.raw().get_generation()...`),
//! sharing the one transport ([`crate::transport`]) with every other call:
//! auth, routing to the right host, retries by the operation's class,
//! typed errors. The mechanisms behind them (waiting, uploads, creation
//! cards, downloads) are in [`crate::wait`], [`crate::upload`],
//! [`crate::cards`] and [`crate::download`]. Every other operation is a
//! builder of [`GenClient::raw`] (or a call by name through
//! [`crate::dynamic`]).
//!
//! Every operation of the API belongs to one step of the journey (`x-phase`
//! in `openapi.yaml`) and one host; the generated table ([`OPERATIONS`])
//! records both, with the retry class.
//!
//! ```
//! use genpro_sdk::cards::{Card, TextCard, TextModel};
//! use genpro_sdk::steps::Role;
//! use genpro_sdk::wait::WaitOptions;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # #[cfg(feature = "offline")] {
//! let conn = genpro_sdk::GenClient::connect_or_offline().await?;
//! let agent = conn.agent()?;
//! let cloned = agent.clone_template("tiktok-talking-avatar").await?;
//! let engine = agent.engine(cloned.id);
//! let script = engine.cell_by_role(Role::Script).await?;
//! let card = Card::from(TextCard::new("Write a 12s hook for {{topic}}", TextModel::Gemini25Pro)
//!     .variable("topic", "San Antonio tacos"));
//! let done = script.generate_and_wait(&card, &WaitOptions::default()).await?.into_completed()?;
//! println!("{}", done.result.unwrap_or_default());
//! # conn.close().await;
//! # }
//! # Ok(()) }
//! ```

use genpro_api::types;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::client::GenClient;
use crate::error::Error;

pub use genpro_api::operations::{Host, OPERATIONS, Operation, Phase, RetryClass};

pub mod account;
pub mod agent;
pub mod cell;
pub mod engine;
pub mod generation;
pub mod ids;

pub use agent::{Agent, EngineClone, PublishOutcome, PublishPost, Schedule, Uploaded};
pub use cell::{Cell, Layer, Triggered};
pub use engine::{Engine, Role};
pub use generation::Generation;
pub use ids::{
    AgentId, CellId, ContentResourceId, EngineId, GenerationId, LayerId, OrganizationId, UserJobId,
};

/// The id of the cell in the engine's first row (lowest `position`) whose
/// column matches `column`. Cells are looked up in `spreadsheet_cells` and
/// in each row's nested `spreadsheet_cells` (GEN may send either).
pub(crate) fn first_row_cell(
    engine: &types::Engine,
    column: impl Fn(&types::Column) -> bool,
) -> Option<i64> {
    let row = engine
        .spreadsheet_rows
        .iter()
        .filter(|r| r.id.is_some())
        .min_by_key(|r| r.position.unwrap_or(i64::MAX))?
        .id?;
    let mut columns: Vec<&types::Column> = engine
        .spreadsheet_columns
        .iter()
        .filter(|c| c.id.is_some() && column(c))
        .collect();
    columns.sort_by_key(|c| c.position.unwrap_or(i64::MAX));
    let cells: Vec<&types::Cell> = engine
        .spreadsheet_cells
        .iter()
        .chain(
            engine
                .spreadsheet_rows
                .iter()
                .flat_map(|r| r.spreadsheet_cells.iter()),
        )
        .collect();
    columns.iter().find_map(|col| {
        cells
            .iter()
            .find(|c| c.id.is_some() && c.row_id == Some(row) && c.column_id == col.id)
            .and_then(|c| c.id)
    })
}

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
