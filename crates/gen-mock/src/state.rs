//! [`MockState`]: the shared, inspectable state of a mock server.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use crate::config::MockConfig;
pub(crate) use crate::store::Data;

/// One request the mock received (recorded before faults and auth are applied).
#[derive(Debug, Clone, PartialEq)]
pub struct RequestRecord {
    /// HTTP method, e.g. `GET`.
    pub method: String,
    /// Path without query, e.g. `/v1/me`.
    pub path: String,
    /// Raw query string, if any.
    pub query: Option<String>,
    /// All request headers (lower-case names); values that are not UTF-8 are lossy-decoded.
    pub headers: Vec<(String, String)>,
    /// Whether an `X-API-Key` header was present.
    pub has_api_key: bool,
    /// Whether an `Authorization` header was present.
    pub has_authorization: bool,
    /// Status of the answer, once known.
    pub status: Option<u16>,
}

impl RequestRecord {
    /// The value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One PUT to the direct-upload storage route.
#[derive(Debug, Clone, PartialEq)]
pub struct StoragePutRecord {
    /// Blob key (last path segment).
    pub key: String,
    /// Bytes received.
    pub bytes: u64,
    /// `byte_size` declared at `POST /v1/direct_upload` (None: unknown key).
    pub expected_bytes: Option<u64>,
    /// Whether the body's MD5 (base64) matched the declared checksum.
    pub checksum_ok: bool,
    /// Whether the body length matched the declared `byte_size`.
    pub length_ok: bool,
    /// Whether an `X-API-Key` header was sent (a client should NOT send it to storage).
    pub has_api_key: bool,
    /// Whether an `Authorization` header was sent (a client should NOT send it to storage).
    pub has_authorization: bool,
    /// The `Content-Type` header sent.
    pub content_type: Option<String>,
    /// The `Content-MD5` header sent.
    pub content_md5: Option<String>,
    /// Status answered.
    pub status: u16,
}

struct Shared {
    config: MockConfig,
    data: Mutex<Data>,
    notify: Notify,
    /// Requests seen by the vary layer, per (method, path).
    vary_counts: Mutex<HashMap<(String, String), u64>>,
}

/// The shared state of a mock server: cheap to clone (an `Arc` inside), usable from tests to
/// inspect what the server saw and to steer it.
#[derive(Clone)]
pub struct MockState {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for MockState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockState").finish_non_exhaustive()
    }
}

impl MockState {
    /// Fresh state with the seed data (user, workspace 1, agent 42 with Agent Core, voices, templates).
    pub fn new(config: MockConfig) -> Self {
        Self {
            shared: Arc::new(Shared {
                data: Mutex::new(Data::new(config.clone())),
                config,
                notify: Notify::new(),
                vary_counts: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The configuration the state was built with.
    pub fn config(&self) -> &MockConfig {
        &self.shared.config
    }

    /// Lock the data without applying time-based transitions.
    pub(crate) fn raw(&self) -> MutexGuard<'_, Data> {
        self.shared
            .data
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Lock the data after applying every time-based transition due now.
    pub(crate) fn data(&self) -> MutexGuard<'_, Data> {
        let mut d = self.raw();
        d.settle(Instant::now());
        d
    }

    /// Wake long-polls (after a state change they may care about).
    pub(crate) fn notify(&self) {
        self.shared.notify.notify_waiters();
    }

    pub(crate) fn notifier(&self) -> &Notify {
        &self.shared.notify
    }

    /// The base URL used in generated URLs (CDN, storage).
    pub fn base_url(&self) -> String {
        self.raw().base_url.clone()
    }

    pub(crate) fn set_base_url(&self, url: String) {
        let mut d = self.raw();
        d.voices.rebase(&url);
        d.base_url = url;
    }

    /// Generic credit balance of the seed workspace (id 1).
    pub fn credit_balance(&self) -> f64 {
        self.data().account.balance(1)
    }

    /// `(generic, aura)` balance of a workspace.
    pub fn available_credit(&self, org_id: i64) -> Option<(f64, f64)> {
        self.data()
            .account
            .orgs
            .get(&org_id)
            .map(|o| (o.generic, o.aura))
    }

    /// Set the generic balance of the seed workspace (id 1).
    pub fn set_credit_balance(&self, generic: f64) {
        if let Some(o) = self.data().account.orgs.get_mut(&1) {
            o.generic = generic;
        }
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.raw().log.requests.clone()
    }

    /// Requests whose path equals `path`.
    pub fn requests_to(&self, path: &str) -> Vec<RequestRecord> {
        self.raw().log.to_path(path)
    }

    /// Forget the request log.
    pub fn clear_requests(&self) {
        self.raw().log.requests.clear();
    }

    /// How many generate calls (cell or layer generate) reached the handler for a cell.
    pub fn generate_calls(&self, cell_id: i64) -> u32 {
        self.raw()
            .generations
            .generate_calls
            .get(&cell_id)
            .copied()
            .unwrap_or(0)
    }

    /// Generate calls per cell id.
    pub fn generate_calls_by_cell(&self) -> BTreeMap<i64, u32> {
        self.raw().generations.generate_calls.clone()
    }

    /// How many render calls reached the handler for a cell.
    pub fn render_calls(&self, cell_id: i64) -> u32 {
        self.raw()
            .generations
            .render_calls
            .get(&cell_id)
            .copied()
            .unwrap_or(0)
    }

    /// Every charge and refund of a generation (cell, layer or render), in
    /// order: a charge when it is created or continued, a refund when it
    /// fails or is stopped.
    pub fn ledger(&self) -> Vec<LedgerEntry> {
        self.raw().ledger.clone()
    }

    /// The generations whose charges exceed their refunds (net charged), by
    /// cell id.
    pub fn net_charged_by_cell(&self) -> BTreeMap<i64, Vec<i64>> {
        let mut net: BTreeMap<i64, (i64, f64)> = BTreeMap::new();
        for e in self.raw().ledger.iter() {
            if let Some(cell) = e.cell_id {
                net.entry(e.generation_id).or_insert((cell, 0.0)).1 += e.amount;
            }
        }
        let mut by_cell: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for (generation, (cell, amount)) in net {
            if amount > 1e-9 {
                by_cell.entry(cell).or_default().push(generation);
            }
        }
        by_cell
    }

    /// Makes every generate call (cell or layer) wait `delay` after it has
    /// created and charged the generation, before it answers: a client
    /// killed in that window has spent credits without learning the
    /// generation's id. Default zero.
    pub fn set_generate_answer_delay(&self, delay: std::time::Duration) {
        self.raw().generate_answer_delay = delay;
    }

    /// Every PUT to the storage route, in order.
    pub fn storage_puts(&self) -> Vec<StoragePutRecord> {
        self.raw().log.storage_puts.clone()
    }

    /// Make the next `n` generations created fail with `reason` (full refund).
    pub fn fail_next_generations(&self, n: u32, reason: impl Into<String>) {
        let mut d = self.raw();
        d.generations.fail_next = n;
        d.generations.fail_reason = reason.into();
    }

    /// Current status of a generation (`pending`, `processing`, `completed`, `failed`, `stopped`).
    pub fn generation_status(&self, id: i64) -> Option<String> {
        let now = Instant::now();
        let d = self.data();
        d.generations
            .by_id
            .get(&id)
            .map(|g| d.generations.status(g, now).to_string())
    }

    /// Ids of every generation created so far.
    pub fn generation_ids(&self) -> Vec<i64> {
        self.raw().generations.by_id.keys().copied().collect()
    }

    /// Time a generation takes from creation to a terminal status.
    pub fn generation_duration(&self) -> Duration {
        self.shared.config.pending_for + self.shared.config.processing_for
    }

    /// Whether `key` is accepted as an API key (configured keys and live persisted tokens).
    pub fn accepts_key(&self, key: &str) -> bool {
        if self.shared.config.api_keys.iter().any(|k| k == key) {
            return true;
        }
        let mut d = self.raw();
        let now = d.now_str();
        match d.account.tokens.values_mut().find(|t| t.token == key) {
            Some(t) => {
                t.last_used_at = Some(now);
                true
            }
            None => false,
        }
    }

    /// How many requests with this method and path the vary layer saw before this one.
    pub(crate) fn next_vary_count(&self, method: &str, path: &str) -> u64 {
        let mut counts = self
            .shared
            .vary_counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let n = counts
            .entry((method.to_owned(), path.to_owned()))
            .or_insert(0);
        let count = *n;
        *n += 1;
        count
    }

    /// Draw one fault decision: `Some(429)`, `Some(503)` or `None`.
    pub(crate) fn roll_fault(&self) -> Option<u16> {
        let cfg = &self.shared.config;
        if cfg.rate_429 <= 0.0 && cfg.rate_5xx <= 0.0 {
            return None;
        }
        let x = self.raw().fault_rng.next_f64();
        if x < cfg.rate_429 {
            Some(429)
        } else if x < cfg.rate_429 + cfg.rate_5xx {
            Some(503)
        } else {
            None
        }
    }
}

/// One charge or refund of a generation ([`MockState::ledger`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LedgerEntry {
    /// The generation.
    pub generation_id: i64,
    /// Its engine.
    pub engine_id: i64,
    /// Its cell (`None` for none).
    pub cell_id: Option<i64>,
    /// Its layer, for a layer generation.
    pub layer_id: Option<i64>,
    /// Credits charged (> 0) or refunded (< 0).
    pub amount: f64,
}
