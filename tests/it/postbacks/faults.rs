//! Postback faults, per target, counted over that target's postbacks from
//! 1: `duplicate` delivers one twice, `delay` holds one (and the target's
//! later ones behind it), `drop` never sends one, `reorder` sends one after
//! the next.

use crate::util::*;

use super::*;

/// A server with one target at `receiver` and these `faults` (YAML flow list).
async fn faulty(receiver: &Receiver, faults: &str) -> TestServer {
    serve(&[target(
        "shop",
        &receiver.url(PB_PATH),
        &format!("faults: {faults}"),
    )])
    .await
}

#[tokio::test]
async fn a_duplicate_is_delivered_twice_and_recorded_as_two_successful_attempts() {
    let receiver = Receiver::ok().await;
    let server = faulty(&receiver, "[{every: 1, duplicate: true}]").await;

    sale(&server).await;
    let log = settled(&server, 1).await;

    let got = receiver.received();
    assert_eq!(got.len(), 2, "{got:#?}");
    assert_eq!(got[0].target, got[1].target, "the same postback twice");
    let record = record(&log, 1);
    assert_eq!(record["state"], "delivered");
    assert_eq!(attempt_statuses(record), [Some(200), Some(200)]);
}

#[tokio::test]
async fn every_n_hits_only_the_targets_nth_postbacks() {
    let receiver = Receiver::ok().await;
    let server = faulty(&receiver, "[{every: 2, duplicate: true}]").await;

    for _ in 0..4 {
        sale(&server).await;
    }
    settled(&server, 4).await;

    assert_eq!(receiver.seqs(), [1, 2, 2, 3, 4, 4]);
}

#[tokio::test]
async fn faults_are_counted_per_target() {
    let (plain, faulty_receiver) = (Receiver::ok().await, Receiver::ok().await);
    let server = serve(&[
        target("plain", &plain.url(PB_PATH), ""),
        target(
            "faulty",
            &faulty_receiver.url(PB_PATH),
            "faults: [{first: 1, drop: true}]",
        ),
    ])
    .await;

    sale(&server).await;
    sale(&server).await;

    let log = settled(&server, 4).await;
    assert_eq!(plain.seqs(), [1, 3]);
    assert_eq!(
        faulty_receiver.seqs(),
        [4],
        "its first postback, seq 2, dropped"
    );
    assert_eq!(record(&log, 2)["state"], "dropped");
}

#[tokio::test]
async fn a_dropped_postback_is_never_sent_and_is_recorded_with_reason_fault() {
    let receiver = Receiver::ok().await;
    let server = faulty(&receiver, "[{every: 2, drop: true}]").await;

    for _ in 0..3 {
        sale(&server).await;
    }
    let log = settled(&server, 3).await;

    assert_eq!(receiver.seqs(), [1, 3]);
    let dropped = record(&log, 2);
    assert_eq!(dropped["state"], "dropped");
    assert_eq!(dropped["reason"], "fault");
    assert_eq!(dropped["attempts"], serde_json::json!([]));
    assert!(
        dropped["url"].as_str().is_some_and(|u| u.contains("seq=2")),
        "{dropped}"
    );
}

#[tokio::test]
async fn a_delayed_postback_is_held_and_the_later_ones_wait_behind_it() {
    let receiver = Receiver::ok().await;
    let server = faulty(&receiver, "[{first: 1, delay: 1s}]").await;

    sale(&server).await;
    sale(&server).await;

    // Well inside the second of the delay: nothing has gone yet.
    let held = log(&server).await;
    assert_eq!(
        states(&held),
        [(1, "queued".into()), (2, "queued".into())],
        "{held:#?}"
    );
    assert!(receiver.received().is_empty());
    settled(&server, 2).await;
    assert_eq!(receiver.seqs(), [1, 2], "order kept");
}

#[tokio::test]
async fn a_reordered_postback_is_sent_after_the_next_one() {
    let receiver = Receiver::ok().await;
    let server = faulty(&receiver, "[{first: 1, reorder: true}]").await;

    sale(&server).await;
    sale(&server).await;
    let log = settled(&server, 2).await;

    assert_eq!(receiver.seqs(), [2, 1]);
    assert_eq!(
        states(&log),
        [(1, "delivered".into()), (2, "delivered".into())]
    );
}

/// The one test that waits out the 5 s a held postback gives a next one.
#[tokio::test]
async fn a_reordered_postback_with_no_next_one_goes_alone_after_5_s() {
    let receiver = Receiver::ok().await;
    let server = faulty(&receiver, "[{first: 1, reorder: true}]").await;

    sale(&server).await;

    let early = postbacks_page(&server, "?settled=1&timeout=3s").await;
    assert_eq!(early.status, 504, "still held at 3 s: {}", early.body);
    assert!(receiver.received().is_empty());
    let log = settled(&server, 1).await;
    assert_eq!(record(&log, 1)["state"], "delivered");
    assert_eq!(receiver.seqs(), [1]);
}

#[tokio::test]
async fn fault_counters_restart_with_a_reset() {
    let receiver = Receiver::ok().await;
    let server = faulty(&receiver, "[{first: 1, drop: true}]").await;
    sale(&server).await;
    settled(&server, 1).await;

    server.admin_post("reset").await;
    sale(&server).await;
    sale(&server).await;

    let log = settled(&server, 2).await;
    assert_eq!(
        states(&log),
        [(1, "dropped".into()), (2, "delivered".into())],
        "the first after the reset is the target's first again"
    );
    assert_eq!(receiver.seqs(), [2]);
}
