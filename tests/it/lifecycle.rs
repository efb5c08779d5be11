//! The transaction lifecycle of `LIFECYCLE.md`: voids, chargebacks and
//! reversals that change what `click_detail` answers, revenue updates,
//! payout previews and order checks, against the bundled `lifecycle` scenario.
//!
//! - `events`: what a void, a chargeback and a reversal answer and append;
//! - `lookups`: which transaction each identifier names;
//! - `updates`: revenue updates, payout previews and order checks;
//! - `errors`: every refusal, table-driven, and the `errors:` overrides;
//! - `format`: the scenario keys the lifecycle adds, `now:` and
//!   `transactionid:`;
//! - `state`: reset, reload, one scenario's state beside another's, the
//!   same bytes for the same requests, concurrent voids, and what the admin
//!   API shows.
//!
//! This file holds what they share: the scenario's clicks by purpose, the
//! actions' paths, and the requests that apply an action.

use reqwest::Method;
use serde_json::Value;

use crate::util::{Answer, TestServer};

mod errors;
mod events;
mod format;
mod lookups;
mod state;
mod updates;

pub const VOID: &str = "/api/transaction/process_void";
pub const CHARGEBACK: &str = "/api/transaction/process_chargeback";
pub const REVERSAL: &str = "/api/transaction/process_reversal";
pub const REVENUE_BY_ORDER: &str = "/api/transaction/transaction_update_revenue_by_orderid";
pub const REVENUE_BY_HASH: &str = "/api/transaction/transaction_update_revenue_by_transaction_hash";
pub const PAYOUT_PREVIEW: &str = "/api/transaction/transaction_payout_preview";
pub const CHECK_ORDER: &str = "/api/offer/check_orderid_exists";

/// The scenario's `now:` (2025-11-22T00:00:00Z) in Unix seconds: the time of
/// the first event.
pub const NOW: u64 = 1_763_769_600;

/// A click with one approved sale of 29.95 paying 10.00, to void.
pub const VOID_CLICK: &str = "942c3299844da87.44441535";
pub const VOID_TX: &str = "72df3fd7fe4ffe9.73298942";
/// The void click's sale as the biller knows it (`transactionid`).
pub const VOID_TXID: &str = "7730015501";
pub const VOID_ORDER: &str = "ORD-L-1001";

/// A click with one approved sale of 49.95 paying the affiliate 20.00 and
/// the network 5.00, to charge back.
pub const CHARGEBACK_CLICK: &str = "10dabb133ae8fc7.11070007";
pub const CHARGEBACK_TX: &str = "0c10b0db5c5ce3b.80186601";

/// A click with one approved sale of 12.345 (three decimals), to reverse.
pub const REVERSAL_CLICK: &str = "19d533b2442ced1.83138092";
pub const REVERSAL_TX: &str = "9255351d3c5f9ab.58763980";
pub const REVERSAL_ORDER: &str = "ORD-L-3001";

/// A click with two transactions on one order: an initial sale of 20.00
/// paying 7.25 and 0.25, then an upsell.
pub const ORDER_CLICK: &str = "09d7a82ea0d81b2.95238000";
pub const ORDER_FIRST_TX: &str = "152fa1643c97e64.32594323";
pub const ORDER_SECOND_TX: &str = "1a8e2fef424706e.51920149";
pub const SHARED_ORDER: &str = "ORD-L-4001";

/// A click that never converted.
pub const UNCONVERTED_CLICK: &str = "0b02fed673e5fb0.75768743";

/// A click whose only transaction is already `void` in the fixture.
pub const VOIDED_CLICK: &str = "3573e0331e5f18d.99727756";
pub const VOIDED_TX: &str = "e6946a8f840f0e3.34433770";

/// A click with a free trial: amount 0.00, payout 1.00.
pub const TRIAL_CLICK: &str = "1a3b4981252f1c9.03945582";
pub const TRIAL_TX: &str = "06054ba1c7e0123.01535722";

/// A hash no scenario holds.
pub const UNKNOWN_HASH: &str = "01665e14771b958.46383459";

/// Every click of the scenario.
pub const CLICKS: [&str; 7] = [
    VOID_CLICK,
    CHARGEBACK_CLICK,
    REVERSAL_CLICK,
    ORDER_CLICK,
    UNCONVERTED_CLICK,
    VOIDED_CLICK,
    TRIAL_CLICK,
];

/// The answer of a void, chargeback or reversal that was applied.
pub const EVENT_APPLIED: &str = r#"{"result":"success","message":"success"}"#;
/// The answer of a revenue update that was applied.
pub const REVENUE_UPDATED: &str = r#"{"result":"success"}"#;

/// Form fields: names and values.
pub type Fields<'a> = &'a [(&'a str, &'a str)];

/// The three actions that record an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Void,
    Chargeback,
    Reversal,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Void, Kind::Chargeback, Kind::Reversal];

    /// The action's path.
    pub fn path(self) -> &'static str {
        match self {
            Kind::Void => VOID,
            Kind::Chargeback => CHARGEBACK,
            Kind::Reversal => REVERSAL,
        }
    }

    /// The status and `trans_type` it records, and the journal's outcome.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Void => "void",
            Kind::Chargeback => "chargeback",
            Kind::Reversal => "reversal",
        }
    }

    /// The field the action requires (none for a void).
    pub fn required(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Kind::Void => &[],
            Kind::Chargeback => &[("type", "chargeback")],
            Kind::Reversal => &[("reverse", "1")],
        }
    }

    /// The refusal of a further event on a transaction this kind reached.
    pub fn exists(self) -> &'static str {
        match self {
            Kind::Void => "Void transaction exists.",
            Kind::Chargeback => "Chargeback transaction exists.",
            Kind::Reversal => "Reversal transaction exists.",
        }
    }
}

/// A server of the bundled `lifecycle` scenario, fresh from its fixtures.
pub async fn lifecycle() -> TestServer {
    TestServer::bundled("lifecycle").await
}

/// Sends the `kind` action with the field it requires and `fields`.
pub async fn apply(server: &TestServer, kind: Kind, fields: &[(&str, &str)]) -> Answer {
    let mut all = kind.required().to_vec();
    all.extend_from_slice(fields);
    server.send_form(Method::POST, kind.path(), &all).await
}

/// Applies `kind` to the transaction `hash`, checked to succeed.
pub async fn applied(server: &TestServer, kind: Kind, hash: &str) {
    let answer = apply(server, kind, &[("transaction_hash", hash)]).await;
    assert_eq!(
        answer.status,
        200,
        "{} of {hash}: {}",
        kind.name(),
        answer.body
    );
}

/// The click_detail answer for `transaction_hash=hash`.
pub async fn detail(server: &TestServer, hash: &str) -> Answer {
    server
        .lookup_form(&format!("transaction_hash={hash}"))
        .await
}

/// The click_detail body for `hash`, checked to be 200.
pub async fn detail_body(server: &TestServer, hash: &str) -> String {
    let answer = detail(server, hash).await;
    assert_eq!(answer.status, 200, "{hash}: {}", answer.body);
    answer.body
}

/// The transactions click_detail lists for `click`, in order.
pub async fn transactions(server: &TestServer, click: &str) -> Vec<Value> {
    let answer = detail(server, click).await;
    assert_eq!(answer.status, 200, "{click}: {}", answer.body);
    answer.json()["transactions"]
        .as_array()
        .expect("transactions")
        .clone()
}

/// The transaction `hash` as click_detail lists it for `click`.
pub async fn transaction(server: &TestServer, click: &str, hash: &str) -> Value {
    transactions(server, click)
        .await
        .into_iter()
        .find(|t| t["transaction_hash"] == hash)
        .unwrap_or_else(|| panic!("{hash} is listed for {click}"))
}

/// The last transaction listed for `click`: its newest event.
pub async fn newest(server: &TestServer, click: &str) -> Value {
    transactions(server, click)
        .await
        .pop()
        .unwrap_or_else(|| panic!("{click} lists a transaction"))
}

/// The statuses of `click`'s transactions, in order.
pub async fn statuses(server: &TestServer, click: &str) -> Vec<String> {
    transactions(server, click)
        .await
        .iter()
        .map(|t| t["status"].as_str().expect("status").to_string())
        .collect()
}

/// Shaped like a real transaction hash: 15 lowercase hex digits, a dot, 8
/// digits.
pub fn is_hash_shaped(hash: &str) -> bool {
    hash.split_once('.').is_some_and(|(hex, digits)| {
        hex.len() == 15
            && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
            && digits.len() == 8
            && digits.bytes().all(|b| b.is_ascii_digit())
    })
}

/// `transaction` as JSON in its key order, its `transaction_hash` written
/// `<hash>` (an event's hash is checked by shape, not by value).
pub fn with_hash_hidden(transaction: &Value) -> String {
    let mut shown = transaction.clone();
    shown["transaction_hash"] = Value::from("<hash>");
    shown.to_string()
}

/// `seconds` after [`NOW`], as click_detail writes a time.
pub fn now_plus(seconds: u64) -> String {
    (NOW + seconds).to_string()
}
