//! Postback expectations in `POST /__mock/verify`: met is 200, unmet is
//! 422 with the nearest postbacks, beside request expectations in the same
//! `expect` list.

use serde_json::json;

use crate::lifecycle::{Kind, apply};
use crate::util::*;

use super::*;

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

/// A server whose `shop` target has delivered a sale (seq 1) and failed
/// its void (seq 2); the sale's hash.
async fn sale_delivered_void_failed() -> (TestServer, String, Receiver) {
    let receiver = Receiver::statuses(&[200, 500]).await;
    let server = serve(&[target("shop", &receiver.url(PB_PATH), "retry: []")]).await;
    let hash = hash_of(&sale(&server).await);
    let void = apply(&server, Kind::Void, &[("transaction_hash", &hash)]).await;
    assert_eq!(void.status, 200, "{}", void.body);
    settled(&server, 2).await;
    (server, hash, receiver)
}

#[tokio::test]
async fn postback_expectations_met_are_200() {
    let (server, hash, _receiver) = sale_delivered_void_failed().await;

    let answer = verify(
        &server,
        json!({"expect": [
            {"postback": {"event": "sale", "target": "shop", "state": "delivered",
                          "transaction_hash": hash, "scenario": SCENARIO, "method": "GET"},
             "count": 1},
            {"postback": {"event": "void", "state": "failed"}, "count": 1},
            {"postback": {}, "at_least": 2, "at_most": 2},
            {"postback": {"state": "dropped"}, "count": 0},
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
async fn an_unmet_postback_expectation_is_422_with_the_nearest_postbacks() {
    let (server, _hash, _receiver) = sale_delivered_void_failed().await;

    let answer = verify(
        &server,
        json!({"expect": [
            {"postback": {"event": "void", "target": "shop", "state": "delivered"}, "count": 1},
        ]}),
    )
    .await;

    assert_eq!(answer.status, 422, "{}", answer.body);
    assert_eq!(answer.headers["x-mock-error"], "expectation-failed");
    let body = answer.json();
    assert_eq!(body["message"], "1 of 1 expectation not met");
    let failure = &body["failures"][0];
    assert_eq!(failure["index"], 0);
    assert_eq!(failure["actual"], 0);
    let nearest: Vec<(Value, Value)> = failure["nearest"]
        .as_array()
        .expect("nearest")
        .iter()
        .map(|n| (n["differs"].clone(), n["postback"]["seq"].clone()))
        .collect();
    assert_eq!(
        nearest,
        [(json!(["state"]), json!(2)), (json!(["event"]), json!(1))],
        "the failed void is one field away, as is the delivered sale; newest first"
    );
    assert_eq!(failure["nearest"][0]["postback"]["state"], "failed");
}

#[tokio::test]
async fn postback_and_request_expectations_go_in_one_list() {
    let (server, _hash, _receiver) = sale_delivered_void_failed().await;

    let answer = verify(
        &server,
        json!({"expect": [
            {"path": crate::lifecycle::VOID, "status": 200, "count": 1},
            {"postback": {"event": "chargeback"}, "at_least": 1},
        ]}),
    )
    .await;

    assert_eq!(answer.status, 422, "{}", answer.body);
    let body = answer.json();
    assert_eq!(body["message"], "1 of 2 expectations not met");
    assert_eq!(body["failures"][0]["index"], 1);
}

#[tokio::test]
async fn a_postback_expectation_takes_no_request_field() {
    let server = serve(&[]).await;

    let answer = verify(
        &server,
        json!({"expect": [{"postback": {"event": "sale"}, "path": "/api/x"}]}),
    )
    .await;

    assert_eq!(answer.status, 400, "{}", answer.body);
    assert_eq!(answer.headers["x-mock-error"], "invalid-expectation");
}
