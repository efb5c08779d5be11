//! The text log line, written straight into the line's buffer: the layout of
//! tracing-subscriber's default format without colours (`TIME LEVEL message
//! key=value ...`, strings quoted), at a fraction of its cost. That format
//! pads and styles every part through `fmt` machinery (a styling wrapper
//! even with colours off, the time formatted digit by digit), which made the
//! log line a quarter of the work of a lookup; here the time's date and
//! second are formatted once a second, and plain values are copied as they
//! are. Terminals keep tracing-subscriber's own format, with its colours.

use std::cell::RefCell;
use std::fmt::{self, Write};
use std::time::{SystemTime, UNIX_EPOCH};

use time::OffsetDateTime;
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// Formats each event on one line, as tracing-subscriber's default text
/// format does with colours off and targets hidden.
#[derive(Debug, Default, Clone, Copy)]
pub struct PlainLine;

impl<S, N> FormatEvent<S, N> for PlainLine
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        // The line is put together in a buffer of this thread's and handed
        // to the writer in one piece: each write to the writer is a call
        // through `dyn Write`, and a line has some twenty parts.
        LINE.with(|line| match line.try_borrow_mut() {
            Ok(mut line) => {
                line.clear();
                write_line(&mut line, event);
                writer.write_str(&line)
            }
            // A value's `Debug` that logs: a line of its own.
            Err(_) => {
                let mut line = String::new();
                write_line(&mut line, event);
                writer.write_str(&line)
            }
        })
    }
}

thread_local! {
    /// The line being written on this thread.
    static LINE: RefCell<String> = const { RefCell::new(String::new()) };
    /// The second last formatted on this thread, and its text up to the
    /// fraction (`2026-12-01T18:05:07`).
    static SECOND: RefCell<(u64, String)> = const { RefCell::new((u64::MAX, String::new())) };
}

/// `TIME LEVEL message key=value ...` and the newline, into `line`.
fn write_line(line: &mut String, event: &Event<'_>) {
    write_time(line, SystemTime::now());
    let level = event.metadata().level().as_str();
    // Right-aligned in five columns, as `{:>5}` would.
    for _ in level.len()..5 {
        line.push(' ');
    }
    line.push_str(level);
    line.push(' ');
    let mut fields = Fields { line, first: true };
    event.record(&mut fields);
    line.push('\n');
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

/// Writes an event's fields: the message bare, the others `name=value`,
/// separated by one space.
struct Fields<'l> {
    line: &'l mut String,
    first: bool,
}

impl Fields<'_> {
    /// A space before every field but the first, then `name=` unless it is
    /// the message.
    fn start(&mut self, field: &Field) {
        if self.first {
            self.first = false;
        } else {
            self.line.push(' ');
        }
        let name = field.name();
        if name != "message" {
            self.line.push_str(name.strip_prefix("r#").unwrap_or(name));
            self.line.push('=');
        }
    }

    fn write(&mut self, value: impl fmt::Display) {
        // Writing to a String cannot fail.
        let _ = write!(self.line, "{value}");
    }
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

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.start(field);
        if field.name() == "message" {
            self.line.push_str(value);
        } else if !needs_escaping(value) {
            // Nothing `{:?}` would escape: quoted as it is.
            self.line.push('"');
            self.line.push_str(value);
            self.line.push('"');
        } else {
            self.write(format_args!("{value:?}"));
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.start(field);
        self.line.push_str(itoa::Buffer::new().format(value));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.start(field);
        self.line.push_str(itoa::Buffer::new().format(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.start(field);
        self.line.push_str(if value { "true" } else { "false" });
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.start(field);
        self.write(format_args!("{value:?}"));
    }
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::{Arc, Mutex};

    use tracing_subscriber::fmt::MakeWriter;

    use super::*;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

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
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    /// Every kind of field the server logs, and the odd ones.
    fn log_everything() {
        let path = "/api/transaction/click_detail";
        tracing::info!(address = %"127.0.0.1:8080", scenario = "default", "listening");
        tracing::info!(
            message = "request",
            method = %"GET",
            path,
            scenario = Some("default"),
            status = Some(200u16),
            outcome = %"click",
            latency_us = 42u64,
        );
        tracing::info!(
            big = u64::MAX,
            small = i64::MIN,
            zero = 0u64,
            "{}",
            "numbers"
        );
        tracing::warn!(
            status = None::<u16>,
            dropped = true,
            delta = -3i64,
            "cut short"
        );
        tracing::error!(
            path = "/a \"quoted\" path\\ with\ttab and é",
            r#type = "raw",
            "reload failed: {}",
            "why"
        );
        tracing::info!("no fields at all");
    }

    fn lines(plain: bool) -> String {
        let captured = Captured::default();
        let builder = tracing_subscriber::fmt()
            .with_writer(captured.clone())
            .with_ansi(false)
            .with_target(false);
        if plain {
            tracing::subscriber::with_default(
                builder.event_format(PlainLine).finish(),
                log_everything,
            );
        } else {
            tracing::subscriber::with_default(builder.finish(), log_everything);
        }
        captured.text()
    }

    #[test]
    fn lines_read_as_tracing_subscribers_own_text_format() {
        let ours = lines(true);
        let theirs = lines(false);
        assert_eq!(ours.lines().count(), 6, "{ours}");
        // The same line after the time, for every event.
        let after_time = |text: &str| -> Vec<String> {
            text.lines().map(|line| line[27..].to_string()).collect()
        };
        assert_eq!(
            after_time(&ours),
            after_time(&theirs),
            "\nours:\n{ours}\ntheirs:\n{theirs}"
        );
        assert!(ours.contains(
            " INFO request method=GET path=\"/api/transaction/click_detail\" scenario=\"default\" status=200 outcome=click latency_us=42\n"
        ), "{ours}");
    }

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
}
