//! The HTTP server: an accept loop over an already bound listener, one hyper
//! connection task per client, and a graceful stop when `shutdown` resolves.
//!
//! - [`router`]: which endpoint answers a path, and the per-request log line.
//! - [`access`]: the checks every API endpoint shares (method, address, credentials).
//! - [`body`]: reading a request body under the 64 KiB cap.
//! - [`click_detail`], [`ping`], [`admin`]: the endpoints.
//! - [`faults`]: latency, fault outcomes and rate limits applied to answers.
//! - [`response`]: JSON responses and what a request's outcome was.
//! - [`reload`]: reloads on SIGHUP and, with `--watch`, on file changes.
//! - [`state`]: the loaded scenarios, the active one, the journal, reloads.

pub mod access;
pub mod admin;
pub mod body;
pub mod click_detail;
pub mod faults;
pub mod ping;
pub mod reload;
pub mod response;
pub mod router;
pub mod state;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;

pub use router::Router;
pub use state::{MockOptions, MockState};

/// How long requests in flight may take to finish once shutdown starts.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// How long a client may take to send its request headers.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves `state` on `listener` until `shutdown` resolves, then stops
/// accepting, lets requests in flight finish (up to [`SHUTDOWN_GRACE`]) and returns.
pub async fn run(listener: TcpListener, state: Arc<MockState>, shutdown: impl Future<Output = ()>) {
    let router = Arc::new(Router::new(state));
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(err) => {
                        // Out of file descriptors and the like: wait a moment, keep serving.
                        tracing::warn!(error = %err, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let router = Arc::clone(&router);
                let service = service_fn(move |request| {
                    let router = Arc::clone(&router);
                    // An error closes the connection without an answer: the
                    // scenario's `drop_connection` fault.
                    async move { router.handle(request, peer).await }
                });
                let connection = builder.serve_connection(TokioIo::new(stream), service);
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    if let Err(err) = connection.await {
                        tracing::debug!(error = %err, %peer, "connection ended with an error");
                    }
                });
            }
            () = &mut shutdown => {
                // Stop accepting first, so new clients are refused rather than left waiting.
                drop(listener);
                break;
            }
        }
    }
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("all connections closed"),
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {
            tracing::warn!("requests still running after {SHUTDOWN_GRACE:?}; stopping anyway");
        }
    }
}
