//! Reading faults on demand from a scenario: `latency_ms`, `faults`,
//! `rate_limit` and a click's `fault`, every problem located. What they mean
//! once read is [`crate::scenario::faults`].

use bytes::Bytes;

use super::{Reader, describe};
use crate::render;
use crate::scenario::faults::{FaultOutcome, FaultRule, MAX_LATENCY_MS, RateLimit, Trigger};
use crate::scenario::yaml::{Key, Scalar, ScalarTag, Yaml, YamlKind};

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
    pub(in crate::scenario) fn latency(&mut self, node: &Yaml) -> Option<u64> {
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
    pub(super) fn whole_number(&mut self, node: &Yaml, what: &str, min: u64) -> Option<u64> {
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
    pub(in crate::scenario) fn fault_rules(&mut self, node: &Yaml) -> Vec<FaultRule> {
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
    pub(in crate::scenario) fn click_fault(&mut self, node: &Yaml) -> Option<FaultOutcome> {
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
    pub(super) fn flag(&mut self, node: &Yaml, key: &str) -> Option<()> {
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
    pub(in crate::scenario) fn rate_limit(&mut self, node: &Yaml) -> Option<RateLimit> {
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
