//! The vocabulary of waiting: jobs, statuses, snapshots, outcomes, options,
//! errors.

use std::fmt;
use std::time::Duration;

use genpro_api::types::OutputResource;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::error::{Error, ErrorCode, ErrorCodeExt};
use crate::retry::{Backoff, Jitter};

use super::MAX_LONG_POLL_TIMEOUT;
use super::actions::ControlAction;

/// The kind of an asynchronous job; decides the endpoint that is polled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JobKind {
    /// A generation or a render: `GET /v1/generations/{id}` (api host).
    Generation,
    /// An agent run (ideas, refinement, research, chat):
    /// `GET /v1/agent/runs/{run_id}` (agent host).
    AgentRun,
    /// A user job (publish, `train_social`):
    /// `GET /v1/user_jobs/{id}?agent_id=` (api host).
    UserJob,
    /// A voice preview: `GET /v1/agents/{agent_id}/voice/preview/{job_id}`
    /// (api host).
    VoicePreview,
}

/// A job to wait for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JobRef {
    /// A generation or render (`generation_id` of the trigger's answer).
    Generation(i64),
    /// An agent run (`run_id` of `POST /v1/agent/run` or `/v1/research`).
    AgentRun(String),
    /// A user job (`user_job_id` of `POST /v1/user_jobs`).
    UserJob {
        /// The user job id.
        id: i64,
        /// The agent it belongs to (`?agent_id=`).
        agent_id: i64,
    },
    /// A voice preview (`job_id` of `POST .../voice/{voice_id}/preview`).
    VoicePreview {
        /// The agent.
        agent_id: i64,
        /// The preview job id.
        job_id: String,
    },
}

impl JobRef {
    /// The kind of job.
    pub fn kind(&self) -> JobKind {
        match self {
            Self::Generation(_) => JobKind::Generation,
            Self::AgentRun(_) => JobKind::AgentRun,
            Self::UserJob { .. } => JobKind::UserJob,
            Self::VoicePreview { .. } => JobKind::VoicePreview,
        }
    }

    /// The generation id, for [`JobRef::Generation`].
    pub fn generation_id(&self) -> Option<i64> {
        match self {
            Self::Generation(id) => Some(*id),
            _ => None,
        }
    }
}

impl From<i64> for JobRef {
    /// A generation id.
    fn from(id: i64) -> Self {
        Self::Generation(id)
    }
}

impl fmt::Display for JobRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Generation(id) => write!(f, "generation {id}"),
            Self::AgentRun(id) => write!(f, "agent run {id}"),
            Self::UserJob { id, agent_id } => write!(f, "user job {id} (agent {agent_id})"),
            Self::VoicePreview { agent_id, job_id } => {
                write!(f, "voice preview {job_id} (agent {agent_id})")
            }
        }
    }
}

/// The status of a job, normalised across the four kinds.
///
/// Parsing ([`JobStatus::parse`]) ignores case and surrounding spaces and
/// treats `-` and spaces like `_`. Known values: `pending`, `queued`
/// (pending); `processing`, `running`, `in_progress` (running);
/// `completed`, `succeeded` (completed); `failed`, `error` (failed);
/// `stopped`, `cancelled`, `canceled` (stopped); `rejected`;
/// `pending_approval`. Anything else is [`JobStatus::Unknown`], kept
/// verbatim and **not** terminal: a status GEN adds later never ends a wait
/// early.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JobStatus {
    /// Queued.
    Pending,
    /// Being worked on.
    Running,
    /// Done successfully (terminal).
    Completed,
    /// Failed (terminal); credits are refunded.
    Failed,
    /// Stopped / cancelled (terminal); credits are refunded.
    Stopped,
    /// Rejected by the provider (terminal), e.g. moderation.
    Rejected,
    /// An agent run waiting for `POST /v1/agent/runs/{run_id}/approve`.
    /// Ends a wait: nothing happens until the caller approves or rejects.
    ApprovalRequired,
    /// A status this version of genpro-sdk does not know (not terminal).
    Unknown(String),
}

impl JobStatus {
    /// Parses a wire status; see the type documentation.
    pub fn parse(raw: &str) -> Self {
        let normalised: String = raw
            .trim()
            .chars()
            .map(|c| match c {
                '-' | ' ' => '_',
                c => c.to_ascii_lowercase(),
            })
            .collect();
        match normalised.as_str() {
            "pending" | "queued" => Self::Pending,
            "processing" | "running" | "in_progress" => Self::Running,
            "completed" | "succeeded" => Self::Completed,
            "failed" | "error" => Self::Failed,
            "stopped" | "cancelled" | "canceled" => Self::Stopped,
            "rejected" => Self::Rejected,
            "pending_approval" => Self::ApprovalRequired,
            _ => Self::Unknown(raw.to_owned()),
        }
    }

    /// True when the job will not change any more (or, for
    /// [`JobStatus::ApprovalRequired`], not without the caller).
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            Self::Completed
                | Self::Failed
                | Self::Stopped
                | Self::Rejected
                | Self::ApprovalRequired
        )
    }

    /// The normalised name (`completed`, ...), or the raw value for
    /// [`JobStatus::Unknown`].
    pub fn as_str(&self) -> &str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Stopped => "stopped",
            Self::Rejected => "rejected",
            Self::ApprovalRequired => "pending_approval",
            Self::Unknown(raw) => raw,
        }
    }
}

impl fmt::Display for JobStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One answer of the job's status endpoint, decoded leniently.
///
/// The typed fields are read from the documented names and from the
/// camelCase names of seed 004's long-poll API (`errorCode`, `error`,
/// `outputUrl`, `progressPercent`); [`JobSnapshot::body`] keeps the whole
/// answer (ideas of an agent run, `result.post_id` of a publish job...).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct JobSnapshot {
    /// The job.
    pub job: JobRef,
    /// The normalised status.
    pub status: JobStatus,
    /// The status exactly as sent.
    pub raw_status: String,
    /// `progress_percent` (0–100), when the server sent it.
    pub progress_percent: Option<f64>,
    /// The text result: a generation's `result`, an agent run's `result`
    /// (or `summary` for research runs).
    pub result: Option<String>,
    /// Media outputs: a generation's `output_resources`; a voice preview's
    /// `audio_url` and a long-poll API's `outputUrl` as one resource each.
    pub output_resources: Vec<OutputResource>,
    /// Why the job failed: `failed_reason` or `error`.
    pub failure_reason: Option<String>,
    /// The machine-readable failure code: `error_code` or `errorCode`.
    pub error_code: Option<ErrorCode>,
    /// The whole answer.
    pub body: Value,
}

fn str_field<'a>(body: &'a Value, names: &[&str]) -> Option<&'a str> {
    names
        .iter()
        .find_map(|name| body.get(*name).and_then(Value::as_str))
        .filter(|s| !s.is_empty())
}

impl JobSnapshot {
    /// Decodes an answer of `job`'s status endpoint. Fails only when a
    /// generation's or an agent run's body has no `status`: the seeds pin
    /// those (seed 000: `"id": 9000, "status": "completed"`; seed 001:
    /// `poll every ~5s until status == "completed"`). No seed shows a user
    /// job's or a voice preview's `status`: without one the status is
    /// [`JobStatus::Unknown`] (`""`, not terminal) and the wait goes on.
    pub fn from_json(job: JobRef, body: Value) -> Result<Self, Error> {
        let raw_status = match body.get("status") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None
                if matches!(job.kind(), JobKind::Generation | JobKind::AgentRun) =>
            {
                return Err(Error::decode(
                    Some(200),
                    body.to_string().as_bytes(),
                    &<serde_json::Error as serde::de::Error>::missing_field("status"),
                ));
            }
            Some(Value::Null) | None => {
                tracing::debug!(
                    kind = ?job.kind(),
                    "status answer without `status` (no seed pins it): not terminal yet"
                );
                String::new()
            }
            Some(other) => other.to_string(),
        };
        let status = JobStatus::parse(&raw_status);
        let progress_percent = ["progress_percent", "progressPercent"]
            .iter()
            .find_map(|name| body.get(*name).and_then(Value::as_f64))
            .filter(|p| p.is_finite());
        let result = str_field(&body, &["result", "summary"]).map(str::to_owned);
        let mut output_resources: Vec<OutputResource> = body
            .get("output_resources")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|item| serde_json::from_value(item.clone()).ok())
                    .collect()
            })
            .unwrap_or_default();
        for (name, object_type) in [("audio_url", "audio"), ("outputUrl", "output")] {
            if let Some(url) = str_field(&body, &[name])
                && !output_resources.iter().any(|r| r.url == url)
            {
                output_resources.push(OutputResource {
                    id: None,
                    object_type: Some(object_type.to_owned()),
                    thumbnail_url: None,
                    type_: Some("output".to_owned()),
                    url: url.to_owned(),
                });
            }
        }
        let failure_reason = str_field(&body, &["failed_reason", "error"]).map(str::to_owned);
        let error_code = str_field(&body, &["error_code", "errorCode"]).map(ErrorCode::from);
        Ok(Self {
            job,
            status,
            raw_status,
            progress_percent,
            result,
            output_resources,
            failure_reason,
            error_code,
            body,
        })
    }

    /// The documented fix for [`Self::error_code`], if any.
    pub fn hint(&self) -> Option<&'static str> {
        self.error_code.as_ref().and_then(ErrorCodeExt::hint)
    }

    /// The answer as a generation (for [`JobRef::Generation`]); `None` when
    /// it does not decode.
    pub fn generation(&self) -> Option<genpro_api::types::Generation> {
        serde_json::from_value(self.body.clone()).ok()
    }

    /// The answer as an agent run (ideas, research findings).
    pub fn agent_run(&self) -> Option<genpro_api::types::AgentRun> {
        serde_json::from_value(self.body.clone()).ok()
    }

    /// The answer as a user job (`result.post_id` of a publish job).
    pub fn user_job(&self) -> Option<genpro_api::types::UserJob> {
        serde_json::from_value(self.body.clone()).ok()
    }

    /// The answer as a voice preview job.
    pub fn voice_preview(&self) -> Option<genpro_api::types::VoicePreviewJob> {
        serde_json::from_value(self.body.clone()).ok()
    }

    /// The outcome, when the status is terminal.
    pub fn outcome(&self) -> Option<Outcome> {
        Some(match self.status {
            JobStatus::Completed => Outcome::Completed(self.clone()),
            JobStatus::Failed => Outcome::Failed(self.clone()),
            JobStatus::Rejected => Outcome::Rejected(self.clone()),
            JobStatus::Stopped => Outcome::Stopped(self.clone()),
            JobStatus::ApprovalRequired => Outcome::ApprovalRequired(self.clone()),
            _ => return None,
        })
    }
}

/// How a job ended. Each variant carries the final [`JobSnapshot`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Outcome {
    /// Done: read [`JobSnapshot::result`] (text) and/or
    /// [`JobSnapshot::output_resources`] (media URLs).
    Completed(JobSnapshot),
    /// Failed: [`JobSnapshot::failure_reason`], [`JobSnapshot::error_code`]
    /// and [`JobSnapshot::hint`]. Credits are refunded.
    Failed(JobSnapshot),
    /// Rejected by the provider (e.g. moderation); reason and code as for
    /// failures.
    Rejected(JobSnapshot),
    /// Stopped (or cancelled); credits are refunded.
    Stopped(JobSnapshot),
    /// An agent run waits for `POST /v1/agent/runs/{run_id}/approve`.
    ApprovalRequired(JobSnapshot),
}

impl Outcome {
    /// The final snapshot.
    pub fn snapshot(&self) -> &JobSnapshot {
        match self {
            Self::Completed(s)
            | Self::Failed(s)
            | Self::Rejected(s)
            | Self::Stopped(s)
            | Self::ApprovalRequired(s) => s,
        }
    }

    /// Consumes the outcome, returning the final snapshot.
    pub fn into_snapshot(self) -> JobSnapshot {
        match self {
            Self::Completed(s)
            | Self::Failed(s)
            | Self::Rejected(s)
            | Self::Stopped(s)
            | Self::ApprovalRequired(s) => s,
        }
    }

    /// The job.
    pub fn job(&self) -> &JobRef {
        &self.snapshot().job
    }

    /// True for [`Outcome::Completed`].
    pub fn is_completed(&self) -> bool {
        matches!(self, Self::Completed(_))
    }

    /// The text result of a completed job.
    pub fn result(&self) -> Option<&str> {
        match self {
            Self::Completed(s) => s.result.as_deref(),
            _ => None,
        }
    }

    /// The media outputs of a completed job (empty otherwise).
    pub fn output_resources(&self) -> &[OutputResource] {
        match self {
            Self::Completed(s) => &s.output_resources,
            _ => &[],
        }
    }

    /// The failure reason of a failed or rejected job.
    pub fn failure_reason(&self) -> Option<&str> {
        match self {
            Self::Failed(s) | Self::Rejected(s) => s.failure_reason.as_deref(),
            _ => None,
        }
    }

    /// The failure code of a failed or rejected job.
    pub fn error_code(&self) -> Option<&ErrorCode> {
        match self {
            Self::Failed(s) | Self::Rejected(s) => s.error_code.as_ref(),
            _ => None,
        }
    }

    /// The documented fix for the failure code, if any.
    pub fn hint(&self) -> Option<&'static str> {
        self.error_code().and_then(ErrorCodeExt::hint)
    }

    /// The completed snapshot, or [`WaitError::Unsuccessful`]: for `?` in
    /// code that only cares about success.
    pub fn into_completed(self) -> Result<JobSnapshot, WaitError> {
        match self {
            Self::Completed(s) => Ok(s),
            other => Err(WaitError::Unsuccessful(Box::new(other))),
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.snapshot();
        match self {
            Self::Completed(_) => write!(f, "{} completed", s.job),
            Self::Stopped(_) => write!(f, "{} was stopped", s.job),
            Self::ApprovalRequired(_) => write!(f, "{} waits for approval", s.job),
            Self::Failed(_) | Self::Rejected(_) => {
                let verb = if matches!(self, Self::Failed(_)) {
                    "failed"
                } else {
                    "was rejected"
                };
                write!(f, "{} {verb}", s.job)?;
                if let Some(code) = &s.error_code {
                    write!(f, " ({code})")?;
                }
                if let Some(reason) = &s.failure_reason {
                    write!(f, ": {reason}")?;
                }
                Ok(())
            }
        }
    }
}

/// How the waiter is currently asking.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PollMode {
    /// A first `wait=true` request, to learn whether the server long-polls.
    Probing,
    /// `wait=true` requests held by the server until the job ends.
    LongPoll,
    /// Plain requests with backoff between them.
    Interval,
}

/// The state of a wait, published on every change
/// ([`WaitOptions::progress`]).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Progress {
    /// The job.
    pub job: JobRef,
    /// The latest status; `None` before the first answer.
    pub status: Option<JobStatus>,
    /// `progress_percent`, when the server sent it (interval polling only).
    pub progress_percent: Option<f64>,
    /// How the waiter is asking.
    pub mode: PollMode,
    /// Requests sent so far.
    pub polls: u32,
    /// Time since the wait started.
    pub elapsed: Duration,
    /// The transient error being retried, if the last request failed.
    pub last_error: Option<String>,
    /// True once the wait has ended.
    pub finished: bool,
}

/// Settings of a [`super::Waiter`]. Defaults: 30 min maximum (a hard
/// deadline, 1 s of slack), long-poll on (50 s), interval 1 s → 15 s (× 1.5,
/// jittered) and never under 500 ms, progress requested while interval
/// polling, 2 minutes of unreachable server at most, no stop on cancel.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct WaitOptions {
    /// The maximum wait, always in force (default 30 minutes): a hard
    /// deadline. Every request's timeout (and a long-poll's `timeout=`) is
    /// bounded by the time left, so the wait ends at most
    /// [`Self::deadline_slack`] after it, whatever the server does
    /// (trickling a body included). At least one request is sent, even
    /// with a zero maximum.
    pub max_wait: Duration,
    /// How long after [`Self::max_wait`] the last answer may still arrive
    /// (default 1 s): the request made at the deadline gets this long.
    pub deadline_slack: Duration,
    /// The shortest pause between two status requests, whatever
    /// `Retry-After` or the backoff say (default 500 ms): a `Retry-After`
    /// of 0 or an HTTP date in the past waits this long. Not applied after
    /// a long-poll request the server held (that request was the wait).
    pub min_interval: Duration,
    /// End the wait with [`WaitError::Unreachable`] (resumable) once every
    /// request has failed without an answer (connection refused or reset,
    /// DNS failure, connect timeout) for this long in a row (default 2
    /// minutes; `None`: keep trying until [`Self::max_wait`]).
    pub max_unreachable: Option<Duration>,
    /// Try long-poll (`wait=true`) for generations (default true).
    pub long_poll: bool,
    /// `timeout` of a long-poll request (default 50 s, at most 55 s).
    pub long_poll_timeout: Duration,
    /// First interval between polls (default 1 s).
    pub initial_interval: Duration,
    /// Longest interval between polls (default 15 s).
    pub max_interval: Duration,
    /// Growth of the interval (default 1.5).
    pub multiplier: f64,
    /// Multiply each interval by a random factor in `[0.75, 1.25)`
    /// (default true).
    pub jitter: bool,
    /// Ask for `progress_percent` (`include=progress`) while interval
    /// polling generations (default true).
    pub include_progress: bool,
    /// Stop the generation (`POST /v1/generations/{id}/stop`, credits
    /// refunded) when the wait is dropped before a terminal state (default
    /// false).
    pub stop_on_cancel: bool,
    /// A `Retry-After` longer than this is shortened to it (default 5 min).
    pub max_retry_after: Duration,
    /// Give up after this many failed requests in a row (default `None`:
    /// keep trying until the maximum wait).
    pub max_consecutive_errors: Option<u32>,
    /// Timeout of one plain (not long-poll) status request (default 30 s).
    pub request_timeout: Duration,
    /// Where progress goes and what cancels the wait
    /// ([`Self::progress`], [`Self::cancel`]).
    pub(crate) hooks: Hooks,
}

/// The progress channel and the cancellation token of a wait.
#[derive(Clone, Debug, Default)]
pub(crate) struct Hooks {
    pub(crate) progress: Option<mpsc::UnboundedSender<Progress>>,
    pub(crate) cancel: Option<CancellationToken>,
}

impl PartialEq for Hooks {
    fn eq(&self, other: &Self) -> bool {
        let same_progress = match (&self.progress, &other.progress) {
            (Some(a), Some(b)) => a.same_channel(b),
            (None, None) => true,
            _ => false,
        };
        same_progress && self.cancel.is_some() == other.cancel.is_some()
    }
}

impl Default for WaitOptions {
    fn default() -> Self {
        Self {
            max_wait: Duration::from_secs(30 * 60),
            deadline_slack: Duration::from_secs(1),
            min_interval: Duration::from_millis(500),
            max_unreachable: Some(Duration::from_secs(120)),
            long_poll: true,
            long_poll_timeout: Duration::from_secs(50),
            initial_interval: Duration::from_secs(1),
            max_interval: Duration::from_secs(15),
            multiplier: 1.5,
            jitter: true,
            include_progress: true,
            stop_on_cancel: false,
            max_retry_after: Duration::from_secs(300),
            max_consecutive_errors: None,
            request_timeout: Duration::from_secs(30),
            hooks: Hooks::default(),
        }
    }
}

impl WaitOptions {
    /// The documentation's loop: a plain request every `interval` (no
    /// long-poll, no backoff, no jitter, no progress), within `max_wait`.
    pub fn fixed_interval(interval: Duration) -> Self {
        Self {
            long_poll: false,
            initial_interval: interval,
            max_interval: interval,
            multiplier: 1.0,
            jitter: false,
            include_progress: false,
            ..Self::default()
        }
    }

    /// Sets [`Self::max_wait`].
    pub fn max_wait(mut self, max_wait: Duration) -> Self {
        self.max_wait = max_wait;
        self
    }

    /// Sets [`Self::deadline_slack`].
    pub fn deadline_slack(mut self, slack: Duration) -> Self {
        self.deadline_slack = slack;
        self
    }

    /// Sets [`Self::min_interval`].
    pub fn min_interval(mut self, min: Duration) -> Self {
        self.min_interval = min;
        self
    }

    /// Sets [`Self::max_unreachable`].
    pub fn max_unreachable(mut self, max: Option<Duration>) -> Self {
        self.max_unreachable = max;
        self
    }

    /// Sets [`Self::long_poll`].
    pub fn long_poll(mut self, long_poll: bool) -> Self {
        self.long_poll = long_poll;
        self
    }

    /// Sets [`Self::long_poll_timeout`] (clamped to 1–55 s).
    pub fn long_poll_timeout(mut self, timeout: Duration) -> Self {
        self.long_poll_timeout = timeout.clamp(Duration::from_secs(1), MAX_LONG_POLL_TIMEOUT);
        self
    }

    /// Sets [`Self::initial_interval`] and [`Self::max_interval`] (the
    /// maximum is raised to the initial interval if lower).
    pub fn interval(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_interval = initial;
        self.max_interval = max.max(initial);
        self
    }

    /// Sets [`Self::multiplier`] (values below 1 count as 1).
    pub fn multiplier(mut self, multiplier: f64) -> Self {
        self.multiplier = multiplier;
        self
    }

    /// Sets [`Self::jitter`].
    pub fn jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// Sets [`Self::include_progress`].
    pub fn include_progress(mut self, include: bool) -> Self {
        self.include_progress = include;
        self
    }

    /// Sets [`Self::stop_on_cancel`].
    pub fn stop_on_cancel(mut self, stop: bool) -> Self {
        self.stop_on_cancel = stop;
        self
    }

    /// Sets [`Self::max_retry_after`].
    pub fn max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    /// Sets [`Self::max_consecutive_errors`].
    pub fn max_consecutive_errors(mut self, max: Option<u32>) -> Self {
        self.max_consecutive_errors = max;
        self
    }

    /// Sets [`Self::request_timeout`].
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Sends every change of the wait (status, `progress_percent`, poll
    /// mode, transient error, end) to `progress`, as a [`Progress`] event;
    /// the last event of a wait has [`Progress::finished`] set. Read the
    /// channel from another task while the wait runs:
    ///
    /// ```
    /// use genpro_sdk::wait::WaitOptions;
    /// let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    /// let options = WaitOptions::default().progress(tx);
    /// let printer = async move {
    ///     while let Some(p) = rx.recv().await {
    ///         println!("{:?} after {} requests", p.status, p.polls);
    ///     }
    /// };
    /// # drop((options, printer));
    /// ```
    pub fn progress(mut self, progress: mpsc::UnboundedSender<Progress>) -> Self {
        self.hooks.progress = Some(progress);
        self
    }

    /// Ends the wait with [`WaitError::Cancelled`] as soon as `cancel` is
    /// cancelled (the job goes on at GEN unless [`Self::stop_on_cancel`]
    /// is set, which stops a generation).
    pub fn cancel(mut self, cancel: CancellationToken) -> Self {
        self.hooks.cancel = Some(cancel);
        self
    }

    /// The interval schedule: [`Self::initial_interval`] ×
    /// [`Self::multiplier`]`^n`, at most [`Self::max_interval`] (raised to
    /// the initial interval if lower), each interval multiplied by a random
    /// factor in `[0.75, 1.25)` when [`Self::jitter`] is set. The same
    /// [`Backoff`] type as the retry loop's ([`crate::RetryPolicy::schedule`]).
    pub fn schedule(&self) -> Backoff {
        Backoff::new(
            self.initial_interval,
            self.max_interval.max(self.initial_interval),
            self.multiplier,
        )
        .with_jitter(if self.jitter {
            Jitter::Spread(WAIT_JITTER_SPREAD)
        } else {
            Jitter::None
        })
    }

    /// The interval before interval-poll number `n` (0-based), before
    /// jitter: `min(max_interval, initial_interval * multiplier^n)`
    /// ([`Backoff::delay`] of [`Self::schedule`]).
    pub fn interval_for(&self, n: u32) -> Duration {
        self.schedule().delay(n)
    }
}

/// The spread of the waiters' jitter: intervals are multiplied by a factor
/// in `[0.75, 1.25)`.
const WAIT_JITTER_SPREAD: f64 = 0.25;

fn describe_last(last: &Option<Box<JobSnapshot>>) -> String {
    match last {
        Some(s) => match s.progress_percent {
            Some(p) => format!("last status `{}` at {p:.0}%", s.raw_status),
            None => format!("last status `{}`", s.raw_status),
        },
        None => "no status seen".to_owned(),
    }
}

/// Why a wait (or a trigger-and-wait convenience) did not produce an
/// [`Outcome`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WaitError {
    /// The wait was cancelled through [`WaitOptions::cancel`]. The job
    /// goes on at GEN (unless [`WaitOptions::stop_on_cancel`] stopped a
    /// generation): resume with [`WaitError::resume`].
    #[error("the wait for {job} was cancelled")]
    Cancelled {
        /// The job.
        job: JobRef,
    },
    /// The maximum wait passed before the job ended. The job goes on:
    /// resume with [`WaitError::resume`].
    #[error(
        "gave up waiting for {job} after {waited:?} ({polls} requests); {}",
        describe_last(last)
    )]
    MaxWaitExceeded {
        /// The job.
        job: JobRef,
        /// The last state seen, if any.
        last: Option<Box<JobSnapshot>>,
        /// How long the wait lasted.
        waited: Duration,
        /// Requests sent.
        polls: u32,
    },
    /// A status request failed with an error that retrying cannot fix
    /// (401, 403, 404, 422, an undecodable body), or transient errors
    /// exceeded [`WaitOptions::max_consecutive_errors`].
    #[error("waiting for {job} failed ({}): {source}", describe_last(last))]
    Poll {
        /// The job.
        job: JobRef,
        /// The last state seen, if any.
        last: Option<Box<JobSnapshot>>,
        /// The request's error.
        #[source]
        source: Box<Error>,
    },
    /// GEN could not be reached for [`WaitOptions::max_unreachable`]: every
    /// request in a row failed without an answer (connection refused or
    /// reset, DNS failure, connect timeout). The job goes on on GEN's side:
    /// resume with [`WaitError::resume`] once the network is back.
    #[error(
        "could not reach GEN for {unreachable_for:?} ({failures} failed requests in a row) while waiting for {job} ({}): {source}",
        describe_last(last)
    )]
    Unreachable {
        /// The job.
        job: JobRef,
        /// The last state seen, if any.
        last: Option<Box<JobSnapshot>>,
        /// How long the server has been unreachable.
        unreachable_for: Duration,
        /// Failed requests in a row.
        failures: u32,
        /// The last request's error.
        #[source]
        source: Box<Error>,
    },
    /// A request other than a status poll failed: the trigger (generate,
    /// render, publish: nothing to wait for), a stop or continue refused for
    /// another reason than the job's state, reading the workspace's credit
    /// or the engine, or a card that failed validation (nothing sent).
    ///
    /// A paid trigger failing after it may have reached GEN (503, timeout
    /// after sending) is never retried: check the cell's generations before
    /// triggering again.
    #[error("request failed: {0}")]
    Request(#[source] Box<Error>),
    /// Stop or continue was refused (422 `validation_error`): the
    /// generation is not in a state that allows it (only a running
    /// generation can be stopped, only a stopped one continued).
    #[error("generation {generation_id} cannot be {} in its current state{}: {source}", action.past_participle(), status.as_ref().map(|s| format!(" ({s})")).unwrap_or_default())]
    InvalidState {
        /// The generation.
        generation_id: i64,
        /// What was attempted.
        action: ControlAction,
        /// Its current status, when it could be read.
        status: Option<JobStatus>,
        /// GEN's answer.
        #[source]
        source: Box<Error>,
    },
    /// The job ended without completing ([`Outcome::into_completed`]).
    #[error("{0}")]
    Unsuccessful(Box<Outcome>),
    /// A batch was refused before anything was sent: its estimated cost
    /// exceeds the workspace's `available_credit.generic` (or the balance
    /// could not be read).
    #[error("estimated cost {estimated} of {cells} generations exceeds the available generic credit ({}) of workspace {organization_id}; nothing was triggered", available.map(|a| a.to_string()).unwrap_or_else(|| "unknown".to_owned()))]
    InsufficientCredit {
        /// The workspace.
        organization_id: i64,
        /// Estimated cost of the batch.
        estimated: f64,
        /// `available_credit.generic`, `None` when GEN did not send it.
        available: Option<f64>,
        /// Generations the batch would have triggered.
        cells: usize,
    },
}

impl WaitError {
    /// [`WaitError::Request`] from an error.
    pub fn request(source: Error) -> Self {
        Self::Request(Box::new(source))
    }

    /// The job, when the error concerns one.
    pub fn job(&self) -> Option<&JobRef> {
        match self {
            Self::MaxWaitExceeded { job, .. }
            | Self::Cancelled { job }
            | Self::Poll { job, .. }
            | Self::Unreachable { job, .. } => Some(job),
            Self::Unsuccessful(outcome) => Some(outcome.job()),
            _ => None,
        }
    }

    /// The last state seen, when there was one.
    pub fn last_state(&self) -> Option<&JobSnapshot> {
        match self {
            Self::MaxWaitExceeded { last, .. }
            | Self::Poll { last, .. }
            | Self::Unreachable { last, .. } => last.as_deref(),
            Self::Unsuccessful(outcome) => Some(outcome.snapshot()),
            _ => None,
        }
    }

    /// The job to wait for again, when waiting longer may help
    /// ([`WaitError::MaxWaitExceeded`], [`WaitError::Unreachable`] and
    /// transient [`WaitError::Poll`]).
    pub fn resume(&self) -> Option<JobRef> {
        match self {
            Self::MaxWaitExceeded { job, .. }
            | Self::Cancelled { job }
            | Self::Unreachable { job, .. } => Some(job.clone()),
            Self::Poll { job, source, .. } if source.is_retryable() => Some(job.clone()),
            _ => None,
        }
    }

    /// The underlying API error, if any.
    pub fn api_error(&self) -> Option<&Error> {
        match self {
            Self::Poll { source, .. }
            | Self::Unreachable { source, .. }
            | Self::InvalidState { source, .. }
            | Self::Request(source) => Some(&**source),
            _ => None,
        }
    }

    /// What to do about it.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            Self::MaxWaitExceeded { .. } => Some(
                "the job is still running: wait again with the same job (WaitError::resume), raise WaitOptions::max_wait, or stop it",
            ),
            Self::Cancelled { .. } => Some(
                "the wait was cancelled; the job goes on at GEN: wait for it again (WaitError::resume) or stop it",
            ),
            Self::Unreachable { .. } => Some(
                "GEN could not be reached: check the network and the base URLs (GEN_API_URL / GEN_AGENT_URL); the job goes on, wait for it again (WaitError::resume) when the network is back",
            ),
            Self::Poll { source, .. } | Self::Request(source) => source.hint(),
            Self::InvalidState { action, .. } => Some(match action {
                ControlAction::Stop => {
                    "only a pending or processing generation can be stopped; a finished one needs no stop"
                }
                ControlAction::Continue => {
                    "only a stopped generation can be continued; trigger a new generation instead"
                }
            }),
            Self::Unsuccessful(outcome) => outcome.hint(),
            Self::InsufficientCredit { .. } => ErrorCode::InsufficientCreditsForJob.hint(),
        }
    }
}
