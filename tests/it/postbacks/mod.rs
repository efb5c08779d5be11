//! Conversions and postbacks (`POSTBACKS.md`), each delivered over loopback
//! to a real receiver that the test starts on port 0.
//!
//! - `delivery`: the URL, form body and headers a receiver gets, and what
//!   a conversion answers;
//! - `events`: which events queue postbacks, for which targets;
//! - `observing`: the postback log, its pages and waits, one per scenario;
//! - `faults`: `duplicate`, `delay`, `drop` and `reorder`, per target;
//! - `retries`: failed attempts (a status, a refused connection, a
//!   timeout, a redirect) and the retries after them;
//! - `targets`: the targets as loaded, `PUT` in their place, reset;
//! - `determinism`: the same requests queue the same postbacks, whatever
//!   the receivers do;
//! - `concurrency`: conversions from concurrent clients, and a dead
//!   receiver that slows neither the API nor another target;
//! - `binary`: the built binary: a receiver named by its environment, its
//!   log lines, its stop;
//! - `bounds`: the 10,000 cap, and a receiver's huge answer;
//! - `verify`: postback expectations in `POST /__mock/verify`;
//! - `load_problems`: broken `postbacks:` entries, located.
//!
//! This file holds what they share: the [`Receiver`] a postback goes to,
//! the scenario the tests build around one or more of them, and the admin
//! requests that make conversions and read the postback log.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use n4n_mock::Scenario;
use serde_json::Value;

use crate::util::{
    API_KEY, Answer, EXAMPLE_CLICK, RunningBinary, TestServer, USERNAME, binary, eventually, send,
};

mod binary;
mod bounds;
mod concurrency;
mod delivery;
mod determinism;
mod events;
mod faults;
mod load_problems;
mod observing;
mod retries;
mod targets;
mod verify;

/// The scenario's name, as `%%scenario%%` and the log show it.
pub const SCENARIO: &str = "postbacks";

/// A click of another affiliate (2002), for `loginid:` filters.
pub const OTHER_CLICK: &str = "5e1f0a9b7c3d2e4.20020001";

/// The five events, in the order the documentation lists them.
pub const EVENTS: [&str; 5] = ["sale", "rebill", "void", "chargeback", "reversal"];

/// Every variable, in the documented order: a POST form body holds each,
/// in this order.
pub const VARIABLES: [&str; 29] = [
    "event",
    "seq",
    "attempt",
    "scenario",
    "transaction_hash",
    "original_transaction_hash",
    "click_hash",
    "trans_type",
    "status",
    "time",
    "amount",
    "total_payout",
    "payout",
    "orderid",
    "subscription_id",
    "loginid",
    "username",
    "offerid",
    "campaignid",
    "landing_pageid",
    "creativeid",
    "subid1",
    "subid2",
    "external_clickid",
    "trans_custom1",
    "trans_custom2",
    "trans_custom3",
    "trans_custom4",
    "trans_custom5",
];

/// The path and query a receiver URL ends with in most tests: enough to
/// tell postbacks apart (`seq`) and to check what each carries.
pub const PB_PATH: &str = "/pb?seq=%%seq%%&event=%%event%%&tx=%%transaction_hash%%";

/// How long a test waits for postbacks to settle before it fails: far
/// more than any of them needs, for a loaded machine and a debug build.
pub const SETTLE_LIMIT: &str = "30s";

// --- the scenario ------------------------------------------------------------

/// A sale of the example click in the scenario's fixtures.
pub const FIXTURE_TX: &str = "fa57f17e0000001.10010001";

/// The YAML of the scenario's credentials, clicks and transactions: the
/// API page's example click (affiliate 1001, sub ids `spring` and a value
/// that needs encoding) with one sale, [`FIXTURE_TX`], and a click of
/// affiliate 2002.
fn base_yaml() -> String {
    format!(
        "name: {SCENARIO}
credentials:
  - {{username: {USERNAME}, api_key: {API_KEY}}}
clicks:
  - click_hash: {EXAMPLE_CLICK}
    time: 2025-11-20T10:00:00Z
    loginid: 1001
    username: topaffiliate
    offerid: 12
    landing_pageid: 3
    campaignid: 0
    creativeid: 7
    subid1: spring
    subid2: \"two words&x=1\"
    external_clickid: ext-9
  - click_hash: {OTHER_CLICK}
    time: 2025-11-20T11:00:00Z
    loginid: 2002
    username: otheraffiliate
    offerid: 14
transactions:
  - transaction_hash: {FIXTURE_TX}
    click_hash: {EXAMPLE_CLICK}
    time: 2025-11-20T10:05:00Z
    trans_type: initial
    status: approved
    orderid: ORD-F1
    amount: \"19.95\"
    total_payout: \"5.00\"
    payouts:
      - {{type: affiliate, loginid: 1001, username: topaffiliate, amount: \"5.00\"}}
"
    )
}

/// The scenario's YAML with `targets` (each a YAML flow mapping, see
/// [`target`]) under `postbacks:`.
pub fn scenario_yaml(targets: &[String]) -> String {
    let mut yaml = base_yaml();
    if !targets.is_empty() {
        yaml.push_str("postbacks:\n");
        for entry in targets {
            yaml.push_str("  - ");
            yaml.push_str(entry);
            yaml.push('\n');
        }
    }
    yaml
}

/// The scenario with `targets`, loaded from YAML text.
pub fn scenario(targets: &[String]) -> Scenario {
    let yaml = scenario_yaml(targets);
    Scenario::from_yaml(SCENARIO, yaml.as_str())
        .unwrap_or_else(|err| panic!("the scenario loads:\n{err}\n{yaml}"))
}

/// A target named `name` posting to `url`, with `more` (YAML flow mapping
/// entries, such as `retry: [], method: POST`) after them.
pub fn target(name: &str, url: &str, more: &str) -> String {
    if more.is_empty() {
        format!("{{name: {name}, url: \"{url}\"}}")
    } else {
        format!("{{name: {name}, url: \"{url}\", {more}}}")
    }
}

/// A GET target at `receiver`, its URL ending with [`PB_PATH`].
pub fn get_target(name: &str, receiver: &Receiver) -> String {
    target(name, &receiver.url(PB_PATH), "")
}

/// A server of the scenario with `targets`.
pub async fn serve(targets: &[String]) -> TestServer {
    TestServer::start(scenario(targets)).await
}

/// The built binary serving the scenario with `targets` from a file (in
/// the returned folder, which must outlive it), `env` set for it.
pub fn serve_binary(
    targets: &[String],
    env: &[(&str, &str)],
) -> (RunningBinary, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(format!("{SCENARIO}.yaml"));
    std::fs::write(&path, scenario_yaml(targets)).expect("write the scenario");
    let mut command = binary();
    command.arg("--scenario").arg(&path);
    for (name, value) in env {
        command.env(name, value);
    }
    (RunningBinary::start_with(&mut command), dir)
}

// --- conversions and the postback log ---------------------------------------

/// A running mock, in this process or the built binary.
pub trait Mock {
    /// `http://ADDR{path}`.
    fn url(&self, path: &str) -> String;
    /// The client to send requests to it with.
    fn client(&self) -> reqwest::Client;
}

impl Mock for TestServer {
    fn url(&self, path: &str) -> String {
        TestServer::url(self, path)
    }

    fn client(&self) -> reqwest::Client {
        self.client.clone()
    }
}

impl Mock for RunningBinary {
    fn url(&self, path: &str) -> String {
        RunningBinary::url(self, path)
    }

    fn client(&self) -> reqwest::Client {
        reqwest::Client::new()
    }
}

/// `POST /__mock/conversions` with `body`.
pub async fn convert(mock: &impl Mock, body: Value) -> Answer {
    send(
        mock.client()
            .post(mock.url("/__mock/conversions"))
            .header("content-type", "application/json")
            .body(body.to_string()),
    )
    .await
}

/// A conversion with `body`, checked to answer 201; its answer.
pub async fn converted(mock: &impl Mock, body: Value) -> Value {
    let answer = convert(mock, body.clone()).await;
    assert_eq!(answer.status, 201, "{body}: {}", answer.body);
    answer.json()
}

/// A sale of 29.95 paying 10.00 on the example click; its answer.
pub async fn sale(mock: &impl Mock) -> Value {
    converted(
        mock,
        serde_json::json!({"click_hash": EXAMPLE_CLICK, "amount": "29.95", "payout": "10.00"}),
    )
    .await
}

/// The transaction hash of a conversion's answer.
pub fn hash_of(answer: &Value) -> String {
    answer["transaction_hash"]
        .as_str()
        .unwrap_or_else(|| panic!("a transaction_hash: {answer}"))
        .to_string()
}

/// `GET /__mock/postbacks{query}` (a query starts with `?`).
pub async fn postbacks_page(mock: &impl Mock, query: &str) -> Answer {
    send(
        mock.client()
            .get(mock.url(&format!("/__mock/postbacks{query}"))),
    )
    .await
}

/// The records of the postback log as it stands (its first page).
pub async fn log(mock: &impl Mock) -> Vec<Value> {
    let answer = postbacks_page(mock, "").await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    records(&answer.json())
}

/// The log once at least `n` postbacks have settled (checked to be 200).
pub async fn settled(mock: &impl Mock, n: usize) -> Vec<Value> {
    let answer = postbacks_page(mock, &format!("?settled={n}&timeout={SETTLE_LIMIT}")).await;
    assert_eq!(
        answer.status, 200,
        "{n} postbacks settled within {SETTLE_LIMIT}: {}",
        answer.body
    );
    records(&answer.json())
}

/// Every record of the log, read page by page.
pub async fn whole_log(mock: &impl Mock) -> Vec<Value> {
    let mut all = Vec::new();
    let mut after = 0;
    loop {
        let answer = postbacks_page(mock, &format!("?after={after}&limit=1000")).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        let page = answer.json();
        all.extend(records(&page));
        if page["more"] != true {
            return all;
        }
        after = page["next_after"].as_u64().expect("next_after");
    }
}

/// The `postbacks` of a page of the log.
pub fn records(page: &Value) -> Vec<Value> {
    page["postbacks"]
        .as_array()
        .unwrap_or_else(|| panic!("a postbacks list: {page}"))
        .clone()
}

/// The record of `seq` in `records`.
pub fn record(records: &[Value], seq: u64) -> &Value {
    records
        .iter()
        .find(|r| r["seq"] == seq)
        .unwrap_or_else(|| panic!("no record of seq {seq} in {records:#?}"))
}

/// The `state` of each record, by seq.
pub fn states(records: &[Value]) -> Vec<(u64, String)> {
    records
        .iter()
        .map(|r| {
            (
                r["seq"].as_u64().expect("seq"),
                r["state"].as_str().expect("state").to_string(),
            )
        })
        .collect()
}

/// The statuses of a record's attempts (`None` for an attempt that got no
/// answer).
pub fn attempt_statuses(record: &Value) -> Vec<Option<u64>> {
    record["attempts"]
        .as_array()
        .unwrap_or_else(|| panic!("attempts: {record}"))
        .iter()
        .map(|a| a["status"].as_u64())
        .collect()
}

/// The errors of a record's attempts (`None` for an attempt answered).
pub fn attempt_errors(record: &Value) -> Vec<Option<String>> {
    record["attempts"]
        .as_array()
        .unwrap_or_else(|| panic!("attempts: {record}"))
        .iter()
        .map(|a| a["error"].as_str().map(str::to_string))
        .collect()
}

/// A `http://127.0.0.1:PORT` where nothing listens: a port bound, then let go.
/// A receiver that reads each request, then resets its connection (a TCP
/// RST, not a clean close) without answering.
pub async fn resetting_url() -> (String, tokio::task::JoinHandle<()>) {
    use tokio::io::AsyncReadExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("local addr");
    let task = tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            // The request's head, then the reset.
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let _ = stream.set_zero_linger();
            drop(stream);
        }
    });
    (format!("http://{addr}"), task)
}

pub fn refused_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("local addr");
    drop(listener);
    format!("http://{addr}")
}

// --- the receiver ------------------------------------------------------------

/// What a [`Receiver`] answers one request with.
#[derive(Clone, Debug)]
pub enum Reply {
    /// This status, with the body `ok`.
    Status(u16),
    /// 200 with this body.
    Body(String),
    /// This status, after this delay.
    Late(Duration, u16),
    /// A 302 to this path of the receiver.
    Redirect(&'static str),
    /// 200 with this many bytes of body, made as they are sent: never held
    /// whole.
    Huge(u64),
    /// 200 with a body that never ends, sent in chunks of 1,000 bytes.
    Endless,
    /// Nothing: the request is read and never answered.
    Silent,
}

/// One request a [`Receiver`] got, as it arrived.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    /// The path and query, as sent.
    pub target: String,
    pub headers: hyper::HeaderMap,
    pub body: String,
}

impl Received {
    /// The query's parameters, decoded, in order.
    pub fn query(&self) -> Vec<(String, String)> {
        let query = self.target.split_once('?').map_or("", |(_, q)| q);
        pairs(query)
    }

    /// The decoded value of query parameter `name`; panics when absent.
    pub fn param(&self, name: &str) -> String {
        self.query()
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
            .unwrap_or_else(|| panic!("no {name} in {}", self.target))
    }

    /// The `seq` query parameter (receiver URLs end with [`PB_PATH`]).
    pub fn seq(&self) -> u64 {
        self.param("seq")
            .parse()
            .unwrap_or_else(|_| panic!("a numeric seq in {}", self.target))
    }

    /// The body read as a form, decoded, in order.
    pub fn form(&self) -> Vec<(String, String)> {
        pairs(&self.body)
    }

    /// A header's value, or `""`.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// `name=value` pairs of a query or a form, decoded.
pub fn pairs(text: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(text.as_bytes())
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .collect()
}

/// What a receiver shares with the tasks serving its connections.
struct Shared {
    received: Vec<Received>,
    script: VecDeque<Reply>,
    then: Reply,
}

/// An affiliate's server on 127.0.0.1, port 0: it records every request
/// (method, path and query, headers, body) in the order they arrive, and
/// answers each with the next [`Reply`] of its script. Stops when dropped.
pub struct Receiver {
    pub addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    /// A receiver answering `script` in turn, then `then` to every later request.
    pub async fn scripted(script: impl IntoIterator<Item = Reply>, then: Reply) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a receiver");
        let addr = listener.local_addr().expect("receiver address");
        let shared = Arc::new(Mutex::new(Shared {
            received: Vec::new(),
            script: script.into_iter().collect(),
            then,
        }));
        let task = tokio::spawn(accept_loop(listener, Arc::clone(&shared)));
        Receiver { addr, shared, task }
    }

    /// A receiver answering 200 `ok` to everything.
    pub async fn ok() -> Receiver {
        Receiver::answering(Reply::Status(200)).await
    }

    /// A receiver answering `reply` to everything.
    pub async fn answering(reply: Reply) -> Receiver {
        Receiver::scripted([], reply).await
    }

    /// A receiver answering `statuses` in turn, then 200.
    pub async fn statuses(statuses: &[u16]) -> Receiver {
        Receiver::scripted(
            statuses.iter().map(|&s| Reply::Status(s)),
            Reply::Status(200),
        )
        .await
    }

    /// A receiver that reads every request and answers none.
    pub async fn silent() -> Receiver {
        Receiver::answering(Reply::Silent).await
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Every request received so far, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        self.shared.lock().expect("receiver lock").received.clone()
    }

    /// The `seq` of every request received so far, in arrival order.
    pub fn seqs(&self) -> Vec<u64> {
        self.received().iter().map(Received::seq).collect()
    }

    /// Waits until at least `n` requests have arrived; all of them.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        eventually(
            Duration::from_secs(30),
            &format!("{n} requests at the receiver"),
            async || {
                let received = self.received();
                (received.len() >= n).then_some(received)
            },
        )
        .await
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        // The accept loop owns the connections' tasks: they go with it.
        self.task.abort();
    }
}

async fn accept_loop(listener: tokio::net::TcpListener, shared: Arc<Mutex<Shared>>) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let shared = Arc::clone(&shared);
        connections.spawn(async move {
            let service = service_fn(move |request| answer(Arc::clone(&shared), request));
            // A client going away mid-answer is not the receiver's failure.
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
        // Reap the connections that ended, so a long test does not keep them.
        while connections.try_join_next().is_some() {}
    }
}

async fn answer(
    shared: Arc<Mutex<Shared>>,
    request: Request<Incoming>,
) -> Result<Response<ReplyBody>, Infallible> {
    let (parts, body) = request.into_parts();
    let body = match body.collect().await {
        Ok(collected) => String::from_utf8_lossy(&collected.to_bytes()).into_owned(),
        Err(err) => format!("<body not read: {err}>"),
    };
    let reply = {
        let mut shared = shared.lock().expect("receiver lock");
        shared.received.push(Received {
            method: parts.method.to_string(),
            target: parts
                .uri
                .path_and_query()
                .map_or_else(|| parts.uri.to_string(), |p| p.to_string()),
            headers: parts.headers,
            body,
        });
        match shared.script.pop_front() {
            Some(reply) => reply,
            None => shared.then.clone(),
        }
    };
    let (status, body, location) = match reply {
        Reply::Status(status) => (status, ReplyBody::text("ok"), None),
        Reply::Body(text) => (200, ReplyBody::text(&text), None),
        Reply::Late(delay, status) => {
            tokio::time::sleep(delay).await;
            (status, ReplyBody::text("ok"), None)
        }
        Reply::Redirect(path) => (302, ReplyBody::text(""), Some(path)),
        Reply::Huge(bytes) => (200, ReplyBody::huge(bytes), None),
        Reply::Endless => (200, ReplyBody::endless(), None),
        Reply::Silent => std::future::pending().await,
    };
    let mut response = Response::builder().status(status);
    if let Some(path) = location {
        response = response.header("location", path);
    }
    Ok(response.body(body).expect("a valid response"))
}

/// A receiver's answer body: a short text, or many bytes made as they are
/// sent, one 64 KiB chunk shared by every frame.
pub struct ReplyBody {
    left: u64,
    chunk: Bytes,
}

impl ReplyBody {
    fn text(text: &str) -> ReplyBody {
        ReplyBody {
            left: text.len() as u64,
            chunk: Bytes::copy_from_slice(text.as_bytes()),
        }
    }

    fn huge(bytes: u64) -> ReplyBody {
        ReplyBody {
            left: bytes,
            chunk: Bytes::from(vec![b'x'; 64 * 1024]),
        }
    }

    /// Chunks smaller than the 1 KiB the mock keeps, and never the last.
    fn endless() -> ReplyBody {
        ReplyBody {
            left: u64::MAX,
            chunk: Bytes::from(vec![b'x'; 1000]),
        }
    }
}

impl Body for ReplyBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        if this.left == 0 {
            return Poll::Ready(None);
        }
        let len = this.left.min(this.chunk.len() as u64);
        this.left -= len;
        let frame = this.chunk.slice(..len as usize);
        Poll::Ready(Some(Ok(Frame::data(frame))))
    }

    fn is_end_stream(&self) -> bool {
        self.left == 0
    }

    fn size_hint(&self) -> SizeHint {
        if self.left == u64::MAX {
            // Endless: sent chunked, with no length.
            SizeHint::default()
        } else {
            SizeHint::with_exact(self.left)
        }
    }
}
