//! A live server's answers checked against the contract: the status, the
//! Content-Type, the envelope, and the body's keys, their order and their
//! types, each difference named by its JSON path; rendered as text for a
//! person or JSON for CI.

use serde::Serialize;

use super::drift::{self, Difference, DriftKind};
use super::json::{self, Json};
use super::shape;
use super::upstream::Answer;
use crate::params::Lookup;

/// What an answer was taken for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerKind {
    /// A 200 compared with the success body.
    Success,
    /// An error compared with the error envelope.
    Error,
    /// A body that is not JSON.
    NotJson,
}

/// A transaction lifecycle request, for the answers that are not lookups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Action {
    /// What it checks, in words.
    pub check: &'static str,
    /// The method sent.
    pub method: String,
    /// The action's path.
    pub path: &'static str,
    /// The status the contract answers.
    pub expected: u16,
}

/// One lookup's answer (or one lifecycle request's), checked.
#[derive(Debug, Clone, Serialize)]
pub struct Checked {
    /// The lookup parameter (empty for a lifecycle request).
    #[serde(skip_serializing_if = "str::is_empty")]
    pub parameter: &'static str,
    /// Its value.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub value: String,
    /// The lifecycle request, when this is not a lookup.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
    /// The status answered.
    pub status: u16,
    /// What the answer was taken for.
    pub answer: AnswerKind,
    /// How it differs from the contract.
    pub differences: Vec<Difference>,
    /// Extra string fields, which the contract allows (not drift).
    pub extra_fields: Vec<String>,
    /// An error's message, when it is not one of the contract's (not drift:
    /// a scenario's `errors:` can say it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Every lookup's answer, checked.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The URL looked up (no credential in it).
    pub upstream: String,
    /// Whether any answer differs from the contract.
    pub drift: bool,
    /// How many differences in all.
    pub differences: usize,
    /// How many answers were success bodies (the success body's shape is
    /// checked only when at least one lookup found a click).
    pub successes: usize,
    /// Each lookup, in the order sent.
    pub answers: Vec<Checked>,
}

impl Report {
    /// The report of `answers` from `upstream`.
    pub fn new(upstream: String, answers: Vec<Checked>) -> Report {
        let differences = answers.iter().map(|a| a.differences.len()).sum();
        let successes = answers
            .iter()
            .filter(|a| a.action.is_none() && a.answer == AnswerKind::Success)
            .count();
        Report {
            upstream,
            drift: differences > 0,
            differences,
            successes,
            answers,
        }
    }

    /// The report for a person: one line per lookup, one per difference.
    pub fn to_text(&self) -> String {
        let mut out = format!("verify {}\n", self.upstream);
        for checked in &self.answers {
            let verdict = match checked.differences.len() {
                0 => "matches the contract".to_string(),
                1 => "1 difference".to_string(),
                n => format!("{n} differences"),
            };
            let kind = match checked.answer {
                AnswerKind::Success => "success body",
                AnswerKind::Error => "error envelope",
                AnswerKind::NotJson => "not JSON",
            };
            let label = match &checked.action {
                Some(action) => format!("{} ({} {})", action.check, action.method, action.path),
                None => format!("{}={}", checked.parameter, checked.value),
            };
            out.push_str(&format!("{label}: {} {kind}: {verdict}\n", checked.status));
            let width = checked
                .differences
                .iter()
                .map(|d| d.path.len())
                .max()
                .unwrap_or(0);
            for d in &checked.differences {
                out.push_str(&format!(
                    "  {:width$}  {:<9} expected {}, found {}\n",
                    d.path,
                    d.kind.name(),
                    d.expected,
                    d.found
                ));
            }
            for path in &checked.extra_fields {
                out.push_str(&format!(
                    "  note: {path} is an extra field (allowed; a scenario serves it with `extra:`)\n"
                ));
            }
            if let Some(message) = &checked.message {
                out.push_str(&format!(
                    "  note: the message {message:?} is not the contract's (a scenario's `errors:` can say it)\n"
                ));
            }
        }
        let lookups = self.answers.iter().any(|a| a.action.is_none());
        if lookups && self.successes == 0 {
            out.push_str(
                "warning: no lookup found a click, so the success body was not checked; \
                 pass a transaction_hash, subscription_id or orderid that exists\n",
            );
        }
        if self.drift {
            let drifted = self
                .answers
                .iter()
                .filter(|a| !a.differences.is_empty())
                .count();
            out.push_str(&format!(
                "drift: {} in {drifted} of {}\n",
                counted(self.differences, "difference", "differences"),
                counted(self.answers.len(), "answer", "answers")
            ));
        } else {
            let verb = if self.answers.len() == 1 {
                "matches"
            } else {
                "match"
            };
            out.push_str(&format!(
                "no drift: {} {verb} the contract\n",
                counted(self.answers.len(), "answer", "answers")
            ));
        }
        out
    }
}

/// `1 answer`, `0 answers`, `2 answers`.
fn counted(n: usize, one: &str, more: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { more })
}

/// Checks one answer against the contract.
pub fn check(lookup: &Lookup, answer: &Answer) -> Checked {
    let mut differences = Vec::new();
    let mut extra_fields = Vec::new();
    let mut message = None;
    differences.extend(content_type_difference(answer.content_type.as_deref()));
    let kind = match json::parse(&answer.body) {
        Err(err) => {
            differences.push(not_json_difference(answer.body.len(), &err));
            if answer.status != 200 && !shape::is_error_status(answer.status) {
                differences.push(status_difference(answer.status));
            }
            AnswerKind::NotJson
        }
        Ok(body) => {
            let is_error_envelope = body.get("result").and_then(Json::as_str) == Some("error");
            let (kind, expected) = if answer.status == 200 && !is_error_envelope {
                (AnswerKind::Success, shape::success())
            } else {
                (AnswerKind::Error, shape::error())
            };
            if kind == AnswerKind::Error {
                if answer.status == 200 {
                    differences.push(Difference {
                        path: "status".into(),
                        kind: DriftKind::Status,
                        expected: "an error status (4xx) with the error envelope".into(),
                        found: "200 with the error envelope".into(),
                    });
                } else if !shape::is_error_status(answer.status) {
                    differences.push(status_difference(answer.status));
                }
                let text = body.get("message").and_then(Json::as_str);
                if let Some(text) = text
                    && !is_contract_message(text)
                {
                    message = Some(text.to_string());
                }
            }
            let comparison = drift::compare(&expected, &body);
            differences.extend(comparison.differences);
            extra_fields = comparison.extra_fields;
            kind
        }
    };
    Checked {
        parameter: lookup.key.parameter(),
        value: lookup.value.clone(),
        action: None,
        status: answer.status,
        answer: kind,
        differences,
        extra_fields,
        message,
    }
}

/// The difference a body that is not JSON makes.
pub(super) fn not_json_difference(len: usize, err: &impl std::fmt::Display) -> Difference {
    Difference {
        path: "$".into(),
        kind: DriftKind::NotJson,
        expected: "a JSON body".into(),
        found: format!("{len} bytes that are not JSON ({err})"),
    }
}

/// The difference an answer's Content-Type makes when it is not JSON.
pub(super) fn content_type_difference(content_type: Option<&str>) -> Option<Difference> {
    let json_type = content_type
        .and_then(|ct| ct.split(';').next())
        .map(|ct| ct.trim().to_ascii_lowercase());
    (json_type.as_deref() != Some("application/json")).then(|| Difference {
        path: "content-type".into(),
        kind: DriftKind::ContentType,
        expected: "application/json".into(),
        found: content_type.unwrap_or("no Content-Type").to_string(),
    })
}

fn status_difference(status: u16) -> Difference {
    Difference {
        path: "status".into(),
        kind: DriftKind::Status,
        expected: format!(
            "200, or a status of the contract's error table ({})",
            shape::error_statuses()
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        found: status.to_string(),
    }
}

fn is_contract_message(text: &str) -> bool {
    use crate::api_error::ErrorKind;
    ErrorKind::ALL.iter().any(|k| k.default_message() == text)
        || text.starts_with(ErrorKind::MalformedBody.default_message())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::LookupKey;
    use bytes::Bytes;

    fn lookup() -> Lookup {
        Lookup {
            key: LookupKey::TransactionHash,
            value: "x".into(),
        }
    }

    fn answer(status: u16, content_type: &str, body: &str) -> Answer {
        Answer {
            status,
            content_type: Some(content_type.into()),
            body: Bytes::from(body.to_string()),
        }
    }

    fn checked(differences: usize) -> Checked {
        let mut checked = check(
            &lookup(),
            &answer(
                404,
                "application/json",
                r#"{"result":"error","message":"Click not found"}"#,
            ),
        );
        checked.differences = (0..differences).map(|_| status_difference(502)).collect();
        checked
    }

    fn last_line(answers: Vec<Checked>) -> String {
        let text = Report::new("http://upstream".into(), answers).to_text();
        text.lines().last().expect("a line").to_string()
    }

    #[test]
    fn the_no_drift_line_agrees_with_its_count() {
        let cases = [
            (0, "no drift: 0 answers match the contract"),
            (1, "no drift: 1 answer matches the contract"),
            (3, "no drift: 3 answers match the contract"),
        ];
        for (n, expected) in cases {
            let answers = (0..n).map(|_| checked(0)).collect();
            assert_eq!(last_line(answers), expected, "{n}");
        }
    }

    #[test]
    fn the_drift_line_agrees_with_its_counts() {
        assert_eq!(
            last_line(vec![checked(1)]),
            "drift: 1 difference in 1 of 1 answer"
        );
        assert_eq!(
            last_line(vec![checked(2), checked(0)]),
            "drift: 2 differences in 1 of 2 answers"
        );
    }

    #[test]
    fn a_contract_error_has_no_difference() {
        let checked = check(
            &lookup(),
            &answer(
                404,
                "application/json",
                r#"{"result":"error","message":"Click not found"}"#,
            ),
        );
        assert!(checked.differences.is_empty(), "{:?}", checked.differences);
        assert_eq!(checked.answer, AnswerKind::Error);
        assert_eq!(checked.message, None);
    }

    #[test]
    fn an_html_error_page_differs_in_type_status_and_body() {
        let checked = check(
            &lookup(),
            &answer(502, "text/html", "<html>bad gateway</html>"),
        );
        let kinds: Vec<DriftKind> = checked.differences.iter().map(|d| d.kind).collect();
        assert_eq!(
            kinds,
            [
                DriftKind::ContentType,
                DriftKind::NotJson,
                DriftKind::Status
            ]
        );
    }

    #[test]
    fn a_200_error_envelope_is_a_status_difference() {
        let checked = check(
            &lookup(),
            &answer(
                200,
                "application/json; charset=utf-8",
                r#"{"result":"error","message":"No click"}"#,
            ),
        );
        assert_eq!(checked.differences.len(), 1, "{:?}", checked.differences);
        assert_eq!(checked.differences[0].path, "status");
        assert_eq!(checked.message.as_deref(), Some("No click"));
    }
}
