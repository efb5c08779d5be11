//! Broken `postbacks:` entries are load problems, each located as
//! `path:line:column`, by the library and by `n4n-mock validate`: an
//! unknown `%%variable%%`, an unset `${NAME}` without a fallback, a bad
//! duration, an unknown event, a duplicate target name, an `ftp://` URL.
//! The files are in `tests/data/`, each valid apart from its one fault.

use std::path::Path;

use n4n_mock::Scenario;

use crate::util::binary;

use super::*;

/// Each broken file, the location of its problem and a part of its message.
const BROKEN: [(&str, &str, &str); 6] = [
    (
        "postback-unknown-variable.yaml",
        "8:10",
        "unknown variable `%%subid3%%`",
    ),
    (
        "postback-unset-environment-variable.yaml",
        "8:10",
        "the environment variable `N4N_MOCK_TEST_NEVER_SET` is not set",
    ),
    (
        "postback-bad-duration.yaml",
        "9:14",
        "`timeout` must be a duration such as `500ms` or `5s`, found `soon`",
    ),
    (
        "postback-unknown-event.yaml",
        "9:20",
        "unknown event `refund`",
    ),
    (
        "postback-duplicate-target-name.yaml",
        "9:11",
        "duplicate postback target `shop` (first defined at \
         tests/data/postback-duplicate-target-name.yaml:7:11)",
    ),
    (
        "postback-ftp-url.yaml",
        "8:10",
        "a postback URL is `http://` or `https://`, found `ftp://`",
    ),
];

/// The problems loading `tests/data/NAME` gives, rendered; panics if it loads.
fn problems(name: &str) -> Vec<String> {
    match Scenario::from_file(&Path::new("tests/data").join(name)) {
        Ok(_) => panic!("{name} loaded, expected a problem"),
        Err(err) => err.problems.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn each_broken_target_is_one_problem_located_at_what_is_wrong() {
    for (name, at, message) in BROKEN {
        let found = problems(name);

        assert_eq!(found.len(), 1, "{name}: {found:#?}");
        let located = format!("tests/data/{name}:{at}: ");
        assert!(
            found[0].starts_with(&located) && found[0].contains(message),
            "{name}: expected {located}...{message}..., got {}",
            found[0]
        );
    }
}

#[test]
fn validate_prints_each_broken_targets_located_problem() {
    for (name, at, message) in BROKEN {
        let path = format!("tests/data/{name}");

        let output = binary()
            .args(["validate", &path])
            .env_remove("N4N_MOCK_TEST_NEVER_SET")
            .output()
            .expect("run n4n-mock validate");

        assert_eq!(output.status.code(), Some(1), "{name}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let located = format!("{path}:{at}: ");
        assert!(
            stderr
                .lines()
                .any(|line| line.starts_with(&located) && line.contains(message)),
            "{name}: no line {located}...{message}... in:\n{stderr}"
        );
    }
}

#[test]
fn a_scenario_built_in_code_names_itself_in_the_location() {
    let yaml = scenario_yaml(&[target("shop", "http://127.0.0.1:9/pb?x=%%nope%%", "")]);
    // The target is the last line of the YAML, after `postbacks:`.
    let line = yaml.lines().count();

    let err = Scenario::from_yaml(SCENARIO, yaml.as_str()).expect_err("refused");

    let found: Vec<String> = err.problems.iter().map(ToString::to_string).collect();
    assert_eq!(found.len(), 1, "{found:#?}");
    let located = format!("{SCENARIO} (in code):{line}:");
    assert!(
        found[0].starts_with(&located) && found[0].contains("unknown variable `%%nope%%`"),
        "expected {located}..., got {}",
        found[0]
    );
}

#[test]
fn every_problem_of_a_target_is_reported_together() {
    let yaml = scenario_yaml(&[target(
        "shop",
        "ftp://127.0.0.1/pb",
        "method: DELETE, events: [refund], timeout: 2 minutes, retry: [later]",
    )]);

    let err = Scenario::from_yaml(SCENARIO, yaml.as_str()).expect_err("refused");

    let found: Vec<String> = err.problems.iter().map(ToString::to_string).collect();
    for part in ["ftp://", "DELETE", "refund", "2 minutes", "later"] {
        assert!(
            found.iter().any(|p| p.contains(part)),
            "{part} in {found:#?}"
        );
    }
}
