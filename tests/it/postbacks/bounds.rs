//! What a scenario's postbacks may hold: at most 10,000 queued or kept
//! (past that a new one is dropped, `queue full`, and the oldest settled
//! leave the log first), and at most 1 KiB of a receiver's answer, however
//! large, with the mock's memory flat.

use serde_json::json;

use crate::util::*;

use super::*;

/// The documented cap on a scenario's postbacks.
const CAP: usize = 10_000;

/// A server with `target` and [`CAP`] + 1 clicks (`c0`, `c1`, ...) besides
/// the usual two: a conversion on a click of its own costs the same
/// whatever came before (the clicks' bodies stay small).
async fn serve_many_clicks(target: String) -> TestServer {
    let yaml = scenario_yaml(&[target]);
    let clicks: String = (0..=CAP)
        .map(|n| format!("  - {{click_hash: c{n}, loginid: 1001}}\n"))
        .collect();
    let yaml = yaml.replace("clicks:\n", &format!("clicks:\n{clicks}"));
    let scenario = n4n_mock::Scenario::from_yaml(SCENARIO, yaml.as_str())
        .unwrap_or_else(|err| panic!("the scenario loads:\n{err}"));
    TestServer::start(scenario).await
}

/// Sends `count` sales, one on each click `c0`, `c1`, ... over `clients`
/// concurrent connections, checked to answer 201.
async fn sales(mock: &impl Mock, count: usize, clients: usize) {
    let url = mock.url("/__mock/conversions");
    let senders = (0..clients).map(|client| {
        // A client each, one connection each, never idle while the others
        // work (a pooled connection left idle past the server's idle
        // timeout may be closed just as it is reused).
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .build()
            .expect("client");
        let url = url.clone();
        async move {
            for n in (client..count).step_by(clients) {
                let body = json!({"click_hash": format!("c{n}"), "amount": "1.00"});
                let answer = send(
                    http.post(&url)
                        .header("content-type", "application/json")
                        .body(body.to_string()),
                )
                .await;
                assert_eq!(answer.status, 201, "{}", answer.body);
            }
        }
    });
    futures_util::future::join_all(senders).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "about a minute in a debug build (10,000 conversions, each dearer than the last); \
            run with `cargo test --test it postbacks::bounds -- --ignored`"]
async fn past_10000_unsettled_each_new_postback_is_dropped_as_queue_full() {
    let receiver = Receiver::silent().await;
    // Unsettled for far longer than the test takes, even in a debug build:
    // a first attempt of a minute, then a retry five minutes later.
    let server = serve_many_clicks(target(
        "stuck",
        &receiver.url(PB_PATH),
        "timeout: 60s, retry: [5m]",
    ))
    .await;
    sales(&server, CAP, 8).await;

    let first_past = sale(&server).await;
    let second_past = sale(&server).await;

    assert_eq!(
        first_past["postbacks"],
        json!([CAP + 1]),
        "dropped or not, it has its seq"
    );
    assert_eq!(second_past["postbacks"], json!([CAP + 2]));
    let all = whole_log(&server).await;
    let unsettled = all
        .iter()
        .filter(|r| r["state"] == "queued" || r["state"] == "sending")
        .count();
    assert_eq!(unsettled, CAP);
    // The newest refused one is kept; the one before it, settled, left
    // first to make room.
    assert_eq!(all.len(), CAP + 1);
    assert!(
        all.iter().all(|r| r["seq"] != CAP + 1),
        "the older refused one left"
    );
    let dropped = record(&all, CAP as u64 + 2);
    assert_eq!(dropped["state"], "dropped", "{dropped}");
    assert_eq!(dropped["reason"], "queue full", "{dropped}");
    assert_eq!(
        receiver.received().len(),
        1,
        "one in flight, the rest waiting"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "about a minute in a debug build (10,000 conversions, each dearer than the last); \
            run with `cargo test --test it postbacks::bounds -- --ignored`"]
async fn past_10000_kept_the_oldest_settled_leave_the_log_first() {
    // Every postback dropped by a fault: settled as soon as queued.
    let server = serve_many_clicks(target(
        "void-of-receivers",
        "http://127.0.0.1:9/pb",
        "faults: [{every: 1, drop: true}]",
    ))
    .await;

    sales(&server, CAP + 1, 8).await;

    let all = whole_log(&server).await;
    assert_eq!(all.len(), CAP);
    assert_eq!(all[0]["seq"], 2, "seq 1 left first");
    assert_eq!(all[CAP - 1]["seq"], CAP as u64 + 1);
    assert!(all.iter().all(|r| r["reason"] == "fault"));
}

#[tokio::test]
async fn at_most_1_kib_of_the_receivers_answer_is_kept() {
    // Two bytes a character after the first: the 1 KiB mark cuts one in two.
    let answer = format!("a{}", "é".repeat(1500));
    let receiver = Receiver::answering(Reply::Body(answer.clone())).await;
    let server = serve(&[target("chatty", &receiver.url(PB_PATH), "")]).await;

    sale(&server).await;
    let log = settled(&server, 1).await;

    let kept = record(&log, 1)["attempts"][0]["response"]
        .as_str()
        .expect("response")
        .to_string();
    let whole = kept.trim_end_matches('\u{FFFD}');
    assert!(
        answer.starts_with(whole),
        "the start of the answer: {kept:?}"
    );
    assert_eq!(
        whole.len(),
        1023,
        "1 KiB, the cut character's half replaced"
    );
}

#[tokio::test]
async fn an_answer_that_never_ends_is_read_for_1_kib_and_delivered_at_once() {
    let receiver = Receiver::answering(Reply::Endless).await;
    let server = serve(&[target(
        "endless",
        &receiver.url(PB_PATH),
        "timeout: 60s, retry: []",
    )])
    .await;

    sale(&server).await;
    // Well before the 60 s the attempt may take: it stopped reading at 1 KiB.
    let log = settled(&server, 1).await;

    let record = record(&log, 1);
    assert_eq!(record["state"], "delivered", "{record}");
    assert_eq!(record["attempts"][0]["response"], "x".repeat(1024));
    let latency = record["attempts"][0]["latency_ms"]
        .as_u64()
        .expect("latency");
    assert!(latency < 10_000, "{latency} ms");
}

/// A gibibyte of answer body, streamed by the receiver as it is sent.
const GIB: u64 = 1024 * 1024 * 1024;

/// How much the mock may grow by while a receiver answers a gibibyte:
/// far less than the answer, room for the allocator and the runtime.
const GROWTH_LIMIT: u64 = 20 * 1024 * 1024;

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_answering_a_gigabyte_leaves_the_mocks_memory_flat() {
    let receiver = Receiver::scripted([Reply::Status(200)], Reply::Huge(GIB)).await;
    let (mock, _dir) = serve_binary(
        &[target(
            "huge",
            &receiver.url(PB_PATH),
            "timeout: 60s, retry: []",
        )],
        &[],
    );
    let pid = mock.child.id();
    // A first postback, answered briefly, sets up what every postback uses.
    sale(&mock).await;
    settled(&mock, 1).await;
    let before = resident_bytes(pid);

    sale(&mock).await;
    let log = settled(&mock, 2).await;

    let grown = resident_bytes(pid).saturating_sub(before);
    eprintln!("grown by {grown} bytes while answered {GIB} bytes");
    assert!(grown < GROWTH_LIMIT, "grown by {grown} bytes");
    let record = record(&log, 2);
    assert_eq!(record["state"], "delivered", "{record}");
    assert_eq!(attempt_statuses(record), [Some(200)]);
    assert_eq!(record["attempts"][0]["response"], "x".repeat(1024));
}
