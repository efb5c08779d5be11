//! `--admin-token`: every admin path but the health check and the console's
//! files asks for `Authorization: Bearer TOKEN`; the API paths do not.

use std::process::Stdio;

use n4n_mock::{AdminToken, MockServer};
use reqwest::Method;

use crate::util::{
    API_KEY, EXAMPLE_CLICK, RunningBinary, TestServer, USERNAME, binary, bundled, send,
};

const TOKEN: &str = "0123456789abcdef-the-admin-token";

/// Every admin path, with a method it answers and a body it reads.
const ADMIN_CALLS: [(&str, &str, &str); 16] = [
    ("GET", "/__mock/scenario", ""),
    ("PUT", "/__mock/scenario", r#"{"name":"default"}"#),
    ("POST", "/__mock/reload", ""),
    ("GET", "/__mock/requests", ""),
    ("DELETE", "/__mock/requests", ""),
    ("POST", "/__mock/reset", ""),
    ("POST", "/__mock/verify", r#"{"expect":[{"at_most":0}]}"#),
    ("GET", "/__mock/openapi.yaml", ""),
    (
        "POST",
        "/__mock/conversions",
        r#"{"click_hash":"x","amount":"1"}"#,
    ),
    ("GET", "/__mock/postbacks", ""),
    ("GET", "/__mock/postbacks/targets", ""),
    ("PUT", "/__mock/postbacks/targets", "[]"),
    ("GET", "/__mock/metrics", ""),
    ("GET", "/__mock/credentials", ""),
    // A known path with a method it does not take, and an unknown path.
    ("DELETE", "/__mock/reset", ""),
    ("GET", "/__mock/nothing-here", ""),
];

async fn with_token() -> TestServer {
    TestServer::serve(
        MockServer::builder()
            .scenario_built(bundled("default"))
            .admin_token(AdminToken::new(TOKEN).expect("token")),
    )
    .await
}

async fn call(
    server: &TestServer,
    (method, path, body): (&str, &str, &str),
    auth: Option<&str>,
) -> crate::util::Answer {
    let method = Method::from_bytes(method.as_bytes()).expect("method");
    let mut request = server
        .client
        .request(method, server.url(path))
        .body(body.to_string());
    if let Some(auth) = auth {
        request = request.header("authorization", auth);
    }
    send(request).await
}

#[tokio::test]
async fn every_admin_path_refuses_a_missing_or_wrong_token_and_takes_the_right_one() {
    let server = with_token().await;
    let right = format!("Bearer {TOKEN}");
    let wrong = format!("Bearer {}x", &TOKEN[..TOKEN.len() - 1]);

    for admin in ADMIN_CALLS {
        for auth in [
            None,
            Some(wrong.as_str()),
            Some("Basic dXNlcjpwYXNz"),
            Some(TOKEN),
        ] {
            let answer = call(&server, admin, auth).await;
            assert_eq!(
                answer.status, 401,
                "{admin:?} with {auth:?}: {}",
                answer.body
            );
            assert_eq!(
                answer.body,
                r#"{"result":"error","message":"Missing or invalid admin token"}"#
            );
            assert_eq!(answer.headers["www-authenticate"], "Bearer");
            assert_eq!(answer.headers["x-mock-error"], "admin-token");
            assert!(!answer.body.contains(TOKEN));
        }
        let answer = call(&server, admin, Some(&right)).await;
        assert_ne!(answer.status, 401, "{admin:?}: {}", answer.body);
        assert!(
            answer.headers.get("www-authenticate").is_none(),
            "{admin:?}"
        );
    }
    // Wrong-method and unknown paths answer as without a token once admitted.
    assert_eq!(
        call(&server, ADMIN_CALLS[14], Some(&right)).await.status,
        405
    );
    assert_eq!(
        call(&server, ADMIN_CALLS[15], Some(&right)).await.status,
        404
    );
}

#[tokio::test]
async fn the_health_check_the_console_and_the_api_need_no_token() {
    let server = with_token().await;

    for path in [
        "/__mock/health",
        "/__mock/ui",
        "/__mock/ui/app.js",
        "/__mock/ui/style.css",
    ] {
        let answer = call(&server, ("GET", path, ""), None).await;
        assert_eq!(answer.status, 200, "{path}");
    }
    let lookup = send(
        server
            .client
            .get(server.url("/api/transaction/click_detail"))
            .header("api-key", API_KEY)
            .header("api-username", USERNAME)
            .query(&[("transaction_hash", EXAMPLE_CLICK)]),
    )
    .await;
    assert_eq!(lookup.status, 200);
}

#[tokio::test]
async fn without_a_token_the_admin_api_is_open() {
    let server = TestServer::start(bundled("default")).await;

    for admin in &ADMIN_CALLS[..13] {
        assert_ne!(call(&server, *admin, None).await.status, 401, "{admin:?}");
    }
}

// --- the command line --------------------------------------------------------

/// Gives a command the token, one way or another.
type SetToken<'a> = dyn Fn(&mut std::process::Command) + 'a;

#[tokio::test]
async fn the_token_comes_from_the_flag_the_environment_or_a_file_and_is_never_logged() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("token");
    std::fs::write(&file, format!("{TOKEN}\n")).expect("write");
    let starts: [(&str, Box<SetToken<'_>>); 3] = [
        (
            "flag",
            Box::new(|c| {
                c.args(["--admin-token", TOKEN]);
            }),
        ),
        (
            "environment",
            Box::new(|c| {
                c.env("N4N_MOCK_ADMIN_TOKEN", TOKEN);
            }),
        ),
        (
            "file",
            Box::new(|c| {
                c.arg("--admin-token-file").arg(&file);
            }),
        ),
    ];
    for (how, set) in starts {
        let mut command = binary();
        command
            .env("RUST_LOG", "debug")
            .env_remove("N4N_MOCK_ADMIN_TOKEN");
        set(&mut command);
        let server = RunningBinary::start_with(&mut command);
        let url = server.url("/__mock/requests");
        let client = reqwest::Client::new();
        let refused = send(client.get(&url)).await;
        assert_eq!(refused.status, 401, "{how}");
        let admitted = send(
            client
                .get(&url)
                .header("authorization", format!("Bearer {TOKEN}")),
        )
        .await;
        assert_eq!(admitted.status, 200, "{how}");
        server.signal("TERM");
        let (_, logs) = server.wait_exit(std::time::Duration::from_secs(10));
        assert!(
            !logs.contains(TOKEN),
            "{how}: the token is in the log:\n{logs}"
        );
    }
}

#[test]
fn help_does_not_show_the_token_from_the_environment() {
    let output = binary()
        .args(["serve", "--help"])
        .env("N4N_MOCK_ADMIN_TOKEN", TOKEN)
        .output()
        .expect("run");
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("--admin-token <TOKEN>"), "{help}");
    assert!(help.contains("N4N_MOCK_ADMIN_TOKEN"), "{help}");
    assert!(!help.contains(TOKEN), "{help}");
}

#[test]
fn an_empty_token_or_an_unreadable_file_stops_the_start() {
    let dir = tempfile::tempdir().expect("dir");
    let empty = dir.path().join("empty");
    std::fs::write(&empty, "\n").expect("write");
    for args in [
        vec!["--admin-token".to_string(), String::new()],
        vec![
            "--admin-token-file".to_string(),
            empty.display().to_string(),
        ],
        vec![
            "--admin-token-file".to_string(),
            dir.path().join("missing").display().to_string(),
        ],
        vec![
            "--admin-token".to_string(),
            "a".into(),
            "--admin-token-file".into(),
            empty.display().to_string(),
        ],
    ] {
        let output = binary()
            .args(["serve", "--port", "0"])
            .args(&args)
            .env_remove("N4N_MOCK_ADMIN_TOKEN")
            .stdin(Stdio::null())
            .output()
            .expect("run");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("admin token") || stderr.contains("--admin-token"),
            "{args:?}: {stderr}"
        );
    }
}
