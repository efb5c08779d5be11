//! Which endpoint answers a request, from which scenario; the journal entry
//! and the one log line per request ([`super::request_log`]).

use std::borrow::Cow;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use hyper::body::Incoming;
use hyper::header::{CONNECTION, HeaderValue};
use hyper::{Method, Request};

use hyper::http::request::Parts;

use super::action::Action;
use super::admin::{self, AdminEndpoint};
use super::admin_input;
use super::admin_token;
use super::body::{self, BodyRead};
use super::faults::{self, Admission, DropConnection};
use super::request::{ApiRequest, sent};
use super::request_log::RequestLine;
use super::response::{self, HttpResponse, Outcome, Reply};
use super::state::MockState;
use super::{click_detail, lifecycle, ping};
use crate::api_error::ErrorKind;
use crate::journal::Received;
use crate::scenario::Scenario;

/// The endpoints the mock serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/api/transaction/click_detail` and its alias `click_details`.
    ClickDetail,
    /// `/api/service/ping`.
    Ping,
    /// One of the transaction lifecycle's actions.
    Action(Action),
    /// A path under `/__mock/`: one of the admin endpoints, or none.
    Admin(Option<AdminEndpoint>),
    /// Anything else.
    Unknown,
}

impl Endpoint {
    /// The one method an API endpoint takes, as its 405's `Allow` names it.
    pub fn allow(self) -> Option<&'static str> {
        match self {
            Endpoint::ClickDetail | Endpoint::Ping => Some("GET"),
            Endpoint::Action(action) => Some(action.allow()),
            Endpoint::Admin(_) | Endpoint::Unknown => None,
        }
    }

    /// Whether a request with `method` gets past the contract's first two
    /// checks (a known path, its method) to the ones a scenario decides.
    pub fn takes(self, method: &Method) -> bool {
        self.allow() == Some(method.as_str())
    }

    /// The API operation `path` (which names this endpoint) is, as its
    /// `operationId` in the OpenAPI document: the metrics' `operation`
    /// label. `unknown` for a path the API does not have, `admin` for the
    /// mock's own.
    pub fn operation_id(self, path: &str) -> &'static str {
        match self {
            Endpoint::ClickDetail if path.ends_with('s') => "clickDetails",
            Endpoint::ClickDetail => "clickDetail",
            Endpoint::Ping => "ping",
            Endpoint::Action(action) => action.operation_id(),
            Endpoint::Admin(_) => "admin",
            Endpoint::Unknown => "unknown",
        }
    }

    /// The endpoint `path` names.
    pub fn of(path: &str) -> Endpoint {
        match path {
            "/api/transaction/click_detail" | "/api/transaction/click_details" => {
                Endpoint::ClickDetail
            }
            "/api/service/ping" => Endpoint::Ping,
            p if p.starts_with("/__mock/") => Endpoint::Admin(AdminEndpoint::of(p)),
            p => Action::of(p).map_or(Endpoint::Unknown, Endpoint::Action),
        }
    }
}

/// Answers requests from the mock's scenarios and keeps the journal.
#[derive(Debug)]
pub struct Router {
    state: Arc<MockState>,
}

impl Router {
    /// A router over `state`.
    pub fn new(state: Arc<MockState>) -> Self {
        Router { state }
    }

    /// Answers one request, logs it, and journals it unless it was an admin
    /// call. `Err` asks for the connection to be closed without an answer.
    pub async fn handle(
        &self,
        request: Request<Incoming>,
        peer: SocketAddr,
    ) -> Result<HttpResponse, DropConnection> {
        let started = Instant::now();
        let (parts, incoming) = request.into_parts();
        tracing::debug!(method = %parts.method, path = parts.uri.path(), "request received");
        let BodyRead {
            content,
            close_connection,
        } = body::read(incoming).await;
        let endpoint = Endpoint::of(parts.uri.path());
        let mut dropped = false;
        // The scenario that answers, held so its name is borrowed, not copied.
        let answering: Arc<Scenario>;
        let (mut answer, outcome, scenario) = if let Endpoint::Admin(admin) = endpoint {
            let answer = match self.state.admin_token() {
                Some(token) if !AdminEndpoint::is_open(admin) && !token.admits(&parts.headers) => {
                    admin_token::refused()
                }
                _ => admin::answer(&self.state, admin, &parts, content).await,
            };
            (answer, Outcome::Admin, None)
        } else {
            let arrived = SystemTime::now();
            let seq = self.state.journal().next_seq();
            let request = ApiRequest::of(&parts, peer.ip());
            let requested = sent(request.scenario).map(String::from_utf8_lossy);
            let chosen = match self.state.scenario_for(requested.as_deref()) {
                // The path (check 1) and the method (check 2) come before the
                // header: an unknown name does not hide a 404 or a 405, which
                // the active scenario answers then.
                Err(_) if !endpoint.takes(&parts.method) => self.state.scenario_for(None),
                chosen => chosen,
            };
            let (reply, scenario) = match chosen {
                Ok(scenario) => {
                    answering = scenario;
                    let (reply, drop) =
                        answer_api(endpoint, &answering, &parts.method, &request, content).await;
                    dropped = drop.is_some();
                    (reply, Cow::Borrowed(answering.name()))
                }
                Err(unknown) => {
                    let answer = admin_input::unknown_scenario(&unknown);
                    (
                        Reply::from((answer, Outcome::UnknownScenario)),
                        Cow::Owned(unknown.name),
                    )
                }
            };
            self.journal(seq, arrived, &parts, &scenario, &reply, dropped);
            (reply.answer, reply.outcome, Some(scenario))
        };
        if close_connection {
            answer
                .headers
                .insert(CONNECTION, HeaderValue::from_static("close"));
        }
        let took = started.elapsed();
        let status = (!dropped).then(|| answer.status.as_u16());
        if let Some(scenario) = scenario.as_deref() {
            self.count(endpoint, parts.uri.path(), status, scenario, &outcome, took);
        }
        RequestLine {
            method: &parts.method,
            path: parts.uri.path(),
            scenario: scenario.as_deref(),
            status,
            outcome: &outcome,
            latency_us: u64::try_from(took.as_micros()).unwrap_or(u64::MAX),
        }
        .log();
        if dropped {
            return Err(DropConnection);
        }
        // The one place an answer becomes a hyper response.
        Ok(answer.into_response())
    }

    /// Counts an API request in the metrics. A scenario a request named
    /// that is not loaded is no label: it came from the client.
    fn count(
        &self,
        endpoint: Endpoint,
        path: &str,
        status: Option<u16>,
        scenario: &str,
        outcome: &Outcome<'_>,
        took: std::time::Duration,
    ) {
        let metrics = self.state.metrics();
        let scenario = match outcome {
            Outcome::UnknownScenario => crate::metrics::NO_SCENARIO,
            _ => scenario,
        };
        metrics.request(endpoint.operation_id(path), status, scenario, took);
        match outcome {
            Outcome::Fault(fault) => metrics.fault(fault.name(), scenario),
            Outcome::RateLimited => metrics.fault("rate_limit", scenario),
            _ => {}
        }
    }

    fn journal(
        &self,
        seq: u64,
        time: SystemTime,
        parts: &Parts,
        scenario: &str,
        reply: &Reply,
        dropped: bool,
    ) {
        let journal = self.state.journal();
        if !journal.is_on() {
            return;
        }
        // The journal cuts every text a client chose; nothing is copied whole.
        journal.record(Received {
            seq,
            time,
            method: parts.method.as_str(),
            path: parts.uri.path(),
            scenario,
            parameter: reply.decided.as_ref().map(|d| d.parameter),
            value: reply.decided.as_ref().map(|d| d.value.as_str()),
            outcome: reply.outcome.name(),
            click_hash: reply.click_hash,
            status: (!dropped).then(|| reply.answer.status.as_u16()),
        });
    }
}

/// Answers an API request (or an unknown path) from `scenario`, with the
/// scenario's rate limit and faults applied to the API endpoints.
async fn answer_api<'s>(
    endpoint: Endpoint,
    scenario: &'s Scenario,
    method: &Method,
    request: &ApiRequest<'_>,
    content: Result<bytes::Bytes, body::BodyError>,
) -> (Reply<'s>, Option<DropConnection>) {
    if matches!(endpoint, Endpoint::Admin(_) | Endpoint::Unknown) {
        let reply = response::api_error(scenario.errors(), ErrorKind::InvalidEndpoint, None);
        return (reply.into(), None);
    }
    let rule = match faults::before(scenario) {
        Admission::Answer(rule) => rule,
        Admission::Refused(reply) => return (*reply, None),
    };
    // Check 2, for every API endpoint: its one method.
    let reply = match endpoint {
        _ if !endpoint.takes(method) => {
            let (mut answer, outcome) =
                response::api_error(scenario.errors(), ErrorKind::MethodNotAllowed, None);
            if let Some(allow) = endpoint.allow() {
                answer
                    .headers
                    .insert(hyper::header::ALLOW, HeaderValue::from_static(allow));
            }
            (answer, outcome).into()
        }
        Endpoint::ClickDetail => click_detail::answer(scenario, request, content).await,
        Endpoint::Action(action) => lifecycle::answer(scenario, action, request, content).await,
        _ => ping::answer(scenario, request).into(),
    };
    faults::after(scenario, rule, reply).await
}
