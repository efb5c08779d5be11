//! JSON bodies, written once when a scenario loads: the success body in the
//! contract's key order, a captured `response:` verbatim, and the error envelope.
//!
//! Bodies are written by hand rather than through a map type so that the key
//! order is the contract's by construction and a number captured as `10.00`
//! is sent back as `10.00`.

use bytes::Bytes;

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

    /// Adds `"key":"value"` for one of the contract's own keys, which are
    /// plain words that need no escape: a body written at load has thirty.
    pub fn known(&mut self, key: &'static str, value: &str) {
        debug_assert!(!key.bytes().any(|b| NEEDS_ESCAPE[usize::from(b)]));
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        self.out.push('"');
        self.out.push_str(key);
        self.out.push_str("\":");
        push_string(self.out, value);
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

/// Bytes a JSON string cannot hold as they are.
pub static NEEDS_ESCAPE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// Appends `s` as a JSON string literal.
pub fn push_string(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    // Runs that need no escape are copied whole: ids and hashes are one run.
    let mut run = 0;
    for (at, &b) in s.as_bytes().iter().enumerate() {
        if !NEEDS_ESCAPE[usize::from(b)] {
            continue;
        }
        out.push_str(&s[run..at]);
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            b => out.push_str(&format!("\\u{:04x}", b)),
        }
        run = at + 1;
    }
    out.push_str(&s[run..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_envelope_escapes_the_message() {
        assert_eq!(
            error_body("a \"b\"\n"),
            Bytes::from_static(br#"{"result":"error","message":"a \"b\"\n"}"#)
        );
    }

    #[test]
    fn control_characters_are_escaped() {
        let mut out = String::new();
        push_string(&mut out, "\u{1}");
        assert_eq!(out, r#""\u0001""#);
    }
}
