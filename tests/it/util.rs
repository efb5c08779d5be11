//! Starting servers and binaries for tests, and the requests tests send.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, Stdio};
use std::time::{Duration, Instant};

use n4n_mock::MockServer;
use n4n_mock::scenario::Scenario;
use n4n_mock::scenario::catalog::CatalogSource;
use n4n_mock::server::state::Active;
use n4n_mock::server::{MockOptions, MockState};

/// The API page's example credentials, valid in `default`.
pub const USERNAME: &str = "n4n_admin";
pub const API_KEY: &str = "44b5498dbcb481a0d00b404c0169af62";
/// The API page's example click.
pub const EXAMPLE_CLICK: &str = "35b71a300115be9.16738986";
pub const FORM: &str = "application/x-www-form-urlencoded";

/// The repository's root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A bundled scenario by name.
pub fn bundled(name: &str) -> Scenario {
    let path = root().join("scenarios").join(format!("{name}.yaml"));
    Scenario::from_file(&path).unwrap_or_else(|err| panic!("{name} loads:\n{err}"))
}

/// A scenario from YAML text written to a temporary folder (kept alive by the returned guard).
pub fn scenario_from_yaml(yaml: &str) -> Scenario {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("test.yaml");
    std::fs::write(&path, yaml).expect("write scenario");
    Scenario::from_file(&path).unwrap_or_else(|err| panic!("scenario loads:\n{err}"))
}

/// A copy of the repository's `scenarios/` and `fixtures/` in a temporary
/// folder, for tests that edit files; the scenarios are in `scenarios/` of it.
pub fn bundled_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for folder in ["scenarios", "fixtures"] {
        std::fs::create_dir(dir.path().join(folder)).expect("mkdir");
        for entry in std::fs::read_dir(root().join(folder)).expect("read_dir") {
            let path = entry.expect("entry").path();
            let name = path.file_name().expect("file name");
            std::fs::copy(&path, dir.path().join(folder).join(name)).expect("copy");
        }
    }
    dir
}

/// Polls `check` every 25 ms until it returns `Some`, for at most `limit`.
pub async fn eventually<T, F, Fut>(limit: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + limit;
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(Instant::now() < deadline, "not within {limit:?}: {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// A server running in this test's runtime (the library's [`MockServer`]);
/// stops when dropped.
pub struct TestServer {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    /// Held only to be dropped: that stops the server.
    _running: MockServer,
}

impl TestServer {
    /// Serves `scenario` on 127.0.0.1, port 0.
    pub async fn start(scenario: Scenario) -> TestServer {
        TestServer::serve(MockState::single(scenario, MockOptions::default())).await
    }

    /// Serves every scenario of `dir` (and the built-in `default`), `active` first.
    pub async fn folder(dir: &Path, active: &str, options: MockOptions) -> TestServer {
        let source = CatalogSource {
            dir: Some(dir.to_path_buf()),
            ..CatalogSource::default()
        };
        let state = MockState::load(source, Active::Named(active.to_string()), options)
            .unwrap_or_else(|err| panic!("scenarios load:\n{err}"));
        TestServer::serve(state).await
    }

    /// Serves `state` on 127.0.0.1, port 0.
    pub async fn serve(state: MockState) -> TestServer {
        let mock = MockServer::serve(state).await.expect("serve on loopback");
        TestServer {
            addr: mock.address(),
            client: reqwest::Client::new(),
            _running: mock,
        }
    }

    /// Serves a bundled scenario.
    pub async fn bundled(name: &str) -> TestServer {
        TestServer::start(bundled(name)).await
    }

    /// Serves the bundled `default` scenario with these options.
    pub async fn default_with(options: MockOptions) -> TestServer {
        TestServer::serve(MockState::single(bundled("default"), options)).await
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A GET to click_detail with the example credentials and no body yet.
    pub fn click_detail(&self) -> reqwest::RequestBuilder {
        self.get_as("/api/transaction/click_detail", API_KEY, USERNAME)
    }

    /// A GET to click_detail with a form body, the way curl -X GET -d sends it.
    pub async fn lookup_form(&self, form: &str) -> Answer {
        self.lookup_typed(FORM, form.to_string()).await
    }

    /// A GET to click_detail with the example credentials and `body` typed as `content_type`.
    pub async fn lookup_typed(&self, content_type: &str, body: impl Into<reqwest::Body>) -> Answer {
        send(
            self.click_detail()
                .header("content-type", content_type)
                .body(body),
        )
        .await
    }

    /// The API page's example lookup.
    pub async fn lookup_example(&self) -> Answer {
        self.lookup_form(&format!("transaction_hash={EXAMPLE_CLICK}"))
            .await
    }

    /// `GET /__mock/requests{query}` (a query starts with `?`), as JSON.
    pub async fn journal(&self, query: &str) -> serde_json::Value {
        let answer = send(
            self.client
                .get(self.url(&format!("/__mock/requests{query}"))),
        )
        .await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        answer.json()
    }

    /// `GET /__mock/health`, as JSON.
    pub async fn health(&self) -> serde_json::Value {
        send(self.client.get(self.url("/__mock/health")))
            .await
            .json()
    }

    /// `n` pings with the example credentials, one after the other.
    pub async fn pings(&self, n: usize) {
        for _ in 0..n {
            let answer = send(self.get_as("/api/service/ping", API_KEY, USERNAME)).await;
            assert_eq!(answer.status, 200);
        }
    }

    /// A GET to `path` with these credential header values.
    pub fn get_as(&self, path: &str, api_key: &str, username: &str) -> reqwest::RequestBuilder {
        self.client
            .get(self.url(path))
            .header("api-key", api_key)
            .header("api-username", username)
    }
}

/// Sends `request` and reads the whole answer.
pub async fn send(request: reqwest::RequestBuilder) -> Answer {
    Answer::of(request.send().await.expect("request")).await
}

/// A response read whole.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Answer {
    /// Reads `response` whole.
    pub async fn of(response: reqwest::Response) -> Answer {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.expect("body");
        Answer {
            status,
            headers,
            body,
        }
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("JSON body ({e}): {}", self.body))
    }

    /// The error envelope's message, checking the envelope's shape.
    pub fn error_message(&self) -> String {
        let json = self.json();
        assert_eq!(json["result"], "error", "{}", self.body);
        assert_eq!(json.as_object().map(|o| o.len()), Some(2), "{}", self.body);
        json["message"].as_str().expect("message").to_string()
    }

    /// The Content-Type header.
    pub fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// `actual` of the first failure of a `POST /__mock/verify` answer.
    pub fn failures_actual(&self) -> Option<u64> {
        self.json()["failures"][0]["actual"].as_u64()
    }

    /// The matched click's `click_hash`.
    pub fn click_hash(&self) -> String {
        let json = self.json();
        assert_eq!(json["result"], "success", "{}", self.body);
        json["click"]["click_hash"]
            .as_str()
            .expect("click_hash")
            .to_string()
    }
}

/// The `seq` of every entry of a journal page.
pub fn seqs(page: &serde_json::Value) -> Vec<u64> {
    page["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .map(|r| r["seq"].as_u64().expect("seq"))
        .collect()
}

/// What process `pid` holds resident now, in bytes (`VmRSS` of
/// `/proc/PID/status`; Linux only).
pub fn resident_bytes(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .expect("a VmRSS line");
    let kib: u64 = line
        .trim_start_matches("VmRSS:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .expect("VmRSS in kB");
    kib * 1024
}

/// The built binary.
pub fn binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_n4n-mock"));
    command.current_dir(root());
    for var in [
        "N4N_MOCK_SCENARIO",
        "N4N_MOCK_SCENARIOS_DIR",
        "N4N_MOCK_BIND",
        "N4N_MOCK_PORT",
        "N4N_MOCK_LOG_FORMAT",
        "N4N_MOCK_WATCH",
        "N4N_MOCK_NO_ADMIN",
        "N4N_MOCK_JOURNAL_SIZE",
        "N4N_MOCK_JOURNAL_BYTES",
        "N4N_MOCK_URL",
        "N4N_MOCK_URL_FILE",
        "RUST_LOG",
    ] {
        command.env_remove(var);
    }
    command
}

/// A running `n4n-mock serve`; killed when dropped.
pub struct RunningBinary {
    pub child: Child,
    pub addr: SocketAddr,
    pub listening_line: String,
    logs: std::sync::mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl RunningBinary {
    /// Starts the binary with `args` (plus `--port 0`) and waits for its listening line.
    pub fn start(args: &[&str]) -> RunningBinary {
        RunningBinary::start_with(binary().args(args))
    }

    /// Starts a prepared command (plus `--port 0`) and waits for its listening line.
    pub fn start_with(command: &mut Command) -> RunningBinary {
        RunningBinary::start_as_given(command.args(["--port", "0"]))
    }

    /// Starts a prepared command as it is (its port chosen by the caller)
    /// and waits for its listening line.
    pub fn start_as_given(command: &mut Command) -> RunningBinary {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .stdin(Stdio::null())
            .spawn()
            .expect("start n4n-mock");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let stderr: ChildStderr = child.stderr.take().expect("stderr");
        let (log_tx, logs) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if log_tx.send(line).is_err() {
                    break;
                }
            }
        });
        let line = match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                let errors: Vec<String> = logs.try_iter().collect();
                panic!(
                    "no listening line within 20 s; stderr:\n{}",
                    errors.join("\n")
                );
            }
        };
        let addr =
            parse_listening_line(&line).unwrap_or_else(|| panic!("listening line: {line:?}"));
        RunningBinary {
            child,
            addr,
            listening_line: line.trim_end().to_string(),
            logs,
            seen: Vec::new(),
        }
    }

    /// `http://ADDR{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Waits until a log line containing `needle` appears on stderr.
    pub fn wait_for_log(&mut self, needle: &str, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        if let Some(line) = self.seen.iter().find(|l| l.contains(needle)) {
            return line.clone();
        }
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.logs.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "no log line with {needle:?} within {limit:?}; saw:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Every line written to stderr so far.
    pub fn logs_so_far(&mut self) -> &[String] {
        self.seen.extend(self.logs.try_iter());
        &self.seen
    }

    /// Sends `signal` (`TERM`, `INT`) to the process.
    pub fn signal(&self, signal: &str) {
        send_signal(&self.child, signal);
    }

    /// Waits for the process to exit (at most `limit`); its exit code and all of stderr.
    pub fn wait_exit(mut self, limit: Duration) -> (Option<i32>, String) {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                // The stderr thread ends once the pipe closes.
                while let Ok(line) = self.logs.recv_timeout(Duration::from_secs(5)) {
                    self.seen.push(line);
                }
                return (status.code(), self.seen.join("\n"));
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("n4n-mock did not exit within {limit:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Sends `signal` (`TERM`, `INT`) to `child`.
pub fn send_signal(child: &Child, signal: &str) {
    let status = Command::new("kill")
        .args([format!("-{signal}"), child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
}

/// Waits for `child` to exit (at most `limit`, else kills it and fails).
pub fn wait_exit(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("n4n-mock did not exit within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The names of the files in `dir`, sorted.
pub fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read_dir")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

impl Drop for RunningBinary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The address of `n4n-mock listening on http://HOST:PORT scenario=NAME`.
pub fn parse_listening_line(line: &str) -> Option<SocketAddr> {
    let rest = line.trim().strip_prefix("n4n-mock listening on http://")?;
    let (addr, _) = rest.split_once(' ')?;
    addr.parse().ok()
}

/// Sends `request` as raw bytes on a new connection and reads until the
/// server closes it (the request should say `Connection: close`).
pub async fn raw_exchange(addr: SocketAddr, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request).await.expect("write");
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut response))
        .await
        .expect("answer within 10 s")
        .expect("read");
    String::from_utf8_lossy(&response).into_owned()
}
