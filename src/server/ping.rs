//! `GET /api/service/ping`: `1` for a caller that passes the access checks.

use bytes::Bytes;
use hyper::StatusCode;

use super::access;
use super::request::ApiRequest;
use super::response::{self, Answer, Outcome};
use crate::scenario::Scenario;

/// Answers a ping.
pub fn answer(scenario: &Scenario, request: &ApiRequest<'_>) -> (Answer, Outcome<'static>) {
    match access::check(scenario, request) {
        Some(kind) => response::api_error(scenario.errors(), kind, None),
        None => (
            response::json(StatusCode::OK, Bytes::from_static(b"1")),
            Outcome::Pong,
        ),
    }
}
