//! The clicks of a scenario, indexed for lookup, each with its success body
//! rendered once at load so that a request only does a hash lookup and a
//! reference-counted copy of the bytes.

use std::collections::HashMap as StdHashMap;

/// The maps of a scenario's keys, hashed with foldhash rather than SipHash:
/// the keys are the scenario author's own, built into the maps once, so
/// they need no defence against crafted collisions, and a large scenario's
/// load spent a tenth of its time hashing them.
type HashMap<K, V> = StdHashMap<K, V, foldhash::fast::RandomState>;

use bytes::Bytes;

use super::faults::FaultOutcome;
use super::model::{CLICK_KEYS, ClickSpec, PAYOUT_KEYS, TRANSACTION_KEYS, TransactionSpec};
use super::parallel;
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
    /// Indexes validated clicks and transactions (every transaction's click
    /// exists). The bodies of many clicks are rendered on every core, in
    /// slices whose results are put back in click order.
    pub fn build<'a>(
        clicks: impl IntoIterator<Item = &'a ClickSpec>,
        transactions: impl IntoIterator<Item = &'a TransactionSpec>,
    ) -> Self {
        let mut index = ClickIndex::default();
        let clicks: Vec<&ClickSpec> = clicks.into_iter().collect();
        let transactions: Vec<&TransactionSpec> = transactions.into_iter().collect();
        index.by_hash.reserve(clicks.len() + transactions.len());
        for (i, click) in clicks.iter().enumerate() {
            index.by_hash.insert(click.click_hash().to_string(), i);
        }
        let owned = Owned::group(&clicks, &transactions, &index.by_hash);
        index.transactions = owned.transactions.len();
        for (i, transaction) in owned.iter() {
            if let Some(id) = &transaction.transactionid {
                let hash = transaction.transaction_hash().to_string();
                index.transactionids.insert(id.value.clone(), (i, hash));
            }
        }
        // The maps are filled while the bodies are rendered.
        let mut by_hash = std::mem::take(&mut index.by_hash);
        let large = clicks.len() + owned.transactions.len() >= parallel::FROM_RECORDS;
        let (lookups, (hashes, bodies)) = parallel::join(
            large,
            || other_lookups(&owned),
            || {
                parallel::join(
                    large,
                    || {
                        for (i, transaction) in owned.iter() {
                            // A click_hash wins over an equal transaction_hash.
                            let key = transaction.transaction_hash();
                            if !key.is_empty() {
                                by_hash.entry(key.to_string()).or_insert(i);
                            }
                        }
                        let hashes: Vec<String> =
                            clicks.iter().map(|c| c.click_hash().to_string()).collect();
                        (by_hash, hashes)
                    },
                    || render_bodies(&clicks, &owned),
                )
            },
        );
        (index.by_subscription, index.by_order) = lookups;
        (index.by_hash, index.hashes) = hashes;
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
            .map(|c| c.values.get(1))
            .chain(owned.transactions.iter().map(|t| t.value("time")));
        index.latest_time = times.filter_map(|t| t.parse::<i64>().ok()).max();
        for (i, (body, shadow)) in bodies.into_iter().enumerate() {
            index.bodies.push(body);
            if let Some(shadow) = shadow {
                index.shadows.insert(i, shadow);
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

/// Each click's transactions, in fixture order: one list, sorted by click,
/// rather than a list per click.
struct Owned<'a> {
    /// The transactions of click `i` are `transactions[starts[i]..starts[i + 1]]`.
    starts: Vec<usize>,
    transactions: Vec<&'a TransactionSpec>,
}

impl<'a> Owned<'a> {
    fn group(
        clicks: &[&ClickSpec],
        transactions: &[&'a TransactionSpec],
        by_hash: &HashMap<String, usize>,
    ) -> Self {
        let owners: Vec<Option<usize>> = transactions
            .iter()
            .map(|t| by_hash.get(&t.click_hash.value).copied())
            .collect();
        let mut starts = vec![0; clicks.len() + 1];
        for &owner in owners.iter().flatten() {
            starts[owner + 1] += 1;
        }
        for i in 0..clicks.len() {
            starts[i + 1] += starts[i];
        }
        let mut next = starts.clone();
        let mut slots: Vec<Option<&TransactionSpec>> = vec![None; starts[clicks.len()]];
        for (transaction, owner) in transactions.iter().zip(owners) {
            if let Some(owner) = owner {
                slots[next[owner]] = Some(transaction);
                next[owner] += 1;
            }
        }
        Owned {
            starts,
            transactions: slots.into_iter().flatten().collect(),
        }
    }

    /// The transactions of click `i`.
    fn of(&self, i: usize) -> &[&'a TransactionSpec] {
        &self.transactions[self.starts[i]..self.starts[i + 1]]
    }

    /// Every transaction with its click, click by click.
    fn iter(&self) -> impl Iterator<Item = (usize, &'a TransactionSpec)> + '_ {
        (0..self.starts.len().saturating_sub(1))
            .flat_map(move |i| self.of(i).iter().map(move |t| (i, *t)))
    }
}

/// The maps from `subscription_id` and from `orderid` to a click; the first
/// transaction in fixture order wins a shared subscription or order.
fn other_lookups(owned: &Owned) -> (HashMap<String, usize>, HashMap<String, usize>) {
    let mut by_subscription =
        HashMap::with_capacity_and_hasher(owned.transactions.len(), Default::default());
    let mut by_order =
        HashMap::with_capacity_and_hasher(owned.transactions.len(), Default::default());
    for (i, transaction) in owned.iter() {
        for (map, key) in [
            (&mut by_subscription, transaction.value("subscription_id")),
            (&mut by_order, transaction.value("orderid")),
        ] {
            if !key.is_empty() {
                map.entry(key.to_string()).or_insert(i);
            }
        }
    }
    (by_subscription, by_order)
}

/// Clicks per slice of bodies rendered on one thread.
const RENDER_SLICE: usize = 16 * 1024;

/// A click's answer and, for a click with a captured `response:`, the
/// contract's body as well.
type Rendered = (Bytes, Option<Bytes>);

/// Each click's [`Rendered`] bodies, in click order, rendered on every core.
fn render_bodies(clicks: &[&ClickSpec], owned: &Owned) -> Vec<Rendered> {
    let render = |start: usize, slice: &[&ClickSpec]| -> Vec<Rendered> {
        // One buffer to write in, and each body copied out at its size.
        let mut scratch = String::with_capacity(4096);
        slice
            .iter()
            .enumerate()
            .map(|(n, click)| {
                let list = owned.of(start + n);
                match &click.response {
                    Some(response) => {
                        let mut out = String::new();
                        crate::scenario::to_json::push_yaml(&mut out, response);
                        let shadow = contract_body(click, list, &mut scratch);
                        (Bytes::from(out), Some(shadow))
                    }
                    None => (contract_body(click, list, &mut scratch), None),
                }
            })
            .collect()
    };
    if clicks.len() <= RENDER_SLICE {
        return render(0, clicks);
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 {
        return render(0, clicks);
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let slices = clicks.len().div_ceil(RENDER_SLICE);
    let mut rendered: Vec<(usize, Vec<Rendered>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.min(slices))
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let slice = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if slice >= slices {
                            return done;
                        }
                        let start = slice * RENDER_SLICE;
                        let end = (start + RENDER_SLICE).min(clicks.len());
                        done.push((slice, render(start, &clicks[start..end])));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    rendered.sort_by_key(|(slice, _)| *slice);
    rendered
        .into_iter()
        .flat_map(|(_, bodies)| bodies)
        .collect()
}

/// The contract's success body of a click and its transactions.
/// `out` is a scratch buffer, cleared first; the body is copied out of it.
fn contract_body(click: &ClickSpec, transactions: &[&TransactionSpec], out: &mut String) -> Bytes {
    out.clear();
    let mut body = ObjectWriter::open(out);
    body.known("result", "success");
    body.raw("click", |out| {
        let mut object = ObjectWriter::open(out);
        for (key, value) in CLICK_KEYS.iter().zip(click.values.iter()) {
            object.known(key, value);
        }
        for (key, value) in &click.extra {
            object.string(key, value);
        }
        object.close();
    });
    body.raw("transactions", |out| {
        render::push_array(out, transactions, |out, transaction| {
            let mut object = ObjectWriter::open(out);
            for (key, value) in TRANSACTION_KEYS.iter().zip(transaction.values.iter()) {
                object.known(key, value);
            }
            object.raw("payouts", |out| {
                render::push_array(out, &transaction.payouts, |out, payout| {
                    let mut object = ObjectWriter::open(out);
                    for (key, value) in PAYOUT_KEYS.iter().zip(payout) {
                        object.known(key, value);
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
    Bytes::copy_from_slice(out.as_bytes())
}
