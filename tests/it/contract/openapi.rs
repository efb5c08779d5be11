//! `openapi.yaml` held against the server: every answer of every bundled
//! scenario, the admin API, and the document served by the mock itself; and
//! what it declares of the transaction lifecycle (paths, methods, error
//! statuses, links, the event transaction's shape).

use n4n_mock::MockOptions;
use serde_json::{Value, json};

use super::CLICK_DETAIL;
use super::document::Document;
use super::probes::{CLICK_DETAIL_SCHEMA, ERROR_ENVELOPE, bundled_scenarios, probes, send_probe};
use crate::util::*;

#[tokio::test]
async fn every_answer_of_every_bundled_scenario_validates_against_the_document() {
    let mut document = Document::load();
    let dir = root().join("scenarios");
    let scenarios = bundled_scenarios(&dir);
    assert!(scenarios.len() >= 6, "the bundled scenarios are found");
    let server = TestServer::folder(&dir, "default", MockOptions::default()).await;
    let mut statuses = std::collections::BTreeSet::new();
    let mut dropped = 0;

    // All at once, so that the slow scenarios cost their longest delay only.
    let mut sent = Vec::new();
    for scenario in &scenarios {
        for probe in probes(scenario) {
            let (client, base, name) =
                (server.client.clone(), server.url(""), scenario.name.clone());
            let what = format!("{name} / {}", probe.what);
            let overrides = scenario.overrides;
            let answer = tokio::spawn(async move {
                let answer = send_probe(client, base, name, &probe).await;
                (probe, answer)
            });
            sent.push((what, overrides, answer));
        }
    }
    for (what, overrides, answer) in sent {
        let (probe, answer) = answer.await.expect("probe task");
        let Some(answer) = answer else {
            dropped += 1;
            continue;
        };

        let response = document.check(probe.method.as_str(), probe.path, &answer, &what);
        if !overrides {
            // The contract's own statuses each have their own entry, not `default`.
            assert!(
                !response.ends_with("/OverriddenError"),
                "{what}: {} is documented only by `default`",
                answer.status
            );
        }
        let faulted = answer.headers.contains_key("x-mock-fault");
        if let Some(schema) = probe.expect.filter(|_| !faulted) {
            let errors = document.errors(schema, &answer.json());
            assert!(
                errors.is_empty(),
                "{what}: not a {schema}: {errors:?}\n{}",
                answer.body
            );
        }
        statuses.insert(answer.status);
    }

    // A connection closes without an answer only where a fault says so.
    let journal = send(server.client.get(server.url("/__mock/requests")))
        .await
        .json();
    let drops = journal["requests"]
        .as_array()
        .expect("journal")
        .iter()
        .filter(|r| r["outcome"] == "fault:drop_connection")
        .count();
    assert_eq!(dropped, drops, "dropped connections");

    // Every status of the contract's error table was met, and a success.
    for status in [200, 400, 401, 403, 404, 405, 413] {
        assert!(
            statuses.contains(&status),
            "no answer was {status}: {statuses:?}"
        );
    }
}

#[tokio::test]
async fn an_unknown_scenario_header_is_a_documented_mock_error() {
    let mut document = Document::load();
    let server = TestServer::bundled("default").await;

    let answer = send(server.click_detail().header("x-mock-scenario", "nope")).await;

    assert_eq!(answer.status, 400);
    assert_eq!(answer.headers["x-mock-error"], "unknown-scenario");
    document.check("GET", CLICK_DETAIL, &answer, "unknown scenario");
}

#[tokio::test]
async fn every_admin_answer_validates_against_the_document() {
    let mut document = Document::load();
    let copy = bundled_copy();
    let dir = copy.path().join("scenarios");
    let server = TestServer::folder(&dir, "default", MockOptions::default()).await;
    let client = reqwest::Client::new();
    let _ = server.lookup_example().await;
    // An entry whose texts were cut, so that the journal shows its marks.
    let _ = send(
        server
            .get_as(&format!("/api/{}", "p".repeat(300)), API_KEY, USERNAME)
            .header("x-mock-scenario", "s".repeat(300)),
    )
    .await;
    let _ = server
        .lookup_form(&format!("transaction_hash={}", "a".repeat(300)))
        .await;
    let calls: Vec<(&str, &str, Option<&str>)> = vec![
        ("GET", "/__mock/health", None),
        ("GET", "/__mock/scenario", None),
        ("PUT", "/__mock/scenario", Some(r#"{"name":"empty"}"#)),
        ("PUT", "/__mock/scenario", Some(r#"{"name":"nope"}"#)),
        ("PUT", "/__mock/scenario", Some(r#"{"nom":"empty"}"#)),
        ("PUT", "/__mock/scenario", Some(r#"{"name":"default"}"#)),
        ("GET", "/__mock/credentials", None),
        ("GET", "/__mock/credentials?scenario=locked", None),
        ("GET", "/__mock/credentials?scenario=nope", None),
        ("POST", "/__mock/credentials", None),
        ("POST", "/__mock/reload", None),
        ("GET", "/__mock/requests", None),
        ("GET", "/__mock/requests?limit=1", None),
        ("GET", "/__mock/requests?limit=many", None),
        ("GET", "/__mock/requests?after=0&limit=1", None),
        ("GET", "/__mock/requests?after=many", None),
        (
            "GET",
            "/__mock/requests?limit=34139523133123193733120",
            None,
        ),
        (
            "GET",
            "/__mock/requests?after=34139523133123193733120",
            None,
        ),
        (
            "POST",
            "/__mock/verify",
            Some(r#"{"expect":[{"outcome":"click"}]}"#),
        ),
        (
            "POST",
            "/__mock/verify",
            Some(r#"{"expect":[{"status":418}]}"#),
        ),
        (
            "POST",
            "/__mock/verify",
            Some(r#"{"expect":[{"count":-1}]}"#),
        ),
        ("GET", "/__mock/verify", None),
        ("DELETE", "/__mock/requests", None),
        ("POST", "/__mock/reset", None),
        ("GET", "/__mock/metrics", None),
        ("DELETE", "/__mock/health", None),
        ("GET", "/__mock/nope", None),
    ];

    let mut seen = Vec::new();
    for (method, path, body) in calls {
        let mut request = client.request(method.parse().expect("method"), server.url(path));
        if let Some(body) = body {
            request = request.body(body);
        }
        let answer = send(request).await;
        let bare = path.split('?').next().unwrap_or(path);

        document.check(method, bare, &answer, &format!("{method} {path}"));
        seen.push((method, path, answer.status));
    }
    std::fs::write(dir.join("broken.yaml"), "credentials: []\nclickz: []\n").expect("write");
    let refused = send(client.post(server.url("/__mock/reload"))).await;
    let health = send(client.get(server.url("/__mock/health"))).await;

    assert_eq!(refused.status, 422, "{}", refused.body);
    document.check("POST", "/__mock/reload", &refused, "a refused reload");
    assert!(health.json().get("last_reload_error").is_some());
    document.check(
        "GET",
        "/__mock/health",
        &health,
        "health after a refused reload",
    );
    let statuses: Vec<u16> = seen.iter().map(|(_, _, s)| *s).collect();
    assert_eq!(
        statuses,
        [
            200, 200, 200, 400, 400, 200, 200, 200, 400, 405, 200, 200, 200, 400, 200, 400, 200,
            200, 200, 422, 400, 405, 200, 200, 200, 405, 404
        ],
        "{seen:?}"
    );
}

#[tokio::test]
async fn a_captured_body_is_documented_as_served_verbatim_not_as_the_rendered_shape() {
    // `captured` answers with what a real server sent (numbers, other keys):
    // the document's 200 admits it as `CapturedBody`, while `ClickDetail`,
    // the shape the mock renders, does not. Without that branch the
    // document would either reject a legitimate answer or lose its grip on
    // the rendered one.
    let mut document = Document::load();
    let server = TestServer::bundled("captured").await;

    let answer = server.lookup_example().await;

    assert_eq!(answer.status, 200);
    document.check("GET", CLICK_DETAIL, &answer, "captured");
    assert!(
        !document
            .errors(CLICK_DETAIL_SCHEMA, &answer.json())
            .is_empty()
    );
}

#[test]
fn the_document_rejects_a_rendered_body_that_breaks_the_contract() {
    // The validation above is not vacuous: a retyped, a missing and an
    // added key are each refused by the schemas the answers met.
    let mut document = Document::load();
    let example: Value = document
        .at("#/components/schemas/ClickDetail/example")
        .clone();
    assert!(document.errors(CLICK_DETAIL_SCHEMA, &example).is_empty());
    let mut retyped = example.clone();
    retyped["click"]["loginid"] = json!(1001);
    let mut dropped = example.clone();
    dropped["click"]
        .as_object_mut()
        .expect("click")
        .remove("username");
    let mut added = example.clone();
    added["server_time"] = json!("1");
    let mut payout = example;
    payout["transactions"][0]["payouts"][0]["bonus"] = json!("1");

    for (what, body) in [
        ("retyped", retyped),
        ("dropped", dropped),
        ("added", added),
        ("payout", payout),
    ] {
        assert!(
            !document.errors(CLICK_DETAIL_SCHEMA, &body).is_empty(),
            "{what} passes"
        );
    }
    let envelope = json!({"result": "error", "message": "x", "code": 1});
    assert!(!document.errors(ERROR_ENVELOPE, &envelope).is_empty());
}

#[tokio::test]
async fn the_document_is_served_at_mock_openapi_yaml() {
    let server = TestServer::bundled("default").await;

    let answer = send(server.client.get(server.url("/__mock/openapi.yaml"))).await;

    assert_eq!(answer.status, 200);
    assert_eq!(answer.content_type(), "application/yaml");
    let file = std::fs::read_to_string(root().join("openapi.yaml")).expect("openapi.yaml");
    let loaded = send(server.client.get(server.url("/__mock/scenario"))).await;
    let names: Vec<Value> = loaded.json()["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .map(|s| s["name"].clone())
        .collect();
    // The file as it is, but for the names of the scenarios loaded.
    let served: Value = serde_saphyr::from_str(&answer.body).expect("YAML");
    let mut expected: Value = serde_saphyr::from_str(&file).expect("YAML");
    expected["components"]["schemas"]["ScenarioName"]["enum"] = Value::Array(names.clone());
    // `X-Mock-Scenario` takes the same names, and the empty value.
    let header = std::iter::once(json!("")).chain(names).collect();
    expected["components"]["schemas"]["ScenarioHeader"]["enum"] = Value::Array(header);
    assert_eq!(served, expected);
}

#[test]
fn the_document_names_the_bundled_scenarios() {
    let document = Document::load();
    let mut bundled: Vec<String> = bundled_scenarios(&root().join("scenarios"))
        .into_iter()
        .map(|s| s.name)
        .collect();
    bundled.sort();
    let listed = &document.at("#/components/schemas/ScenarioName")["enum"];
    assert_eq!(*listed, json!(bundled));
    let header = &document.at("#/components/schemas/ScenarioHeader")["enum"];
    bundled.insert(0, String::new());
    assert_eq!(*header, json!(bundled));
}

/// The seven actions of the transaction lifecycle: path, its one method, its
/// `operationId`, and the error statuses the contract gives it (its own
/// parameter checks and lookup, and the checks every API request goes
/// through).
const LIFECYCLE: [(&str, &str, &str, &[u16]); 7] = [
    (
        "/api/transaction/process_void",
        "post",
        "processVoid",
        &[400, 401, 403, 404, 405, 413, 429],
    ),
    (
        "/api/transaction/process_chargeback",
        "post",
        "processChargeback",
        &[400, 401, 403, 404, 405, 413, 429],
    ),
    (
        "/api/transaction/process_reversal",
        "post",
        "processReversal",
        &[400, 401, 403, 404, 405, 413, 429],
    ),
    (
        "/api/transaction/transaction_update_revenue_by_orderid",
        "patch",
        "updateRevenueByOrderId",
        &[400, 401, 403, 404, 405, 413, 429],
    ),
    (
        "/api/transaction/transaction_update_revenue_by_transaction_hash",
        "patch",
        "updateRevenueByTransactionHash",
        &[400, 401, 403, 404, 405, 413, 429],
    ),
    (
        "/api/transaction/transaction_payout_preview",
        "get",
        "payoutPreview",
        &[400, 401, 403, 404, 405, 413, 429],
    ),
    (
        "/api/offer/check_orderid_exists",
        "get",
        "checkOrderIdExists",
        &[400, 401, 403, 405, 413, 429],
    ),
];

const METHODS: [&str; 8] = [
    "get", "put", "post", "patch", "delete", "head", "options", "trace",
];

#[test]
fn the_document_declares_each_lifecycle_action_with_its_method_and_error_statuses() {
    let mut document = Document::load();
    let envelope = json!({"result": "error", "message": "Transaction not found"});
    let success = json!({"result": "success", "message": "success"});

    for (path, method, operation_id, statuses) in LIFECYCLE {
        let escaped = path.replace('/', "~1");
        let item = document.at(&format!("#/paths/{escaped}")).clone();
        let methods: Vec<&str> = METHODS
            .into_iter()
            .filter(|m| item.get(*m).is_some())
            .collect();
        assert_eq!(methods, [method], "{path}: its one method");
        assert_eq!(item[method]["operationId"], operation_id, "{path}");
        let (body, _) = document.resolve(format!("#/paths/{escaped}/{method}/requestBody"));
        for content_type in [FORM, "application/json", "multipart/form-data"] {
            let at = format!("{body}/content/{}", content_type.replace('/', "~1"));
            assert!(document.doc.pointer(&at[1..]).is_some(), "{path}: {at}");
        }
        let (ok, _) = document.response(method, path, 200);
        assert!(!ok.ends_with("/OverriddenError"), "{path}: its 200");

        for &status in statuses {
            let (at, response) = document.response(method, path, status);
            let response = response.clone();
            assert!(
                !at.ends_with("/OverriddenError"),
                "{path}: {status} is documented only by `default`"
            );
            let schema = format!("{at}/content/application~1json/schema");
            assert!(document.errors(&schema, &envelope).is_empty(), "{at}");
            assert!(!document.errors(&schema, &success).is_empty(), "{at}");
            if status == 405 {
                let allow = &response["headers"]["Allow"]["$ref"];
                assert_eq!(
                    allow, "#/components/headers/Allow",
                    "{path}: 405 says Allow"
                );
            }
        }
    }
}

#[test]
fn the_document_links_a_lookup_to_a_void_and_the_void_back_to_the_lookup() {
    // Schemathesis's stateful phase chains operations through these links:
    // look a click up, void its first transaction, look it up again.
    let document = Document::load();
    let operation_ids: Vec<&str> = document.doc["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|item| METHODS.into_iter().filter_map(|m| item.get(m)))
        .filter_map(|operation| operation["operationId"].as_str())
        .collect();
    let (_, lookup) = document.response("GET", CLICK_DETAIL, 200);
    let (_, voided) = document.response("POST", "/api/transaction/process_void", 200);

    // Each link stays in the scenario the request named, and names the
    // transaction in the body, where the document puts the parameters.
    let scenario = "$request.header.X-Mock-Scenario";
    let void = &lookup["links"]["VoidTheFirstTransaction"];
    assert_eq!(void["operationId"], "processVoid");
    assert_eq!(
        void["requestBody"]["transaction_hash"],
        "$response.body#/transactions/0/transaction_hash"
    );
    assert_eq!(void["parameters"]["header.X-Mock-Scenario"], scenario);
    let again = &voided["links"]["LookUpTheTransactionAgain"];
    assert_eq!(again["operationId"], "clickDetail");
    assert_eq!(
        again["requestBody"]["transaction_hash"],
        "$request.body#/transaction_hash"
    );
    assert_eq!(again["parameters"]["header.X-Mock-Scenario"], scenario);
    for links in [&lookup["links"], &voided["links"]] {
        for (name, link) in links.as_object().expect("links") {
            let target = link["operationId"].as_str().expect("operationId");
            assert!(operation_ids.contains(&target), "{name}: {target}");
        }
    }
}

#[test]
fn the_document_admits_an_event_transaction_and_never_a_transactionid() {
    let mut document = Document::load();
    let void = json!({
        "transaction_hash": "5d0c1a7e93b42f8.00000001",
        "time": "1763769600",
        "trans_type": "void",
        "status": "void",
        "orderid": "ORD-LC-1",
        "subscription_id": "SUB-LC-1",
        "amount": "-29.95",
        "total_payout": "-10.00",
        "payouts": [{"type": "affiliate", "loginid": "1001", "username": "topaffiliate", "amount": "-10.00"}],
        "trans_custom1": "refund #1",
    });
    let mut leaked = void.clone();
    leaked["transactionid"] = json!("9001");
    let mut numeric = void.clone();
    numeric["trans_custom2"] = json!(2);
    const TRANSACTION: &str = "#/components/schemas/Transaction";

    assert!(document.errors(TRANSACTION, &void).is_empty());
    assert!(!document.errors(TRANSACTION, &leaked).is_empty());
    assert!(!document.errors(TRANSACTION, &numeric).is_empty());
    for schema in ["EventApplied", "PayoutPreview", "OrderIdCheck"] {
        let at = format!("#/components/schemas/{schema}");
        let example = document.at(&format!("{at}/example")).clone();
        assert!(document.errors(&at, &example).is_empty(), "{schema}");
        let mut added = example;
        added["extra"] = json!("1");
        assert!(!document.errors(&at, &added).is_empty(), "{schema}");
    }
}

/// A lifecycle request: method, path, its form fields, the status expected.
type LifecycleCall<'a> = (reqwest::Method, &'a str, Vec<(&'a str, &'a str)>, u16);

#[tokio::test]
async fn every_lifecycle_answer_validates_against_the_document() {
    let mut document = Document::load();
    let server = TestServer::bundled("lifecycle").await;
    let sale = "a1c0ffee0000002.10000002";
    let (post, patch, get) = (
        reqwest::Method::POST,
        reqwest::Method::PATCH,
        reqwest::Method::GET,
    );
    let void = "/api/transaction/process_void";
    let chargeback = "/api/transaction/process_chargeback";
    let reversal = "/api/transaction/process_reversal";
    let by_order = "/api/transaction/transaction_update_revenue_by_orderid";
    let by_hash = "/api/transaction/transaction_update_revenue_by_transaction_hash";
    let preview = "/api/transaction/transaction_payout_preview";
    let check = "/api/offer/check_orderid_exists";
    let calls: Vec<LifecycleCall> = vec![
        (get.clone(), preview, vec![("transaction_hash", sale)], 200),
        (
            get.clone(),
            preview,
            vec![("transaction_hash", sale), ("amount", "x")],
            400,
        ),
        (
            get.clone(),
            preview,
            vec![("transaction_hash", "nope")],
            404,
        ),
        (get.clone(), check, vec![("orderid", "ORD-LC-1")], 200),
        (get.clone(), check, vec![], 400),
        (
            patch.clone(),
            by_order,
            vec![("orderid", "ORD-LC-1"), ("amount", "2995")],
            200,
        ),
        (
            patch.clone(),
            by_hash,
            vec![("transaction_hash", sale), ("amount", "x")],
            400,
        ),
        (
            patch.clone(),
            by_hash,
            vec![("transaction_hash", "nope"), ("amount", "1")],
            404,
        ),
        (
            post.clone(),
            chargeback,
            vec![("transaction_hash", sale)],
            400,
        ),
        (
            post.clone(),
            reversal,
            vec![("transaction_hash", sale)],
            400,
        ),
        (post.clone(), void, vec![], 400),
        (
            post.clone(),
            void,
            vec![("transaction_hash", sale), ("trans_custom1", "a")],
            200,
        ),
        (post.clone(), void, vec![("transaction_hash", sale)], 400),
        (post.clone(), void, vec![("transaction_hash", "nope")], 404),
        (get.clone(), void, vec![("transaction_hash", sale)], 405),
        (
            get.clone(),
            CLICK_DETAIL,
            vec![("transaction_hash", sale)],
            200,
        ),
    ];

    for (method, path, fields, status) in calls {
        let what = format!("{method} {path} {fields:?}");
        let answer = server.send_form(method.clone(), path, &fields).await;

        assert_eq!(answer.status, status, "{what}: {}", answer.body);
        document.check(method.as_str(), path, &answer, &what);
    }
}

#[tokio::test]
async fn a_scenario_list_with_lifecycle_events_validates_against_the_document() {
    let mut document = Document::load();
    let server = TestServer::bundled("lifecycle").await;
    let voided = server
        .send_form(
            reqwest::Method::POST,
            "/api/transaction/process_void",
            &[("transaction_hash", "a1c0ffee0000002.10000002")],
        )
        .await;
    assert_eq!(voided.status, 200, "{}", voided.body);

    let listed = send(server.client.get(server.url("/__mock/scenario"))).await;

    assert!(listed.body.contains("\"event_log\":[{"), "{}", listed.body);
    document.check("GET", "/__mock/scenario", &listed, "a list with an event");
}
