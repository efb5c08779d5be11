//! `POST /__mock/conversions`: a sale or a rebill made to happen on a
//! click, what `click_detail` then shows, the lifecycle acting on it, and
//! every refusal (shared/POSTBACKS.md, "Conversions").

use std::time::Duration;

use n4n_mock::{Conversion, MockServer};
use serde_json::{Value, json};

use crate::util::{EXAMPLE_CLICK, TestServer, bundled, send};

/// Sends `body` as a conversion.
async fn convert(server: &TestServer, body: Value) -> crate::util::Answer {
    send(
        server
            .client
            .post(server.url("/__mock/conversions"))
            .json(&body),
    )
    .await
}

/// The example click's transactions, as `click_detail` lists them now.
async fn transactions(server: &TestServer) -> Vec<Value> {
    let answer = server.lookup_example().await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()["transactions"]
        .as_array()
        .expect("a list")
        .clone()
}

#[tokio::test]
async fn a_conversion_appends_an_approved_transaction_that_click_detail_lists() {
    let server = TestServer::bundled("default").await;
    let before = transactions(&server).await;

    let answer = convert(
        &server,
        json!({"click_hash": EXAMPLE_CLICK, "amount": "19.9", "payout": 5, "orderid": "ORD-9",
               "subscription_id": "SUB-9"}),
    )
    .await;

    assert_eq!(answer.status, 201, "{}", answer.body);
    let made = answer.json();
    assert_eq!(made["result"], "success");
    assert_eq!(made["postbacks"], json!([]), "default has no targets");
    let hash = made["transaction_hash"].as_str().expect("a hash");
    let (hex, digits) = hash.split_once('.').expect("a dot");
    assert_eq!((hex.len(), digits.len()), (15, 8), "{hash}");
    let after = transactions(&server).await;
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(after[..before.len()], before[..]);
    let payouts = json!([{"type": "affiliate", "loginid": "1001", "username": "topaffiliate",
                          "amount": "5.00"}]);
    // The scenario's clock, as the first event of the lifecycle reads it.
    let other = TestServer::bundled("default").await;
    let void = other
        .send_form(
            reqwest::Method::POST,
            "/api/transaction/process_void",
            &[("transaction_hash", "ac35ffba0fc0007.24591976")],
        )
        .await;
    assert_eq!(void.status, 200, "{}", void.body);
    let clock = transactions(&other).await.pop().expect("the void")["time"].clone();
    assert_eq!(
        after[before.len()],
        json!({"transaction_hash": hash, "time": clock, "trans_type": "initial",
               "status": "approved", "orderid": "ORD-9", "subscription_id": "SUB-9",
               "amount": "19.90", "total_payout": "5.00", "payouts": payouts})
    );
}

#[tokio::test]
async fn the_same_conversions_give_the_same_hashes_in_every_run() {
    let mut runs = Vec::new();
    for _ in 0..2 {
        let server = TestServer::bundled("default").await;
        let mut hashes = Vec::new();
        for amount in ["1.00", "2.00"] {
            let answer = convert(
                &server,
                json!({"click_hash": EXAMPLE_CLICK, "amount": amount}),
            )
            .await;
            hashes.push(answer.json()["transaction_hash"].clone());
        }
        runs.push(hashes);
    }

    assert_eq!(runs[0], runs[1]);
    assert_ne!(runs[0][0], runs[0][1], "each event has its own number");
}

#[tokio::test]
async fn a_rebill_is_a_transaction_of_type_rebill() {
    let server = TestServer::bundled("default").await;

    let answer = convert(
        &server,
        json!({"click_hash": EXAMPLE_CLICK, "amount": 9.95, "trans_type": "rebill"}),
    )
    .await;

    assert_eq!(answer.status, 201, "{}", answer.body);
    let last = transactions(&server).await.pop().expect("one");
    assert_eq!(last["trans_type"], "rebill");
    assert_eq!(last["amount"], "9.95");
    assert_eq!(last["total_payout"], "0.00");
}

#[tokio::test]
async fn a_converted_transaction_can_be_voided_and_its_order_found() {
    let server = TestServer::bundled("default").await;
    let made = convert(
        &server,
        json!({"click_hash": EXAMPLE_CLICK, "amount": "10", "orderid": "ORD-NEW"}),
    )
    .await
    .json();
    let hash = made["transaction_hash"].as_str().expect("a hash");

    let exists = server
        .send_form(
            reqwest::Method::GET,
            "/api/offer/check_orderid_exists",
            &[("orderid", "ORD-NEW")],
        )
        .await;
    let void = server
        .send_form(
            reqwest::Method::POST,
            "/api/transaction/process_void",
            &[("orderid", "ORD-NEW")],
        )
        .await;

    assert_eq!(exists.json()["message"], "TRUE", "{}", exists.body);
    assert_eq!(void.status, 200, "{}", void.body);
    let list = transactions(&server).await;
    let sale = list
        .iter()
        .find(|t| t["transaction_hash"] == hash)
        .expect("the sale");
    assert_eq!(sale["status"], "void");
    assert_eq!(list.last().expect("the void")["amount"], "-10.00");
}

#[tokio::test]
async fn a_reset_removes_every_conversion() {
    let server = TestServer::bundled("default").await;
    let before = transactions(&server).await;
    convert(&server, json!({"click_hash": EXAMPLE_CLICK, "amount": "1"})).await;

    server.admin_post("reset").await;

    assert_eq!(transactions(&server).await, before);
}

#[tokio::test]
async fn each_refusal_says_what_is_wrong() {
    let server = TestServer::bundled("default").await;
    let cases = [
        (
            json!({"amount": "1"}),
            400,
            "invalid-conversion",
            "Missing field: click_hash",
        ),
        (
            json!({"click_hash": EXAMPLE_CLICK}),
            400,
            "invalid-conversion",
            "Missing field: amount",
        ),
        (
            json!({"click_hash": EXAMPLE_CLICK, "amount": "1e3"}),
            400,
            "invalid-conversion",
            "Invalid amount",
        ),
        (
            json!({"click_hash": EXAMPLE_CLICK, "amount": true}),
            400,
            "invalid-conversion",
            "Invalid amount",
        ),
        (
            json!({"click_hash": EXAMPLE_CLICK, "amount": "1", "payout": "x"}),
            400,
            "invalid-conversion",
            "Invalid payout",
        ),
        (
            json!({"click_hash": EXAMPLE_CLICK, "amount": "1", "trans_type": "upgrade"}),
            400,
            "invalid-conversion",
            "Invalid trans_type",
        ),
        (
            json!({"click_hash": EXAMPLE_CLICK, "amount": "1", "orderid": "o".repeat(256)}),
            400,
            "invalid-conversion",
            "Invalid orderid",
        ),
        (
            json!({"click_hash": "ac35ffba0fc0007.24591976", "amount": "1"}),
            404,
            "click-not-found",
            "Click not found",
        ),
        (
            json!({"click_hash": "nope", "amount": "1"}),
            404,
            "click-not-found",
            "Click not found",
        ),
        (
            json!({"click_hash": EXAMPLE_CLICK, "amount": "1", "scenario": "nope"}),
            400,
            "unknown-scenario",
            "Unknown scenario: nope",
        ),
    ];

    for (body, status, code, message) in cases {
        let answer = convert(&server, body.clone()).await;

        assert_eq!(answer.status, status, "{body}: {}", answer.body);
        assert_eq!(answer.headers["x-mock-error"], code, "{body}");
        assert_eq!(answer.json()["message"], message, "{body}");
    }
}

#[tokio::test]
async fn a_body_that_is_not_a_conversion_is_400() {
    let server = TestServer::bundled("default").await;
    for body in [
        "[]",
        "not json",
        r#"{"click_hash":"x","amount":"1","extra":1}"#,
    ] {
        let answer = send(
            server
                .client
                .post(server.url("/__mock/conversions"))
                .body(body),
        )
        .await;

        assert_eq!(answer.status, 400, "{body}: {}", answer.body);
        assert_eq!(
            answer.headers["x-mock-error"], "invalid-conversion",
            "{body}"
        );
    }
}

#[tokio::test]
async fn a_conversion_goes_to_the_scenario_it_names() {
    let server = TestServer::bundled("lifecycle").await;

    let answer = convert(
        &server,
        json!({"click_hash": EXAMPLE_CLICK, "amount": "1", "scenario": "default"}),
    )
    .await;

    assert_eq!(answer.status, 201, "{}", answer.body);
    let scenarios = send(server.client.get(server.url("/__mock/scenario")))
        .await
        .json();
    let events = |name: &str| {
        scenarios["scenarios"]
            .as_array()
            .expect("a list")
            .iter()
            .find(|s| s["name"] == name)
            .map(|s| s["events"].clone())
    };
    assert_eq!(events("default"), Some(json!(1)));
    assert_eq!(events("lifecycle"), Some(json!(0)));
}

#[tokio::test]
async fn the_library_converts_and_waits_for_postbacks() {
    let mock = MockServer::builder()
        .scenario_built(bundled("default"))
        .start()
        .await
        .expect("starts");

    let made = mock
        .convert(
            &Conversion::new(EXAMPLE_CLICK, "29.95")
                .payout("10.00")
                .rebill(),
        )
        .expect("converted");
    let refused = mock
        .convert(&Conversion::new("nope", "1"))
        .expect_err("no such click");
    let unknown = mock
        .convert(&Conversion::new(EXAMPLE_CLICK, "1").scenario("nope"))
        .expect_err("no such scenario");

    assert!(made.postbacks.is_empty());
    assert_eq!(
        (refused.status, refused.message.as_str()),
        (404, "Click not found")
    );
    assert_eq!(unknown.status, 400);
    assert!(mock.postbacks().is_empty());
    let waited = mock.wait_for_postbacks(1, Duration::from_millis(50)).await;
    assert_eq!(waited.expect_err("none to settle").settled, 0);
}

#[tokio::test]
async fn click_detail_finds_a_conversion_by_its_hash_order_and_subscription() {
    let server = TestServer::bundled("default").await;
    let made = convert(
        &server,
        json!({"click_hash": EXAMPLE_CLICK, "amount": "3", "orderid": "ORD-C", "subscription_id": "SUB-C"}),
    )
    .await
    .json();
    let hash = made["transaction_hash"].as_str().expect("a hash");

    for form in [
        format!("transaction_hash={hash}"),
        "orderid=ORD-C".to_string(),
        "subscription_id=SUB-C".to_string(),
    ] {
        let answer = server.lookup_form(&form).await;

        assert_eq!(answer.status, 200, "{form}: {}", answer.body);
        assert_eq!(
            answer.json()["click"]["click_hash"],
            EXAMPLE_CLICK,
            "{form}"
        );
    }
}
