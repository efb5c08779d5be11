//! JSON responses, and the outcome of a request as its log line names it.

use std::fmt;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};

use crate::api_error::{ErrorKind, ErrorTable};

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
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Error(kind) => write!(f, "error={}", kind.name()),
            Outcome::Click(hash) => write!(f, "click={hash}"),
            Outcome::Pong => f.write_str("ping"),
            Outcome::Admin => f.write_str("admin"),
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
