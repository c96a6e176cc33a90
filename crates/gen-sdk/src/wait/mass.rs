//! Mass regenerate: a column or a list of cells, checked against the
//! workspace's credit before anything is triggered.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::StreamExt;

use crate::cards::Card;
use crate::error::{Error, ErrorCode};
use crate::steps::{AgentId, CellId, Engine, EngineId, OrganizationId};

use super::engine::Waiter;
use super::types::{JobRef, Outcome, WaitError};

/// A rough, deliberately high estimate of what one generation of `card`
/// costs, in generic credits. GEN publishes no price list (the only figure
/// in the documentation is an `execution_cost` of 2.5 for a text
/// generation), so these are placeholders meant to err on the safe side;
/// pass your own with [`MassRegenerate::estimate`] when you know better.
///
/// | card | credits |
/// |---|---|
/// | `media` | 0 |
/// | `text`, `captions` | 3 |
/// | `speech_from_text` | 5 |
/// | `image_from_text` | 10 |
/// | `lipsync` | 25 |
/// | `video_from_text`, `video_from_image`, `video_from_ingredients` | 50 |
/// | a card type added later | 50 |
pub fn default_cost_estimate(card: &Card) -> f64 {
    match card.generation_type() {
        "media" => 0.0,
        "text" | "captions" => 3.0,
        "speech_from_text" => 5.0,
        "image_from_text" => 10.0,
        "lipsync" => 25.0,
        _ => 50.0,
    }
}

type Estimate = Arc<dyn Fn(&Card) -> f64 + Send + Sync>;

#[derive(Clone, Debug)]
enum Target {
    Column { column_id: i64, card: Card },
    Cells(Vec<(i64, Card)>),
}

/// Regenerates many cells of one engine (seed "Regenerate workflow",
/// pattern 4: there is no single endpoint, each cell's generate is
/// triggered), safely:
///
/// 1. every card is validated, and a column is resolved to its cells
///    (`GET /v1/autocontentengine/{id}`); a cell listed twice is
///    triggered once;
/// 2. the workspace's `available_credit.generic` is read
///    (`GET /v1/organizations/{id}`) and the batch is refused with
///    [`WaitError::InsufficientCredit`], **nothing sent**, when the
///    estimated cost exceeds it. When GEN does not report it (no seed shows
///    the field with a value) the check cannot be made: a warning is logged
///    and the batch goes on, GEN refusing a generate it cannot pay for
///    (`insufficient_credits_for_job`, nothing charged), which skips the
///    remaining cells (3.);
/// 3. each cell's generate is sent **exactly once**, at most
///    [`Self::trigger_concurrency`] at a time; a trigger that fails after it
///    may have reached GEN is not retried. After an answer that would fail
///    every other trigger too (`insufficient_credits_for_job`,
///    `usable_gen_credit_required`, 401, 403) the remaining cells are
///    skipped;
/// 4. the triggered generations are awaited, at most
///    [`Self::wait_concurrency`] at a time (unless [`Self::wait`] is off).
///
/// The card is sent in each generate request's body; the cells' stored
/// cards are not changed.
///
/// ```no_run
/// use genpro_sdk::{GenClient, cards::*, wait::MassRegenerate};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let client = GenClient::from_env()?;
/// let card = Card::from(TextCard::new("Write a punchier hook", TextModel::Gpt4o));
/// use genpro_sdk::steps::{AgentId, EngineId, OrganizationId};
/// let engine = client.agent(AgentId::new(42)).engine(EngineId::new(101));
/// let plan = MassRegenerate::column(OrganizationId::new(12), &engine, 2000, card);
/// let report = client
///     .waiter()
///     .mass_regenerate(plan.trigger_concurrency(4))
///     .await?;
/// for cell in &report.cells {
///     println!("cell {}: {}", cell.cell_id, cell.result);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct MassRegenerate {
    organization_id: i64,
    agent_id: i64,
    engine_id: i64,
    target: Target,
    trigger_concurrency: usize,
    wait_concurrency: usize,
    wait: bool,
    estimate: Option<Estimate>,
}

impl fmt::Debug for MassRegenerate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MassRegenerate")
            .field("organization_id", &self.organization_id)
            .field("agent_id", &self.agent_id)
            .field("engine_id", &self.engine_id)
            .field("target", &self.target)
            .field("trigger_concurrency", &self.trigger_concurrency)
            .field("wait_concurrency", &self.wait_concurrency)
            .field("wait", &self.wait)
            .field("custom_estimate", &self.estimate.is_some())
            .finish()
    }
}

impl MassRegenerate {
    fn new(organization_id: i64, agent_id: i64, engine_id: i64, target: Target) -> Self {
        Self {
            organization_id,
            agent_id,
            engine_id,
            target,
            trigger_concurrency: 4,
            wait_concurrency: 64,
            wait: true,
            estimate: None,
        }
    }

    /// Every cell of column `column_id` of `engine`, generated from
    /// `card`. `organization` is the workspace whose credit pays.
    pub fn column(
        organization: OrganizationId,
        engine: &Engine<'_>,
        column_id: i64,
        card: Card,
    ) -> Self {
        Self::new(
            organization.0,
            engine.agent_id().0,
            engine.id().0,
            Target::Column { column_id, card },
        )
    }

    /// The listed cells of `engine`, each with its card.
    pub fn cells(
        organization: OrganizationId,
        engine: &Engine<'_>,
        cells: impl IntoIterator<Item = (CellId, Card)>,
    ) -> Self {
        Self::new(
            organization.0,
            engine.agent_id().0,
            engine.id().0,
            Target::Cells(cells.into_iter().map(|(id, card)| (id.0, card)).collect()),
        )
    }

    /// Generate requests in flight at once (default 4, at least 1).
    pub fn trigger_concurrency(mut self, n: usize) -> Self {
        self.trigger_concurrency = n.max(1);
        self
    }

    /// Generations awaited at once (default 64, at least 1).
    pub fn wait_concurrency(mut self, n: usize) -> Self {
        self.wait_concurrency = n.max(1);
        self
    }

    /// Wait for the generations (default true); when false, the report
    /// holds [`CellResult::Triggered`] for each triggered cell.
    pub fn wait(mut self, wait: bool) -> Self {
        self.wait = wait;
        self
    }

    /// The estimated cost of one generation of a card, in generic credits
    /// (default [`default_cost_estimate`]).
    pub fn estimate(mut self, estimate: impl Fn(&Card) -> f64 + Send + Sync + 'static) -> Self {
        self.estimate = Some(Arc::new(estimate));
        self
    }
}

/// What happened to one cell.
#[derive(Debug)]
#[non_exhaustive]
pub enum CellResult {
    /// The generation ended (completed, failed, stopped...).
    Finished(Outcome),
    /// Triggered; not awaited ([`MassRegenerate::wait`] off).
    Triggered,
    /// The generate request failed; it was sent once and not retried
    /// unless it provably never reached GEN.
    TriggerFailed(Error),
    /// Triggered, but waiting failed (maximum wait, non-transient error).
    WaitFailed(WaitError),
    /// Not triggered: an earlier answer showed it would fail too.
    Skipped(String),
}

impl CellResult {
    /// True for a completed generation.
    pub fn is_completed(&self) -> bool {
        matches!(self, Self::Finished(outcome) if outcome.is_completed())
    }
}

impl fmt::Display for CellResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Finished(outcome) => write!(f, "{outcome}"),
            Self::Triggered => f.write_str("triggered"),
            Self::TriggerFailed(e) => write!(f, "trigger failed: {e}"),
            Self::WaitFailed(e) => write!(f, "{e}"),
            Self::Skipped(reason) => write!(f, "skipped: {reason}"),
        }
    }
}

/// One cell of a [`MassRegenerateReport`].
#[derive(Debug)]
#[non_exhaustive]
pub struct CellOutcome {
    /// The cell.
    pub cell_id: i64,
    /// The generation, when the trigger succeeded.
    pub generation_id: Option<i64>,
    /// What happened.
    pub result: CellResult,
}

/// The result of [`Waiter::mass_regenerate`]: one entry per distinct cell,
/// in the order given (a column's cells in the engine's order).
#[derive(Debug)]
#[non_exhaustive]
pub struct MassRegenerateReport {
    /// The estimated cost of the batch.
    pub estimated_cost: f64,
    /// `available_credit.generic` before the batch (`None`: GEN did not
    /// report it).
    pub available_credit: Option<f64>,
    /// Per-cell results.
    pub cells: Vec<CellOutcome>,
}

impl MassRegenerateReport {
    /// Cells whose generation completed.
    pub fn completed(&self) -> usize {
        self.cells
            .iter()
            .filter(|c| c.result.is_completed())
            .count()
    }

    /// Cells that did not complete (failed, not triggered, wait failed).
    pub fn unsuccessful(&self) -> impl Iterator<Item = &CellOutcome> {
        self.cells
            .iter()
            .filter(|c| !c.result.is_completed() && !matches!(c.result, CellResult::Triggered))
    }
}

fn halts_batch(error: &Error) -> bool {
    matches!(error.status(), Some(401 | 403))
        || matches!(
            error.error_code(),
            Some(ErrorCode::InsufficientCreditsForJob | ErrorCode::UsableGenCreditRequired)
        )
}

impl Waiter {
    /// Runs a [`MassRegenerate`]; see there. Errors before anything is
    /// triggered (invalid card, engine or workspace unreadable, not enough
    /// credit) are returned as `Err`; after that every cell has its own
    /// [`CellResult`].
    pub async fn mass_regenerate(
        &self,
        plan: MassRegenerate,
    ) -> Result<MassRegenerateReport, WaitError> {
        let client = self.client();
        let cells: Vec<(i64, Card)> = match plan.target {
            Target::Cells(cells) => cells,
            Target::Column { column_id, card } => {
                card.validate().map_err(WaitError::request)?;
                let engine = client
                    .agent(AgentId(plan.agent_id))
                    .engine(EngineId(plan.engine_id))
                    .get()
                    .await
                    .map_err(WaitError::request)?;
                engine
                    .spreadsheet_cells
                    .iter()
                    .filter(|c| c.column_id == Some(column_id))
                    .filter_map(|c| Some((c.id?, card.clone())))
                    .collect()
            }
        };
        let mut seen = HashSet::new();
        let cells: Vec<(i64, Card)> = cells
            .into_iter()
            .filter(|(id, _)| seen.insert(*id))
            .collect();
        for (_, card) in &cells {
            card.validate().map_err(WaitError::request)?;
        }

        let estimate = plan
            .estimate
            .clone()
            .unwrap_or_else(|| Arc::new(default_cost_estimate));
        let estimated: f64 = cells.iter().map(|(_, card)| estimate(card).max(0.0)).sum();
        let credit = client
            .credits(OrganizationId(plan.organization_id))
            .await
            .map_err(WaitError::request)?;
        // `available_credit.generic` is optional (no seed shows it with a
        // value): without it the balance is unknown, and GEN's own check
        // (a 422 that charges nothing and halts the batch) is what is left.
        let available = credit.and_then(|c| c.generic);
        match available {
            Some(a) if estimated > a => {
                return Err(WaitError::InsufficientCredit {
                    organization_id: plan.organization_id,
                    estimated,
                    available,
                    cells: cells.len(),
                });
            }
            Some(_) => {}
            None => tracing::warn!(
                organization_id = plan.organization_id,
                estimated,
                "the workspace's available_credit.generic is not reported: the batch's cost cannot be checked first; GEN refuses a generate it cannot pay for"
            ),
        }

        // Trigger each cell once.
        let halted = Arc::new(AtomicBool::new(false));
        let triggers = futures_util::stream::iter(cells.iter().enumerate())
            .map(|(index, (cell_id, card))| {
                let halted = halted.clone();
                let cell = client
                    .agent(AgentId(plan.agent_id))
                    .engine(EngineId(plan.engine_id))
                    .cell(CellId(*cell_id));
                async move {
                    if halted.load(Ordering::SeqCst) {
                        return (
                            index,
                            Err(CellResult::Skipped(
                                "an earlier generate was refused for credit or authorisation"
                                    .to_owned(),
                            )),
                        );
                    }
                    match cell.generate(card).await {
                        Ok(created) => (index, Ok(created.id.0)),
                        Err(error) => {
                            if halts_batch(&error) {
                                halted.store(true, Ordering::SeqCst);
                            }
                            (index, Err(CellResult::TriggerFailed(error)))
                        }
                    }
                }
            })
            .buffer_unordered(plan.trigger_concurrency)
            .collect::<Vec<_>>()
            .await;

        let mut results: Vec<Option<(Option<i64>, CellResult)>> =
            (0..cells.len()).map(|_| None).collect();
        let mut to_wait: HashMap<i64, usize> = HashMap::new();
        for (index, trigger) in triggers {
            match trigger {
                Ok(generation_id) if plan.wait => {
                    to_wait.insert(generation_id, index);
                    results[index] = Some((Some(generation_id), CellResult::Triggered));
                }
                Ok(generation_id) => {
                    results[index] = Some((Some(generation_id), CellResult::Triggered))
                }
                Err(result) => results[index] = Some((None, result)),
            }
        }

        if !to_wait.is_empty() {
            let jobs: Vec<JobRef> = to_wait.keys().copied().map(JobRef::Generation).collect();
            let mut finished = self.wait_all(jobs, plan.wait_concurrency);
            while let Some((job, result)) = finished.next().await {
                let Some(generation_id) = job.generation_id() else {
                    continue;
                };
                if let Some(&index) = to_wait.get(&generation_id) {
                    let result = match result {
                        Ok(outcome) => CellResult::Finished(outcome),
                        Err(error) => CellResult::WaitFailed(error),
                    };
                    results[index] = Some((Some(generation_id), result));
                }
            }
        }

        let cells = cells
            .iter()
            .zip(results)
            .map(|((cell_id, _), result)| {
                let (generation_id, result) =
                    result.unwrap_or((None, CellResult::Skipped("not processed".to_owned())));
                CellOutcome {
                    cell_id: *cell_id,
                    generation_id,
                    result,
                }
            })
            .collect();
        Ok(MassRegenerateReport {
            estimated_cost: estimated,
            available_credit: available,
            cells,
        })
    }
}
