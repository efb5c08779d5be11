//! The same scenario and the same requests queue the same postbacks (seq,
//! target, event, URL, body, byte for byte), whatever the receivers do:
//! only attempt times and outcomes depend on them.

use std::time::Duration;

use serde_json::json;

use crate::lifecycle::{Kind, apply};
use crate::util::*;

use super::*;

/// What a postback is, apart from how its delivery went: seq, target,
/// event, URL (its receiver's address written `RECEIVER`, since each run
/// has its own receivers) and body.
type Queued = (u64, String, String, String, Value);

/// What one run gave: the conversions' answers, and the log once all its
/// postbacks settled.
struct Run {
    answers: Vec<Value>,
    log: Vec<Value>,
}

impl Run {
    /// The log as [`Queued`] postbacks, `bases` (receiver URLs) written `RECEIVER`.
    fn queued(&self, bases: &[String]) -> Vec<Queued> {
        self.log
            .iter()
            .map(|r| {
                let mut url = r["url"].as_str().expect("url").to_string();
                for base in bases {
                    url = url.replace(base.as_str(), "RECEIVER");
                }
                (
                    r["seq"].as_u64().expect("seq"),
                    r["target"].as_str().expect("target").to_string(),
                    r["event"].as_str().expect("event").to_string(),
                    url,
                    r["body"].clone(),
                )
            })
            .collect()
    }
}

/// Serves the scenario with a GET target at `get` and a POST target at
/// `post` (base URLs), `more` added to both; sends the same three
/// conversions, a void and a chargeback as every other run; and reads the
/// log once its nine postbacks have settled.
async fn run(get: &str, post: &str, more: &str) -> Run {
    let pixel = format!(
        "{get}/pixel?e=%%event%%&tx=%%transaction_hash%%&o=%%original_transaction_hash%%\
         &s=%%seq%%&a=%%amount%%&t=%%time%%"
    );
    let server = serve(&[
        target("pixel", &pixel, more),
        target(
            "nats",
            &format!("{post}/nats"),
            &format!("method: POST, events: [sale, void, chargeback], {more}"),
        ),
    ])
    .await;
    let mut answers = Vec::new();
    for body in [
        json!({"click_hash": EXAMPLE_CLICK, "amount": "29.95", "payout": "10.00", "orderid": "A-1"}),
        json!({"click_hash": EXAMPLE_CLICK, "amount": 9.95, "trans_type": "rebill"}),
        json!({"click_hash": OTHER_CLICK, "amount": "5", "payout": "1.5"}),
    ] {
        answers.push(converted(&server, body).await);
    }
    for (kind, converted) in [(Kind::Void, 0), (Kind::Chargeback, 2)] {
        let hash = hash_of(&answers[converted]);
        let applied = apply(&server, kind, &[("transaction_hash", &hash)]).await;
        assert_eq!(applied.status, 200, "{}", applied.body);
    }
    let log = settled(&server, 9).await;
    assert_eq!(log.len(), 9, "{log:#?}");
    Run { answers, log }
}

/// What a receiver got: path and query, then body, in arrival order.
fn seen(receiver: &Receiver) -> Vec<(String, String)> {
    receiver
        .received()
        .into_iter()
        .map(|r| (r.target, r.body))
        .collect()
}

#[tokio::test]
async fn the_same_requests_queue_the_same_postbacks_whatever_the_receivers_speed() {
    let (fast_get, fast_post) = (Receiver::ok().await, Receiver::ok().await);
    let slow = Reply::Late(Duration::from_millis(50), 200);
    let (slow_get, slow_post) = (
        Receiver::answering(slow.clone()).await,
        Receiver::answering(slow).await,
    );

    let fast = run(&fast_get.url(""), &fast_post.url(""), "retry: []").await;
    let slow = run(&slow_get.url(""), &slow_post.url(""), "retry: []").await;

    assert_eq!(
        fast.queued(&[fast_get.url(""), fast_post.url("")]),
        slow.queued(&[slow_get.url(""), slow_post.url("")])
    );
    assert_eq!(
        fast.answers, slow.answers,
        "the conversions' hashes and seqs too"
    );
    assert_eq!(seen(&fast_get), seen(&slow_get));
    assert_eq!(seen(&fast_post), seen(&slow_post));
}

#[tokio::test]
async fn the_same_requests_queue_the_same_postbacks_whether_delivered_or_refused() {
    let (get, post) = (Receiver::ok().await, Receiver::ok().await);
    let refused = refused_url();

    let delivered = run(&get.url(""), &post.url(""), "retry: []").await;
    let failed = run(&refused, &refused, "retry: []").await;

    assert!(
        delivered.log.iter().all(|r| r["state"] == "delivered"),
        "{:#?}",
        delivered.log
    );
    assert!(
        failed.log.iter().all(|r| r["state"] == "failed"),
        "{:#?}",
        failed.log
    );
    assert_eq!(
        delivered.queued(&[get.url(""), post.url("")]),
        failed.queued(&[refused])
    );
    assert_eq!(delivered.answers, failed.answers);
}
