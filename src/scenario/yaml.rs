//! A YAML document as a tree whose every node knows its line and column.
//!
//! serde stops at the first error it meets, but a scenario author wants every
//! problem of a file at once. So the file is parsed by serde-saphyr (which
//! enforces its alias and size budgets and reports syntax errors with their
//! location) into this small located tree, and [`super::model`] then checks the
//! tree against the scenario format, collecting all problems instead of stopping.

use std::fmt;

use serde::de::{Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use super::problem::Position;

mod hint;

/// A located YAML node.
#[derive(Debug, Clone, PartialEq)]
pub struct Yaml {
    /// Where the node starts in its file.
    pub at: Position,
    /// What the node holds.
    pub kind: YamlKind,
}

/// The shape of a [`Yaml`] node.
#[derive(Debug, Clone, PartialEq)]
pub enum YamlKind {
    /// A scalar: its text as written and the type YAML's core schema gives it.
    Scalar(Scalar),
    /// A sequence, in file order.
    Seq(Vec<Yaml>),
    /// A mapping, in file order (duplicate keys are refused by the parser).
    Map(Vec<(Key, Yaml)>),
}

/// A mapping key with its location.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    /// The key's text.
    pub name: Name,
    /// Where the key is written.
    pub at: Position,
}

/// A mapping key's text: one of the scenario format's own keys, shared
/// rather than allocated (a million records repeat the same dozen), or
/// any other text.
#[derive(Debug, Clone)]
pub enum Name {
    /// One of [`FORMAT_KEYS`].
    Known(&'static str),
    /// Any other key.
    Other(String),
}

/// Every key the scenario format names, shared by [`Name::Known`]: those of
/// a scenario file, a credential, a click, a transaction and a payout.
pub const FORMAT_KEYS: [&str; 43] = [
    "name",
    "description",
    "now",
    "credentials",
    "allowed_ips",
    "errors",
    "latency_ms",
    "faults",
    "rate_limit",
    "include",
    "clicks",
    "transactions",
    "username",
    "api_key",
    "click_hash",
    "time",
    "loginid",
    "offerid",
    "landing_pageid",
    "campaignid",
    "creativeid",
    "subid1",
    "subid2",
    "external_clickid",
    "ip",
    "country",
    "referrer",
    "user_agent",
    "extra",
    "response",
    "fault",
    "transaction_hash",
    "trans_type",
    "status",
    "orderid",
    "subscription_id",
    "amount",
    "total_payout",
    "payouts",
    "transactionid",
    "type",
    "message",
    "result",
];

/// [`FORMAT_KEYS`] by their length: a key is compared with the two or
/// three of its length, not with all of them.
static KEYS_BY_LENGTH: std::sync::LazyLock<Vec<Vec<&'static str>>> =
    std::sync::LazyLock::new(|| {
        let longest = FORMAT_KEYS.iter().map(|k| k.len()).max().unwrap_or(0);
        let mut by_length = vec![Vec::new(); longest + 1];
        for key in FORMAT_KEYS {
            by_length[key.len()].push(key);
        }
        by_length
    });

impl Name {
    /// The name of the text `key`, shared when it is one of [`FORMAT_KEYS`].
    pub fn of(key: &str) -> Name {
        let same_length = KEYS_BY_LENGTH.get(key.len()).map_or(&[][..], Vec::as_slice);
        match same_length
            .iter()
            .find(|known| known.as_bytes()[0] == key.as_bytes()[0] && **known == key)
        {
            Some(known) => Name::Known(known),
            None => Name::Other(key.to_string()),
        }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        match self {
            Name::Known(name) => name,
            Name::Other(name) => name,
        }
    }
}

impl From<String> for Name {
    fn from(key: String) -> Name {
        match Name::of(&key) {
            Name::Known(known) => Name::Known(known),
            Name::Other(_) => Name::Other(key),
        }
    }
}

impl std::ops::Deref for Name {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A scalar value: the text the author wrote and how YAML reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    /// For strings the decoded string; for other scalars the source text
    /// (`10.00` stays `10.00`, `yes` stays `yes`), so nothing the author typed
    /// is reformatted on its way into a response body.
    pub text: String,
    /// The core-schema type of the scalar.
    pub tag: ScalarTag,
}

/// The core-schema type of a plain or quoted scalar, with the parser's reading.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ScalarTag {
    /// `~`, `null` or nothing at all.
    Null,
    /// `true` / `false` (and the YAML 1.1 spellings serde-saphyr accepts).
    Bool(bool),
    /// An integer.
    Int(i128),
    /// A floating-point number.
    Float(f64),
    /// Any string, quoted or plain.
    Str,
}

impl Yaml {
    /// A short name of the node's shape, for "expected X, found Y" messages.
    pub fn shape(&self) -> &'static str {
        match &self.kind {
            YamlKind::Scalar(s) => match s.tag {
                ScalarTag::Null => "null",
                ScalarTag::Bool(_) => "a boolean",
                ScalarTag::Int(_) => "an integer",
                ScalarTag::Float(_) => "a number",
                ScalarTag::Str => "a string",
            },
            YamlKind::Seq(_) => "a list",
            YamlKind::Map(_) => "a mapping",
        }
    }
}

/// How deep mappings and lists may nest. A scenario needs about 6 levels and
/// a captured `response:` a few more; the cap keeps parsing within the stack
/// of any thread, a test's 2 MiB one included.
pub const MAX_DEPTH: usize = 32;

/// The most YAML nodes (mappings, lists, scalars) one file may hold: room
/// for a generated scenario of a million clicks and a million transactions.
pub const MAX_NODES: usize = 50_000_000;

/// The most scalar text one file may hold.
pub const MAX_SCALAR_BYTES: usize = 512 * 1024 * 1024;

/// The most aliases (`*name`) one file may use; anchors and aliases are
/// rare in scenarios, and each alias can cost as much as what it names.
pub const MAX_ALIASES: usize = 10_000;

/// The most values aliases may replay in one file, all aliases together: far
/// more than a scenario that shares a few records needs, and reached in a
/// blink by one whose aliases multiply (`*a` of `*b` of `*c`...), which is
/// refused before it costs time or memory.
pub const MAX_ALIASED_EVENTS: usize = 100_000;

fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH,
            flow_nesting_limit: MAX_DEPTH,
            max_nodes: MAX_NODES,
            max_events: 2 * MAX_NODES,
            max_total_scalar_bytes: MAX_SCALAR_BYTES,
            max_aliases: MAX_ALIASES,
            max_recorded_anchor_events: MAX_ALIASED_EVENTS,
        },
    }
}

/// A breached budget in words a scenario author can act on.
fn budget_message(breach: &serde_saphyr::budget::BudgetBreach) -> String {
    use serde_saphyr::budget::BudgetBreach;
    match breach {
        BudgetBreach::Depth { .. } => {
            format!("nested more than {MAX_DEPTH} levels deep; n4n-mock reads no deeper")
        }
        BudgetBreach::Nodes { .. } | BudgetBreach::Events { .. } => {
            format!(
                "more than {MAX_NODES} values in one file; split the data into included fixtures"
            )
        }
        BudgetBreach::ScalarBytes { .. } => format!(
            "more than {} MiB of text in one file; split the data into included fixtures",
            MAX_SCALAR_BYTES / (1024 * 1024)
        ),
        BudgetBreach::Aliases { .. }
        | BudgetBreach::AliasAnchorRatio { .. }
        | BudgetBreach::RecordedAnchorEvents { .. }
        | BudgetBreach::RecordedAnchorBytes { .. } => {
            "too many aliases (`*name`) for the anchors they name: refused, as it could \
             expand to more data than memory holds"
                .to_string()
        }
        other => format!("the file is too large or too complex to read ({other:?})"),
    }
}

/// Parses `source` into a located tree; a syntax error (or a breached budget)
/// comes back with its position and a message without location suffix.
pub fn parse(source: &str) -> Result<Yaml, (Position, String)> {
    serde_saphyr::from_str_with_options::<Spanned<RawNode>>(source, options())
        .map(|root| locate(root, source))
        .map_err(|err| located_error(err, source))
}

/// Where the key that `err` found repeated was first written, when it is a
/// duplicate key: the text up to the repeated key's line is read again with
/// repeated keys let through, and the tree says where the first one is.
/// That second reading may hold no more nodes than it has bytes, so no
/// alias can make it expensive.
fn duplicate_message(err: &serde_saphyr::Error, source: &str) -> Option<String> {
    let serde_saphyr::Error::DuplicateMappingKey { location, .. } = err else {
        return None;
    };
    let line = usize::try_from(location.line()).ok()?;
    let end = source
        .match_indices('\n')
        .nth(line.checked_sub(1)?)
        .map_or(source.len(), |(at, _)| at + 1);
    let prefix = &source[..end];
    let nodes = prefix.len().max(16);
    let options = serde_saphyr::options! {
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::PassThrough,
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH,
            flow_nesting_limit: MAX_DEPTH,
            max_nodes: nodes,
            max_events: 2 * nodes,
            max_total_scalar_bytes: MAX_SCALAR_BYTES,
            max_aliases: MAX_ALIASES,
        },
    };
    let root = serde_saphyr::from_str_with_options::<Spanned<RawNode>>(prefix, options).ok()?;
    let (at, message) = first_duplicate(&locate(root, prefix))?;
    (at == Position::new(location.line(), location.column())).then_some(message)
}

/// The first mapping key, in file order, that repeats a key of its mapping:
/// where it repeats, and a message naming where the key was first written.
fn first_duplicate(node: &Yaml) -> Option<(Position, String)> {
    match &node.kind {
        YamlKind::Scalar(_) => None,
        YamlKind::Seq(items) => items.iter().find_map(first_duplicate),
        YamlKind::Map(entries) => {
            let keys: Vec<&Key> = entries.iter().map(|(key, _)| key).collect();
            let nested = entries.iter().find_map(|(_, value)| first_duplicate(value));
            earlier(repeated_key(&keys), nested)
        }
    }
}

/// The first key of `keys` written before, with the message for it.
fn repeated_key(keys: &[&Key]) -> Option<(Position, String)> {
    let found = if keys.len() <= 16 {
        // Records have a dozen keys: a scan beats hashing a million small maps.
        keys.iter().enumerate().find_map(|(i, key)| {
            keys[..i]
                .iter()
                .find(|k| k.name == key.name)
                .map(|first| (*key, first.at))
        })
    } else {
        let mut seen = std::collections::HashMap::new();
        keys.iter()
            .find_map(|key| match seen.entry(key.name.as_str()) {
                std::collections::hash_map::Entry::Occupied(first) => Some((*key, *first.get())),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(key.at);
                    None
                }
            })
    };
    found.map(|(key, first)| duplicate_key(key, first))
}

/// The problem of `key` written again in its mapping, first at `first`.
pub(super) fn duplicate_key(key: &Key, first: Position) -> (Position, String) {
    (
        key.at,
        format!(
            "duplicate mapping key `{}` is not allowed here (first written at line {}, column {})",
            key.name, first.line, first.column
        ),
    )
}

/// The earlier in the file of two located problems.
fn earlier(
    a: Option<(Position, String)>,
    b: Option<(Position, String)>,
) -> Option<(Position, String)> {
    match (a, b) {
        (Some(a), Some(b)) if (b.0.line, b.0.column) < (a.0.line, a.0.column) => Some(b),
        (a, b) => a.or(b),
    }
}

/// A parse error's position, and its message without the location suffix,
/// with a hint when the text around it shows the likely cause.
fn located_error(err: serde_saphyr::Error, source: &str) -> (Position, String) {
    let err = err.without_snippet();
    if let Some(message) = duplicate_message(err, source)
        && let Some(loc) = err.location()
    {
        return (Position::new(loc.line(), loc.column()), message);
    }
    // A breach met while expanding an alias is wrapped with where the alias
    // was used; the breach is what the author needs to hear about.
    let mut cause = err;
    while let serde_saphyr::Error::AliasError { error, .. }
    | serde_saphyr::Error::WithSnippet { error, .. } = cause
    {
        cause = error;
    }
    if let serde_saphyr::Error::Budget { breach, location } = cause {
        let location = err.location().unwrap_or(*location);
        let at = Position::new(location.line().max(1), location.column().max(1));
        return (at, budget_message(breach));
    }
    // The user-facing wording: the default one gives advice to
    // programmers of serde-saphyr, which a scenario author cannot act on.
    let text = err.render_with_formatter(&serde_saphyr::UserMessageFormatter);
    match err.location() {
        Some(loc) => {
            let at = Position::new(loc.line(), loc.column());
            let suffix = format!(" at line {}, column {}", loc.line(), loc.column());
            let message = text.strip_suffix(&suffix).unwrap_or(&text);
            // The parser's own word for flow collections nested past the cap.
            let message = if message == "recursion limit exceeded" {
                format!("nested more than {MAX_DEPTH} levels deep; n4n-mock reads no deeper")
            } else {
                // The parser says what it met, often a line after the
                // cause: the text around it may show the cause.
                match hint::syntax_hint(source, at) {
                    Some(hint) => format!("{message}; hint: {hint}"),
                    None => message.to_string(),
                }
            };
            (at, message)
        }
        None => (Position::START, text),
    }
}

/// Parses `source` like [`parse`], but hands each item of the top-level
/// lists named in `streamed` to `sink` as soon as it is read, instead of
/// keeping it in the tree (where those keys hold an empty list). A file of a
/// million clicks is then never held as a tree, only one click at a time.
///
/// `Ok(None)` when the file does not have that shape (the top level is not
/// a mapping, or a streamed key is not a list): parse it with [`parse`]
/// then, which locates what is wrong.
pub fn parse_streaming(
    source: &str,
    streamed: &[&str],
    sink: &mut dyn FnMut(&str, Yaml),
) -> Result<Option<Yaml>, (Position, String)> {
    let seed = TopLevel {
        source,
        streamed,
        sink,
    };
    serde_saphyr::with_deserializer_from_str_with_options(source, options(), |de| {
        seed.deserialize(de)
    })
    .map_err(|err| located_error(err, source))
}

/// The top-level mapping, its streamed lists handed to the sink.
struct TopLevel<'a> {
    source: &'a str,
    streamed: &'a [&'a str],
    sink: &'a mut dyn FnMut(&str, Yaml),
}

impl<'de> DeserializeSeed<'de> for TopLevel<'_> {
    type Value = Option<Yaml>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// Visit methods for every shape but a mapping (or a list): the value is
/// not what streaming expects, so it says `None` (or `false`).
macro_rules! not_this_shape {
    ($no:expr) => {
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok($no)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok($no)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok($no)
        }
        fn visit_i128<E>(self, _: i128) -> Result<Self::Value, E> {
            Ok($no)
        }
        fn visit_u128<E>(self, _: u128) -> Result<Self::Value, E> {
            Ok($no)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok($no)
        }
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok($no)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok($no)
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok($no)
        }
    };
}

impl<'de> Visitor<'de> for TopLevel<'_> {
    type Value = Option<Yaml>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping")
    }

    not_this_shape!(None);

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::new();
        let mut streamable = true;
        while let Some(key) = map.next_key::<Spanned<String>>()? {
            let key = Key {
                at: position(&key.referenced),
                name: Name::from(key.value),
            };
            let value = if self.streamed.contains(&key.name.as_str()) {
                let list = List {
                    name: &key.name,
                    source: self.source,
                    sink: &mut *self.sink,
                };
                streamable &= map.next_value_seed(list)?;
                Yaml {
                    at: key.at,
                    kind: YamlKind::Seq(Vec::new()),
                }
            } else {
                locate(map.next_value::<Spanned<RawNode>>()?, self.source)
            };
            entries.push((key, value));
        }
        let at = entries.first().map_or(Position::START, |(k, _)| k.at);
        Ok(streamable.then_some(Yaml {
            at,
            kind: YamlKind::Map(entries),
        }))
    }
}

/// A streamed list: each item goes to the sink; `false` when it is no list.
struct List<'a> {
    name: &'a str,
    source: &'a str,
    sink: &'a mut dyn FnMut(&str, Yaml),
}

impl<'de> DeserializeSeed<'de> for List<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for List<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list")
    }

    not_this_shape!(false);

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        while let Some(item) = seq.next_element::<Spanned<RawNode>>()? {
            (self.sink)(self.name, locate(item, self.source));
        }
        Ok(true)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        while map
            .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
            .is_some()
        {}
        Ok(false)
    }
}

/// The tree exactly as serde-saphyr hands it over, before scalars get their text.
enum RawNode {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<RawNode>>),
    Map(Vec<(Spanned<String>, Spanned<RawNode>)>),
}

impl<'de> Deserialize<'de> for RawNode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawNodeVisitor)
    }
}

struct RawNodeVisitor;

impl<'de> Visitor<'de> for RawNodeVisitor {
    type Value = RawNode;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<RawNode, E> {
        Ok(RawNode::Null)
    }
    fn visit_none<E>(self) -> Result<RawNode, E> {
        Ok(RawNode::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<RawNode, E> {
        Ok(RawNode::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<RawNode, E> {
        Ok(RawNode::Int(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<RawNode, E> {
        Ok(RawNode::Int(v.into()))
    }
    fn visit_i128<E>(self, v: i128) -> Result<RawNode, E> {
        Ok(RawNode::Int(v))
    }
    fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<RawNode, E> {
        i128::try_from(v)
            .map(RawNode::Int)
            .map_err(|_| E::custom("integer too large"))
    }
    fn visit_f64<E>(self, v: f64) -> Result<RawNode, E> {
        Ok(RawNode::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<RawNode, E> {
        Ok(RawNode::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<RawNode, E> {
        Ok(RawNode::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawNode, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(RawNode::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawNode, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<String>>()? {
            let value = map.next_value()?;
            entries.push((key, value));
        }
        Ok(RawNode::Map(entries))
    }
}

fn position(loc: &serde_saphyr::Location) -> Position {
    Position::new(loc.line(), loc.column())
}

/// The source text of the scalar defined at `loc`, when the parser knows it.
fn source_text<'s>(loc: &serde_saphyr::Location, source: &'s str) -> Option<&'s str> {
    let span = loc.span();
    let start = usize::try_from(span.byte_offset()?).ok()?;
    let len = usize::try_from(span.byte_len()?).ok()?;
    source.get(start..start.checked_add(len)?)
}

fn locate(node: Spanned<RawNode>, source: &str) -> Yaml {
    let at = position(&node.referenced);
    // For aliases `defined` points at the anchored scalar, whose text we want.
    let written = source_text(&node.defined, source);
    let scalar = |tag: ScalarTag, canonical: String| {
        let text = match written {
            // The written spelling keeps `10.00` as it is; an anchor prefix or an
            // empty span falls back to the parser's reading.
            Some(t) if !t.is_empty() && !t.starts_with(['&', '*', '!']) => t.to_string(),
            _ => canonical,
        };
        YamlKind::Scalar(Scalar { text, tag })
    };
    let kind = match node.value {
        RawNode::Null => YamlKind::Scalar(Scalar {
            text: String::new(),
            tag: ScalarTag::Null,
        }),
        RawNode::Bool(b) => scalar(ScalarTag::Bool(b), b.to_string()),
        RawNode::Int(i) => scalar(ScalarTag::Int(i), i.to_string()),
        RawNode::Float(f) => scalar(ScalarTag::Float(f), f.to_string()),
        RawNode::Str(s) => YamlKind::Scalar(Scalar {
            text: s,
            tag: ScalarTag::Str,
        }),
        RawNode::Seq(items) => {
            YamlKind::Seq(items.into_iter().map(|i| locate(i, source)).collect())
        }
        RawNode::Map(entries) => YamlKind::Map(
            entries
                .into_iter()
                .map(|(k, v)| {
                    let key = Key {
                        at: position(&k.referenced),
                        name: Name::from(k.value),
                    };
                    (key, locate(v, source))
                })
                .collect(),
        ),
    };
    Yaml { at, kind }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar_at(doc: &Yaml, key: &str) -> (Position, Scalar) {
        let YamlKind::Map(entries) = &doc.kind else {
            panic!("not a map")
        };
        let (_, v) = entries.iter().find(|(k, _)| k.name == key).expect("key");
        let YamlKind::Scalar(s) = &v.kind else {
            panic!("not a scalar")
        };
        (v.at, s.clone())
    }

    #[test]
    fn numbers_keep_their_written_spelling() {
        let doc = parse("amount: 10.00\nloginid: 1001\n").unwrap();
        let (at, amount) = scalar_at(&doc, "amount");
        assert_eq!(amount.text, "10.00");
        assert_eq!(amount.tag, ScalarTag::Float(10.0));
        assert_eq!(at, Position::new(1, 9));
        assert_eq!(scalar_at(&doc, "loginid").1.text, "1001");
    }

    #[test]
    fn syntax_errors_carry_a_position_and_a_bare_message() {
        let (at, message) = parse("a: [1,\nb: 2\n").unwrap_err();
        assert_eq!(at, Position::new(1, 4));
        assert!(!message.contains("at line"), "{message}");
    }

    #[test]
    fn messages_speak_to_the_author_not_to_a_programmer() {
        for source in ["a: 1\na: 2\n", "a: 1\n---\nb: 2\n"] {
            let (_, message) = parse(source).unwrap_err();
            assert!(!message.contains("Options"), "{message}");
            assert!(!message.contains("from_str"), "{message}");
        }
    }

    #[test]
    fn duplicate_keys_are_refused_where_they_repeat() {
        let (at, message) = parse("a: 1\na: 2\n").unwrap_err();
        assert_eq!(at, Position::new(2, 1));
        assert!(message.contains("duplicate"), "{message}");
    }

    #[test]
    fn a_duplicate_key_names_where_the_first_one_is() {
        let source = "top: 1\nlist:\n  - b: 1\n    c: 2\n    b: 3\n";
        let (at, message) = parse(source).unwrap_err();
        assert_eq!(at, Position::new(5, 5));
        assert!(
            message.ends_with("(first written at line 3, column 5)"),
            "{message}"
        );
    }

    #[test]
    fn a_duplicate_key_in_a_large_mapping_is_found_too() {
        let mut source: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect();
        source.push_str("k7: again\n");
        let (at, message) = parse(&source).unwrap_err();
        assert_eq!(at, Position::new(41, 1));
        assert!(
            message.contains("`k7`") && message.contains("line 8, column 1"),
            "{message}"
        );
    }

    #[test]
    fn the_earliest_duplicate_of_a_streamed_file_is_reported() {
        let source = "clicks:\n  - a: 1\n    a: 2\nclicks: []\n";
        let mut sink = |_: &str, _: Yaml| {};
        let (at, message) = parse_streaming(source, &["clicks"], &mut sink).unwrap_err();
        assert_eq!(at, Position::new(3, 5));
        assert!(message.contains("line 2, column 5"), "{message}");
    }
}
