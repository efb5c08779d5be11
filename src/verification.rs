//! Call counts: whether the journal holds the requests a test expected.
//!
//! An [`Expectation`] filters journal entries by any of `method`, `path`,
//! `scenario`, `parameter`, `value`, `status` and `outcome`, and asks for a
//! number of them: `count` (exactly), or `at_least` / `at_most` (one or
//! both). With none of the three it asks for at least one; with `at_most`
//! alone, for at most that many (`at_most: 0`: never called). With
//! `postback` ([`PostbackMatch`]: `event`, `target`, `state`,
//! `transaction_hash`, `scenario`, `method`) it counts postbacks instead,
//! in every scenario's postback log.
//!
//! The journal keeps at most [`journal::MAX_TEXT_BYTES`] of a text a client
//! chose (method, path, scenario name, value): an expected text longer than
//! that matches an entry whose text was cut when the part kept (cut on a
//! character boundary) and the full length in bytes are the same.
//!
//! An unmet expectation comes back with the count found and the journal
//! entries nearest to it: those that differ from it in the fewest fields,
//! newest first among equals, each naming the fields that differ. That is
//! what a developer needs to see why a call did not count (a typo in a
//! value, the wrong scenario, a 401 instead of a 200).

use serde::{Deserialize, Serialize};

use crate::journal::{self, JournalEntry, same_text};
use crate::postbacks::PostbackRecord;

/// How many nearest entries an unmet expectation shows.
pub const NEAREST: usize = 3;

/// The most expectations one verification takes, so that one call costs at
/// most that many passes over the journal and its answer stays small.
pub const MAX_EXPECTATIONS: usize = 100;

/// Requests a test expects the mock to have received.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// The HTTP method (`GET`, any case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The path, without the query string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The scenario that answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    /// The lookup parameter that decided (`transaction_hash`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    /// Its value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The status answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The outcome (`click`, `ping`, `not_found`, `fault:status`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// Exactly this many.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// At least this many.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<u64>,
    /// At most this many.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_most: Option<u64>,
    /// Postbacks rather than requests: those this matches. It goes with
    /// none of the request fields above.
    #[serde(
        default,
        deserialize_with = "an_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub postback: Option<PostbackMatch>,
}

/// Which postbacks an expectation counts: any of its fields, all that are
/// given must match.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostbackMatch {
    /// `sale`, `rebill`, `void`, `chargeback` or `reversal`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// The target's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// `queued`, `sending`, `delivered`, `failed` or `dropped`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The event's transaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_hash: Option<String>,
    /// The scenario that sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    /// `GET` or `POST`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
}

impl PostbackMatch {
    /// The fields `postback`, sent by `scenario`, does not match.
    fn differences(&self, scenario: &str, postback: &PostbackRecord) -> Vec<&'static str> {
        let mut differs = Vec::new();
        let mut check = |name: &'static str, wanted: &Option<String>, found: &str| {
            if wanted.as_deref().is_some_and(|w| w != found) {
                differs.push(name);
            }
        };
        check("event", &self.event, &postback.event);
        check("target", &self.target, &postback.target);
        check("state", &self.state, postback.state.name());
        check(
            "transaction_hash",
            &self.transaction_hash,
            &postback.transaction_hash,
        );
        check("scenario", &self.scenario, scenario);
        if self
            .method
            .as_deref()
            .is_some_and(|m| !m.eq_ignore_ascii_case(&postback.method))
        {
            differs.push("method");
        }
        differs
    }
}

/// A [`PostbackMatch`] read from a JSON object only: serde would also read
/// one from an array of its fields in order (`[null, null]`), which no
/// client means.
fn an_object<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<PostbackMatch>, D::Error> {
    let fields = serde_json::Map::<String, serde_json::Value>::deserialize(deserializer)?;
    PostbackMatch::deserialize(serde_json::Value::Object(fields))
        .map(Some)
        .map_err(serde::de::Error::custom)
}

/// A postback and the scenario that sent it, as verification reads them.
pub type SentPostback = (String, PostbackRecord);

impl Expectation {
    /// Any API request, at least once; narrow it with the other methods.
    pub fn any() -> Self {
        Expectation::default()
    }

    /// Only requests with this method.
    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.method = Some(method.into());
        self
    }

    /// Only requests to this path.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Only requests this scenario answered.
    pub fn scenario(mut self, scenario: impl Into<String>) -> Self {
        self.scenario = Some(scenario.into());
        self
    }

    /// Only requests decided by this lookup parameter.
    pub fn parameter(mut self, parameter: impl Into<String>) -> Self {
        self.parameter = Some(parameter.into());
        self
    }

    /// Only requests whose deciding parameter had this value.
    pub fn value(mut self, value: impl Into<String>) -> Self {
        self.value = Some(value.into());
        self
    }

    /// Only requests answered with this status.
    pub fn status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// Only requests with this outcome.
    pub fn outcome(mut self, outcome: impl Into<String>) -> Self {
        self.outcome = Some(outcome.into());
        self
    }

    /// Postbacks, not requests: those `postback` matches, at least once.
    pub fn postbacks(postback: PostbackMatch) -> Self {
        Expectation {
            postback: Some(postback),
            ..Expectation::default()
        }
    }

    /// Exactly `count` such requests.
    pub fn count(mut self, count: u64) -> Self {
        self.count = Some(count);
        self
    }

    /// At least `n` such requests.
    pub fn at_least(mut self, n: u64) -> Self {
        self.at_least = Some(n);
        self
    }

    /// At most `n` such requests.
    pub fn at_most(mut self, n: u64) -> Self {
        self.at_most = Some(n);
        self
    }

    /// Whether it names a request field (a postback expectation must not).
    fn names_a_request_field(&self) -> bool {
        self.method.is_some()
            || self.path.is_some()
            || self.scenario.is_some()
            || self.parameter.is_some()
            || self.value.is_some()
            || self.status.is_some()
            || self.outcome.is_some()
    }

    /// The counts it accepts, lowest and highest, or why it asks for none.
    fn bounds(&self) -> Result<(u64, Option<u64>), String> {
        if self.postback.is_some() && self.names_a_request_field() {
            return Err(
                "a `postback` expectation takes no request field (method, path, scenario, \
                 parameter, value, status, outcome): put `scenario` inside `postback`"
                    .to_string(),
            );
        }
        match (self.count, self.at_least, self.at_most) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                Err("`count` cannot go with `at_least` or `at_most`".to_string())
            }
            (Some(count), None, None) => Ok((count, Some(count))),
            (None, Some(low), Some(high)) if low > high => Err(format!(
                "`at_least` ({low}) is more than `at_most` ({high})"
            )),
            (None, None, Some(high)) => Ok((0, Some(high))),
            (None, low, high) => Ok((low.unwrap_or(1), high)),
        }
    }

    /// The filter fields `entry` does not match.
    fn differences(&self, entry: &JournalEntry) -> Vec<&'static str> {
        let mut differs = Vec::new();
        let mut check = |name: &'static str, matches: bool| {
            if !matches {
                differs.push(name);
            }
        };
        let cut = entry.truncated;
        if let Some(method) = &self.method {
            let (kept, full) = journal::cut(method);
            let same = kept.eq_ignore_ascii_case(&entry.method) && full == cut.method;
            check("method", same);
        }
        if let Some(path) = &self.path {
            check("path", same_text(path, &entry.path, cut.path));
        }
        if let Some(scenario) = &self.scenario {
            check(
                "scenario",
                same_text(scenario, &entry.scenario, cut.scenario),
            );
        }
        if let Some(parameter) = &self.parameter {
            check("parameter", entry.parameter == Some(parameter.as_str()));
        }
        if let Some(value) = &self.value {
            let same = entry
                .value
                .as_deref()
                .is_some_and(|kept| same_text(value, kept, cut.value));
            check("value", same);
        }
        if let Some(status) = self.status {
            check("status", entry.status == Some(status));
        }
        if let Some(outcome) = &self.outcome {
            check("outcome", *outcome == entry.outcome);
        }
        differs
    }

    /// What it asks for, in words: `exactly 2`, `at least 1`, `1 to 3`.
    fn wanted(&self) -> String {
        match self.bounds() {
            Ok((low, Some(high))) if low == high => format!("exactly {low}"),
            Ok((0, Some(high))) => format!("at most {high}"),
            Ok((low, Some(high))) => format!("{low} to {high}"),
            Ok((low, None)) => format!("at least {low}"),
            Err(why) => why,
        }
    }
}

/// A journal entry (or a postback) near an unmet expectation, and the
/// fields it differs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Nearest {
    /// The expectation's fields it does not match (none: it counted).
    pub differs: Vec<&'static str>,
    /// The entry, as `GET /__mock/requests` shows it, for a request
    /// expectation.
    #[serde(rename = "request", skip_serializing_if = "Option::is_none")]
    pub entry: Option<JournalEntry>,
    /// The postback, as `GET /__mock/postbacks` shows it, for a postback
    /// expectation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postback: Option<PostbackRecord>,
}

/// An expectation the journal does not meet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// Its place in the list, from 0.
    pub index: usize,
    /// The expectation, as given.
    pub expected: Expectation,
    /// How many entries matched it.
    pub actual: u64,
    /// Up to three entries that differ from it in the fewest fields.
    pub nearest: Vec<Nearest>,
}

/// Why a verification did not pass.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// An expectation asks for no count that could ever be met or makes no sense.
    #[error("invalid expectation #{index}: {why}")]
    Invalid {
        /// Its place in the list, from 0.
        index: usize,
        /// What is wrong with it.
        why: String,
    },
    /// Some expectations are not met.
    #[error("{}", describe(.total, .failures))]
    Unmet {
        /// How many expectations were checked.
        total: usize,
        /// Each one not met.
        failures: Vec<Failure>,
    },
}

/// Checks every expectation against `entries` (the journal, oldest first)
/// or, for a postback expectation, against `postbacks`. Returns how many
/// were checked when all are met.
pub fn verify(
    entries: &[JournalEntry],
    postbacks: &[SentPostback],
    expectations: &[Expectation],
) -> Result<usize, VerifyError> {
    if expectations.len() > MAX_EXPECTATIONS {
        return Err(VerifyError::Invalid {
            index: MAX_EXPECTATIONS,
            why: format!(
                "{} expectations; one call takes at most {MAX_EXPECTATIONS}",
                expectations.len()
            ),
        });
    }
    let mut failures = Vec::new();
    for (index, expectation) in expectations.iter().enumerate() {
        let (low, high) = expectation
            .bounds()
            .map_err(|why| VerifyError::Invalid { index, why })?;
        let (actual, nearest) = match &expectation.postback {
            None => count(
                entries,
                |e| expectation.differences(e),
                |e| e.seq,
                |e, differs| Nearest {
                    differs,
                    entry: Some(e.clone()),
                    postback: None,
                },
            ),
            Some(wanted) => count(
                postbacks,
                |(scenario, p)| wanted.differences(scenario, p),
                |(_, p)| p.seq,
                |(_, p), differs| Nearest {
                    differs,
                    entry: None,
                    postback: Some(p.clone()),
                },
            ),
        };
        if actual >= low && high.is_none_or(|high| actual <= high) {
            continue;
        }
        failures.push(Failure {
            index,
            expected: expectation.clone(),
            actual,
            nearest,
        });
    }
    if failures.is_empty() {
        Ok(expectations.len())
    } else {
        Err(VerifyError::Unmet {
            total: expectations.len(),
            failures,
        })
    }
}

/// How many of `items` differ in nothing, and the [`NEAREST`] that differ
/// in the fewest fields (newest first among equals).
fn count<T>(
    items: &[T],
    differences: impl Fn(&T) -> Vec<&'static str>,
    seq: impl Fn(&T) -> u64,
    near: impl Fn(&T, Vec<&'static str>) -> Nearest,
) -> (u64, Vec<Nearest>) {
    let mut actual = 0u64;
    // The nearest so far, best first: (fields that differ, newest first, index).
    let mut nearest: Vec<(usize, std::cmp::Reverse<u64>, usize)> = Vec::with_capacity(NEAREST + 1);
    for (at, item) in items.iter().enumerate() {
        let differs = differences(item).len();
        if differs == 0 {
            actual += 1;
        }
        let rank = (differs, std::cmp::Reverse(seq(item)), at);
        let place = nearest.partition_point(|near| *near < rank);
        if place < NEAREST {
            nearest.insert(place, rank);
            nearest.truncate(NEAREST);
        }
    }
    let nearest = nearest
        .into_iter()
        .map(|(_, _, at)| near(&items[at], differences(&items[at])))
        .collect();
    (actual, nearest)
}

/// `K of N expectations not met`, the summary line.
pub fn summary(total: usize, failed: usize) -> String {
    format!(
        "{failed} of {total} expectation{} not met",
        if total == 1 { "" } else { "s" }
    )
}

/// The summary, then each failure with its nearest entries, for `assert!`
/// messages and `?` in Rust tests.
fn describe(total: &usize, failures: &[Failure]) -> String {
    let mut text = summary(*total, failures.len());
    for failure in failures {
        let expected = serde_json::to_string(&failure.expected).unwrap_or_default();
        text.push_str(&format!(
            "\n  #{} {expected}: wanted {}, found {}",
            failure.index,
            failure.expected.wanted(),
            failure.actual
        ));
        if failure.nearest.is_empty() {
            text.push_str("; the journal is empty");
        }
        for near in &failure.nearest {
            if let Some(postback) = &near.postback {
                text.push_str(&format!(
                    "\n    nearest: postback seq {} {} to {} {} {}",
                    postback.seq,
                    postback.event,
                    postback.target,
                    postback.transaction_hash,
                    postback.state.name(),
                ));
            }
            let Some(entry) = &near.entry else {
                if !near.differs.is_empty() {
                    text.push_str(&format!(" (differs: {})", near.differs.join(", ")));
                }
                continue;
            };
            text.push_str(&format!(
                "\n    nearest: seq {} {} {} scenario={} {}={} status={} outcome={}",
                entry.seq,
                entry.method,
                entry.path,
                entry.scenario,
                entry.parameter.unwrap_or("-"),
                entry.value.as_deref().unwrap_or("-"),
                entry.status.map_or("-".to_string(), |s| s.to_string()),
                entry.outcome,
            ));
            if !near.differs.is_empty() {
                text.push_str(&format!(" (differs: {})", near.differs.join(", ")));
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use super::*;
    use crate::journal::Received;

    /// Request expectations only, no postbacks.
    fn verify(
        entries: &[JournalEntry],
        expectations: &[Expectation],
    ) -> Result<usize, VerifyError> {
        super::verify(entries, &[], expectations)
    }

    fn entry(seq: u64, value: &str, status: u16) -> JournalEntry {
        JournalEntry::from(Received {
            seq,
            time: SystemTime::UNIX_EPOCH,
            method: "GET",
            path: "/api/transaction/click_detail",
            scenario: "default",
            parameter: Some("transaction_hash"),
            value: Some(value),
            outcome: if status == 200 { "click" } else { "not_found" },
            click_hash: None,
            status: Some(status),
        })
    }

    #[test]
    fn no_count_asks_for_at_least_one() {
        let entries = [entry(1, "a", 200)];
        assert_eq!(verify(&entries, &[Expectation::any().value("a")]), Ok(1));
        assert!(verify(&entries, &[Expectation::any().value("b")]).is_err());
    }

    #[test]
    fn at_most_alone_allows_none() {
        let none = Expectation::any().value("b").at_most(0);
        assert_eq!(
            verify(&[entry(1, "a", 200)], std::slice::from_ref(&none)),
            Ok(1)
        );
        assert!(verify(&[entry(1, "b", 200)], &[none]).is_err());
    }

    #[test]
    fn count_is_exact() {
        let entries = [entry(1, "a", 200), entry(2, "a", 200)];
        assert!(verify(&entries, &[Expectation::any().count(1)]).is_err());
        assert_eq!(verify(&entries, &[Expectation::any().count(2)]), Ok(1));
        assert!(verify(&entries, &[Expectation::any().count(3)]).is_err());
    }

    #[test]
    fn at_least_and_at_most_bound_both_ways() {
        let entries = [entry(1, "a", 200), entry(2, "a", 200)];
        let between = |low, high| Expectation::any().at_least(low).at_most(high);
        assert_eq!(verify(&entries, &[between(2, 2)]), Ok(1));
        assert!(verify(&entries, &[between(3, 4)]).is_err());
        assert!(verify(&entries, &[between(0, 1)]).is_err());
    }

    #[test]
    fn count_with_a_bound_or_crossed_bounds_are_invalid() {
        let both = Expectation::any().count(1).at_least(1);
        let crossed = Expectation::any().at_least(2).at_most(1);
        for (index, bad) in [both, crossed].into_iter().enumerate() {
            let list = [Expectation::any().at_most(9), bad];
            assert!(
                matches!(
                    verify(&[], &list),
                    Err(VerifyError::Invalid { index: 1, .. })
                ),
                "case {index}"
            );
        }
    }

    #[test]
    fn more_than_the_most_expectations_are_invalid() {
        let many = vec![Expectation::any().at_most(9); MAX_EXPECTATIONS + 1];
        assert_eq!(verify(&[], &many[..MAX_EXPECTATIONS]), Ok(MAX_EXPECTATIONS));
        assert!(matches!(
            verify(&[], &many),
            Err(VerifyError::Invalid { .. })
        ));
    }

    #[test]
    fn every_filter_field_narrows() {
        let e = entry(1, "a", 200);
        let misses = [
            Expectation::any().method("POST"),
            Expectation::any().path("/api/service/ping"),
            Expectation::any().scenario("empty"),
            Expectation::any().parameter("orderid"),
            Expectation::any().value("b"),
            Expectation::any().status(404),
            Expectation::any().outcome("ping"),
        ];
        for miss in misses {
            assert_eq!(miss.differences(&e).len(), 1, "{miss:?}");
        }
        assert!(Expectation::any().method("get").differences(&e).is_empty());
    }

    #[test]
    fn a_long_value_matches_its_cut_entry_by_kept_part_and_length() {
        let long = "a".repeat(300);
        let entries = [entry(1, &long, 200)];

        let same = Expectation::any().value(long.clone());
        let longer = Expectation::any().value("a".repeat(301));
        let other_tail = Expectation::any().value(format!("{}b", "a".repeat(299)));

        assert_eq!(verify(&entries, &[same]), Ok(1));
        assert!(verify(&entries, &[longer]).is_err(), "another length");
        assert_eq!(
            verify(&entries, &[other_tail]),
            Ok(1),
            "past the cap the journal cannot tell them apart"
        );
        assert!(
            verify(&entries, &[Expectation::any().value("a".repeat(256))]).is_err(),
            "the kept part alone is not the value sent"
        );
    }

    #[test]
    fn nearest_are_the_fewest_differences_newest_first() {
        let entries = [
            entry(1, "x", 404),
            entry(2, "a", 404),
            entry(3, "y", 404),
            entry(4, "a", 404),
            entry(5, "z", 200),
        ];
        let expected = Expectation::any().value("a").status(200);

        let Err(VerifyError::Unmet { failures, .. }) = verify(&entries, &[expected]) else {
            panic!("unmet");
        };

        let nearest: Vec<(u64, Vec<&str>)> = failures[0]
            .nearest
            .iter()
            .map(|n| (n.entry.as_ref().map_or(0, |e| e.seq), n.differs.clone()))
            .collect();
        assert_eq!(
            nearest,
            [(5, vec!["value"]), (4, vec!["status"]), (2, vec!["status"])]
        );
        assert_eq!(failures[0].actual, 0);
    }

    #[test]
    fn the_message_says_what_was_wanted_and_found() {
        let entries = [entry(1, "a", 200)];
        let err = verify(&entries, &[Expectation::any().value("a").count(2)]).expect_err("unmet");
        let text = err.to_string();
        assert!(text.starts_with("1 of 1 expectation not met"), "{text}");
        assert!(text.contains("wanted exactly 2, found 1"), "{text}");
        assert!(text.contains("nearest: seq 1"), "{text}");
    }

    fn sent(seq: u64, event: &str, state: crate::postbacks::PostbackState) -> SentPostback {
        let record = PostbackRecord {
            seq,
            target: "receiver".into(),
            event: event.into(),
            transaction_hash: format!("h{seq}"),
            method: "GET".into(),
            url: "http://127.0.0.1:9/".into(),
            body: None,
            state,
            reason: None,
            attempts: Vec::new(),
        };
        ("postbacks".to_string(), record)
    }

    #[test]
    fn a_postback_expectation_counts_postbacks_not_requests() {
        use crate::postbacks::PostbackState::{Delivered, Failed};
        let postbacks = [sent(1, "sale", Delivered), sent(2, "void", Failed)];
        let entries = [entry(1, "a", 200)];
        let void = |state: &str| {
            Expectation::postbacks(PostbackMatch {
                event: Some("void".into()),
                state: Some(state.into()),
                scenario: Some("postbacks".into()),
                method: Some("get".into()),
                ..PostbackMatch::default()
            })
            .count(1)
        };
        assert_eq!(
            super::verify(&entries, &postbacks, &[void("failed")]),
            Ok(1)
        );
        let Err(VerifyError::Unmet { failures, .. }) =
            super::verify(&entries, &postbacks, &[void("delivered")])
        else {
            panic!("a delivered void was never sent");
        };
        assert_eq!(failures[0].actual, 0);
        let nearest = &failures[0].nearest[0];
        assert_eq!(nearest.differs, ["state"]);
        assert_eq!(nearest.postback.as_ref().map(|p| p.seq), Some(2));
        assert!(nearest.entry.is_none());
        let json = serde_json::to_value(nearest).expect("json");
        assert!(json.get("request").is_none(), "{json}");
        assert_eq!(json["postback"]["seq"], 2);
        let text = VerifyError::Unmet {
            total: 1,
            failures: failures.clone(),
        }
        .to_string();
        assert!(
            text.contains("nearest: postback seq 2 void to receiver h2 failed"),
            "{text}"
        );
        assert!(text.contains("(differs: state)"), "{text}");
    }

    #[test]
    fn a_postback_match_is_read_from_an_object_only() {
        let read = |json: &str| serde_json::from_str::<Expectation>(json);
        assert!(read(r#"{"postback":{"event":"sale"}}"#).is_ok());
        for wrong in [
            r#"{"postback":[null,null]}"#,
            r#"{"postback":null}"#,
            r#"{"postback":{"events":"sale"}}"#,
        ] {
            assert!(read(wrong).is_err(), "{wrong}");
        }
    }

    #[test]
    fn a_postback_expectation_with_a_request_field_is_invalid() {
        let mixed = Expectation::postbacks(PostbackMatch::default()).status(200);
        assert!(matches!(
            super::verify(&[], &[], &[mixed]),
            Err(VerifyError::Invalid { index: 0, .. })
        ));
    }

    #[test]
    fn every_postback_field_narrows_the_count() {
        use crate::postbacks::PostbackState::Delivered;
        let postbacks = [sent(1, "sale", Delivered)];
        let wrong = [
            PostbackMatch {
                event: Some("void".into()),
                ..PostbackMatch::default()
            },
            PostbackMatch {
                target: Some("other".into()),
                ..PostbackMatch::default()
            },
            PostbackMatch {
                state: Some("failed".into()),
                ..PostbackMatch::default()
            },
            PostbackMatch {
                transaction_hash: Some("h9".into()),
                ..PostbackMatch::default()
            },
            PostbackMatch {
                scenario: Some("default".into()),
                ..PostbackMatch::default()
            },
            PostbackMatch {
                method: Some("POST".into()),
                ..PostbackMatch::default()
            },
        ];
        for (at, wanted) in wrong.into_iter().enumerate() {
            let expectation = Expectation::postbacks(wanted);
            assert!(
                super::verify(&[], &postbacks, &[expectation]).is_err(),
                "field {at}"
            );
        }
        let right = PostbackMatch {
            event: Some("sale".into()),
            target: Some("receiver".into()),
            state: Some("delivered".into()),
            transaction_hash: Some("h1".into()),
            scenario: Some("postbacks".into()),
            method: Some("GET".into()),
        };
        assert_eq!(
            super::verify(&[], &postbacks, &[Expectation::postbacks(right)]),
            Ok(1)
        );
    }
}
