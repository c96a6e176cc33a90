//! Running a batch: every row from where the journal says it stands to
//! done, with no paid POST sent twice.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use futures_util::stream::{FuturesUnordered, StreamExt};
use genpro_sdk::cards::GenerateBody;
use genpro_sdk::steps::{AgentId, CellId, EngineId, LayerId, OrganizationId};
use genpro_sdk::wait::{Outcome, WaitOptions, default_cost_estimate};
use genpro_sdk::{ErrorKind, GenClient};
use serde::Serialize;
use serde_json::{Map, Value, json};
use tokio::sync::{Mutex, Semaphore, mpsc};

use crate::journal::{Journal, JournalError, RowRecord, RowState};
use crate::manifest::{Manifest, Row};

/// How a batch runs.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct BatchOptions {
    /// Rows worked on at once (default 4). Rows on the same cell (or
    /// layer) run one after the other whatever this says.
    pub parallel: usize,
    /// New POSTs for a generation GEN reports `failed` (refunded), per row
    /// (default 2). A row in doubt is never retried.
    pub retries: u32,
    /// Stop starting paid work once the estimated credits of the rows
    /// started (in this journal, every run) would pass this.
    pub max_credits: Option<f64>,
    /// The workspace whose balance is checked before the batch starts.
    pub organization: Option<i64>,
    /// Start even when the estimate exceeds the balance.
    pub allow_short_balance: bool,
    /// The longest wait for one generation (default genpro-sdk's
    /// [`WaitOptions::max_wait`], 30 minutes); a row
    /// still running then is left `running` for the next run.
    pub max_wait: Duration,
    /// How long after its intent a POST that got no answer may still be
    /// landing at GEN (default 2 minutes): a row found with no new
    /// generation is sent again only after this.
    pub doubt_grace: Duration,
    /// The shortest pause between two status requests of a wait
    /// (default genpro-sdk's [`WaitOptions::min_interval`], 500 ms).
    pub min_poll_interval: Duration,
}

impl Default for BatchOptions {
    fn default() -> Self {
        // The wait's bounds are genpro-sdk's wait defaults.
        let wait = WaitOptions::default();
        Self {
            parallel: 4,
            retries: 2,
            max_credits: None,
            organization: None,
            allow_short_balance: false,
            max_wait: wait.max_wait,
            doubt_grace: Duration::from_secs(120),
            min_poll_interval: wait.min_interval,
        }
    }
}

impl BatchOptions {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Rows worked on at once (at least 1).
    pub fn parallel(mut self, n: usize) -> Self {
        self.parallel = n.max(1);
        self
    }

    /// New POSTs for a failed generation, per row.
    pub fn retries(mut self, n: u32) -> Self {
        self.retries = n;
        self
    }

    /// The credit budget of the batch.
    pub fn max_credits(mut self, credits: Option<f64>) -> Self {
        self.max_credits = credits;
        self
    }

    /// The workspace whose balance is checked first.
    pub fn organization(mut self, id: Option<i64>) -> Self {
        self.organization = id;
        self
    }

    /// Start even when the estimate exceeds the balance.
    pub fn allow_short_balance(mut self, allow: bool) -> Self {
        self.allow_short_balance = allow;
        self
    }

    /// The longest wait for one generation.
    pub fn max_wait(mut self, wait: Duration) -> Self {
        self.max_wait = wait;
        self
    }

    /// How long an unanswered POST may still be landing at GEN.
    pub fn doubt_grace(mut self, grace: Duration) -> Self {
        self.doubt_grace = grace;
        self
    }

    /// The shortest pause between two status requests.
    pub fn min_poll_interval(mut self, interval: Duration) -> Self {
        self.min_poll_interval = interval;
        self
    }
}

/// What a batch reports as it goes (JSON lines under `gen batch run --json`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Event {
    /// The plan: rows in all, rows still to send, their estimated cost,
    /// and the workspace's balance when checked.
    Planned {
        /// Rows in the manifest (valid ones).
        rows: usize,
        /// Rows that still need a paid POST.
        to_send: usize,
        /// Their estimated cost in credits.
        estimate: f64,
        /// The workspace's generic balance, when checked.
        balance: Option<f64>,
    },
    /// A row changed state.
    Row {
        /// The row.
        id: String,
        /// Its new state.
        state: RowState,
        /// Its generation, when known.
        generation_id: Option<i64>,
        /// What happened.
        note: Option<String>,
    },
    /// No new paid work is started: the budget is reached, or GEN said
    /// the credits are short.
    Paused {
        /// Why.
        reason: String,
    },
    /// Something the user should know.
    Warning {
        /// What.
        message: String,
    },
}

/// The end of a run.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Summary {
    /// Rows per state.
    pub states: BTreeMap<RowState, usize>,
    /// Estimated credits of the generations charged and not refunded.
    pub credits: f64,
    /// The rows in doubt.
    pub in_doubt: Vec<String>,
    /// The rows that failed.
    pub failed: Vec<String>,
    /// Why new paid work stopped, if it did.
    pub paused: Option<String>,
}

impl Summary {
    /// Whether every row is done.
    pub fn all_done(&self) -> bool {
        self.states
            .iter()
            .all(|(state, n)| *state == RowState::Done || *n == 0)
    }
}

/// Why a batch could not run (a row's own trouble is in its record, not
/// here).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BatchError {
    /// The journal failed: the run stopped, since going on without a
    /// record could spend credits twice.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// The estimate exceeds the workspace's balance.
    #[error(
        "the batch needs about {estimate} credits and workspace {organization} has {balance}: top up, lower --max-credits, or confirm to start anyway"
    )]
    ShortBalance {
        /// The workspace.
        organization: i64,
        /// The estimated cost of the rows to send.
        estimate: f64,
        /// The balance.
        balance: f64,
    },
    /// GEN could not be asked something the batch needs before it starts
    /// (the balance, an engine's generations).
    #[error("{what}: {source}")]
    Api {
        /// What was asked.
        what: String,
        /// The error.
        #[source]
        source: genpro_sdk::Error,
    },
}

/// The estimated cost of one generation of `body` ([`default_cost_estimate`];
/// an internal Rails type counts as the most expensive card).
pub fn estimate(body: &GenerateBody) -> f64 {
    match body {
        GenerateBody::Card(card) => default_cost_estimate(card),
        _ => 50.0,
    }
}

/// The plan of a run: what is left to send and what it costs.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Plan {
    /// Valid rows.
    pub rows: usize,
    /// Rows that still need a paid POST.
    pub to_send: usize,
    /// Their estimated cost.
    pub estimate: f64,
}

/// Adds the manifest's rows to the journal (rows it already holds keep
/// their state) and says what is left to send.
pub fn plan(manifest: &Manifest, journal: &dyn Journal) -> Result<Plan, JournalError> {
    let records: Vec<RowRecord> = manifest
        .rows
        .iter()
        .map(|r| {
            RowRecord::new(
                r.id.clone(),
                r.line,
                r.fingerprint.clone(),
                estimate(&r.body),
            )
        })
        .collect();
    journal.add_rows(&records)?;
    let known: HashMap<String, RowRecord> = journal
        .rows()?
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect();
    let mut plan = Plan {
        rows: manifest.rows.len(),
        to_send: 0,
        estimate: 0.0,
    };
    for row in &manifest.rows {
        if let Some(record) = known.get(&row.id)
            && record.fingerprint == row.fingerprint
            && record.state == RowState::Pending
        {
            plan.to_send += 1;
            plan.estimate += record.estimate;
        }
    }
    Ok(plan)
}

/// The shared state of a run.
struct Shared<'a> {
    client: &'a GenClient,
    journal: &'a dyn Journal,
    options: BatchOptions,
    events: Option<mpsc::UnboundedSender<Event>>,
    /// Set on 422 `insufficient_credits_for_job` or at the budget: no new
    /// paid POST.
    paused: AtomicBool,
    pause_reason: std::sync::Mutex<Option<String>>,
    /// Estimated credits of the attempts charged (journal-wide).
    committed: std::sync::Mutex<f64>,
    /// No request before this (a 429's `Retry-After`, for every row).
    not_before: std::sync::Mutex<Option<Instant>>,
    /// One lock per target: rows on the same cell run one at a time.
    targets: HashMap<(i64, i64, Option<i64>), Arc<Mutex<()>>>,
}

impl Shared<'_> {
    fn emit(&self, event: Event) {
        if let Some(tx) = &self.events {
            let _ = tx.send(event);
        }
    }

    /// A warning about row `id`.
    fn warn_row(&self, id: &str, message: impl std::fmt::Display) {
        self.emit(Event::Warning {
            message: format!("row `{id}`: {message}"),
        });
    }

    fn save(
        &self,
        record: &mut RowRecord,
        state: RowState,
        note: Option<String>,
    ) -> Result<(), JournalError> {
        record.state = state;
        record.updated_at = Utc::now();
        if note.is_some() {
            record.error.clone_from(&note);
        }
        self.journal.save(record)?;
        self.emit(Event::Row {
            id: record.id.clone(),
            state,
            generation_id: record.generation_id,
            note,
        });
        Ok(())
    }

    fn pause(&self, reason: String) {
        if !self.paused.swap(true, Ordering::SeqCst) {
            *self.pause_reason.lock().unwrap_or_else(|e| e.into_inner()) = Some(reason.clone());
            self.emit(Event::Paused { reason });
        }
    }

    /// Reserves `estimate` credits of the budget; false when it would pass
    /// `max_credits` (and the batch pauses).
    fn reserve(&self, estimate: f64) -> bool {
        let mut committed = self.committed.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(max) = self.options.max_credits
            && *committed + estimate > max + 1e-9
        {
            drop(committed);
            self.pause(format!(
                "--max-credits {max} reached: no new generation is started"
            ));
            return false;
        }
        *committed += estimate;
        true
    }

    fn release(&self, estimate: f64) {
        *self.committed.lock().unwrap_or_else(|e| e.into_inner()) -= estimate;
    }

    async fn gate(&self) {
        let until = *self.not_before.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(until) = until {
            tokio::time::sleep_until(until.into()).await;
        }
    }

    fn slow_down(&self, error: &genpro_sdk::Error) {
        let delay = error
            .retry_after()
            .map(|r| r.delay_from(std::time::SystemTime::now()))
            .unwrap_or(Duration::from_secs(1))
            .max(Duration::from_millis(200));
        let until = Instant::now() + delay;
        let mut slot = self.not_before.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_none_or(|t| t < until) {
            *slot = Some(until);
        }
    }
}

/// Whether a paid POST that ended in `error` may have reached GEN (and
/// created a generation).
fn may_have_landed(error: &genpro_sdk::Error) -> bool {
    match error.kind() {
        ErrorKind::Validation | ErrorKind::Config | ErrorKind::InvalidRequest => false,
        ErrorKind::Transport | ErrorKind::Timeout => !error.is_connect(),
        // GEN answered: a 4xx is a refusal (nothing created); a 5xx may
        // come after the generation was made.
        ErrorKind::Api => error.status().is_none_or(|s| s >= 500),
        // A 2xx whose body could not be read, and anything newer.
        _ => true,
    }
}

/// The generation ids of an engine (its `user_jobs`), with the cell and
/// layer each names when the answer says (no seed pins those fields).
struct EngineJobs {
    jobs: Vec<(i64, Option<i64>, Option<i64>)>,
}

fn field_i64(value: &Value, keys: &[&str]) -> Option<i64> {
    keys.iter().find_map(|k| match value.get(*k) {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

async fn engine_jobs(
    client: &GenClient,
    agent_id: i64,
    engine_id: i64,
) -> Result<EngineJobs, genpro_sdk::Error> {
    let mut args = Map::new();
    args.insert("id".into(), json!(engine_id));
    args.insert("agent_id".into(), json!(agent_id));
    let answer = genpro_sdk::dynamic::call(client, "get_engine", &args).await?;
    let jobs = answer
        .body
        .get("user_jobs")
        .and_then(Value::as_array)
        .map(|jobs| {
            jobs.iter()
                .filter_map(|j| {
                    let id = field_i64(j, &["id", "generation_id"])?;
                    Some((
                        id,
                        field_i64(j, &["cell_id", "spreadsheet_cell_id"]),
                        field_i64(j, &["layer_id", "spreadsheet_layer_id"]),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(EngineJobs { jobs })
}

/// What reconciliation found for a row whose POST may have landed.
#[derive(Debug, PartialEq)]
enum Found {
    /// Exactly one generation GEN made for it.
    One(i64),
    /// None: the POST never landed.
    None,
    /// Cannot decide (several candidates, or generations that name no
    /// cell).
    Undecided(String),
}

fn reconcile(jobs: &EngineJobs, row: &Row, known: &BTreeSet<i64>) -> Found {
    let unknown: Vec<&(i64, Option<i64>, Option<i64>)> = jobs
        .jobs
        .iter()
        .filter(|(id, _, _)| !known.contains(id))
        .collect();
    let unattributed = unknown.iter().filter(|(_, cell, _)| cell.is_none()).count();
    let candidates: Vec<i64> = unknown
        .iter()
        .filter(|(_, cell, layer)| {
            *cell == Some(row.cell_id)
                && (row.layer_id.is_none() || layer.is_none() || *layer == row.layer_id)
        })
        .map(|(id, _, _)| *id)
        .collect();
    match (candidates.as_slice(), unattributed) {
        ([one], 0) => Found::One(*one),
        ([], 0) => Found::None,
        ([], n) => Found::Undecided(format!(
            "{n} new generation(s) on engine {} name no cell: cannot tell whether one is this row's",
            row.engine_id
        )),
        (many, _) => Found::Undecided(format!(
            "{} new generations on cell {} could be this row's: {many:?}",
            many.len(),
            row.cell_id
        )),
    }
}

/// The status GEN reported for a generation that did not complete, and
/// its reason (the status again when GEN gave none).
fn status_and_reason(outcome: &Outcome) -> (&str, &str) {
    let snapshot = outcome.snapshot();
    let status = snapshot.raw_status.as_str();
    (status, snapshot.failure_reason.as_deref().unwrap_or(status))
}

fn sha256_file(path: &Path) -> std::io::Result<String> {
    use sha2::Digest as _;
    use std::io::Read as _;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Removes the temporary files a killed download into `part` left
/// (genpro-sdk names them `.{name}.{random}.part` in the same folder).
fn remove_stale_temporaries(part: &Path) {
    let (Some(dir), Some(name)) = (part.parent(), part.file_name()) else {
        return;
    };
    let prefix = format!(".{}.", name.to_string_lossy());
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let file = entry.file_name().to_string_lossy().into_owned();
            if file.starts_with(&prefix) && file.ends_with(".part") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

fn part_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".genpro-part");
    PathBuf::from(name)
}

/// Runs `manifest` on `journal` until every row is done, failed, in
/// doubt, paused or out of time. Rows are journaled first (see [`plan`]);
/// a row the journal holds with another fingerprint (changed in the
/// manifest since) is not run. `events` receives every change.
pub async fn run(
    client: &GenClient,
    manifest: &Manifest,
    journal: &dyn Journal,
    options: BatchOptions,
    events: Option<mpsc::UnboundedSender<Event>>,
) -> Result<Summary, BatchError> {
    let planned = plan(manifest, journal)?;
    let records: HashMap<String, RowRecord> = journal
        .rows()?
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect();
    let mut targets = HashMap::new();
    for row in &manifest.rows {
        targets
            .entry(row.target())
            .or_insert_with(|| Arc::new(Mutex::new(())));
    }
    let committed: f64 = records
        .values()
        .filter(|r| r.state.may_be_charged())
        .map(|r| r.estimate)
        .sum();
    let shared = Shared {
        client,
        journal,
        options: options.clone(),
        events,
        paused: AtomicBool::new(false),
        pause_reason: std::sync::Mutex::new(None),
        committed: std::sync::Mutex::new(committed),
        not_before: std::sync::Mutex::new(None),
        targets,
    };

    // The balance, before anything is spent.
    let mut balance = None;
    if let Some(org) = options.organization {
        let credit = client
            .credits(OrganizationId::new(org))
            .await
            .map_err(|source| BatchError::Api {
                what: format!("reading workspace {org}'s credit"),
                source,
            })?;
        balance = credit.and_then(|c| c.generic);
        if let Some(balance) = balance
            && planned.estimate > balance
            && !options.allow_short_balance
        {
            return Err(BatchError::ShortBalance {
                organization: org,
                estimate: planned.estimate,
                balance,
            });
        }
    }
    shared.emit(Event::Planned {
        rows: planned.rows,
        to_send: planned.to_send,
        estimate: planned.estimate,
        balance,
    });

    // Rows to work on, and the ones that changed since they were journaled.
    let mut work: Vec<(&Row, RowRecord)> = Vec::new();
    for row in &manifest.rows {
        let Some(record) = records.get(&row.id).cloned() else {
            continue;
        };
        if record.fingerprint != row.fingerprint {
            shared.emit(Event::Warning {
                message: format!(
                    "row `{}` (line {}) changed since the journal recorded it: not run (give it a new id to run it)",
                    row.id, row.line
                ),
            });
            continue;
        }
        work.push((row, record));
    }

    // Baselines: an engine's generations before the batch sends it
    // anything, taken once (before any intent) and kept in the journal.
    let mut engines: BTreeMap<i64, i64> = BTreeMap::new();
    for (row, record) in &work {
        if !record.state.is_final() {
            engines.entry(row.engine_id).or_insert(row.agent_id);
        }
    }
    for (&engine, &agent) in &engines {
        if journal.baseline(engine)?.is_none() {
            let jobs =
                engine_jobs(client, agent, engine)
                    .await
                    .map_err(|source| BatchError::Api {
                        what: format!("reading engine {engine}'s generations"),
                        source,
                    })?;
            let ids: BTreeSet<i64> = jobs.jobs.iter().map(|(id, _, _)| *id).collect();
            journal.set_baseline(engine, &ids)?;
        }
    }

    // Rows whose POST may have landed: reconciled before anything else.
    let doubtful: Vec<usize> = work
        .iter()
        .enumerate()
        .filter(|(_, (_, r))| r.state == RowState::Sending)
        .map(|(i, _)| i)
        .collect();
    if !doubtful.is_empty() {
        reconcile_rows(&shared, &mut work, &doubtful).await?;
    }

    // The work, `parallel` rows at a time.
    let semaphore = Arc::new(Semaphore::new(options.parallel.max(1)));
    let shared = &shared;
    let tasks = work
        .into_iter()
        .filter(|(_, r)| !r.state.is_final())
        .map(|(row, record)| {
            let semaphore = semaphore.clone();
            async move {
                // The target first: a row waiting for its cell holds no slot.
                let lock = shared.targets[&row.target()].clone();
                let _target = lock.lock().await;
                let _permit = semaphore.acquire().await;
                drive(shared, row, record).await
            }
        });
    let mut running: FuturesUnordered<_> = tasks.collect();
    while let Some(result) = running.next().await {
        result?;
    }

    // Outputs of rows done in earlier runs are checked too.
    let mut summary = Summary::default();
    for state in RowState::ALL {
        summary.states.insert(*state, 0);
    }
    let final_rows: HashMap<String, RowRecord> = journal
        .rows()?
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect();
    for row in &manifest.rows {
        if let Some(r) = final_rows.get(&row.id) {
            *summary.states.entry(r.state).or_default() += 1;
            match r.state {
                RowState::InDoubt => summary.in_doubt.push(r.id.clone()),
                RowState::Failed => summary.failed.push(r.id.clone()),
                state if state.may_be_charged() => summary.credits += r.estimate,
                _ => {}
            }
        }
    }
    summary.paused = shared
        .pause_reason
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    Ok(summary)
}

/// Reconciles the rows at `indexes` (their POST may have landed) from
/// their engines' generations.
async fn reconcile_rows(
    shared: &Shared<'_>,
    work: &mut [(&Row, RowRecord)],
    indexes: &[usize],
) -> Result<(), JournalError> {
    let mut waited = false;
    loop {
        let known = shared.journal.generations()?;
        let mut by_engine: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
        for &i in indexes {
            if work[i].1.state == RowState::Sending {
                by_engine.entry(work[i].0.engine_id).or_default().push(i);
            }
        }
        let mut recent = None::<Duration>;
        for (engine, rows) in by_engine {
            let agent = work[rows[0]].0.agent_id;
            let mut known = known.clone();
            known.extend(shared.journal.baseline(engine)?.unwrap_or_default());
            let jobs = match engine_jobs(shared.client, agent, engine).await {
                Ok(jobs) => jobs,
                Err(e) => {
                    for &i in &rows {
                        let (_, record) = &mut work[i];
                        // Still unknown: reconciled by the next run.
                        shared.save(
                            record,
                            RowState::Sending,
                            Some(format!(
                                "not reconciled yet: could not read engine {engine} ({e}); the next run tries again"
                            )),
                        )?;
                    }
                    continue;
                }
            };
            for &i in &rows {
                let (row, record) = &mut work[i];
                match reconcile(&jobs, row, &known) {
                    Found::One(id) => {
                        // Saved with its generation in one write (see
                        // `Journal::save`).
                        known.insert(id);
                        record.generation_id = Some(id);
                        shared.save(
                            record,
                            RowState::Running,
                            Some(format!(
                                "reconciled: GEN made generation {id} for the unanswered POST"
                            )),
                        )?;
                    }
                    Found::None => {
                        let age = record
                            .intent_at
                            .map(|t| (Utc::now() - t).to_std().unwrap_or_default())
                            .unwrap_or(Duration::MAX);
                        if age >= shared.options.doubt_grace {
                            record.generation_id = None;
                            record.attempts = record.attempts.saturating_sub(1);
                            shared.save(
                                record,
                                RowState::Pending,
                                Some("reconciled: the unanswered POST never reached GEN (no new generation on the cell)".into()),
                            )?;
                        } else {
                            let left = shared.options.doubt_grace - age;
                            recent = Some(recent.map_or(left, |r: Duration| r.max(left)));
                        }
                    }
                    Found::Undecided(why) => {
                        shared.save(record, RowState::InDoubt, Some(format!("in doubt: {why}")))?;
                    }
                }
            }
        }
        match recent {
            Some(left) if !waited => {
                shared.emit(Event::Warning {
                    message: format!(
                        "waiting {:.1} s before deciding that a recent unanswered POST never reached GEN",
                        left.as_secs_f64()
                    ),
                });
                tokio::time::sleep(left).await;
                waited = true;
            }
            _ => return Ok(()),
        }
    }
}

/// Takes one row from its state to a final one (or leaves it pending when
/// paused, running when the wait ran out).
async fn drive(shared: &Shared<'_>, row: &Row, mut record: RowRecord) -> Result<(), JournalError> {
    let client = shared.client;
    let mut connect_failures = 0u32;
    let mut rate_limited = 0u32;
    loop {
        match record.state {
            RowState::Pending => {
                if shared.paused.load(Ordering::SeqCst) || !shared.reserve(record.estimate) {
                    return Ok(());
                }
                shared.gate().await;
                record.attempts += 1;
                record.intent_at = Some(Utc::now());
                record.generation_id = None;
                shared.save(&mut record, RowState::Sending, None)?;
                let cell = client
                    .agent(AgentId::new(row.agent_id))
                    .engine(EngineId::new(row.engine_id))
                    .cell(CellId::new(row.cell_id));
                let answer = match row.layer_id {
                    Some(layer) => cell.layer(LayerId::new(layer)).generate(&row.body).await,
                    None => cell.generate(&row.body).await,
                };
                match answer {
                    Ok(triggered) => {
                        let id = triggered.id.get();
                        // The state and the generation in one write: a kill
                        // between two writes left the row `sending` with its
                        // generation already known, which reconciliation
                        // then excluded as known, found nothing new and sent
                        // again.
                        record.generation_id = Some(id);
                        shared.save(&mut record, RowState::Running, None)?;
                    }
                    Err(e) if may_have_landed(&e) => {
                        let note = format!("the POST may have reached GEN ({e}): reconciling");
                        shared.save(&mut record, RowState::Sending, Some(note))?;
                        // Reconciled once GEN had time to land it.
                        tokio::time::sleep(shared.options.doubt_grace).await;
                        let mut one = [(row, record.clone())];
                        reconcile_rows(shared, &mut one, &[0]).await?;
                        record = one[0].1.clone();
                        if record.state == RowState::Sending {
                            // Not decided (GEN could not be read): the
                            // next run reconciles it; never re-sent here.
                            return Ok(());
                        }
                        if record.state == RowState::Pending {
                            shared.release(record.estimate);
                        }
                    }
                    Err(e) => {
                        // Nothing reached GEN, or GEN refused it: nothing charged.
                        record.attempts = record.attempts.saturating_sub(1);
                        shared.release(record.estimate);
                        let insufficient = e
                            .error_code()
                            .is_some_and(|c| c.as_str() == "insufficient_credits_for_job");
                        if insufficient {
                            shared.save(&mut record, RowState::Pending, Some(e.to_string()))?;
                            shared.pause(format!(
                                "GEN answered 422 insufficient_credits_for_job: no new generation is started (rows already running go on): {e}"
                            ));
                            return Ok(());
                        }
                        if e.status() == Some(429) && rate_limited < 20 {
                            rate_limited += 1;
                            shared.slow_down(&e);
                            shared.save(&mut record, RowState::Pending, Some(e.to_string()))?;
                            continue;
                        }
                        if e.status() == Some(429) || e.is_retryable() && !e.is_connect() {
                            // Still limited (or GEN busy): left for the next run.
                            shared.save(&mut record, RowState::Pending, Some(e.to_string()))?;
                            return Ok(());
                        }
                        if e.is_connect() && connect_failures < 3 {
                            connect_failures += 1;
                            shared.save(&mut record, RowState::Pending, Some(e.to_string()))?;
                            tokio::time::sleep(Duration::from_secs(1 << connect_failures)).await;
                            continue;
                        }
                        if e.is_connect() {
                            shared.save(&mut record, RowState::Pending, Some(e.to_string()))?;
                            return Ok(());
                        }
                        shared.save(&mut record, RowState::Failed, Some(e.to_string()))?;
                        return Ok(());
                    }
                }
            }
            RowState::Running => {
                let Some(id) = record.generation_id else {
                    shared.save(
                        &mut record,
                        RowState::InDoubt,
                        Some("running without a generation id".into()),
                    )?;
                    return Ok(());
                };
                let options = WaitOptions::default()
                    .max_wait(shared.options.max_wait)
                    .min_interval(shared.options.min_poll_interval);
                let outcome = client
                    .generation(genpro_sdk::steps::GenerationId::new(id))
                    .wait(&options)
                    .await;
                match outcome {
                    Ok(Outcome::Completed(snapshot)) => {
                        record.output_url = snapshot
                            .output_resources
                            .iter()
                            .map(|o| o.url.clone())
                            .find(|u| !u.is_empty());
                        if record.output_url.is_none()
                            && let (Some(text), Some(path)) = (&snapshot.result, &row.download)
                        {
                            // A text result: the text is the output.
                            let part = part_path(path);
                            if let Some(dir) = path.parent() {
                                let _ = std::fs::create_dir_all(dir);
                            }
                            if let Err(e) = std::fs::write(&part, text) {
                                shared.save(
                                    &mut record,
                                    RowState::Completed,
                                    Some(format!("cannot write {}: {e}", part.display())),
                                )?;
                                return Ok(());
                            }
                        }
                        shared.save(&mut record, RowState::Completed, None)?;
                    }
                    Ok(outcome @ (Outcome::Failed(_) | Outcome::Stopped(_))) => {
                        record.failures += 1;
                        shared.release(record.estimate);
                        let (status, reason) = status_and_reason(&outcome);
                        if record.failures <= shared.options.retries {
                            shared.save(
                                &mut record,
                                RowState::Pending,
                                Some(format!(
                                    "generation {id} {status}: {reason}; retrying with a new POST"
                                )),
                            )?;
                        } else {
                            shared.save(
                                &mut record,
                                RowState::Failed,
                                Some(format!(
                                    "generation {id} {status} ({reason}); no retries left"
                                )),
                            )?;
                            return Ok(());
                        }
                    }
                    Ok(other) => {
                        shared.release(record.estimate);
                        let (status, reason) = status_and_reason(&other);
                        shared.save(
                            &mut record,
                            RowState::Failed,
                            Some(format!("generation {id} {status}: {reason}")),
                        )?;
                        return Ok(());
                    }
                    Err(e) => {
                        shared.warn_row(
                            &record.id,
                            format_args!("{e}; it stays running for the next run"),
                        );
                        return Ok(());
                    }
                }
            }
            RowState::Completed => {
                let Some(path) = row.download.clone() else {
                    shared.save(&mut record, RowState::Done, None)?;
                    return Ok(());
                };
                let part = part_path(&path);
                if !part.exists() {
                    let Some(url) = record.output_url.clone() else {
                        shared.save(
                            &mut record,
                            RowState::Done,
                            Some("completed with no output to download".into()),
                        )?;
                        return Ok(());
                    };
                    if let Some(dir) = path.parent()
                        && let Err(e) = std::fs::create_dir_all(dir)
                    {
                        shared.warn_row(
                            &record.id,
                            format_args!("cannot create {}: {e}", dir.display()),
                        );
                        return Ok(());
                    }
                    // genpro-sdk writes a temporary file and renames it:
                    // `part` exists only once complete. A run killed in
                    // the middle left its temporary file: removed.
                    remove_stale_temporaries(&part);
                    let options = genpro_sdk::download::DownloadOptions::new().overwrite(true);
                    if let Err(e) = client.download(&url, &part, options).await {
                        shared.warn_row(
                            &record.id,
                            format_args!(
                                "download failed ({e}); it stays completed for the next run"
                            ),
                        );
                        return Ok(());
                    }
                }
                match sha256_file(&part) {
                    Ok(sha) => {
                        record.sha256 = Some(sha);
                        record.output_path = Some(path.display().to_string());
                        shared.save(&mut record, RowState::Fetched, None)?;
                    }
                    Err(e) => {
                        shared.warn_row(
                            &record.id,
                            format_args!("cannot read {}: {e}", part.display()),
                        );
                        return Ok(());
                    }
                }
            }
            RowState::Fetched => {
                let Some(path) = row.download.clone() else {
                    shared.save(&mut record, RowState::Done, None)?;
                    return Ok(());
                };
                let part = part_path(&path);
                let expected = record.sha256.clone();
                // The verified part file moved into place, or the output
                // an earlier run already moved there.
                let in_place = if part.exists() && sha256_file(&part).ok() == expected {
                    if let Err(e) = std::fs::rename(&part, &path) {
                        shared.warn_row(
                            &record.id,
                            format_args!("cannot move {} into place: {e}", part.display()),
                        );
                        return Ok(());
                    }
                    true
                } else {
                    sha256_file(&path).ok() == expected
                };
                if in_place {
                    shared.save(&mut record, RowState::Done, None)?;
                } else {
                    let _ = std::fs::remove_file(&part);
                    shared.save(
                        &mut record,
                        RowState::Completed,
                        Some("the saved output is missing or differs: downloading it again".into()),
                    )?;
                }
            }
            RowState::Done => {
                // A saved output is checked on every run.
                if let Some(path) = &row.download
                    && record.sha256.is_some()
                    && sha256_file(path).ok() != record.sha256
                {
                    shared.save(
                        &mut record,
                        RowState::Completed,
                        Some(format!(
                            "{} is missing or changed: downloading it again",
                            path.display()
                        )),
                    )?;
                    continue;
                }
                return Ok(());
            }
            RowState::Sending | RowState::InDoubt | RowState::Failed => return Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cell: i64, layer: Option<i64>) -> Row {
        let m = crate::manifest::parse(
            &format!(
                r#"{{"id": "r", "agent_id": 42, "engine_id": 101, "cell_id": {cell}, "layer_id": {}, "generation_type": "text", "data": {{"prompt": "x"}}}}"#,
                layer.map_or("null".to_owned(), |l| l.to_string())
            ),
            Path::new("."),
        );
        m.rows[0].clone()
    }

    #[test]
    fn reconciliation_adopts_one_new_generation_and_doubts_anything_unclear() {
        let known = BTreeSet::from([1, 2]);
        let jobs = |list: &[(i64, Option<i64>, Option<i64>)]| EngineJobs {
            jobs: list.to_vec(),
        };
        let r = row(3000, None);
        assert_eq!(
            reconcile(
                &jobs(&[(1, Some(3000), None), (2, Some(3001), None)]),
                &r,
                &known
            ),
            Found::None
        );
        assert_eq!(
            reconcile(
                &jobs(&[
                    (1, Some(3000), None),
                    (7, Some(3000), None),
                    (8, Some(3001), None)
                ]),
                &r,
                &known
            ),
            Found::One(7)
        );
        assert!(matches!(
            reconcile(
                &jobs(&[(7, Some(3000), None), (9, Some(3000), None)]),
                &r,
                &known
            ),
            Found::Undecided(_)
        ));
        // A generation that names no cell could be this row's.
        assert!(matches!(
            reconcile(&jobs(&[(7, None, None)]), &r, &known),
            Found::Undecided(_)
        ));
        // Layers: a generation on another layer of the cell is not this row's.
        let l = row(3000, Some(4000));
        assert_eq!(
            reconcile(&jobs(&[(7, Some(3000), Some(4001))]), &l, &known),
            Found::None
        );
        assert_eq!(
            reconcile(&jobs(&[(7, Some(3000), Some(4000))]), &l, &known),
            Found::One(7)
        );
    }
}
