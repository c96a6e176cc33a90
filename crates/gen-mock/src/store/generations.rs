//! Generations (cell, layer and render jobs): their lazy status from timestamps, their JSON, the
//! failures planned by tests, and how many generate/render calls reached the server per cell.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::time::Instant;

use super::Ids;
use super::uploads::UploadStore;
use crate::config::MockConfig;
use crate::error::ApiError;
use crate::model::{GenPhase, Generation};

/// A generation to record (its cost already charged to `org_id`).
pub(crate) struct NewGeneration {
    pub id: i64,
    pub engine_id: i64,
    pub org_id: i64,
    pub cell_id: i64,
    pub layer_id: Option<i64>,
    pub gen_type: String,
    pub data: Value,
    pub cost: f64,
    pub now: Instant,
    pub created_at: String,
}

/// Every generation, by id.
pub(crate) struct GenerationStore {
    /// How long a generation stays `pending`.
    pub pending_for: Duration,
    /// How long a generation stays `processing` after that.
    pub processing_for: Duration,
    /// How many of the next generations created will fail.
    pub fail_next: u32,
    /// The `failed_reason` of those failures.
    pub fail_reason: String,
    /// Generations by id.
    pub by_id: BTreeMap<i64, Generation>,
    /// Generate calls (cell or layer) that reached the handler, per cell id.
    pub generate_calls: BTreeMap<i64, u32>,
    /// Render calls that reached the handler, per cell id.
    pub render_calls: BTreeMap<i64, u32>,
}

impl GenerationStore {
    pub fn new(cfg: &MockConfig) -> Self {
        Self {
            pending_for: cfg.pending_for,
            processing_for: cfg.processing_for,
            fail_next: cfg.fail_next_generations,
            fail_reason: cfg.failed_reason.clone(),
            by_id: BTreeMap::new(),
            generate_calls: BTreeMap::new(),
            render_calls: BTreeMap::new(),
        }
    }

    /// The failure planned for the next generation created, if any (used up by the call).
    fn take_planned_failure(&mut self) -> Option<String> {
        if self.fail_next > 0 {
            self.fail_next -= 1;
            Some(self.fail_reason.clone())
        } else {
            None
        }
    }

    /// Record a new active generation whose cost the caller has charged (it fails when its
    /// time is up if a failure was planned). Returns its status.
    pub fn start(&mut self, new: NewGeneration) -> &'static str {
        let will_fail = self.take_planned_failure();
        let g = Generation {
            id: new.id,
            engine_id: new.engine_id,
            org_id: new.org_id,
            cell_id: Some(new.cell_id),
            layer_id: new.layer_id,
            gen_type: new.gen_type,
            data: new.data,
            started: new.now,
            phase: GenPhase::Active,
            will_fail,
            cost: new.cost,
            held: new.cost,
            result: None,
            outputs: Vec::new(),
            failed_reason: None,
            stopped_progress: 0.0,
            created_at: new.created_at,
        };
        let status = self.status(&g, new.now);
        self.by_id.insert(new.id, g);
        status
    }

    fn get(&self, id: i64) -> Result<&Generation, ApiError> {
        self.by_id
            .get(&id)
            .ok_or_else(|| ApiError::not_found("Generation"))
    }

    /// Stop an active generation at `now`, keeping its progress (404, or 422 when it is not
    /// active). Returns the workspace and the held credits to refund to it.
    pub fn stop(&mut self, id: i64, now: Instant) -> Result<(i64, f64), ApiError> {
        let g = self.get(id)?;
        if g.phase != GenPhase::Active {
            return Err(ApiError::validation(format!(
                "Generation is {} and cannot be stopped",
                self.status(g, now)
            )));
        }
        let progress = self.progress(g, now);
        let g = self.by_id.get_mut(&id).expect("generation");
        let refund = g.held;
        g.held = 0.0;
        g.phase = GenPhase::Stopped;
        g.stopped_progress = progress;
        Ok((g.org_id, refund))
    }

    /// The workspace and cost to charge to continue a stopped generation (404, or 422 when it
    /// is not stopped).
    pub fn continue_cost(&self, id: i64, now: Instant) -> Result<(i64, f64), ApiError> {
        let g = self.get(id)?;
        if g.phase != GenPhase::Stopped {
            return Err(ApiError::validation(format!(
                "Generation is {} and cannot be continued (only stopped generations can)",
                self.status(g, now)
            )));
        }
        Ok((g.org_id, g.cost))
    }

    /// Restart a stopped generation at `now` with its cost held again (charged by the caller).
    pub fn resume(&mut self, id: i64, now: Instant) {
        if let Some(g) = self.by_id.get_mut(&id) {
            g.held = g.cost;
            g.phase = GenPhase::Active;
            g.started = now;
            g.stopped_progress = 0.0;
        }
    }

    /// Ids of the active generations whose time is up at `now`.
    pub fn due(&self, now: Instant) -> Vec<i64> {
        let total = self.pending_for + self.processing_for;
        self.by_id
            .values()
            .filter(|g| {
                g.phase == GenPhase::Active && now.saturating_duration_since(g.started) >= total
            })
            .map(|g| g.id)
            .collect()
    }

    /// Mark a generation failed with `reason`; its held credits are released (the caller refunds them).
    pub fn fail(&mut self, id: i64, reason: String) {
        if let Some(g) = self.by_id.get_mut(&id) {
            g.held = 0.0;
            g.phase = GenPhase::Failed;
            g.failed_reason = Some(reason);
        }
    }

    /// Mark a generation completed with its result and outputs; the held credits are spent.
    pub fn complete(&mut self, id: i64, result: Option<String>, outputs: Vec<Value>) {
        if let Some(g) = self.by_id.get_mut(&id) {
            g.held = 0.0;
            g.phase = GenPhase::Completed;
            g.result = result;
            g.outputs = outputs;
        }
    }

    /// Status name of a generation at `now` (after settle).
    pub fn status(&self, g: &Generation, now: Instant) -> &'static str {
        match g.phase {
            GenPhase::Completed => "completed",
            GenPhase::Failed => "failed",
            GenPhase::Stopped => "stopped",
            GenPhase::Active => {
                if now.saturating_duration_since(g.started) < self.pending_for {
                    "pending"
                } else {
                    "processing"
                }
            }
        }
    }

    /// Progress in percent of a generation at `now`.
    pub fn progress(&self, g: &Generation, now: Instant) -> f64 {
        match g.phase {
            GenPhase::Completed | GenPhase::Failed => 100.0,
            GenPhase::Stopped => g.stopped_progress,
            GenPhase::Active => {
                let e = now.saturating_duration_since(g.started);
                if e < self.pending_for {
                    0.0
                } else {
                    let p = self.processing_for.as_secs_f64();
                    if p <= 0.0 {
                        99.0
                    } else {
                        let x = (e - self.pending_for).as_secs_f64() / p * 100.0;
                        (x.clamp(0.0, 99.0) * 10.0).round() / 10.0
                    }
                }
            }
        }
    }

    /// When an active generation changes status next.
    pub fn next_change(&self, g: &Generation, now: Instant) -> Option<Instant> {
        if g.phase != GenPhase::Active {
            return None;
        }
        let p = g.started + self.pending_for;
        if now < p {
            Some(p)
        } else {
            Some(p + self.processing_for)
        }
    }

    /// JSON of a generation at `now`.
    pub fn json(&self, g: &Generation, now: Instant, progress: bool) -> Value {
        let mut v = json!({
            "id": g.id,
            "status": self.status(g, now),
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
            v["progress_percent"] = json!(self.progress(g, now));
        }
        v
    }
}

/// One output resource of a finished generation, served by the mock's CDN.
fn output(ids: &mut Ids, base_url: &str, name: &str, ext: &str, object_type: &str) -> Value {
    let id = super::bump(&mut ids.output);
    let thumb = if object_type == "audio" {
        Value::Null
    } else {
        json!(format!("{base_url}/cdn/thumbnails/{name}.jpg"))
    };
    json!({
        "id": id,
        "url": format!("{base_url}/cdn/outputs/{name}.{ext}"),
        "thumbnail_url": thumb,
        "object_type": object_type,
        "type": "output",
    })
}

/// The result text and output resources a generation ends with (a `media` card reuses its
/// uploaded content resource).
pub(crate) fn outcome(
    g: &Generation,
    ids: &mut Ids,
    base_url: &str,
    uploads: &UploadStore,
) -> (Option<String>, Vec<Value>) {
    let id = g.id;
    let prompt = g
        .data
        .get("prompt")
        .or_else(|| g.data.get("script"))
        .and_then(Value::as_str)
        .unwrap_or("the brief")
        .to_string();
    let name = format!("gen_{id}");
    match crate::config::canonical_generation_type(&g.gen_type) {
        "text" => (
            Some(format!("Here is the generated script text for: {prompt}")),
            vec![],
        ),
        "captions" => (
            Some("1\n00:00:00,000 --> 00:00:02,500\nNobody tells you this.\n".to_string()),
            vec![output(ids, base_url, &name, "mp4", "video")],
        ),
        "speech_from_text" => (None, vec![output(ids, base_url, &name, "mp3", "audio")]),
        "image_from_text" => (None, vec![output(ids, base_url, &name, "png", "image")]),
        "media" => {
            let res = g
                .data
                .get("content_resource_id")
                .and_then(Value::as_i64)
                .and_then(|rid| uploads.resources.get(&rid).cloned());
            match res {
                Some(r) => {
                    let oid = super::bump(&mut ids.output);
                    (
                        None,
                        vec![
                            json!({"id": oid, "url": r.url, "thumbnail_url": r.thumbnail_url, "object_type": r.object_type, "type": "output"}),
                        ],
                    )
                }
                None => (None, vec![output(ids, base_url, &name, "mp4", "video")]),
            }
        }
        "render" => (
            None,
            vec![output(
                ids,
                base_url,
                &format!("render_{id}"),
                "mp4",
                "video",
            )],
        ),
        _ => (None, vec![output(ids, base_url, &name, "mp4", "video")]),
    }
}
