//! The bundled scenarios answer as the README and docs/scenarios.md promise, and the success body
//! is the contract's to the byte.

use crate::util::{
    API_KEY, EXAMPLE_CLICK, RunningBinary, TestServer, USERNAME, binary, scenario_from_yaml, send,
};

/// The contract's success body for the API page's example click.
const CONTRACT_EXAMPLE: &str = concat!(
    r#"{"result":"success","click":{"click_hash":"35b71a300115be9.16738986","time":"1763632800","#,
    r#""loginid":"1001","username":"topaffiliate","offerid":"12","landing_pageid":"3","campaignid":"0","#,
    r#""creativeid":"7","subid1":"spring","subid2":"","external_clickid":"","ip":"203.0.113.7","#,
    r#""country":"US","referrer":"https://blog.example/review","user_agent":"Mozilla/5.0 (X11; Linux x86_64)"},"#,
    r#""transactions":[{"transaction_hash":"ac35ffba0fc0007.24591976","time":"1763636400","#,
    r#""trans_type":"initial","status":"approved","orderid":"ORD-1001","subscription_id":"SUB-77","#,
    r#""amount":"29.95","total_payout":"10.00","payouts":[{"type":"affiliate","loginid":"1001","#,
    r#""username":"topaffiliate","amount":"10.00"}]}]}"#
);

#[tokio::test]
async fn default_answers_the_api_page_example_with_the_contract_body() {
    let server = TestServer::bundled("default").await;

    let answer = server.lookup_example().await;

    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, CONTRACT_EXAMPLE);
}

#[tokio::test]
async fn default_has_a_click_that_never_converted() {
    let server = TestServer::bundled("default").await;

    let answer = server
        .lookup_form("transaction_hash=4c82e9b7d2216a3.50318842")
        .await;

    assert_eq!(answer.json()["transactions"], serde_json::json!([]));
}

#[tokio::test]
async fn default_has_an_initial_sale_and_a_rebill_sharing_a_subscription() {
    let server = TestServer::bundled("default").await;

    let answer = server.lookup_form("subscription_id=SUB-88").await;

    let json = answer.json();
    let transactions = json["transactions"].as_array().expect("transactions");
    let kinds: Vec<&str> = transactions
        .iter()
        .map(|t| t["trans_type"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(kinds, ["initial", "rebill"]);
    assert!(
        transactions
            .iter()
            .all(|t| t["subscription_id"] == "SUB-88")
    );
}

#[tokio::test]
async fn default_has_a_chargeback() {
    let server = TestServer::bundled("default").await;

    let answer = server.lookup_form("orderid=ORD-3001").await;

    let json = answer.json();
    let statuses: Vec<&str> = json["transactions"]
        .as_array()
        .expect("transactions")
        .iter()
        .map(|t| t["status"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(statuses, ["approved", "chargeback"]);
}

#[tokio::test]
async fn default_is_built_into_the_binary_identical_to_the_file() {
    let builtin = n4n_mock::Scenario::builtin("default")
        .expect("bundled")
        .expect("built-in default");
    let file = crate::util::bundled("default");
    let from_builtin = TestServer::start(builtin).await;
    let from_file = TestServer::start(file).await;

    for lookup in [
        format!("transaction_hash={EXAMPLE_CLICK}"),
        "subscription_id=SUB-88".to_string(),
        "orderid=ORD-3001".to_string(),
        "transaction_hash=4c82e9b7d2216a3.50318842".to_string(),
    ] {
        let a = from_builtin.lookup_form(&lookup).await;
        let b = from_file.lookup_form(&lookup).await;
        assert_eq!((a.status, &a.body), (b.status, &b.body), "{lookup}");
    }
}

#[tokio::test]
async fn empty_accepts_the_credentials_and_finds_nothing() {
    let server = TestServer::bundled("empty").await;

    let answer = server.lookup_example().await;

    assert_eq!(answer.status, 404);
    assert_eq!(answer.error_message(), "Click not found");
}

#[tokio::test]
async fn locked_rejects_the_api_page_credentials() {
    let server = TestServer::bundled("locked").await;

    let answer = server.lookup_example().await;

    assert_eq!(answer.status, 401);
    assert_eq!(answer.error_message(), "Invalid api-key or api-username");
}

#[tokio::test]
async fn ip_restricted_refuses_loopback() {
    let server = TestServer::bundled("ip-restricted").await;

    let answer = server.lookup_example().await;

    assert_eq!(answer.status, 403);
    assert_eq!(answer.error_message(), "IP address not allowed");
}

#[tokio::test]
async fn captured_answers_the_verbatim_response() {
    let server = TestServer::bundled("captured").await;

    let answer = server.lookup_example().await;

    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.body,
        concat!(
            r#"{"result":"success","click":{"click_hash":"35b71a300115be9.16738986","time":1763632800,"#,
            r#""loginid":1001,"offerid":12,"custom_field":"kept as captured"},"transactions":[],"#,
            r#""server_time":1763640000}"#
        )
    );
}

#[tokio::test]
async fn custom_errors_answers_not_found_with_its_override() {
    let server = TestServer::bundled("custom-errors").await;

    let answer = server.lookup_form("transaction_hash=unknown").await;

    assert_eq!(answer.status, 200);
    assert_eq!(answer.error_message(), "No click");
}

#[tokio::test]
async fn custom_errors_overrides_invalid_credentials() {
    let server = TestServer::bundled("custom-errors").await;

    let answer = crate::util::Answer::of(
        server
            .get_as("/api/transaction/click_detail", "wrong", USERNAME)
            .send()
            .await
            .expect("request"),
    )
    .await;

    assert_eq!(answer.status, 403);
    assert_eq!(answer.error_message(), "Access denied");
}

#[tokio::test]
async fn custom_errors_still_finds_its_click() {
    let server = TestServer::bundled("custom-errors").await;

    let answer = server.lookup_example().await;

    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, CONTRACT_EXAMPLE);
}

// The `postbacks` scenario: the README's walk-through runs on it
// (`readme_postbacks`); here, what it holds and where it sends.

/// The `postbacks` scenario's click of affiliate 1001 that has not converted.
const UNCONVERTED: &str = "b0ca1c0de000001.20000001";

/// The `postbacks` scenario served by the binary, `N4N_MOCK_RECEIVER` as
/// given (`None`: unset).
fn postbacks_binary(receiver: Option<&str>) -> RunningBinary {
    let mut command = binary();
    command.args(["--scenario", "postbacks"]);
    match receiver {
        Some(url) => command.env("N4N_MOCK_RECEIVER", url),
        None => command.env_remove("N4N_MOCK_RECEIVER"),
    };
    RunningBinary::start_with(&mut command)
}

/// Each target's `url`, as `GET /__mock/postbacks/targets` lists them.
async fn target_urls(server: &RunningBinary) -> Vec<String> {
    let answer = send(reqwest::Client::new().get(server.url("/__mock/postbacks/targets"))).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .map(|t| t["url"].as_str().expect("url").to_string())
        .collect()
}

#[tokio::test]
async fn postbacks_answers_the_api_page_example_with_the_contract_body() {
    let server = TestServer::bundled("postbacks").await;

    let answer = server.lookup_example().await;

    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, CONTRACT_EXAMPLE);
}

#[tokio::test]
async fn postbacks_has_a_click_of_affiliate_1001_that_never_converted() {
    let server = TestServer::bundled("postbacks").await;

    let answer = server
        .lookup_form(&format!("transaction_hash={UNCONVERTED}"))
        .await;

    let json = answer.json();
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(json["click"]["loginid"], "1001");
    assert_eq!(json["transactions"], serde_json::json!([]));
}

#[tokio::test]
async fn postbacks_has_a_get_pixel_and_a_post_for_affiliate_1001() {
    let server = TestServer::bundled("postbacks").await;

    let answer = send(server.client.get(server.url("/__mock/postbacks/targets"))).await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    let json = answer.json();
    assert_eq!(json["scenario"], "postbacks");
    let all_five = serde_json::json!(["sale", "rebill", "void", "chargeback", "reversal"]);
    let pixel = &json["targets"][0];
    assert_eq!(pixel["name"], "pixel");
    assert_eq!(pixel["method"], "GET");
    assert_eq!(pixel["events"], all_five);
    assert!(pixel.get("loginid").is_none(), "{pixel}");
    assert_eq!(pixel["timeout"], "2s");
    assert_eq!(pixel["retry"], serde_json::json!([]));
    assert!(
        pixel["url"]
            .as_str()
            .expect("url")
            .ends_with("/pixel?event=%%event%%&seq=%%seq%%&tx=%%transaction_hash%%&original=%%original_transaction_hash%%&amount=%%amount%%&payout=%%payout%%&sub1=%%subid1%%&sub2=%%subid2%%"),
        "{pixel}"
    );
    let server_target = &json["targets"][1];
    assert_eq!(server_target["name"], "server");
    assert_eq!(server_target["method"], "POST");
    assert_eq!(server_target["events"], all_five);
    assert_eq!(server_target["loginid"], "1001");
    assert_eq!(server_target["timeout"], "5s");
    assert_eq!(server_target["retry"], serde_json::json!(["1s", "4s"]));
    assert!(
        server_target["url"]
            .as_str()
            .expect("url")
            .ends_with("/postback"),
        "{server_target}"
    );
    assert_eq!(json["targets"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn postbacks_loads_with_n4n_mock_receiver_unset_and_sends_to_port_9999() {
    let server = postbacks_binary(None);

    let urls = target_urls(&server).await;

    assert_eq!(urls.len(), 2);
    for url in urls {
        assert!(url.starts_with("http://127.0.0.1:9999/"), "{url}");
    }
}

#[tokio::test]
async fn postbacks_sends_to_the_receiver_n4n_mock_receiver_names() {
    let server = postbacks_binary(Some("http://127.0.0.1:4321"));

    let urls = target_urls(&server).await;

    assert_eq!(urls.len(), 2);
    for url in urls {
        assert!(url.starts_with("http://127.0.0.1:4321/"), "{url}");
    }
}

// The success body's rules, on scenarios written for each.

fn with_click(click: &str, transactions: &str) -> String {
    format!(
        "credentials: [{{username: {USERNAME}, api_key: {API_KEY}}}]\nclicks:\n  - {click}\ntransactions:\n{transactions}"
    )
}

#[tokio::test]
async fn missing_core_keys_are_empty_strings_in_contract_order() {
    let server =
        TestServer::start(scenario_from_yaml(&with_click("click_hash: c1", "  []\n"))).await;

    let answer = server.lookup_form("transaction_hash=c1").await;

    assert_eq!(
        answer.body,
        concat!(
            r#"{"result":"success","click":{"click_hash":"c1","time":"","loginid":"","username":"","#,
            r#""offerid":"","landing_pageid":"","campaignid":"","creativeid":"","subid1":"","subid2":"","#,
            r#""external_clickid":"","ip":"","country":"","referrer":"","user_agent":""},"transactions":[]}"#
        )
    );
}

#[tokio::test]
async fn every_scalar_is_a_string_as_written() {
    let yaml = with_click(
        "{click_hash: c1, loginid: 1001, offerid: 0012, subid1: true, subid2: 1.50}",
        "  - {transaction_hash: t1, click_hash: c1, amount: 10.00, total_payout: 3, payouts: [{amount: 2.5, loginid: 7}]}\n",
    );
    let server = TestServer::start(scenario_from_yaml(&yaml)).await;

    let answer = server.lookup_form("transaction_hash=c1").await;

    let json = answer.json();
    assert_eq!(json["click"]["loginid"], "1001");
    assert_eq!(json["click"]["offerid"], "0012");
    assert_eq!(json["click"]["subid1"], "true");
    assert_eq!(json["click"]["subid2"], "1.50");
    assert_eq!(json["transactions"][0]["amount"], "10.00");
    assert_eq!(json["transactions"][0]["total_payout"], "3");
    assert_eq!(json["transactions"][0]["payouts"][0]["amount"], "2.5");
    assert_eq!(json["transactions"][0]["payouts"][0]["loginid"], "7");
    assert_eq!(json["transactions"][0]["payouts"][0]["type"], "");
}

#[tokio::test]
async fn rfc3339_times_become_unix_seconds() {
    let yaml = with_click(
        "{click_hash: c1, time: 2025-11-20T11:00:00+01:00}",
        "  - {transaction_hash: t1, click_hash: c1, time: \"1763636400\"}\n",
    );
    let server = TestServer::start(scenario_from_yaml(&yaml)).await;

    let answer = server.lookup_form("transaction_hash=c1").await;

    let json = answer.json();
    assert_eq!(json["click"]["time"], "1763632800");
    assert_eq!(json["transactions"][0]["time"], "1763636400");
}

#[tokio::test]
async fn extra_fields_follow_the_core_keys_in_file_order() {
    let yaml = with_click(
        "{click_hash: c1, extra: {zeta: 1, alpha: two}, user_agent: ua}",
        "  []\n",
    );
    let server = TestServer::start(scenario_from_yaml(&yaml)).await;

    let answer = server.lookup_form("transaction_hash=c1").await;

    assert!(
        answer.body.ends_with(
            r#""referrer":"","user_agent":"ua","zeta":"1","alpha":"two"},"transactions":[]}"#
        ),
        "{}",
        answer.body
    );
}

#[tokio::test]
async fn transactions_are_listed_in_fixture_order_not_by_time() {
    let yaml = with_click(
        "{click_hash: c1}",
        "  - {transaction_hash: late, click_hash: c1, time: 2000}\n  - {transaction_hash: early, click_hash: c1, time: 1000}\n",
    );
    let server = TestServer::start(scenario_from_yaml(&yaml)).await;

    let answer = server.lookup_form("transaction_hash=early").await;

    let json = answer.json();
    assert_eq!(json["transactions"][0]["transaction_hash"], "late");
    assert_eq!(json["transactions"][1]["transaction_hash"], "early");
}

#[tokio::test]
async fn strings_with_quotes_and_unicode_are_escaped_as_json() {
    let yaml = with_click(
        "{click_hash: c1, referrer: \"https://x.example/?q=\\\"a\\\"\", country: \"Ωmega\"}",
        "  []\n",
    );
    let server = TestServer::start(scenario_from_yaml(&yaml)).await;

    let answer = server.lookup_form("transaction_hash=c1").await;

    let json = answer.json();
    assert_eq!(json["click"]["referrer"], "https://x.example/?q=\"a\"");
    assert_eq!(json["click"]["country"], "Ωmega");
}

#[tokio::test]
async fn included_data_comes_before_the_including_files_own() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("fixture.yaml"),
        "clicks: [{click_hash: c1}]\ntransactions: [{transaction_hash: from-fixture, click_hash: c1}]\n",
    )
    .expect("write fixture");
    let scenario = dir.path().join("scenario.yaml");
    std::fs::write(
        &scenario,
        format!(
            "credentials: [{{username: {USERNAME}, api_key: {API_KEY}}}]\ninclude: [fixture.yaml]\n\
             transactions: [{{transaction_hash: own, click_hash: c1}}]\n"
        ),
    )
    .expect("write scenario");
    let loaded = n4n_mock::Scenario::from_file(&scenario).expect("loads");
    let server = TestServer::start(loaded).await;

    let answer = server.lookup_form("transaction_hash=c1").await;

    let json = answer.json();
    assert_eq!(json["transactions"][0]["transaction_hash"], "from-fixture");
    assert_eq!(json["transactions"][1]["transaction_hash"], "own");
}

/// The README's table of bundled scenarios has a row for each file of
/// `scenarios/`, with every credential pair that file holds.
#[test]
fn the_readme_lists_every_bundled_scenario_with_its_credentials() {
    let readme = std::fs::read_to_string(crate::util::root().join("README.md")).expect("README");
    let mut files: Vec<_> = std::fs::read_dir(crate::util::root().join("scenarios"))
        .expect("scenarios/")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    assert!(files.len() >= 11, "{files:?}");
    for file in files {
        let name = file
            .file_stem()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let row = readme
            .lines()
            .find(|l| l.starts_with(&format!("| `{name}` |")))
            .unwrap_or_else(|| panic!("the README's table has no row for `{name}`"));
        let text = std::fs::read_to_string(&file).expect("a scenario");
        let value = |line: &str, key: &str| {
            line.trim()
                .trim_start_matches("- ")
                .strip_prefix(key)
                .map(|v| v.trim().trim_matches('"').to_string())
        };
        let usernames: Vec<String> = text.lines().filter_map(|l| value(l, "username:")).collect();
        let keys: Vec<String> = text.lines().filter_map(|l| value(l, "api_key:")).collect();
        assert!(!keys.is_empty(), "{name} holds credentials");
        for (username, key) in usernames.iter().zip(&keys) {
            assert!(
                row.contains(&format!("`{username}` / `{key}`")),
                "the README's row for `{name}` does not give `{username}` / `{key}`: {row}"
            );
        }
    }
}
