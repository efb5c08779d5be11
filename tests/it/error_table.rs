//! Every row of the contract's error table, in its order, and each `errors:` override.
//!
//! Each row is a table of cases: a request, named in words, and the answer
//! the contract gives it; a failing case is reported by its name.

use n4n_mock::MockServer;

use crate::util::{
    API_KEY, EXAMPLE_CLICK, FORM, TestServer, USERNAME, raw_exchange, scenario_from_yaml, send,
};

const CLICK_DETAIL: &str = "/api/transaction/click_detail";

/// A request and the answer the contract gives it.
struct Case {
    /// The request in words; a failure names it.
    name: &'static str,
    request: fn(&TestServer) -> reqwest::RequestBuilder,
    status: u16,
    message: Option<Message>,
    headers: Vec<(&'static str, &'static str)>,
}

/// What the error envelope's message says.
enum Message {
    Is(String),
    StartsWith(&'static str),
}

impl Case {
    /// `request`, answered with `status`.
    fn new(
        name: &'static str,
        request: fn(&TestServer) -> reqwest::RequestBuilder,
        status: u16,
    ) -> Case {
        Case {
            name,
            request,
            status,
            message: None,
            headers: Vec::new(),
        }
    }

    /// ... in the error envelope with exactly this message.
    fn message(mut self, message: impl Into<String>) -> Case {
        self.message = Some(Message::Is(message.into()));
        self
    }

    /// ... in the error envelope with a message that starts so.
    fn message_starting(mut self, start: &'static str) -> Case {
        self.message = Some(Message::StartsWith(start));
        self
    }

    /// ... with this header.
    fn header(mut self, name: &'static str, value: &'static str) -> Case {
        self.headers.push((name, value));
        self
    }

    /// Sends the request to `server` and checks the answer.
    async fn check(&self, server: &TestServer) {
        let name = self.name;
        let answer = send((self.request)(server)).await;
        assert_eq!(answer.status, self.status, "{name}: {}", answer.body);
        if let Some(expected) = &self.message {
            let message = answer
                .envelope_message()
                .unwrap_or_else(|why| panic!("{name}: {why}: {}", answer.body));
            match expected {
                Message::Is(expected) => assert_eq!(&message, expected, "{name}"),
                Message::StartsWith(start) => {
                    assert!(message.starts_with(start), "{name}: {message}");
                }
            }
        }
        for (header, value) in &self.headers {
            let found = answer.headers.get(*header).and_then(|v| v.to_str().ok());
            assert_eq!(found, Some(*value), "{name}: {header}");
        }
    }
}

/// Checks every case against one server of `scenario`, in order.
async fn check_all(scenario: &str, cases: &[Case]) {
    let server = TestServer::bundled(scenario).await;
    for case in cases {
        case.check(&server).await;
    }
}

/// A GET to click_detail with the example credentials and `body` as a form.
fn lookup_form(server: &TestServer, body: impl Into<reqwest::Body>) -> reqwest::RequestBuilder {
    server
        .click_detail()
        .header("content-type", FORM)
        .body(body)
}

/// A GET to click_detail with the example credentials and `body` as JSON.
fn lookup_json(server: &TestServer, body: impl Into<reqwest::Body>) -> reqwest::RequestBuilder {
    server
        .click_detail()
        .header("content-type", "application/json")
        .body(body)
}

// --- 1. invalid endpoint ---------------------------------------------------

#[tokio::test]
async fn a_path_that_is_no_endpoint_is_404_invalid_endpoint_before_any_other_check() {
    check_all(
        "default",
        &[
            Case::new(
                "an unknown path under /api/",
                |s| s.client.get(s.url("/api/transaction/nope")),
                404,
            )
            .message("Invalid endpoint")
            .header("content-type", "application/json"),
            Case::new("a path outside the API", |s| s.client.get(s.url("/")), 404)
                .message("Invalid endpoint"),
            Case::new(
                "an unknown path, by POST, without credentials",
                |s| s.client.post(s.url("/api/transaction/clickdetail")),
                404,
            )
            .message("Invalid endpoint"),
        ],
    )
    .await;
}

// --- 2. method not allowed -------------------------------------------------

#[tokio::test]
async fn a_method_other_than_get_is_405_with_allow_get_before_the_credential_checks() {
    check_all(
        "default",
        &[
            Case::new(
                "a POST of the example lookup",
                |s| {
                    s.client
                        .post(s.url(CLICK_DETAIL))
                        .header("api-key", API_KEY)
                        .header("api-username", USERNAME)
                        .header("content-type", FORM)
                        .body(format!("transaction_hash={EXAMPLE_CLICK}"))
                },
                405,
            )
            .message("Invalid request method")
            .header("allow", "GET"),
            Case::new(
                "a HEAD (no body to read)",
                |s| s.client.head(s.url(CLICK_DETAIL)),
                405,
            )
            .header("allow", "GET"),
            Case::new(
                "a DELETE without credentials",
                |s| s.client.delete(s.url(CLICK_DETAIL)),
                405,
            )
            .message("Invalid request method")
            .header("allow", "GET"),
        ],
    )
    .await;
}

// --- 3. ip not allowed -----------------------------------------------------

#[tokio::test]
async fn a_peer_outside_allowed_ips_is_403_before_the_credential_checks() {
    check_all(
        "ip-restricted",
        &[
            Case::new(
                "the example lookup from loopback",
                |s| lookup_form(s, format!("transaction_hash={EXAMPLE_CLICK}")),
                403,
            )
            .message("IP address not allowed"),
            Case::new(
                "a lookup without credentials",
                |s| s.client.get(s.url(CLICK_DETAIL)),
                403,
            )
            .message("IP address not allowed"),
        ],
    )
    .await;
}

fn restricted_to(ranges: &str) -> String {
    format!(
        "credentials: [{{username: {USERNAME}, api_key: {API_KEY}}}]\nallowed_ips: {ranges}\n\
         clicks: [{{click_hash: {EXAMPLE_CLICK}}}]\n"
    )
}

#[tokio::test]
async fn allowed_ips_admit_a_peer_held_by_an_address_or_range_of_its_family() {
    let example = |s: &TestServer| lookup_form(s, format!("transaction_hash={EXAMPLE_CLICK}"));
    let cases = [
        (
            "[127.0.0.1]",
            Case::new("an allowed single address", example, 200),
        ),
        (
            "[\"10.0.0.0/8\", 127.0.0.0/8]",
            Case::new("an allowed CIDR range", example, 200),
        ),
        (
            "[\"::1\", \"fd00::/8\"]",
            Case::new("an IPv6-only list, to an IPv4 peer", example, 403),
        ),
    ];
    for (ranges, case) in cases {
        let server = TestServer::start(scenario_from_yaml(&restricted_to(ranges))).await;

        case.check(&server).await;
    }
}

#[tokio::test]
async fn an_allowed_ipv6_address_passes_over_ipv6() {
    let scenario = scenario_from_yaml(&restricted_to("[\"::1/128\"]"));
    let started = MockServer::builder()
        .scenario_built(scenario)
        .address("::1".parse().expect("IPv6 loopback"))
        .start()
        .await;
    let Ok(mock) = started else {
        eprintln!("no IPv6 loopback on this machine; nothing to check");
        return;
    };
    let addr = mock.address();

    let answer = send(
        reqwest::Client::new()
            .get(format!("http://{addr}/api/transaction/click_detail"))
            .header("api-key", API_KEY)
            .header("api-username", USERNAME)
            .header("content-type", FORM)
            .body(format!("transaction_hash={EXAMPLE_CLICK}")),
    )
    .await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    mock.shutdown().await;
}

// --- 4. and 5. credentials -------------------------------------------------

#[tokio::test]
async fn a_missing_or_empty_credential_header_is_401_missing() {
    let missing = "Missing api-key or api-username header";
    check_all(
        "default",
        &[
            Case::new(
                "no api-key",
                |s| {
                    s.client
                        .get(s.url(CLICK_DETAIL))
                        .header("api-username", USERNAME)
                        .query(&[("transaction_hash", EXAMPLE_CLICK)])
                },
                401,
            )
            .message(missing),
            Case::new(
                "no api-username",
                |s| s.client.get(s.url(CLICK_DETAIL)).header("api-key", API_KEY),
                401,
            )
            .message(missing),
            Case::new(
                "an empty api-key",
                |s| s.get_as(CLICK_DETAIL, "", USERNAME),
                401,
            )
            .message(missing),
        ],
    )
    .await;
}

#[tokio::test]
async fn an_unknown_credential_pair_is_401_invalid_even_with_an_oversized_body() {
    let invalid = "Invalid api-key or api-username";
    check_all(
        "default",
        &[
            Case::new(
                "an api-key one digit off",
                |s| s.get_as(CLICK_DETAIL, "44b5498dbcb481a0d00b404c0169af63", USERNAME),
                401,
            )
            .message(invalid),
            Case::new(
                "the api-key of another username",
                |s| s.get_as(CLICK_DETAIL, API_KEY, "qa_tester"),
                401,
            )
            .message(invalid),
            Case::new(
                "the api-key in upper case",
                |s| s.get_as(CLICK_DETAIL, &API_KEY.to_uppercase(), USERNAME),
                401,
            )
            .message(invalid),
            Case::new(
                "a wrong api-key with a body over 64 KiB",
                |s| {
                    s.get_as(CLICK_DETAIL, "wrong", USERNAME)
                        .header("content-type", FORM)
                        .body("a".repeat(70 * 1024))
                },
                401,
            )
            .message(invalid),
        ],
    )
    .await;
}

#[tokio::test]
async fn any_credential_pair_of_the_scenario_passes_under_header_names_in_any_case() {
    check_all(
        "default",
        &[
            Case::new(
                "header names in mixed case",
                |s| {
                    s.client
                        .get(s.url(CLICK_DETAIL))
                        .header("API-Key", API_KEY)
                        .header("Api-UserName", USERNAME)
                        .header("content-type", FORM)
                        .body(format!("transaction_hash={EXAMPLE_CLICK}"))
                },
                200,
            ),
            Case::new(
                "default's second credential pair",
                |s| {
                    s.get_as(
                        CLICK_DETAIL,
                        "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
                        "qa_tester",
                    )
                    .query(&[("transaction_hash", EXAMPLE_CLICK)])
                },
                200,
            ),
        ],
    )
    .await;
}

// --- 6. body too large -----------------------------------------------------

#[tokio::test]
async fn a_body_over_64_kib_is_413_before_it_is_parsed() {
    check_all(
        "default",
        &[
            Case::new(
                "a form lookup padded past 64 KiB",
                |s| {
                    lookup_form(
                        s,
                        format!(
                            "transaction_hash={EXAMPLE_CLICK}&pad={}",
                            "a".repeat(64 * 1024)
                        ),
                    )
                },
                413,
            )
            .message("Request body too large"),
            Case::new(
                "malformed JSON over 64 KiB",
                |s| lookup_json(s, "{".repeat(70 * 1024)),
                413,
            )
            .message("Request body too large"),
        ],
    )
    .await;
}

#[tokio::test]
async fn a_body_of_exactly_64_kib_is_read() {
    let server = TestServer::bundled("default").await;
    let prefix = format!("transaction_hash={EXAMPLE_CLICK}&pad=");
    let body = format!("{prefix}{}", "a".repeat(64 * 1024 - prefix.len()));
    assert_eq!(body.len(), 64 * 1024);

    let answer = server.lookup_form(&body).await;

    assert_eq!(answer.status, 200, "{}", answer.body);
}

#[tokio::test]
async fn a_chunked_body_over_64_kib_is_413() {
    let server = TestServer::bundled("default").await;
    let mut request = format!(
        "GET /api/transaction/click_detail HTTP/1.1\r\nHost: x\r\napi-key: {API_KEY}\r\n\
         api-username: {USERNAME}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    for _ in 0..20 {
        request.push_str(&format!("1000\r\n{}\r\n", "a".repeat(4096)));
    }
    request.push_str("0\r\n\r\n");

    let response = raw_exchange(server.addr, request.as_bytes()).await;

    assert!(response.starts_with("HTTP/1.1 413 "), "{response}");
    assert!(
        response.ends_with(r#"{"result":"error","message":"Request body too large"}"#),
        "{response}"
    );
}

// --- 7. malformed body -----------------------------------------------------

#[tokio::test]
async fn a_body_that_cannot_be_read_is_400_malformed_body_before_the_parameter_check() {
    check_all(
        "default",
        &[
            Case::new(
                "JSON cut short",
                |s| lookup_json(s, "{\"transaction_hash\": "),
                400,
            )
            .message_starting("Malformed request body: invalid JSON"),
            Case::new(
                "JSON that is not an object",
                |s| lookup_json(s, format!("[\"{EXAMPLE_CLICK}\"]")),
                400,
            )
            .message("Malformed request body: JSON body must be an object"),
            Case::new(
                "a JSON parameter that is neither a string nor a number",
                |s| lookup_json(s, "{\"transaction_hash\": [1]}"),
                400,
            )
            .message("Malformed request body: `transaction_hash` must be a string or a number"),
            Case::new(
                "a form body that is not UTF-8",
                |s| lookup_form(s, vec![b't', b'=', 0xff, 0xfe]),
                400,
            )
            .message("Malformed request body: body is not valid UTF-8"),
            Case::new(
                "a body of an unsupported Content-Type",
                |s| {
                    s.click_detail()
                        .header("content-type", "text/plain")
                        .body(format!("transaction_hash={EXAMPLE_CLICK}"))
                },
                400,
            )
            .message("Malformed request body: unsupported Content-Type text/plain"),
            Case::new(
                "multipart without a boundary",
                |s| {
                    s.click_detail()
                        .header("content-type", "multipart/form-data")
                        .body("--x\r\n")
                },
                400,
            )
            .message("Malformed request body: multipart body without a boundary"),
            Case::new(
                "a body that is not JSON and names no parameter",
                |s| lookup_json(s, "nope"),
                400,
            )
            .message_starting("Malformed request body"),
        ],
    )
    .await;
}

#[tokio::test]
async fn an_unsupported_content_type_without_a_body_is_ignored() {
    let server = TestServer::bundled("default").await;

    let answer = send(
        server
            .click_detail()
            .header("content-type", "text/plain")
            .query(&[("transaction_hash", EXAMPLE_CLICK)]),
    )
    .await;

    assert_eq!(answer.status, 200, "{}", answer.body);
}

// --- 8. missing parameter --------------------------------------------------

#[tokio::test]
async fn a_lookup_without_a_lookup_parameter_is_400_missing_parameter() {
    let missing = "Missing parameter: pass transaction_hash, subscription_id or orderid";
    check_all(
        "default",
        &[
            Case::new(
                "a form body with another parameter",
                |s| lookup_form(s, "customer=42"),
                400,
            )
            .message(missing),
            Case::new("no body and no query", |s| s.click_detail(), 400).message(missing),
        ],
    )
    .await;
}

// --- 9. and 10. not found, a match -----------------------------------------

#[tokio::test]
async fn an_unknown_hash_is_404_click_not_found() {
    let server = TestServer::bundled("default").await;

    let answer = server
        .lookup_form("transaction_hash=000000000000000.00000000")
        .await;

    assert_eq!(answer.status, 404);
    assert_eq!(answer.error_message(), "Click not found");
}

#[tokio::test]
async fn a_match_is_200_with_the_success_body() {
    let server = TestServer::bundled("default").await;

    let answer = server.lookup_example().await;

    assert_eq!(answer.status, 200);
    assert_eq!(answer.content_type(), "application/json");
    assert_eq!(answer.click_hash(), EXAMPLE_CLICK);
}

// --- the `errors:` overrides -----------------------------------------------

fn overriding(kind: &str, extra: &str) -> String {
    format!(
        "credentials: [{{username: {USERNAME}, api_key: {API_KEY}}}]\n{extra}\
         errors:\n  {kind}: {{status: 418, message: \"custom {kind}\"}}\n"
    )
}

/// A request that meets `kind`, answered as `overriding(kind, ..)` says.
fn overridden(kind: &'static str, request: fn(&TestServer) -> reqwest::RequestBuilder) -> Case {
    Case::new(kind, request, 418).message(format!("custom {kind}"))
}

#[tokio::test]
async fn every_error_kind_can_be_overridden_and_keeps_its_headers() {
    // The scenario YAML that makes the kind reachable, and a request meeting it.
    let cases = [
        (
            "",
            overridden("invalid_endpoint", |s| s.client.get(s.url("/api/nope"))),
        ),
        (
            "",
            overridden("method_not_allowed", |s| s.client.post(s.url(CLICK_DETAIL)))
                .header("allow", "GET"),
        ),
        (
            "allowed_ips: [192.0.2.1]\n",
            overridden("ip_not_allowed", |s| s.click_detail()),
        ),
        (
            "",
            overridden("missing_credentials", |s| s.client.get(s.url(CLICK_DETAIL))),
        ),
        (
            "",
            overridden("invalid_credentials", |s| s.get_as(CLICK_DETAIL, "x", "y")),
        ),
        (
            "",
            overridden("body_too_large", |s| lookup_form(s, "a".repeat(65 * 1024))),
        ),
        ("", overridden("malformed_body", |s| lookup_json(s, "{"))),
        ("", overridden("missing_parameter", |s| s.click_detail())),
        (
            "",
            overridden("not_found", |s| {
                s.click_detail().query(&[("orderid", "nope")])
            }),
        ),
    ];
    for (extra, case) in cases {
        let server = TestServer::start(scenario_from_yaml(&overriding(case.name, extra))).await;

        case.check(&server).await;
    }
}

#[tokio::test]
async fn an_override_may_change_only_the_message() {
    let server = TestServer::bundled("custom-errors").await;

    let answer = send(server.click_detail()).await;

    assert_eq!(answer.status, 400);
    assert_eq!(answer.error_message(), "transaction_hash is required");
}
