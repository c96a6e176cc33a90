//! # genpro-sdk — the ergonomic Rust client for the GEN Auto Content Engine API
//!
//! GEN takes a raw idea to a published short video in five steps. In code:
//!
//! ```no_run
//! use genpro_sdk::agent_core::AgentCorePatch;
//! use genpro_sdk::cards::{AspectRatio, Card, VideoFromTextCard, VideoFromTextModel};
//! use genpro_sdk::phases::{CellRef, PublishPost};
//! use genpro_sdk::wait::JobRef;
//! use genpro_sdk::GenClient;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = GenClient::from_env()?; // GEN_API_KEY
//! let agent = 42;
//!
//! // Step 1 — set up the agent: one PATCH, only the fields set are sent.
//! let core = AgentCorePatch::new()
//!     .brand_name("Santiago")
//!     .keywords(["streetfood", "tacotok"]);
//! let saved = client.setup().update_agent_core(agent, &core).await?; // 200, or 207 + failed sections
//! assert!(saved.failed_section_names().is_empty());
//!
//! // Step 2 — generate ideas: start a run, wait for it (bounded), read the ideas.
//! let run = client.ideas().start_run(agent, "Generate 5 content ideas", None).await?;
//! client.wait_for(JobRef::AgentRun(run.run_id.clone())).await?.into_completed()?;
//! let conversation = run.conversation_id.unwrap_or_default();
//! let messages = client.ideas().messages(&conversation).await?;
//! let idea = messages.iter().flat_map(|m| m.ideas.iter()).next().expect("an idea");
//!
//! // Step 3 — clone a template into a vidsheet (free).
//! let engine = client.vidsheet().clone_template("tiktok-talking-avatar", agent).await?;
//!
//! // Step 4 — edit a cell, then generate from a typed card (validated before
//! // sending, never sent twice) and wait (long-poll where GEN serves it).
//! let engine_id = engine.id.expect("the clone answer carries the engine id");
//! let script = CellRef::new(agent, engine_id, 3000);
//! client.edit().update_cell(script, idea.hook.clone().unwrap_or_default()).await?;
//! let card = Card::from(
//!     VideoFromTextCard::new("Taco truck at golden hour", VideoFromTextModel::Kling16)
//!         .aspect_ratio(AspectRatio::Ratio9x16)
//!         .duration(5),
//! );
//! let video = CellRef::new(agent, engine_id, 3001);
//! client.edit().generate_on_cell_and_wait(video, &card).await?.into_completed()?;
//!
//! // Step 5 — render, download (no key sent to the CDN), publish.
//! let final_video = CellRef::new(agent, engine_id, 3099);
//! let render = client.publish().render_and_wait(final_video).await?.into_completed()?;
//! let url = render.output_resources[0].url.clone();
//! client.publish().download(&url, "final.mp4", Default::default()).await?;
//! client
//!     .publish()
//!     .publish_and_wait(agent, &PublishPost::tiktok(&url, "The $2 taco at 2am #tacotok"))
//!     .await?
//!     .into_completed()?;
//! # Ok(()) }
//! ```
//!
//! | step | handle | host |
//! |---|---|---|
//! | 1 — set up the agent | [`GenClient::setup`] | api |
//! | 2 — generate content ideas | [`GenClient::ideas`] | agent (and api for monitoring jobs) |
//! | 3 — convert an idea to a vidsheet | [`GenClient::vidsheet`] | api |
//! | 4 — edit and generate | [`GenClient::edit`] | api |
//! | 5 — export and publish | [`GenClient::publish`] | api |
//!
//! On top of the generated [`genpro_api`] client it adds:
//!
//! - one client for both hosts, authenticated with `X-API-Key` (or a bearer
//!   token) in a sensitive header; `Debug` prints `api_key: "***"`
//!   ([`config`]);
//! - retries that never spend credits twice ([`retry`]): idempotent calls
//!   retry on connect errors, timeouts, 408, 429 and 5xx (honouring
//!   `Retry-After`); calls that spend credits retry only when the request
//!   provably never reached GEN;
//! - one [`Error`] type with the GEN `error_code`, the request id and the
//!   documented fix ([`Error::hint`]);
//! - typed creation cards validated before sending ([`cards`]);
//! - waiting for generations, renders, agent runs, user jobs and voice
//!   previews: long-poll detected at run time, bounded waits, progress,
//!   many at once, mass regenerate with an up-front credit check ([`wait`]);
//! - uploads up to 1 GiB, streamed and checksummed ([`upload`]), downloads
//!   ([`download`]) and the multipart operations genpro-api cannot generate
//!   ([`multipart`]);
//! - typed open enums for response statuses ([`status`]);
//! - the five steps as handles, one file each ([`steps`], also reachable as
//!   [`phases`]): ready-made methods that are thin typed wrappers over the
//!   generated builders, with typed ids ([`steps::AgentId`]...) that plain
//!   `i64`s convert into; every other operation is a builder of
//!   [`GenClient::raw`], routed by the generated table
//!   ([`phases::OPERATIONS`]).
//!
//! Runnable versions of each step, offline against the built-in fake when
//! `GEN_API_KEY` is unset, are in `examples/`.
//!
//! ## Cargo features
//!
//! With the `document-features` feature (as on docs.rs) the list is below;
//! otherwise see `[features]` in Cargo.toml.
#![cfg_attr(feature = "document-features", doc = document_features::document_features!())]
#![forbid(unsafe_code)]

#[cfg(not(any(feature = "tls-ring", feature = "tls-aws-lc")))]
compile_error!(
    "genpro-sdk needs a TLS provider: enable its `tls-ring` feature (the default) or `tls-aws-lc`"
);

pub mod agent_core;
pub mod cards;
pub mod client;
pub mod config;
pub mod download;
pub mod dynamic;
pub mod error;
pub mod multipart;
pub mod pagination;
pub mod phases;
pub mod response;
pub mod retry;
pub mod status;
pub mod steps;
pub mod transport;
pub mod upload;
pub mod wait;

pub use client::GenClient;
pub use config::GenClientBuilder;
pub use error::{Error, ErrorCode, ErrorCodeExt, ErrorKind, Result};
pub use response::{Meta, Response, WithMeta};
pub use retry::{Idempotency, RetryPolicy};

/// With the `tls-ring` feature (the default) and not `tls-aws-lc`, installs
/// ring as rustls's process-wide crypto provider (once; a provider the
/// application installed first wins). With `tls-aws-lc`, reqwest brings
/// aws-lc-rs itself and nothing is installed.
pub(crate) fn init_tls() {
    #[cfg(all(feature = "tls-ring", not(feature = "tls-aws-lc")))]
    {
        // rustls 0.23.48 deprecates `ring::default_provider` ("no support
        // for post-quantum algorithms") without a replacement for ring:
        // ring is chosen here for its build cost, and `tls-aws-lc` gives
        // the post-quantum key exchange. The provider's parts are private
        // to rustls, so this call is the only way to build it.
        #[allow(deprecated)]
        let provider = rustls::crypto::ring::default_provider();
        let _ = provider.install_default();
    }
}

/// The raw generated client, re-exported.
pub use genpro_api;

/// The HTTP client genpro-sdk is built on, re-exported: its version is the
/// one [`GenClientBuilder::http_client`] takes, and the one of
/// [`GenClient::http`], [`GenClient::execute`] and [`Error::from_response_parts`].
pub use reqwest;
