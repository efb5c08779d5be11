//! A postback target as a scenario defines it (`shared/POSTBACKS.md`): where
//! to send, how, for which events and affiliates, with which timeout,
//! retries and faults; and its URL template, read once at load.

use std::fmt;
use std::time::Duration;

use crate::trigger::Trigger;

/// The events a postback reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A conversion with `trans_type` `initial`.
    Sale,
    /// A conversion with `trans_type` `rebill`.
    Rebill,
    /// A void applied.
    Void,
    /// A chargeback applied.
    Chargeback,
    /// A reversal applied.
    Reversal,
}

impl Event {
    /// Every event, in the order the documentation lists them.
    pub const ALL: [Event; 5] = [
        Event::Sale,
        Event::Rebill,
        Event::Void,
        Event::Chargeback,
        Event::Reversal,
    ];

    /// Its name in a scenario file and in `%%event%%`.
    pub fn name(self) -> &'static str {
        match self {
            Event::Sale => "sale",
            Event::Rebill => "rebill",
            Event::Void => "void",
            Event::Chargeback => "chargeback",
            Event::Reversal => "reversal",
        }
    }

    /// The event called `name`, if there is one.
    pub fn of(name: &str) -> Option<Event> {
        Event::ALL.into_iter().find(|e| e.name() == name)
    }
}

/// How a postback is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    /// The expanded URL, nothing else (the pixel style).
    #[default]
    Get,
    /// The expanded URL with every variable as a form body (the NATS style).
    Post,
}

impl Method {
    /// `GET` or `POST`.
    pub fn name(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// The variables a URL may name as `%%name%%`, in the order a POST's form
/// body lists them.
pub const VARIABLES: [&str; 29] = [
    "event",
    "seq",
    "attempt",
    "scenario",
    "transaction_hash",
    "original_transaction_hash",
    "click_hash",
    "trans_type",
    "status",
    "time",
    "amount",
    "total_payout",
    "payout",
    "orderid",
    "subscription_id",
    "loginid",
    "username",
    "offerid",
    "campaignid",
    "landing_pageid",
    "creativeid",
    "subid1",
    "subid2",
    "external_clickid",
    "trans_custom1",
    "trans_custom2",
    "trans_custom3",
    "trans_custom4",
    "trans_custom5",
];

/// Where `seq` and `attempt` stand in [`VARIABLES`]: they change per
/// postback and per attempt, the others are the event's.
pub const SEQ: usize = 1;
/// See [`SEQ`].
pub const ATTEMPT: usize = 2;

/// The defaults of a target's keys.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// The delays before attempts 2 and 3 when `retry` is not written.
pub const DEFAULT_RETRY: [Duration; 2] = [Duration::from_secs(1), Duration::from_secs(4)];
/// The longest `timeout` a target may set.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(60);
/// The longest delay a `retry` entry or a `delay` fault may set.
pub const MAX_DELAY: Duration = Duration::from_secs(300);
/// The most entries a `retry` list may have.
pub const MAX_RETRIES: usize = 10;

/// What a postback fault does to the postbacks it hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultAction {
    /// Delivered twice, the second right after the first has settled.
    Duplicate,
    /// Held this long before its first attempt.
    Delay(Duration),
    /// Never sent.
    Drop,
    /// Held until the target's next postback has settled.
    Reorder,
}

impl FaultAction {
    /// Its key in a fault rule.
    pub fn name(self) -> &'static str {
        match self {
            FaultAction::Duplicate => "duplicate",
            FaultAction::Delay(_) => "delay",
            FaultAction::Drop => "drop",
            FaultAction::Reorder => "reorder",
        }
    }
}

/// One entry of a target's `faults:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostbackFault {
    /// Which of the target's postbacks (from 1) it hits.
    pub trigger: Trigger,
    /// What happens to them.
    pub action: FaultAction,
}

/// A postback target, read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Unique in its scenario.
    pub name: String,
    /// Where to send, with the event's variables.
    pub url: UrlTemplate,
    /// GET or POST.
    pub method: Method,
    /// The events it takes.
    pub events: Vec<Event>,
    /// Only clicks of this affiliate, when set.
    pub loginid: Option<String>,
    /// Each attempt's limit.
    pub timeout: Duration,
    /// The delays before attempts 2, 3, ...
    pub retry: Vec<Duration>,
    /// Its faults, first match wins.
    pub faults: Vec<PostbackFault>,
}

impl Target {
    /// Whether it takes `event` for a click of affiliate `loginid`.
    pub fn takes(&self, event: Event, loginid: &str) -> bool {
        self.events.contains(&event) && self.loginid.as_deref().is_none_or(|l| l == loginid)
    }

    /// What its faults do to its postback number `n` (from 1).
    pub fn fault_for(&self, n: u64) -> Option<FaultAction> {
        self.faults
            .iter()
            .find(|f| f.trigger.fires(n))
            .map(|f| f.action)
    }
}

/// A URL with `%%variable%%` macros, its `${NAME}` already read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlTemplate {
    /// As loaded: the environment filled in, the macros kept.
    text: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Variable(usize),
}

/// Something wrong in a URL template, at a character of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateProblem {
    /// The character it is at, from 0.
    pub at: usize,
    /// What is wrong.
    pub message: String,
}

impl UrlTemplate {
    /// Reads `written`: `${NAME}` and `${NAME:-fallback}` from `env`,
    /// `%%name%%` from [`VARIABLES`]; the result must be an `http://` or
    /// `https://` URL. Every problem is returned, each where it was written.
    pub fn parse(
        written: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<UrlTemplate, Vec<TemplateProblem>> {
        let mut problems = Vec::new();
        let mut text = String::new();
        let mut rest = written;
        while let Some(start) = rest.find("${") {
            text.push_str(&rest[..start]);
            let at = written.len() - rest.len() + start;
            let Some(end) = rest[start..].find('}') else {
                problems.push(problem(written, at, "`${` is not closed with `}`".into()));
                rest = "";
                break;
            };
            let inner = &rest[start + 2..start + end];
            let (name, fallback) = match inner.split_once(":-") {
                Some((name, fallback)) => (name, Some(fallback)),
                None => (inner, None),
            };
            let valid = !name.is_empty()
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && !name.as_bytes()[0].is_ascii_digit();
            if !valid {
                problems.push(problem(
                    written,
                    at,
                    format!("`${{{inner}}}` is not an environment variable: write `${{NAME}}` or `${{NAME:-fallback}}`"),
                ));
            } else {
                match (env(name).filter(|v| !v.is_empty()), fallback) {
                    (Some(value), _) => text.push_str(&value),
                    (None, Some(fallback)) => text.push_str(fallback),
                    (None, None) => problems.push(problem(
                        written,
                        at,
                        format!(
                            "the environment variable `{name}` is not set: set it, or write `${{{name}:-fallback}}`"
                        ),
                    )),
                }
            }
            rest = &rest[start + end + 1..];
        }
        text.push_str(rest);
        let parts = match macros(&text) {
            Ok(parts) => parts,
            Err(message) => {
                // Located in what was written when the environment added nothing before it.
                let at = written.find(&message.0).unwrap_or(0);
                problems.push(problem(written, at, message.1));
                Vec::new()
            }
        };
        if problems.is_empty() {
            let example: String = parts
                .iter()
                .map(|p| match p {
                    Part::Text(t) => t.as_str(),
                    Part::Variable(_) => "x",
                })
                .collect();
            if let Err(message) = check_url(&example) {
                problems.push(problem(written, 0, message));
            }
        }
        if problems.is_empty() {
            Ok(UrlTemplate { text, parts })
        } else {
            Err(problems)
        }
    }

    /// The URL as loaded: the environment filled in, the macros kept.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The URL with each `%%name%%` replaced by `values[index of name]`,
    /// percent-encoded.
    pub fn expand(&self, values: &[String]) -> String {
        let mut url = String::with_capacity(self.text.len() + 64);
        for part in &self.parts {
            match part {
                Part::Text(text) => url.push_str(text),
                Part::Variable(index) => {
                    let value = values.get(*index).map_or("", String::as_str);
                    url.extend(percent_encoding::utf8_percent_encode(value, URL_VALUE));
                }
            }
        }
        url
    }
}

impl fmt::Display for UrlTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// What stays as it is in a value put into a URL: RFC 3986's unreserved
/// characters; everything else is percent-encoded.
const URL_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn problem(written: &str, at: usize, message: String) -> TemplateProblem {
    TemplateProblem {
        at: written[..at].chars().count(),
        message,
    }
}

/// The text and variables of `text`; on an error, the text to locate it by
/// and the message.
fn macros(text: &str) -> Result<Vec<Part>, (String, String)> {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("%%") {
        if start > 0 {
            parts.push(Part::Text(rest[..start].to_string()));
        }
        let after = &rest[start + 2..];
        let Some(end) = after.find("%%") else {
            return Err((
                rest[start..].to_string(),
                "`%%` opens a variable that is not closed with `%%`".to_string(),
            ));
        };
        let name = &after[..end];
        let Some(index) = VARIABLES.iter().position(|v| *v == name) else {
            return Err((
                format!("%%{name}%%"),
                format!(
                    "unknown variable `%%{name}%%`; known: {}",
                    VARIABLES.join(", ")
                ),
            ));
        };
        parts.push(Part::Variable(index));
        rest = &after[end + 2..];
    }
    if !rest.is_empty() {
        parts.push(Part::Text(rest.to_string()));
    }
    Ok(parts)
}

/// Whether `url` is an `http://` or `https://` URL with a host.
fn check_url(url: &str) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url).map_err(|err| format!("`{url}` is not a URL: {err}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!(
            "a postback URL is `http://` or `https://`, found `{}://`",
            parsed.scheme()
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!("`{url}` names no host"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "RECEIVER" => Some("http://127.0.0.1:4000".to_string()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn the_environment_is_read_once_and_macros_are_kept() {
        let url = UrlTemplate::parse("${RECEIVER}/n?tx=%%transaction_hash%%&s=%%seq%%", env)
            .expect("valid");
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:4000/n?tx=%%transaction_hash%%&s=%%seq%%"
        );
        let mut values = vec![String::new(); VARIABLES.len()];
        values[4] = "a b&c".to_string();
        values[SEQ] = "7".to_string();
        assert_eq!(
            url.expand(&values),
            "http://127.0.0.1:4000/n?tx=a%20b%26c&s=7"
        );
    }

    #[test]
    fn a_fallback_stands_for_an_unset_or_empty_variable() {
        for written in ["${NOPE:-http://h:1}/x", "${EMPTY:-http://h:1}/x"] {
            let url = UrlTemplate::parse(written, env).expect("valid");
            assert_eq!(url.as_str(), "http://h:1/x");
        }
    }

    #[test]
    fn each_problem_is_found_where_it_was_written() {
        let problems = UrlTemplate::parse("http://h/${NOPE}/%%nope%%", env).expect_err("two");
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(problems[0].at, 9);
        assert!(problems[0].message.contains("`NOPE` is not set"));
        assert_eq!(problems[1].at, 17);
        assert!(problems[1].message.contains("unknown variable `%%nope%%`"));
        let ftp = UrlTemplate::parse("ftp://h/x", env).expect_err("ftp");
        assert!(ftp[0].message.contains("`ftp://`"), "{ftp:?}");
        let open = UrlTemplate::parse("http://h/%%seq", env).expect_err("open");
        assert!(open[0].message.contains("not closed"), "{open:?}");
        let bad = UrlTemplate::parse("http://h/${1X}", env).expect_err("bad name");
        assert!(bad[0].message.contains("not an environment variable"));
    }

    #[test]
    fn a_target_takes_its_events_and_its_affiliate() {
        let target = Target {
            name: "t".into(),
            url: UrlTemplate::parse("http://h/", env).expect("valid"),
            method: Method::Get,
            events: vec![Event::Sale],
            loginid: Some("1001".into()),
            timeout: DEFAULT_TIMEOUT,
            retry: Vec::new(),
            faults: vec![PostbackFault {
                trigger: Trigger::Every(2),
                action: FaultAction::Drop,
            }],
        };
        assert!(target.takes(Event::Sale, "1001"));
        assert!(!target.takes(Event::Sale, "1002"));
        assert!(!target.takes(Event::Void, "1001"));
        assert_eq!(target.fault_for(1), None);
        assert_eq!(target.fault_for(2), Some(FaultAction::Drop));
    }
}
