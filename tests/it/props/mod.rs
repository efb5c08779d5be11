//! Property tests for hostile input: whatever a client sends or a scenario
//! author writes, the mock answers or refuses with a reason, and never panics
//! or hangs.
//!
//! Each case runs under a watchdog ([`within`]), because proptest is built
//! here without its `timeout` feature: a hang fails the case instead of
//! stalling the suite. Case counts stay modest so the module runs in seconds
//! in a debug build; `PROPTEST_CASES=20000` runs more of them by hand.
//!
//! The properties are grouped by what they feed: [`params`] calls
//! `read_lookup` directly, [`loading`] loads scenarios, [`http`] sends
//! requests to a real server, [`journal`] sends sequences of them to a
//! server whose journal has a small byte cap, and [`lifecycle`] sends
//! sequences of the transaction lifecycle's actions to the `lifecycle`
//! scenario. This file holds what they share: the watchdog,
//! the proptest configuration, and the strategies for bodies and Content-Type
//! headers that both `read_lookup` and the server are fed.

use std::fmt;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::TestCaseError;

use crate::util::{EXAMPLE_CLICK, FORM};

mod http;
mod journal;
mod lifecycle;
mod loading;
mod params;

/// How long one case may take before it counts as a hang (debug builds are slow).
const CASE_LIMIT: Duration = Duration::from_secs(10);

/// 256 cases a property (`PROPTEST_CASES` overrides), and shrinking bounded
/// in time so that a failure is reported within a minute.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        max_shrink_time: 30_000,
        ..ProptestConfig::default()
    }
}

/// Runs `work` on a thread of its own and returns what it returns; a panic in
/// it is resumed here, and a run longer than [`CASE_LIMIT`] fails the case
/// (the thread is left behind: there is no safe way to stop it).
fn within<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, TestCaseError> {
    let (done, result) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        let _ = done.send(work());
    });
    match result.recv_timeout(CASE_LIMIT) {
        Ok(value) => Ok(value),
        Err(RecvTimeoutError::Disconnected) => match worker.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => Err(TestCaseError::fail("the worker ended without an answer")),
        },
        Err(RecvTimeoutError::Timeout) => Err(TestCaseError::fail(format!(
            "hang: still running after {CASE_LIMIT:?}"
        ))),
    }
}

/// Bytes shown as a byte-string literal in failure reports.
#[derive(Clone, PartialEq, Eq)]
struct Raw(Vec<u8>);

impl fmt::Debug for Raw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "b\"{}\"", self.0.escape_ascii())
    }
}

/// Concatenations of `tokens` and short runs of arbitrary bytes: text that is
/// nearly a format, so parsers get past their first byte.
fn soup(tokens: &'static [&'static str], max_pieces: usize) -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        3 => select(tokens).prop_map(|t| t.as_bytes().to_vec()),
        1 => prop::collection::vec(any::<u8>(), 0..6),
    ];
    prop::collection::vec(piece, 0..max_pieces).prop_map(|pieces| pieces.concat())
}

const FORM_TOKENS: &[&str] = &[
    "transaction_hash",
    "subscription_id",
    "orderid",
    "=",
    "&",
    "+",
    "%",
    "%2",
    "%zz",
    "%FF",
    "%C3%28",
    "%00",
    EXAMPLE_CLICK,
    "SUB-77",
    "ORD-1001",
    "é",
];

const JSON_TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    "\"transaction_hash\"",
    "\"subscription_id\"",
    "\"orderid\"",
    "\"35b71a300115be9.16738986\"",
    "\"\"",
    "\"\\ud800\"",
    "\"\\u0000\"",
    "1e999",
    "-0",
    "18446744073709551616",
    "0.1",
    "null",
    "true",
    " ",
];

/// The boundary the multipart content types below announce.
const BOUNDARY: &str = "XyZ";

const MULTIPART_TOKENS: &[&str] = &[
    "--XyZ",
    "--XyZ--",
    "--",
    "\r\n",
    "\r\n\r\n",
    "Content-Disposition: form-data; name=\"transaction_hash\"",
    "Content-Disposition: form-data; name=\"orderid\"",
    "Content-Disposition: form-data; name=\"upload\"; filename=\"a.txt\"",
    "Content-Disposition: form-data",
    "Content-Type: text/plain",
    "Content-Transfer-Encoding: base64",
    EXAMPLE_CLICK,
    "\u{FEFF}",
];

const CONTENT_TYPES: &[&str] = &[
    FORM,
    "application/x-www-form-urlencoded; charset=utf-8",
    "application/json",
    "application/json; charset=utf-8",
    "application/vnd.x+json",
    "multipart/form-data; boundary=XyZ",
    "multipart/form-data; boundary=\"XyZ\"",
    "multipart/form-data",
    "multipart/form-data; boundary=",
    "text/plain",
    "application/xml",
    "*/*",
    "",
    ";",
    "application/",
];

/// Bytes a header value may hold: tab, visible ASCII, space and obs-text.
fn header_bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![Just(b'\t'), 0x20u8..0x7f, 0x80u8..=0xff];
    prop::collection::vec(byte, 0..max)
}

/// A Content-Type header: none, a real one, a real one with junk after it,
/// or any header value at all.
fn content_type() -> impl Strategy<Value = Option<Raw>> {
    prop_oneof![
        1 => Just(None),
        4 => select(CONTENT_TYPES).prop_map(|t| Some(Raw(t.as_bytes().to_vec()))),
        2 => (select(CONTENT_TYPES), header_bytes(20))
            .prop_map(|(t, junk)| Some(Raw([t.as_bytes(), &junk].concat()))),
        2 => header_bytes(40).prop_map(|v| Some(Raw(v))),
    ]
}

/// A body: arbitrary bytes, or nearly a form, a JSON object or a multipart body.
fn body() -> impl Strategy<Value = Raw> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..256),
        soup(FORM_TOKENS, 24),
        soup(JSON_TOKENS, 24),
        soup(MULTIPART_TOKENS, 24),
    ]
    .prop_map(Raw)
}
