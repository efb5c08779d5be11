//! The scenario format: the keys of a scenario file, a click, a transaction
//! and a payout, in the order the success body lists them, and what one file
//! holds once read (see [`super::read`] for the reading).

use ipnet::IpNet;

use super::faults::{FaultOutcome, FaultRule, RateLimit};
use super::problem::Position;
use super::yaml::Yaml;
use crate::api_error::{ErrorKind, ErrorOverride};
use crate::postbacks::Target;

/// The click's core keys, in the order of the success body.
pub const CLICK_KEYS: [&str; 15] = [
    "click_hash",
    "time",
    "loginid",
    "username",
    "offerid",
    "landing_pageid",
    "campaignid",
    "creativeid",
    "subid1",
    "subid2",
    "external_clickid",
    "ip",
    "country",
    "referrer",
    "user_agent",
];

/// A transaction's scalar keys, in the order of the success body (`payouts` follows).
pub const TRANSACTION_KEYS: [&str; 8] = [
    "transaction_hash",
    "time",
    "trans_type",
    "status",
    "orderid",
    "subscription_id",
    "amount",
    "total_payout",
];

/// A payout's keys, in the order of the success body.
pub const PAYOUT_KEYS: [&str; 4] = ["type", "loginid", "username", "amount"];

/// Where `key` stands in `keys` (one of the key lists above).
pub fn key_index(keys: &[&str], key: &str) -> Option<usize> {
    keys.iter().position(|k| *k == key)
}

/// The transaction statuses the contract knows.
pub const STATUSES: [&str; 5] = ["pending", "approved", "void", "chargeback", "reversal"];

/// The keys of a scenario or fixture file.
pub const DOCUMENT_KEYS: [&str; 13] = [
    "name",
    "description",
    "now",
    "credentials",
    "allowed_ips",
    "errors",
    "latency_ms",
    "faults",
    "rate_limit",
    "postbacks",
    "include",
    "clicks",
    "transactions",
];

/// The texts of a record's keys, in a fixed order, held in one string: a
/// million records then cost two allocations each rather than one per key,
/// and a third of the memory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Texts {
    joined: Box<str>,
    /// Where each text ends in `joined`.
    ends: Box<[u32]>,
}

impl Texts {
    /// The text at `i`; empty past the end.
    pub fn get(&self, i: usize) -> &str {
        let Some(&end) = self.ends.get(i) else {
            return "";
        };
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.joined[start as usize..end as usize]
    }

    /// Every text, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.ends.len()).map(|i| self.get(i))
    }
}

impl<'a> FromIterator<&'a str> for Texts {
    fn from_iter<I: IntoIterator<Item = &'a str>>(texts: I) -> Self {
        let texts: Vec<&str> = texts.into_iter().collect();
        let mut joined = String::with_capacity(texts.iter().map(|t| t.len()).sum());
        let mut ends = Vec::with_capacity(texts.len());
        for text in texts {
            joined.push_str(text);
            // A record's texts come from a file of at most 1 GiB.
            ends.push(u32::try_from(joined.len()).unwrap_or(u32::MAX));
        }
        Texts {
            joined: joined.into_boxed_str(),
            ends: ends.into_boxed_slice(),
        }
    }
}

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub at: Position,
}

/// One API credential pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    /// The `api-username` header value.
    pub username: String,
    /// The `api-key` header value.
    pub api_key: String,
}

/// A click as a scenario writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClickSpec {
    /// Where the click starts.
    pub at: Position,
    /// Where `click_hash` is written (the click's position when it is missing).
    pub hash_at: Position,
    /// Values of [`CLICK_KEYS`], in that order; `time` already in Unix seconds.
    pub values: Texts,
    /// What few clicks have, boxed: a click without any of it is 72 bytes
    /// rather than 224, which a million clicks read at once feel.
    pub rare: Option<Box<ClickRare>>,
}

/// The keys of a click that few clicks have.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClickRare {
    /// `extra:` fields in file order.
    pub extra: Vec<(String, String)>,
    /// A verbatim body that replaces the rendered one.
    pub response: Option<Yaml>,
    /// `latency_ms:` for this click's answers.
    pub latency_ms: Option<u64>,
    /// `fault:` for this click's answers.
    pub fault: Option<FaultOutcome>,
}

impl ClickRare {
    /// `Some` when it holds anything.
    pub fn boxed(self) -> Option<Box<ClickRare>> {
        (self != ClickRare::default()).then(|| Box::new(self))
    }
}

impl ClickSpec {
    /// The click's `click_hash`.
    pub fn click_hash(&self) -> &str {
        self.values.get(0)
    }

    /// Its `extra:` fields in file order.
    pub fn extra(&self) -> &[(String, String)] {
        self.rare.as_ref().map_or(&[], |rare| &rare.extra)
    }

    /// Its verbatim `response:`.
    pub fn response(&self) -> Option<&Yaml> {
        self.rare.as_ref()?.response.as_ref()
    }

    /// Its `latency_ms:`.
    pub fn latency_ms(&self) -> Option<u64> {
        self.rare.as_ref()?.latency_ms
    }

    /// Its `fault:`.
    pub fn fault(&self) -> Option<&FaultOutcome> {
        self.rare.as_ref()?.fault.as_ref()
    }
}

/// A transaction as a scenario writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct TransactionSpec {
    /// Where the transaction starts.
    pub at: Position,
    /// Where `transaction_hash` is written.
    pub hash_at: Position,
    /// The click it belongs to, and where that is written.
    pub click_hash: Located<String>,
    /// Values of [`TRANSACTION_KEYS`], in that order.
    pub values: Texts,
    /// Each payout's values, in [`PAYOUT_KEYS`] order.
    pub payouts: Vec<Vec<String>>,
    /// `extra:` fields in file order.
    pub extra: Vec<(String, String)>,
    /// `transactionid:`, an identifier the lifecycle actions accept; not in
    /// the success body.
    pub transactionid: Option<Located<String>>,
}

impl TransactionSpec {
    /// The transaction's `transaction_hash`.
    pub fn transaction_hash(&self) -> &str {
        self.values.get(0)
    }

    /// The value of one of [`TRANSACTION_KEYS`].
    pub fn value(&self, key: &str) -> &str {
        key_index(&TRANSACTION_KEYS, key).map_or("", |i| self.values.get(i))
    }
}

/// One YAML file of a scenario: the scenario itself or a fixture it includes.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Document {
    /// `name`, overriding the file stem.
    pub name: Option<Located<String>>,
    /// `description`.
    pub description: Option<Located<String>>,
    /// `now`: the clock of lifecycle events, in Unix seconds.
    pub now: Option<Located<i64>>,
    /// `credentials`, with where the key is written.
    pub credentials: Option<Located<Vec<Credential>>>,
    /// `allowed_ips`, parsed.
    pub allowed_ips: Option<Located<Vec<IpNet>>>,
    /// `errors` overrides, with where the key is written.
    pub errors: Option<Located<Vec<(ErrorKind, ErrorOverride)>>>,
    /// `latency_ms`, with where the key is written.
    pub latency_ms: Option<Located<u64>>,
    /// `faults`, with where the key is written.
    pub faults: Option<Located<Vec<FaultRule>>>,
    /// `rate_limit`, with where the key is written.
    pub rate_limit: Option<Located<RateLimit>>,
    /// `postbacks` targets, each with where its name is written.
    pub postbacks: Vec<Located<Target>>,
    /// `include` paths as written.
    pub include: Vec<Located<String>>,
    /// `clicks` in file order.
    pub clicks: Vec<ClickSpec>,
    /// `transactions` in file order.
    pub transactions: Vec<TransactionSpec>,
}

impl Document {
    /// The keys set that only a scenario, not an included file, may set.
    pub fn scenario_only_keys(&self) -> Vec<(&'static str, Position)> {
        let mut keys = Vec::new();
        let mut note = |key, at: Option<Position>| {
            if let Some(at) = at {
                keys.push((key, at));
            }
        };
        note("name", self.name.as_ref().map(|v| v.at));
        note("description", self.description.as_ref().map(|v| v.at));
        note("now", self.now.as_ref().map(|v| v.at));
        note("credentials", self.credentials.as_ref().map(|v| v.at));
        note("allowed_ips", self.allowed_ips.as_ref().map(|v| v.at));
        note("errors", self.errors.as_ref().map(|v| v.at));
        note("latency_ms", self.latency_ms.as_ref().map(|v| v.at));
        note("faults", self.faults.as_ref().map(|v| v.at));
        note("rate_limit", self.rate_limit.as_ref().map(|v| v.at));
        keys
    }
}
