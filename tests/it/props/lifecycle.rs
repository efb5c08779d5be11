//! Sequences of lifecycle actions over real HTTP against one server of the
//! bundled `lifecycle` scenario (reset before each case): every answer is a
//! 200, 400 or 404, and afterwards every click's click_detail body still has
//! the contract's shape, whatever voids, chargebacks, reversals, revenue
//! updates, previews and order checks came before, in whatever order.

use std::sync::Arc;

use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::TestCaseError;
use serde_json::Value;

use super::{config, within};
use crate::util::TestServer;

const CLICKS: &[&str] = &[
    "942c3299844da87.44441535",
    "10dabb133ae8fc7.11070007",
    "19d533b2442ced1.83138092",
    "09d7a82ea0d81b2.95238000",
    "0b02fed673e5fb0.75768743",
    "3573e0331e5f18d.99727756",
    "1a3b4981252f1c9.03945582",
];

/// The scenario's transaction and click hashes, a hash no scenario holds,
/// another scenario's click, and an empty value.
const HASHES: &[&str] = &[
    "72df3fd7fe4ffe9.73298942",
    "0c10b0db5c5ce3b.80186601",
    "9255351d3c5f9ab.58763980",
    "152fa1643c97e64.32594323",
    "1a8e2fef424706e.51920149",
    "e6946a8f840f0e3.34433770",
    "06054ba1c7e0123.01535722",
    "942c3299844da87.44441535",
    "09d7a82ea0d81b2.95238000",
    "0b02fed673e5fb0.75768743",
    "01665e14771b958.46383459",
    "35b71a300115be9.16738986",
    "",
];

/// The scenario's orders, one no scenario has, another scenario's, and an
/// empty value.
const ORDERS: &[&str] = &[
    "ORD-L-1001",
    "ORD-L-2001",
    "ORD-L-3001",
    "ORD-L-4001",
    "ORD-L-6001",
    "ORD-L-7001",
    "ORD-L-9999",
    "ORD-1001",
    "",
];

const TRANSACTION_IDS: &[&str] = &["7730015501", "7730019999", ""];

/// The contract's transaction keys, in order; `payouts` follows.
const TRANSACTION_KEYS: [&str; 8] = [
    "transaction_hash",
    "time",
    "trans_type",
    "status",
    "orderid",
    "subscription_id",
    "amount",
    "total_payout",
];

/// One request: its method, path and form fields.
#[derive(Debug, Clone)]
struct Sent {
    method: &'static str,
    path: &'static str,
    fields: Vec<(&'static str, String)>,
}

fn hash() -> impl Strategy<Value = String> {
    select(HASHES).prop_map(str::to_string)
}

fn order() -> impl Strategy<Value = String> {
    select(ORDERS).prop_map(str::to_string)
}

/// What names the transaction of an event action: none, one or two of the
/// four identifiers.
fn identifiers() -> impl Strategy<Value = Vec<(&'static str, String)>> {
    let one = prop_oneof![
        3 => hash().prop_map(|h| ("transaction_hash", h)),
        2 => order().prop_map(|o| ("orderid", o)),
        1 => select(CLICKS).prop_map(|c| ("click_hash", c.to_string())),
        1 => select(TRANSACTION_IDS).prop_map(|t| ("transactionid", t.to_string())),
    ];
    prop::collection::vec(one, 0..3)
}

/// A decimal amount, positive or negative, or something that is not one.
fn decimal() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (any::<bool>(), 0u32..1_000_000).prop_map(|(negative, cents)| {
            let sign = if negative { "-" } else { "" };
            format!("{sign}{}.{:02}", cents / 100, cents % 100)
        }),
        1 => select(vec!["0", "12.345", "abc", "1e3", "", "7,50"]).prop_map(str::to_string),
    ]
}

/// Whole cents, or something that is not.
fn cents() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (-10_000_000i64..10_000_000).prop_map(|c| c.to_string()),
        1 => select(vec!["29.95", "abc", "", "99999999999999999999"]).prop_map(str::to_string),
    ]
}

/// The optional fields of an event: custom fields (one sometimes too long).
fn custom_fields() -> impl Strategy<Value = Vec<(&'static str, String)>> {
    let name = select(vec![
        "trans_custom1",
        "trans_custom2",
        "trans_custom3",
        "trans_custom4",
        "trans_custom5",
    ]);
    let value = prop_oneof![
        4 => prop::collection::vec(select(vec!['a', 'z', '0', '9', ' ', 'é']), 0..12)
            .prop_map(String::from_iter),
        1 => (250usize..260).prop_map(|n| "c".repeat(n)),
    ];
    prop::collection::vec((name, value), 0..3)
}

/// `fields` with each present optional field added.
fn with(
    mut fields: Vec<(&'static str, String)>,
    optional: &[(&'static str, Option<String>)],
) -> Vec<(&'static str, String)> {
    for (name, value) in optional {
        if let Some(value) = value {
            fields.push((name, value.clone()));
        }
    }
    fields
}

fn sent() -> impl Strategy<Value = Sent> {
    let void = (
        identifiers(),
        prop::option::of(select(vec!["void", "chargeback", ""])),
        custom_fields(),
    )
        .prop_map(|(ids, kind, custom)| Sent {
            method: "POST",
            path: "/api/transaction/process_void",
            fields: with(
                [ids, custom].concat(),
                &[("type", kind.map(str::to_string))],
            ),
        });
    let chargeback = (
        identifiers(),
        prop_oneof![4 => Just(Some("chargeback")), 1 => prop::option::of(Just("void"))],
        prop::option::of(decimal()),
        custom_fields(),
    )
        .prop_map(|(ids, kind, cost, custom)| Sent {
            method: "POST",
            path: "/api/transaction/process_chargeback",
            fields: with(
                [ids, custom].concat(),
                &[("type", kind.map(str::to_string)), ("cost", cost)],
            ),
        });
    let reversal = (
        identifiers(),
        prop_oneof![4 => Just(Some("1")), 1 => prop::option::of(select(vec!["yes", "0", "no"]))],
    )
        .prop_map(|(ids, reverse)| Sent {
            method: "POST",
            path: "/api/transaction/process_reversal",
            fields: with(ids, &[("reverse", reverse.map(str::to_string))]),
        });
    let revenue_by_order =
        (prop::option::of(order()), prop::option::of(cents())).prop_map(|(orderid, amount)| Sent {
            method: "PATCH",
            path: "/api/transaction/transaction_update_revenue_by_orderid",
            fields: with(Vec::new(), &[("orderid", orderid), ("amount", amount)]),
        });
    let revenue_by_hash =
        (prop::option::of(hash()), prop::option::of(cents())).prop_map(|(hash, amount)| Sent {
            method: "PATCH",
            path: "/api/transaction/transaction_update_revenue_by_transaction_hash",
            fields: with(
                Vec::new(),
                &[("transaction_hash", hash), ("amount", amount)],
            ),
        });
    let preview = (
        prop::option::of(hash()),
        prop::option::of(decimal()),
        prop::option::of(select(vec!["initial", "rebill"])),
    )
        .prop_map(|(hash, amount, kind)| Sent {
            method: "GET",
            path: "/api/transaction/transaction_payout_preview",
            fields: with(
                Vec::new(),
                &[
                    ("transaction_hash", hash),
                    ("amount", amount),
                    ("transaction_type", kind.map(str::to_string)),
                ],
            ),
        });
    let check_order = prop::option::of(order()).prop_map(|orderid| Sent {
        method: "GET",
        path: "/api/offer/check_orderid_exists",
        fields: with(Vec::new(), &[("orderid", orderid)]),
    });
    prop_oneof![
        3 => void,
        3 => chargeback,
        3 => reversal,
        2 => revenue_by_order,
        2 => revenue_by_hash,
        2 => preview,
        1 => check_order,
    ]
}

/// Why `body` is not a click_detail success body of the contract's shape.
fn shape_problem(body: &str) -> Option<String> {
    let json: Value = match serde_json::from_str(body) {
        Ok(json) => json,
        Err(e) => return Some(format!("not JSON ({e})")),
    };
    let Some(object) = json.as_object() else {
        return Some("not an object".to_string());
    };
    let top: Vec<&str> = object.keys().map(String::as_str).collect();
    if top != ["result", "click", "transactions"] || json["result"] != "success" {
        return Some("not a success body".to_string());
    }
    if !json["click"].is_object() {
        return Some("`click` is not an object".to_string());
    }
    let Some(transactions) = json["transactions"].as_array() else {
        return Some("`transactions` is not an array".to_string());
    };
    for (i, transaction) in transactions.iter().enumerate() {
        let Some(fields) = transaction.as_object() else {
            return Some(format!("transaction {i} is not an object"));
        };
        let keys: Vec<&str> = fields.keys().map(String::as_str).collect();
        if keys.len() < 9 || keys[..8] != TRANSACTION_KEYS || keys[8] != "payouts" {
            return Some(format!("transaction {i} has keys {keys:?}"));
        }
        for (key, value) in fields {
            let fits = match key.as_str() {
                "payouts" => value.as_array().is_some_and(|p| {
                    p.iter().all(|p| {
                        p.as_object()
                            .is_some_and(|o| o.values().all(Value::is_string))
                    })
                }),
                _ => value.is_string(),
            };
            if !fits {
                return Some(format!("transaction {i}: `{key}` is {value}"));
            }
        }
    }
    None
}

/// Resets the scenario, sends `sequence`, then looks every click up: the
/// first thing that breaks the property, if any.
async fn run(server: &TestServer, sequence: &[Sent]) -> Result<(), String> {
    server.admin_post("reset").await;
    for (i, sent) in sequence.iter().enumerate() {
        let method = reqwest::Method::from_bytes(sent.method.as_bytes()).expect("method");
        let fields: Vec<(&str, &str)> = sent.fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let answer = server.send_form(method, sent.path, &fields).await;
        if ![200, 400, 404].contains(&answer.status) {
            return Err(format!(
                "request {i}: status {}: {}",
                answer.status, answer.body
            ));
        }
    }
    for click in CLICKS {
        let answer = server
            .lookup_form(&format!("transaction_hash={click}"))
            .await;
        if answer.status != 200 {
            return Err(format!(
                "{click}: status {}: {}",
                answer.status, answer.body
            ));
        }
        if let Some(problem) = shape_problem(&answer.body) {
            return Err(format!("{click}: {problem}: {}", answer.body));
        }
    }
    Ok(())
}

#[test]
fn any_sequence_of_actions_leaves_every_click_detail_in_the_contracts_shape() {
    let runtime = Arc::new(
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime"),
    );
    // One server for every case, reset at the start of each.
    let server = Arc::new(runtime.block_on(TestServer::bundled("lifecycle")));

    proptest!(config(), |(sequence in prop::collection::vec(sent(), 0..=20))| {
        let (runtime, server) = (Arc::clone(&runtime), Arc::clone(&server));

        let outcome = within(move || runtime.block_on(run(&server, &sequence)))?;

        outcome.map_err(TestCaseError::fail)?;
    });
}
