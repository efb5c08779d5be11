//! The transaction lifecycle of a scenario: what voids, chargebacks,
//! reversals and revenue updates have changed since it loaded, and the
//! rules they follow (`shared/LIFECYCLE.md`).
//!
//! The state is a [`Ledger`]: the bodies of the clicks an action touched and
//! the hashes of the transactions events appended, swapped whole. A lookup
//! reads the current snapshot without a lock (a click no action touched
//! answers with its body rendered at load); actions take one lock per
//! scenario, so events on one transaction apply one at a time.
//!
//! A click's state is its contract body (the JSON `click_detail` answers
//! with, or for a click with a captured `response:`, what the contract would
//! say): actions read it, change it and write it back, so `click_detail`
//! shows exactly what they did.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use bytes::Bytes;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::index::{ClickIndex, LookupKey};
use crate::postbacks::target::VARIABLES;
use crate::postbacks::{Event, EventFacts};

/// The three events an action can apply to a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// `process_void`.
    Void,
    /// `process_chargeback`.
    Chargeback,
    /// `process_reversal`.
    Reversal,
}

impl EventKind {
    /// Every kind.
    pub const ALL: [EventKind; 3] = [EventKind::Void, EventKind::Chargeback, EventKind::Reversal];

    /// Its `trans_type` and `status`: `void`, `chargeback`, `reversal`.
    pub fn name(self) -> &'static str {
        match self {
            EventKind::Void => "void",
            EventKind::Chargeback => "chargeback",
            EventKind::Reversal => "reversal",
        }
    }

    /// The kind named `text`, if it is one.
    fn of(text: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.name() == text)
    }

    /// The postback event it is.
    pub fn event(self) -> Event {
        match self {
            EventKind::Void => Event::Void,
            EventKind::Chargeback => Event::Chargeback,
            EventKind::Reversal => Event::Reversal,
        }
    }

    /// `Void transaction exists.` and the like.
    pub fn exists_message(self) -> &'static str {
        match self {
            EventKind::Void => "Void transaction exists.",
            EventKind::Chargeback => "Chargeback transaction exists.",
            EventKind::Reversal => "Reversal transaction exists.",
        }
    }
}

/// The parameters that name a transaction, in the order that decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identifier {
    /// A transaction's hash; a click's `click_hash` names its first transaction.
    TransactionHash,
    /// The first transaction carrying this `orderid` in the click it finds.
    OrderId,
    /// The click's first transaction.
    ClickHash,
    /// A fixture's `transactionid`.
    TransactionId,
}

impl Identifier {
    /// The event actions' identifiers, in the order that decides.
    pub const ALL: [Identifier; 4] = [
        Identifier::TransactionHash,
        Identifier::OrderId,
        Identifier::ClickHash,
        Identifier::TransactionId,
    ];

    /// The parameter's name.
    pub fn parameter(self) -> &'static str {
        match self {
            Identifier::TransactionHash => "transaction_hash",
            Identifier::OrderId => "orderid",
            Identifier::ClickHash => "click_hash",
            Identifier::TransactionId => "transactionid",
        }
    }
}

/// What actions have changed in one scenario since it loaded (or was reset).
#[derive(Debug, Clone, Default)]
pub struct LedgerState {
    /// Events applied so far: the clock and the next event's number.
    events: u64,
    /// The contract bodies of the clicks actions touched.
    bodies: HashMap<usize, Bytes>,
    /// Each appended transaction's hash, and its click.
    hashes: HashMap<String, usize>,
    /// The events applied, oldest first: at most one per transaction.
    applied: Vec<AppliedEvent>,
    /// The `orderid` of each conversion that gave one, and its click.
    orders: HashMap<String, usize>,
    /// The `subscription_id` of each conversion that gave one, and its click.
    subscriptions: HashMap<String, usize>,
}

/// One event applied to a scenario's data, as the admin API lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedEvent {
    /// Which event: a conversion (`sale`, `rebill`) or an action.
    pub kind: Event,
    /// The hash of the transaction it was applied to (for a conversion, the
    /// click's hash).
    pub transaction_hash: String,
    /// The hash of the event transaction it appended.
    pub event_hash: String,
    /// The event transaction's `time`, in Unix seconds.
    pub time: i64,
}

impl LedgerState {
    /// The click's current contract body, when an action changed it.
    pub fn body(&self, click: usize) -> Option<&Bytes> {
        self.bodies.get(&click)
    }

    /// The click of an event transaction's hash.
    pub fn click_of(&self, hash: &str) -> Option<usize> {
        self.hashes.get(hash).copied()
    }

    /// The events applied so far, oldest first.
    pub fn applied(&self) -> &[AppliedEvent] {
        &self.applied
    }

    /// The click of a conversion's `orderid`.
    pub fn click_of_order(&self, orderid: &str) -> Option<usize> {
        self.orders.get(orderid).copied()
    }

    /// The click a lookup finds among what actions added: an event's or a
    /// conversion's hash, a conversion's `orderid` or `subscription_id`.
    pub fn click_of_lookup(&self, key: LookupKey, value: &str) -> Option<usize> {
        let added = match key {
            LookupKey::TransactionHash => &self.hashes,
            LookupKey::OrderId => &self.orders,
            LookupKey::SubscriptionId => &self.subscriptions,
        };
        added.get(value).copied()
    }
}

/// A scenario's lifecycle state: read without a lock, changed one action at
/// a time.
#[derive(Debug, Default)]
pub struct Ledger {
    /// Held while an action reads, changes and stores the state.
    writing: Mutex<()>,
    state: ArcSwap<LedgerState>,
}

impl Ledger {
    /// The state as of now, for a lookup: no lock, no copy.
    pub fn current(&self) -> arc_swap::Guard<Arc<LedgerState>> {
        self.state.load()
    }

    /// Events applied so far.
    pub fn events(&self) -> u64 {
        self.state.load().events
    }

    /// Back to the fixtures: no action ever happened.
    pub fn reset(&self) {
        let _writing = self.lock();
        self.state.store(Arc::new(LedgerState::default()));
    }

    /// Runs `action` on a copy of the state and keeps the copy when it
    /// succeeds; one action at a time, lookups never wait.
    pub fn change<T, E>(
        &self,
        action: impl FnOnce(&mut LedgerState) -> Result<T, E>,
    ) -> Result<T, E> {
        let _writing = self.lock();
        let mut next = LedgerState::clone(&self.state.load());
        let done = action(&mut next)?;
        self.state.store(Arc::new(next));
        Ok(done)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        // A panic in another action left the state as it was before it.
        self.writing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A transaction an action found: its click, the click's contract body as
/// JSON, and where it stands in the click's `transactions`.
#[derive(Debug, Clone)]
pub struct Found {
    /// The click's place in the scenario.
    pub click: usize,
    /// The click's current contract body.
    pub body: Value,
    /// The transaction's place in `transactions`.
    pub position: usize,
}

impl Found {
    /// The transaction found.
    pub fn transaction(&self) -> &Map<String, Value> {
        self.body["transactions"][self.position]
            .as_object()
            .unwrap_or_else(|| unreachable!("found transactions are objects"))
    }

    /// One of its values as text (`""` when absent).
    pub fn value(&self, key: &str) -> &str {
        self.transaction()
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or("")
    }
}

/// The current contract body of the click at `click`, as JSON.
fn current_body(index: &ClickIndex, state: &LedgerState, click: usize) -> Option<Value> {
    let bytes = state
        .body(click)
        .unwrap_or_else(|| index.contract_body(click));
    serde_json::from_slice(bytes).ok()
}

/// The transaction `value` names through `by`, if there is one.
pub fn find(index: &ClickIndex, state: &LedgerState, by: Identifier, value: &str) -> Option<Found> {
    let (click, hash) = match by {
        Identifier::TransactionHash => {
            let click = index.by_hash(value).or_else(|| state.click_of(value))?;
            // A click's own hash names its first transaction.
            let hash = (!index.is_click_hash(value)).then_some(value);
            (click, hash)
        }
        Identifier::OrderId => (
            index
                .by_order(value)
                .or_else(|| state.click_of_order(value))?,
            None,
        ),
        Identifier::ClickHash => {
            if !index.is_click_hash(value) {
                return None;
            }
            (index.by_hash(value)?, None)
        }
        Identifier::TransactionId => {
            let (click, hash) = index.by_transactionid(value)?;
            (click, Some(hash))
        }
    };
    let body = current_body(index, state, click)?;
    let transactions = body["transactions"].as_array()?;
    let position = match (by, hash) {
        (_, Some(hash)) => transactions
            .iter()
            .position(|t| t["transaction_hash"] == hash)?,
        (Identifier::OrderId, None) => transactions.iter().position(|t| t["orderid"] == value)?,
        (_, None) => (!transactions.is_empty()).then_some(0)?,
    };
    Some(Found {
        click,
        body,
        position,
    })
}

/// Why an event was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The transaction was already voided, charged back or reversed (or is
    /// itself such an event): the kind already applied.
    Exists(EventKind),
}

/// What an event takes from the request besides the transaction.
#[derive(Debug, Clone, Default)]
pub struct EventRequest {
    /// A chargeback's `cost`, already checked to be a number.
    pub cost: Option<String>,
    /// `trans_custom1`..`5` given, in that order, already checked.
    pub customs: Vec<(&'static str, String)>,
}

/// An event applied: its transaction's hash and what its postbacks say.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The hash of the transaction the event appended.
    pub hash: String,
    /// The event's variables, for its postbacks.
    pub facts: EventFacts,
}

/// Applies `kind` to the transaction `found`: its status becomes the kind,
/// and one event transaction is appended to its click. `now` is the
/// scenario's clock before any event; `scenario` its name, for postbacks.
pub fn apply_event(
    state: &mut LedgerState,
    mut found: Found,
    kind: EventKind,
    request: &EventRequest,
    (now, scenario): (i64, &str),
) -> Result<Applied, Refused> {
    let original = found.transaction().clone();
    for key in ["status", "trans_type"] {
        let text = original.get(key).and_then(Value::as_str).unwrap_or("");
        if let Some(applied) = EventKind::of(text) {
            return Err(Refused::Exists(applied));
        }
    }
    let number = state.events + 1;
    let text = |key: &str| original.get(key).and_then(Value::as_str).unwrap_or("");
    let hash = event_hash(text("transaction_hash"), kind.name(), number);
    let clock = now.saturating_add(i64::try_from(state.events).unwrap_or(i64::MAX));
    let mut event = Map::new();
    event.insert("transaction_hash".into(), hash.clone().into());
    event.insert("time".into(), clock.to_string().into());
    event.insert("trans_type".into(), kind.name().into());
    event.insert("status".into(), kind.name().into());
    for key in ["orderid", "subscription_id"] {
        event.insert(key.into(), text(key).into());
    }
    event.insert("amount".into(), negated(text("amount")).into());
    let payouts = original
        .get("payouts")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let (total_payout, payouts) = match &request.cost {
        Some(cost) => {
            let first = payouts.first();
            let of_first = |key: &str| {
                first
                    .and_then(|p| p.get(key))
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string()
            };
            let mut payout = Map::new();
            payout.insert("type".into(), "affiliate".into());
            payout.insert("loginid".into(), of_first("loginid").into());
            payout.insert("username".into(), of_first("username").into());
            payout.insert("amount".into(), negated(cost).into());
            (negated(cost), vec![Value::Object(payout)])
        }
        None => {
            let payouts = payouts
                .into_iter()
                .map(|mut payout| {
                    if let Some(amount) = payout.get("amount").and_then(Value::as_str) {
                        payout["amount"] = negated(amount).into();
                    }
                    payout
                })
                .collect();
            (negated(text("total_payout")), payouts)
        }
    };
    event.insert("total_payout".into(), total_payout.into());
    event.insert("payouts".into(), Value::Array(payouts));
    for (name, value) in &request.customs {
        event.insert((*name).into(), value.clone().into());
    }
    let facts = EventFacts {
        event: kind.event(),
        loginid: text_of(&found.body["click"], "loginid"),
        transaction_hash: hash.clone(),
        values: variables(
            (kind.event(), scenario),
            &found.body,
            &event,
            text("transaction_hash"),
            &request.customs,
        ),
    };
    let transactions = transactions_of(&mut found.body);
    transactions[found.position]["status"] = kind.name().into();
    transactions.push(Value::Object(event));
    store(state, found.click, &found.body);
    state.hashes.insert(hash.clone(), found.click);
    state.applied.push(AppliedEvent {
        kind: kind.event(),
        transaction_hash: text("transaction_hash").to_string(),
        event_hash: hash.clone(),
        time: clock,
    });
    state.events = number;
    Ok(Applied { hash, facts })
}

/// A conversion as `POST /__mock/conversions` asks for it, checked.
#[derive(Debug, Clone)]
pub struct Conversion {
    /// `sale` (`trans_type` `initial`) or `rebill`.
    pub event: Event,
    /// The sale amount, with two decimals.
    pub amount: String,
    /// The affiliate's payout, with two decimals.
    pub payout: String,
    /// `orderid`, maybe empty.
    pub orderid: String,
    /// `subscription_id`, maybe empty.
    pub subscription_id: String,
}

impl Conversion {
    /// The new transaction's `trans_type`.
    fn trans_type(&self) -> &'static str {
        if self.event == Event::Rebill {
            "rebill"
        } else {
            "initial"
        }
    }
}

/// Appends the transaction of `conversion` to the click at `click`: status
/// `approved`, its hash a pure function of the click's hash, `sale` and the
/// event's number, its time the scenario's clock. Counts as an event.
pub fn apply_conversion(
    index: &ClickIndex,
    state: &mut LedgerState,
    click: usize,
    conversion: &Conversion,
    (now, scenario): (i64, &str),
) -> Option<Applied> {
    let mut body = current_body(index, state, click)?;
    let click_hash = text_of(&body["click"], "click_hash");
    let number = state.events + 1;
    let hash = event_hash(&click_hash, "sale", number);
    let clock = now.saturating_add(i64::try_from(state.events).unwrap_or(i64::MAX));
    let mut payout = Map::new();
    payout.insert("type".into(), "affiliate".into());
    payout.insert("loginid".into(), text_of(&body["click"], "loginid").into());
    payout.insert(
        "username".into(),
        text_of(&body["click"], "username").into(),
    );
    payout.insert("amount".into(), conversion.payout.clone().into());
    let mut sale = Map::new();
    sale.insert("transaction_hash".into(), hash.clone().into());
    sale.insert("time".into(), clock.to_string().into());
    sale.insert("trans_type".into(), conversion.trans_type().into());
    sale.insert("status".into(), "approved".into());
    sale.insert("orderid".into(), conversion.orderid.clone().into());
    sale.insert(
        "subscription_id".into(),
        conversion.subscription_id.clone().into(),
    );
    sale.insert("amount".into(), conversion.amount.clone().into());
    sale.insert("total_payout".into(), conversion.payout.clone().into());
    sale.insert("payouts".into(), Value::Array(vec![Value::Object(payout)]));
    let facts = EventFacts {
        event: conversion.event,
        loginid: text_of(&body["click"], "loginid"),
        transaction_hash: hash.clone(),
        values: variables((conversion.event, scenario), &body, &sale, "", &[]),
    };
    transactions_of(&mut body).push(Value::Object(sale));
    store(state, click, &body);
    state.hashes.insert(hash.clone(), click);
    for (added, value) in [
        (&mut state.orders, &conversion.orderid),
        (&mut state.subscriptions, &conversion.subscription_id),
    ] {
        if !value.is_empty() {
            added.entry(value.clone()).or_insert(click);
        }
    }
    state.applied.push(AppliedEvent {
        kind: conversion.event,
        transaction_hash: click_hash,
        event_hash: hash.clone(),
        time: clock,
    });
    state.events = number;
    Some(Applied { hash, facts })
}

/// The text of `key` in a JSON object (a number written as it is; `""`
/// when absent).
fn text_of(object: &Value, key: &str) -> String {
    match object.get(key) {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// The value of each postback variable for an event whose transaction is
/// `transaction`, in the click whose contract body is `body`, acting on
/// `original` (empty for a conversion), with the request's `customs`.
fn variables(
    (event, scenario): (Event, &str),
    body: &Value,
    transaction: &Map<String, Value>,
    original: &str,
    customs: &[(&'static str, String)],
) -> Vec<String> {
    let transaction = Value::Object(transaction.clone());
    let click = &body["click"];
    VARIABLES
        .iter()
        .map(|name| match *name {
            "event" => event.name().to_string(),
            // Filled for each postback and attempt.
            "seq" | "attempt" => String::new(),
            "scenario" => scenario.to_string(),
            "original_transaction_hash" => original.to_string(),
            "click_hash" => text_of(click, "click_hash"),
            "payout" => {
                let payouts = transaction["payouts"].as_array();
                let affiliate = payouts.and_then(|list| {
                    list.iter()
                        .find(|p| p["type"] == "affiliate")
                        .or_else(|| list.first())
                });
                affiliate.map_or_else(String::new, |p| text_of(p, "amount"))
            }
            custom if custom.starts_with("trans_custom") => customs
                .iter()
                .find(|(n, _)| n == name)
                .map_or_else(String::new, |(_, v)| v.clone()),
            key if transaction.get(key).is_some() => text_of(&transaction, key),
            key => text_of(click, key),
        })
        .collect()
}

/// Sets the `amount` of the transaction `found` to `cents`, written with
/// two decimals. Not an event: nothing is appended, the clock stays.
pub fn update_revenue(state: &mut LedgerState, mut found: Found, cents: i64) {
    let amount = Decimal::new(cents, 2).to_string();
    transactions_of(&mut found.body)[found.position]["amount"] = amount.into();
    store(state, found.click, &found.body);
}

/// The payouts of the transaction `found`, scaled by `amount` / its amount
/// when `amount` is given and its amount is a number other than zero
/// (rounded half away from zero to cents); as they are otherwise.
pub fn preview_payouts(found: &Found, amount: Option<&str>) -> Vec<Value> {
    let payouts = found
        .transaction()
        .get("payouts")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let ratio = amount.and_then(|given| {
        let given = Decimal::from_str(given).ok()?;
        let own = Decimal::from_str(found.value("amount")).ok()?;
        (!own.is_zero()).then(|| given.checked_div(own)).flatten()
    });
    let Some(ratio) = ratio else {
        return payouts;
    };
    payouts
        .into_iter()
        .map(|mut payout| {
            let scaled = payout
                .get("amount")
                .and_then(Value::as_str)
                .and_then(|a| Decimal::from_str(a).ok())
                .and_then(|a| a.checked_mul(ratio));
            if let Some(scaled) = scaled {
                let mut cents =
                    scaled.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
                cents.rescale(2);
                payout["amount"] = cents.to_string().into();
            }
            payout
        })
        .collect()
}

/// Whether `text` is a number an amount may be (`12`, `-3.5`, `29.95`).
pub fn is_amount(text: &str) -> bool {
    Decimal::from_str(text).is_ok()
}

/// The click body's `transactions`, which every contract body has.
fn transactions_of(body: &mut Value) -> &mut Vec<Value> {
    match &mut body["transactions"] {
        Value::Array(list) => list,
        _ => unreachable!("a contract body has a transactions list"),
    }
}

fn store(state: &mut LedgerState, click: usize, body: &Value) {
    // A `Value` always serializes.
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    state.bodies.insert(click, Bytes::from(bytes));
}

/// `text` negated, keeping its decimals (`29.95` gives `-29.95`, `-5.00`
/// gives `5.00`); text that is not a number stays as it is.
pub fn negated(text: &str) -> String {
    match text.strip_prefix('-') {
        Some(positive) if is_amount(positive) => positive.to_string(),
        None if is_amount(text) && !text.starts_with('+') => format!("-{text}"),
        _ => text.to_string(),
    }
}

/// An event transaction's hash: a pure function of the original's hash (a
/// conversion's: the click's), the kind and the event's number, shaped like
/// the API's hashes (15 hex digits, a dot, 8 digits).
fn event_hash(original: &str, kind: &str, number: u64) -> String {
    let digest = Sha256::digest(format!("{original}\n{kind}\n{number}"));
    let mut head = [0u8; 8];
    head.copy_from_slice(&digest[..8]);
    let mut tail = [0u8; 8];
    tail.copy_from_slice(&digest[8..16]);
    let hex = u64::from_be_bytes(head) >> 4;
    let digits = u64::from_be_bytes(tail) % 100_000_000;
    format!("{hex:015x}.{digits:08}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negation_keeps_the_decimals_and_leaves_text_alone() {
        assert_eq!(negated("29.95"), "-29.95");
        assert_eq!(negated("-5.00"), "5.00");
        assert_eq!(negated("12.345"), "-12.345");
        assert_eq!(negated("0.00"), "-0.00");
        assert_eq!(negated(""), "");
        assert_eq!(negated("n/a"), "n/a");
    }

    #[test]
    fn event_hashes_are_shaped_like_the_apis_and_pure() {
        let a = event_hash("ac35ffba0fc0007.24591976", "void", 1);
        assert_eq!(a, event_hash("ac35ffba0fc0007.24591976", "void", 1));
        assert_ne!(a, event_hash("ac35ffba0fc0007.24591976", "void", 2));
        assert_ne!(a, event_hash("ac35ffba0fc0007.24591976", "reversal", 1));
        let (hex, digits) = a.split_once('.').expect("a dot");
        assert_eq!(hex.len(), 15);
        assert!(
            hex.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert_eq!(digits.len(), 8);
        assert!(digits.bytes().all(|b| b.is_ascii_digit()));
    }

    #[test]
    fn a_change_that_fails_keeps_the_state() {
        let ledger = Ledger::default();
        let failed: Result<(), ()> = ledger.change(|state| {
            state.events = 9;
            Err(())
        });
        assert!(failed.is_err());
        assert_eq!(ledger.events(), 0);
    }
}
