//! A request budget shared by many waits.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::retry::{Clock, Sleep};

/// Limits the status requests of every wait sharing it: at most
/// `max_in_flight` at once, and at most `per_second` per second on average
/// (token bucket, bursts up to `burst`).
///
/// A long-poll request holds its in-flight slot while the server holds it,
/// so with long-poll `max_in_flight` also bounds how many jobs are awaited
/// at once; size it at least as large as the concurrency given to
/// [`super::Waiter::wait_all`].
///
/// Cheap to clone; clones share the budget.
#[derive(Clone)]
pub struct RequestBudget {
    in_flight: Option<(usize, Arc<Semaphore>)>,
    rate: Option<Arc<Mutex<Bucket>>>,
}

struct Bucket {
    per_second: f64,
    burst: f64,
    tokens: f64,
    refilled: Option<SystemTime>,
}

impl fmt::Debug for RequestBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rate = self.rate.as_ref().map(|bucket| {
            let bucket = bucket.lock().unwrap_or_else(PoisonError::into_inner);
            (bucket.per_second, bucket.burst)
        });
        f.debug_struct("RequestBudget")
            .field("max_in_flight", &self.in_flight.as_ref().map(|(n, _)| *n))
            .field("per_second_and_burst", &rate)
            .finish()
    }
}

impl RequestBudget {
    /// No limit (add some with [`Self::max_in_flight`] and
    /// [`Self::per_second`]).
    pub fn unlimited() -> Self {
        Self {
            in_flight: None,
            rate: None,
        }
    }

    /// At most `max` requests in flight at once (at least 1).
    pub fn max_in_flight(mut self, max: usize) -> Self {
        let max = max.max(1);
        self.in_flight = Some((max, Arc::new(Semaphore::new(max))));
        self
    }

    /// At most `per_second` requests per second on average, in bursts of
    /// up to `burst` (both at least 1; `per_second` may be fractional).
    pub fn per_second(mut self, per_second: f64, burst: u32) -> Self {
        let per_second = if per_second.is_finite() && per_second > 0.0 {
            per_second
        } else {
            1.0
        };
        let burst = f64::from(burst.max(1));
        self.rate = Some(Arc::new(Mutex::new(Bucket {
            per_second,
            burst,
            tokens: burst,
            refilled: None,
        })));
        self
    }

    /// Waits for a slot and a token; the slot is freed when the returned
    /// permit is dropped.
    pub(crate) async fn acquire(&self, sleep: &dyn Sleep, clock: &dyn Clock) -> Permit {
        // Take the rate token first so a request waiting for its token does
        // not hold an in-flight slot.
        if let Some(bucket) = &self.rate {
            loop {
                let wait = {
                    let mut b = bucket.lock().unwrap_or_else(PoisonError::into_inner);
                    let now = clock.now();
                    if let Some(then) = b.refilled {
                        let elapsed = now.duration_since(then).unwrap_or(Duration::ZERO);
                        b.tokens = (b.tokens + elapsed.as_secs_f64() * b.per_second).min(b.burst);
                    }
                    b.refilled = Some(now);
                    if b.tokens >= 1.0 {
                        b.tokens -= 1.0;
                        None
                    } else {
                        Some(Duration::from_secs_f64((1.0 - b.tokens) / b.per_second))
                    }
                };
                match wait {
                    None => break,
                    Some(wait) => sleep.sleep(wait).await,
                }
            }
        }
        let permit = match &self.in_flight {
            // The semaphore is never closed.
            Some((_, semaphore)) => semaphore.clone().acquire_owned().await.ok(),
            None => None,
        };
        Permit { _permit: permit }
    }
}

impl Default for RequestBudget {
    fn default() -> Self {
        Self::unlimited()
    }
}

/// An in-flight slot, freed on drop.
pub(crate) struct Permit {
    _permit: Option<OwnedSemaphorePermit>,
}
