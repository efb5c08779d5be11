//! The answers gathered into what the scenario holds: clicks (one per body,
//! however many lookups found it), error overrides, answers not kept, and
//! the transactions that make every recorded lookup find its click.

use std::collections::HashSet;

use super::classify::{Kept, classify, excerpt};
use super::recorded::{Recorded, label};
use crate::api_error::ErrorKind;
use crate::contract::json::Json;
use crate::params::Lookup;
use crate::scenario::LookupKey;

/// What the scenario will hold.
pub(super) struct Gathered {
    /// One per body, in the order first seen.
    pub clicks: Vec<Click>,
    /// One per error kind, the first answer of each.
    pub overrides: Vec<Override>,
    /// What was seen of answers that no error kind fits.
    pub not_kept: Vec<String>,
    /// From the bodies, then one per lookup they do not route.
    pub transactions: Vec<Transaction>,
}

/// A click: its hash, its body, the lookups that found it.
pub(super) struct Click {
    pub hash: String,
    pub body: Json,
    pub lookups: Vec<String>,
}

/// A transaction that routes lookups to a click.
pub(super) struct Transaction {
    pub hash: String,
    pub click: usize,
    pub orderid: String,
    pub subscription_id: String,
    pub why: &'static str,
}

/// An `errors:` override, and every answer that showed it.
pub(super) struct Override {
    pub kind: ErrorKind,
    pub status: u16,
    pub message: Option<String>,
    pub seen: Vec<String>,
}

/// Gathers `recorded` (already scrubbed of the api-key).
pub(super) fn gather(recorded: &[Recorded], warnings: &mut Vec<String>) -> Gathered {
    let mut clicks: Vec<Click> = Vec::new();
    let mut routes: Vec<(LookupKey, String, usize)> = Vec::new();
    let mut overrides: Vec<Override> = Vec::new();
    let mut not_kept: Vec<String> = Vec::new();

    for entry in recorded {
        let label = label(&entry.lookup);
        let seen = format!(
            "{label} answered {}: {}",
            entry.answer.status,
            excerpt(&entry.answer.body)
        );
        match classify(&entry.answer) {
            Kept::Click(body) => {
                let i = place_click(&mut clicks, &entry.lookup, body, &label, warnings);
                routes.push((entry.lookup.key, entry.lookup.value.clone(), i));
            }
            Kept::Error {
                kind: Some(kind),
                message,
            } => match overrides.iter_mut().find(|o| o.kind == kind) {
                Some(first) if first.status == entry.answer.status && first.message == message => {
                    first.seen.push(seen);
                }
                Some(first) => {
                    first
                        .seen
                        .push(format!("{seen} (not kept: the first answer above is)"));
                    warnings.push(format!(
                        "{label}: a second, different `{}` answer; the scenario keeps the first",
                        kind.name()
                    ));
                }
                None => overrides.push(Override {
                    kind,
                    status: entry.answer.status,
                    message,
                    seen: vec![seen],
                }),
            },
            Kept::Error { kind: None, .. } => {
                warnings.push(format!(
                    "{label}: status {} matches no error kind of the scenario format; \
                     the mock answers it with `Click not found`",
                    entry.answer.status
                ));
                not_kept.push(seen);
            }
        }
    }
    let transactions = route_transactions(&clicks, &routes, warnings);
    Gathered {
        clicks,
        overrides,
        not_kept,
        transactions,
    }
}

/// The scalar text of a body field (a string, or a number as written).
fn scalar_text(value: Option<&Json>) -> String {
    match value {
        Some(Json::String(s)) => s.clone(),
        Some(Json::Number(n)) => n.clone(),
        _ => String::new(),
    }
}

/// Adds a click for a body (or finds the one it already is), and returns its index.
fn place_click(
    clicks: &mut Vec<Click>,
    lookup: &Lookup,
    body: Json,
    label: &str,
    warnings: &mut Vec<String>,
) -> usize {
    let from_body = body
        .get("click")
        .and_then(|click| click.get("click_hash"))
        .and_then(Json::as_str)
        .filter(|hash| !hash.is_empty())
        .map(str::to_string);
    let hash = from_body.or_else(|| {
        // Without a click_hash in the body, an equal body is the same click.
        if let Some(i) = clicks.iter().position(|c| c.body == body) {
            return Some(clicks[i].hash.clone());
        }
        (lookup.key == LookupKey::TransactionHash).then(|| lookup.value.clone())
    });
    let hash =
        hash.unwrap_or_else(|| fresh(clicks.iter().map(|c| c.hash.as_str()), "recorded-click"));
    let seen = format!("{label} answered 200");
    if let Some(i) = clicks.iter().position(|c| c.hash == hash) {
        if clicks[i].body != body {
            warnings.push(format!(
                "{label}: the answer differs from an earlier one for click {hash}; \
                 the scenario keeps the earlier one"
            ));
            clicks[i]
                .lookups
                .push(format!("{seen} (a different body, not kept)"));
        } else {
            clicks[i].lookups.push(seen);
        }
        return i;
    }
    clicks.push(Click {
        hash,
        body,
        lookups: vec![seen],
    });
    clicks.len() - 1
}

/// A name `prefix-N` that none of `taken` is.
fn fresh<'a>(taken: impl Iterator<Item = &'a str> + Clone, prefix: &str) -> String {
    (1..)
        .map(|n| format!("{prefix}-{n}"))
        .find(|name| !taken.clone().any(|t| t == name))
        .unwrap_or_else(|| prefix.to_string())
}

pub(super) const FROM_BODY: &str =
    "From the answers' `transactions`: their hashes, orders and subscriptions find the click too.";
pub(super) const FOR_LOOKUP: &str =
    "So that each recorded lookup finds the click it found on the server.";

/// The transactions that make every recorded lookup find its click: those
/// the bodies list, then one per lookup not covered yet.
fn route_transactions(
    clicks: &[Click],
    routes: &[(LookupKey, String, usize)],
    warnings: &mut Vec<String>,
) -> Vec<Transaction> {
    let mut transactions: Vec<Transaction> = Vec::new();
    let mut hashes: HashSet<String> = clicks.iter().map(|c| c.hash.clone()).collect();
    for (i, click) in clicks.iter().enumerate() {
        let Some(Json::Array(listed)) = click.body.get("transactions") else {
            continue;
        };
        for t in listed {
            let hash = scalar_text(t.get("transaction_hash"));
            if hash.is_empty() || !hashes.insert(hash.clone()) {
                continue;
            }
            transactions.push(Transaction {
                hash,
                click: i,
                orderid: scalar_text(t.get("orderid")),
                subscription_id: scalar_text(t.get("subscription_id")),
                why: FROM_BODY,
            });
        }
    }
    for (key, value, click) in routes {
        let owner = match key {
            LookupKey::TransactionHash => {
                clicks.iter().position(|c| &c.hash == value).or_else(|| {
                    transactions
                        .iter()
                        .find(|t| &t.hash == value)
                        .map(|t| t.click)
                })
            }
            LookupKey::SubscriptionId => transactions
                .iter()
                .find(|t| &t.subscription_id == value)
                .map(|t| t.click),
            LookupKey::OrderId => transactions
                .iter()
                .find(|t| &t.orderid == value)
                .map(|t| t.click),
        };
        match owner {
            Some(owner) if owner == *click => {}
            Some(_) => warnings.push(format!(
                "{}={value}: another recorded click claims it too; the mock answers with that one",
                key.parameter()
            )),
            None => {
                let hash = match key {
                    LookupKey::TransactionHash => value.clone(),
                    _ => fresh(hashes.iter().map(String::as_str), "recorded-transaction"),
                };
                hashes.insert(hash.clone());
                let (orderid, subscription_id) = match key {
                    LookupKey::OrderId => (value.clone(), String::new()),
                    LookupKey::SubscriptionId => (String::new(), value.clone()),
                    LookupKey::TransactionHash => (String::new(), String::new()),
                };
                transactions.push(Transaction {
                    hash,
                    click: *click,
                    orderid,
                    subscription_id,
                    why: FOR_LOOKUP,
                });
            }
        }
    }
    transactions
}
