//! [`MockState`]: the shared, inspectable state of a mock server.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{Map, Value, json};
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::config::MockConfig;
use crate::model::*;
use crate::seed;

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

/// Deterministic SplitMix64.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
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

/// Everything the server holds. Locked for the duration of one handler step (never across await).
pub(crate) struct Data {
    pub cfg: MockConfig,
    pub base_url: String,
    pub epoch: Instant,
    pub epoch_wall: chrono::DateTime<chrono::Utc>,
    pub ids: Ids,
    pub fault_rng: Rng,
    pub fail_next: u32,
    pub fail_reason: String,
    pub user: Value,
    pub orgs: BTreeMap<i64, Org>,
    pub agents: BTreeMap<i64, Agent>,
    pub cores: HashMap<i64, Map<String, Value>>,
    pub voices: Vec<Voice>,
    pub designed_samples: HashSet<String>,
    pub elevenlabs: HashSet<i64>,
    pub previews: HashMap<String, Preview>,
    pub tokens: BTreeMap<i64, Token>,
    pub runs: BTreeMap<String, Run>,
    pub conversations: BTreeMap<String, Conversation>,
    pub ideas: BTreeMap<String, Value>,
    pub idea_order: Vec<String>,
    pub engines: BTreeMap<i64, Engine>,
    pub generations: BTreeMap<i64, Generation>,
    pub blobs: HashMap<String, Blob>,
    pub resources: BTreeMap<i64, Resource>,
    pub files: HashMap<String, bytes::Bytes>,
    pub folders: BTreeMap<i64, Folder>,
    pub automation: HashMap<i64, Value>,
    pub user_jobs: BTreeMap<i64, UserJob>,
    pub requests: Vec<RequestRecord>,
    pub storage_puts: Vec<StoragePutRecord>,
    pub generate_calls: BTreeMap<i64, u32>,
    pub render_calls: BTreeMap<i64, u32>,
}

impl Data {
    fn new(cfg: MockConfig) -> Self {
        let epoch = Instant::now();
        let epoch_wall = chrono::Utc::now();
        let base_url = cfg
            .public_base_url
            .clone()
            .unwrap_or_else(|| format!("http://127.0.0.1:{}", cfg.port.unwrap_or(4010)));
        let mut d = Data {
            fault_rng: Rng(cfg.seed),
            fail_next: cfg.fail_next_generations,
            fail_reason: cfg.failed_reason.clone(),
            base_url,
            epoch,
            epoch_wall,
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
            user: Value::Null,
            orgs: BTreeMap::new(),
            agents: BTreeMap::new(),
            cores: HashMap::new(),
            voices: Vec::new(),
            designed_samples: HashSet::new(),
            elevenlabs: HashSet::new(),
            previews: HashMap::new(),
            tokens: BTreeMap::new(),
            runs: BTreeMap::new(),
            conversations: BTreeMap::new(),
            ideas: BTreeMap::new(),
            idea_order: Vec::new(),
            engines: BTreeMap::new(),
            generations: BTreeMap::new(),
            blobs: HashMap::new(),
            resources: BTreeMap::new(),
            files: HashMap::new(),
            folders: BTreeMap::new(),
            automation: HashMap::new(),
            user_jobs: BTreeMap::new(),
            requests: Vec::new(),
            storage_puts: Vec::new(),
            generate_calls: BTreeMap::new(),
            render_calls: BTreeMap::new(),
            cfg,
        };
        let now = d.now_str();
        d.user = json!({"id": 7, "email": "santiago@example.com", "name": "Santiago", "created_at": now});
        d.orgs.insert(
            1,
            Org {
                id: 1,
                name: "Santiago Media".into(),
                generic: d.cfg.initial_credit,
                aura: d.cfg.aura,
                role: "owner".into(),
                created_at: now.clone(),
            },
        );
        d.agents.insert(
            42,
            Agent {
                id: 42,
                name: "Santiago".into(),
                workspace_id: 1,
                description: Some("San Antonio street food scout.".into()),
                created_at: now.clone(),
                updated_at: now.clone(),
            },
        );
        let core = json!({
            "brand_name": "Santiago",
            "description": "San Antonio street food scout who hunts the best tacos.",
            "identity_type": "character",
            "goal": "growth",
            "target_platforms": ["tiktok", "instagram"],
            "shortform": true,
            "keywords": ["streetfood", "foodtruck", "tacotok"],
            "monitored": [
                {"handle": "https://tiktok.com/@keithlee", "item_type": "account"},
                {"handle": "sanantonioeats", "item_type": "hashtag"}
            ],
            "research_topics": [{"topic": "new food truck openings in San Antonio"}],
            "linked_accounts": [{"url": "https://tiktok.com/@santiago_sa", "platform": "tiktok"}],
            "personality": "Santiago grew up eating at his tia taco stand in south San Antonio...",
            "default_user_voice": {"voice_id": "21m00Tcm4TlvDq8ikWAM", "source": "public"}
        });
        if let Value::Object(m) = core {
            d.cores.insert(42, m);
        }
        for (id, name, desc) in seed::PUBLIC_VOICES {
            d.voices.push(Voice {
                agent_id: None,
                voice_id: (*id).to_string(),
                name: (*name).to_string(),
                source: "public".into(),
                description: Some((*desc).to_string()),
                preview_url: Some(format!("{}/cdn/voices/{id}.mp3", d.base_url)),
            });
        }
        d
    }

    /// RFC 3339 wall-clock time of an instant (the mock's clock starts at real "now" and then
    /// follows tokio time, so paused-time tests are deterministic).
    pub fn wall(&self, at: Instant) -> String {
        let delta = at.saturating_duration_since(self.epoch);
        let t = self.epoch_wall + chrono::Duration::from_std(delta).unwrap_or_default();
        t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
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
        let n = bump(&mut self.ids.misc);
        format!("{prefix}_{n}")
    }

    /// The agent exists.
    pub fn agent_exists(&self, id: i64) -> bool {
        self.agents.contains_key(&id)
    }

    /// The workspace paying for an agent's generations.
    pub fn org_of_agent(&self, agent_id: i64) -> i64 {
        self.agents
            .get(&agent_id)
            .map(|a| a.workspace_id)
            .filter(|w| self.orgs.contains_key(w))
            .unwrap_or(1)
    }

    /// Apply time-based transitions of everything whose time has come.
    pub fn settle(&mut self, now: Instant) {
        self.settle_generations(now);
        self.settle_runs(now);
    }

    /// Status name of a generation at `now` (after settle).
    pub fn gen_status(&self, g: &Generation, now: Instant) -> &'static str {
        match g.phase {
            GenPhase::Completed => "completed",
            GenPhase::Failed => "failed",
            GenPhase::Stopped => "stopped",
            GenPhase::Active => {
                if now.saturating_duration_since(g.started) < self.cfg.pending_for {
                    "pending"
                } else {
                    "processing"
                }
            }
        }
    }

    /// Progress in percent of a generation at `now`.
    pub fn gen_progress(&self, g: &Generation, now: Instant) -> f64 {
        match g.phase {
            GenPhase::Completed | GenPhase::Failed => 100.0,
            GenPhase::Stopped => g.stopped_progress,
            GenPhase::Active => {
                let e = now.saturating_duration_since(g.started);
                if e < self.cfg.pending_for {
                    0.0
                } else {
                    let p = self.cfg.processing_for.as_secs_f64();
                    if p <= 0.0 {
                        99.0
                    } else {
                        let x = (e - self.cfg.pending_for).as_secs_f64() / p * 100.0;
                        (x.clamp(0.0, 99.0) * 10.0).round() / 10.0
                    }
                }
            }
        }
    }

    /// When an active generation changes status next.
    pub fn gen_next_change(&self, g: &Generation, now: Instant) -> Option<Instant> {
        if g.phase != GenPhase::Active {
            return None;
        }
        let p = g.started + self.cfg.pending_for;
        if now < p {
            Some(p)
        } else {
            Some(p + self.cfg.processing_for)
        }
    }

    /// JSON of a generation at `now`.
    pub fn gen_json(&self, g: &Generation, now: Instant, progress: bool) -> Value {
        let mut v = json!({
            "id": g.id,
            "status": self.gen_status(g, now),
            "user_job_type": g.user_job_type(),
            "generation_type": g.gen_type,
            "result": g.result,
            "failed_reason": g.failed_reason,
            "output_resources": g.outputs,
            "execution_cost": g.cost,
            "error_code": if g.phase == GenPhase::Failed { json!("generation_failed") } else { Value::Null },
            "cell_id": g.cell_id,
            "layer_id": g.layer_id,
            "created_at": g.created_at,
        });
        if progress {
            v["progress_percent"] = json!(self.gen_progress(g, now));
        }
        v
    }

    /// Credit the workspace.
    pub fn credit(&mut self, org_id: i64, amount: f64) {
        if let Some(o) = self.orgs.get_mut(&org_id) {
            o.generic += amount;
        }
    }

    /// Generic balance of a workspace.
    pub fn balance(&self, org_id: i64) -> f64 {
        self.orgs.get(&org_id).map(|o| o.generic).unwrap_or(0.0)
    }

    fn settle_generations(&mut self, now: Instant) {
        let total = self.cfg.pending_for + self.cfg.processing_for;
        let due: Vec<i64> = self
            .generations
            .values()
            .filter(|g| {
                g.phase == GenPhase::Active && now.saturating_duration_since(g.started) >= total
            })
            .map(|g| g.id)
            .collect();
        for id in due {
            self.finish_generation(id);
        }
    }

    fn output(&mut self, name: &str, ext: &str, object_type: &str) -> Value {
        let id = self.next(|i| &mut i.output);
        let thumb = if object_type == "audio" {
            Value::Null
        } else {
            json!(format!("{}/cdn/thumbnails/{name}.jpg", self.base_url))
        };
        json!({
            "id": id,
            "url": format!("{}/cdn/outputs/{name}.{ext}", self.base_url),
            "thumbnail_url": thumb,
            "object_type": object_type,
            "type": "output",
        })
    }

    fn finish_generation(&mut self, id: i64) {
        let Some(g) = self.generations.get(&id).cloned() else {
            return;
        };
        if let Some(reason) = g.will_fail.clone() {
            self.credit(g.org_id, g.held);
            let g = self.generations.get_mut(&id).expect("generation");
            g.held = 0.0;
            g.phase = GenPhase::Failed;
            g.failed_reason = Some(reason);
            return;
        }
        let prompt = g
            .data
            .get("prompt")
            .or_else(|| g.data.get("script"))
            .and_then(Value::as_str)
            .unwrap_or("the brief")
            .to_string();
        let name = format!("gen_{id}");
        let (result, outputs) = match crate::config::canonical_generation_type(&g.gen_type) {
            "text" => (
                Some(format!("Here is the generated script text for: {prompt}")),
                vec![],
            ),
            "captions" => (
                Some("1\n00:00:00,000 --> 00:00:02,500\nNobody tells you this.\n".to_string()),
                vec![self.output(&name, "mp4", "video")],
            ),
            "speech_from_text" => (None, vec![self.output(&name, "mp3", "audio")]),
            "image_from_text" => (None, vec![self.output(&name, "png", "image")]),
            "media" => {
                let res = g
                    .data
                    .get("content_resource_id")
                    .and_then(Value::as_i64)
                    .and_then(|rid| self.resources.get(&rid).cloned());
                match res {
                    Some(r) => {
                        let oid = self.next(|i| &mut i.output);
                        (
                            None,
                            vec![
                                json!({"id": oid, "url": r.url, "thumbnail_url": r.thumbnail_url, "object_type": r.object_type, "type": "output"}),
                            ],
                        )
                    }
                    None => (None, vec![self.output(&name, "mp4", "video")]),
                }
            }
            "render" => (
                None,
                vec![self.output(&format!("render_{id}"), "mp4", "video")],
            ),
            _ => (None, vec![self.output(&name, "mp4", "video")]),
        };
        // Reconcile: the final cost equals the pre-charge (delta 0); the held credits are spent.
        let display = result.clone().or_else(|| {
            outputs
                .first()
                .and_then(|o| o["url"].as_str())
                .map(str::to_string)
        });
        {
            let g = self.generations.get_mut(&id).expect("generation");
            g.held = 0.0;
            g.phase = GenPhase::Completed;
            g.result = result;
            g.outputs = outputs;
        }
        if let Some(engine) = self.engines.get_mut(&g.engine_id) {
            if let Some(layer_id) = g.layer_id {
                if let Some(l) = engine.layers.iter_mut().find(|l| l.id == layer_id) {
                    l.user_job_id = Some(id);
                }
            } else if let Some(cell_id) = g.cell_id
                && let Some(c) = engine.cell_mut(cell_id)
            {
                c.user_job_id = Some(id);
                c.value = display;
            }
        }
    }

    fn settle_runs(&mut self, now: Instant) {
        let due: Vec<String> = self
            .runs
            .values()
            .filter(|r| {
                r.phase == RunPhase::Running
                    && now.saturating_duration_since(r.started) >= self.cfg.run_duration
            })
            .map(|r| r.id.clone())
            .collect();
        for id in due {
            let needs_approval = self.runs[&id].needs_approval;
            if needs_approval {
                let ts = self.wall(self.runs[&id].started + self.cfg.run_duration);
                let r = self.runs.get_mut(&id).expect("run");
                r.phase = RunPhase::PendingApproval;
                r.updated_at = ts;
            } else {
                self.complete_run(&id);
            }
        }
    }

    /// Finish a run: produce its output (ideas, research, chat answer).
    pub fn complete_run(&mut self, id: &str) {
        let Some(run) = self.runs.get(id).cloned() else {
            return;
        };
        let done_at = self.wall(run.started + self.cfg.run_duration);
        let mut idea_ids = Vec::new();
        let mut result = None;
        let mut summary = None;
        let mut findings = None;
        let mut message_ideas = Vec::new();
        match run.kind.as_str() {
            "research" => {
                summary = Some(format!(
                    "Research summary on {}: interest is rising, short vertical explainers perform best.",
                    run.message
                ));
                findings = Some(seed::findings(&run.message, &run.depth));
            }
            "preferences" => {
                result =
                    Some("Got it. I'll apply that preference to every future run.".to_string());
            }
            _ => {
                let topic = self.agent_topic(&run.agent_id);
                let count = idea_count(&run.message);
                let base = self.base_url.clone();
                for _ in 0..count {
                    let n = self.idea_order.len();
                    let idea_id = format!("idea_{}", n + 1);
                    let mut idea = seed::idea_body(n, &topic, &base);
                    idea["id"] = json!(idea_id);
                    idea["conversation_id"] = json!(run.conversation_id);
                    idea["agent_id"] = json!(run.agent_id);
                    idea["status"] = json!("generated");
                    idea["created_at"] = json!(done_at);
                    self.ideas.insert(idea_id.clone(), idea.clone());
                    self.idea_order.push(idea_id.clone());
                    idea_ids.push(idea_id);
                    message_ideas.push(idea);
                }
                result = Some(format!("Here are {count} ideas."));
            }
        }
        if let Some(conv_id) = &run.conversation_id {
            let msg_id = self.next_str("msg");
            if let Some(c) = self.conversations.get_mut(conv_id) {
                let mut m = json!({
                    "id": msg_id,
                    "role": "assistant",
                    "content": result.clone().or(summary.clone()).unwrap_or_default(),
                    "run_id": run.id,
                    "created_at": done_at,
                });
                if !message_ideas.is_empty() {
                    m["ideas"] = Value::Array(message_ideas);
                }
                c.messages.push(m);
                c.updated_at = done_at.clone();
            }
        }
        let r = self.runs.get_mut(id).expect("run");
        r.phase = RunPhase::Completed;
        r.result = result;
        r.summary = summary;
        r.findings = findings;
        r.idea_ids = idea_ids;
        r.updated_at = done_at;
    }

    fn agent_topic(&self, agent_id: &str) -> String {
        let core = agent_id
            .parse::<i64>()
            .ok()
            .and_then(|id| self.cores.get(&id));
        core.and_then(|c| c.get("keywords"))
            .and_then(Value::as_array)
            .and_then(|k| k.first())
            .and_then(Value::as_str)
            .map(|k| format!("#{k}"))
            .unwrap_or_else(|| "this week's trends".to_string())
    }

    /// JSON of a run.
    pub fn run_json(&self, r: &Run) -> Value {
        let ideas: Vec<Value> = r
            .idea_ids
            .iter()
            .filter_map(|i| self.ideas.get(i).cloned())
            .collect();
        json!({
            "run_id": r.id,
            "conversation_id": r.conversation_id,
            "status": r.phase.as_str(),
            "kind": r.kind,
            "result": r.result,
            "findings": r.findings,
            "summary": r.summary,
            "ideas": ideas,
            "error": null,
            "created_at": r.created_at,
            "updated_at": r.updated_at,
        })
    }

    /// Status of a timed job (user job, voice preview) started at `started`.
    pub fn job_status(&self, started: Instant, now: Instant) -> &'static str {
        let d = self.cfg.user_job_duration;
        let e = now.saturating_duration_since(started);
        if e >= d {
            "completed"
        } else if e < d / 3 {
            "pending"
        } else {
            "processing"
        }
    }

    /// JSON of a user job at `now`.
    pub fn user_job_json(&self, j: &UserJob, now: Instant) -> Value {
        let mut status = self.job_status(j.started, now);
        let mut result = Value::Null;
        let mut failed_reason = Value::Null;
        if status == "completed" {
            if j.job_type == "publish_content" {
                let platform = j.data.get("platform").and_then(Value::as_str).unwrap_or("");
                if platform == "tiktok" {
                    result = json!({
                        "post_id": format!("7345678{:012}", j.id),
                        "platform": platform,
                        "media_url": j.data.get("media_url"),
                        "schedule_type": j.data.get("schedule_type"),
                        "scheduled_time": j.data.get("scheduled_time"),
                    });
                } else {
                    status = "failed";
                    failed_reason = json!(format!(
                        "Publishing to {platform} is not supported yet (TikTok only)"
                    ));
                    result = json!({"error": failed_reason});
                }
            } else {
                let max = j
                    .data
                    .get("max_results")
                    .and_then(Value::as_i64)
                    .unwrap_or(50);
                result = json!({"items_indexed": max.min(50), "platform": j.data.get("platform"), "monitoring": j.data.get("monitoring")});
            }
        }
        json!({
            "id": j.id,
            "user_job_type": j.job_type,
            "status": status,
            "result": result,
            "failed_reason": failed_reason,
            "data": Value::String(Value::Object(j.data.clone()).to_string()),
            "agent_id": j.agent_id,
            "created_at": j.created_at,
        })
    }

    /// Build an engine (from a template or blank) for an agent; returns its id.
    pub fn build_engine(
        &mut self,
        agent_id: i64,
        title: &str,
        template: Option<&seed::TemplateDef>,
    ) -> i64 {
        let id = self.next(|i| &mut i.engine);
        let mut e = Engine {
            id,
            title: title.to_string(),
            agent_id,
            template: template.map(|t| t.slug.to_string()),
            columns: Vec::new(),
            rows: Vec::new(),
            cells: Vec::new(),
            layers: Vec::new(),
            globals: Vec::new(),
        };
        if let Some(t) = template {
            let cols = [
                ("Script", "text", "ingredient", Some("text")),
                ("Voiceover", "audio", "ingredient", Some("speech_from_text")),
                (t.video_title, "video", "video", Some(t.video_card)),
                ("Final Video", "video", "final_video", None),
            ];
            for (pos, (title, ctype, role, card)) in cols.into_iter().enumerate() {
                let cid = self.next(|i| &mut i.column);
                e.columns.push(Column {
                    id: cid,
                    title: title.to_string(),
                    column_type: ctype.to_string(),
                    role: role.to_string(),
                    position: pos as i64,
                    card: card
                        .map(|c| json!({"generation_type": c, "data": seed::default_card_data(c)})),
                });
            }
            e.globals = vec![
                ("topic".to_string(), Some("San Antonio tacos".to_string())),
                ("brand_name".to_string(), Some("Santiago".to_string())),
            ];
            self.engines.insert(id, e);
            for _ in 0..2 {
                self.add_row(id, None);
            }
        } else {
            self.engines.insert(id, e);
        }
        id
    }

    /// Add a row with one cell per column (and the default layer stack on video cells).
    pub fn add_row(&mut self, engine_id: i64, position: Option<i64>) -> Option<i64> {
        let row_id = self.next(|i| &mut i.row);
        let columns = self.engines.get(&engine_id)?.columns.clone();
        let pos = position.unwrap_or_else(|| {
            self.engines[&engine_id]
                .rows
                .iter()
                .map(|r| r.position + 1)
                .max()
                .unwrap_or(0)
        });
        let mut cells = Vec::new();
        let mut layers = Vec::new();
        for col in &columns {
            let cell_id = self.next(|i| &mut i.cell);
            cells.push(self.new_cell(cell_id, row_id, col));
            if col.role == "video" {
                for (lp, (name, ltype, gtype)) in [
                    ("Background video", "video", "video_from_text"),
                    ("Voiceover", "audio", "speech_from_text"),
                    ("Captions", "text", "captions"),
                ]
                .into_iter()
                .enumerate()
                {
                    let lid = self.next(|i| &mut i.layer);
                    layers.push(Layer {
                        id: lid,
                        cell_id,
                        name: Some(name.to_string()),
                        layer_type: ltype.to_string(),
                        position: lp as i64,
                        generation_type: Some(gtype.to_string()),
                        data: seed::default_card_data(gtype),
                        user_job_id: None,
                    });
                }
            }
        }
        let e = self.engines.get_mut(&engine_id)?;
        e.rows.push(Row {
            id: row_id,
            position: pos,
        });
        e.cells.extend(cells);
        e.layers.extend(layers);
        Some(row_id)
    }

    /// A fresh cell of a column.
    pub fn new_cell(&self, cell_id: i64, row_id: i64, col: &Column) -> Cell {
        let (gt, data) = match &col.card {
            Some(card) => (
                card["generation_type"].as_str().map(str::to_string),
                card.get("data").cloned().unwrap_or_else(|| json!({})),
            ),
            None => (None, json!({})),
        };
        Cell {
            id: cell_id,
            row_id,
            column_id: col.id,
            value: None,
            user_job_id: None,
            generation_type: gt,
            data,
        }
    }

    /// Full nested JSON of an engine.
    pub fn engine_json(&self, e: &Engine, now: Instant) -> Value {
        let user_jobs: Vec<Value> = self
            .generations
            .values()
            .filter(|g| g.engine_id == e.id)
            .map(|g| self.gen_json(g, now, false))
            .collect();
        let mut cells: Vec<&Cell> = e.cells.iter().collect();
        cells.sort_by_key(|c| c.id);
        let mut layers: Vec<&Layer> = e.layers.iter().collect();
        layers.sort_by_key(|l| (l.cell_id, l.position, l.id));
        json!({
            "id": e.id,
            "title": e.title,
            "agent_id": e.agent_id,
            "template_slug": e.template,
            "spreadsheet_columns": e.sorted_columns().into_iter().map(Column::json).collect::<Vec<_>>(),
            "spreadsheet_rows": e.sorted_rows().into_iter().map(|r| e.row_json(r, false)).collect::<Vec<_>>(),
            "spreadsheet_cells": cells.into_iter().map(Cell::json).collect::<Vec<_>>(),
            "layers": layers.into_iter().map(Layer::json).collect::<Vec<_>>(),
            "user_jobs": user_jobs,
        })
    }
}

/// How many ideas a message asks for: the first number in it, clamped to 3..=5 (default 5).
fn idea_count(message: &str) -> usize {
    let digits: String = message
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse::<usize>().map(|n| n.clamp(3, 5)).unwrap_or(5)
}

struct Shared {
    config: MockConfig,
    data: Mutex<Data>,
    notify: Notify,
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
        for v in &mut d.voices {
            if let Some(p) = &mut v.preview_url {
                *p = format!("{url}/cdn/voices/{}.mp3", v.voice_id);
            }
        }
        d.base_url = url;
    }

    /// Generic credit balance of the seed workspace (id 1).
    pub fn credit_balance(&self) -> f64 {
        self.data().balance(1)
    }

    /// `(generic, aura)` balance of a workspace.
    pub fn available_credit(&self, org_id: i64) -> Option<(f64, f64)> {
        self.data().orgs.get(&org_id).map(|o| (o.generic, o.aura))
    }

    /// Set the generic balance of the seed workspace (id 1).
    pub fn set_credit_balance(&self, generic: f64) {
        if let Some(o) = self.data().orgs.get_mut(&1) {
            o.generic = generic;
        }
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.raw().requests.clone()
    }

    /// Requests whose path equals `path`.
    pub fn requests_to(&self, path: &str) -> Vec<RequestRecord> {
        self.raw()
            .requests
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }

    /// Forget the request log.
    pub fn clear_requests(&self) {
        self.raw().requests.clear();
    }

    /// How many generate calls (cell or layer generate) reached the handler for a cell.
    pub fn generate_calls(&self, cell_id: i64) -> u32 {
        self.raw()
            .generate_calls
            .get(&cell_id)
            .copied()
            .unwrap_or(0)
    }

    /// Generate calls per cell id.
    pub fn generate_calls_by_cell(&self) -> BTreeMap<i64, u32> {
        self.raw().generate_calls.clone()
    }

    /// How many render calls reached the handler for a cell.
    pub fn render_calls(&self, cell_id: i64) -> u32 {
        self.raw().render_calls.get(&cell_id).copied().unwrap_or(0)
    }

    /// Every PUT to the storage route, in order.
    pub fn storage_puts(&self) -> Vec<StoragePutRecord> {
        self.raw().storage_puts.clone()
    }

    /// Make the next `n` generations created fail with `reason` (full refund).
    pub fn fail_next_generations(&self, n: u32, reason: impl Into<String>) {
        let mut d = self.raw();
        d.fail_next = n;
        d.fail_reason = reason.into();
    }

    /// Current status of a generation (`pending`, `processing`, `completed`, `failed`, `stopped`).
    pub fn generation_status(&self, id: i64) -> Option<String> {
        let now = Instant::now();
        let d = self.data();
        d.generations
            .get(&id)
            .map(|g| d.gen_status(g, now).to_string())
    }

    /// Ids of every generation created so far.
    pub fn generation_ids(&self) -> Vec<i64> {
        self.raw().generations.keys().copied().collect()
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
        match d.tokens.values_mut().find(|t| t.token == key) {
            Some(t) => {
                t.last_used_at = Some(now);
                true
            }
            None => false,
        }
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
