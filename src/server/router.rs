//! Which endpoint answers a request, and the one log line per request
//! (method, path, status, outcome, latency; never a header value).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use hyper::Request;
use hyper::body::Incoming;
use hyper::header::{CONNECTION, HeaderValue};

use super::body::{self, BodyRead};
use super::response::{self, HttpResponse, Outcome};
use super::{admin, click_detail, ping};
use crate::api_error::ErrorKind;
use crate::scenario::Scenario;

/// The endpoints the mock serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/api/transaction/click_detail` and its alias `click_details`.
    ClickDetail,
    /// `/api/service/ping`.
    Ping,
    /// `/__mock/health`.
    Health,
    /// Any other `/__mock/` path.
    UnknownAdmin,
    /// Anything else.
    Unknown,
}

impl Endpoint {
    /// The endpoint `path` names.
    pub fn of(path: &str) -> Endpoint {
        match path {
            "/api/transaction/click_detail" | "/api/transaction/click_details" => {
                Endpoint::ClickDetail
            }
            "/api/service/ping" => Endpoint::Ping,
            "/__mock/health" => Endpoint::Health,
            p if p.starts_with("/__mock/") => Endpoint::UnknownAdmin,
            _ => Endpoint::Unknown,
        }
    }
}

/// Answers requests from one scenario.
#[derive(Debug)]
pub struct Router {
    scenario: Arc<Scenario>,
}

impl Router {
    /// A router serving `scenario`.
    pub fn new(scenario: Arc<Scenario>) -> Self {
        Router { scenario }
    }

    /// Answers one request and logs it.
    pub async fn handle(&self, request: Request<Incoming>, peer: SocketAddr) -> HttpResponse {
        let started = Instant::now();
        let (parts, incoming) = request.into_parts();
        tracing::debug!(method = %parts.method, path = parts.uri.path(), "request received");
        let BodyRead {
            content,
            close_connection,
        } = body::read(incoming, &parts.headers).await;
        let scenario = &self.scenario;
        let (mut response, outcome) = match Endpoint::of(parts.uri.path()) {
            Endpoint::ClickDetail => {
                click_detail::answer(scenario, &parts, peer.ip(), content).await
            }
            Endpoint::Ping => ping::answer(scenario, &parts, peer.ip()),
            Endpoint::Health => admin::health(scenario, &parts.method),
            Endpoint::UnknownAdmin => {
                let (response, _) = response::api_error(
                    response::contract_errors(),
                    ErrorKind::InvalidEndpoint,
                    None,
                );
                (response, Outcome::Admin)
            }
            Endpoint::Unknown => {
                response::api_error(scenario.errors(), ErrorKind::InvalidEndpoint, None)
            }
        };
        if close_connection {
            response
                .headers_mut()
                .insert(CONNECTION, HeaderValue::from_static("close"));
        }
        tracing::info!(
            method = %parts.method,
            path = parts.uri.path(),
            status = response.status().as_u16(),
            outcome = %outcome,
            latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
            "request"
        );
        response
    }
}
