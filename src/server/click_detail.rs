//! `GET /api/transaction/click_detail`: the checks of the contract's error
//! table in order, then a lookup of a body rendered at load.

use std::net::IpAddr;

use bytes::Bytes;
use hyper::StatusCode;
use hyper::header::CONTENT_TYPE;
use hyper::http::request::Parts;

use super::access;
use super::body::BodyError;
use super::response::{self, HttpResponse, Outcome};
use crate::api_error::ErrorKind;
use crate::params;
use crate::scenario::Scenario;

/// Answers a click lookup.
pub async fn answer(
    scenario: &Scenario,
    parts: &Parts,
    peer: IpAddr,
    body: Result<Bytes, BodyError>,
) -> (HttpResponse, Outcome) {
    if let Some(kind) = access::check(scenario, &parts.method, peer, &parts.headers) {
        return response::api_error(scenario.errors(), kind, None);
    }
    let body = match body {
        Ok(body) => body,
        Err(BodyError::TooLarge) => {
            return response::api_error(scenario.errors(), ErrorKind::BodyTooLarge, None);
        }
        Err(BodyError::Unreadable(what)) => {
            return response::api_error(scenario.errors(), ErrorKind::MalformedBody, Some(&what));
        }
    };
    let lookup =
        match params::read_lookup(parts.headers.get(CONTENT_TYPE), body, parts.uri.query()).await {
            Ok(Some(lookup)) => lookup,
            Ok(None) => {
                return response::api_error(scenario.errors(), ErrorKind::MissingParameter, None);
            }
            Err(malformed) => {
                return response::api_error(
                    scenario.errors(),
                    ErrorKind::MalformedBody,
                    Some(&malformed.0),
                );
            }
        };
    match scenario.clicks().find(lookup.key, &lookup.value) {
        Some(found) => (
            response::json(StatusCode::OK, found.body.clone()),
            Outcome::Click(found.click_hash.to_string()),
        ),
        None => response::api_error(scenario.errors(), ErrorKind::NotFound, None),
    }
}
