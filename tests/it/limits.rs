//! What a misbehaving client can make the server hold, over loopback: slow
//! headers are cut off, a huge body is refused without being read, idle
//! connections are closed, connections past the cap get a 503, and the
//! server keeps answering everyone else throughout.

use std::time::{Duration, Instant};

use n4n_mock::Limits;
use n4n_mock::MockOptions;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::util::*;

async fn server_with(limits: Limits) -> TestServer {
    let options = MockOptions {
        limits,
        ..MockOptions::default()
    };
    TestServer::with_options(bundled("default"), options).await
}

/// Reads until the server closes the connection (or 10 s pass); what it sent.
async fn read_until_closed(stream: &mut TcpStream) -> (Vec<u8>, bool) {
    let mut seen = Vec::new();
    let mut chunk = [0u8; 4096];
    let closed = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => seen.extend_from_slice(&chunk[..n]),
            }
        }
    })
    .await
    .is_ok();
    (seen, closed)
}

#[tokio::test]
async fn a_client_sending_headers_byte_by_byte_is_cut_off_at_the_header_timeout() {
    let server = server_with(Limits {
        header_read_timeout: Duration::from_millis(500),
        ..Limits::default()
    })
    .await;
    let mut stream = TcpStream::connect(server.addr).await.expect("connect");
    let head = b"GET /api/service/ping HTTP/1.1\r\nHost: x\r\napi-key: k\r\n";
    let started = Instant::now();

    // One byte every 50 ms: never idle, never done.
    let mut cut_off = false;
    for byte in head.iter().cycle().take(400) {
        if stream.write_all(&[*byte]).await.is_err() {
            cut_off = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        let mut probe = [0u8; 1];
        if let Ok(Ok(0)) =
            tokio::time::timeout(Duration::from_millis(1), stream.read(&mut probe)).await
        {
            cut_off = true;
            break;
        }
    }

    assert!(cut_off, "the slow client was never cut off");
    assert!(
        started.elapsed() >= Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        server.lookup_example().await.status,
        200,
        "others still served"
    );
}

#[tokio::test]
async fn headers_over_the_size_cap_are_431() {
    let server = server_with(Limits {
        max_header_bytes: 8192,
        ..Limits::default()
    })
    .await;
    let big = "x".repeat(9000);

    let answer = send(server.click_detail().header("x-padding", big)).await;

    assert_eq!(answer.status, 431);
}

#[tokio::test]
async fn headers_under_the_size_cap_are_read() {
    let server = server_with(Limits {
        max_header_bytes: 16 * 1024,
        ..Limits::default()
    })
    .await;

    let answer = send(
        server
            .click_detail()
            .header("x-padding", "x".repeat(9000))
            .header("content-type", FORM)
            .body(format!("transaction_hash={EXAMPLE_CLICK}")),
    )
    .await;

    assert_eq!(answer.status, 200);
}

#[tokio::test]
async fn a_one_gigabyte_body_is_refused_without_being_read() {
    let server = server_with(Limits::default()).await;
    let mut stream = TcpStream::connect(server.addr).await.expect("connect");
    let head = format!(
        "GET /api/transaction/click_detail HTTP/1.1\r\nHost: x\r\napi-key: {API_KEY}\r\n\
         api-username: {USERNAME}\r\ncontent-type: {FORM}\r\ncontent-length: 1073741824\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.expect("head");
    // A first megabyte of the promised gigabyte, then nothing more.
    let megabyte = vec![b'a'; 1024 * 1024];
    let _ = stream.write_all(&megabyte).await;

    let (answer, closed) = read_until_closed(&mut stream).await;

    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("Request body too large"), "{answer}");
    assert!(
        closed,
        "the connection is closed rather than read to the end"
    );
}

#[tokio::test]
async fn a_chunked_body_is_cut_off_at_the_cap_not_read_to_its_end() {
    let server = server_with(Limits::default()).await;
    let stream = TcpStream::connect(server.addr).await.expect("connect");
    let (mut reader, mut writer) = stream.into_split();
    let head = format!(
        "GET /api/transaction/click_detail HTTP/1.1\r\nHost: x\r\napi-key: {API_KEY}\r\n\
         api-username: {USERNAME}\r\ncontent-type: {FORM}\r\ntransfer-encoding: chunked\r\n\r\n"
    );
    writer.write_all(head.as_bytes()).await.expect("head");
    // Up to 1 GiB in 64 KiB chunks, for as long as the server takes them.
    let feeder = tokio::spawn(async move {
        let chunk = format!("10000\r\n{}\r\n", "a".repeat(64 * 1024));
        let mut written = 0usize;
        for _ in 0..16 * 1024 {
            if writer.write_all(chunk.as_bytes()).await.is_err() {
                break;
            }
            written += 64 * 1024;
        }
        written
    });

    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), reader.read_to_end(&mut answer)).await;
    feeder.abort();
    let written = feeder.await.unwrap_or(0);

    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        written < 64 * 1024 * 1024,
        "the server kept reading: {written} bytes"
    );
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed_after_the_idle_timeout() {
    let server = server_with(Limits {
        idle_timeout: Duration::from_millis(300),
        ..Limits::default()
    })
    .await;
    let mut stream = TcpStream::connect(server.addr).await.expect("connect");
    let request = format!(
        "GET /api/service/ping HTTP/1.1\r\nHost: x\r\napi-key: {API_KEY}\r\napi-username: {USERNAME}\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.expect("request");
    let started = Instant::now();

    let (answer, closed) = read_until_closed(&mut stream).await;

    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(closed, "the idle connection was never closed");
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_kept_alive_connection_in_use_is_not_closed_as_idle() {
    let server = server_with(Limits {
        idle_timeout: Duration::from_millis(300),
        ..Limits::default()
    })
    .await;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .build()
        .expect("client");

    for _ in 0..8 {
        let answer = send(
            client
                .get(server.url("/api/service/ping"))
                .header("api-key", API_KEY)
                .header("api-username", USERNAME),
        )
        .await;
        assert_eq!(answer.status, 200);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn connections_past_the_cap_get_a_503_and_are_closed() {
    let server = server_with(Limits {
        max_connections: 2,
        ..Limits::default()
    })
    .await;
    // Two connections that send nothing hold both slots.
    let _first = TcpStream::connect(server.addr).await.expect("connect");
    let _second = TcpStream::connect(server.addr).await.expect("connect");

    let mut third = TcpStream::connect(server.addr).await.expect("connect");
    let (answer, closed) = read_until_closed(&mut third).await;

    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains(r#"{"result":"error","message":"Too many connections"}"#));
    assert!(
        answer.to_ascii_lowercase().contains("retry-after: 1"),
        "{answer}"
    );
    assert!(closed);
}

#[tokio::test]
async fn a_slot_is_free_again_once_its_connection_closes() {
    let server = server_with(Limits {
        max_connections: 1,
        ..Limits::default()
    })
    .await;
    let held = TcpStream::connect(server.addr).await.expect("connect");
    drop(held);

    eventually(Duration::from_secs(10), "the slot comes back", async || {
        let answer = reqwest::Client::new()
            .get(server.url("/__mock/health"))
            .send()
            .await
            .expect("an answer, 200 or 503");
        match answer.status().as_u16() {
            200 => Some(()),
            status => {
                assert_eq!(status, 503);
                None
            }
        }
    })
    .await;
}

#[tokio::test]
async fn no_answer_echoes_an_api_key() {
    let server = server_with(Limits::default()).await;
    let secret = "5ec2e75ec2e75ec2e75ec2e75ec2e7aa";
    let mut answers = Vec::new();
    for path in [
        "/api/transaction/click_detail",
        "/api/service/ping",
        "/api/nothing",
        "/__mock/health",
        "/__mock/nothing",
    ] {
        answers.push(send(server.get_as(path, secret, USERNAME)).await);
        answers.push(
            send(
                server
                    .get_as(path, secret, USERNAME)
                    .header("x-mock-scenario", "nope"),
            )
            .await,
        );
        answers.push(
            send(
                server
                    .client
                    .post(server.url(path))
                    .header("api-key", secret),
            )
            .await,
        );
    }
    answers.push(send(server.client.get(server.url("/__mock/requests"))).await);

    for answer in answers {
        let headers = format!("{:?}", answer.headers);
        assert!(!answer.body.contains(secret), "{}", answer.body);
        assert!(!headers.contains(secret), "{headers}");
    }
}
