//! Logs on stderr, text or JSON, filtered by `RUST_LOG` (default `info`).
//!
//! One line per request is many lines under load, so lines are gathered in a
//! buffer and written to stderr together: when the buffer fills, and at the
//! latest [`FLUSH_EVERY`] after they were logged, by a small flusher thread.
//! A write per line would cost a system call on the request path, and a
//! writer thread woken per line (tracing-appender's non-blocking writer)
//! costs a wake-up per line instead; both took the server well below the
//! throughput of bare hyper on a two-core machine. Lines for a file or a
//! pipe are formatted by [`plain`], in the same layout for less work; the
//! one line per request is written by [`request_log`] itself.

mod plain;

use std::io::{BufWriter, IsTerminal, Stderr, Write};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::writer::{MakeWriter, MutexGuardWriter};

use crate::cli::LogFormat;
use crate::server::request_log;

/// The longest a log line waits in the buffer.
pub const FLUSH_EVERY: Duration = Duration::from_millis(100);

/// How many bytes of log lines are gathered into one write.
const BUFFER_BYTES: usize = 64 * 1024;

/// Stderr behind a buffer that every thread shares.
#[derive(Clone)]
struct BatchedStderr(Arc<Mutex<BufWriter<Stderr>>>);

impl<'a> MakeWriter<'a> for BatchedStderr {
    type Writer = MutexGuardWriter<'a, BufWriter<Stderr>>;

    fn make_writer(&'a self) -> Self::Writer {
        self.0.make_writer()
    }
}

impl BatchedStderr {
    /// Adds `line` to the buffer, as tracing-subscriber's writer does.
    fn write_line(&self, line: &str) {
        let mut writer = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        // Nowhere to report a failure to write the log.
        let _ = writer.write_all(line.as_bytes());
    }

    fn flush(&self) {
        let mut writer = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        // Nowhere to report a failure to write the log.
        let _ = writer.flush();
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
        self.writer.flush();
    }
}

/// Installs the global subscriber; a second call does nothing (and returns
/// no guard).
pub fn init(format: LogFormat) -> Option<LogGuard> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let writer = BatchedStderr(Arc::new(Mutex::new(BufWriter::with_capacity(
        BUFFER_BYTES,
        std::io::stderr(),
    ))));
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
        request_log::write_to(Box::new(move |line| lines.write_line(line)));
    }
    let (stop, stopped) = mpsc::channel::<()>();
    let ticking = writer.clone();
    let flusher = std::thread::Builder::new()
        .name("n4n-mock-log".into())
        .spawn(move || {
            while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(FLUSH_EVERY) {
                ticking.flush();
            }
        })
        .ok();
    Some(LogGuard {
        writer,
        stop: Some(stop),
        flusher,
    })
}
