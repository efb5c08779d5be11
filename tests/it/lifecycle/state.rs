//! The lifecycle's state: it starts again from the fixtures on reset and on
//! reload, belongs to one scenario, gives the same bytes for the same
//! requests, applies one event at a time, and shows in the admin API.

use std::sync::Arc;

use n4n_mock::MockOptions;
use serde_json::json;

use crate::util::{root, send};

use super::*;

/// The bundled scenarios folder served with `active` active.
async fn bundled_folder(active: &str) -> TestServer {
    TestServer::folder(&root().join("scenarios"), active, MockOptions::default()).await
}

/// The click_detail body of every click of the scenario, in order.
async fn every_body(server: &TestServer) -> Vec<String> {
    let mut bodies = Vec::new();
    for click in CLICKS {
        bodies.push(detail_body(server, click).await);
    }
    bodies
}

/// A request: method, path and form fields.
type Request = (Method, &'static str, Vec<(&'static str, &'static str)>);

/// One of each action, successes and refusals, in an order a client might
/// send them.
fn a_working_day() -> Vec<Request> {
    vec![
        (
            Method::POST,
            VOID,
            vec![("transaction_hash", VOID_TX), ("trans_custom2", "dup")],
        ),
        (Method::POST, VOID, vec![("orderid", VOID_ORDER)]),
        (
            Method::POST,
            CHARGEBACK,
            vec![
                ("type", "chargeback"),
                ("click_hash", CHARGEBACK_CLICK),
                ("cost", "7.50"),
            ],
        ),
        (
            Method::PATCH,
            REVENUE_BY_HASH,
            vec![("transaction_hash", REVERSAL_TX), ("amount", "2995")],
        ),
        (
            Method::POST,
            REVERSAL,
            vec![("reverse", "yes"), ("transaction_hash", REVERSAL_TX)],
        ),
        (
            Method::PATCH,
            REVENUE_BY_ORDER,
            vec![("orderid", SHARED_ORDER), ("amount", "-500")],
        ),
        (Method::POST, VOID, vec![("orderid", SHARED_ORDER)]),
        (
            Method::POST,
            VOID,
            vec![("transaction_hash", ORDER_SECOND_TX)],
        ),
        (
            Method::POST,
            REVERSAL,
            vec![("transaction_hash", VOIDED_TX)],
        ),
        (Method::POST, VOID, vec![("transactionid", "0")]),
        (Method::POST, VOID, vec![("transaction_hash", TRIAL_TX)]),
        (
            Method::GET,
            PAYOUT_PREVIEW,
            vec![("transaction_hash", ORDER_FIRST_TX), ("amount", "10.00")],
        ),
        (Method::GET, CHECK_ORDER, vec![("orderid", SHARED_ORDER)]),
    ]
}

/// Sends `requests` in order; the status and body of each answer.
async fn send_all(server: &TestServer, requests: &[Request]) -> Vec<(u16, String)> {
    let mut answers = Vec::new();
    for (method, path, fields) in requests {
        let answer = server.send_form(method.clone(), path, fields).await;
        answers.push((answer.status, answer.body));
    }
    answers
}

// --- reset and reload ------------------------------------------------------

#[tokio::test]
async fn reset_restores_every_clicks_fixture_bytes() {
    let server = lifecycle().await;
    let fixture = every_body(&server).await;
    send_all(&server, &a_working_day()).await;
    assert_ne!(
        every_body(&server).await,
        fixture,
        "the day changed something"
    );

    server.admin_post("reset").await;

    assert_eq!(every_body(&server).await, fixture);
}

#[tokio::test]
async fn reset_restarts_the_clock() {
    let server = lifecycle().await;
    applied(&server, Kind::Chargeback, CHARGEBACK_TX).await;
    applied(&server, Kind::Reversal, REVERSAL_TX).await;

    server.admin_post("reset").await;
    applied(&server, Kind::Void, VOID_TX).await;

    assert_eq!(newest(&server, VOID_CLICK).await["time"], now_plus(0));
}

#[tokio::test]
async fn reload_restores_every_clicks_fixture_bytes() {
    let server = bundled_folder("lifecycle").await;
    let fixture = every_body(&server).await;
    send_all(&server, &a_working_day()).await;

    server.admin_post("reload").await;

    assert_eq!(every_body(&server).await, fixture);
}

#[tokio::test]
async fn reload_restarts_the_clock() {
    let server = bundled_folder("lifecycle").await;
    applied(&server, Kind::Chargeback, CHARGEBACK_TX).await;

    server.admin_post("reload").await;
    applied(&server, Kind::Void, VOID_TX).await;

    assert_eq!(newest(&server, VOID_CLICK).await["time"], now_plus(0));
}

// --- one scenario's state --------------------------------------------------

/// A void of `VOID_TX` sent to the scenario `lifecycle` by header.
async fn void_in_lifecycle(server: &TestServer) -> Answer {
    send(
        server
            .form_request(Method::POST, VOID, &[("transaction_hash", VOID_TX)])
            .header("x-mock-scenario", "lifecycle"),
    )
    .await
}

#[tokio::test]
async fn x_mock_scenario_applies_a_void_to_that_scenarios_state() {
    let server = bundled_folder("default").await;

    let answer = void_in_lifecycle(&server).await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    let lookup = send(
        server
            .click_detail()
            .header("x-mock-scenario", "lifecycle")
            .query(&[("transaction_hash", VOID_CLICK)]),
    )
    .await;
    assert_eq!(lookup.status, 200, "{}", lookup.body);
    assert_eq!(lookup.json()["transactions"][0]["status"], "void");
    assert_eq!(lookup.json()["transactions"][1]["trans_type"], "void");
}

#[tokio::test]
async fn a_void_in_a_scenario_named_by_header_leaves_the_active_one_untouched() {
    let server = bundled_folder("default").await;
    let example_before = server.lookup_example().await.body;

    let answer = void_in_lifecycle(&server).await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(server.lookup_example().await.body, example_before);
    assert_eq!(server.health().await["events"], 0);
    let in_default = apply(&server, Kind::Void, &[("transaction_hash", VOID_TX)]).await;
    assert_eq!(in_default.status, 404, "{}", in_default.body);
}

// --- determinism and concurrency -------------------------------------------

#[tokio::test]
async fn the_same_requests_give_the_same_bytes_on_two_fresh_servers() {
    let mut runs = Vec::new();
    for _ in 0..2 {
        let server = lifecycle().await;
        let mut answers = send_all(&server, &a_working_day()).await;
        for body in every_body(&server).await {
            answers.push((200, body));
        }
        runs.push(answers);
    }

    assert_eq!(runs[0], runs[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_fifty_concurrent_voids_of_one_transaction_exactly_one_is_applied() {
    let server = Arc::new(lifecycle().await);

    let mut sent = Vec::new();
    for _ in 0..50 {
        let server = Arc::clone(&server);
        sent.push(tokio::spawn(async move {
            apply(&server, Kind::Void, &[("transaction_hash", VOID_TX)]).await
        }));
    }
    let mut applied = 0;
    let mut refused = 0;
    for answer in sent {
        let answer = answer.await.expect("request task");
        match answer.status {
            200 => applied += 1,
            400 if answer.error_message() == "Void transaction exists." => refused += 1,
            _ => panic!("unexpected answer {}: {}", answer.status, answer.body),
        }
    }

    assert_eq!((applied, refused), (1, 49));
    assert_eq!(statuses(&server, VOID_CLICK).await, ["void", "void"]);
}

// --- the admin API ---------------------------------------------------------

#[tokio::test]
async fn the_journal_names_each_actions_outcome() {
    let server = lifecycle().await;
    applied(&server, Kind::Void, VOID_TX).await;
    applied(&server, Kind::Chargeback, CHARGEBACK_TX).await;
    applied(&server, Kind::Reversal, REVERSAL_TX).await;
    let requests = [
        (Method::PATCH, REVENUE_BY_ORDER, ("orderid", SHARED_ORDER)),
        (
            Method::PATCH,
            REVENUE_BY_HASH,
            ("transaction_hash", TRIAL_TX),
        ),
    ];
    for (method, path, identifier) in requests {
        let answer = server
            .send_form(method, path, &[identifier, ("amount", "100")])
            .await;
        assert_eq!(answer.status, 200, "{path}: {}", answer.body);
    }
    let preview = server
        .send_form(
            Method::GET,
            PAYOUT_PREVIEW,
            &[("transaction_hash", VOID_TX)],
        )
        .await;
    let check = server
        .send_form(Method::GET, CHECK_ORDER, &[("orderid", SHARED_ORDER)])
        .await;
    assert_eq!((preview.status, check.status), (200, 200));

    let page = server.journal("").await;

    let outcomes: Vec<&str> = page["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .map(|entry| entry["outcome"].as_str().expect("outcome"))
        .filter(|outcome| *outcome != "click")
        .collect();
    assert_eq!(
        outcomes,
        [
            "void",
            "chargeback",
            "reversal",
            "revenue",
            "revenue",
            "payout_preview",
            "order_check"
        ]
    );
}

#[tokio::test]
async fn the_journal_names_a_refused_action_by_its_error_kind() {
    let server = lifecycle().await;
    let requests: [(Kind, &[(&str, &str)]); 4] = [
        (Kind::Void, &[("transaction_hash", VOIDED_TX)]),
        (Kind::Void, &[("transaction_hash", UNKNOWN_HASH)]),
        (
            Kind::Void,
            &[("type", "refund"), ("transaction_hash", VOID_TX)],
        ),
        (Kind::Void, &[]),
    ];
    for (kind, fields) in requests {
        let answer = apply(&server, kind, fields).await;
        assert!(answer.status >= 400, "{fields:?}: {}", answer.body);
    }
    let missing_field = server
        .send_form(
            Method::POST,
            CHARGEBACK,
            &[("transaction_hash", CHARGEBACK_TX)],
        )
        .await;
    assert_eq!(missing_field.status, 400, "{}", missing_field.body);

    let page = server.journal("").await;

    let outcomes: Vec<&str> = page["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .map(|entry| entry["outcome"].as_str().expect("outcome"))
        .collect();
    assert_eq!(
        outcomes,
        [
            "event_exists",
            "transaction_not_found",
            "invalid_value",
            "missing_parameter",
            "missing_field"
        ]
    );
}

#[tokio::test]
async fn the_journal_names_the_identifier_that_decided() {
    let server = lifecycle().await;
    // The fields sent; the parameter and value the journal names.
    let cases: [(Fields, &str, &str); 4] = [
        (
            &[("transaction_hash", VOID_TX)],
            "transaction_hash",
            VOID_TX,
        ),
        (
            &[("click_hash", ORDER_CLICK), ("orderid", SHARED_ORDER)],
            "orderid",
            SHARED_ORDER,
        ),
        (
            &[("click_hash", REVERSAL_CLICK), ("transactionid", VOID_TXID)],
            "click_hash",
            REVERSAL_CLICK,
        ),
        (&[("transactionid", VOID_TXID)], "transactionid", VOID_TXID),
    ];
    for (fields, _, _) in cases {
        apply(&server, Kind::Void, fields).await;
    }

    let page = server.journal("").await;

    let named: Vec<(&str, &str)> = page["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .map(|entry| {
            let text = |key: &str| entry[key].as_str().unwrap_or("(none)");
            (text("parameter"), text("value"))
        })
        .collect();
    let expected: Vec<(&str, &str)> = cases.iter().map(|(_, p, v)| (*p, *v)).collect();
    assert_eq!(named, expected);
}

#[tokio::test]
async fn verify_counts_the_voids_applied() {
    let server = lifecycle().await;
    applied(&server, Kind::Void, VOID_TX).await;
    applied(&server, Kind::Chargeback, CHARGEBACK_TX).await;
    let refused = apply(&server, Kind::Void, &[("transaction_hash", VOID_TX)]).await;
    assert_eq!(refused.status, 400, "{}", refused.body);

    let answer = send(
        server
            .client
            .post(server.url("/__mock/verify"))
            .header("content-type", "application/json")
            .body(
                json!({"expect": [
                    {"outcome": "void", "count": 1},
                    {"path": VOID, "count": 2},
                    {"outcome": "chargeback", "count": 1},
                ]})
                .to_string(),
            ),
    )
    .await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.json(),
        json!({"result": "success", "expectations": 3})
    );
}

#[tokio::test]
async fn health_counts_the_events_applied_and_nothing_else() {
    let server = lifecycle().await;
    assert_eq!(server.health().await["events"], 0);
    applied(&server, Kind::Void, VOID_TX).await;
    applied(&server, Kind::Reversal, REVERSAL_TX).await;
    let refused = apply(&server, Kind::Void, &[("transaction_hash", VOID_TX)]).await;
    let revenue = server
        .send_form(
            Method::PATCH,
            REVENUE_BY_HASH,
            &[("transaction_hash", TRIAL_TX), ("amount", "100")],
        )
        .await;
    assert_eq!((refused.status, revenue.status), (400, 200));

    let health = server.health().await;

    assert_eq!(health["events"], 2, "{health}");
}

#[tokio::test]
async fn health_shows_no_events_after_reset() {
    let server = lifecycle().await;
    applied(&server, Kind::Void, VOID_TX).await;

    server.admin_post("reset").await;

    assert_eq!(server.health().await["events"], 0);
}

#[tokio::test]
async fn get_scenario_shows_the_events_of_each_scenario() {
    let server = bundled_folder("default").await;
    assert_eq!(void_in_lifecycle(&server).await.status, 200);

    let answer = send(server.client.get(server.url("/__mock/scenario"))).await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    let events: Vec<(String, serde_json::Value)> = answer.json()["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .filter(|s| s["name"] == "lifecycle" || s["name"] == "default")
        .map(|s| {
            (
                s["name"].as_str().expect("name").to_string(),
                s["events"].clone(),
            )
        })
        .collect();
    assert_eq!(
        events,
        [
            ("default".to_string(), json!(0)),
            ("lifecycle".to_string(), json!(1))
        ]
    );
}
