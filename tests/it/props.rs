//! Property tests for hostile input: whatever a client sends or a scenario
//! author writes, the mock answers or refuses with a reason, and never panics
//! or hangs.
//!
//! Each case runs under a watchdog ([`within`]), because proptest is built
//! here without its `timeout` feature: a hang fails the case instead of
//! stalling the suite. Case counts stay modest so the file runs in seconds in
//! a debug build; `PROPTEST_CASES=20000` runs more of them by hand.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use bytes::Bytes;
use hyper::header::HeaderValue;
use n4n_mock::params::{self, Lookup, MalformedBody};
use n4n_mock::scenario::source::Source;
use n4n_mock::scenario::{LoadError, LookupKey, Scenario};
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::TestCaseError;

use crate::util::{API_KEY, EXAMPLE_CLICK, FORM, TestServer, USERNAME};

/// How long one case may take before it counts as a hang (debug builds are slow).
const CASE_LIMIT: Duration = Duration::from_secs(10);

/// 256 cases a property (`PROPTEST_CASES` overrides), and shrinking bounded
/// in time so that a failure is reported within a minute.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        max_shrink_time: 30_000,
        ..ProptestConfig::default()
    }
}

/// Runs `work` on a thread of its own and returns what it returns; a panic in
/// it is resumed here, and a run longer than [`CASE_LIMIT`] fails the case
/// (the thread is left behind: there is no safe way to stop it).
fn within<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, TestCaseError> {
    let (done, result) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        let _ = done.send(work());
    });
    match result.recv_timeout(CASE_LIMIT) {
        Ok(value) => Ok(value),
        Err(RecvTimeoutError::Disconnected) => match worker.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => Err(TestCaseError::fail("the worker ended without an answer")),
        },
        Err(RecvTimeoutError::Timeout) => Err(TestCaseError::fail(format!(
            "hang: still running after {CASE_LIMIT:?}"
        ))),
    }
}

/// Bytes shown as a byte-string literal in failure reports.
#[derive(Clone, PartialEq, Eq)]
struct Raw(Vec<u8>);

impl fmt::Debug for Raw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "b\"{}\"", self.0.escape_ascii())
    }
}

/// Concatenations of `tokens` and short runs of arbitrary bytes: text that is
/// nearly a format, so parsers get past their first byte.
fn soup(tokens: &'static [&'static str], max_pieces: usize) -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        3 => select(tokens).prop_map(|t| t.as_bytes().to_vec()),
        1 => prop::collection::vec(any::<u8>(), 0..6),
    ];
    prop::collection::vec(piece, 0..max_pieces).prop_map(|pieces| pieces.concat())
}

const FORM_TOKENS: &[&str] = &[
    "transaction_hash",
    "subscription_id",
    "orderid",
    "=",
    "&",
    "+",
    "%",
    "%2",
    "%zz",
    "%FF",
    "%C3%28",
    "%00",
    EXAMPLE_CLICK,
    "SUB-77",
    "ORD-1001",
    "é",
];

const JSON_TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    "\"transaction_hash\"",
    "\"subscription_id\"",
    "\"orderid\"",
    "\"35b71a300115be9.16738986\"",
    "\"\"",
    "\"\\ud800\"",
    "\"\\u0000\"",
    "1e999",
    "-0",
    "18446744073709551616",
    "0.1",
    "null",
    "true",
    " ",
];

/// The boundary the multipart content types below announce.
const BOUNDARY: &str = "XyZ";

const MULTIPART_TOKENS: &[&str] = &[
    "--XyZ",
    "--XyZ--",
    "--",
    "\r\n",
    "\r\n\r\n",
    "Content-Disposition: form-data; name=\"transaction_hash\"",
    "Content-Disposition: form-data; name=\"orderid\"",
    "Content-Disposition: form-data; name=\"upload\"; filename=\"a.txt\"",
    "Content-Disposition: form-data",
    "Content-Type: text/plain",
    "Content-Transfer-Encoding: base64",
    EXAMPLE_CLICK,
    "\u{FEFF}",
];

const CONTENT_TYPES: &[&str] = &[
    FORM,
    "application/x-www-form-urlencoded; charset=utf-8",
    "application/json",
    "application/json; charset=utf-8",
    "application/vnd.x+json",
    "multipart/form-data; boundary=XyZ",
    "multipart/form-data; boundary=\"XyZ\"",
    "multipart/form-data",
    "multipart/form-data; boundary=",
    "text/plain",
    "application/xml",
    "*/*",
    "",
    ";",
    "application/",
];

/// Bytes a header value may hold: tab, visible ASCII, space and obs-text.
fn header_bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![Just(b'\t'), 0x20u8..0x7f, 0x80u8..=0xff];
    prop::collection::vec(byte, 0..max)
}

/// A Content-Type header: none, a real one, a real one with junk after it,
/// or any header value at all.
fn content_type() -> impl Strategy<Value = Option<Raw>> {
    prop_oneof![
        1 => Just(None),
        4 => select(CONTENT_TYPES).prop_map(|t| Some(Raw(t.as_bytes().to_vec()))),
        2 => (select(CONTENT_TYPES), header_bytes(20))
            .prop_map(|(t, junk)| Some(Raw([t.as_bytes(), &junk].concat()))),
        2 => header_bytes(40).prop_map(|v| Some(Raw(v))),
    ]
}

/// A body: arbitrary bytes, or nearly a form, a JSON object or a multipart body.
fn body() -> impl Strategy<Value = Raw> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..256),
        soup(FORM_TOKENS, 24),
        soup(JSON_TOKENS, 24),
        soup(MULTIPART_TOKENS, 24),
    ]
    .prop_map(Raw)
}

/// A query string as `read_lookup` gets it: any text, or nearly a form.
fn query() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        any::<String>().prop_map(Some),
        soup(FORM_TOKENS, 16).prop_map(|q| Some(String::from_utf8_lossy(&q).into_owned())),
    ]
}

/// `read_lookup` on a current-thread runtime, under the watchdog.
fn read_lookup(
    content_type: Option<&Raw>,
    body: &Raw,
    query: Option<&str>,
) -> Result<Result<Option<Lookup>, MalformedBody>, TestCaseError> {
    let content_type = match content_type {
        Some(raw) => Some(
            HeaderValue::from_bytes(&raw.0)
                .map_err(|err| TestCaseError::fail(format!("not a header value: {err}")))?,
        ),
        None => None,
    };
    let body = Bytes::from(body.0.clone());
    let query = query.map(str::to_owned);
    within(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        runtime.block_on(params::read_lookup(
            content_type.as_ref(),
            body,
            query.as_deref(),
        ))
    })
}

#[test]
fn reading_parameters_from_any_body_and_query_never_panics() {
    proptest!(config(), |(content_type in content_type(), body in body(), query in query())| {
        let read = read_lookup(content_type.as_ref(), &body, query.as_deref())?;

        match read {
            Ok(Some(lookup)) => prop_assert!(!lookup.value.is_empty(), "empty values count as absent"),
            Ok(None) => {}
            Err(MalformedBody(what)) => {
                prop_assert!(!body.0.is_empty(), "an empty body is never malformed: {what}");
                prop_assert!(!what.trim().is_empty(), "the reason is said");
            }
        }
    });
}

/// A non-empty printable value (any script, no control characters).
fn printable_value() -> impl Strategy<Value = String> {
    "\\PC{1,40}"
}

/// Unknown parameters around the ones under test, which must be ignored.
fn unknown_pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec(("[a-z_]{1,12}", "\\PC{0,12}"), 0..3).prop_map(|pairs| {
        pairs
            .into_iter()
            .filter(|(name, _)| LookupKey::ALL.iter().all(|k| k.parameter() != name))
            .collect()
    })
}

#[test]
fn a_form_body_gives_back_its_transaction_hash_exactly() {
    let content_types = [None, Some(Raw(FORM.as_bytes().to_vec()))];
    proptest!(config(), |(
        value in printable_value(),
        before in unknown_pairs(),
        after in unknown_pairs(),
        content_type in select(content_types.to_vec()),
        query_value in printable_value(),
    )| {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.extend_pairs(&before);
        form.append_pair("transaction_hash", &value);
        form.extend_pairs(&after);
        let body = Raw(form.finish().into_bytes());
        // The body wins over the query for the same name.
        let query: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("transaction_hash", &query_value)
            .finish();

        let read = read_lookup(content_type.as_ref(), &body, Some(&query))?;

        let expected = Lookup { key: LookupKey::TransactionHash, value };
        prop_assert_eq!(read, Ok(Some(expected)));
    });
}

#[test]
fn a_json_body_gives_back_its_transaction_hash_exactly() {
    proptest!(config(), |(value in printable_value())| {
        let body = serde_json::json!({ "orderid": "ORD-1", "transaction_hash": value });
        let body = Raw(body.to_string().into_bytes());
        let content_type = Raw(b"application/json".to_vec());

        let read = read_lookup(Some(&content_type), &body, None)?;

        let expected = Lookup { key: LookupKey::TransactionHash, value };
        prop_assert_eq!(read, Ok(Some(expected)));
    });
}

#[test]
fn a_multipart_body_gives_back_its_transaction_hash_exactly() {
    proptest!(config(), |(value in printable_value())| {
        let body = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"transaction_hash\"\r\n\r\n\
             {value}\r\n--{BOUNDARY}--\r\n"
        );
        let content_type = Raw(format!("multipart/form-data; boundary={BOUNDARY}").into_bytes());

        let read = read_lookup(Some(&content_type), &Raw(body.into_bytes()), None)?;

        let expected = Lookup { key: LookupKey::TransactionHash, value };
        prop_assert_eq!(read, Ok(Some(expected)));
    });
}

/// The path every generated scenario is loaded as.
const SCENARIO_PATH: &str = "scenarios/generated.yaml";

/// One scenario file in memory; every other path is missing.
struct OneFile {
    path: PathBuf,
    text: String,
}

impl Source for OneFile {
    fn read(&self, path: &Path) -> io::Result<String> {
        if path == self.path {
            Ok(self.text.clone())
        } else {
            Err(io::Error::new(
                io::ErrorKind::NotFound,
                "only one file here",
            ))
        }
    }

    fn identity(&self, path: &Path) -> PathBuf {
        path.to_path_buf()
    }
}

/// Loads `text` as a scenario under the watchdog and checks what a refusal
/// says: at least one problem, each in the file given, at a 1-based position,
/// with a message. True when it loaded.
fn load_checked(text: String) -> Result<bool, TestCaseError> {
    let path = PathBuf::from(SCENARIO_PATH);
    let source = OneFile {
        path: path.clone(),
        text,
    };
    let loaded = within(move || Scenario::load(&source, &path).map(|_| ()))?;
    let Err(LoadError { problems }) = loaded else {
        return Ok(true);
    };
    prop_assert!(!problems.is_empty(), "a refusal says why");
    for problem in &problems {
        prop_assert_eq!(
            &problem.location.path,
            Path::new(SCENARIO_PATH),
            "{}",
            problem
        );
        prop_assert!(problem.location.at.line >= 1, "{}", problem);
        prop_assert!(problem.location.at.column >= 1, "{}", problem);
        prop_assert!(!problem.message.trim().is_empty(), "{}", problem);
    }
    Ok(false)
}

/// A valid, self-contained scenario using every part of the format, to mutate.
const VALID_SCENARIO: &str = r#"name: generated
description: Every part of the format.
credentials:
  - username: n4n_admin
    api_key: 44b5498dbcb481a0d00b404c0169af62
allowed_ips: [127.0.0.1, "::1", 10.0.0.0/8]
errors:
  not_found: {status: 200, message: "No click"}
  missing_parameter: {message: required}
clicks:
  - click_hash: 35b71a300115be9.16738986
    time: 2025-11-20T10:00:00Z
    loginid: 1001
    subid2: ""
    extra: {tracking_domain: go.example}
  - click_hash: &h b2
    time: 1763632800
    response:
      result: success
      list: [1, "two", {three: 3}]
transactions:
  - transaction_hash: ac35ffba0fc0007.24591976
    click_hash: 35b71a300115be9.16738986
    orderid: ORD-1001
    subscription_id: SUB-77
    status: approved
    amount: "29.95"
    payouts:
      - {type: affiliate, loginid: 1001, amount: "10.00"}
  - transaction_hash: t2
    click_hash: *h
    status: chargeback
"#;

/// Pieces of YAML and of the scenario format.
const YAML_TOKENS: &[&str] = &[
    "clicks",
    "click_hash",
    "transactions",
    "transaction_hash",
    "include",
    "credentials",
    "username",
    "api_key",
    "allowed_ips",
    "errors",
    "not_found",
    "status",
    "message",
    "time",
    "loginid",
    "extra",
    "response",
    "payouts",
    "amount",
    "name",
    "description",
    "orderid",
    "subscription_id",
    "approved",
    "- ",
    "-",
    ": ",
    ":",
    "? ",
    "&a ",
    "*a",
    "&b ",
    "*b",
    "<<: *a",
    "[",
    "]",
    "{",
    "}",
    ", ",
    "\"",
    "'",
    "\\",
    "!!str ",
    "!!int ",
    "!!map ",
    "!!binary ",
    "!custom ",
    "|",
    ">-",
    "---",
    "...",
    "# ",
    "%YAML 1.2",
    "~",
    "null",
    "true",
    "yes",
    "0x1F",
    "0o17",
    "1e999",
    ".inf",
    "-.nan",
    "340282366920938463463374607431768211456",
    "2025-11-20T10:00:00Z",
    "2025-13-45T99:99:99Z",
    "127.0.0.1",
    "::1",
    "10.0.0.0/33",
    "../fixtures/api-page-example.yaml",
    "generated.yaml",
    "\t",
    "\r",
    "\u{FEFF}",
    " ",
];

/// One token of [`yaml_like`]: from the list, a number, or any short text.
fn yaml_token() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => select(YAML_TOKENS).prop_map(str::to_owned),
        1 => any::<i64>().prop_map(|n| n.to_string()),
        1 => any::<f64>().prop_map(|n| n.to_string()),
        1 => "\\PC{1,4}",
        1 => any::<char>().prop_map(String::from),
    ]
}

/// Lines of indentation and YAML tokens.
fn yaml_like() -> impl Strategy<Value = String> {
    let line = (0usize..8, prop::collection::vec(yaml_token(), 0..7))
        .prop_map(|(indent, tokens)| format!("{}{}", " ".repeat(indent), tokens.concat()));
    prop::collection::vec(line, 0..16).prop_map(|lines| lines.join("\n"))
}

/// An edit of [`VALID_SCENARIO`]: a token inserted or a stretch removed somewhere.
#[derive(Debug, Clone)]
enum Edit {
    Insert(Index, String),
    Remove(Index, usize),
}

fn mutated_scenario() -> impl Strategy<Value = String> {
    let edit = prop_oneof![
        2 => (any::<Index>(), yaml_token()).prop_map(|(at, token)| Edit::Insert(at, token)),
        1 => (any::<Index>(), 1usize..12).prop_map(|(at, len)| Edit::Remove(at, len)),
    ];
    prop::collection::vec(edit, 1..5).prop_map(|edits| {
        let mut text: Vec<char> = VALID_SCENARIO.chars().collect();
        for edit in edits {
            match edit {
                Edit::Insert(at, token) => {
                    let at = at.index(text.len() + 1);
                    text.splice(at..at, token.chars());
                }
                Edit::Remove(at, len) => {
                    let at = at.index(text.len().max(1)).min(text.len());
                    let end = (at + len).min(text.len());
                    text.drain(at..end);
                }
            }
        }
        text.into_iter().collect()
    })
}

#[test]
fn the_scenario_being_mutated_is_valid() {
    let source = OneFile {
        path: PathBuf::from(SCENARIO_PATH),
        text: VALID_SCENARIO.to_string(),
    };

    let loaded = Scenario::load(&source, Path::new(SCENARIO_PATH));

    if let Err(err) = loaded {
        panic!("the scenario to mutate does not load:\n{err}");
    }
}

#[test]
fn loading_a_mutated_scenario_never_panics_and_locates_every_problem() {
    proptest!(config(), |(text in mutated_scenario())| {
        load_checked(text)?;
    });
}

#[test]
fn loading_yaml_like_text_never_panics_and_locates_every_problem() {
    proptest!(config(), |(text in yaml_like())| {
        load_checked(text)?;
    });
}

#[test]
fn loading_any_text_never_panics_and_locates_every_problem() {
    let text = prop::collection::vec(any::<char>(), 0..300).prop_map(String::from_iter);
    proptest!(config(), |(text in text)| {
        load_checked(text)?;
    });
}

/// `depth` levels of one kind of nesting, in flow or block style.
fn nested(kind: usize, depth: usize) -> String {
    match kind {
        0 => "[".repeat(depth),
        1 => "{a: ".repeat(depth),
        2 => "- ".repeat(depth),
        3 => (0..depth)
            .map(|i| format!("{}a:\n", " ".repeat(i)))
            .collect(),
        4 => (0..depth)
            .map(|i| format!("{}-\n", " ".repeat(i)))
            .collect(),
        5 => format!("a: {}{}", "[".repeat(depth), "]".repeat(depth)),
        _ => format!("a: {}1{}", "{a: ".repeat(depth), "}".repeat(depth)),
    }
}

// In a debug build each level of nesting costs about 40 KiB of stack in the
// parser; the loader's depth cap keeps that within a test thread's 2 MiB.
#[test]
fn deep_nesting_is_refused_not_a_stack_overflow() {
    proptest!(config(), |(kind in 0usize..7, depth in 1usize..3000)| {
        load_checked(nested(kind, depth))?;
    });
}

#[test]
fn an_alias_bomb_is_refused_not_expanded() {
    // Ten levels of ten aliases each: 10^10 nodes if expanded.
    let mut text = String::from("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
    for level in 1..10 {
        let aliases = vec![format!("*l{}", level - 1); 10].join(", ");
        text.push_str(&format!("l{level}: &l{level} [{aliases}]\n"));
    }

    let loaded = load_checked(text);

    match loaded {
        Ok(loaded) => assert!(!loaded, "an alias bomb is refused"),
        Err(failure) => panic!("{failure}"),
    }
}

/// One request as a hostile client might send it (header values limited to
/// what a header can carry, since the client refuses anything else).
#[derive(Debug, Clone)]
struct Hostile {
    method: &'static str,
    path: &'static str,
    /// Already percent-encoded.
    query: Option<String>,
    api_key: Option<Raw>,
    username: Option<Raw>,
    content_type: Option<Raw>,
    body: Raw,
}

/// Methods other than GET, each refused with 405.
const OTHER_METHODS: &[&str] = &["POST", "PUT", "DELETE", "PATCH", "OPTIONS"];

/// Paths other than click_detail's.
const OTHER_PATHS: &[&str] = &[
    "/api/transaction/click_details",
    "/api/service/ping",
    "/api/nope",
    "/__mock/health",
    "/__mock/nope",
    "/",
];

/// Mostly GET: other methods stop at the 405 before the body is looked at.
fn method() -> impl Strategy<Value = &'static str> {
    prop_oneof![6 => Just("GET"), 1 => select(OTHER_METHODS)]
}

/// Mostly click_detail, whose checks go furthest.
fn path() -> impl Strategy<Value = &'static str> {
    prop_oneof![4 => Just("/api/transaction/click_detail"), 1 => select(OTHER_PATHS)]
}

/// A credential header: the valid one, none, empty, or any header value.
fn credential(valid: &'static str) -> impl Strategy<Value = Option<Raw>> {
    prop_oneof![
        Just(Some(Raw(valid.as_bytes().to_vec()))),
        Just(None),
        Just(Some(Raw(Vec::new()))),
        header_bytes(40).prop_map(|v| Some(Raw(v))),
    ]
}

/// The `api-key` and `api-username` headers: mostly the valid pair, so that
/// requests get past the credential checks to the body.
fn credentials() -> impl Strategy<Value = (Option<Raw>, Option<Raw>)> {
    let valid = (
        Some(Raw(API_KEY.as_bytes().to_vec())),
        Some(Raw(USERNAME.as_bytes().to_vec())),
    );
    prop_oneof![
        3 => Just(valid),
        1 => (credential(API_KEY), credential(USERNAME)),
    ]
}

/// Every byte percent-encoded, so any bytes travel in a URL.
fn percent_encoded(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("%{b:02X}")).collect()
}

/// A query string: form tokens, raw bytes percent-encoded, or a real lookup.
fn http_query() -> impl Strategy<Value = Option<String>> {
    let piece = prop_oneof![
        select(FORM_TOKENS).prop_map(str::to_owned),
        prop::collection::vec(any::<u8>(), 1..12).prop_map(|b| percent_encoded(&b)),
    ];
    prop_oneof![
        1 => Just(None),
        2 => prop::collection::vec(piece, 0..12).prop_map(|p| Some(p.concat())),
        1 => Just(Some(format!("transaction_hash={EXAMPLE_CLICK}"))),
    ]
}

/// A body for HTTP: as for `read_lookup`, plus the example lookup and bodies
/// around the 64 KiB cap.
fn http_body() -> impl Strategy<Value = Raw> {
    prop_oneof![
        6 => body(),
        1 => Just(Raw(format!("transaction_hash={EXAMPLE_CLICK}").into_bytes())),
        1 => (65_000usize..66_500).prop_map(|len| Raw(vec![b'a'; len])),
    ]
}

fn hostile() -> impl Strategy<Value = Hostile> {
    (
        method(),
        path(),
        http_query(),
        credentials(),
        content_type(),
        http_body(),
    )
        .prop_map(
            |(method, path, query, (api_key, username), content_type, body)| Hostile {
                method,
                path,
                query,
                api_key,
                username,
                content_type,
                body,
            },
        )
}

/// Sends `request`; the status, Content-Type and body, or why there was no answer.
async fn exchange(
    client: &reqwest::Client,
    server: &TestServer,
    request: &Hostile,
) -> Result<(u16, String, Vec<u8>), String> {
    let mut url = server.url(request.path);
    if let Some(query) = &request.query {
        url = format!("{url}?{query}");
    }
    let method =
        reqwest::Method::from_bytes(request.method.as_bytes()).map_err(|e| e.to_string())?;
    let mut builder = client.request(method, url).body(request.body.0.clone());
    for (name, value) in [
        ("api-key", &request.api_key),
        ("api-username", &request.username),
        ("content-type", &request.content_type),
    ] {
        if let Some(value) = value {
            let value = HeaderValue::from_bytes(&value.0).map_err(|e| format!("{name}: {e}"))?;
            builder = builder.header(name, value);
        }
    }
    let response = builder
        .send()
        .await
        .map_err(|e| format!("no answer: {e:?}"))?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    let body = response
        .bytes()
        .await
        .map_err(|e| format!("body cut short: {e:?}"))?;
    Ok((status, content_type, body.to_vec()))
}

#[test]
fn any_request_gets_a_contract_status_and_a_json_body() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let server = runtime.block_on(TestServer::bundled("default"));
    // A hang shows as a timeout, which fails the case like any other error.
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client");

    proptest!(config(), |(request in hostile())| {
        let answer = runtime.block_on(exchange(&client, &server, &request));

        let (status, content_type, body) = answer.map_err(TestCaseError::fail)?;
        prop_assert!(
            [200, 400, 401, 403, 404, 405, 413].contains(&status),
            "status {} is not in the contract", status
        );
        prop_assert!(content_type.starts_with("application/json"), "Content-Type {:?}", content_type);
        let json: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|e| TestCaseError::fail(format!("not JSON ({e}): {:?}", Raw(body.clone()))))?;
        if status == 200 {
            if request.path.starts_with("/api/transaction/") {
                prop_assert_eq!(&json["result"], "success", "{}", json);
            }
        } else {
            prop_assert_eq!(&json["result"], "error", "{}", json);
            prop_assert!(json["message"].as_str().is_some_and(|m| !m.is_empty()), "{}", json);
            prop_assert_eq!(json.as_object().map(|o| o.len()), Some(2), "{}", json);
        }
    });
}
