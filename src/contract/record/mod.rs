//! A scenario written from a live server's answers: each click found is kept
//! with its body verbatim as `response:`, each error as an `errors:`
//! override (status and message), and the api-key replaced by a placeholder.
//!
//! The scenario is then loaded back, as `serve` would, and every recorded
//! lookup asked of it, so that a recording the mock would answer differently
//! says so instead of drifting silently.
//!
//! - `classify`: a click's body or an error, and of which kind.
//! - `gather`: clicks, overrides, and the transactions that route lookups.
//! - `text`: the file's text, every part under a comment saying where it came from.
//! - `check`: the file loaded back and asked every lookup.
//! - `recorded`: a lookup and its answer; the placeholder api-key.

mod check;
mod classify;
mod gather;
mod recorded;
mod text;

pub use recorded::{PLACEHOLDER_API_KEY, Recorded, label};

use super::upstream::{Answer, ApiKey};

/// The scenario written, and what a person should know about it.
#[derive(Debug, Clone)]
pub struct Recording {
    /// The scenario file's text.
    pub yaml: String,
    /// The 1-based line of the placeholder api-key.
    pub placeholder_line: usize,
    /// How many clicks it holds.
    pub clicks: usize,
    /// How many error overrides it holds.
    pub overrides: usize,
    /// What could not be kept as it was, or will not be served as it was answered.
    pub warnings: Vec<String>,
}

/// Builds the scenario from `recorded`. `source` says where the answers came
/// from (a URL without credentials); `username` is kept, `api_key` never
/// written: any occurrence in an answer is replaced too.
pub fn write_scenario(
    source: &str,
    username: &str,
    api_key: &ApiKey,
    recorded: &[Recorded],
) -> Recording {
    let mut warnings = Vec::new();
    // A server that echoes the key back must not get it written.
    let scrubbed: Vec<Recorded> = recorded
        .iter()
        .map(|entry| Recorded {
            lookup: entry.lookup.clone(),
            answer: Answer {
                body: api_key.scrub_bytes(&entry.answer.body),
                ..entry.answer.clone()
            },
        })
        .collect();
    if scrubbed
        .iter()
        .zip(recorded)
        .any(|(s, r)| s.answer.body != r.answer.body)
    {
        warnings.push(
            "the server's answers held the api-key: it is replaced by `<redacted api-key>` \
             in the scenario, so those answers are not verbatim"
                .into(),
        );
    }
    let gathered = gather::gather(&scrubbed, &mut warnings);
    let (text, placeholder_line) = text::render(source, username, &gathered);
    // The answers are scrubbed already; this catches the key given as a
    // lookup value or a username, whatever it costs the file.
    let text = api_key.scrub(&text);
    warnings.extend(check::self_check(&text, &scrubbed));
    Recording {
        yaml: text,
        placeholder_line,
        clicks: gathered.clicks.len(),
        overrides: gathered.overrides.len(),
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api_error::ErrorKind;
    use crate::contract::record::classify::error_kind;
    use crate::params::Lookup;
    use crate::scenario::{LookupKey, Scenario};
    use bytes::Bytes;

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status,
            content_type: Some("application/json".into()),
            body: Bytes::from(body.to_string()),
        }
    }

    fn recorded(key: LookupKey, value: &str, status: u16, body: &str) -> Recorded {
        Recorded {
            lookup: Lookup {
                key,
                value: value.into(),
            },
            answer: answer(status, body),
        }
    }

    #[test]
    fn error_kinds_come_from_the_message_then_the_status() {
        assert_eq!(
            error_kind(404, Some("Click not found")),
            Some(ErrorKind::NotFound)
        );
        assert_eq!(
            error_kind(403, Some("Invalid api-key or api-username")),
            Some(ErrorKind::InvalidCredentials)
        );
        assert_eq!(
            error_kind(403, Some("Your IP is blocked")),
            Some(ErrorKind::IpNotAllowed)
        );
        assert_eq!(
            error_kind(403, Some("Access denied")),
            Some(ErrorKind::InvalidCredentials)
        );
        assert_eq!(error_kind(200, Some("No click")), Some(ErrorKind::NotFound));
        assert_eq!(error_kind(503, Some("Service Unavailable")), None);
        assert_eq!(error_kind(429, None), None);
    }

    #[test]
    fn a_lookup_by_order_without_hashes_in_the_body_still_finds_its_click() {
        let body = r#"{"result":"success","data":{"n":10.00}}"#;
        let recording = write_scenario(
            "http://upstream",
            "qa",
            &ApiKey::new("0123456789abcdef"),
            &[recorded(LookupKey::OrderId, "ORD-9", 200, body)],
        );

        assert!(
            recording.warnings.is_empty(),
            "{:?}\n{}",
            recording.warnings,
            recording.yaml
        );
        let scenario = Scenario::from_yaml("r", recording.yaml.clone()).unwrap();
        let found = scenario.clicks().find(LookupKey::OrderId, "ORD-9").unwrap();
        assert_eq!(&found.body[..], body.as_bytes());
    }

    #[test]
    fn two_lookups_of_one_click_make_one_click_that_both_find() {
        let body = r#"{"result":"success","click":{"click_hash":"h1"},"transactions":[{"transaction_hash":"t1","orderid":"O1"}]}"#;
        let recording = write_scenario(
            "http://upstream",
            "qa",
            &ApiKey::new("0123456789abcdef"),
            &[
                recorded(LookupKey::TransactionHash, "h1", 200, body),
                recorded(LookupKey::OrderId, "O1", 200, body),
            ],
        );

        assert!(recording.warnings.is_empty(), "{:?}", recording.warnings);
        assert_eq!(recording.clicks, 1, "{}", recording.yaml);
        let scenario = Scenario::from_yaml("r", recording.yaml.clone()).unwrap();
        for (key, value) in [
            (LookupKey::TransactionHash, "h1"),
            (LookupKey::TransactionHash, "t1"),
            (LookupKey::OrderId, "O1"),
        ] {
            let found = scenario.clicks().find(key, value).expect("found");
            assert_eq!(&found.body[..], body.as_bytes());
        }
    }

    #[test]
    fn an_unmapped_status_is_a_comment_and_a_warning() {
        let recording = write_scenario(
            "http://upstream",
            "qa",
            &ApiKey::new("0123456789abcdef"),
            &[recorded(
                LookupKey::TransactionHash,
                "x",
                503,
                "down\nfor a while",
            )],
        );

        assert!(
            recording
                .yaml
                .contains("#   transaction_hash=x answered 503: down for a while"),
            "{}",
            recording.yaml
        );
        assert_eq!(recording.warnings.len(), 1, "{:?}", recording.warnings);
        assert_eq!(recording.overrides, 0);
    }

    #[test]
    fn the_api_key_is_scrubbed_from_answers_too() {
        let recording = write_scenario(
            "http://upstream",
            "qa",
            &ApiKey::new("topsecretkey"),
            &[recorded(
                LookupKey::TransactionHash,
                "x",
                401,
                r#"{"result":"error","message":"bad key topsecretkey"}"#,
            )],
        );

        assert!(
            !recording.yaml.contains("topsecretkey"),
            "{}",
            recording.yaml
        );
        assert!(
            recording
                .warnings
                .iter()
                .any(|w| w.contains("held the api-key"))
        );
    }
}
