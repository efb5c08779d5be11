//! The request journal: what each API request asked and what it got, kept
//! in memory so a test or a person can see what the code under test really
//! sent. Header values, the api-key among them, are never stored; neither is
//! the query string.
//!
//! # Bounds
//!
//! Whatever clients send, the journal holds at most [`Journal::max_bytes`]
//! (`--journal-bytes`, 16 MiB by default) as well as at most
//! [`Journal::capacity`] entries (`--journal-size`, 10,000); past either,
//! the oldest entries go first. Every text a client chose is cut to
//! [`MAX_TEXT_BYTES`] ([`entry`] says how, and what an entry counts as).
//! The byte count is memory, not JSON: the entries' heap blocks plus the
//! list's own slots, spare ones included, so the cap bounds what the
//! journal makes the process hold.
//!
//! # Pages
//!
//! [`Journal::page`] answers `GET /__mock/requests`: without `after`, the
//! newest `limit` entries; with `after=SEQ`, the oldest `limit` entries
//! whose seq is greater. Either way oldest first, at most [`MAX_PAGE`], with
//! the `after` to ask for next. [`Journal::entries`] returns every entry
//! kept, for code that filters them all.

pub mod entry;
mod stored;

use std::collections::VecDeque;
use std::mem::size_of;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

pub use entry::{JournalEntry, MAX_TEXT_BYTES, Received, Truncated, cut, heap_block, same_text};
use stored::StoredEntry;

/// How many requests the journal keeps unless told otherwise.
pub const DEFAULT_JOURNAL_SIZE: usize = 10_000;

/// How many bytes of memory the journal may hold unless told otherwise: 16 MiB.
pub const DEFAULT_JOURNAL_BYTES: usize = 16 * 1024 * 1024;

/// The most entries one page holds; a larger `limit` is taken as this. It
/// is also the page size when no `limit` is given.
pub const MAX_PAGE: usize = 1000;

/// The newest requests, oldest first, up to a number of entries and of bytes.
#[derive(Debug)]
pub struct Journal {
    capacity: usize,
    max_bytes: usize,
    next_seq: AtomicU64,
    kept: Mutex<Kept>,
}

/// The entries and what they hold.
#[derive(Debug, Default)]
struct Kept {
    /// Boxed, so that a slot (spare ones too) costs a pointer, not an entry.
    entries: VecDeque<Box<StoredEntry>>,
    /// The sum of the entries' [`JournalEntry::memory_bytes`].
    entry_bytes: usize,
}

impl Kept {
    /// The entries' blocks and the list's slots, spare ones included.
    fn bytes(&self) -> usize {
        let slots = self.entries.capacity() * size_of::<Box<StoredEntry>>();
        self.entry_bytes + heap_block(slots)
    }

    fn insert(&mut self, entry: Box<StoredEntry>) {
        self.entry_bytes += entry.memory_bytes();
        // Requests finish out of order; keep the list in arrival order. Most
        // come last, so look for their place only when they do not.
        if self
            .entries
            .back()
            .is_none_or(|last| last.seq() < entry.seq())
        {
            self.entries.push_back(entry);
        } else {
            let at = self.entries.partition_point(|e| e.seq() < entry.seq());
            self.entries.insert(at, entry);
        }
    }

    fn take_oldest(&mut self) -> Option<Box<StoredEntry>> {
        let oldest = self.entries.pop_front()?;
        self.entry_bytes -= oldest.memory_bytes();
        Some(oldest)
    }

    fn drop_oldest(&mut self) {
        drop(self.take_oldest());
    }
}

/// How much the journal holds now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JournalUsage {
    /// Entries kept.
    pub entries: usize,
    /// Bytes of memory they and the list hold (see the module's Bounds).
    pub bytes: usize,
}

/// One page of the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The entries, oldest first.
    pub entries: Vec<JournalEntry>,
    /// The `after` that asks for the entries following this page: the seq
    /// of its newest entry; when it is empty, the `after` asked with, or the
    /// newest seq kept (0 when none) when there was none.
    pub next_after: u64,
    /// Whether the journal holds entries past `next_after` right now.
    pub more: bool,
}

impl Journal {
    /// A journal keeping the newest `capacity` requests, as long as they hold
    /// at most `max_bytes` (either 0 keeps none).
    pub fn new(capacity: usize, max_bytes: usize) -> Self {
        Journal {
            capacity,
            max_bytes,
            next_seq: AtomicU64::new(1),
            // Grown as requests come, so a large capacity costs nothing up front.
            kept: Mutex::new(Kept::default()),
        }
    }

    /// How many requests it keeps at most.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many bytes of memory its entries may hold.
    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// Whether it keeps anything at all.
    pub fn is_on(&self) -> bool {
        self.capacity > 0 && self.max_bytes > 0
    }

    /// The next sequence number, taken when a request arrives.
    pub fn next_seq(&self) -> u64 {
        self.next_seq.fetch_add(1, Ordering::Relaxed)
    }

    /// Keeps `received`, its texts cut to [`MAX_TEXT_BYTES`], dropping the
    /// oldest entries past either cap. An entry larger than the byte cap on
    /// its own is not kept.
    pub fn record(&self, received: Received<'_>) {
        if !self.is_on() {
            return;
        }
        let mut kept = self.lock();
        // A full journal, as a busy one is, gives its oldest entry's blocks
        // to the new one rather than freeing them and allocating others.
        let recycled = if kept.entries.len() >= self.capacity {
            kept.take_oldest()
        } else {
            None
        };
        let entry = match recycled {
            Some(mut oldest) => {
                oldest.refill(received);
                oldest
            }
            None => Box::new(StoredEntry::new(received)),
        };
        kept.insert(entry);
        while !kept.entries.is_empty()
            && (kept.entries.len() > self.capacity || kept.bytes() > self.max_bytes)
        {
            kept.drop_oldest();
        }
        if kept.entries.is_empty() {
            // Give the slots back too, so an empty journal holds nothing.
            kept.entries = VecDeque::new();
        }
    }

    /// Every entry kept when `limit` is `None`, else the newest `limit`;
    /// oldest first.
    pub fn entries(&self, limit: Option<usize>) -> Vec<JournalEntry> {
        let kept = self.lock();
        let skip = limit.map_or(0, |limit| kept.entries.len().saturating_sub(limit));
        kept.entries
            .iter()
            .skip(skip)
            .map(|e| e.to_entry())
            .collect()
    }

    /// One page, oldest first, of at most `limit` entries (at most
    /// [`MAX_PAGE`]): those with a seq greater than `after`, from the
    /// oldest; without `after`, the newest.
    pub fn page(&self, after: Option<u64>, limit: usize) -> Page {
        let limit = limit.min(MAX_PAGE);
        let kept = self.lock();
        let all = &kept.entries;
        let (start, end) = match after {
            Some(after) => {
                let start = all.partition_point(|e| e.seq() <= after);
                (start, all.len().min(start.saturating_add(limit)))
            }
            None => (all.len().saturating_sub(limit), all.len()),
        };
        let entries: Vec<JournalEntry> = all.range(start..end).map(|e| e.to_entry()).collect();
        let next_after = match (entries.last(), after) {
            (Some(last), _) => last.seq,
            (None, Some(after)) => after,
            (None, None) => all.back().map_or(0, |newest| newest.seq()),
        };
        Page {
            more: end < all.len(),
            next_after,
            entries,
        }
    }

    /// How many entries it holds now, and how many bytes.
    pub fn usage(&self) -> JournalUsage {
        let kept = self.lock();
        JournalUsage {
            entries: kept.entries.len(),
            bytes: kept.bytes(),
        }
    }

    /// Forgets every entry; returns how many there were.
    pub fn clear(&self) -> usize {
        let mut kept = self.lock();
        let count = kept.entries.len();
        *kept = Kept::default();
        count
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        // A panic elsewhere while holding the lock leaves a list that is
        // still whole: keep serving it.
        self.kept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use proptest::prelude::*;

    use super::*;

    fn ping(seq: u64) -> Received<'static> {
        Received {
            seq,
            time: SystemTime::UNIX_EPOCH,
            method: "GET",
            path: "/api/service/ping",
            scenario: "default",
            parameter: None,
            value: None,
            outcome: "ping",
            click_hash: None,
            status: Some(200),
        }
    }

    fn seqs(entries: &[JournalEntry]) -> Vec<u64> {
        entries.iter().map(|e| e.seq).collect()
    }

    fn ping_cost() -> usize {
        JournalEntry::from(ping(1)).memory_bytes()
    }

    #[test]
    fn entries_finishing_out_of_order_are_listed_in_arrival_order() {
        let journal = Journal::new(10, DEFAULT_JOURNAL_BYTES);
        journal.record(ping(2));
        journal.record(ping(1));
        journal.record(ping(3));
        assert_eq!(seqs(&journal.entries(None)), [1, 2, 3]);
    }

    #[test]
    fn a_limit_returns_the_newest_oldest_first() {
        let journal = Journal::new(10, DEFAULT_JOURNAL_BYTES);
        (1..=5).for_each(|seq| journal.record(ping(seq)));
        assert_eq!(seqs(&journal.entries(Some(2))), [4, 5]);
    }

    #[test]
    fn a_full_journal_keeps_each_new_request_as_it_came() {
        let journal = Journal::new(2, DEFAULT_JOURNAL_BYTES);
        let values = [
            "a".repeat(200),
            String::new(),
            "b".repeat(3),
            "c".repeat(90),
        ];
        let requests: Vec<Received<'_>> = values
            .iter()
            .zip(1..)
            .map(|(value, seq)| Received {
                seq,
                value: (!value.is_empty()).then_some(value.as_str()),
                click_hash: (seq % 2 == 0).then_some("35b71a300115be9.16738986"),
                ..ping(seq)
            })
            .collect();
        for request in &requests {
            journal.record(*request);
        }
        let expected: Vec<JournalEntry> = requests[2..]
            .iter()
            .map(|r| JournalEntry::from(*r))
            .collect();
        assert_eq!(journal.entries(None), expected);
    }

    #[test]
    fn a_zero_capacity_journal_keeps_nothing() {
        let journal = Journal::new(0, DEFAULT_JOURNAL_BYTES);
        journal.record(ping(1));
        assert!(journal.entries(None).is_empty());
    }

    #[test]
    fn the_oldest_entries_go_once_the_bytes_are_spent() {
        // Room for three entries and the list's slots, not four.
        let journal = Journal::new(100, 3 * ping_cost() + 64);

        (1..=5).for_each(|seq| journal.record(ping(seq)));

        assert_eq!(seqs(&journal.entries(None)), [3, 4, 5]);
        assert!(journal.usage().bytes <= journal.max_bytes());
    }

    #[test]
    fn an_entry_larger_than_the_byte_cap_is_not_kept_and_holds_nothing() {
        let journal = Journal::new(100, ping_cost() - 1);

        journal.record(ping(1));

        assert_eq!(
            journal.usage(),
            JournalUsage {
                entries: 0,
                bytes: 0
            }
        );
    }

    #[test]
    fn a_page_after_a_seq_starts_just_past_it() {
        let journal = Journal::new(10, DEFAULT_JOURNAL_BYTES);
        (1..=5).for_each(|seq| journal.record(ping(seq)));

        let page = journal.page(Some(2), 2);

        assert_eq!(seqs(&page.entries), [3, 4]);
        assert_eq!((page.next_after, page.more), (4, true));
    }

    #[test]
    fn the_last_page_says_there_is_no_more() {
        let journal = Journal::new(10, DEFAULT_JOURNAL_BYTES);
        (1..=5).for_each(|seq| journal.record(ping(seq)));

        let page = journal.page(Some(4), 2);

        assert_eq!(seqs(&page.entries), [5]);
        assert_eq!((page.next_after, page.more), (5, false));
    }

    #[test]
    fn an_empty_page_after_a_seq_points_at_that_seq() {
        let journal = Journal::new(10, DEFAULT_JOURNAL_BYTES);
        journal.record(ping(1));

        let page = journal.page(Some(u64::MAX), 10);

        assert!(page.entries.is_empty());
        assert_eq!((page.next_after, page.more), (u64::MAX, false));
    }

    #[test]
    fn an_empty_page_without_after_points_at_the_newest_entry() {
        let journal = Journal::new(10, DEFAULT_JOURNAL_BYTES);
        (1..=3).for_each(|seq| journal.record(ping(seq)));

        let page = journal.page(None, 0);

        assert!(page.entries.is_empty());
        assert_eq!((page.next_after, page.more), (3, false));
    }

    #[test]
    fn a_page_holds_at_most_max_page_entries() {
        let journal = Journal::new(MAX_PAGE * 2, DEFAULT_JOURNAL_BYTES);
        (1..=MAX_PAGE as u64 + 5).for_each(|seq| journal.record(ping(seq)));

        assert_eq!(journal.page(None, usize::MAX).entries.len(), MAX_PAGE);
        assert_eq!(journal.page(Some(0), usize::MAX).entries.len(), MAX_PAGE);
    }

    #[test]
    fn clearing_gives_every_byte_back() {
        let journal = Journal::new(10, DEFAULT_JOURNAL_BYTES);
        (1..=3).for_each(|seq| journal.record(ping(seq)));

        assert_eq!(journal.clear(), 3);

        assert_eq!(journal.usage().bytes, 0);
    }

    /// One request: its seq, and the lengths of the texts it carries.
    fn requests() -> impl Strategy<Value = Vec<(u64, usize, usize, usize, Option<usize>)>> {
        let text = prop_oneof![0..40usize, 200..320usize, 1000..70_000usize];
        prop::collection::vec(
            (
                1..500u64,
                text.clone(),
                text.clone(),
                text.clone(),
                prop::option::of(text),
            ),
            0..120,
        )
    }

    proptest! {
        #[test]
        fn no_sequence_of_requests_holds_more_than_either_cap(
            capacity in 0..60usize,
            max_bytes in prop_oneof![0..2_000usize, 2_000..40_000usize],
            requests in requests(),
        ) {
            let journal = Journal::new(capacity, max_bytes);
            for (seq, method, path, scenario, value) in requests {
                let texts = ["M".repeat(method), "/".repeat(path), "é".repeat(scenario / 2)];
                let value = value.map(|n| "v".repeat(n));
                journal.record(Received {
                    seq,
                    method: &texts[0],
                    path: &texts[1],
                    scenario: &texts[2],
                    value: value.as_deref(),
                    ..ping(seq)
                });

                let usage = journal.usage();
                prop_assert!(usage.bytes <= max_bytes, "{:?} over {}", usage, max_bytes);
                prop_assert!(usage.entries <= capacity, "{:?} over {}", usage, capacity);
                let kept = journal.entries(None);
                let sum: usize = kept.iter().map(JournalEntry::memory_bytes).sum();
                prop_assert!(sum <= usage.bytes, "the entries hold {} but {:?}", sum, usage);
                prop_assert!(kept.windows(2).all(|w| w[0].seq <= w[1].seq));
                prop_assert!(kept.iter().all(|e| e.value.as_ref().is_none_or(|v| v.len() <= MAX_TEXT_BYTES)));
            }
        }
    }
}
