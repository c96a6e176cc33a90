//! # gen-sdk — the ergonomic Rust client for the GEN Auto Content Engine API
//!
//! GEN takes a raw idea to a published short video in five steps; this
//! crate follows them:
//!
//! | step | handle | host |
//! |---|---|---|
//! | 1 — set up the agent | [`GenClient::setup`] | api |
//! | 2 — generate content ideas | [`GenClient::ideas`] | agent (and api for monitoring jobs) |
//! | 3 — convert an idea to a vidsheet | [`GenClient::vidsheet`] | api |
//! | 4 — edit and generate | [`GenClient::edit`] | api |
//! | 5 — export and publish | [`GenClient::publish`] | api |
//!
//! On top of the generated [`gen_api`] client it adds:
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
//! - typed open enums for response statuses ([`status`]);
//! - the routing table of all 97 operations ([`phases::OPERATIONS`]): every
//!   operation stays reachable through each handle's `raw()`.
//!
//! ```no_run
//! use gen_sdk::{GenClient, cards::*, phases::CellRef};
//!
//! # async fn run() -> Result<(), gen_sdk::Error> {
//! let client = GenClient::from_env()?; // GEN_API_KEY
//! let me = client.setup().me().await?;
//! let engine = client.vidsheet().clone_template("tiktok-talking-avatar", 42).await?;
//! let card = Card::from(
//!     VideoFromTextCard::new("Taco truck at golden hour", VideoFromTextModel::Kling16)
//!         .aspect_ratio(AspectRatio::Ratio9x16)
//!         .duration(10),
//! );
//! let created = client.edit().generate_on_cell(CellRef::new(42, engine.id, 3000), &card).await?;
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]

mod open_enum;

pub mod agent_core;
pub mod cards;
pub mod client;
pub mod config;
pub mod download;
pub mod error;
pub mod multipart;
pub mod phases;
pub mod retry;
pub mod status;
pub mod upload;
pub mod wait;

pub use client::GenClient;
pub use config::GenClientBuilder;
pub use error::{Error, ErrorCode, Result};
pub use retry::{Idempotency, RetryPolicy};

/// The raw generated client, re-exported.
pub use gen_api;
