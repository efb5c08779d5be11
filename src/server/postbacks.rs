//! The admin API of conversions and postbacks (`shared/POSTBACKS.md`):
//!
//! | method, path | answer |
//! |---|---|
//! | `POST /__mock/conversions` | a sale (or rebill) on a click: 201 with its transaction and the `seq`s of its postbacks |
//! | `GET /__mock/postbacks` | a page of the postback log; `?settled=N&timeout=5s` waits for N settled (504 when the time runs out) |
//! | `GET /__mock/postbacks/targets` | the targets in force |
//! | `PUT /__mock/postbacks/targets` | other targets until the next reset or reload (400 `invalid-targets`, every problem located) |
//!
//! Each works on the active scenario, or on the one `?scenario=NAME` (a
//! conversion: its `scenario` field) names.

use std::str::FromStr;
use std::time::Duration;

use bytes::Bytes;
use hyper::StatusCode;
use hyper::header::HeaderValue;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::admin_input::{self, chosen, from_object, scenario_in};
use super::body::BodyError;
use super::lifecycle::{MAX_CUSTOM_CHARS, is_written_amount};
use super::response::{self, Answer};
use super::state::{MockState, ReportedProblem};
use crate::postbacks::outbox::MAX_PAGE;
use crate::postbacks::target::{FaultAction, Target};
use crate::postbacks::{Event, PostbackRecord};
use crate::scenario as scenarios;
use crate::scenario::conversion;
use crate::trigger::Trigger;

/// How long `?settled=N` waits when no `timeout` is given.
const DEFAULT_SETTLE_WAIT: Duration = Duration::from_secs(5);

/// The longest `?timeout=` a settle wait takes.
const MAX_SETTLE_WAIT: Duration = Duration::from_secs(60);

/// The body of `POST /__mock/conversions`, as a client writes it: the
/// amounts as JSON strings or numbers.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConversionBody {
    click_hash: Option<String>,
    amount: Option<Value>,
    trans_type: Option<String>,
    payout: Option<Value>,
    orderid: Option<String>,
    subscription_id: Option<String>,
    scenario: Option<String>,
}

/// A sale (or a rebill) to make happen on a click, as
/// `POST /__mock/conversions` takes it and [`crate::MockServer::convert`]
/// sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conversion {
    /// The click that converted.
    pub click_hash: String,
    /// The sale amount (`29.95`), written with two decimals.
    pub amount: String,
    /// `initial` (a `sale` postback) or `rebill`.
    pub trans_type: Option<String>,
    /// The affiliate's payout; `0.00` when absent.
    pub payout: Option<String>,
    /// The order's id.
    pub orderid: Option<String>,
    /// The subscription's id.
    pub subscription_id: Option<String>,
    /// The scenario, when not the active one.
    pub scenario: Option<String>,
}

impl Conversion {
    /// A sale of `amount` on the click `click_hash`.
    pub fn new(click_hash: impl Into<String>, amount: impl Into<String>) -> Self {
        Conversion {
            click_hash: click_hash.into(),
            amount: amount.into(),
            ..Conversion::default()
        }
    }

    /// A rebill rather than an initial sale.
    pub fn rebill(mut self) -> Self {
        self.trans_type = Some("rebill".to_string());
        self
    }

    /// The affiliate's payout.
    pub fn payout(mut self, payout: impl Into<String>) -> Self {
        self.payout = Some(payout.into());
        self
    }

    /// The order's id.
    pub fn orderid(mut self, orderid: impl Into<String>) -> Self {
        self.orderid = Some(orderid.into());
        self
    }

    /// The subscription's id.
    pub fn subscription_id(mut self, id: impl Into<String>) -> Self {
        self.subscription_id = Some(id.into());
        self
    }

    /// In this scenario rather than the active one.
    pub fn scenario(mut self, name: impl Into<String>) -> Self {
        self.scenario = Some(name.into());
        self
    }
}

/// A conversion made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Converted {
    /// The new transaction's hash.
    pub transaction_hash: String,
    /// The `seq` of each postback it queued.
    pub postbacks: Vec<u64>,
}

/// A conversion refused: the status and message the admin API answers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("conversion refused ({status}): {message}")]
pub struct ConversionError {
    /// 400 or 404.
    pub status: u16,
    /// `Click not found`, `Invalid amount`...
    pub message: String,
    /// The `X-Mock-Error` code.
    code: &'static str,
}

impl ConversionError {
    /// The scenario `name` is not loaded.
    pub(crate) fn unknown_scenario(name: Option<&str>) -> Self {
        ConversionError {
            status: 400,
            message: format!("Unknown scenario: {}", name.unwrap_or("")),
            code: "unknown-scenario",
        }
    }

    fn invalid(message: impl Into<String>) -> Self {
        ConversionError {
            status: 400,
            message: message.into(),
            code: "invalid-conversion",
        }
    }
}

#[derive(Serialize)]
struct ConvertedBody<'a> {
    result: &'static str,
    #[serde(flatten)]
    converted: &'a Converted,
}

/// The body as text, or the answer a body that could not be read gets.
fn body_or_answer(body: Result<Bytes, BodyError>) -> Result<Bytes, Box<Answer>> {
    body.map_err(|unread| {
        let (kind, detail) = unread.kind();
        Box::new(response::api_error(response::contract_errors(), kind, detail).0)
    })
}

/// An amount with two decimals (rounded half away from zero); `None` when
/// it is not one.
fn two_decimals(text: &str) -> Option<String> {
    if !is_written_amount(text) {
        return None;
    }
    let mut amount = Decimal::from_str(text)
        .ok()?
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    amount.rescale(2);
    Some(amount.to_string())
}

/// A JSON string's or number's text.
fn amount_text(value: Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// `POST /__mock/conversions`.
pub fn convert(state: &MockState, body: Result<Bytes, BodyError>) -> Answer {
    let body = match body_or_answer(body) {
        Ok(body) => body,
        Err(answer) => return *answer,
    };
    let written: ConversionBody = match from_object(&body, None) {
        Ok(written) => written,
        Err(err) => {
            let message =
                format!("expected {{\"click_hash\":\"...\",\"amount\":\"29.95\"}}: {err}");
            return response::mock_error(StatusCode::BAD_REQUEST, "invalid-conversion", &message);
        }
    };
    let text = |value: Option<Value>, name: &str| match value.map(amount_text) {
        None => Ok(None),
        Some(Some(text)) => Ok(Some(text)),
        Some(None) => Err(ConversionError::invalid(format!("Invalid {name}"))),
    };
    let read = (|| {
        let Some(click_hash) = written.click_hash else {
            return Err(ConversionError::invalid("Missing field: click_hash"));
        };
        let Some(amount) = text(written.amount, "amount")? else {
            return Err(ConversionError::invalid("Missing field: amount"));
        };
        Ok(Conversion {
            click_hash,
            amount,
            trans_type: written.trans_type,
            payout: text(written.payout, "payout")?,
            orderid: written.orderid,
            subscription_id: written.subscription_id,
            scenario: written.scenario,
        })
    })();
    let made = read
        .map_err(Refusal::from)
        .and_then(|conversion| make(state, &conversion));
    match made {
        Ok(converted) => response::json_value(
            StatusCode::CREATED,
            &ConvertedBody {
                result: "success",
                converted: &converted,
            },
        ),
        Err(Refusal::Conversion(err)) => {
            let status = StatusCode::from_u16(err.status).unwrap_or(StatusCode::BAD_REQUEST);
            response::mock_error(status, err.code, &err.message)
        }
        Err(Refusal::Answer(answer)) => *answer,
    }
}

/// Why a conversion was not made: refused, or its scenario unknown.
pub enum Refusal {
    /// The conversion itself.
    Conversion(ConversionError),
    /// The answer already made (an unknown scenario).
    Answer(Box<Answer>),
}

impl From<ConversionError> for Refusal {
    fn from(err: ConversionError) -> Self {
        Refusal::Conversion(err)
    }
}

/// Makes `conversion` happen in its scenario and queues its postbacks.
pub fn make(state: &MockState, conversion: &Conversion) -> Result<Converted, Refusal> {
    let scenario = chosen(state, conversion.scenario.as_deref()).map_err(Refusal::Answer)?;
    let amount = two_decimals(&conversion.amount)
        .ok_or_else(|| ConversionError::invalid("Invalid amount"))?;
    let payout = match &conversion.payout {
        None => "0.00".to_string(),
        Some(payout) => {
            two_decimals(payout).ok_or_else(|| ConversionError::invalid("Invalid payout"))?
        }
    };
    let event = match conversion.trans_type.as_deref() {
        None | Some("initial") => Event::Sale,
        Some("rebill") => Event::Rebill,
        Some(_) => return Err(ConversionError::invalid("Invalid trans_type").into()),
    };
    for (name, text) in [
        ("orderid", &conversion.orderid),
        ("subscription_id", &conversion.subscription_id),
    ] {
        if text
            .as_ref()
            .is_some_and(|t| t.chars().count() > MAX_CUSTOM_CHARS)
        {
            return Err(ConversionError::invalid(format!("Invalid {name}")).into());
        }
    }
    let sale = conversion::Conversion {
        event,
        amount,
        payout,
        orderid: conversion.orderid.clone().unwrap_or_default(),
        subscription_id: conversion.subscription_id.clone().unwrap_or_default(),
    };
    let index = scenario.clicks();
    let click_hash = conversion.click_hash.as_str();
    let converted = scenario.ledger().change(|ledger| {
        let click = index
            .is_click_hash(click_hash)
            .then(|| index.by_hash(click_hash))
            .flatten()
            .ok_or(())?;
        let now = (scenario.clock(), scenario.name());
        let applied = conversion::apply_conversion(index, ledger, click, &sale, now).ok_or(())?;
        // Queued while the ledger is held: `seq` follows the events' order.
        let postbacks = scenario.announce(&applied.facts);
        Ok(Converted {
            transaction_hash: applied.hash,
            postbacks,
        })
    });
    converted.map_err(|()| {
        Refusal::Conversion(ConversionError {
            status: 404,
            message: "Click not found".to_string(),
            code: "click-not-found",
        })
    })
}

#[derive(Serialize)]
struct Postbacks {
    postbacks: Vec<PostbackRecord>,
    next_after: u64,
    more: bool,
}

/// What `GET /__mock/postbacks` was asked for.
struct LogQuery {
    scenario: Option<String>,
    after: Option<u64>,
    limit: usize,
    settled: Option<u64>,
    timeout: Duration,
}

fn log_query(query: Option<&str>) -> Result<LogQuery, Box<Answer>> {
    let mut asked = LogQuery {
        scenario: None,
        after: None,
        limit: MAX_PAGE,
        settled: None,
        timeout: DEFAULT_SETTLE_WAIT,
    };
    for (name, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        let number = || {
            admin_input::whole_number(&value).ok_or_else(|| {
                let code = match &*name {
                    "after" => "invalid-after",
                    "limit" => "invalid-limit",
                    _ => "invalid-settled",
                };
                let message = format!("Invalid {name}: `{value}` is not a whole number");
                Box::new(response::mock_error(
                    StatusCode::BAD_REQUEST,
                    code,
                    &message,
                ))
            })
        };
        match &*name {
            "scenario" => asked.scenario = Some(value.to_string()),
            "after" => asked.after = Some(number()?),
            "limit" => asked.limit = usize::try_from(number()?).unwrap_or(usize::MAX),
            "settled" => asked.settled = Some(number()?),
            "timeout" => {
                asked.timeout = humantime::parse_duration(&value)
                    .ok()
                    .filter(|t| *t <= MAX_SETTLE_WAIT)
                    .ok_or_else(|| {
                        let message = format!(
                            "Invalid timeout: `{value}` is not a duration of at most 60s (such as `500ms` or `5s`)"
                        );
                        Box::new(response::mock_error(
                            StatusCode::BAD_REQUEST,
                            "invalid-timeout",
                            &message,
                        ))
                    })?;
            }
            _ => {}
        }
    }
    Ok(asked)
}

/// `GET /__mock/postbacks`: a page of the log, after waiting for
/// `settled` postbacks when asked.
pub async fn log(state: &MockState, query: Option<&str>) -> Answer {
    let asked = match log_query(query) {
        Ok(asked) => asked,
        Err(answer) => return *answer,
    };
    let scenario = match chosen(state, asked.scenario.as_deref()) {
        Ok(scenario) => scenario,
        Err(answer) => return *answer,
    };
    let outbox = scenario.postbacks();
    let reached = match asked.settled {
        Some(count) => outbox.wait_settled(count, asked.timeout).await,
        None => true,
    };
    let page = outbox.page(asked.after, asked.limit);
    let body = Postbacks {
        postbacks: page.records,
        next_after: page.next_after,
        more: page.more,
    };
    if reached {
        response::json_value(StatusCode::OK, &body)
    } else {
        response::json_value(StatusCode::GATEWAY_TIMEOUT, &body).with_header(
            response::MOCK_ERROR,
            HeaderValue::from_static("settle-timeout"),
        )
    }
}

/// A target as the admin API shows it: the YAML keys, durations as text.
#[derive(Serialize)]
struct TargetView<'a> {
    name: &'a str,
    url: &'a str,
    method: &'static str,
    events: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    loginid: Option<&'a str>,
    timeout: String,
    retry: Vec<String>,
    faults: Vec<serde_json::Map<String, Value>>,
}

impl<'a> From<&'a Target> for TargetView<'a> {
    fn from(target: &'a Target) -> Self {
        let duration = |d: Duration| humantime::format_duration(d).to_string();
        let faults = target
            .faults
            .iter()
            .map(|fault| {
                let mut rule = serde_json::Map::new();
                let (key, n) = match fault.trigger {
                    Trigger::Every(n) => ("every", n),
                    Trigger::After(n) => ("after", n),
                    Trigger::First(n) => ("first", n),
                };
                rule.insert(key.into(), n.into());
                let value = match fault.action {
                    FaultAction::Delay(delay) => duration(delay).into(),
                    _ => true.into(),
                };
                rule.insert(fault.action.name().into(), value);
                rule
            })
            .collect();
        TargetView {
            name: &target.name,
            url: target.url.as_str(),
            method: target.method.name(),
            events: target.events.iter().map(|e| e.name()).collect(),
            loginid: target.loginid.as_deref(),
            timeout: duration(target.timeout),
            retry: target.retry.iter().map(|d| duration(*d)).collect(),
            faults,
        }
    }
}

#[derive(Serialize)]
struct Targets<'a> {
    scenario: &'a str,
    targets: Vec<TargetView<'a>>,
}

/// `GET /__mock/postbacks/targets`.
pub fn targets(state: &MockState, query: Option<&str>) -> Answer {
    let scenario = match chosen(state, scenario_in(query).as_deref()) {
        Ok(scenario) => scenario,
        Err(answer) => return *answer,
    };
    let targets = scenario.postbacks().targets();
    response::json_value(
        StatusCode::OK,
        &Targets {
            scenario: scenario.name(),
            targets: targets.iter().map(TargetView::from).collect(),
        },
    )
}

#[derive(Serialize)]
struct Replaced<'a> {
    result: &'static str,
    scenario: &'a str,
    targets: usize,
}

#[derive(Serialize)]
struct InvalidTargets {
    result: &'static str,
    message: String,
    problems: Vec<ReportedProblem>,
}

/// `PUT /__mock/postbacks/targets` with a JSON array of targets.
pub fn replace_targets(
    state: &MockState,
    query: Option<&str>,
    body: Result<Bytes, BodyError>,
) -> Answer {
    let scenario = match chosen(state, scenario_in(query).as_deref()) {
        Ok(scenario) => scenario,
        Err(answer) => return *answer,
    };
    let body = match body_or_answer(body) {
        Ok(body) => body,
        Err(answer) => return *answer,
    };
    let text = String::from_utf8_lossy(&body);
    match scenarios::read_postback_targets(&text) {
        Ok(targets) => {
            let count = targets.len();
            scenario.postbacks().replace_targets(targets);
            tracing::info!(
                scenario = scenario.name(),
                targets = count,
                "postback targets replaced"
            );
            response::json_value(
                StatusCode::OK,
                &Replaced {
                    result: "success",
                    scenario: scenario.name(),
                    targets: count,
                },
            )
        }
        Err(err) => {
            let count = err.problems.len();
            response::json_value(
                StatusCode::BAD_REQUEST,
                &InvalidTargets {
                    result: "error",
                    message: format!(
                        "{count} problem{} in the targets",
                        if count == 1 { "" } else { "s" }
                    ),
                    problems: err.problems.iter().map(ReportedProblem::from).collect(),
                },
            )
            .with_header(
                response::MOCK_ERROR,
                HeaderValue::from_static("invalid-targets"),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_get_two_decimals_rounded_half_away_from_zero() {
        assert_eq!(two_decimals("29.95").as_deref(), Some("29.95"));
        assert_eq!(two_decimals("5").as_deref(), Some("5.00"));
        assert_eq!(two_decimals("1.005").as_deref(), Some("1.01"));
        assert_eq!(two_decimals("-1.005").as_deref(), Some("-1.01"));
        assert_eq!(two_decimals("1e3"), None);
        let number: Value = serde_json::from_str("12.5").expect("json");
        assert_eq!(amount_text(number).as_deref(), Some("12.5"));
        assert_eq!(amount_text(Value::Bool(true)), None);
    }
}
