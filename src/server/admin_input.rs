//! What the admin endpoints share in reading a request: a JSON object
//! (never an array of its fields), a whole number in a query, the scenario
//! a request names (`?scenario=NAME`, or the active one), and the answer to
//! a scenario name that no loaded scenario has.

use std::sync::Arc;

use hyper::StatusCode;

use super::response::{self, Answer};
use super::state::{MockState, UnknownScenario};
use crate::scenario::Scenario;

/// The scenario `name` names, the active one when `None`, or the 400 an
/// unknown name gets.
pub fn chosen(state: &MockState, name: Option<&str>) -> Result<Arc<Scenario>, Box<Answer>> {
    state
        .scenario_for(name)
        .map_err(|unknown| Box::new(unknown_scenario(&unknown)))
}

/// The `scenario` a query names, if it names one.
pub fn scenario_in(query: Option<&str>) -> Option<String> {
    form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .find(|(name, _)| name == "scenario")
        .map(|(_, value)| value.into_owned())
}

/// 400 `Unknown scenario: NAME` with `X-Mock-Error: unknown-scenario`.
pub fn unknown_scenario(unknown: &UnknownScenario) -> Answer {
    response::mock_error(
        StatusCode::BAD_REQUEST,
        "unknown-scenario",
        &unknown.to_string(),
    )
}

/// Why a body was not read as the object a request takes.
#[derive(Debug, thiserror::Error)]
pub enum NotAnObject {
    /// Not JSON, or not the fields the request takes.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// JSON, but not an object.
    #[error("expected a JSON object, found {0}")]
    Whole(&'static str),
    /// An entry of the list field that is not an object: its index and kind.
    #[error("entry {0} is {1}, not a JSON object")]
    Entry(usize, &'static str),
}

/// `body` as a `T`, when it is a JSON object and so is every entry of its
/// list field `list`. serde would also read a struct from an array of its
/// fields in order (`["default"]`), which the document does not allow and
/// no client means.
pub fn from_object<T: serde::de::DeserializeOwned>(
    body: &[u8],
    list: Option<&str>,
) -> Result<T, NotAnObject> {
    let value: serde_json::Value = serde_json::from_slice(body)?;
    if !value.is_object() {
        return Err(NotAnObject::Whole(json_kind(&value)));
    }
    let entries = list
        .and_then(|name| value.get(name))
        .and_then(serde_json::Value::as_array);
    if let Some((index, entry)) = entries
        .into_iter()
        .flatten()
        .enumerate()
        .find(|(_, e)| !e.is_object())
    {
        return Err(NotAnObject::Entry(index, json_kind(entry)));
    }
    // Read again from the bytes: serde's messages name the value as written.
    Ok(serde_json::from_slice(body)?)
}

/// What kind of JSON value `value` is, for a message.
fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// A whole number written in decimal digits; one too large for `u64` is
/// `u64::MAX`, since both parameters clamp.
pub fn whole_number(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(text.parse().unwrap_or(u64::MAX))
}
