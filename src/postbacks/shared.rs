//! What a scenario's outbox and its delivery tasks share: the state behind
//! one lock (targets in force, numbering, each target's line, the log), and
//! the steps a task takes on it, each checking that its generation is still
//! the current one.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::{Notify, watch};

use super::record::{Attempt, PostbackRecord, PostbackState};
use super::target::{ATTEMPT, FaultAction, SEQ, Target, VARIABLES};
use crate::metrics::{Metrics, REPLACED_TARGET};

/// The most postbacks one scenario keeps in its log, and the most that wait
/// to be sent (queued or sending). A postback past the second is dropped at
/// once (reason `queue full`) and kept as the log's newest record, so the
/// log then holds one more.
pub const MAX_POSTBACKS: usize = 10_000;

pub(super) struct Shared {
    /// The targets the scenario's files define: what a reset brings back.
    pub(super) file_targets: Arc<Vec<Target>>,
    pub(super) state: Mutex<State>,
    /// How many postbacks settled since the last reset.
    pub(super) settled: watch::Sender<u64>,
}

/// A postback waiting in its target's line.
#[derive(Debug, Clone)]
pub(super) struct Pending {
    pub seq: u64,
    pub values: Vec<String>,
    pub fault: Option<FaultAction>,
}

#[derive(Default)]
pub(super) struct Line {
    pub(super) queue: VecDeque<Pending>,
    /// Whether a task delivers this line's postbacks now.
    pub(super) running: bool,
    pub(super) wake: Arc<Notify>,
}

pub(super) struct State {
    /// Bumped by every reset, replacement and cancel: a delivery task of an
    /// older generation stops at its next step.
    pub(super) generation: u64,
    /// Told `true` when the generation ends, so attempts in flight stop.
    pub(super) cancel: watch::Sender<bool>,
    /// Once the scenario is unloaded, nothing more is queued.
    pub(super) closed: bool,
    pub(super) targets: Arc<Vec<Target>>,
    pub(super) next_seq: u64,
    /// Postbacks queued per target, for its faults.
    pub(super) counts: Vec<u64>,
    pub(super) lines: Vec<Line>,
    /// In `seq` order.
    pub(super) log: VecDeque<PostbackRecord>,
    /// How many of the log's records are not settled yet.
    pub(super) waiting: usize,
    pub(super) settled: u64,
    /// Where settled postbacks are counted (`GET /__mock/metrics`).
    pub(super) metrics: Option<Arc<Metrics>>,
    /// Whether the targets in force came from the admin API: their names
    /// are a request's, never a metric's label.
    pub(super) replaced: bool,
}

impl State {
    pub(super) fn new(targets: Arc<Vec<Target>>, generation: u64) -> State {
        let count = targets.len();
        State {
            generation,
            cancel: watch::Sender::new(false),
            closed: false,
            targets,
            next_seq: 1,
            counts: vec![0; count],
            lines: (0..count).map(|_| Line::default()).collect(),
            log: VecDeque::new(),
            waiting: 0,
            settled: 0,
            metrics: None,
            replaced: false,
        }
    }

    /// Counts `record`, just settled, in the metrics.
    pub(super) fn count_settled(&self, record: &PostbackRecord) {
        count_settled(self.metrics.as_deref(), self.replaced, record);
    }

    pub(super) fn record_mut(&mut self, seq: u64) -> Option<&mut PostbackRecord> {
        let at = self.log.binary_search_by_key(&seq, |r| r.seq).ok()?;
        self.log.get_mut(at)
    }

    /// Makes room for one more record (the oldest settled one leaves a full
    /// log); `false` when [`MAX_POSTBACKS`] already wait to be sent.
    pub(super) fn make_room(&mut self) -> bool {
        if self.log.len() >= MAX_POSTBACKS
            && let Some(at) = self.log.iter().position(|r| r.state.is_settled())
        {
            self.log.remove(at);
        }
        self.waiting < MAX_POSTBACKS
    }

    /// Counts one more postback settled.
    pub(super) fn settle_one(&mut self, was_waiting: bool) {
        if was_waiting {
            self.waiting -= 1;
        }
        self.settled += 1;
    }
}

/// The postback's variables, with its `seq` and an `attempt` number.
pub(super) fn with_numbers(values: &[String], seq: u64, attempt: u32) -> Vec<String> {
    let mut values = values.to_vec();
    values.resize(VARIABLES.len(), String::new());
    values[SEQ] = seq.to_string();
    values[ATTEMPT] = attempt.to_string();
    values
}

/// A POST's form body: every variable, in order.
pub(super) fn form_body(values: &[String]) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (name, value) in VARIABLES.iter().zip(values) {
        form.append_pair(name, value);
    }
    form.finish()
}

/// What a delivery task may do to the shared state: each step checks that
/// its generation is still the current one.
impl Shared {
    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere leaves the log as it was; delivery goes on.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The next postback of line `index`, or `None` when the line is empty
    /// (the task then ends) or its generation is over.
    pub(super) fn next(&self, generation: u64, index: usize, ending: bool) -> Next {
        let mut state = self.lock();
        if state.generation != generation {
            return Next::Stop;
        }
        let line = &mut state.lines[index];
        match line.queue.pop_front() {
            Some(pending) => Next::Deliver(pending),
            None if ending => {
                line.running = false;
                Next::Stop
            }
            None => Next::Empty,
        }
    }

    /// Sets the state of postback `seq`; settles it when the state is final.
    /// `false` when the generation is over.
    pub(super) fn set_state(&self, generation: u64, seq: u64, to: PostbackState) -> bool {
        let mut state = self.lock();
        if state.generation != generation {
            return false;
        }
        let (metrics, replaced) = (state.metrics.clone(), state.replaced);
        let Some(record) = state.record_mut(seq) else {
            return true;
        };
        let was_settled = record.state.is_settled();
        record.state = to;
        if to.is_settled() && !was_settled {
            count_settled(metrics.as_deref(), replaced, record);
            state.settle_one(true);
            self.settled.send_replace(state.settled);
        }
        true
    }

    /// Adds an attempt to postback `seq`'s record. `false` when the
    /// generation is over.
    pub(super) fn add_attempt(&self, generation: u64, seq: u64, attempt: Attempt) -> bool {
        let mut state = self.lock();
        if state.generation != generation {
            return false;
        }
        if let Some(record) = state.record_mut(seq) {
            record.attempts.push(attempt);
        }
        true
    }
}

/// Counts `record`, just settled, in `metrics`; under
/// [`REPLACED_TARGET`] when its target came from the admin API.
pub(super) fn count_settled(metrics: Option<&Metrics>, replaced: bool, record: &PostbackRecord) {
    if let Some(metrics) = metrics {
        let target = if replaced {
            REPLACED_TARGET
        } else {
            &record.target
        };
        metrics.postback(target, &record.event, record.state.name());
    }
}

/// What a delivery task does next.
pub(super) enum Next {
    Deliver(Pending),
    /// Nothing queued now.
    Empty,
    Stop,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_settled_postback_that_waited_frees_its_place_in_the_queue() {
        let mut state = State::new(Arc::new(Vec::new()), 0);
        state.waiting = 3;
        state.settle_one(true);
        assert_eq!((state.waiting, state.settled), (2, 1));
        // One that never waited (dropped as the queue was full).
        state.settle_one(false);
        assert_eq!((state.waiting, state.settled), (2, 2));
    }
}
