//! `n4n-mock record` against a second mock: what it writes, that the mock
//! serves it with the same bytes, that the api-key is never written, and
//! that a file already at `--out` is kept unless `--force`, and none is left
//! half written.

use super::*;
use crate::util::*;

/// The api-key `record` writes instead of the real one, as docs/real-server.md shows it.
const PLACEHOLDER_API_KEY: &str = "replace-with-the-api-key-your-tests-send";

#[test]
fn a_recording_of_a_mock_is_served_with_the_same_bytes() {
    let upstream = RunningBinary::start(&[]);
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("recorded.yaml");

    let (code, _, stderr) = run(
        n4n()
            .args(["record", "--upstream", &format!("http://{}", upstream.addr)])
            .args(["--api-username", USERNAME, "--api-key", API_KEY])
            .args(lookup_flags(&RECORDED_LOOKUPS))
            .arg("--out")
            .arg(&file),
        API_KEY,
    );

    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    assert!(
        stderr.contains("recorded 4 clicks and 1 error override"),
        "{stderr}"
    );
    let served = RunningBinary::start_with(binary().arg("--scenario").arg(&file));
    let placeholder = PLACEHOLDER_API_KEY;
    for lookup in RECORDED_LOOKUPS
        .iter()
        .copied()
        .chain(["transaction_hash=ac35ffba0fc0007.24591976"])
    {
        let real = form_lookup(&upstream.url(""), USERNAME, API_KEY, lookup);
        let mock = form_lookup(&served.url(""), USERNAME, placeholder, lookup);
        assert_eq!(
            (mock.status, mock.body.as_str()),
            (real.status, real.body.as_str()),
            "{lookup}"
        );
    }
}

#[test]
fn a_recording_keeps_bodies_verbatim_and_errors_as_overrides() {
    // A server shaped unlike the contract: numbers as written, its own keys
    // in its own order, and errors with its own status and message.
    let dir = tempfile::tempdir().expect("dir");
    let upstream_file = dir.path().join("real.yaml");
    std::fs::write(
        &upstream_file,
        "credentials: [{username: ops, api_key: k-0123456789abcdef}]\n\
         errors:\n  not_found: {status: 410, message: \"No such click\"}\n\
         clicks:\n  - click_hash: h1\n    response: {zeta: 10.00, alpha: [1.50, -0, \"x\"], result: success}\n",
    )
    .expect("write");
    let upstream = RunningBinary::start_with(binary().arg("--scenario").arg(&upstream_file));
    let recorded = dir.path().join("recorded.yaml");

    let (code, _, stderr) = run(
        n4n()
            .args(["record", "--upstream", &format!("http://{}", upstream.addr)])
            .args(["--api-username", "ops", "--api-key", "k-0123456789abcdef"])
            .args(["--transaction-hash", "h1", "--orderid", "ORD-NONE"])
            .arg("--out")
            .arg(&recorded),
        "k-0123456789abcdef",
    );

    assert_eq!(code, Some(0), "{stderr}");
    let text = std::fs::read_to_string(&recorded).expect("recorded");
    assert!(text.contains("zeta: 10.00\n"), "{text}");
    assert!(
        text.contains("not_found:\n    status: 410\n    message: \"No such click\"\n"),
        "{text}"
    );
    assert!(text.contains("# orderid=ORD-NONE answered 410:"), "{text}");
    let served = RunningBinary::start_with(binary().arg("--scenario").arg(&recorded));
    let placeholder = PLACEHOLDER_API_KEY;
    let click = form_lookup(&served.url(""), "ops", placeholder, "transaction_hash=h1");
    let missing = form_lookup(&served.url(""), "ops", placeholder, "orderid=ORD-NONE");
    assert_eq!(
        click.body,
        r#"{"zeta":10.00,"alpha":[1.50,-0,"x"],"result":"success"}"#
    );
    assert_eq!(missing.status, 410);
    assert_eq!(missing.error_message(), "No such click");
}

#[test]
fn a_recorded_file_holds_a_placeholder_never_the_api_key() {
    // The server even echoes the key back in a body: it is scrubbed too.
    let key = "0fa1c3e5b7d9f2a4c6e8b0d2f4a6c8e0";
    let dir = tempfile::tempdir().expect("dir");
    let upstream_file = dir.path().join("echo.yaml");
    std::fs::write(
        &upstream_file,
        format!(
            "credentials: [{{username: ops, api_key: {key}}}]\n\
             clicks:\n  - click_hash: h1\n    response: {{result: success, echo: \"key={key}\"}}\n"
        ),
    )
    .expect("write");
    let upstream = RunningBinary::start_with(binary().arg("--scenario").arg(&upstream_file));
    let recorded = dir.path().join("recorded.yaml");

    let (code, _, stderr) = run(
        n4n()
            .args(["record", "--upstream", &format!("http://{}", upstream.addr)])
            .args(["--api-username", "ops", "--transaction-hash", "h1", "--out"])
            .arg(&recorded)
            .env("N4N_UPSTREAM_API_KEY", key),
        key,
    );

    assert_eq!(code, Some(0), "{stderr}");
    let text = std::fs::read_to_string(&recorded).expect("recorded");
    assert!(!text.contains(key), "{text}");
    let placeholder = PLACEHOLDER_API_KEY;
    assert!(text.contains(&format!("api_key: {placeholder}")), "{text}");
    assert!(
        text.contains("# PLACEHOLDER: not the real api-key"),
        "{text}"
    );
    assert!(
        stderr.contains("is a placeholder, not your key"),
        "{stderr}"
    );
    assert!(stderr.contains("held the api-key"), "{stderr}");
}

#[test]
fn the_api_key_is_not_shown_in_help_even_when_set_in_the_environment() {
    let key = "0fa1c3e5b7d9f2a4c6e8b0d2f4a6c8e0";

    let (code, stdout, _) = run(
        n4n()
            .args(["verify", "--help"])
            .env("N4N_UPSTREAM_API_KEY", key),
        key,
    );

    assert_eq!(code, Some(0));
    assert!(stdout.contains("N4N_UPSTREAM_API_KEY"), "{stdout}");
}

#[test]
fn record_exits_2_when_the_upstream_cannot_be_reached() {
    let (code, stdout, stderr) = run(
        n4n()
            .args([
                "record",
                "--upstream",
                &format!("http://127.0.0.1:{}", closed_port()),
            ])
            .args(["--api-username", USERNAME, "--api-key", API_KEY])
            .args(["--transaction-hash", EXAMPLE_CLICK]),
        API_KEY,
    );

    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("cannot reach"), "{stderr}");
    assert!(stdout.is_empty(), "no scenario written: {stdout}");
}

/// A scenario somebody wrote by hand, to be kept.
const PRECIOUS: &[u8] = b"# an afternoon's work\nclicks: []\n";

/// `record` of the example click from `upstream` into `out`, plus `args`.
fn record_into(upstream: &str, out: &std::path::Path, args: &[&str]) -> (Option<i32>, String) {
    let (code, _, stderr) = run(
        n4n()
            .args(["record", "--upstream", upstream])
            .args(["--api-username", USERNAME, "--api-key", API_KEY])
            .args(["--transaction-hash", EXAMPLE_CLICK, "--orderid", "ORD-3001"])
            .args(args)
            .arg("--out")
            .arg(out),
        API_KEY,
    );
    (code, stderr)
}

#[test]
fn an_existing_out_is_refused_with_exit_2_and_kept_before_any_lookup() {
    // Nothing listens upstream: the refusal comes first.
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("precious.yaml");
    std::fs::write(&out, PRECIOUS).expect("write");

    let (code, stderr) = record_into(&format!("http://127.0.0.1:{}", closed_port()), &out, &[]);

    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains(&out.display().to_string()), "{stderr}");
    assert!(stderr.contains("--force"), "{stderr}");
    assert!(!stderr.contains("cannot reach"), "{stderr}");
    assert_eq!(std::fs::read(&out).expect("read"), PRECIOUS);
    assert_eq!(file_names(dir.path()), ["precious.yaml"]);
}

#[test]
fn force_replaces_an_existing_out_with_the_recording() {
    let upstream = RunningBinary::start(&[]);
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("precious.yaml");
    std::fs::write(&out, PRECIOUS).expect("write");

    let (code, stderr) = record_into(&format!("http://{}", upstream.addr), &out, &["--force"]);

    assert_eq!(code, Some(0), "{stderr}");
    let text = std::fs::read_to_string(&out).expect("read");
    assert!(
        text.contains(&format!("click_hash: \"{EXAMPLE_CLICK}\"")),
        "{text}"
    );
    assert_eq!(file_names(dir.path()), ["precious.yaml"]);
}

/// An upstream that answers the first lookup and drops the connection of every later one.
fn upstream_failing_after_one_answer(dir: &std::path::Path) -> RunningBinary {
    let scenario = dir.join("failing.yaml");
    std::fs::write(
        &scenario,
        format!(
            "credentials: [{{username: {USERNAME}, api_key: {API_KEY}}}]\n\
             faults: [{{after: 1, drop_connection: true}}]\n\
             clicks:\n  - click_hash: {EXAMPLE_CLICK}\n"
        ),
    )
    .expect("write");
    RunningBinary::start_with(binary().arg("--scenario").arg(&scenario))
}

#[test]
fn an_upstream_that_fails_midway_leaves_no_out_and_no_temporary_file() {
    let upstream_dir = tempfile::tempdir().expect("dir");
    let upstream = upstream_failing_after_one_answer(upstream_dir.path());
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("recorded.yaml");

    let (code, stderr) = record_into(&format!("http://{}", upstream.addr), &out, &[]);

    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("transaction_hash={EXAMPLE_CLICK}: 200")),
        "{stderr}"
    );
    assert_eq!(file_names(dir.path()), Vec::<String>::new());
}

#[test]
fn a_forced_record_whose_upstream_fails_midway_keeps_the_old_file() {
    let upstream_dir = tempfile::tempdir().expect("dir");
    let upstream = upstream_failing_after_one_answer(upstream_dir.path());
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("precious.yaml");
    std::fs::write(&out, PRECIOUS).expect("write");

    let (code, stderr) = record_into(&format!("http://{}", upstream.addr), &out, &["--force"]);

    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(std::fs::read(&out).expect("read"), PRECIOUS);
    assert_eq!(file_names(dir.path()), ["precious.yaml"]);
}
