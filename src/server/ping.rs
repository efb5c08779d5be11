//! `GET /api/service/ping`: `1` for a caller that passes the access checks.

use std::net::IpAddr;

use bytes::Bytes;
use hyper::StatusCode;
use hyper::http::request::Parts;

use super::access;
use super::response::{self, Answer, Outcome};
use crate::scenario::Scenario;

/// Answers a ping.
pub fn answer(scenario: &Scenario, parts: &Parts, peer: IpAddr) -> (Answer, Outcome) {
    match access::check(scenario, parts, peer) {
        Some(kind) => response::api_error(scenario.errors(), kind, None),
        None => (
            response::json(StatusCode::OK, Bytes::from_static(b"1")),
            Outcome::Pong,
        ),
    }
}
