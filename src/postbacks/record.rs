//! One postback as the log keeps it: what was queued (its URL and body,
//! byte for byte the same in every run), where it stands, and each attempt.

use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;

/// Where a postback stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostbackState {
    /// Waiting for its turn (or its delay, or its retry).
    Queued,
    /// An attempt is under way.
    Sending,
    /// The receiver answered 2xx.
    Delivered,
    /// Every attempt failed.
    Failed,
    /// Never sent: a `drop` fault, a full queue, or targets replaced.
    Dropped,
}

impl PostbackState {
    /// `delivered`, `failed` or `dropped`: nothing more will happen to it.
    pub fn is_settled(self) -> bool {
        matches!(
            self,
            PostbackState::Delivered | PostbackState::Failed | PostbackState::Dropped
        )
    }

    /// Its name, as the log shows it.
    pub fn name(self) -> &'static str {
        match self {
            PostbackState::Queued => "queued",
            PostbackState::Sending => "sending",
            PostbackState::Delivered => "delivered",
            PostbackState::Failed => "failed",
            PostbackState::Dropped => "dropped",
        }
    }
}

/// One attempt to deliver a postback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    /// From 1; a duplicate's second delivery goes on counting.
    pub attempt: u32,
    /// When it started, RFC 3339 in UTC with milliseconds.
    pub time: String,
    /// The receiver's status, when it answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Why there was no answer: `connection refused`, `timed out after 5s`...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The start of the receiver's answer, at most 1 KiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    /// How long it took, in whole milliseconds.
    pub latency_ms: u64,
}

impl Attempt {
    /// Whether the receiver took it (any 2xx).
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// How much of a receiver's answer is kept.
pub const KEPT_ANSWER: usize = 1024;

/// A postback, as `GET /__mock/postbacks` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostbackRecord {
    /// Its number in the scenario, from 1, in the order events were applied.
    pub seq: u64,
    /// The target's name.
    pub target: String,
    /// `sale`, `rebill`, `void`, `chargeback` or `reversal`.
    pub event: String,
    /// The event's transaction (for a void, the void transaction).
    pub transaction_hash: String,
    /// `GET` or `POST`.
    pub method: String,
    /// The URL of its first attempt.
    pub url: String,
    /// The form body of its first attempt; `None` for GET.
    pub body: Option<String>,
    /// Where it stands.
    pub state: PostbackState,
    /// Why it was dropped: `fault`, `queue full`, `targets replaced`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Each attempt, oldest first.
    pub attempts: Vec<Attempt>,
}

/// RFC 3339 in UTC with exactly three fraction digits, as the journal writes times.
const MILLIS: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

/// `time` as the log writes it.
pub fn timestamp(time: SystemTime) -> String {
    OffsetDateTime::from(time)
        .format(MILLIS)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_reads_back_what_it_writes() {
        let record = PostbackRecord {
            seq: 3,
            target: "t".into(),
            event: "void".into(),
            transaction_hash: "h".into(),
            method: "GET".into(),
            url: "http://h/".into(),
            body: None,
            state: PostbackState::Failed,
            reason: None,
            attempts: vec![Attempt {
                attempt: 1,
                time: timestamp(SystemTime::UNIX_EPOCH),
                status: None,
                error: Some("connection refused".into()),
                response: None,
                latency_ms: 0,
            }],
        };
        let json = serde_json::to_value(&record).expect("json");
        assert_eq!(json["state"], "failed");
        assert_eq!(json["body"], serde_json::Value::Null);
        assert_eq!(json["attempts"][0]["time"], "1970-01-01T00:00:00.000Z");
        assert!(json["attempts"][0].get("status").is_none());
        let back: PostbackRecord = serde_json::from_value(json).expect("back");
        assert_eq!(back, record);
    }

    #[test]
    fn only_delivered_failed_and_dropped_are_settled() {
        assert!(!PostbackState::Queued.is_settled());
        assert!(!PostbackState::Sending.is_settled());
        assert!(PostbackState::Delivered.is_settled());
        assert!(PostbackState::Failed.is_settled());
        assert!(PostbackState::Dropped.is_settled());
    }

    #[test]
    fn any_2xx_and_only_2xx_succeeds() {
        let with = |status| Attempt {
            attempt: 1,
            time: String::new(),
            status,
            error: None,
            response: None,
            latency_ms: 0,
        };
        assert!(with(Some(200)).succeeded());
        assert!(with(Some(299)).succeeded());
        assert!(!with(Some(199)).succeeded());
        assert!(!with(Some(300)).succeeded());
        assert!(!with(None).succeeded());
    }
}
