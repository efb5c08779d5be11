//! A JSON document read into the same located tree as YAML ([`Yaml`]), so
//! that a `.json` scenario or fixture is checked by the same reader, with
//! the same messages, as a `.yaml` one.
//!
//! JSON is YAML's subset for data, and a generated million clicks read as
//! JSON in a fraction of the time: there are no indentation rules, anchors
//! or plain scalars to resolve, so a byte-level reader does the job. Every
//! key and value keeps its 1-based line and column (columns count
//! characters, as YAML's do), numbers keep the spelling they were written
//! with, and a repeated key in an object is refused where it repeats, with
//! the same message as YAML's.
//!
//! [`Cursor::skip_value`] finds where a value ends without building it, so
//! that the items of a long list can be handed out to be read in parallel
//! ([`super::read::json`]); [`Cursor::value`] then reads each one from
//! where it starts.

use std::collections::HashMap;

use super::problem::Position;
// The bytes that end the plain run of a string (its closing quote, an
// escape, a control character) are those a JSON string cannot hold as they are.
use crate::render::NEEDS_ESCAPE as STRING_STOPS;

use super::yaml::{Key, MAX_DEPTH, Name, Scalar, ScalarTag, Yaml, YamlKind, duplicate_key};

/// A syntax error: where, and what is wrong (no location suffix).
pub type SyntaxError = (Position, String);

/// Parses a whole JSON text into a located tree.
pub fn parse(text: &str) -> Result<Yaml, SyntaxError> {
    let mut cursor = Cursor::new(text);
    cursor.skip_whitespace();
    let root = cursor.value(0)?;
    cursor.skip_whitespace();
    cursor.end_of_text()?;
    Ok(root)
}

/// How deep the items of a top-level list are: the top-level object is
/// one level, the list a second.
pub const ITEM_DEPTH: usize = 2;

/// Parses a JSON text whose top level is an object like [`parse`], but
/// hands the start and end of each item of the top-level lists named in
/// `streamed` to `sink` instead of reading it into the tree (where those
/// keys hold an empty list). A caller reads the items (with
/// [`Cursor::at`], [`Cursor::value`] at [`ITEM_DEPTH`] and
/// [`Cursor::item_ends_at`]), in parallel if it likes.
///
/// `Ok(None)` when the top level is not an object: parse it with [`parse`]
/// then. A syntax error inside a streamed item may go unnoticed here: the
/// caller finds it by reading the item.
pub fn parse_streaming(
    text: &str,
    streamed: &[&str],
    sink: &mut dyn FnMut(&str, Mark, usize),
) -> Result<Option<Yaml>, SyntaxError> {
    let mut cursor = Cursor::new(text);
    cursor.skip_whitespace();
    if cursor.peek() != Some(b'{') {
        return Ok(None);
    }
    let root_at = cursor.position();
    cursor.pos += 1;
    cursor.skip_whitespace();
    let mut entries: Vec<(Key, Yaml)> = Vec::new();
    let mut keys = KeySet::default();
    if !cursor.eat(b'}') {
        loop {
            let key = cursor.key()?;
            keys.check(&entries, &key)?;
            let value = if streamed.contains(&key.name.as_str()) && cursor.peek() == Some(b'[') {
                let at = cursor.position();
                cursor.pos += 1;
                cursor.skip_whitespace();
                if cursor.peek() != Some(b']') {
                    loop {
                        let mark = cursor.mark();
                        let end = cursor.skip_value();
                        sink(&key.name, mark, end);
                        if !cursor.after_item()? {
                            break;
                        }
                        cursor.skip_whitespace();
                    }
                }
                cursor.pos += 1;
                Yaml {
                    at,
                    kind: YamlKind::Seq(Vec::new()),
                }
            } else {
                cursor.value(1)?
            };
            entries.push((key, value));
            if !cursor.after_entry()? {
                break;
            }
        }
        cursor.pos += 1;
    }
    cursor.skip_whitespace();
    cursor.end_of_text()?;
    Ok(Some(Yaml {
        at: root_at,
        kind: YamlKind::Map(entries),
    }))
}

/// Where the reading of a text stands: a byte offset with its line, and the
/// characters of the current line before it, counted as the reader goes.
#[derive(Debug, Clone)]
pub struct Cursor<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    line: u64,
    /// Offset of the first byte of the current line.
    line_start: usize,
    /// `counted_chars` characters lie between `line_start` and `counted_to`.
    counted_to: usize,
    counted_chars: u64,
}

/// A place in the text a [`Cursor`] can start from again: a value's start,
/// as found by [`Cursor::skip_value`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    /// Byte offset.
    pub offset: usize,
    /// Line and column there.
    pub at: Position,
}

impl<'t> Cursor<'t> {
    /// A cursor at the start of `text` (past a byte-order mark, if any).
    pub fn new(text: &'t str) -> Self {
        let pos = if text.starts_with('\u{feff}') { 3 } else { 0 };
        Cursor {
            text,
            bytes: text.as_bytes(),
            pos,
            line: 1,
            line_start: 0,
            counted_to: pos,
            counted_chars: 0,
        }
    }

    /// A cursor at `mark` in `text`.
    pub fn at(text: &'t str, mark: Mark) -> Self {
        let column = mark.at.column.saturating_sub(1);
        Cursor {
            text,
            bytes: text.as_bytes(),
            pos: mark.offset,
            line: mark.at.line,
            // Only differences from here on matter: the characters before
            // `offset` on its line are `column`.
            line_start: mark.offset,
            counted_to: mark.offset,
            counted_chars: column,
        }
    }

    /// Where the cursor is, as a [`Mark`].
    pub fn mark(&mut self) -> Mark {
        Mark {
            offset: self.pos,
            at: self.position(),
        }
    }

    /// The line and column of the cursor.
    pub fn position(&mut self) -> Position {
        if self.counted_to < self.line_start || self.counted_to > self.pos {
            self.counted_to = self.line_start;
            self.counted_chars = 0;
        }
        let between = &self.bytes[self.counted_to..self.pos];
        // Every byte that does not continue a UTF-8 sequence starts a character.
        self.counted_chars += between.iter().filter(|&&b| b & 0xC0 != 0x80).count() as u64;
        self.counted_to = self.pos;
        Position::new(self.line, self.counted_chars + 1)
    }

    /// The byte at the cursor.
    pub fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Skips spaces, tabs and line breaks.
    pub fn skip_whitespace(&mut self) {
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\n' => {
                    self.pos += 1;
                    self.new_line();
                }
                _ => break,
            }
        }
    }

    fn new_line(&mut self) {
        self.line += 1;
        self.line_start = self.pos;
    }

    /// What stands at the cursor, for messages.
    fn found(&self) -> String {
        match self.text[self.pos..].chars().next() {
            None => "the end of the file".to_string(),
            Some(c) if c.is_control() => format!("the character {}", c.escape_default()),
            Some(c) => format!("`{c}`"),
        }
    }

    /// An error at the cursor: `expected ..., found ...`.
    fn expected(&mut self, what: &str) -> SyntaxError {
        let message = format!("expected {what}, found {}", self.found());
        (self.position(), message)
    }

    /// Whether the cursor is at the byte `b`; moves past it if so.
    pub fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Nothing but whitespace may follow the document.
    pub fn end_of_text(&mut self) -> Result<(), SyntaxError> {
        if self.pos < self.bytes.len() {
            return Err(self.expected("the end of the file after the document"));
        }
        Ok(())
    }

    /// After a list item: `,` (moved past) or `]` (left for the caller).
    pub fn after_item(&mut self) -> Result<bool, SyntaxError> {
        self.skip_whitespace();
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                Ok(true)
            }
            Some(b']') => Ok(false),
            _ => Err(self.expected("`,` or `]` after a list item")),
        }
    }

    /// After a list item read from where [`Cursor::skip_value`] said it ends:
    /// reading it must have stopped there too.
    pub fn item_ends_at(&mut self, end: usize) -> Result<(), SyntaxError> {
        if self.pos == end {
            return Ok(());
        }
        self.skip_whitespace();
        Err(self.expected("`,` or `]` after a list item"))
    }

    /// Reads the value at the cursor, `depth` levels deep.
    pub fn value(&mut self, depth: usize) -> Result<Yaml, SyntaxError> {
        let at = self.position();
        let kind = match self.peek() {
            Some(b'{') => YamlKind::Map(self.object(depth + 1)?),
            Some(b'[') => YamlKind::Seq(self.array(depth + 1)?),
            Some(b'"') => YamlKind::Scalar(Scalar {
                text: self.string()?,
                tag: ScalarTag::Str,
            }),
            Some(b'-' | b'0'..=b'9') => YamlKind::Scalar(self.number()?),
            Some(b't') => self.literal("true", ScalarTag::Bool(true))?,
            Some(b'f') => self.literal("false", ScalarTag::Bool(false))?,
            Some(b'n') => self.literal("null", ScalarTag::Null)?,
            _ => {
                return Err(self.expected(
                    "a value (an object, a list, a string, a number, true, false or null)",
                ));
            }
        };
        Ok(Yaml { at, kind })
    }

    fn too_deep(&mut self, depth: usize) -> Result<(), SyntaxError> {
        if depth > MAX_DEPTH {
            let message =
                format!("nested more than {MAX_DEPTH} levels deep; n4n-mock reads no deeper");
            return Err((self.position(), message));
        }
        Ok(())
    }

    /// Reads the key of an object entry and its `:`; the cursor is at `"`.
    pub fn key(&mut self) -> Result<Key, SyntaxError> {
        if self.peek() != Some(b'"') {
            return Err(self.expected("a key in double quotes"));
        }
        let at = self.position();
        let name = self.key_name()?;
        self.skip_whitespace();
        if !self.eat(b':') {
            return Err(self.expected("`:` after a key"));
        }
        self.skip_whitespace();
        Ok(Key { name, at })
    }

    /// After an object entry: `,` (moved past) or `}` (left for the caller).
    pub fn after_entry(&mut self) -> Result<bool, SyntaxError> {
        self.skip_whitespace();
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                self.skip_whitespace();
                Ok(true)
            }
            Some(b'}') => Ok(false),
            _ => Err(self.expected("`,` or `}` after an object entry")),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Vec<(Key, Yaml)>, SyntaxError> {
        self.too_deep(depth)?;
        self.pos += 1;
        self.skip_whitespace();
        // A record has about eight keys: one allocation rather than three.
        let mut entries: Vec<(Key, Yaml)> = Vec::with_capacity(8);
        let mut keys = KeySet::default();
        if !self.eat(b'}') {
            loop {
                let key = self.key()?;
                keys.check(&entries, &key)?;
                let value = self.value(depth)?;
                entries.push((key, value));
                if !self.after_entry()? {
                    break;
                }
            }
            self.pos += 1;
        }
        Ok(entries)
    }

    fn array(&mut self, depth: usize) -> Result<Vec<Yaml>, SyntaxError> {
        self.too_deep(depth)?;
        self.pos += 1;
        self.skip_whitespace();
        let mut items = Vec::new();
        if self.peek() != Some(b']') {
            loop {
                items.push(self.value(depth)?);
                if !self.after_item()? {
                    break;
                }
                self.skip_whitespace();
            }
        }
        self.pos += 1;
        Ok(items)
    }

    fn literal(&mut self, word: &str, tag: ScalarTag) -> Result<YamlKind, SyntaxError> {
        if !self.bytes[self.pos..].starts_with(word.as_bytes()) {
            return Err(self
                .expected("a value (an object, a list, a string, a number, true, false or null)"));
        }
        self.pos += word.len();
        let text = if tag == ScalarTag::Null { "" } else { word };
        Ok(YamlKind::Scalar(Scalar {
            text: text.to_string(),
            tag,
        }))
    }

    /// A number as written; integers that fit are integers, the rest floats.
    fn number(&mut self) -> Result<Scalar, SyntaxError> {
        let start = self.pos;
        self.eat(b'-');
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.expected("a digit")),
        }
        let mut integer = true;
        if self.eat(b'.') {
            integer = false;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.expected("a digit after the decimal point"));
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            integer = false;
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.expected("a digit in the exponent"));
            }
            self.digits();
        }
        let text = &self.text[start..self.pos];
        let int = if integer {
            text.parse::<i128>().ok()
        } else {
            None
        };
        let tag = match int {
            Some(i) => ScalarTag::Int(i),
            None => ScalarTag::Float(text.parse::<f64>().unwrap_or(f64::NAN)),
        };
        Ok(Scalar {
            text: text.to_string(),
            tag,
        })
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
    }

    /// A key's text: the format's own keys are not allocated.
    fn key_name(&mut self) -> Result<Name, SyntaxError> {
        let start = self.pos + 1;
        let run = self.bytes[start..]
            .iter()
            .position(|&b| STRING_STOPS[usize::from(b)]);
        if let Some(len) = run
            && self.bytes[start + len] == b'"'
        {
            self.pos = start + len + 1;
            return Ok(Name::of(&self.text[start..start + len]));
        }
        self.string().map(Name::from)
    }

    /// A string, decoded; the cursor is at its opening quote.
    fn string(&mut self) -> Result<String, SyntaxError> {
        self.pos += 1;
        let start = self.pos;
        // The usual case: no escape, one slice.
        let run = self.bytes[start..]
            .iter()
            .position(|&b| STRING_STOPS[usize::from(b)])
            .unwrap_or(self.bytes.len() - start);
        self.pos += run;
        match self.peek() {
            Some(b'"') => {
                self.pos += 1;
                return Ok(self.text[start..self.pos - 1].to_string());
            }
            Some(b'\\') => {}
            Some(_) => return Err(self.control_character()),
            None => return Err(self.expected("`\"` to close the string")),
        }
        let mut out = String::from(&self.text[start..self.pos]);
        loop {
            match self.peek() {
                None => return Err(self.expected("`\"` to close the string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(&mut out)?;
                }
                Some(0..=0x1f) => return Err(self.control_character()),
                Some(_) => {
                    let run = self.pos;
                    while matches!(self.peek(), Some(b) if b != b'"' && b != b'\\' && b >= 0x20) {
                        self.pos += 1;
                    }
                    out.push_str(&self.text[run..self.pos]);
                }
            }
        }
    }

    fn control_character(&mut self) -> SyntaxError {
        if self.peek().is_none() {
            return self.expected("`\"` to close the string");
        }
        let message = format!(
            "{} in a string: write it as an escape like \\n or \\u0009",
            self.found()
        );
        (self.position(), message)
    }

    /// One escape after its backslash, appended to `out`.
    fn escape(&mut self, out: &mut String) -> Result<(), SyntaxError> {
        let decoded = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let first = self.hex4()?;
                let c = if (0xD800..0xDC00).contains(&first) {
                    // A leading surrogate: its trailing half must follow.
                    if !self.bytes[self.pos..].starts_with(b"\\u") {
                        return Err(self.bad_unicode());
                    }
                    self.pos += 2;
                    let second = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&second) {
                        return Err(self.bad_unicode());
                    }
                    0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                } else {
                    first
                };
                let c = char::from_u32(c).ok_or_else(|| self.bad_unicode())?;
                out.push(c);
                return Ok(());
            }
            _ => {
                return Err(self
                    .expected("an escape (\\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\uXXXX)"));
            }
        };
        self.pos += 1;
        out.push(decoded);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let mut value = 0;
        for _ in 0..4 {
            let digit = self.peek().and_then(|b| (b as char).to_digit(16));
            let Some(digit) = digit else {
                return Err(self.expected("four hex digits after \\u"));
            };
            value = value * 16 + digit;
            self.pos += 1;
        }
        Ok(value)
    }

    fn bad_unicode(&mut self) -> SyntaxError {
        let message = "a \\u escape names half of a UTF-16 surrogate pair without the other half";
        (self.position(), message.to_string())
    }

    /// Moves past the value at the cursor without building it, keeping the
    /// line count, and returns where it ends. It checks only what tells
    /// where the value ends (quotes, brackets): reading it with
    /// [`Cursor::value`] finds any other mistake, at the same place.
    pub fn skip_value(&mut self) -> usize {
        match self.peek() {
            Some(b'"') => {
                self.pos += 1;
                self.skip_string_rest();
                return self.pos;
            }
            Some(b'{' | b'[') => {}
            Some(b',' | b']' | b'}') | None => return self.pos,
            // A number or a word: up to the first byte neither can hold.
            Some(_) => {
                self.pos += 1;
                while matches!(
                    self.peek(),
                    Some(b'-' | b'+' | b'.' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z')
                ) {
                    self.pos += 1;
                }
                return self.pos;
            }
        }
        let mut depth = 0usize;
        loop {
            let run = self.bytes[self.pos..]
                .iter()
                .position(|&b| STRUCTURE[usize::from(b)])
                .unwrap_or(self.bytes.len() - self.pos);
            self.pos += run;
            let Some(b) = self.peek() else {
                return self.pos;
            };
            self.pos += 1;
            match b {
                b'"' => self.skip_string_rest(),
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        return self.pos;
                    }
                }
                _ => self.new_line(),
            }
        }
    }

    /// Moves past the rest of a string. A line break inside one is not
    /// counted: it is not allowed there, and reading the item reports it
    /// before anything the count would place.
    fn skip_string_rest(&mut self) {
        while let Some(at) = memchr::memchr2(b'"', b'\\', &self.bytes[self.pos..]) {
            let b = self.bytes[self.pos + at];
            self.pos = (self.pos + at + 1 + usize::from(b == b'\\')).min(self.bytes.len());
            if b == b'"' {
                return;
            }
        }
        self.pos = self.bytes.len();
    }
}

/// Bytes that matter when skipping over an object or a list.
static STRUCTURE: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    let bytes = *b"\"{}[]\n";
    while i < bytes.len() {
        table[bytes[i] as usize] = true;
        i += 1;
    }
    table
};

/// The keys of one object so far, to refuse a repeated one: a scan of the
/// few keys a record has, a map once an object grows large.
#[derive(Default)]
struct KeySet {
    large: Option<HashMap<String, Position>>,
}

/// Objects with more keys than this look keys up in a map.
const SCANNED_KEYS: usize = 16;

impl KeySet {
    fn check(&mut self, entries: &[(Key, Yaml)], key: &Key) -> Result<(), SyntaxError> {
        let first = if entries.len() < SCANNED_KEYS {
            entries
                .iter()
                .find(|(k, _)| k.name == key.name)
                .map(|(k, _)| k.at)
        } else {
            let map = self.large.get_or_insert_with(|| {
                entries
                    .iter()
                    .map(|(k, _)| (k.name.to_string(), k.at))
                    .collect()
            });
            let first = map.get(key.name.as_str()).copied();
            map.entry(key.name.to_string()).or_insert(key.at);
            first
        };
        match first {
            Some(first) => Err(duplicate_key(key, first)),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::yaml;

    #[test]
    fn json_reads_to_the_tree_yaml_reads_the_same_text_to() {
        // Non-ASCII text before values: columns count characters, as YAML's do.
        let text = "{\"clicks\": [\n  {\"click_hash\": \"héllo\", \"time\": 1763632809, \"amount\": 10.00,\n   \"extra\": {\"k\": \"é\\u00e9\\n\", \"n\": null, \"t\": true, \"f\": false, \"e\": 1e3}},\n  {\"x\": [1, -2.5, \"\"], \"y\": {}}\n],\n\"z\": []}\n";

        let from_json = parse(text).expect("valid JSON");
        let from_yaml = yaml::parse(text).expect("valid YAML");

        // The root's own position differs: YAML puts a mapping at its first
        // key, JSON at its `{`.
        assert_eq!(from_json.kind, from_yaml.kind);
    }

    #[test]
    fn numbers_keep_their_written_spelling() {
        let tree =
            parse("{\"amount\": 10.00, \"big\": 123456789012345678901234567890123456789012}")
                .expect("valid");
        let YamlKind::Map(entries) = tree.kind else {
            panic!("a map")
        };
        let texts: Vec<&str> = entries
            .iter()
            .map(|(_, v)| match &v.kind {
                YamlKind::Scalar(s) => s.text.as_str(),
                _ => panic!("a scalar"),
            })
            .collect();
        assert_eq!(
            texts,
            ["10.00", "123456789012345678901234567890123456789012"]
        );
    }

    #[test]
    fn a_duplicate_key_is_refused_where_it_repeats_with_yamls_message() {
        let text = "{\"top\": 1,\n \"list\": [{\"b\": 1,\n   \"c\": 2, \"b\": 3}]}\n";

        let from_json = parse(text).unwrap_err();
        let from_yaml = yaml::parse(text).unwrap_err();

        assert_eq!(from_json.0, Position::new(3, 12));
        assert_eq!(from_json, from_yaml);
    }

    #[test]
    fn a_duplicate_key_in_a_large_object_is_found_too() {
        let mut text: String = (0..40).map(|i| format!("\"k{i}\": {i},\n")).collect();
        text.insert(0, '{');
        text.push_str("\"k7\": 0}");

        let (at, message) = parse(&text).unwrap_err();

        assert_eq!(at, Position::new(41, 1));
        assert!(
            message.contains("`k7`") && message.contains("line 8, column 1"),
            "{message}"
        );
    }

    /// The syntax error of `text`: where, and the message.
    fn error(text: &str) -> (Position, String) {
        parse(text).expect_err("not valid JSON")
    }

    #[test]
    fn syntax_errors_are_located_at_the_offending_character() {
        let cases = [
            (
                "{\"a\": 1,\n \"b\" 2}",
                (2, 6),
                "expected `:` after a key, found `2`",
            ),
            (
                "{\"a\": [1, 2}",
                (1, 12),
                "expected `,` or `]` after a list item, found `}`",
            ),
            (
                "{\"a\": 1 \"b\": 2}",
                (1, 9),
                "expected `,` or `}` after an object entry, found `\"`",
            ),
            ("{\"a\": tru}", (1, 7), "expected a value"),
            (
                "{\"a\": 01}",
                (1, 8),
                "expected `,` or `}` after an object entry, found `1`",
            ),
            (
                "{\"a\": 1.}",
                (1, 9),
                "expected a digit after the decimal point, found `}`",
            ),
            ("{\"a\": \"x\\q\"}", (1, 10), "expected an escape"),
            (
                "{\"a\": \"\\ud800\"}",
                (1, 14),
                "a \\u escape names half of a UTF-16 surrogate pair",
            ),
            (
                "{\"a\": \"tab\there\"}",
                (1, 11),
                "the character \\t in a string: write it as an escape",
            ),
            (
                "{\"a\": \"open",
                (1, 12),
                "expected `\"` to close the string, found the end of the file",
            ),
            (
                "{a: 1}",
                (1, 2),
                "expected a key in double quotes, found `a`",
            ),
            (
                "{\"a\": 1} x",
                (1, 10),
                "expected the end of the file after the document, found `x`",
            ),
            ("", (1, 1), "expected a value"),
            (
                "{\"é\": [é]}",
                (1, 8),
                "expected a value (an object, a list, a string, a number, true, false or null), found `é`",
            ),
        ];
        for (text, (line, column), message) in cases {
            let (at, found) = error(text);
            assert_eq!(at, Position::new(line, column), "{text:?}: {found}");
            assert!(found.starts_with(message), "{text:?}: {found}");
        }
    }

    #[test]
    fn nesting_deeper_than_yaml_allows_is_refused() {
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));

        let (at, message) = error(&deep);

        assert_eq!(at, Position::new(1, MAX_DEPTH as u64 + 1));
        assert!(
            message.starts_with("nested more than 32 levels deep"),
            "{message}"
        );
        parse(&format!(
            "{}{}",
            "[".repeat(MAX_DEPTH),
            "]".repeat(MAX_DEPTH)
        ))
        .expect("deep enough");
    }

    #[test]
    fn skipping_an_item_ends_where_reading_it_does() {
        let text = "[{\"a\": \"}]\\\"\", \"b\": [1, {\"c\": \"\\n\"}]},\n 12, \"s\", -1.5e3, true, null, [], {}]";
        let mut skipping = Cursor::new(text);
        let mut reading = Cursor::new(text);
        skipping.pos = 1;
        reading.pos = 1;
        loop {
            let mark = skipping.mark();
            let end = skipping.skip_value();
            assert_eq!(reading.mark(), mark);
            reading.value(ITEM_DEPTH).expect("valid item");
            reading.item_ends_at(end).expect("same end");
            if !skipping.after_item().expect("list goes on") {
                break;
            }
            skipping.skip_whitespace();
            reading.after_item().expect("list goes on");
            reading.skip_whitespace();
        }
        assert_eq!(skipping.mark().at, Position::new(2, 37));
    }

    #[test]
    fn a_streamed_list_hands_out_its_items_and_leaves_an_empty_list() {
        let text = "{\"clicks\": [{\"a\": 1},\n {\"b\": 2}], \"name\": \"x\"}";
        let mut marks = Vec::new();

        let tree = parse_streaming(text, &["clicks"], &mut |list, mark, _| {
            marks.push((list.to_string(), mark.at));
        })
        .expect("valid")
        .expect("an object");

        assert_eq!(
            marks,
            [
                ("clicks".to_string(), Position::new(1, 13)),
                ("clicks".to_string(), Position::new(2, 2)),
            ]
        );
        let YamlKind::Map(entries) = tree.kind else {
            panic!("a map")
        };
        assert_eq!(entries[0].1.kind, YamlKind::Seq(Vec::new()));
        assert_eq!(entries[1].0.name, "name");
    }

    #[test]
    fn a_top_level_that_is_no_object_is_not_streamed() {
        let streamed = parse_streaming("[1]", &["clicks"], &mut |_, _, _| {});

        assert_eq!(streamed, Ok(None));
    }

    /// Differential properties: a `.json` scenario is read as serde_json
    /// reads it (same values, same key order, same numbers as written), with
    /// every key and value located where it is written, and any text serde_json
    /// refuses is refused too, without a panic. The documented differences
    /// are left out: a repeated key (refused here, kept once by serde_json),
    /// nesting deeper than [`MAX_DEPTH`] and a leading byte-order mark
    /// (skipped here).
    mod differential {
        use std::collections::HashSet;
        use std::fmt;
        use std::io;

        use proptest::prelude::*;
        use proptest::sample::{Index, select};
        use proptest::test_runner::TestCaseError;
        use serde::Serialize;
        use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
        use serde_json::Value;

        use super::super::*;

        fn config() -> ProptestConfig {
            ProptestConfig::with_cases(256)
        }

        /// Characters a string is made of: any at all, the ones JSON escapes
        /// or treats specially, and a few letters so that keys repeat.
        fn json_string() -> impl Strategy<Value = String> {
            const SPECIAL: &str =
                "\"\\/\n\r\t\u{0}\u{8}\u{c}\u{1f}\u{7f}\u{2028}\u{feff}\u{fffd}é€😀\u{10ffff} :";
            prop::collection::vec(
                prop_oneof![
                    3 => any::<char>(),
                    3 => select(SPECIAL.chars().collect::<Vec<_>>()),
                    2 => prop::char::range('a', 'c'),
                ],
                0..10,
            )
            .prop_map(String::from_iter)
        }

        /// Numbers serde_json writes (from integers and finite floats) and
        /// numbers as anyone may write them: long, with exponents, with
        /// trailing zeros, out of `f64`'s range.
        fn number() -> impl Strategy<Value = Value> {
            prop_oneof![
                any::<i64>().prop_map(Value::from),
                any::<u64>().prop_map(Value::from),
                any::<f64>().prop_filter_map("finite", |f| {
                    serde_json::Number::from_f64(f).map(Value::Number)
                }),
                "-?(0|[1-9][0-9]{0,45})(\\.[0-9]{1,20})?([eE][+-]?[0-9]{1,5})?".prop_filter_map(
                    "a number serde_json reads",
                    |text| serde_json::from_str::<Value>(&text).ok(),
                ),
            ]
        }

        /// A JSON value up to four levels deep; an object's keys are distinct.
        fn value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                number(),
                json_string().prop_map(Value::String),
            ];
            leaf.prop_recursive(4, 48, 6, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                    prop::collection::vec((json_string(), inner), 0..6)
                        .prop_map(|entries| Value::Object(entries.into_iter().collect())),
                ]
            })
        }

        /// Writes every string character but letters, digits and spaces as
        /// a `\uXXXX` escape (astral ones as a surrogate pair) and `/` as
        /// `\/`: the escapes serde_json does not write itself.
        struct Escaping;

        impl serde_json::ser::Formatter for Escaping {
            fn write_string_fragment<W: ?Sized + io::Write>(
                &mut self,
                writer: &mut W,
                fragment: &str,
            ) -> io::Result<()> {
                for c in fragment.chars() {
                    if c.is_ascii_alphanumeric() || c == ' ' {
                        write!(writer, "{c}")?;
                    } else if c == '/' {
                        writer.write_all(b"\\/")?;
                    } else {
                        for unit in c.encode_utf16(&mut [0; 2]) {
                            write!(writer, "\\u{unit:04X}")?;
                        }
                    }
                }
                Ok(())
            }
        }

        /// `value` written compactly, pretty, and with escapes only.
        fn texts(value: &Value) -> [String; 3] {
            let mut escaped = Vec::new();
            value
                .serialize(&mut serde_json::Serializer::with_formatter(
                    &mut escaped,
                    Escaping,
                ))
                .expect("serializable");
            [
                serde_json::to_string(value).expect("serializable"),
                serde_json::to_string_pretty(value).expect("serializable"),
                String::from_utf8(escaped).expect("UTF-8"),
            ]
        }

        /// `tree`, read from `text`, holds `value`, its keys in its order.
        fn read_as(tree: &Yaml, value: &Value, text: &str) -> Result<(), TestCaseError> {
            let read = to_value(tree);
            prop_assert_eq!(&read, value, "{:?}", text);
            prop_assert_eq!(
                serde_json::to_string(&read).expect("serializable"),
                serde_json::to_string(value).expect("serializable"),
                "key order of {:?}",
                text
            );
            Ok(())
        }

        /// The value a located tree holds, as serde_json would hold it.
        fn to_value(tree: &Yaml) -> Value {
            match &tree.kind {
                YamlKind::Scalar(scalar) => match scalar.tag {
                    ScalarTag::Null => Value::Null,
                    ScalarTag::Bool(b) => Value::Bool(b),
                    ScalarTag::Int(_) | ScalarTag::Float(_) => {
                        match serde_json::from_str(&scalar.text) {
                            Ok(number @ Value::Number(_)) => number,
                            other => panic!("number {:?} reads as {other:?}", scalar.text),
                        }
                    }
                    ScalarTag::Str => Value::String(scalar.text.clone()),
                },
                YamlKind::Seq(items) => Value::Array(items.iter().map(to_value).collect()),
                YamlKind::Map(entries) => Value::Object(
                    entries
                        .iter()
                        .map(|(key, value)| (key.name.to_string(), to_value(value)))
                        .collect(),
                ),
            }
        }

        /// The rest of the line of `text` from `at`, which must lie in it.
        fn from_position<'t>(lines: &[&'t str], at: Position) -> Result<&'t str, TestCaseError> {
            prop_assert!(at.line >= 1 && at.column >= 1, "{:?}", at);
            let line = usize::try_from(at.line - 1).expect("small");
            prop_assert!(line < lines.len(), "{:?} past the last line", at);
            let column = usize::try_from(at.column - 1).expect("small");
            let rest = lines[line].char_indices().nth(column).map(|(i, _)| i);
            prop_assert!(rest.is_some(), "{:?} past the end of its line", at);
            Ok(&lines[line][rest.unwrap_or_default()..])
        }

        /// Every key and value of `tree` is located at what it is written as.
        fn check_positions(lines: &[&str], tree: &Yaml) -> Result<(), TestCaseError> {
            let rest = from_position(lines, tree.at)?;
            let starts = match &tree.kind {
                YamlKind::Map(_) => "{",
                YamlKind::Seq(_) => "[",
                YamlKind::Scalar(scalar) => match scalar.tag {
                    ScalarTag::Null => "null",
                    ScalarTag::Str => "\"",
                    _ => &scalar.text,
                },
            };
            prop_assert!(
                rest.starts_with(starts),
                "{:?} at {:?}: {:?}",
                tree.kind,
                tree.at,
                rest
            );
            match &tree.kind {
                YamlKind::Scalar(_) => {}
                YamlKind::Seq(items) => {
                    for item in items {
                        check_positions(lines, item)?;
                    }
                }
                YamlKind::Map(entries) => {
                    for (key, value) in entries {
                        let rest = from_position(lines, key.at)?;
                        prop_assert!(rest.starts_with('"'), "key at {:?}: {:?}", key.at, rest);
                        check_positions(lines, value)?;
                    }
                }
            }
            Ok(())
        }

        /// Reads any JSON value, refusing one in which an object repeats a key.
        struct Unique;

        impl<'de> Deserialize<'de> for Unique {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_any(Unique)
            }
        }

        impl<'de> Visitor<'de> for Unique {
            type Value = Unique;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_bool<E>(self, _: bool) -> Result<Unique, E> {
                Ok(Unique)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Unique, E> {
                Ok(Unique)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Unique, E> {
                Ok(Unique)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Unique, E> {
                Ok(Unique)
            }
            fn visit_str<E>(self, _: &str) -> Result<Unique, E> {
                Ok(Unique)
            }
            fn visit_unit<E>(self) -> Result<Unique, E> {
                Ok(Unique)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Unique, A::Error> {
                while seq.next_element::<Unique>()?.is_some() {}
                Ok(Unique)
            }
            // Arbitrary-precision numbers come as a map of one entry too.
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Unique, A::Error> {
                let mut seen = HashSet::new();
                while let Some(key) = map.next_key::<String>()? {
                    if !seen.insert(key) {
                        return Err(de::Error::custom("a repeated key"));
                    }
                    map.next_value::<Unique>()?;
                }
                Ok(Unique)
            }
        }

        /// How deep brackets nest in `text`, outside strings.
        fn nesting(text: &str) -> usize {
            let (mut depth, mut deepest) = (0usize, 0);
            let (mut in_string, mut escaped) = (false, false);
            for b in text.bytes() {
                if in_string {
                    match b {
                        _ if escaped => escaped = false,
                        b'\\' => escaped = true,
                        b'"' => in_string = false,
                        _ => {}
                    }
                    continue;
                }
                match b {
                    b'"' => in_string = true,
                    b'[' | b'{' => {
                        depth += 1;
                        deepest = deepest.max(depth);
                    }
                    b']' | b'}' => depth = depth.saturating_sub(1),
                    _ => {}
                }
            }
            deepest
        }

        /// `text` is read exactly when serde_json reads it, to the same value
        /// with its keys in the same order; a refusal is located in the text.
        fn agrees_with_serde_json(text: &str) -> Result<(), TestCaseError> {
            let ours = parse(text);
            let plain = text.strip_prefix('\u{feff}').unwrap_or(text);
            let theirs = serde_json::from_str::<Value>(plain);
            if theirs.is_ok()
                && (nesting(plain) > MAX_DEPTH || serde_json::from_str::<Unique>(plain).is_err())
            {
                return Ok(());
            }
            let lines: Vec<&str> = text.split('\n').collect();
            match (ours, theirs) {
                (Ok(tree), Ok(value)) => read_as(&tree, &value, text)?,
                (Err((at, message)), Err(_)) => {
                    // At a character of the text or just past its line's end.
                    prop_assert!(at.line >= 1 && at.column >= 1, "{:?}", at);
                    let line = usize::try_from(at.line - 1).expect("small");
                    prop_assert!(line < lines.len(), "{:?} in {:?}", at, text);
                    let chars = lines[line].chars().count() as u64;
                    prop_assert!(at.column <= chars + 1, "{:?} in {:?}", at, text);
                    prop_assert!(!message.is_empty());
                }
                (ours, theirs) => {
                    prop_assert!(
                        false,
                        "{:?}: ours {:?}, serde_json {:?}",
                        text,
                        ours.map(|tree| to_value(&tree)),
                        theirs
                    );
                }
            }
            Ok(())
        }

        /// Bytes that make a corruption likely to stay near-JSON.
        const JSONISH: &[u8] = b"{}[],:\"\\ \n\t0123456789-+.eEtrufalsn/u\x00\x1f\x7f";

        /// A byte to put into a text: JSON-like or any.
        fn byte() -> impl Strategy<Value = u8> {
            prop_oneof![select(JSONISH), any::<u8>()]
        }

        proptest! {
            #![proptest_config(config())]

            #[test]
            fn any_json_value_reads_back_as_serde_json_wrote_it_with_positions(
                value in value(),
            ) {
                for text in texts(&value) {
                    let tree = parse(&text);
                    prop_assert!(tree.is_ok(), "{:?}: {:?}", text, tree);
                    let tree = tree.unwrap_or_else(|_| unreachable!());
                    read_as(&tree, &value, &text)?;
                    let lines: Vec<&str> = text.split('\n').collect();
                    check_positions(&lines, &tree)?;
                    agrees_with_serde_json(&text)?;
                }
            }

            #[test]
            fn a_corrupted_json_text_is_read_exactly_when_serde_json_reads_it(
                value in value(),
                which in 0..3usize,
                at in any::<Index>(),
                replacement in prop::option::of(byte()),
            ) {
                let mut bytes = texts(&value)[which].clone().into_bytes();
                let at = at.index(bytes.len() + 1);
                match replacement {
                    // Cut short at a byte (maybe inside a character).
                    None => bytes.truncate(at),
                    Some(b) if at < bytes.len() => bytes[at] = b,
                    Some(b) => bytes.push(b),
                }
                agrees_with_serde_json(&String::from_utf8_lossy(&bytes))?;
            }

            #[test]
            fn any_text_is_read_exactly_when_serde_json_reads_it(
                text in prop_oneof![
                    any::<String>(),
                    prop::collection::vec(byte(), 0..48)
                        .prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
                    prop::collection::vec(select(JSONISH), 0..24)
                        .prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
                ],
            ) {
                agrees_with_serde_json(&text)?;
            }
        }
    }
}
