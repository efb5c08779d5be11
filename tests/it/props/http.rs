//! Hostile requests over real HTTP against the bundled default scenario: every
//! answer has a status from the contract and a JSON body.

use std::time::Duration;

use hyper::header::HeaderValue;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::TestCaseError;

use super::{FORM_TOKENS, Raw, body, config, content_type, header_bytes};
use crate::util::{API_KEY, EXAMPLE_CLICK, TestServer, USERNAME};

/// One request as a hostile client might send it (header values limited to
/// what a header can carry, since the client refuses anything else).
#[derive(Debug, Clone)]
struct Hostile {
    method: &'static str,
    path: &'static str,
    /// Already percent-encoded.
    query: Option<String>,
    api_key: Option<Raw>,
    username: Option<Raw>,
    content_type: Option<Raw>,
    body: Raw,
}

/// Methods other than GET, each refused with 405.
const OTHER_METHODS: &[&str] = &["POST", "PUT", "DELETE", "PATCH", "OPTIONS"];

/// Paths other than click_detail's.
const OTHER_PATHS: &[&str] = &[
    "/api/transaction/click_details",
    "/api/service/ping",
    "/api/nope",
    "/__mock/health",
    "/__mock/nope",
    "/",
];

/// Mostly GET: other methods stop at the 405 before the body is looked at.
fn method() -> impl Strategy<Value = &'static str> {
    prop_oneof![6 => Just("GET"), 1 => select(OTHER_METHODS)]
}

/// Mostly click_detail, whose checks go furthest.
fn path() -> impl Strategy<Value = &'static str> {
    prop_oneof![4 => Just("/api/transaction/click_detail"), 1 => select(OTHER_PATHS)]
}

/// A credential header: the valid one, none, empty, or any header value.
fn credential(valid: &'static str) -> impl Strategy<Value = Option<Raw>> {
    prop_oneof![
        Just(Some(Raw(valid.as_bytes().to_vec()))),
        Just(None),
        Just(Some(Raw(Vec::new()))),
        header_bytes(40).prop_map(|v| Some(Raw(v))),
    ]
}

/// The `api-key` and `api-username` headers: mostly the valid pair, so that
/// requests get past the credential checks to the body.
fn credentials() -> impl Strategy<Value = (Option<Raw>, Option<Raw>)> {
    let valid = (
        Some(Raw(API_KEY.as_bytes().to_vec())),
        Some(Raw(USERNAME.as_bytes().to_vec())),
    );
    prop_oneof![
        3 => Just(valid),
        1 => (credential(API_KEY), credential(USERNAME)),
    ]
}

/// Every byte percent-encoded, so any bytes travel in a URL.
fn percent_encoded(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("%{b:02X}")).collect()
}

/// A query string: form tokens, raw bytes percent-encoded, or a real lookup.
fn http_query() -> impl Strategy<Value = Option<String>> {
    let piece = prop_oneof![
        select(FORM_TOKENS).prop_map(str::to_owned),
        prop::collection::vec(any::<u8>(), 1..12).prop_map(|b| percent_encoded(&b)),
    ];
    prop_oneof![
        1 => Just(None),
        2 => prop::collection::vec(piece, 0..12).prop_map(|p| Some(p.concat())),
        1 => Just(Some(format!("transaction_hash={EXAMPLE_CLICK}"))),
    ]
}

/// A body for HTTP: as for `read_lookup`, plus the example lookup and bodies
/// around the 64 KiB cap.
fn http_body() -> impl Strategy<Value = Raw> {
    prop_oneof![
        6 => body(),
        1 => Just(Raw(format!("transaction_hash={EXAMPLE_CLICK}").into_bytes())),
        1 => (65_000usize..66_500).prop_map(|len| Raw(vec![b'a'; len])),
    ]
}

fn hostile() -> impl Strategy<Value = Hostile> {
    (
        method(),
        path(),
        http_query(),
        credentials(),
        content_type(),
        http_body(),
    )
        .prop_map(
            |(method, path, query, (api_key, username), content_type, body)| Hostile {
                method,
                path,
                query,
                api_key,
                username,
                content_type,
                body,
            },
        )
}

/// Sends `request`; the status, Content-Type and body, or why there was no answer.
async fn exchange(
    client: &reqwest::Client,
    server: &TestServer,
    request: &Hostile,
) -> Result<(u16, String, Vec<u8>), String> {
    let mut url = server.url(request.path);
    if let Some(query) = &request.query {
        url = format!("{url}?{query}");
    }
    let method =
        reqwest::Method::from_bytes(request.method.as_bytes()).map_err(|e| e.to_string())?;
    let mut builder = client.request(method, url).body(request.body.0.clone());
    for (name, value) in [
        ("api-key", &request.api_key),
        ("api-username", &request.username),
        ("content-type", &request.content_type),
    ] {
        if let Some(value) = value {
            let value = HeaderValue::from_bytes(&value.0).map_err(|e| format!("{name}: {e}"))?;
            builder = builder.header(name, value);
        }
    }
    let response = builder
        .send()
        .await
        .map_err(|e| format!("no answer: {e:?}"))?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    let body = response
        .bytes()
        .await
        .map_err(|e| format!("body cut short: {e:?}"))?;
    Ok((status, content_type, body.to_vec()))
}

#[test]
fn any_request_gets_a_contract_status_and_a_json_body() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let server = runtime.block_on(TestServer::bundled("default"));
    // A hang shows as a timeout, which fails the case like any other error.
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client");

    proptest!(config(), |(request in hostile())| {
        let answer = runtime.block_on(exchange(&client, &server, &request));

        let (status, content_type, body) = answer.map_err(TestCaseError::fail)?;
        prop_assert!(
            [200, 400, 401, 403, 404, 405, 413].contains(&status),
            "status {} is not in the contract", status
        );
        prop_assert!(content_type.starts_with("application/json"), "Content-Type {:?}", content_type);
        let json: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|e| TestCaseError::fail(format!("not JSON ({e}): {:?}", Raw(body.clone()))))?;
        if status == 200 {
            if request.path.starts_with("/api/transaction/") {
                prop_assert_eq!(&json["result"], "success", "{}", json);
            }
        } else {
            prop_assert_eq!(&json["result"], "error", "{}", json);
            prop_assert!(json["message"].as_str().is_some_and(|m| !m.is_empty()), "{}", json);
            prop_assert_eq!(json.as_object().map(|o| o.len()), Some(2), "{}", json);
        }
    });
}
