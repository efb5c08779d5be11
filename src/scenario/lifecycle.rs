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

use super::facts::{text_of, variables};
use super::index::{ClickIndex, LookupKey};
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
    pub(super) events: u64,
    /// The contract bodies of the clicks actions touched.
    bodies: HashMap<usize, Bytes>,
    /// Each appended transaction's hash, and its click.
    pub(super) hashes: HashMap<String, usize>,
    /// The events applied, oldest first: at most one per transaction.
    pub(super) applied: Vec<AppliedEvent>,
    /// The `orderid` of each conversion that gave one, and its click.
    pub(super) orders: HashMap<String, usize>,
    /// The `subscription_id` of each conversion that gave one, and its click.
    pub(super) subscriptions: HashMap<String, usize>,
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
pub(super) fn current_body(index: &ClickIndex, state: &LedgerState, click: usize) -> Option<Value> {
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
pub(super) fn transactions_of(body: &mut Value) -> &mut Vec<Value> {
    match &mut body["transactions"] {
        Value::Array(list) => list,
        _ => unreachable!("a contract body has a transactions list"),
    }
}

pub(super) fn store(state: &mut LedgerState, click: usize, body: &Value) {
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
pub(super) fn event_hash(original: &str, kind: &str, number: u64) -> String {
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
