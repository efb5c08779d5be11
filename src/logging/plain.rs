//! The text log line of an event, written straight into the line's buffer
//! with [`text_line`]'s parts: the layout of tracing-subscriber's default
//! format without colours (`TIME LEVEL message key=value ...`, strings
//! quoted), at a fraction of its cost. That format pads and styles every
//! part through `fmt` machinery (a styling wrapper even with colours off,
//! the time formatted digit by digit). Terminals keep tracing-subscriber's
//! own format, with its colours.

use std::fmt::{self, Write};

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

use crate::text_line;

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
        text_line::with_line(|line| {
            write_line(line, event);
            writer.write_str(line)
        })
    }
}

/// `TIME LEVEL message key=value ...` and the newline, into `line`.
fn write_line(line: &mut String, event: &Event<'_>) {
    text_line::start(line, event.metadata().level().as_str());
    let mut fields = Fields { line, first: true };
    event.record(&mut fields);
    line.push('\n');
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

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.start(field);
        if field.name() == "message" {
            self.line.push_str(value);
        } else {
            text_line::push_quoted(self.line, value);
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
    use super::*;
    use crate::text_line::captured::Captured;

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
}
