//! Which transaction an event action reaches: by `transaction_hash` (a
//! transaction's, or a click's naming its first), `orderid`, `click_hash`
//! or `transactionid`, the first present deciding; read from the body and
//! the query string as for click_detail.

use crate::util::{API_KEY, USERNAME, send};

use super::*;

/// Voids what `fields` name on a fresh server; the statuses of `click`'s
/// transactions afterwards.
async fn statuses_after_void(fields: &[(&str, &str)], click: &str) -> Vec<String> {
    let server = lifecycle().await;
    let answer = apply(&server, Kind::Void, fields).await;
    assert_eq!(answer.status, 200, "{fields:?}: {}", answer.body);
    statuses(&server, click).await
}

#[tokio::test]
async fn a_transaction_hash_names_that_transaction() {
    let found = statuses_after_void(&[("transaction_hash", ORDER_SECOND_TX)], ORDER_CLICK).await;

    assert_eq!(found, ["approved", "void", "void"]);
}

#[tokio::test]
async fn a_click_hash_given_as_transaction_hash_names_the_clicks_first_transaction() {
    let found = statuses_after_void(&[("transaction_hash", ORDER_CLICK)], ORDER_CLICK).await;

    assert_eq!(found, ["void", "approved", "void"]);
}

#[tokio::test]
async fn an_orderid_two_transactions_share_names_the_first_of_them() {
    let found = statuses_after_void(&[("orderid", SHARED_ORDER)], ORDER_CLICK).await;

    assert_eq!(found, ["void", "approved", "void"]);
}

#[tokio::test]
async fn an_orderid_keeps_naming_its_first_transaction_once_that_one_is_voided() {
    let server = lifecycle().await;
    let first = apply(&server, Kind::Void, &[("orderid", SHARED_ORDER)]).await;
    assert_eq!(first.status, 200, "{}", first.body);

    let second = apply(&server, Kind::Void, &[("orderid", SHARED_ORDER)]).await;

    assert_eq!(second.status, 400, "{}", second.body);
    assert_eq!(second.error_message(), "Void transaction exists.");
    assert_eq!(
        statuses(&server, ORDER_CLICK).await,
        ["void", "approved", "void"]
    );
}

#[tokio::test]
async fn a_click_hash_names_the_clicks_first_transaction() {
    let found = statuses_after_void(&[("click_hash", ORDER_CLICK)], ORDER_CLICK).await;

    assert_eq!(found, ["void", "approved", "void"]);
}

#[tokio::test]
async fn a_transactionid_names_the_transaction_that_carries_it() {
    let found = statuses_after_void(&[("transactionid", VOID_TXID)], VOID_CLICK).await;

    assert_eq!(found, ["void", "void"]);
}

#[tokio::test]
async fn the_first_identifier_present_decides_in_the_contracts_order() {
    // The fields sent, and the click and transaction they void.
    let cases: [(&str, Fields, &str, &str); 5] = [
        (
            "transaction_hash before orderid",
            &[
                ("orderid", SHARED_ORDER),
                ("transaction_hash", ORDER_SECOND_TX),
            ],
            ORDER_CLICK,
            ORDER_SECOND_TX,
        ),
        (
            "orderid before click_hash",
            &[("click_hash", VOID_CLICK), ("orderid", SHARED_ORDER)],
            ORDER_CLICK,
            ORDER_FIRST_TX,
        ),
        (
            "click_hash before transactionid",
            &[("transactionid", VOID_TXID), ("click_hash", REVERSAL_CLICK)],
            REVERSAL_CLICK,
            REVERSAL_TX,
        ),
        (
            "an empty transaction_hash counts as absent",
            &[("transaction_hash", ""), ("orderid", VOID_ORDER)],
            VOID_CLICK,
            VOID_TX,
        ),
        (
            "unknown parameters are ignored",
            &[
                ("approved", "1"),
                ("note", "x"),
                ("transactionid", VOID_TXID),
            ],
            VOID_CLICK,
            VOID_TX,
        ),
    ];
    for (name, fields, click, hash) in cases {
        let server = lifecycle().await;

        let answer = apply(&server, Kind::Void, fields).await;

        assert_eq!(answer.status, 200, "{name}: {}", answer.body);
        let target = transaction(&server, click, hash).await;
        assert_eq!(target["status"], "void", "{name}");
        let untouched = CLICKS
            .iter()
            .filter(|c| **c != click && **c != VOIDED_CLICK && **c != UNCONVERTED_CLICK);
        for other in untouched {
            assert_eq!(
                statuses(&server, other).await[0],
                "approved",
                "{name}: {other}"
            );
        }
    }
}

#[tokio::test]
async fn an_identifier_in_the_query_string_is_read() {
    let server = lifecycle().await;

    let answer = send(
        server
            .post_as(VOID, API_KEY, USERNAME)
            .query(&[("transaction_hash", VOID_TX)]),
    )
    .await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(statuses(&server, VOID_CLICK).await, ["void", "void"]);
}

#[tokio::test]
async fn the_body_wins_over_the_query_string() {
    let server = lifecycle().await;

    let answer = send(
        server
            .form_request(Method::POST, VOID, &[("transaction_hash", VOID_TX)])
            .query(&[("transaction_hash", UNKNOWN_HASH)]),
    )
    .await;

    assert_eq!(answer.status, 200, "{}", answer.body);
}

#[tokio::test]
async fn a_json_body_is_read_like_a_form() {
    let server = lifecycle().await;

    let answer = send(
        server
            .post_as(CHARGEBACK, API_KEY, USERNAME)
            .header("content-type", "application/json")
            .body(format!(
                r#"{{"type":"chargeback","transaction_hash":"{CHARGEBACK_TX}","cost":7.5}}"#
            )),
    )
    .await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        statuses(&server, CHARGEBACK_CLICK).await,
        ["chargeback", "chargeback"]
    );
}

#[tokio::test]
async fn click_detail_by_order_shows_the_voided_original_and_its_event_after_it() {
    let server = lifecycle().await;
    let before = server.lookup_form(&format!("orderid={VOID_ORDER}")).await;
    assert_eq!(before.status, 200, "{}", before.body);

    applied(&server, Kind::Void, VOID_TX).await;

    let after = server.lookup_form(&format!("orderid={VOID_ORDER}")).await;
    assert_eq!(after.status, 200, "{}", after.body);
    let listed = after.json()["transactions"].clone();
    assert_eq!(listed[0]["transaction_hash"], VOID_TX);
    assert_eq!(listed[0]["status"], "void");
    assert_eq!(listed[1]["trans_type"], "void");
    assert_eq!(listed[1]["orderid"], VOID_ORDER);
    assert_eq!(listed.as_array().map(Vec::len), Some(2));
}
