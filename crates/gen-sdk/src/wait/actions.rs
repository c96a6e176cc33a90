//! Trigger-and-wait conveniences, stop and continue.

use std::fmt;

use crate::cards::Card;
use crate::error::Error;
use crate::phases::{CellRef, Edit, LayerRef, Publish, PublishPost};

use super::engine::Waiter;
use super::types::{JobRef, JobSnapshot, JobStatus, Outcome, WaitError};

/// A control action on a generation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ControlAction {
    /// `POST /v1/generations/{id}/stop` (credits refunded).
    Stop,
    /// `POST /v1/generations/{id}/continue` (credits charged again).
    Continue,
}

impl ControlAction {
    /// `"stopped"` or `"continued"`.
    pub fn past_participle(self) -> &'static str {
        match self {
            Self::Stop => "stopped",
            Self::Continue => "continued",
        }
    }
}

impl fmt::Display for ControlAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Stop => "stop",
            Self::Continue => "continue",
        })
    }
}

fn snapshot_of(generation: &genpro_api::types::Generation) -> Option<JobSnapshot> {
    let body = serde_json::to_value(generation).ok()?;
    JobSnapshot::from_json(JobRef::Generation(generation.id), body).ok()
}

impl Waiter {
    /// Generates `cell` from `card` (validated first, then one paid
    /// `POST .../generate`, never retried once it may have reached GEN) and
    /// waits for the generation.
    pub async fn generate_on_cell(&self, cell: CellRef, card: &Card) -> Result<Outcome, WaitError> {
        let created = self
            .client()
            .edit()
            .generate_on_cell(cell, card)
            .await
            .map_err(WaitError::request)?;
        self.wait(JobRef::Generation(created.generation_id)).await
    }

    /// Generates `layer` from `card` and waits for the generation.
    pub async fn generate_on_layer(
        &self,
        layer: LayerRef,
        card: &Card,
    ) -> Result<Outcome, WaitError> {
        let created = self
            .client()
            .edit()
            .generate_on_layer(layer, card)
            .await
            .map_err(WaitError::request)?;
        self.wait(JobRef::Generation(created.generation_id)).await
    }

    /// Renders the `final_video` cell and waits; on completion
    /// `output_resources[0].url` is the MP4.
    pub async fn render(&self, cell: CellRef) -> Result<Outcome, WaitError> {
        let created = self
            .client()
            .publish()
            .render(cell)
            .await
            .map_err(WaitError::request)?;
        self.wait(JobRef::Generation(created.generation_id)).await
    }

    /// Publishes `post` (a `publish_content` user job) and waits; on
    /// completion `body.result.post_id` is the platform's post id. A
    /// scheduled post stays pending until its time: give it a long enough
    /// [`super::WaitOptions::max_wait`].
    pub async fn publish(&self, agent_id: i64, post: &PublishPost) -> Result<Outcome, WaitError> {
        let created = self
            .client()
            .publish()
            .publish(agent_id, post)
            .await
            .map_err(WaitError::request)?;
        self.wait(JobRef::UserJob {
            id: created.user_job_id,
            agent_id,
        })
        .await
    }

    /// Stops a generation (credits refunded) and waits until it is
    /// terminal (normally at once: the stop answers with `stopped`).
    /// A generation that cannot be stopped (422 `validation_error`, e.g.
    /// already completed) gives [`WaitError::InvalidState`] with its
    /// current status.
    pub async fn stop(&self, generation_id: i64) -> Result<Outcome, WaitError> {
        let generation = self.client().edit().stop_generation(generation_id).await;
        self.after_control(generation_id, ControlAction::Stop, generation)
            .await
    }

    /// Continues a stopped generation (credits charged again) and waits
    /// for it. One that cannot be continued (422 `validation_error`, e.g.
    /// not stopped) gives [`WaitError::InvalidState`] with its current
    /// status.
    pub async fn continue_and_wait(&self, generation_id: i64) -> Result<Outcome, WaitError> {
        let generation = self
            .client()
            .edit()
            .continue_generation(generation_id)
            .await;
        self.after_control(generation_id, ControlAction::Continue, generation)
            .await
    }

    async fn after_control(
        &self,
        generation_id: i64,
        action: ControlAction,
        answer: Result<genpro_api::types::Generation, Error>,
    ) -> Result<Outcome, WaitError> {
        match answer {
            Ok(generation) => {
                // After a continue the answer is `pending`; after a stop,
                // `stopped`. A terminal answer is the outcome (for continue
                // only if it is not the `stopped` we came from).
                let done = snapshot_of(&generation)
                    .filter(|s| {
                        !(action == ControlAction::Continue && s.status == JobStatus::Stopped)
                    })
                    .and_then(|s| s.outcome());
                match done {
                    Some(outcome) => Ok(outcome),
                    None => self.wait(JobRef::Generation(generation_id)).await,
                }
            }
            Err(source) if source.status() == Some(422) => {
                let status = self
                    .poll_once(JobRef::Generation(generation_id))
                    .await
                    .ok()
                    .map(|s| s.status);
                Err(WaitError::InvalidState {
                    generation_id,
                    action,
                    status,
                    source: Box::new(source),
                })
            }
            Err(source) => Err(WaitError::request(source)),
        }
    }
}

impl Edit<'_> {
    /// [`Edit::generate_on_cell`] then waits with the default
    /// [`super::WaitOptions`] (`client.waiter().with_options(..)` for
    /// others).
    pub async fn generate_on_cell_and_wait(
        &self,
        cell: CellRef,
        card: &Card,
    ) -> Result<Outcome, WaitError> {
        self.client().waiter().generate_on_cell(cell, card).await
    }

    /// [`Edit::generate_on_layer`] then waits with the default options.
    pub async fn generate_on_layer_and_wait(
        &self,
        layer: LayerRef,
        card: &Card,
    ) -> Result<Outcome, WaitError> {
        self.client().waiter().generate_on_layer(layer, card).await
    }

    /// Waits for a generation with the default options.
    pub async fn wait_for_generation(&self, generation_id: i64) -> Result<Outcome, WaitError> {
        self.client()
            .waiter()
            .wait(JobRef::Generation(generation_id))
            .await
    }

    /// Stops a generation and waits until it is terminal; see
    /// [`Waiter::stop`].
    pub async fn stop_and_wait(&self, generation_id: i64) -> Result<Outcome, WaitError> {
        self.client().waiter().stop(generation_id).await
    }

    /// Continues a stopped generation and waits; see
    /// [`Waiter::continue_and_wait`].
    pub async fn continue_and_wait(&self, generation_id: i64) -> Result<Outcome, WaitError> {
        self.client()
            .waiter()
            .continue_and_wait(generation_id)
            .await
    }
}

impl Publish<'_> {
    /// [`Publish::render`] then waits with the default options.
    pub async fn render_and_wait(&self, cell: CellRef) -> Result<Outcome, WaitError> {
        self.client().waiter().render(cell).await
    }

    /// [`Publish::publish`] then waits with the default options.
    pub async fn publish_and_wait(
        &self,
        agent_id: i64,
        post: &PublishPost,
    ) -> Result<Outcome, WaitError> {
        self.client().waiter().publish(agent_id, post).await
    }
}
