//! The mock's data: one store per resource, each owning its records and the operations on them,
//! and [`Data`], which holds them together with what they share (configuration, clock, id
//! counters) and runs the few operations that span stores.
//!
//! Locked for the duration of one handler step (never across an await), through
//! [`MockState`](crate::state::MockState).

pub(crate) mod account;
pub(crate) mod agents;
pub(crate) mod generations;
pub(crate) mod ideas;
pub(crate) mod jobs;
pub(crate) mod log;
pub(crate) mod uploads;
pub(crate) mod vidsheets;
pub(crate) mod voices;

use serde_json::Value;
use tokio::time::Instant;

use crate::config::MockConfig;
use crate::model::Engine;
use crate::seed;

use account::AccountStore;
use agents::AgentStore;
use generations::GenerationStore;
use ideas::{IdeaStore, RunContext};
use jobs::JobStore;
use log::RequestLog;
use uploads::UploadStore;
use vidsheets::VidsheetStore;
use voices::VoiceStore;

/// Deterministic SplitMix64.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator starting from `state`.
    pub fn new(state: u64) -> Self {
        Rng(state)
    }
    /// Uniform in [0, n) (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Id counters.
#[derive(Debug, Clone)]
pub(crate) struct Ids {
    pub org: i64,
    pub agent: i64,
    pub token: i64,
    pub engine: i64,
    pub row: i64,
    pub column: i64,
    pub cell: i64,
    pub layer: i64,
    pub generation: i64,
    pub output: i64,
    pub resource: i64,
    pub folder: i64,
    pub user_job: i64,
    pub misc: i64,
}

fn bump(c: &mut i64) -> i64 {
    let v = *c;
    *c += 1;
    v
}

impl Ids {
    /// Next short string id with a prefix, e.g. `run_1` (one counter for every prefix).
    pub fn next_str(&mut self, prefix: &str) -> String {
        let n = bump(&mut self.misc);
        format!("{prefix}_{n}")
    }
}

/// The mock's clock: it starts at real "now" and then follows tokio time, so paused-time tests
/// are deterministic.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    epoch: Instant,
    epoch_wall: chrono::DateTime<chrono::Utc>,
}

impl Clock {
    /// RFC 3339 wall-clock time of an instant.
    pub fn wall(&self, at: Instant) -> String {
        let delta = at.saturating_duration_since(self.epoch);
        let t = self.epoch_wall + chrono::Duration::from_std(delta).unwrap_or_default();
        t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }
}

/// Everything the server holds.
pub(crate) struct Data {
    pub cfg: MockConfig,
    /// The base URL of generated URLs (CDN, storage).
    pub base_url: String,
    pub clock: Clock,
    pub ids: Ids,
    pub fault_rng: Rng,
    /// The user, workspaces (credit) and persisted tokens.
    pub account: AccountStore,
    /// Agents, their Agent Core and automation config.
    pub agents: AgentStore,
    /// The voice library, voice design and previews.
    pub voices: VoiceStore,
    /// Runs, conversations and ideas.
    pub ideas: IdeaStore,
    /// Engines with their columns, rows, cells and layers.
    pub vidsheets: VidsheetStore,
    /// Generations (cell, layer, render).
    pub generations: GenerationStore,
    /// User jobs (training, publishing).
    pub jobs: JobStore,
    /// Blobs, content resources, CDN files, asset folders.
    pub uploads: UploadStore,
    /// What the server saw.
    pub log: RequestLog,
    /// Every charge and refund of a generation, in order.
    pub ledger: Vec<crate::LedgerEntry>,
    /// How long a generate call waits, after creating (and charging) the
    /// generation, before it answers ([`crate::MockState::set_generate_answer_delay`]).
    pub generate_answer_delay: std::time::Duration,
}

impl Data {
    /// Charges (`amount` > 0) or refunds (< 0) generation `id` to its
    /// workspace, and records it in the ledger.
    pub(crate) fn charge(&mut self, id: i64, amount: f64) {
        let Some(g) = self.generations.by_id.get(&id) else {
            return;
        };
        self.account.credit(g.org_id, -amount);
        self.ledger.push(crate::LedgerEntry {
            generation_id: g.id,
            engine_id: g.engine_id,
            cell_id: g.cell_id,
            layer_id: g.layer_id,
            amount,
        });
    }

    /// Fresh data with the seed records (user, workspace 1, agent 42 with Agent Core, voices).
    pub fn new(cfg: MockConfig) -> Self {
        let clock = Clock {
            epoch: Instant::now(),
            epoch_wall: chrono::Utc::now(),
        };
        let base_url = cfg
            .public_base_url
            .clone()
            .unwrap_or_else(|| format!("http://127.0.0.1:{}", cfg.port.unwrap_or(4010)));
        let now = clock.wall(Instant::now());
        Data {
            fault_rng: Rng(cfg.seed),
            ids: Ids {
                org: 2,
                agent: 43,
                token: 1,
                engine: 101,
                row: 1000,
                column: 2000,
                cell: 3000,
                layer: 4000,
                generation: 9000,
                output: 1500,
                resource: 4821,
                folder: 1,
                user_job: 138_860,
                misc: 1,
            },
            account: AccountStore::seeded(&cfg, &now),
            agents: AgentStore::seeded(&now),
            voices: VoiceStore::seeded(&base_url),
            ideas: IdeaStore::new(cfg.run_duration),
            vidsheets: VidsheetStore::default(),
            generations: GenerationStore::new(&cfg),
            jobs: JobStore::new(cfg.user_job_duration),
            uploads: UploadStore::default(),
            log: RequestLog::default(),
            ledger: Vec::new(),
            generate_answer_delay: std::time::Duration::ZERO,
            base_url,
            clock,
            cfg,
        }
    }

    /// RFC 3339 wall-clock time of an instant.
    pub fn wall(&self, at: Instant) -> String {
        self.clock.wall(at)
    }

    /// Current wall-clock time string.
    pub fn now_str(&self) -> String {
        self.wall(Instant::now())
    }

    /// Next id of a kind.
    pub fn next(&mut self, f: impl FnOnce(&mut Ids) -> &mut i64) -> i64 {
        bump(f(&mut self.ids))
    }

    /// Next short string id with a prefix, e.g. `run_1`.
    pub fn next_str(&mut self, prefix: &str) -> String {
        self.ids.next_str(prefix)
    }

    /// The workspace paying for an agent's generations (workspace 1 when the agent's is gone).
    pub fn org_of_agent(&self, agent_id: i64) -> i64 {
        self.agents
            .workspace_of(agent_id)
            .filter(|w| self.account.orgs.contains_key(w))
            .unwrap_or(1)
    }

    /// Apply time-based transitions of everything whose time has come.
    pub fn settle(&mut self, now: Instant) {
        for id in self.generations.due(now) {
            self.finish_generation(id);
        }
        let mut cx = RunContext {
            clock: &self.clock,
            ids: &mut self.ids,
            agents: &self.agents,
            base_url: &self.base_url,
        };
        self.ideas.settle(now, &mut cx);
    }

    /// End a generation whose time is up: failed (planned by a test; full refund) or completed
    /// (its outputs shown on its cell or layer; the held credits are spent).
    fn finish_generation(&mut self, id: i64) {
        let Some(g) = self.generations.by_id.get(&id).cloned() else {
            return;
        };
        if let Some(reason) = g.will_fail.clone() {
            self.charge(id, -g.held);
            self.generations.fail(id, reason);
            return;
        }
        let (result, outputs) =
            generations::outcome(&g, &mut self.ids, &self.base_url, &self.uploads);
        let display = result.clone().or_else(|| {
            outputs
                .first()
                .and_then(|o| o["url"].as_str())
                .map(str::to_string)
        });
        self.generations.complete(id, result, outputs);
        self.vidsheets
            .attach_result(g.engine_id, g.cell_id, g.layer_id, id, display);
    }

    /// Build an engine (from a template or blank) for an agent; returns its id.
    pub fn build_engine(
        &mut self,
        agent_id: i64,
        title: &str,
        template: Option<&seed::TemplateDef>,
    ) -> i64 {
        self.vidsheets
            .build_engine(&mut self.ids, agent_id, title, template)
    }

    /// Add a row with one cell per column (and the default layer stack on video cells).
    pub fn add_row(&mut self, engine_id: i64, position: Option<i64>) -> Option<i64> {
        self.vidsheets.add_row(&mut self.ids, engine_id, position)
    }

    /// Full nested JSON of an engine (with the generations run on it).
    pub fn engine_json(&self, e: &Engine, now: Instant) -> Value {
        vidsheets::engine_json(e, &self.generations, now)
    }
}
