//! The recorded scenario loaded back, as `serve` would load it, and asked
//! every recorded lookup: whatever it would answer differently from the
//! server becomes a warning instead of a silent difference.

use super::classify::{Kept, classify};
use super::recorded::{Recorded, label};
use crate::api_error::ErrorKind;
use crate::contract::json::{self, Json};
use crate::scenario::Scenario;

/// Loads the scenario as `serve` would and asks it every recorded lookup:
/// what it would answer differently from the server, in words.
pub(super) fn self_check(yaml: &str, recorded: &[Recorded]) -> Vec<String> {
    let scenario = match Scenario::from_yaml("recorded", yaml) {
        Ok(scenario) => scenario,
        Err(err) => return vec![format!("the recorded scenario does not load:\n{err}")],
    };
    let mut warnings = Vec::new();
    for entry in recorded {
        let label = label(&entry.lookup);
        let found = scenario
            .clicks()
            .find(entry.lookup.key, &entry.lookup.value);
        match (classify(&entry.answer), found) {
            (Kept::Click(body), Some(found)) => {
                if json::parse(found.body).ok().as_ref() != Some(&body) {
                    warnings.push(format!(
                        "{label}: the mock answers another body than the server did"
                    ));
                }
            }
            (Kept::Click(_), None) => {
                warnings.push(format!("{label}: the mock finds no click for it"));
            }
            (Kept::Error { .. }, Some(_)) => {
                warnings.push(format!(
                    "{label}: the server answered {}, the mock finds a click",
                    entry.answer.status
                ));
            }
            (Kept::Error { kind, message }, None) => {
                let (status, body) = scenario
                    .errors()
                    .answer(kind.unwrap_or(ErrorKind::NotFound), None);
                let served = json::parse(&body).ok();
                let served_message = served
                    .as_ref()
                    .and_then(|b| b.get("message"))
                    .and_then(Json::as_str);
                let same = status.as_u16() == entry.answer.status
                    && (message.is_none() || served_message == message.as_deref());
                if kind.is_some() && !same {
                    warnings.push(format!(
                        "{label}: the mock answers {} {:?}, the server answered {} {:?}",
                        status.as_u16(),
                        served_message.unwrap_or(""),
                        entry.answer.status,
                        message.as_deref().unwrap_or("")
                    ));
                }
            }
        }
    }
    warnings
}
