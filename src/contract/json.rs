//! JSON as it was written: numbers keep their text (`10.00` stays `10.00`)
//! and objects their key order, so a recorded body comes back as the server
//! sent it and a drift report sees the order the server used.

use std::fmt;

use crate::render;

/// A JSON value as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, its text exactly as written.
    Number(String),
    /// A string, decoded.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object: its members in order, a repeated key kept twice.
    Object(Vec<(String, Json)>),
}

impl Json {
    /// The JSON type's name, for "expected string, found number".
    pub fn type_name(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "boolean",
            Json::Number(_) => "number",
            Json::String(_) => "string",
            Json::Array(_) => "array",
            Json::Object(_) => "object",
        }
    }

    /// The first member called `key`, when `self` is an object.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, when `self` is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value as compact JSON, numbers as written.
    pub fn to_compact(&self) -> String {
        let mut out = String::new();
        self.write_compact(&mut out);
        out
    }

    fn write_compact(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Number(n) => out.push_str(n),
            Json::String(s) => render::push_string(out, s),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_compact(out);
                }
                out.push(']');
            }
            Json::Object(members) => {
                out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    render::push_string(out, key);
                    out.push(':');
                    value.write_compact(out);
                }
                out.push('}');
            }
        }
    }
}

impl fmt::Display for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_compact())
    }
}

/// Why a text is not JSON.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what}")]
pub struct JsonError {
    /// What was wrong, and where (line and column).
    pub what: String,
}

/// Reads one JSON value (surrounded by optional whitespace) from `bytes`.
///
/// serde_json does the reading, built with `arbitrary_precision` (a number
/// keeps its text) and `preserve_order` (an object keeps its key order); it
/// also refuses nesting deeper than 128 levels. A key written twice keeps its
/// first place and its last value, as serde_json reads it.
pub fn parse(bytes: &[u8]) -> Result<Json, JsonError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|err| JsonError {
        what: err.to_string(),
    })?;
    Ok(Json::from(value))
}

impl From<serde_json::Value> for Json {
    fn from(value: serde_json::Value) -> Self {
        use serde_json::Value;
        match value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(b),
            // With `arbitrary_precision`, a number's text is the one written.
            Value::Number(n) => Json::Number(n.to_string()),
            Value::String(s) => Json::String(s),
            Value::Array(items) => Json::Array(items.into_iter().map(Json::from).collect()),
            Value::Object(members) => Json::Object(
                members
                    .into_iter()
                    .map(|(k, v)| (k, Json::from(v)))
                    .collect(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_text_and_keys_their_order() {
        let json = parse(br#" {"z": 10.00, "a": [1e5, -0, 2.5E-3], "b": null} "#).unwrap();
        assert_eq!(
            json.to_compact(),
            r#"{"z":10.00,"a":[1e+5,-0,2.5e-3],"b":null}"#,
            "digits as written; serde_json spells an exponent one way"
        );
    }

    #[test]
    fn escapes_are_decoded_and_written_back_as_json() {
        let json = parse(br#""a\"b\\c\/d\n\u00e9\ud83d\ude00""#).unwrap();
        assert_eq!(json, Json::String("a\"b\\c/d\né😀".into()));
        assert_eq!(parse(json.to_compact().as_bytes()).unwrap(), json);
    }

    #[test]
    fn bad_json_is_refused_with_where() {
        for bad in [
            &b"{"[..],
            b"[1,]",
            b"01",
            b"1.",
            b"\"\\ud800\"",
            b"nul",
            b"{} x",
            b"\"\x01\"",
            b"\xff",
        ] {
            assert!(parse(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
        assert!(parse(b"[1,]").unwrap_err().what.contains("column 4"));
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let deep = "[".repeat(10_000);
        assert!(parse(deep.as_bytes()).is_err());
    }
}
