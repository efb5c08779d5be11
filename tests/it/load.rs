//! A bounded load test: 20,000 requests from 50 concurrent clients, valid
//! and invalid mixed, each answered with the status the contract gives, no
//! connection error, within a generous deadline (a shared machine is slow
//! at times; the deadline only catches a hang).
//!
//! Each client keeps one connection and pipelines its requests on it, the
//! requests' bytes written once up front, so the time goes to the server
//! answering rather than to the client building requests.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::util::*;

const CLIENTS: usize = 50;
const REQUESTS: usize = 20_000;
const DEADLINE: Duration = Duration::from_secs(240);

/// The mix: request `i` is `mix[i % 10]`, its bytes and the status the
/// contract gives it.
fn mix(addr: SocketAddr) -> Vec<(Vec<u8>, u16)> {
    let request = |method: &str, path: &str, headers: &str, body: &str| {
        let length = match body {
            "" => String::new(),
            body => format!("content-length: {}\r\n", body.len()),
        };
        format!("{method} {path} HTTP/1.1\r\nhost: {addr}\r\n{headers}{length}\r\n{body}")
            .into_bytes()
    };
    let click_detail = "/api/transaction/click_detail";
    let credentials = format!("api-key: {API_KEY}\r\napi-username: {USERNAME}\r\n");
    let form = format!("{credentials}content-type: {FORM}\r\n");
    let json = format!("{credentials}content-type: application/json\r\n");
    let wrong_key = format!("api-key: wrong\r\napi-username: {USERNAME}\r\n");
    let example = format!("transaction_hash={EXAMPLE_CLICK}");
    let lookup = request("GET", click_detail, &form, &example);
    vec![
        (lookup.clone(), 200),
        (lookup.clone(), 200),
        (lookup, 200),
        (request("GET", click_detail, &wrong_key, &example), 401),
        (request("GET", click_detail, &form, "orderid="), 400),
        (
            request("GET", click_detail, &form, "transaction_hash=nope"),
            404,
        ),
        (request("GET", click_detail, &json, "{not json"), 400),
        (request("POST", "/api/service/ping", &credentials, ""), 405),
        (request("GET", "/api/transaction/unknown", "", ""), 404),
        (request("GET", "/api/service/ping", &credentials, ""), 200),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_thousand_mixed_requests_from_fifty_clients_all_answered_as_the_contract_says() {
    let server = TestServer::bundled("default").await;
    let mix = Arc::new(mix(server.addr));

    let clients = (0..CLIENTS).map(|client| {
        let mix = Arc::clone(&mix);
        let addr = server.addr;
        tokio::spawn(async move {
            // A run of consecutive requests: every kind of the mix, on one connection.
            let per_client = REQUESTS / CLIENTS;
            let sent: Vec<usize> = (client * per_client..(client + 1) * per_client).collect();
            let mut bytes = Vec::new();
            for &i in &sent {
                bytes.extend_from_slice(&mix[i % mix.len()].0);
            }
            let statuses = pipelined_statuses(addr, &bytes, sent.len()).await?;
            let wrong: Vec<(usize, u16, u16)> = sent
                .into_iter()
                .zip(statuses)
                .map(|(i, got)| (i, got, mix[i % mix.len()].1))
                .filter(|(_, got, expected)| got != expected)
                .collect();
            Ok::<_, String>(wrong)
        })
    });
    let all = tokio::time::timeout(DEADLINE, futures_util::future::join_all(clients))
        .await
        .expect("served within the deadline");

    let mut wrong = Vec::new();
    let mut failed = Vec::new();
    for result in all {
        match result.expect("client") {
            Ok(w) => wrong.extend(w),
            Err(connection) => failed.push(connection),
        }
    }
    assert!(failed.is_empty(), "connection errors: {failed:?}");
    assert!(
        wrong.is_empty(),
        "unexpected statuses (request, got, expected): {:?}",
        &wrong[..wrong.len().min(10)]
    );
    assert_eq!(
        server.health().await["counters"]["requests"],
        18_000,
        "every API request counted"
    );
}
