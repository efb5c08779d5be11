//! SIGINT (Ctrl-C) and SIGTERM while a command writes a file.
//!
//! Left to itself, a signal ends the process on the spot, and a write it cuts
//! short leaves its temporary file behind. With [`WriteSignals`] installed, a
//! signal that arrives outside a write still ends the process at once, as
//! usual: nothing is half written then. One that arrives during
//! [`WriteSignals::during`] only sets the flag the write watches
//! ([`WriteOptions::stop`](crate::write_file::WriteOptions::stop)), so the
//! write fails, its temporary file is removed, and the command can say so
//! and exit with [`Caught::exit_code`].
//!
//! For commands that end at the first signal (`generate`, `record`): `serve`
//! stops gracefully through its own handlers and does not install these.

use std::io;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use signal_hook::consts::signal::{SIGINT, SIGTERM};
use signal_hook::flag;

/// The handlers of SIGINT and SIGTERM for a command that writes a file.
#[derive(Debug)]
pub struct WriteSignals {
    /// Set by either signal; the write watches it.
    stop: Arc<AtomicBool>,
    /// The number of the last signal received (0: none).
    received: Arc<AtomicUsize>,
    /// True outside writes: a signal then acts as if there were no handler.
    outside_writes: Arc<AtomicBool>,
}

/// The process's one set of handlers, once installed.
static INSTALLED: OnceLock<Result<WriteSignals, String>> = OnceLock::new();

impl WriteSignals {
    /// The handlers, installed on the first call. Until
    /// [`WriteSignals::during`] runs, the signals end the process as they
    /// would without them. (Once for the process: a second set would still
    /// end it during a write of the first.) Else why they cannot be installed.
    pub fn installed() -> Result<&'static WriteSignals, String> {
        INSTALLED
            .get_or_init(|| WriteSignals::install().map_err(|err| err.to_string()))
            .as_ref()
            .map_err(Clone::clone)
    }

    fn install() -> io::Result<WriteSignals> {
        let signals = WriteSignals {
            stop: Arc::new(AtomicBool::new(false)),
            received: Arc::new(AtomicUsize::new(0)),
            outside_writes: Arc::new(AtomicBool::new(true)),
        };
        for signal in [SIGINT, SIGTERM] {
            flag::register(signal, Arc::clone(&signals.stop))?;
            let number = usize::try_from(signal).unwrap_or_default();
            flag::register_usize(signal, Arc::clone(&signals.received), number)?;
            flag::register_conditional_default(signal, Arc::clone(&signals.outside_writes))?;
        }
        Ok(signals)
    }

    /// Runs `write` with the signals caught: either one sets the flag `write`
    /// is given instead of ending the process. Once `write` returns, they end
    /// the process again. One write at a time.
    pub fn during<T>(&self, write: impl FnOnce(&AtomicBool) -> T) -> T {
        self.outside_writes.store(false, Ordering::SeqCst);
        let result = write(&self.stop);
        self.outside_writes.store(true, Ordering::SeqCst);
        result
    }

    /// The signal received during a write, if any.
    pub fn caught(&self) -> Option<Caught> {
        match self.received.load(Ordering::SeqCst) {
            0 => None,
            number => i32::try_from(number).ok().map(Caught),
        }
    }
}

/// A signal caught during a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caught(i32);

impl Caught {
    /// `SIGINT`, `SIGTERM`.
    pub fn name(self) -> &'static str {
        signal_hook::low_level::signal_name(self.0).unwrap_or("a signal")
    }

    /// 128 + the signal's number, as a shell reports a process the signal
    /// ended: 130 for SIGINT, 143 for SIGTERM.
    pub fn exit_code(self) -> u8 {
        u8::try_from(128 + self.0).unwrap_or(u8::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signal_during_a_write_sets_the_flag_instead_of_ending_the_process() {
        let signals = WriteSignals::installed().expect("handlers installed");

        let seen = signals.during(|stop| {
            signal_hook::low_level::raise(SIGTERM).expect("raised");
            stop.load(Ordering::SeqCst)
        });

        assert!(seen);
        let caught = signals.caught().expect("caught");
        assert_eq!((caught.name(), caught.exit_code()), ("SIGTERM", 143));
    }
}
