//! Logs on stderr, text or JSON, filtered by `RUST_LOG` (default `info`).
//!
//! One line per request is many lines under load, so lines are gathered
//! ([`batch`]) and written to stderr together: when 64 KiB have gathered,
//! and at the latest [`FLUSH_EVERY`] after they were logged, by a small
//! flusher thread. A write per line would cost a system call on the request
//! path, and a writer thread woken per line (tracing-appender's non-blocking
//! writer) costs a wake-up per line instead; both took the server well below
//! the throughput of bare hyper on a two-core machine. Lines for a file or a
//! pipe are formatted by [`plain`], in the same layout for less work; the
//! one line per request is written by [`request_log`] itself.

mod batch;
mod plain;

use std::io::{self, IsTerminal, Stderr};
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::writer::MakeWriter;

use batch::Batch;

use crate::cli::LogFormat;
use crate::server::request_log;

/// The longest a log line waits in the buffer.
pub const FLUSH_EVERY: Duration = Duration::from_millis(100);

/// Stderr behind a batch of lines that every thread shares.
#[derive(Clone)]
struct BatchedStderr(Arc<Batch<Stderr>>);

impl<'a> MakeWriter<'a> for BatchedStderr {
    type Writer = LineWriter<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        LineWriter(&self.0)
    }
}

/// What tracing-subscriber writes an event's line through: it hands over
/// the whole line in one write.
struct LineWriter<'a>(&'a Batch<Stderr>);

impl io::Write for LineWriter<'_> {
    fn write(&mut self, line: &[u8]) -> io::Result<usize> {
        self.0.write_line(line);
        Ok(line.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes the lines still buffered when dropped; keep it until the program ends.
pub struct LogGuard {
    writer: BatchedStderr,
    stop: Option<mpsc::Sender<()>>,
    flusher: Option<JoinHandle<()>>,
}

impl Drop for LogGuard {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(flusher) = self.flusher.take() {
            let _ = flusher.join();
        }
        self.writer.0.flush();
    }
}

/// Installs the global subscriber; a second call does nothing (and returns
/// no guard).
pub fn init(format: LogFormat) -> Option<LogGuard> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let writer = BatchedStderr(Arc::new(Batch::new(std::io::stderr())));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer.clone())
        .with_target(false);
    let plain = format == LogFormat::Text && !std::io::stderr().is_terminal();
    let installed = match format {
        LogFormat::Text if !plain => builder.with_ansi(true).try_init(),
        LogFormat::Text => builder
            .with_ansi(false)
            .event_format(plain::PlainLine)
            .try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    // Already installed (tests start several servers in one process): keep the first.
    installed.ok()?;
    if plain {
        // The request lines, in the same layout, into the same buffer.
        let lines = writer.clone();
        request_log::write_to(Box::new(move |line| lines.0.write_line(line.as_bytes())));
    }
    let (stop, stopped) = mpsc::channel::<()>();
    let ticking = writer.clone();
    let flusher = std::thread::Builder::new()
        .name("n4n-mock-log".into())
        .spawn(move || {
            while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(FLUSH_EVERY) {
                ticking.0.flush();
            }
        })
        .ok();
    Some(LogGuard {
        writer,
        stop: Some(stop),
        flusher,
    })
}
