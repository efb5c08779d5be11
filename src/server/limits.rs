//! What one client can make the server hold, and for how long: a header
//! read timeout, a header size cap, an idle keep-alive timeout, and a cap on
//! open connections past which new ones get a 503 and are closed.
//! (The 64 KiB body cap is in [`super::body`].)

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;

/// The limits, each set by a flag of `serve`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How long a client may take to send a request's headers, counted from
    /// when the connection is ready for the request.
    pub header_read_timeout: Duration,
    /// The largest request head (request line and headers) in bytes; more is 431.
    pub max_header_bytes: usize,
    /// How long a kept-alive connection may stay silent between requests.
    pub idle_timeout: Duration,
    /// How many connections may be open at once.
    pub max_connections: usize,
}

/// How many connections over the cap may be getting their 503 at once;
/// beyond that they are closed without one.
pub const MAX_REFUSALS: usize = 64;

/// The smallest head size hyper can work with.
pub const MIN_HEADER_BYTES: usize = 8192;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_read_timeout: Duration::from_secs(10),
            max_header_bytes: 16 * 1024,
            idle_timeout: Duration::from_secs(5),
            max_connections: 1024,
        }
    }
}

/// The answer to a connection over the cap.
const TOO_MANY_CONNECTIONS: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
content-type: application/json\r\n\
retry-after: 1\r\n\
connection: close\r\n\
content-length: 51\r\n\r\n\
{\"result\":\"error\",\"message\":\"Too many connections\"}";

/// Answers a connection over the cap with a 503 and closes it. The request
/// head is read first (for at most a second), so that the client sees an
/// answer to what it sent; what follows is read and dropped, so that closing
/// does not reset the connection before the client has read the answer.
pub async fn refuse(mut stream: TcpStream) {
    let answer = async {
        let mut head = Vec::new();
        let mut chunk = [0u8; 4096];
        let read_head = async {
            while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
                match stream.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&chunk[..n]),
                }
            }
        };
        let _ = tokio::time::timeout(Duration::from_secs(1), read_head).await;
        stream.write_all(TOO_MANY_CONNECTIONS).await?;
        stream.shutdown().await?;
        let mut sink = [0u8; 4096];
        let mut drained = 0;
        while drained < 64 * 1024 {
            match stream.read(&mut sink).await? {
                0 => break,
                n => drained += n,
            }
        }
        Ok::<_, std::io::Error>(())
    };
    let _ = tokio::time::timeout(Duration::from_secs(2), answer).await;
}

/// When a connection last did something, to tell when it has been idle.
#[derive(Debug)]
pub struct Activity {
    started: Instant,
    /// Milliseconds since `started` of the last byte read or answer sent.
    last: AtomicU64,
    /// Requests being answered.
    in_flight: AtomicU32,
}

impl Activity {
    /// A connection that opened now.
    pub fn new() -> Arc<Activity> {
        Arc::new(Activity {
            started: Instant::now(),
            last: AtomicU64::new(0),
            in_flight: AtomicU32::new(0),
        })
    }

    fn touch(&self) {
        let now = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last.store(now, Ordering::Relaxed);
    }

    /// A request arrived; it counts as in flight until the guard is dropped
    /// (its answer is ready, or the client went away). The clock is not
    /// read here: the read that brought its bytes noted the time, or, for
    /// a request that came in the same read as the one before it, that
    /// one's answer did, and while it is in flight it is never idle.
    pub fn request_started(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(Arc::clone(self))
    }

    /// When the connection becomes idle for `timeout` if nothing happens
    /// before; `None` while a request is being answered.
    pub fn idle_deadline(&self, timeout: Duration) -> Option<Instant> {
        if self.in_flight.load(Ordering::Relaxed) > 0 {
            return None;
        }
        let last = Duration::from_millis(self.last.load(Ordering::Relaxed));
        Some(self.started + last + timeout)
    }
}

/// A request being answered; see [`Activity::request_started`].
#[derive(Debug)]
pub struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
        self.0.touch();
    }
}

/// A TCP stream that notes every byte read in its [`Activity`], so a client
/// that is slowly sending a request is not taken for an idle one.
#[derive(Debug)]
pub struct TrackedStream {
    stream: TcpStream,
    activity: Arc<Activity>,
}

impl TrackedStream {
    /// Wraps `stream`.
    pub fn new(stream: TcpStream, activity: Arc<Activity>) -> Self {
        TrackedStream { stream, activity }
    }
}

impl AsyncRead for TrackedStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        polled
    }
}

impl AsyncWrite for TrackedStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_canned_503_says_its_length_right() {
        let text = std::str::from_utf8(TOO_MANY_CONNECTIONS).expect("ascii");
        let (_, body) = text.split_once("\r\n\r\n").expect("head and body");
        assert!(text.contains(&format!("content-length: {}\r\n", body.len())));
        let json: serde_json::Value = serde_json::from_str(body).expect("json");
        assert_eq!(json["result"], "error");
    }

    #[test]
    fn a_connection_with_a_request_in_flight_is_never_idle() {
        let activity = Activity::new();
        let working = activity.request_started();
        assert_eq!(activity.idle_deadline(Duration::from_secs(1)), None);
        drop(working);
        assert!(activity.idle_deadline(Duration::from_secs(1)).is_some());
    }
}
