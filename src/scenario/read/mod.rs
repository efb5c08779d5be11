//! Reading a located YAML tree into the scenario format, with every problem
//! collected rather than the first: unknown keys, missing keys, wrong types,
//! bad times, unknown statuses, bad addresses and error overrides.
//!
//! [`faults`] reads the faults on demand (`latency_ms`, `faults`,
//! `rate_limit`, a click's `fault`); [`postbacks`] the postback targets;
//! [`json`] reads a JSON file, its clicks and transactions in parallel.

mod faults;
pub mod json;
pub mod postbacks;

use std::path::Path;
use std::sync::LazyLock;

use hyper::StatusCode;
use ipnet::IpNet;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::model::{
    CLICK_KEYS, ClickRare, ClickSpec, Credential, DOCUMENT_KEYS, Document, Located, PAYOUT_KEYS,
    STATUSES, TRANSACTION_KEYS, Texts, TransactionSpec, key_index,
};
use super::problem::{Position, Problems};
use super::yaml::{self, Key, Scalar, ScalarTag, Yaml, YamlKind};
use crate::api_error::{ErrorKind, ErrorOverride};

/// Reads one file's tree into a [`Document`], recording every problem.
pub fn read_document(root: &Yaml, path: &Path, problems: &mut Problems) -> Document {
    let mut reader = Reader { path, problems };
    reader.document(root)
}

/// Parses and reads one YAML file's text, recording every problem; `None` when
/// it is not YAML at all (a JSON file: [`json::read_text`]). Clicks and transactions are read one at a time as
/// the parser meets them, so a large file is never held whole as a tree.
pub fn read_text(text: &str, path: &Path, problems: &mut Problems) -> Option<Document> {
    let mut attempt = Problems::default();
    let mut reader = Reader {
        path,
        problems: &mut attempt,
    };
    let mut clicks = Vec::new();
    let mut transactions = Vec::new();
    let mut sink = |key: &str, mut item: Yaml| {
        if key == "clicks" {
            clicks.extend(reader.click(&mut item));
        } else {
            transactions.extend(reader.transaction(&mut item));
        }
    };
    let streamed = yaml::parse_streaming(text, &["clicks", "transactions"], &mut sink);
    let tree = match streamed {
        Ok(Some(tree)) => tree,
        // Not the usual shape: the whole tree locates what is wrong.
        Ok(None) => match yaml::parse(text) {
            Ok(tree) => return Some(read_document(&tree, path, problems)),
            Err((at, message)) => {
                problems.push(path, at, message);
                return None;
            }
        },
        Err((at, message)) => {
            problems.push(path, at, message);
            return None;
        }
    };
    let mut reader = Reader {
        path,
        problems: &mut attempt,
    };
    let mut doc = reader.document(&tree);
    doc.clicks = clicks;
    doc.transactions = transactions;
    problems.append(attempt);
    Some(doc)
}

/// The keys a record (click or transaction) may have.
struct RecordShape {
    /// Scalar keys, in body order; the first is the record's hash.
    keys: &'static [&'static str],
    /// Every key allowed: `keys`, the keys with their own shape (handled by
    /// the caller), and `extra`.
    allowed: &'static [&'static str],
    /// Where such a record sits, for messages: "in a click".
    place: &'static str,
}

/// `keys`, then `others`, then `extra`: what a record may hold.
fn allowed_keys(keys: &[&'static str], others: &[&'static str]) -> Vec<&'static str> {
    keys.iter()
        .chain(others)
        .copied()
        .chain(["extra"])
        .collect()
}

/// The keys a click may have, worked out once rather than per click.
static CLICK_ALLOWED: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| allowed_keys(&CLICK_KEYS, &["response", "latency_ms", "fault"]));

/// The keys a transaction may have.
static TRANSACTION_ALLOWED: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    allowed_keys(
        &TRANSACTION_KEYS,
        &["click_hash", "payouts", "transactionid"],
    )
});

/// A record's scalar keys as read, in the shape's order, and its `extra:`.
struct Record {
    fields: Vec<Field>,
    extra: Vec<(String, String)>,
}

/// One scalar key as read.
#[derive(Debug, Clone)]
enum Field {
    /// Not written.
    Absent,
    /// Written with the wrong shape; the problem is already recorded.
    Invalid(Position),
    /// Written: its text and where.
    Written(String, Position),
}

pub(super) struct Reader<'a> {
    path: &'a Path,
    problems: &'a mut Problems,
}

impl Reader<'_> {
    pub(super) fn problem(&mut self, at: Position, message: impl Into<String>) {
        self.problems.push(self.path, at, message);
    }

    fn document(&mut self, root: &Yaml) -> Document {
        let mut doc = Document::default();
        let entries = match &root.kind {
            // An empty file is an empty document.
            YamlKind::Scalar(Scalar {
                tag: ScalarTag::Null,
                ..
            }) => return doc,
            _ => match self.mapping(root, "a scenario file") {
                Some(entries) => entries,
                None => return doc,
            },
        };
        for (key, value) in self.known_keys(entries, &DOCUMENT_KEYS, "at the top level") {
            match key.name.as_str() {
                "name" => doc.name = self.located_string(key, value),
                "description" => doc.description = self.located_string(key, value),
                "now" => {
                    doc.now = self
                        .time(value, "now")
                        .filter(|t| !t.is_empty())
                        .and_then(|t| t.parse().ok())
                        .map(|seconds| Located {
                            value: seconds,
                            at: key.at,
                        })
                }
                "credentials" => {
                    let list = self.list(value, "credentials", |r, item| r.credential(item));
                    let written_empty = match &value.kind {
                        YamlKind::Seq(items) => items.is_empty(),
                        YamlKind::Scalar(scalar) => scalar.tag == ScalarTag::Null,
                        YamlKind::Map(_) => false,
                    };
                    if written_empty {
                        self.problem(
                            key.at,
                            "`credentials` is empty: add at least one username and api_key",
                        );
                    }
                    // Present even when broken, so the scenario is not also
                    // reported as having no credentials at all.
                    doc.credentials = Some(Located {
                        value: list.unwrap_or_default(),
                        at: key.at,
                    });
                }
                "allowed_ips" => {
                    let list = self.list(value, "allowed_ips", |r, item| r.ip_range(item));
                    doc.allowed_ips = Some(Located {
                        value: list.unwrap_or_default(),
                        at: key.at,
                    });
                }
                "errors" => {
                    doc.errors = Some(Located {
                        value: self.error_overrides(value),
                        at: key.at,
                    })
                }
                "latency_ms" => {
                    doc.latency_ms = self.latency(value).map(|ms| Located {
                        value: ms,
                        at: key.at,
                    })
                }
                "faults" => {
                    doc.faults = Some(Located {
                        value: self.fault_rules(value),
                        at: key.at,
                    })
                }
                "rate_limit" => {
                    doc.rate_limit = self.rate_limit(value).map(|limit| Located {
                        value: limit,
                        at: key.at,
                    })
                }
                "postbacks" => doc.postbacks = self.postback_targets(value),
                "include" => {
                    doc.include = self
                        .list(value, "include", |r, item| {
                            let text = r.scalar(item, "an include path")?;
                            Some(Located {
                                value: text,
                                at: item.at,
                            })
                        })
                        .unwrap_or_default()
                }
                "clicks" => {
                    doc.clicks = self
                        .list(value, "clicks", |r, item| r.click(&mut item.clone()))
                        .unwrap_or_default()
                }
                _ => {
                    doc.transactions = self
                        .list(value, "transactions", |r, item| {
                            r.transaction(&mut item.clone())
                        })
                        .unwrap_or_default()
                }
            }
        }
        doc
    }

    fn located_string(&mut self, key: &Key, value: &Yaml) -> Option<Located<String>> {
        let text = self.scalar(value, &format!("`{}`", key.name))?;
        Some(Located {
            value: text,
            at: key.at,
        })
    }

    pub(super) fn mapping<'y>(&mut self, node: &'y Yaml, what: &str) -> Option<&'y [(Key, Yaml)]> {
        match &node.kind {
            YamlKind::Map(entries) => Some(entries),
            _ => {
                self.problem(
                    node.at,
                    format!("{what} must be a mapping, found {}", node.shape()),
                );
                None
            }
        }
    }

    /// Like [`Reader::mapping`], the entries open to change.
    fn mapping_mut<'y>(&mut self, node: &'y mut Yaml, what: &str) -> Option<&'y mut [(Key, Yaml)]> {
        if !matches!(node.kind, YamlKind::Map(_)) {
            self.mapping(node, what);
            return None;
        }
        match &mut node.kind {
            YamlKind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The entries whose keys are in `allowed`; every other key is a problem.
    pub(super) fn known_keys<'y>(
        &mut self,
        entries: &'y [(Key, Yaml)],
        allowed: &[&str],
        place: &str,
    ) -> Vec<(&'y Key, &'y Yaml)> {
        let mut known = Vec::with_capacity(entries.len());
        for (key, value) in entries {
            if allowed.contains(&key.name.as_str()) {
                known.push((key, value));
            } else {
                self.unknown_key(key, allowed, place);
            }
        }
        known
    }

    fn unknown_key(&mut self, key: &Key, allowed: &[&str], place: &str) {
        let meant = closest(&key.name, allowed)
            .map(|meant| format!("; did you mean `{meant}`?"))
            .unwrap_or_default();
        self.problem(
            key.at,
            format!(
                "unknown key `{}` {place}{meant} (expected one of: {})",
                key.name,
                allowed.join(", ")
            ),
        );
    }

    /// The items of a list (null is an empty list); `None`, with a problem
    /// recorded, when `node` is not a list.
    pub(super) fn list<T>(
        &mut self,
        node: &Yaml,
        what: &str,
        mut item: impl FnMut(&mut Self, &Yaml) -> Option<T>,
    ) -> Option<Vec<T>> {
        match &node.kind {
            YamlKind::Seq(items) => Some(items.iter().filter_map(|i| item(self, i)).collect()),
            YamlKind::Scalar(Scalar {
                tag: ScalarTag::Null,
                ..
            }) => Some(Vec::new()),
            _ => {
                self.problem(
                    node.at,
                    format!("`{what}` must be a list, found {}", node.shape()),
                );
                None
            }
        }
    }

    /// A scalar's text (null is empty); anything else is a problem.
    pub(super) fn scalar(&mut self, node: &Yaml, what: &str) -> Option<String> {
        match &node.kind {
            YamlKind::Scalar(s) => Some(s.text.clone()),
            _ => {
                self.problem(
                    node.at,
                    format!("{what} must be a single value, found {}", node.shape()),
                );
                None
            }
        }
    }

    /// The scalar value of `key`: its text (null is empty); anything else
    /// is a problem. Like [`Reader::scalar`], naming the key only when it is
    /// wrong, so that a million records format no message.
    fn key_scalar(&mut self, node: &Yaml, key: &str) -> Option<String> {
        match &node.kind {
            YamlKind::Scalar(s) => Some(s.text.clone()),
            _ => self.scalar(node, &format!("`{key}`")),
        }
    }

    /// The value of `key` as a [`Field`]: its text, or invalid with the
    /// problem recorded.
    fn field(&mut self, node: &Yaml, key: &str) -> Field {
        match self.key_scalar(node, key) {
            Some(text) => Field::Written(text, node.at),
            None => Field::Invalid(node.at),
        }
    }

    /// A required key's text and position (`record_at` when it is absent);
    /// absent or empty is a problem, invalid was reported already.
    fn required(
        &mut self,
        field: Field,
        record_at: Position,
        what: &str,
        key: &str,
    ) -> (String, Position) {
        match field {
            Field::Written(text, at) if !text.is_empty() => (text, at),
            Field::Written(_, at) => {
                self.problem(at, format!("`{key}` of {what} must not be empty"));
                (String::new(), at)
            }
            Field::Invalid(at) => (String::new(), at),
            Field::Absent => {
                let message = format!("{what} is missing the required key `{key}`");
                self.problem(record_at, message);
                (String::new(), record_at)
            }
        }
    }

    fn credential(&mut self, node: &Yaml) -> Option<Credential> {
        let entries = self.mapping(node, "a credential")?;
        let mut username = Field::Absent;
        let mut api_key = Field::Absent;
        for (key, value) in self.known_keys(entries, &["username", "api_key"], "in a credential") {
            let field = self.field(value, &key.name);
            match key.name.as_str() {
                "username" => username = field,
                _ => api_key = field,
            }
        }
        let (username, _) = self.required(username, node.at, "a credential", "username");
        let (api_key, _) = self.required(api_key, node.at, "a credential", "api_key");
        Some(Credential { username, api_key })
    }

    fn ip_range(&mut self, node: &Yaml) -> Option<IpNet> {
        let text = self.scalar(node, "an `allowed_ips` entry")?;
        let parsed = if text.contains('/') {
            text.parse::<IpNet>().ok()
        } else {
            text.parse::<std::net::IpAddr>().ok().map(IpNet::from)
        };
        if parsed.is_none() {
            self.problem(
                node.at,
                format!("`{text}` is not an IP address or CIDR range (like 10.0.0.0/8 or ::1)"),
            );
        }
        parsed
    }

    fn error_overrides(&mut self, node: &Yaml) -> Vec<(ErrorKind, ErrorOverride)> {
        let Some(entries) = self.mapping(node, "`errors`") else {
            return Vec::new();
        };
        let mut overrides = Vec::new();
        for (key, value) in entries {
            let Some(kind) = ErrorKind::from_name(&key.name) else {
                let names: Vec<_> = ErrorKind::ALL.iter().map(|k| k.name()).collect();
                self.problem(
                    key.at,
                    format!(
                        "unknown error kind `{}` (expected one of: {})",
                        key.name,
                        names.join(", ")
                    ),
                );
                continue;
            };
            let Some(fields) = self.mapping(value, &format!("`errors.{}`", key.name)) else {
                continue;
            };
            let mut over = ErrorOverride::default();
            let place = format!("in `errors.{}`", key.name);
            for (field, value) in self.known_keys(fields, &["status", "message"], &place) {
                if field.name == "status" {
                    over.status = self.status_code(value);
                } else {
                    over.message = self.scalar(value, "`message`");
                }
            }
            overrides.push((kind, over));
        }
        overrides
    }

    pub(super) fn status_code(&mut self, node: &Yaml) -> Option<StatusCode> {
        let code = match &node.kind {
            YamlKind::Scalar(Scalar {
                tag: ScalarTag::Int(i),
                ..
            }) => u16::try_from(*i).ok().filter(|c| (100..=599).contains(c)),
            _ => None,
        };
        let status = code.and_then(|c| StatusCode::from_u16(c).ok());
        if status.is_none() {
            self.problem(
                node.at,
                format!(
                    "`status` must be an HTTP status from 100 to 599, found {}",
                    describe(node)
                ),
            );
        }
        status
    }

    /// Reads a record's scalar keys (ordered as `shape.keys`), its `extra:`
    /// fields, and hands every other key the shape allows to `other`. The
    /// scalars' text is moved out of the tree, not copied: the tree of one
    /// record is read once and dropped.
    fn record<'y>(
        &mut self,
        entries: &'y mut [(Key, Yaml)],
        shape: &RecordShape,
        mut other: impl FnMut(&mut Self, &'y Key, &'y Yaml),
    ) -> Record {
        let mut record = Record {
            fields: vec![Field::Absent; shape.keys.len()],
            extra: Vec::new(),
        };
        for (key, value) in entries.iter_mut() {
            if !shape.allowed.contains(&key.name.as_str()) {
                self.unknown_key(key, shape.allowed, shape.place);
                continue;
            }
            if let Some(i) = key_index(shape.keys, &key.name) {
                record.fields[i] = if key.name == "time" {
                    match self.time(value, "time") {
                        Some(seconds) => Field::Written(seconds, value.at),
                        None => Field::Invalid(value.at),
                    }
                } else {
                    self.take_field(value, &key.name)
                };
            } else if key.name == "extra" {
                record.extra = self.extra(value);
            } else {
                other(self, key, value);
            }
        }
        record
    }

    /// The value of `key` as a [`Field`], its text moved out of the tree.
    fn take_field(&mut self, node: &mut Yaml, key: &str) -> Field {
        match &mut node.kind {
            YamlKind::Scalar(s) => Field::Written(std::mem::take(&mut s.text), node.at),
            _ => self.field(node, key),
        }
    }

    /// The record's first key (its hash), required and not empty, and the
    /// text of every key.
    fn require_hash(
        &mut self,
        record_at: Position,
        record: &mut Record,
        what: &str,
        key: &str,
    ) -> (Position, Texts) {
        let hash = std::mem::replace(&mut record.fields[0], Field::Absent);
        let (hash, at) = self.required(hash, record_at, what, key);
        let rest = record.fields[1..].iter().map(|f| match f {
            Field::Written(text, _) => text.as_str(),
            _ => "",
        });
        let values = std::iter::once(hash.as_str()).chain(rest).collect();
        (at, values)
    }

    /// A click, its text moved out of `node`.
    fn click(&mut self, node: &mut Yaml) -> Option<ClickSpec> {
        let at = node.at;
        let entries = self.mapping_mut(node, "a click")?;
        let mut response = None;
        let mut latency_ms = None;
        let mut fault = None;
        let shape = RecordShape {
            keys: &CLICK_KEYS,
            allowed: &CLICK_ALLOWED,
            place: "in a click",
        };
        let mut record = self.record(entries, &shape, |reader, key, value| {
            match key.name.as_str() {
                "latency_ms" => latency_ms = reader.latency(value),
                "fault" => fault = reader.click_fault(value),
                _ => response = Some(value.clone()),
            }
        });
        let (hash_at, values) = self.require_hash(at, &mut record, "a click", "click_hash");
        let rare = ClickRare {
            extra: record.extra,
            response,
            latency_ms,
            fault,
        };
        Some(ClickSpec {
            at,
            hash_at,
            values,
            rare: rare.boxed(),
        })
    }

    /// A transaction, its text moved out of `node`.
    fn transaction(&mut self, node: &mut Yaml) -> Option<TransactionSpec> {
        let at = node.at;
        let entries = self.mapping_mut(node, "a transaction")?;
        let mut click_hash = Field::Absent;
        let mut transactionid = None;
        let mut payouts = Vec::new();
        let shape = RecordShape {
            keys: &TRANSACTION_KEYS,
            allowed: &TRANSACTION_ALLOWED,
            place: "in a transaction",
        };
        let mut record = self.record(entries, &shape, |reader, key, value| {
            if key.name == "click_hash" {
                click_hash = reader.field(value, "click_hash");
            } else if key.name == "transactionid" {
                transactionid = reader
                    .scalar(value, "`transactionid`")
                    .filter(|id| !id.is_empty())
                    .map(|id| Located {
                        value: id,
                        at: value.at,
                    });
            } else {
                payouts = reader
                    .list(value, "payouts", |r, item| r.payout(item))
                    .unwrap_or_default();
            }
        });
        let status = key_index(&TRANSACTION_KEYS, "status").map(|i| &record.fields[i]);
        if let Some(Field::Written(status, at)) = status
            && !status.is_empty()
            && !STATUSES.contains(&status.as_str())
        {
            let at = *at;
            let message = format!(
                "unknown status `{status}` (expected one of: {})",
                STATUSES.join(", ")
            );
            self.problem(at, message);
        }
        let (hash_at, values) =
            self.require_hash(at, &mut record, "a transaction", "transaction_hash");
        let (value, click_at) = self.required(click_hash, at, "a transaction", "click_hash");
        let click_hash = Located {
            value,
            at: click_at,
        };
        Some(TransactionSpec {
            at,
            hash_at,
            click_hash,
            values,
            payouts,
            extra: record.extra,
            transactionid,
        })
    }

    fn payout(&mut self, node: &Yaml) -> Option<Vec<String>> {
        let entries = self.mapping(node, "a payout")?;
        let mut values = vec![String::new(); PAYOUT_KEYS.len()];
        for (key, value) in self.known_keys(entries, &PAYOUT_KEYS, "in a payout") {
            if let (Some(i), Some(text)) = (
                key_index(&PAYOUT_KEYS, &key.name),
                self.key_scalar(value, &key.name),
            ) {
                values[i] = text;
            }
        }
        Some(values)
    }

    /// `extra:` fields; left empty it has none, like an empty `payouts:`.
    fn extra(&mut self, node: &Yaml) -> Vec<(String, String)> {
        if let YamlKind::Scalar(Scalar {
            tag: ScalarTag::Null,
            ..
        }) = node.kind
        {
            return Vec::new();
        }
        let Some(entries) = self.mapping(node, "`extra`") else {
            return Vec::new();
        };
        let mut fields = Vec::with_capacity(entries.len());
        for (key, value) in entries {
            match &value.kind {
                YamlKind::Scalar(s) => fields.push((key.name.to_string(), s.text.clone())),
                _ => self.problem(
                    value.at,
                    format!(
                        "`extra.{}` must be a single value, found {} (use `response:` for other shapes)",
                        key.name,
                        value.shape()
                    ),
                ),
            }
        }
        fields
    }

    /// `time` (or `now`, named by `what`) as Unix seconds, from Unix
    /// seconds or an RFC 3339 date.
    fn time(&mut self, node: &Yaml, what: &str) -> Option<String> {
        let parsed = match &node.kind {
            YamlKind::Scalar(s) => match s.tag {
                ScalarTag::Null => return Some(String::new()),
                ScalarTag::Int(i) => i64::try_from(i).ok(),
                ScalarTag::Str => s.text.parse::<i64>().ok().or_else(|| {
                    OffsetDateTime::parse(&s.text, &Rfc3339)
                        .ok()
                        .map(OffsetDateTime::unix_timestamp)
                }),
                _ => None,
            },
            _ => None,
        };
        if parsed.is_none() {
            self.problem(
                node.at,
                format!(
                    "`{what}` must be Unix seconds or an RFC 3339 date like 2025-11-20T10:00:00Z, found {}",
                    describe(node)
                ),
            );
        }
        parsed.map(|t| t.to_string())
    }
}

/// A node for a message: a scalar's text, or its shape.
pub(super) fn describe(node: &Yaml) -> String {
    match &node.kind {
        YamlKind::Scalar(s) => format!("`{}`", s.text),
        _ => node.shape().to_string(),
    }
}

/// The one of `allowed` that `typed` most likely meant: the nearest by
/// edits (a letter added, dropped, changed, or two swapped), if it is
/// within a third of the longer name's length, and no other is as near.
fn closest<'a>(typed: &str, allowed: &[&'a str]) -> Option<&'a str> {
    let mut best: Option<(usize, &'a str)> = None;
    let mut tie = false;
    for candidate in allowed {
        let distance = strsim::damerau_levenshtein(typed, candidate);
        let limit = typed.chars().count().max(candidate.chars().count()) / 3;
        if distance == 0 || distance > limit.max(1) {
            continue;
        }
        match best {
            Some((nearest, _)) if distance > nearest => {}
            Some((nearest, _)) if distance == nearest => tie = true,
            _ => {
                best = Some((distance, candidate));
                tie = false;
            }
        }
    }
    best.filter(|_| !tie).map(|(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::closest;

    const CLICK: [&str; 6] = [
        "click_hash",
        "time",
        "loginid",
        "offerid",
        "subid1",
        "subid2",
    ];

    #[test]
    fn a_key_an_edit_or_two_away_is_suggested() {
        assert_eq!(closest("offreid", &CLICK), Some("offerid"));
        assert_eq!(closest("loginidd", &CLICK), Some("loginid"));
        assert_eq!(closest("clickhash", &CLICK), Some("click_hash"));
        assert_eq!(closest("tme", &CLICK), Some("time"));
    }

    #[test]
    fn nothing_is_suggested_when_none_is_near_or_two_are_as_near() {
        assert_eq!(closest("referer_url", &CLICK), None);
        assert_eq!(closest("x", &CLICK), None);
        // `subid3` is one edit from both `subid1` and `subid2`.
        assert_eq!(closest("subid3", &CLICK), None);
        assert_eq!(closest("time", &CLICK), None, "a known key is no typo");
    }
}
