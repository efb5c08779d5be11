//! The lifecycle's seven actions over HTTP: the checks every API endpoint
//! runs, then each action's own parameters, then the transaction, then (for
//! events) whether it was already voided, charged back or reversed.

use bytes::Bytes;
use hyper::StatusCode;
use serde_json::json;

use super::access;
use super::action::Action;
use super::body::BodyError;
use super::request::ApiRequest;
use super::response::{self, Decided, Outcome, Reply};
use crate::api_error::ErrorKind;
use crate::params::{self, Params};
use crate::scenario::Scenario;
use crate::scenario::lifecycle::{self, EventKind, EventRequest, Identifier, Refused};

/// Every parameter an action reads.
const NAMES: &[&str] = &[
    "transaction_hash",
    "orderid",
    "click_hash",
    "transactionid",
    "type",
    "reverse",
    "cost",
    "approved",
    "amount",
    "transaction_type",
    "trans_custom1",
    "trans_custom2",
    "trans_custom3",
    "trans_custom4",
    "trans_custom5",
];

/// The custom fields an event keeps, in order.
const CUSTOMS: [&str; 5] = [
    "trans_custom1",
    "trans_custom2",
    "trans_custom3",
    "trans_custom4",
    "trans_custom5",
];

/// The longest custom field, in characters, as a database column would hold.
pub const MAX_CUSTOM_CHARS: usize = 255;

/// The values of `reverse` that ask for a reversal.
const TRUE: [&str; 3] = ["1", "true", "yes"];

/// The most digits a requested amount has before its point, and after it.
const MAX_WHOLE_DIGITS: usize = 15;
const MAX_FRACTION_DIGITS: usize = 12;

/// Whether `text` is an amount as a request writes it (`cost`, the payout
/// preview's `amount`): an optional `-`, 1 to 15 digits, optionally a `.`
/// and 1 to 12 digits. The document's `Amount` says the same, so what it
/// calls valid the mock takes, and nothing more (no `+`, no exponent).
pub fn is_written_amount(text: &str) -> bool {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    digits(whole, MAX_WHOLE_DIGITS) && fraction.is_none_or(|f| digits(f, MAX_FRACTION_DIGITS))
}

/// Whole cents as a request writes them (a revenue update's `amount`): an
/// optional `-` and 1 to 15 digits, maybe followed by a fraction of zeros
/// (`2995.0`, as JSON writes some whole numbers): the document's `Cents`.
fn written_cents(text: &str) -> Option<i64> {
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    let unsigned = whole.strip_prefix('-').unwrap_or(whole);
    let zeros = |f: &str| digits(f, MAX_FRACTION_DIGITS) && f.bytes().all(|b| b == b'0');
    if !digits(unsigned, MAX_WHOLE_DIGITS) || !fraction.is_none_or(zeros) {
        return None;
    }
    whole.parse().ok()
}

/// 1 to `most` ASCII digits.
fn digits(text: &str, most: usize) -> bool {
    (1..=most).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
}

/// Answers one lifecycle action from `scenario`'s current state.
pub async fn answer<'s>(
    scenario: &'s Scenario,
    action: Action,
    request: &ApiRequest<'_>,
    body: Result<Bytes, BodyError>,
) -> Reply<'s> {
    let body = match access::admit(scenario, request, body) {
        Ok(body) => body,
        Err(refused) => return *refused,
    };
    let errors = scenario.errors();
    let params = match params::read_params(request.content_type, body, request.query, NAMES).await {
        Ok(params) => params,
        Err(malformed) => {
            return response::api_error(errors, ErrorKind::MalformedBody, Some(&malformed.0))
                .into();
        }
    };
    match action {
        Action::Event(kind) => event(scenario, kind, &params),
        Action::RevenueByOrder => revenue(scenario, action, Identifier::OrderId, &params),
        Action::RevenueByHash => revenue(scenario, action, Identifier::TransactionHash, &params),
        Action::PayoutPreview => preview(scenario, &params),
        Action::CheckOrderId => check_order(scenario, &params),
    }
}

/// The scenario's answer for an error of `kind` saying `message`.
fn refuse(scenario: &Scenario, kind: ErrorKind, message: &str) -> Reply<'static> {
    let (status, body) = scenario.errors().answer_saying(kind, message);
    (response::json(status, body), Outcome::Error(kind)).into()
}

/// 404 `Transaction not found`, the kind's own message (or its override).
fn not_found(scenario: &Scenario) -> Reply<'static> {
    response::api_error(scenario.errors(), ErrorKind::TransactionNotFound, None).into()
}

/// 200 with `body`, the action done.
fn done(action: Action, body: &serde_json::Value) -> Reply<'static> {
    (
        response::json_value(StatusCode::OK, body),
        Outcome::Done(action),
    )
        .into()
}

/// The same reply, saying which parameter decided.
fn deciding<'s>(mut reply: Reply<'s>, parameter: &'static str, value: &str) -> Reply<'s> {
    reply.decided = Some(Decided {
        parameter,
        value: value.to_string(),
    });
    reply
}

/// The same reply, naming the click of the transaction found (the click at
/// `click` of `scenario`), if one was.
fn touching<'s>(mut reply: Reply<'s>, scenario: &'s Scenario, click: Option<usize>) -> Reply<'s> {
    reply.click_hash = click.map(|i| scenario.clicks().at(i).click_hash);
    reply
}

fn event<'s>(scenario: &'s Scenario, kind: EventKind, params: &Params) -> Reply<'s> {
    let Some((by, value)) = Identifier::ALL
        .into_iter()
        .find_map(|id| params.get(id.parameter()).map(|value| (id, value)))
    else {
        return refuse(
            scenario,
            ErrorKind::MissingParameter,
            "Missing parameter: pass transaction_hash, click_hash, orderid or transactionid",
        );
    };
    let kind_refused = match kind {
        EventKind::Void => params
            .get("type")
            .filter(|t| *t != "void")
            .map(|_| (ErrorKind::InvalidValue, "Invalid type")),
        EventKind::Chargeback => (params.get("type") != Some("chargeback")).then_some((
            ErrorKind::MissingField,
            "Missing required field for chargeback (type).",
        )),
        EventKind::Reversal => {
            let flagged = params
                .get("reverse")
                .is_some_and(|r| TRUE.iter().any(|t| r.eq_ignore_ascii_case(t)));
            (!flagged).then_some((ErrorKind::MissingField, "Missing required flag (reverse)."))
        }
    };
    if let Some((error, message)) = kind_refused {
        return deciding(refuse(scenario, error, message), by.parameter(), value);
    }
    let cost = match (kind, params.get("cost")) {
        (EventKind::Chargeback, Some(cost)) if !is_written_amount(cost) => {
            let reply = refuse(scenario, ErrorKind::InvalidValue, "Invalid cost");
            return deciding(reply, by.parameter(), value);
        }
        (EventKind::Chargeback, cost) => cost.map(str::to_string),
        _ => None,
    };
    let mut customs = Vec::new();
    for name in CUSTOMS {
        if let Some(custom) = params.get(name) {
            if custom.chars().count() > MAX_CUSTOM_CHARS {
                let reply = refuse(scenario, ErrorKind::InvalidValue, "Invalid value");
                return deciding(reply, by.parameter(), value);
            }
            customs.push((name, custom.to_string()));
        }
    }
    let request = EventRequest { cost, customs };
    let applied = scenario.ledger().change(|state| {
        let found = lifecycle::find(scenario.clicks(), state, by, value).ok_or(None)?;
        let click = found.click;
        let now = (scenario.clock(), scenario.name());
        let applied = lifecycle::apply_event(state, found, kind, &request, now)
            .map_err(|refused| Some((click, refused)))?;
        // Queued while the ledger is held: `seq` follows the events' order.
        scenario.announce(&applied.facts);
        Ok(click)
    });
    let (reply, click) = match applied {
        Ok(click) => (
            done(
                Action::Event(kind),
                &json!({"result": "success", "message": "success"}),
            ),
            Some(click),
        ),
        Err(None) => (not_found(scenario), None),
        Err(Some((click, Refused::Exists(applied)))) => (
            refuse(scenario, ErrorKind::EventExists, applied.exists_message()),
            Some(click),
        ),
    };
    touching(deciding(reply, by.parameter(), value), scenario, click)
}

fn revenue<'s>(
    scenario: &'s Scenario,
    action: Action,
    by: Identifier,
    params: &Params,
) -> Reply<'s> {
    let name = by.parameter();
    let Some(value) = params.get(name) else {
        let message = format!("Missing parameter: {name}");
        return refuse(scenario, ErrorKind::MissingParameter, &message);
    };
    let Some(amount) = params.get("amount") else {
        let reply = refuse(
            scenario,
            ErrorKind::MissingParameter,
            "Missing parameter: amount",
        );
        return deciding(reply, name, value);
    };
    let Some(cents) = written_cents(amount) else {
        let reply = refuse(scenario, ErrorKind::InvalidValue, "Invalid amount");
        return deciding(reply, name, value);
    };
    let updated = scenario.ledger().change(|state| {
        let found = lifecycle::find(scenario.clicks(), state, by, value).ok_or(())?;
        let click = found.click;
        lifecycle::update_revenue(state, found, cents);
        Ok::<usize, ()>(click)
    });
    let (reply, click) = match updated {
        Ok(click) => (done(action, &json!({"result": "success"})), Some(click)),
        Err(()) => (not_found(scenario), None),
    };
    touching(deciding(reply, name, value), scenario, click)
}

fn preview<'s>(scenario: &'s Scenario, params: &Params) -> Reply<'s> {
    let Some(value) = params.get("transaction_hash") else {
        return refuse(
            scenario,
            ErrorKind::MissingParameter,
            "Missing parameter: transaction_hash",
        );
    };
    let amount = params.get("amount");
    if amount.is_some_and(|a| !is_written_amount(a)) {
        let reply = refuse(scenario, ErrorKind::InvalidValue, "Invalid amount");
        return deciding(reply, "transaction_hash", value);
    }
    let state = scenario.ledger().current();
    let Some(found) = lifecycle::find(
        scenario.clicks(),
        &state,
        Identifier::TransactionHash,
        value,
    ) else {
        let reply = not_found(scenario);
        return deciding(reply, "transaction_hash", value);
    };
    let body = json!({
        "result": "success",
        "transaction_hash": found.value("transaction_hash"),
        "transaction_type": params.get("transaction_type").unwrap_or("initial"),
        "amount": amount.unwrap_or_else(|| found.value("amount")),
        "payouts": lifecycle::preview_payouts(&found, amount),
    });
    let reply = deciding(
        done(Action::PayoutPreview, &body),
        "transaction_hash",
        value,
    );
    touching(reply, scenario, Some(found.click))
}

fn check_order(scenario: &Scenario, params: &Params) -> Reply<'static> {
    let Some(orderid) = params.get("orderid") else {
        return refuse(
            scenario,
            ErrorKind::MissingParameter,
            "Missing parameter: orderid",
        );
    };
    let exists = scenario.clicks().by_order(orderid).is_some()
        || scenario
            .ledger()
            .current()
            .click_of_order(orderid)
            .is_some();
    let body = json!({"result": "success", "message": if exists { "TRUE" } else { "FALSE" }});
    deciding(done(Action::CheckOrderId, &body), "orderid", orderid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_requested_amount_is_what_the_document_says() {
        for good in ["0", "12.50", "-3", "29.95", "123456789012345.123456789012"] {
            assert!(is_written_amount(good), "{good}");
        }
        for bad in [
            "",
            "-",
            "+1",
            "1.",
            ".5",
            "1e5",
            "1_000",
            "1234567890123456",
            "1.1234567890123",
            "1.2.3",
        ] {
            assert!(!is_written_amount(bad), "{bad}");
        }
        assert_eq!(written_cents("-500"), Some(-500));
        assert_eq!(written_cents("999999999999999"), Some(999_999_999_999_999));
        assert_eq!(written_cents("-3854142.0"), Some(-3_854_142));
        for bad in [
            "",
            "+5",
            "29.95",
            "29.",
            "1234567890123456",
            "-",
            "5.0000000000000",
        ] {
            assert_eq!(written_cents(bad), None, "{bad}");
        }
    }
}
