//! Fuzzes `read_lookup` (through `n4n_mock::fuzzing`), the reading of a body and query string that
//! a client controls: whatever the bytes, it must return, never panic or hang.
//!
//! The input is split as
//!
//! - byte 0: the Content-Type: an index into [`CONTENT_TYPES`], or past its
//!   end "none" (even) or "raw" (odd);
//! - byte 1: the query's length in bytes (0: no query);
//! - for a raw Content-Type, one byte of length, then that many bytes of
//!   header value (inputs that are not a valid header value are skipped: no
//!   client can send them);
//! - the query (lossy UTF-8, as a URI only holds text), then the body: the rest.

#![no_main]

use std::sync::OnceLock;

use bytes::Bytes;
use http::HeaderValue;
use libfuzzer_sys::fuzz_target;
use tokio::runtime::{Builder, Runtime};

/// The Content-Types the body parser treats differently, and near misses.
const CONTENT_TYPES: &[&str] = &[
    "application/x-www-form-urlencoded",
    "application/json",
    "application/vnd.x+json",
    "multipart/form-data; boundary=XyZ",
    "multipart/form-data",
    "text/plain",
];

/// One current-thread runtime for the whole run.
fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| Builder::new_current_thread().build().expect("runtime"))
}

/// Takes `len` bytes off the front of `data`, or what there is.
fn take<'a>(data: &mut &'a [u8], len: usize) -> &'a [u8] {
    let (head, tail) = data.split_at(len.min(data.len()));
    *data = tail;
    head
}

fuzz_target!(|input: &[u8]| {
    let mut data = input;
    let selector = take(&mut data, 1).first().copied().unwrap_or(0);
    let query_len = usize::from(take(&mut data, 1).first().copied().unwrap_or(0));
    let content_type = match CONTENT_TYPES.get(usize::from(selector)) {
        Some(known) => Some(HeaderValue::from_static(known)),
        None if selector % 2 == 0 => None,
        None => {
            let len = usize::from(take(&mut data, 1).first().copied().unwrap_or(0));
            match HeaderValue::from_bytes(take(&mut data, len)) {
                Ok(value) => Some(value),
                Err(_) => return,
            }
        }
    };
    let query = (query_len > 0).then(|| String::from_utf8_lossy(take(&mut data, query_len)));
    let body = Bytes::copy_from_slice(data);

    let read = runtime().block_on(n4n_mock::fuzzing::read_lookup(
        content_type.as_ref(),
        body,
        query.as_deref(),
    ));

    // Empty values count as absent: a lookup always has a value.
    if let Ok(Some(lookup)) = read {
        assert!(!lookup.value.is_empty(), "empty lookup value");
    }
});
