//! Conversions (`shared/POSTBACKS.md`): a sale or a rebill made to happen
//! on a click, appended to its transactions like a lifecycle event, on the
//! same clock and under the same ledger.

use serde_json::{Map, Value};

use super::facts::{text_of, variables};
use super::index::ClickIndex;
use super::lifecycle::{
    Applied, AppliedEvent, LedgerState, current_body, event_hash, store, transactions_of,
};
use crate::postbacks::{Event, EventFacts};

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
