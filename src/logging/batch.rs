//! Log lines from every thread, gathered and written out in large writes, in
//! the order they were logged. A thread that logs adds its line and goes on:
//! the one thread whose line filled the buffer writes it out, and a thread
//! that finds a write in progress leaves its lines to that write, rather
//! than waiting for the output (a file's page cache, a pipe's reader) as a
//! buffer behind one lock would make it wait. Only past [`MAX_WAITING`]
//! bytes does a thread that logs wait, so a stuck output (a pipe nobody
//! reads) holds the server back instead of its memory growing.

use std::io::Write;
use std::mem;
use std::sync::{Mutex, MutexGuard, PoisonError, TryLockError};

/// How many bytes of lines are gathered into one write.
pub const BUFFER_BYTES: usize = 64 * 1024;

/// How many bytes of lines may wait while a write is in progress before a
/// thread that logs waits for it. With the lines being written, at most
/// about twice this is held.
pub const MAX_WAITING: usize = 1024 * 1024;

/// Lines gathered for `W`.
#[derive(Debug)]
pub struct Batch<W> {
    /// The lines not yet taken by a write.
    waiting: Mutex<Vec<u8>>,
    /// Held by the thread writing, so that lines leave in the order they
    /// were taken.
    output: Mutex<Output<W>>,
}

#[derive(Debug)]
struct Output<W> {
    writer: W,
    /// The lines being written, swapped with the waiting ones so that
    /// neither buffer is allocated again.
    taken: Vec<u8>,
}

impl<W: Write> Batch<W> {
    /// An empty batch for `writer`.
    pub fn new(writer: W) -> Self {
        Batch {
            waiting: Mutex::new(Vec::with_capacity(BUFFER_BYTES)),
            output: Mutex::new(Output {
                writer,
                taken: Vec::with_capacity(BUFFER_BYTES),
            }),
        }
    }

    /// Adds `line` (with its newline) after the lines logged before it, and
    /// writes the batch out once it holds [`BUFFER_BYTES`].
    pub fn write_line(&self, line: &[u8]) {
        let waiting = {
            let mut waiting = lock(&self.waiting);
            waiting.extend_from_slice(line);
            waiting.len()
        };
        if waiting >= BUFFER_BYTES {
            self.write_out(waiting >= MAX_WAITING);
        }
    }

    /// Writes out every line logged before the call, waiting for a write
    /// in progress.
    pub fn flush(&self) {
        self.write_out(true);
    }

    /// Writes the waiting lines until none are left. With another write in
    /// progress, returns at once unless `wait`: that write takes them, or,
    /// if it had just taken its last, the next line past [`BUFFER_BYTES`]
    /// or the flusher's next tick does.
    fn write_out(&self, wait: bool) {
        let mut output = match self.output.try_lock() {
            Ok(output) => output,
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(TryLockError::WouldBlock) if wait => lock(&self.output),
            Err(TryLockError::WouldBlock) => return,
        };
        let Output { writer, taken } = &mut *output;
        loop {
            {
                let mut waiting = lock(&self.waiting);
                if waiting.is_empty() {
                    break;
                }
                mem::swap(&mut *waiting, taken);
            }
            // Nowhere to report a failure to write the log.
            let _ = writer.write_all(taken);
            taken.clear();
        }
        let _ = writer.flush();
    }
}

/// Locks `mutex`; a thread that panicked while holding it left whole lines.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::Arc;
    use std::sync::mpsc::{self, Receiver, Sender};
    use std::thread;
    use std::time::Duration;

    use super::*;
    use crate::text_line::captured::Captured;

    /// A writer that keeps what it is given; with a gate, each write
    /// first says it started, then waits until the test lets it go on.
    struct Kept {
        written: Captured,
        gate: Option<(Sender<()>, Receiver<()>)>,
    }

    impl io::Write for Kept {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            if let Some((started, go_on)) = &self.gate {
                started.send(()).unwrap();
                go_on.recv().unwrap();
            }
            self.written.write(bytes)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// A batch writing into what it returns beside it.
    fn batch(gate: Option<(Sender<()>, Receiver<()>)>) -> (Arc<Batch<Kept>>, Captured) {
        let written = Captured::default();
        let writer = Kept {
            written: written.clone(),
            gate,
        };
        (Arc::new(Batch::new(writer)), written)
    }

    fn kept() -> (Arc<Batch<Kept>>, Captured) {
        batch(None)
    }

    /// A batch whose writes wait at a gate: `started` hears of each write,
    /// `go_on` lets one finish.
    fn gated() -> (Arc<Batch<Kept>>, Captured, Receiver<()>, Sender<()>) {
        let (started_tx, started) = mpsc::channel();
        let (go_on, go_on_rx) = mpsc::channel();
        let (batch, written) = batch(Some((started_tx, go_on_rx)));
        (batch, written, started, go_on)
    }

    /// Waits for a gated write to start; a write that never comes fails
    /// the test rather than hanging it.
    fn wait_for_write(started: &Receiver<()>) {
        started
            .recv_timeout(Duration::from_secs(30))
            .expect("a write started");
    }

    /// Starts a thread logging `line`, which fills the buffer, and waits
    /// until its write is held at the gate.
    fn held_write(
        batch: &Arc<Batch<Kept>>,
        started: &Receiver<()>,
        line: &str,
    ) -> thread::JoinHandle<()> {
        let batch = Arc::clone(batch);
        let line = line.to_string();
        let writing = thread::spawn(move || batch.write_line(line.as_bytes()));
        wait_for_write(started);
        writing
    }

    /// A line of `len` bytes, its newline included, starting with `name`.
    fn line(name: &str, len: usize) -> String {
        format!("{name}{}\n", "x".repeat(len - name.len() - 1))
    }

    #[test]
    fn lines_wait_for_the_buffer_to_fill_or_a_flush() {
        let (batch, written) = kept();
        batch.write_line(b"first\n");
        batch.write_line(b"second\n");
        assert_eq!(written.text(), "");
        batch.flush();
        assert_eq!(written.text(), "first\nsecond\n");
        // 64 KiB, as docs/command-line.md says, are gathered before a write.
        let almost = line("almost", 64 * 1024 - "third\n".len() - 1);
        batch.write_line(b"third\n");
        batch.write_line(almost.as_bytes());
        assert_eq!(written.text(), "first\nsecond\n");
        batch.write_line(b"\n");
        assert_eq!(written.text(), format!("first\nsecond\nthird\n{almost}\n"));
    }

    #[test]
    fn every_threads_lines_arrive_whole_and_in_their_order() {
        let (batch, written) = kept();
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let batch = Arc::clone(&batch);
                thread::spawn(move || {
                    for i in 0..5000 {
                        batch.write_line(format!("thread {t} line {i}\n").as_bytes());
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        batch.flush();
        let text = written.text();
        assert_eq!(text.lines().count(), 4 * 5000);
        for t in 0..4 {
            let prefix = format!("thread {t} line ");
            let numbers: Vec<usize> = text
                .lines()
                .filter_map(|line| line.strip_prefix(&prefix))
                .map(|n| n.parse().unwrap())
                .collect();
            assert_eq!(numbers, (0..5000).collect::<Vec<_>>(), "thread {t}");
        }
    }

    #[test]
    fn a_thread_does_not_wait_for_anothers_write_and_its_lines_follow() {
        let (batch, written, started, go_on) = gated();
        let full = line("full", BUFFER_BYTES);
        let writing = held_write(&batch, &started, &full);
        // The write is held at the gate; a full buffer's worth more does
        // not make this thread wait for it.
        let (done, returned) = mpsc::channel();
        let other = {
            let batch = Arc::clone(&batch);
            thread::spawn(move || {
                batch.write_line(b"after\n");
                batch.write_line(line("more", BUFFER_BYTES).as_bytes());
                done.send(()).unwrap();
            })
        };
        returned
            .recv_timeout(Duration::from_secs(30))
            .expect("logging returned while another thread was writing");
        other.join().unwrap();
        // The writing thread takes the lines logged meanwhile too.
        go_on.send(()).unwrap();
        wait_for_write(&started);
        go_on.send(()).unwrap();
        writing.join().unwrap();
        let expected = format!("{full}after\n{}", line("more", BUFFER_BYTES));
        assert_eq!(written.text(), expected);
    }

    #[test]
    fn past_the_cap_a_thread_waits_for_the_write_in_progress() {
        let (batch, written, started, go_on) = gated();
        let writing = held_write(&batch, &started, &line("full", BUFFER_BYTES));
        let (done, returned) = mpsc::channel();
        let over = {
            let batch = Arc::clone(&batch);
            thread::spawn(move || {
                batch.write_line(line("over", MAX_WAITING).as_bytes());
                done.send(()).unwrap();
            })
        };
        // Held while the first write is: it has not returned after a while,
        // and returns once that write goes on.
        assert!(returned.recv_timeout(Duration::from_millis(200)).is_err());
        go_on.send(()).unwrap();
        // The first writer takes the waiting megabyte next, or the waiting
        // thread writes it: one more write either way.
        wait_for_write(&started);
        go_on.send(()).unwrap();
        returned
            .recv_timeout(Duration::from_secs(30))
            .expect("returned once the write went on");
        over.join().unwrap();
        writing.join().unwrap();
        assert_eq!(written.text().len(), BUFFER_BYTES + MAX_WAITING);
    }

    #[test]
    fn a_flush_waits_for_the_write_in_progress_and_writes_the_rest() {
        let (batch, written, started, go_on) = gated();
        let full = line("full", BUFFER_BYTES);
        let writing = held_write(&batch, &started, &full);
        batch.write_line(b"last\n");
        let flushing = {
            let batch = Arc::clone(&batch);
            thread::spawn(move || batch.flush())
        };
        go_on.send(()).unwrap();
        wait_for_write(&started);
        go_on.send(()).unwrap();
        flushing.join().unwrap();
        writing.join().unwrap();
        assert_eq!(written.text(), format!("{full}last\n"));
    }
}
