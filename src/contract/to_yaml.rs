//! JSON written as block YAML that the scenario loader reads back to the
//! same JSON: key order kept, numbers written as they came (`10.00`), every
//! string that YAML could read as something else quoted.

use super::json::Json;

/// Appends `value` as the value of a key or list item already written
/// (the cursor is right after `key:` or `-`), its nested lines indented by
/// `indent` spaces. Ends with a newline.
pub fn push_value(out: &mut String, value: &Json, indent: usize) {
    match value {
        Json::Object(members) if !members.is_empty() => {
            out.push('\n');
            push_members(out, members, indent, false);
        }
        Json::Array(items) if !items.is_empty() => {
            out.push('\n');
            for item in items {
                pad(out, indent);
                push_item(out, item, indent);
            }
        }
        scalar => {
            out.push(' ');
            push_flow(out, scalar);
            out.push('\n');
        }
    }
}

/// Appends one list item at `indent`: `- ` and its value, an object's keys
/// under its first one.
pub fn push_list_item(out: &mut String, item: &Json, indent: usize) {
    pad(out, indent);
    push_item(out, item, indent);
}

/// Appends one list item, `-` and its value, the cursor being at its column.
fn push_item(out: &mut String, item: &Json, indent: usize) {
    match item {
        // `- key: value` with the other keys under the first one.
        Json::Object(members) if !members.is_empty() => {
            out.push_str("- ");
            push_members(out, members, indent + 2, true);
        }
        _ => {
            out.push('-');
            push_value(out, item, indent + 2);
        }
    }
}

fn push_members(out: &mut String, members: &[(String, Json)], indent: usize, first_placed: bool) {
    for (i, (key, value)) in members.iter().enumerate() {
        if i > 0 || !first_placed {
            pad(out, indent);
        }
        push_key(out, key);
        out.push(':');
        push_value(out, value, indent + 2);
    }
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// Appends a mapping key, plain when YAML reads it back as the same string.
pub fn push_key(out: &mut String, key: &str) {
    if is_plain_safe(key) {
        out.push_str(key);
    } else {
        push_quoted(out, key);
    }
}

/// Appends a scalar or an empty collection in flow style.
pub fn push_flow(out: &mut String, value: &Json) {
    match value {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Number(text) => out.push_str(text),
        Json::String(s) if is_plain_safe(s) => out.push_str(s),
        Json::String(s) => push_quoted(out, s),
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                push_flow(out, item);
            }
            out.push(']');
        }
        Json::Object(members) => {
            out.push('{');
            for (i, (key, value)) in members.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                push_quoted(out, key);
                out.push_str(": ");
                push_flow(out, value);
            }
            out.push('}');
        }
    }
}

/// Words YAML (1.1 or 1.2) or a float parser may read as something other
/// than a string.
const RESERVED: [&str; 15] = [
    "true", "false", "yes", "no", "on", "off", "y", "n", "null", "nan", "inf", "infinity", "none",
    "nil", "~",
];

/// Whether `s` may be written without quotes: a letter, then letters,
/// digits and `_ . - /`, and not a word YAML gives a meaning.
fn is_plain_safe(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/'))
        && !RESERVED.iter().any(|word| word.eq_ignore_ascii_case(s))
}

/// Appends `s` as a YAML double-quoted scalar.
pub fn push_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            // Controls, and the characters YAML 1.1 counts as line breaks or marks.
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends `text` as `#` comment lines at `indent`, one per line of text,
/// control characters (and YAML 1.1's extra line breaks) shown as `?`, so
/// nothing in it can end the comment.
pub fn push_comment(out: &mut String, text: &str, indent: usize) {
    for line in text.lines() {
        pad(out, indent);
        out.push('#');
        if !line.is_empty() {
            out.push(' ');
        }
        out.extend(line.chars().map(|c| {
            let breaks = c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}');
            if breaks { '?' } else { c }
        }));
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::json;
    use crate::scenario::yaml;

    /// Writes `body` under `response:`, reads it back as the loader does and
    /// renders it as the server would.
    fn round_trip(body: &str) -> String {
        let value = json::parse(body.as_bytes()).unwrap();
        let mut text = String::from("response:");
        push_value(&mut text, &value, 2);
        let tree = yaml::parse(&text).unwrap_or_else(|e| panic!("{e:?}\n{text}"));
        let yaml::YamlKind::Map(entries) = tree.kind else {
            panic!("a mapping")
        };
        let mut out = String::new();
        crate::scenario::to_json::push_yaml(&mut out, &entries[0].1);
        out
    }

    #[test]
    fn bodies_come_back_as_the_same_json() {
        for body in [
            r#"{"result":"success","click":{"click_hash":"35b71a300115be9.16738986","time":1763632800,"amount":10.00,"n":-0,"e":1e5,"E":2.5E-3,"big":123456789012345678901234567890,"huge":123456789012345678901234567890123456789012345},"transactions":[]}"#,
            r#"{"a":[[1,2],[],{}],"b":[{"x":null,"y":true},{"z":false}],"c":""}"#,
            r#"{"yes":"no","on":"off","~":"null","1":"2","a: b":"c # d","tab":"\t","nl":"x\ny","u":"é😀\u2028","q":"\"'"}"#,
            r#"["Infinity","NaN",".inf","0x1F","1_000","2025-11-20","- x","?","@x","*a","&a","!t","%p","|","{}"]"#,
            r#""just a string""#,
            r#"42"#,
        ] {
            let back = json::parse(round_trip(body).as_bytes()).unwrap();
            assert_eq!(back, json::parse(body.as_bytes()).unwrap(), "{body}");
        }
    }

    #[test]
    fn a_list_of_objects_reads_like_a_hand_written_scenario() {
        let value = json::parse(br#"{"payouts":[{"type":"affiliate","amount":"10.00"}]}"#).unwrap();
        let mut text = String::from("response:");
        push_value(&mut text, &value, 2);
        assert_eq!(
            text,
            "response:\n  payouts:\n    - type: affiliate\n      amount: \"10.00\"\n"
        );
    }
}
