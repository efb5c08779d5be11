//! JSON responses, and the outcome of a request as its log line names it.

use std::fmt;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};

use crate::api_error::{ErrorKind, ErrorTable};
use crate::params::Lookup;
use crate::scenario::index::ClickBehaviour;

/// The response type of every endpoint.
pub type HttpResponse = Response<Full<Bytes>>;

/// What a request came to, for the log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// An API error of this kind.
    Error(ErrorKind),
    /// A click was found.
    Click(String),
    /// Ping answered.
    Pong,
    /// An admin endpoint answered.
    Admin,
    /// `X-Mock-Scenario` named a scenario that is not loaded.
    UnknownScenario,
    /// Refused by the scenario's `rate_limit`.
    RateLimited,
    /// Reshaped by a fault: `status`, `drop_connection`, `malformed_json`, `empty_body`.
    Fault(&'static str),
}

impl Outcome {
    /// The name the journal gives it: `click`, `ping`, or the error kind.
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Error(kind) => kind.name(),
            Outcome::Click(_) => "click",
            Outcome::Pong => "ping",
            Outcome::Admin => "admin",
            Outcome::UnknownScenario => "unknown_scenario",
            Outcome::RateLimited => "rate_limited",
            Outcome::Fault(name) => match *name {
                "status" => "fault:status",
                "drop_connection" => "fault:drop_connection",
                "malformed_json" => "fault:malformed_json",
                _ => "fault:empty_body",
            },
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Error(kind) => write!(f, "error={}", kind.name()),
            Outcome::Click(hash) => write!(f, "click={hash}"),
            Outcome::Pong => f.write_str("ping"),
            Outcome::Admin => f.write_str("admin"),
            Outcome::UnknownScenario => f.write_str("error=unknown_scenario"),
            Outcome::RateLimited => f.write_str("rate_limited"),
            Outcome::Fault(name) => write!(f, "fault={name}"),
        }
    }
}

/// An API endpoint's answer: the response, what it came to, and the lookup
/// parameter that decided when the request got that far.
#[derive(Debug)]
pub struct Reply {
    /// The response.
    pub response: HttpResponse,
    /// What the request came to.
    pub outcome: Outcome,
    /// The lookup parameter read, if any.
    pub lookup: Option<Lookup>,
    /// The matched click's own `latency_ms` and `fault`, if it has any.
    pub behaviour: Option<ClickBehaviour>,
}

impl From<(HttpResponse, Outcome)> for Reply {
    fn from((response, outcome): (HttpResponse, Outcome)) -> Self {
        Reply {
            response,
            outcome,
            lookup: None,
            behaviour: None,
        }
    }
}

/// A response with `Content-Type: application/json`.
pub fn json(status: StatusCode, body: Bytes) -> HttpResponse {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// A response whose body is `value` as JSON.
pub fn json_value(status: StatusCode, value: &impl serde::Serialize) -> HttpResponse {
    match serde_json::to_vec(value) {
        Ok(body) => json(status, Bytes::from(body)),
        // Only a map with non-string keys fails, and the admin API has none.
        Err(err) => json(
            StatusCode::INTERNAL_SERVER_ERROR,
            crate::render::error_body(&err.to_string()),
        ),
    }
}

/// An error envelope with `message`, for the mock's own errors, which the
/// contract's table does not cover. `X-Mock-Error` names the error for
/// scripts, so they can tell the mock's errors from the imitated API's.
pub fn mock_error(status: StatusCode, code: &'static str, message: &str) -> HttpResponse {
    let mut response = json(status, crate::render::error_body(message));
    response
        .headers_mut()
        .insert(MOCK_ERROR, HeaderValue::from_static(code));
    response
}

/// The header naming the mock's own errors.
pub const MOCK_ERROR: &str = "x-mock-error";

/// The answer `table` gives for an error of `kind` (a 405 always says `Allow: GET`).
pub fn api_error(
    table: &ErrorTable,
    kind: ErrorKind,
    detail: Option<&str>,
) -> (HttpResponse, Outcome) {
    let (status, body) = table.answer(kind, detail);
    let mut response = json(status, body);
    if kind == ErrorKind::MethodNotAllowed {
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET"));
    }
    (response, Outcome::Error(kind))
}

/// The contract's error answers, untouched by any scenario: the admin API
/// belongs to the harness, so overrides do not reach it.
pub fn contract_errors() -> &'static ErrorTable {
    static TABLE: std::sync::LazyLock<ErrorTable> = std::sync::LazyLock::new(ErrorTable::default);
    &TABLE
}
