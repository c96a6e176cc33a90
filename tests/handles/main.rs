//! Contract tests of the code users call: the phase handles of
//! `genpro_sdk::GenClient` (`client.setup()`, `ideas()`, `vidsheet()`,
//! `edit()`, `publish()`), each ready-made method against httpmock with the
//! exact method, path, query, `X-API-Key`, `api-version` and JSON body on
//! the wire, on the right host. One module per step.

mod common;
mod edit;
mod ideas;
mod publish;
mod setup;
mod vidsheet;
