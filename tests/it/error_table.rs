//! Every row of the contract's error table, in its order, and each `errors:` override.

use crate::util::{
    API_KEY, Answer, EXAMPLE_CLICK, FORM, TestServer, USERNAME, raw_exchange, scenario_from_yaml,
    send,
};

#[tokio::test]
async fn unknown_api_path_is_404_invalid_endpoint() {
    let server = TestServer::bundled("default").await;

    let answer = send(server.client.get(server.url("/api/transaction/nope"))).await;

    assert_eq!(answer.status, 404);
    assert_eq!(answer.error_message(), "Invalid endpoint");
    assert_eq!(answer.content_type(), "application/json");
}

#[tokio::test]
async fn path_outside_the_api_is_404_invalid_endpoint() {
    let server = TestServer::bundled("default").await;

    let answer = send(server.client.get(server.url("/"))).await;

    assert_eq!(answer.status, 404);
    assert_eq!(answer.error_message(), "Invalid endpoint");
}

#[tokio::test]
async fn invalid_endpoint_wins_over_a_wrong_method_and_missing_credentials() {
    let server = TestServer::bundled("default").await;

    let answer = send(
        server
            .client
            .post(server.url("/api/transaction/clickdetail")),
    )
    .await;

    assert_eq!(answer.status, 404);
    assert_eq!(answer.error_message(), "Invalid endpoint");
}

#[tokio::test]
async fn post_is_405_with_allow_get() {
    let server = TestServer::bundled("default").await;

    let answer = send(
        server
            .client
            .post(server.url("/api/transaction/click_detail"))
            .header("api-key", API_KEY)
            .header("api-username", USERNAME)
            .header("content-type", FORM)
            .body(format!("transaction_hash={EXAMPLE_CLICK}")),
    )
    .await;

    assert_eq!(answer.status, 405);
    assert_eq!(answer.error_message(), "Invalid request method");
    assert_eq!(answer.headers["allow"], "GET");
}

#[tokio::test]
async fn head_is_405_too() {
    let server = TestServer::bundled("default").await;

    let response = server
        .client
        .head(server.url("/api/transaction/click_detail"))
        .send()
        .await
        .expect("request");

    assert_eq!(response.status().as_u16(), 405);
    assert_eq!(response.headers()["allow"], "GET");
}

#[tokio::test]
async fn wrong_method_wins_over_missing_credentials() {
    let server = TestServer::bundled("default").await;

    let answer = send(
        server
            .client
            .delete(server.url("/api/transaction/click_detail")),
    )
    .await;

    assert_eq!(answer.status, 405);
}

#[tokio::test]
async fn loopback_outside_allowed_ips_is_403() {
    let server = TestServer::bundled("ip-restricted").await;

    let answer = server.lookup_example().await;

    assert_eq!(answer.status, 403);
    assert_eq!(answer.error_message(), "IP address not allowed");
}

#[tokio::test]
async fn ip_check_runs_before_the_credential_checks() {
    let server = TestServer::bundled("ip-restricted").await;

    let answer = send(
        server
            .client
            .get(server.url("/api/transaction/click_detail")),
    )
    .await;

    assert_eq!(answer.status, 403);
}

fn restricted_to(ranges: &str) -> String {
    format!(
        "credentials: [{{username: {USERNAME}, api_key: {API_KEY}}}]\nallowed_ips: {ranges}\n\
         clicks: [{{click_hash: {EXAMPLE_CLICK}}}]\n"
    )
}

#[tokio::test]
async fn an_allowed_single_address_passes() {
    let server = TestServer::start(scenario_from_yaml(&restricted_to("[127.0.0.1]"))).await;

    let answer = server.lookup_example().await;

    assert_eq!(answer.status, 200, "{}", answer.body);
}

#[tokio::test]
async fn an_allowed_cidr_range_passes() {
    let server = TestServer::start(scenario_from_yaml(&restricted_to(
        "[\"10.0.0.0/8\", 127.0.0.0/8]",
    )))
    .await;

    let answer = server.lookup_example().await;

    assert_eq!(answer.status, 200, "{}", answer.body);
}

#[tokio::test]
async fn an_ipv6_only_list_refuses_an_ipv4_peer() {
    let server = TestServer::start(scenario_from_yaml(&restricted_to(
        "[\"::1\", \"fd00::/8\"]",
    )))
    .await;

    let answer = server.lookup_example().await;

    assert_eq!(answer.status, 403);
}

#[tokio::test]
async fn an_allowed_ipv6_address_passes_over_ipv6() {
    let Ok(listener) = tokio::net::TcpListener::bind("[::1]:0").await else {
        eprintln!("no IPv6 loopback on this machine; nothing to check");
        return;
    };
    let addr = listener.local_addr().expect("addr");
    let scenario = scenario_from_yaml(&restricted_to("[\"::1/128\"]"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(n4n_mock::server::run(
        listener,
        std::sync::Arc::new(n4n_mock::server::MockState::single(
            scenario,
            n4n_mock::server::MockOptions::default(),
        )),
        async {
            let _ = stopped.await;
        },
    ));

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
    let _ = stop.send(());
    task.await.expect("server");
}

#[tokio::test]
async fn missing_api_key_is_401() {
    let server = TestServer::bundled("default").await;

    let answer = send(
        server
            .client
            .get(server.url("/api/transaction/click_detail"))
            .header("api-username", USERNAME)
            .query(&[("transaction_hash", EXAMPLE_CLICK)]),
    )
    .await;

    assert_eq!(answer.status, 401);
    assert_eq!(
        answer.error_message(),
        "Missing api-key or api-username header"
    );
}

#[tokio::test]
async fn missing_api_username_is_401() {
    let server = TestServer::bundled("default").await;

    let answer = send(
        server
            .client
            .get(server.url("/api/transaction/click_detail"))
            .header("api-key", API_KEY),
    )
    .await;

    assert_eq!(answer.status, 401);
    assert_eq!(
        answer.error_message(),
        "Missing api-key or api-username header"
    );
}

#[tokio::test]
async fn an_empty_api_key_counts_as_missing() {
    let server = TestServer::bundled("default").await;

    let answer = send(server.get_as("/api/transaction/click_detail", "", USERNAME)).await;

    assert_eq!(answer.status, 401);
    assert_eq!(
        answer.error_message(),
        "Missing api-key or api-username header"
    );
}

#[tokio::test]
async fn a_wrong_api_key_is_401_invalid() {
    let server = TestServer::bundled("default").await;

    let answer = send(server.get_as(
        "/api/transaction/click_detail",
        "44b5498dbcb481a0d00b404c0169af63",
        USERNAME,
    ))
    .await;

    assert_eq!(answer.status, 401);
    assert_eq!(answer.error_message(), "Invalid api-key or api-username");
}

#[tokio::test]
async fn a_key_of_another_username_is_invalid() {
    let server = TestServer::bundled("default").await;

    let answer = send(server.get_as("/api/transaction/click_detail", API_KEY, "qa_tester")).await;

    assert_eq!(answer.status, 401);
    assert_eq!(answer.error_message(), "Invalid api-key or api-username");
}

#[tokio::test]
async fn credential_values_are_compared_exactly() {
    let server = TestServer::bundled("default").await;

    let answer = send(
        server
            .client
            .get(server.url("/api/transaction/click_detail"))
            .header("api-key", API_KEY.to_uppercase())
            .header("api-username", USERNAME),
    )
    .await;

    assert_eq!(answer.status, 401);
}

#[tokio::test]
async fn header_names_are_case_insensitive() {
    let server = TestServer::bundled("default").await;

    let answer = send(
        server
            .client
            .get(server.url("/api/transaction/click_detail"))
            .header("API-Key", API_KEY)
            .header("Api-UserName", USERNAME)
            .header("content-type", FORM)
            .body(format!("transaction_hash={EXAMPLE_CLICK}")),
    )
    .await;

    assert_eq!(answer.status, 200, "{}", answer.body);
}

#[tokio::test]
async fn the_second_credential_pair_of_default_is_accepted() {
    let server = TestServer::bundled("default").await;

    let answer = send(
        server
            .get_as(
                "/api/transaction/click_detail",
                "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
                "qa_tester",
            )
            .query(&[("transaction_hash", EXAMPLE_CLICK)]),
    )
    .await;

    assert_eq!(answer.status, 200, "{}", answer.body);
}

#[tokio::test]
async fn invalid_credentials_win_over_an_oversized_body() {
    let server = TestServer::bundled("default").await;

    let answer = send(
        server
            .get_as("/api/transaction/click_detail", "wrong", USERNAME)
            .header("content-type", FORM)
            .body("a".repeat(70 * 1024)),
    )
    .await;

    assert_eq!(answer.status, 401);
}

#[tokio::test]
async fn a_body_over_64_kib_is_413() {
    let server = TestServer::bundled("default").await;
    let body = format!(
        "transaction_hash={EXAMPLE_CLICK}&pad={}",
        "a".repeat(64 * 1024)
    );

    let answer = server.lookup_form(&body).await;

    assert_eq!(answer.status, 413);
    assert_eq!(answer.error_message(), "Request body too large");
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

#[tokio::test]
async fn oversized_body_wins_over_a_malformed_one() {
    let server = TestServer::bundled("default").await;

    let answer = server
        .lookup_typed("application/json", "{".repeat(70 * 1024))
        .await;

    assert_eq!(answer.status, 413);
}

/// Sends `body` as `content_type` to `default`; checks the 400 and returns its message.
async fn malformed(content_type: &str, body: impl Into<reqwest::Body>) -> String {
    let server = TestServer::bundled("default").await;
    let answer = server.lookup_typed(content_type, body).await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    answer.error_message()
}

#[tokio::test]
async fn bad_json_is_400_malformed_body() {
    let server = TestServer::bundled("default").await;

    let answer = server
        .lookup_typed("application/json", "{\"transaction_hash\": ")
        .await;

    assert_eq!(answer.status, 400);
    assert!(
        answer
            .error_message()
            .starts_with("Malformed request body: invalid JSON"),
        "{}",
        answer.body
    );
}

#[tokio::test]
async fn json_that_is_not_an_object_is_400() {
    let message = malformed("application/json", format!("[\"{EXAMPLE_CLICK}\"]")).await;

    assert_eq!(
        message,
        "Malformed request body: JSON body must be an object"
    );
}

#[tokio::test]
async fn a_json_parameter_that_is_not_a_string_or_number_is_400() {
    let message = malformed("application/json", "{\"transaction_hash\": [1]}").await;

    assert_eq!(
        message,
        "Malformed request body: `transaction_hash` must be a string or a number"
    );
}

#[tokio::test]
async fn a_form_body_that_is_not_utf8_is_400() {
    let message = malformed(FORM, vec![b't', b'=', 0xff, 0xfe]).await;

    assert_eq!(message, "Malformed request body: body is not valid UTF-8");
}

#[tokio::test]
async fn an_unsupported_content_type_with_a_body_is_400() {
    let message = malformed("text/plain", format!("transaction_hash={EXAMPLE_CLICK}")).await;

    assert_eq!(
        message,
        "Malformed request body: unsupported Content-Type text/plain"
    );
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

#[tokio::test]
async fn multipart_without_a_boundary_is_400() {
    let server = TestServer::bundled("default").await;

    let answer = server.lookup_typed("multipart/form-data", "--x\r\n").await;

    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.error_message(),
        "Malformed request body: multipart body without a boundary"
    );
}

#[tokio::test]
async fn malformed_body_wins_over_a_missing_parameter() {
    let server = TestServer::bundled("default").await;

    let answer = server.lookup_typed("application/json", "nope").await;

    assert_eq!(answer.status, 400);
    assert!(answer.error_message().starts_with("Malformed request body"));
}

#[tokio::test]
async fn no_lookup_parameter_is_400_missing_parameter() {
    let server = TestServer::bundled("default").await;

    let answer = server.lookup_form("customer=42").await;

    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.error_message(),
        "Missing parameter: pass transaction_hash, subscription_id or orderid"
    );
}

#[tokio::test]
async fn no_body_and_no_query_is_missing_parameter() {
    let server = TestServer::bundled("default").await;

    let answer = send(server.click_detail()).await;

    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.error_message(),
        "Missing parameter: pass transaction_hash, subscription_id or orderid"
    );
}

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

// The `errors:` overrides, one per kind.

fn overriding(kind: &str, extra: &str) -> String {
    format!(
        "credentials: [{{username: {USERNAME}, api_key: {API_KEY}}}]\n{extra}\
         errors:\n  {kind}: {{status: 418, message: \"custom {kind}\"}}\n"
    )
}

async fn overridden(
    kind: &str,
    extra: &str,
    request: impl FnOnce(&TestServer) -> reqwest::RequestBuilder,
) -> Answer {
    let server = TestServer::start(scenario_from_yaml(&overriding(kind, extra))).await;
    send(request(&server)).await
}

async fn assert_overridden(
    kind: &str,
    extra: &str,
    request: impl FnOnce(&TestServer) -> reqwest::RequestBuilder,
) {
    let answer = overridden(kind, extra, request).await;
    assert_eq!(answer.status, 418, "{kind}: {}", answer.body);
    assert_eq!(answer.error_message(), format!("custom {kind}"));
}

#[tokio::test]
async fn invalid_endpoint_can_be_overridden() {
    assert_overridden("invalid_endpoint", "", |s| s.client.get(s.url("/api/nope"))).await;
}

#[tokio::test]
async fn method_not_allowed_can_be_overridden_and_keeps_allow() {
    let answer = overridden("method_not_allowed", "", |s| {
        s.client.post(s.url("/api/transaction/click_detail"))
    })
    .await;
    assert_eq!(answer.status, 418);
    assert_eq!(answer.error_message(), "custom method_not_allowed");
    assert_eq!(answer.headers["allow"], "GET");
}

#[tokio::test]
async fn ip_not_allowed_can_be_overridden() {
    assert_overridden("ip_not_allowed", "allowed_ips: [192.0.2.1]\n", |s| {
        s.click_detail()
    })
    .await;
}

#[tokio::test]
async fn missing_credentials_can_be_overridden() {
    assert_overridden("missing_credentials", "", |s| {
        s.client.get(s.url("/api/transaction/click_detail"))
    })
    .await;
}

#[tokio::test]
async fn invalid_credentials_can_be_overridden() {
    assert_overridden("invalid_credentials", "", |s| {
        s.client
            .get(s.url("/api/transaction/click_detail"))
            .header("api-key", "x")
            .header("api-username", "y")
    })
    .await;
}

#[tokio::test]
async fn body_too_large_can_be_overridden() {
    assert_overridden("body_too_large", "", |s| {
        s.click_detail()
            .header("content-type", FORM)
            .body("a".repeat(65 * 1024))
    })
    .await;
}

#[tokio::test]
async fn malformed_body_can_be_overridden() {
    assert_overridden("malformed_body", "", |s| {
        s.click_detail()
            .header("content-type", "application/json")
            .body("{")
    })
    .await;
}

#[tokio::test]
async fn missing_parameter_can_be_overridden() {
    assert_overridden("missing_parameter", "", |s| s.click_detail()).await;
}

#[tokio::test]
async fn not_found_can_be_overridden() {
    assert_overridden("not_found", "", |s| {
        s.click_detail().query(&[("orderid", "nope")])
    })
    .await;
}

#[tokio::test]
async fn an_override_may_change_only_the_message() {
    let server = TestServer::bundled("custom-errors").await;

    let answer = send(server.click_detail()).await;

    assert_eq!(answer.status, 400);
    assert_eq!(answer.error_message(), "transaction_hash is required");
}
