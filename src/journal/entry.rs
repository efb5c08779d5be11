//! One journal entry: the texts a client chose (method, path, scenario name,
//! lookup value) cut to [`MAX_TEXT_BYTES`] with a mark saying so, the time
//! written to the millisecond, and what the entry costs in memory.
//!
//! # What an entry costs
//!
//! [`JournalEntry::memory_bytes`] counts what the journal holds for a new
//! entry on the heap: its own block (the journal keeps each entry boxed)
//! and one block holding all its texts ([`super::stored`]; an entry given
//! an older one's blocks may hold a larger text block, counted as it is),
//! each rounded as
//! glibc's allocator rounds a request (the size plus 8 bytes of
//! bookkeeping, to a multiple of 16, 32 at least). It
//! is memory, not JSON: the journal's byte cap is meant to bound the
//! server's resident memory, and JSON escaping would make the same entry
//! count differently from what it holds.

use std::time::SystemTime;

use serde::{Serialize, Serializer};
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

/// The most bytes of any one text a client chose that an entry keeps: the
/// method, the path, the scenario name and the lookup value. Longer texts
/// are cut on a character boundary, and the entry keeps their full length.
pub const MAX_TEXT_BYTES: usize = 256;

/// What the router knows of an API request once it is answered, before the
/// journal cuts its texts.
#[derive(Debug, Clone, Copy)]
pub struct Received<'a> {
    /// Its sequence number, taken when it arrived ([`super::Journal::next_seq`]).
    pub seq: u64,
    /// When it arrived, as the system clock read it: turned into a date
    /// only when the entry is read, not on every request.
    pub time: SystemTime,
    /// The HTTP method.
    pub method: &'a str,
    /// The path, without the query string.
    pub path: &'a str,
    /// The scenario that answered, or the unknown one `X-Mock-Scenario` named.
    pub scenario: &'a str,
    /// The lookup parameter that decided, when the request got that far.
    pub parameter: Option<&'static str>,
    /// Its value.
    pub value: Option<&'a str>,
    /// What the request came to (see [`JournalEntry::outcome`]).
    pub outcome: &'static str,
    /// The click found.
    pub click_hash: Option<&'a str>,
    /// The status answered; `None` when the connection was dropped on purpose.
    pub status: Option<u16>,
}

/// One API request as the journal keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    /// 1 for the first request the server saw; never reused, not even after
    /// the journal is cleared.
    pub seq: u64,
    /// When the request arrived; written as RFC 3339 in UTC with exactly
    /// three fraction digits (`2026-11-26T14:03:07.512Z`).
    pub time: OffsetDateTime,
    /// The HTTP method (at most [`MAX_TEXT_BYTES`]).
    pub method: String,
    /// The path, without the query string (at most [`MAX_TEXT_BYTES`]).
    pub path: String,
    /// The scenario that answered, or the unknown one asked for (at most
    /// [`MAX_TEXT_BYTES`]).
    pub scenario: String,
    /// The lookup parameter that decided, when the request got that far.
    pub parameter: Option<&'static str>,
    /// Its value (at most [`MAX_TEXT_BYTES`]).
    pub value: Option<String>,
    /// `click`, `ping`, the error kind (`not_found`, `unknown_scenario`...),
    /// `rate_limited`, or the fault (`fault:status`, `fault:drop_connection`...).
    pub outcome: &'static str,
    /// The click the request found: a lookup's match, or the click of the
    /// transaction a lifecycle action named (whether the action was done
    /// or refused for the transaction's state), also when a fault then
    /// reshaped the answer. It comes from the scenario, not from the
    /// client, and is kept whole.
    pub click_hash: Option<String>,
    /// The status answered; `null` when the connection was dropped on purpose.
    pub status: Option<u16>,
    /// Which texts were cut, and how long they were.
    pub truncated: Truncated,
}

/// The full length in bytes of each text that was longer than
/// [`MAX_TEXT_BYTES`] and cut; `None` for a text kept whole.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Truncated {
    /// The method's length.
    pub method: Option<usize>,
    /// The path's length.
    pub path: Option<usize>,
    /// The scenario name's length.
    pub scenario: Option<usize>,
    /// The lookup value's length.
    pub value: Option<usize>,
}

impl Truncated {
    /// Whether any text was cut.
    pub fn any(&self) -> bool {
        *self != Truncated::default()
    }
}

/// The part of `text` an entry keeps: at most [`MAX_TEXT_BYTES`], cut on a
/// character boundary; and its full length when it was cut.
pub fn cut(text: &str) -> (&str, Option<usize>) {
    if text.len() <= MAX_TEXT_BYTES {
        return (text, None);
    }
    let mut end = MAX_TEXT_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    (&text[..end], Some(text.len()))
}

/// Whether `expected`, a text as a client would send it, is what an entry
/// kept as `kept` (cut, with `full` bytes, or whole): the same kept part
/// and the same length.
pub fn same_text(expected: &str, kept: &str, full: Option<usize>) -> bool {
    cut(expected) == (kept, full)
}

/// The block the allocator hands out for `bytes` (none for 0): glibc's
/// rounding, the size plus 8 bytes of bookkeeping to a multiple of 16, and
/// 32 at least. Other allocators round to similar size classes.
pub fn heap_block(bytes: usize) -> usize {
    if bytes == 0 {
        return 0;
    }
    (bytes.saturating_add(8 + 15) & !15).max(32)
}

/// The entry as JSON: a cut text is followed by `<name>_truncated: true`
/// and `<name>_full_bytes`, both absent when it was kept whole.
#[derive(Serialize)]
struct Wire<'a> {
    seq: u64,
    #[serde(serialize_with = "rfc3339_millis")]
    time: &'a OffsetDateTime,
    method: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    method_truncated: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    method_full_bytes: Option<usize>,
    path: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    path_truncated: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path_full_bytes: Option<usize>,
    scenario: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    scenario_truncated: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scenario_full_bytes: Option<usize>,
    parameter: Option<&'static str>,
    value: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value_truncated: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value_full_bytes: Option<usize>,
    outcome: &'static str,
    click_hash: Option<&'a str>,
    status: Option<u16>,
}

impl Serialize for JournalEntry {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let cut = self.truncated;
        let mark = |full: Option<usize>| full.map(|_| true);
        Wire {
            seq: self.seq,
            time: &self.time,
            method: &self.method,
            method_truncated: mark(cut.method),
            method_full_bytes: cut.method,
            path: &self.path,
            path_truncated: mark(cut.path),
            path_full_bytes: cut.path,
            scenario: &self.scenario,
            scenario_truncated: mark(cut.scenario),
            scenario_full_bytes: cut.scenario,
            parameter: self.parameter,
            value: self.value.as_deref(),
            value_truncated: mark(cut.value),
            value_full_bytes: cut.value,
            outcome: self.outcome,
            click_hash: self.click_hash.as_deref(),
            status: self.status,
        }
        .serialize(s)
    }
}

/// `2026-11-26T14:03:07.512Z`: RFC 3339 in UTC, exactly three fraction
/// digits (the time cut, not rounded, to the millisecond).
const RFC3339_MILLIS: &[BorrowedFormatItem<'_>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

/// Writes `time` as [`RFC3339_MILLIS`].
fn rfc3339_millis<S: Serializer>(time: &&OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
    let utc = time
        .checked_to_offset(UtcOffset::UTC)
        .filter(|utc| (0..=9999).contains(&utc.year()))
        .ok_or_else(|| serde::ser::Error::custom("a journal time outside years 0 to 9999"))?;
    let text = utc
        .format(RFC3339_MILLIS)
        .map_err(serde::ser::Error::custom)?;
    s.serialize_str(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn received(value: Option<&str>) -> Received<'_> {
        Received {
            seq: 1,
            time: SystemTime::UNIX_EPOCH,
            method: "GET",
            path: "/api/transaction/click_detail",
            scenario: "default",
            parameter: value.map(|_| "transaction_hash"),
            value,
            outcome: "not_found",
            click_hash: None,
            status: Some(404),
        }
    }

    #[test]
    fn a_text_at_the_cap_is_kept_whole() {
        let value = "a".repeat(MAX_TEXT_BYTES);

        let entry = JournalEntry::from(received(Some(&value)));

        assert_eq!(entry.value.as_deref(), Some(value.as_str()));
        assert!(!entry.truncated.any());
    }

    #[test]
    fn a_longer_text_is_cut_on_a_character_boundary_and_keeps_its_length() {
        // 3-byte characters: the cap falls inside the 86th.
        let value = "€".repeat(100);

        let entry = JournalEntry::from(received(Some(&value)));

        assert_eq!(entry.value, Some("€".repeat(85)));
        assert_eq!(entry.truncated.value, Some(300));
        assert_eq!(entry.value.as_ref().map(String::capacity), Some(255));
    }

    #[test]
    fn the_time_has_exactly_three_fraction_digits_in_utc() {
        let time = OffsetDateTime::from_unix_timestamp_nanos(1_795_701_787_512_999_999)
            .expect("a time")
            .to_offset(UtcOffset::from_hms(2, 0, 0).expect("an offset"));
        let entry = JournalEntry {
            time,
            ..JournalEntry::from(received(None))
        };

        let json = serde_json::to_value(&entry).expect("JSON");

        assert_eq!(json["time"], "2026-11-26T14:03:07.512Z");
    }

    #[test]
    fn only_cut_texts_carry_a_mark() {
        let value = "v".repeat(1000);
        let entry = JournalEntry::from(received(Some(&value)));

        let json = serde_json::to_value(&entry).expect("JSON");

        assert_eq!(json["value_truncated"], true);
        assert_eq!(json["value_full_bytes"], 1000);
        for absent in ["method_truncated", "path_truncated", "scenario_truncated"] {
            assert!(json.get(absent).is_none(), "{absent} in {json}");
        }
    }

    #[test]
    fn heap_blocks_are_rounded_as_glibc_rounds_them() {
        assert_eq!(heap_block(0), 0);
        assert_eq!(heap_block(1), 32);
        assert_eq!(heap_block(24), 32);
        assert_eq!(heap_block(25), 48);
        assert_eq!(heap_block(256), 272);
    }
}
