//! Conversions from concurrent clients each get their own seq, and each
//! target delivers in seq order; a receiver that never answers slows
//! neither the API nor another target.

use std::collections::BTreeSet;

use serde_json::json;

use crate::util::*;

use super::*;

const CONVERSIONS: usize = 500;
const CLIENTS: usize = 8;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_conversions_queue_each_seq_once_and_each_target_gets_them_in_order() {
    let (sales, rebills) = (Receiver::ok().await, Receiver::ok().await);
    let server = serve(&[
        target("sales", &sales.url(PB_PATH), "events: [sale]"),
        target("rebills", &rebills.url(PB_PATH), "events: [rebill]"),
    ])
    .await;
    let url = server.url("/__mock/conversions");

    let clients = (0..CLIENTS).map(|client| {
        let url = url.clone();
        tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut seqs = Vec::new();
            for n in (client..CONVERSIONS).step_by(CLIENTS) {
                let kind = if n % 2 == 0 { "initial" } else { "rebill" };
                let body =
                    json!({"click_hash": EXAMPLE_CLICK, "amount": "1.00", "trans_type": kind});
                let answer = send(http.post(&url).json(&body)).await;
                assert_eq!(answer.status, 201, "{}", answer.body);
                let queued = answer.json()["postbacks"].clone();
                let queued = queued.as_array().expect("postbacks");
                assert_eq!(queued.len(), 1, "one target takes each: {queued:?}");
                seqs.push(queued[0].as_u64().expect("seq"));
            }
            seqs
        })
    });
    let mut answered = Vec::new();
    for client in futures_util::future::join_all(clients).await {
        answered.extend(client.expect("a client"));
    }

    let unique: BTreeSet<u64> = answered.iter().copied().collect();
    assert_eq!(answered.len(), CONVERSIONS);
    assert_eq!(
        unique,
        (1..=CONVERSIONS as u64).collect(),
        "each seq exactly once"
    );
    let log = settled(&server, CONVERSIONS).await;
    assert_eq!(log.len(), CONVERSIONS);
    assert!(log.iter().all(|r| r["state"] == "delivered"), "{log:#?}");
    for (receiver, name) in [(&sales, "sales"), (&rebills, "rebills")] {
        let expected: Vec<u64> = log
            .iter()
            .filter(|r| r["target"] == name)
            .map(|r| r["seq"].as_u64().expect("seq"))
            .collect();
        assert_eq!(expected.len(), CONVERSIONS / 2, "{name}");
        assert_eq!(
            receiver.seqs(),
            expected,
            "{name} gets its postbacks in seq order"
        );
    }
}

#[tokio::test]
async fn a_receiver_that_never_answers_slows_neither_the_api_nor_another_target() {
    // The dead receiver's timeout outlasts the test: its postback stays `sending`.
    let (dead, alive) = (Receiver::silent().await, Receiver::ok().await);
    let server = serve(&[
        target("dead", &dead.url(PB_PATH), "timeout: 60s, retry: []"),
        target("alive", &alive.url(PB_PATH), ""),
    ])
    .await;
    let first = sale(&server).await;
    dead.wait_for(1).await;

    let lookup = server.lookup_example().await;
    let second = sale(&server).await;

    assert_eq!(lookup.status, 200, "{}", lookup.body);
    assert!(lookup.body.contains(&hash_of(&first)), "{}", lookup.body);
    assert_eq!(second["postbacks"], json!([3, 4]));
    let log = settled(&server, 2).await;
    assert_eq!(
        states(&log),
        [
            (1, "sending".into()),
            (2, "delivered".into()),
            (3, "queued".into()),
            (4, "delivered".into()),
        ]
    );
    assert_eq!(alive.seqs(), [2, 4]);
}
