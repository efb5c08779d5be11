//! Where Schemathesis found the document and the server disagreeing on what
//! a valid request is, and what the server does now, over real HTTP.

use n4n_mock::MockOptions;
use reqwest::Method;
use serde_json::json;

use crate::util::*;

async fn bundled_folder() -> TestServer {
    TestServer::folder(&root().join("scenarios"), "default", MockOptions::default()).await
}

/// Every API path, the one method it takes, and one it does not.
const API_PATHS: [(&str, &str, Method); 10] = [
    ("/api/transaction/click_detail", "GET", Method::TRACE),
    ("/api/transaction/click_details", "GET", Method::DELETE),
    ("/api/service/ping", "GET", Method::TRACE),
    ("/api/transaction/process_void", "POST", Method::GET),
    ("/api/transaction/process_chargeback", "POST", Method::PUT),
    ("/api/transaction/process_reversal", "POST", Method::TRACE),
    (
        "/api/transaction/transaction_update_revenue_by_orderid",
        "PATCH",
        Method::POST,
    ),
    (
        "/api/transaction/transaction_update_revenue_by_transaction_hash",
        "PATCH",
        Method::TRACE,
    ),
    (
        "/api/transaction/transaction_payout_preview",
        "GET",
        Method::POST,
    ),
    ("/api/offer/check_orderid_exists", "GET", Method::TRACE),
];

#[tokio::test]
async fn an_empty_scenario_header_counts_as_absent() {
    let server = bundled_folder().await;

    let lookup = send(
        server
            .click_detail()
            .header("x-mock-scenario", "")
            .form(&[("transaction_hash", EXAMPLE_CLICK)]),
    )
    .await;
    let ping = send(
        server
            .get_as("/api/service/ping", API_KEY, USERNAME)
            .header("x-mock-scenario", ""),
    )
    .await;

    assert_eq!(lookup.status, 200, "{}", lookup.body);
    assert_eq!(lookup.click_hash(), EXAMPLE_CLICK);
    assert_eq!(ping.status, 200, "{}", ping.body);
    let journal = server.journal("").await;
    assert_eq!(journal["requests"][0]["scenario"], "default");
    assert_eq!(journal["requests"][0]["outcome"], "click");
}

#[tokio::test]
async fn an_undeclared_method_is_405_before_the_scenario_header_is_read() {
    let server = bundled_folder().await;

    for (path, allowed, wrong) in API_PATHS {
        for header in ["", "nope"] {
            let answer = send(
                server
                    .request_as(wrong.clone(), path, API_KEY, USERNAME)
                    .header("x-mock-scenario", header),
            )
            .await;

            assert_eq!(answer.status, 405, "{wrong} {path} with {header:?}");
            assert_eq!(answer.headers["allow"], allowed, "{path}");
            assert_eq!(answer.error_message(), "Invalid request method");
        }
    }
}

#[tokio::test]
async fn an_unknown_path_is_404_before_the_scenario_header_is_read() {
    let server = bundled_folder().await;

    let answer = send(
        server
            .get_as("/api/transaction/process_refund", API_KEY, USERNAME)
            .header("x-mock-scenario", "nope"),
    )
    .await;

    assert_eq!(answer.status, 404);
    assert_eq!(answer.error_message(), "Invalid endpoint");
}

#[tokio::test]
async fn a_known_scenario_header_still_shapes_the_405() {
    // `custom-errors` overrides other kinds only: its 405 is the contract's,
    // journaled under its name.
    let server = bundled_folder().await;

    let answer = send(
        server
            .request_as(Method::TRACE, "/api/service/ping", API_KEY, USERNAME)
            .header("x-mock-scenario", "custom-errors"),
    )
    .await;

    assert_eq!(answer.status, 405);
    let journal = server.journal("").await;
    assert_eq!(journal["requests"][0]["scenario"], "custom-errors");
}

#[tokio::test]
async fn put_scenario_with_a_name_as_an_array_is_400_and_changes_nothing() {
    let server = bundled_folder().await;

    let answer = send(
        server
            .client
            .put(server.url("/__mock/scenario"))
            .header("content-type", "application/json")
            .body(r#"["empty"]"#),
    )
    .await;

    assert_eq!(answer.status, 400);
    assert!(
        answer
            .error_message()
            .starts_with("Malformed request body: expected {\"name\":\"SCENARIO\"}"),
        "{}",
        answer.body
    );
    assert_eq!(server.lookup_example().await.status, 200);
}

#[tokio::test]
async fn an_expectation_written_as_an_array_is_an_invalid_expectation() {
    let server = bundled_folder().await;

    let answer = send(
        server
            .client
            .post(server.url("/__mock/verify"))
            .body(r#"{"expect":[[null,null]]}"#),
    )
    .await;

    assert_eq!(answer.status, 400);
    assert_eq!(answer.headers["x-mock-error"], "invalid-expectation");
    assert!(
        answer
            .error_message()
            .starts_with("Invalid expectation: expect[0]"),
        "{}",
        answer.body
    );
}

#[tokio::test]
async fn a_null_expectation_field_is_the_same_as_leaving_it_out() {
    let server = bundled_folder().await;
    server.lookup_example().await;

    let answer = send(
        server
            .client
            .post(server.url("/__mock/verify"))
            .json(&json!({"expect": [{"value": EXAMPLE_CLICK, "count": 1, "at_least": null, "method": null}]})),
    )
    .await;

    assert_eq!(answer.status, 200, "{}", answer.body);
}

#[tokio::test]
async fn amounts_are_taken_exactly_as_the_document_writes_them() {
    let server = TestServer::bundled("lifecycle").await;
    let by_hash = "/api/transaction/transaction_update_revenue_by_transaction_hash";
    let sale = "a1c0ffee0000002.10000002";

    let cases: [(&str, &str, u16); 6] = [
        (by_hash, "2995", 200),
        (by_hash, "2995.0", 200),
        (by_hash, "+2995", 400),
        (by_hash, "1234567890123456", 400),
        ("/api/transaction/transaction_payout_preview", "1e5", 400),
        ("/api/transaction/transaction_payout_preview", "12.50", 200),
    ];
    for (path, amount, status) in cases {
        let method = if path == by_hash {
            Method::PATCH
        } else {
            Method::GET
        };
        let answer = server
            .send_form(
                method,
                path,
                &[("transaction_hash", sale), ("amount", amount)],
            )
            .await;
        assert_eq!(
            answer.status, status,
            "{path} amount={amount}: {}",
            answer.body
        );
        if status == 400 {
            assert_eq!(answer.error_message(), "Invalid amount");
        }
    }
    let cost = server
        .send_form(
            Method::POST,
            "/api/transaction/process_chargeback",
            &[
                ("transaction_hash", sale),
                ("type", "chargeback"),
                ("cost", "1_000"),
            ],
        )
        .await;
    assert_eq!(cost.status, 400);
    assert_eq!(cost.error_message(), "Invalid cost");
}

#[tokio::test]
async fn the_served_document_lists_the_loaded_scenarios_for_the_header_and_the_switch() {
    let server = TestServer::bundled("lifecycle").await;

    let answer = send(server.client.get(server.url("/__mock/openapi.yaml"))).await;

    let document: serde_json::Value = serde_saphyr::from_str(&answer.body).expect("YAML");
    let schemas = &document["components"]["schemas"];
    // `lifecycle` from its file, and every other bundled one built in.
    let names: Vec<&str> = n4n_mock::Scenario::builtin_names().collect();
    assert!(names.contains(&"lifecycle"));
    assert_eq!(schemas["ScenarioName"]["enum"], json!(names));
    let mut header_names = vec![""];
    header_names.extend(&names);
    assert_eq!(schemas["ScenarioHeader"]["enum"], json!(header_names));
    let header = &document["components"]["parameters"]["MockScenario"]["schema"];
    assert_eq!(header["$ref"], "#/components/schemas/ScenarioHeader");
}
