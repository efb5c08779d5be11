//! A YAML document as a tree whose every node knows its line and column.
//!
//! serde stops at the first error it meets, but a scenario author wants every
//! problem of a file at once. So the file is parsed by serde-saphyr (which
//! enforces its alias and size budgets and reports syntax errors with their
//! location) into this small located tree, and [`super::model`] then checks the
//! tree against the scenario format, collecting all problems instead of stopping.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use super::problem::Position;

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
    pub name: String,
    /// Where the key is written.
    pub at: Position,
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

/// Parses `source` into a located tree; a syntax error (or a breached budget)
/// comes back with its position and a message without location suffix.
pub fn parse(source: &str) -> Result<Yaml, (Position, String)> {
    match serde_saphyr::from_str::<Spanned<RawNode>>(source) {
        Ok(root) => Ok(locate(root, source)),
        Err(err) => {
            // The user-facing wording: the default one gives advice to
            // programmers of serde-saphyr, which a scenario author cannot act on.
            let err = err.without_snippet();
            let text = err.render_with_formatter(&serde_saphyr::UserMessageFormatter);
            match err.location() {
                Some(loc) => {
                    let at = Position::new(loc.line(), loc.column());
                    let suffix = format!(" at line {}, column {}", loc.line(), loc.column());
                    let message = text.strip_suffix(&suffix).unwrap_or(&text).to_string();
                    Err((at, message))
                }
                None => Err((Position::START, text)),
            }
        }
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
                        name: k.value,
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
}
