//! The scenario keys the lifecycle adds: `now:` (the clock's start, Unix
//! seconds or RFC 3339, by default a day after the scenario's latest time)
//! and a transaction's `transactionid:` (a lookup key, unique in the
//! scenario, not shown by click_detail).

use n4n_mock::Scenario;

use crate::util::{API_KEY, USERNAME, scenario_from_yaml};

use super::*;

/// A scenario of one click and its sale `t-1`, plus `extra` top-level YAML.
fn one_sale(extra: &str) -> String {
    format!(
        "credentials: [{{username: {USERNAME}, api_key: {API_KEY}}}]\n{extra}\
         clicks:\n\
         \x20 - {{click_hash: c-1, time: 2025-11-20T10:00:00Z}}\n\
         \x20 - {{click_hash: c-2, time: 1763600000}}\n\
         transactions:\n\
         \x20 - {{transaction_hash: t-1, click_hash: c-1, time: 1763700000, status: approved, amount: \"5.00\"}}\n"
    )
}

/// The time of the event a void of `t-1` records in a server of `yaml`.
async fn first_event_time(yaml: &str) -> Value {
    let server = TestServer::start(scenario_from_yaml(yaml)).await;
    applied(&server, Kind::Void, "t-1").await;
    newest(&server, "c-1").await["time"].clone()
}

/// The problems of loading `yaml` from a file; the file's path too.
fn refused(yaml: &str) -> (String, Vec<String>) {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("refused.yaml");
    std::fs::write(&path, yaml).expect("write");
    let err = Scenario::from_file(&path).expect_err("refused");
    let problems = err.problems.iter().map(ToString::to_string).collect();
    (path.display().to_string(), problems)
}

#[tokio::test]
async fn without_now_the_clock_starts_a_day_after_the_scenarios_latest_time() {
    let time = first_event_time(&one_sale("")).await;

    assert_eq!(time, (1_763_700_000u64 + 86_400).to_string());
}

#[tokio::test]
async fn now_may_be_written_in_unix_seconds() {
    let time = first_event_time(&one_sale("now: 1763769600\n")).await;

    assert_eq!(time, now_plus(0));
}

#[tokio::test]
async fn now_may_be_written_in_rfc_3339() {
    let time = first_event_time(&one_sale("now: 2025-11-22T00:00:10Z\n")).await;

    assert_eq!(time, now_plus(10));
}

#[test]
fn a_now_that_is_no_time_is_refused_where_it_is_written() {
    let (path, problems) = refused(&one_sale("now: next tuesday\n"));

    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with(&format!("{path}:2:6: ")),
        "{problems:?}"
    );
}

#[test]
fn a_transactionid_written_twice_is_refused_at_the_second_naming_the_first() {
    let yaml = format!(
        "credentials: [{{username: {USERNAME}, api_key: {API_KEY}}}]\n\
         clicks: [{{click_hash: c-1}}]\n\
         transactions:\n\
         \x20 - transaction_hash: t-1\n\
         \x20   click_hash: c-1\n\
         \x20   transactionid: T-1\n\
         \x20 - transaction_hash: t-2\n\
         \x20   click_hash: c-1\n\
         \x20   transactionid: T-1\n"
    );

    let (path, problems) = refused(&yaml);

    assert_eq!(
        problems,
        [format!(
            "{path}:9:20: duplicate transactionid `T-1` (first defined at {path}:6:20)"
        )]
    );
}

#[tokio::test]
async fn a_transactionid_is_not_shown_by_click_detail() {
    let server = lifecycle().await;

    let sale = transaction(&server, VOID_CLICK, VOID_TX).await;

    let keys: Vec<&str> = sale
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "transaction_hash",
            "time",
            "trans_type",
            "status",
            "orderid",
            "subscription_id",
            "amount",
            "total_payout",
            "payouts"
        ]
    );
}
