//! [`Generation`]: one generation (or render): its status, stop, continue,
//! and the wait for it.

use genpro_api::prelude::*;
use genpro_api::types;

use super::GenerationId;
use crate::client::GenClient;
use crate::error::{Error, ErrorCode};
use crate::transport::{Attempts, recording_attempts};
use crate::wait::{ControlAction, JobRef, JobSnapshot, JobStatus, Outcome, WaitError, WaitOptions};

/// One generation or render. Made by [`GenClient::generation`] (or from the
/// id a [`super::Cell::generate`] returns).
#[derive(Clone, Copy, Debug)]
pub struct Generation<'a> {
    client: &'a GenClient,
    id: GenerationId,
}

impl GenClient {
    /// The generation (or render) `id`.
    pub fn generation(&self, id: GenerationId) -> Generation<'_> {
        Generation::new(self, id)
    }
}

impl<'a> Generation<'a> {
    pub(crate) fn new(client: &'a GenClient, id: GenerationId) -> Self {
        Self { client, id }
    }

    /// The generation's id.
    pub fn id(&self) -> GenerationId {
        self.id
    }

    /// `GET /v1/generations/{id}`: its status and output.
    pub async fn get(&self) -> Result<types::Generation, Error> {
        get(self.client, self.id.0).await
    }

    /// Waits until the generation is terminal, with `options` (timeout,
    /// progress channel, cancellation: [`WaitOptions`]).
    pub async fn wait(&self, options: &WaitOptions) -> Result<Outcome, WaitError> {
        self.client
            .waiter()
            .with_options(options.clone())
            .wait(JobRef::Generation(self.id.0))
            .await
    }

    /// `POST /v1/generations/{id}/stop`: cancels the generation (credits are
    /// refunded). Retried like any idempotent call; a retry whose earlier
    /// attempt may have landed and that GEN refuses for the generation's
    /// state is done (see [`Generation::resume`]).
    pub async fn stop(&self) -> Result<types::Generation, Error> {
        stop(self.client, self.id.0).await
    }

    /// `POST /v1/generations/{id}/continue`: resumes a stopped generation
    /// (credits are charged again; retried only when the request never
    /// reached GEN, unless the caller widens the class with
    /// [`crate::transport::with_retry_class`]).
    ///
    /// A stop or continue whose first attempt reached GEN and landed, and
    /// whose answer was lost (a reset connection, a 503 from a proxy...),
    /// gets, when retried, seed 000's 422 `validation_error` "Generation
    /// cannot be stopped/continued in its current state": the generation is
    /// already stopped (or continued). That answer to a retry is taken as
    /// done: the generation is read (`GET /v1/generations/{id}`) and
    /// returned as it now is. A 422 to the first attempt, to a retry after
    /// attempts that never connected, or with another code (e.g.
    /// `insufficient_credits_for_job`) stays an error.
    pub async fn resume(&self) -> Result<types::Generation, Error> {
        let id = self.id.0;
        let call = self.client.raw().continue_generation().id(id);
        let (result, attempts) = recording_attempts(call.send()).await;
        let result = result.map(|r| r.into_inner()).map_err(Error::from);
        done_after_retry(self.client, id, "continue", result, attempts).await
    }

    /// Stops the generation (credits refunded) and waits until it is
    /// terminal (normally at once: the stop answers with `stopped`). A
    /// generation that cannot be stopped (422 `validation_error`, e.g.
    /// already completed) gives [`WaitError::InvalidState`] with its
    /// current status.
    pub async fn stop_and_wait(&self, options: &WaitOptions) -> Result<Outcome, WaitError> {
        let answer = self.stop().await;
        self.after_control(ControlAction::Stop, answer, options)
            .await
    }

    /// Continues a stopped generation (credits charged again) and waits for
    /// it. One that cannot be continued (422 `validation_error`, e.g. not
    /// stopped) gives [`WaitError::InvalidState`] with its current status.
    pub async fn resume_and_wait(&self, options: &WaitOptions) -> Result<Outcome, WaitError> {
        let answer = self.resume().await;
        self.after_control(ControlAction::Continue, answer, options)
            .await
    }

    async fn after_control(
        &self,
        action: ControlAction,
        answer: Result<types::Generation, Error>,
        options: &WaitOptions,
    ) -> Result<Outcome, WaitError> {
        let generation_id = self.id.0;
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
                    None => self.wait(options).await,
                }
            }
            Err(source) if source.status() == Some(422) => {
                let status = self
                    .client
                    .waiter()
                    .with_options(options.clone())
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

fn snapshot_of(generation: &types::Generation) -> Option<JobSnapshot> {
    let body = serde_json::to_value(generation).ok()?;
    JobSnapshot::from_json(JobRef::Generation(generation.id), body).ok()
}

async fn get(client: &GenClient, id: i64) -> Result<types::Generation, Error> {
    let call = client.raw().get_generation().id(id);
    Ok(call.send().await?.into_inner())
}

/// `POST /v1/generations/{id}/stop`, a retry refused for the state after
/// an earlier attempt may have landed taken as done.
pub(crate) async fn stop(client: &GenClient, id: i64) -> Result<types::Generation, Error> {
    let call = client.raw().stop_generation().id(id);
    let (result, attempts) = recording_attempts(call.send()).await;
    let result = result.map(|r| r.into_inner()).map_err(Error::from);
    done_after_retry(client, id, "stop", result, attempts).await
}

/// `result` of a stop or continue, with seed 000's 422 to a retry whose
/// earlier attempt may have landed taken as done (the generation as it
/// now is).
async fn done_after_retry(
    client: &GenClient,
    generation_id: i64,
    action: &'static str,
    result: Result<types::Generation, Error>,
    attempts: Attempts,
) -> Result<types::Generation, Error> {
    match result {
        Err(error)
            if attempts.sent > 1
                && attempts.earlier_may_have_landed
                && is_state_refusal(&error) =>
        {
            tracing::info!(
                generation_id,
                action,
                attempts = attempts.sent,
                "a retried {action} was refused for the generation's state after an earlier \
                 attempt may have landed: taken as done"
            );
            get(client, generation_id).await
        }
        other => other,
    }
}

/// Seed 000's answer to a stop or continue the generation's state does not
/// allow: 422 `validation_error` ("Generation cannot be stopped/continued
/// in its current state"), or a 422 without a code.
fn is_state_refusal(error: &Error) -> bool {
    error.status() == Some(422)
        && error
            .error_code()
            .is_some_and(|code| *code == ErrorCode::ValidationError || code.as_str().is_empty())
}
