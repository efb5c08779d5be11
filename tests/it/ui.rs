//! The QA console at `/__mock/ui`: the page and its files, built into the
//! binary, served with their types and a strict Content-Security-Policy;
//! nothing in them from another origin; the admin API's rules for methods
//! and `--no-admin`; and the admin JSON it reads.

use n4n_mock::MockOptions;

use crate::util::{API_KEY, Answer, TestServer, USERNAME, root, send};

/// The console's paths and the `Content-Type` each is served with.
const FILES: [(&str, &str); 4] = [
    ("/__mock/ui", "text/html; charset=utf-8"),
    ("/__mock/ui/", "text/html; charset=utf-8"),
    ("/__mock/ui/app.js", "text/javascript; charset=utf-8"),
    ("/__mock/ui/style.css", "text/css; charset=utf-8"),
];

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

async fn get(server: &TestServer, path: &str) -> Answer {
    send(server.client.get(server.url(path))).await
}

fn header<'a>(answer: &'a Answer, name: &str) -> &'a str {
    answer
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

#[tokio::test]
async fn each_file_of_the_console_answers_200_with_its_type() {
    let server = TestServer::bundled("default").await;

    for (path, content_type) in FILES {
        let answer = get(&server, path).await;

        assert_eq!(answer.status, 200, "{path}");
        assert_eq!(answer.content_type(), content_type, "{path}");
        assert!(!answer.body.is_empty(), "{path}");
    }
}

#[tokio::test]
async fn each_file_is_sent_with_the_strict_policy_nosniff_and_no_cache() {
    let server = TestServer::bundled("default").await;

    for (path, _) in FILES {
        let answer = get(&server, path).await;

        assert_eq!(header(&answer, "content-security-policy"), CSP, "{path}");
        assert_eq!(
            header(&answer, "x-content-type-options"),
            "nosniff",
            "{path}"
        );
        assert_eq!(header(&answer, "cache-control"), "no-cache", "{path}");
        assert_eq!(header(&answer, "x-frame-options"), "DENY", "{path}");
    }
}

#[tokio::test]
async fn the_page_loads_its_script_and_style_from_the_console_paths() {
    let server = TestServer::bundled("default").await;

    let page = get(&server, "/__mock/ui").await.body;

    assert!(
        page.contains(r#"<script src="/__mock/ui/app.js" defer></script>"#),
        "{page}"
    );
    assert!(
        page.contains(r#"<link rel="stylesheet" href="/__mock/ui/style.css">"#),
        "{page}"
    );
}

#[tokio::test]
async fn the_page_has_no_inline_script_style_or_handler() {
    let server = TestServer::bundled("default").await;

    let page = get(&server, "/__mock/ui").await.body.to_lowercase();

    assert_eq!(
        page.matches("<script").count(),
        page.matches("<script src=").count(),
        "every script is a file"
    );
    for inline in [
        "<style",
        " style=",
        "javascript:",
        " onclick=",
        " onload=",
        " oninput=",
    ] {
        assert!(!page.contains(inline), "the page holds {inline:?}");
    }
}

#[tokio::test]
async fn nothing_in_the_console_names_another_origin() {
    let server = TestServer::bundled("default").await;

    for (path, _) in FILES {
        let body = get(&server, path).await.body.to_lowercase();

        for external in [
            "http://",
            "https://",
            "//cdn",
            "src=\"//",
            "href=\"//",
            "url(",
        ] {
            assert!(!body.contains(external), "{path} holds {external:?}");
        }
        assert!(!body.contains("localstorage.setitem"), "{path}");
    }
}

#[tokio::test]
async fn credentials_typed_in_the_console_go_to_session_storage_and_headers_only() {
    let server = TestServer::bundled("default").await;

    let script = get(&server, "/__mock/ui/app.js").await.body;

    assert!(script.contains("sessionStorage.setItem"));
    assert!(!script.contains("localStorage"));
    assert!(!script.contains("document.cookie"));
    assert!(script.contains(r#"headers["api-key"] = key"#));
}

#[tokio::test]
async fn another_method_on_a_console_path_is_405_allowing_get() {
    let server = TestServer::bundled("default").await;

    for (path, _) in FILES {
        for method in [
            reqwest::Method::POST,
            reqwest::Method::PUT,
            reqwest::Method::DELETE,
        ] {
            let answer = send(server.client.request(method.clone(), server.url(path))).await;

            assert_eq!(answer.status, 405, "{method} {path}");
            assert_eq!(header(&answer, "allow"), "GET", "{method} {path}");
            assert_eq!(answer.error_message(), "Invalid request method");
        }
    }
}

#[tokio::test]
async fn another_file_under_the_console_is_404() {
    let server = TestServer::bundled("default").await;

    for path in [
        "/__mock/ui/index.html",
        "/__mock/ui/app.js.map",
        "/__mock/uix",
    ] {
        let answer = get(&server, path).await;

        assert_eq!(answer.status, 404, "{path}");
        assert_eq!(answer.error_message(), "Invalid endpoint");
    }
}

#[tokio::test]
async fn without_the_admin_api_the_console_is_404() {
    let options = MockOptions {
        admin: false,
        ..MockOptions::default()
    };
    let server = TestServer::folder(&root().join("scenarios"), "default", options).await;

    for (path, _) in FILES {
        let answer = get(&server, path).await;

        assert_eq!(answer.status, 404, "{path}");
        assert_eq!(answer.error_message(), "Invalid endpoint");
        assert!(
            answer.headers.get("content-security-policy").is_none(),
            "{path}"
        );
    }
}

#[tokio::test]
async fn console_requests_are_not_journaled() {
    let server = TestServer::bundled("default").await;

    for (path, _) in FILES {
        get(&server, path).await;
    }

    assert_eq!(server.journal("").await["requests"], serde_json::json!([]));
}

// --- the admin JSON the console reads --------------------------------------

const LIFECYCLE_SALE: &str = "a1c0ffee0000002.10000002";

async fn scenario_summary(server: &TestServer, name: &str) -> serde_json::Value {
    let list = get(server, "/__mock/scenario").await.json();
    list["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("{name} listed: {list}"))
        .clone()
}

async fn void_the_sale(server: &TestServer) {
    let answer = send(
        server
            .post_as("/api/transaction/process_void", API_KEY, USERNAME)
            .form(&[("transaction_hash", LIFECYCLE_SALE)]),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
}

#[tokio::test]
async fn each_scenario_lists_no_event_before_any_action() {
    let server = TestServer::bundled("lifecycle").await;

    let summary = scenario_summary(&server, "lifecycle").await;

    assert_eq!(summary["event_log"], serde_json::json!([]));
}

#[tokio::test]
async fn a_scenario_lists_each_event_with_its_transaction_and_the_one_appended() {
    let server = TestServer::bundled("lifecycle").await;

    void_the_sale(&server).await;

    let summary = scenario_summary(&server, "lifecycle").await;
    let log = summary["event_log"].as_array().expect("event_log");
    assert_eq!(log.len(), 1, "{summary}");
    assert_eq!(summary["events"], 1);
    let event = &log[0];
    assert_eq!(event["kind"], "void");
    assert_eq!(event["transaction_hash"], LIFECYCLE_SALE);
    // The walk-through of docs/lifecycle.md: the first event gets the scenario clock's `now`.
    assert_eq!(event["event_hash"], "d416e88c4637da9.70584947");
    assert_eq!(event["time"], "1763769600");
    assert_eq!(
        event
            .as_object()
            .map(|o| o.keys().cloned().collect::<Vec<_>>()),
        Some(vec![
            "kind".to_string(),
            "transaction_hash".to_string(),
            "event_hash".to_string(),
            "time".to_string()
        ])
    );
}

#[tokio::test]
async fn reset_empties_every_event_list() {
    let server = TestServer::bundled("lifecycle").await;
    void_the_sale(&server).await;

    server.admin_post("reset").await;

    let summary = scenario_summary(&server, "lifecycle").await;
    assert_eq!(summary["event_log"], serde_json::json!([]));
    assert_eq!(summary["events"], 0);
}
