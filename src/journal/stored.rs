//! An entry as the journal holds it: its texts, cut as [`super::entry`]
//! says, one after another in a single heap block. A request's entry is
//! then two allocations (the boxed entry and its texts) instead of one per
//! text, which the request path pays for on every API request; the
//! [`JournalEntry`] a reader gets is built from it when asked for.

use time::OffsetDateTime;

use std::mem::size_of;

use super::entry::{JournalEntry, Received, Truncated, cut, heap_block};

/// One API request as the journal keeps it.
#[derive(Debug)]
pub struct StoredEntry {
    seq: u64,
    time: OffsetDateTime,
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
    /// hash, each as the entry keeps it, one after another.
    texts: Box<str>,
}

/// What the journal holds for an entry whose texts add up to `text_bytes`:
/// the entry's own block and one block for its texts, each rounded as
/// glibc rounds it.
fn stored_bytes(text_bytes: usize) -> usize {
    heap_block(size_of::<StoredEntry>()) + heap_block(text_bytes)
}

impl JournalEntry {
    /// What the journal holds in memory for this entry, in bytes: its own
    /// block and one block for all its texts, each rounded as glibc's
    /// allocator rounds it.
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
        let (method, method_full) = cut(received.method);
        let (path, path_full) = cut(received.path);
        let (scenario, scenario_full) = cut(received.scenario);
        let (value, value_full) = received.value.map_or(("", None), cut);
        // The click hash comes from the scenario and is kept whole.
        let click_hash = received.click_hash.unwrap_or("");
        let parts = [method, path, scenario, value, click_hash];
        let mut texts = String::with_capacity(parts.iter().map(|p| p.len()).sum());
        let mut ends = [0u32; 4];
        for (i, part) in parts.iter().enumerate() {
            texts.push_str(part);
            if let Some(end) = ends.get_mut(i) {
                // The first four are cut to at most 256 bytes each.
                *end = u32::try_from(texts.len()).unwrap_or(u32::MAX);
            }
        }
        StoredEntry {
            seq: received.seq,
            time: received.time,
            parameter: received.parameter,
            outcome: received.outcome,
            status: received.status,
            truncated: Truncated {
                method: method_full,
                path: path_full,
                scenario: scenario_full,
                value: value_full,
            },
            has_value: received.value.is_some(),
            has_click_hash: received.click_hash.is_some(),
            ends,
            texts: texts.into_boxed_str(),
        }
    }

    /// Its sequence number.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// What it holds in memory, in bytes (see [`stored_bytes`]).
    pub fn memory_bytes(&self) -> usize {
        stored_bytes(self.texts.len())
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
            time: self.time,
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
            time: OffsetDateTime::UNIX_EPOCH,
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
        // README, "The journal is bounded twice": from 224 bytes (a ping)
        // to 1,232 (every client text at the cap, a 24-byte click hash).
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
