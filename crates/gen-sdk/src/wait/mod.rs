//! Waiting for async work: generations, renders, agent runs, user jobs and
//! voice previews, with one mechanism.
//!
//! Every GEN workflow is *trigger → wait → read*. The documentation's way to
//! wait is a hand-written loop polling every 3 s with no limit. A
//! [`Waiter`] does better:
//!
//! - **One mechanism for four job kinds** ([`JobRef`]): generations and
//!   renders (`GET /v1/generations/{id}`), agent runs (ideas, refinements,
//!   research: `GET /v1/agent/runs/{run_id}` on the agent host), user jobs
//!   (publish, `train_social`: `GET /v1/user_jobs/{id}?agent_id=`) and voice
//!   previews (`GET /v1/agents/{agent_id}/voice/preview/{job_id}`).
//! - **Long-poll where the server serves it**, detected at run time.
//!   Generations are first asked with `wait=true&timeout=50`: a server that
//!   honours it holds the request until the job ends (one request per job).
//!   If the answer comes back quickly (before `min(timeout / 2, 5 s)`) with
//!   a non-terminal state, or the server rejects the parameters (400/422),
//!   the server ignores long-poll: the waiter switches to interval polling
//!   and remembers the verdict for its other waits (re-probing after 10
//!   minutes). The probe costs nothing extra: it is the wait's first status
//!   read. The other kinds have no long-poll and are interval-polled.
//! - **Interval polling with jittered exponential backoff**: 1 s, 1.5 s,
//!   2.25 s ... up to 15 s by default, each interval multiplied by a random
//!   factor in `[0.75, 1.25)` (never above the maximum) so that many
//!   waiters spread out: the same [`Backoff`](crate::retry::Backoff) type
//!   as the retry loop's ([`WaitOptions::schedule`]). When the server reports `progress_percent`, the
//!   next poll is brought forward to the estimated completion time (never
//!   earlier than the initial interval). `Retry-After` is honoured, on
//!   success answers as on errors, but never below a floor
//!   ([`WaitOptions::min_interval`], 500 ms): `Retry-After: 0`, a negative
//!   value or a date in the past cannot turn the wait into a request storm.
//! - **A maximum wait always in force, as a hard deadline** (default 30
//!   minutes, [`WaitOptions::max_wait`]). Every request's timeout, and a
//!   long-poll's `timeout=`, is bounded by the time left; when the next
//!   poll would fall after it, the waiter sleeps until the deadline and
//!   checks one last time, giving that request
//!   [`WaitOptions::deadline_slack`] (1 s). So the wait ends at most 1 s
//!   after `max_wait` even against a server that trickles its answer one
//!   byte at a time, with [`WaitError::MaxWaitExceeded`] carrying the job
//!   and the last state seen, so the caller can resume
//!   ([`WaitError::resume`]). At least one request is always sent.
//! - **Transient errors are survived**: connect errors, timeouts, 408, 429
//!   and 5xx are retried within the wait (backoff, `Retry-After`); other
//!   errors (401, 404, ...) end the wait at once with [`WaitError::Poll`].
//!   A server that cannot be reached at all (refused, reset, DNS, connect
//!   timeouts) for [`WaitOptions::max_unreachable`] (2 minutes) ends the
//!   wait with the resumable [`WaitError::Unreachable`].
//! - **Bounded answers**: a status answer above 16 MiB ends the wait with
//!   [`ErrorKind::BodyTooLarge`](crate::ErrorKind::BodyTooLarge) without being
//!   buffered; error answers are read up to what an error keeps. Ids that
//!   would address another endpoint (`.`, `..`, empty) are refused before
//!   any request.
//! - **Typed outcomes** ([`Outcome`]): completed (text `result` and/or
//!   `output_resources`), failed (reason, [`ErrorCode`](crate::ErrorCode) with its
//!   [`hint`](crate::ErrorCodeExt::hint)), rejected, stopped, or waiting for approval.
//!   Statuses are parsed case-insensitively (`"COMPLETED"` is `completed`);
//!   statuses this version does not know are non-terminal and shown in
//!   [`Progress`] ([`JobStatus::Unknown`]).
//! - **Progress** as [`Progress`] events on a channel
//!   ([`WaitOptions::progress`]).
//!   *Choice:* `include=progress` cannot be combined with `wait=true` (the
//!   server answers 422), so `progress_percent` is requested only while
//!   interval polling. In long-poll mode progress reports status changes
//!   only; set [`WaitOptions::long_poll`] to `false` for live percentages
//!   (at the cost of more requests).
//! - **Cancellation**: a token ([`WaitOptions::cancel`]) ends the wait with
//!   [`WaitError::Cancelled`]; dropping the wait future stops polling at once. With
//!   [`WaitOptions::stop_on_cancel`], dropping it before a terminal state
//!   also sends one `POST /v1/generations/{id}/stop` (credits refunded).
//! - **Many at once** ([`Waiter::wait_all`]): bounded concurrency, results
//!   as they finish, and a shared [`RequestBudget`] (requests in flight and
//!   per second) across every wait of a waiter.
//! - **Conveniences** on the handles: generate-and-wait on a cell or layer,
//!   render-and-wait, publish-and-wait (a scheduled post ends the wait once
//!   GEN accepted it), stop and continue with the documented 422 cases
//!   mapped to [`WaitError::InvalidState`]; and [`MassRegenerate`] (seed
//!   "Regenerate workflow", pattern 4): a whole column or a list of cells
//!   with bounded concurrency, refused up front when the estimated cost
//!   exceeds the workspace's `available_credit.generic`.
//!
//! One way to wait: every trigger-and-wait method of the handles
//! ([`Cell::generate_and_wait`](crate::steps::Cell::generate_and_wait),
//! [`Cell::render_and_wait`](crate::steps::Cell::render_and_wait),
//! [`Agent::publish_and_wait`](crate::steps::Agent::publish_and_wait),
//! [`Generation::wait`](crate::steps::Generation::wait),
//! [`GenClient::wait_run`](crate::GenClient::wait_run)) takes
//! [`WaitOptions`]: the timeout ([`WaitOptions::max_wait`]), a progress
//! channel ([`WaitOptions::progress`]) and a cancellation token
//! ([`WaitOptions::cancel`]). [`Waiter`] is the mechanism underneath, for
//! waiting on a [`JobRef`] directly and for many jobs at once.
//!
//! ```no_run
//! use genpro_sdk::{GenClient, cards::*, wait::{Outcome, WaitOptions}};
//! use genpro_sdk::steps::{AgentId, EngineId, Role};
//! use std::time::Duration;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = GenClient::from_env()?;
//! let cancel = genpro_sdk::wait::CancellationToken::new();
//! let (progress, mut events) = tokio::sync::mpsc::unbounded_channel();
//! let options = WaitOptions::default()
//!     .max_wait(Duration::from_secs(600))
//!     .progress(progress)
//!     .cancel(cancel.clone())
//!     .stop_on_cancel(true);
//! tokio::spawn(async move {
//!     while let Some(p) = events.recv().await {
//!         eprintln!("{:?} {:?}", p.status, p.progress_percent);
//!     }
//! });
//! let engine = client.agent(AgentId::new(42)).engine(EngineId::new(101));
//! let script = engine.cell_by_role(Role::Script).await?;
//! let card = Card::from(TextCard::new("Write a 12s hook", TextModel::Gemini25Pro));
//! match script.generate_and_wait(&card, &options).await? {
//!     Outcome::Completed(done) => println!("{}", done.result.unwrap_or_default()),
//!     other => println!("did not complete: {other}"),
//! }
//! # Ok(()) }
//! ```
//!
//! Time is injected so tests run without waiting: a waiter takes the
//! [`Sleep`](crate::retry::Sleep) and [`Clock`](crate::retry::Clock) given
//! to the client builder ([`crate::GenClientBuilder::sleep`],
//! [`crate::GenClientBuilder::clock`]), the same as the retry loop's;
//! [`Waiter::with_time`] overrides them for one waiter.

mod actions;
mod budget;
mod engine;
mod mass;
mod types;

pub use actions::ControlAction;
pub use budget::RequestBudget;
pub use engine::{WaitStream, Waiter};
pub use mass::{
    CellOutcome, CellResult, MassRegenerate, MassRegenerateReport, default_cost_estimate,
};
pub use tokio_util::sync::CancellationToken;
pub use types::{
    JobKind, JobRef, JobSnapshot, JobStatus, Outcome, PollMode, Progress, WaitError, WaitOptions,
};

/// The longest `timeout` GEN accepts on a long-poll (`wait=true`) request.
pub const MAX_LONG_POLL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(55);
