//! Typed ids for the arguments of the phase handles.
//!
//! Every handle method that takes an id takes `impl Into<...Id>`: a plain
//! `i64` still works, and code that keeps its ids typed cannot pass an
//! agent id where an engine id belongs:
//!
//! ```compile_fail
//! # async fn f(client: genpro_sdk::GenClient) -> Result<(), genpro_sdk::Error> {
//! use genpro_sdk::phases::{AgentId, EngineId};
//! let (agent, engine) = (AgentId(42), EngineId(101));
//! client.vidsheet().engine(agent, engine).await?; // swapped: does not compile
//! # Ok(()) }
//! ```
//!
//! ```no_run
//! # async fn f(client: genpro_sdk::GenClient) -> Result<(), genpro_sdk::Error> {
//! use genpro_sdk::phases::{AgentId, EngineId};
//! let (agent, engine) = (AgentId(42), EngineId(101));
//! client.vidsheet().engine(engine, agent).await?;
//! client.vidsheet().engine(101, 42).await?; // plain ids still work
//! # Ok(()) }
//! ```

use std::fmt;

macro_rules! id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl From<i64> for $name {
            fn from(id: i64) -> Self {
                Self(id)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }
    };
}

id!(
    /// An agent (`agent_id`).
    AgentId
);
id!(
    /// An engine, the vidsheet cloned from a template.
    EngineId
);
id!(
    /// A cell of an engine.
    CellId
);
id!(
    /// A layer of a cell.
    LayerId
);
id!(
    /// A generation (also a render).
    GenerationId
);
id!(
    /// A user job (e.g. a publish job).
    UserJobId
);
id!(
    /// A workspace (organization).
    OrganizationId
);
