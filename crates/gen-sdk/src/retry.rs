//! Retries that never spend credits twice.
//!
//! genpro-sdk wraps every call it makes in a small retry loop (exponential
//! backoff with full jitter, bounded attempts and total time, `Retry-After`
//! honoured). What may be retried depends on the operation's
//! [`Idempotency`]:
//!
//! | class | retried on |
//! |---|---|
//! | [`Idempotency::Idempotent`] (GET, PUT, PATCH, DELETE, safe POSTs such as `stop`) | connect errors, timeouts, 408, 429, 5xx |
//! | [`Idempotency::NonIdempotent`] (POSTs that create something free: rows, agents, clones, uploads) | connect errors, 429, 503 (the server did not act on the request) |
//! | [`Idempotency::PaidPost`] (generate, render, agent run, research, user jobs, voice preview, continue) | connect errors only |
//!
//! A paid POST answered 503, or timing out after the request was sent, may
//! have been charged: it is **never** retried; the error is returned and the
//! caller decides (e.g. by reading the cell's generations).
//!
//! A retried stop or continue whose earlier attempt landed gets seed 000's
//! 422 "Generation cannot be stopped/continued in its current state":
//! [`crate::steps::Generation::stop`] and
//! [`crate::steps::Generation::resume`] take that answer to a retry
//! as done ([`crate::transport::recording_attempts`] tells them it was one).
//!
//! Sleeping and the clock are injected ([`Sleep`], [`Clock`]) so tests run
//! without waiting; with the `test-util` feature, `testing::ManualTime` is
//! one.
//!
//! The loop is written here rather than with `backon`: it needs the error's
//! `Retry-After` (delta-seconds or HTTP-date, read against the injected
//! clock), a total-time budget and a per-operation classification, which are
//! a few lines each here but would be adapters around backon.
//!
//! The delays come from [`Backoff`], the one schedule type shared with the
//! waiters' interval polling, jittered with one generator (`fastrand`'s
//! per-thread one). The `backoff` crate's `ExponentialBackoff` was not
//! used: it has only a ±factor jitter (no full jitter), measures time with
//! its own `Instant` clock rather than the injected [`Clock`], keeps the
//! schedule as mutable state, and is unmaintained (RUSTSEC-2025-0012).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// The `Retry-After` of an answer, which the retry loop honours (defined
/// with the error that carries it).
pub use crate::error::RetryAfter;
use crate::error::{DisplayStatus, Error};

/// How an operation may be retried; see the module documentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Idempotency {
    /// Repeating the request has the same effect as sending it once.
    Idempotent,
    /// Repeating the request may create a duplicate, but costs no credits.
    /// Retried on connect errors, 429 and 503: a rate-limited or
    /// unavailable server did not act on the request. Not on 500/502/504,
    /// after which the request may have been processed.
    NonIdempotent,
    /// The request spends credits (or starts a paid job): retried only when
    /// it provably never reached the server.
    PaidPost,
}

impl Idempotency {
    /// Whether `error` may be retried for an operation of this class.
    pub fn should_retry(self, error: &Error) -> bool {
        match self {
            Self::Idempotent => error.is_retryable(),
            Self::NonIdempotent => {
                error.is_connect() || matches!(error.status(), Some(429) | Some(503))
            }
            Self::PaidPost => error.is_connect(),
        }
    }
}

/// Retry settings. [`RetryPolicy::default`] retries up to 4 attempts with
/// 0.5 s → 30 s full-jitter backoff within 2 minutes; [`RetryPolicy::none`]
/// sends every request once.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// False disables retries entirely.
    pub enabled: bool,
    /// Total attempts including the first (at least 1).
    pub max_attempts: u32,
    /// Backoff before the first retry (before jitter).
    pub initial_backoff: Duration,
    /// Upper bound of one backoff (before jitter).
    pub max_backoff: Duration,
    /// Growth factor of the backoff between retries.
    pub multiplier: f64,
    /// Full jitter: wait a uniformly random duration in `[0, backoff]`
    /// instead of `backoff`. Spreads clients out after an outage.
    pub jitter: bool,
    /// No retry starts once this much time has passed since the first
    /// attempt (sleeping included); `None` for no limit.
    pub max_elapsed: Option<Duration>,
    /// Honour `Retry-After` on 429/503 answers (instead of the backoff).
    pub respect_retry_after: bool,
    /// A `Retry-After` longer than this is not waited for: the error is
    /// returned at once.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            enabled: true,
            max_attempts: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            multiplier: 2.0,
            jitter: true,
            max_elapsed: Some(Duration::from_secs(120)),
            respect_retry_after: true,
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retries: every request is sent exactly once.
    pub fn none() -> Self {
        Self {
            enabled: false,
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Sets [`Self::max_attempts`] (clamped to at least 1).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets [`Self::initial_backoff`] and [`Self::max_backoff`].
    pub fn with_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// Sets [`Self::multiplier`] (values below 1 are treated as 1).
    pub fn with_multiplier(mut self, multiplier: f64) -> Self {
        self.multiplier = multiplier;
        self
    }

    /// Sets [`Self::jitter`].
    pub fn with_jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// Sets [`Self::max_elapsed`].
    pub fn with_max_elapsed(mut self, max_elapsed: Option<Duration>) -> Self {
        self.max_elapsed = max_elapsed;
        self
    }

    /// Sets [`Self::respect_retry_after`] and [`Self::max_retry_after`].
    pub fn with_retry_after(mut self, respect: bool, max: Duration) -> Self {
        self.respect_retry_after = respect;
        self.max_retry_after = max;
        self
    }

    /// The backoff schedule of this policy: [`Self::initial_backoff`] ×
    /// [`Self::multiplier`]`^retry`, at most [`Self::max_backoff`], with full
    /// jitter when [`Self::jitter`] is set.
    pub fn schedule(&self) -> Backoff {
        Backoff {
            initial: self.initial_backoff,
            max: self.max_backoff,
            multiplier: self.multiplier,
            jitter: if self.jitter {
                Jitter::Full
            } else {
                Jitter::None
            },
        }
    }

    /// The backoff before retry number `retry` (0 for the first retry),
    /// before jitter: `min(max_backoff, initial_backoff * multiplier^retry)`
    /// ([`Backoff::delay`] of [`Self::schedule`]).
    pub fn backoff(&self, retry: u32) -> Duration {
        self.schedule().delay(retry)
    }

    /// Total attempts the policy allows (1 when retries are off).
    pub(crate) fn attempts(&self) -> u32 {
        if self.enabled {
            self.max_attempts.max(1)
        } else {
            1
        }
    }
}

/// How a [`Backoff`] spreads clients out.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Jitter {
    /// The delay exactly as scheduled.
    None,
    /// Full jitter: a uniformly random duration in `[0, delay)` (retries).
    Full,
    /// The delay multiplied by a uniformly random factor in
    /// `[1 - spread, 1 + spread)`, never above the schedule's maximum
    /// (waits use a spread of 0.25).
    Spread(f64),
}

/// One exponential backoff schedule, shared by the retry loop
/// ([`RetryPolicy::schedule`]) and the waiters' interval polling
/// ([`crate::wait::WaitOptions::schedule`]): `initial × multiplier^n`, at
/// most `max`, then jittered.
///
/// The random factor comes from one generator, `fastrand`'s per-thread one:
/// seed it with `fastrand::seed` for reproducible jitter, or use
/// [`Jitter::None`].
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Backoff {
    /// The delay before the first retry or poll (`n = 0`).
    pub initial: Duration,
    /// Upper bound of one delay.
    pub max: Duration,
    /// Growth factor between delays (values below 1 count as 1).
    pub multiplier: f64,
    /// How the delay is randomised.
    pub jitter: Jitter,
}

impl Backoff {
    /// A schedule from `initial` to `max` growing by `multiplier`, without
    /// jitter.
    pub fn new(initial: Duration, max: Duration, multiplier: f64) -> Self {
        Self {
            initial,
            max,
            multiplier,
            jitter: Jitter::None,
        }
    }

    /// Sets [`Self::jitter`].
    pub fn with_jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = jitter;
        self
    }

    /// Delay number `n` (0-based) before jitter:
    /// `min(max, initial * multiplier^n)`.
    pub fn delay(&self, n: u32) -> Duration {
        let factor = self
            .multiplier
            .max(1.0)
            .powi(i32::try_from(n).unwrap_or(i32::MAX));
        let secs = self.initial.as_secs_f64() * factor;
        if !secs.is_finite() || secs >= self.max.as_secs_f64() {
            self.max
        } else {
            Duration::try_from_secs_f64(secs.max(0.0)).unwrap_or(self.max)
        }
    }

    /// `delay` with the jitter applied for a random `unit` in `[0, 1)`
    /// (deterministic: the random draw is the caller's).
    pub fn apply_jitter(&self, delay: Duration, unit: f64) -> Duration {
        let unit = if unit.is_finite() {
            unit.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let factor = match self.jitter {
            Jitter::None => return delay,
            Jitter::Full => unit,
            Jitter::Spread(spread) => {
                let spread = if spread.is_finite() {
                    spread.clamp(0.0, 1.0)
                } else {
                    0.0
                };
                1.0 - spread + 2.0 * spread * unit
            }
        };
        // Never above the maximum (nor the delay itself when it is larger),
        // and no panic on a huge maximum.
        let cap = self.max.max(delay);
        Duration::try_from_secs_f64(delay.as_secs_f64() * factor).map_or(cap, |d| d.min(cap))
    }

    /// Delay number `n`, jittered with a draw of the shared generator.
    pub fn jittered(&self, n: u32) -> Duration {
        self.jitter_delay(self.delay(n))
    }

    /// `delay` jittered with a draw of the shared generator (no draw
    /// without jitter).
    pub fn jitter_delay(&self, delay: Duration) -> Duration {
        match self.jitter {
            Jitter::None => delay,
            _ => self.apply_jitter(delay, fastrand::f64()),
        }
    }
}

/// A boxed, sendable future, as returned by [`Sleep::sleep`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Sleeps between attempts. Inject a fake in tests.
pub trait Sleep: Send + Sync + fmt::Debug {
    /// Returns a future completing after `duration`.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// [`Sleep`] with `tokio::time::sleep` (the default).
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioSleep;

impl Sleep for TokioSleep {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// The wall clock, for `Retry-After` dates and the total-time budget.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// [`Clock`] reading `SystemTime::now()` (the default).
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// Deterministic [`Sleep`] and [`Clock`] for tests (the `test-util`
/// feature).
#[cfg(feature = "test-util")]
pub mod testing {
    use super::*;
    use std::sync::Mutex;

    /// A manual clock and a sleep that returns at once, advancing the clock
    /// by the requested duration and recording it. Clone it and pass it as
    /// both the sleep and the clock.
    #[derive(Clone, Debug)]
    pub struct ManualTime {
        state: Arc<Mutex<(SystemTime, Vec<Duration>)>>,
    }

    impl Default for ManualTime {
        fn default() -> Self {
            Self::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000))
        }
    }

    impl ManualTime {
        /// A manual clock starting at `start`.
        pub fn new(start: SystemTime) -> Self {
            Self {
                state: Arc::new(Mutex::new((start, Vec::new()))),
            }
        }

        /// Every duration slept so far, in order.
        pub fn sleeps(&self) -> Vec<Duration> {
            self.lock().1.clone()
        }

        /// Moves the clock forward.
        pub fn advance(&self, by: Duration) {
            self.lock().0 += by;
        }

        fn lock(&self) -> std::sync::MutexGuard<'_, (SystemTime, Vec<Duration>)> {
            self.state
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        }
    }

    impl Sleep for ManualTime {
        fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
            {
                let mut state = self.lock();
                state.0 += duration;
                state.1.push(duration);
            }
            Box::pin(std::future::ready(()))
        }
    }

    impl Clock for ManualTime {
        fn now(&self) -> SystemTime {
            self.lock().0
        }
    }
}

/// A policy with its sleep and clock: everything the retry loop needs.
#[derive(Clone, Debug)]
pub struct Retrier {
    policy: RetryPolicy,
    sleep: Arc<dyn Sleep>,
    clock: Arc<dyn Clock>,
}

impl Default for Retrier {
    fn default() -> Self {
        Self::new(RetryPolicy::default())
    }
}

impl Retrier {
    /// A retrier with tokio sleep and the system clock.
    pub fn new(policy: RetryPolicy) -> Self {
        Self {
            policy,
            sleep: Arc::new(TokioSleep),
            clock: Arc::new(SystemClock),
        }
    }

    /// Replaces the sleep.
    pub fn with_sleep(mut self, sleep: Arc<dyn Sleep>) -> Self {
        self.sleep = sleep;
        self
    }

    /// Replaces the clock.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The policy.
    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// The sleep (the client builder's [`crate::GenClientBuilder::sleep`],
    /// tokio's by default); the client's waiters use it too.
    pub fn sleep(&self) -> &Arc<dyn Sleep> {
        &self.sleep
    }

    /// The clock (the client builder's [`crate::GenClientBuilder::clock`],
    /// the system clock by default); the client's waiters use it too.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Runs `attempt` (given the 1-based attempt number) until it succeeds,
    /// fails with an error `idempotency` does not retry, or the policy's
    /// budget is spent. Returns the last error.
    pub async fn run<T, F, Fut>(&self, idempotency: Idempotency, mut attempt: F) -> Result<T, Error>
    where
        F: FnMut(u32) -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let started = self.clock.now();
        let mut n = 1;
        loop {
            let error = match attempt(n).await {
                Ok(value) => return Ok(value),
                Err(error) => error,
            };
            let Some(delay) = self.next_delay(idempotency, n, &error, started) else {
                return Err(error);
            };
            self.sleep.sleep(delay).await;
            n += 1;
        }
    }

    /// What follows attempt number `attempt` (1-based), started at
    /// `started`, failing with `error`: the delay before the next attempt,
    /// or `None` when `idempotency` does not retry `error` or the policy's
    /// attempts or time budget are spent. `Retry-After` is honoured (up to
    /// `max_retry_after`); otherwise the backoff is jittered.
    pub fn next_delay(
        &self,
        idempotency: Idempotency,
        attempt: u32,
        error: &Error,
        started: SystemTime,
    ) -> Option<Duration> {
        let policy = &self.policy;
        if attempt >= policy.attempts() || !idempotency.should_retry(error) {
            return None;
        }
        let now = self.clock.now();
        let delay = match error.retry_after() {
            Some(ra) if policy.respect_retry_after => {
                let delay = ra.delay_from(now);
                if delay > policy.max_retry_after {
                    tracing::debug!(
                        attempt,
                        retry_after_ms = delay.as_millis() as u64,
                        "Retry-After exceeds max_retry_after; giving up"
                    );
                    return None;
                }
                delay
            }
            _ => policy.schedule().jittered(attempt - 1),
        };
        if let Some(budget) = policy.max_elapsed {
            let elapsed = now.duration_since(started).unwrap_or(Duration::ZERO);
            if elapsed + delay > budget {
                tracing::debug!(attempt, "retry budget spent; giving up");
                return None;
            }
        }
        tracing::debug!(
            attempt,
            status = %DisplayStatus(error.status()),
            delay_ms = delay.as_millis() as u64,
            error = %error,
            "retrying GEN API request"
        );
        Some(delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_caps() {
        let p = RetryPolicy::default().with_backoff(Duration::from_secs(1), Duration::from_secs(5));
        assert_eq!(p.backoff(0), Duration::from_secs(1));
        assert_eq!(p.backoff(1), Duration::from_secs(2));
        assert_eq!(p.backoff(2), Duration::from_secs(4));
        assert_eq!(p.backoff(3), Duration::from_secs(5));
        assert_eq!(p.backoff(400), Duration::from_secs(5));
    }

    #[test]
    fn retry_after_parses_both_forms() {
        assert_eq!(
            RetryAfter::parse("7"),
            Some(RetryAfter::Delay(Duration::from_secs(7)))
        );
        let at = RetryAfter::parse("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_767);
        assert_eq!(at.delay_from(now), Duration::from_secs(10));
        assert_eq!(at.delay_from(now + Duration::from_secs(60)), Duration::ZERO);
        assert_eq!(RetryAfter::parse("soon"), None);
    }

    #[test]
    fn full_jitter_stays_below_the_delay() {
        let b = RetryPolicy::default().schedule();
        assert_eq!(b.jitter, Jitter::Full);
        assert_eq!(b.apply_jitter(Duration::from_secs(2), 0.0), Duration::ZERO);
        assert_eq!(
            b.apply_jitter(Duration::from_secs(2), 0.5),
            Duration::from_secs(1)
        );
        for n in 0..1000 {
            let d = b.jittered(n % 8);
            assert!(d <= b.delay(n % 8), "{d:?}");
        }
        let none = RetryPolicy::default().with_jitter(false).schedule();
        assert_eq!(none.jittered(1), Duration::from_secs(1));
    }

    #[test]
    fn a_seeded_generator_gives_the_same_jitter() {
        let b = RetryPolicy::default().schedule();
        fastrand::seed(7);
        let first: Vec<Duration> = (0..4).map(|n| b.jittered(n)).collect();
        fastrand::seed(7);
        let again: Vec<Duration> = (0..4).map(|n| b.jittered(n)).collect();
        assert_eq!(first, again);
        assert!(first.iter().any(|d| *d != Duration::ZERO), "{first:?}");
    }

    #[test]
    fn spread_jitter_is_bounded_by_the_maximum() {
        let b = Backoff::new(Duration::from_secs(4), Duration::from_secs(5), 1.5)
            .with_jitter(Jitter::Spread(0.25));
        assert_eq!(b.apply_jitter(b.delay(0), 0.0), Duration::from_secs(3));
        assert_eq!(b.apply_jitter(b.delay(0), 0.5), Duration::from_secs(4));
        assert_eq!(b.apply_jitter(b.delay(1), 0.99), Duration::from_secs(5));
        assert_eq!(b.apply_jitter(b.delay(3), 0.0), Duration::from_millis(3750));
        // A huge maximum never panics.
        let huge =
            Backoff::new(Duration::MAX, Duration::MAX, 2.0).with_jitter(Jitter::Spread(0.25));
        assert_eq!(huge.apply_jitter(huge.delay(3), 0.99), Duration::MAX);
    }
}
