//! Starting servers and binaries for tests, and the requests tests send.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, Stdio};
use std::time::{Duration, Instant};

use n4n_mock::{MockOptions, MockServer, MockServerBuilder, Scenario};

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

/// How often [`eventually`] and [`eventually_blocking`] look again.
const POLL_EVERY: Duration = Duration::from_millis(25);

/// Polls `check` every [`POLL_EVERY`] until it returns `Some`; fails the
/// test, naming `what`, once `limit` has passed without.
pub async fn eventually<T>(
    limit: Duration,
    what: &str,
    mut check: impl AsyncFnMut() -> Option<T>,
) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(Instant::now() < deadline, "not within {limit:?}: {what}");
        tokio::time::sleep(POLL_EVERY).await;
    }
}

/// [`eventually`] for tests that run no runtime (a binary, a child
/// process): the same rules, the thread sleeping between looks.
pub fn eventually_blocking<T>(limit: Duration, what: &str, check: impl FnMut() -> Option<T>) -> T {
    poll_blocking(limit, check).unwrap_or_else(|| panic!("not within {limit:?}: {what}"))
}

/// Polls `check` as [`eventually_blocking`] does, but hands back `None` at
/// the deadline, for a caller that must clean up (kill a child) before failing.
pub fn poll_blocking<T>(limit: Duration, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(found) = check() {
            return Some(found);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(POLL_EVERY);
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
    /// Serves `scenario` (and the built-in ones) on 127.0.0.1, port 0.
    pub async fn start(scenario: Scenario) -> TestServer {
        TestServer::with_options(scenario, MockOptions::default()).await
    }

    /// Serves `scenario` with `options`.
    pub async fn with_options(scenario: Scenario, options: MockOptions) -> TestServer {
        TestServer::serve(
            MockServer::builder()
                .scenario_built(scenario)
                .options(options),
        )
        .await
    }

    /// Serves every scenario of `dir` (and the built-in ones), `active` first.
    pub async fn folder(dir: &Path, active: &str, options: MockOptions) -> TestServer {
        let builder = MockServer::builder()
            .scenarios_dir(dir)
            .scenario(active)
            .options(options);
        TestServer::serve(builder).await
    }

    /// Starts what `builder` sets up, on 127.0.0.1, port 0.
    pub async fn serve(builder: MockServerBuilder) -> TestServer {
        let mock = builder
            .start()
            .await
            .unwrap_or_else(|err| panic!("the mock starts:\n{err}"));
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
        TestServer::with_options(bundled("default"), options).await
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
        self.request_as(reqwest::Method::GET, path, api_key, username)
    }

    /// A POST to `path` with these credential header values.
    pub fn post_as(&self, path: &str, api_key: &str, username: &str) -> reqwest::RequestBuilder {
        self.request_as(reqwest::Method::POST, path, api_key, username)
    }

    /// A PATCH to `path` with these credential header values.
    pub fn patch_as(&self, path: &str, api_key: &str, username: &str) -> reqwest::RequestBuilder {
        self.request_as(reqwest::Method::PATCH, path, api_key, username)
    }

    /// A request by `method` to `path` with these credential header values.
    pub fn request_as(
        &self,
        method: reqwest::Method,
        path: &str,
        api_key: &str,
        username: &str,
    ) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .header("api-key", api_key)
            .header("api-username", username)
    }

    /// A request by `method` to `path` with the example credentials and
    /// `fields` as an `x-www-form-urlencoded` body (also for GET, as curl
    /// `-X GET -d` sends it).
    pub fn form_request(
        &self,
        method: reqwest::Method,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::RequestBuilder {
        self.request_as(method, path, API_KEY, USERNAME)
            .form(fields)
    }

    /// Sends [`form_request`](TestServer::form_request) and reads the answer.
    pub async fn send_form(
        &self,
        method: reqwest::Method,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Answer {
        send(self.form_request(method, path, fields)).await
    }

    /// `POST /__mock/{action}` (`reset`, `reload`), checked to answer 200.
    pub async fn admin_post(&self, action: &str) -> Answer {
        let answer = send(self.client.post(self.url(&format!("/__mock/{action}")))).await;
        assert_eq!(answer.status, 200, "{action}: {}", answer.body);
        answer
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
        self.envelope_message()
            .unwrap_or_else(|why| panic!("{why}: {}", self.body))
    }

    /// The error envelope's message, or why the body is not an envelope
    /// (`{"result":"error","message":"..."}` and nothing else).
    pub fn envelope_message(&self) -> Result<String, String> {
        let json: serde_json::Value =
            serde_json::from_str(&self.body).map_err(|e| format!("not JSON ({e})"))?;
        if json["result"] != "error" || json.as_object().map(|o| o.len()) != Some(2) {
            return Err("not an error envelope".to_string());
        }
        json["message"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| "an envelope without a message".to_string())
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
        let status = wait_exit(&mut self.child, limit);
        // The stderr thread ends once the pipe closes.
        while let Ok(line) = self.logs.recv_timeout(Duration::from_secs(5)) {
            self.seen.push(line);
        }
        (status.code(), self.seen.join("\n"))
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
    poll_blocking(limit, || child.try_wait().expect("try_wait")).unwrap_or_else(|| {
        let _ = child.kill();
        let _ = child.wait();
        panic!("n4n-mock did not exit within {limit:?}");
    })
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

/// Sends `requests` (HTTP/1.1 requests back to back) on one new connection,
/// reading the answers while it writes: the status of each of the first
/// `count` answers, or what went wrong on the connection.
pub async fn pipelined_statuses(
    addr: SocketAddr,
    requests: &[u8],
    count: usize,
) -> Result<Vec<u16>, String> {
    use tokio::io::{AsyncWriteExt, BufReader};
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let (reader, mut writer) = stream.split();
    let write = async {
        writer
            .write_all(requests)
            .await
            .map_err(|e| format!("write: {e}"))
    };
    let read = async move {
        let mut reader = BufReader::new(reader);
        let mut line = String::new();
        let mut statuses = Vec::with_capacity(count);
        while statuses.len() < count {
            let status = read_answer(&mut reader, &mut line)
                .await
                .map_err(|e| format!("answer {}: {e}", statuses.len() + 1))?;
            statuses.push(status);
        }
        Ok(statuses)
    };
    let (written, statuses) = tokio::join!(write, read);
    written?;
    statuses
}

/// Reads one HTTP/1.1 answer framed by its Content-Length; its status.
async fn read_answer(
    reader: &mut (impl tokio::io::AsyncBufRead + Unpin),
    line: &mut String,
) -> Result<u16, String> {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt};
    let mut next_line = async |line: &mut String| {
        line.clear();
        match reader.read_line(line).await {
            Ok(0) => Err("closed mid-answer".to_string()),
            Ok(_) => Ok(()),
            Err(e) => Err(format!("read: {e}")),
        }
    };
    next_line(line).await?;
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("status line {line:?}"))?;
    let mut length = None;
    loop {
        next_line(line).await?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse::<u64>().ok();
        }
    }
    let length = length.ok_or("an answer without Content-Length")?;
    let read = tokio::io::copy(&mut (&mut *reader).take(length), &mut tokio::io::sink())
        .await
        .map_err(|e| format!("read: {e}"))?;
    if read < length {
        return Err("closed mid-body".to_string());
    }
    Ok(status)
}

/// The fenced blocks of a Markdown document's section under `heading` (up
/// to the next `##` or `###` heading), in order: their language and text.
pub fn doc_blocks(document: &str, heading: &str) -> Vec<(String, String)> {
    let start = document
        .find(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("the document has no `{heading}`"))
        + heading.len()
        + 2;
    let section = &document[start..];
    // The next heading (a `#` line outside the fenced blocks).
    let end = ["\n## ", "\n### "]
        .iter()
        .filter_map(|heading| section.find(heading))
        .min()
        .unwrap_or(section.len());
    let mut lines = section[..end].lines();
    let mut found = Vec::new();
    while let Some(line) = lines.next() {
        let Some(language) = line.strip_prefix("```") else {
            continue;
        };
        let mut text = String::new();
        for line in lines.by_ref() {
            if line == "```" {
                break;
            }
            text.push_str(line);
            text.push('\n');
        }
        found.push((language.to_string(), text));
    }
    found
}
