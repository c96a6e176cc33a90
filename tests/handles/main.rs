//! Contract tests of the code users call: the scoped handles of
//! `genpro_sdk::GenClient` (`client.agent(id)`, `.engine(id)`, `.cell(id)`,
//! `client.generation(id)`, the client's own calls), each method, grouped
//! by step of the journey, against httpmock with the
//! exact method, path, query, `X-API-Key`, `api-version` and JSON body on
//! the wire, on the right host. One module per step.

mod common;
mod edit;
mod ideas;
mod publish;
mod setup;
mod vidsheet;
