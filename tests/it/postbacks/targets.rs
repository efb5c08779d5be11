//! The targets of the active scenario: `GET /__mock/postbacks/targets` as
//! loaded, `PUT` in their place until the next reset (checked like the
//! file), and what a reset brings back: the file's targets, `seq` from 1,
//! an empty log, nothing of what was queued.

use n4n_mock::MockOptions;
use serde_json::json;

use crate::util::*;

use super::*;

/// `GET /__mock/postbacks/targets`, checked to be 200, as JSON.
async fn targets(server: &TestServer) -> Value {
    let answer = send(server.client.get(server.url("/__mock/postbacks/targets"))).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()
}

/// The names of the targets listed.
async fn target_names(server: &TestServer) -> Vec<String> {
    targets(server).await["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .map(|t| t["name"].as_str().expect("name").to_string())
        .collect()
}

/// `PUT /__mock/postbacks/targets` with `body`.
async fn put_targets(server: &TestServer, body: &str) -> Answer {
    send(
        server
            .client
            .put(server.url("/__mock/postbacks/targets"))
            .header("content-type", "application/json")
            .body(body.to_string()),
    )
    .await
}

#[tokio::test]
async fn the_targets_are_listed_as_loaded_with_their_defaults() {
    let url = "http://127.0.0.1:9/pb?tx=%%transaction_hash%%";
    let server = serve(&[
        target("plain", url, ""),
        target(
            "full",
            url,
            "method: POST, events: [void, sale], loginid: \"1001\", timeout: 250ms, \
             retry: [10ms, 2s], faults: [{every: 3, duplicate: true}]",
        ),
    ])
    .await;

    let listed = targets(&server).await;

    assert_eq!(
        listed,
        json!({"scenario": SCENARIO, "targets": [
            {"name": "plain", "url": url, "method": "GET", "events": EVENTS,
             "timeout": "5s", "retry": ["1s", "4s"], "faults": []},
            {"name": "full", "url": url, "method": "POST", "events": ["void", "sale"],
             "loginid": "1001", "timeout": "250ms", "retry": ["10ms", "2s"],
             "faults": [{"every": 3, "duplicate": true}]},
        ]})
    );
}

#[tokio::test]
async fn an_unset_environment_variable_with_a_fallback_gives_the_fallback() {
    let server = serve(&[target(
        "shop",
        "${N4N_MOCK_TEST_NEVER_SET:-http://127.0.0.1:9}/pb?seq=%%seq%%",
        "",
    )])
    .await;

    let listed = targets(&server).await;

    assert_eq!(
        listed["targets"][0]["url"], "http://127.0.0.1:9/pb?seq=%%seq%%",
        "the environment read, the macros kept"
    );
}

#[tokio::test]
async fn put_targets_replace_the_files_for_the_next_postbacks() {
    let (from_file, from_put) = (Receiver::ok().await, Receiver::ok().await);
    let server = serve(&[target("file", &from_file.url(PB_PATH), "")]).await;
    let body =
        json!([{"name": "put", "url": from_put.url(PB_PATH), "method": "POST", "retry": []}]);

    let answer = put_targets(&server, &body.to_string()).await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.json(),
        json!({"result": "success", "scenario": SCENARIO, "targets": 1})
    );
    assert_eq!(target_names(&server).await, ["put"]);
    sale(&server).await;
    let log = settled(&server, 1).await;
    assert_eq!(record(&log, 1)["target"], "put");
    assert_eq!(record(&log, 1)["method"], "POST");
    assert_eq!(from_put.seqs(), [1]);
    assert!(from_file.received().is_empty());
}

#[tokio::test]
async fn a_reset_brings_back_the_files_targets_restarts_seq_and_empties_the_log() {
    let (from_file, from_put) = (Receiver::ok().await, Receiver::ok().await);
    let server = serve(&[target("file", &from_file.url(PB_PATH), "")]).await;
    let body = json!([{"name": "put", "url": from_put.url(PB_PATH)}]);
    assert_eq!(put_targets(&server, &body.to_string()).await.status, 200);
    sale(&server).await;
    sale(&server).await;
    settled(&server, 2).await;

    server.admin_post("reset").await;

    assert_eq!(target_names(&server).await, ["file"]);
    assert!(log(&server).await.is_empty(), "the log is empty");
    let next = sale(&server).await;
    assert_eq!(next["postbacks"], json!([1]));
    let log = settled(&server, 1).await;
    assert_eq!(record(&log, 1)["target"], "file");
    assert_eq!(from_file.seqs(), [1]);
    assert_eq!(from_put.seqs(), [1, 2], "nothing more to the put target");
}

#[tokio::test]
async fn a_reload_reads_the_files_targets_anew_and_empties_the_log() {
    let (before, after) = (Receiver::ok().await, Receiver::ok().await);
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join(format!("{SCENARIO}.yaml"));
    std::fs::write(
        &file,
        scenario_yaml(&[target("before", &before.url(PB_PATH), "")]),
    )
    .expect("write");
    let server = TestServer::folder(dir.path(), SCENARIO, MockOptions::default()).await;
    let put = json!([{"name": "put", "url": before.url(PB_PATH)}]);
    assert_eq!(put_targets(&server, &put.to_string()).await.status, 200);
    sale(&server).await;
    settled(&server, 1).await;
    std::fs::write(
        &file,
        scenario_yaml(&[target("after", &after.url(PB_PATH), "")]),
    )
    .expect("rewrite");

    server.admin_post("reload").await;

    assert_eq!(target_names(&server).await, ["after"]);
    assert!(log(&server).await.is_empty());
    assert_eq!(sale(&server).await["postbacks"], json!([1]));
    settled(&server, 1).await;
    assert_eq!(after.seqs(), [1]);
    assert_eq!(before.seqs(), [1], "only the sale before the reload");
}

#[tokio::test]
async fn a_reset_cancels_what_is_queued_and_abandons_an_attempt_in_flight() {
    let receiver = Receiver::silent().await;
    let server = serve(&[target(
        "stuck",
        &receiver.url(PB_PATH),
        "timeout: 60s, retry: []",
    )])
    .await;
    sale(&server).await;
    sale(&server).await;
    receiver.wait_for(1).await;

    server.admin_post("reset").await;
    assert!(log(&server).await.is_empty());
    sale(&server).await;

    // Had the abandoned attempt held the line, this would wait out its 60 s;
    // had seq 2 survived the reset, it would arrive instead.
    let got = receiver.wait_for(2).await;
    assert_eq!(got.iter().map(Received::seq).collect::<Vec<_>>(), [1, 1]);
    assert_eq!(states(&log(&server).await), [(1, "sending".into())]);
}

#[tokio::test]
async fn an_invalid_put_is_400_invalid_targets_with_every_problem_located() {
    let server = serve(&[target("file", "http://127.0.0.1:9/pb", "")]).await;
    let body = r#"[{"name": "a", "url": "ftp://127.0.0.1/pb"},
 {"name": "b", "url": "http://127.0.0.1:9/pb?x=%%nope%%", "events": ["sale", "refund"]}]"#;

    let answer = put_targets(&server, body).await;

    assert_eq!(answer.status, 400, "{}", answer.body);
    assert_eq!(answer.headers["x-mock-error"], "invalid-targets");
    let json = answer.json();
    assert_eq!(json["result"], "error");
    assert_eq!(json["message"], "3 problems in the targets");
    let problems = json["problems"].as_array().expect("problems");
    let located: Vec<(u64, &str)> = problems
        .iter()
        .map(|p| {
            assert_eq!(p["path"], "request body", "{p}");
            assert!(p["column"].as_u64().is_some_and(|c| c >= 1), "{p}");
            (
                p["line"].as_u64().expect("line"),
                p["message"].as_str().expect("message"),
            )
        })
        .collect();
    assert_eq!(located.len(), 3, "{json}");
    assert!(
        located[0].0 == 1 && located[0].1.contains("ftp://"),
        "{json}"
    );
    assert!(
        located[1].0 == 2 && located[1].1.contains("%%nope%%"),
        "{json}"
    );
    assert!(
        located[2].0 == 2 && located[2].1.contains("refund"),
        "{json}"
    );
    assert_eq!(target_names(&server).await, ["file"], "the targets kept");
}

#[tokio::test]
async fn a_put_body_that_is_not_a_list_of_targets_is_400() {
    let server = serve(&[]).await;

    for body in ["not json", r#"{"name": "a"}"#, r#"[{"name": "a"}]"#] {
        let answer = put_targets(&server, body).await;

        assert_eq!(answer.status, 400, "{body}: {}", answer.body);
        assert_eq!(answer.headers["x-mock-error"], "invalid-targets", "{body}");
    }
}
