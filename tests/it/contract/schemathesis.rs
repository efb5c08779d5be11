//! Schemathesis against the built binary, with every check it has and its
//! stateful phase: the served document must describe every answer, and
//! accept what the server accepts and refuse what it refuses. The stateful
//! phase must follow the document's links: a click_detail answer's
//! transaction voided, then its click looked up again.
//!
//! Schemathesis runs from the virtual environment `.ci/run` makes at
//! `.venv-schemathesis/` (pinned in `scripts/schemathesis-requirements.txt`).
//! The run takes minutes and needs that environment, so a plain `cargo test`
//! counts it as ignored; `.ci/run` runs it with `--ignored`, and a missing
//! environment then fails the test.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::*;

/// Longer than this, all runs together, and the test is stopped and
/// failed: they take about three minutes on a busy two-core machine.
const LIMIT: Duration = Duration::from_secs(290);

/// Scenarios that make answers fail or crawl on purpose (503s, 1.5 s
/// latency, 429 after five requests). Schemathesis reports a 5xx as a
/// server error whatever the document says, and a run picking `slow` would
/// take many minutes; they are left out of the folder the run serves, and
/// `--no-builtin-scenarios` leaves out their copies built into the binary.
const FAULTY: [&str; 3] = ["flaky", "slow", "rate-limited"];

fn schemathesis() -> PathBuf {
    root().join(".venv-schemathesis/bin/schemathesis")
}

#[test]
#[ignore = "runs Schemathesis from .venv-schemathesis (about three minutes): make it as .ci/run \
            does, then `cargo test --test it contract::schemathesis -- --ignored`"]
fn schemathesis_with_every_check_finds_nothing() {
    let cli = schemathesis();
    assert!(
        cli.exists(),
        "{} is missing: run .ci/run, or python3 -m venv .venv-schemathesis && .venv-schemathesis/bin/pip install --require-hashes -r scripts/schemathesis-requirements.txt",
        cli.display()
    );
    let folder = bundled_copy();
    for name in FAULTY {
        std::fs::remove_file(folder.path().join("scenarios").join(format!("{name}.yaml")))
            .expect("remove a faulty scenario");
    }
    let scenarios = folder.path().join("scenarios");
    // The journal keeps every request of the stateful run, for the chain
    // check below.
    let server = RunningBinary::start_with(
        binary()
            .arg("serve")
            .arg("--scenarios-dir")
            .arg(&scenarios)
            .arg("--no-builtin-scenarios")
            .args(["--journal-size", "1000000", "--journal-bytes", "1073741824"]),
    );
    let base = server.url("");
    let started = Instant::now();

    // The command: every phase, every check.
    let all = run(
        &cli,
        &base,
        "examples,coverage,fuzzing,stateful",
        started,
        1,
        300,
        &[],
    );
    assert!(
        links_covered(&all) > 0,
        "the stateful phase followed none of the document's links:\n{all}"
    );

    // The earlier phases void, charge back and reverse the transactions the
    // document's examples name, so a stateful run on that state finds every
    // event refused. The chain is looked for in short stateful runs on the
    // data as the files say, each with a journal holding only that run, over
    // the operations a client walks (the active scenario, a lookup, a void,
    // the lookup again), with valid requests only so that its steps succeed.
    // A run voids the looked-up transaction once (a second void is refused)
    // and schemathesis draws at random whether it then follows the link to
    // the lookup, which about four runs in ten do: the first run of seeds 1
    // to `ATTEMPTS` that shows the chain ends the test.
    const ATTEMPTS: u64 = 16;
    let http = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let chain_operations = ["listScenarios", "clickDetail", "processVoid"];
    // A void of the transaction the document's example names came from the
    // example, not from a lookup's answer: it does not count.
    let void_example = http.block_on(void_example(&server));
    let mut tried = Vec::new();
    let ((voided, looked_up), covered) = loop {
        http.block_on(fresh_data_and_journal(&server));
        let seed = tried.len() as u64 + 1;
        let stateful = run(
            &cli,
            &base,
            "stateful",
            started,
            seed,
            50,
            &chain_operations,
        );
        let covered = links_covered(&stateful);
        let journal = http.block_on(whole_journal(&server));
        if let Some(found) = chain(&journal, &void_example) {
            break (found, covered);
        }
        tried.push(format!(
            "seed {seed}: {} requests, {covered} links covered, voids answered {:?}",
            journal.len(),
            statuses(&journal, "/api/transaction/process_void")
        ));
        assert!(
            seed < ATTEMPTS,
            "no void of a looked-up transaction and lookup after a void in one of {ATTEMPTS} stateful runs:\n{}\nthe last run:\n{stateful}",
            tried.join("\n")
        );
    };
    eprintln!(
        "schemathesis: no finding in {} s; the stateful run followed {covered} links (voided {voided} from a lookup's answer, looked {looked_up} up after its void; {} runs before it showed none)",
        started.elapsed().as_secs(),
        tried.len()
    );
}

/// The data of every scenario as its files say, and an empty journal.
async fn fresh_data_and_journal(server: &RunningBinary) {
    let client = reqwest::Client::new();
    let reset = client.post(server.url("/__mock/reset")).send().await;
    assert_eq!(reset.expect("reset").status(), 200);
    let cleared = client.delete(server.url("/__mock/requests")).send().await;
    assert_eq!(cleared.expect("clear the journal").status(), 200);
}

/// The `transaction_hash` of the served document's example void.
async fn void_example(server: &RunningBinary) -> String {
    let text = reqwest::get(server.url("/__mock/openapi.yaml"))
        .await
        .expect("the document")
        .text()
        .await
        .expect("its text");
    let document: serde_json::Value = serde_saphyr::from_str(&text).expect("the document is YAML");
    let example = &document["components"]["requestBodies"]["Void"]["content"]["application/x-www-form-urlencoded"]
        ["example"]["transaction_hash"];
    example.as_str().expect("an example void").to_owned()
}

/// What the links make a client do, if one run's journal shows both: a
/// void answered 200 for a transaction other than the document's example
/// (so one a lookup's answer named: `VoidTheFirstTransaction`), and a lookup
/// of a transaction after its void answered 200 (`LookUpTheTransactionAgain`).
/// The two hashes (often the same transaction).
fn chain(journal: &[serde_json::Value], example: &str) -> Option<(String, String)> {
    let voids = || {
        journal.iter().filter_map(|e| {
            let voided = e["path"] == "/api/transaction/process_void" && e["status"] == 200;
            Some((e["value"].as_str().filter(|_| voided)?, e["seq"].as_u64()?))
        })
    };
    let from_a_lookup = voids().find(|(hash, _)| *hash != example)?.0;
    let looked_up_again = voids()
        .find(|&(hash, seq)| {
            journal.iter().any(|e| {
                e["path"] == "/api/transaction/click_detail"
                    && e["value"] == hash
                    && e["seq"].as_u64() > Some(seq)
            })
        })?
        .0;
    Some((from_a_lookup.to_owned(), looked_up_again.to_owned()))
}

/// How many requests to `path` got each status.
fn statuses(
    journal: &[serde_json::Value],
    path: &str,
) -> std::collections::BTreeMap<String, usize> {
    let mut counts = std::collections::BTreeMap::new();
    for entry in journal.iter().filter(|e| e["path"] == path) {
        *counts.entry(entry["status"].to_string()).or_default() += 1;
    }
    counts
}

/// Runs schemathesis with `phases`, `seed`, `max_examples` and every check,
/// from the repository root (so that `schemathesis.toml` applies); its
/// output, or a failure naming what it found. All runs together stay within [`LIMIT`].
/// `only` names the operations to test, in positive mode; empty, all of
/// them, valid and invalid requests alike.
fn run(
    cli: &Path,
    base: &str,
    phases: &str,
    started: Instant,
    seed: u64,
    max_examples: u64,
    only: &[&str],
) -> String {
    let mut command = Command::new(cli);
    command
        .current_dir(root())
        .arg("run")
        .arg(format!("{base}/__mock/openapi.yaml"))
        .args(["--url", base])
        .args(["--checks", "all"])
        .args(["--max-examples", &max_examples.to_string()])
        .args(["--phases", phases])
        .args(["--header", &format!("api-key: {API_KEY}")])
        .args(["--header", &format!("api-username: {USERNAME}")])
        .args(["--seed", &seed.to_string()])
        // No examples kept from earlier runs, so that a run on a fresh
        // clone's CI draws as it does here.
        .args(["--generation-database", "none"])
        .args(only.iter().flat_map(|id| ["--include-operation-id", id]))
        .args(if only.is_empty() {
            &[][..]
        } else {
            &["--mode", "positive"][..]
        })
        .env("NO_COLOR", "1")
        .env("COLUMNS", "120")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("start schemathesis");
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
    let Some(status) = status else {
        panic!("schemathesis ({phases}) ran past {LIMIT:?} and was stopped:\n{output}\n{stderr}");
    };
    assert!(
        status.success(),
        "schemathesis ({phases}) found disagreements ({status}, {} s):\n{output}\n{stderr}",
        started.elapsed().as_secs()
    );
    output
}

/// The `N` of the stateful phase's `API Links: N covered / ...` line.
fn links_covered(output: &str) -> u64 {
    let line = output
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("API Links:"))
        .unwrap_or_else(|| panic!("no stateful phase in:\n{output}"));
    line.split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("cannot read the links covered from `API Links:{line}`"))
}

/// Every entry of the mock's journal, oldest first, page by page.
async fn whole_journal(server: &RunningBinary) -> Vec<serde_json::Value> {
    let client = reqwest::Client::new();
    let mut entries = Vec::new();
    let mut after = 0;
    loop {
        let url = server.url(&format!("/__mock/requests?after={after}&limit=1000"));
        let page: serde_json::Value = client
            .get(url)
            .send()
            .await
            .expect("read the journal")
            .json()
            .await
            .expect("a journal page");
        entries.extend(
            page["requests"]
                .as_array()
                .expect("requests")
                .iter()
                .cloned(),
        );
        if page["more"] != true {
            return entries;
        }
        after = page["next_after"].as_u64().expect("next_after");
    }
}
