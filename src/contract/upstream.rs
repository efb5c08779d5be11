//! Lookups against a live NATS for Networks server (or another mock): the
//! request the API page shows (GET, credentials in headers, the parameter as
//! a form body), and the answer read whole.
//!
//! The api-key goes into a header marked sensitive and nowhere else: not in
//! a URL, not in an error, not in a `Debug` output.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use reqwest::Url;
use reqwest::header::{CONTENT_TYPE, HeaderValue};

use crate::params::Lookup;

/// The path of the lookup under the server's base URL.
pub const CLICK_DETAIL_PATH: &str = "/api/transaction/click_detail";

/// The largest answer read: a click's body is a few kilobytes.
const MAX_ANSWER_BYTES: usize = 8 * 1024 * 1024;

/// An api-key: shown as `<redacted>` by `Debug`, never displayed.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> Self {
        ApiKey(key.into())
    }

    /// The key itself, for the header and for scrubbing text that must not hold it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `text` with every occurrence of the key replaced by `<redacted api-key>`.
    pub fn scrub(&self, text: &str) -> String {
        if self.0.is_empty() {
            text.to_string()
        } else {
            text.replace(&self.0, "<redacted api-key>")
        }
    }
}

impl ApiKey {
    /// `bytes` with every occurrence of the key replaced by
    /// `<redacted api-key>`, which keeps a JSON string a JSON string.
    pub fn scrub_bytes(&self, bytes: &Bytes) -> Bytes {
        let key = self.0.as_bytes();
        if key.is_empty() || !bytes.windows(key.len()).any(|w| w == key) {
            return bytes.clone();
        }
        let mut out = Vec::with_capacity(bytes.len());
        let mut rest = &bytes[..];
        while !rest.is_empty() {
            if rest.starts_with(key) {
                out.extend_from_slice(b"<redacted api-key>");
                rest = &rest[key.len()..];
            } else {
                out.push(rest[0]);
                rest = &rest[1..];
            }
        }
        Bytes::from(out)
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

/// Why a lookup got no answer.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    /// The URL given cannot be used.
    #[error("`{url}` cannot be used as the upstream: {why}")]
    BadUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        why: String,
    },
    /// No answer: refused, unresolvable, timed out, TLS failed, cut off.
    #[error("cannot reach {url}: {why}")]
    Unreachable {
        /// The lookup URL.
        url: String,
        /// What went wrong.
        why: String,
    },
}

/// An answer read whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// The Content-Type header, when there is one that is text.
    pub content_type: Option<String>,
    /// The body.
    pub body: Bytes,
}

/// An answer with the `Allow` header, for the lifecycle's checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The answer.
    pub answer: Answer,
    /// The `Allow` header, when there is one that is text.
    pub allow: Option<String>,
}

/// A server to look clicks up on, with the credentials to do it.
#[derive(Debug)]
pub struct Upstream {
    client: reqwest::Client,
    url: Url,
    username: String,
    api_key: HeaderValue,
}

impl Upstream {
    /// The server at `base` (`http://host:port` or `https://...`, maybe with
    /// a path prefix; `.../api/transaction/click_detail` itself is accepted too).
    pub fn new(
        base: &str,
        username: &str,
        api_key: &ApiKey,
        timeout: Duration,
    ) -> Result<Upstream, UpstreamError> {
        let bad = |why: String| UpstreamError::BadUrl {
            url: base.to_string(),
            why,
        };
        let url = lookup_url(base).map_err(bad)?;
        let mut key = HeaderValue::from_str(api_key.expose())
            .map_err(|_| bad("the api-key is not a valid header value".into()))?;
        key.set_sensitive(true);
        HeaderValue::from_str(username)
            .map_err(|_| bad("the api-username is not a valid header value".into()))?;
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            // A redirect would resend the credentials somewhere not asked for.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|err| bad(format!("cannot set up the HTTP client: {err}")))?;
        Ok(Upstream {
            client,
            url,
            username: username.to_string(),
            api_key: key,
        })
    }

    /// The lookup URL, for reports (it holds no credential).
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Looks `lookup` up the way the API page does: GET with the parameter
    /// as an `x-www-form-urlencoded` body.
    pub async fn lookup(&self, lookup: &Lookup) -> Result<Answer, UpstreamError> {
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair(lookup.key.parameter(), &lookup.value)
            .finish();
        let reply = self
            .send(reqwest::Method::GET, self.url.clone(), body)
            .await?;
        Ok(reply.answer)
    }

    /// Sends `method` to `path` (`/api/...`) under the server's base URL,
    /// with the credentials and `form` as an `x-www-form-urlencoded` body.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        form: &str,
    ) -> Result<Reply, UpstreamError> {
        let mut url = self.url.clone();
        let lookup_path = url.path().to_string();
        let alias = CLICK_DETAIL_PATH.replace("click_detail", "click_details");
        let base = lookup_path
            .strip_suffix(CLICK_DETAIL_PATH)
            .or_else(|| lookup_path.strip_suffix(alias.as_str()))
            .unwrap_or("");
        url.set_path(&format!("{base}{path}"));
        self.send(method, url, form.to_string()).await
    }

    async fn send(
        &self,
        method: reqwest::Method,
        url: Url,
        body: String,
    ) -> Result<Reply, UpstreamError> {
        let unreachable = |err: reqwest::Error| UpstreamError::Unreachable {
            url: url.to_string(),
            why: describe(&err),
        };
        let mut response = self
            .client
            .request(method, url.clone())
            .header("api-key", self.api_key.clone())
            .header("api-username", self.username.as_str())
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .map_err(unreachable)?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let allow = response
            .headers()
            .get(reqwest::header::ALLOW)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(unreachable)? {
            if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(UpstreamError::Unreachable {
                    url: url.to_string(),
                    why: format!("the answer is over {MAX_ANSWER_BYTES} bytes"),
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Reply {
            answer: Answer {
                status,
                content_type,
                body: Bytes::from(body),
            },
            allow,
        })
    }
}

/// The click_detail URL under `base`.
fn lookup_url(base: &str) -> Result<Url, String> {
    let mut url = Url::parse(base).map_err(|err| err.to_string())?;
    match url.scheme() {
        "http" | "https" => {}
        other => return Err(format!("the scheme is `{other}`; use http:// or https://")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(
            "credentials in the URL are not used; pass --api-username and --api-key".into(),
        );
    }
    if url.host_str().is_none() {
        return Err("there is no host".into());
    }
    url.set_query(None);
    url.set_fragment(None);
    let path = url.path().trim_end_matches('/').to_string();
    let alias = CLICK_DETAIL_PATH.replace("click_detail", "click_details");
    if !path.ends_with(CLICK_DETAIL_PATH) && !path.ends_with(&alias) {
        url.set_path(&format!("{path}{CLICK_DETAIL_PATH}"));
    }
    Ok(url)
}

/// A transport error in words, with its causes (reqwest's own message is
/// only the outermost one: "error sending request").
fn describe(err: &reqwest::Error) -> String {
    let mut text = if err.is_timeout() {
        "timed out".to_string()
    } else if err.is_connect() {
        "could not connect".to_string()
    } else {
        err.to_string()
    };
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lookup_path_is_added_under_the_base() {
        let url = |base| lookup_url(base).map(|u| u.to_string());
        assert_eq!(
            url("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080/api/transaction/click_detail"
        );
        assert_eq!(
            url("https://nats.example/prefix/").unwrap(),
            "https://nats.example/prefix/api/transaction/click_detail"
        );
        assert_eq!(
            url("http://h/api/transaction/click_details?x=1").unwrap(),
            "http://h/api/transaction/click_details"
        );
        assert!(url("ftp://h").is_err());
        assert!(url("http://user:pw@h").is_err());
        assert!(url("not a url").is_err());
    }

    #[test]
    fn a_key_never_shows_in_debug_and_is_scrubbed() {
        let key = ApiKey::new("s3cret");
        assert!(!format!("{key:?}").contains("s3cret"));
        assert_eq!(key.scrub("a s3cret b"), "a <redacted api-key> b");
        assert_eq!(
            key.scrub_bytes(&Bytes::from_static(b"\"s3cret s3cret\"")),
            Bytes::from_static(b"\"<redacted api-key> <redacted api-key>\"")
        );
    }
}
