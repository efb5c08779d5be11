//! The built binary in a CI and QA workflow: every scenario checked at
//! start, `--watch` and SIGHUP reloads, `wait`, the `ci-sidecar.sh` recipe,
//! and the library API Rust test suites use.

use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};

use n4n_mock::MockServer;
use n4n_mock::{ClickBuilder, ScenarioBuilder, TransactionBuilder};

use crate::util::*;

const LIMIT: Duration = Duration::from_secs(20);

fn blocking_lookup(url: &str, username: &str, api_key: &str, hash: &str) -> (u16, String) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let answer = send(
            reqwest::Client::new()
                .get(url)
                .header("api-key", api_key)
                .header("api-username", username)
                .query(&[("transaction_hash", hash)]),
        )
        .await;
        (answer.status, answer.body)
    })
}

fn blocking_get(url: &str) -> serde_json::Value {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async { send(reqwest::Client::new().get(url)).await.json() })
}

const EDITED: &str = "\
credentials: [{username: qa, api_key: key-one}]
clicks:
  - click_hash: aaaaaaaaaaaaaaa.11111111
    loginid: LOGINID
";

fn edited(loginid: &str) -> String {
    EDITED.replace("LOGINID", loginid)
}

#[test]
fn a_broken_file_in_the_scenarios_dir_stops_the_start_with_every_problem() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("good.yaml"), edited("1")).expect("write");
    std::fs::write(dir.path().join("bad.yaml"), "credentials: []\nclickz: []\n").expect("write");

    let output = binary()
        .args(["--port", "0", "--scenarios-dir"])
        .arg(dir.path())
        .output()
        .expect("run");

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let bad = dir.path().join("bad.yaml").display().to_string();
    assert!(stderr.contains(&format!("{bad}:2:1:")), "{stderr}");
    assert!(
        stderr.contains(&format!("{bad}:1:1:")),
        "no credentials: {stderr}"
    );
    assert!(output.stdout.is_empty(), "never listened");
}

#[test]
fn a_scenario_file_given_by_path_joins_the_folders_scenarios() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("mine.yaml");
    std::fs::write(&file, edited("7")).expect("write");

    let server = RunningBinary::start_with(binary().arg("--scenario").arg(&file));

    assert!(
        server.listening_line.ends_with("scenario=mine"),
        "{}",
        server.listening_line
    );
    let scenarios = blocking_get(&server.url("/__mock/scenario"));
    let names: Vec<&str> = scenarios["scenarios"]
        .as_array()
        .expect("list")
        .iter()
        .map(|s| s["name"].as_str().expect("name"))
        .collect();
    assert!(
        names.contains(&"mine") && names.contains(&"empty"),
        "{names:?}"
    );
}

#[test]
fn a_scenario_file_of_the_folder_is_found_however_its_path_is_spelled() {
    let server = RunningBinary::start(&["--scenario", "./scenarios/empty.yaml"]);

    assert!(
        server.listening_line.ends_with("scenario=empty"),
        "{}",
        server.listening_line
    );
}

#[test]
fn watch_starts_with_only_the_built_in_default() {
    let empty = tempfile::tempdir().expect("dir");

    let server = RunningBinary::start_with(binary().arg("--watch").current_dir(empty.path()));

    assert!(
        server.listening_line.ends_with("scenario=default"),
        "{}",
        server.listening_line
    );
}

#[test]
fn watch_serves_an_edit_and_keeps_the_old_data_through_a_broken_one() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("edited.yaml");
    std::fs::write(&file, edited("1")).expect("write");
    let mut server = RunningBinary::start_with(
        binary()
            .args(["--watch", "--scenario", "edited", "--scenarios-dir"])
            .arg(dir.path()),
    );
    let url = server.url("/api/transaction/click_detail");
    let loginid = || {
        let (status, body) = blocking_lookup(&url, "qa", "key-one", "aaaaaaaaaaaaaaa.11111111");
        assert_eq!(status, 200, "{body}");
        serde_json::from_str::<serde_json::Value>(&body).expect("json")["click"]["loginid"]
            .as_str()
            .expect("loginid")
            .to_string()
    };
    assert_eq!(loginid(), "1");

    std::fs::write(&file, edited("2")).expect("write");
    eventually_blocking(LIMIT, "the edit is served", || {
        (loginid() == "2").then_some(())
    });

    std::fs::write(&file, edited("3").replace("clicks:", "clickz:")).expect("write");
    let health_url = server.url("/__mock/health");
    let health = eventually_blocking(LIMIT, "health shows the broken edit", || {
        Some(blocking_get(&health_url)).filter(|health| health.get("last_reload_error").is_some())
    });
    server.wait_for_log("reload failed", LIMIT);

    assert_eq!(loginid(), "2", "the last good data stays");
    let problem = &health["last_reload_error"]["problems"][0];
    assert_eq!(problem["path"], file.display().to_string());
    assert_eq!(problem["line"], 2);
}

#[test]
fn watch_sees_an_edit_to_an_included_fixture() {
    let dir = tempfile::tempdir().expect("dir");
    let scenarios = dir.path().join("scenarios");
    let fixtures = dir.path().join("fixtures");
    std::fs::create_dir_all(&scenarios).expect("mkdir");
    std::fs::create_dir_all(&fixtures).expect("mkdir");
    std::fs::write(
        scenarios.join("withfixture.yaml"),
        "credentials: [{username: qa, api_key: key-one}]\ninclude: [../fixtures/clicks.yaml]\n",
    )
    .expect("write");
    let fixture = fixtures.join("clicks.yaml");
    std::fs::write(&fixture, "clicks: [{click_hash: first}]\n").expect("write");
    let server = RunningBinary::start_with(
        binary()
            .args(["--watch", "--scenario", "withfixture", "--scenarios-dir"])
            .arg(&scenarios),
    );
    let url = server.url("/api/transaction/click_detail");

    std::fs::write(&fixture, "clicks: [{click_hash: second}]\n").expect("write");

    eventually_blocking(LIMIT, "the fixture's new click is served", || {
        (blocking_lookup(&url, "qa", "key-one", "second").0 == 200).then_some(())
    });
}

#[test]
fn watch_reloads_once_per_edit_and_the_fault_counters_keep_counting() {
    let copy = bundled_copy();
    let scenarios = copy.path().join("scenarios");
    let mut server = RunningBinary::start_with(
        binary()
            .args(["--watch", "--scenario", "flaky", "--scenarios-dir"])
            .arg(&scenarios),
    );
    let url = server.url("/api/transaction/click_detail");

    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(scenarios.join("empty.yaml"))
        .expect("open");
    writeln!(file, "# c").expect("append");
    drop(file);
    server.wait_for_log("reloaded", LIMIT);
    // The quiet time in which a reload storm, if any, would show.
    std::thread::sleep(Duration::from_secs(2));
    let statuses: Vec<u16> = (0..3)
        .map(|_| blocking_lookup(&url, USERNAME, API_KEY, EXAMPLE_CLICK).0)
        .collect();

    assert_eq!(
        statuses,
        [200, 200, 503],
        "flaky's every-3rd fault still counts"
    );
    assert_eq!(watch_reloads(&mut server), 1, "{:#?}", server.logs_so_far());
}

/// How many reloads `--watch` started so far.
fn watch_reloads(server: &mut RunningBinary) -> usize {
    server
        .logs_so_far()
        .iter()
        .filter(|l| l.contains("scenario files changed: reloading"))
        .count()
}

#[test]
fn watch_does_not_reload_a_file_saved_unchanged() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("edited.yaml");
    std::fs::write(&file, edited("1")).expect("write");
    let mut server = RunningBinary::start_with(
        binary()
            .args(["--watch", "--scenario", "edited", "--scenarios-dir"])
            .arg(dir.path()),
    );

    std::fs::write(&file, edited("1")).expect("same bytes again");
    // Time for the save to be looked at (and, wrongly, reloaded).
    std::thread::sleep(Duration::from_secs(1));
    std::fs::write(dir.path().join("other.yaml"), edited("2")).expect("a new file");
    server.wait_for_log("reloaded", LIMIT);

    assert_eq!(watch_reloads(&mut server), 1, "{:#?}", server.logs_so_far());
}

#[test]
fn sighup_reloads() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("edited.yaml");
    std::fs::write(&file, edited("1")).expect("write");
    let mut server = RunningBinary::start_with(
        binary()
            .args(["--scenario", "edited", "--scenarios-dir"])
            .arg(dir.path()),
    );
    std::fs::write(&file, edited("5")).expect("write");

    server.signal("HUP");
    server.wait_for_log("reloaded", LIMIT);

    let (status, body) = blocking_lookup(
        &server.url("/api/transaction/click_detail"),
        "qa",
        "key-one",
        "aaaaaaaaaaaaaaa.11111111",
    );
    assert_eq!(status, 200);
    assert!(body.contains(r#""loginid":"5""#), "{body}");
}

#[test]
fn no_admin_turns_off_the_admin_api_but_health() {
    let server = RunningBinary::start(&["--no-admin"]);

    let health = blocking_get(&server.url("/__mock/health"));
    let scenario = blocking_get(&server.url("/__mock/scenario"));

    assert_eq!(health["status"], "ok");
    assert_eq!(scenario["message"], "Invalid endpoint");
}

#[test]
fn wait_prints_the_base_url_alone_on_stdout_once_the_mock_answers() {
    let server = RunningBinary::start(&[]);

    let output = binary()
        .args(["wait", "--timeout", "10s", "--url"])
        .arg(format!("http://{}/", server.addr))
        .output()
        .expect("run wait");

    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(stdout, format!("http://{}\n", server.addr));
    assert!(stderr.contains(r#""scenario":"default""#), "{stderr}");
}

#[test]
fn wait_without_a_url_polls_the_port_serve_reads_from_n4n_mock_port() {
    // A container's health check runs `wait` with the container's
    // environment and no URL: it must find the mock on its configured port.
    let server = RunningBinary::start(&[]);

    let output = binary()
        .args(["wait", "--timeout", "10s"])
        .env("N4N_MOCK_PORT", server.addr.port().to_string())
        .output()
        .expect("run wait");

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!("http://127.0.0.1:{}\n", server.addr.port())
    );
}

#[test]
fn wait_with_a_url_ignores_n4n_mock_port() {
    let server = RunningBinary::start(&[]);
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();

    let output = binary()
        .args(["wait", "--timeout", "10s", "--url"])
        .arg(format!("http://{}", server.addr))
        .env("N4N_MOCK_PORT", closed_port.to_string())
        .output()
        .expect("run wait");

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!("http://{}\n", server.addr)
    );
}

#[test]
fn wait_works_where_the_system_has_no_ca_certificates() {
    // As in an image built FROM scratch: no certificate file or folder.
    let empty = tempfile::tempdir().expect("dir");
    let server = RunningBinary::start(&[]);

    let output = binary()
        .args(["wait", "--timeout", "10s", "--url"])
        .arg(format!("http://{}", server.addr))
        .env("SSL_CERT_FILE", empty.path().join("none.pem"))
        .env("SSL_CERT_DIR", empty.path())
        .output()
        .expect("run wait");

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
}

#[test]
fn wait_refuses_port_zero_at_once_and_names_the_url_file() {
    let started = Instant::now();

    let output = binary()
        .args(["wait", "--timeout", "30s", "--url", "http://127.0.0.1:0"])
        .output()
        .expect("run wait");

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--url-file"), "{stderr}");
    assert!(output.stdout.is_empty());
    assert!(started.elapsed() < Duration::from_secs(10), "did not wait");
}

#[test]
fn serve_writes_the_bound_url_to_the_url_file_and_removes_it_on_stop() {
    let dir = tempfile::tempdir().expect("dir");
    let url_file = dir.path().join("mock.url");
    let server = RunningBinary::start_with(binary().arg("--url-file").arg(&url_file));

    let text = std::fs::read_to_string(&url_file).expect("written once listening");
    assert_eq!(text, format!("http://{}\n", server.addr));
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("dir").count(),
        1,
        "no temporary file left"
    );

    server.signal("TERM");
    let (code, stderr) = server.wait_exit(LIMIT);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!url_file.exists(), "removed on a clean stop");
}

#[test]
fn a_url_file_that_cannot_be_written_stops_the_start() {
    let dir = tempfile::tempdir().expect("dir");
    let url_file = dir.path().join("no-such-folder").join("mock.url");

    let output = binary()
        .args(["--port", "0", "--url-file"])
        .arg(&url_file)
        .output()
        .expect("run");

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot write the URL file"), "{stderr}");
    assert!(
        output.stdout.is_empty(),
        "no listening line: nobody may wait on it"
    );
}

#[test]
fn a_reader_of_the_url_file_never_sees_half_a_line() {
    let dir = tempfile::tempdir().expect("dir");
    let url_file = dir.path().join("mock.url");
    let mut child = binary()
        .args(["--port", "0", "--url-file"])
        .arg(&url_file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start");

    // Read as fast as possible from before the file exists until it does.
    let deadline = Instant::now() + LIMIT;
    let text = loop {
        match std::fs::read_to_string(&url_file) {
            Ok(text) => break text,
            Err(_) => assert!(Instant::now() < deadline, "no URL file within {LIMIT:?}"),
        }
    };
    let _ = child.kill();
    let _ = child.wait();

    let line = text.strip_suffix('\n').expect("a whole line");
    let addr = line.strip_prefix("http://").expect("a base URL");
    assert!(addr.parse::<std::net::SocketAddr>().is_ok(), "{text:?}");
}

#[test]
fn wait_with_a_url_file_waits_for_the_file_then_the_mock() {
    let dir = tempfile::tempdir().expect("dir");
    let url_file = dir.path().join("mock.url");
    let waiting = binary()
        .args(["wait", "--timeout", "20s", "--url-file"])
        .arg(&url_file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start wait before the mock");

    let server = RunningBinary::start_with(binary().arg("--url-file").arg(&url_file));
    let output = waiting.wait_with_output().expect("wait ends");

    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(stdout, format!("http://{}\n", server.addr));
}

#[test]
fn wait_with_a_url_file_gives_up_at_its_deadline_when_no_mock_writes_it() {
    let dir = tempfile::tempdir().expect("dir");

    let output = binary()
        .args(["wait", "--timeout", "300ms", "--url-file"])
        .arg(dir.path().join("never.url"))
        .output()
        .expect("run wait");

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("never.url does not exist yet"), "{stderr}");
    assert!(output.stdout.is_empty());
}

#[test]
fn wait_fails_on_a_closed_port_within_its_timeout() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let started = Instant::now();

    let output = binary()
        .args(["wait", "--timeout", "1s", "--url"])
        .arg(format!("http://127.0.0.1:{port}"))
        .output()
        .expect("run wait");

    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no answer from"), "{stderr}");
    assert!(stderr.contains("within 1s"), "{stderr}");
    assert!(
        took >= Duration::from_millis(900),
        "gave up early: {took:?}"
    );
    assert!(took < LIMIT, "kept waiting: {took:?}");
}

#[test]
fn wait_refuses_a_url_that_is_not_http() {
    let output = binary()
        .args(["wait", "--url", "ftp://example.test"])
        .output()
        .expect("run wait");

    assert_eq!(output.status.code(), Some(2));
}

/// `examples/ci-sidecar.sh`, run from the repository with none of the
/// mock's own variables from this environment.
fn ci_sidecar() -> std::process::Command {
    let mut command = std::process::Command::new("bash");
    command
        .arg(root().join("examples/ci-sidecar.sh"))
        .env_remove("N4N_MOCK_PORT")
        .env_remove("N4N_MOCK_URL")
        .env_remove("N4N_MOCK_URL_FILE")
        .env_remove("N4N_MOCK_SCENARIO")
        .env_remove("N4N_MOCK_SCENARIOS_DIR")
        .current_dir(root())
        .stdin(Stdio::null());
    command
}

#[test]
fn the_ci_sidecar_recipe_runs_tests_against_a_mock_on_a_free_port_and_stops_it() {
    let output = ci_sidecar()
        .args(["sh", "-c", "echo \"$N4N_MOCK_URL\"; curl -fsS \"$N4N_MOCK_URL/api/service/ping\" -H 'api-key: 44b5498dbcb481a0d00b404c0169af62' -H 'api-username: n4n_admin'"])
        .env("N4N_MOCK", env!("CARGO_BIN_EXE_n4n-mock"))
        .output()
        .expect("run the recipe");

    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    let mut lines = stdout.lines();
    let url = lines.next().expect("the URL line");
    let addr: std::net::SocketAddr = url
        .strip_prefix("http://")
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("a base URL: {url:?}"));
    assert_ne!(addr.port(), 0);
    assert_eq!(lines.next(), Some("1"), "ping answered: {stdout}");
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "the mock was stopped"
    );
}

/// Without `n4n-mock` on PATH the recipe builds the repository with cargo
/// and runs the executable cargo names, wherever `CARGO_TARGET_DIR` puts it.
/// `cargo` here is a stand-in on PATH that answers as `cargo build
/// --message-format=json` does, naming a target folder that is not
/// `./target`; the executable it names is the real binary behind a wrapper
/// that leaves a mark when it runs.
#[test]
fn the_ci_sidecar_recipe_runs_the_binary_cargo_built_wherever_the_target_folder_is() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("elsewhere/release");
    std::fs::create_dir_all(&target).expect("target folder");
    let built = target.join("n4n-mock");
    let mark = dir.path().join("ran");
    let write_script = |path: &std::path::Path, text: &str| {
        std::fs::write(path, text).expect("write");
        let mut mode = std::fs::metadata(path).expect("meta").permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut mode, 0o755);
        std::fs::set_permissions(path, mode).expect("chmod");
    };
    write_script(
        &built,
        &format!(
            "#!/bin/sh\ntouch '{}'\nexec '{}' \"$@\"\n",
            mark.display(),
            env!("CARGO_BIN_EXE_n4n-mock")
        ),
    );
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).expect("bin");
    write_script(
        &bin.join("cargo"),
        &format!(
            "#!/bin/sh\necho '{{\"reason\":\"compiler-artifact\",\"executable\":\"{}\"}}'\n\
             echo '{{\"reason\":\"build-finished\",\"success\":true}}'\n",
            built.display()
        ),
    );
    // PATH: the stand-in cargo, then what the recipe itself runs (no n4n-mock).
    let path = format!("{}:/usr/bin:/bin", bin.display());

    let output = ci_sidecar()
        .args(["sh", "-c", "echo \"$N4N_MOCK_URL\""])
        .env("PATH", path)
        .env("CARGO_TARGET_DIR", dir.path().join("elsewhere"))
        .env_remove("N4N_MOCK")
        .output()
        .expect("run the recipe");

    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.starts_with("http://127.0.0.1:"), "{stdout}");
    assert!(mark.exists(), "the executable cargo named ran: {stderr}");
}

#[test]
fn the_ci_sidecar_recipe_fails_when_the_tests_fail() {
    let status = std::process::Command::new("bash")
        .arg(root().join("examples/ci-sidecar.sh"))
        .arg("false")
        .env("N4N_MOCK", env!("CARGO_BIN_EXE_n4n-mock"))
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run the recipe");

    assert_eq!(status.code(), Some(1));
}

// --- the library API -------------------------------------------------------

#[tokio::test]
async fn a_library_mock_serves_a_named_scenario_of_a_folder() {
    let mock = MockServer::builder()
        .scenarios_dir(root().join("scenarios"))
        .scenario("empty")
        .start()
        .await
        .expect("starts");

    let answer = send(
        reqwest::Client::new()
            .get(format!("{}/api/transaction/click_detail", mock.url()))
            .header("api-key", API_KEY)
            .header("api-username", USERNAME)
            .query(&[("transaction_hash", EXAMPLE_CLICK)]),
    )
    .await;

    assert_eq!(answer.status, 404);
    assert_eq!(mock.requests()[0].scenario, "empty");
}

#[tokio::test]
async fn a_library_mock_serves_a_scenario_file() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("from-file.yaml");
    std::fs::write(&file, edited("9")).expect("write");
    let mock = MockServer::builder()
        .scenario_file(&file)
        .start()
        .await
        .expect("starts");

    let answer = send(
        reqwest::Client::new()
            .get(format!("{}/api/transaction/click_detail", mock.url()))
            .header("api-key", "key-one")
            .header("api-username", "qa")
            .query(&[("transaction_hash", "aaaaaaaaaaaaaaa.11111111")]),
    )
    .await;

    assert_eq!(answer.json()["click"]["loginid"], "9");
}

#[tokio::test]
async fn a_library_mock_serves_a_scenario_built_in_code() {
    let scenario = ScenarioBuilder::new("in-code")
        .credential("qa", "key-one")
        .click(
            ClickBuilder::new("c1")
                .field("loginid", 1001)
                .field("extra", serde_json::json!({"zeta": "z", "alpha": "a"})),
        )
        .transaction(TransactionBuilder::new("t1", "c1").field("orderid", "ORD-1"))
        .build()
        .expect("valid");
    let mock = MockServer::builder()
        .scenario_built(scenario)
        .start()
        .await
        .expect("starts");

    let answer = send(
        reqwest::Client::new()
            .get(format!("{}/api/transaction/click_detail", mock.url()))
            .header("api-key", "key-one")
            .header("api-username", "qa")
            .query(&[("orderid", "ORD-1")]),
    )
    .await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(
        answer.body.contains(r#""loginid":"1001""#)
            && answer.body.contains(r#""zeta":"z","alpha":"a""#),
        "values as strings, extra fields in the order given: {}",
        answer.body
    );
    let request = &mock.requests()[0];
    assert_eq!(
        (request.parameter, request.value.as_deref()),
        (Some("orderid"), Some("ORD-1"))
    );
}

#[test]
fn a_scenario_built_in_code_is_checked_like_a_file() {
    let built = ScenarioBuilder::new("typo")
        .credential("qa", "key-one")
        .click(ClickBuilder::new("c1").field("logind", 1))
        .build();

    let problems = built.expect_err("refused").to_string();
    assert!(problems.contains("typo (in code):"), "{problems}");
    assert!(problems.contains("logind"), "{problems}");
}

#[tokio::test]
async fn a_library_mock_stops_when_shut_down() {
    let mock = MockServer::builder().start().await.expect("starts");
    let address = mock.address();

    mock.shutdown().await;

    assert!(tokio::net::TcpStream::connect(address).await.is_err());
}

#[tokio::test]
async fn a_library_mock_refuses_an_unknown_scenario_listing_the_others() {
    let refused = MockServer::builder().scenario("nope").start().await;

    let message = refused.expect_err("unknown").to_string();
    assert!(message.contains("unknown scenario `nope`"), "{message}");
    assert!(message.contains("default"), "{message}");
}
