//! Voids, chargebacks and reversals: their answer, the original's new
//! status, the event transaction appended after it, and the refusal of a
//! second event.

use serde_json::json;

use crate::util::{API_KEY, USERNAME, scenario_from_yaml};

use super::*;

#[tokio::test]
async fn each_event_action_answers_200_with_the_success_message() {
    let server = lifecycle().await;
    let targets = [
        (Kind::Void, VOID_TX),
        (Kind::Chargeback, CHARGEBACK_TX),
        (Kind::Reversal, REVERSAL_TX),
    ];

    for (kind, hash) in targets {
        let answer = apply(&server, kind, &[("transaction_hash", hash)]).await;

        assert_eq!(answer.status, 200, "{kind:?}: {}", answer.body);
        assert_eq!(answer.content_type(), "application/json", "{kind:?}");
        assert_eq!(answer.body, EVENT_APPLIED, "{kind:?}");
    }
}

#[tokio::test]
async fn each_event_sets_the_originals_status_to_its_kind_and_nothing_else() {
    let targets = [
        (Kind::Void, VOID_CLICK, VOID_TX),
        (Kind::Chargeback, CHARGEBACK_CLICK, CHARGEBACK_TX),
        (Kind::Reversal, REVERSAL_CLICK, REVERSAL_TX),
    ];
    for (kind, click, hash) in targets {
        let server = lifecycle().await;
        let mut expected = transaction(&server, click, hash).await;
        expected["status"] = json!(kind.name());

        applied(&server, kind, hash).await;

        let original = transaction(&server, click, hash).await;
        assert_eq!(original.to_string(), expected.to_string(), "{kind:?}");
    }
}

#[tokio::test]
async fn a_void_appends_an_event_after_the_original_negating_its_amounts() {
    let server = lifecycle().await;

    applied(&server, Kind::Void, VOID_TX).await;

    let listed = transactions(&server, VOID_CLICK).await;
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert_eq!(listed[0]["transaction_hash"], VOID_TX);
    let expected = json!({
        "transaction_hash": "<hash>",
        "time": now_plus(0),
        "trans_type": "void",
        "status": "void",
        "orderid": VOID_ORDER,
        "subscription_id": "SUB-L-11",
        "amount": "-29.95",
        "total_payout": "-10.00",
        "payouts": [
            {"type": "affiliate", "loginid": "2001", "username": "brightaff", "amount": "-10.00"}
        ]
    });
    assert_eq!(with_hash_hidden(&listed[1]), expected.to_string());
}

#[tokio::test]
async fn a_chargeback_event_negates_every_payout_in_order() {
    let server = lifecycle().await;

    applied(&server, Kind::Chargeback, CHARGEBACK_TX).await;

    let expected = json!({
        "transaction_hash": "<hash>",
        "time": now_plus(0),
        "trans_type": "chargeback",
        "status": "chargeback",
        "orderid": "ORD-L-2001",
        "subscription_id": "SUB-L-21",
        "amount": "-49.95",
        "total_payout": "-25.00",
        "payouts": [
            {"type": "affiliate", "loginid": "2002", "username": "cartwheel", "amount": "-20.00"},
            {"type": "network", "loginid": "1", "username": "network", "amount": "-5.00"}
        ]
    });
    let event = newest(&server, CHARGEBACK_CLICK).await;
    assert_eq!(with_hash_hidden(&event), expected.to_string());
}

#[tokio::test]
async fn a_chargeback_cost_is_taken_back_from_the_affiliate_alone() {
    let server = lifecycle().await;

    let answer = apply(
        &server,
        Kind::Chargeback,
        &[("transaction_hash", CHARGEBACK_TX), ("cost", "7.50")],
    )
    .await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    let event = newest(&server, CHARGEBACK_CLICK).await;
    let expected = json!({
        "transaction_hash": "<hash>",
        "time": now_plus(0),
        "trans_type": "chargeback",
        "status": "chargeback",
        "orderid": "ORD-L-2001",
        "subscription_id": "SUB-L-21",
        "amount": "-49.95",
        "total_payout": "-7.50",
        "payouts": [
            {"type": "affiliate", "loginid": "2002", "username": "cartwheel", "amount": "-7.50"}
        ]
    });
    assert_eq!(with_hash_hidden(&event), expected.to_string());
}

#[tokio::test]
async fn a_reversal_negates_an_amount_of_three_decimals_keeping_them() {
    let server = lifecycle().await;

    applied(&server, Kind::Reversal, REVERSAL_TX).await;

    let event = newest(&server, REVERSAL_CLICK).await;
    assert_eq!(event["trans_type"], "reversal");
    assert_eq!(event["status"], "reversal");
    assert_eq!(event["amount"], "-12.345");
    assert_eq!(event["total_payout"], "-4.50");
}

#[tokio::test]
async fn a_zero_amount_is_negated_keeping_its_decimals() {
    let server = lifecycle().await;

    applied(&server, Kind::Void, TRIAL_TX).await;

    let event = newest(&server, TRIAL_CLICK).await;
    assert_eq!(event["amount"], "-0.00");
    assert_eq!(event["total_payout"], "-1.00");
}

#[tokio::test]
async fn an_empty_amount_stays_empty_in_the_event() {
    let yaml = format!(
        "credentials: [{{username: {USERNAME}, api_key: {API_KEY}}}]\n\
         clicks: [{{click_hash: c-1}}]\n\
         transactions: [{{transaction_hash: t-1, click_hash: c-1, status: approved}}]\n"
    );
    let server = TestServer::start(scenario_from_yaml(&yaml)).await;

    applied(&server, Kind::Void, "t-1").await;

    let event = newest(&server, "c-1").await;
    assert_eq!(event["amount"], "");
    assert_eq!(event["total_payout"], "");
    assert_eq!(event["payouts"], json!([]));
}

#[tokio::test]
async fn an_event_hash_is_shaped_like_a_real_hash_and_new_to_the_scenario() {
    let server = lifecycle().await;

    applied(&server, Kind::Void, VOID_TX).await;

    let event = newest(&server, VOID_CLICK).await;
    let hash = event["transaction_hash"].as_str().expect("hash");
    assert!(is_hash_shaped(hash), "{hash}");
    assert_ne!(hash, VOID_TX);
    assert!(!CLICKS.contains(&hash), "{hash}");
}

#[tokio::test]
async fn an_event_hash_finds_its_click_through_click_detail() {
    let server = lifecycle().await;
    applied(&server, Kind::Chargeback, CHARGEBACK_TX).await;
    let event = newest(&server, CHARGEBACK_CLICK).await;
    let hash = event["transaction_hash"].as_str().expect("hash");

    let answer = detail(&server, hash).await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.click_hash(), CHARGEBACK_CLICK);
    assert_eq!(answer.body, detail_body(&server, CHARGEBACK_CLICK).await);
}

#[tokio::test]
async fn events_are_stamped_now_then_one_second_later_each() {
    let server = lifecycle().await;

    applied(&server, Kind::Void, VOID_TX).await;
    applied(&server, Kind::Chargeback, CHARGEBACK_TX).await;
    applied(&server, Kind::Reversal, REVERSAL_TX).await;

    let times = [
        newest(&server, VOID_CLICK).await["time"].clone(),
        newest(&server, CHARGEBACK_CLICK).await["time"].clone(),
        newest(&server, REVERSAL_CLICK).await["time"].clone(),
    ];
    assert_eq!(
        times,
        [json!(now_plus(0)), json!(now_plus(1)), json!(now_plus(2))]
    );
}

#[tokio::test]
async fn custom_fields_follow_the_payouts_in_order_one_to_five() {
    let server = lifecycle().await;

    let answer = apply(
        &server,
        Kind::Void,
        &[
            ("trans_custom5", "five"),
            ("transaction_hash", VOID_TX),
            ("trans_custom1", "refund requested"),
            ("trans_custom3", "ticket 4411"),
            ("trans_custom2", ""),
        ],
    )
    .await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    let event = newest(&server, VOID_CLICK).await;
    let keys: Vec<&str> = event
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .skip_while(|k| *k != "payouts")
        .collect();
    assert_eq!(
        keys,
        ["payouts", "trans_custom1", "trans_custom3", "trans_custom5"]
    );
    assert_eq!(event["trans_custom1"], "refund requested");
    assert_eq!(event["trans_custom3"], "ticket 4411");
    assert_eq!(event["trans_custom5"], "five");
}

#[tokio::test]
async fn a_custom_field_of_exactly_255_characters_is_kept_whole() {
    let server = lifecycle().await;
    let longest = "x".repeat(255);

    let answer = apply(
        &server,
        Kind::Chargeback,
        &[
            ("transaction_hash", CHARGEBACK_TX),
            ("trans_custom4", &longest),
        ],
    )
    .await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        newest(&server, CHARGEBACK_CLICK).await["trans_custom4"],
        longest
    );
}

#[tokio::test]
async fn a_second_event_is_refused_with_the_kind_already_applied() {
    for first in Kind::ALL {
        for second in Kind::ALL {
            let server = lifecycle().await;
            applied(&server, first, VOID_TX).await;

            let answer = apply(&server, second, &[("transaction_hash", VOID_TX)]).await;

            let case = format!("{first:?} then {second:?}");
            assert_eq!(answer.status, 400, "{case}: {}", answer.body);
            assert_eq!(answer.error_message(), first.exists(), "{case}");
        }
    }
}

#[tokio::test]
async fn an_event_transaction_is_refused_as_a_target_with_its_own_kind() {
    for kind in Kind::ALL {
        let server = lifecycle().await;
        applied(&server, kind, CHARGEBACK_TX).await;
        let event = newest(&server, CHARGEBACK_CLICK).await;
        let hash = event["transaction_hash"].as_str().expect("hash");

        let answer = apply(&server, Kind::Void, &[("transaction_hash", hash)]).await;

        assert_eq!(answer.status, 400, "{kind:?}: {}", answer.body);
        assert_eq!(answer.error_message(), kind.exists(), "{kind:?}");
    }
}

#[tokio::test]
async fn a_transaction_void_in_the_fixture_refuses_every_event() {
    let server = lifecycle().await;

    for kind in Kind::ALL {
        let answer = apply(&server, kind, &[("transaction_hash", VOIDED_TX)]).await;

        assert_eq!(answer.status, 400, "{kind:?}: {}", answer.body);
        assert_eq!(
            answer.error_message(),
            "Void transaction exists.",
            "{kind:?}"
        );
    }
}

#[tokio::test]
async fn a_refused_event_changes_no_answer() {
    let server = lifecycle().await;
    applied(&server, Kind::Void, VOID_TX).await;
    let before = detail_body(&server, VOID_CLICK).await;

    let refused = apply(&server, Kind::Reversal, &[("transaction_hash", VOID_TX)]).await;

    assert_eq!(refused.status, 400, "{}", refused.body);
    assert_eq!(detail_body(&server, VOID_CLICK).await, before);
}

#[tokio::test]
async fn a_refused_event_does_not_move_the_clock() {
    let server = lifecycle().await;
    let refused = apply(&server, Kind::Void, &[("transaction_hash", VOIDED_TX)]).await;
    assert_eq!(refused.status, 400, "{}", refused.body);

    applied(&server, Kind::Void, VOID_TX).await;

    assert_eq!(newest(&server, VOID_CLICK).await["time"], now_plus(0));
}

#[tokio::test]
async fn an_event_leaves_the_other_clicks_answers_unchanged() {
    let server = lifecycle().await;
    let mut before = Vec::new();
    for click in CLICKS.iter().filter(|c| **c != VOID_CLICK) {
        before.push(detail_body(&server, click).await);
    }

    applied(&server, Kind::Void, VOID_TX).await;

    let mut after = Vec::new();
    for click in CLICKS.iter().filter(|c| **c != VOID_CLICK) {
        after.push(detail_body(&server, click).await);
    }
    assert_eq!(after, before);
}
