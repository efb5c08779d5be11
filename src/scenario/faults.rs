//! Faults on demand: what a scenario asks to go wrong, and when.
//!
//! ```yaml
//! latency_ms: 200                 # every API answer of the scenario, 200 ms late
//! faults:                         # checked in order; the first that fires decides
//!   - {every: 3, status: 503, message: "Service Unavailable"}
//!   - {after: 100, drop_connection: true}
//! rate_limit: {requests: 10, per_seconds: 60}
//! clicks:
//!   - click_hash: abc.123
//!     latency_ms: 1500            # this click's answers, instead of the scenario's
//!     fault: {status: 500}        # this click always fails
//! ```
//!
//! Nothing is random: which request gets which outcome follows from the
//! scenario and the count of API requests it has answered.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::StatusCode;

/// The longest delay a scenario may ask for: 5 minutes.
pub const MAX_LATENCY_MS: u64 = 300_000;

/// What happens to a request a fault hits.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultOutcome {
    /// The error envelope with this status and message.
    Error {
        /// The status.
        status: StatusCode,
        /// The whole body, rendered at load.
        body: Bytes,
    },
    /// The connection is closed without an answer.
    DropConnection,
    /// A 200 whose body stops halfway through the JSON.
    MalformedJson,
    /// A 200 with no body at all.
    EmptyBody,
    /// The normal answer, this many milliseconds late.
    Latency(u64),
}

/// Which requests a rule hits, counting the scenario's API requests from 1.
pub use crate::trigger::Trigger;

/// One entry of `faults:`.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultRule {
    /// Which requests it hits.
    pub trigger: Trigger,
    /// What happens to them.
    pub outcome: FaultOutcome,
}

/// `rate_limit:`: at most `requests` API requests in each window of `per_seconds`.
#[derive(Debug, Clone, PartialEq)]
pub struct RateLimit {
    /// Requests allowed per window.
    pub requests: u64,
    /// The window's length in seconds.
    pub per_seconds: u64,
    /// The 429 body, rendered at load.
    pub body: Bytes,
}

/// Everything a scenario asks to go wrong, scenario-wide.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultPlan {
    /// `latency_ms:` for every API answer.
    pub latency_ms: Option<u64>,
    /// `faults:`, in order.
    pub rules: Vec<FaultRule>,
    /// `rate_limit:`.
    pub rate_limit: Option<RateLimit>,
}

impl FaultPlan {
    /// The outcome of the first rule that fires for request `n`.
    pub fn rule_for(&self, n: u64) -> Option<&FaultOutcome> {
        self.rules
            .iter()
            .find(|rule| rule.trigger.fires(n))
            .map(|rule| &rule.outcome)
    }
}

/// How many API requests a scenario has answered, and what went wrong on
/// purpose; restarted by a reload and by `POST /__mock/reset`.
#[derive(Debug, Default)]
pub struct FaultCounters {
    requests: AtomicU64,
    faults: AtomicU64,
    rate_limited: AtomicU64,
    window: Mutex<Option<Window>>,
}

/// The rate limit's current window.
#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    admitted: u64,
}

/// The counters as `GET /__mock/health` shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct CounterValues {
    /// API requests answered from the scenario.
    pub requests: u64,
    /// Requests a fault (`faults:` or a click's `fault:`) hit.
    pub faults: u64,
    /// Requests refused by `rate_limit:`.
    pub rate_limited: u64,
}

/// What the plan decides for one request before it is answered.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict<'p> {
    /// Over the rate limit: answer 429, retry after this many seconds.
    RateLimited {
        /// Whole seconds until the window ends (at least 1).
        retry_after: u64,
        /// The 429 body.
        body: &'p Bytes,
    },
    /// Answer, with the outcome of the first `faults:` rule that fired, if any.
    Answer(Option<&'p FaultOutcome>),
}

impl FaultCounters {
    /// The current values.
    pub fn values(&self) -> CounterValues {
        CounterValues {
            requests: self.requests.load(Ordering::Relaxed),
            faults: self.faults.load(Ordering::Relaxed),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
        }
    }

    /// Starts counting again from zero, with a fresh rate window.
    pub fn reset(&self) {
        self.requests.store(0, Ordering::Relaxed);
        self.faults.store(0, Ordering::Relaxed);
        self.rate_limited.store(0, Ordering::Relaxed);
        *self.window() = None;
    }

    /// Counts a request that a fault hit.
    pub fn count_fault(&self) {
        self.faults.fetch_add(1, Ordering::Relaxed);
    }

    fn window(&self) -> std::sync::MutexGuard<'_, Option<Window>> {
        self.window
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl FaultPlan {
    /// Counts one API request and decides what happens to it: the rate limit
    /// first, then the rules in order. The clock is read (`now`) only for a
    /// rate limit.
    pub fn decide(&self, counters: &FaultCounters, now: impl FnOnce() -> Instant) -> Verdict<'_> {
        let n = counters.requests.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(limit) = &self.rate_limit {
            let now = now();
            let length = Duration::from_secs(limit.per_seconds);
            let mut window = counters.window();
            let current = match *window {
                Some(w) if now.duration_since(w.started) < length => w,
                // The first request after a window ends opens the next one.
                _ => Window {
                    started: now,
                    admitted: 0,
                },
            };
            if current.admitted >= limit.requests {
                *window = Some(current);
                drop(window);
                counters.rate_limited.fetch_add(1, Ordering::Relaxed);
                let left = length.saturating_sub(now.duration_since(current.started));
                let retry_after = left.as_secs() + u64::from(left.subsec_nanos() > 0);
                return Verdict::RateLimited {
                    retry_after: retry_after.max(1),
                    body: &limit.body,
                };
            }
            *window = Some(Window {
                admitted: current.admitted + 1,
                ..current
            });
        }
        Verdict::Answer(self.rule_for(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triggers_count_from_one() {
        let every3: Vec<u64> = (1..=9).filter(|n| Trigger::Every(3).fires(*n)).collect();
        let after2: Vec<u64> = (1..=4).filter(|n| Trigger::After(2).fires(*n)).collect();
        let first2: Vec<u64> = (1..=4).filter(|n| Trigger::First(2).fires(*n)).collect();
        assert_eq!(every3, [3, 6, 9]);
        assert_eq!(after2, [3, 4]);
        assert_eq!(first2, [1, 2]);
    }

    fn limited(requests: u64, per_seconds: u64) -> FaultPlan {
        FaultPlan {
            rate_limit: Some(RateLimit {
                requests,
                per_seconds,
                body: Bytes::new(),
            }),
            ..FaultPlan::default()
        }
    }

    #[test]
    fn a_rate_limit_admits_n_per_window_then_opens_a_new_one() {
        let plan = limited(2, 10);
        let counters = FaultCounters::default();
        let start = Instant::now();
        let at = |s: u64| start + Duration::from_secs(s);

        assert_eq!(plan.decide(&counters, || at(0)), Verdict::Answer(None));
        assert_eq!(plan.decide(&counters, || at(1)), Verdict::Answer(None));
        let refused = plan.decide(&counters, || at(3));
        assert!(
            matches!(refused, Verdict::RateLimited { retry_after: 7, .. }),
            "{refused:?}"
        );
        assert_eq!(plan.decide(&counters, || at(10)), Verdict::Answer(None));
        assert_eq!(
            counters.values(),
            CounterValues {
                requests: 4,
                faults: 0,
                rate_limited: 1
            }
        );
    }

    #[test]
    fn the_wait_left_in_a_window_is_rounded_up_to_whole_seconds() {
        let plan = limited(1, 10);
        let counters = FaultCounters::default();
        let start = Instant::now();
        plan.decide(&counters, || start);
        let later = start + Duration::from_millis(3_500);
        let refused = plan.decide(&counters, || later);
        assert!(
            matches!(refused, Verdict::RateLimited { retry_after: 7, .. }),
            "{refused:?}"
        );
    }

    #[test]
    fn rules_see_requests_counted_from_one() {
        let plan = FaultPlan {
            rules: vec![FaultRule {
                trigger: Trigger::Every(2),
                outcome: FaultOutcome::DropConnection,
            }],
            ..FaultPlan::default()
        };
        let counters = FaultCounters::default();
        let hit: Vec<bool> = (0..4)
            .map(|_| plan.decide(&counters, Instant::now) != Verdict::Answer(None))
            .collect();
        assert_eq!(hit, [false, true, false, true]);
    }

    #[test]
    fn without_a_rate_limit_the_clock_is_not_read() {
        let counters = FaultCounters::default();
        let plan = FaultPlan::default();
        let verdict = plan.decide(&counters, || panic!("the clock was read"));
        assert_eq!(verdict, Verdict::Answer(None));
        assert_eq!(counters.values().requests, 1);
    }

    #[test]
    fn reset_restarts_the_count_and_the_window() {
        let plan = limited(1, 60);
        let counters = FaultCounters::default();
        let now = Instant::now();
        plan.decide(&counters, || now);
        assert!(matches!(
            plan.decide(&counters, || now),
            Verdict::RateLimited { .. }
        ));

        counters.reset();

        assert_eq!(plan.decide(&counters, || now), Verdict::Answer(None));
        assert_eq!(counters.values().requests, 1);
    }

    #[test]
    fn the_first_rule_that_fires_decides() {
        let plan = FaultPlan {
            rules: vec![
                FaultRule {
                    trigger: Trigger::Every(2),
                    outcome: FaultOutcome::EmptyBody,
                },
                FaultRule {
                    trigger: Trigger::After(0),
                    outcome: FaultOutcome::MalformedJson,
                },
            ],
            ..FaultPlan::default()
        };
        assert_eq!(plan.rule_for(1), Some(&FaultOutcome::MalformedJson));
        assert_eq!(plan.rule_for(2), Some(&FaultOutcome::EmptyBody));
    }
}
