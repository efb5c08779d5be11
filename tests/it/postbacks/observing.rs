//! The postback log: read in pages, waited on (504 when the wait runs
//! out), its parameters checked; one log and one numbering per scenario,
//! whatever `X-Mock-Scenario` says.

use n4n_mock::MockOptions;
use serde_json::json;

use crate::util::*;

use super::*;

// --- reading the log ---------------------------------------------------------

#[tokio::test]
async fn waiting_for_more_than_have_settled_answers_504_with_the_log_so_far() {
    let receiver = Receiver::ok().await;
    let server = serve(&[get_target("shop", &receiver)]).await;
    sale(&server).await;
    settled(&server, 1).await;

    let answer = postbacks_page(&server, "?settled=2&timeout=200ms").await;

    assert_eq!(answer.status, 504, "{}", answer.body);
    assert_eq!(answer.headers["x-mock-error"], "settle-timeout");
    assert_eq!(states(&records(&answer.json())), [(1, "delivered".into())]);
}

#[tokio::test]
async fn the_log_is_read_in_pages_oldest_first() {
    let receiver = Receiver::ok().await;
    let server = serve(&[get_target("shop", &receiver)]).await;
    for _ in 0..3 {
        sale(&server).await;
    }
    settled(&server, 3).await;

    let first = postbacks_page(&server, "?limit=2").await.json();
    let rest = postbacks_page(&server, "?after=2&limit=2").await.json();

    let seqs = |page: &Value| -> Vec<u64> {
        records(page)
            .iter()
            .map(|r| r["seq"].as_u64().expect("seq"))
            .collect()
    };
    assert_eq!(
        (seqs(&first), &first["next_after"], &first["more"]),
        (vec![1, 2], &json!(2), &json!(true))
    );
    assert_eq!(
        (seqs(&rest), &rest["next_after"], &rest["more"]),
        (vec![3], &json!(3), &json!(false))
    );
}

#[tokio::test]
async fn bad_log_parameters_are_400_naming_the_parameter() {
    let server = serve(&[]).await;
    let cases = [
        ("?limit=x", "invalid-limit"),
        ("?after=-1", "invalid-after"),
        ("?settled=many", "invalid-settled"),
        ("?settled=1&timeout=soon", "invalid-timeout"),
        ("?settled=1&timeout=61s", "invalid-timeout"),
    ];

    for (query, code) in cases {
        let answer = postbacks_page(&server, query).await;

        assert_eq!(answer.status, 400, "{query}: {}", answer.body);
        assert_eq!(answer.headers["x-mock-error"], code, "{query}");
        assert_eq!(answer.json()["result"], "error", "{query}");
    }
}

// --- scenarios ---------------------------------------------------------------

/// A folder of two scenarios, `postbacks` and `second`, each with one
/// target at `receiver` (paths `/first` and `/second`).
fn two_scenarios(receiver: &Receiver) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let first = scenario_yaml(&[target("first", &receiver.url("/first?seq=%%seq%%"), "")]);
    let second = scenario_yaml(&[target("second", &receiver.url("/second?seq=%%seq%%"), "")])
        .replace(&format!("name: {SCENARIO}"), "name: second");
    std::fs::write(dir.path().join("postbacks.yaml"), first).expect("write");
    std::fs::write(dir.path().join("second.yaml"), second).expect("write");
    dir
}

#[tokio::test]
async fn each_scenario_numbers_its_postbacks_from_1_and_keeps_its_own_log() {
    let receiver = Receiver::ok().await;
    let dir = two_scenarios(&receiver);
    let server = TestServer::folder(dir.path(), SCENARIO, MockOptions::default()).await;

    let active = sale(&server).await;
    let other = converted(
        &server,
        json!({"click_hash": EXAMPLE_CLICK, "amount": "1.00", "scenario": "second"}),
    )
    .await;

    assert_eq!(
        (&active["postbacks"], &other["postbacks"]),
        (&json!([1]), &json!([1]))
    );
    let second = postbacks_page(
        &server,
        &format!("?scenario=second&settled=1&timeout={SETTLE_LIMIT}"),
    )
    .await;
    assert_eq!(second.status, 200, "{}", second.body);
    assert_eq!(records(&second.json())[0]["target"], "second");
    let first = settled(&server, 1).await;
    assert_eq!(first.len(), 1, "{first:#?}");
    assert_eq!(first[0]["target"], "first");
    let mut paths: Vec<String> = receiver.received().into_iter().map(|r| r.target).collect();
    paths.sort();
    assert_eq!(paths, ["/first?seq=1", "/second?seq=1"]);
}

#[tokio::test]
async fn a_conversion_ignores_x_mock_scenario() {
    let receiver = Receiver::ok().await;
    let dir = two_scenarios(&receiver);
    let server = TestServer::folder(dir.path(), SCENARIO, MockOptions::default()).await;

    let answer = send(
        server
            .client
            .post(server.url("/__mock/conversions"))
            .header("x-mock-scenario", "second")
            .header("content-type", "application/json")
            .body(json!({"click_hash": EXAMPLE_CLICK, "amount": "1.00"}).to_string()),
    )
    .await;

    assert_eq!(answer.status, 201, "{}", answer.body);
    let log = settled(&server, 1).await;
    assert_eq!(record(&log, 1)["target"], "first", "the active scenario's");
}
