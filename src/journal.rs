//! The request journal: what each API request asked and what it got, kept
//! in memory (the newest N) so a test or a person can see what the code
//! under test really sent. Header values, the api-key among them, are never
//! stored; neither is the query string.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// How many requests the journal keeps unless told otherwise.
pub const DEFAULT_JOURNAL_SIZE: usize = 10_000;

/// One API request as the journal keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalEntry {
    /// 1 for the first request the server saw; never reused, not even after
    /// the journal is cleared.
    pub seq: u64,
    /// When the request arrived, RFC 3339 in UTC.
    #[serde(serialize_with = "rfc3339")]
    pub time: OffsetDateTime,
    /// The HTTP method.
    pub method: String,
    /// The path, without the query string.
    pub path: String,
    /// The scenario that answered (or the unknown one asked for).
    pub scenario: String,
    /// The lookup parameter that decided, when the request got that far.
    pub parameter: Option<&'static str>,
    /// Its value.
    pub value: Option<String>,
    /// `click`, `ping`, the error kind (`not_found`, `unknown_scenario`...),
    /// `rate_limited`, or the fault (`fault:status`, `fault:drop_connection`...).
    pub outcome: &'static str,
    /// The click found, for `click`.
    pub click_hash: Option<String>,
    /// The status answered; `null` when the connection was dropped on purpose.
    pub status: Option<u16>,
}

fn rfc3339<S: serde::Serializer>(time: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
    let text = time.format(&Rfc3339).map_err(serde::ser::Error::custom)?;
    s.serialize_str(&text)
}

/// The newest requests, oldest first, up to a capacity.
#[derive(Debug)]
pub struct Journal {
    capacity: usize,
    next_seq: AtomicU64,
    entries: Mutex<VecDeque<JournalEntry>>,
}

impl Journal {
    /// A journal keeping the newest `capacity` requests (0 keeps none).
    pub fn new(capacity: usize) -> Self {
        Journal {
            capacity,
            next_seq: AtomicU64::new(1),
            // Grown as requests come, so a large capacity costs nothing up front.
            entries: Mutex::new(VecDeque::new()),
        }
    }

    /// How many requests it keeps at most.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The next sequence number, taken when a request arrives.
    pub fn next_seq(&self) -> u64 {
        self.next_seq.fetch_add(1, Ordering::Relaxed)
    }

    /// Keeps `entry`, dropping the oldest past the capacity.
    pub fn record(&self, entry: JournalEntry) {
        if self.capacity == 0 {
            return;
        }
        let mut entries = self.lock();
        // Requests finish out of order; keep the list in arrival order. Most
        // come last, so look for their place only when they do not.
        if entries.back().is_none_or(|last| last.seq < entry.seq) {
            entries.push_back(entry);
        } else {
            let at = entries.partition_point(|e| e.seq < entry.seq);
            entries.insert(at, entry);
        }
        while entries.len() > self.capacity {
            entries.pop_front();
        }
    }

    /// The newest `limit` entries (all when `None`), oldest first.
    pub fn entries(&self, limit: Option<usize>) -> Vec<JournalEntry> {
        let entries = self.lock();
        let skip = limit.map_or(0, |limit| entries.len().saturating_sub(limit));
        entries.iter().skip(skip).cloned().collect()
    }

    /// Forgets every entry; returns how many there were.
    pub fn clear(&self) -> usize {
        let mut entries = self.lock();
        let count = entries.len();
        entries.clear();
        count
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<JournalEntry>> {
        // A panic elsewhere while holding the lock leaves a list that is
        // still whole: keep serving it.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: u64) -> JournalEntry {
        JournalEntry {
            seq,
            time: OffsetDateTime::UNIX_EPOCH,
            method: "GET".into(),
            path: "/api/service/ping".into(),
            scenario: "default".into(),
            parameter: None,
            value: None,
            outcome: "ping",
            click_hash: None,
            status: Some(200),
        }
    }

    #[test]
    fn entries_finishing_out_of_order_are_listed_in_arrival_order() {
        let journal = Journal::new(10);
        journal.record(entry(2));
        journal.record(entry(1));
        journal.record(entry(3));
        let seqs: Vec<u64> = journal.entries(None).iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [1, 2, 3]);
    }

    #[test]
    fn a_limit_returns_the_newest_oldest_first() {
        let journal = Journal::new(10);
        (1..=5).for_each(|seq| journal.record(entry(seq)));
        let seqs: Vec<u64> = journal.entries(Some(2)).iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [4, 5]);
    }

    #[test]
    fn a_zero_capacity_journal_keeps_nothing() {
        let journal = Journal::new(0);
        journal.record(entry(1));
        assert!(journal.entries(None).is_empty());
    }
}
