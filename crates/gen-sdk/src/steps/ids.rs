//! Typed ids: each id of the API has its own type, built explicitly from
//! the number ([`AgentId::new`]) and read back with `.get()`. There is no
//! conversion from a bare `i64`, so ids cannot be swapped: a handle takes
//! its scope's id once (`client.agent(AgentId)`, `agent.engine(EngineId)`,
//! `engine.cell(CellId)`) and an agent id where an engine id belongs does
//! not compile:
//!
//! ```compile_fail
//! # fn f(client: genpro_sdk::GenClient) {
//! use genpro_sdk::steps::{AgentId, EngineId};
//! let (agent, engine) = (AgentId::new(42), EngineId::new(101));
//! client.agent(engine).engine(agent); // swapped: does not compile
//! # }
//! ```
//!
//! ```compile_fail
//! # fn f(client: genpro_sdk::GenClient) {
//! client.agent(42); // a bare number is not an id
//! # }
//! ```
//!
//! ```
//! # fn f(client: genpro_sdk::GenClient) {
//! use genpro_sdk::steps::{AgentId, EngineId};
//! let (agent, engine) = (AgentId::new(42), EngineId::new(101));
//! let engine = client.agent(agent).engine(engine);
//! assert_eq!(engine.id().get(), 101);
//! # }
//! ```
//!
//! Ids serialise as the bare number (`#[serde(transparent)]`) and display
//! as it.

use std::fmt;

macro_rules! id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
        pub struct $name(pub(crate) i64);

        impl $name {
            /// The id `id`.
            pub const fn new(id: i64) -> Self {
                Self(id)
            }

            /// The number.
            pub const fn get(self) -> i64 {
                self.0
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
id!(
    /// A content resource (an upload; `image_resource_id`... of a card).
    ContentResourceId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_transparent_on_the_wire_and_in_text() {
        let id = EngineId::new(101);
        assert_eq!(id.get(), 101);
        assert_eq!(id.to_string(), "101");
        assert_eq!(serde_json::to_string(&id).unwrap(), "101");
        assert_eq!(
            serde_json::from_str::<EngineId>("7").unwrap(),
            EngineId::new(7)
        );
        assert_eq!(i64::from(AgentId::new(42)), 42);
    }
}
