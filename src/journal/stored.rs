//! An entry as the journal holds it: its texts, cut as [`super::entry`]
//! says, one after another in a single heap block. A request's entry is
//! then two allocations (the boxed entry and its texts) instead of one per
//! text, which the request path pays for on every API request; the
//! [`JournalEntry`] a reader gets is built from it when asked for.

use std::mem::size_of;
use std::time::SystemTime;

use time::OffsetDateTime;

use super::entry::{JournalEntry, Received, Truncated, cut, heap_block};

/// One API request as the journal keeps it.
#[derive(Debug)]
pub struct StoredEntry {
    seq: u64,
    time: SystemTime,
    parameter: Option<&'static str>,
    outcome: &'static str,
    status: Option<u16>,
    truncated: Truncated,
    has_value: bool,
    has_click_hash: bool,
    /// Where the method, the path, the scenario and the value end in
    /// `texts`; the click hash runs from the last to the end.
    ends: [u32; 4],
    /// The method, the path, the scenario name, the value and the click
    /// hash, each as the entry keeps it, one after another. Its capacity
    /// may be more than they need when the entry was refilled.
    texts: String,
}

/// What the journal holds for an entry whose texts add up to `text_bytes`:
/// the entry's own block and one block for its texts, each rounded as
/// glibc rounds it.
fn stored_bytes(text_bytes: usize) -> usize {
    heap_block(size_of::<StoredEntry>()) + heap_block(text_bytes)
}

impl JournalEntry {
    /// What the journal holds in memory for this entry when it is new, in
    /// bytes: its own block and one block for all its texts, each rounded
    /// as glibc's allocator rounds it.
    pub fn memory_bytes(&self) -> usize {
        let texts = [
            Some(&self.method),
            Some(&self.path),
            Some(&self.scenario),
            self.value.as_ref(),
            self.click_hash.as_ref(),
        ];
        stored_bytes(texts.into_iter().flatten().map(String::len).sum())
    }
}

impl From<Received<'_>> for JournalEntry {
    fn from(received: Received<'_>) -> Self {
        StoredEntry::new(received).to_entry()
    }
}

impl StoredEntry {
    /// Keeps `received`, its client's texts cut to [`super::MAX_TEXT_BYTES`].
    pub fn new(received: Received<'_>) -> Self {
        let mut entry = StoredEntry {
            seq: 0,
            time: SystemTime::UNIX_EPOCH,
            parameter: None,
            outcome: "",
            status: None,
            truncated: Truncated::default(),
            has_value: false,
            has_click_hash: false,
            ends: [0; 4],
            texts: String::new(),
        };
        entry.refill(received);
        entry
    }

    /// Keeps `received` instead of what it kept, in the same blocks: its
    /// text block is only allocated again when the new texts do not fit.
    pub fn refill(&mut self, received: Received<'_>) {
        let (method, method_full) = cut(received.method);
        let (path, path_full) = cut(received.path);
        let (scenario, scenario_full) = cut(received.scenario);
        let (value, value_full) = received.value.map_or(("", None), cut);
        // The click hash comes from the scenario and is kept whole.
        let click_hash = received.click_hash.unwrap_or("");
        let parts = [method, path, scenario, value, click_hash];
        let needed: usize = parts.iter().map(|p| p.len()).sum();
        if needed > self.texts.capacity() {
            // Exactly what they need, as a new entry's block would be.
            self.texts = String::with_capacity(needed);
        }
        self.texts.clear();
        for (i, part) in parts.iter().enumerate() {
            self.texts.push_str(part);
            if let Some(end) = self.ends.get_mut(i) {
                // The first four are cut to at most 256 bytes each.
                *end = u32::try_from(self.texts.len()).unwrap_or(u32::MAX);
            }
        }
        self.seq = received.seq;
        self.time = received.time;
        self.parameter = received.parameter;
        self.outcome = received.outcome;
        self.status = received.status;
        self.truncated = Truncated {
            method: method_full,
            path: path_full,
            scenario: scenario_full,
            value: value_full,
        };
        self.has_value = received.value.is_some();
        self.has_click_hash = received.click_hash.is_some();
    }

    /// Its sequence number.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// What it holds in memory, in bytes (see [`stored_bytes`]): its text
    /// block as allocated, which a refilled entry may not use whole.
    pub fn memory_bytes(&self) -> usize {
        stored_bytes(self.texts.capacity())
    }

    /// Text `i` of method, path, scenario, value, click hash.
    fn text(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        let end = self.ends.get(i).map_or(self.texts.len(), |&e| e as usize);
        &self.texts[start..end]
    }

    /// The entry a reader gets.
    pub fn to_entry(&self) -> JournalEntry {
        JournalEntry {
            seq: self.seq,
            time: OffsetDateTime::from(self.time),
            method: self.text(0).to_owned(),
            path: self.text(1).to_owned(),
            scenario: self.text(2).to_owned(),
            parameter: self.parameter,
            value: self.has_value.then(|| self.text(3).to_owned()),
            outcome: self.outcome,
            click_hash: self.has_click_hash.then(|| self.text(4).to_owned()),
            status: self.status,
            truncated: self.truncated,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn received<'a>(value: Option<&'a str>, click_hash: Option<&'a str>) -> Received<'a> {
        Received {
            seq: 7,
            time: SystemTime::UNIX_EPOCH,
            method: "GET",
            path: "/api/transaction/click_detail",
            scenario: "default",
            parameter: value.map(|_| "transaction_hash"),
            value,
            outcome: "click",
            click_hash,
            status: Some(200),
        }
    }

    #[test]
    fn every_text_reads_back_as_it_was_kept() {
        let long = "é".repeat(200);
        for (value, click_hash) in [
            (None, None),
            (Some(""), Some("")),
            (
                Some("ac35ffba0fc0007.24591976"),
                Some("35b71a300115be9.16738986"),
            ),
            (Some(long.as_str()), None),
            (None, Some(long.as_str())),
        ] {
            let entry = StoredEntry::new(received(value, click_hash)).to_entry();
            assert_eq!(entry.method, "GET");
            assert_eq!(entry.path, "/api/transaction/click_detail");
            assert_eq!(entry.scenario, "default");
            assert_eq!(entry.value.as_deref(), value.map(|v| cut(v).0));
            assert_eq!(entry.truncated.value, value.and_then(|v| cut(v).1));
            // The click hash is the scenario's, never cut.
            assert_eq!(entry.click_hash.as_deref(), click_hash);
            assert_eq!(
                (entry.seq, entry.status, entry.outcome),
                (7, Some(200), "click")
            );
        }
    }

    #[test]
    fn the_arrival_reads_back_as_the_same_instant_in_utc() {
        let nanos = 1_795_701_787_512_999_999;
        let arrived = SystemTime::UNIX_EPOCH + std::time::Duration::from_nanos(nanos);
        let entry = StoredEntry::new(Received {
            time: arrived,
            ..received(None, None)
        })
        .to_entry();

        let expected = OffsetDateTime::from_unix_timestamp_nanos(nanos.into()).expect("a time");
        assert_eq!(entry.time, expected);
        assert_eq!(entry.time.offset(), time::UtcOffset::UTC);
    }

    #[test]
    fn a_refilled_entry_reads_as_a_new_one_and_counts_its_block_as_allocated() {
        let long = "x".repeat(300);
        let first = Received {
            seq: 1,
            method: &long,
            status: None,
            ..received(Some(&long), Some("35b71a300115be9.16738986"))
        };
        let second = Received {
            path: "/api/service/ping",
            parameter: None,
            outcome: "ping",
            ..received(None, None)
        };
        let mut stored = StoredEntry::new(first);
        let large = stored.memory_bytes();
        stored.refill(second);
        assert_eq!(stored.to_entry(), StoredEntry::new(second).to_entry());
        // The texts fit in the block the first entry had: it is kept.
        assert_eq!(stored.memory_bytes(), large);
        assert!(stored.memory_bytes() > StoredEntry::new(second).memory_bytes());
        // Texts that do not fit get a block of their own size.
        stored.refill(Received { seq: 3, ..first });
        let larger = Received {
            scenario: &long,
            ..first
        };
        stored.refill(larger);
        assert_eq!(stored.to_entry(), StoredEntry::new(larger).to_entry());
        assert_eq!(
            stored.memory_bytes(),
            StoredEntry::new(larger).memory_bytes()
        );
    }

    #[test]
    fn an_entry_holds_two_blocks_its_own_and_its_texts() {
        let stored = StoredEntry::new(received(Some("abc"), Some("hash")));
        let texts = "GET".len() + "/api/transaction/click_detail".len() + "default".len() + 3 + 4;
        assert_eq!(
            stored.memory_bytes(),
            heap_block(size_of::<StoredEntry>()) + heap_block(texts)
        );
        assert_eq!(stored.memory_bytes(), stored.to_entry().memory_bytes());
    }

    #[test]
    fn entries_take_what_the_readme_says() {
        // docs/admin-api.md, "The journal is bounded twice": an entry's own block of
        // 168 bytes, from 224 bytes in all (a ping) to 1,232 (every client
        // text at the cap, a 24-byte click hash).
        assert_eq!(size_of::<StoredEntry>(), 168);
        let ping = Received {
            path: "/api/service/ping",
            parameter: None,
            outcome: "ping",
            ..received(None, None)
        };
        assert_eq!(StoredEntry::new(ping).memory_bytes(), 224);
        let long = "x".repeat(300);
        let largest = Received {
            method: &long,
            path: &long,
            scenario: &long,
            ..received(Some(&long), Some("35b71a300115be9.16738986"))
        };
        assert_eq!(StoredEntry::new(largest).memory_bytes(), 1232);
    }
}
