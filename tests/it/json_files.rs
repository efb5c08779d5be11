//! Scenario and fixture files in JSON (`*.json`): they load to the scenario
//! the same text loads to as YAML (JSON is YAML's subset), every problem is
//! reported at the place YAML reports it, or for JSON's own syntax at the
//! exact character; a large file, read in parallel, reports its problems in
//! file order, the earliest first; the command line treats `.json` files as
//! scenarios.

use std::path::{Path, PathBuf};

use n4n_mock::Scenario;

use std::time::Duration;

use crate::util::{RunningBinary, TestServer, binary, eventually_blocking, send};

/// How long a watched edit may take to be served.
const LIMIT: Duration = Duration::from_secs(20);

/// A lookup of `hash` with the API page's credentials: status and body.
fn blocking_lookup(url: &str, hash: &str) -> (u16, String) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let request = reqwest::Client::new()
            .get(url)
            .header("api-key", "44b5498dbcb481a0d00b404c0169af62")
            .header("api-username", "n4n_admin")
            .query(&[("transaction_hash", hash)]);
        let answer = send(request).await;
        (answer.status, answer.body)
    })
}

/// The status and body of each lookup, in order, from a server of `scenario`.
async fn answers_of(scenario: Scenario, lookups: &[&str]) -> Vec<(u16, String)> {
    let server = TestServer::start(scenario).await;
    let mut answers = Vec::new();
    for lookup in lookups {
        let answer = server.lookup_form(lookup).await;
        answers.push((answer.status, answer.body));
    }
    answers
}

/// Writes `files` (name, text) into a fresh folder.
fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    dir
}

/// Every problem of loading `dir/name`, with the folder cut from paths.
fn problems_of(dir: &Path, name: &str) -> Vec<String> {
    match Scenario::from_file(&dir.join(name)) {
        Ok(scenario) => panic!("{name} loaded as {scenario}, expected problems"),
        Err(err) => err
            .problems
            .iter()
            .map(|p| p.to_string().replace(&format!("{}/", dir.display()), ""))
            .collect(),
    }
}

/// The problems of `text` as `case.json`, asserted to be those of the same
/// text as `case.yaml` (the file name aside).
fn problems_as_yaml_reports_them(text: &str) -> Vec<String> {
    let dir = folder(&[("case.json", text), ("case.yaml", text)]);

    let from_json = problems_of(dir.path(), "case.json");
    let from_yaml: Vec<String> = problems_of(dir.path(), "case.yaml")
        .iter()
        .map(|p| p.replace("case.yaml:", "case.json:"))
        .collect();

    assert_eq!(from_json, from_yaml, "{text}");
    from_json
}

/// The API page's credentials, which the test server's requests send.
const CREDENTIALS: &str =
    r#""credentials": [{"username": "n4n_admin", "api_key": "44b5498dbcb481a0d00b404c0169af62"}]"#;

#[test]
fn an_unknown_key_is_located_as_yaml_locates_it() {
    let text = format!(
        "{{{CREDENTIALS},\n\"clicks\": [\n  {{\"click_hash\": \"a\", \"loginidd\": 1}}\n]}}\n"
    );

    let found = problems_as_yaml_reports_them(&text);

    assert_eq!(found.len(), 1);
    assert!(
        found[0].starts_with("case.json:3:23: unknown key `loginidd` in a click"),
        "{found:?}"
    );
}

#[test]
fn a_wrong_type_and_a_bad_time_are_located_as_yaml_locates_them() {
    let text = format!(
        "{{{CREDENTIALS},\n\"clicks\": [\n  {{\"click_hash\": [\"a\"]}},\n  {{\"click_hash\": \"b\", \"time\": true}},\n  {{\"click_hash\": \"c\", \"time\": \"yesterday\"}}\n]}}\n"
    );

    let found = problems_as_yaml_reports_them(&text);

    assert_eq!(
        found,
        [
            "case.json:3:18: `click_hash` must be a single value, found a list",
            "case.json:4:31: `time` must be Unix seconds or an RFC 3339 date like \
             2025-11-20T10:00:00Z, found `true`",
            "case.json:5:31: `time` must be Unix seconds or an RFC 3339 date like \
             2025-11-20T10:00:00Z, found `yesterday`",
        ]
    );
}

#[test]
fn a_duplicate_key_in_an_object_is_refused_where_yaml_refuses_it_naming_the_first() {
    let text = format!(
        "{{{CREDENTIALS},\n\"clicks\": [\n  {{\"click_hash\": \"a\",\n   \"click_hash\": \"b\"}}\n]}}\n"
    );
    let dir = folder(&[("case.json", &text), ("case.yaml", &text)]);

    let from_json = problems_of(dir.path(), "case.json");
    let from_yaml = problems_of(dir.path(), "case.yaml");

    assert_eq!(
        from_json,
        [
            "case.json:4:4: duplicate mapping key `click_hash` is not allowed here \
          (first written at line 3, column 4)"
        ]
    );
    // YAML stops at the same place; JSON also says where the key was first.
    assert_eq!(
        from_yaml,
        ["case.yaml:4:4: duplicate mapping key `click_hash` is not allowed here"]
    );
}

#[test]
fn duplicate_hashes_and_a_transaction_naming_no_click_are_located_as_yaml_locates_them() {
    let text = format!(
        "{{{CREDENTIALS},\n\"clicks\": [\n  {{\"click_hash\": \"a\"}},\n  {{\"click_hash\": \"a\"}}\n],\n\"transactions\": [\n  {{\"transaction_hash\": \"t\", \"click_hash\": \"nope\", \"status\": \"lost\"}}\n]}}\n"
    );

    let found = problems_as_yaml_reports_them(&text);

    assert_eq!(found.len(), 3, "{found:?}");
    assert!(
        found[0].starts_with("case.json:4:18: duplicate click_hash `a` (first defined at "),
        "{found:?}"
    );
    assert!(found[0].ends_with("case.json:3:18)"), "{found:?}");
    assert_eq!(
        found[1],
        "case.json:7:43: transaction `t` names click_hash `nope`, which no click has"
    );
    assert!(
        found[2].starts_with("case.json:7:61: unknown status `lost`"),
        "{found:?}"
    );
}

#[test]
fn a_json_syntax_error_is_located_at_the_character() {
    let text = format!("{{{CREDENTIALS},\n\"clicks\": [\n  {{\"click_hash\": \"a\",}}\n]}}\n");
    let dir = folder(&[("case.json", &text)]);

    let found = problems_of(dir.path(), "case.json");

    assert_eq!(
        found,
        ["case.json:3:22: expected a key in double quotes, found `}`"]
    );
}

#[test]
fn a_click_hash_defined_in_a_json_fixture_and_again_in_yaml_is_a_duplicate() {
    let dir = folder(&[
        (
            "scenario.yaml",
            "credentials: [{username: qa, api_key: key-one}]\ninclude: [fixtures/clicks.json]\nclicks:\n  - click_hash: a\n",
        ),
        (
            "fixtures/clicks.json",
            "{\"clicks\": [\n  {\"click_hash\": \"z\"},\n  {\"click_hash\": \"a\"}\n]}\n",
        ),
    ]);

    let found = problems_of(dir.path(), "scenario.yaml");

    assert_eq!(
        found,
        [
            "scenario.yaml:4:17: duplicate click_hash `a` (first defined at fixtures/clicks.json:3:18)"
        ]
    );
}

#[test]
fn an_include_cycle_through_json_files_is_refused_where_it_closes() {
    let dir = folder(&[
        (
            "a.json",
            &format!("{{{CREDENTIALS},\n\"include\": [\"b.json\"]}}\n"),
        ),
        ("b.json", "{\"include\": [\n  \"a.json\"\n]}\n"),
    ]);

    let found = problems_of(dir.path(), "a.json");

    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("b.json:2:3: include cycle: "),
        "{found:?}"
    );
    assert!(
        found[0].ends_with("a.json -> b.json -> a.json"),
        "{found:?}"
    );
}

#[test]
fn scenario_only_keys_in_a_json_fixture_are_refused() {
    let dir = folder(&[
        (
            "scenario.json",
            &format!("{{{CREDENTIALS}, \"include\": [\"fixture.json\"]}}"),
        ),
        (
            "fixture.json",
            &format!("{{\"clicks\": [],\n {CREDENTIALS}}}"),
        ),
    ]);

    let found = problems_of(dir.path(), "scenario.json");

    assert_eq!(
        found,
        ["fixture.json:2:2: `credentials` belongs in a scenario, not in an included fixture file"]
    );
}

/// A scenario of every kind of data: extra fields, payouts, a captured
/// response, numbers as written, escapes and non-ASCII text.
const RICH: &str = r#"{
  "credentials": [{"username": "n4n_admin", "api_key": "44b5498dbcb481a0d00b404c0169af62"}],
  "clicks": [
    {"click_hash": "a", "time": "2025-11-20T10:00:00Z", "loginid": 1001, "subid1": "sprîng \"x\"",
     "extra": {"tracking_domain": "go.example", "n": 7}},
    {"click_hash": "b", "time": 1763632800, "response": {"result": "success", "amount": 10.00, "list": [1, null, true]}}
  ],
  "transactions": [
    {"transaction_hash": "t", "click_hash": "a", "status": "approved", "amount": 29.95, "orderid": "ORD-1",
     "subscription_id": "SUB-1", "payouts": [{"type": "affiliate", "loginid": 1001, "amount": "10.00"}]}
  ]
}
"#;

#[tokio::test]
async fn a_json_scenario_answers_as_the_same_text_does_as_yaml() {
    let dir = folder(&[("rich.json", RICH), ("rich.yaml", RICH)]);
    let json = Scenario::from_file(&dir.path().join("rich.json")).expect("loads");
    let yaml = Scenario::from_file(&dir.path().join("rich.yaml")).expect("loads");
    assert_eq!((json.click_count(), json.transaction_count()), (2, 1));
    let lookups = [
        "transaction_hash=a",
        "transaction_hash=b",
        "transaction_hash=t",
        "orderid=ORD-1",
        "subscription_id=SUB-1",
    ];

    let from_json = answers_of(json, &lookups).await;
    let from_yaml = answers_of(yaml, &lookups).await;

    assert_eq!(from_json, from_yaml);
    assert!(
        from_json.iter().all(|(status, _)| *status == 200),
        "{from_json:?}"
    );
    assert!(
        from_json[0].1.contains(r#""subid1":"sprîng \"x\"""#),
        "{}",
        from_json[0].1
    );
    assert!(
        from_json[0].1.contains(r#""amount":"29.95""#),
        "{}",
        from_json[0].1
    );
    assert!(
        from_json[1].1.contains(r#""amount":10.00"#),
        "{}",
        from_json[1].1
    );
}

/// A JSON scenario of `n` clicks (large enough to be read in parallel),
/// where clicks `copies` repeat the hashes of clicks `originals`.
fn many_clicks(n: usize, copies: &[(usize, usize)]) -> String {
    let mut text = format!("{{{CREDENTIALS},\n\"clicks\": [\n");
    for i in 0..n {
        let hash = copies
            .iter()
            .find(|(copy, _)| *copy == i)
            .map_or(i, |(_, original)| *original);
        let comma = if i + 1 < n { "," } else { "" };
        text.push_str(&format!(
            "  {{\"click_hash\": \"{hash:015x}.00000000\", \"time\": {}, \"username\": \"affiliate-{i}\", \"referrer\": \"https://blog.example/review/{i}\"}}{comma}\n",
            1_763_632_800 + i
        ));
    }
    text.push_str("]}\n");
    text
}

#[test]
fn a_large_json_file_reports_its_duplicates_in_file_order_the_earliest_first() {
    let text = many_clicks(20_000, &[(15_000, 7), (4_000, 3_999), (9_000, 12)]);
    assert!(text.len() > 2 * 1024 * 1024, "read in parallel");
    let dir = folder(&[("big.json", &text)]);

    let first = problems_of(dir.path(), "big.json");
    let second = problems_of(dir.path(), "big.json");

    assert_eq!(first, second);
    assert_eq!(
        first,
        [
            "big.json:4003:18: duplicate click_hash `000000000000f9f.00000000` (first defined at big.json:4002:18)",
            "big.json:9003:18: duplicate click_hash `00000000000000c.00000000` (first defined at big.json:15:18)",
            "big.json:15003:18: duplicate click_hash `000000000000007.00000000` (first defined at big.json:10:18)",
        ]
    );
}

#[tokio::test]
async fn a_large_json_file_loads_every_click() {
    let text = many_clicks(20_000, &[]);
    let dir = folder(&[("big.json", &text)]);
    let scenario = Scenario::from_file(&dir.path().join("big.json")).expect("loads");
    assert_eq!(scenario.click_count(), 20_000);
    let lookups: Vec<String> = [0, 2_047, 2_048, 9_999, 19_999]
        .iter()
        .map(|i| format!("transaction_hash={i:015x}.00000000"))
        .collect();
    let lookups: Vec<&str> = lookups.iter().map(String::as_str).collect();

    let answers = answers_of(scenario, &lookups).await;

    for ((status, body), i) in answers.iter().zip([0, 2_047, 2_048, 9_999, 19_999]) {
        assert_eq!(*status, 200);
        assert!(
            body.contains(&format!("\"username\":\"affiliate-{i}\"")),
            "{body}"
        );
    }
}

/// `validate FOLDER`'s stdout and exit code.
fn validate(folder: &Path) -> (Option<i32>, String) {
    let output = binary()
        .arg("validate")
        .arg(folder)
        .output()
        .expect("run validate");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn validate_checks_the_json_scenarios_of_a_folder() {
    let dir = folder(&[("rich.json", RICH), ("notes.txt", "not a scenario")]);

    let (code, stdout) = validate(dir.path());

    assert_eq!(code, Some(0), "{stdout}");
    assert!(
        stdout.contains("rich.json: rich (2 clicks, 1 transaction)"),
        "{stdout}"
    );
    assert!(!stdout.contains("notes.txt"), "{stdout}");
}

#[test]
fn serve_takes_a_json_file_and_watch_sees_it_change() {
    let dir = folder(&[("rich.json", RICH)]);
    let file: PathBuf = dir.path().join("rich.json");
    let server = RunningBinary::start_with(binary().arg("--watch").arg("--scenario").arg(&file));
    let url = server.url("/api/transaction/click_detail");
    assert_eq!(blocking_lookup(&url, "a").0, 200);

    std::fs::write(
        &file,
        RICH.replace(r#""click_hash": "b""#, r#""click_hash": "c""#),
    )
    .expect("write");

    eventually_blocking(LIMIT, "the edited JSON is served", || {
        (blocking_lookup(&url, "c").0 == 200).then_some(())
    });
}
