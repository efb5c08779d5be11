//! Comparing a body with a [`Shape`]: every difference named by its JSON
//! path (`$.click.loginid`, `$.transactions[0].payouts[0].amount`), what the
//! contract expects there and what was found.

use std::fmt;

use serde::Serialize;

use super::json::Json;
use super::shape::{Extra, Shape};

/// What kind of difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftKind {
    /// The status is not what the contract answers.
    Status,
    /// The Content-Type is not `application/json`.
    ContentType,
    /// The body is not JSON.
    NotJson,
    /// A key the contract has is not there.
    Missing,
    /// A key the contract does not have is there.
    Added,
    /// A value of another JSON type than the contract's.
    Retyped,
    /// A key out of the contract's order.
    Order,
    /// The right type, a value the contract does not allow.
    Value,
}

impl DriftKind {
    /// The kind's name in reports.
    pub fn name(self) -> &'static str {
        match self {
            DriftKind::Status => "status",
            DriftKind::ContentType => "content_type",
            DriftKind::NotJson => "not_json",
            DriftKind::Missing => "missing",
            DriftKind::Added => "added",
            DriftKind::Retyped => "retyped",
            DriftKind::Order => "order",
            DriftKind::Value => "value",
        }
    }
}

/// One way an answer differs from the contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// Where: a JSON path into the body, or `status` / `content-type`.
    pub path: String,
    /// What kind of difference.
    pub kind: DriftKind,
    /// What the contract has there.
    pub expected: String,
    /// What the answer has there.
    pub found: String,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: expected {}, found {}",
            self.path,
            self.kind.name(),
            self.expected,
            self.found
        )
    }
}

/// What comparing a body with a shape found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Every difference, in the order of the body.
    pub differences: Vec<Difference>,
    /// Paths of extra string fields, which the contract allows (a scenario
    /// serves them with `extra:`): worth knowing, not drift.
    pub extra_fields: Vec<String>,
}

/// Compares `value` with `shape`.
pub fn compare(shape: &Shape, value: &Json) -> Comparison {
    let mut comparison = Comparison::default();
    walk(shape, value, "$", &mut comparison);
    comparison
}

/// `$.key`, or `$["odd key"]` when the key is not a plain name.
pub fn child_path(parent: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && !key.as_bytes()[0].is_ascii_digit();
    if plain {
        format!("{parent}.{key}")
    } else {
        let mut quoted = String::new();
        crate::render::push_string(&mut quoted, key);
        format!("{parent}[{quoted}]")
    }
}

/// A value in a report: its type, and the value itself when short.
pub fn describe(value: &Json) -> String {
    const SHORT: usize = 40;
    let text = value.to_compact();
    match value {
        Json::Array(_) | Json::Object(_) if text.chars().count() > SHORT => {
            value.type_name().to_string()
        }
        _ if text.chars().count() > SHORT => {
            let cut: String = text.chars().take(SHORT).collect();
            format!("{} ({cut}...)", value.type_name())
        }
        _ => format!("{} ({text})", value.type_name()),
    }
}

fn walk(shape: &Shape, value: &Json, path: &str, out: &mut Comparison) {
    match (shape, value) {
        (Shape::Object { fields, extra }, Json::Object(members)) => {
            object(fields, *extra, members, path, out);
        }
        (Shape::Array(item), Json::Array(items)) => {
            for (i, element) in items.iter().enumerate() {
                walk(item, element, &format!("{path}[{i}]"), out);
            }
        }
        (Shape::String(rule), Json::String(text)) => {
            if !rule.accepts(text) {
                out.differences.push(Difference {
                    path: path.to_string(),
                    kind: DriftKind::Value,
                    expected: rule.describe(),
                    found: describe(value),
                });
            }
        }
        _ => out.differences.push(Difference {
            path: path.to_string(),
            kind: DriftKind::Retyped,
            expected: shape.type_name().to_string(),
            found: describe(value),
        }),
    }
}

fn object(
    fields: &[(&'static str, Shape)],
    extra: Extra,
    members: &[(String, Json)],
    path: &str,
    out: &mut Comparison,
) {
    // Each key's place in the contract's order; extra fields all share the
    // place after the known keys. Keys that do not belong have none.
    let mut placed: Vec<(usize, &str)> = Vec::new();
    for (key, value) in members {
        let key_path = child_path(path, key);
        if let Some(rank) = fields.iter().position(|(k, _)| k == key) {
            placed.push((rank, key));
            walk(&fields[rank].1, value, &key_path, out);
        } else if extra == Extra::Strings && matches!(value, Json::String(_)) {
            placed.push((fields.len(), key));
            out.extra_fields.push(key_path);
        } else {
            let expected = match extra {
                Extra::None => "no such key".to_string(),
                Extra::Strings => "no such key (extra fields are strings)".to_string(),
            };
            out.differences.push(Difference {
                path: key_path,
                kind: DriftKind::Added,
                expected,
                found: describe(value),
            });
        }
    }
    for (key, shape) in fields {
        if !members.iter().any(|(k, _)| k == key) {
            out.differences.push(Difference {
                path: child_path(path, key),
                kind: DriftKind::Missing,
                expected: shape.type_name().to_string(),
                found: "nothing".into(),
            });
        }
    }
    let in_order = longest_ordered(&placed);
    for (i, (rank, key)) in placed.iter().enumerate() {
        if in_order.contains(&i) {
            continue;
        }
        let before = fields[..(*rank).min(fields.len())]
            .iter()
            .rev()
            .find(|(k, _)| placed.iter().any(|(_, p)| p == k));
        let expected = match before {
            Some((k, _)) => format!("after `{k}`"),
            None => "before the other keys".into(),
        };
        let found = match i.checked_sub(1).map(|p| placed[p].1) {
            Some(previous) => format!("after `{previous}`"),
            None => "first".into(),
        };
        out.differences.push(Difference {
            path: child_path(path, key),
            kind: DriftKind::Order,
            expected,
            found,
        });
    }
}

/// The indexes of a longest run (not necessarily contiguous) of `placed`
/// whose ranks never go down: the keys in the contract's order. The others
/// are the ones out of place.
fn longest_ordered(placed: &[(usize, &str)]) -> Vec<usize> {
    let n = placed.len();
    let mut length = vec![1usize; n];
    let mut previous: Vec<Option<usize>> = vec![None; n];
    for i in 0..n {
        for j in 0..i {
            if placed[j].0 <= placed[i].0 && length[j] + 1 > length[i] {
                length[i] = length[j] + 1;
                previous[i] = Some(j);
            }
        }
    }
    let mut chain = Vec::new();
    let mut at = (0..n).max_by_key(|&i| (length[i], std::cmp::Reverse(i)));
    while let Some(i) = at {
        chain.push(i);
        at = previous[i];
    }
    chain
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::json::parse;
    use crate::contract::shape;

    fn paths(comparison: &Comparison) -> Vec<(String, DriftKind)> {
        comparison
            .differences
            .iter()
            .map(|d| (d.path.clone(), d.kind))
            .collect()
    }

    #[test]
    fn a_conforming_error_envelope_has_no_difference() {
        let body = parse(br#"{"result":"error","message":"Click not found"}"#).unwrap();
        assert_eq!(compare(&shape::error(), &body), Comparison::default());
    }

    #[test]
    fn added_missing_retyped_and_value_are_named_by_path() {
        let body = parse(br#"{"message":5,"result":"oops","code":1}"#).unwrap();
        let found = paths(&compare(&shape::error(), &body));
        assert!(
            found.contains(&("$.message".into(), DriftKind::Retyped)),
            "{found:?}"
        );
        assert!(
            found.contains(&("$.result".into(), DriftKind::Value)),
            "{found:?}"
        );
        assert!(
            found.contains(&("$.code".into(), DriftKind::Added)),
            "{found:?}"
        );
        assert!(
            found.contains(&("$.result".into(), DriftKind::Order)),
            "{found:?}"
        );
    }

    #[test]
    fn a_swapped_pair_names_one_key_out_of_order() {
        let body = parse(br#"{"message":"m","result":"error"}"#).unwrap();
        let comparison = compare(&shape::error(), &body);
        assert_eq!(comparison.differences.len(), 1, "{comparison:?}");
        let difference = &comparison.differences[0];
        assert_eq!(difference.kind, DriftKind::Order);
        assert_eq!(difference.found, "after `message`");
    }

    #[test]
    fn paths_into_arrays_and_odd_keys() {
        assert_eq!(
            child_path("$.transactions[0]", "payouts"),
            "$.transactions[0].payouts"
        );
        assert_eq!(child_path("$", "a b"), r#"$["a b"]"#);
        assert_eq!(child_path("$", "1st"), r#"$["1st"]"#);
    }
}
