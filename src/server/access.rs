//! The checks every API endpoint runs first, in the contract's order: peer
//! address (3), credentials present (4) and valid (5), and for the
//! endpoints that read parameters the body's size and readability after
//! them ([`admit`]). The method (2) comes before them, in the router.

use std::net::IpAddr;

use bytes::Bytes;
use hyper::HeaderMap;
use hyper::header::HeaderName;
use hyper::http::request::Parts;

use super::body::BodyError;
use super::response::{self, Reply};
use crate::api_error::ErrorKind;
use crate::scenario::{CredentialCheck, Scenario};

/// The credential headers; `HeaderMap` matches names case-insensitively.
/// Names, not strings: a string is parsed into a name on every look-up.
const API_KEY: HeaderName = HeaderName::from_static("api-key");
const API_USERNAME: HeaderName = HeaderName::from_static("api-username");

/// The first failing access check, or `None` when the request may go on.
/// The method (check 2) was checked before, by the router, which knows
/// each endpoint's one method.
pub fn check(scenario: &Scenario, parts: &Parts, peer: IpAddr) -> Option<ErrorKind> {
    let headers: &HeaderMap = &parts.headers;
    if !scenario.allows(peer) {
        return Some(ErrorKind::IpNotAllowed);
    }
    let header = |name: HeaderName| {
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

/// The access checks, then the body's (its size, that it could be read),
/// for the endpoints that read parameters: the body, or the scenario's
/// answer to the first check that fails.
pub fn admit(
    scenario: &Scenario,
    parts: &Parts,
    peer: IpAddr,
    body: Result<Bytes, BodyError>,
) -> Result<Bytes, Box<Reply>> {
    let errors = scenario.errors();
    if let Some(kind) = check(scenario, parts, peer) {
        return Err(Box::new(response::api_error(errors, kind, None).into()));
    }
    body.map_err(|unread| {
        let (kind, detail) = unread.kind();
        Box::new(response::api_error(errors, kind, detail).into())
    })
}
