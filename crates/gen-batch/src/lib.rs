//! # genpro-batch — crash-safe batches of GEN generations
//!
//! A manifest of generations in ([`manifest`], JSON Lines), every output
//! out, nothing charged twice: each row's state is written to a durable
//! [`journal`] before and after every step that spends credits or writes a
//! file, so a run killed at any moment (a laptop sleeping, a deploy, a
//! `kill -9`) is taken up by running the same command again.
//!
//! - **Before anything is spent**: every card is validated (a bad row is
//!   reported with its line and nothing is sent for it), the cost is
//!   estimated and compared with the workspace's balance
//!   ([`BatchOptions::organization`]), and each engine's generations are
//!   recorded (its *baseline*).
//! - **A paid POST** is sent only after its intent is on disk. A row whose
//!   POST may have reached GEN but whose answer was never recorded is
//!   reconciled from GEN's state (the engine's `user_jobs`, seed 003)
//!   before anything is sent again: exactly one new generation on its
//!   cell is adopted; none (after [`BatchOptions::doubt_grace`]) means the
//!   POST never landed; anything else leaves the row *in doubt*, reported
//!   and never re-sent.
//! - **Credits**: `max_credits` stops starting paid work at the budget; a
//!   422 `insufficient_credits_for_job` pauses new starts while the rows
//!   already running go on.
//! - **Manners**: `parallel` rows at once, rows on the same cell one after
//!   the other; a 429's `Retry-After` holds every row; waits long-poll
//!   with genpro-sdk's floor between polls; a generation GEN reports
//!   `failed` (refunded) is retried with a new POST up to `retries`.
//! - **Outputs** are downloaded once to a part file (complete by
//!   construction: genpro-sdk renames it into place only when whole), its
//!   SHA-256 recorded, then moved to the row's `download` path; a later
//!   run checks every saved output against its SHA-256.
//!
//! ```no_run
//! # async fn demo(client: genpro_sdk::GenClient) -> Result<(), Box<dyn std::error::Error>> {
//! use genpro_batch::{BatchOptions, SqliteJournal, manifest, run};
//!
//! let manifest = manifest::read("batch.jsonl".as_ref())?;
//! for error in &manifest.errors {
//!     eprintln!("skipped: {error}");
//! }
//! let journal = SqliteJournal::open("batch.jsonl.journal")?;
//! let options = BatchOptions::new().parallel(8).max_credits(Some(5_000.0)).organization(Some(1));
//! let summary = run(&client, &manifest, &journal, options, None).await?;
//! println!("{:?}", summary.states);
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]

pub mod journal;
pub mod manifest;
mod run;

pub use journal::{Journal, JournalError, MemoryJournal, RowRecord, RowState, SqliteJournal};
pub use manifest::{Manifest, Row, RowError};
pub use run::{BatchError, BatchOptions, Event, Plan, Summary, estimate, plan, run};

/// The journal of the manifest at `manifest`: `MANIFEST.journal` beside it.
pub fn default_journal_path(manifest: &std::path::Path) -> std::path::PathBuf {
    let mut name = manifest.as_os_str().to_owned();
    name.push(".journal");
    std::path::PathBuf::from(name)
}
