//! Reading the lookup: every body format, the query string, their precedence,
//! empty values, the order of the three parameters, the alias, and ping.

use crate::util::{API_KEY, EXAMPLE_CLICK, FORM, TestServer, USERNAME, raw_exchange, send};

/// A click of `default` with an initial sale and a rebill on SUB-88.
const REBILLED_CLICK: &str = "7e15b3c9a4438c5.72540164";
const REBILL_TRANSACTION: &str = "d68e1f2a3b4c5d6.22334455";
const NEVER_CONVERTED: &str = "4c82e9b7d2216a3.50318842";

#[tokio::test]
async fn curl_get_with_d_sends_a_form_body_that_is_read() {
    // curl -X GET -d 'transaction_hash=...' sends exactly these bytes.
    let server = TestServer::bundled("default").await;
    let body = format!("transaction_hash={EXAMPLE_CLICK}");
    let request = format!(
        "GET /api/transaction/click_detail HTTP/1.1\r\nHost: {}\r\nUser-Agent: curl/7.88.1\r\n\
         Accept: */*\r\napi-key: {API_KEY}\r\napi-username: {USERNAME}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        server.addr,
        body.len()
    );

    let response = raw_exchange(server.addr, request.as_bytes()).await;

    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.contains(&format!("\"click_hash\":\"{EXAMPLE_CLICK}\"")));
}

#[tokio::test]
async fn a_body_whose_rest_comes_after_its_head_is_read_whole() {
    // The head and the body's first bytes in one write, the rest a moment
    // later: as a client on a slow link sends them, with a length and chunked.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = TestServer::bundled("default").await;
    let body = format!("transaction_hash={EXAMPLE_CLICK}");
    let (first, rest) = body.split_at(20);
    let head = format!(
        "GET /api/transaction/click_detail HTTP/1.1\r\nHost: {}\r\n\
         api-key: {API_KEY}\r\napi-username: {USERNAME}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n",
        server.addr
    );
    let sized = [
        format!("{head}Content-Length: {}\r\n\r\n{first}", body.len()),
        rest.to_string(),
    ];
    let chunked = [
        format!(
            "{head}Transfer-Encoding: chunked\r\n\r\n{:x}\r\n{first}\r\n",
            first.len()
        ),
        format!("{:x}\r\n{rest}\r\n0\r\n\r\n", rest.len()),
    ];
    for [now, later] in [sized, chunked] {
        let mut stream = tokio::net::TcpStream::connect(server.addr)
            .await
            .expect("connect");
        stream.write_all(now.as_bytes()).await.expect("write");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        stream.write_all(later.as_bytes()).await.expect("write");
        let mut response = Vec::new();
        tokio::time::timeout(
            std::time::Duration::from_secs(10),
            stream.read_to_end(&mut response),
        )
        .await
        .expect("answer within 10 s")
        .expect("read");
        let response = String::from_utf8_lossy(&response);
        assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
        assert!(response.contains(&format!("\"click_hash\":\"{EXAMPLE_CLICK}\"")));
    }
}

#[tokio::test]
async fn php_curl_customrequest_get_with_postfields_is_read() {
    // CURLOPT_CUSTOMREQUEST "GET" + CURLOPT_POSTFIELDS http_build_query($data):
    // a form body with its Content-Type, on a GET.
    let server = TestServer::bundled("default").await;

    let answer = server
        .lookup_typed(FORM, format!("transaction_hash={EXAMPLE_CLICK}"))
        .await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.click_hash(), EXAMPLE_CLICK);
}

#[tokio::test]
async fn python_requests_get_with_data_is_read() {
    // requests.request("GET", url, data={...}) form-encodes the dict into the body.
    let server = TestServer::bundled("default").await;

    let answer = send(
        server
            .click_detail()
            .form(&[("transaction_hash", EXAMPLE_CLICK)]),
    )
    .await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.click_hash(), EXAMPLE_CLICK);
}

#[tokio::test]
async fn a_body_without_content_type_is_read_as_a_form() {
    let server = TestServer::bundled("default").await;

    let answer = send(
        server
            .click_detail()
            .body(format!("transaction_hash={EXAMPLE_CLICK}")),
    )
    .await;

    assert_eq!(answer.status, 200, "{}", answer.body);
}

#[tokio::test]
async fn a_form_content_type_with_a_charset_is_a_form() {
    let server = TestServer::bundled("default").await;

    let answer = send(
        server
            .click_detail()
            .header(
                "content-type",
                "application/x-www-form-urlencoded; charset=UTF-8",
            )
            .body(format!("transaction_hash={EXAMPLE_CLICK}")),
    )
    .await;

    assert_eq!(answer.status, 200, "{}", answer.body);
}

#[tokio::test]
async fn percent_encoded_form_values_are_decoded() {
    let server = TestServer::bundled("default").await;

    let answer = server.lookup_form("orderid=ORD%2D1001").await;

    assert_eq!(answer.click_hash(), EXAMPLE_CLICK);
}

#[tokio::test]
async fn a_json_body_with_a_string_is_read() {
    let server = TestServer::bundled("default").await;

    let answer = send(
        server
            .click_detail()
            .json(&serde_json::json!({"transaction_hash": EXAMPLE_CLICK, "other": [1]})),
    )
    .await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.click_hash(), EXAMPLE_CLICK);
}

#[tokio::test]
async fn a_json_number_is_read_as_its_text() {
    let scenario = crate::util::scenario_from_yaml(&format!(
        "credentials: [{{username: {USERNAME}, api_key: {API_KEY}}}]\n\
         clicks: [{{click_hash: c1}}]\n\
         transactions: [{{transaction_hash: t1, click_hash: c1, orderid: 4711}}]\n"
    ));
    let server = TestServer::start(scenario).await;

    let answer = send(
        server
            .click_detail()
            .json(&serde_json::json!({"orderid": 4711})),
    )
    .await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.click_hash(), "c1");
}

#[tokio::test]
async fn a_multipart_body_is_read() {
    let server = TestServer::bundled("default").await;
    let form = reqwest::multipart::Form::new()
        .text("note", "ignored")
        .text("transaction_hash", EXAMPLE_CLICK);

    let answer = send(server.click_detail().multipart(form)).await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.click_hash(), EXAMPLE_CLICK);
}

#[tokio::test]
async fn the_query_string_is_read_when_there_is_no_body() {
    let server = TestServer::bundled("default").await;

    let answer = send(
        server
            .click_detail()
            .query(&[("transaction_hash", EXAMPLE_CLICK)]),
    )
    .await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.click_hash(), EXAMPLE_CLICK);
}

#[tokio::test]
async fn the_body_wins_over_the_query_for_the_same_name() {
    let server = TestServer::bundled("default").await;

    let answer = send(
        server
            .click_detail()
            .query(&[("transaction_hash", NEVER_CONVERTED)])
            .form(&[("transaction_hash", EXAMPLE_CLICK)]),
    )
    .await;

    assert_eq!(answer.click_hash(), EXAMPLE_CLICK);
}

#[tokio::test]
async fn an_empty_body_value_falls_back_to_the_query() {
    let server = TestServer::bundled("default").await;

    let answer = send(
        server
            .click_detail()
            .query(&[("transaction_hash", NEVER_CONVERTED)])
            .form(&[("transaction_hash", "")]),
    )
    .await;

    assert_eq!(answer.click_hash(), NEVER_CONVERTED);
}

#[tokio::test]
async fn empty_values_count_as_absent() {
    let server = TestServer::bundled("default").await;

    let answer = server
        .lookup_form("transaction_hash=&subscription_id=&orderid=")
        .await;

    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.error_message(),
        "Missing parameter: pass transaction_hash, subscription_id or orderid"
    );
}

#[tokio::test]
async fn an_empty_transaction_hash_lets_the_next_parameter_decide() {
    let server = TestServer::bundled("default").await;

    let answer = server
        .lookup_form("transaction_hash=&orderid=ORD-1001")
        .await;

    assert_eq!(answer.click_hash(), EXAMPLE_CLICK);
}

#[tokio::test]
async fn transaction_hash_decides_over_subscription_id_and_orderid() {
    let server = TestServer::bundled("default").await;

    let answer = server
        .lookup_form(&format!(
            "orderid=ORD-1001&subscription_id=SUB-88&transaction_hash={NEVER_CONVERTED}"
        ))
        .await;

    assert_eq!(answer.click_hash(), NEVER_CONVERTED);
}

#[tokio::test]
async fn subscription_id_decides_over_orderid() {
    let server = TestServer::bundled("default").await;

    let answer = server
        .lookup_form("orderid=ORD-1001&subscription_id=SUB-88")
        .await;

    assert_eq!(answer.click_hash(), REBILLED_CLICK);
}

#[tokio::test]
async fn the_deciding_parameter_is_used_even_when_it_finds_nothing() {
    let server = TestServer::bundled("default").await;

    let answer = server
        .lookup_form("transaction_hash=unknown&orderid=ORD-1001")
        .await;

    assert_eq!(answer.status, 404);
}

#[tokio::test]
async fn a_body_parameter_decides_over_a_query_parameter_of_higher_rank() {
    // Precedence body-over-query is per name; the lookup order then picks among names.
    let server = TestServer::bundled("default").await;

    let answer = send(
        server
            .click_detail()
            .query(&[("transaction_hash", NEVER_CONVERTED)])
            .form(&[("orderid", "ORD-1001")]),
    )
    .await;

    assert_eq!(answer.click_hash(), NEVER_CONVERTED);
}

#[tokio::test]
async fn unknown_parameters_are_ignored() {
    let server = TestServer::bundled("default").await;

    let answer = server
        .lookup_form(&format!("affiliate=1&transaction_hash={EXAMPLE_CLICK}&x="))
        .await;

    assert_eq!(answer.status, 200);
}

#[tokio::test]
async fn a_transaction_hash_finds_its_click() {
    let server = TestServer::bundled("default").await;

    let answer = server
        .lookup_form(&format!("transaction_hash={REBILL_TRANSACTION}"))
        .await;

    assert_eq!(answer.click_hash(), REBILLED_CLICK);
}

#[tokio::test]
async fn every_parameter_gives_the_same_body_with_all_transactions_in_fixture_order() {
    let server = TestServer::bundled("default").await;

    let by_click = server
        .lookup_form(&format!("transaction_hash={REBILLED_CLICK}"))
        .await;
    let by_transaction = server
        .lookup_form(&format!("transaction_hash={REBILL_TRANSACTION}"))
        .await;
    let by_subscription = server.lookup_form("subscription_id=SUB-88").await;
    let by_order = server.lookup_form("orderid=ORD-2002").await;

    assert_eq!(by_click.body, by_transaction.body);
    assert_eq!(by_click.body, by_subscription.body);
    assert_eq!(by_click.body, by_order.body);
    let hashes: Vec<String> = by_click.json()["transactions"]
        .as_array()
        .expect("transactions")
        .iter()
        .map(|t| {
            t["transaction_hash"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert_eq!(hashes, ["c57d0e1f2a3b4c5.11223344", REBILL_TRANSACTION]);
}

#[tokio::test]
async fn click_details_is_an_alias() {
    let server = TestServer::bundled("default").await;

    let answer = send(
        server
            .get_as("/api/transaction/click_details", API_KEY, USERNAME)
            .form(&[("transaction_hash", EXAMPLE_CLICK)]),
    )
    .await;
    let canonical = server.lookup_example().await;

    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, canonical.body);
}

#[tokio::test]
async fn ping_with_valid_credentials_is_1() {
    let server = TestServer::bundled("default").await;

    let answer = send(server.get_as("/api/service/ping", API_KEY, USERNAME)).await;

    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, "1");
    assert_eq!(answer.content_type(), "application/json");
}

#[tokio::test]
async fn ping_with_a_wrong_key_is_401() {
    let server = TestServer::bundled("default").await;

    let answer = send(server.get_as("/api/service/ping", "nope", USERNAME)).await;

    assert_eq!(answer.status, 401);
    assert_eq!(answer.error_message(), "Invalid api-key or api-username");
}

#[tokio::test]
async fn ping_without_credentials_is_401_missing() {
    let server = TestServer::bundled("default").await;

    let answer = send(server.client.get(server.url("/api/service/ping"))).await;

    assert_eq!(answer.status, 401);
    assert_eq!(
        answer.error_message(),
        "Missing api-key or api-username header"
    );
}

#[tokio::test]
async fn ping_by_post_is_405() {
    let server = TestServer::bundled("default").await;

    let answer = send(server.client.post(server.url("/api/service/ping"))).await;

    assert_eq!(answer.status, 405);
    assert_eq!(answer.headers["allow"], "GET");
}

#[tokio::test]
async fn health_reports_the_scenario_and_its_counts() {
    let server = TestServer::bundled("default").await;

    let answer = send(server.client.get(server.url("/__mock/health"))).await;

    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.body,
        r#"{"status":"ok","scenario":"default","clicks":4,"transactions":5,"events":0,"counters":{"requests":0,"faults":0,"rate_limited":0},"journal":{"entries":0,"bytes":0,"max_entries":10000,"max_bytes":16777216}}"#
    );
}

#[tokio::test]
async fn health_needs_no_credentials_even_when_addresses_are_restricted() {
    let server = TestServer::bundled("ip-restricted").await;

    let answer = send(server.client.get(server.url("/__mock/health"))).await;

    assert_eq!(answer.status, 200);
}

#[tokio::test]
async fn an_unknown_admin_path_is_404() {
    let server = TestServer::bundled("default").await;

    let answer = send(server.client.get(server.url("/__mock/nope"))).await;

    assert_eq!(answer.status, 404);
    assert_eq!(answer.error_message(), "Invalid endpoint");
}

#[tokio::test]
async fn a_connection_serves_many_requests() {
    let server = TestServer::bundled("default").await;

    for _ in 0..5 {
        let answer = server.lookup_example().await;
        assert_eq!(answer.status, 200);
        let rejected = server.lookup_form("transaction_hash=unknown").await;
        assert_eq!(rejected.status, 404);
    }
}

#[tokio::test]
async fn a_json_suffix_content_type_is_json() {
    let server = TestServer::bundled("default").await;

    let answer = server
        .lookup_typed(
            "application/vnd.api+json",
            format!("{{\"transaction_hash\":\"{EXAMPLE_CLICK}\"}}"),
        )
        .await;

    assert_eq!(answer.status, 200, "{}", answer.body);
}

#[tokio::test]
async fn a_json_null_counts_as_absent() {
    let server = TestServer::bundled("default").await;

    let answer = server
        .lookup_typed(
            "application/json",
            "{\"transaction_hash\": null, \"orderid\": \"ORD-1001\"}",
        )
        .await;

    assert_eq!(answer.click_hash(), EXAMPLE_CLICK);
}

#[tokio::test]
async fn a_repeated_name_counts_its_first_non_empty_value() {
    let server = TestServer::bundled("default").await;

    let answer = server
        .lookup_form(&format!(
            "transaction_hash=&transaction_hash={EXAMPLE_CLICK}&transaction_hash={NEVER_CONVERTED}"
        ))
        .await;

    assert_eq!(answer.click_hash(), EXAMPLE_CLICK);
}

#[tokio::test]
async fn health_by_post_is_405_with_allow_get() {
    let server = TestServer::bundled("default").await;

    let answer = send(server.client.post(server.url("/__mock/health"))).await;

    assert_eq!(answer.status, 405);
    assert_eq!(answer.headers["allow"], "GET");
    assert_eq!(answer.error_message(), "Invalid request method");
}

#[tokio::test]
async fn scenario_overrides_do_not_reach_the_admin_api() {
    let scenario = crate::util::scenario_from_yaml(&format!(
        "credentials: [{{username: {USERNAME}, api_key: {API_KEY}}}]\n\
         errors: {{invalid_endpoint: {{status: 418, message: custom}}}}\n"
    ));
    let overriding = TestServer::start(scenario).await;

    let unknown_admin = send(overriding.client.get(overriding.url("/__mock/nope"))).await;
    let unknown_api = send(overriding.client.get(overriding.url("/api/nope"))).await;

    assert_eq!(unknown_admin.status, 404);
    assert_eq!(unknown_admin.error_message(), "Invalid endpoint");
    assert_eq!(unknown_api.status, 418);
}

#[tokio::test]
async fn extra_and_payouts_left_empty_both_mean_none() {
    let scenario = crate::util::scenario_from_yaml(&format!(
        "credentials: [{{username: {USERNAME}, api_key: {API_KEY}}}]\n\
         clicks:\n  - click_hash: c1\n    extra:\n\
         transactions:\n  - transaction_hash: t1\n    click_hash: c1\n    payouts:\n    extra:\n"
    ));
    let server = TestServer::start(scenario).await;

    let answer = server.lookup_form("transaction_hash=c1").await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    let body = answer.json();
    assert_eq!(
        body["click"].as_object().map(|c| c.len()),
        Some(15),
        "no extra keys"
    );
    assert_eq!(body["transactions"][0]["payouts"], serde_json::json!([]));
    assert_eq!(
        body["transactions"][0].as_object().map(|t| t.len()),
        Some(9),
        "no extra keys"
    );
}
