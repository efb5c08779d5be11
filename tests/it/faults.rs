//! Faults on demand, seen the way a client sees them: error envelopes on a
//! schedule, a connection closed with no answer, a body cut mid-JSON, an
//! empty body, late answers that do not hold up others, 429 with
//! `Retry-After`, counters that restart; and their validation.

use std::time::{Duration, Instant};

use n4n_mock::MockOptions;
use n4n_mock::Scenario;

use crate::util::*;

const CREDENTIALS: &str = "credentials: [{username: qa, api_key: key-one}]\n";

/// A scenario with the example click's lookups reaching `c1`, plus `extra` YAML.
fn scenario(extra: &str) -> Scenario {
    scenario_from_yaml(&format!(
        "{CREDENTIALS}{extra}\nclicks:\n  - {{click_hash: c1, loginid: 1}}\n  - {{click_hash: c2, loginid: 2}}\n"
    ))
}

fn lookup(server: &TestServer, hash: &str) -> reqwest::RequestBuilder {
    server
        .get_as("/api/transaction/click_detail", "key-one", "qa")
        .query(&[("transaction_hash", hash)])
}

async fn statuses(server: &TestServer, count: usize) -> Vec<u16> {
    let mut statuses = Vec::with_capacity(count);
    for _ in 0..count {
        statuses.push(send(lookup(server, "c1")).await.status);
    }
    statuses
}

// --- rules -----------------------------------------------------------------

#[tokio::test]
async fn every_nth_request_gets_the_error_envelope() {
    let server =
        TestServer::start(scenario("faults: [{every: 3, status: 503, message: Busy}]")).await;

    let answers = [
        send(lookup(&server, "c1")).await,
        send(lookup(&server, "c1")).await,
        send(lookup(&server, "c1")).await,
    ];

    assert_eq!(
        answers.iter().map(|a| a.status).collect::<Vec<_>>(),
        [200, 200, 503]
    );
    assert_eq!(answers[2].error_message(), "Busy");
    assert_eq!(answers[2].content_type(), "application/json");
    assert_eq!(answers[2].headers["x-mock-fault"], "status");
}

#[tokio::test]
async fn after_n_hits_every_later_request() {
    let server = TestServer::start(scenario("faults: [{after: 2, status: 500}]")).await;

    let got = statuses(&server, 4).await;

    assert_eq!(got, [200, 200, 500, 500]);
}

#[tokio::test]
async fn a_status_without_a_message_says_the_status_reason() {
    let server = TestServer::start(scenario("faults: [{first: 1, status: 502}]")).await;

    let answer = send(lookup(&server, "c1")).await;

    assert_eq!(answer.status, 502);
    assert_eq!(answer.error_message(), "Bad Gateway");
}

#[tokio::test]
async fn first_n_hits_only_the_first_requests() {
    let server = TestServer::start(scenario("faults: [{first: 2, status: 500}]")).await;

    let got = statuses(&server, 4).await;

    assert_eq!(got, [500, 500, 200, 200]);
}

#[tokio::test]
async fn rules_are_checked_in_order_and_the_first_that_fires_decides() {
    let server = TestServer::start(scenario(
        "faults:\n  - {every: 2, status: 503}\n  - {after: 0, status: 500}",
    ))
    .await;

    let got = statuses(&server, 4).await;

    assert_eq!(got, [500, 503, 500, 503]);
}

#[tokio::test]
async fn faults_hit_whatever_the_request_would_have_got() {
    let server = TestServer::start(scenario("faults: [{every: 2, status: 503}]")).await;

    let first = send(server.get_as("/api/service/ping", "wrong", "qa")).await;
    let second = send(server.get_as("/api/service/ping", "wrong", "qa")).await;

    assert_eq!((first.status, second.status), (401, 503));
}

// --- outcomes --------------------------------------------------------------

#[tokio::test]
async fn drop_connection_closes_the_connection_with_no_response() {
    let server = TestServer::start(scenario("faults: [{first: 1, drop_connection: true}]")).await;
    let request = "GET /api/transaction/click_detail?transaction_hash=c1 HTTP/1.1\r\nHost: x\r\n\
         api-key: key-one\r\napi-username: qa\r\nConnection: close\r\n\r\n";

    let first = raw_exchange(server.addr, request.as_bytes()).await;
    let second = raw_exchange(server.addr, request.as_bytes()).await;

    assert_eq!(first, "", "no byte of a response");
    assert!(second.starts_with("HTTP/1.1 200"), "{second}");
}

#[tokio::test]
async fn drop_connection_is_a_request_error_for_an_http_client() {
    let server = TestServer::start(scenario("faults: [{first: 1, drop_connection: true}]")).await;

    let outcome = lookup(&server, "c1").send().await;

    let err = outcome.expect_err("no response");
    assert!(err.status().is_none(), "{err}");
}

#[tokio::test]
async fn malformed_json_is_a_200_whose_body_stops_mid_json() {
    let plain = TestServer::start(scenario("")).await;
    let full = send(lookup(&plain, "c1")).await.body;
    let server = TestServer::start(scenario("faults: [{first: 1, malformed_json: true}]")).await;

    let answer = send(lookup(&server, "c1")).await;

    assert_eq!(answer.status, 200);
    assert_eq!(answer.content_type(), "application/json");
    assert!(!answer.body.is_empty());
    assert!(full.starts_with(&answer.body) && answer.body.len() < full.len());
    assert!(serde_json::from_str::<serde_json::Value>(&answer.body).is_err());
}

#[tokio::test]
async fn empty_body_is_a_200_with_nothing_in_it() {
    let server = TestServer::start(scenario("faults: [{first: 1, empty_body: true}]")).await;

    let answer = send(lookup(&server, "c1")).await;

    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, "");
    assert_eq!(answer.headers["content-length"], "0");
}

#[tokio::test]
async fn scenario_latency_delays_every_answer_by_at_least_n_ms() {
    let server = TestServer::start(scenario("latency_ms: 300")).await;

    let started = Instant::now();
    let answer = send(server.get_as("/api/service/ping", "wrong", "qa")).await;

    assert_eq!(answer.status, 401, "errors are late too");
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_latency_rule_delays_only_the_requests_it_hits() {
    let server = TestServer::start(scenario("faults: [{every: 2, latency_ms: 300}]")).await;
    send(lookup(&server, "c1")).await;

    let started = Instant::now();
    let answer = send(lookup(&server, "c1")).await;

    assert_eq!(answer.status, 200, "the normal answer, late");
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn a_slow_request_does_not_delay_a_concurrent_fast_one() {
    let server = TestServer::start(scenario_from_yaml(&format!(
        "{CREDENTIALS}clicks:\n  - {{click_hash: slow, latency_ms: 3000}}\n  - {{click_hash: fast}}\n"
    )))
    .await;

    let slow = tokio::spawn(send(lookup(&server, "slow")));
    // The slow request is in the server before the fast one is sent.
    wait_for_a_request(&server).await;
    let fast = send(lookup(&server, "fast")).await;

    assert_eq!(fast.status, 200);
    assert!(
        !slow.is_finished(),
        "the fast answer came while the slow one still waited"
    );
    assert_eq!(slow.await.expect("slow").status, 200);
}

/// Waits until the server has counted an API request: the one in flight.
async fn wait_for_a_request(server: &TestServer) {
    eventually(Duration::from_secs(10), "the request arrived", async || {
        (server.health().await["counters"]["requests"].as_u64() > Some(0)).then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_clicks_fault_hits_every_lookup_of_that_click_only() {
    let server = TestServer::start(scenario_from_yaml(&format!(
        "{CREDENTIALS}clicks:\n  - {{click_hash: bad, fault: {{status: 500, message: Boom}}}}\n  - {{click_hash: good}}\n\
         transactions:\n  - {{transaction_hash: t1, click_hash: bad, orderid: ORD-1}}\n"
    )))
    .await;

    let by_hash = send(lookup(&server, "bad")).await;
    let by_order = send(
        server
            .get_as("/api/transaction/click_detail", "key-one", "qa")
            .query(&[("orderid", "ORD-1")]),
    )
    .await;
    let other = send(lookup(&server, "good")).await;

    assert_eq!(
        (by_hash.status, by_hash.error_message()),
        (500, "Boom".to_string())
    );
    assert_eq!(by_order.status, 500);
    assert_eq!(other.status, 200);
}

#[tokio::test]
async fn a_clicks_latency_fault_delays_its_answers() {
    let server = TestServer::start(scenario_from_yaml(&format!(
        "{CREDENTIALS}clicks:\n  - {{click_hash: late, fault: {{latency_ms: 300}}}}\n"
    )))
    .await;

    let started = Instant::now();
    let answer = send(lookup(&server, "late")).await;

    assert_eq!(answer.status, 200, "the normal answer, late");
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_clicks_latency_replaces_the_scenarios() {
    let server = TestServer::start(scenario_from_yaml(&format!(
        "{CREDENTIALS}latency_ms: 3000\nclicks:\n  - {{click_hash: quick, latency_ms: 0}}\n"
    )))
    .await;

    let slow = tokio::spawn(send(server.get_as("/api/service/ping", "key-one", "qa")));
    wait_for_a_request(&server).await;
    let quick = send(lookup(&server, "quick")).await;

    assert_eq!(quick.status, 200);
    assert!(
        !slow.is_finished(),
        "the click's 0 ms won over the scenario's 3000 ms"
    );
}

// --- rate limits -----------------------------------------------------------

#[tokio::test]
async fn past_the_rate_limit_is_429_with_retry_after_then_success_after_the_window() {
    let server = TestServer::start(scenario("rate_limit: {requests: 2, per_seconds: 1}")).await;

    let admitted = statuses(&server, 2).await;
    let refused = send(lookup(&server, "c1")).await;

    assert_eq!(admitted, [200, 200]);
    assert_eq!(refused.status, 429);
    assert_eq!(refused.error_message(), "Rate limit exceeded");
    assert_eq!(refused.headers["retry-after"], "1");
    eventually(
        Duration::from_secs(10),
        "the window ends",
        async || match send(lookup(&server, "c1")).await.status {
            200 => Some(()),
            status => {
                assert_eq!(status, 429);
                None
            }
        },
    )
    .await;
}

#[tokio::test]
async fn the_bundled_rate_limited_scenario_admits_five() {
    let server = TestServer::bundled("rate-limited").await;

    let mut got = Vec::new();
    for _ in 0..6 {
        got.push(server.lookup_example().await);
    }

    let codes: Vec<u16> = got.iter().map(|a| a.status).collect();
    assert_eq!(codes, [200, 200, 200, 200, 200, 429]);
    let retry: u64 = got[5].headers["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=10).contains(&retry), "{retry}");
}

// --- bundled scenarios -----------------------------------------------------

#[tokio::test]
async fn flaky_answers_503_to_every_third_request() {
    let server = TestServer::bundled("flaky").await;

    let mut got = Vec::new();
    for _ in 0..6 {
        got.push(server.lookup_example().await.status);
    }

    assert_eq!(got, [200, 200, 503, 200, 200, 503]);
}

#[tokio::test]
async fn flaky_always_fails_order_9001() {
    let server = TestServer::bundled("flaky").await;

    let answer = send(
        server
            .click_detail()
            .header("content-type", FORM)
            .body("orderid=ORD-9001"),
    )
    .await;

    assert_eq!(answer.status, 500);
    assert_eq!(answer.error_message(), "Internal error");
}

#[tokio::test]
async fn slow_answers_at_least_a_second_and_a_half_late() {
    let server = TestServer::bundled("slow").await;

    let started = Instant::now();
    let answer = server.lookup_example().await;

    assert_eq!(answer.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(1500));
}

// --- counters --------------------------------------------------------------

#[tokio::test]
async fn health_shows_the_counters() {
    let server = TestServer::start(scenario(
        "faults: [{every: 2, status: 503}]\nrate_limit: {requests: 3, per_seconds: 60}",
    ))
    .await;
    statuses(&server, 4).await;

    let counters = server.health().await["counters"].clone();

    assert_eq!(
        counters,
        serde_json::json!({"requests": 4, "faults": 1, "rate_limited": 1})
    );
}

#[tokio::test]
async fn reset_restarts_the_counters_and_the_schedule() {
    let server = TestServer::start(scenario("faults: [{every: 3, status: 503}]")).await;
    statuses(&server, 2).await;

    let reset = send(server.client.post(server.url("/__mock/reset"))).await;
    let got = statuses(&server, 3).await;

    assert_eq!(reset.json(), serde_json::json!({"result": "success"}));
    assert_eq!(got, [200, 200, 503], "counting from 1 again");
}

#[tokio::test]
async fn reset_ends_the_rate_window() {
    let server = TestServer::start(scenario("rate_limit: {requests: 1, per_seconds: 3600}")).await;
    statuses(&server, 2).await;

    send(server.client.post(server.url("/__mock/reset"))).await;

    assert_eq!(statuses(&server, 1).await, [200]);
}

#[tokio::test]
async fn a_reload_restarts_the_counters() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join("flaky3.yaml"),
        format!("{CREDENTIALS}faults: [{{every: 3, status: 503}}]\nclicks: [{{click_hash: c1}}]\n"),
    )
    .expect("write");
    let server = TestServer::folder(dir.path(), "flaky3", MockOptions::default()).await;
    statuses(&server, 2).await;

    let reloaded = send(server.client.post(server.url("/__mock/reload"))).await;
    let got = statuses(&server, 3).await;

    assert_eq!(reloaded.status, 200);
    assert_eq!(got, [200, 200, 503]);
}

#[tokio::test]
async fn each_scenario_counts_its_own_requests() {
    let server =
        TestServer::folder(&root().join("scenarios"), "default", MockOptions::default()).await;
    let flaky = || {
        send(
            server
                .click_detail()
                .header("x-mock-scenario", "flaky")
                .header("content-type", FORM)
                .body(format!("transaction_hash={EXAMPLE_CLICK}")),
        )
    };
    flaky().await;
    flaky().await;
    for _ in 0..5 {
        server.lookup_example().await;
    }

    let third = flaky().await;

    assert_eq!(
        third.status, 503,
        "requests to default did not count for flaky"
    );
}

#[tokio::test]
async fn the_journal_names_faults_and_a_dropped_answer_has_no_status() {
    let server = TestServer::start(scenario(
        "faults:\n  - {first: 1, drop_connection: true}\n  - {first: 2, empty_body: true}\nrate_limit: {requests: 2, per_seconds: 3600}",
    ))
    .await;
    let _ = lookup(&server, "c1").send().await;
    send(lookup(&server, "c1")).await;
    send(lookup(&server, "c1")).await;

    let journal = server.journal("").await;

    let entries = journal["requests"].as_array().expect("list");
    let seen: Vec<(&str, Option<u64>)> = entries
        .iter()
        .map(|e| {
            (
                e["outcome"].as_str().expect("outcome"),
                e["status"].as_u64(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("fault:drop_connection", None),
            ("fault:empty_body", Some(200)),
            ("rate_limited", Some(429)),
        ]
    );
}

// --- validation ------------------------------------------------------------

/// The problems of a scenario file holding `yaml`, rendered, with the file's path.
fn problems(yaml: &str) -> (String, Vec<String>) {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("faulty.yaml");
    std::fs::write(&path, format!("{CREDENTIALS}{yaml}")).expect("write");
    let err = Scenario::from_file(&path).expect_err("refused");
    let path = path.display().to_string();
    (path, err.problems.iter().map(ToString::to_string).collect())
}

fn assert_problem(yaml: &str, line_col: &str, words: &str) {
    let (path, found) = problems(yaml);
    let located = format!("{path}:{line_col}: ");
    assert!(
        found
            .iter()
            .any(|p| p.starts_with(&located) && p.contains(words)),
        "expected {located}...{words}... in {found:#?}"
    );
}

#[test]
fn a_zero_every_is_refused() {
    assert_problem(
        "faults: [{every: 0, status: 503}]",
        "2:18",
        "`every` must be a whole number, 1 or more",
    );
}

#[test]
fn an_unknown_outcome_is_refused() {
    assert_problem(
        "faults:\n  - every: 2\n    explode: true",
        "4:5",
        "unknown key `explode` in a fault rule",
    );
}

#[test]
fn a_negative_latency_is_refused() {
    assert_problem(
        "latency_ms: -5",
        "2:13",
        "`latency_ms` must be a whole number, 0 or more, found `-5`",
    );
}

#[test]
fn a_latency_over_five_minutes_is_refused() {
    assert_problem("latency_ms: 300001", "2:13", "at most 300000");
}

#[test]
fn a_rule_without_a_trigger_is_refused() {
    assert_problem(
        "faults:\n  - status: 503",
        "3:5",
        "needs one of `every: N`, `after: N`, `first: N`",
    );
}

#[test]
fn a_rule_with_two_triggers_is_refused() {
    assert_problem(
        "faults: [{every: 2, after: 3, status: 503}]",
        "2:21",
        "`after` is a second",
    );
}

#[test]
fn a_rule_without_an_outcome_is_refused() {
    assert_problem("faults:\n  - every: 2", "3:5", "needs an outcome");
}

#[test]
fn a_rule_with_two_outcomes_is_refused() {
    assert_problem(
        "faults: [{every: 2, empty_body: true, status: 503}]",
        "2:39",
        "has one outcome; `status` is a second",
    );
}

#[test]
fn a_flag_outcome_must_be_true() {
    assert_problem(
        "faults: [{every: 2, drop_connection: false}]",
        "2:38",
        "`drop_connection` must be `true`",
    );
}

#[test]
fn a_message_without_a_status_is_refused() {
    assert_problem(
        "faults: [{every: 2, empty_body: true, message: x}]",
        "2:39",
        "`message` goes with `status`",
    );
}

#[test]
fn a_fault_status_outside_http_is_refused() {
    assert_problem(
        "faults: [{every: 2, status: 999}]",
        "2:29",
        "`status` must be an HTTP status",
    );
}

#[test]
fn a_rate_limit_needs_requests_and_a_window() {
    assert_problem(
        "rate_limit: {requests: 5}",
        "2:13",
        "`rate_limit` is missing `per_seconds`",
    );
    assert_problem(
        "rate_limit: {requests: 0, per_seconds: 1}",
        "2:24",
        "`requests` must be a whole number, 1 or more",
    );
}

#[test]
fn a_clicks_fault_takes_outcomes_but_no_trigger() {
    assert_problem(
        "clicks:\n  - click_hash: c1\n    fault: {every: 2, status: 500}",
        "4:13",
        "unknown key `every` in a click's `fault`",
    );
}

#[test]
fn every_fault_problem_of_a_file_is_reported_together() {
    let (_, found) = problems(
        "latency_ms: -1\nfaults: [{every: 0, status: 503}, {status: 1}]\nrate_limit: {per_seconds: 0}",
    );

    assert!(found.len() >= 5, "{found:#?}");
}

#[test]
fn a_fixture_may_not_set_scenario_faults() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join("data.yaml"),
        "faults: [{every: 2, status: 503}]\n",
    )
    .expect("write");
    let path = dir.path().join("main.yaml");
    std::fs::write(&path, format!("{CREDENTIALS}include: [data.yaml]\n")).expect("write");

    let err = Scenario::from_file(&path).expect_err("refused").to_string();

    assert!(
        err.contains("data.yaml:1:1:") && err.contains("faults"),
        "{err}"
    );
}
