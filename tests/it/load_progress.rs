//! A scenario with a large file says so before it loads (the file and its
//! size), says it is still loading every so often, and how long it took;
//! a large YAML file is told the `convert` command that writes it as JSON.
//! `validate` says the same of a large file it checks. A small scenario
//! says none of it.
//!
//! A large file takes seconds in a test: these tests make a file of a few
//! hundred KiB large with `N4N_MOCK_LARGE_FILE_BYTES`, and the line come
//! every 50 ms with `N4N_MOCK_PROGRESS_EVERY_MS`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::util::{RunningBinary, binary};

/// What counts as large in these tests.
const LARGE_BYTES: &str = "65536";
/// How often, in milliseconds, a large load says it is still loading.
const EVERY_MS: u64 = 50;

/// `n4n-mock` with the test's sizes and interval, serving only what
/// `folder` holds.
fn with_small_thresholds(folder: &Path) -> Command {
    let mut command = binary();
    command
        .env("N4N_MOCK_LARGE_FILE_BYTES", LARGE_BYTES)
        .env("N4N_MOCK_PROGRESS_EVERY_MS", EVERY_MS.to_string())
        .arg("--no-builtin-scenarios")
        .arg("--scenarios-dir")
        .arg(folder);
    command
}

/// `n4n-mock generate --clicks N --out FILE` (YAML or JSON by its name).
fn generate(clicks: u64, out: &Path) {
    let output = binary()
        .args(["generate", "--clicks", &clicks.to_string(), "--out"])
        .arg(out)
        .output()
        .expect("run n4n-mock generate");
    assert!(output.status.success(), "generate {}", out.display());
}

/// The size of `path` as the lines write it: `740.2 KiB`, `1.1 MiB`.
fn size(path: &Path) -> String {
    let bytes = std::fs::metadata(path).expect("size").len() as f64;
    if bytes < 1024.0 * 1024.0 {
        format!("{:.1} KiB", bytes / 1024.0)
    } else {
        format!("{:.1} MiB", bytes / (1024.0 * 1024.0))
    }
}

/// The index of the first of `lines` that contains `needle`.
fn position(lines: &[String], needle: &str) -> usize {
    lines
        .iter()
        .position(|line| line.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?}:\n{}", lines.join("\n")))
}

/// The seconds of a `... in 1.2 s: ...` line.
fn seconds_in(line: &str) -> f64 {
    let (_, after) = line.split_once(" in ").expect("` in `");
    let (seconds, _) = after.split_once(" s").expect("` s`");
    seconds.parse().expect("seconds")
}

/// Serves the scenarios `command` names, then stops; every line of
/// stderr up to the end of the load's lines (`last` says which).
fn lines_until(command: &mut Command, last: &str) -> Vec<String> {
    let mut server = RunningBinary::start_with(command);
    server.wait_for_log(last, Duration::from_secs(30));
    // The line after the load's last ones, so all of them are in.
    server.wait_for_log("INFO listening", Duration::from_secs(30));
    server.logs_so_far().to_vec()
}

/// Where `lines` announce the load of `file` (3000 generated clicks, in a
/// folder of its own) and say it loaded, checking that the JSON advice
/// follows, naming the command that writes `big.json` beside it.
fn announced_and_advised(lines: &[String], file: &Path) -> (usize, usize) {
    let shown = file.display().to_string();
    let loading = position(
        lines,
        &format!("INFO loading {shown} ({}), which takes a while", size(file)),
    );
    let loaded = position(lines, &format!("INFO loaded {shown} in "));
    assert!(
        lines[loaded].ends_with(" s: 3000 clicks, 3000 transactions"),
        "{}",
        lines[loaded]
    );
    let advice = position(lines, "would load several times faster as JSON");
    let json = file.with_file_name("big.json");
    assert!(
        lines[advice].ends_with(&format!(
            " INFO {shown} would load several times faster as JSON: `n4n-mock convert \
             {shown} --out {json}`, then serve {json} in its place",
            json = json.display()
        )),
        "{}",
        lines[advice]
    );
    assert!(loading < loaded && loaded < advice, "{lines:#?}");
    (loading, loaded)
}

#[test]
fn a_large_yaml_scenario_is_announced_ticked_timed_and_told_its_json_command() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("big.yaml");
    generate(3000, &file);
    let shown = file.display().to_string();

    let lines = lines_until(
        with_small_thresholds(dir.path()).args(["--scenario", "big"]),
        "several times faster",
    );

    let (loading, loaded) = announced_and_advised(&lines, &file);
    let ticks: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].contains(&format!("INFO still loading {shown}: ")))
        .collect();
    assert!(
        ticks.iter().all(|&tick| loading < tick && tick < loaded),
        "{lines:#?}"
    );
    // A load ten intervals long has ticked, however busy the machine.
    let took = seconds_in(&lines[loaded]);
    let every = EVERY_MS as f64 / 1000.0;
    if took >= 10.0 * every {
        assert!(!ticks.is_empty(), "{took} s without a tick: {lines:#?}");
    }
    // One line an interval, not more, the first one interval in (the
    // line's seconds are rounded to a tenth).
    assert!(
        ticks.len() as f64 <= took / every + 1.0,
        "{} ticks in {took} s: {lines:#?}",
        ticks.len()
    );
    for (n, &tick) in ticks.iter().enumerate() {
        let so_far: f64 = lines[tick]
            .rsplit_once(": ")
            .and_then(|(_, rest)| rest.strip_suffix(" s so far"))
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("a tick's seconds: {}", lines[tick]));
        assert!(
            so_far + 0.05 >= (n + 1) as f64 * every,
            "tick {} at {so_far} s, before {} intervals of {every} s: {lines:#?}",
            n + 1,
            n + 1
        );
    }
}

#[test]
fn a_large_included_yaml_file_is_named_with_its_scenario_and_told_its_json_command() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fixtures = tempfile::tempdir().expect("fixtures dir");
    let fixture = fixtures.path().join("clicks.yaml");
    let mut clicks = String::from("clicks:\n");
    for i in 0..3000 {
        clicks.push_str(&format!(
            "  - click_hash: c{i:05}\n    loginid: {i}\n    subid1: spring\n    referrer: https://blog.example/review\n"
        ));
    }
    std::fs::write(&fixture, clicks).expect("write the fixture");
    let scenario = dir.path().join("shop.yaml");
    std::fs::write(
        &scenario,
        format!(
            "credentials: [{{username: u, api_key: k}}]\ninclude: [{}]\n",
            fixture.display()
        ),
    )
    .expect("write the scenario");
    let (fixture_shown, scenario_shown) = (fixture.display(), scenario.display());

    let lines = lines_until(
        with_small_thresholds(dir.path()).args(["--scenario", "shop"]),
        "several times faster",
    );

    position(
        &lines,
        &format!(
            "INFO loading {fixture_shown} ({}) for {scenario_shown}, which takes a while",
            size(&fixture)
        ),
    );
    position(&lines, &format!("INFO loaded {scenario_shown} in "));
    let advice = position(&lines, "would load several times faster as JSON");
    let json = fixtures.path().join("clicks.json");
    assert!(
        lines[advice].ends_with(&format!(
            " INFO {fixture_shown} would load several times faster as JSON: `n4n-mock \
             convert {fixture_shown} --out {json}`, then include {json} in its place",
            json = json.display()
        )),
        "{}",
        lines[advice]
    );
}

#[test]
fn a_large_json_scenario_is_announced_and_timed_without_advice() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("big.json");
    generate(3000, &file);
    let shown = file.display().to_string();

    let lines = lines_until(
        with_small_thresholds(dir.path()).args(["--scenario", "big"]),
        "INFO loaded ",
    );

    position(
        &lines,
        &format!(
            "INFO loading {shown} ({}), which takes a while",
            size(&file)
        ),
    );
    position(&lines, &format!("INFO loaded {shown} in "));
    assert!(
        !lines.iter().any(|line| line.contains("faster as JSON")),
        "{lines:#?}"
    );
}

#[test]
fn a_large_scenario_that_does_not_load_says_so_and_stops_ticking() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file: PathBuf = dir.path().join("big.yaml");
    generate(3000, &file);
    // The same clicks twice: every one a duplicate.
    let text = std::fs::read_to_string(&file).expect("read");
    let (_, clicks) = text.split_once("clicks:\n").expect("clicks");
    let (clicks, _) = clicks.split_once("transactions:\n").expect("transactions");
    std::fs::write(
        &file,
        text.replacen("clicks:\n", &format!("clicks:\n{clicks}"), 1),
    )
    .expect("write");
    let shown = file.display().to_string();

    let output = with_small_thresholds(dir.path())
        .args(["--port", "0", "--scenario", "big"])
        .output()
        .expect("run n4n-mock");

    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<String> = stderr.lines().map(str::to_string).collect();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    position(&lines, &format!("INFO loading {shown} ("));
    let failed = position(
        &lines,
        &format!("INFO {shown} does not load: problems found in "),
    );
    position(&lines, "duplicate click_hash");
    assert!(
        !lines[failed..]
            .iter()
            .any(|line| line.contains("still loading")),
        "{stderr}"
    );
    assert!(!stderr.contains("faster as JSON"), "{stderr}");
}

#[test]
fn validate_tells_how_a_large_file_loads_as_serving_it_does() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("big.yaml");
    generate(3000, &file);
    let shown = file.display().to_string();

    let output = binary()
        .env("N4N_MOCK_LARGE_FILE_BYTES", LARGE_BYTES)
        .env("N4N_MOCK_PROGRESS_EVERY_MS", EVERY_MS.to_string())
        .arg("validate")
        .arg(&file)
        .output()
        .expect("run n4n-mock validate");

    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<String> = stderr.lines().map(str::to_string).collect();
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    announced_and_advised(&lines, &file);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(&format!(
            "ok  {shown}: big (3000 clicks, 3000 transactions)"
        )),
        "{stdout}"
    );
}

#[test]
fn the_command_the_advice_names_writes_a_json_file_that_loads_without_advice() {
    let dir = tempfile::tempdir().expect("temp dir");
    let yaml = dir.path().join("big.yaml");
    generate(3000, &yaml);
    let json = dir.path().join("big.json");
    let converted = binary()
        .arg("convert")
        .arg(&yaml)
        .arg("--out")
        .arg(&json)
        .output()
        .expect("run n4n-mock convert");
    assert!(converted.status.success(), "{converted:?}");
    std::fs::remove_file(&yaml).expect("remove the YAML");
    let shown = json.display().to_string();

    let lines = lines_until(
        with_small_thresholds(dir.path()).args(["--scenario", "big"]),
        "INFO loaded ",
    );

    let loaded = position(&lines, &format!("INFO loaded {shown} in "));
    assert!(
        lines[loaded].ends_with(" s: 3000 clicks, 3000 transactions"),
        "{}",
        lines[loaded]
    );
    assert!(
        !lines.iter().any(|line| line.contains("faster as JSON")),
        "{lines:#?}"
    );
}

#[test]
fn a_small_scenario_says_nothing_about_its_load() {
    let mut command = binary();
    command
        .env_remove("N4N_MOCK_LARGE_FILE_BYTES")
        .env_remove("N4N_MOCK_PROGRESS_EVERY_MS");
    let mut server = RunningBinary::start_with(&mut command);

    server.wait_for_log("INFO listening", Duration::from_secs(30));

    let lines = server.logs_so_far();
    for needle in ["loading", "loaded", "does not load", "faster as JSON"] {
        assert!(
            !lines.iter().any(|line| line.contains(needle)),
            "{needle:?} in {lines:#?}"
        );
    }
}
