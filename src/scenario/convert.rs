//! A YAML scenario or fixture written as JSON, which loads several times
//! faster (`n4n-mock convert`).
//!
//! The file is checked as the loader checks it, includes and all, so a file
//! that does not load is never converted: a file that sets a key only a
//! scenario may (`credentials`, `name`, `errors`...) as a scenario, any
//! other as a fixture a scenario includes. The JSON holds the same keys in
//! file order, and every value reads back as the YAML one does, so the JSON
//! answers every request with the same bytes:
//!
//! - a string stays a string, with the same text (`"0012"`), and a number
//!   or `true`/`false` keeps its spelling (`10.00`, `1001`);
//! - a value YAML reads as a number or a flag but JSON cannot spell so
//!   (`0x1F`, `+5`, `.5`, `007`, `yes`) becomes the string of its text
//!   where the reader takes its text (a click's `loginid: 007` answers
//!   `"007"`), and its value where the reader takes its value (`status`,
//!   `latency_ms`, `time`, a fault's `every` or `drop_connection`...);
//! - a captured `response:` is written as the body it answers with.
//!
//! Includes are kept as written, comments are dropped. A click or a
//! transaction takes one line, so a large file stays compact and a diff
//! shows which record changed; its items are kept as JSON text while the
//! file is read, never as a tree.

use std::io::{self, Write};
use std::path::Path;

use super::LoadError;
use super::load::{self, Role};
use super::parallel;
use super::problem::{Position, Problems};
use super::source::Source;
use super::to_json::push_yaml;
use super::yaml::{self, Scalar, ScalarTag, Yaml, YamlKind};
use crate::render::{ObjectWriter, push_array, push_string};

/// The top-level lists whose items are written one a line as they are read.
const RECORD_LISTS: [&str; 2] = ["clicks", "transactions"];

/// Files from this size are checked on a thread of their own while they
/// are converted: each is a whole reading of the file, seconds for a large one.
const PARALLEL_FROM_BYTES: usize = 1024 * 1024;

/// The keys whose value the reader takes as a number or a flag (`status:
/// 503`, `every: 3`, `drop_connection: true`), or, for `time` and `now`,
/// as a number when it is one: there a value JSON cannot spell as written
/// keeps its value. Under any other key the reader takes a value's text.
const VALUE_KEYS: [&str; 15] = [
    "time",
    "now",
    "status",
    "latency_ms",
    "every",
    "after",
    "first",
    "requests",
    "per_seconds",
    "drop_connection",
    "malformed_json",
    "empty_body",
    "duplicate",
    "drop",
    "reorder",
];

/// A YAML file converted to JSON, ready to be written.
#[derive(Debug)]
pub struct Converted {
    /// Whether it was checked as a scenario or as a fixture.
    pub role: Role,
    /// Its `include:` paths as written; the JSON names the same files.
    pub includes: Vec<String>,
    /// The top level, its clicks and transactions left out (they are in
    /// `lists`).
    root: Yaml,
    /// The items of `clicks` and `transactions`, as JSON.
    lists: [RecordList; 2],
}

/// The items of one top-level list, as JSON, one a line.
#[derive(Debug, Default)]
struct RecordList {
    /// The items, each but the first after `,\n`.
    json: String,
    /// How many there are.
    count: usize,
}

impl RecordList {
    fn push(&mut self, item: &Yaml) {
        if self.count > 0 {
            self.json.push_str(",\n");
        }
        push_record(&mut self.json, item);
        self.count += 1;
    }
}

/// Reads the YAML file at `path` from `source`, checks it as the loader
/// would (with its includes), and converts it. Every problem of a file that
/// does not load comes back instead, located as the loader locates it.
pub fn convert(source: &(dyn Source + Sync), path: &Path) -> Result<Converted, LoadError> {
    let text = source.read(path).map_err(|err| {
        refused(
            path,
            Position::START,
            format!("cannot read the file: {err}"),
        )
    })?;
    let parallel = text.len() >= PARALLEL_FROM_BYTES && parallel::cores() > 1;
    let (checked, converted) = parallel::join(
        parallel,
        || {
            load::load_as(source, path, None)
                .map(|(loaded, role)| (role, loaded.root.include))
                .map_err(|problems| LoadError { problems })
        },
        || to_json(text, path),
    );
    let (role, includes) = checked?;
    let (root, lists) = converted?;
    Ok(Converted {
        role,
        includes: includes.into_iter().map(|i| i.value).collect(),
        root,
        lists,
    })
}

/// The top level of the YAML `text` and the JSON of its clicks and
/// transactions, or its syntax error.
fn to_json(text: String, path: &Path) -> Result<(Yaml, [RecordList; 2]), LoadError> {
    let mut lists: [RecordList; 2] = Default::default();
    let mut sink = |key: &str, item: Yaml| {
        let i = usize::from(key != RECORD_LISTS[0]);
        lists[i].push(&item);
    };
    let root = match yaml::parse_streaming(&text, &RECORD_LISTS, &mut sink) {
        Ok(Some(root)) => root,
        // Not the usual shape (`transactions:` left empty, say): the whole
        // tree, its lists taken out here.
        Ok(None) => {
            let mut root =
                yaml::parse(&text).map_err(|(at, message)| refused(path, at, message))?;
            lists = take_lists(&mut root);
            root
        }
        Err((at, message)) => return Err(refused(path, at, message)),
    };
    Ok((root, lists))
}

/// A file refused for one problem.
fn refused(path: &Path, at: Position, message: String) -> LoadError {
    let mut problems = Problems::default();
    problems.push(path, at, message);
    LoadError {
        problems: problems.into_sorted(),
    }
}

/// The items of the top-level `clicks` and `transactions` of a whole
/// tree, as JSON, each list left empty in the tree.
fn take_lists(root: &mut Yaml) -> [RecordList; 2] {
    let mut lists: [RecordList; 2] = Default::default();
    if let YamlKind::Map(entries) = &mut root.kind {
        for (key, value) in entries {
            let Some(i) = RECORD_LISTS.iter().position(|name| key.name == *name) else {
                continue;
            };
            if let YamlKind::Seq(items) = &mut value.kind {
                for item in std::mem::take(items) {
                    lists[i].push(&item);
                }
            }
        }
    }
    lists
}

impl Converted {
    /// How many clicks the file itself holds (its includes aside).
    pub fn clicks(&self) -> usize {
        self.lists[0].count
    }

    /// How many transactions the file itself holds (its includes aside).
    pub fn transactions(&self) -> usize {
        self.lists[1].count
    }

    /// Writes the JSON: the top-level object a key a line, a non-empty list
    /// there an item a line, and a line break at the end.
    pub fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        let entries = match &self.root.kind {
            YamlKind::Map(entries) => entries,
            // An empty file is an empty fixture.
            YamlKind::Scalar(Scalar {
                tag: ScalarTag::Null,
                ..
            }) => return out.write_all(b"{}\n"),
            // Never met: the loader refuses any other top level.
            _ => {
                let mut json = String::new();
                push_value(&mut json, &self.root, None);
                json.push('\n');
                return out.write_all(json.as_bytes());
            }
        };
        if entries.is_empty() {
            return out.write_all(b"{}\n");
        }
        out.write_all(b"{\n")?;
        for (n, (key, value)) in entries.iter().enumerate() {
            let mut line = String::new();
            if n > 0 {
                line.push_str(",\n");
            }
            push_string(&mut line, &key.name);
            line.push(':');
            let list = RECORD_LISTS.iter().position(|name| key.name == *name);
            match (&value.kind, list) {
                (YamlKind::Seq(_), Some(i)) => {
                    out.write_all(line.as_bytes())?;
                    write_lines(out, &self.lists[i].json)?;
                    continue;
                }
                (YamlKind::Seq(items), None) if !items.is_empty() => {
                    let mut json = String::new();
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            json.push_str(",\n");
                        }
                        push_value(&mut json, item, None);
                    }
                    out.write_all(line.as_bytes())?;
                    write_lines(out, &json)?;
                    continue;
                }
                _ => push_value(&mut line, value, Some(&key.name)),
            }
            out.write_all(line.as_bytes())?;
        }
        out.write_all(b"\n}\n")
    }
}

/// A list whose items are `items`, JSON an item a line: `[]` when empty.
fn write_lines(out: &mut dyn Write, items: &str) -> io::Result<()> {
    if items.is_empty() {
        return out.write_all(b"[]");
    }
    out.write_all(b"[\n")?;
    out.write_all(items.as_bytes())?;
    out.write_all(b"\n]")
}

/// A click or a transaction as JSON: `response:` as the body it answers
/// with, `extra:` and `payouts:` as text, every other key by
/// [`push_value`].
fn push_record(out: &mut String, item: &Yaml) {
    let YamlKind::Map(entries) = &item.kind else {
        return push_value(out, item, None);
    };
    let mut object = ObjectWriter::open(out);
    for (key, value) in entries {
        object.raw(&key.name, |out| match key.name.as_str() {
            "response" => push_yaml(out, value),
            "extra" | "payouts" => push_text(out, value),
            name => push_value(out, value, Some(name)),
        });
    }
    object.close();
}

/// A value as JSON, its scalars read back as they are: under `key`, a
/// number or a flag JSON cannot spell as written keeps its value when the
/// key is one of [`VALUE_KEYS`], its text otherwise.
fn push_value(out: &mut String, node: &Yaml, key: Option<&str>) {
    match &node.kind {
        YamlKind::Scalar(scalar) => {
            let by_value = key.is_some_and(|key| VALUE_KEYS.contains(&key));
            push_scalar(out, scalar, by_value);
        }
        YamlKind::Seq(items) => push_array(out, items, |out, item| push_value(out, item, None)),
        YamlKind::Map(entries) => {
            let mut object = ObjectWriter::open(out);
            for (key, value) in entries {
                object.raw(&key.name, |out| push_value(out, value, Some(&key.name)));
            }
            object.close();
        }
    }
}

/// A value whose scalars the reader takes as text, whatever their keys
/// (`extra: {status: 007}` answers `"007"`).
fn push_text(out: &mut String, node: &Yaml) {
    match &node.kind {
        YamlKind::Scalar(scalar) => push_scalar(out, scalar, false),
        YamlKind::Seq(items) => push_array(out, items, push_text),
        YamlKind::Map(entries) => {
            let mut object = ObjectWriter::open(out);
            for (key, value) in entries {
                object.raw(&key.name, |out| push_text(out, value));
            }
            object.close();
        }
    }
}

/// A scalar as JSON that reads back with the same type and text; when
/// there is none, its value (`by_value`) or the string of its text.
fn push_scalar(out: &mut String, scalar: &Scalar, by_value: bool) {
    let text = scalar.text.as_str();
    match scalar.tag {
        ScalarTag::Null => out.push_str("null"),
        ScalarTag::Str => push_string(out, text),
        ScalarTag::Bool(b) if text == if b { "true" } else { "false" } => out.push_str(text),
        ScalarTag::Int(_) | ScalarTag::Float(_) if is_json_number(text) => out.push_str(text),
        ScalarTag::Bool(b) if by_value => out.push_str(if b { "true" } else { "false" }),
        ScalarTag::Int(i) if by_value => out.push_str(&i.to_string()),
        _ => push_string(out, text),
    }
}

/// Whether `text` is a number as JSON spells one (`-0`, `10.00`, `1e5`,
/// not `007`, `+5`, `.5` or `0x1F`), which the JSON reader reads back with
/// the same text.
fn is_json_number(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut at = usize::from(bytes.first() == Some(&b'-'));
    let digits = |at: &mut usize| {
        let start = *at;
        while bytes.get(*at).is_some_and(u8::is_ascii_digit) {
            *at += 1;
        }
        *at > start
    };
    match bytes.get(at) {
        Some(b'0') => at += 1,
        Some(b'1'..=b'9') => {
            digits(&mut at);
        }
        _ => return false,
    }
    if bytes.get(at) == Some(&b'.') {
        at += 1;
        if !digits(&mut at) {
            return false;
        }
    }
    if matches!(bytes.get(at), Some(b'e' | b'E')) {
        at += 1;
        if matches!(bytes.get(at), Some(b'+' | b'-')) {
            at += 1;
        }
        if !digits(&mut at) {
            return false;
        }
    }
    at == bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::source::Memory;

    /// The JSON of `yaml`, converted as the file `case.yaml`.
    fn json_of(yaml: &str) -> String {
        let source = Memory {
            path: "case.yaml".into(),
            text: yaml.to_string(),
        };
        let converted = convert(&source, &source.path).unwrap_or_else(|err| panic!("{err}"));
        let mut out = Vec::new();
        converted.write(&mut out).expect("written");
        String::from_utf8(out).expect("UTF-8")
    }

    const CREDENTIALS: &str = "credentials: [{username: u, api_key: k}]\n";

    #[test]
    fn a_scenario_is_written_a_key_a_line_and_a_record_a_line() {
        let yaml = format!(
            "# dropped\nname: shop\n{CREDENTIALS}clicks:\n  - click_hash: a\n    loginid: 1001\n  - click_hash: b\ntransactions: []\n"
        );

        assert_eq!(
            json_of(&yaml),
            "{\n\"name\":\"shop\",\n\"credentials\":[\n{\"username\":\"u\",\"api_key\":\"k\"}\n],\n\
             \"clicks\":[\n{\"click_hash\":\"a\",\"loginid\":1001},\n{\"click_hash\":\"b\"}\n],\n\
             \"transactions\":[]\n}\n"
        );
    }

    #[test]
    fn numbers_keep_their_spelling_and_strings_stay_strings() {
        let yaml = format!(
            "{CREDENTIALS}clicks:\n  - click_hash: a\n    loginid: 1001\n    offerid: '0012'\n    subid1: 007\n    subid2: yes\n    campaignid: 0x1F\n    creativeid: .5\n    country: ~\n    extra: {{amount: 10.00, half: 0.50, status: +5}}\n"
        );

        let json = json_of(&yaml);

        assert!(
            json.contains(
                r#"{"click_hash":"a","loginid":1001,"offerid":"0012","subid1":"007","subid2":"yes","campaignid":"0x1F","creativeid":".5","country":null,"extra":{"amount":10.00,"half":0.50,"status":"+5"}}"#
            ),
            "{json}"
        );
    }

    #[test]
    fn a_value_the_reader_takes_as_a_number_or_a_flag_keeps_its_value() {
        let yaml = format!(
            "{CREDENTIALS}now: 0x10\nlatency_ms: +5\nfaults:\n  - {{every: 0x3, drop_connection: yes}}\nerrors:\n  not_found: {{status: 0x1F4, message: on}}\nclicks:\n  - {{click_hash: a, time: +7, fault: {{empty_body: True}}}}\n"
        );

        let json = json_of(&yaml);

        for expected in [
            "\"now\":16,\n",
            "\"latency_ms\":5,\n",
            r#"{"every":3,"drop_connection":true}"#,
            r#""errors":{"not_found":{"status":500,"message":"on"}}"#,
            r#"{"click_hash":"a","time":7,"fault":{"empty_body":true}}"#,
        ] {
            assert!(json.contains(expected), "{expected} in {json}");
        }
    }

    #[test]
    fn a_captured_response_is_written_as_the_body_it_answers_with() {
        let yaml = format!(
            "{CREDENTIALS}clicks:\n  - click_hash: a\n    response: {{result: success, amount: 10.00, n: 0x1F, ok: yes}}\n"
        );

        assert!(
            json_of(&yaml)
                .contains(r#""response":{"result":"success","amount":10.00,"n":31,"ok":true}"#)
        );
    }

    #[test]
    fn a_fixture_is_checked_as_an_included_file_is() {
        // A fixture's transaction may name a click of another file of its scenario.
        let json = json_of("transactions:\n  - {transaction_hash: t, click_hash: elsewhere}\n");
        assert_eq!(
            json,
            "{\n\"transactions\":[\n{\"transaction_hash\":\"t\",\"click_hash\":\"elsewhere\"}\n]\n}\n"
        );
        assert_eq!(json_of(""), "{}\n");
    }

    #[test]
    fn a_file_that_does_not_load_is_refused_with_every_problem() {
        let source = Memory {
            path: "case.yaml".into(),
            text: "name: shop\nclicks:\n  - {click_hash: a, loginidd: 1}\n".into(),
        };

        let err = convert(&source, &source.path).expect_err("refused");

        let problems: Vec<String> = err.problems.iter().map(ToString::to_string).collect();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with("case.yaml:1:1: the scenario has no `credentials`"));
        assert!(problems[1].starts_with("case.yaml:3:21: unknown key `loginidd`"));
    }

    #[test]
    fn a_list_of_records_not_at_the_usual_place_is_converted_all_the_same() {
        // `transactions:` left empty is no list: the whole tree is read.
        let json = json_of("clicks:\n  - click_hash: a\ntransactions:\n");

        assert_eq!(
            json,
            "{\n\"clicks\":[\n{\"click_hash\":\"a\"}\n],\n\"transactions\":null\n}\n"
        );
    }

    #[test]
    fn json_numbers_are_told_from_other_spellings() {
        for number in ["0", "-0", "1001", "10.00", "0.50", "1e5", "1E+5", "-2.5e-3"] {
            assert!(is_json_number(number), "{number}");
        }
        for other in [
            "", "-", "007", "+5", ".5", "1.", "0x1F", "1_000", "1e", " 1",
        ] {
            assert!(!is_json_number(other), "{other}");
        }
    }
}
