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

use super::bodies::{self, Split};
use super::faults::FaultOutcome;
use super::group::Grouped;
use super::keys::{KeyList, KeyMap};
use super::load::Links;
use super::model::{ClickSpec, TransactionSpec};
use super::parallel;

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
    hashes: KeyList,
    bodies: Vec<Bytes>,
    by_hash: KeyMap<usize>,
    by_subscription: KeyMap<usize>,
    by_order: KeyMap<usize>,
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
    /// exists) in load order, with the links the load's checks found,
    /// consuming them: everything read from their texts is read first, then
    /// the bodies are rendered on every core while the records are given up
    /// (see [`bodies`]).
    pub fn build(clicks: Vec<ClickSpec>, transactions: Vec<TransactionSpec>, links: Links) -> Self {
        ClickIndex::build_split(clicks, transactions, links, Split::for_machine())
    }

    /// [`ClickIndex::build`] with the rendering cut up as `split` says.
    fn build_split(
        clicks: Vec<ClickSpec>,
        transactions: Vec<TransactionSpec>,
        links: Links,
        split: Split,
    ) -> Self {
        // The click hashes, to which the transaction hashes are added.
        let by_hash = links.clicks;
        let grouped = Grouped::new(clicks, transactions, links.owners);
        let large = grouped.clicks.len() + grouped.transactions.len() >= parallel::FROM_RECORDS;
        let ((by_subscription, by_order), mut index) = parallel::join(
            large,
            || other_lookups(&grouped),
            || ClickIndex::from_texts(&grouped, by_hash),
        );
        (index.by_subscription, index.by_order) = (by_subscription, by_order);
        let rendered = bodies::render(grouped, split);
        index.bodies = rendered.bodies;
        index.shadows = rendered.shadows.into_iter().collect();
        index
    }

    /// The index without its bodies and its subscription and order maps:
    /// `by_hash` (the click hashes) completed with the transaction hashes,
    /// and what else is read from the records' texts.
    fn from_texts(grouped: &Grouped, mut by_hash: KeyMap<usize>) -> Self {
        let mut index = ClickIndex {
            transactions: grouped.transactions.len(),
            ..ClickIndex::default()
        };
        for (i, transaction) in grouped.iter() {
            // A click_hash wins over an equal transaction_hash.
            let key = transaction.transaction_hash();
            if !key.is_empty() {
                by_hash.insert_first(key, i);
            }
            if let Some(id) = &transaction.transactionid {
                let hash = key.to_string();
                index.transactionids.insert(id.value.clone(), (i, hash));
            }
        }
        index.by_hash = by_hash;
        let hashes = grouped.clicks.iter().map(ClickSpec::click_hash);
        index.hashes =
            KeyList::with_capacity(grouped.clicks.len(), hashes.clone().map(str::len).sum());
        for hash in hashes {
            index.hashes.push(hash);
        }
        for (i, click) in grouped.clicks.iter().enumerate() {
            if click.latency_ms().is_some() || click.fault().is_some() {
                let behaviour = ClickBehaviour {
                    latency_ms: click.latency_ms(),
                    fault: click.fault().cloned(),
                };
                index.behaviours.insert(i, behaviour);
            }
        }
        let times = grouped
            .clicks
            .iter()
            .map(|c| c.values.get(1))
            .chain(grouped.transactions.iter().map(|t| t.value("time")));
        index.latest_time = times.filter_map(|t| t.parse::<i64>().ok()).max();
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
            click_hash: self.hashes.get(index),
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
        self.by_hash(hash)
            .is_some_and(|i| self.hashes.get(i) == hash)
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
        self.hashes.iter()
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

/// The maps from `subscription_id` and from `orderid` to a click; the first
/// transaction in click order, then fixture order, wins a shared
/// subscription or order.
fn other_lookups(grouped: &Grouped) -> (KeyMap<usize>, KeyMap<usize>) {
    let map = |key| {
        let values = grouped.transactions.iter().map(|t| t.value(key));
        KeyMap::with_capacity(grouped.transactions.len(), values.map(str::len).sum())
    };
    let (mut by_subscription, mut by_order) = (map("subscription_id"), map("orderid"));
    for (i, transaction) in grouped.iter() {
        for (map, key) in [
            (&mut by_subscription, transaction.value("subscription_id")),
            (&mut by_order, transaction.value("orderid")),
        ] {
            if !key.is_empty() {
                map.insert_first(key, i);
            }
        }
    }
    (by_subscription, by_order)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::scenario::{load, source};

    /// A scenario of 23 clicks and 40 transactions listed out of click
    /// order; some clicks have a captured `response:`, extras or a latency,
    /// some transactions payouts and extras, and clicks share subscriptions.
    fn scenario() -> String {
        let mut text = String::from("credentials:\n  - {username: u, api_key: k}\nclicks:\n");
        for c in 0..23 {
            text.push_str(&format!(
                "  - click_hash: c{c}\n    time: {}\n",
                1_700_000_000 + c
            ));
            if c % 5 == 0 {
                text.push_str(&format!("    response: {{result: success, seen: {c}}}\n"));
            }
            if c % 4 == 0 {
                text.push_str(&format!("    extra: {{note: \"click {c}\"}}\n"));
            }
            if c % 6 == 0 {
                text.push_str("    latency_ms: 25\n");
            }
        }
        text.push_str("transactions:\n");
        for t in 0..40 {
            let click = (t * 7) % 23;
            text.push_str(&format!(
                "  - transaction_hash: t{t}\n    click_hash: c{click}\n    time: {}\n    \
                 subscription_id: SUB-{}\n    orderid: ORD-{t}\n    transactionid: {t}\n",
                1_700_100_000 - t,
                t % 9
            ));
            if t % 3 == 0 {
                text.push_str(
                    "    payouts:\n      - {type: affiliate, loginid: 7, amount: \"1.00\"}\n",
                );
            }
            if t % 8 == 0 {
                text.push_str(&format!("    extra: {{batch: \"b{t}\"}}\n"));
            }
        }
        text
    }

    /// The scenario's index, built from what the loader hands on, its
    /// bodies rendered as `split` says.
    fn build(split: Split) -> ClickIndex {
        let source = source::Memory {
            path: PathBuf::from("many.yaml"),
            text: scenario(),
        };
        let loaded = load::load(&source, &source.path).expect("a valid scenario");
        let clicks = load::concat(loaded.clicks);
        ClickIndex::build_split(
            clicks,
            load::concat(loaded.transactions),
            loaded.links,
            split,
        )
    }

    #[test]
    fn rendering_in_rounds_and_slices_on_threads_gives_the_single_slice_index() {
        let whole = Split {
            round: usize::MAX,
            slice: usize::MAX,
            threads: 1,
        };
        let cut = Split {
            round: 5,
            slice: 2,
            threads: 3,
        };

        let single = build(whole);
        let split = build(cut);

        assert_eq!(single.clicks(), 23);
        assert_eq!(single.transactions(), 40);
        assert_eq!(single.shadows.len(), 5);
        assert_eq!(single.bodies, split.bodies);
        assert_eq!(single.shadows, split.shadows);
        assert_eq!(single.hashes, split.hashes);
        assert_eq!(single.by_hash, split.by_hash);
        assert_eq!(single.by_subscription, split.by_subscription);
        assert_eq!(single.by_order, split.by_order);
        assert_eq!(single.transactionids, split.transactionids);
        assert_eq!(single.behaviours, split.behaviours);
        assert_eq!(single.latest_time, split.latest_time);
    }

    #[test]
    fn a_click_lists_its_transactions_in_fixture_order() {
        let index = build(Split::for_machine());

        // Transaction t belongs to click 7 * t % 23: click 7 has t1 and t24.
        let body = String::from_utf8(index.contract_body(7).to_vec()).expect("UTF-8");

        let first = body.find("\"t1\"").expect("t1 listed");
        let second = body.find("\"t24\"").expect("t24 listed");
        assert!(first < second, "{body}");
        assert_eq!(
            index
                .find(LookupKey::TransactionHash, "t24")
                .map(|m| m.index),
            Some(7)
        );
    }

    #[test]
    fn a_shared_subscription_finds_its_first_click() {
        let index = build(Split::for_machine());

        // SUB-1 is on t1 (click 7), t10 (click 1), t19 (click 18), ...
        let found = index.find(LookupKey::SubscriptionId, "SUB-1");

        assert_eq!(found.map(|m| m.index), Some(1));
    }
}
