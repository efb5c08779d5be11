//! `n4n-mock wait`: poll a mock's health check until it answers, so a CI
//! script can start the mock in the background and go on the moment it is
//! ready, without a sleep or a curl loop.

use std::time::{Duration, Instant};

use reqwest::Url;

/// How long to pause between two attempts.
const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// The longest a single attempt may take, so one stuck connection cannot
/// use the whole deadline.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(1);

/// Why waiting did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    /// The URL cannot be polled.
    #[error("`{url}` is not an http:// URL: {why}")]
    BadUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        why: String,
    },
    /// The deadline passed.
    #[error("no answer from {url} within {}: {last}", humantime::format_duration(*.timeout))]
    Deadline {
        /// The health URL polled.
        url: String,
        /// The deadline.
        timeout: Duration,
        /// What the last attempt got.
        last: String,
    },
}

/// The health check URL of the mock at `base` (`/__mock/health` under it,
/// unless `base` already names it).
pub fn health_url(base: &str) -> Result<Url, WaitError> {
    let bad = |why: String| WaitError::BadUrl {
        url: base.to_string(),
        why,
    };
    let mut url = Url::parse(base).map_err(|err| bad(err.to_string()))?;
    if url.scheme() != "http" {
        return Err(bad(format!("the scheme is `{}`", url.scheme())));
    }
    if !url.path().ends_with("/__mock/health") {
        let path = format!("{}/__mock/health", url.path().trim_end_matches('/'));
        url.set_path(&path);
    }
    Ok(url)
}

/// Polls `url` until it answers 200; returns the health body.
pub async fn wait_for(url: Url, timeout: Duration) -> Result<String, WaitError> {
    let deadline = Instant::now() + timeout;
    let client = reqwest::Client::new();
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        let attempt = client
            .get(url.clone())
            .timeout(remaining.min(ATTEMPT_TIMEOUT))
            .send()
            .await;
        let last = match attempt {
            Ok(answer) if answer.status().is_success() => {
                return Ok(answer.text().await.unwrap_or_default());
            }
            Ok(answer) => format!("it answered {}", answer.status()),
            Err(err) if err.is_connect() => "connection refused".to_string(),
            Err(err) if err.is_timeout() => "the attempt timed out".to_string(),
            Err(err) => err.to_string(),
        };
        if Instant::now() + POLL_INTERVAL >= deadline {
            return Err(WaitError::Deadline {
                url: url.to_string(),
                timeout,
                last,
            });
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}
