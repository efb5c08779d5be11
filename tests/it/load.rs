//! A bounded load test: 20,000 requests from 50 concurrent clients, valid
//! and invalid mixed, each answered with the status the contract gives, no
//! connection error, within a generous deadline (a shared machine is slow
//! at times; the deadline only catches a hang).

use std::time::Duration;

use crate::util::*;

const CLIENTS: usize = 50;
const REQUESTS: usize = 20_000;
const DEADLINE: Duration = Duration::from_secs(240);

/// Request `i` of the mix, and the status the contract gives it.
fn request(
    server: &TestServer,
    client: &reqwest::Client,
    i: usize,
) -> (reqwest::RequestBuilder, u16) {
    let url = |path: &str| server.url(path);
    let with_key = |builder: reqwest::RequestBuilder, key: &str| {
        builder
            .header("api-key", key)
            .header("api-username", USERNAME)
    };
    let lookup = with_key(client.get(url("/api/transaction/click_detail")), API_KEY)
        .header("content-type", FORM);
    match i % 10 {
        0..=2 => (
            lookup.body(format!("transaction_hash={EXAMPLE_CLICK}")),
            200,
        ),
        3 => (
            with_key(client.get(url("/api/transaction/click_detail")), "wrong")
                .body(format!("transaction_hash={EXAMPLE_CLICK}")),
            401,
        ),
        4 => (lookup.body("orderid="), 400),
        5 => (lookup.body("transaction_hash=nope"), 404),
        6 => (
            with_key(client.get(url("/api/transaction/click_detail")), API_KEY)
                .header("content-type", "application/json")
                .body("{not json"),
            400,
        ),
        7 => (
            with_key(client.post(url("/api/service/ping")), API_KEY),
            405,
        ),
        8 => (client.get(url("/api/transaction/unknown")), 404),
        _ => (with_key(client.get(url("/api/service/ping")), API_KEY), 200),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_thousand_mixed_requests_from_fifty_clients_all_answered_as_the_contract_says() {
    let server = std::sync::Arc::new(TestServer::bundled("default").await);

    let workers = (0..CLIENTS).map(|worker| {
        let server = std::sync::Arc::clone(&server);
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut wrong = Vec::new();
            let mut failed = 0usize;
            for i in (worker..REQUESTS).step_by(CLIENTS) {
                let (builder, expected) = request(&server, &client, i);
                match builder.send().await {
                    Ok(answer) => {
                        let status = answer.status().as_u16();
                        if answer.bytes().await.is_err() {
                            failed += 1;
                        } else if status != expected {
                            wrong.push((i, status, expected));
                        }
                    }
                    Err(_) => failed += 1,
                }
            }
            (wrong, failed)
        })
    });
    let all = tokio::time::timeout(DEADLINE, futures_util::future::join_all(workers))
        .await
        .expect("served within the deadline");

    let mut wrong = Vec::new();
    let mut failed = 0;
    for result in all {
        let (w, f) = result.expect("worker");
        wrong.extend(w);
        failed += f;
    }
    assert_eq!(failed, 0, "connection errors");
    assert!(
        wrong.is_empty(),
        "unexpected statuses (request, got, expected): {:?}",
        &wrong[..wrong.len().min(10)]
    );
    let health = send(server.client.get(server.url("/__mock/health"))).await;
    assert_eq!(
        health.json()["counters"]["requests"],
        18_000,
        "every API request counted"
    );
}
