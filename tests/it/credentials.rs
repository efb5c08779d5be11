//! `GET /__mock/credentials`: the credential pairs of a scenario, for the
//! console's Try a request to fill in; an admin path like the others.

use n4n_mock::{AdminToken, MockOptions, MockServer};
use serde_json::json;

use crate::util::{API_KEY, Answer, EXAMPLE_CLICK, TestServer, USERNAME, bundled, root, send};

/// `default`'s pairs, in the order its file writes them.
const DEFAULT_PAIRS: [(&str, &str); 2] = [
    (USERNAME, API_KEY),
    ("qa_tester", "0f1e2d3c4b5a69788796a5b4c3d2e1f0"),
];

/// `locked`'s one pair: the API page's username with a rotated key.
const LOCKED_PAIR: (&str, &str) = (USERNAME, "rotated-00000000000000000000000000");

async fn credentials(server: &TestServer, query: &str) -> Answer {
    send(
        server
            .client
            .get(server.url(&format!("/__mock/credentials{query}"))),
    )
    .await
}

/// The pairs of an answer, as `(username, api_key)`.
fn pairs(answer: &Answer) -> Vec<(String, String)> {
    answer.json()["credentials"]
        .as_array()
        .expect("a list of credentials")
        .iter()
        .map(|pair| {
            let text = |key: &str| pair[key].as_str().expect(key).to_string();
            (text("username"), text("api_key"))
        })
        .collect()
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(u, k)| ((*u).to_string(), (*k).to_string()))
        .collect()
}

#[tokio::test]
async fn lists_the_active_scenarios_pairs_in_file_order() {
    let server =
        TestServer::folder(&root().join("scenarios"), "default", MockOptions::default()).await;

    let answer = credentials(&server, "").await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.content_type(), "application/json");
    assert_eq!(
        answer.json(),
        json!({"scenario": "default", "credentials": [
            {"username": "n4n_admin", "api_key": API_KEY},
            {"username": "qa_tester", "api_key": "0f1e2d3c4b5a69788796a5b4c3d2e1f0"},
        ]})
    );
}

#[tokio::test]
async fn a_scenario_in_the_query_lists_that_scenarios_pairs() {
    let server = TestServer::bundled("default").await;

    let answer = credentials(&server, "?scenario=locked").await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["scenario"], "locked");
    assert_eq!(pairs(&answer), owned(&[LOCKED_PAIR]));
}

#[tokio::test]
async fn the_pairs_follow_the_scenario_made_active() {
    let server = TestServer::bundled("default").await;
    let switched = send(
        server
            .client
            .put(server.url("/__mock/scenario"))
            .body(r#"{"name":"locked"}"#),
    )
    .await;
    assert_eq!(switched.status, 200, "{}", switched.body);

    let answer = credentials(&server, "").await;

    assert_eq!(answer.json()["scenario"], "locked");
    assert_eq!(pairs(&answer), owned(&[LOCKED_PAIR]));
}

#[tokio::test]
async fn each_pair_listed_is_accepted_by_its_scenario() {
    let server = TestServer::bundled("default").await;

    for scenario in ["default", "locked"] {
        let answer = credentials(&server, &format!("?scenario={scenario}")).await;
        for (username, api_key) in pairs(&answer) {
            let lookup = send(
                server
                    .get_as("/api/transaction/click_detail", &api_key, &username)
                    .header("x-mock-scenario", scenario)
                    .query(&[("transaction_hash", EXAMPLE_CLICK)]),
            )
            .await;

            assert_eq!(lookup.status, 200, "{scenario} {username}: {}", lookup.body);
        }
    }
}

#[tokio::test]
async fn an_unknown_scenario_is_400() {
    let server = TestServer::bundled("default").await;

    let answer = credentials(&server, "?scenario=nope").await;

    assert_eq!(answer.status, 400, "{}", answer.body);
    assert_eq!(answer.headers["x-mock-error"], "unknown-scenario");
    assert_eq!(answer.error_message(), "Unknown scenario: nope");
}

#[tokio::test]
async fn another_method_is_405_naming_get() {
    let server = TestServer::bundled("default").await;

    for method in [reqwest::Method::POST, reqwest::Method::PUT] {
        let answer = send(
            server
                .client
                .request(method.clone(), server.url("/__mock/credentials")),
        )
        .await;

        assert_eq!(answer.status, 405, "{method}: {}", answer.body);
        assert_eq!(answer.headers["allow"], "GET", "{method}");
        assert!(!answer.body.contains(API_KEY), "{method}: {}", answer.body);
    }
}

#[tokio::test]
async fn with_an_admin_token_it_asks_for_the_token() {
    const TOKEN: &str = "0123456789abcdef-the-admin-token";
    let server = TestServer::serve(
        MockServer::builder()
            .scenario_built(bundled("default"))
            .admin_token(AdminToken::new(TOKEN).expect("token")),
    )
    .await;

    let refused = credentials(&server, "").await;
    let admitted = send(
        server
            .client
            .get(server.url("/__mock/credentials"))
            .header("authorization", format!("Bearer {TOKEN}")),
    )
    .await;

    assert_eq!(refused.status, 401, "{}", refused.body);
    assert_eq!(refused.headers["x-mock-error"], "admin-token");
    assert!(!refused.body.contains(API_KEY), "{}", refused.body);
    assert_eq!(admitted.status, 200, "{}", admitted.body);
    assert_eq!(pairs(&admitted), owned(&DEFAULT_PAIRS));
}

#[tokio::test]
async fn without_the_admin_api_it_is_404() {
    let options = MockOptions {
        admin: false,
        ..MockOptions::default()
    };
    let server = TestServer::folder(&root().join("scenarios"), "default", options).await;

    let answer = credentials(&server, "").await;

    assert_eq!(answer.status, 404, "{}", answer.body);
    assert_eq!(answer.error_message(), "Invalid endpoint");
    assert!(!answer.body.contains(API_KEY), "{}", answer.body);
}

#[tokio::test]
async fn the_api_key_a_request_sent_shows_nowhere() {
    let server = TestServer::bundled("default").await;
    let secret = "a-secret-key-a-request-sent";
    for scenario in ["default", "locked"] {
        let refused = send(
            server
                .get_as("/api/transaction/click_detail", secret, USERNAME)
                .header("x-mock-scenario", scenario)
                .query(&[("transaction_hash", EXAMPLE_CLICK)]),
        )
        .await;
        assert_eq!(refused.status, 401, "{}", refused.body);
        assert!(!refused.body.contains(secret), "{}", refused.body);
    }

    let listed = [
        credentials(&server, "").await,
        credentials(&server, "?scenario=locked").await,
        send(server.client.get(server.url("/__mock/requests"))).await,
        send(server.client.get(server.url("/__mock/scenario"))).await,
    ];

    for answer in listed {
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert!(!answer.body.contains(secret), "{}", answer.body);
    }
}
