//! Attempts that fail, and the retries after them: a status other than
//! 2xx, a refused connection, a receiver slower than the timeout, a
//! redirect (never followed); the target's later postbacks wait their turn.

use std::time::Duration;

use super::*;

#[tokio::test]
async fn a_receiver_answering_500_then_200_gets_it_on_the_second_attempt() {
    let receiver = Receiver::statuses(&[500]).await;
    let server = serve(&[target(
        "shop",
        &receiver.url("/pb?seq=%%seq%%&attempt=%%attempt%%"),
        "retry: [10ms]",
    )])
    .await;

    sale(&server).await;
    let log = settled(&server, 1).await;

    let record = record(&log, 1);
    assert_eq!(record["state"], "delivered");
    assert_eq!(attempt_statuses(record), [Some(500), Some(200)]);
    assert_eq!(record["attempts"][1]["attempt"], 2);
    let attempts: Vec<String> = receiver
        .received()
        .iter()
        .map(|r| r.param("attempt"))
        .collect();
    assert_eq!(attempts, ["1", "2"], "each attempt says its number");
    assert!(
        record["url"]
            .as_str()
            .is_some_and(|u| u.ends_with("attempt=1")),
        "the record keeps the first attempt's URL: {record}"
    );
}

#[tokio::test]
async fn any_2xx_is_a_success_and_any_other_status_a_failure() {
    let cases = [
        (202, "delivered"),
        (204, "delivered"),
        (404, "failed"),
        (503, "failed"),
    ];
    for (status, state) in cases {
        let receiver = Receiver::answering(Reply::Status(status)).await;
        let server = serve(&[target("shop", &receiver.url(PB_PATH), "retry: []")]).await;

        sale(&server).await;
        let log = settled(&server, 1).await;

        assert_eq!(record(&log, 1)["state"], state, "{status}");
        assert_eq!(attempt_statuses(record(&log, 1)), [Some(u64::from(status))]);
    }
}

#[tokio::test]
async fn a_refused_connection_is_retried_until_the_postback_fails() {
    let url = format!("{}/pb", refused_url());
    let server = serve(&[target("gone", &url, "retry: [10ms, 10ms]")]).await;

    sale(&server).await;
    let log = settled(&server, 1).await;

    let record = record(&log, 1);
    assert_eq!(record["state"], "failed");
    let refused = Some("connection refused".to_string());
    assert_eq!(
        attempt_errors(record),
        [refused.clone(), refused.clone(), refused]
    );
    assert_eq!(attempt_statuses(record), [None, None, None]);
    let numbers: Vec<&Value> = record["attempts"]
        .as_array()
        .expect("attempts")
        .iter()
        .map(|a| &a["attempt"])
        .collect();
    assert_eq!(numbers, [1, 2, 3]);
}

#[tokio::test]
async fn a_receiver_that_resets_the_connection_is_a_connection_reset() {
    let (base, _receiver) = resetting_url().await;
    let server = serve(&[target("rude", &format!("{base}/pb"), "retry: [10ms]")]).await;

    sale(&server).await;
    let log = settled(&server, 1).await;

    let record = record(&log, 1);
    assert_eq!(record["state"], "failed", "{record}");
    let reset = Some("connection reset".to_string());
    assert_eq!(attempt_errors(record), [reset.clone(), reset]);
}

#[tokio::test]
async fn a_receiver_slower_than_the_timeout_fails_the_attempt_with_a_timeout() {
    let receiver = Receiver::answering(Reply::Late(Duration::from_secs(10), 200)).await;
    let server = serve(&[target(
        "slow",
        &receiver.url(PB_PATH),
        "timeout: 200ms, retry: []",
    )])
    .await;

    sale(&server).await;
    let log = settled(&server, 1).await;

    let record = record(&log, 1);
    assert_eq!(record["state"], "failed");
    assert_eq!(
        attempt_errors(record),
        [Some("timed out after 200ms".to_string())]
    );
    assert_eq!(receiver.received().len(), 1, "it reached the receiver");
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_fails_the_attempt() {
    let receiver = Receiver::answering(Reply::Redirect("/moved")).await;
    let server = serve(&[target("moved", &receiver.url(PB_PATH), "retry: []")]).await;

    sale(&server).await;
    let log = settled(&server, 1).await;

    let record = record(&log, 1);
    assert_eq!(record["state"], "failed");
    assert_eq!(attempt_statuses(record), [Some(302)]);
    let paths: Vec<String> = receiver
        .received()
        .iter()
        .map(|r| r.target.clone())
        .collect();
    assert_eq!(paths.len(), 1, "no request to /moved: {paths:?}");
    assert!(paths[0].starts_with("/pb?"), "{paths:?}");
}

#[tokio::test]
async fn a_targets_later_postbacks_wait_behind_one_being_retried() {
    let receiver = Receiver::statuses(&[500, 500]).await;
    let server = serve(&[target(
        "shop",
        &receiver.url(PB_PATH),
        "retry: [50ms, 50ms]",
    )])
    .await;

    sale(&server).await;
    sale(&server).await;
    let log = settled(&server, 2).await;

    assert_eq!(receiver.seqs(), [1, 1, 1, 2]);
    assert_eq!(
        attempt_statuses(record(&log, 1)),
        [Some(500), Some(500), Some(200)]
    );
    assert_eq!(attempt_statuses(record(&log, 2)), [Some(200)]);
}

#[tokio::test]
async fn an_empty_retry_list_makes_one_attempt() {
    let receiver = Receiver::statuses(&[500]).await;
    let server = serve(&[target("shop", &receiver.url(PB_PATH), "retry: []")]).await;

    sale(&server).await;
    let log = settled(&server, 1).await;

    assert_eq!(record(&log, 1)["state"], "failed");
    assert_eq!(receiver.seqs(), [1]);
}
