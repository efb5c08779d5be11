//! The mock's own endpoints under `/__mock/`: no credentials, no address
//! rules; they belong to the test harness, not to the imitated API.
//!
//! | method, path | answer |
//! |---|---|
//! | `GET /__mock/health` | status, active scenario, its counts, the journal's use, `last_reload_error` |
//! | `GET /__mock/scenario` | the active scenario and every loaded one |
//! | `PUT /__mock/scenario` | `{"name":"..."}` makes that one active |
//! | `GET /__mock/credentials` | the credential pairs of the active scenario, or of `?scenario=NAME`, in file order |
//! | `POST /__mock/reload` | reads the scenarios again; 422 with the problems |
//! | `GET /__mock/requests` | a page of the journal, oldest first: `?limit=N` the newest N (1000 at most and by default); `&after=SEQ` those past SEQ |
//! | `DELETE /__mock/requests` | clears the journal |
//! | `POST /__mock/reset` | restarts every scenario's fault counters and rate windows |
//! | `POST /__mock/verify` | `{"expect":[...]}`: 200 when the journal meets every expectation, else 422 |
//! | `GET /__mock/openapi.yaml` | the OpenAPI document of the API and of this admin API |
//! | `GET /__mock/metrics` | requests, faults, postbacks, the journal, reloads, in the Prometheus text format |
//! | `/__mock/conversions`, `/__mock/postbacks`, `/__mock/postbacks/targets` | conversions and postbacks ([`super::postbacks`]) |
//! | `GET /__mock/ui`, `/__mock/ui/app.js`, `/__mock/ui/style.css` | the QA console ([`super::ui`]) |

use bytes::Bytes;
use hyper::header::{self, HeaderValue};
use hyper::http::request::Parts;
use hyper::{Method, StatusCode};
use serde::{Deserialize, Serialize};

use super::admin_input::{
    NotAnObject, chosen, from_object, scenario_in, unknown_scenario, whole_number,
};
use super::body::BodyError;
use super::postbacks;
use super::response::{self, Answer};
use super::state::{MockState, ReloadFailure, ReportedProblem};
use super::ui::UiAsset;
use crate::api_error::ErrorKind;
use crate::journal::{self, JournalEntry, JournalUsage};
use crate::scenario::Scenario;
use crate::scenario::faults::CounterValues;
use crate::scenario::lifecycle::AppliedEvent;
use crate::verification::{self, Expectation, Failure, VerifyError};

/// The admin endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminEndpoint {
    /// `/__mock/health`.
    Health,
    /// `/__mock/scenario`.
    Scenario,
    /// `/__mock/credentials`.
    Credentials,
    /// `/__mock/reload`.
    Reload,
    /// `/__mock/requests`.
    Requests,
    /// `/__mock/reset`.
    Reset,
    /// `/__mock/verify`.
    Verify,
    /// `/__mock/openapi.yaml`.
    OpenApi,
    /// `/__mock/metrics`.
    Metrics,
    /// `/__mock/conversions`.
    Conversions,
    /// `/__mock/postbacks`.
    Postbacks,
    /// `/__mock/postbacks/targets`.
    PostbackTargets,
    /// `/__mock/ui` and its files: the QA console.
    Ui(UiAsset),
}

impl AdminEndpoint {
    /// The endpoint at `path`, if any.
    pub fn of(path: &str) -> Option<AdminEndpoint> {
        match path {
            "/__mock/health" => Some(AdminEndpoint::Health),
            "/__mock/scenario" => Some(AdminEndpoint::Scenario),
            "/__mock/credentials" => Some(AdminEndpoint::Credentials),
            "/__mock/reload" => Some(AdminEndpoint::Reload),
            "/__mock/requests" => Some(AdminEndpoint::Requests),
            "/__mock/reset" => Some(AdminEndpoint::Reset),
            "/__mock/verify" => Some(AdminEndpoint::Verify),
            "/__mock/openapi.yaml" => Some(AdminEndpoint::OpenApi),
            "/__mock/metrics" => Some(AdminEndpoint::Metrics),
            "/__mock/conversions" => Some(AdminEndpoint::Conversions),
            "/__mock/postbacks" => Some(AdminEndpoint::Postbacks),
            "/__mock/postbacks/targets" => Some(AdminEndpoint::PostbackTargets),
            _ => UiAsset::of(path).map(AdminEndpoint::Ui),
        }
    }

    /// Whether it answers without the admin token: the health check (for
    /// `wait` and health checks) and the QA console's page and files (which
    /// a browser loads without headers, and which hold no data).
    pub fn is_open(endpoint: Option<AdminEndpoint>) -> bool {
        matches!(endpoint, Some(AdminEndpoint::Health | AdminEndpoint::Ui(_)))
    }

    /// The methods it answers, as `Allow` lists them.
    fn allow(self) -> &'static str {
        match self {
            AdminEndpoint::Health => "GET",
            AdminEndpoint::Scenario => "GET, PUT",
            AdminEndpoint::Reload => "POST",
            AdminEndpoint::Requests => "GET, DELETE",
            AdminEndpoint::Reset => "POST",
            AdminEndpoint::Verify | AdminEndpoint::Conversions => "POST",
            AdminEndpoint::Postbacks | AdminEndpoint::Credentials => "GET",
            AdminEndpoint::PostbackTargets => "GET, PUT",
            AdminEndpoint::OpenApi | AdminEndpoint::Metrics | AdminEndpoint::Ui(_) => "GET",
        }
    }
}

/// Answers an admin request. With the admin API turned off, only `health`
/// answers; every other path is an unknown endpoint.
pub async fn answer(
    state: &MockState,
    endpoint: Option<AdminEndpoint>,
    parts: &Parts,
    body: Result<Bytes, BodyError>,
) -> Answer {
    let errors = response::contract_errors();
    let endpoint = match endpoint {
        Some(AdminEndpoint::Health) => AdminEndpoint::Health,
        Some(endpoint) if state.admin_enabled() => endpoint,
        _ => return response::api_error(errors, ErrorKind::InvalidEndpoint, None).0,
    };
    match (endpoint, &parts.method) {
        (AdminEndpoint::Health, &Method::GET) => health(state),
        (AdminEndpoint::Scenario, &Method::GET) => scenarios(state),
        (AdminEndpoint::Scenario, &Method::PUT) => switch(state, body).await,
        (AdminEndpoint::Credentials, &Method::GET) => credentials(state, parts.uri.query()),
        (AdminEndpoint::Reload, &Method::POST) => reload(state).await,
        (AdminEndpoint::Requests, &Method::GET) => requests(state, parts.uri.query()),
        (AdminEndpoint::Requests, &Method::DELETE) => clear_requests(state),
        (AdminEndpoint::Reset, &Method::POST) => reset(state),
        (AdminEndpoint::Verify, &Method::POST) => verify(state, body),
        (AdminEndpoint::OpenApi, &Method::GET) => openapi(state),
        (AdminEndpoint::Metrics, &Method::GET) => metrics(state),
        (AdminEndpoint::Conversions, &Method::POST) => postbacks::convert(state, body),
        (AdminEndpoint::Postbacks, &Method::GET) => postbacks::log(state, parts.uri.query()).await,
        (AdminEndpoint::PostbackTargets, &Method::GET) => {
            postbacks::targets(state, parts.uri.query())
        }
        (AdminEndpoint::PostbackTargets, &Method::PUT) => {
            postbacks::replace_targets(state, parts.uri.query(), body)
        }
        (AdminEndpoint::Ui(asset), &Method::GET) => asset.answer(),
        (endpoint, _) => {
            let (mut response, _) = response::api_error(errors, ErrorKind::MethodNotAllowed, None);
            response
                .headers
                .insert(header::ALLOW, HeaderValue::from_static(endpoint.allow()));
            response
        }
    }
}

#[derive(Serialize)]
struct Health<'a> {
    status: &'static str,
    scenario: &'a str,
    clicks: usize,
    transactions: usize,
    events: u64,
    counters: CounterValues,
    journal: JournalHealth,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_reload_error: Option<&'a ReloadFailure>,
}

/// What the journal holds, and its caps.
#[derive(Serialize)]
struct JournalHealth {
    entries: usize,
    bytes: usize,
    max_entries: usize,
    max_bytes: usize,
}

impl JournalHealth {
    fn of(journal: &journal::Journal) -> JournalHealth {
        let JournalUsage { entries, bytes } = journal.usage();
        JournalHealth {
            entries,
            bytes,
            max_entries: journal.capacity(),
            max_bytes: journal.max_bytes(),
        }
    }
}

/// `GET /__mock/health`: the active scenario and its counts, what the
/// journal holds, and what the last reload found wrong until one succeeds.
fn health(state: &MockState) -> Answer {
    let snapshot = state.snapshot();
    let failure = state.last_reload_error();
    response::json_value(
        StatusCode::OK,
        &Health {
            status: "ok",
            scenario: snapshot.active.name(),
            clicks: snapshot.active.clicks().clicks(),
            transactions: snapshot.active.clicks().transactions(),
            events: snapshot.active.events(),
            counters: snapshot.active.counters().values(),
            journal: JournalHealth::of(state.journal()),
            last_reload_error: failure.as_deref(),
        },
    )
}

#[derive(Serialize)]
struct ScenarioSummary<'a> {
    name: &'a str,
    description: &'a str,
    clicks: usize,
    transactions: usize,
    events: u64,
    counters: CounterValues,
    event_log: Vec<EventSummary>,
}

/// One lifecycle event applied to a scenario's data.
#[derive(Serialize)]
struct EventSummary {
    kind: &'static str,
    transaction_hash: String,
    event_hash: String,
    /// Unix seconds, as a string, as the event transaction's `time` says it.
    time: String,
}

impl From<AppliedEvent> for EventSummary {
    fn from(event: AppliedEvent) -> Self {
        EventSummary {
            kind: event.kind.name(),
            transaction_hash: event.transaction_hash,
            event_hash: event.event_hash,
            time: event.time.to_string(),
        }
    }
}

impl<'a> From<&'a Scenario> for ScenarioSummary<'a> {
    fn from(scenario: &'a Scenario) -> Self {
        ScenarioSummary {
            name: scenario.name(),
            description: scenario.description(),
            clicks: scenario.clicks().clicks(),
            transactions: scenario.clicks().transactions(),
            events: scenario.events(),
            counters: scenario.counters().values(),
            event_log: scenario
                .applied_events()
                .into_iter()
                .map(EventSummary::from)
                .collect(),
        }
    }
}

#[derive(Serialize)]
struct Scenarios<'a> {
    active: &'a str,
    scenarios: Vec<ScenarioSummary<'a>>,
}

/// `GET /__mock/scenario`.
fn scenarios(state: &MockState) -> Answer {
    let snapshot = state.snapshot();
    let scenarios = snapshot.catalog.scenarios().iter();
    response::json_value(
        StatusCode::OK,
        &Scenarios {
            active: snapshot.active.name(),
            scenarios: scenarios.map(|s| ScenarioSummary::from(&**s)).collect(),
        },
    )
}

#[derive(Serialize)]
struct ScenarioCredentials<'a> {
    scenario: &'a str,
    credentials: Vec<CredentialPair<'a>>,
}

#[derive(Serialize)]
struct CredentialPair<'a> {
    username: &'a str,
    api_key: &'a str,
}

/// `GET /__mock/credentials[?scenario=NAME]`: the pairs a scenario's files
/// give it, in file order, for the console's Try a request to fill in. They
/// are fixture data, as readable as the files; the `api-key` a request sent
/// is never kept, so it cannot show here.
fn credentials(state: &MockState, query: Option<&str>) -> Answer {
    let scenario = match chosen(state, scenario_in(query).as_deref()) {
        Ok(scenario) => scenario,
        Err(answer) => return *answer,
    };
    response::json_value(
        StatusCode::OK,
        &ScenarioCredentials {
            scenario: scenario.name(),
            credentials: scenario
                .credentials()
                .map(|(username, api_key)| CredentialPair { username, api_key })
                .collect(),
        },
    )
}

/// `GET /__mock/metrics`: the Prometheus text format.
fn metrics(state: &MockState) -> Answer {
    let usage = state.journal().usage();
    Answer {
        status: StatusCode::OK,
        headers: header::HeaderMap::new(),
        body: Bytes::from(state.metrics().page(usage.entries, usage.bytes)),
    }
    .with_header(
        header::CONTENT_TYPE,
        HeaderValue::from_static(crate::metrics::CONTENT_TYPE),
    )
}

/// `GET /__mock/openapi.yaml`, naming the scenarios loaded now.
fn openapi(state: &MockState) -> Answer {
    let snapshot = state.snapshot();
    super::openapi::answer(&snapshot.catalog.names())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Switch {
    name: String,
}

#[derive(Serialize)]
struct Switched<'a> {
    result: &'static str,
    active: &'a str,
    previous: &'a str,
}

/// `PUT /__mock/scenario` with `{"name":"..."}`.
async fn switch(state: &MockState, body: Result<Bytes, BodyError>) -> Answer {
    let errors = response::contract_errors();
    let request: Switch = match body {
        Err(unread) => {
            let (kind, detail) = unread.kind();
            return response::api_error(errors, kind, detail).0;
        }
        Ok(body) => match from_object(&body, None) {
            Ok(request) => request,
            Err(err) => {
                let what = format!("expected {{\"name\":\"SCENARIO\"}}: {err}");
                return response::api_error(errors, ErrorKind::MalformedBody, Some(&what)).0;
            }
        },
    };
    match state.activate(&request.name).await {
        Ok(previous) => response::json_value(
            StatusCode::OK,
            &Switched {
                result: "success",
                active: &request.name,
                previous: previous.name(),
            },
        ),
        Err(unknown) => unknown_scenario(&unknown),
    }
}

#[derive(Serialize)]
struct Reloaded<'a> {
    result: &'static str,
    active: &'a str,
    scenarios: Vec<&'a str>,
}

#[derive(Serialize)]
struct ReloadRefused<'a> {
    result: &'static str,
    message: String,
    problems: &'a [ReportedProblem],
}

/// `POST /__mock/reload`: 200 with the scenarios now loaded, or 422 with
/// every problem while the last good set keeps serving.
async fn reload(state: &MockState) -> Answer {
    match state.reload().await {
        Ok(snapshot) => response::json_value(
            StatusCode::OK,
            &Reloaded {
                result: "success",
                active: snapshot.active.name(),
                scenarios: snapshot.catalog.names(),
            },
        ),
        Err(failure) => {
            let mut response = response::json_value(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ReloadRefused {
                    result: "error",
                    message: format!("Reload failed: {}", failure.message),
                    problems: &failure.problems,
                },
            );
            response.headers.insert(
                response::MOCK_ERROR,
                HeaderValue::from_static("reload-failed"),
            );
            response
        }
    }
}

#[derive(Serialize)]
struct Requests {
    requests: Vec<JournalEntry>,
    next_after: u64,
    more: bool,
}

/// `GET /__mock/requests[?limit=N][&after=SEQ]`: one page of the journal.
/// Either number may be as large as a client likes: a `limit` past
/// [`journal::MAX_PAGE`] is taken as that, an `after` past `u64::MAX` as that.
fn requests(state: &MockState, query: Option<&str>) -> Answer {
    let mut limit = journal::MAX_PAGE;
    let mut after = None;
    for (name, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        let (parameter, code) = match &*name {
            "limit" => ("limit", "invalid-limit"),
            "after" => ("after", "invalid-after"),
            _ => continue,
        };
        let Some(number) = whole_number(&value) else {
            let message = format!("Invalid {parameter}: `{value}` is not a whole number");
            return response::mock_error(StatusCode::BAD_REQUEST, code, &message);
        };
        if parameter == "limit" {
            limit = usize::try_from(number).unwrap_or(usize::MAX);
        } else {
            after = Some(number);
        }
    }
    let page = state.journal().page(after, limit);
    response::json_value(
        StatusCode::OK,
        &Requests {
            requests: page.entries,
            next_after: page.next_after,
            more: page.more,
        },
    )
}

#[derive(Serialize)]
struct Cleared {
    result: &'static str,
    cleared: usize,
}

/// `DELETE /__mock/requests`.
fn clear_requests(state: &MockState) -> Answer {
    let cleared = state.journal().clear();
    response::json_value(
        StatusCode::OK,
        &Cleared {
            result: "success",
            cleared,
        },
    )
}

#[derive(Serialize)]
struct Reset {
    result: &'static str,
}

/// `POST /__mock/reset`: every scenario counts its requests from zero again.
fn reset(state: &MockState) -> Answer {
    state.reset();
    response::json_value(StatusCode::OK, &Reset { result: "success" })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyRequest {
    expect: Vec<Expectation>,
}

#[derive(Serialize)]
struct Verified {
    result: &'static str,
    expectations: usize,
}

#[derive(Serialize)]
struct Unmet<'a> {
    result: &'static str,
    message: String,
    failures: &'a [Failure],
}

/// `POST /__mock/verify` with `{"expect":[...]}`: 200 when the journal
/// meets every expectation; 422 `expectation-failed` with each unmet one,
/// its count and its nearest entries; 400 `invalid-expectation` for a body
/// or an expectation that cannot be checked.
fn verify(state: &MockState, body: Result<Bytes, BodyError>) -> Answer {
    let invalid = |why: &str| {
        response::mock_error(
            StatusCode::BAD_REQUEST,
            "invalid-expectation",
            &format!("Invalid expectation: {why}"),
        )
    };
    let request: VerifyRequest = match body {
        Err(unread) => {
            let (kind, detail) = unread.kind();
            return response::api_error(response::contract_errors(), kind, detail).0;
        }
        Ok(body) => match from_object::<VerifyRequest>(&body, Some("expect")) {
            Ok(request) => request,
            Err(NotAnObject::Entry(index, kind)) => {
                return invalid(&format!(
                    "expect[{index}]: expected a JSON object, found {kind}"
                ));
            }
            Err(err) => {
                return invalid(&format!("expected {{\"expect\":[{{...}}]}}: {err}"));
            }
        },
    };
    let expectations = request.expect;
    if expectations.is_empty() {
        return invalid("`expect` is empty: list at least one expectation");
    }
    let entries = state.journal().entries(None);
    let postbacks = if expectations.iter().any(|e| e.postback.is_some()) {
        state.sent_postbacks()
    } else {
        Vec::new()
    };
    match verification::verify(&entries, &postbacks, &expectations) {
        Ok(expectations) => response::json_value(
            StatusCode::OK,
            &Verified {
                result: "success",
                expectations,
            },
        ),
        Err(VerifyError::Invalid { index, why }) => invalid(&format!("expect[{index}]: {why}")),
        Err(VerifyError::Unmet { total, failures }) => {
            let mut response = response::json_value(
                StatusCode::UNPROCESSABLE_ENTITY,
                &Unmet {
                    result: "error",
                    message: verification::summary(total, failures.len()),
                    failures: &failures,
                },
            );
            response.headers.insert(
                response::MOCK_ERROR,
                HeaderValue::from_static("expectation-failed"),
            );
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_health_check_and_the_console_answer_without_the_admin_token() {
        let open = |path| AdminEndpoint::is_open(AdminEndpoint::of(path));
        assert!(open("/__mock/health"));
        assert!(open("/__mock/ui"));
        assert!(open("/__mock/ui/app.js"));
        assert!(open("/__mock/ui/style.css"));
        for closed in [
            "/__mock/requests",
            "/__mock/openapi.yaml",
            "/__mock/metrics",
            "/__mock/scenario",
            "/__mock/credentials",
            "/__mock/nothing",
        ] {
            assert!(!open(closed), "{closed}");
        }
    }
}
