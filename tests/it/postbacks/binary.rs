//! Postbacks from the built binary: a receiver named by the server's
//! environment, one log line per attempt (never an api-key), and a stop
//! that does not wait for receivers.

use std::time::Duration;

use crate::util::*;

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_url_may_name_an_environment_variable_of_the_server() {
    let receiver = Receiver::ok().await;
    let url = format!("${{N4N_MOCK_TEST_RECEIVER}}{PB_PATH}");
    let (mock, _dir) = serve_binary(
        &[target("shop", &url, "")],
        &[("N4N_MOCK_TEST_RECEIVER", &receiver.url(""))],
    );

    sale(&mock).await;
    let log = settled(&mock, 1).await;

    assert_eq!(record(&log, 1)["state"], "delivered");
    assert_eq!(receiver.seqs(), [1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_attempt_writes_one_log_line_without_the_api_key() {
    let receiver = Receiver::statuses(&[500]).await;
    let (mut mock, _dir) = serve_binary(
        &[target("shop", &receiver.url(PB_PATH), "retry: [10ms]")],
        &[],
    );

    sale(&mock).await;
    settled(&mock, 1).await;

    // The second attempt's line is the last to come.
    mock.wait_for_log("attempt=2", Duration::from_secs(10));
    let lines: Vec<String> = mock
        .logs_so_far()
        .iter()
        .filter(|l| l.contains("postback") && l.contains("latency_ms="))
        .cloned()
        .collect();
    assert_eq!(lines.len(), 2, "{lines:#?}");
    for (line, result) in lines.iter().zip(["status=500", "status=200"]) {
        for part in ["seq=1", "shop", "sale", result] {
            assert!(line.contains(part), "{part} in {line}");
        }
        assert!(!line.contains(API_KEY), "{line}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_does_not_wait_for_a_receiver_that_never_answers() {
    let receiver = Receiver::silent().await;
    let (mock, _dir) = serve_binary(
        &[target(
            "stuck",
            &receiver.url(PB_PATH),
            "timeout: 60s, retry: []",
        )],
        &[],
    );
    sale(&mock).await;
    sale(&mock).await;
    receiver.wait_for(1).await;

    mock.signal("TERM");

    // Far less than the 60 s the attempt in flight could take.
    let (code, logs) = tokio::task::block_in_place(|| mock.wait_exit(Duration::from_secs(10)));
    assert_eq!(code, Some(0), "{logs}");
    assert_eq!(receiver.seqs(), [1], "what was queued was abandoned");
}
