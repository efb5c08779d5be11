//! Answers as plain data (status, headers, body bytes), turned into a hyper
//! response once, by the router; and the outcome of a request as its log
//! line and the journal name it.

use std::fmt;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Response, StatusCode};

use super::action::Action;
use crate::api_error::{ErrorKind, ErrorTable};
use crate::params::Lookup;
use crate::scenario::index::ClickBehaviour;

/// The hyper response every connection sends.
pub type HttpResponse = Response<Full<Bytes>>;

/// An answer before it becomes a hyper response: what every endpoint builds.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The status.
    pub status: StatusCode,
    /// The headers; `Content-Type` among them.
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Bytes,
}

impl Answer {
    /// Adds a header (replacing one of the same name).
    pub fn with_header(mut self, name: impl header::IntoHeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }

    /// The hyper response, sent as is.
    pub fn into_response(self) -> HttpResponse {
        let mut response = Response::new(Full::new(self.body));
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers;
        response
    }
}

/// How a fault reshaped an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// An error envelope with the fault's status.
    Status,
    /// No answer: the connection was closed.
    DropConnection,
    /// A 200 whose body stops halfway.
    MalformedJson,
    /// A 200 with no body.
    EmptyBody,
}

impl Fault {
    /// Its key in the scenario format, as `X-Mock-Fault` and the log say it.
    pub fn name(self) -> &'static str {
        match self {
            Fault::Status => "status",
            Fault::DropConnection => "drop_connection",
            Fault::MalformedJson => "malformed_json",
            Fault::EmptyBody => "empty_body",
        }
    }

    /// The journal's outcome for it.
    fn outcome(self) -> &'static str {
        match self {
            Fault::Status => "fault:status",
            Fault::DropConnection => "fault:drop_connection",
            Fault::MalformedJson => "fault:malformed_json",
            Fault::EmptyBody => "fault:empty_body",
        }
    }
}

/// What a request came to, for the log line. A click's hash is borrowed
/// from the scenario that answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome<'s> {
    /// An API error of this kind.
    Error(ErrorKind),
    /// A click was found.
    Click(&'s str),
    /// Ping answered.
    Pong,
    /// An admin endpoint answered.
    Admin,
    /// `X-Mock-Scenario` named a scenario that is not loaded.
    UnknownScenario,
    /// Refused by the scenario's `rate_limit`.
    RateLimited,
    /// Reshaped by a fault.
    Fault(Fault),
    /// A lifecycle action succeeded.
    Done(Action),
}

impl Outcome<'_> {
    /// The name the journal gives it: `click`, `ping`, or the error kind.
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Error(kind) => kind.name(),
            Outcome::Click(_) => "click",
            Outcome::Pong => "ping",
            Outcome::Admin => "admin",
            Outcome::UnknownScenario => "unknown_scenario",
            Outcome::RateLimited => "rate_limited",
            Outcome::Fault(fault) => fault.outcome(),
            Outcome::Done(action) => action.outcome(),
        }
    }

    /// How the log line says it, in two parts written one after the other:
    /// `click=` and the click's hash, `error=` and the error's kind, or a
    /// word and nothing.
    pub fn log_parts(&self) -> (&'static str, &str) {
        match self {
            Outcome::Error(kind) => ("error=", kind.name()),
            Outcome::Click(hash) => ("click=", hash),
            Outcome::Pong => ("ping", ""),
            Outcome::Admin => ("admin", ""),
            Outcome::UnknownScenario => ("error=unknown_scenario", ""),
            Outcome::RateLimited => ("rate_limited", ""),
            Outcome::Fault(fault) => ("fault=", fault.name()),
            Outcome::Done(action) => (action.outcome(), ""),
        }
    }
}

impl fmt::Display for Outcome<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (first, second) = self.log_parts();
        f.write_str(first)?;
        f.write_str(second)
    }
}

/// The parameter that decided a request, and its value, for the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    /// Its name: a lookup parameter, or a lifecycle identifier.
    pub parameter: &'static str,
    /// Its value.
    pub value: String,
}

impl From<Lookup> for Decided {
    fn from(lookup: Lookup) -> Self {
        Decided {
            parameter: lookup.key.parameter(),
            value: lookup.value,
        }
    }
}

/// An API endpoint's answer: the answer, what it came to, and the
/// parameter that decided when the request got that far.
#[derive(Debug)]
pub struct Reply<'s> {
    /// The answer.
    pub answer: Answer,
    /// What the request came to.
    pub outcome: Outcome<'s>,
    /// The parameter that decided, if the request got that far.
    pub decided: Option<Decided>,
    /// The matched click's own `latency_ms` and `fault`, if it has any.
    pub behaviour: Option<ClickBehaviour>,
    /// The click the request found: a lookup's match, or the click of the
    /// transaction a lifecycle action named. The journal names it.
    pub click_hash: Option<&'s str>,
}

impl<'s> From<(Answer, Outcome<'s>)> for Reply<'s> {
    fn from((answer, outcome): (Answer, Outcome<'s>)) -> Self {
        Reply {
            answer,
            outcome,
            decided: None,
            behaviour: None,
            click_hash: None,
        }
    }
}

/// An answer with `Content-Type: application/json`.
pub fn json(status: StatusCode, body: Bytes) -> Answer {
    let mut headers = HeaderMap::with_capacity(2);
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Answer {
        status,
        headers,
        body,
    }
}

/// An answer whose body is `value` as JSON.
pub fn json_value(status: StatusCode, value: &impl serde::Serialize) -> Answer {
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
pub fn mock_error(status: StatusCode, code: &'static str, message: &str) -> Answer {
    json(status, crate::render::error_body(message))
        .with_header(MOCK_ERROR, HeaderValue::from_static(code))
}

/// The header naming the mock's own errors.
pub const MOCK_ERROR: HeaderName = HeaderName::from_static("x-mock-error");

/// The answer `table` gives for an error of `kind` (a 405 always says `Allow: GET`).
pub fn api_error(
    table: &ErrorTable,
    kind: ErrorKind,
    detail: Option<&str>,
) -> (Answer, Outcome<'static>) {
    let (status, body) = table.answer(kind, detail);
    let mut answer = json(status, body);
    if kind == ErrorKind::MethodNotAllowed {
        answer
            .headers
            .insert(header::ALLOW, HeaderValue::from_static("GET"));
    }
    (answer, Outcome::Error(kind))
}

/// The contract's error answers, untouched by any scenario: the admin API
/// belongs to the harness, so overrides do not reach it.
pub fn contract_errors() -> &'static ErrorTable {
    static TABLE: std::sync::LazyLock<ErrorTable> = std::sync::LazyLock::new(ErrorTable::default);
    &TABLE
}
