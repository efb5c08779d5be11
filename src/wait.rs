//! `n4n-mock wait`: poll a mock's health check until it answers, so a CI
//! script can start the mock in the background and go on the moment it is
//! ready, without a sleep or a curl loop. The mock is found at a URL, or
//! through the URL file `serve --url-file` writes (for `--port 0`).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use reqwest::Url;

/// How long to pause between two attempts.
const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// The longest a single attempt may take, so one stuck connection cannot
/// use the whole deadline.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(1);

/// The path of the health check under a mock's base URL.
const HEALTH_PATH: &str = "/__mock/health";

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
    /// The URL names port 0, where no server ever listens.
    #[error(
        "`{url}` names port 0, which only asks a mock to pick a free port: start it with \
         `n4n-mock serve --port 0 --url-file PATH` and wait with `n4n-mock wait --url-file PATH`"
    )]
    PortZero {
        /// The URL as given.
        url: String,
    },
    /// No HTTP client could be set up.
    #[error("cannot set up an HTTP client: {why}")]
    Client {
        /// What failed.
        why: String,
    },
    /// The deadline passed.
    #[error("no answer from {target} within {}: {last}", humantime::format_duration(*.timeout))]
    Deadline {
        /// The health URL polled, or the URL file waited for.
        target: String,
        /// The deadline.
        timeout: Duration,
        /// What the last attempt got.
        last: String,
    },
}

/// Where the mock to wait for is.
#[derive(Debug, Clone)]
pub enum Target {
    /// At this health URL.
    Url(Url),
    /// At the base URL this file holds, once it exists.
    UrlFile(PathBuf),
}

/// A mock that answered its health check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ready {
    /// Its base URL, e.g. `http://127.0.0.1:43817`.
    pub base_url: String,
    /// What its health check answered.
    pub health: String,
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
    if url.port_or_known_default() == Some(0) {
        return Err(WaitError::PortZero {
            url: base.to_string(),
        });
    }
    if !url.path().ends_with(HEALTH_PATH) {
        let path = format!("{}{HEALTH_PATH}", url.path().trim_end_matches('/'));
        url.set_path(&path);
    }
    url.set_query(None);
    Ok(url)
}

/// The base URL of a health URL: what a client puts before `/api/...`.
fn base_of(health: &Url) -> String {
    let text = health.as_str();
    text.strip_suffix(HEALTH_PATH).unwrap_or(text).to_string()
}

/// Polls `target` until its health check answers 200. A URL file is read
/// again before every attempt, so a file left by an earlier run is
/// replaced by the new one as soon as the new mock writes it.
pub async fn wait_for(target: &Target, timeout: Duration) -> Result<Ready, WaitError> {
    let deadline = Instant::now() + timeout;
    // Only http:// is polled, so no TLS roots are needed: without this the
    // client loads the system's, and fails where there are none (an image
    // built FROM scratch, whose health check is this command).
    let client = reqwest::Client::builder()
        .tls_certs_only(std::iter::empty())
        .build()
        .map_err(|err| WaitError::Client {
            why: err.to_string(),
        })?;
    loop {
        let last = match resolve(target) {
            Ok(url) => {
                let remaining = deadline.saturating_duration_since(Instant::now());
                let attempt = client
                    .get(url.clone())
                    .timeout(remaining.min(ATTEMPT_TIMEOUT))
                    .send()
                    .await;
                match attempt {
                    Ok(answer) if answer.status().is_success() => {
                        return Ok(Ready {
                            base_url: base_of(&url),
                            health: answer.text().await.unwrap_or_default(),
                        });
                    }
                    Ok(answer) => format!("{url} answered {}", answer.status()),
                    Err(err) if err.is_connect() => format!("{url}: connection refused"),
                    Err(err) if err.is_timeout() => format!("{url}: the attempt timed out"),
                    Err(err) => err.to_string(),
                }
            }
            Err(why) => why,
        };
        if Instant::now() + POLL_INTERVAL >= deadline {
            return Err(WaitError::Deadline {
                target: match target {
                    Target::Url(url) => url.to_string(),
                    Target::UrlFile(path) => format!("the mock of {}", path.display()),
                },
                timeout,
                last,
            });
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

/// The health URL to try now, or why there is none yet.
fn resolve(target: &Target) -> Result<Url, String> {
    match target {
        Target::Url(url) => Ok(url.clone()),
        Target::UrlFile(path) => read_url_file(path),
    }
}

fn read_url_file(path: &Path) -> Result<Url, String> {
    let text = std::fs::read_to_string(path).map_err(|err| match err.kind() {
        std::io::ErrorKind::NotFound => format!("{} does not exist yet", path.display()),
        _ => format!("cannot read {}: {err}", path.display()),
    })?;
    health_url(text.trim()).map_err(|err| format!("{} holds no mock's URL: {err}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_health_url_is_under_the_base_and_the_base_comes_back() {
        let url = health_url("http://127.0.0.1:8080/").expect("valid");
        assert_eq!(url.as_str(), "http://127.0.0.1:8080/__mock/health");
        assert_eq!(base_of(&url), "http://127.0.0.1:8080");
    }

    #[test]
    fn a_url_naming_the_health_check_is_kept() {
        let url = health_url("http://127.0.0.1:9/__mock/health").expect("valid");
        assert_eq!(url.as_str(), "http://127.0.0.1:9/__mock/health");
    }

    #[test]
    fn port_zero_is_refused_with_the_way_out() {
        let err = health_url("http://127.0.0.1:0").expect_err("port 0");
        assert!(matches!(err, WaitError::PortZero { .. }));
        assert!(err.to_string().contains("--url-file"), "{err}");
    }
}
