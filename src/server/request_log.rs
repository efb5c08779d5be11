//! The one log line per request: method, path, scenario, status, outcome and
//! latency, never a header value.
//!
//! With text logs for a file or a pipe (how a CI job keeps them), the line
//! is written here, straight into the log's buffer through the writer
//! [`write_to`] was given, in the layout every other text line has. That
//! skips tracing-subscriber's field-by-field visit, and the line costs half
//! what it did (BENCHMARKS.md, "The fifth round"). `RUST_LOG` still decides
//! whether the line is written, as it would for the event: same target,
//! level and field names. Logs for a terminal, and JSON logs, get the line
//! as a tracing event like any other.

use std::sync::OnceLock;

use hyper::Method;
use tracing::Level;

use super::response::Outcome;
use crate::text_line;

/// The lines' target, as `RUST_LOG` names it (`n4n_mock::server::router=warn`
/// turns them off): the module that logged them before this one did.
pub const TARGET: &str = "n4n_mock::server::router";

/// Where the lines go when they are written here: one whole line at a time.
pub type Sink = Box<dyn Fn(&str) + Send + Sync>;

static SINK: OnceLock<Sink> = OnceLock::new();

/// Writes request lines to `sink` from now on, rather than as tracing
/// events. The first sink set stays: `logging` sets one when it installs
/// the text format, which happens once in a process.
pub fn write_to(sink: Sink) {
    // A second sink would write the same lines to the same place.
    let _ = SINK.set(sink);
}

/// What one request's line says.
#[derive(Debug, Clone, Copy)]
pub struct RequestLine<'a> {
    /// Its method.
    pub method: &'a Method,
    /// Its path, without the query.
    pub path: &'a str,
    /// The scenario that answered, or the unknown one it named.
    pub scenario: Option<&'a str>,
    /// The answer's status; none when the connection was dropped.
    pub status: Option<u16>,
    /// What the request came to.
    pub outcome: &'a Outcome<'a>,
    /// From its head's arrival to its answer, in microseconds.
    pub latency_us: u64,
}

impl RequestLine<'_> {
    /// Logs the line at `info`, if `RUST_LOG` lets it through.
    pub fn log(&self) {
        let enabled = tracing::enabled!(
            target: TARGET,
            Level::INFO,
            message,
            method,
            path,
            scenario,
            status,
            outcome,
            latency_us
        );
        if !enabled {
            return;
        }
        let Some(sink) = SINK.get() else {
            tracing::info!(
                target: TARGET,
                message = "request",
                method = %self.method,
                path = self.path,
                scenario = self.scenario,
                status = self.status,
                outcome = %self.outcome,
                latency_us = self.latency_us,
            );
            return;
        };
        text_line::with_line(|line| {
            self.write(line);
            sink(line);
        });
    }

    /// The whole line and its newline, as tracing-subscriber's text format
    /// writes the event.
    fn write(&self, line: &mut String) {
        text_line::start(line, Level::INFO.as_str());
        line.push_str("request method=");
        line.push_str(self.method.as_str());
        line.push_str(" path=");
        text_line::push_quoted(line, self.path);
        if let Some(scenario) = self.scenario {
            line.push_str(" scenario=");
            text_line::push_quoted(line, scenario);
        }
        if let Some(status) = self.status {
            line.push_str(" status=");
            line.push_str(itoa::Buffer::new().format(status));
        }
        let (first, second) = self.outcome.log_parts();
        line.push_str(" outcome=");
        line.push_str(first);
        line.push_str(second);
        line.push_str(" latency_us=");
        line.push_str(itoa::Buffer::new().format(self.latency_us));
        line.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api_error::ErrorKind;
    use crate::server::action::Action;
    use crate::server::response::Fault;
    use crate::text_line::captured::Captured;

    /// The line tracing-subscriber's own text format writes for `line`'s
    /// event (no sink is set in these tests), as `filter` lets it through.
    fn as_tracing_writes(line: &RequestLine<'_>, filter: &str) -> String {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(captured.clone())
            .with_ansi(false)
            .with_target(false)
            .finish();
        tracing::subscriber::with_default(subscriber, || line.log());
        captured.text()
    }

    fn written(line: &RequestLine<'_>) -> String {
        let mut text = String::new();
        line.write(&mut text);
        text
    }

    #[test]
    fn the_line_written_here_is_the_events_line() {
        let get = Method::GET;
        let post = Method::POST;
        let outcomes = [
            Outcome::Click("35b71a300115be9.16738986"),
            Outcome::Error(ErrorKind::InvalidCredentials),
            Outcome::Pong,
            Outcome::Admin,
            Outcome::UnknownScenario,
            Outcome::RateLimited,
            Outcome::Fault(Fault::DropConnection),
            Outcome::Done(Action::RevenueByOrder),
        ];
        for outcome in &outcomes {
            for (method, path, scenario, status) in [
                (
                    &get,
                    "/api/transaction/click_detail",
                    Some("default"),
                    Some(200),
                ),
                (&post, "/a \"quoted\" path\\ with\ttab and é", None, None),
                (&get, "/api/service/ping", Some("nämed \"x\""), Some(503)),
            ] {
                let line = RequestLine {
                    method,
                    path,
                    scenario,
                    status,
                    outcome,
                    latency_us: 42,
                };
                let ours = written(&line);
                let theirs = as_tracing_writes(&line, "info");
                // The same after the time (27 characters and a space).
                assert_eq!(ours[27..], theirs[27..], "\nours:   {ours}theirs: {theirs}");
                assert_eq!(ours.len() - ours.trim_end().len(), 1, "{ours:?}");
            }
        }
    }

    #[test]
    fn a_line_reads_as_the_readme_shows_it() {
        let outcome = Outcome::Click("35b71a300115be9.16738986");
        let line = RequestLine {
            method: &Method::GET,
            path: "/api/transaction/click_detail",
            scenario: Some("default"),
            status: Some(200),
            outcome: &outcome,
            latency_us: 17,
        };
        let text = written(&line);
        assert_eq!(
            &text[27..],
            "  INFO request method=GET path=\"/api/transaction/click_detail\" scenario=\"default\" status=200 outcome=click=35b71a300115be9.16738986 latency_us=17\n"
        );
        assert_eq!(
            &Outcome::Error(ErrorKind::NotFound).to_string(),
            "error=not_found"
        );
        assert_eq!(
            &Outcome::Fault(Fault::EmptyBody).to_string(),
            "fault=empty_body"
        );
    }

    #[test]
    fn rust_log_decides_as_it_does_for_the_event() {
        let outcome = Outcome::Pong;
        let line = RequestLine {
            method: &Method::GET,
            path: "/api/service/ping",
            scenario: Some("default"),
            status: Some(200),
            outcome: &outcome,
            latency_us: 3,
        };
        assert!(!as_tracing_writes(&line, "info").is_empty());
        for off in [
            "warn",
            "info,n4n_mock::server::router=warn",
            "n4n_mock::server=off",
        ] {
            assert_eq!(as_tracing_writes(&line, off), "", "{off}");
        }
    }
}
