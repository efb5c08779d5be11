//! The sidecar and QA workflow over loopback: a scenario per request, the
//! active scenario switched for everyone, reloads that keep the last good
//! data, the request journal, and `--no-admin`.

use n4n_mock::MockOptions;
use serde_json::json;

use crate::util::*;

async fn bundled_folder() -> TestServer {
    TestServer::folder(&root().join("scenarios"), "default", MockOptions::default()).await
}

fn with_scenario(server: &TestServer, name: &str) -> reqwest::RequestBuilder {
    server
        .click_detail()
        .header("x-mock-scenario", name)
        .header("content-type", FORM)
        .body(format!("transaction_hash={EXAMPLE_CLICK}"))
}

async fn put_scenario(server: &TestServer, body: &str) -> Answer {
    send(
        server
            .client
            .put(server.url("/__mock/scenario"))
            .header("content-type", "application/json")
            .body(body.to_string()),
    )
    .await
}

async fn admin_get(server: &TestServer, path: &str) -> Answer {
    send(server.client.get(server.url(path))).await
}

async fn reload(server: &TestServer) -> Answer {
    send(server.client.post(server.url("/__mock/reload"))).await
}

// --- X-Mock-Scenario -------------------------------------------------------

#[tokio::test]
async fn the_scenario_header_answers_that_request_from_that_scenario() {
    let server = bundled_folder().await;

    let from_empty = send(with_scenario(&server, "empty")).await;
    let from_active = server.lookup_example().await;

    assert_eq!(from_empty.status, 404);
    assert_eq!(from_empty.error_message(), "Click not found");
    assert_eq!(from_active.status, 200);
}

#[tokio::test]
async fn an_unknown_scenario_header_is_400_with_x_mock_error() {
    let server = bundled_folder().await;

    let answer = send(with_scenario(&server, "nope")).await;

    assert_eq!(answer.status, 400);
    assert_eq!(answer.error_message(), "Unknown scenario: nope");
    assert_eq!(answer.headers["x-mock-error"], "unknown-scenario");
}

#[tokio::test]
async fn the_scenario_header_picks_that_scenarios_error_overrides_too() {
    let server = bundled_folder().await;

    let overridden = send(
        server
            .get_as("/api/service/ping", "wrong", USERNAME)
            .header("x-mock-scenario", "custom-errors"),
    )
    .await;
    let plain = send(server.get_as("/api/service/ping", "wrong", USERNAME)).await;

    assert_eq!(overridden.status, 403);
    assert_eq!(overridden.error_message(), "Access denied");
    assert_eq!(plain.status, 401);
}

#[tokio::test]
async fn concurrent_clients_naming_different_scenarios_each_get_their_own() {
    let server = bundled_folder().await;

    let ask = |name: &'static str| {
        let request = with_scenario(&server, name);
        async move {
            let mut statuses = Vec::new();
            for _ in 0..25 {
                let request = request.try_clone().expect("clonable");
                statuses.push(send(request).await.status);
            }
            statuses
        }
    };
    let (from_default, from_locked) = tokio::join!(ask("default"), ask("locked"));

    assert!(from_default.iter().all(|s| *s == 200), "{from_default:?}");
    assert!(from_locked.iter().all(|s| *s == 401), "{from_locked:?}");
}

// --- GET / PUT /__mock/scenario --------------------------------------------

#[tokio::test]
async fn get_scenario_names_the_active_one_and_every_loaded_one() {
    let server = bundled_folder().await;

    let answer = admin_get(&server, "/__mock/scenario").await;

    assert_eq!(answer.status, 200);
    let json = answer.json();
    assert_eq!(json["active"], "default");
    let names: Vec<&str> = json["scenarios"]
        .as_array()
        .expect("list")
        .iter()
        .map(|s| s["name"].as_str().expect("name"))
        .collect();
    // The bundled folder: the same scenarios as those built in.
    let bundled: Vec<&str> = n4n_mock::Scenario::builtin_names().collect();
    assert_eq!(names, bundled);
    let default = &json["scenarios"][2];
    assert_eq!(default["clicks"], 4);
    assert_eq!(default["transactions"], 5);
}

#[tokio::test]
async fn put_scenario_switches_every_later_request() {
    let server = bundled_folder().await;

    let switched = put_scenario(&server, r#"{"name":"empty"}"#).await;
    let lookup = server.lookup_example().await;
    let health = admin_get(&server, "/__mock/health").await;

    assert_eq!(switched.status, 200);
    assert_eq!(
        switched.json(),
        json!({"result": "success", "active": "empty", "previous": "default"})
    );
    assert_eq!(lookup.status, 404);
    assert_eq!(health.json()["scenario"], "empty");
}

#[tokio::test]
async fn put_scenario_with_an_unknown_name_is_400_and_changes_nothing() {
    let server = bundled_folder().await;

    let answer = put_scenario(&server, r#"{"name":"nope"}"#).await;

    assert_eq!(answer.status, 400);
    assert_eq!(answer.error_message(), "Unknown scenario: nope");
    assert_eq!(answer.headers["x-mock-error"], "unknown-scenario");
    assert_eq!(server.lookup_example().await.status, 200);
}

#[tokio::test]
async fn put_scenario_without_a_name_is_400_malformed_body() {
    let server = bundled_folder().await;

    let answer = put_scenario(&server, r#"{"scenario":"empty"}"#).await;

    assert_eq!(answer.status, 400);
    assert!(
        answer
            .error_message()
            .starts_with("Malformed request body: expected {\"name\":\"SCENARIO\"}"),
        "{}",
        answer.body
    );
}

#[tokio::test]
async fn a_wrong_method_on_an_admin_path_is_405_listing_the_methods_it_takes() {
    let server = bundled_folder().await;

    let answer = send(server.client.delete(server.url("/__mock/scenario"))).await;

    assert_eq!(answer.status, 405);
    assert_eq!(answer.headers["allow"], "GET, PUT");
    assert_eq!(answer.error_message(), "Invalid request method");
}

// --- POST /__mock/reload ---------------------------------------------------

const V1: &str = "\
credentials: [{username: qa, api_key: key-one}]
clicks:
  - click_hash: aaaaaaaaaaaaaaa.11111111
    loginid: 1
";

const V2: &str = "\
credentials: [{username: qa, api_key: key-one}]
clicks:
  - click_hash: aaaaaaaaaaaaaaa.11111111
    loginid: 2
";

async fn loginid(server: &TestServer, scenario: &str) -> Answer {
    send(
        server
            .get_as("/api/transaction/click_detail", "key-one", "qa")
            .header("x-mock-scenario", scenario)
            .query(&[("transaction_hash", "aaaaaaaaaaaaaaa.11111111")]),
    )
    .await
}

#[tokio::test]
async fn reload_serves_an_edited_file() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("edited.yaml");
    std::fs::write(&file, V1).expect("write");
    let server = TestServer::folder(dir.path(), "default", MockOptions::default()).await;
    std::fs::write(&file, V2).expect("write");

    let reloaded = reload(&server).await;
    let answer = loginid(&server, "edited").await;

    assert_eq!(reloaded.status, 200, "{}", reloaded.body);
    let mut names: Vec<&str> = n4n_mock::Scenario::builtin_names().collect();
    names.push("edited");
    names.sort();
    assert_eq!(reloaded.json()["scenarios"], json!(names));
    assert_eq!(answer.json()["click"]["loginid"], "2");
}

#[tokio::test]
async fn a_failed_reload_keeps_the_last_good_data_and_reports_every_problem() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("edited.yaml");
    std::fs::write(&file, V1).expect("write");
    let server = TestServer::folder(dir.path(), "default", MockOptions::default()).await;
    std::fs::write(
        &file,
        V2.replace("loginid: 2", "loginid: 2\n    colour: red"),
    )
    .expect("write");

    let refused = reload(&server).await;
    let answer = loginid(&server, "edited").await;
    let health = admin_get(&server, "/__mock/health").await;

    assert_eq!(refused.status, 422);
    assert_eq!(refused.headers["x-mock-error"], "reload-failed");
    let refused = refused.json();
    assert_eq!(refused["result"], "error");
    let problem = &refused["problems"][0];
    assert_eq!(problem["path"], file.display().to_string());
    assert_eq!(
        (problem["line"].as_u64(), problem["column"].as_u64()),
        (Some(5), Some(5))
    );
    assert!(
        problem["message"]
            .as_str()
            .expect("message")
            .contains("colour")
    );
    assert_eq!(
        answer.json()["click"]["loginid"],
        "1",
        "old data still served"
    );
    assert_eq!(
        health.json()["last_reload_error"]["problems"],
        refused["problems"]
    );
}

#[tokio::test]
async fn a_successful_reload_clears_the_last_reload_error() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("edited.yaml");
    std::fs::write(&file, V1).expect("write");
    let server = TestServer::folder(dir.path(), "default", MockOptions::default()).await;
    std::fs::write(&file, "clicks: [").expect("write");
    assert_eq!(reload(&server).await.status, 422);
    std::fs::write(&file, V2).expect("write");

    let reloaded = reload(&server).await;
    let health = admin_get(&server, "/__mock/health").await;

    assert_eq!(reloaded.status, 200);
    assert!(
        health.json().get("last_reload_error").is_none(),
        "{}",
        health.body
    );
}

#[tokio::test]
async fn a_reload_that_removes_the_active_scenario_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("edited.yaml");
    std::fs::write(&file, V1).expect("write");
    let server = TestServer::folder(dir.path(), "edited", MockOptions::default()).await;
    std::fs::remove_file(&file).expect("remove");

    let refused = reload(&server).await;

    assert_eq!(refused.status, 422);
    let message = refused.json()["message"]
        .as_str()
        .expect("message")
        .to_string();
    assert!(message.contains("active scenario `edited`"), "{message}");
    assert_eq!(
        admin_get(&server, "/__mock/health").await.json()["scenario"],
        "edited"
    );
}

/// The credentials live in the scenario file, the click in a fixture: a
/// request must never see the new credentials with the old click or back.
#[tokio::test]
async fn a_reload_swaps_every_file_at_once() {
    let dir = tempfile::tempdir().expect("dir");
    let scenario = dir.path().join("swap.yaml");
    let fixture = dir.path().join("data.yml.inc");
    let version = |n: u32| {
        (
            format!("credentials: [{{username: qa, api_key: key-{n}}}]\ninclude: [data.yml.inc]\n"),
            format!("clicks:\n  - click_hash: c{n}\n"),
        )
    };
    let write = |n: u32| {
        let (s, f) = version(n);
        std::fs::write(&scenario, s).expect("write");
        std::fs::write(&fixture, f).expect("write");
    };
    write(1);
    let server = TestServer::folder(dir.path(), "swap", MockOptions::default()).await;

    let ask = |n: u32| {
        send(
            server
                .get_as("/api/transaction/click_detail", &format!("key-{n}"), "qa")
                .query(&[("transaction_hash", format!("c{n}"))]),
        )
    };
    let flip = async {
        for n in 2..12 {
            write(n % 2 + 1);
            assert_eq!(reload(&server).await.status, 200);
        }
    };
    let probe = async {
        let mut statuses = Vec::new();
        for i in 0..120 {
            statuses.push(ask(i % 2 + 1).await.status);
        }
        statuses
    };
    let ((), statuses) = tokio::join!(flip, probe);

    // 200: the data of that version; 401: the other version's credentials.
    // A 404 would mean credentials of one version with clicks of the other.
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 401),
        "{statuses:?}"
    );
}

// --- the journal -----------------------------------------------------------

#[tokio::test]
async fn the_journal_lists_api_requests_oldest_first_with_their_outcome() {
    let server = bundled_folder().await;
    server.lookup_example().await;
    send(with_scenario(&server, "empty")).await;
    send(server.get_as("/api/service/ping", "wrong", USERNAME)).await;

    let journal = admin_get(&server, "/__mock/requests").await;

    assert_eq!(journal.status, 200);
    let requests = journal.json()["requests"].as_array().expect("list").clone();
    assert_eq!(requests.len(), 3);
    let first = &requests[0];
    assert_eq!(first["seq"], 1);
    assert_eq!(first["method"], "GET");
    assert_eq!(first["path"], "/api/transaction/click_detail");
    assert_eq!(first["scenario"], "default");
    assert_eq!(first["parameter"], "transaction_hash");
    assert_eq!(first["value"], EXAMPLE_CLICK);
    assert_eq!(first["outcome"], "click");
    assert_eq!(first["click_hash"], EXAMPLE_CLICK);
    assert_eq!(first["status"], 200);
    let time = first["time"].as_str().expect("time");
    assert!(time.ends_with('Z') && time.contains('T'), "{time}");
    assert_eq!(
        (
            &requests[1]["scenario"],
            &requests[1]["outcome"],
            &requests[1]["status"]
        ),
        (&json!("empty"), &json!("not_found"), &json!(404))
    );
    assert_eq!(
        (
            &requests[2]["path"],
            &requests[2]["outcome"],
            &requests[2]["parameter"]
        ),
        (
            &json!("/api/service/ping"),
            &json!("invalid_credentials"),
            &json!(null)
        )
    );
}

#[tokio::test]
async fn the_journal_never_holds_an_api_key() {
    let server = bundled_folder().await;
    server.lookup_example().await;
    send(server.get_as(
        "/api/transaction/click_detail",
        "a-secret-key-value",
        USERNAME,
    ))
    .await;
    send(
        server
            .get_as("/api/nothing", "another-secret-key", USERNAME)
            .query(&[("api-key", "query-secret-key")]),
    )
    .await;

    let journal = admin_get(&server, "/__mock/requests").await;

    assert_eq!(journal.json()["requests"].as_array().map(Vec::len), Some(3));
    for secret in [
        API_KEY,
        "a-secret-key-value",
        "another-secret-key",
        "query-secret-key",
    ] {
        assert!(
            !journal.body.contains(secret),
            "{secret} in {}",
            journal.body
        );
    }
}

#[tokio::test]
async fn a_limit_returns_the_newest_requests() {
    let server = bundled_folder().await;
    for _ in 0..4 {
        server.lookup_example().await;
    }

    let journal = admin_get(&server, "/__mock/requests?limit=2").await;

    let seqs: Vec<u64> = journal.json()["requests"]
        .as_array()
        .expect("list")
        .iter()
        .map(|r| r["seq"].as_u64().expect("seq"))
        .collect();
    assert_eq!(seqs, [3, 4]);
}

#[tokio::test]
async fn a_limit_that_is_not_a_number_is_400() {
    let server = bundled_folder().await;

    let answer = admin_get(&server, "/__mock/requests?limit=many").await;

    assert_eq!(answer.status, 400);
    assert_eq!(answer.headers["x-mock-error"], "invalid-limit");
}

#[tokio::test]
async fn delete_clears_the_journal_and_numbering_goes_on() {
    let server = bundled_folder().await;
    server.lookup_example().await;
    server.lookup_example().await;

    let cleared = send(server.client.delete(server.url("/__mock/requests"))).await;
    server.lookup_example().await;
    let journal = admin_get(&server, "/__mock/requests").await;

    assert_eq!(cleared.json(), json!({"result": "success", "cleared": 2}));
    let requests = journal.json()["requests"].clone();
    assert_eq!(requests.as_array().map(Vec::len), Some(1));
    assert_eq!(requests[0]["seq"], 3);
}

#[tokio::test]
async fn the_journal_drops_its_oldest_entry_past_its_size() {
    let options = MockOptions {
        journal_size: 3,
        ..MockOptions::default()
    };
    let server = TestServer::folder(&root().join("scenarios"), "default", options).await;
    for _ in 0..5 {
        server.lookup_example().await;
    }

    let journal = admin_get(&server, "/__mock/requests").await;

    let seqs: Vec<u64> = journal.json()["requests"]
        .as_array()
        .expect("list")
        .iter()
        .map(|r| r["seq"].as_u64().expect("seq"))
        .collect();
    assert_eq!(seqs, [3, 4, 5]);
}

#[tokio::test]
async fn admin_calls_are_not_journaled() {
    let server = bundled_folder().await;
    admin_get(&server, "/__mock/health").await;
    admin_get(&server, "/__mock/scenario").await;
    admin_get(&server, "/__mock/requests").await;

    let journal = admin_get(&server, "/__mock/requests").await;

    assert_eq!(
        journal.json(),
        json!({"requests": [], "next_after": 0, "more": false})
    );
}

#[tokio::test]
async fn an_unknown_scenario_is_journaled_under_the_name_asked_for() {
    let server = bundled_folder().await;
    send(with_scenario(&server, "nope")).await;

    let journal = admin_get(&server, "/__mock/requests").await;

    let entry = &journal.json()["requests"][0];
    assert_eq!(entry["scenario"], "nope");
    assert_eq!(entry["outcome"], "unknown_scenario");
    assert_eq!(entry["status"], 400);
}

// --- --no-admin ------------------------------------------------------------

#[tokio::test]
async fn without_the_admin_api_only_health_answers_under_mock() {
    let options = MockOptions {
        admin: false,
        ..MockOptions::default()
    };
    let server = TestServer::folder(&root().join("scenarios"), "default", options).await;

    let health = admin_get(&server, "/__mock/health").await;
    let mut refused = Vec::new();
    for path in ["/__mock/scenario", "/__mock/requests", "/__mock/verify"] {
        refused.push(admin_get(&server, path).await);
    }
    refused.push(reload(&server).await);

    assert_eq!(health.status, 200);
    for answer in refused {
        assert_eq!(answer.status, 404);
        assert_eq!(answer.error_message(), "Invalid endpoint");
    }
    assert_eq!(
        server.lookup_example().await.status,
        200,
        "the API still answers"
    );
}

#[tokio::test]
async fn without_the_admin_api_the_scenario_header_still_picks_a_scenario() {
    let options = MockOptions {
        admin: false,
        ..MockOptions::default()
    };
    let server = TestServer::folder(&root().join("scenarios"), "default", options).await;

    let answer = send(
        server
            .click_detail()
            .header("x-mock-scenario", "empty")
            .query(&[("transaction_hash", EXAMPLE_CLICK)]),
    )
    .await;

    assert_eq!(answer.status, 404, "`empty` answered: {}", answer.body);
    assert_eq!(answer.error_message(), "Click not found");
    assert_eq!(
        server.lookup_example().await.status,
        200,
        "others still get `default`"
    );
}
