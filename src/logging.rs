//! Logs on stderr, text or JSON, filtered by `RUST_LOG` (default `info`).
//!
//! Lines are handed to a writer thread (tracing-appender's non-blocking
//! writer) rather than written by the thread answering the request: one log
//! line per request would otherwise cost a system call on the request path.

use std::io::IsTerminal;

use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;

use crate::cli::LogFormat;

/// How many lines may wait for the writer thread; past that, the request
/// path waits too rather than losing lines.
const BUFFERED_LINES: usize = 128 * 1024;

/// Installs the global subscriber; a second call does nothing. Keep the
/// guard until the program ends: dropping it writes the lines still waiting.
pub fn init(format: LogFormat) -> Option<WorkerGuard> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(false)
        .buffered_lines_limit(BUFFERED_LINES)
        .thread_name("n4n-mock-log")
        .finish(std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_target(false);
    let installed = match format {
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    // Already installed (tests start several servers in one process): keep the first.
    installed.ok().map(|()| guard)
}
