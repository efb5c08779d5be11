//! JSON bodies, written once when a scenario loads: the success body in the
//! contract's key order, a captured `response:` verbatim, and the error envelope.
//!
//! Bodies are written by hand rather than through a map type so that the key
//! order is the contract's by construction and a number captured as `10.00`
//! is sent back as `10.00`.

use bytes::Bytes;

use crate::scenario::yaml::{ScalarTag, Yaml, YamlKind};

/// `{"result":"error","message":"..."}`.
pub fn error_body(message: &str) -> Bytes {
    let mut out = String::with_capacity(message.len() + 36);
    out.push_str(r#"{"result":"error","message":"#);
    push_string(&mut out, message);
    out.push('}');
    Bytes::from(out)
}

/// Builds a JSON object whose values are all strings or nested JSON, in the
/// order the fields are pushed.
pub struct ObjectWriter<'o> {
    out: &'o mut String,
    first: bool,
}

impl<'o> ObjectWriter<'o> {
    /// Opens an object at the end of `out`.
    pub fn open(out: &'o mut String) -> Self {
        out.push('{');
        ObjectWriter { out, first: true }
    }

    fn key(&mut self, key: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        push_string(self.out, key);
        self.out.push(':');
    }

    /// Adds `"key":"value"`.
    pub fn string(&mut self, key: &str, value: &str) {
        self.key(key);
        push_string(self.out, value);
    }

    /// Adds `"key":` followed by whatever `write` appends (one JSON value).
    pub fn raw(&mut self, key: &str, write: impl FnOnce(&mut String)) {
        self.key(key);
        write(self.out);
    }

    /// Closes the object.
    pub fn close(self) {
        self.out.push('}');
    }
}

/// Appends `items` as a JSON array, each written by `write`.
pub fn push_array<T>(out: &mut String, items: &[T], mut write: impl FnMut(&mut String, &T)) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write(out, item);
    }
    out.push(']');
}

/// Appends `s` as a JSON string literal.
pub fn push_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends a YAML tree as JSON: mappings in file order, numbers as written
/// when that spelling is valid JSON, strings as strings.
pub fn push_yaml(out: &mut String, node: &Yaml) {
    match &node.kind {
        YamlKind::Scalar(scalar) => match scalar.tag {
            ScalarTag::Null => out.push_str("null"),
            ScalarTag::Bool(b) => out.push_str(if b { "true" } else { "false" }),
            ScalarTag::Int(_) | ScalarTag::Float(_) if is_json_number(&scalar.text) => {
                out.push_str(&scalar.text);
            }
            ScalarTag::Int(i) => out.push_str(&i.to_string()),
            ScalarTag::Float(f) => match serde_json::Number::from_f64(f) {
                Some(n) => out.push_str(&n.to_string()),
                // `.inf` and `.nan` have no JSON spelling; keep the author's text.
                None => push_string(out, &scalar.text),
            },
            ScalarTag::Str => push_string(out, &scalar.text),
        },
        YamlKind::Seq(items) => push_array(out, items, push_yaml),
        YamlKind::Map(entries) => {
            let mut object = ObjectWriter::open(out);
            for (key, value) in entries {
                object.raw(&key.name, |out| push_yaml(out, value));
            }
            object.close();
        }
    }
}

fn is_json_number(text: &str) -> bool {
    matches!(
        serde_json::from_str::<serde_json::Value>(text),
        Ok(serde_json::Value::Number(_))
    ) && !text.starts_with(char::is_whitespace)
        && !text.ends_with(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::yaml;

    #[test]
    fn error_envelope_escapes_the_message() {
        assert_eq!(
            error_body("a \"b\"\n"),
            Bytes::from_static(br#"{"result":"error","message":"a \"b\"\n"}"#)
        );
    }

    #[test]
    fn yaml_becomes_json_in_file_order_with_numbers_as_written() {
        let node = yaml::parse("z: 10.00\na: [1, \"x\", null, true]\nm: {k: 0x1F}\n").unwrap();
        let mut out = String::new();
        push_yaml(&mut out, &node);
        assert_eq!(out, r#"{"z":10.00,"a":[1,"x",null,true],"m":{"k":31}}"#);
        serde_json::from_str::<serde_json::Value>(&out).unwrap();
    }

    #[test]
    fn control_characters_are_escaped() {
        let mut out = String::new();
        push_string(&mut out, "\u{1}");
        assert_eq!(out, r#""\u0001""#);
    }
}
