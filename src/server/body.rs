//! Reading a request body under the 64 KiB cap, without ever holding more.
//!
//! The body is read before the checks run (their order stays the contract's:
//! a 401 still wins over a 413) so that a connection is never left with unread
//! bytes: a client that is still sending when the answer comes and the socket
//! closes would see a reset instead of the answer. A body a little over the cap
//! is read and thrown away; one far over it is not read at all, and the
//! connection is closed after the answer.

use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Body;
use hyper::body::Incoming;

use crate::api_error::ErrorKind;

/// The largest body the API reads.
pub const BODY_LIMIT: usize = 64 * 1024;

/// How much of an oversized body is read and discarded to keep the connection usable.
const DRAIN_LIMIT: usize = 1024 * 1024;

/// How long a client may take to send its body.
const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a body was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyError {
    /// Over [`BODY_LIMIT`].
    TooLarge,
    /// The client stopped sending, or sent something that is not HTTP.
    Unreadable(String),
}

impl BodyError {
    /// The error kind of the contract's table that answers it, and its detail.
    pub fn kind(&self) -> (ErrorKind, Option<&str>) {
        match self {
            BodyError::TooLarge => (ErrorKind::BodyTooLarge, None),
            BodyError::Unreadable(what) => (ErrorKind::MalformedBody, Some(what)),
        }
    }
}

/// A body as read, and whether the connection can serve another request.
#[derive(Debug)]
pub struct BodyRead {
    /// The body, or why it was not read.
    pub content: Result<Bytes, BodyError>,
    /// Bytes are left unread: answer, then close.
    pub close_connection: bool,
}

/// Reads `body` under the cap.
pub async fn read(body: Incoming) -> BodyRead {
    // The length the request's `Content-Length` declared, as hyper read it
    // (none for a chunked body).
    let declared = body.size_hint().exact();
    if let Some(length) = declared
        && length > BODY_LIMIT as u64
    {
        let close_connection = length > (BODY_LIMIT + DRAIN_LIMIT) as u64
            || !drain(body, DRAIN_LIMIT + BODY_LIMIT).await;
        return BodyRead {
            content: Err(BodyError::TooLarge),
            close_connection,
        };
    }
    let mut body = Limited::new(body, BODY_LIMIT);
    // A body that arrived with its head (most do) is one frame, there at
    // once: taken as it is, with nothing gathered and no timer armed (a
    // timer entry per request is a cost every request would pay).
    let mut first = Bytes::new();
    match std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut body).poll_frame(cx))).await {
        Poll::Ready(None) => return whole(first),
        Poll::Ready(Some(Ok(frame))) => {
            // A frame that is not data is trailers: nothing to keep.
            if let Ok(data) = frame.into_data() {
                first = data;
            }
            if body.is_end_stream() {
                return whole(first);
            }
        }
        Poll::Ready(Some(Err(err))) => return unread(&*err),
        Poll::Pending => {}
    }
    // The rest is still on its way.
    match tokio::time::timeout(BODY_READ_TIMEOUT, body.collect()).await {
        Ok(Ok(rest)) if first.is_empty() => whole(rest.to_bytes()),
        Ok(Ok(rest)) => {
            let rest = rest.to_bytes();
            let mut content = BytesMut::with_capacity(first.len() + rest.len());
            content.extend_from_slice(&first);
            content.extend_from_slice(&rest);
            whole(content.freeze())
        }
        Ok(Err(err)) => unread(&*err),
        Err(_) => BodyRead {
            content: Err(BodyError::Unreadable(format!(
                "body not received within {} s",
                BODY_READ_TIMEOUT.as_secs()
            ))),
            close_connection: true,
        },
    }
}

/// A body read whole.
fn whole(content: Bytes) -> BodyRead {
    BodyRead {
        content: Ok(content),
        close_connection: false,
    }
}

/// A body that could not be read: over the cap, or cut short.
fn unread(err: &(dyn std::error::Error + Send + Sync + 'static)) -> BodyRead {
    let content = if err.downcast_ref::<LengthLimitError>().is_some() {
        Err(BodyError::TooLarge)
    } else {
        Err(BodyError::Unreadable(format!(
            "body could not be read: {err}"
        )))
    };
    BodyRead {
        content,
        close_connection: true,
    }
}

/// Reads and discards up to `limit` bytes; true when the body ended within it.
async fn drain(mut body: Incoming, limit: usize) -> bool {
    let mut seen = 0usize;
    let reading = async {
        while let Some(frame) = body.frame().await {
            let Ok(frame) = frame else { return false };
            if let Some(data) = frame.data_ref() {
                seen += data.len();
                if seen > limit {
                    return false;
                }
            }
        }
        true
    };
    tokio::time::timeout(BODY_READ_TIMEOUT, reading)
        .await
        .unwrap_or(false)
}
