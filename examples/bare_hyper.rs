//! The benchmark's baseline: hyper 1.x over HTTP/1 on a multi-threaded tokio
//! runtime, answering every request with the same fixed JSON body, the
//! `default` scenario's answer to the API page's example request (686 bytes).
//!
//! It does what n4n-mock cannot avoid doing, accepting, parsing HTTP, reading
//! the request body and writing a response, and nothing else, so
//! `scripts/bench.sh` can tell hyper's cost from the mock's own. The HTTP/1
//! settings are the mock's (a header read timeout, and so a timer).
//!
//! ```sh
//! cargo run --release --example bare_hyper -- [PORT]   # PORT 0 (the default) picks a free one
//! ```
//!
//! Once listening it prints `bare-hyper listening on http://ADDR` on stdout.

use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;

/// The `default` scenario's answer to the API page's example request, as sent.
const BODY: &str = concat!(
    r#"{"result":"success","click":{"click_hash":"35b71a300115be9.16738986","#,
    r#""time":"1763632800","loginid":"1001","username":"topaffiliate","offerid":"12","#,
    r#""landing_pageid":"3","campaignid":"0","creativeid":"7","subid1":"spring","subid2":"","#,
    r#""external_clickid":"","ip":"203.0.113.7","country":"US","#,
    r#""referrer":"https://blog.example/review","user_agent":"Mozilla/5.0 (X11; Linux x86_64)"},"#,
    r#""transactions":[{"transaction_hash":"ac35ffba0fc0007.24591976","time":"1763636400","#,
    r#""trans_type":"initial","status":"approved","orderid":"ORD-1001","subscription_id":"SUB-77","#,
    r#""amount":"29.95","total_payout":"10.00","payouts":[{"type":"affiliate","loginid":"1001","#,
    r#""username":"topaffiliate","amount":"10.00"}]}]}"#,
);

/// The mock's limit on how long a client may take to send its headers.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

#[tokio::main]
async fn main() -> ExitCode {
    let port = match std::env::args().nth(1).map(|arg| arg.parse::<u16>()) {
        None => 0,
        Some(Ok(port)) => port,
        Some(Err(err)) => {
            eprintln!("usage: bare_hyper [PORT]: {err}");
            return ExitCode::from(2);
        }
    };
    let listener = match TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!("error: cannot listen on port {port}: {err}");
            return ExitCode::FAILURE;
        }
    };
    match listener.local_addr() {
        Ok(addr) => println!("bare-hyper listening on http://{addr}"),
        Err(err) => {
            eprintln!("error: no local address: {err}");
            return ExitCode::FAILURE;
        }
    }
    serve(listener).await;
    ExitCode::SUCCESS
}

/// Accepts connections forever, one task each.
async fn serve(listener: TcpListener) {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _peer)) => stream,
            Err(err) => {
                // Out of file descriptors and the like: wait a moment, keep serving.
                eprintln!("accept failed: {err}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let connection = builder.serve_connection(TokioIo::new(stream), service_fn(answer));
        tokio::spawn(async move {
            // A client that goes away mid-request is no concern of a baseline.
            let _ = connection.await;
        });
    }
}

/// Reads and discards the request body, then answers with [`BODY`].
async fn answer(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    // Reading the body is part of the work the mock does for every lookup;
    // a broken body still gets the answer.
    let _ = request.into_body().collect().await;
    let mut response = Response::new(Full::new(Bytes::from_static(BODY.as_bytes())));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(response)
}
