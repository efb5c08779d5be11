//! What the API endpoints read of a request: the peer's address, the query
//! string, and the four headers they look at, found in one pass over the
//! request's headers rather than by one look-up each (a hash and a probe
//! per name, on every request).

use std::net::IpAddr;

use hyper::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use hyper::http::request::Parts;

/// The header that picks a scenario for one request.
pub const SCENARIO_HEADER: HeaderName = HeaderName::from_static("x-mock-scenario");

/// The credential headers. `HeaderName`s compare case-insensitively, as
/// header names do: hyper keeps them in lower case.
pub const API_KEY: HeaderName = HeaderName::from_static("api-key");
/// See [`API_KEY`].
pub const API_USERNAME: HeaderName = HeaderName::from_static("api-username");

/// An API request, as its endpoint reads it. Each header is its first
/// value, as `HeaderMap::get` would give it.
#[derive(Debug, Clone, Copy)]
pub struct ApiRequest<'r> {
    /// The client's address.
    pub peer: IpAddr,
    /// The query string, without the `?`.
    pub query: Option<&'r str>,
    /// `X-Mock-Scenario`.
    pub scenario: Option<&'r HeaderValue>,
    /// `api-key`.
    pub api_key: Option<&'r HeaderValue>,
    /// `api-username`.
    pub api_username: Option<&'r HeaderValue>,
    /// `Content-Type`.
    pub content_type: Option<&'r HeaderValue>,
}

impl<'r> ApiRequest<'r> {
    /// Reads `parts`, sent from `peer`.
    pub fn of(parts: &'r Parts, peer: IpAddr) -> Self {
        let mut request = ApiRequest {
            peer,
            query: parts.uri.query(),
            scenario: None,
            api_key: None,
            api_username: None,
            content_type: None,
        };
        for (name, value) in &parts.headers {
            let slot = if name == CONTENT_TYPE {
                &mut request.content_type
            } else if name == API_KEY {
                &mut request.api_key
            } else if name == API_USERNAME {
                &mut request.api_username
            } else if name == SCENARIO_HEADER {
                &mut request.scenario
            } else {
                continue;
            };
            // The first value counts; a repeated header's others do not.
            slot.get_or_insert(value);
        }
        request
    }
}

/// A header's bytes, when it was sent and is not empty: an empty header
/// counts as absent, as an empty parameter does.
pub fn sent(header: Option<&HeaderValue>) -> Option<&[u8]> {
    header.map(HeaderValue::as_bytes).filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use hyper::Request;

    use super::*;

    fn parts(request: hyper::http::request::Builder) -> Parts {
        request.body(()).expect("a request").into_parts().0
    }

    #[test]
    fn each_header_is_its_first_value_as_the_header_map_gives_it() {
        let parts = parts(
            Request::get("/api/transaction/click_detail?orderid=7")
                .header("Host", "localhost")
                .header("API-Key", "first key")
                .header("api-key", "second key")
                .header("Api-Username", "n4n_admin")
                .header("content-type", "application/json")
                .header("Content-Type", "text/plain")
                .header("X-Mock-Scenario", "auth_failures")
                .header("x-mock-scenario", "default"),
        );
        let request = ApiRequest::of(&parts, IpAddr::from([127, 0, 0, 1]));
        let headers = &parts.headers;
        assert_eq!(request.api_key, headers.get(API_KEY));
        assert_eq!(request.api_key.unwrap(), "first key");
        assert_eq!(request.api_username, headers.get(API_USERNAME));
        assert_eq!(request.api_username.unwrap(), "n4n_admin");
        assert_eq!(request.content_type, headers.get(CONTENT_TYPE));
        assert_eq!(request.content_type.unwrap(), "application/json");
        assert_eq!(request.scenario, headers.get(SCENARIO_HEADER));
        assert_eq!(request.scenario.unwrap(), "auth_failures");
        assert_eq!(request.query, Some("orderid=7"));
        assert_eq!(request.peer, IpAddr::from([127, 0, 0, 1]));
    }

    #[test]
    fn an_empty_header_counts_as_not_sent() {
        let (empty, key) = (HeaderValue::from_static(""), HeaderValue::from_static("k"));
        assert_eq!(sent(Some(&empty)), None);
        assert_eq!(sent(None), None);
        assert_eq!(sent(Some(&key)), Some(&b"k"[..]));
    }

    #[test]
    fn a_header_not_sent_is_none() {
        let parts = parts(Request::get("/api/service/ping").header("accept", "*/*"));
        let request = ApiRequest::of(&parts, IpAddr::from([127, 0, 0, 1]));
        assert_eq!(request.query, None);
        assert!(request.scenario.is_none());
        assert!(request.api_key.is_none());
        assert!(request.api_username.is_none());
        assert!(request.content_type.is_none());
    }
}
