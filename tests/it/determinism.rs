//! The same scenario and request give the same status, headers (but `Date`)
//! and body bytes, in separately started server processes.

use crate::util::{API_KEY, EXAMPLE_CLICK, RunningBinary, USERNAME};

/// One request: method, path, headers, body.
type Request = (
    &'static str,
    String,
    Vec<(&'static str, String)>,
    Option<String>,
);

fn requests() -> Vec<Request> {
    let auth = || {
        vec![
            ("api-key", API_KEY.to_string()),
            ("api-username", USERNAME.to_string()),
        ]
    };
    let form = |body: &str| {
        let mut headers = auth();
        headers.push((
            "content-type",
            "application/x-www-form-urlencoded".to_string(),
        ));
        (headers, Some(body.to_string()))
    };
    let click = "/api/transaction/click_detail".to_string();
    let mut list: Vec<Request> = Vec::new();
    for lookup in [
        format!("transaction_hash={EXAMPLE_CLICK}"),
        "subscription_id=SUB-88".into(),
        "orderid=ORD-3001".into(),
        "transaction_hash=4c82e9b7d2216a3.50318842".into(),
        "transaction_hash=unknown".into(),
        "other=1".into(),
        "a".repeat(70 * 1024),
    ] {
        let (headers, body) = form(&lookup);
        list.push(("GET", click.clone(), headers, body));
    }
    list.push(("GET", "/api/nope".into(), auth(), None));
    list.push(("POST", click.clone(), auth(), None));
    list.push(("GET", click.clone(), Vec::new(), None));
    list.push((
        "GET",
        click.clone(),
        vec![("api-key", "x".into()), ("api-username", "y".into())],
        None,
    ));
    let mut json = auth();
    json.push(("content-type", "application/json".into()));
    list.push(("GET", click.clone(), json, Some("{bad".into())));
    list.push(("GET", "/api/service/ping".into(), auth(), None));
    list.push(("GET", "/__mock/health".into(), Vec::new(), None));
    list
}

/// Status, headers without `Date` (sorted by name), and body bytes.
type Exchange = (u16, Vec<(String, Vec<u8>)>, Vec<u8>);

/// What the server answers to each of [`requests`].
fn answers(server: &RunningBinary) -> Vec<Exchange> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let client = reqwest::Client::new();
    runtime.block_on(async {
        let mut out = Vec::new();
        for (method, path, headers, body) in requests() {
            let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
            let mut request = client.request(method, server.url(&path));
            for (name, value) in headers {
                request = request.header(name, value);
            }
            if let Some(body) = body {
                request = request.body(body);
            }
            let response = request.send().await.expect("request");
            let status = response.status().as_u16();
            let mut headers: Vec<(String, Vec<u8>)> = response
                .headers()
                .iter()
                .filter(|(name, _)| *name != "date")
                .map(|(name, value)| (name.to_string(), value.as_bytes().to_vec()))
                .collect();
            headers.sort();
            let body = response.bytes().await.expect("body").to_vec();
            out.push((status, headers, body));
        }
        out
    })
}

#[test]
fn two_server_processes_answer_byte_for_byte_alike() {
    let first = RunningBinary::start(&[]);
    let second = RunningBinary::start(&[]);

    let a = answers(&first);
    let b = answers(&second);

    assert_eq!(a.len(), requests().len());
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        assert_eq!(x, y, "request {i} differs");
    }
    let statuses: Vec<u16> = a.iter().map(|(s, _, _)| *s).collect();
    assert_eq!(
        statuses,
        [
            200, 200, 200, 200, 404, 400, 413, 404, 405, 401, 401, 400, 200, 200
        ]
    );
}
