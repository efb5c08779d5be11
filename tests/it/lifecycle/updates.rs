//! Revenue updates (by order, by hash), payout previews and order checks.

use crate::util::{API_KEY, USERNAME, send};

use super::*;

async fn revenue_by_order(server: &TestServer, orderid: &str, cents: &str) -> Answer {
    server
        .send_form(
            Method::PATCH,
            REVENUE_BY_ORDER,
            &[("orderid", orderid), ("amount", cents)],
        )
        .await
}

async fn revenue_by_hash(server: &TestServer, hash: &str, cents: &str) -> Answer {
    server
        .send_form(
            Method::PATCH,
            REVENUE_BY_HASH,
            &[("transaction_hash", hash), ("amount", cents)],
        )
        .await
}

async fn preview(server: &TestServer, fields: &[(&str, &str)]) -> Answer {
    server.send_form(Method::GET, PAYOUT_PREVIEW, fields).await
}

async fn check_order(server: &TestServer, orderid: &str) -> Answer {
    server
        .send_form(Method::GET, CHECK_ORDER, &[("orderid", orderid)])
        .await
}

/// The `amount` of each payout a preview answered.
fn previewed_amounts(answer: &Answer) -> Vec<String> {
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()["payouts"]
        .as_array()
        .expect("payouts")
        .iter()
        .map(|p| p["amount"].as_str().expect("amount").to_string())
        .collect()
}

// --- revenue ---------------------------------------------------------------

#[tokio::test]
async fn a_revenue_update_answers_200_with_the_success_body() {
    let server = lifecycle().await;

    let by_order = revenue_by_order(&server, REVERSAL_ORDER, "2995").await;
    let by_hash = revenue_by_hash(&server, VOID_TX, "1000").await;

    for answer in [by_order, by_hash] {
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(answer.content_type(), "application/json");
        assert_eq!(answer.body, REVENUE_UPDATED);
    }
}

#[tokio::test]
async fn revenue_by_order_writes_the_cents_with_two_decimals() {
    let server = lifecycle().await;

    let answer = revenue_by_order(&server, REVERSAL_ORDER, "2995").await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    let updated = transaction(&server, REVERSAL_CLICK, REVERSAL_TX).await;
    assert_eq!(updated["amount"], "29.95");
    assert_eq!(
        updated["total_payout"], "4.50",
        "the payout is not re-priced"
    );
}

#[tokio::test]
async fn revenue_by_hash_writes_negative_cents_with_two_decimals() {
    let server = lifecycle().await;

    let answer = revenue_by_hash(&server, VOID_TX, "-500").await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        transaction(&server, VOID_CLICK, VOID_TX).await["amount"],
        "-5.00"
    );
}

#[tokio::test]
async fn any_whole_number_of_cents_is_written_with_two_decimals() {
    let cases = [
        ("2995", "29.95"),
        ("-500", "-5.00"),
        ("5", "0.05"),
        ("-1", "-0.01"),
        ("0", "0.00"),
        ("100000", "1000.00"),
    ];
    for (cents, written) in cases {
        let server = lifecycle().await;

        let answer = revenue_by_hash(&server, CHARGEBACK_TX, cents).await;

        assert_eq!(answer.status, 200, "{cents}: {}", answer.body);
        let updated = transaction(&server, CHARGEBACK_CLICK, CHARGEBACK_TX).await;
        assert_eq!(updated["amount"], written, "{cents}");
    }
}

#[tokio::test]
async fn a_revenue_update_reads_its_fields_from_the_query_string() {
    let server = lifecycle().await;

    let answer = send(
        server
            .patch_as(REVENUE_BY_ORDER, API_KEY, USERNAME)
            .query(&[("orderid", REVERSAL_ORDER), ("amount", "1250")]),
    )
    .await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        transaction(&server, REVERSAL_CLICK, REVERSAL_TX).await["amount"],
        "12.50"
    );
}

#[tokio::test]
async fn revenue_by_an_order_two_transactions_share_updates_the_first() {
    let server = lifecycle().await;

    let answer = revenue_by_order(&server, SHARED_ORDER, "2500").await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    let listed = transactions(&server, ORDER_CLICK).await;
    assert_eq!(listed[0]["amount"], "25.00");
    assert_eq!(listed[1]["amount"], "9.95");
}

#[tokio::test]
async fn a_revenue_update_is_no_event_and_leaves_the_clock_alone() {
    let server = lifecycle().await;
    let updated = revenue_by_hash(&server, REVERSAL_TX, "1999").await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(transactions(&server, REVERSAL_CLICK).await.len(), 1);

    applied(&server, Kind::Void, VOID_TX).await;

    assert_eq!(newest(&server, VOID_CLICK).await["time"], now_plus(0));
}

#[tokio::test]
async fn an_event_after_a_revenue_update_negates_the_new_amount() {
    let server = lifecycle().await;
    let updated = revenue_by_hash(&server, REVERSAL_TX, "2995").await;
    assert_eq!(updated.status, 200, "{}", updated.body);

    applied(&server, Kind::Reversal, REVERSAL_TX).await;

    assert_eq!(newest(&server, REVERSAL_CLICK).await["amount"], "-29.95");
}

// --- payout preview --------------------------------------------------------

#[tokio::test]
async fn a_payout_preview_without_amount_answers_the_payouts_as_they_are() {
    let server = lifecycle().await;

    let answer = preview(&server, &[("transaction_hash", ORDER_FIRST_TX)]).await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.content_type(), "application/json");
    let expected = serde_json::json!({
        "result": "success",
        "transaction_hash": ORDER_FIRST_TX,
        "transaction_type": "initial",
        "amount": "20.00",
        "payouts": [
            {"type": "affiliate", "loginid": "2001", "username": "brightaff", "amount": "7.25"},
            {"type": "referral", "loginid": "2005", "username": "refmaster", "amount": "0.25"}
        ]
    });
    assert_eq!(answer.body, expected.to_string());
}

#[tokio::test]
async fn a_payout_preview_scales_the_payouts_to_the_amount_given() {
    let server = lifecycle().await;

    let answer = preview(
        &server,
        &[("transaction_hash", ORDER_FIRST_TX), ("amount", "40.00")],
    )
    .await;

    assert_eq!(previewed_amounts(&answer), ["14.50", "0.50"]);
    assert_eq!(answer.json()["amount"], "40.00");
}

#[tokio::test]
async fn a_payout_preview_rounds_half_cents_away_from_zero() {
    let server = lifecycle().await;
    let cases = [("10.00", ["3.63", "0.13"]), ("-10.00", ["-3.63", "-0.13"])];

    for (amount, expected) in cases {
        let answer = preview(
            &server,
            &[("transaction_hash", ORDER_FIRST_TX), ("amount", amount)],
        )
        .await;

        assert_eq!(previewed_amounts(&answer), expected, "{amount}");
    }
}

#[tokio::test]
async fn a_payout_preview_of_a_zero_amount_transaction_is_not_scaled() {
    let server = lifecycle().await;

    let answer = preview(
        &server,
        &[("transaction_hash", TRIAL_TX), ("amount", "5.00")],
    )
    .await;

    assert_eq!(previewed_amounts(&answer), ["1.00"]);
}

#[tokio::test]
async fn a_payout_preview_names_the_transaction_type_asked_for() {
    let server = lifecycle().await;

    let answer = preview(
        &server,
        &[
            ("transaction_hash", VOID_TX),
            ("transaction_type", "rebill"),
        ],
    )
    .await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["transaction_type"], "rebill");
}

#[tokio::test]
async fn a_payout_preview_by_click_hash_previews_the_clicks_first_transaction() {
    let server = lifecycle().await;

    let answer = preview(&server, &[("transaction_hash", ORDER_CLICK)]).await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["transaction_hash"], ORDER_FIRST_TX);
    assert_eq!(previewed_amounts(&answer), ["7.25", "0.25"]);
}

#[tokio::test]
async fn a_payout_preview_reads_its_parameters_from_the_query_string() {
    let server = lifecycle().await;

    let answer = send(
        server
            .get_as(PAYOUT_PREVIEW, API_KEY, USERNAME)
            .query(&[("transaction_hash", ORDER_FIRST_TX), ("amount", "40.00")]),
    )
    .await;

    assert_eq!(previewed_amounts(&answer), ["14.50", "0.50"]);
}

#[tokio::test]
async fn a_payout_preview_changes_nothing() {
    let server = lifecycle().await;
    let before = detail_body(&server, ORDER_CLICK).await;

    let answer = preview(
        &server,
        &[("transaction_hash", ORDER_FIRST_TX), ("amount", "99.99")],
    )
    .await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(detail_body(&server, ORDER_CLICK).await, before);
}

// --- check order id --------------------------------------------------------

#[tokio::test]
async fn check_orderid_answers_true_for_an_order_of_the_scenario() {
    let server = lifecycle().await;

    let answer = check_order(&server, SHARED_ORDER).await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.content_type(), "application/json");
    assert_eq!(answer.body, r#"{"result":"success","message":"TRUE"}"#);
}

#[tokio::test]
async fn check_orderid_answers_false_for_an_order_only_another_scenario_has() {
    let server = lifecycle().await;

    let answer = check_order(&server, "ORD-1001").await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body, r#"{"result":"success","message":"FALSE"}"#);
}

#[tokio::test]
async fn check_orderid_still_answers_true_once_the_orders_transaction_is_voided() {
    let server = lifecycle().await;
    applied(&server, Kind::Void, VOID_TX).await;

    let answer = check_order(&server, VOID_ORDER).await;

    assert_eq!(answer.body, r#"{"result":"success","message":"TRUE"}"#);
}
