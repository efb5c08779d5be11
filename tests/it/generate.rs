//! Generated scenarios: deterministic bytes, a valid scenario of the asked
//! size, and clicks the server finds by the hashes the generator documents;
//! and `generate --out` as the binary: an existing file kept unless
//! `--force`, and no part of a file left by a run stopped with a signal.

use std::collections::HashSet;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use n4n_mock::generate::{
    FIRST_CLICK_HASH, GenerateOptions, click_hash, transaction_hash, write_scenario,
};
use n4n_mock::scenario::Scenario;

use crate::util::{EXAMPLE_CLICK, TestServer, binary, file_names, send_signal, wait_exit};

fn options(clicks: u64, transactions_per_click: u64, seed: u64) -> GenerateOptions {
    GenerateOptions {
        clicks,
        transactions_per_click,
        seed,
    }
}

fn generate(options: &GenerateOptions) -> Vec<u8> {
    let mut out = Vec::new();
    write_scenario(options, &mut out).expect("write to a Vec");
    out
}

/// Writes the scenario to a temporary folder and loads it from there.
fn load(options: &GenerateOptions) -> Scenario {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("generated.yaml");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
    write_scenario(options, &mut file).expect("write scenario");
    drop(file);
    Scenario::from_file(&path).unwrap_or_else(|err| panic!("generated scenario loads:\n{err}"))
}

fn is_hash_shaped(hash: &str) -> bool {
    let Some((hex, digits)) = hash.split_once('.') else {
        return false;
    };
    hex.len() == 15
        && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        && digits.len() == 8
        && digits.bytes().all(|b| b.is_ascii_digit())
}

#[test]
fn same_options_write_identical_bytes() {
    let options = options(50, 2, 7);

    let first = generate(&options);
    let second = generate(&options);

    assert!(!first.is_empty());
    assert_eq!(first, second);
}

#[test]
fn another_seed_writes_other_bytes() {
    let first = generate(&options(50, 2, 7));

    let second = generate(&options(50, 2, 8));

    assert_ne!(first, second);
}

#[test]
fn generated_scenario_loads_with_the_asked_numbers_of_clicks_and_transactions() {
    let options = options(200, 3, 42);

    let scenario = load(&options);

    assert_eq!(scenario.clicks().clicks(), 200);
    assert_eq!(scenario.clicks().transactions(), 600);
}

#[test]
fn description_says_how_the_scenario_was_generated() {
    let scenario = load(&options(20, 3, 42));

    let description = scenario.description();

    for part in ["20 clicks", "3 transactions per click", "seed 42"] {
        assert!(description.contains(part), "{part:?} in {description:?}");
    }
}

#[test]
fn zero_clicks_write_a_valid_empty_scenario() {
    let scenario = load(&options(0, 3, 1));

    assert_eq!(scenario.clicks().clicks(), 0);
    assert_eq!(scenario.clicks().transactions(), 0);
}

#[test]
fn hashes_are_shaped_like_real_ones_and_never_repeat() {
    let seed = 3;
    let mut seen = HashSet::new();

    for index in 0..20_000 {
        for hash in [click_hash(index, seed), transaction_hash(index, seed)] {
            assert!(is_hash_shaped(&hash), "{hash:?} is not shaped like a hash");
            assert!(seen.insert(hash.clone()), "{hash} repeats");
        }
    }
}

#[test]
fn click_zero_is_the_api_page_example_click_for_every_seed() {
    for seed in [0, 1, 99, u64::MAX] {
        assert_eq!(click_hash(0, seed), FIRST_CLICK_HASH);
    }
    assert_eq!(FIRST_CLICK_HASH, EXAMPLE_CLICK);
}

#[test]
fn the_written_file_uses_the_documented_hashes() {
    let text = String::from_utf8(generate(&options(10, 2, 5))).expect("UTF-8");

    for index in 0..10 {
        assert!(text.contains(&format!("click_hash: {}", click_hash(index, 5))));
    }
    for index in 0..20 {
        assert!(text.contains(&format!("transaction_hash: {}", transaction_hash(index, 5))));
    }
}

#[tokio::test]
async fn a_generated_click_answers_over_http_with_its_transactions() {
    let (seed, per_click) = (11, 4);
    let server = TestServer::start(load(&options(100, per_click, seed))).await;
    let hash = click_hash(57, seed);

    let answer = server
        .lookup_form(&format!("transaction_hash={hash}"))
        .await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.click_hash(), hash);
    let transactions = answer.json()["transactions"]
        .as_array()
        .expect("transactions")
        .len();
    assert_eq!(transactions as u64, per_click);
}

#[tokio::test]
async fn a_generated_transaction_hash_finds_its_click() {
    let (seed, per_click) = (11, 4);
    let server = TestServer::start(load(&options(100, per_click, seed))).await;
    // Transaction n belongs to click n / K.
    let transaction = transaction_hash(57 * per_click + 3, seed);

    let answer = server
        .lookup_form(&format!("transaction_hash={transaction}"))
        .await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.click_hash(), click_hash(57, seed));
}

#[tokio::test]
async fn the_api_page_example_request_finds_click_zero() {
    let server = TestServer::start(load(&options(10, 1, 123))).await;

    let answer = server.lookup_example().await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.click_hash(), FIRST_CLICK_HASH);
}

// --- `generate --out`, as the binary ------------------------------------------

/// A scenario somebody wrote by hand, to be kept.
const PRECIOUS: &[u8] = b"# an afternoon's work\nclicks: []\n";

/// Runs `n4n-mock generate --clicks 2` with `args`: its exit code and stderr.
fn run_generate(args: &[&std::ffi::OsStr]) -> (Option<i32>, String) {
    let output = binary()
        .args(["generate", "--clicks", "2"])
        .args(args)
        .output()
        .expect("run n4n-mock generate");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn an_existing_out_is_refused_with_exit_2_and_kept() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("precious.yaml");
    std::fs::write(&out, PRECIOUS).expect("write");

    let (code, stderr) = run_generate(&["--out".as_ref(), out.as_os_str()]);

    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains(&out.display().to_string()), "{stderr}");
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(std::fs::read(&out).expect("read"), PRECIOUS);
    assert_eq!(file_names(dir.path()), ["precious.yaml"]);
}

#[test]
fn force_replaces_an_existing_out() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("precious.yaml");
    std::fs::write(&out, PRECIOUS).expect("write");

    let (code, stderr) = run_generate(&["--force".as_ref(), "--out".as_ref(), out.as_os_str()]);

    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        std::fs::read(&out).expect("read"),
        generate(&options(2, 1, 0))
    );
    assert_eq!(file_names(dir.path()), ["precious.yaml"]);
}

#[test]
fn force_without_out_is_bad_usage() {
    let (code, stderr) = run_generate(&["--force".as_ref()]);

    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("--out"), "{stderr}");
}

#[test]
fn help_says_an_existing_out_is_kept_unless_force() {
    for command in ["generate", "record"] {
        let output = binary()
            .args([command, "--help"])
            .output()
            .expect("run n4n-mock --help");

        let help = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(0), "{command}");
        for needle in ["--force", "is kept", "temporary file"] {
            assert!(
                help.contains(needle),
                "{needle} missing from {command}:\n{help}"
            );
        }
    }
}

/// Starts a generate of millions of clicks into `out` (with `args`) and
/// returns once its hidden temporary file is there, so the write is under way.
fn start_large_generate(out: &Path, args: &[&str]) -> Child {
    let mut child = binary()
        .args(["generate", "--clicks", "5000000", "--out"])
        .arg(out)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start n4n-mock generate");
    let dir = out.parent().expect("folder");
    let prefix = format!(".{}.", out.file_name().expect("name").to_string_lossy());
    let deadline = Instant::now() + Duration::from_secs(30);
    while !file_names(dir)
        .iter()
        .any(|name| name.starts_with(&prefix) && name.ends_with(".tmp"))
    {
        if Instant::now() > deadline || child.try_wait().expect("try_wait").is_some() {
            let _ = child.kill();
            panic!("no temporary file for {} within 30 s", out.display());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child
}

/// Sends `signal` to `child`, waits for it to exit: its exit code and stderr.
fn stop(mut child: Child, signal: &str) -> (Option<i32>, String) {
    send_signal(&child, signal);
    let status = wait_exit(&mut child, Duration::from_secs(60));
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr)
        .expect("read stderr");
    (status.code(), stderr)
}

#[test]
fn a_generate_stopped_by_sigterm_leaves_no_out_and_no_temporary_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("large.yaml");
    let child = start_large_generate(&out, &[]);

    let (code, stderr) = stop(child, "TERM");

    assert_eq!(code, Some(143), "{stderr}");
    assert!(stderr.contains("SIGTERM"), "{stderr}");
    assert_eq!(file_names(dir.path()), Vec::<String>::new());
}

#[test]
fn a_forced_generate_stopped_by_sigint_keeps_the_old_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("precious.yaml");
    std::fs::write(&out, PRECIOUS).expect("write");
    let child = start_large_generate(&out, &["--force"]);

    let (code, stderr) = stop(child, "INT");

    assert_eq!(code, Some(130), "{stderr}");
    assert!(stderr.contains("SIGINT"), "{stderr}");
    assert_eq!(std::fs::read(&out).expect("read"), PRECIOUS);
    assert_eq!(file_names(dir.path()), ["precious.yaml"]);
}
