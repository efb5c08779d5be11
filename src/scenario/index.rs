//! The clicks of a scenario, indexed for lookup, each with its success body
//! rendered once at load so that a request only does a hash lookup and a
//! reference-counted copy of the bytes.

use std::collections::HashMap;

use bytes::Bytes;

use super::faults::FaultOutcome;
use super::model::{CLICK_KEYS, ClickSpec, PAYOUT_KEYS, TRANSACTION_KEYS, TransactionSpec};
use crate::render::{self, ObjectWriter};

/// Which request parameter found (or failed to find) a click.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookupKey {
    /// A click's `click_hash` or one of its transactions' `transaction_hash`.
    TransactionHash,
    /// The `subscription_id` of one of the click's transactions.
    SubscriptionId,
    /// The `orderid` of one of the click's transactions.
    OrderId,
}

impl LookupKey {
    /// In the order of precedence: the first one given decides.
    pub const ALL: [LookupKey; 3] = [
        LookupKey::TransactionHash,
        LookupKey::SubscriptionId,
        LookupKey::OrderId,
    ];

    /// The request parameter's name.
    pub fn parameter(self) -> &'static str {
        match self {
            LookupKey::TransactionHash => "transaction_hash",
            LookupKey::SubscriptionId => "subscription_id",
            LookupKey::OrderId => "orderid",
        }
    }
}

/// A click found by a lookup.
#[derive(Debug, Clone, Copy)]
pub struct Match<'i> {
    /// Its place in the scenario's clicks.
    pub index: usize,
    /// The click's `click_hash`, for logs.
    pub click_hash: &'i str,
    /// The whole response body.
    pub body: &'i Bytes,
    /// The click's own `latency_ms` and `fault`, if it has any.
    pub behaviour: Option<&'i ClickBehaviour>,
}

/// A click's own `latency_ms` and `fault`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClickBehaviour {
    /// Delay of this click's answers, instead of the scenario's.
    pub latency_ms: Option<u64>,
    /// What happens to every answer of this click.
    pub fault: Option<FaultOutcome>,
}

/// Clicks and the maps that find them.
#[derive(Debug, Default)]
pub struct ClickIndex {
    hashes: Vec<String>,
    bodies: Vec<Bytes>,
    by_hash: HashMap<String, usize>,
    by_subscription: HashMap<String, usize>,
    by_order: HashMap<String, usize>,
    /// Only the few clicks that have one.
    behaviours: HashMap<usize, ClickBehaviour>,
    transactions: usize,
    /// Each `transactionid` of the fixtures: its click and transaction hash.
    transactionids: HashMap<String, (usize, String)>,
    /// The contract's rendering of clicks answered with a captured
    /// `response:`, which the lifecycle actions read and change.
    shadows: HashMap<usize, Bytes>,
    /// The latest `time` of any click or transaction, in Unix seconds.
    latest_time: Option<i64>,
}

impl ClickIndex {
    /// Indexes validated clicks and transactions (every transaction's click exists).
    pub fn build<'a>(
        clicks: impl IntoIterator<Item = &'a ClickSpec>,
        transactions: impl IntoIterator<Item = &'a TransactionSpec>,
    ) -> Self {
        let mut index = ClickIndex::default();
        let clicks: Vec<&ClickSpec> = clicks.into_iter().collect();
        let mut owned: Vec<Vec<&TransactionSpec>> = vec![Vec::new(); clicks.len()];
        for (i, click) in clicks.iter().enumerate() {
            index.by_hash.insert(click.click_hash().to_string(), i);
        }
        for transaction in transactions {
            let Some(&i) = index.by_hash.get(&transaction.click_hash.value) else {
                continue;
            };
            owned[i].push(transaction);
            index.transactions += 1;
            if let Some(id) = &transaction.transactionid {
                let hash = transaction.transaction_hash().to_string();
                index.transactionids.insert(id.value.clone(), (i, hash));
            }
        }
        for (i, list) in owned.iter().enumerate() {
            for transaction in list {
                // A click_hash wins over an equal transaction_hash, and the first
                // transaction in fixture order wins a shared subscription or order.
                let keys = [
                    (&mut index.by_hash, transaction.transaction_hash()),
                    (
                        &mut index.by_subscription,
                        transaction.value("subscription_id"),
                    ),
                    (&mut index.by_order, transaction.value("orderid")),
                ];
                for (map, key) in keys {
                    if !key.is_empty() {
                        map.entry(key.to_string()).or_insert(i);
                    }
                }
            }
        }
        for (i, click) in clicks.iter().enumerate() {
            if click.latency_ms.is_some() || click.fault.is_some() {
                let behaviour = ClickBehaviour {
                    latency_ms: click.latency_ms,
                    fault: click.fault.clone(),
                };
                index.behaviours.insert(i, behaviour);
            }
        }
        let times = clicks
            .iter()
            .map(|c| c.values[1].as_str())
            .chain(owned.iter().flatten().map(|t| t.value("time")));
        index.latest_time = times.filter_map(|t| t.parse::<i64>().ok()).max();
        for (i, (click, list)) in clicks.iter().zip(&owned).enumerate() {
            index.hashes.push(click.click_hash().to_string());
            match &click.response {
                Some(response) => {
                    let mut out = String::new();
                    crate::scenario::to_json::push_yaml(&mut out, response);
                    index.bodies.push(Bytes::from(out));
                    index.shadows.insert(i, contract_body(click, list));
                }
                None => index.bodies.push(contract_body(click, list)),
            }
        }
        index
    }

    /// The click `value` finds through `key`.
    pub fn find(&self, key: LookupKey, value: &str) -> Option<Match<'_>> {
        let map = match key {
            LookupKey::TransactionHash => &self.by_hash,
            LookupKey::SubscriptionId => &self.by_subscription,
            LookupKey::OrderId => &self.by_order,
        };
        let &i = map.get(value)?;
        Some(self.at(i))
    }

    /// The click at `index` (one [`ClickIndex::find`] or the lifecycle found).
    pub fn at(&self, index: usize) -> Match<'_> {
        Match {
            index,
            click_hash: &self.hashes[index],
            body: &self.bodies[index],
            behaviour: self.behaviours.get(&index),
        }
    }

    /// The click whose `click_hash` or one of whose transactions'
    /// `transaction_hash` is `hash`.
    pub fn by_hash(&self, hash: &str) -> Option<usize> {
        self.by_hash.get(hash).copied()
    }

    /// Whether `hash` is a click's own `click_hash`.
    pub fn is_click_hash(&self, hash: &str) -> bool {
        self.by_hash(hash).is_some_and(|i| self.hashes[i] == hash)
    }

    /// The click `orderid` finds, as a lookup by order finds it.
    pub fn by_order(&self, orderid: &str) -> Option<usize> {
        self.by_order.get(orderid).copied()
    }

    /// The click and transaction hash of a fixture's `transactionid`.
    pub fn by_transactionid(&self, id: &str) -> Option<(usize, &str)> {
        self.transactionids
            .get(id)
            .map(|(i, hash)| (*i, hash.as_str()))
    }

    /// The contract's body of the click at `index`, as loaded: its answer,
    /// or for a click with a captured `response:` what the contract would say.
    pub fn contract_body(&self, index: usize) -> &Bytes {
        self.shadows.get(&index).unwrap_or(&self.bodies[index])
    }

    /// Whether the click at `index` answers with a captured `response:`.
    pub fn is_captured(&self, index: usize) -> bool {
        self.shadows.contains_key(&index)
    }

    /// The latest `time` of any click or transaction, in Unix seconds.
    pub fn latest_time(&self) -> Option<i64> {
        self.latest_time
    }

    /// Every click's `click_hash`, in file order.
    pub fn click_hashes(&self) -> impl Iterator<Item = &str> {
        self.hashes.iter().map(String::as_str)
    }

    /// How many clicks there are.
    pub fn clicks(&self) -> usize {
        self.hashes.len()
    }

    /// How many transactions there are.
    pub fn transactions(&self) -> usize {
        self.transactions
    }
}

/// The contract's success body of a click and its transactions.
fn contract_body(click: &ClickSpec, transactions: &[&TransactionSpec]) -> Bytes {
    let mut out = String::with_capacity(512 + 384 * transactions.len());
    let mut body = ObjectWriter::open(&mut out);
    body.string("result", "success");
    body.raw("click", |out| {
        let mut object = ObjectWriter::open(out);
        for (key, value) in CLICK_KEYS.iter().zip(&click.values) {
            object.string(key, value);
        }
        for (key, value) in &click.extra {
            object.string(key, value);
        }
        object.close();
    });
    body.raw("transactions", |out| {
        render::push_array(out, transactions, |out, transaction| {
            let mut object = ObjectWriter::open(out);
            for (key, value) in TRANSACTION_KEYS.iter().zip(&transaction.values) {
                object.string(key, value);
            }
            object.raw("payouts", |out| {
                render::push_array(out, &transaction.payouts, |out, payout| {
                    let mut object = ObjectWriter::open(out);
                    for (key, value) in PAYOUT_KEYS.iter().zip(payout) {
                        object.string(key, value);
                    }
                    object.close();
                });
            });
            for (key, value) in &transaction.extra {
                object.string(key, value);
            }
            object.close();
        });
    });
    body.close();
    Bytes::from(out)
}
