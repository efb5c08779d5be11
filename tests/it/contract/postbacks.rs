//! `openapi.yaml` on conversions and postbacks: the admin paths that make
//! and follow them, postback expectations in `POST /__mock/verify`, and the
//! `webhooks` a receiver is sent, held against the document's own shape
//! and against what a running mock answers and sends.

use std::sync::{Arc, Mutex};

use http_body_util::BodyExt;
use n4n_mock::Scenario;
use serde_json::{Map, Value, json};

use super::document::Document;
use crate::util::*;

// The five events and every variable, in the order of `POSTBACKS.md`.
use crate::postbacks::{EVENTS, VARIABLES};

/// One method of a path: the method, its `operationId`, its statuses.
type Operation = (&'static str, &'static str, &'static [&'static str]);

/// The admin paths of conversions and postbacks: each method the path takes,
/// its `operationId`, and the statuses the document gives it besides `default`.
const POSTBACK_PATHS: [(&str, &[Operation]); 3] = [
    (
        "/__mock/conversions",
        &[("post", "makeConversion", &["201", "400", "404"])],
    ),
    (
        "/__mock/postbacks",
        &[("get", "listPostbacks", &["200", "400", "504"])],
    ),
    (
        "/__mock/postbacks/targets",
        &[
            ("get", "getPostbackTargets", &["200", "400"]),
            ("put", "replacePostbackTargets", &["200", "400"]),
        ],
    ),
];

const METHODS: [&str; 8] = [
    "get", "put", "post", "patch", "delete", "head", "options", "trace",
];

/// Where a webhook's POST form schema is.
fn form_schema(event: &str) -> String {
    format!("#/webhooks/{event}/post/requestBody/content/application~1x-www-form-urlencoded/schema")
}

/// `pairs` as a JSON object of strings, in their order.
fn object(pairs: &[(String, String)]) -> Value {
    let map: Map<String, Value> = pairs
        .iter()
        .map(|(name, value)| (name.clone(), json!(value)))
        .collect();
    Value::Object(map)
}

fn names(pairs: &[(String, String)]) -> Vec<&str> {
    pairs.iter().map(|(name, _)| name.as_str()).collect()
}

#[test]
fn the_document_declares_each_postback_admin_path_with_its_methods_and_statuses() {
    let mut document = Document::load();
    let envelope = json!({"result": "error", "message": "Invalid amount"});

    for (path, operations) in POSTBACK_PATHS {
        let escaped = path.replace('/', "~1");
        let item = document.at(&format!("#/paths/{escaped}")).clone();
        let methods: Vec<&str> = METHODS
            .into_iter()
            .filter(|m| item.get(*m).is_some())
            .collect();
        let declared: Vec<&str> = operations.iter().map(|(m, _, _)| *m).collect();
        assert_eq!(methods, declared, "{path}: its methods");

        for &(method, operation_id, statuses) in operations {
            let operation = &item[method];
            assert_eq!(operation["operationId"], operation_id, "{path}");
            assert_eq!(
                operation["security"],
                json!([{}, {"adminToken": []}]),
                "{path}: no API credentials, the admin token when one is set"
            );
            let tags = operation["tags"].as_array().expect("tags");
            assert!(tags.contains(&json!("admin")), "{path}: an admin operation");
            let mut listed: Vec<&str> = operation["responses"]
                .as_object()
                .expect("responses")
                .keys()
                .map(String::as_str)
                .collect();
            assert_eq!(listed.pop(), Some("default"), "{path}: `default` last");
            assert_eq!(listed, statuses, "{path} {method}");
            assert_eq!(
                operation["responses"]["default"]["$ref"], "#/components/responses/AdminError",
                "{path}"
            );
            for status in statuses.iter().filter(|s| s.starts_with('4')) {
                let at = format!("#/paths/{escaped}/{method}/responses/{status}");
                let response = document.at(&at).clone();
                assert_eq!(
                    response["headers"]["X-Mock-Error"]["$ref"],
                    "#/components/headers/X-Mock-Error",
                    "{at}"
                );
                let schema = format!("{at}/content/application~1json/schema");
                assert!(document.errors(&schema, &envelope).is_empty(), "{at}");
            }
        }
    }
    // The 504 of a wait that timed out carries the page as it stands.
    let (at, timed_out) = document.response("GET", "/__mock/postbacks", 504);
    let timed_out = timed_out.clone();
    assert_eq!(
        timed_out["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/PostbackPage",
        "{at}"
    );
    assert!(timed_out["headers"].get("X-Mock-Error").is_some(), "{at}");
}

#[test]
fn the_webhooks_list_the_five_events_each_in_a_get_and_a_post_form() {
    let document = Document::load();
    let webhooks = document.doc["webhooks"].as_object().expect("webhooks");
    let events: Vec<&str> = webhooks.keys().map(String::as_str).collect();
    assert_eq!(
        events, EVENTS,
        "one webhook per event, in the documented order"
    );

    for event in EVENTS {
        let item = &webhooks[event];
        let methods: Vec<&str> = METHODS
            .into_iter()
            .filter(|m| item.get(*m).is_some())
            .collect();
        assert_eq!(methods, ["get", "post"], "{event}");
        for method in ["get", "post"] {
            let operation = &item[method];
            assert_eq!(
                operation["operationId"],
                format!(
                    "{event}Postback{}",
                    if method == "get" { "Get" } else { "Post" }
                )
            );
            let responses: Vec<&str> = operation["responses"]
                .as_object()
                .expect("responses")
                .keys()
                .map(String::as_str)
                .collect();
            assert_eq!(responses, ["2XX", "default"], "{event} {method}: any 2xx");
            let user_agent = &operation["parameters"][0]["$ref"];
            assert_eq!(user_agent, "#/components/parameters/PostbackUserAgent");
        }

        // GET: every variable, as an optional query parameter, in order; the
        // event's own name the only value `event` takes.
        let parameters = item["get"]["parameters"].as_array().expect("parameters");
        let mut query = Vec::new();
        for (i, parameter) in parameters.iter().enumerate() {
            let (at, parameter) = match parameter.get("$ref").and_then(Value::as_str) {
                Some(reference) => document.resolve(reference.to_string()),
                None => (format!("#/webhooks/{event}/get/parameters/{i}"), parameter),
            };
            if parameter["in"] == "query" {
                assert_eq!(parameter["required"], false, "{at}");
                query.push(parameter["name"].as_str().expect("name").to_string());
            }
        }
        assert_eq!(query, VARIABLES, "{event}: the GET form's variables");
        let event_parameter = parameters
            .iter()
            .find(|p| p["name"] == "event")
            .expect("event");
        assert_eq!(event_parameter["schema"]["const"], event);
        assert!(
            item["get"].get("requestBody").is_none(),
            "{event}: GET has no body"
        );

        // POST: a form of every variable, nothing else.
        let content = item["post"]["requestBody"]["content"]
            .as_object()
            .expect("content");
        let types: Vec<&str> = content.keys().map(String::as_str).collect();
        assert_eq!(types, [FORM], "{event}");
        assert_eq!(item["post"]["requestBody"]["required"], true, "{event}");
    }

    // The form's variables, in the order of POSTBACKS.md, every one required.
    let variables = document.at("#/components/schemas/PostbackVariables");
    let properties: Vec<&str> = variables["properties"]
        .as_object()
        .expect("properties")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(properties, VARIABLES);
    assert_eq!(variables["required"], json!(VARIABLES));
    assert_eq!(variables["additionalProperties"], false);
}

#[test]
fn each_webhook_form_takes_its_own_events_body_and_refuses_another() {
    let mut document = Document::load();
    let sale = document
        .at("#/components/schemas/SalePostbackForm/example")
        .clone();
    let keys: Vec<&str> = sale
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys, VARIABLES,
        "the example lists every variable, in order"
    );
    let mut rebill = sale.clone();
    rebill["event"] = json!("rebill");
    rebill["trans_type"] = json!("rebill");
    let void = |kind: &str| {
        let mut form = sale.clone();
        for name in ["event", "trans_type", "status"] {
            form[name] = json!(kind);
        }
        form["original_transaction_hash"] = sale["transaction_hash"].clone();
        form["transaction_hash"] = json!("5d0c1a7e93b42f8.00000002");
        form["amount"] = json!("-29.95");
        form["trans_custom1"] = json!("refund #1");
        form
    };
    let forms = [
        ("sale", sale.clone()),
        ("rebill", rebill),
        ("void", void("void")),
        ("chargeback", void("chargeback")),
        ("reversal", void("reversal")),
    ];

    for (event, form) in &forms {
        for other in EVENTS {
            let errors = document.errors(&form_schema(other), form);
            assert_eq!(
                errors.is_empty(),
                other == *event,
                "a {event} form against the {other} webhook: {errors:?}"
            );
        }
    }
    let mut missing = sale.clone();
    missing.as_object_mut().expect("object").remove("payout");
    let mut added = sale.clone();
    added["commission"] = json!("1");
    let mut unsent_custom = sale.clone();
    unsent_custom["trans_custom3"] = json!("x");
    for (what, form) in [
        ("missing", missing),
        ("added", added),
        ("a custom field on a sale", unsent_custom),
    ] {
        assert!(
            !document.errors(&form_schema("sale"), &form).is_empty(),
            "{what}"
        );
    }
}

#[test]
fn the_postback_schemas_admit_their_examples_and_nothing_added() {
    let mut document = Document::load();
    for schema in [
        "Converted",
        "PostbackRecord",
        "PostbackTarget",
        "TargetsReplaced",
        "PostbackExpectation",
    ] {
        let at = format!("#/components/schemas/{schema}");
        let example = document.at(&format!("{at}/example")).clone();
        assert!(document.errors(&at, &example).is_empty(), "{schema}");
        let mut added = example;
        added["extra"] = json!("1");
        assert!(!document.errors(&at, &added).is_empty(), "{schema}");
    }
    for (path, method) in [
        ("/__mock/conversions", "post"),
        ("/__mock/postbacks/targets", "put"),
    ] {
        let body = format!(
            "#/paths/{}/{method}/requestBody/content/application~1json",
            path.replace('/', "~1")
        );
        let example = document.at(&format!("{body}/example")).clone();
        let errors = document.errors(&format!("{body}/schema"), &example);
        assert!(errors.is_empty(), "{path}: {errors:?}");
    }

    // A record's body goes with its method, and a reason with `dropped` only.
    let record = document
        .at("#/components/schemas/PostbackRecord/example")
        .clone();
    let at = "#/components/schemas/PostbackRecord";
    let mut posted_without_body = record.clone();
    posted_without_body["method"] = json!("POST");
    let mut reason_undropped = record.clone();
    reason_undropped["reason"] = json!("fault");
    let mut dropped_without_reason = record.clone();
    dropped_without_reason["state"] = json!("dropped");
    let mut answered_and_failed = record.clone();
    answered_and_failed["attempts"][0]["status"] = json!(200);
    for (what, bad) in [
        ("POST without a body", posted_without_body),
        ("a reason when not dropped", reason_undropped),
        ("dropped without a reason", dropped_without_reason),
        ("an attempt with a status and an error", answered_and_failed),
    ] {
        assert!(!document.errors(at, &bad).is_empty(), "{what}");
    }
}

#[test]
fn verify_takes_request_and_postback_expectations_in_one_list() {
    let mut document = Document::load();
    let request = "#/components/schemas/VerifyRequest";
    let unmet = "#/components/schemas/Unmet";
    let record = document
        .at("#/components/schemas/PostbackRecord/example")
        .clone();
    let entry = json!({
        "seq": 1, "time": "2026-11-26T14:03:07.512Z", "method": "GET",
        "path": "/api/transaction/click_detail", "scenario": "default",
        "parameter": "transaction_hash", "value": EXAMPLE_CLICK,
        "outcome": "click", "click_hash": EXAMPLE_CLICK, "status": 200,
    });

    let mixed = json!({"expect": [
        {"outcome": "click"},
        {"postback": {"event": "void", "target": "affiliate-server", "state": "delivered"}, "count": 1},
        {"postback": {}, "at_least": 2, "at_most": 3},
    ]});
    assert!(document.errors(request, &mixed).is_empty());
    for bad in [
        json!({"expect": [{"postback": {"event": "void"}, "path": "/x"}]}),
        json!({"expect": [{"postback": {"event": "void"}, "count": 1, "at_least": 1}]}),
        json!({"expect": [{"postback": {"colour": "red"}}]}),
        json!({"expect": [{"postback": {"event": "void"}, "count": -1}]}),
    ] {
        assert!(!document.errors(request, &bad).is_empty(), "{bad}");
    }

    let failures = |nearest: Value| {
        json!({"result": "error", "message": "1 of 1 expectations not met", "failures": [
            {"index": 0, "expected": {"postback": {"state": "failed"}, "count": 1}, "actual": 0,
             "nearest": [nearest]},
        ]})
    };
    let postback = failures(json!({"differs": ["state"], "postback": record}));
    let request_nearest = failures(json!({"differs": ["outcome"], "request": entry}));
    let both = failures(json!({"differs": ["state"], "postback": record, "request": entry}));
    let misnamed = failures(json!({"differs": ["outcome"], "postback": record}));
    assert!(document.errors(unmet, &postback).is_empty());
    assert!(document.errors(unmet, &request_nearest).is_empty());
    assert!(!document.errors(unmet, &both).is_empty());
    assert!(!document.errors(unmet, &misnamed).is_empty());
}

#[test]
fn operation_ids_are_unique_across_paths_and_webhooks() {
    let document = Document::load();
    let mut ids: Vec<&str> = ["paths", "webhooks"]
        .into_iter()
        .flat_map(|section| document.doc[section].as_object().expect(section).values())
        .flat_map(|item| METHODS.into_iter().filter_map(|m| item.get(m)))
        .map(|operation| operation["operationId"].as_str().expect("an operationId"))
        .collect();
    let count = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), count, "an operationId is used twice");
}

// --- against a running mock ---------------------------------------------------

/// A scenario of the API page's example click (a sub id that needs
/// encoding) with `targets`, each a YAML flow mapping.
fn scenario(targets: &[String]) -> Scenario {
    let mut yaml = format!(
        "credentials:
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
postbacks:
"
    );
    for entry in targets {
        yaml.push_str(&format!("  - {entry}\n"));
    }
    Scenario::from_yaml("contract", yaml.as_str())
        .unwrap_or_else(|err| panic!("the scenario loads:\n{err}\n{yaml}"))
}

/// A target named `name` sending to `url`, with `more` YAML flow entries.
fn target(name: &str, url: &str, more: &str) -> String {
    format!("{{name: {name}, url: \"{url}\", {more}}}")
}

/// One request a [`Receiver`] got.
#[derive(Clone, Debug)]
struct Received {
    method: String,
    /// The path and query, as sent.
    target: String,
    headers: hyper::HeaderMap,
    body: String,
}

impl Received {
    /// The query's parameters, decoded, in order.
    fn query(&self) -> Vec<(String, String)> {
        pairs(self.target.split_once('?').map_or("", |(_, q)| q))
    }

    /// The body read as a form, decoded, in order.
    fn form(&self) -> Vec<(String, String)> {
        pairs(&self.body)
    }

    /// A header's value, or `""`.
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

fn pairs(text: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(text.as_bytes())
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .collect()
}

/// An affiliate's server on 127.0.0.1, port 0, answering 200 `ok` to every
/// request and keeping each; stops when dropped.
struct Receiver {
    addr: std::net::SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    async fn ok() -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a receiver");
        let addr = listener.local_addr().expect("its address");
        let received = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&received);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let kept = Arc::clone(&kept);
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        let kept = Arc::clone(&kept);
                        async move { Ok::<_, std::convert::Infallible>(keep(&kept, request).await) }
                    });
                    let io = hyper_util::rt::TokioIo::new(stream);
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(io, service)
                        .await;
                });
            }
        });
        Receiver {
            addr,
            received,
            task,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Waits until at least `n` requests have arrived; all of them.
    async fn wait_for(&self, n: usize) -> Vec<Received> {
        let what = format!("{n} requests at the receiver");
        eventually(std::time::Duration::from_secs(30), &what, async || {
            let received = self.received.lock().expect("lock").clone();
            (received.len() >= n).then_some(received)
        })
        .await
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn keep(
    kept: &Mutex<Vec<Received>>,
    request: hyper::Request<hyper::body::Incoming>,
) -> hyper::Response<String> {
    let (parts, body) = request.into_parts();
    let body = match body.collect().await {
        Ok(collected) => String::from_utf8_lossy(&collected.to_bytes()).into_owned(),
        Err(err) => format!("<body not read: {err}>"),
    };
    let target = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.to_string(), |p| p.to_string());
    kept.lock().expect("lock").push(Received {
        method: parts.method.to_string(),
        target,
        headers: parts.headers,
        body,
    });
    hyper::Response::new("ok".to_string())
}

/// The query of a GET target naming every variable under its own name, in order.
fn every_variable_query() -> String {
    VARIABLES
        .iter()
        .map(|name| format!("{name}=%%{name}%%"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The `X-Mock-Error` of `answer`, when it has one, is named in the
/// description of the response the document gives it.
fn check_error_code(document: &Document, method: &str, path: &str, answer: &Answer) {
    let Some(code) = answer.headers.get("x-mock-error") else {
        return;
    };
    let code = code.to_str().expect("an ASCII code");
    let (at, response) = document.response(method, path, answer.status);
    let description = response["description"].as_str().unwrap_or("");
    assert!(
        description.contains(&format!("`{code}`")) || description.contains(&format!(": {code}`")),
        "{method} {path}: {} with X-Mock-Error {code}, which {at} does not name: {description}",
        answer.status
    );
    let header = document.at("#/components/headers/X-Mock-Error")["description"]
        .as_str()
        .unwrap_or("");
    assert!(
        header.contains(&format!("`{code}`")),
        "X-Mock-Error does not list {code}"
    );
}

#[tokio::test]
async fn every_conversion_and_postback_admin_answer_validates_against_the_document() {
    let mut document = Document::load();
    let receiver = Receiver::ok().await;
    let server = TestServer::start(scenario(&[target(
        "affiliate-server",
        &receiver.url("/n4n?tx=%%transaction_hash%%&type=%%event%%"),
        "retry: []",
    )]))
    .await;
    let sale =
        json!({"click_hash": EXAMPLE_CLICK, "amount": "29.95", "payout": "10.00"}).to_string();
    let put_back = json!([{"name": "affiliate-server", "url": receiver.url("/n4n?tx=%%transaction_hash%%"), "retry": []}]).to_string();
    let calls: Vec<(&str, &str, Option<String>, u16)> = vec![
        ("POST", "/__mock/conversions", Some(sale.clone()), 201),
        (
            "POST",
            "/__mock/conversions",
            Some(r#"{"click_hash":"35b71a300115be9.16738986","amount":29,"trans_type":"rebill","orderid":"ORD-9","subscription_id":"SUB-9"}"#.into()),
            201,
        ),
        ("POST", "/__mock/conversions", Some(r#"{"click_hash":"35b71a300115be9.16738986","amount":"lots"}"#.into()), 400),
        ("POST", "/__mock/conversions", Some(r#"{"click_hash":"35b71a300115be9.16738986","amount":"1","payout":"x"}"#.into()), 400),
        ("POST", "/__mock/conversions", Some(r#"{"click_hash":"35b71a300115be9.16738986","amount":"1","trans_type":"refund"}"#.into()), 400),
        ("POST", "/__mock/conversions", Some(r#"{"amount":"1"}"#.into()), 400),
        ("POST", "/__mock/conversions", Some(r#"{"click_hash":"35b71a300115be9.16738986","amount":"1","colour":"red"}"#.into()), 400),
        ("POST", "/__mock/conversions", Some("[]".into()), 400),
        ("POST", "/__mock/conversions", Some(r#"{"click_hash":"35b71a300115be9.16738986","amount":"1","scenario":"nope"}"#.into()), 400),
        ("POST", "/__mock/conversions", Some(r#"{"click_hash":"no-such-click","amount":"1"}"#.into()), 404),
        ("GET", "/__mock/postbacks?settled=2&timeout=30s", None, 200),
        ("GET", "/__mock/postbacks", None, 200),
        ("GET", "/__mock/postbacks?after=1&limit=1", None, 200),
        ("GET", "/__mock/postbacks?after=99", None, 200),
        ("GET", "/__mock/postbacks?scenario=default", None, 200),
        ("GET", "/__mock/postbacks?limit=many", None, 400),
        ("GET", "/__mock/postbacks?after=many", None, 400),
        ("GET", "/__mock/postbacks?settled=many", None, 400),
        ("GET", "/__mock/postbacks?settled=1&timeout=soon", None, 400),
        ("GET", "/__mock/postbacks?settled=1&timeout=61s", None, 400),
        ("GET", "/__mock/postbacks?scenario=nope", None, 400),
        ("GET", "/__mock/postbacks?settled=99&timeout=50ms", None, 504),
        ("GET", "/__mock/postbacks/targets", None, 200),
        ("GET", "/__mock/postbacks/targets?scenario=default", None, 200),
        ("GET", "/__mock/postbacks/targets?scenario=nope", None, 400),
        ("PUT", "/__mock/postbacks/targets", Some(put_back), 200),
        (
            "PUT",
            "/__mock/postbacks/targets",
            Some(r#"[{"name":"a","url":"ftp://example.com/%%nope%%","method":"PATCH"}]"#.into()),
            400,
        ),
        ("PUT", "/__mock/postbacks/targets", Some(r#"{"name":"a"}"#.into()), 400),
        ("PUT", "/__mock/postbacks/targets?scenario=nope", Some("[]".into()), 400),
        (
            "POST",
            "/__mock/verify",
            Some(r#"{"expect":[{"postback":{"event":"sale","state":"delivered"},"count":1},{"postback":{"event":"rebill"}}]}"#.into()),
            200,
        ),
        (
            "POST",
            "/__mock/verify",
            Some(r#"{"expect":[{"outcome":"click","at_most":0},{"postback":{"event":"void","target":"affiliate-server"},"count":1}]}"#.into()),
            422,
        ),
        (
            "POST",
            "/__mock/verify",
            Some(r#"{"expect":[{"postback":{"event":"sale"},"path":"/x"}]}"#.into()),
            400,
        ),
        ("DELETE", "/__mock/conversions", None, 405),
        ("DELETE", "/__mock/postbacks", None, 405),
        ("POST", "/__mock/postbacks/targets", None, 405),
    ];

    let mut seen = Vec::new();
    for (method, path, body, status) in calls {
        let mut request = server
            .client
            .request(method.parse().expect("method"), server.url(path));
        if let Some(body) = &body {
            request = request
                .header("content-type", "application/json")
                .body(body.clone());
        }
        let answer = send(request).await;
        let bare = path.split('?').next().unwrap_or(path);
        let what = format!("{method} {path} {}", body.as_deref().unwrap_or(""));

        document.check(method, bare, &answer, &what);
        check_error_code(&document, method, bare, &answer);
        seen.push((what, answer.status, status, answer.body));
    }

    let wrong: Vec<_> = seen
        .iter()
        .filter(|(_, got, want, _)| got != want)
        .collect();
    assert!(wrong.is_empty(), "statuses other than expected: {wrong:#?}");
    // The 422 names the nearest postbacks, not journal entries.
    let (_, _, _, unmet) = seen.iter().find(|(_, s, _, _)| *s == 422).expect("a 422");
    let unmet: Value = serde_json::from_str(unmet).expect("JSON");
    let nearest = &unmet["failures"][0]["nearest"];
    assert!(nearest[0].get("postback").is_some(), "{unmet}");
}

#[tokio::test]
async fn the_methods_the_document_lists_are_those_each_postback_path_allows() {
    let server = TestServer::bundled("default").await;

    for (path, operations) in POSTBACK_PATHS {
        let answer = send(
            server
                .client
                .request(reqwest::Method::PATCH, server.url(path)),
        )
        .await;
        let mut allowed: Vec<String> = answer.headers["allow"]
            .to_str()
            .expect("Allow")
            .split(',')
            .map(|m| m.trim().to_ascii_lowercase())
            .collect();
        allowed.sort();
        let mut documented: Vec<String> =
            operations.iter().map(|(m, _, _)| m.to_string()).collect();
        documented.sort();

        assert_eq!(answer.status, 405, "PATCH {path}: {}", answer.body);
        assert_eq!(allowed, documented, "{path}");
    }
}

#[tokio::test]
async fn the_targets_a_scenario_lists_validate_and_can_be_put_back_as_they_are() {
    let mut document = Document::load();
    let server = TestServer::bundled("postbacks").await;
    let path = "/__mock/postbacks/targets";

    let listed = send(server.client.get(server.url(path))).await;
    document.check(
        "GET",
        path,
        &listed,
        "the bundled postbacks scenario's targets",
    );
    let targets = listed.json()["targets"].clone();
    assert!(
        !targets.as_array().expect("targets").is_empty(),
        "{}",
        listed.body
    );
    let put = send(
        server
            .client
            .put(server.url(path))
            .header("content-type", "application/json")
            .body(targets.to_string()),
    )
    .await;
    let again = send(server.client.get(server.url(path))).await;

    assert_eq!(put.status, 200, "{}", put.body);
    document.check("PUT", path, &put, "the targets put back");
    assert_eq!(again.json()["targets"], targets);
}

#[tokio::test]
async fn every_postback_a_receiver_gets_is_a_webhook_of_the_document() {
    let mut document = Document::load();
    let receiver = Receiver::ok().await;
    let server = TestServer::start(scenario(&[
        target(
            "pixel",
            &receiver.url(&format!("/pixel?{}", every_variable_query())),
            "retry: []",
        ),
        target("server", &receiver.url("/form"), "method: POST, retry: []"),
    ]))
    .await;
    let convert = async |body: Value| {
        let answer = send(
            server
                .client
                .post(server.url("/__mock/conversions"))
                .json(&body),
        )
        .await;
        assert_eq!(answer.status, 201, "{body}: {}", answer.body);
        answer.json()["transaction_hash"]
            .as_str()
            .expect("hash")
            .to_string()
    };
    let first = convert(json!({"click_hash": EXAMPLE_CLICK, "amount": "29.95", "payout": "10.00", "orderid": "ORD-A"})).await;
    let rebill = convert(json!({"click_hash": EXAMPLE_CLICK, "amount": 19, "trans_type": "rebill", "subscription_id": "SUB-A"})).await;
    let second = convert(json!({"click_hash": EXAMPLE_CLICK, "amount": "5.5"})).await;
    for (path, fields) in [
        (
            "/api/transaction/process_void",
            vec![
                ("transaction_hash", first.as_str()),
                ("trans_custom1", "refund #1"),
            ],
        ),
        (
            "/api/transaction/process_chargeback",
            vec![
                ("transaction_hash", rebill.as_str()),
                ("type", "chargeback"),
                ("cost", "12.50"),
            ],
        ),
        (
            "/api/transaction/process_reversal",
            vec![
                ("transaction_hash", second.as_str()),
                ("reverse", "1"),
                ("trans_custom5", "é & ="),
            ],
        ),
    ] {
        let answer = server.send_form(reqwest::Method::POST, path, &fields).await;
        assert_eq!(answer.status, 200, "{path}: {}", answer.body);
    }

    // Six events, each sent to both targets.
    let page = send(
        server
            .client
            .get(server.url("/__mock/postbacks?settled=12&timeout=30s")),
    )
    .await;
    document.check("GET", "/__mock/postbacks", &page, "the settled postbacks");
    assert_eq!(page.status, 200, "{}", page.body);
    let received = receiver.wait_for(12).await;

    let mut events = Vec::new();
    for request in &received {
        let what = format!("{} {} {}", request.method, request.target, request.body);
        let errors = document.errors(
            "#/components/parameters/PostbackUserAgent/schema",
            &json!(request.header("user-agent")),
        );
        assert!(errors.is_empty(), "{what}: User-Agent {errors:?}");
        let (pairs, method) = if request.method == "POST" {
            assert_eq!(request.header("content-type"), FORM, "{what}");
            (request.form(), "post")
        } else {
            assert_eq!(request.method, "GET", "{what}");
            assert!(request.body.is_empty(), "{what}: a GET with a body");
            (request.query(), "get")
        };
        assert_eq!(names(&pairs), VARIABLES, "{what}: every variable, in order");
        let event = pairs[0].1.clone();
        assert!(EVENTS.contains(&event.as_str()), "{what}");

        if method == "post" {
            let errors = document.errors(&form_schema(&event), &object(&pairs));
            assert!(
                errors.is_empty(),
                "{what}: not the {event} webhook's form: {errors:?}"
            );
        } else {
            let parameters = document
                .at(&format!("#/webhooks/{event}/get/parameters"))
                .clone();
            for (i, parameter) in parameters
                .as_array()
                .expect("parameters")
                .iter()
                .enumerate()
            {
                let (at, parameter) = match parameter.get("$ref").and_then(Value::as_str) {
                    Some(reference) => document.resolve(reference.to_string()),
                    None => (format!("#/webhooks/{event}/get/parameters/{i}"), parameter),
                };
                if parameter["in"] != "query" {
                    continue;
                }
                let name = parameter["name"].as_str().expect("name").to_string();
                let value = &pairs.iter().find(|(n, _)| *n == name).expect("sent").1;
                let errors = document.errors(&format!("{at}/schema"), &json!(value));
                assert!(
                    errors.is_empty(),
                    "{what}: {name}={value:?} against {at}: {errors:?}"
                );
            }
        }
        events.push((method, event));
    }
    events.sort();
    let mut expected: Vec<(&str, String)> = ["get", "post"]
        .into_iter()
        .flat_map(|m| {
            ["sale", "rebill", "sale", "void", "chargeback", "reversal"].map(|e| (m, e.to_string()))
        })
        .collect();
    expected.sort();
    assert_eq!(events, expected, "each event in both forms");
}
