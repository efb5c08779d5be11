//! Turning a scenario's faults into what a client sees: a late answer, an
//! error envelope, a 429 with `Retry-After`, a body cut mid-JSON, an empty
//! body, or a connection closed without an answer.

use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::StatusCode;
use hyper::header::{HeaderName, HeaderValue, RETRY_AFTER};

use super::response::{self, Fault, Outcome, Reply};
use crate::scenario::Scenario;
use crate::scenario::faults::{FaultOutcome, Verdict};

/// The header naming the fault that shaped a response, for people reading
/// a capture; clients under test have no reason to look at it.
pub const MOCK_FAULT: HeaderName = HeaderName::from_static("x-mock-fault");

/// A request whose connection is closed without an answer.
#[derive(Debug, thiserror::Error)]
#[error("connection dropped on purpose by the scenario's `drop_connection` fault")]
pub struct DropConnection;

/// Whether a request is answered, and with which rule's outcome.
#[derive(Debug)]
pub enum Admission<'p> {
    /// Answer it; the outcome of the first rule that fired, if any.
    Answer(Option<&'p FaultOutcome>),
    /// Refused by the rate limit: this is the answer.
    Refused(Box<Reply<'static>>),
}

/// What the scenario's rate limit and rules say before the request is answered.
pub fn before(scenario: &Scenario) -> Admission<'_> {
    match scenario.faults().decide(scenario.counters(), Instant::now) {
        Verdict::Answer(rule) => Admission::Answer(rule),
        Verdict::RateLimited { retry_after, body } => {
            let answer = response::json(StatusCode::TOO_MANY_REQUESTS, body.clone())
                .with_header(RETRY_AFTER, HeaderValue::from(retry_after))
                .with_header(MOCK_FAULT, HeaderValue::from_static("rate_limited"));
            Admission::Refused(Box::new(Reply::from((answer, Outcome::RateLimited))))
        }
    }
}

/// Applies the rule that fired (if any) and the matched click's own
/// `latency_ms` and `fault` to `reply`: waits, then reshapes the answer.
/// Waiting holds no lock, so other requests go on meanwhile. With
/// [`DropConnection`], the reply is only for the journal and the log.
pub async fn after<'s>(
    scenario: &Scenario,
    rule: Option<&FaultOutcome>,
    mut reply: Reply<'s>,
) -> (Reply<'s>, Option<DropConnection>) {
    let click = reply.behaviour.take().unwrap_or_default();
    // A latency rule only delays; any other rule's outcome wins over the
    // click's own fault.
    let (rule_delay, rule_fault) = match rule {
        Some(FaultOutcome::Latency(ms)) => (Some(*ms), None),
        other => (None, other.cloned()),
    };
    let fault = rule_fault.or(click.fault);
    let fault_delay = match &fault {
        Some(FaultOutcome::Latency(ms)) => Some(*ms),
        _ => None,
    };
    let delay = rule_delay
        .or(fault_delay)
        .or(click.latency_ms)
        .or(scenario.faults().latency_ms);
    if rule.is_some() || fault.is_some() {
        scenario.counters().count_fault();
    }
    if let Some(ms) = delay.filter(|ms| *ms > 0) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    let Some(fault) = fault else {
        return (reply, None);
    };
    let (kind, status, body) = match fault {
        FaultOutcome::Latency(_) => return (reply, None),
        FaultOutcome::DropConnection => {
            reply.outcome = Outcome::Fault(Fault::DropConnection);
            return (reply, Some(DropConnection));
        }
        FaultOutcome::Error { status, body } => (Fault::Status, status, body),
        FaultOutcome::MalformedJson => {
            let body = &reply.answer.body;
            (
                Fault::MalformedJson,
                StatusCode::OK,
                body.slice(..body.len() / 2),
            )
        }
        FaultOutcome::EmptyBody => (Fault::EmptyBody, StatusCode::OK, Bytes::new()),
    };
    reply.answer =
        response::json(status, body).with_header(MOCK_FAULT, HeaderValue::from_static(kind.name()));
    reply.outcome = Outcome::Fault(kind);
    (reply, None)
}
