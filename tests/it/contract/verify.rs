//! `n4n-mock verify`: no drift against the mock, each drifted field named
//! by its path, JSON for CI, and exit 2 when the server cannot be reached.

use std::path::Path;

use serde_json::Value;

use super::*;
use crate::util::*;

#[test]
fn verify_finds_no_drift_in_the_default_mock() {
    let upstream = RunningBinary::start(&[]);

    let (code, stdout, stderr) = run(
        n4n()
            .args(["verify", "--upstream", &format!("http://{}", upstream.addr)])
            .args(["--api-username", USERNAME, "--api-key", API_KEY])
            .args(lookup_flags(&RECORDED_LOOKUPS))
            .args(["--scenario", "default"]),
        API_KEY,
    );

    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("no drift: 7 answers match the contract"),
        "{stdout}"
    );
    assert!(
        stdout.contains("note: $.click.tracking_domain is an extra field"),
        "the default scenario's extra field is named, not counted: {stdout}"
    );
}

const DRIFTED: &str = r#"description: A server that drifted from the contract.
credentials: [{username: n4n_admin, api_key: 44b5498dbcb481a0d00b404c0169af62}]
clicks:
  - click_hash: 35b71a300115be9.16738986
    response:
      result: success
      click:
        click_hash: 35b71a300115be9.16738986
        time: "1763632800"
        loginid: 1001
        offerid: "12"
        landing_pageid: "3"
        campaignid: "0"
        creativeid: "7"
        subid1: spring
        subid2: ""
        external_clickid: ""
        ip: 203.0.113.7
        country: US
        referrer: ""
        user_agent: ""
        score: 5
      transactions:
        - transaction_hash: ac35ffba0fc0007.24591976
          time: "1763636400"
          trans_type: initial
          status: approved
          orderid: ORD-1001
          subscription_id: SUB-77
          amount: 29.95
          total_payout: "10.00"
          payouts: []
      server_time: 1763640000
"#;

fn drifted_mock(dir: &Path) -> (RunningBinary, std::path::PathBuf) {
    let file = dir.join("drifted.yaml");
    std::fs::write(&file, DRIFTED).expect("write");
    (
        RunningBinary::start_with(binary().arg("--scenario").arg(&file)),
        file,
    )
}

#[test]
fn verify_names_each_added_dropped_and_retyped_field() {
    let dir = tempfile::tempdir().expect("dir");
    let (upstream, file) = drifted_mock(dir.path());

    let (code, stdout, stderr) = run(
        n4n()
            .args(["verify", "--upstream", &format!("http://{}", upstream.addr)])
            .args([
                "--api-username",
                USERNAME,
                "--api-key",
                API_KEY,
                "--scenario",
            ])
            .arg(&file),
        API_KEY,
    );

    assert_eq!(code, Some(1), "{stdout}\n{stderr}");
    for (path, kind) in [
        ("$.click.loginid", "retyped"),
        ("$.click.username", "missing"),
        ("$.click.score", "added"),
        ("$.transactions[0].amount", "retyped"),
        ("$.server_time", "added"),
    ] {
        let line = stdout
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{path} ")))
            .unwrap_or_else(|| panic!("{path} is not named:\n{stdout}"));
        assert!(line.contains(kind), "{path} is not `{kind}`: {line}");
    }
    assert!(
        stdout.contains("drift: 5 differences in 1 of 1 answer\n"),
        "{stdout}"
    );
}

#[test]
fn verify_reports_drift_as_json_for_ci() {
    let dir = tempfile::tempdir().expect("dir");
    let (upstream, _) = drifted_mock(dir.path());

    let (code, stdout, stderr) = run(
        n4n()
            .args([
                "verify",
                "--format",
                "json",
                "--transaction-hash",
                EXAMPLE_CLICK,
            ])
            .env("N4N_UPSTREAM_URL", format!("http://{}", upstream.addr))
            .env("N4N_UPSTREAM_USERNAME", USERNAME)
            .env("N4N_UPSTREAM_API_KEY", API_KEY),
        API_KEY,
    );

    assert_eq!(code, Some(1), "{stderr}");
    let report: Value = serde_json::from_str(&stdout).expect("one JSON object");
    assert_eq!(report["drift"], true);
    assert_eq!(report["differences"], 5);
    let differences = report["answers"][0]["differences"]
        .as_array()
        .expect("list");
    let loginid = differences
        .iter()
        .find(|d| d["path"] == "$.click.loginid")
        .expect("loginid named");
    assert_eq!(loginid["kind"], "retyped");
    assert_eq!(loginid["expected"], "string");
    assert_eq!(loginid["found"], "number (1001)");
}

#[test]
fn verify_exits_2_when_the_upstream_cannot_be_reached() {
    let (code, stdout, stderr) = run(
        n4n()
            .args(["verify", "--format", "json"])
            .args(["--upstream", &format!("http://127.0.0.1:{}", closed_port())])
            .args(["--api-username", USERNAME, "--api-key", API_KEY])
            .args(["--transaction-hash", EXAMPLE_CLICK]),
        API_KEY,
    );

    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("cannot reach"), "{stderr}");
    let report: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(report["drift"], Value::Null);
}

#[test]
fn verify_speaks_https_and_a_failed_handshake_is_unreachable() {
    // A plain-HTTP mock cannot complete a TLS handshake: the https:// URL is
    // accepted (TLS is built in) and the failure is an unreachable upstream.
    let upstream = RunningBinary::start(&[]);

    let (code, _, stderr) = run(
        n4n()
            .args([
                "verify",
                "--upstream",
                &format!("https://{}", upstream.addr),
            ])
            .args(["--api-username", USERNAME, "--api-key", API_KEY])
            .args(["--transaction-hash", EXAMPLE_CLICK]),
        API_KEY,
    );

    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("cannot reach https://"), "{stderr}");
}

#[test]
fn verify_without_lookups_is_a_usage_error() {
    let (code, _, stderr) = run(
        n4n().args([
            "verify",
            "--upstream",
            "http://127.0.0.1:9",
            "--api-username",
            USERNAME,
            "--api-key",
            API_KEY,
        ]),
        API_KEY,
    );

    assert_eq!(code, Some(2));
    assert!(stderr.contains("nothing to verify"), "{stderr}");
}

#[test]
fn verify_finds_a_scenario_by_its_name_as_serve_does() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join("file-stem.yaml"),
        format!(
            "name: by-name\ncredentials: [{{username: {USERNAME}, api_key: {API_KEY}}}]\n\
             clicks: [{{click_hash: {EXAMPLE_CLICK}}}]\n"
        ),
    )
    .expect("write");
    let upstream = RunningBinary::start(&[]);
    let verify_scenario = |name: &str| {
        run(
            n4n()
                .args(["verify", "--upstream", &format!("http://{}", upstream.addr)])
                .args(["--api-username", USERNAME, "--api-key", API_KEY])
                .args(["--scenario", name, "--scenarios-dir"])
                .arg(dir.path()),
            API_KEY,
        )
    };

    let (by_name, stdout, stderr) = verify_scenario("by-name");
    let (by_stem, _, unknown) = verify_scenario("file-stem");

    assert_eq!(by_name, Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("1 answer"), "{stdout}");
    assert_eq!(by_stem, Some(2), "a stem is not a name when `name:` is set");
    assert!(
        unknown.contains("unknown scenario `file-stem`") && unknown.contains("by-name"),
        "{unknown}"
    );
}

/// The example click's one transaction, in the default scenario.
const EXAMPLE_TRANSACTION: &str = "ac35ffba0fc0007.24591976";

/// `GET path` on a running mock, as JSON.
fn admin_json(base: &str, path: &str) -> Value {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime
        .block_on(send(reqwest::Client::new().get(format!("{base}{path}"))))
        .json()
}

#[test]
fn verify_lifecycle_checks_the_error_answers_and_changes_nothing() {
    let upstream = RunningBinary::start(&[]);
    let base = format!("http://{}", upstream.addr);

    let (code, stdout, stderr) = run(
        n4n()
            .args(["verify", "--lifecycle", "--format", "json"])
            .args(["--upstream", &base])
            .args(["--api-username", USERNAME, "--api-key", API_KEY])
            .args(["--transaction-hash", EXAMPLE_CLICK]),
        API_KEY,
    );

    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    let report: Value = serde_json::from_str(&stdout).expect("one JSON object");
    let checked: Vec<(String, u64)> = report["answers"]
        .as_array()
        .expect("answers")
        .iter()
        .filter(|a| a.get("action").is_some())
        .map(|a| {
            let action = &a["action"];
            let what = format!("{} {}", action["method"], action["path"]);
            (what, a["status"].as_u64().expect("status"))
        })
        .collect();
    assert_eq!(
        checked,
        [
            (
                "\"POST\" \"/api/transaction/process_void\"".to_string(),
                400
            ),
            (
                "\"GET\" \"/api/offer/check_orderid_exists\"".to_string(),
                400
            ),
            (
                "\"GET\" \"/api/transaction/transaction_payout_preview\"".to_string(),
                400
            ),
            ("\"GET\" \"/api/transaction/process_void\"".to_string(), 405),
        ]
    );
    let click = form_lookup(
        &base,
        USERNAME,
        API_KEY,
        &format!("transaction_hash={EXAMPLE_CLICK}"),
    )
    .json();
    assert_eq!(click["transactions"][0]["status"], "approved");
    assert_eq!(admin_json(&base, "/__mock/health")["events"], 0);
}

#[test]
fn verify_allow_writes_voids_the_first_transaction_hash_and_is_refused_the_second_time() {
    let upstream = RunningBinary::start(&[]);
    let base = format!("http://{}", upstream.addr);

    let (code, stdout, stderr) = run(
        n4n()
            .args(["verify", "--allow-writes", "--upstream", &base])
            .args(["--api-username", USERNAME, "--api-key", API_KEY])
            .args(["--transaction-hash", EXAMPLE_TRANSACTION]),
        API_KEY,
    );

    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    for line in [
        "a void of the given transaction (POST /api/transaction/process_void): \
         200 success body: matches the contract",
        "the same void again (POST /api/transaction/process_void): \
         400 error envelope: matches the contract",
    ] {
        assert!(stdout.contains(line), "{line}\n{stdout}");
    }
    let click = form_lookup(
        &base,
        USERNAME,
        API_KEY,
        &format!("transaction_hash={EXAMPLE_TRANSACTION}"),
    )
    .json();
    assert_eq!(click["transactions"][0]["status"], "void");
    assert_eq!(click["transactions"][1]["trans_type"], "void");
    assert_eq!(admin_json(&base, "/__mock/health")["events"], 1);
}

#[test]
fn verify_allow_writes_without_a_transaction_hash_is_a_usage_error() {
    let (code, _, stderr) = run(
        n4n()
            .args([
                "verify",
                "--allow-writes",
                "--upstream",
                "http://127.0.0.1:9",
            ])
            .args(["--api-username", USERNAME, "--api-key", API_KEY])
            .args(["--orderid", "ORD-1001"]),
        API_KEY,
    );

    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("--allow-writes voids the first --transaction-hash"),
        "{stderr}"
    );
}
