//! The checks every API endpoint runs first, in the contract's order: peer
//! address (3), credentials present (4) and valid (5), and for the
//! endpoints that read parameters the body's size and readability after
//! them ([`admit`]). The method (2) comes before them, in the router.

use bytes::Bytes;

use super::body::BodyError;
use super::request::{ApiRequest, sent};
use super::response::{self, Reply};
use crate::api_error::ErrorKind;
use crate::scenario::{CredentialCheck, Scenario};

/// The first failing access check, or `None` when the request may go on.
/// The method (check 2) was checked before, by the router, which knows
/// each endpoint's one method.
pub fn check(scenario: &Scenario, request: &ApiRequest<'_>) -> Option<ErrorKind> {
    if !scenario.allows(request.peer) {
        return Some(ErrorKind::IpNotAllowed);
    }
    let (Some(api_key), Some(username)) = (sent(request.api_key), sent(request.api_username))
    else {
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
    request: &ApiRequest<'_>,
    body: Result<Bytes, BodyError>,
) -> Result<Bytes, Box<Reply<'static>>> {
    let errors = scenario.errors();
    if let Some(kind) = check(scenario, request) {
        return Err(Box::new(response::api_error(errors, kind, None).into()));
    }
    body.map_err(|unread| {
        let (kind, detail) = unread.kind();
        Box::new(response::api_error(errors, kind, detail).into())
    })
}
