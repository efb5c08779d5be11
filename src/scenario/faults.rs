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

use super::read::{Reader, describe};
use super::yaml::{Key, Scalar, ScalarTag, Yaml, YamlKind};
use crate::render;

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

impl FaultOutcome {
    /// The outcome's key in the scenario format; the journal and logs use it too.
    pub fn name(&self) -> &'static str {
        match self {
            FaultOutcome::Error { .. } => "status",
            FaultOutcome::DropConnection => "drop_connection",
            FaultOutcome::MalformedJson => "malformed_json",
            FaultOutcome::EmptyBody => "empty_body",
            FaultOutcome::Latency(_) => "latency_ms",
        }
    }
}

/// Which requests a rule hits, counting the scenario's API requests from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// Request N, 2N, 3N...
    Every(u64),
    /// Every request after the first N.
    After(u64),
    /// The first N requests.
    First(u64),
}

impl Trigger {
    /// Whether request number `n` (from 1) is hit.
    pub fn fires(self, n: u64) -> bool {
        match self {
            Trigger::Every(every) => n.is_multiple_of(every),
            Trigger::After(after) => n > after,
            Trigger::First(first) => n <= first,
        }
    }
}

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

    /// Whether the scenario asks for anything to go wrong at all.
    pub fn is_empty(&self) -> bool {
        self.latency_ms.is_none() && self.rules.is_empty() && self.rate_limit.is_none()
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
    /// first, then the rules in order.
    pub fn decide(&self, counters: &FaultCounters, now: Instant) -> Verdict<'_> {
        let n = counters.requests.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(limit) = &self.rate_limit {
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

/// The keys that choose an outcome.
const OUTCOME_KEYS: [&str; 6] = [
    "status",
    "message",
    "drop_connection",
    "malformed_json",
    "empty_body",
    "latency_ms",
];

/// The keys that choose which requests a rule hits.
const TRIGGER_KEYS: [&str; 3] = ["every", "after", "first"];

impl Reader<'_> {
    /// `latency_ms`: whole milliseconds, 0 to [`MAX_LATENCY_MS`].
    pub(super) fn latency(&mut self, node: &Yaml) -> Option<u64> {
        let ms = self.whole_number(node, "`latency_ms`", 0)?;
        if ms > MAX_LATENCY_MS {
            self.problem(
                node.at,
                format!("`latency_ms` is at most {MAX_LATENCY_MS} (5 minutes), found {ms}"),
            );
            return None;
        }
        Some(ms)
    }

    /// An integer of at least `min`; anything else is a problem.
    fn whole_number(&mut self, node: &Yaml, what: &str, min: u64) -> Option<u64> {
        let value = match &node.kind {
            YamlKind::Scalar(Scalar {
                tag: ScalarTag::Int(i),
                ..
            }) => u64::try_from(*i).ok().filter(|v| *v >= min),
            _ => None,
        };
        if value.is_none() {
            let floor = if min == 0 { "0 or more" } else { "1 or more" };
            self.problem(
                node.at,
                format!(
                    "{what} must be a whole number, {floor}, found {}",
                    describe(node)
                ),
            );
        }
        value
    }

    /// `faults:`: a list of rules, each a trigger and an outcome.
    pub(super) fn fault_rules(&mut self, node: &Yaml) -> Vec<FaultRule> {
        self.list(node, "faults", |r, item| r.fault_rule(item))
            .unwrap_or_default()
    }

    fn fault_rule(&mut self, node: &Yaml) -> Option<FaultRule> {
        let entries = self.mapping(node, "a fault rule")?;
        let allowed: Vec<&str> = TRIGGER_KEYS.iter().chain(&OUTCOME_KEYS).copied().collect();
        let known = self.known_keys(entries, &allowed, "in a fault rule");
        let mut trigger: Option<Trigger> = None;
        let mut triggers_seen = 0;
        let mut outcome_entries = Vec::new();
        for (key, value) in known {
            if !TRIGGER_KEYS.contains(&key.name.as_str()) {
                outcome_entries.push((key, value));
                continue;
            }
            triggers_seen += 1;
            if triggers_seen > 1 {
                self.problem(
                    key.at,
                    format!(
                        "a fault rule takes one of `every`, `after`, `first`; `{}` is a second",
                        key.name
                    ),
                );
                continue;
            }
            trigger = match key.name.as_str() {
                "every" => self.whole_number(value, "`every`", 1).map(Trigger::Every),
                "after" => self.whole_number(value, "`after`", 0).map(Trigger::After),
                _ => self.whole_number(value, "`first`", 1).map(Trigger::First),
            };
        }
        if triggers_seen == 0 {
            self.problem(
                node.at,
                "a fault rule needs one of `every: N`, `after: N`, `first: N` to say which requests it hits",
            );
        }
        let outcome = self.outcome_of(node, &outcome_entries, "a fault rule");
        Some(FaultRule {
            trigger: trigger?,
            outcome: outcome?,
        })
    }

    /// A click's `fault:`: an outcome, for every answer of that click.
    pub(super) fn click_fault(&mut self, node: &Yaml) -> Option<FaultOutcome> {
        let entries = self.mapping(node, "`fault`")?;
        let known = self.known_keys(entries, &OUTCOME_KEYS, "in a click's `fault`");
        self.outcome_of(node, &known, "`fault`")
    }

    /// Exactly one outcome from `entries` (`message` goes with `status`).
    fn outcome_of(
        &mut self,
        node: &Yaml,
        entries: &[(&Key, &Yaml)],
        what: &str,
    ) -> Option<FaultOutcome> {
        let mut outcome: Option<Option<FaultOutcome>> = None;
        let mut status_at = None;
        let mut message: Option<(String, crate::scenario::problem::Position)> = None;
        for (key, value) in entries {
            if key.name == "message" {
                message = self.scalar(value, "`message`").map(|text| (text, key.at));
                continue;
            }
            if outcome.is_some() {
                self.problem(
                    key.at,
                    format!(
                        "{what} has one outcome; `{}` is a second (one of: status, \
                         drop_connection, malformed_json, empty_body, latency_ms)",
                        key.name
                    ),
                );
                continue;
            }
            let read = match key.name.as_str() {
                "status" => {
                    status_at = Some(key.at);
                    self.status_code(value).map(|status| FaultOutcome::Error {
                        status,
                        body: Bytes::new(),
                    })
                }
                "latency_ms" => self.latency(value).map(FaultOutcome::Latency),
                flag => self.flag(value, flag).map(|()| match flag {
                    "drop_connection" => FaultOutcome::DropConnection,
                    "malformed_json" => FaultOutcome::MalformedJson,
                    _ => FaultOutcome::EmptyBody,
                }),
            };
            outcome = Some(read);
        }
        if let Some((_, at)) = &message
            && status_at.is_none()
        {
            self.problem(
                *at,
                "`message` goes with `status`: add the status to answer with",
            );
        }
        let Some(outcome) = outcome else {
            self.problem(
                node.at,
                format!(
                    "{what} needs an outcome: one of status, drop_connection, \
                     malformed_json, empty_body, latency_ms"
                ),
            );
            return None;
        };
        match outcome? {
            FaultOutcome::Error { status, .. } => {
                let text = message.map_or_else(
                    || status.canonical_reason().unwrap_or("Error").to_string(),
                    |(text, _)| text,
                );
                Some(FaultOutcome::Error {
                    status,
                    body: render::error_body(&text),
                })
            }
            other => Some(other),
        }
    }

    /// A flag outcome: only `true` makes sense.
    fn flag(&mut self, node: &Yaml, key: &str) -> Option<()> {
        match &node.kind {
            YamlKind::Scalar(Scalar {
                tag: ScalarTag::Bool(true),
                ..
            }) => Some(()),
            _ => {
                self.problem(
                    node.at,
                    format!(
                        "`{key}` must be `true` (remove the rule to turn it off), found {}",
                        describe(node)
                    ),
                );
                None
            }
        }
    }

    /// `rate_limit: {requests: N, per_seconds: S, message: ...}`.
    pub(super) fn rate_limit(&mut self, node: &Yaml) -> Option<RateLimit> {
        let entries = self.mapping(node, "`rate_limit`")?;
        let known = self.known_keys(
            entries,
            &["requests", "per_seconds", "message"],
            "in `rate_limit`",
        );
        let (mut requests, mut per_seconds, mut message) = (None, None, None);
        let mut broken = false;
        for (key, value) in known {
            match key.name.as_str() {
                "requests" => {
                    requests = self.whole_number(value, "`requests`", 1);
                    broken |= requests.is_none();
                }
                "per_seconds" => {
                    per_seconds = self.whole_number(value, "`per_seconds`", 1);
                    broken |= per_seconds.is_none();
                }
                _ => message = self.scalar(value, "`message`"),
            }
        }
        for (key, value) in [("requests", requests), ("per_seconds", per_seconds)] {
            if value.is_none() && !broken {
                self.problem(node.at, format!("`rate_limit` is missing `{key}`"));
            }
        }
        let message = message.unwrap_or_else(|| "Rate limit exceeded".to_string());
        Some(RateLimit {
            requests: requests?,
            per_seconds: per_seconds?,
            body: render::error_body(&message),
        })
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

        assert_eq!(plan.decide(&counters, at(0)), Verdict::Answer(None));
        assert_eq!(plan.decide(&counters, at(1)), Verdict::Answer(None));
        let refused = plan.decide(&counters, at(3));
        assert!(
            matches!(refused, Verdict::RateLimited { retry_after: 7, .. }),
            "{refused:?}"
        );
        assert_eq!(plan.decide(&counters, at(10)), Verdict::Answer(None));
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
    fn reset_restarts_the_count_and_the_window() {
        let plan = limited(1, 60);
        let counters = FaultCounters::default();
        let now = Instant::now();
        plan.decide(&counters, now);
        assert!(matches!(
            plan.decide(&counters, now),
            Verdict::RateLimited { .. }
        ));

        counters.reset();

        assert_eq!(plan.decide(&counters, now), Verdict::Answer(None));
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
