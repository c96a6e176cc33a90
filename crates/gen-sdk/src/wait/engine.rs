//! The poll loop: long-poll detection, interval backoff, deadlines,
//! transient errors, progress, stop on cancel.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use serde_json::Value;
use tokio::sync::watch;

use crate::client::GenClient;
use crate::error::{DEFAULT_MAX_BODY, Error, read_success_body};
use crate::retry::{Backoff, Clock, RetryAfter, Sleep};
use crate::steps::Host;

use super::budget::RequestBudget;
use super::types::{
    JobKind, JobRef, JobSnapshot, Outcome, PollMode, Progress, WaitError, WaitOptions,
};

/// Results of [`Waiter::wait_all`], in the order the jobs finish.
pub type WaitStream = BoxStream<'static, (JobRef, Result<Outcome, WaitError>)>;

/// A "server ignores long-poll" verdict is re-checked after this long.
const LONG_POLL_REPROBE: Duration = Duration::from_secs(600);
/// A long-poll answer held at least `min(timeout / 2, this)` proves the
/// server long-polls.
const LONG_POLL_MIN_HOLD: Duration = Duration::from_secs(5);
/// A long-poll shorter than this is not worth it: a plain request is sent.
const LONG_POLL_MIN_TIMEOUT: Duration = Duration::from_secs(1);
/// Extra time given to a long-poll request beyond its `timeout` (itself
/// bounded by the time left before the maximum wait).
const LONG_POLL_GRACE: Duration = Duration::from_secs(15);
/// The largest status answer read; a larger one ends the wait with
/// [`ErrorKind::BodyTooLarge`](crate::ErrorKind::BodyTooLarge) without being buffered.
const MAX_STATUS_BODY: u64 = DEFAULT_MAX_BODY;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LongPollSupport {
    Unknown,
    Honoured,
    Ignored { since: SystemTime },
}

struct Shared {
    sleep: Arc<dyn Sleep>,
    clock: Arc<dyn Clock>,
    budget: Option<RequestBudget>,
    long_poll: Mutex<LongPollSupport>,
}

impl Shared {
    fn new(
        sleep: Arc<dyn Sleep>,
        clock: Arc<dyn Clock>,
        budget: Option<RequestBudget>,
        long_poll: LongPollSupport,
    ) -> Self {
        Self {
            sleep,
            clock,
            budget,
            long_poll: Mutex::new(long_poll),
        }
    }

    fn long_poll(&self) -> LongPollSupport {
        *self
            .long_poll
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn set_long_poll(&self, support: LongPollSupport) {
        *self
            .long_poll
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = support;
    }

    fn elapsed_since(&self, start: SystemTime) -> Duration {
        self.clock
            .now()
            .duration_since(start)
            .unwrap_or(Duration::ZERO)
    }
}

/// Waits for GEN jobs; see the [module documentation](super).
///
/// Cheap to clone: clones share the HTTP client, the [`RequestBudget`] and
/// what was learnt about the server's long-poll support.
#[derive(Clone)]
pub struct Waiter {
    client: GenClient,
    options: WaitOptions,
    shared: Arc<Shared>,
}

impl fmt::Debug for Waiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Waiter")
            .field("options", &self.options)
            .field("budget", &self.shared.budget)
            .field("long_poll", &self.shared.long_poll())
            .finish_non_exhaustive()
    }
}

impl GenClient {
    /// A [`Waiter`] on this client with [`WaitOptions::default`].
    pub fn waiter(&self) -> Waiter {
        Waiter::new(self)
    }
}

impl Waiter {
    /// A waiter on `client` with [`WaitOptions::default`] and the client's
    /// sleep and clock (those given to [`crate::GenClientBuilder::sleep`]
    /// and [`crate::GenClientBuilder::clock`]; tokio's sleep and the system
    /// clock by default). [`Self::with_time`] overrides them.
    pub fn new(client: &GenClient) -> Self {
        let retrier = client.retrier();
        Self {
            client: client.clone(),
            options: WaitOptions::default(),
            shared: Arc::new(Shared::new(
                retrier.sleep().clone(),
                retrier.clock().clone(),
                None,
                LongPollSupport::Unknown,
            )),
        }
    }

    /// Replaces the options.
    pub fn with_options(mut self, options: WaitOptions) -> Self {
        self.options = options;
        self
    }

    /// Replaces the sleep and clock (e.g. with
    /// `retry::testing::ManualTime` in tests). The clock measures
    /// the maximum wait and how long a long-poll was held.
    pub fn with_time(self, sleep: Arc<dyn Sleep>, clock: Arc<dyn Clock>) -> Self {
        self.rebuild(|shared| {
            shared.sleep = sleep;
            shared.clock = clock;
        })
    }

    /// Shares `budget` among every request of this waiter (and of any other
    /// waiter given a clone of it).
    pub fn with_budget(self, budget: RequestBudget) -> Self {
        self.rebuild(|shared| shared.budget = Some(budget))
    }

    fn rebuild(self, change: impl FnOnce(&mut Shared)) -> Self {
        let mut shared = Shared::new(
            self.shared.sleep.clone(),
            self.shared.clock.clone(),
            self.shared.budget.clone(),
            self.shared.long_poll(),
        );
        change(&mut shared);
        Self {
            shared: Arc::new(shared),
            ..self
        }
    }

    /// The options.
    pub fn options(&self) -> &WaitOptions {
        &self.options
    }

    /// The client.
    pub fn client(&self) -> &GenClient {
        &self.client
    }

    /// What this waiter has learnt: `Some(true)` when the server honours
    /// long-poll, `Some(false)` when it ignores it, `None` before the first
    /// probe.
    pub fn long_poll_support(&self) -> Option<bool> {
        match self.shared.long_poll() {
            LongPollSupport::Unknown => None,
            LongPollSupport::Honoured => Some(true),
            LongPollSupport::Ignored { .. } => Some(false),
        }
    }

    /// Waits until `job` reaches a terminal state, the maximum wait passes
    /// or a non-transient error occurs.
    ///
    /// The options' progress channel ([`WaitOptions::progress`]) receives
    /// every change; their cancellation token ([`WaitOptions::cancel`])
    /// ends the wait with [`WaitError::Cancelled`].
    pub async fn wait(&self, job: impl Into<JobRef>) -> Result<Outcome, WaitError> {
        let job = job.into();
        let (tx, _rx) = watch::channel(initial_progress(&job));
        match self.options.hooks.cancel.clone() {
            Some(cancel) => tokio::select! {
                biased;
                () = cancel.cancelled() => Err(WaitError::Cancelled { job }),
                result = self.clone().run(job.clone(), tx) => result,
            },
            None => self.clone().run(job, tx).await,
        }
    }

    /// Waits for many jobs, at most `concurrency` at a time (at least 1),
    /// yielding each result as soon as its job ends. Every request goes
    /// through the waiter's [`RequestBudget`], if any. Dropping the stream
    /// stops all waits.
    pub fn wait_all(
        &self,
        jobs: impl IntoIterator<Item = JobRef>,
        concurrency: usize,
    ) -> WaitStream {
        let waiter = self.clone();
        let jobs: Vec<JobRef> = jobs.into_iter().collect();
        futures_util::stream::iter(jobs)
            .map(move |job| {
                let waiter = waiter.clone();
                async move {
                    let result = waiter.wait(job.clone()).await;
                    (job, result)
                }
            })
            .buffer_unordered(concurrency.max(1))
            .boxed()
    }

    /// One status request (no long-poll), through the budget.
    pub async fn poll_once(&self, job: impl Into<JobRef>) -> Result<JobSnapshot, Error> {
        let job = job.into();
        let progress = self.options.include_progress;
        self.fetch(&job, None, progress, self.options.request_timeout, None)
            .await
            .map(|(snapshot, _)| snapshot)
    }

    /// The mode a wait starts in, from what is known of the server:
    /// `None` when a probe is needed.
    fn known_mode(&self) -> Option<PollMode> {
        match self.shared.long_poll() {
            LongPollSupport::Honoured => Some(PollMode::LongPoll),
            LongPollSupport::Unknown => None,
            LongPollSupport::Ignored { since } => {
                (self.shared.elapsed_since(since) < LONG_POLL_REPROBE).then_some(PollMode::Interval)
            }
        }
    }

    /// The mode a wait starts in. A probe costs nothing extra: it is the
    /// wait's first status read (a server ignoring `wait` answers it at
    /// once), so concurrent waits each probe rather than wait for another's
    /// verdict (which would delay them on a server that honours it).
    fn initial_mode(&self, job: &JobRef) -> PollMode {
        if job.kind() != JobKind::Generation || !self.options.long_poll {
            return PollMode::Interval;
        }
        self.known_mode().unwrap_or(PollMode::Probing)
    }

    async fn run(
        self,
        job: JobRef,
        progress: watch::Sender<Progress>,
    ) -> Result<Outcome, WaitError> {
        let options = &self.options;
        let shared = &self.shared;
        let mut guard = StopOnDrop::new(
            options.stop_on_cancel.then(|| self.client.clone()),
            job.generation_id(),
        );
        let start = shared.clock.now();
        let mut mode = self.initial_mode(&job);
        let schedule = options.schedule();
        // After a failed request: the initial interval doubled per failure
        // in a row, within the same maximum and jitter.
        let error_schedule =
            Backoff::new(schedule.initial, schedule.max, 2.0).with_jitter(schedule.jitter);
        let mut last: Option<Box<JobSnapshot>> = None;
        let mut polls: u32 = 0;
        let mut interval_polls: u32 = 0;
        let mut consecutive_errors: u32 = 0;
        let mut first_progress: Option<(SystemTime, f64)> = None;
        let mut last_chance = false;
        // Start of the current run of connection failures.
        let mut unreachable_since: Option<SystemTime> = None;
        // No answer is awaited beyond this (the maximum wait plus its slack).
        let deadline = start.checked_add(options.max_wait.saturating_add(options.deadline_slack));

        let publish = |polls: u32,
                       mode: PollMode,
                       snapshot: Option<&JobSnapshot>,
                       error: Option<String>,
                       finished: bool| {
            let elapsed = shared.elapsed_since(start);
            progress.send_if_modified(|p| {
                let status = snapshot
                    .map(|s| s.status.clone())
                    .or_else(|| p.status.clone());
                let percent = snapshot.map_or(p.progress_percent, |s| s.progress_percent);
                let changed = p.status != status
                    || p.progress_percent != percent
                    || p.mode != mode
                    || p.last_error != error
                    || p.finished != finished;
                p.polls = polls;
                p.elapsed = elapsed;
                if changed {
                    p.status = status;
                    p.progress_percent = percent;
                    p.mode = mode;
                    p.last_error = error;
                    p.finished = finished;
                }
                if changed && let Some(events) = &options.hooks.progress {
                    let _ = events.send(p.clone());
                }
                changed
            });
        };
        publish(0, mode, None, None, false);

        if let Err(error) = check_job(&job) {
            guard.disarm();
            publish(0, mode, None, Some(error.to_string()), true);
            return Err(WaitError::Poll {
                job,
                last: None,
                source: Box::new(error),
            });
        }

        loop {
            let elapsed = shared.elapsed_since(start);
            let remaining = options.max_wait.saturating_sub(elapsed);
            // The first request is always sent, even with a zero maximum.
            if remaining.is_zero() && !last_chance && polls > 0 {
                guard.disarm();
                publish(polls, mode, None, None, true);
                return Err(WaitError::MaxWaitExceeded {
                    job,
                    last,
                    waited: elapsed,
                    polls,
                });
            }
            let final_poll = remaining.is_zero();
            last_chance = false;

            let long_poll = match mode {
                PollMode::Probing | PollMode::LongPoll if !final_poll => {
                    let timeout = options
                        .long_poll_timeout
                        .min(super::MAX_LONG_POLL_TIMEOUT)
                        .min(remaining);
                    (timeout >= LONG_POLL_MIN_TIMEOUT).then_some(timeout)
                }
                _ => None,
            };
            let request_timeout = match long_poll {
                Some(timeout) => timeout + LONG_POLL_GRACE,
                None => options.request_timeout,
            };
            let include_progress = long_poll.is_none() && options.include_progress;
            let sent_at = shared.clock.now();
            let result = self
                .fetch(&job, long_poll, include_progress, request_timeout, deadline)
                .await;
            let held = shared.elapsed_since(sent_at);
            polls = polls.saturating_add(1);

            let delay = match result {
                Ok((snapshot, retry_after)) => {
                    consecutive_errors = 0;
                    unreachable_since = None;
                    let held_long = long_poll
                        .is_some_and(|timeout| held >= (timeout / 2).min(LONG_POLL_MIN_HOLD));
                    if held_long {
                        shared.set_long_poll(LongPollSupport::Honoured);
                    }
                    if let Some(outcome) = snapshot.outcome() {
                        guard.disarm();
                        publish(polls, mode, Some(&snapshot), None, true);
                        return Ok(outcome);
                    }
                    let now = shared.clock.now();
                    if long_poll.is_some() {
                        if held_long {
                            if mode == PollMode::Probing {
                                tracing::debug!(job = %job, held_ms = held.as_millis() as u64, "server honours long-poll");
                            }
                            mode = PollMode::LongPoll;
                        } else {
                            tracing::debug!(job = %job, held_ms = held.as_millis() as u64, "server ignores long-poll; polling at intervals");
                            mode = PollMode::Interval;
                            shared.set_long_poll(LongPollSupport::Ignored { since: now });
                        }
                    }
                    if let Some(p) = snapshot.progress_percent {
                        match first_progress {
                            Some((_, first)) if p >= first => {}
                            _ => first_progress = Some((now, p)),
                        }
                    }
                    publish(polls, mode, Some(&snapshot), None, false);
                    let eta = eta(first_progress, &snapshot, now);
                    last = Some(Box::new(snapshot));
                    if final_poll {
                        continue;
                    }
                    // Only a long-poll the server actually held may be
                    // followed at once; anything else waits at least the
                    // floor, whatever Retry-After says (0, a past date).
                    let held_long_poll = held_long && mode == PollMode::LongPoll;
                    let delay = match retry_after {
                        Some(ra) => ra.delay_from(now).min(options.max_retry_after),
                        None if held_long_poll => Duration::ZERO,
                        None => {
                            let mut delay = schedule.jittered(interval_polls);
                            interval_polls = interval_polls.saturating_add(1);
                            if let Some(eta) = eta {
                                delay = delay.min(eta.max(options.initial_interval));
                            }
                            delay
                        }
                    };
                    if held_long_poll && retry_after.is_none() {
                        delay
                    } else {
                        delay.max(options.min_interval)
                    }
                }
                Err(error) => {
                    let rejected_params = matches!(error.status(), Some(400 | 422));
                    if long_poll.is_some() && rejected_params {
                        // The server refuses `wait`/`timeout`: poll plainly.
                        tracing::debug!(job = %job, error = %error, "long-poll parameters refused; polling at intervals");
                        mode = PollMode::Interval;
                        shared.set_long_poll(LongPollSupport::Ignored {
                            since: shared.clock.now(),
                        });
                        continue;
                    }
                    consecutive_errors = consecutive_errors.saturating_add(1);
                    let now = shared.clock.now();
                    if is_unreachable(&error) {
                        unreachable_since.get_or_insert(sent_at);
                    } else {
                        unreachable_since = None;
                    }
                    let unreachable_for = unreachable_since
                        .map(|since| now.duration_since(since).unwrap_or(Duration::ZERO));
                    let unreachable_left = match (options.max_unreachable, unreachable_for) {
                        (Some(max), Some(spent)) => Some(max.saturating_sub(spent)),
                        _ => None,
                    };
                    let limit_hit = options
                        .max_consecutive_errors
                        .is_some_and(|max| consecutive_errors >= max);
                    let deadline_passed = shared.elapsed_since(start) >= options.max_wait;
                    let unreachable_hit = unreachable_left.is_some_and(|left| left.is_zero());
                    if !error.is_retryable()
                        || limit_hit
                        || final_poll
                        || deadline_passed
                        || unreachable_hit
                    {
                        guard.disarm();
                        publish(polls, mode, None, Some(error.to_string()), true);
                        if (final_poll || deadline_passed) && error.is_retryable() {
                            return Err(WaitError::MaxWaitExceeded {
                                job,
                                last,
                                waited: shared.elapsed_since(start),
                                polls,
                            });
                        }
                        if unreachable_hit && !limit_hit {
                            return Err(WaitError::Unreachable {
                                job,
                                last,
                                unreachable_for: unreachable_for.unwrap_or_default(),
                                failures: consecutive_errors,
                                source: Box::new(error),
                            });
                        }
                        return Err(WaitError::Poll {
                            job,
                            last,
                            source: Box::new(error),
                        });
                    }
                    publish(polls, mode, None, Some(error.to_string()), false);
                    let delay = match error.retry_after() {
                        Some(ra) => ra.delay_from(now).min(options.max_retry_after),
                        None => error_schedule.jittered(consecutive_errors),
                    };
                    // The last attempt of a run of connection failures
                    // happens when `max_unreachable` is spent, not after.
                    let delay = match unreachable_left {
                        Some(left) => delay.min(left),
                        None => delay,
                    };
                    delay.max(options.min_interval)
                }
            };

            let remaining = options.max_wait.saturating_sub(shared.elapsed_since(start));
            if remaining.is_zero() {
                // The deadline passed during the request: no last look.
                continue;
            }
            if delay >= remaining {
                // Sleep until the deadline and look one last time.
                shared.sleep.sleep(remaining).await;
                last_chance = true;
            } else if !delay.is_zero() {
                shared.sleep.sleep(delay).await;
            }
        }
    }

    fn url(
        &self,
        job: &JobRef,
        long_poll: Option<Duration>,
        progress: bool,
    ) -> Result<url::Url, Error> {
        check_job(job)?;
        let host = match job.kind() {
            JobKind::AgentRun => Host::Agent,
            _ => Host::Api,
        };
        let base = self.client.base_url(host);
        let mut url = url::Url::parse(base)
            .map_err(|e| Error::invalid_request(format!("bad base URL {base}: {e}")))?;
        {
            let mut segments = url.path_segments_mut().map_err(|()| {
                Error::invalid_request(format!("base URL {base} cannot have a path"))
            })?;
            segments.pop_if_empty();
            match job {
                JobRef::Generation(id) => {
                    segments.extend(["v1", "generations", &id.to_string()]);
                }
                JobRef::AgentRun(run_id) => {
                    segments.extend(["v1", "agent", "runs", run_id]);
                }
                JobRef::UserJob { id, .. } => {
                    segments.extend(["v1", "user_jobs", &id.to_string()]);
                }
                JobRef::VoicePreview { agent_id, job_id } => {
                    segments.extend([
                        "v1",
                        "agents",
                        &agent_id.to_string(),
                        "voice",
                        "preview",
                        job_id,
                    ]);
                }
            }
        }
        {
            let mut query = url.query_pairs_mut();
            if let JobRef::UserJob { agent_id, .. } = job {
                query.append_pair("agent_id", &agent_id.to_string());
            }
            if let Some(timeout) = long_poll {
                query.append_pair("wait", "true");
                query.append_pair("timeout", &format_seconds(timeout));
            } else if progress && job.kind() == JobKind::Generation {
                query.append_pair("include", "progress");
            }
        }
        if url.query() == Some("") {
            url.set_query(None);
        }
        Ok(url)
    }

    /// One GET of the job's status endpoint, within `timeout` and, when
    /// given, before `deadline` (on the waiter's clock). Answers larger
    /// than [`MAX_STATUS_BODY`] (error answers:
    /// [`crate::error::MAX_ERROR_BODY`]) are not read beyond it.
    async fn fetch(
        &self,
        job: &JobRef,
        long_poll: Option<Duration>,
        progress: bool,
        timeout: Duration,
        deadline: Option<SystemTime>,
    ) -> Result<(JobSnapshot, Option<RetryAfter>), Error> {
        let url = self.url(job, long_poll, progress)?;
        let _permit = match &self.shared.budget {
            Some(budget) => Some(
                budget
                    .acquire(&*self.shared.sleep, &*self.shared.clock)
                    .await,
            ),
            None => None,
        };
        let timeout = match deadline {
            Some(deadline) => timeout.min(
                deadline
                    .duration_since(self.shared.clock.now())
                    .unwrap_or(Duration::ZERO),
            ),
            None => timeout,
        };
        if timeout.is_zero() {
            // The deadline passed while waiting for the budget: not sent.
            return Err(Error::timeout(true, None));
        }
        let result = async {
            let request = self.client.http().get(url).timeout(timeout);
            let response = self
                .client
                .execute_once(status_operation(job), request)
                .await?;
            // Non-2xx answers are typed errors from the transport already;
            // a success body is read up to the cap.
            let status = response.status().as_u16();
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(RetryAfter::parse);
            let bytes = read_success_body(response, MAX_STATUS_BODY).await?;
            let value: Value = serde_json::from_slice(&bytes)
                .map_err(|source| Error::decode(Some(status), &bytes, &source))?;
            Ok::<_, Error>((JobSnapshot::from_json(job.clone(), value)?, retry_after))
        }
        .await;
        result.map_err(|e| e.redact(self.client.secret()))
    }
}

/// The operation that reads `job`'s status.
fn status_operation(job: &JobRef) -> &'static str {
    match job {
        JobRef::Generation(_) => "get_generation",
        JobRef::AgentRun(_) => "get_agent_run",
        JobRef::UserJob { .. } => "get_user_job",
        JobRef::VoicePreview { .. } => "get_voice_preview",
    }
}

/// True for failures in which the server gave no answer at all: refused,
/// reset or unresolvable connections, connect timeouts.
fn is_unreachable(error: &Error) -> bool {
    error.kind() == crate::ErrorKind::Transport || error.is_connect()
}

/// Refuses ids that would address another endpoint (`.`, `..`, empty)
/// before any request.
fn check_job(job: &JobRef) -> Result<(), Error> {
    let (field, id) = match job {
        JobRef::AgentRun(run_id) => ("run_id", run_id.as_str()),
        JobRef::VoicePreview { job_id, .. } => ("job_id", job_id.as_str()),
        JobRef::Generation(_) | JobRef::UserJob { .. } => return Ok(()),
    };
    match id {
        "" => Err(Error::validation(field, "must not be empty", None)),
        "." | ".." => Err(Error::validation(
            field,
            format!("`{id}` is not an id (it would address another endpoint)"),
            None,
        )),
        _ => Ok(()),
    }
}

fn initial_progress(job: &JobRef) -> Progress {
    Progress {
        job: job.clone(),
        status: None,
        progress_percent: None,
        mode: PollMode::Interval,
        polls: 0,
        elapsed: Duration::ZERO,
        last_error: None,
        finished: false,
    }
}

/// Seconds as GEN's `timeout` wants them: an integer when whole.
fn format_seconds(d: Duration) -> String {
    if d.subsec_nanos() == 0 {
        d.as_secs().to_string()
    } else {
        format!("{:.3}", d.as_secs_f64())
    }
}

/// Estimated time to completion from the first and latest progress seen.
fn eta(
    first: Option<(SystemTime, f64)>,
    snapshot: &JobSnapshot,
    now: SystemTime,
) -> Option<Duration> {
    let (t0, p0) = first?;
    let p = snapshot.progress_percent?;
    if p <= p0 || p >= 100.0 {
        return None;
    }
    let spent = now.duration_since(t0).ok()?.as_secs_f64();
    let secs = spent * (100.0 - p) / (p - p0);
    secs.is_finite()
        .then(|| Duration::from_secs_f64(secs.max(0.0)))
}

/// Sends one `POST /v1/generations/{id}/stop` when dropped while armed.
struct StopOnDrop {
    client: Option<GenClient>,
    generation_id: Option<i64>,
}

impl StopOnDrop {
    fn new(client: Option<GenClient>, generation_id: Option<i64>) -> Self {
        Self {
            client: generation_id.and(client),
            generation_id,
        }
    }

    fn disarm(&mut self) {
        self.client = None;
    }
}

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let (Some(client), Some(id)) = (self.client.take(), self.generation_id) else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                tracing::debug!(
                    generation_id = id,
                    "wait cancelled; stopping the generation"
                );
                handle.spawn(async move {
                    if let Err(error) = crate::steps::generation::stop(&client, id).await {
                        tracing::warn!(generation_id = id, error = %error, "could not stop the generation after the wait was cancelled");
                    }
                });
            }
            Err(_) => {
                tracing::warn!(
                    generation_id = id,
                    "wait cancelled outside a tokio runtime; the generation was not stopped"
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wait::JobStatus;

    #[test]
    fn eta_extrapolates_linearly() {
        let t0 = SystemTime::UNIX_EPOCH;
        let snapshot = JobSnapshot::from_json(
            JobRef::Generation(1),
            serde_json::json!({"id": 1, "status": "processing", "progress_percent": 60.0}),
        )
        .unwrap();
        assert_eq!(snapshot.status, JobStatus::Running);
        // 20 % → 60 % in 8 s: 40 % left takes 8 s more.
        let eta = eta(Some((t0, 20.0)), &snapshot, t0 + Duration::from_secs(8)).unwrap();
        assert_eq!(eta, Duration::from_secs(8));
        assert_eq!(super::eta(Some((t0, 60.0)), &snapshot, t0), None);
    }

    #[test]
    fn a_missing_status_fails_only_where_the_seeds_pin_it() {
        let body = serde_json::json!({"id": 7, "result": null});
        // pinned: seed 000 shows a generation's status, seed 001 a run's
        for job in [JobRef::Generation(7), JobRef::AgentRun("run_abc".into())] {
            let err = JobSnapshot::from_json(job, body.clone()).unwrap_err();
            assert_eq!(
                err.to_string(),
                "could not decode the GEN API response (status 200): missing field `status`"
            );
        }
        // not pinned: a user job's and a voice preview's status are guesses
        for job in [
            JobRef::UserJob {
                id: 7,
                agent_id: 42,
            },
            JobRef::VoicePreview {
                agent_id: 42,
                job_id: "prev_1".into(),
            },
        ] {
            let snapshot = JobSnapshot::from_json(job, body.clone()).unwrap();
            assert_eq!(snapshot.status, JobStatus::Unknown(String::new()));
            assert_eq!(snapshot.raw_status, "");
            assert!(!snapshot.status.is_terminal());
        }
    }

    #[test]
    fn jitter_stays_within_bounds() {
        let options = WaitOptions::default();
        let schedule = options.schedule();
        for n in 0..50 {
            let base = options.interval_for(n);
            let d = schedule.jittered(n);
            assert!(
                d >= base.mul_f64(0.75) && d <= options.max_interval,
                "{d:?}"
            );
        }
    }

    #[test]
    fn seconds_format() {
        assert_eq!(format_seconds(Duration::from_secs(50)), "50");
        assert_eq!(format_seconds(Duration::from_millis(2500)), "2.500");
    }
}
