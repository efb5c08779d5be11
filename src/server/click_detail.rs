//! `GET /api/transaction/click_detail`: the checks of the contract's error
//! table in order, then a lookup of a body rendered at load.

use bytes::Bytes;
use hyper::StatusCode;

use super::access;
use super::body::BodyError;
use super::request::ApiRequest;
use super::response::{self, Outcome, Reply};
use crate::api_error::ErrorKind;
use crate::params;
use crate::scenario::Scenario;

/// Answers a click lookup.
pub async fn answer<'s>(
    scenario: &'s Scenario,
    request: &ApiRequest<'_>,
    body: Result<Bytes, BodyError>,
) -> Reply<'s> {
    let body = match access::admit(scenario, request, body) {
        Ok(body) => body,
        Err(refused) => return *refused,
    };
    let errors = scenario.errors();
    let lookup = match params::read_lookup(request.content_type, body, request.query).await {
        Ok(Some(lookup)) => lookup,
        Ok(None) => {
            return response::api_error(errors, ErrorKind::MissingParameter, None).into();
        }
        Err(malformed) => {
            return response::api_error(errors, ErrorKind::MalformedBody, Some(&malformed.0))
                .into();
        }
    };
    let clicks = scenario.clicks();
    // Lookups read the lifecycle's state without waiting for an action.
    let ledger = scenario.ledger().current();
    let found = clicks.find(lookup.key, &lookup.value).or_else(|| {
        // What actions added finds its click too: an event's or a
        // conversion's hash, a conversion's order or subscription.
        ledger
            .click_of_lookup(lookup.key, &lookup.value)
            .map(|i| clicks.at(i))
    });
    let click_hash = found.as_ref().map(|found| found.click_hash);
    let (answer, outcome, behaviour) = match found {
        Some(found) => {
            // A click no action touched answers with its body rendered at
            // load; a captured `response:` always answers verbatim.
            let body = match ledger.body(found.index) {
                Some(changed) if !clicks.is_captured(found.index) => changed,
                _ => found.body,
            };
            (
                response::json(StatusCode::OK, body.clone()),
                Outcome::Click(found.click_hash),
                found.behaviour.cloned(),
            )
        }
        None => {
            let (answer, outcome) = response::api_error(errors, ErrorKind::NotFound, None);
            (answer, outcome, None)
        }
    };
    Reply {
        answer,
        outcome,
        decided: Some(lookup.into()),
        behaviour,
        click_hash,
    }
}
