//! # genpro-sdk — the ergonomic Rust client for the GEN Auto Content Engine API
//!
//! GEN takes a raw idea to a published short video in five steps. In code,
//! offline against the built-in fake when `GEN_API_KEY` is unset (feature
//! `offline`), against GEN with it:
//!
//! ```
//! use genpro_sdk::agent_core::AgentCorePatch;
//! use genpro_sdk::cards::{AspectRatio, Card, VideoFromTextCard, VideoFromTextModel};
//! use genpro_sdk::chrono::{Duration, Utc};
//! use genpro_sdk::steps::{PublishOutcome, PublishPost, Role};
//! use genpro_sdk::wait::WaitOptions;
//! use genpro_sdk::GenClient;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # #[cfg(feature = "offline")] {
//! let conn = GenClient::connect_or_offline().await?; // GEN_API_KEY, GEN_AGENT_ID
//! let agent = conn.agent()?;
//! let wait = WaitOptions::default(); // timeout, progress channel, cancellation
//!
//! // Step 1 — set up the agent: one PATCH, only the fields set are sent.
//! let core = AgentCorePatch::new()
//!     .brand_name("Santiago")
//!     .keywords(["streetfood", "tacotok"]);
//! let saved = agent.update_core(&core).await?; // 200, or 207 + failed sections
//! assert!(saved.failed_section_names().is_empty());
//!
//! // Step 2 — generate ideas: start a run, wait for it (bounded), read the ideas.
//! let run = agent.start_run("Generate 5 content ideas", None).await?;
//! conn.client.wait_run(&run.run_id, &wait).await?.into_completed()?;
//! let conversation = run.conversation_id.unwrap_or_default();
//! let messages = conn.client.messages(&conversation).await?;
//! let idea = messages.iter().flat_map(|m| m.ideas.iter()).next().expect("an idea");
//!
//! // Step 3 — clone a template into a vidsheet (free); its id is typed.
//! let cloned = agent.clone_template("tiktok-talking-avatar").await?;
//! let engine = agent.engine(cloned.id);
//!
//! // Step 4 — write the script cell, then generate the video cell from a
//! // typed card (validated before sending, never sent twice) and wait.
//! // Cells are found by role: their ids differ per clone.
//! let script = engine.cell_by_role(Role::Script).await?;
//! script.update(idea.hook.clone().unwrap_or_default()).await?;
//! let card = Card::from(
//!     VideoFromTextCard::new("Taco truck at golden hour", VideoFromTextModel::Kling16)
//!         .aspect_ratio(AspectRatio::Ratio9x16)
//!         .duration(5),
//! );
//! let video = engine.cell_by_role(Role::Video).await?;
//! video.generate_and_wait(&card, &wait).await?.into_completed()?;
//!
//! // Step 5 — render the final-video cell, download (no key sent to the
//! // CDN), publish later: a scheduled post is accepted, not waited for.
//! let final_video = engine.cell_by_role(Role::FinalVideo).await?;
//! let render = final_video.render_and_wait(&wait).await?.into_completed()?;
//! let url = render.output_resources[0].url.clone();
//! # let dir = tempfile::tempdir()?;
//! # let final_mp4 = dir.path().join("final.mp4");
//! conn.client.download(&url, &final_mp4, Default::default()).await?;
//! let post = PublishPost::tiktok(&url, "The $2 taco at 2am #tacotok")
//!     .scheduled(Utc::now() + Duration::hours(2));
//! let published = agent.publish_and_wait(&post, &wait).await?;
//! assert!(matches!(published, PublishOutcome::Scheduled { .. }));
//! # conn.close().await;
//! # }
//! # Ok(()) }
//! ```
//!
//! | scope | handle | file |
//! |---|---|---|
//! | the account: user, workspaces, credit, templates, runs, downloads | [`GenClient`] | [`steps::account`] |
//! | an agent: setup, ideas, clone, uploads, publish | [`GenClient::agent`] → [`steps::Agent`] | [`steps::agent`] |
//! | an engine: read, cells by role, variables | [`steps::Agent::engine`] → [`steps::Engine`] | [`steps::engine`] |
//! | a cell or layer: value, card, generate, render | [`steps::Engine::cell`] → [`steps::Cell`] | [`steps::cell`] |
//! | a generation: status, stop, continue, wait | [`GenClient::generation`] → [`steps::Generation`] | [`steps::generation`] |
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
//!   previews, one way: [`wait::WaitOptions`] with a timeout, a progress
//!   channel and cancellation; long-poll detected at run time, many at
//!   once, mass regenerate with an up-front credit check ([`wait`]);
//! - uploads up to 1 GiB, streamed and checksummed ([`upload`]), downloads
//!   ([`download`]) and the multipart operations genpro-api cannot generate
//!   ([`multipart`]);
//! - typed open enums for response statuses ([`status`]);
//! - handles that carry their scope and typed ids that cannot be swapped
//!   ([`steps`]); every other operation is a builder of [`GenClient::raw`],
//!   routed by the generated table ([`steps::OPERATIONS`]);
//! - the workflows (connect or run offline, the whole journey) once, for
//!   apps, the CLI and the MCP server ([`workflow`]).
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
pub mod response;
pub mod retry;
pub mod status;
pub mod steps;
pub mod transport;
pub mod upload;
pub mod wait;
pub mod workflow;

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

/// The README's snippet, run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}

/// The raw generated client, re-exported.
pub use genpro_api;

/// The HTTP client genpro-sdk is built on, re-exported: its version is the
/// one [`GenClientBuilder::http_client`] takes, and the one of
/// [`GenClient::http`], [`GenClient::execute`] and [`Error::from_response_parts`].
pub use reqwest;

/// The time types the API takes ([`steps::PublishPost::scheduled`] takes a
/// `chrono::DateTime<Utc>`), re-exported.
pub use chrono;
