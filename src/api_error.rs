//! The API's error answers: each kind of failure, its default status and
//! message, the `{"result":"error","message":...}` envelope, and a scenario's
//! `errors:` overrides.

use bytes::Bytes;
use hyper::StatusCode;

use crate::render;

/// Every way a request to the API can fail, in the order the checks run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The path is not a known endpoint.
    InvalidEndpoint,
    /// The method is not GET.
    MethodNotAllowed,
    /// The peer address is not in the scenario's `allowed_ips`.
    IpNotAllowed,
    /// `api-key` or `api-username` is missing or empty.
    MissingCredentials,
    /// The credential pair is not one of the scenario's.
    InvalidCredentials,
    /// The body is over the 64 KiB cap.
    BodyTooLarge,
    /// The body cannot be read as its Content-Type says.
    MalformedBody,
    /// None of `transaction_hash`, `subscription_id`, `orderid` was given.
    MissingParameter,
    /// Nothing in the scenario matches the lookup.
    NotFound,
    /// A lifecycle action names no transaction of the scenario.
    TransactionNotFound,
    /// The transaction was already voided, charged back or reversed.
    EventExists,
    /// A required field or flag of an action is missing (a chargeback's
    /// `type`, a reversal's `reverse`).
    MissingField,
    /// A parameter's value cannot be used (`Invalid amount`, `Invalid type`).
    InvalidValue,
}

impl ErrorKind {
    /// All kinds, in check order.
    pub const ALL: [ErrorKind; 13] = [
        ErrorKind::InvalidEndpoint,
        ErrorKind::MethodNotAllowed,
        ErrorKind::IpNotAllowed,
        ErrorKind::MissingCredentials,
        ErrorKind::InvalidCredentials,
        ErrorKind::BodyTooLarge,
        ErrorKind::MalformedBody,
        ErrorKind::MissingParameter,
        ErrorKind::NotFound,
        ErrorKind::TransactionNotFound,
        ErrorKind::EventExists,
        ErrorKind::MissingField,
        ErrorKind::InvalidValue,
    ];

    /// The name used in scenarios (`errors:`) and in logs.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::InvalidEndpoint => "invalid_endpoint",
            ErrorKind::MethodNotAllowed => "method_not_allowed",
            ErrorKind::IpNotAllowed => "ip_not_allowed",
            ErrorKind::MissingCredentials => "missing_credentials",
            ErrorKind::InvalidCredentials => "invalid_credentials",
            ErrorKind::BodyTooLarge => "body_too_large",
            ErrorKind::MalformedBody => "malformed_body",
            ErrorKind::MissingParameter => "missing_parameter",
            ErrorKind::NotFound => "not_found",
            ErrorKind::TransactionNotFound => "transaction_not_found",
            ErrorKind::EventExists => "event_exists",
            ErrorKind::MissingField => "missing_field",
            ErrorKind::InvalidValue => "invalid_value",
        }
    }

    /// The kind a scenario names, if it is one.
    pub fn from_name(name: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The status of the contract's error table.
    pub fn default_status(self) -> StatusCode {
        match self {
            ErrorKind::InvalidEndpoint | ErrorKind::NotFound | ErrorKind::TransactionNotFound => {
                StatusCode::NOT_FOUND
            }
            ErrorKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorKind::IpNotAllowed => StatusCode::FORBIDDEN,
            ErrorKind::MissingCredentials | ErrorKind::InvalidCredentials => {
                StatusCode::UNAUTHORIZED
            }
            ErrorKind::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorKind::MalformedBody
            | ErrorKind::MissingParameter
            | ErrorKind::EventExists
            | ErrorKind::MissingField
            | ErrorKind::InvalidValue => StatusCode::BAD_REQUEST,
        }
    }

    /// The message of the contract's error table (`malformed_body` adds what was wrong).
    pub fn default_message(self) -> &'static str {
        match self {
            ErrorKind::InvalidEndpoint => "Invalid endpoint",
            ErrorKind::MethodNotAllowed => "Invalid request method",
            ErrorKind::IpNotAllowed => "IP address not allowed",
            ErrorKind::MissingCredentials => "Missing api-key or api-username header",
            ErrorKind::InvalidCredentials => "Invalid api-key or api-username",
            ErrorKind::BodyTooLarge => "Request body too large",
            ErrorKind::MalformedBody => "Malformed request body",
            ErrorKind::MissingParameter => {
                "Missing parameter: pass transaction_hash, subscription_id or orderid"
            }
            ErrorKind::NotFound => "Click not found",
            ErrorKind::TransactionNotFound => "Transaction not found",
            ErrorKind::EventExists => "Transaction exists.",
            ErrorKind::MissingField => "Missing required field.",
            ErrorKind::InvalidValue => "Invalid value",
        }
    }
}

/// A scenario's replacement for one error kind's status and/or message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorOverride {
    /// The status to answer with instead of the default.
    pub status: Option<StatusCode>,
    /// The whole message instead of the default (no detail is appended).
    pub message: Option<String>,
}

/// One kind's answer, rendered once when the scenario loads.
#[derive(Debug, Clone)]
struct PreparedError {
    status: StatusCode,
    /// `None` for a default `malformed_body`, whose message names the problem.
    body: Option<Bytes>,
    /// Whether the scenario set the message.
    message_overridden: bool,
}

/// The error answers of one scenario: the defaults with its overrides applied.
#[derive(Debug, Clone)]
pub struct ErrorTable {
    prepared: [PreparedError; 13],
}

impl ErrorTable {
    /// Builds the table from a scenario's overrides.
    pub fn new(overrides: &[(ErrorKind, ErrorOverride)]) -> Self {
        let prepared = ErrorKind::ALL.map(|kind| {
            let found = overrides.iter().find(|(k, _)| *k == kind).map(|(_, o)| o);
            let status = found
                .and_then(|o| o.status)
                .unwrap_or(kind.default_status());
            let message = found.and_then(|o| o.message.as_deref());
            let body = match (kind, message) {
                (_, Some(m)) => Some(render::error_body(m)),
                (ErrorKind::MalformedBody, None) => None,
                (_, None) => Some(render::error_body(kind.default_message())),
            };
            PreparedError {
                status,
                body,
                message_overridden: message.is_some(),
            }
        });
        ErrorTable { prepared }
    }

    /// Status and body for `kind`; `detail` says what was wrong for a malformed body.
    pub fn answer(&self, kind: ErrorKind, detail: Option<&str>) -> (StatusCode, Bytes) {
        // `ALL` lists the kinds in declaration order, so a kind is its own index.
        let prepared = &self.prepared[kind as usize];
        let body = match &prepared.body {
            Some(body) => body.clone(),
            None => {
                let base = kind.default_message();
                match detail {
                    Some(detail) => render::error_body(&format!("{base}: {detail}")),
                    None => render::error_body(base),
                }
            }
        };
        (prepared.status, body)
    }
}

impl ErrorTable {
    /// Status and body for `kind`, saying `message` unless the scenario
    /// overrides the kind's message: for kinds whose text depends on the
    /// request (`Missing parameter: amount`, `Void transaction exists.`).
    pub fn answer_saying(&self, kind: ErrorKind, message: &str) -> (StatusCode, Bytes) {
        let prepared = &self.prepared[kind as usize];
        let body = match &prepared.body {
            Some(body) if prepared.message_overridden => body.clone(),
            _ => render::error_body(message),
        };
        (prepared.status, body)
    }
}

impl Default for ErrorTable {
    fn default() -> Self {
        ErrorTable::new(&[])
    }
}
