//! What an applied event tells its postbacks: the value of each variable
//! (`crate::postbacks::target::VARIABLES`), read from the click's contract
//! body and the event's transaction.

use serde_json::{Map, Value};

use crate::postbacks::Event;
use crate::postbacks::target::VARIABLES;

/// The text of `key` in a JSON object (a number written as it is; `""`
/// when absent).
pub fn text_of(object: &Value, key: &str) -> String {
    match object.get(key) {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// The value of each postback variable for an event whose transaction is
/// `transaction`, in the click whose contract body is `body`, acting on
/// `original` (empty for a conversion), with the request's `customs`.
pub fn variables(
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
