//! `generate --out` as the binary: an existing file kept unless `--force`,
//! and no part of a file left by a run stopped with a signal. (What the
//! generated scenarios hold is tested beside the generator.)

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Duration;

use crate::util::{binary, file_names, poll_blocking, send_signal, wait_exit};

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
    let to_stdout = binary()
        .args(["generate", "--clicks", "2"])
        .output()
        .expect("run n4n-mock generate");
    assert_eq!(std::fs::read(&out).expect("read"), to_stdout.stdout);
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
    // `Some(false)`: the generate ended before writing anything.
    let writing = poll_blocking(Duration::from_secs(30), || {
        if file_names(dir)
            .iter()
            .any(|name| name.starts_with(&prefix) && name.ends_with(".tmp"))
        {
            return Some(true);
        }
        child.try_wait().expect("try_wait").map(|_| false)
    });
    if writing != Some(true) {
        let _ = child.kill();
        let _ = child.wait();
        panic!("no temporary file for {} within 30 s", out.display());
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

// --- the format: JSON for `--out *.json` or `--format json` -------------------

#[test]
fn out_ending_in_json_writes_the_json_that_format_json_prints() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("big.json");

    let (code, stderr) = run_generate(&["--out".as_ref(), out.as_os_str()]);

    assert_eq!(code, Some(0), "{stderr}");
    let written = std::fs::read(&out).expect("read");
    serde_json::from_slice::<serde_json::Value>(&written).expect("JSON");
    let printed = binary()
        .args(["generate", "--clicks", "2", "--format", "json"])
        .output()
        .expect("run n4n-mock generate");
    assert_eq!(written, printed.stdout);
}

#[test]
fn format_yaml_wins_over_a_json_file_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("odd.json");

    let (code, stderr) = run_generate(&[
        "--format".as_ref(),
        "yaml".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);

    assert_eq!(code, Some(0), "{stderr}");
    let written = std::fs::read_to_string(&out).expect("read");
    assert!(written.starts_with("# Generated by n4n-mock"), "{written}");
}
