//! The `n4n-mock` binary: listening line, exit codes, signals, logs, flags
//! and their environment variables, and the examples of the README and the
//! guides that run against the binary.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::util::{API_KEY, EXAMPLE_CLICK, RunningBinary, USERNAME, binary, doc_blocks, root};

const EXIT_LIMIT: Duration = Duration::from_secs(15);

fn get(url: &str, headers: &[(&str, &str)], body: Option<&str>) -> (u16, String) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let mut request = reqwest::Client::new().get(url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body.to_string());
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        (status, response.text().await.expect("body"))
    })
}

fn example_lookup(server: &RunningBinary) -> (u16, String) {
    get(
        &server.url("/api/transaction/click_detail"),
        &[("api-key", API_KEY), ("api-username", USERNAME)],
        Some(&format!("transaction_hash={EXAMPLE_CLICK}")),
    )
}

#[test]
fn port_0_prints_the_listening_line_with_the_real_port() {
    let server = RunningBinary::start(&[]);

    assert_ne!(server.addr.port(), 0);
    assert_eq!(
        server.listening_line,
        format!(
            "n4n-mock listening on http://127.0.0.1:{} scenario=default",
            server.addr.port()
        )
    );
    let (status, body) = get(&server.url("/__mock/health"), &[], None);
    assert_eq!(status, 200);
    assert!(body.contains("\"scenario\":\"default\""), "{body}");
}

#[test]
fn serve_subcommand_and_no_subcommand_serve_alike() {
    let server = RunningBinary::start(&["serve", "--scenario", "empty"]);

    assert!(
        server.listening_line.ends_with(" scenario=empty"),
        "{}",
        server.listening_line
    );
    assert_eq!(example_lookup(&server).0, 404);
}

#[test]
fn the_default_scenario_answers_the_api_page_example() {
    let server = RunningBinary::start(&[]);

    let (status, body) = example_lookup(&server);

    assert_eq!(status, 200);
    assert!(
        body.starts_with(r#"{"result":"success","click":{"click_hash":"35b71a300115be9.16738986""#)
    );
}

#[test]
fn the_builtin_default_serves_from_any_folder() {
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let server = RunningBinary::start_with(binary().current_dir(elsewhere.path()));

    let (status, _) = example_lookup(&server);

    assert_eq!(status, 200);
}

#[test]
fn a_scenarios_folder_with_its_own_default_serves_that_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("default.yaml"),
        format!("credentials: [{{username: {USERNAME}, api_key: {API_KEY}}}]\n"),
    )
    .expect("write");
    let server = RunningBinary::start(&["--scenarios-dir", &dir.path().display().to_string()]);

    assert_eq!(example_lookup(&server).0, 404);
}

#[test]
fn a_scenario_file_path_is_served() {
    let server = RunningBinary::start(&["--scenario", "scenarios/locked.yaml"]);

    assert!(server.listening_line.ends_with(" scenario=locked"));
    assert_eq!(example_lookup(&server).0, 401);
}

#[test]
fn environment_variables_set_the_serve_flags() {
    let server = RunningBinary::start_with(
        binary()
            .env("N4N_MOCK_SCENARIO", "ip-restricted")
            .env("N4N_MOCK_BIND", "127.0.0.1"),
    );

    assert!(server.listening_line.ends_with(" scenario=ip-restricted"));
    assert_eq!(example_lookup(&server).0, 403);
}

#[test]
fn the_port_can_come_from_the_environment() {
    let mut child = binary()
        .env("N4N_MOCK_PORT", "0")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while stdout.read(&mut byte).map(|n| n == 1).unwrap_or(false) && byte[0] != b'\n' {
        line.push(byte[0]);
    }
    let _ = child.kill();
    let _ = child.wait();

    let line = String::from_utf8_lossy(&line);
    let addr = crate::util::parse_listening_line(&line).expect("listening line");
    assert_ne!(addr.port(), 0, "{line}");
}

#[test]
fn an_unknown_scenario_exits_2_naming_the_available_ones() {
    let output = binary()
        .args(["--scenario", "nope", "--port", "0"])
        .output()
        .expect("run");

    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown scenario `nope`"), "{stderr}");
    for name in [
        "captured",
        "custom-errors",
        "default",
        "empty",
        "ip-restricted",
        "locked",
    ] {
        assert!(stderr.contains(name), "{name} missing from: {stderr}");
    }
    assert!(output.stdout.is_empty());
}

#[test]
fn a_scenario_that_does_not_load_exits_2_with_its_problems() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("broken.yaml");
    std::fs::write(&file, "credentials: []\nclicks:\n  - clik_hash: x\n").expect("write");

    let output = binary()
        .args(["--scenario", &file.display().to_string(), "--port", "0"])
        .output()
        .expect("run");

    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("{}:1:1: `credentials` is empty", file.display())),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{}:3:5: unknown key `clik_hash` in a click",
            file.display()
        )),
        "{stderr}"
    );
}

#[test]
fn a_broken_file_in_the_scenarios_folder_stops_the_start_with_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("bad.yaml"), "credentials: [\n").expect("write");

    let output = binary()
        .args([
            "--scenarios-dir",
            &dir.path().display().to_string(),
            "--port",
            "0",
        ])
        .output()
        .expect("run");

    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("bad.yaml:"));
}

#[test]
fn a_port_in_use_exits_1() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port().to_string();

    let output = binary().args(["--port", &port]).output().expect("run");

    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot listen on 127.0.0.1:"));
}

#[test]
fn bad_usage_exits_2() {
    let output = binary().args(["--port", "eighty"]).output().expect("run");

    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn help_tells_a_new_user_what_to_run() {
    let output = binary().arg("--help").output().expect("run");

    assert_eq!(output.status.code(), Some(0));
    let help = String::from_utf8_lossy(&output.stdout);
    for needle in [
        "serve",
        "scenarios",
        "validate",
        "--scenario",
        "N4N_MOCK_PORT",
        "8080",
        "127.0.0.1",
        "Exit codes",
    ] {
        assert!(help.contains(needle), "{needle} missing from:\n{help}");
    }
}

#[test]
fn scenarios_lists_names_counts_and_descriptions() {
    let output = binary().arg("scenarios").output().expect("run");

    assert_eq!(output.status.code(), Some(0));
    let listing = String::from_utf8_lossy(&output.stdout);
    let default_row = listing
        .lines()
        .find(|l| l.starts_with("default "))
        .expect("default row");
    let columns: Vec<&str> = default_row.split_whitespace().collect();
    // Run from the repository, whose ./scenarios replaces the built-in ones.
    assert_eq!(&columns[1..4], ["4", "5", "scenarios/default.yaml"]);
    assert!(default_row.contains("The API page's example answers 200"));
    assert!(listing.lines().any(|l| l.starts_with("locked ")));
}

#[test]
fn every_bundled_scenario_is_built_in_and_a_folder_replaces_one_by_name() {
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let listed = |dir: Option<&std::path::Path>| {
        let mut command = binary();
        command.current_dir(elsewhere.path()).arg("scenarios");
        if let Some(dir) = dir {
            command.arg("--scenarios-dir").arg(dir);
        }
        let output = command.output().expect("run");
        assert_eq!(output.status.code(), Some(0));
        String::from_utf8(output.stdout).expect("utf-8")
    };
    let rows = |listing: &str| -> Vec<(String, String)> {
        listing
            .lines()
            .skip(1)
            .map(|l| {
                let c: Vec<&str> = l.split_whitespace().collect();
                (c[0].to_string(), c[3].to_string())
            })
            .collect()
    };

    let builtin = listed(None);
    assert!(builtin.starts_with("NAME "), "{builtin}");
    assert!(builtin.lines().next().expect("header").contains("SOURCE"));
    let names: Vec<(String, String)> = rows(&builtin);
    let expected: Vec<(String, String)> = n4n_mock::Scenario::builtin_names()
        .map(|n| (n.to_string(), "built-in".to_string()))
        .collect();
    assert_eq!(expected.len(), 11);
    assert_eq!(names, expected);

    let mine = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        mine.path().join("locked.yaml"),
        "credentials: [{username: u, api_key: k}]\n",
    )
    .expect("write");
    std::fs::write(
        mine.path().join("mine.yaml"),
        "credentials: [{username: u, api_key: k}]\n",
    )
    .expect("write");
    let mixed = rows(&listed(Some(mine.path())));
    let source_of = |name: &str| {
        mixed
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s.clone())
            .expect(name)
    };
    assert_eq!(mixed.len(), 12, "{mixed:?}");
    assert_eq!(
        source_of("locked"),
        mine.path().join("locked.yaml").display().to_string()
    );
    assert_eq!(
        source_of("mine"),
        mine.path().join("mine.yaml").display().to_string()
    );
    assert_eq!(source_of("lifecycle"), "built-in");

    // Without the built-in ones: the folder's alone, wherever the flag comes from.
    let only_mine = binary()
        .current_dir(elsewhere.path())
        .args(["scenarios", "--no-builtin-scenarios", "--scenarios-dir"])
        .arg(mine.path())
        .output()
        .expect("run");
    let listing = String::from_utf8_lossy(&only_mine.stdout);
    assert_eq!(
        rows(&listing)
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>(),
        ["locked", "mine"]
    );
    let serve = binary()
        .current_dir(elsewhere.path())
        .env("N4N_MOCK_NO_BUILTIN_SCENARIOS", "true")
        .args(["serve", "--port", "0", "--scenarios-dir"])
        .arg(mine.path())
        .output()
        .expect("run");
    assert_eq!(serve.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&serve.stderr);
    assert!(
        stderr.contains("unknown scenario `default`; available scenarios: locked, mine"),
        "{stderr}"
    );
}

#[test]
fn a_bundled_scenario_serves_by_name_from_any_folder() {
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let server = RunningBinary::start_with(
        binary()
            .current_dir(elsewhere.path())
            .args(["--scenario", "locked"]),
    );

    assert!(server.listening_line.ends_with(" scenario=locked"));
    assert_eq!(example_lookup(&server).0, 401);
}

#[test]
fn sigterm_during_a_slow_request_lets_it_finish_and_exits_0() {
    let mut server = RunningBinary::start_with(binary().env("RUST_LOG", "debug"));
    let body = format!("transaction_hash={EXAMPLE_CLICK}");
    let (first, rest) = body.split_at(10);
    let mut stream = TcpStream::connect(server.addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        stream,
        "GET /api/transaction/click_detail HTTP/1.1\r\nHost: x\r\napi-key: {API_KEY}\r\n\
         api-username: {USERNAME}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\n\r\n{first}",
        body.len()
    )
    .expect("send head");
    server.wait_for_log("request received", Duration::from_secs(10));

    server.signal("TERM");
    server.wait_for_log("SIGTERM", Duration::from_secs(10));
    stream.write_all(rest.as_bytes()).expect("send the rest");
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);

    assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
    assert!(response.contains(EXAMPLE_CLICK));
    let (code, _) = server.wait_exit(EXIT_LIMIT);
    assert_eq!(code, Some(0));
}

#[test]
fn sigint_exits_0() {
    let server = RunningBinary::start(&[]);

    server.signal("INT");

    assert_eq!(server.wait_exit(EXIT_LIMIT).0, Some(0));
}

#[test]
fn new_connections_are_refused_once_shutdown_starts() {
    let mut server = RunningBinary::start(&[]);
    let addr = server.addr;

    server.signal("TERM");
    server.wait_for_log("SIGTERM", Duration::from_secs(10));
    let (code, _) = server.wait_exit(EXIT_LIMIT);

    assert_eq!(code, Some(0));
    assert!(TcpStream::connect(addr).is_err());
}

#[test]
fn logs_have_one_line_per_request_and_never_the_api_key() {
    let secret_wrong_key = "f00dfacef00dfacef00dfacef00dface";
    let server = RunningBinary::start_with(binary().env("RUST_LOG", "trace"));
    example_lookup(&server);
    get(
        &server.url("/api/transaction/click_detail"),
        &[("api-key", secret_wrong_key), ("api-username", USERNAME)],
        Some("transaction_hash=x"),
    );
    get(
        &server.url("/api/service/ping?api-key=also-secret"),
        &[("api-key", API_KEY), ("api-username", USERNAME)],
        None,
    );

    server.signal("TERM");
    let (code, logs) = server.wait_exit(EXIT_LIMIT);

    assert_eq!(code, Some(0));
    assert!(!logs.contains(API_KEY), "{logs}");
    assert!(!logs.contains(secret_wrong_key), "{logs}");
    assert!(!logs.contains("also-secret"), "{logs}");
    let lines: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains(" request method="))
        .collect();
    assert_eq!(lines.len(), 3, "{logs}");
    assert!(lines[0].contains("method=GET"));
    assert!(lines[0].contains("path=\"/api/transaction/click_detail\""));
    assert!(lines[0].contains("status=200"));
    assert!(lines[0].contains(&format!("outcome=click={EXAMPLE_CLICK}")));
    assert!(lines[0].contains("latency_us="));
    assert!(lines[1].contains("status=401"));
    assert!(lines[1].contains("outcome=error=invalid_credentials"));
    assert!(lines[2].contains("outcome=ping"));
}

/// `RUST_LOG` turns the request lines off by their target, as it would any
/// event's, and leaves the other lines.
#[test]
fn rust_log_can_turn_the_request_lines_off_by_their_target() {
    for (filter, request_lines) in [
        ("info", 1),
        ("info,n4n_mock::server::router=warn", 0),
        ("warn,n4n_mock::server::router=info", 1),
    ] {
        let server = RunningBinary::start_with(binary().env("RUST_LOG", filter));
        example_lookup(&server);
        server.signal("TERM");
        let (code, logs) = server.wait_exit(EXIT_LIMIT);
        assert_eq!(code, Some(0));
        let lines = logs
            .lines()
            .filter(|l| l.contains(" request method="))
            .count();
        assert_eq!(lines, request_lines, "{filter}: {logs}");
        let closed = logs.contains("all connections closed");
        assert_eq!(closed, filter.starts_with("info"), "{filter}: {logs}");
    }
}

#[test]
fn json_logs_are_one_object_per_line() {
    let server = RunningBinary::start(&["--log-format", "json"]);
    example_lookup(&server);

    server.signal("TERM");
    let (_, logs) = server.wait_exit(EXIT_LIMIT);

    let lines: Vec<serde_json::Value> = logs
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let request = lines
        .iter()
        .find(|l| l["message"] == "request")
        .expect("request line");
    assert_eq!(request["status"], 200);
    assert_eq!(request["method"], "GET");
    assert_eq!(request["path"], "/api/transaction/click_detail");
    assert_eq!(request["outcome"], format!("click={EXAMPLE_CLICK}"));
    assert!(request["latency_us"].is_u64());
}

/// The README's quick start, pasted one block at a time as it says: its
/// first block starts the mock (here the built binary, as it is, on a free
/// port), and every later `sh` block, run as written but for the host,
/// prints the JSON of the `json` block under it.
#[test]
fn the_readme_quick_start_answers_as_documented() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let blocks = doc_blocks(&readme, "## Quick start");
    let (first, rest) = blocks.split_first().expect("the quick start's blocks");
    assert_eq!(first, &("sh".to_string(), "n4n-mock\n".to_string()));
    let server = RunningBinary::start(&[]);
    let mut ran = 0;
    let mut blocks = rest.iter();
    while let Some((language, command)) = blocks.next() {
        assert_eq!(language, "sh", "a command, then its answer: {command}");
        let (language, shown) = blocks.next().expect("the answer under a command");
        assert_eq!(language, "json", "{command}");
        let command = command
            .trim()
            .replace("127.0.0.1:8080", &server.addr.to_string());
        let output = std::process::Command::new("sh")
            .args(["-c", &format!("{command} -sS")])
            .output()
            .expect("curl (install it: apt-get install curl)");
        assert!(
            output.status.success(),
            "{command}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let answered: serde_json::Value =
            serde_json::from_slice(&output.stdout).expect("a JSON answer");
        let documented: serde_json::Value = serde_json::from_str(shown).expect("documented JSON");
        assert_eq!(answered, documented, "{command}");
        ran += 1;
    }
    assert!(
        ran >= 4,
        "the lookup, the locked lookup and the two switches"
    );
}

/// The call-count example of docs/admin-api.md, run as written but for the
/// host: curl fails with the unmet expectation before the lookup, showing
/// the nearest miss the guide shows (a lookup of the hash with its last
/// digit missing), and passes after the lookup.
#[test]
fn the_call_count_example_fails_then_passes_as_documented() {
    let guide = std::fs::read_to_string(root().join("docs/admin-api.md")).expect("the guide");
    let start = guide
        .find("curl --fail-with-body -X POST http://127.0.0.1:8080/__mock/verify")
        .expect("the verify example in docs/admin-api.md");
    let end = start + guide[start..].find("]}'\n").expect("end of the example") + "]}'".len();
    let after = &guide[end..];
    let json_start = after.find("```json\n").expect("the failure's json block") + "```json\n".len();
    let json_end = json_start + after[json_start..].find("```").expect("its end");
    let documented: serde_json::Value =
        serde_json::from_str(&after[json_start..json_end]).expect("documented JSON");
    let server = RunningBinary::start(&[]);
    let command = guide[start..end].replace("127.0.0.1:8080", &server.addr.to_string());
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let lookup = readme
        .lines()
        .find(|l| l.starts_with("curl -X GET 'http://127.0.0.1:8080/api/transaction/click_detail'"))
        .expect("the curl example in README.md")
        .replace("127.0.0.1:8080", &server.addr.to_string());
    let missed = documented["failures"][0]["nearest"][0]["request"]["value"]
        .as_str()
        .expect("the nearest miss's value");
    let curl = |command: &str| {
        std::process::Command::new("sh")
            .args(["-c", &format!("{command} -sS")])
            .output()
            .expect("curl (install it: apt-get install curl)")
    };

    let typo = curl(&lookup.replace(EXAMPLE_CLICK, missed));
    let before = curl(&command);
    let looked_up = curl(&lookup);
    let after = curl(&command);

    assert!(typo.status.success());
    assert_eq!(
        before.status.code(),
        Some(22),
        "curl --fail-with-body fails"
    );
    let unmet: serde_json::Value = serde_json::from_slice(&before.stdout).expect("JSON");
    assert_eq!(unmet["message"], documented["message"]);
    let (got, shown) = (&unmet["failures"][0], &documented["failures"][0]);
    assert_eq!(got["expected"], shown["expected"]);
    assert_eq!(got["actual"], shown["actual"]);
    let near = &got["nearest"][0];
    assert_eq!(near["differs"], shown["nearest"][0]["differs"], "{unmet}");
    for field in [
        "method",
        "path",
        "scenario",
        "parameter",
        "value",
        "outcome",
        "click_hash",
        "status",
    ] {
        assert_eq!(
            near["request"][field], shown["nearest"][0]["request"][field],
            "the nearest request's {field}: {unmet}"
        );
    }
    assert!(looked_up.status.success());
    assert_eq!(
        after.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&after.stdout)
    );
    let met: serde_json::Value = serde_json::from_slice(&after.stdout).expect("JSON");
    assert_eq!(
        met,
        serde_json::json!({"result": "success", "expectations": 2})
    );
}

/// The lifecycle walk-through of docs/lifecycle.md, run as written but for
/// the host:
/// each answer is the JSON the guide shows under it, and after the reset
/// the first lookup answers as it did at the start.
#[test]
fn the_readme_lifecycle_walk_through_answers_as_documented() {
    let guide = std::fs::read_to_string(root().join("docs/lifecycle.md")).expect("the guide");
    let start = guide
        .find("\n## A walk-through\n")
        .expect("the walk-through");
    let end = start + guide[start..].find("\n## The rules\n").expect("its end");
    let section = &guide[start..end];
    let commands: Vec<&str> = section
        .lines()
        .filter(|l| l.starts_with("curl -s"))
        .collect();
    let documented: Vec<serde_json::Value> = section
        .split("```json\n")
        .skip(1)
        .map(|block| {
            let json = &block[..block.find("```").expect("end of a json block")];
            serde_json::from_str(json).expect("documented JSON")
        })
        .collect();
    assert_eq!((commands.len(), documented.len()), (4, 5), "{section}");
    let server = RunningBinary::start(&["--scenario", "lifecycle"]);
    let run = |command: &str| -> serde_json::Value {
        let command = command.replace("127.0.0.1:8080", &server.addr.to_string());
        let output = std::process::Command::new("sh")
            .args(["-c", &command])
            .output()
            .expect("curl");
        serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|err| panic!("{err}: {}", String::from_utf8_lossy(&output.stdout)))
    };
    let (lookup, void, void_again, reset) = (commands[0], commands[1], commands[2], commands[3]);

    let answers = [
        run(lookup),
        run(void),
        run(lookup),
        run(void_again),
        run(reset),
    ];
    let after_reset = run(lookup);

    assert_eq!(answers.as_slice(), documented.as_slice());
    assert_eq!(after_reset, documented[0]);
}

#[test]
fn binding_beyond_loopback_logs_a_warning() {
    let server = RunningBinary::start(&["--bind", "0.0.0.0"]);

    server.signal("TERM");
    let (code, logs) = server.wait_exit(EXIT_LIMIT);

    assert_eq!(code, Some(0));
    assert!(logs.contains("WARN"), "{logs}");
    assert!(logs.contains("listening beyond this machine"), "{logs}");
    assert!(
        logs.contains("make it send postbacks to any address"),
        "{logs}"
    );
    assert!(
        logs.contains("--admin-token-file"),
        "the flag is named: {logs}"
    );
}

#[test]
fn binding_beyond_loopback_with_an_admin_token_logs_no_warning() {
    let server = RunningBinary::start_with(
        binary()
            .args(["--bind", "0.0.0.0"])
            .env("N4N_MOCK_ADMIN_TOKEN", "a-token"),
    );

    server.signal("TERM");
    let (_, logs) = server.wait_exit(EXIT_LIMIT);

    assert!(!logs.contains("WARN"), "{logs}");
}

#[test]
fn loopback_binding_logs_no_warning() {
    let server = RunningBinary::start(&[]);

    server.signal("TERM");
    let (_, logs) = server.wait_exit(EXIT_LIMIT);

    assert!(!logs.contains("WARN"), "{logs}");
}

#[test]
fn two_scenarios_with_one_name_stop_the_start_with_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario =
        format!("name: twin\ncredentials: [{{username: {USERNAME}, api_key: {API_KEY}}}]\n");
    std::fs::write(dir.path().join("a.yaml"), &scenario).expect("write");
    std::fs::write(dir.path().join("b.yaml"), &scenario).expect("write");

    let output = binary()
        .args([
            "scenarios",
            "--scenarios-dir",
            &dir.path().display().to_string(),
        ])
        .output()
        .expect("run");

    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("b.yaml:1:1: scenario name `twin` is already used by"),
        "{stderr}"
    );
}

#[test]
fn validate_without_a_scenarios_folder_checks_the_builtin_default() {
    let elsewhere = tempfile::tempdir().expect("temp dir");

    let output = binary()
        .current_dir(elsewhere.path())
        .arg("validate")
        .output()
        .expect("run");

    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("ok  built-in default: default (4 clicks, 5 transactions)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("ok  built-in lifecycle: lifecycle ("),
        "{stdout}"
    );
    assert!(stdout.ends_with("11 scenarios valid\n"), "{stdout}");
}
