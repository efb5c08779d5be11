//! The parts of a text log line, written straight into the line's buffer in
//! the layout of tracing-subscriber's default format without colours:
//! `TIME LEVEL message key=value ...`, strings quoted as `{:?}` quotes them.
//! Every log line of a file or a pipe is written with them, the one line per
//! request among them, so they do without `fmt` machinery where they can:
//! the time's date and second are formatted once a second, and a value with
//! nothing to escape is copied as it is.

use std::cell::RefCell;
use std::fmt::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use time::OffsetDateTime;

thread_local! {
    /// The line being written on this thread.
    static LINE: RefCell<String> = const { RefCell::new(String::new()) };
    /// The second last formatted on this thread, and its text up to the
    /// fraction (`2026-12-01T18:05:07`).
    static SECOND: RefCell<(u64, String)> = const { RefCell::new((u64::MAX, String::new())) };
}

/// Runs `write` on this thread's line buffer, emptied first, so that a
/// line is put together without an allocation of its own and handed on in
/// one piece. A line written while another is (a value's `Debug` that
/// logs) gets a buffer of its own.
pub fn with_line<R>(write: impl FnOnce(&mut String) -> R) -> R {
    LINE.with(|line| match line.try_borrow_mut() {
        Ok(mut line) => {
            line.clear();
            write(&mut line)
        }
        Err(_) => write(&mut String::new()),
    })
}

/// A line's start: the time now, the level right-aligned in five columns
/// (as `{:>5}` would), and a space.
pub fn start(line: &mut String, level: &str) {
    write_time(line, SystemTime::now());
    for _ in level.len()..5 {
        line.push(' ');
    }
    line.push_str(level);
    line.push(' ');
}

/// `value` as `{:?}` writes a string: between quotes, escaped where needed.
pub fn push_quoted(line: &mut String, value: &str) {
    if needs_escaping(value) {
        // Writing to a String cannot fail.
        let _ = write!(line, "{value:?}");
    } else {
        // Nothing `{:?}` would escape: quoted as it is.
        line.push('"');
        line.push_str(value);
        line.push('"');
    }
}

/// `2026-12-01T18:05:07.108502Z `: RFC 3339 in UTC with microseconds, and
/// the space after it.
fn write_time(line: &mut String, now: SystemTime) {
    let since = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let second = since.as_secs();
    SECOND.with(|cached| {
        let mut cached = cached.borrow_mut();
        if cached.0 != second {
            let text = &mut cached.1;
            text.clear();
            let time = i64::try_from(second)
                .ok()
                .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
                .unwrap_or(OffsetDateTime::UNIX_EPOCH);
            // Writing to a String cannot fail.
            let _ = write!(
                text,
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                time.year(),
                u8::from(time.month()),
                time.day(),
                time.hour(),
                time.minute(),
                time.second()
            );
            cached.0 = second;
        }
        line.push_str(&cached.1);
    });
    let mut digits = *b".000000Z ";
    let mut rest = since.subsec_micros();
    for digit in digits[1..7].iter_mut().rev() {
        *digit = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    // ASCII digits, a dot, a letter and a space.
    line.push_str(std::str::from_utf8(&digits).unwrap_or(".000000Z "));
}

/// Whether `{:?}` would write `value` other than between two quotes: it
/// has a quote, a backslash, a control character or anything not ASCII.
/// Every byte is looked at, with no early exit, so that the loop runs on
/// whole vectors of bytes.
fn needs_escaping(value: &str) -> bool {
    value.bytes().fold(false, |any, b| {
        any | !(b' '..=b'~').contains(&b) | (b == b'"') | (b == b'\\')
    })
}

/// A writer that keeps what it is given, for the log's tests: those that
/// hold lines to tracing-subscriber's own text format (it is a
/// `MakeWriter`), and the batch's.
#[cfg(test)]
pub mod captured {
    use std::io;
    use std::sync::{Arc, Mutex};

    use tracing_subscriber::fmt::MakeWriter;

    /// Everything written to it, shared by its clones.
    #[derive(Clone, Default)]
    pub struct Captured(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Captured {
        type Writer = Captured;
        fn make_writer(&'a self) -> Self::Writer {
            self.clone()
        }
    }

    impl Captured {
        /// What was written so far.
        pub fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// A value taken as needing no escape is one `{:?}` writes as it
        /// is between two quotes.
        #[test]
        fn a_value_left_unescaped_is_what_debug_would_write(value in "(\\PC|[\\x00-\\x7f]){0,40}") {
            if !needs_escaping(&value) {
                proptest::prop_assert_eq!(format!("{value:?}"), format!("\"{value}\""));
            }
        }

        /// Printable ASCII but the quote and the backslash is copied as it is.
        #[test]
        fn printable_ascii_needs_no_escaping(value in "[ !#-\\[\\]-~]{0,40}") {
            proptest::prop_assert!(!needs_escaping(&value));
        }

        /// Any text is quoted as `{:?}` quotes it.
        #[test]
        fn a_value_is_quoted_as_debug_quotes_it(value in "(\\PC|[\\x00-\\x7f]){0,40}") {
            let mut line = String::from("path=");
            push_quoted(&mut line, &value);
            proptest::prop_assert_eq!(line, format!("path={value:?}"));
        }
    }

    #[test]
    fn the_time_is_rfc_3339_in_utc_with_microseconds() {
        let mut text = String::new();
        let at = UNIX_EPOCH + std::time::Duration::from_micros(1_764_612_307_108_502);
        write_time(&mut text, at);
        assert_eq!(text, "2025-12-01T18:05:07.108502Z ");
        // The same second again comes from the cache; the next one does not.
        text.clear();
        write_time(&mut text, at + std::time::Duration::from_micros(7));
        write_time(&mut text, at + std::time::Duration::from_secs(1));
        assert_eq!(
            text,
            "2025-12-01T18:05:07.108509Z 2025-12-01T18:05:08.108502Z "
        );
        text.clear();
        write_time(&mut text, UNIX_EPOCH);
        assert_eq!(text, "1970-01-01T00:00:00.000000Z ");
    }

    #[test]
    fn a_line_written_inside_another_gets_a_buffer_of_its_own() {
        with_line(|line| line.push_str("left over"));
        let (outer, inner) = with_line(|outer| {
            outer.push_str("outer");
            let inner = with_line(|inner| {
                inner.push_str("inner");
                inner.clone()
            });
            (outer.clone(), inner)
        });
        assert_eq!((outer.as_str(), inner.as_str()), ("outer", "inner"));
    }

    #[test]
    fn a_line_starts_with_the_time_and_the_level_in_five_columns() {
        for (level, shown) in [("INFO", " INFO "), ("ERROR", "ERROR "), ("WARN", " WARN ")] {
            let mut line = String::new();
            start(&mut line, level);
            assert_eq!(line.len(), 28 + 6, "{line}");
            assert_eq!(&line[28..], shown);
            assert!(line[..28].ends_with("Z "), "{line}");
        }
    }
}
