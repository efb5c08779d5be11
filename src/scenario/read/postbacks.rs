//! Reading `postbacks:`, the targets the network calls back, every problem
//! located: an unknown `%%variable%%`, an unset `${NAME}`, a bad duration,
//! an unknown event, a URL that is not `http://` or `https://`, a duplicate
//! name (in one list here; across files when the scenario is loaded). What
//! they mean once read is [`crate::postbacks::target`].

use std::path::Path;
use std::time::Duration;

use super::{Reader, describe};
use crate::postbacks::target::{
    self, Event, FaultAction, Method, PostbackFault, Target, UrlTemplate,
};
use crate::scenario::model::Located;
use crate::scenario::problem::Problems;
use crate::scenario::yaml::{Scalar, ScalarTag, Yaml, YamlKind};
use crate::trigger::Trigger;

/// The keys of a target.
const TARGET_KEYS: [&str; 8] = [
    "name", "url", "method", "events", "loginid", "timeout", "retry", "faults",
];

/// The keys that choose which postbacks a fault hits.
const TRIGGER_KEYS: [&str; 3] = ["every", "after", "first"];

/// The keys that choose what a fault does.
const ACTION_KEYS: [&str; 4] = ["duplicate", "delay", "drop", "reorder"];

/// Reads a list of targets sent through the admin API (JSON read into the
/// same located tree), `path` naming it in problems; each located at its name.
pub fn read_targets(root: &Yaml, path: &Path, problems: &mut Problems) -> Vec<Located<Target>> {
    let mut reader = Reader { path, problems };
    reader.postback_targets(root)
}

impl Reader<'_> {
    /// `postbacks:`: a list of targets, each located at its name.
    pub(super) fn postback_targets(&mut self, node: &Yaml) -> Vec<Located<Target>> {
        self.list(node, "postbacks", |r, item| r.postback_target(item))
            .unwrap_or_default()
    }

    fn postback_target(&mut self, node: &Yaml) -> Option<Located<Target>> {
        let entries = self.mapping(node, "a postback target")?;
        let known = self.known_keys(entries, &TARGET_KEYS, "in a postback target");
        let mut broken = false;
        let (mut name, mut url) = (None, None);
        let mut target = Target {
            name: String::new(),
            url: UrlTemplate::parse("http://localhost/", |_| None).ok()?,
            method: Method::Get,
            events: Event::ALL.to_vec(),
            loginid: None,
            timeout: target::DEFAULT_TIMEOUT,
            retry: target::DEFAULT_RETRY.to_vec(),
            faults: Vec::new(),
        };
        for (key, value) in known {
            let read = match key.name.as_str() {
                "name" => self.target_name(value).map(|n| name = Some((n, value.at))),
                "url" => self.postback_url(value).map(|u| url = Some(u)),
                "method" => self.method(value).map(|m| target.method = m),
                "events" => self.events(value).map(|e| target.events = e),
                // `loginid: ~` is no affiliate in particular, as if absent.
                "loginid" => self.scalar(value, "`loginid`").map(|l| {
                    target.loginid = (!is_null(value)).then_some(l);
                }),
                "timeout" => self
                    .duration(
                        value,
                        "`timeout`",
                        Duration::from_millis(1),
                        target::MAX_TIMEOUT,
                    )
                    .map(|t| target.timeout = t),
                "retry" => self.retry(value).map(|r| target.retry = r),
                _ => {
                    target.faults = self.postback_faults(value);
                    Some(())
                }
            };
            broken |= read.is_none();
        }
        for (key, missing) in [("name", name.is_none()), ("url", url.is_none())] {
            let written = entries.iter().any(|(k, _)| k.name == key);
            if missing && !written {
                self.problem(node.at, format!("a postback target needs `{key}`"));
            }
        }
        let (name, at) = name?;
        target.name = name;
        target.url = url?;
        (!broken).then_some(Located { value: target, at })
    }

    fn target_name(&mut self, node: &Yaml) -> Option<String> {
        let name = self.scalar(node, "`name`")?;
        if name.trim().is_empty() {
            self.problem(node.at, "a postback target's `name` is empty");
            return None;
        }
        Some(name)
    }

    fn postback_url(&mut self, node: &Yaml) -> Option<UrlTemplate> {
        let written = self.scalar(node, "`url`")?;
        match UrlTemplate::parse(&written, |name| std::env::var(name).ok()) {
            Ok(url) => Some(url),
            Err(problems) => {
                // Located at the value: where in it the message's quote says.
                for problem in problems {
                    self.problem(node.at, problem.message);
                }
                None
            }
        }
    }

    fn method(&mut self, node: &Yaml) -> Option<Method> {
        let text = self.scalar(node, "`method`")?;
        match text.to_ascii_uppercase().as_str() {
            "GET" => Some(Method::Get),
            "POST" => Some(Method::Post),
            _ => {
                self.problem(node.at, format!("`method` is GET or POST, found `{text}`"));
                None
            }
        }
    }

    fn events(&mut self, node: &Yaml) -> Option<Vec<Event>> {
        let mut broken = false;
        let events = self.list(node, "events", |r, item| {
            let text = r.scalar(item, "an event")?;
            let event = Event::of(&text);
            if event.is_none() {
                broken = true;
                let known: Vec<&str> = Event::ALL.iter().map(|e| e.name()).collect();
                r.problem(
                    item.at,
                    format!("unknown event `{text}`; known: {}", known.join(", ")),
                );
            }
            event
        })?;
        (!broken).then_some(events)
    }

    /// A duration such as `500ms`, `5s` or `1m`, from `min` to `max`.
    fn duration(
        &mut self,
        node: &Yaml,
        what: &str,
        min: Duration,
        max: Duration,
    ) -> Option<Duration> {
        let text = match &node.kind {
            YamlKind::Scalar(Scalar {
                tag: ScalarTag::Str,
                text,
            }) => text.clone(),
            _ => {
                self.problem(
                    node.at,
                    format!(
                        "{what} must be a duration such as `500ms` or `5s`, found {}",
                        describe(node)
                    ),
                );
                return None;
            }
        };
        match humantime::parse_duration(&text) {
            Ok(d) if d >= min && d <= max => Some(d),
            Ok(_) => {
                self.problem(
                    node.at,
                    format!(
                        "{what} is from {} to {}, found `{text}`",
                        humantime::format_duration(min),
                        humantime::format_duration(max)
                    ),
                );
                None
            }
            Err(err) => {
                self.problem(
                    node.at,
                    format!(
                        "{what} must be a duration such as `500ms` or `5s`, found `{text}` ({err})"
                    ),
                );
                None
            }
        }
    }

    fn retry(&mut self, node: &Yaml) -> Option<Vec<Duration>> {
        let mut broken = false;
        let delays = self.list(node, "retry", |r, item| {
            let delay = r.duration(item, "a `retry` delay", Duration::ZERO, target::MAX_DELAY);
            broken |= delay.is_none();
            delay
        })?;
        if delays.len() > target::MAX_RETRIES {
            self.problem(
                node.at,
                format!(
                    "`retry` has at most {} delays, found {}",
                    target::MAX_RETRIES,
                    delays.len()
                ),
            );
            return None;
        }
        (!broken).then_some(delays)
    }

    fn postback_faults(&mut self, node: &Yaml) -> Vec<PostbackFault> {
        self.list(node, "faults", |r, item| r.postback_fault(item))
            .unwrap_or_default()
    }

    fn postback_fault(&mut self, node: &Yaml) -> Option<PostbackFault> {
        let entries = self.mapping(node, "a postback fault")?;
        let allowed: Vec<&str> = TRIGGER_KEYS.iter().chain(&ACTION_KEYS).copied().collect();
        let known = self.known_keys(entries, &allowed, "in a postback fault");
        let (mut trigger, mut action) = (None, None);
        let (mut triggers, mut actions) = (0, 0);
        for (key, value) in known {
            let name = key.name.as_str();
            if TRIGGER_KEYS.contains(&name) {
                triggers += 1;
                if triggers > 1 {
                    self.problem(key.at, format!("a postback fault takes one of `every`, `after`, `first`; `{name}` is a second"));
                    continue;
                }
                trigger = match name {
                    "every" => self.whole_number(value, "`every`", 1).map(Trigger::Every),
                    "after" => self.whole_number(value, "`after`", 0).map(Trigger::After),
                    _ => self.whole_number(value, "`first`", 1).map(Trigger::First),
                };
                continue;
            }
            actions += 1;
            if actions > 1 {
                self.problem(key.at, format!("a postback fault does one thing; `{name}` is a second (one of: duplicate, delay, drop, reorder)"));
                continue;
            }
            action = match name {
                "delay" => self
                    .duration(value, "`delay`", Duration::ZERO, target::MAX_DELAY)
                    .map(FaultAction::Delay),
                flag => self.flag(value, flag).map(|()| match flag {
                    "duplicate" => FaultAction::Duplicate,
                    "drop" => FaultAction::Drop,
                    _ => FaultAction::Reorder,
                }),
            };
        }
        if triggers == 0 {
            self.problem(node.at, "a postback fault needs one of `every: N`, `after: N`, `first: N` to say which postbacks it hits");
        }
        if actions == 0 {
            self.problem(node.at, "a postback fault needs one of `duplicate: true`, `delay: 2s`, `drop: true`, `reorder: true`");
        }
        Some(PostbackFault {
            trigger: trigger?,
            action: action?,
        })
    }
}

/// Whether `node` is written as null (`~`, `null`, nothing).
fn is_null(node: &Yaml) -> bool {
    matches!(
        node.kind,
        YamlKind::Scalar(Scalar {
            tag: ScalarTag::Null,
            ..
        })
    )
}
