//! `POST /__mock/verify` and `MockServer::verify`: call counts checked
//! against the journal, with the nearest requests when one is not met.

use n4n_mock::{Expectation, MockServer, VerifyError};
use serde_json::{Value, json};

use crate::util::*;

const CLICK_DETAIL: &str = "/api/transaction/click_detail";

/// A default server that has answered the example lookup, a lookup of an
/// unknown hash, and a ping.
async fn server_with_three_requests() -> TestServer {
    let server = TestServer::bundled("default").await;
    assert_eq!(server.lookup_example().await.status, 200);
    assert_eq!(
        server.lookup_form("transaction_hash=nope").await.status,
        404
    );
    let ping = send(server.get_as("/api/service/ping", API_KEY, USERNAME)).await;
    assert_eq!(ping.status, 200);
    server
}

async fn verify(server: &TestServer, body: Value) -> Answer {
    send(
        server
            .client
            .post(server.url("/__mock/verify"))
            .header("content-type", "application/json")
            .body(body.to_string()),
    )
    .await
}

async fn verify_raw(server: &TestServer, body: &str) -> Answer {
    send(
        server
            .client
            .post(server.url("/__mock/verify"))
            .body(body.to_string()),
    )
    .await
}

fn mock_error(answer: &Answer) -> &str {
    answer
        .headers
        .get("x-mock-error")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

#[tokio::test]
async fn expectations_all_met_are_200_with_their_number() {
    let server = server_with_three_requests().await;

    let answer = verify(
        &server,
        json!({"expect": [
            {"path": CLICK_DETAIL, "value": EXAMPLE_CLICK, "status": 200, "count": 1},
            {"path": CLICK_DETAIL, "at_least": 2, "at_most": 2},
            {"outcome": "ping"},
            {"outcome": "unknown_scenario", "at_most": 0},
        ]}),
    )
    .await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.json(),
        json!({"result": "success", "expectations": 4})
    );
}

#[tokio::test]
async fn every_filter_field_counts_only_the_requests_it_names() {
    let server = server_with_three_requests().await;
    let cases = [
        (json!({"method": "get"}), 3),
        (json!({"method": "POST"}), 0),
        (json!({"path": "/api/service/ping"}), 1),
        (json!({"scenario": "default"}), 3),
        (json!({"scenario": "empty"}), 0),
        (json!({"parameter": "transaction_hash"}), 2),
        (json!({"parameter": "orderid"}), 0),
        (json!({"value": "nope"}), 1),
        (json!({"status": 404}), 1),
        (json!({"status": 200}), 2),
        (json!({"outcome": "not_found"}), 1),
        (json!({"outcome": "click"}), 1),
    ];

    for (mut filter, count) in cases {
        filter["count"] = json!(count);
        let answer = verify(&server, json!({ "expect": [filter.clone()] })).await;
        assert_eq!(answer.status, 200, "{filter}: {}", answer.body);
        filter["count"] = json!(count + 1);
        let answer = verify(&server, json!({ "expect": [filter.clone()] })).await;
        assert_eq!(
            answer.failures_actual(),
            Some(count),
            "{filter}: {}",
            answer.body
        );
    }
}

#[tokio::test]
async fn an_unmet_expectation_is_422_with_the_count_found_and_the_nearest_requests() {
    let server = server_with_three_requests().await;

    let answer = verify(
        &server,
        json!({"expect": [
            {"outcome": "ping"},
            {"path": CLICK_DETAIL, "value": "35b71a300115be9.1673898", "status": 200},
        ]}),
    )
    .await;

    assert_eq!(answer.status, 422, "{}", answer.body);
    assert_eq!(mock_error(&answer), "expectation-failed");
    let body = answer.json();
    assert_eq!(body["result"], "error");
    assert_eq!(body["message"], "1 of 2 expectations not met");
    let failure = &body["failures"][0];
    assert_eq!(failure["index"], 1);
    assert_eq!(
        failure["expected"],
        json!({"path": CLICK_DETAIL, "value": "35b71a300115be9.1673898", "status": 200})
    );
    assert_eq!(failure["actual"], 0);
    let nearest: Vec<(Value, Value)> = failure["nearest"]
        .as_array()
        .expect("nearest")
        .iter()
        .map(|n| (n["differs"].clone(), n["request"]["seq"].clone()))
        .collect();
    assert_eq!(
        nearest,
        [
            (json!(["value"]), json!(1)),
            (json!(["path", "value"]), json!(3)),
            (json!(["value", "status"]), json!(2)),
        ],
        "fewest differences first, then newest: the typo'd hash is one field away from the real lookup"
    );
    assert_eq!(failure["nearest"][0]["request"]["value"], EXAMPLE_CLICK);
}

#[tokio::test]
async fn too_many_calls_fail_an_exact_count_and_show_the_calls_that_counted() {
    let server = server_with_three_requests().await;

    let answer = verify(
        &server,
        json!({"expect": [{"path": CLICK_DETAIL, "count": 1}]}),
    )
    .await;

    assert_eq!(answer.status, 422, "{}", answer.body);
    let failure = &answer.json()["failures"][0];
    assert_eq!(failure["actual"], 2);
    assert_eq!(failure["nearest"][0]["differs"], json!([]));
    assert_eq!(failure["nearest"][0]["request"]["seq"], 2, "newest first");
}

#[tokio::test]
async fn an_empty_journal_fails_with_no_nearest_request() {
    let server = TestServer::bundled("default").await;

    let answer = verify(&server, json!({"expect": [{"outcome": "click"}]})).await;

    assert_eq!(answer.status, 422);
    assert_eq!(answer.json()["failures"][0]["nearest"], json!([]));
}

#[tokio::test]
async fn malformed_bodies_and_expectations_are_400_invalid_expectation() {
    let server = TestServer::bundled("default").await;
    let cases = [
        ("not JSON", "expect"),
        ("{}", "missing field `expect`"),
        (r#"{"expect":[{"count":-1}]}"#, "`-1`"),
        (r#"{"expect":[{"pathh":"/"}]}"#, "unknown field `pathh`"),
        (
            r#"{"expect":[{"count":1,"at_least":1}]}"#,
            "expect[0]: `count` cannot go with",
        ),
        (r#"{"expect":[{},{"count":1,"at_most":1}]}"#, "expect[1]:"),
        (
            r#"{"expect":[{"at_least":3,"at_most":2}]}"#,
            "is more than `at_most`",
        ),
        (r#"{"expect":[]}"#, "`expect` is empty"),
        (r#"{"expect":[{"status":"200"}]}"#, "string \"200\""),
        (r#"{"expect":{}}"#, "expect"),
    ];

    let too_many = format!(r#"{{"expect":[{}]}}"#, vec!["{}"; 101].join(","));
    let cases = cases
        .into_iter()
        .chain([(too_many.as_str(), "at most 100")]);
    for (body, says) in cases {
        let answer = verify_raw(&server, body).await;
        assert_eq!(answer.status, 400, "{body}: {}", answer.body);
        assert_eq!(mock_error(&answer), "invalid-expectation", "{body}");
        let message = answer.error_message();
        assert!(message.starts_with("Invalid expectation: "), "{message}");
        assert!(message.contains(says), "{body}: {message}");
    }
}

#[tokio::test]
async fn verify_takes_only_post() {
    let server = TestServer::bundled("default").await;

    let answer = send(server.client.get(server.url("/__mock/verify"))).await;

    assert_eq!(answer.status, 405);
    assert_eq!(answer.headers["allow"], "POST");
}

#[tokio::test]
async fn a_library_mock_verifies_with_a_readable_error() {
    let mock = MockServer::builder().start().await.expect("starts");
    let client = reqwest::Client::new();
    let answer = send(
        client
            .get(format!("{}{CLICK_DETAIL}", mock.url()))
            .header("api-key", API_KEY)
            .header("api-username", USERNAME)
            .query(&[("orderid", "ORD-0")]),
    )
    .await;
    assert_eq!(answer.status, 404);

    let met = mock.verify(&[Expectation::any().parameter("orderid").status(404).count(1)]);
    let unmet = mock.verify(&[Expectation::any().value("ORD-1")]);

    assert_eq!(met, Ok(1));
    let err = unmet.expect_err("no such call");
    assert!(matches!(err, VerifyError::Unmet { .. }));
    let text = err.to_string();
    assert!(text.starts_with("1 of 1 expectation not met"), "{text}");
    assert!(text.contains("wanted at least 1, found 0"), "{text}");
    assert!(text.contains("orderid=ORD-0 status=404"), "{text}");
    assert!(text.contains("(differs: value)"), "{text}");
}

#[tokio::test]
async fn a_value_the_journal_cut_is_matched_by_its_kept_part_and_length() {
    let server = TestServer::bundled("default").await;
    let long = "a".repeat(1000);
    let sent = server
        .lookup_form(&format!("transaction_hash={long}"))
        .await;
    assert_eq!(sent.status, 404);

    let same = verify(&server, json!({"expect": [{"value": long, "count": 1}]})).await;
    let shorter = verify(&server, json!({"expect": [{"value": "a".repeat(999)}]})).await;

    assert_eq!(same.status, 200, "{}", same.body);
    assert_eq!(shorter.status, 422, "another length: {}", shorter.body);
}
