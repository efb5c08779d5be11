//! A test that did not run is not a pass: a test that needs something a
//! plain `cargo test` lacks (podman, Schemathesis, minutes) is marked
//! `#[ignore = "why, and how to run it"]`, so `cargo test` counts it as
//! ignored, and `.ci/run` runs it with `--ignored`. None returns early and
//! passes.

use std::path::Path;

use crate::util::root;

/// An ignored test: its module path under `tests/it` and its reason.
#[derive(Debug)]
struct Ignored {
    path: String,
    reason: String,
}

/// Every `#[ignore]`d test of `tests/it`, with the text of each file.
fn ignored_tests() -> (Vec<Ignored>, Vec<(String, String)>) {
    let mut ignored = Vec::new();
    let mut files = Vec::new();
    collect(&root().join("tests/it"), "", &mut ignored, &mut files);
    (ignored, files)
}

fn collect(
    dir: &Path,
    module: &str,
    ignored: &mut Vec<Ignored>,
    files: &mut Vec<(String, String)>,
) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("tests/it")
        .map(|entry| entry.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let stem = path
            .file_stem()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let own = match stem.as_str() {
            "main" | "mod" => module.to_string(),
            _ if module.is_empty() => stem.clone(),
            _ => format!("{module}::{stem}"),
        };
        if path.is_dir() {
            collect(&path, &own, ignored, files);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("a test file");
        if own == "ignored" {
            // This file: its messages quote the attribute.
            continue;
        }
        ignored.extend(ignored_in(&text, &own));
        files.push((path.display().to_string(), text));
    }
}

/// The `#[ignore = "..."]` tests of one file: the attribute starts a line
/// and may run over several (a `\` continuation); the test is the next
/// `fn`.
fn ignored_in(text: &str, module: &str) -> Vec<Ignored> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let mut found = Vec::new();
    let mut at = 0;
    while at < lines.len() {
        if !lines[at].starts_with("#[ignore") {
            at += 1;
            continue;
        }
        let mut attribute = String::new();
        while at < lines.len() {
            attribute.push_str(lines[at]);
            at += 1;
            if attribute.ends_with(']') {
                break;
            }
        }
        let reason = attribute
            .split_once('"')
            .map(|(_, r)| r.trim_end_matches("\"]").to_string())
            .unwrap_or_default();
        let name = lines[at..]
            .iter()
            .find_map(|l| l.split_once("fn "))
            .and_then(|(_, f)| f.split('(').next())
            .expect("the ignored test's name")
            .to_string();
        let path = if module.is_empty() {
            name
        } else {
            format!("{module}::{name}")
        };
        found.push(Ignored { path, reason });
    }
    found
}

/// The filters of each `cargo test ... --ignored` line of `.ci/run`.
fn ci_ignored_filters() -> Vec<String> {
    let ci = std::fs::read_to_string(root().join(".ci/run")).expect(".ci/run");
    let mut filters = Vec::new();
    for line in ci.lines().filter(|l| {
        !l.trim_start().starts_with('#') && l.contains("cargo test") && l.contains("--ignored")
    }) {
        let words: Vec<&str> = line.split_whitespace().collect();
        // `cargo test --locked --test it FILTER -- --ignored FILTER...`:
        // every word that is not a flag, after `--test it`.
        let after_it = words
            .windows(2)
            .position(|w| w == ["--test", "it"])
            .map_or(words.len(), |i| i + 2);
        filters.extend(
            words[after_it..]
                .iter()
                .filter(|w| !w.starts_with('-'))
                .map(|w| w.to_string()),
        );
    }
    filters
}

#[test]
fn every_ignored_test_says_why_and_how_to_run_it() {
    let (ignored, _) = ignored_tests();
    assert!(
        ignored.len() >= 9,
        "the image, Schemathesis and postback-log tests are ignored: {ignored:#?}"
    );
    for test in &ignored {
        assert!(
            test.reason.contains("--ignored") && test.reason.len() > 40,
            "{} is ignored without saying why and how to run it: {:?}",
            test.path,
            test.reason
        );
    }
}

#[test]
fn ci_runs_every_ignored_test() {
    let (ignored, _) = ignored_tests();
    let filters = ci_ignored_filters();
    for test in &ignored {
        assert!(
            filters.iter().any(|f| test.path.contains(f.as_str())),
            "{} is ignored by `cargo test` and no `--ignored` line of .ci/run runs it \
             (filters there: {filters:?})",
            test.path
        );
    }
}

#[test]
fn no_test_passes_by_returning_early() {
    let (_, files) = ignored_tests();
    for (path, text) in files {
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            assert!(
                !(line.contains("\"skipped") || line.contains("else { return }")),
                "{path}:{}: a test that returns early counts as passed; mark it \
                 #[ignore = \"why, and how to run it\"] instead: {line}",
                number + 1
            );
        }
    }
}

#[test]
fn the_reader_finds_an_ignored_test_and_its_reason() {
    let text = "#[test]\n#[ignore = \"slow: run with \\\n   `-- --ignored`\"]\nfn big_one() {}\n";
    let found = ignored_in(text, "postbacks::bounds");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].path, "postbacks::bounds::big_one");
    assert!(found[0].reason.contains("--ignored"), "{found:?}");
}
