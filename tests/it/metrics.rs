//! `GET /__mock/metrics`, read back with a Prometheus text parser after a
//! known sequence of requests: each counter's exact value, the histogram's
//! count, and what a reset leaves (everything).

use n4n_mock::MockServer;
use prometheus_parse::{Sample, Scrape, Value};
use serde_json::json;

use crate::postbacks::{SCENARIO, refused_url, sale, scenario, settled, target};
use crate::util::{API_KEY, EXAMPLE_CLICK, TestServer, USERNAME, scenario_from_yaml, send};

async fn scrape(server: &TestServer) -> (String, Scrape) {
    let answer = send(server.client.get(server.url("/__mock/metrics"))).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.headers["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let lines = answer.body.lines().map(|l| Ok(l.to_string()));
    let parsed = Scrape::parse(lines).expect("the Prometheus text format");
    (answer.body, parsed)
}

/// The value of the sample `metric` with exactly `labels`.
fn value(scrape: &Scrape, metric: &str, labels: &[(&str, &str)]) -> Option<f64> {
    scrape
        .samples
        .iter()
        .find(|s| s.metric == metric && has_labels(s, labels))
        .map(|s| match &s.value {
            Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => *v,
            Value::Histogram(buckets) => buckets
                .iter()
                .find(|b| b.less_than.is_infinite())
                .map_or(0.0, |b| b.count),
            Value::Summary(_) => f64::NAN,
        })
}

fn has_labels(sample: &Sample, labels: &[(&str, &str)]) -> bool {
    labels.iter().all(|(k, v)| sample.labels.get(k) == Some(*v))
        && sample.labels.len() == labels.len()
}

fn count(scrape: &Scrape, metric: &str) -> usize {
    scrape.samples.iter().filter(|s| s.metric == metric).count()
}

async fn lookup(server: &TestServer, path: &str, scenario: Option<&str>) -> u16 {
    let mut request = server
        .client
        .get(server.url(path))
        .header("api-key", API_KEY)
        .header("api-username", USERNAME)
        .query(&[("transaction_hash", EXAMPLE_CLICK)]);
    if let Some(name) = scenario {
        request = request.header("x-mock-scenario", name);
    }
    send(request).await.status
}

#[tokio::test]
async fn each_counter_and_the_histogram_count_what_happened_and_a_reset_keeps_them() {
    let dir = tempfile::tempdir().expect("dir");
    let extra = dir.path().join("extra.yaml");
    std::fs::write(&extra, "credentials: [{username: u, api_key: k}]\n").expect("write");
    let refused = format!("{}/pb", refused_url());
    let server = TestServer::serve(
        MockServer::builder()
            .scenarios_dir(dir.path())
            .scenario_built(scenario(&[target("gone", &refused, "retry: []")])),
    )
    .await;

    // The API: two lookups and one through the alias in `default`, a 401 in
    // `locked`, an unknown path, a scenario that is not loaded, three pings
    // in `flaky` (the third a 503 fault).
    assert_eq!(
        lookup(&server, "/api/transaction/click_detail", Some("default")).await,
        200
    );
    assert_eq!(
        lookup(&server, "/api/transaction/click_detail", Some("default")).await,
        200
    );
    assert_eq!(
        lookup(&server, "/api/transaction/click_details", Some("default")).await,
        200
    );
    assert_eq!(
        lookup(&server, "/api/transaction/click_detail", Some("locked")).await,
        401
    );
    assert_eq!(lookup(&server, "/api/nothing", None).await, 404);
    assert_eq!(
        lookup(&server, "/api/transaction/click_detail", Some("no-such")).await,
        400
    );
    for expected in [200, 200, 503] {
        assert_eq!(
            lookup(&server, "/api/service/ping", Some("flaky")).await,
            expected
        );
    }
    // Six pings in `rate-limited` (five a window): the sixth refused.
    for expected in [200, 200, 200, 200, 200, 429] {
        assert_eq!(
            lookup(&server, "/api/service/ping", Some("rate-limited")).await,
            expected
        );
    }
    // A postback that fails (refused, no retry), then one to a target put
    // through the admin API (its name is a request's: not a label).
    sale(&server).await;
    settled(&server, 1).await;
    let put = send(
        server
            .client
            .put(server.url("/__mock/postbacks/targets"))
            .json(&json!([{"name": "chosen-by-a-client", "url": refused, "retry": []}])),
    )
    .await;
    assert_eq!(put.status, 200, "{}", put.body);
    sale(&server).await;
    settled(&server, 2).await;
    // A reload that works, then one that fails.
    assert_eq!(
        send(server.client.post(server.url("/__mock/reload")))
            .await
            .status,
        200
    );
    std::fs::write(&extra, "credentials: [oops\n").expect("break");
    assert_eq!(
        send(server.client.post(server.url("/__mock/reload")))
            .await
            .status,
        422
    );

    let (page, metrics) = scrape(&server).await;
    let requests = "n4n_mock_requests_total";
    let expected: [(&str, &str, &str, f64); 9] = [
        ("clickDetail", "200", "default", 2.0),
        ("clickDetails", "200", "default", 1.0),
        ("clickDetail", "401", "locked", 1.0),
        ("unknown", "404", SCENARIO, 1.0),
        ("clickDetail", "400", "", 1.0),
        ("ping", "200", "flaky", 2.0),
        ("ping", "503", "flaky", 1.0),
        ("ping", "200", "rate-limited", 5.0),
        ("ping", "429", "rate-limited", 1.0),
    ];
    for (operation, status, scenario, n) in expected {
        let labels = [
            ("operation", operation),
            ("status", status),
            ("scenario", scenario),
        ];
        assert_eq!(
            value(&metrics, requests, &labels),
            Some(n),
            "{labels:?}\n{page}"
        );
    }
    assert_eq!(count(&metrics, requests), expected.len(), "{page}");
    assert!(
        !page.contains("no-such"),
        "a request's scenario name is no label"
    );
    assert!(
        !page.contains("chosen-by-a-client"),
        "a request's target name is no label"
    );
    let durations = "n4n_mock_request_duration_seconds";
    for (operation, n) in [
        ("clickDetail", 4.0),
        ("clickDetails", 1.0),
        ("unknown", 1.0),
        ("ping", 9.0),
    ] {
        assert_eq!(
            value(&metrics, durations, &[("operation", operation)]),
            Some(n),
            "{operation}"
        );
    }
    assert_eq!(
        value(
            &metrics,
            "n4n_mock_faults_total",
            &[("kind", "status"), ("scenario", "flaky")]
        ),
        Some(1.0)
    );
    assert_eq!(
        value(
            &metrics,
            "n4n_mock_faults_total",
            &[("kind", "rate_limit"), ("scenario", "rate-limited")]
        ),
        Some(1.0)
    );
    assert_eq!(count(&metrics, "n4n_mock_faults_total"), 2, "{page}");
    let postbacks = "n4n_mock_postbacks_total";
    for target in ["gone", "(replaced)"] {
        let labels = [("target", target), ("event", "sale"), ("state", "failed")];
        assert_eq!(
            value(&metrics, postbacks, &labels),
            Some(1.0),
            "{target}\n{page}"
        );
    }
    for (result, n) in [("success", 1.0), ("failure", 1.0)] {
        assert_eq!(
            value(&metrics, "n4n_mock_reloads_total", &[("result", result)]),
            Some(n)
        );
    }
    assert_eq!(value(&metrics, "n4n_mock_journal_entries", &[]), Some(15.0));
    assert!(value(&metrics, "n4n_mock_journal_bytes", &[]).is_some_and(|b| b > 0.0));
    assert_eq!(
        value(
            &metrics,
            "n4n_mock_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))]
        ),
        Some(1.0)
    );

    // A reset and a cleared journal leave the counters as they were.
    assert_eq!(
        send(server.client.post(server.url("/__mock/reset")))
            .await
            .status,
        200
    );
    assert_eq!(
        send(server.client.delete(server.url("/__mock/requests")))
            .await
            .status,
        200
    );
    let (_, after) = scrape(&server).await;
    let labels = [
        ("operation", "clickDetail"),
        ("status", "200"),
        ("scenario", "default"),
    ];
    assert_eq!(value(&after, requests, &labels), Some(2.0));
    assert_eq!(value(&after, "n4n_mock_journal_entries", &[]), Some(0.0));
    // Admin calls, the scrapes among them, are not counted.
    assert_eq!(count(&after, requests), expected.len());
}

#[tokio::test]
async fn a_connection_a_fault_dropped_counts_with_an_empty_status() {
    let server = TestServer::start(scenario_from_yaml(
        "credentials: [{username: qa, api_key: key-one}]\n\
         faults: [{first: 1, drop_connection: true}]\n\
         clicks: [{click_hash: c1, loginid: 1}]\n",
    ))
    .await;
    let ping = || server.get_as("/api/service/ping", "key-one", "qa");
    assert!(
        ping().send().await.is_err(),
        "the first connection is dropped"
    );
    assert_eq!(send(ping()).await.status, 200);

    let (page, metrics) = scrape(&server).await;

    let mut statuses: Vec<(Option<&str>, f64)> = metrics
        .samples
        .iter()
        .filter(|s| s.metric == "n4n_mock_requests_total")
        .map(|s| {
            let n = match s.value {
                Value::Counter(n) => n,
                _ => f64::NAN,
            };
            (s.labels.get("status"), n)
        })
        .collect();
    statuses.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(statuses, [(Some(""), 1.0), (Some("200"), 1.0)], "{page}");
    let dropped = page
        .lines()
        .find(|l| l.starts_with("n4n_mock_requests_total{") && !l.contains("status=\"200\""))
        .unwrap_or_else(|| panic!("no sample of the dropped request:\n{page}"));
    assert!(
        dropped.contains(",status=\"\",") && dropped.ends_with(" 1"),
        "{dropped}"
    );
    let faults = value(
        &metrics,
        "n4n_mock_faults_total",
        &[("kind", "drop_connection"), ("scenario", "test")],
    );
    assert_eq!(faults, Some(1.0), "{page}");
}
