//! A scenario's postbacks: the targets in force, the numbering, each
//! target's queue and the log, behind one lock that is never held across
//! an await. Queueing is a few map and list operations, so an action that
//! applies an event never waits on a receiver.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;

use super::deliver;
use super::record::{PostbackRecord, PostbackState};
use super::shared::{Line, Pending, Shared, State, count_settled, form_body, with_numbers};
use super::target::{Event, FaultAction, Target};
use crate::metrics::Metrics;

/// The most records one page of the log holds.
pub const MAX_PAGE: usize = 1000;

/// What an applied event says, for its postbacks.
#[derive(Debug, Clone)]
pub struct EventFacts {
    /// Which event.
    pub event: Event,
    /// The click's affiliate, for targets limited to one.
    pub loginid: String,
    /// The event's transaction hash.
    pub transaction_hash: String,
    /// A value for each of [`VARIABLES`]; `seq` and `attempt` are filled per
    /// postback and per attempt.
    pub values: Vec<String>,
}

/// One page of the log.
#[derive(Debug, Clone)]
pub struct Page {
    /// Oldest first.
    pub records: Vec<PostbackRecord>,
    /// The `after` that reads on from this page.
    pub next_after: u64,
    /// Whether more records come after this page.
    pub more: bool,
}

/// A scenario's postbacks: see the module's documentation.
pub struct Outbox {
    shared: Arc<Shared>,
}

impl Outbox {
    /// An outbox sending to `targets`, the scenario's own.
    pub fn new(targets: Vec<Target>) -> Outbox {
        let targets = Arc::new(targets);
        Outbox {
            shared: Arc::new(Shared {
                file_targets: Arc::clone(&targets),
                state: Mutex::new(State::new(targets, 0)),
                settled: watch::Sender::new(0),
            }),
        }
    }

    /// Counts the postbacks that settle from now on in `metrics`.
    pub fn count_in(&self, metrics: Arc<Metrics>) {
        self.shared.lock().metrics = Some(metrics);
    }

    /// The targets in force: the file's, or those put through the admin API.
    pub fn targets(&self) -> Arc<Vec<Target>> {
        Arc::clone(&self.shared.lock().targets)
    }

    /// Queues the postbacks of an event: one for each target that takes
    /// it, in target order. Returns their `seq`s.
    pub fn queue(&self, facts: &EventFacts) -> Vec<u64> {
        let mut state = self.shared.lock();
        if state.closed {
            return Vec::new();
        }
        let targets = Arc::clone(&state.targets);
        let mut seqs = Vec::new();
        for (index, target) in targets.iter().enumerate() {
            if !target.takes(facts.event, &facts.loginid) {
                continue;
            }
            let seq = state.next_seq;
            state.next_seq += 1;
            state.counts[index] += 1;
            let fault = target.fault_for(state.counts[index]);
            let values = with_numbers(&facts.values, seq, 1);
            let mut record = PostbackRecord {
                seq,
                target: target.name.clone(),
                event: facts.event.name().to_string(),
                transaction_hash: facts.transaction_hash.clone(),
                method: target.method.name().to_string(),
                url: target.url.expand(&values),
                body: (target.method == super::target::Method::Post).then(|| form_body(&values)),
                state: PostbackState::Queued,
                reason: None,
                attempts: Vec::new(),
            };
            let reason = if !state.make_room() {
                Some("queue full")
            } else if fault == Some(FaultAction::Drop) {
                Some("fault")
            } else {
                None
            };
            seqs.push(seq);
            if let Some(reason) = reason {
                record.state = PostbackState::Dropped;
                record.reason = Some(reason.to_string());
                tracing::info!(
                    seq,
                    target = %target.name,
                    event = facts.event.name(),
                    reason,
                    "postback dropped"
                );
                state.count_settled(&record);
                state.log.push_back(record);
                state.settle_one(false);
                self.shared.settled.send_replace(state.settled);
                continue;
            }
            state.log.push_back(record);
            state.waiting += 1;
            let line = &mut state.lines[index];
            line.queue.push_back(Pending { seq, values, fault });
            line.wake.notify_one();
            if !line.running {
                self.start_line(&mut state, index);
            }
        }
        seqs
    }

    /// Starts the task that delivers target `index`'s line, when a runtime
    /// is there to run it (a request handler always has one).
    fn start_line(&self, state: &mut State, index: usize) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let line = &mut state.lines[index];
        line.running = true;
        let run = deliver::Line {
            shared: Arc::clone(&self.shared),
            generation: state.generation,
            index,
            target: state.targets[index].clone(),
            wake: Arc::clone(&line.wake),
            cancel: state.cancel.subscribe(),
        };
        runtime.spawn(run.deliver());
    }

    /// Back to the file's targets, nothing queued, an empty log, `seq` and
    /// the fault counters from 1 again. Attempts in flight are abandoned.
    pub fn reset(&self) {
        let mut state = self.shared.lock();
        let generation = state.generation + 1;
        state.cancel.send_replace(true);
        let closed = state.closed;
        let metrics = state.metrics.take();
        *state = State::new(Arc::clone(&self.shared.file_targets), generation);
        state.closed = closed;
        state.metrics = metrics;
        self.shared.settled.send_replace(0);
    }

    /// Stops for good: the scenario was unloaded. Nothing queued is sent.
    pub fn close(&self) {
        self.reset();
        self.shared.lock().closed = true;
    }

    /// Puts `targets` in place of those in force until the next reset.
    /// Postbacks still queued for the old ones are dropped (reason
    /// `targets replaced`); the log and the numbering go on.
    pub fn replace_targets(&self, targets: Vec<Target>) {
        let mut state = self.shared.lock();
        state.generation += 1;
        state.cancel.send_replace(true);
        state.cancel = watch::Sender::new(false);
        let count = targets.len();
        state.targets = Arc::new(targets);
        state.counts = vec![0; count];
        state.lines = (0..count).map(|_| Line::default()).collect();
        let (metrics, replaced) = (state.metrics.clone(), state.replaced);
        for record in state.log.iter_mut().filter(|r| !r.state.is_settled()) {
            record.state = PostbackState::Dropped;
            record.reason = Some("targets replaced".to_string());
            count_settled(metrics.as_deref(), replaced, record);
        }
        state.replaced = true;
        state.settled += state.waiting as u64;
        state.waiting = 0;
        self.shared.settled.send_replace(state.settled);
    }

    /// A page of the log: records past `after` (all when `None`), at most
    /// `limit` ([`MAX_PAGE`] at most), oldest first.
    pub fn page(&self, after: Option<u64>, limit: usize) -> Page {
        let state = self.shared.lock();
        let limit = limit.min(MAX_PAGE);
        let start = after.map_or(0, |after| state.log.partition_point(|r| r.seq <= after));
        let records: Vec<PostbackRecord> =
            state.log.iter().skip(start).take(limit).cloned().collect();
        let more = state.log.len() > start + records.len();
        let next_after = records.last().map_or(after.unwrap_or(0), |r| r.seq);
        Page {
            records,
            next_after,
            more,
        }
    }

    /// Every record the log holds, oldest first.
    pub fn records(&self) -> Vec<PostbackRecord> {
        self.shared.lock().log.iter().cloned().collect()
    }

    /// How many postbacks settled since the last reset.
    pub fn settled(&self) -> u64 {
        *self.shared.settled.borrow()
    }

    /// Waits until at least `count` postbacks have settled since the last
    /// reset, or `limit` passes; `true` when they have.
    pub async fn wait_settled(&self, count: u64, limit: Duration) -> bool {
        let mut settled = self.shared.settled.subscribe();
        let reached = settled.wait_for(|n| *n >= count);
        matches!(tokio::time::timeout(limit, reached).await, Ok(Ok(_)))
    }
}

impl Drop for Outbox {
    fn drop(&mut self) {
        self.close();
    }
}

impl fmt::Debug for Outbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.shared.lock();
        f.debug_struct("Outbox")
            .field("targets", &state.targets.len())
            .field("postbacks", &state.log.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::postbacks::shared::MAX_POSTBACKS;
    use crate::postbacks::target::VARIABLES;
    use crate::postbacks::target::{Method, UrlTemplate};

    fn target(name: &str, event: Event) -> Target {
        Target {
            name: name.into(),
            url: UrlTemplate::parse("http://127.0.0.1:9/%%seq%%", |_| None).expect("url"),
            method: Method::Get,
            events: vec![event],
            loginid: None,
            timeout: Duration::from_millis(10),
            retry: Vec::new(),
            faults: Vec::new(),
        }
    }

    fn facts(event: Event) -> EventFacts {
        EventFacts {
            event,
            loginid: "1001".into(),
            transaction_hash: "h".into(),
            values: vec![String::new(); VARIABLES.len()],
        }
    }

    #[test]
    fn each_target_that_takes_the_event_gets_the_next_seq() {
        let outbox = Outbox::new(vec![
            target("a", Event::Sale),
            target("b", Event::Void),
            target("c", Event::Sale),
        ]);
        assert_eq!(outbox.queue(&facts(Event::Sale)), [1, 2]);
        assert_eq!(outbox.queue(&facts(Event::Void)), [3]);
        let records = outbox.records();
        let names: Vec<&str> = records.iter().map(|r| r.target.as_str()).collect();
        assert_eq!(names, ["a", "c", "b"]);
        assert_eq!(records[2].url, "http://127.0.0.1:9/3");
        assert!(records.iter().all(|r| r.state == PostbackState::Queued));
    }

    #[test]
    fn a_reset_empties_the_log_and_numbers_from_one_again() {
        let outbox = Outbox::new(vec![target("a", Event::Sale)]);
        outbox.queue(&facts(Event::Sale));
        outbox.replace_targets(vec![target("b", Event::Sale)]);
        assert_eq!(outbox.records()[0].state, PostbackState::Dropped);
        assert_eq!(outbox.settled(), 1);
        assert_eq!(outbox.queue(&facts(Event::Sale)), [2]);
        outbox.reset();
        assert!(outbox.records().is_empty());
        assert_eq!(outbox.settled(), 0);
        assert_eq!(outbox.targets()[0].name, "a");
        assert_eq!(outbox.queue(&facts(Event::Sale)), [1]);
        outbox.close();
        assert!(outbox.queue(&facts(Event::Sale)).is_empty());
    }

    #[test]
    fn past_the_cap_the_oldest_settled_leave_and_then_new_ones_are_dropped() {
        let mut dropping = target("a", Event::Sale);
        dropping.faults = vec![crate::postbacks::target::PostbackFault {
            trigger: crate::trigger::Trigger::First(1),
            action: FaultAction::Drop,
        }];
        let outbox = Outbox::new(vec![dropping]);
        for _ in 0..MAX_POSTBACKS {
            outbox.queue(&facts(Event::Sale));
        }
        // The first was dropped by the fault (settled), the rest wait.
        outbox.queue(&facts(Event::Sale));
        let records = outbox.records();
        assert_eq!(records.len(), MAX_POSTBACKS);
        assert_eq!(records[0].seq, 2, "the settled one left first");
        assert!(records.iter().all(|r| r.state == PostbackState::Queued));
        for extra in 1..=3 {
            outbox.queue(&facts(Event::Sale));
            let records = outbox.records();
            assert_eq!(records.len(), MAX_POSTBACKS + 1, "extra {extra}");
            let last = records.last().expect("a record");
            assert_eq!(last.seq, (MAX_POSTBACKS + 1 + extra) as u64);
            assert_eq!(last.state, PostbackState::Dropped);
            assert_eq!(last.reason.as_deref(), Some("queue full"));
            let waiting = records.iter().filter(|r| !r.state.is_settled()).count();
            assert_eq!(waiting, MAX_POSTBACKS, "extra {extra}");
        }
        assert_eq!(outbox.settled(), 4);
    }

    #[test]
    fn pages_read_on_from_next_after() {
        let outbox = Outbox::new(vec![target("a", Event::Sale)]);
        for _ in 0..5 {
            outbox.queue(&facts(Event::Sale));
        }
        let first = outbox.page(None, 2);
        assert_eq!(first.records.len(), 2);
        assert!(first.more);
        assert_eq!(first.next_after, 2);
        let rest = outbox.page(Some(first.next_after), 10);
        let seqs: Vec<u64> = rest.records.iter().map(|r| r.seq).collect();
        assert_eq!(seqs, [3, 4, 5]);
        assert!(!rest.more);
        assert_eq!(outbox.page(Some(9), 10).next_after, 9);
    }

    #[test]
    fn a_form_body_lists_every_variable_in_order() {
        let mut values = vec![String::new(); VARIABLES.len()];
        values[0] = "sale".into();
        let values = with_numbers(&values, 4, 2);
        let body = form_body(&values);
        assert!(
            body.starts_with("event=sale&seq=4&attempt=2&scenario=&"),
            "{body}"
        );
        assert!(body.ends_with("&trans_custom5="), "{body}");
        assert_eq!(body.matches('&').count(), VARIABLES.len() - 1);
    }

    #[test]
    fn a_line_of_the_generation_before_a_reset_or_a_replacement_changes_nothing() {
        let outbox = Outbox::new(vec![target("a", Event::Sale)]);
        let first = outbox.shared.lock().generation;
        outbox.reset();
        let second = outbox.shared.lock().generation;
        assert_eq!(outbox.queue(&facts(Event::Sale)), [1]);

        // An attempt of the first generation ending late, on the same seq.
        assert!(!outbox.shared.set_state(first, 1, PostbackState::Delivered));
        assert_eq!(outbox.records()[0].state, PostbackState::Queued);
        assert_eq!(outbox.settled(), 0);

        outbox.replace_targets(vec![target("b", Event::Sale)]);
        assert!(!outbox.shared.set_state(second, 1, PostbackState::Delivered));
        assert_eq!(outbox.records()[0].state, PostbackState::Dropped);
        assert_eq!(outbox.settled(), 1);
    }

    #[test]
    fn an_outbox_dropped_with_its_scenario_closes() {
        let outbox = Outbox::new(vec![target("a", Event::Sale)]);
        outbox.queue(&facts(Event::Sale));
        let shared = Arc::clone(&outbox.shared);
        assert_eq!(format!("{outbox:?}"), "Outbox { targets: 1, postbacks: 1 }");

        drop(outbox);

        let state = shared.lock();
        assert!(state.closed, "nothing more is queued or sent");
        assert!(state.log.is_empty());
    }
}
