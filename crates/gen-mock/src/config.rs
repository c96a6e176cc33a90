//! [`MockConfig`]: everything that tunes the fake server.

use std::collections::BTreeMap;
use std::time::Duration;

/// The canonical creation card (generation) types the generate endpoints
/// accept: the `GenerationType` values of openapi.yaml, read from genpro-api
/// (no copy here).
pub const GENERATION_TYPES: &[&str] = genpro_api::open_enums::GenerationType::KNOWN;

/// The internal Rails generation type names seed 000 sends
/// (`{"generation_type": "text_generation", "data": {}}`), with the canonical
/// card each stands for. The generate endpoints and stored cards accept them
/// and keep them as sent; costs and outputs follow the canonical card.
pub const RAILS_GENERATION_TYPES: [(&str, &str); 2] = [
    ("text_generation", "text"),
    ("audio_generation", "speech_from_text"),
];

/// The canonical card of a generation type name (Rails names mapped, others
/// unchanged).
pub fn canonical_generation_type(gt: &str) -> &str {
    RAILS_GENERATION_TYPES
        .iter()
        .find(|(rails, _)| *rails == gt)
        .map_or(gt, |(_, canonical)| canonical)
}

/// The default per-card cost table, in generic credits (see [`MockConfig::costs`]).
///
/// | card | credits |
/// |---|---|
/// | `text` | 1.0 |
/// | `media` | 0.0 (pass-through upload, no AI) |
/// | `image_from_text` | 2.0 |
/// | `video_from_text` | 10.0 |
/// | `video_from_image` | 8.0 |
/// | `video_from_ingredients` | 8.0 |
/// | `speech_from_text` | 1.5 |
/// | `lipsync` | 5.0 |
/// | `captions` | 1.0 |
/// | `render` | 2.0 (the render endpoint) |
pub fn default_costs() -> BTreeMap<String, f64> {
    [
        ("text", 1.0),
        ("media", 0.0),
        ("image_from_text", 2.0),
        ("video_from_text", 10.0),
        ("video_from_image", 8.0),
        ("video_from_ingredients", 8.0),
        ("speech_from_text", 1.5),
        ("lipsync", 5.0),
        ("captions", 1.0),
        ("render", 2.0),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// Configuration of a mock server. Every field has a sensible default ([`MockConfig::default`]);
/// the `with_*` methods are a small builder on top of the public fields.
///
/// Credits: a generation pre-charges `costs[generation_type]` from the workspace's generic
/// balance when it is created (422 `insufficient_credits_for_job` and nothing created when the
/// balance is short). On completion the final cost is reconciled to exactly the pre-charge
/// (delta 0, `execution_cost` = the table cost); on failure or stop the full pre-charge is
/// refunded; continue re-charges it.
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// Port to bind on 127.0.0.1 in [`crate::MockServer::start`]; `None` = an ephemeral port.
    pub port: Option<u16>,
    /// Accepted API keys (`X-API-Key: <key>` or `Authorization: Bearer <key>`). Default `["mock-key"]`.
    /// Keys created with `POST /v1/persisted_tokens` are accepted too until revoked.
    pub api_keys: Vec<String>,
    /// Initial generic credit of the seed workspace (id 1). Default 1000.0.
    pub initial_credit: f64,
    /// Initial aura credit of the seed workspace. Default 0.0.
    pub aura: f64,
    /// How long a generation stays `pending`. Default 300 ms.
    pub pending_for: Duration,
    /// How long a generation stays `processing` after `pending`. Default 700 ms.
    pub processing_for: Duration,
    /// Cost per generation type (plus `render`), in generic credits. Default: [`default_costs`].
    /// A type missing from the table costs 1.0.
    pub costs: BTreeMap<String, f64>,
    /// How long an agent run (ideas, research, chat) stays `running`. Default 500 ms.
    pub run_duration: Duration,
    /// How long a user job (publish, train_social) and a voice preview take to complete
    /// (`pending` for the first third, then `processing`). Default 600 ms.
    pub user_job_duration: Duration,
    /// A scheduled publish (`schedule_type: "scheduled"`) stays `pending` until its
    /// `scheduled_time`, as GEN keeps it (seed 001), then runs like any user job. The time until
    /// then is multiplied by this factor, so tests can scale it down (0.001: an hour passes in
    /// 3.6 s). Default 1.0 (real time).
    pub schedule_scale: f64,
    /// Honour `wait=true` on `GET /v1/generations/{id}` (long-poll). When false the parameter is
    /// ignored and the server answers at once. Default true.
    pub long_poll: bool,
    /// Make the next N generations created fail (status `failed`, `failed_reason`, full refund).
    pub fail_next_generations: u32,
    /// The `failed_reason` of generations made to fail.
    pub failed_reason: String,
    /// Fault injection: extra latency before every handler. Default 0.
    pub latency: Duration,
    /// Fault injection: probability (0..1) of answering 429 with `Retry-After`. Default 0.
    pub rate_429: f64,
    /// `Retry-After` seconds of injected 429s. Default 1.
    pub retry_after_secs: u64,
    /// Fault injection: probability (0..1) of answering 503. Default 0.
    pub rate_5xx: f64,
    /// Seed of the deterministic fault RNG (one draw per faultable request). Default 42.
    pub seed: u64,
    /// Apply faults (latency, 429, 503) to the storage PUT route too. Default false.
    pub fault_storage: bool,
    /// Base URL used in generated URLs (CDN, storage) when the app runs without
    /// [`crate::MockServer`] (in-process). Default `http://127.0.0.1:4010`.
    pub public_base_url: Option<String>,
    /// Seed of the varied answers ([`MockConfig::vary`], [`crate::vary`]): the fields no seed
    /// pins are sent in other plausible shapes. `None` (the default): answers as they are.
    pub vary: Option<u64>,
}

impl Default for MockConfig {
    fn default() -> Self {
        Self {
            port: None,
            api_keys: vec!["mock-key".to_string()],
            initial_credit: 1000.0,
            aura: 0.0,
            pending_for: Duration::from_millis(300),
            processing_for: Duration::from_millis(700),
            costs: default_costs(),
            run_duration: Duration::from_millis(500),
            user_job_duration: Duration::from_millis(600),
            schedule_scale: 1.0,
            long_poll: true,
            fail_next_generations: 0,
            failed_reason: "Mock generation failure".to_string(),
            latency: Duration::ZERO,
            rate_429: 0.0,
            retry_after_secs: 1,
            rate_5xx: 0.0,
            seed: 42,
            fault_storage: false,
            public_base_url: None,
            vary: None,
        }
    }
}

impl MockConfig {
    /// The default configuration (same as [`Default::default`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// Bind this port in [`crate::MockServer::start`].
    pub fn with_port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// Replace the accepted API keys.
    pub fn with_api_keys<I, S>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.api_keys = keys.into_iter().map(Into::into).collect();
        self
    }

    /// Initial generic credit of the seed workspace.
    pub fn with_initial_credit(mut self, credit: f64) -> Self {
        self.initial_credit = credit;
        self
    }

    /// Initial aura credit of the seed workspace.
    pub fn with_aura(mut self, aura: f64) -> Self {
        self.aura = aura;
        self
    }

    /// Generation timing: time spent `pending`, then `processing`.
    pub fn with_generation_timing(
        mut self,
        pending_for: Duration,
        processing_for: Duration,
    ) -> Self {
        self.pending_for = pending_for;
        self.processing_for = processing_for;
        self
    }

    /// Set the cost of one generation type (or `render`).
    pub fn with_cost(mut self, generation_type: impl Into<String>, cost: f64) -> Self {
        self.costs.insert(generation_type.into(), cost);
        self
    }

    /// Agent run duration.
    pub fn with_run_duration(mut self, d: Duration) -> Self {
        self.run_duration = d;
        self
    }

    /// User job (and voice preview) duration.
    pub fn with_user_job_duration(mut self, d: Duration) -> Self {
        self.user_job_duration = d;
        self
    }

    /// Scale of the time a scheduled publish waits for its `scheduled_time`
    /// ([`MockConfig::schedule_scale`]; negative values count as 0).
    pub fn with_schedule_scale(mut self, scale: f64) -> Self {
        self.schedule_scale = scale;
        self
    }

    /// Enable or disable long-poll support (`wait=true`).
    pub fn with_long_poll(mut self, on: bool) -> Self {
        self.long_poll = on;
        self
    }

    /// Make the next `n` generations fail with `reason`.
    pub fn with_failing_generations(mut self, n: u32, reason: impl Into<String>) -> Self {
        self.fail_next_generations = n;
        self.failed_reason = reason.into();
        self
    }

    /// Extra latency before every handler.
    pub fn with_latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Inject 429s with probability `rate` and the given `Retry-After` seconds.
    pub fn with_rate_429(mut self, rate: f64, retry_after_secs: u64) -> Self {
        self.rate_429 = rate;
        self.retry_after_secs = retry_after_secs;
        self
    }

    /// Inject 503s with probability `rate`.
    pub fn with_rate_5xx(mut self, rate: f64) -> Self {
        self.rate_5xx = rate;
        self
    }

    /// Seed of the fault RNG.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Apply faults to the storage PUT route as well.
    pub fn with_fault_storage(mut self, on: bool) -> Self {
        self.fault_storage = on;
        self
    }

    /// Base URL used in generated URLs for in-process use.
    pub fn with_public_base_url(mut self, url: impl Into<String>) -> Self {
        self.public_base_url = Some(url.into());
        self
    }

    /// Send the JSON success answers varied with `seed`: each field openapi.yaml does not pin
    /// (no `x-pinned-by`) may come as a string where it was a number and the reverse, as
    /// `null`, or not at all, and objects may carry unknown fields; pinned fields never change.
    /// The same seed and request sequence give the same answers. See [`crate::vary`].
    pub fn vary(mut self, seed: u64) -> Self {
        self.vary = Some(seed);
        self
    }

    /// The cost of a generation type (or `render`): the table value, 1.0 when absent.
    pub fn cost_of(&self, generation_type: &str) -> f64 {
        self.costs.get(generation_type).copied().unwrap_or(1.0)
    }
}
