//! The checks every API endpoint runs first, in the contract's order:
//! method (2), peer address (3), credentials present (4) and valid (5).
//! Each endpoint takes one method: GET for the lookup and ping, the
//! lifecycle's own for each of its actions.

use std::net::IpAddr;

use hyper::http::request::Parts;
use hyper::{HeaderMap, Method};

use crate::api_error::ErrorKind;
use crate::scenario::{CredentialCheck, Scenario};

/// The credential headers; `HeaderMap` matches names case-insensitively.
const API_KEY: &str = "api-key";
const API_USERNAME: &str = "api-username";

/// The first failing access check of a request to an endpoint that takes
/// `expected`, or `None` when the request may go on.
pub fn check(
    scenario: &Scenario,
    expected: &Method,
    parts: &Parts,
    peer: IpAddr,
) -> Option<ErrorKind> {
    if parts.method != expected {
        return Some(ErrorKind::MethodNotAllowed);
    }
    let headers: &HeaderMap = &parts.headers;
    if !scenario.allows(peer) {
        return Some(ErrorKind::IpNotAllowed);
    }
    let header = |name| {
        headers
            .get(name)
            .map(|v: &hyper::header::HeaderValue| v.as_bytes())
            .filter(|v| !v.is_empty())
    };
    let (Some(api_key), Some(username)) = (header(API_KEY), header(API_USERNAME)) else {
        return Some(ErrorKind::MissingCredentials);
    };
    match scenario.check_credentials(username, api_key) {
        CredentialCheck::Valid => None,
        CredentialCheck::Invalid => Some(ErrorKind::InvalidCredentials),
    }
}
