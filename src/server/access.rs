//! The checks every API endpoint runs first, in the contract's order:
//! method (2), peer address (3), credentials present (4) and valid (5).

use std::net::IpAddr;

use hyper::{HeaderMap, Method};

use crate::api_error::ErrorKind;
use crate::scenario::{CredentialCheck, Scenario};

/// The credential headers; `HeaderMap` matches names case-insensitively.
const API_KEY: &str = "api-key";
const API_USERNAME: &str = "api-username";

/// The first failing access check, or `None` when the request may go on.
pub fn check(
    scenario: &Scenario,
    method: &Method,
    peer: IpAddr,
    headers: &HeaderMap,
) -> Option<ErrorKind> {
    if method != Method::GET {
        return Some(ErrorKind::MethodNotAllowed);
    }
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
