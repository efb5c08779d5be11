//! Schemathesis against the built binary, with every check it has and its
//! stateful phase: the served document must describe every answer, and
//! accept what the server accepts and refuse what it refuses.
//!
//! Schemathesis runs from the virtual environment `.ci/run` makes at
//! `.venv-schemathesis/` (pinned in `scripts/schemathesis-requirements.txt`).
//! Without it the test says so and passes, unless `N4N_MOCK_SCHEMATHESIS=1`
//! (set by `.ci/run`) says it must run: then a missing environment fails.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::*;

/// The variable that makes a missing Schemathesis a failure, not a skip.
const MUST_RUN: &str = "N4N_MOCK_SCHEMATHESIS";

/// Longer than this and the run is stopped and failed: it takes about three
/// minutes on a busy two-core machine.
const LIMIT: Duration = Duration::from_secs(290);

/// Scenarios that make answers fail or crawl on purpose (503s, 1.5 s
/// latency, 429 after five requests). Schemathesis reports a 5xx as a
/// server error whatever the document says, and a run picking `slow` would
/// take many minutes; they are left out of the folder the run serves.
const FAULTY: [&str; 3] = ["flaky", "slow", "rate-limited"];

fn schemathesis() -> PathBuf {
    root().join(".venv-schemathesis/bin/schemathesis")
}

#[test]
fn schemathesis_with_every_check_finds_nothing() {
    let cli = schemathesis();
    if !cli.exists() {
        let must = std::env::var(MUST_RUN).is_ok_and(|v| v == "1");
        assert!(
            !must,
            "{MUST_RUN}=1 but {} is missing: run .ci/run, or python3 -m venv .venv-schemathesis && .venv-schemathesis/bin/pip install --require-hashes -r scripts/schemathesis-requirements.txt",
            cli.display()
        );
        eprintln!(
            "skipped: {} is missing (.ci/run installs it; set {MUST_RUN}=1 to make this a failure)",
            cli.display()
        );
        return;
    }
    let folder = bundled_copy();
    for name in FAULTY {
        std::fs::remove_file(folder.path().join("scenarios").join(format!("{name}.yaml")))
            .expect("remove a faulty scenario");
    }
    let scenarios = folder.path().join("scenarios");
    let server =
        RunningBinary::start_with(binary().arg("serve").arg("--scenarios-dir").arg(&scenarios));
    let base = server.url("");

    // From the repository root, so that `schemathesis.toml` applies.
    let mut run = Command::new(&cli);
    run.current_dir(root())
        .arg("run")
        .arg(format!("{base}/__mock/openapi.yaml"))
        .args(["--url", &base])
        .args(["--checks", "all"])
        .args(["--max-examples", "300"])
        .args(["--phases", "examples,coverage,fuzzing,stateful"])
        .args(["--header", &format!("api-key: {API_KEY}")])
        .args(["--header", &format!("api-username: {USERNAME}")])
        .args(["--seed", "1"])
        .env("NO_COLOR", "1")
        .env("COLUMNS", "120")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = run.spawn().expect("start schemathesis");
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for schemathesis") {
            break Some(status);
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let mut stderr = String::new();
    if let Some(mut err) = child.stderr.take() {
        let _ = err.read_to_string(&mut stderr);
    }
    let output = reader.join().expect("read schemathesis's output");
    let took = started.elapsed().as_secs();
    let Some(status) = status else {
        panic!("schemathesis ran past {LIMIT:?} and was stopped:\n{output}\n{stderr}");
    };
    assert!(
        status.success(),
        "schemathesis found disagreements ({status}, {took} s):\n{output}\n{stderr}"
    );
    // The stateful phase must have run; how many links it followed is
    // printed, not asserted (see README, "What the document guarantees").
    let links = output
        .lines()
        .find(|l| l.trim_start().starts_with("API Links:"))
        .unwrap_or_else(|| panic!("no stateful phase in:\n{output}"));
    eprintln!("schemathesis: no finding in {took} s; {}", links.trim());
}
