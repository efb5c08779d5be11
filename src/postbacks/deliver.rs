//! Delivering one target's postbacks: one task per target, one postback at
//! a time in `seq` order, its faults applied, each attempt bounded by the
//! target's timeout and retried after its `retry` delays. A task ends when
//! its line is empty, or at once when a reset, a reload or new targets end
//! its generation (an attempt in flight is abandoned).

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::{Notify, watch};

use super::record::{Attempt, KEPT_ANSWER, PostbackState, timestamp};
use super::shared::{Next, Pending, Shared, form_body, with_numbers};
use super::target::{FaultAction, Method, Target};

/// How long a `reorder` postback waits for a next one before it goes alone.
pub const REORDER_WAIT: Duration = Duration::from_secs(5);

/// The `User-Agent` of every postback.
const USER_AGENT: &str = concat!("n4n-mock/", env!("CARGO_PKG_VERSION"));

/// The HTTP client every postback goes through: no redirects followed, no
/// proxy from the environment (a network calls the receiver directly).
fn client() -> Result<&'static reqwest::Client, String> {
    static CLIENT: OnceLock<Result<reqwest::Client, String>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .user_agent(USER_AGENT)
                .build()
                .map_err(|err| format!("no HTTP client: {err}"))
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// The task of one target's line.
pub(super) struct Line {
    pub shared: Arc<Shared>,
    pub generation: u64,
    pub index: usize,
    pub target: Target,
    pub wake: Arc<Notify>,
    pub cancel: watch::Receiver<bool>,
}

/// The generation ended.
struct Cancelled;

impl Line {
    /// Delivers the line's postbacks until it is empty or cancelled.
    pub async fn deliver(mut self) {
        // A `reorder` postback waiting for the next one to settle.
        let mut held: Option<Pending> = None;
        loop {
            let next = self
                .shared
                .next(self.generation, self.index, held.is_none());
            let outcome = match next {
                Next::Stop => return,
                Next::Deliver(pending) => {
                    if held.is_none() && pending.fault == Some(FaultAction::Reorder) {
                        held = Some(pending);
                        continue;
                    }
                    let sent = self.postback(pending).await;
                    match (sent, held.take()) {
                        (Ok(()), Some(held)) => self.postback(held).await,
                        (sent, _) => sent,
                    }
                }
                Next::Empty => {
                    let Some(waiting) = held.take() else {
                        continue;
                    };
                    let wake = Arc::clone(&self.wake);
                    let woken = self.cancellable(async {
                        tokio::time::timeout(REORDER_WAIT, wake.notified())
                            .await
                            .is_ok()
                    });
                    match woken.await {
                        Ok(true) => {
                            held = Some(waiting);
                            Ok(())
                        }
                        Ok(false) => self.postback(waiting).await,
                        Err(cancelled) => Err(cancelled),
                    }
                }
            };
            if outcome.is_err() {
                return;
            }
        }
    }

    /// Runs `work` unless the generation ends first.
    async fn cancellable<T>(&mut self, work: impl Future<Output = T>) -> Result<T, Cancelled> {
        if *self.cancel.borrow() {
            return Err(Cancelled);
        }
        let mut cancel = self.cancel.clone();
        tokio::select! {
            done = work => Ok(done),
            _ = cancel.wait_for(|c| *c) => Err(Cancelled),
        }
    }

    /// Delivers one postback, its faults and retries included.
    async fn postback(&mut self, pending: Pending) -> Result<(), Cancelled> {
        if let Some(FaultAction::Delay(delay)) = pending.fault {
            self.cancellable(tokio::time::sleep(delay)).await?;
        }
        let rounds = if pending.fault == Some(FaultAction::Duplicate) {
            2
        } else {
            1
        };
        let mut number = 0u32;
        let mut delivered = false;
        for _ in 0..rounds {
            let mut delays = self.target.retry.clone().into_iter();
            loop {
                number += 1;
                if !self
                    .shared
                    .set_state(self.generation, pending.seq, PostbackState::Sending)
                {
                    return Err(Cancelled);
                }
                let values = with_numbers(&pending.values, pending.seq, number);
                let attempt = self.cancellable(self.attempt(&values, number)).await?;
                let succeeded = attempt.succeeded();
                self.log(pending.seq, &values[0], &attempt);
                if !self
                    .shared
                    .add_attempt(self.generation, pending.seq, attempt)
                {
                    return Err(Cancelled);
                }
                if succeeded {
                    delivered = true;
                    break;
                }
                match delays.next() {
                    Some(delay) => {
                        self.shared
                            .set_state(self.generation, pending.seq, PostbackState::Queued);
                        self.cancellable(tokio::time::sleep(delay)).await?;
                    }
                    None => break,
                }
            }
        }
        let settled = if delivered {
            PostbackState::Delivered
        } else {
            PostbackState::Failed
        };
        if self.shared.set_state(self.generation, pending.seq, settled) {
            Ok(())
        } else {
            Err(Cancelled)
        }
    }

    /// One attempt: the request, the status, at most [`KEPT_ANSWER`] bytes
    /// of the answer, all within the target's timeout.
    fn attempt(&self, values: &[String], number: u32) -> impl Future<Output = Attempt> + 'static {
        let url = self.target.url.expand(values);
        let body = (self.target.method == Method::Post).then(|| form_body(values));
        let timeout = self.target.timeout;
        async move {
            let time = timestamp(SystemTime::now());
            let started = Instant::now();
            let mut attempt = Attempt {
                attempt: number,
                time,
                status: None,
                error: None,
                response: None,
                latency_ms: 0,
            };
            match tokio::time::timeout(timeout, send(url, body)).await {
                Ok(Ok(response)) => {
                    attempt.status = Some(response.status().as_u16());
                    let left = timeout.saturating_sub(started.elapsed());
                    let kept = read_start(response, left).await;
                    attempt.response = Some(String::from_utf8_lossy(&kept).into_owned());
                }
                Ok(Err(error)) => attempt.error = Some(error),
                Err(_) => {
                    attempt.error = Some(format!(
                        "timed out after {}",
                        humantime::format_duration(timeout)
                    ))
                }
            }
            attempt.latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            attempt
        }
    }

    /// The one log line of an attempt.
    fn log(&self, seq: u64, event: &str, attempt: &Attempt) {
        let target = self.target.name.as_str();
        match (&attempt.status, &attempt.error) {
            (Some(status), _) => tracing::info!(
                seq,
                target,
                event,
                attempt = attempt.attempt,
                status,
                latency_ms = attempt.latency_ms,
                "postback"
            ),
            (None, error) => tracing::info!(
                seq,
                target,
                event,
                attempt = attempt.attempt,
                error = error.as_deref().unwrap_or(""),
                latency_ms = attempt.latency_ms,
                "postback"
            ),
        }
    }
}

/// Sends one postback request; the error in the words the log shows.
async fn send(url: String, body: Option<String>) -> Result<reqwest::Response, String> {
    let client = client()?;
    let request = match body {
        Some(body) => client
            .post(&url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body),
        None => client.get(&url),
    };
    request.send().await.map_err(|err| describe(&err))
}

/// At most [`KEPT_ANSWER`] bytes of the answer's body, read for at most
/// `limit`; the rest is never read (the connection closes).
async fn read_start(mut response: reqwest::Response, limit: Duration) -> Vec<u8> {
    let mut kept = Vec::new();
    let reading = async {
        while kept.len() < KEPT_ANSWER {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    let room = KEPT_ANSWER - kept.len();
                    kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
                }
                Ok(None) | Err(_) => break,
            }
        }
    };
    // A receiver that stalls in its body has answered all the same.
    let _ = tokio::time::timeout(limit, reading).await;
    kept
}

/// An attempt's error in a few words: `connection refused`, `connection
/// reset`, else the innermost cause.
fn describe(err: &reqwest::Error) -> String {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    let mut innermost = err.to_string();
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => return "connection refused".into(),
                std::io::ErrorKind::ConnectionReset => return "connection reset".into(),
                _ => {}
            }
        }
        innermost = cause.to_string();
        source = cause.source();
    }
    innermost
}
