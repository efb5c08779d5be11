//! Scenario loading on hostile YAML: mutations of a valid scenario, YAML-like
//! and arbitrary text, deep nesting and an alias bomb are loaded or refused
//! with located problems, never a panic, hang or stack overflow.

use std::path::Path;

use n4n_mock::{LoadError, Scenario};
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::TestCaseError;

use super::{config, within};

/// The name every generated scenario is loaded under, through
/// [`Scenario::from_yaml`], and the path its problems name.
const SCENARIO_NAME: &str = "generated";
const SCENARIO_PATH: &str = "generated (in code)";

/// Loads `text` as a scenario under the watchdog and checks what a refusal
/// says: at least one problem, each in the file given, at a 1-based position,
/// with a message. True when it loaded.
fn load_checked(text: String) -> Result<bool, TestCaseError> {
    let loaded = within(move || Scenario::from_yaml(SCENARIO_NAME, text).map(|_| ()))?;
    let Err(LoadError { problems }) = loaded else {
        return Ok(true);
    };
    prop_assert!(!problems.is_empty(), "a refusal says why");
    for problem in &problems {
        prop_assert_eq!(
            &problem.location.path,
            Path::new(SCENARIO_PATH),
            "{}",
            problem
        );
        prop_assert!(problem.location.at.line >= 1, "{}", problem);
        prop_assert!(problem.location.at.column >= 1, "{}", problem);
        prop_assert!(!problem.message.trim().is_empty(), "{}", problem);
    }
    Ok(false)
}

/// A valid, self-contained scenario using every part of the format, to mutate.
const VALID_SCENARIO: &str = r#"name: generated
description: Every part of the format.
credentials:
  - username: n4n_admin
    api_key: 44b5498dbcb481a0d00b404c0169af62
allowed_ips: [127.0.0.1, "::1", 10.0.0.0/8]
errors:
  not_found: {status: 200, message: "No click"}
  missing_parameter: {message: required}
clicks:
  - click_hash: 35b71a300115be9.16738986
    time: 2025-11-20T10:00:00Z
    loginid: 1001
    subid2: ""
    extra: {tracking_domain: go.example}
  - click_hash: &h b2
    time: 1763632800
    response:
      result: success
      list: [1, "two", {three: 3}]
transactions:
  - transaction_hash: ac35ffba0fc0007.24591976
    click_hash: 35b71a300115be9.16738986
    orderid: ORD-1001
    subscription_id: SUB-77
    status: approved
    amount: "29.95"
    payouts:
      - {type: affiliate, loginid: 1001, amount: "10.00"}
  - transaction_hash: t2
    click_hash: *h
    status: chargeback
"#;

/// Pieces of YAML and of the scenario format.
const YAML_TOKENS: &[&str] = &[
    "clicks",
    "click_hash",
    "transactions",
    "transaction_hash",
    "include",
    "credentials",
    "username",
    "api_key",
    "allowed_ips",
    "errors",
    "not_found",
    "status",
    "message",
    "time",
    "loginid",
    "extra",
    "response",
    "payouts",
    "amount",
    "name",
    "description",
    "orderid",
    "subscription_id",
    "approved",
    "- ",
    "-",
    ": ",
    ":",
    "? ",
    "&a ",
    "*a",
    "&b ",
    "*b",
    "<<: *a",
    "[",
    "]",
    "{",
    "}",
    ", ",
    "\"",
    "'",
    "\\",
    "!!str ",
    "!!int ",
    "!!map ",
    "!!binary ",
    "!custom ",
    "|",
    ">-",
    "---",
    "...",
    "# ",
    "%YAML 1.2",
    "~",
    "null",
    "true",
    "yes",
    "0x1F",
    "0o17",
    "1e999",
    ".inf",
    "-.nan",
    "340282366920938463463374607431768211456",
    "2025-11-20T10:00:00Z",
    "2025-13-45T99:99:99Z",
    "127.0.0.1",
    "::1",
    "10.0.0.0/33",
    "../fixtures/api-page-example.yaml",
    "generated.yaml",
    "\t",
    "\r",
    "\u{FEFF}",
    " ",
];

/// One token of [`yaml_like`]: from the list, a number, or any short text.
fn yaml_token() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => select(YAML_TOKENS).prop_map(str::to_owned),
        1 => any::<i64>().prop_map(|n| n.to_string()),
        1 => any::<f64>().prop_map(|n| n.to_string()),
        1 => "\\PC{1,4}",
        1 => any::<char>().prop_map(String::from),
    ]
}

/// Lines of indentation and YAML tokens.
fn yaml_like() -> impl Strategy<Value = String> {
    let line = (0usize..8, prop::collection::vec(yaml_token(), 0..7))
        .prop_map(|(indent, tokens)| format!("{}{}", " ".repeat(indent), tokens.concat()));
    prop::collection::vec(line, 0..16).prop_map(|lines| lines.join("\n"))
}

/// An edit of [`VALID_SCENARIO`]: a token inserted or a stretch removed somewhere.
#[derive(Debug, Clone)]
enum Edit {
    Insert(Index, String),
    Remove(Index, usize),
}

fn mutated_scenario() -> impl Strategy<Value = String> {
    let edit = prop_oneof![
        2 => (any::<Index>(), yaml_token()).prop_map(|(at, token)| Edit::Insert(at, token)),
        1 => (any::<Index>(), 1usize..12).prop_map(|(at, len)| Edit::Remove(at, len)),
    ];
    prop::collection::vec(edit, 1..5).prop_map(|edits| {
        let mut text: Vec<char> = VALID_SCENARIO.chars().collect();
        for edit in edits {
            match edit {
                Edit::Insert(at, token) => {
                    let at = at.index(text.len() + 1);
                    text.splice(at..at, token.chars());
                }
                Edit::Remove(at, len) => {
                    let at = at.index(text.len().max(1)).min(text.len());
                    let end = (at + len).min(text.len());
                    text.drain(at..end);
                }
            }
        }
        text.into_iter().collect()
    })
}

#[test]
fn the_scenario_being_mutated_is_valid() {
    let loaded = Scenario::from_yaml(SCENARIO_NAME, VALID_SCENARIO);

    if let Err(err) = loaded {
        panic!("the scenario to mutate does not load:\n{err}");
    }
}

#[test]
fn loading_a_mutated_scenario_never_panics_and_locates_every_problem() {
    proptest!(config(), |(text in mutated_scenario())| {
        load_checked(text)?;
    });
}

#[test]
fn loading_yaml_like_text_never_panics_and_locates_every_problem() {
    proptest!(config(), |(text in yaml_like())| {
        load_checked(text)?;
    });
}

#[test]
fn loading_any_text_never_panics_and_locates_every_problem() {
    let text = prop::collection::vec(any::<char>(), 0..300).prop_map(String::from_iter);
    proptest!(config(), |(text in text)| {
        load_checked(text)?;
    });
}

/// `depth` levels of one kind of nesting, in flow or block style.
fn nested(kind: usize, depth: usize) -> String {
    match kind {
        0 => "[".repeat(depth),
        1 => "{a: ".repeat(depth),
        2 => "- ".repeat(depth),
        3 => (0..depth)
            .map(|i| format!("{}a:\n", " ".repeat(i)))
            .collect(),
        4 => (0..depth)
            .map(|i| format!("{}-\n", " ".repeat(i)))
            .collect(),
        5 => format!("a: {}{}", "[".repeat(depth), "]".repeat(depth)),
        _ => format!("a: {}1{}", "{a: ".repeat(depth), "}".repeat(depth)),
    }
}

// In a debug build each level of nesting costs about 40 KiB of stack in the
// parser; the loader's depth cap keeps that within a test thread's 2 MiB.
#[test]
fn deep_nesting_is_refused_not_a_stack_overflow() {
    proptest!(config(), |(kind in 0usize..7, depth in 1usize..3000)| {
        load_checked(nested(kind, depth))?;
    });
}

#[test]
fn an_alias_bomb_is_refused_not_expanded() {
    // Ten levels of ten aliases each: 10^10 nodes if expanded.
    let mut text = String::from("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
    for level in 1..10 {
        let aliases = vec![format!("*l{}", level - 1); 10].join(", ");
        text.push_str(&format!("l{level}: &l{level} [{aliases}]\n"));
    }

    let loaded = load_checked(text);

    match loaded {
        Ok(loaded) => assert!(!loaded, "an alias bomb is refused"),
        Err(failure) => panic!("{failure}"),
    }
}
