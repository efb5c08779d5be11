//! The HTTP server: an accept loop over an already bound listener, one hyper
//! connection task per client, and a graceful stop when `shutdown` resolves.
//!
//! - [`router`]: which endpoint answers a path, from which scenario.
//! - [`access`]: the checks every API endpoint shares (method, address, credentials).
//! - [`body`]: reading a request body under the 64 KiB cap.
//! - [`connection`]: one client connection, closed when idle or when the server stops.
//! - [`click_detail`], [`ping`], [`admin`]: the endpoints; [`admin_input`]: what the admin endpoints read alike;
//!   [`admin_token`]: the bearer token the admin API may ask for.
//! - [`action`], [`lifecycle`]: the transaction lifecycle's actions and their answers.
//! - [`postbacks`]: conversions, the postback log and its targets, in the admin API.
//! - [`faults`]: latency, fault outcomes and rate limits applied to answers.
//! - [`limits`]: header timeout and size, idle timeout, connection cap.
//! - [`openapi`]: `GET /__mock/openapi.yaml`, the contract as a document.
//! - [`request`]: what the API endpoints read of a request, in one pass.
//! - [`request_log`]: the one log line per request.
//! - [`response`]: JSON responses and what a request's outcome was.
//! - [`ui`]: `GET /__mock/ui`, the QA console built into the binary.
//! - [`reload`]: reloads on SIGHUP and, with `--watch`, on file changes.
//! - [`state`]: the loaded scenarios, the active one, the journal, reloads.

pub mod access;
pub mod action;
pub mod admin;
pub mod admin_input;
pub mod admin_token;
pub mod body;
pub mod click_detail;
pub mod connection;
pub mod faults;
pub mod lifecycle;
pub mod limits;
pub mod openapi;
pub mod ping;
pub mod postbacks;
pub mod reload;
pub mod request;
pub mod request_log;
pub mod response;
pub mod router;
pub mod state;
pub mod ui;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

use limits::{Activity, MIN_HEADER_BYTES, TrackedStream};
pub use router::Router;
pub use state::{MockOptions, MockState};

/// How long requests in flight may take to finish once shutdown starts.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Serves `state` on `listener` until `shutdown` resolves, then stops
/// accepting, lets requests in flight finish (up to [`SHUTDOWN_GRACE`]) and
/// returns. The limits of [`MockOptions::limits`] apply to every connection.
pub async fn run(listener: TcpListener, state: Arc<MockState>, shutdown: impl Future<Output = ()>) {
    let limits = state.limits();
    let router = Arc::new(Router::new(state));
    let (stop_connections, stopping) = watch::channel(());
    // One permit per open connection; shutdown waits until all are back.
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    // Refusing takes a moment too; past this many at once, just close.
    let refusals = Arc::new(Semaphore::new(limits::MAX_REFUSALS));
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_header_size(limits.max_header_bytes)
        .max_buf_size(limits.max_header_bytes.max(MIN_HEADER_BYTES));
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
                let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
                    tracing::warn!(%peer, max = limits.max_connections, "too many connections: answered 503");
                    if let Ok(refusing) = Arc::clone(&refusals).try_acquire_owned() {
                        tokio::spawn(async move {
                            limits::refuse(stream).await;
                            drop(refusing);
                        });
                    }
                    continue;
                };
                let activity = Activity::new();
                // Requests clone this per-connection handle, not the router
                // itself, whose count every connection would contend for.
                let connection_router = Arc::new(Arc::clone(&router));
                let service = service_fn({
                    let activity = Arc::clone(&activity);
                    move |request| {
                        let router = Arc::clone(&connection_router);
                        let working = activity.request_started();
                        // An error closes the connection without an answer: the
                        // scenario's `drop_connection` fault.
                        async move {
                            let answer = router.handle(request, peer).await;
                            drop(working);
                            answer
                        }
                    }
                });
                let io = TokioIo::new(TrackedStream::new(stream, Arc::clone(&activity)));
                let connection = builder.serve_connection(io, service);
                let stopping = stopping.clone();
                let idle_timeout = limits.idle_timeout;
                tokio::spawn(async move {
                    connection::serve(connection, activity, idle_timeout, stopping).await;
                    drop(slot);
                });
            }
            () = &mut shutdown => {
                // Stop accepting first, so new clients are refused rather than left waiting.
                drop(listener);
                break;
            }
        }
    }
    // Idle connections close now; busy ones once their answer is sent.
    drop(stop_connections);
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    match tokio::time::timeout(SHUTDOWN_GRACE, slots.acquire_many(all)).await {
        Ok(_) => tracing::info!("all connections closed"),
        Err(_) => {
            tracing::warn!("requests still running after {SHUTDOWN_GRACE:?}; stopping anyway")
        }
    }
}
