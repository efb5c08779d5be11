//! The contract's bodies as shapes: which keys, in which order, of which
//! types, built from the scenario format's key lists (the same lists the
//! success body is rendered from), not from one sample answer.
//!
//! - success: `result` (`"success"`), `click` (its core keys, every one a
//!   string, then extra string fields), `transactions` (each: its core keys,
//!   `payouts`, then extra string fields);
//! - error: `result` (`"error"`), `message` (a string), nothing else.

use crate::api_error::ErrorKind;
use crate::scenario::model::{CLICK_KEYS, PAYOUT_KEYS, STATUSES, TRANSACTION_KEYS};

/// What a value must look like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// An object with these keys in this order.
    Object {
        /// The keys every answer has, in order.
        fields: Vec<(&'static str, Shape)>,
        /// Whether more keys may follow them.
        extra: Extra,
    },
    /// An array whose every item has this shape.
    Array(Box<Shape>),
    /// A string, with a rule for its value.
    String(Text),
}

/// Which keys an object may have beyond its fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extra {
    /// None.
    None,
    /// String fields after the known ones (a scenario's `extra:`).
    Strings,
}

/// What a string's value must be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Text {
    /// Anything.
    Any,
    /// Exactly this.
    Exactly(&'static str),
    /// One of these.
    OneOf(Vec<&'static str>),
    /// Unix seconds (digits, maybe a minus), or `""` when the time is unknown.
    UnixSeconds,
}

impl Text {
    /// Whether `value` follows the rule.
    pub fn accepts(&self, value: &str) -> bool {
        match self {
            Text::Any => true,
            Text::Exactly(expected) => value == *expected,
            Text::OneOf(allowed) => allowed.contains(&value),
            Text::UnixSeconds => {
                let digits = value.strip_prefix('-').unwrap_or(value);
                value.is_empty()
                    || (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
            }
        }
    }

    /// The rule in words, for a report.
    pub fn describe(&self) -> String {
        match self {
            Text::Any => "a string".into(),
            Text::Exactly(expected) => format!("\"{expected}\""),
            Text::OneOf(allowed) => {
                let quoted: Vec<String> = allowed.iter().map(|a| format!("\"{a}\"")).collect();
                format!("one of {}", quoted.join(", "))
            }
            Text::UnixSeconds => "Unix seconds as a string".into(),
        }
    }
}

impl Shape {
    /// The JSON type this shape needs, for "expected string, found number".
    pub fn type_name(&self) -> &'static str {
        match self {
            Shape::Object { .. } => "object",
            Shape::Array(_) => "array",
            Shape::String(_) => "string",
        }
    }
}

fn string_field(key: &'static str) -> (&'static str, Shape) {
    let rule = match key {
        "time" => Text::UnixSeconds,
        // A scenario may leave the status out, and the body then says "".
        "status" => Text::OneOf(STATUSES.iter().copied().chain([""]).collect()),
        _ => Text::Any,
    };
    (key, Shape::String(rule))
}

/// The success body of `click_detail`.
pub fn success() -> Shape {
    let payout = Shape::Object {
        fields: PAYOUT_KEYS.iter().map(|k| string_field(k)).collect(),
        extra: Extra::None,
    };
    let mut transaction_fields: Vec<_> = TRANSACTION_KEYS.iter().map(|k| string_field(k)).collect();
    transaction_fields.push(("payouts", Shape::Array(Box::new(payout))));
    let transaction = Shape::Object {
        fields: transaction_fields,
        extra: Extra::Strings,
    };
    let click = Shape::Object {
        fields: CLICK_KEYS.iter().map(|k| string_field(k)).collect(),
        extra: Extra::Strings,
    };
    Shape::Object {
        fields: vec![
            ("result", Shape::String(Text::Exactly("success"))),
            ("click", click),
            ("transactions", Shape::Array(Box::new(transaction))),
        ],
        extra: Extra::None,
    }
}

/// The error envelope.
pub fn error() -> Shape {
    Shape::Object {
        fields: vec![
            ("result", Shape::String(Text::Exactly("error"))),
            ("message", Shape::String(Text::Any)),
        ],
        extra: Extra::None,
    }
}

/// The statuses the contract's error table answers with, in order.
pub fn error_statuses() -> Vec<u16> {
    let mut statuses: Vec<u16> = ErrorKind::ALL
        .iter()
        .map(|kind| kind.default_status().as_u16())
        .collect();
    statuses.sort_unstable();
    statuses.dedup();
    statuses
}

/// Whether the contract's error table answers with `status`.
pub fn is_error_status(status: u16) -> bool {
    error_statuses().contains(&status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_seconds_are_digits_or_nothing() {
        for ok in ["", "1763632800", "-5"] {
            assert!(Text::UnixSeconds.accepts(ok), "{ok}");
        }
        for bad in ["-", "2025-11-20T10:00:00Z", "17.5", " 1"] {
            assert!(!Text::UnixSeconds.accepts(bad), "{bad}");
        }
    }

    #[test]
    fn the_success_shape_follows_the_scenario_formats_key_lists() {
        let Shape::Object { fields, .. } = success() else {
            panic!("an object")
        };
        let Shape::Object { fields: click, .. } = &fields[1].1 else {
            panic!("click is an object")
        };
        let keys: Vec<&str> = click.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, CLICK_KEYS);
    }
}
