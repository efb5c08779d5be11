//! `n4n-mock convert`, as the binary: a YAML scenario or fixture written as
//! JSON answers every lookup with the same bytes as the YAML; numbers keep
//! their spelling and strings stay strings; a file that does not load is
//! refused with its problems and nothing written; `--out` keeps an existing
//! file unless `--force`, and without it the JSON goes to standard output.

use std::path::{Path, PathBuf};
use std::process::Output;

use n4n_mock::Scenario;

use crate::util::{API_KEY, FORM, TestServer, USERNAME, binary, bundled_copy, file_names, send};

/// Runs `n4n-mock convert` with `args`.
fn convert(args: &[&std::ffi::OsStr]) -> Output {
    binary()
        .arg("convert")
        .args(args)
        .output()
        .expect("run n4n-mock convert")
}

/// Converts `file` to the `.json` beside it, asserting it succeeds; the
/// JSON file.
fn convert_beside(file: &Path) -> PathBuf {
    let json = file.with_extension("json");
    let output = convert(&[file.as_os_str(), "--out".as_ref(), json.as_os_str()]);
    assert!(
        output.status.success(),
        "convert {}: {}",
        file.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    json
}

/// The `*.yaml` files of `dir`, sorted.
fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    file_names(dir)
        .iter()
        .filter(|name| name.ends_with(".yaml"))
        .map(|name| dir.join(name))
        .collect()
}

/// Every lookup the records of the JSON `files` make possible (each click
/// and transaction hash, order and subscription), and one that finds nothing.
fn lookups_of(files: &[PathBuf]) -> Vec<String> {
    let mut lookups = vec!["transaction_hash=nothing.here".to_string()];
    for file in files {
        let text = std::fs::read_to_string(file).expect("read");
        let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        for list in ["clicks", "transactions"] {
            for record in json[list].as_array().into_iter().flatten() {
                for (key, parameter) in [
                    ("click_hash", "transaction_hash"),
                    ("transaction_hash", "transaction_hash"),
                    ("orderid", "orderid"),
                    ("subscription_id", "subscription_id"),
                ] {
                    if let Some(value) = record[key].as_str() {
                        let lookup = format!("{parameter}={value}");
                        if !lookups.contains(&lookup) {
                            lookups.push(lookup);
                        }
                    }
                }
            }
        }
    }
    lookups
}

/// The status and body of each lookup from a server of `scenario`, signed
/// with its first credentials, one after the other (or all at once).
async fn answers_of(scenario: Scenario, lookups: &[String], at_once: bool) -> Vec<(u16, String)> {
    let (username, api_key) = scenario
        .credentials()
        .next()
        .map(|(u, k)| (u.to_string(), k.to_string()))
        .unwrap_or_else(|| (USERNAME.to_string(), API_KEY.to_string()));
    let server = TestServer::start(scenario).await;
    let lookup = |form: &String| {
        send(
            server
                .get_as("/api/transaction/click_detail", &api_key, &username)
                .header("content-type", FORM)
                .body(form.clone()),
        )
    };
    let mut answers = Vec::new();
    if at_once {
        let sent: Vec<_> = lookups
            .iter()
            .map(|form| tokio::spawn(lookup(form)))
            .collect();
        for answer in sent {
            answers.push(answer.await.expect("a lookup"));
        }
    } else {
        for form in lookups {
            answers.push(lookup(form).await);
        }
    }
    answers.into_iter().map(|a| (a.status, a.body)).collect()
}

/// Asserts that the scenarios at `yaml` and `json` answer `lookups` alike,
/// byte for byte; how many of them found a click (200).
async fn assert_answer_alike(yaml: &Path, json: &Path, lookups: &[String], at_once: bool) -> usize {
    let load = |path: &Path| {
        Scenario::from_file(path).unwrap_or_else(|err| panic!("{} loads:\n{err}", path.display()))
    };
    let (from_yaml, from_json) = tokio::join!(
        answers_of(load(yaml), lookups, at_once),
        answers_of(load(json), lookups, at_once)
    );
    for ((lookup, yaml_answer), json_answer) in lookups.iter().zip(&from_yaml).zip(&from_json) {
        assert_eq!(
            json_answer,
            yaml_answer,
            "{lookup} from {} and {}",
            json.display(),
            yaml.display()
        );
    }
    assert_eq!(from_json.len(), lookups.len());
    from_json
        .iter()
        .filter(|(status, _)| *status == 200)
        .count()
}

/// Bundled scenarios whose lookups are sent all at once: each answer waits
/// (`slow`: 1.5 s, one 4 s), and nothing in them counts requests. The
/// others go one after the other, as `flaky` fails every third request
/// and `rate-limited` refuses from the sixth.
const AT_ONCE: [&str; 1] = ["slow"];

#[tokio::test]
async fn every_bundled_scenario_as_json_answers_every_lookup_as_its_yaml_does() {
    let dir = bundled_copy();
    let scenarios = yaml_files(&dir.path().join("scenarios"));
    let fixtures = yaml_files(&dir.path().join("fixtures"));
    let mut json_files = Vec::new();
    for file in scenarios.iter().chain(&fixtures) {
        json_files.push(convert_beside(file));
    }
    let lookups = lookups_of(&json_files);
    assert!(lookups.len() > 20, "{lookups:?}");

    let mut found = Vec::new();
    for (yaml, json) in scenarios.iter().zip(&json_files) {
        let name = yaml.file_stem().and_then(|s| s.to_str()).expect("name");
        // The JSON scenario still includes the YAML fixtures, as written.
        let clicks = assert_answer_alike(yaml, json, &lookups, AT_ONCE.contains(&name)).await;
        found.push((name.to_string(), clicks));
    }

    // The answers compared are answers, not only errors.
    for name in ["captured", "default", "lifecycle", "slow"] {
        let clicks = found.iter().find(|(n, _)| n == name).map(|(_, c)| *c);
        assert!(clicks > Some(0), "{name}: {found:?}");
    }
}

#[tokio::test]
async fn every_bundled_fixture_as_json_is_included_to_the_same_answers() {
    let dir = bundled_copy();
    let fixtures = yaml_files(&dir.path().join("fixtures"));
    for fixture in &fixtures {
        let json = convert_beside(fixture);
        let name = fixture.file_name().and_then(|s| s.to_str()).expect("name");
        let including = |included: &str, file: &str| {
            let path = dir.path().join("scenarios").join(file);
            let text = format!(
                "credentials: [{{username: {USERNAME}, api_key: {API_KEY}}}]\n\
                 include: [../fixtures/{included}]\n"
            );
            std::fs::write(&path, text).expect("write");
            path
        };
        let json_name = json.file_name().and_then(|s| s.to_str()).expect("name");
        let with_yaml = including(name, "with-yaml.yaml");
        let with_json = including(json_name, "with-json.yaml");

        let lookups = lookups_of(&[json]);
        let clicks = assert_answer_alike(&with_yaml, &with_json, &lookups, false).await;
        assert!(clicks > 2, "{name}: {clicks} found of {lookups:?}");
    }
}

/// A scenario whose values YAML reads as numbers, flags and strings of
/// every spelling, which JSON must read back the same.
const SPELLINGS: &str = "\
# Comments are dropped.
credentials:
  - {username: u, api_key: k}
latency_ms: 0x0
clicks:
  - click_hash: a
    time: 1763632800
    loginid: 1001
    offerid: '0012'
    subid1: 007
    subid2: yes
    campaignid: 0x1F
    creativeid: +5
    country: ~
    extra: {half: 0.50, flag: on, quoted: \"10.00\"}
transactions:
  - transaction_hash: t
    click_hash: a
    time: 2025-11-20T10:00:00Z
    status: approved
    orderid: 1e5
    amount: 10.00
    total_payout: .5
    transactionid: 0012
    payouts:
      - {type: affiliate, loginid: 007, amount: 0.50}
";

#[tokio::test]
async fn numbers_keep_their_spelling_and_strings_stay_strings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let yaml = dir.path().join("spellings.yaml");
    std::fs::write(&yaml, SPELLINGS).expect("write");

    let json = convert_beside(&yaml);

    let text = std::fs::read_to_string(&json).expect("read");
    for written in [
        r#""latency_ms":0"#,
        r#""loginid":1001,"offerid":"0012","subid1":"007","subid2":"yes","campaignid":"0x1F","creativeid":"+5","country":null"#,
        r#""extra":{"half":0.50,"flag":"on","quoted":"10.00"}"#,
        r#""orderid":1e5,"amount":10.00,"total_payout":".5","transactionid":"0012""#,
        r#"{"type":"affiliate","loginid":"007","amount":0.50}"#,
    ] {
        assert!(text.contains(written), "{written} in {text}");
    }
    assert!(!text.contains("dropped"), "{text}");
    let lookups = [
        "transaction_hash=a".to_string(),
        "transaction_hash=t".to_string(),
    ];
    let found = assert_answer_alike(&yaml, &json, &lookups, false).await;
    assert_eq!(found, 2);
}

#[test]
fn without_out_the_json_goes_to_standard_output() {
    let dir = tempfile::tempdir().expect("temp dir");
    let yaml = dir.path().join("spellings.yaml");
    std::fs::write(&yaml, SPELLINGS).expect("write");
    let json = convert_beside(&yaml);

    let output = convert(&[yaml.as_os_str()]);

    assert!(output.status.success());
    assert_eq!(output.stdout, std::fs::read(&json).expect("read"));
    assert!(output.stderr.is_empty(), "{output:?}");
}

#[test]
fn out_tells_what_was_written_and_the_files_still_included() {
    let dir = bundled_copy();
    let yaml = dir.path().join("scenarios").join("default.yaml");
    let json = dir.path().join("scenarios").join("default.json");

    let output = convert(&[yaml.as_os_str(), "--out".as_ref(), json.as_os_str()]);

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        format!(
            "wrote {}: scenario {} as JSON (0 clicks, 0 transactions); it still includes \
             ../fixtures/api-page-example.yaml, ../fixtures/conversions.yaml",
            json.display(),
            yaml.display()
        )
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn out_counts_the_clicks_and_transactions_the_file_holds() {
    let dir = tempfile::tempdir().expect("temp dir");
    let yaml = dir.path().join("two.yaml");
    let json = dir.path().join("two.json");
    std::fs::write(
        &yaml,
        "credentials: [{username: u, api_key: k}]\n\
         clicks: [{click_hash: a}, {click_hash: b}]\n\
         transactions: [{transaction_hash: t, click_hash: a}]\n",
    )
    .expect("write");

    let output = convert(&[yaml.as_os_str(), "--out".as_ref(), json.as_os_str()]);

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr.trim_end(),
        format!(
            "wrote {}: scenario {} as JSON (2 clicks, 1 transaction)",
            json.display(),
            yaml.display()
        )
    );
}

#[test]
fn an_existing_out_is_refused_with_exit_2_and_kept_unless_force() {
    let dir = tempfile::tempdir().expect("temp dir");
    let yaml = dir.path().join("spellings.yaml");
    std::fs::write(&yaml, SPELLINGS).expect("write");
    let out = dir.path().join("spellings.json");
    std::fs::write(&out, "{}\n").expect("write");
    let args = [yaml.as_os_str(), "--out".as_ref(), out.as_os_str()];

    let refused = convert(&args);

    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        format!(
            "error: {} exists; pass --force to replace it",
            out.display()
        )
    );
    assert_eq!(std::fs::read_to_string(&out).expect("read"), "{}\n");

    let forced = convert(&[args[0], args[1], args[2], "--force".as_ref()]);

    assert!(forced.status.success(), "{forced:?}");
    let written = std::fs::read_to_string(&out).expect("read");
    assert!(written.contains(r#""click_hash":"a""#), "{written}");
    assert_eq!(file_names(dir.path()), ["spellings.json", "spellings.yaml"]);
}

#[test]
fn a_file_that_does_not_load_is_refused_with_its_problems_and_nothing_is_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let yaml = dir.path().join("broken.yaml");
    std::fs::write(
        &yaml,
        "credentials: [{username: u, api_key: k}]\nclicks:\n  - click_hash: a\n    offreid: 12\n  - click_hash: a\n",
    )
    .expect("write");
    let out = dir.path().join("broken.json");

    let output = convert(&[yaml.as_os_str(), "--out".as_ref(), out.as_os_str()]);

    let stderr = String::from_utf8_lossy(&output.stderr);
    let shown = yaml.display();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{stderr}");
    assert!(
        lines[0].starts_with(&format!(
            "{shown}:4:5: unknown key `offreid` in a click; did you mean `offerid`?"
        )),
        "{stderr}"
    );
    assert_eq!(
        lines[1],
        format!("{shown}:5:17: duplicate click_hash `a` (first defined at {shown}:3:17)")
    );
    assert_eq!(
        lines[2],
        format!("error: {shown} does not load, so it was not converted (2 problems)")
    );
    assert!(output.stdout.is_empty());
    assert_eq!(file_names(dir.path()), ["broken.yaml"]);
}

#[test]
fn a_yaml_syntax_error_is_refused_where_the_loader_finds_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let yaml = dir.path().join("broken.yaml");
    std::fs::write(&yaml, "clicks:\n  - click_hash: [a\n").expect("write");

    let output = convert(&[yaml.as_os_str()]);

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let validated = binary()
        .arg("validate")
        .arg(&yaml)
        .output()
        .expect("run validate");
    let problem = String::from_utf8_lossy(&validated.stderr)
        .lines()
        .next()
        .expect("a problem")
        .to_string();
    assert!(
        problem.starts_with(&format!("{}:", yaml.display())),
        "{problem}"
    );
    assert_eq!(stderr.lines().next(), Some(problem.as_str()), "{stderr}");
    assert!(output.stdout.is_empty());
}

/// A fixture whose transaction names a click of another file.
const FIXTURE: &str = "transactions:\n  - {transaction_hash: t, click_hash: elsewhere}\n";

#[test]
fn a_fixture_is_checked_as_a_scenario_including_it_would_check_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fixture = dir.path().join("fixture.yaml");
    std::fs::write(&fixture, FIXTURE).expect("write");

    let output = convert(&[fixture.as_os_str()]);

    // No credentials, and the click may be in another file of the scenario.
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "{\n\"transactions\":[\n{\"transaction_hash\":\"t\",\"click_hash\":\"elsewhere\"}\n]\n}\n"
    );
}

#[test]
fn a_file_with_a_key_only_a_scenario_has_is_checked_as_a_scenario() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("scenario.yaml");
    std::fs::write(&file, format!("{FIXTURE}errors: {{}}\n")).expect("write");

    let output = convert(&[file.as_os_str()]);

    let stderr = String::from_utf8_lossy(&output.stderr);
    let shown = file.display();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines,
        [
            format!(
                "{shown}:1:1: the scenario has no `credentials`: add at least one username and api_key"
            ),
            format!(
                "{shown}:2:39: transaction `t` names click_hash `elsewhere`, which no click has"
            ),
            format!("error: {shown} does not load, so it was not converted (2 problems)"),
        ]
    );
}

#[test]
fn a_json_file_is_refused_as_json_already() {
    let dir = tempfile::tempdir().expect("temp dir");
    let json = dir.path().join("rich.json");
    std::fs::write(&json, "{}\n").expect("write");

    let output = convert(&[json.as_os_str()]);

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        format!(
            "error: {} is JSON already: convert reads a YAML scenario or fixture and writes it as JSON",
            json.display()
        )
    );
}

#[test]
fn out_naming_the_input_itself_is_refused_even_with_force_and_the_file_is_kept() {
    let dir = tempfile::tempdir().expect("temp dir");
    let yaml = dir.path().join("mine.yaml");
    let text = "credentials: [{username: u, api_key: k}]\nclicks: [{click_hash: a}]\n";
    std::fs::write(&yaml, text).expect("write");
    // The same file by another spelling of its path.
    let again = dir.path().join(".").join("mine.yaml");

    let output = convert(&[
        yaml.as_os_str(),
        "--out".as_ref(),
        again.as_os_str(),
        "--force".as_ref(),
    ]);

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        format!(
            "error: --out names {} itself: write the JSON beside it, as {}",
            yaml.display(),
            dir.path().join("mine.json").display()
        )
    );
    assert_eq!(std::fs::read_to_string(&yaml).expect("kept"), text);
}

#[tokio::test]
async fn a_large_generated_scenario_as_json_is_read_in_parallel_to_the_same_answers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let yaml = dir.path().join("big.yaml");
    let generated = binary()
        .args(["generate", "--clicks", "5000", "--out"])
        .arg(&yaml)
        .output()
        .expect("run generate");
    assert!(generated.status.success(), "{generated:?}");

    let json = convert_beside(&yaml);

    let text = std::fs::read_to_string(&json).expect("read");
    // Past the size the JSON reader reads in parallel, a record a line.
    assert!(text.len() > 1024 * 1024, "{}", text.len());
    let records = |start: &str| text.lines().filter(|l| l.starts_with(start)).count();
    assert_eq!(records(r#"{"click_hash":"#), 5000);
    assert_eq!(records(r#"{"transaction_hash":"#), 5000);
    let all = lookups_of(std::slice::from_ref(&json));
    // The first finds nothing; the others each a click or a transaction.
    let lookups: Vec<String> = all.iter().skip(1).step_by(997).cloned().collect();
    let found = assert_answer_alike(&yaml, &json, &lookups, false).await;
    assert_eq!(found, lookups.len());
}
