//! The scenario loader refuses every broken file in `tests/data/` with each
//! problem located as `path:line:column: message`, all problems of a file
//! together, in line order; valid files with nested and shared includes load.
//!
//! Each top-level file in `tests/data/` is a valid scenario apart from one
//! deliberate fault, named after the rule it breaks; the fixtures they include
//! live in `tests/data/includes/`, and valid scenarios in `tests/data/valid/`
//! (a subfolder, so `validate tests/data` sees only broken files). Paths are
//! relative: cargo runs integration tests from the package root, and messages
//! show paths as given.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use n4n_mock::{LoadError, Scenario};

use crate::util::binary;

/// `tests/data/NAME`, relative to the package root, as messages show it.
fn data(name: &str) -> PathBuf {
    Path::new("tests/data").join(name)
}

/// The error loading `tests/data/NAME` gives; panics if it loads.
fn refusal(name: &str) -> LoadError {
    match Scenario::from_file(&data(name)) {
        Ok(scenario) => panic!("{name} loaded as {scenario}, expected problems"),
        Err(err) => err,
    }
}

/// Every problem of `tests/data/NAME`, rendered.
fn problems(name: &str) -> Vec<String> {
    refusal(name)
        .problems
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// The single problem of `tests/data/NAME`; panics if there are more or none.
fn only_problem(name: &str) -> String {
    let mut found = problems(name);
    assert_eq!(
        found.len(),
        1,
        "{name}: expected one problem, got {found:#?}"
    );
    found.remove(0)
}

/// The problem of `found` that starts with `located` (`path:line:column: ...`).
fn problem_starting_with<'p>(found: &'p [String], located: &str) -> &'p str {
    found
        .iter()
        .find(|p| p.starts_with(located))
        .unwrap_or_else(|| panic!("no problem starts with {located:?} in {found:#?}"))
}

/// The scenario at `tests/data/NAME`; panics with its problems if it does not load.
fn loaded(name: &str) -> Scenario {
    Scenario::from_file(&data(name)).unwrap_or_else(|err| panic!("{name} loads:\n{err}"))
}

// Rule 1: bad YAML syntax.

#[test]
fn bad_yaml_is_located_where_the_parser_stopped() {
    let found = problems("bad-yaml-syntax.yaml");

    let problem = problem_starting_with(&found, "tests/data/bad-yaml-syntax.yaml:6:14: ");

    assert!(problem.contains("unclosed bracket '['"), "{problem}");
}

#[test]
fn bad_yaml_message_carries_no_duplicate_location_suffix() {
    let found = problems("bad-yaml-syntax.yaml");

    let problem = problem_starting_with(&found, "tests/data/bad-yaml-syntax.yaml:6:14: ");

    assert!(!problem.contains("at line"), "{problem}");
}

#[test]
fn bad_yaml_is_the_only_problem_reported() {
    let problem = only_problem("bad-yaml-syntax.yaml");

    assert!(
        problem.starts_with("tests/data/bad-yaml-syntax.yaml:6:14: unclosed bracket"),
        "{problem}"
    );
}

#[test]
fn bad_yaml_keeps_the_parsers_words_and_adds_a_hint_naming_the_cause() {
    let problem = only_problem("bad-yaml-syntax.yaml");

    assert_eq!(
        problem,
        "tests/data/bad-yaml-syntax.yaml:6:14: unclosed bracket '['; \
         hint: line 6 opens a '[' that is never closed"
    );
}

#[test]
fn a_tab_in_the_indentation_is_named_though_the_parser_stops_on_the_line_before() {
    let problem = only_problem("bad-yaml-tab.yaml");

    assert_eq!(
        problem,
        "tests/data/bad-yaml-tab.yaml:3:15: while scanning a plain scalar, found a tab; \
         hint: line 4 is indented with a tab; YAML indents with spaces only"
    );
}

#[test]
fn an_unclosed_bracket_is_named_where_it_opens_though_the_parser_stops_a_line_later() {
    let problem = only_problem("bad-yaml-unclosed-bracket.yaml");

    assert_eq!(
        problem,
        "tests/data/bad-yaml-unclosed-bracket.yaml:6:7: illegal placement of ':' indicator; \
         hint: line 5 opens a '[' that is never closed"
    );
}

#[test]
fn an_unclosed_quote_is_named_with_its_line() {
    let problem = only_problem("bad-yaml-unclosed-quote.yaml");

    assert_eq!(
        problem,
        "tests/data/bad-yaml-unclosed-quote.yaml:5:14: unclosed quote; \
         hint: line 5 opens a quote (\") that is never closed"
    );
}

#[test]
fn a_key_indented_out_of_step_with_its_siblings_is_named_with_both_indentations() {
    let problem = only_problem("bad-yaml-indentation.yaml");

    assert_eq!(
        problem,
        "tests/data/bad-yaml-indentation.yaml:7:13: mapping values are not allowed in this \
         context; hint: line 7 is indented 5 spaces where the entries before it are indented \
         4; the entries of one mapping or list start in the same column"
    );
}

#[test]
fn a_syntax_error_the_text_shows_no_cause_for_has_no_hint() {
    let (path, found) = problems_of_text("credentials: [{username: u, api_key: k}]\nname: a: b\n");

    assert_eq!(
        found,
        [format!(
            "{path}:2:8: mapping values are not allowed in this context"
        )]
    );
}

#[test]
fn bad_yaml_in_an_included_fixture_is_located_in_the_fixture_by_its_normalised_path() {
    // The scenario writes `../data/includes/broken-yaml.yaml`.
    let found = problems("bad-yaml-in-fixture.yaml");

    let problem = problem_starting_with(&found, "tests/data/includes/broken-yaml.yaml:4:17: ");

    assert!(problem.contains("unclosed bracket '['"), "{problem}");
    assert!(
        problem.ends_with("; hint: line 4 opens a '[' that is never closed"),
        "{problem}"
    );
}

#[test]
fn bad_yaml_in_an_included_fixture_is_the_only_problem_reported() {
    let problem = only_problem("bad-yaml-in-fixture.yaml");

    assert!(
        problem.starts_with("tests/data/includes/broken-yaml.yaml:4:17: "),
        "{problem}"
    );
}

// Rule 2: unknown keys, located at the key.

#[test]
fn unknown_key_at_the_top_level_is_located_at_the_key() {
    let problem = only_problem("unknown-key-at-top-level.yaml");

    assert_eq!(
        problem,
        "tests/data/unknown-key-at-top-level.yaml:4:1: unknown key `click` at the top level; \
         did you mean `clicks`? (expected one of: name, description, now, credentials, allowed_ips, errors, latency_ms, \
         faults, rate_limit, postbacks, include, clicks, transactions)"
    );
}

#[test]
fn unknown_key_in_a_click_is_located_at_the_key() {
    let problem = only_problem("unknown-key-in-click.yaml");

    assert!(
        problem.starts_with(
            "tests/data/unknown-key-in-click.yaml:6:5: unknown key `clik_hash` in a click; \
             did you mean `click_hash`? (expected one of: click_hash, time, loginid, "
        ),
        "{problem}"
    );
}

#[test]
fn unknown_key_in_a_transaction_is_located_at_the_key() {
    let problem = only_problem("unknown-key-in-transaction.yaml");

    assert!(
        problem.starts_with(
            "tests/data/unknown-key-in-transaction.yaml:9:5: unknown key `order_id` in a \
             transaction; did you mean `orderid`? (expected one of: transaction_hash, "
        ),
        "{problem}"
    );
}

#[test]
fn unknown_key_in_a_payout_is_located_at_the_key() {
    let problem = only_problem("unknown-key-in-payout.yaml");

    assert_eq!(
        problem,
        "tests/data/unknown-key-in-payout.yaml:11:9: unknown key `ammount` in a payout; \
         did you mean `amount`? (expected one of: type, loginid, username, amount)"
    );
}

#[test]
fn unknown_key_in_a_credential_is_located_at_the_key() {
    let problem = only_problem("unknown-key-in-credential.yaml");

    assert_eq!(
        problem,
        "tests/data/unknown-key-in-credential.yaml:4:5: unknown key `password` in a credential \
         (expected one of: username, api_key)"
    );
}

#[test]
fn unknown_key_in_an_error_override_is_located_at_the_key() {
    let problem = only_problem("unknown-key-in-error-override.yaml");

    assert_eq!(
        problem,
        "tests/data/unknown-key-in-error-override.yaml:5:28: unknown key `mesage` in \
         `errors.not_found`; did you mean `message`? (expected one of: status, message)"
    );
}

// Rule 3: missing required keys, located at the record that lacks them.

#[test]
fn click_without_click_hash_is_located_at_the_click() {
    let problem = only_problem("missing-click-hash.yaml");

    assert_eq!(
        problem,
        "tests/data/missing-click-hash.yaml:6:5: a click is missing the required key `click_hash`"
    );
}

#[test]
fn click_with_an_empty_click_hash_is_located_at_the_value() {
    let problem = only_problem("empty-click-hash.yaml");

    assert_eq!(
        problem,
        "tests/data/empty-click-hash.yaml:5:17: `click_hash` of a click must not be empty"
    );
}

#[test]
fn transaction_without_transaction_hash_is_located_at_the_transaction() {
    let problem = only_problem("missing-transaction-hash.yaml");

    assert_eq!(
        problem,
        "tests/data/missing-transaction-hash.yaml:7:5: a transaction is missing the required \
         key `transaction_hash`"
    );
}

#[test]
fn transaction_without_click_hash_is_located_at_the_transaction() {
    let problem = only_problem("missing-transaction-click-hash.yaml");

    assert_eq!(
        problem,
        "tests/data/missing-transaction-click-hash.yaml:7:5: a transaction is missing the \
         required key `click_hash`"
    );
}

#[test]
fn credential_without_api_key_is_located_at_the_credential() {
    let problem = only_problem("missing-api-key.yaml");

    assert_eq!(
        problem,
        "tests/data/missing-api-key.yaml:2:5: a credential is missing the required key `api_key`"
    );
}

// Rule 4: wrong types, located at the value.

#[test]
fn clicks_given_a_mapping_is_located_at_the_mapping() {
    let problem = only_problem("clicks-is-a-mapping.yaml");

    assert_eq!(
        problem,
        "tests/data/clicks-is-a-mapping.yaml:5:3: `clicks` must be a list, found a mapping"
    );
}

#[test]
fn credentials_given_a_mapping_is_located_at_the_mapping() {
    let found = problems("credentials-is-a-mapping.yaml");

    let problem = problem_starting_with(&found, "tests/data/credentials-is-a-mapping.yaml:2:3: ");

    assert!(
        problem.ends_with(": `credentials` must be a list, found a mapping"),
        "{problem}"
    );
}

#[test]
fn credentials_given_a_mapping_is_reported_once() {
    let problem = only_problem("credentials-is-a-mapping.yaml");

    assert_eq!(
        problem,
        "tests/data/credentials-is-a-mapping.yaml:2:3: `credentials` must be a list, found a \
         mapping"
    );
}

#[test]
fn include_given_a_single_path_is_located_at_the_value() {
    let problem = only_problem("include-is-not-a-list.yaml");

    assert_eq!(
        problem,
        "tests/data/include-is-not-a-list.yaml:4:10: `include` must be a list, found a string"
    );
}

#[test]
fn loginid_given_a_list_is_located_at_the_list() {
    let problem = only_problem("loginid-is-a-list.yaml");

    assert_eq!(
        problem,
        "tests/data/loginid-is-a-list.yaml:6:14: `loginid` must be a single value, found a list"
    );
}

#[test]
fn click_hash_given_a_list_is_located_at_the_list() {
    let found = problems("click-hash-is-a-list.yaml");

    let problem = problem_starting_with(&found, "tests/data/click-hash-is-a-list.yaml:5:17: ");

    assert!(
        problem.ends_with(": `click_hash` must be a single value, found a list"),
        "{problem}"
    );
}

#[test]
fn click_hash_given_a_list_is_reported_once() {
    let problem = only_problem("click-hash-is-a-list.yaml");

    assert_eq!(
        problem,
        "tests/data/click-hash-is-a-list.yaml:5:17: `click_hash` must be a single value, found a \
         list"
    );
}

#[test]
fn extra_with_a_nested_value_is_located_at_the_value() {
    let problem = only_problem("extra-with-nested-value.yaml");

    assert_eq!(
        problem,
        "tests/data/extra-with-nested-value.yaml:8:13: `extra.tags` must be a single value, \
         found a list (use `response:` for other shapes)"
    );
}

#[test]
fn time_given_yes_is_located_at_the_value() {
    let problem = only_problem("time-is-a-boolean.yaml");

    assert_eq!(
        problem,
        "tests/data/time-is-a-boolean.yaml:6:11: `time` must be Unix seconds or an RFC 3339 \
         date like 2025-11-20T10:00:00Z, found `yes`"
    );
}

#[test]
fn time_given_an_impossible_date_is_located_at_the_value() {
    let problem = only_problem("time-is-not-a-date.yaml");

    assert_eq!(
        problem,
        "tests/data/time-is-not-a-date.yaml:6:11: `time` must be Unix seconds or an RFC 3339 \
         date like 2025-11-20T10:00:00Z, found `2025-13-45T99:00:00Z`"
    );
}

#[test]
fn error_override_status_given_text_is_located_at_the_value() {
    let problem = only_problem("error-status-is-not-a-number.yaml");

    assert_eq!(
        problem,
        "tests/data/error-status-is-not-a-number.yaml:6:13: `status` must be an HTTP status \
         from 100 to 599, found `abc`"
    );
}

#[test]
fn error_override_status_beyond_599_is_located_at_the_value() {
    let problem = only_problem("error-status-out-of-range.yaml");

    assert_eq!(
        problem,
        "tests/data/error-status-out-of-range.yaml:6:13: `status` must be an HTTP status from \
         100 to 599, found `700`"
    );
}

// Rule 5: duplicate hashes, located at the second occurrence.

#[test]
fn duplicate_click_hash_across_files_is_located_at_the_second_and_names_the_first() {
    // Included data loads before the including file's own, so the fixture's is first.
    let problem = only_problem("duplicate-click-hash-across-files.yaml");

    assert_eq!(
        problem,
        "tests/data/duplicate-click-hash-across-files.yaml:7:17: duplicate click_hash `c1` \
         (first defined at tests/data/includes/clicks.yaml:3:17)"
    );
}

#[test]
fn a_duplicate_names_the_first_in_whichever_file_of_the_load_it_is() {
    // clicks.yaml, then more-clicks.yaml, then the scenario's own clicks.
    let problem = only_problem("duplicate-click-hash-in-a-later-file.yaml");

    assert_eq!(
        problem,
        "tests/data/duplicate-click-hash-in-a-later-file.yaml:9:17: duplicate click_hash `c2` \
         (first defined at tests/data/includes/more-clicks.yaml:3:17)"
    );
}

#[test]
fn duplicate_transaction_hash_is_located_at_the_second_and_names_the_first() {
    let problem = only_problem("duplicate-transaction-hash.yaml");

    assert_eq!(
        problem,
        "tests/data/duplicate-transaction-hash.yaml:10:23: duplicate transaction_hash `t1` \
         (first defined at tests/data/duplicate-transaction-hash.yaml:8:23)"
    );
}

#[test]
fn duplicate_transactionid_is_located_at_the_second_and_names_the_first() {
    let problem = only_problem("duplicate-transactionid.yaml");

    assert_eq!(
        problem,
        "tests/data/duplicate-transactionid.yaml:12:20: duplicate transactionid `5001` \
         (first defined at tests/data/duplicate-transactionid.yaml:9:20)"
    );
}

#[test]
fn now_that_is_not_a_time_is_located_at_its_value() {
    let problem = only_problem("now-is-not-a-date.yaml");

    assert!(
        problem.starts_with(
            "tests/data/now-is-not-a-date.yaml:4:6: `now` must be Unix seconds or an RFC 3339 date"
        ),
        "{problem}"
    );
}

// Rule 6: a transaction for a click no file defines.

#[test]
fn transaction_naming_an_unknown_click_is_located_at_its_click_hash() {
    let problem = only_problem("transaction-for-unknown-click.yaml");

    assert_eq!(
        problem,
        "tests/data/transaction-for-unknown-click.yaml:8:17: transaction `t1` names click_hash \
         `c9`, which no click has"
    );
}

// Rule 7: includes that are missing or form a cycle.

#[test]
fn missing_include_is_located_at_the_include_entry() {
    let problem = only_problem("missing-include.yaml");

    assert!(
        problem.starts_with(
            "tests/data/missing-include.yaml:5:5: cannot include `includes/no-such-file.yaml` \
             (tests/data/includes/no-such-file.yaml): "
        ),
        "{problem}"
    );
}

#[test]
fn include_cycle_is_located_at_the_include_that_closes_it() {
    let problem = only_problem("include-cycle.yaml");

    assert!(
        problem.starts_with("tests/data/includes/cycle-back.yaml:3:5: include cycle: "),
        "{problem}"
    );
}

#[test]
fn include_cycle_names_every_file_of_the_cycle() {
    let problem = only_problem("include-cycle.yaml");

    let (_, chain) = problem
        .split_once("include cycle: ")
        .expect("cycle message");
    let files: Vec<&str> = chain.split(" -> ").collect();

    assert_eq!(files.len(), 3, "{problem}");
    assert!(files[0].ends_with("include-cycle.yaml"), "{problem}");
    assert!(files[1].ends_with("includes/cycle-back.yaml"), "{problem}");
    assert!(files[2].ends_with("include-cycle.yaml"), "{problem}");
}

#[test]
fn include_cycle_names_the_files_as_given() {
    let problem = only_problem("include-cycle.yaml");

    assert_eq!(
        problem,
        "tests/data/includes/cycle-back.yaml:3:5: include cycle: tests/data/include-cycle.yaml \
         -> tests/data/includes/cycle-back.yaml -> tests/data/include-cycle.yaml"
    );
}

// Rule 8: a scenario without credentials.

#[test]
fn scenario_without_credentials_is_located_at_the_start_of_the_file() {
    let problem = only_problem("no-credentials.yaml");

    assert_eq!(
        problem,
        "tests/data/no-credentials.yaml:1:1: the scenario has no `credentials`: add at least one \
         username and api_key"
    );
}

#[test]
fn empty_credentials_are_located_at_the_key() {
    let problem = only_problem("empty-credentials.yaml");

    assert_eq!(
        problem,
        "tests/data/empty-credentials.yaml:2:1: `credentials` is empty: add at least one \
         username and api_key"
    );
}

// Rule 9: an unknown transaction status.

#[test]
fn unknown_status_is_located_at_the_value() {
    let problem = only_problem("unknown-status.yaml");

    assert_eq!(
        problem,
        "tests/data/unknown-status.yaml:9:13: unknown status `refunded` (expected one of: \
         pending, approved, void, chargeback, reversal)"
    );
}

// Rule 10: the loader's other checks.

#[test]
fn unknown_error_kind_is_located_at_the_key() {
    let problem = only_problem("unknown-error-kind.yaml");

    assert!(
        problem.starts_with(
            "tests/data/unknown-error-kind.yaml:5:3: unknown error kind `not_fund` (expected one \
             of: invalid_endpoint, "
        ),
        "{problem}"
    );
    assert!(problem.contains("not_found"), "{problem}");
}

#[test]
fn bad_allowed_ips_entry_is_located_at_the_entry() {
    let problem = only_problem("bad-allowed-ip.yaml");

    assert_eq!(
        problem,
        "tests/data/bad-allowed-ip.yaml:4:26: `10.0.0.300` is not an IP address or CIDR range \
         (like 10.0.0.0/8 or ::1)"
    );
}

#[test]
fn scenario_key_in_an_included_fixture_is_located_in_the_fixture() {
    let problem = only_problem("scenario-key-in-fixture.yaml");

    assert_eq!(
        problem,
        "tests/data/includes/fixture-with-credentials.yaml:3:1: `credentials` belongs in a \
         scenario, not in an included fixture file"
    );
}

#[test]
fn duplicate_mapping_key_is_located_at_the_repeated_key() {
    let found = problems("duplicate-yaml-key.yaml");

    let problem = problem_starting_with(&found, "tests/data/duplicate-yaml-key.yaml:7:5: ");

    assert!(
        problem.contains(
            "duplicate mapping key `loginid` is not allowed here (first written at line 6, column 5)"
        ),
        "{problem}"
    );
}

// All problems of a file together.

#[test]
fn every_problem_of_a_file_is_reported_together_in_line_order() {
    let found = problems("several-problems.yaml");

    assert_eq!(found.len(), 4, "{found:#?}");
    assert!(
        found[0].starts_with(
            "tests/data/several-problems.yaml:6:5: unknown key `clik_id` in a click (expected one \
             of: "
        ),
        "{found:#?}"
    );
    assert_eq!(
        found[1..],
        [
            "tests/data/several-problems.yaml:8:11: `time` must be Unix seconds or an RFC 3339 \
             date like 2025-11-20T10:00:00Z, found `soon`",
            "tests/data/several-problems.yaml:9:5: a click is missing the required key \
             `click_hash`",
            "tests/data/several-problems.yaml:13:13: unknown status `refunded` (expected one of: \
             pending, approved, void, chargeback, reversal)",
        ]
    );
}

#[test]
fn load_error_displays_one_problem_a_line() {
    let err = refusal("several-problems.yaml");

    let shown = err.to_string();

    let expected: Vec<String> = err.problems.iter().map(ToString::to_string).collect();
    assert_eq!(shown, expected.join("\n"));
}

// Valid scenarios with includes.

#[test]
fn includes_nested_two_folders_deep_load_relative_to_each_including_file() {
    let scenario = loaded("valid/nested-includes.yaml");

    assert_eq!(scenario.name(), "nested");
    assert_eq!(
        scenario.description(),
        "Clicks from fixtures two folders down."
    );
    assert_eq!(scenario.click_count(), 4);
    assert_eq!(scenario.transaction_count(), 2);
}

#[test]
fn fixture_included_twice_by_two_paths_is_loaded_once() {
    let scenario = loaded("valid/diamond.yaml");

    assert_eq!(scenario.click_count(), 3);
    assert_eq!(scenario.transaction_count(), 1);
}

#[test]
fn scenario_without_a_name_is_named_after_its_file() {
    let scenario = loaded("valid/diamond.yaml");

    assert_eq!(scenario.name(), "diamond");
}

// The `validate` command.

/// For each top-level file of `tests/data/`, the start of a line `validate` prints on
/// stderr (a few files are refused for a problem located in the fixture they include).
const BROKEN_FILES: [(&str, &str); 49] = [
    (
        "bad-allowed-ip.yaml",
        "tests/data/bad-allowed-ip.yaml:4:26: `10.0.0.300` is not an IP address",
    ),
    (
        "bad-yaml-in-fixture.yaml",
        "tests/data/includes/broken-yaml.yaml:4:17: unclosed bracket '['",
    ),
    (
        "bad-yaml-indentation.yaml",
        "tests/data/bad-yaml-indentation.yaml:7:13: mapping values are not allowed in this context; hint: line 7 is indented 5 spaces",
    ),
    (
        "bad-yaml-syntax.yaml",
        "tests/data/bad-yaml-syntax.yaml:6:14: unclosed bracket '['; hint: line 6 opens a '['",
    ),
    (
        "bad-yaml-tab.yaml",
        "tests/data/bad-yaml-tab.yaml:3:15: while scanning a plain scalar, found a tab; hint: line 4 is indented with a tab",
    ),
    (
        "bad-yaml-unclosed-bracket.yaml",
        "tests/data/bad-yaml-unclosed-bracket.yaml:6:7: illegal placement of ':' indicator; hint: line 5 opens a '['",
    ),
    (
        "bad-yaml-unclosed-quote.yaml",
        "tests/data/bad-yaml-unclosed-quote.yaml:5:14: unclosed quote; hint: line 5 opens a quote",
    ),
    (
        "click-hash-is-a-list.yaml",
        "tests/data/click-hash-is-a-list.yaml:5:17: `click_hash` must be a single value",
    ),
    (
        "clicks-is-a-mapping.yaml",
        "tests/data/clicks-is-a-mapping.yaml:5:3: `clicks` must be a list",
    ),
    (
        "credentials-is-a-mapping.yaml",
        "tests/data/credentials-is-a-mapping.yaml:2:3: `credentials` must be a list",
    ),
    (
        "duplicate-click-hash-across-files.yaml",
        "tests/data/duplicate-click-hash-across-files.yaml:7:17: duplicate click_hash `c1`",
    ),
    (
        "duplicate-click-hash-in-a-later-file.yaml",
        "tests/data/duplicate-click-hash-in-a-later-file.yaml:9:17: duplicate click_hash `c2`",
    ),
    (
        "duplicate-transaction-hash.yaml",
        "tests/data/duplicate-transaction-hash.yaml:10:23: duplicate transaction_hash `t1`",
    ),
    (
        "duplicate-transactionid.yaml",
        "tests/data/duplicate-transactionid.yaml:12:20: duplicate transactionid `5001`",
    ),
    (
        "duplicate-yaml-key.yaml",
        "tests/data/duplicate-yaml-key.yaml:7:5: duplicate mapping key `loginid` is not allowed here",
    ),
    (
        "empty-click-hash.yaml",
        "tests/data/empty-click-hash.yaml:5:17: `click_hash` of a click must not be empty",
    ),
    (
        "empty-credentials.yaml",
        "tests/data/empty-credentials.yaml:2:1: `credentials` is empty",
    ),
    (
        "error-status-is-not-a-number.yaml",
        "tests/data/error-status-is-not-a-number.yaml:6:13: `status` must be an HTTP status",
    ),
    (
        "error-status-out-of-range.yaml",
        "tests/data/error-status-out-of-range.yaml:6:13: `status` must be an HTTP status",
    ),
    (
        "extra-with-nested-value.yaml",
        "tests/data/extra-with-nested-value.yaml:8:13: `extra.tags` must be a single value",
    ),
    (
        "include-cycle.yaml",
        "tests/data/includes/cycle-back.yaml:3:5: include cycle: ",
    ),
    (
        "include-is-not-a-list.yaml",
        "tests/data/include-is-not-a-list.yaml:4:10: `include` must be a list",
    ),
    (
        "loginid-is-a-list.yaml",
        "tests/data/loginid-is-a-list.yaml:6:14: `loginid` must be a single value",
    ),
    (
        "missing-api-key.yaml",
        "tests/data/missing-api-key.yaml:2:5: a credential is missing the required key `api_key`",
    ),
    (
        "missing-click-hash.yaml",
        "tests/data/missing-click-hash.yaml:6:5: a click is missing the required key `click_hash`",
    ),
    (
        "missing-include.yaml",
        "tests/data/missing-include.yaml:5:5: cannot include `includes/no-such-file.yaml`",
    ),
    (
        "missing-transaction-click-hash.yaml",
        "tests/data/missing-transaction-click-hash.yaml:7:5: a transaction is missing the required key `click_hash`",
    ),
    (
        "missing-transaction-hash.yaml",
        "tests/data/missing-transaction-hash.yaml:7:5: a transaction is missing the required key `transaction_hash`",
    ),
    (
        "now-is-not-a-date.yaml",
        "tests/data/now-is-not-a-date.yaml:4:6: `now` must be Unix seconds",
    ),
    (
        "no-credentials.yaml",
        "tests/data/no-credentials.yaml:1:1: the scenario has no `credentials`",
    ),
    (
        "postback-bad-duration.yaml",
        "tests/data/postback-bad-duration.yaml:9:14: `timeout` must be a duration",
    ),
    (
        "postback-duplicate-target-name.yaml",
        "tests/data/postback-duplicate-target-name.yaml:9:11: duplicate postback target `shop`",
    ),
    (
        "postback-ftp-url.yaml",
        "tests/data/postback-ftp-url.yaml:8:10: a postback URL is `http://` or `https://`",
    ),
    (
        "postback-unknown-event.yaml",
        "tests/data/postback-unknown-event.yaml:9:20: unknown event `refund`",
    ),
    (
        "postback-unknown-variable.yaml",
        "tests/data/postback-unknown-variable.yaml:8:10: unknown variable `%%subid3%%`",
    ),
    (
        "postback-unset-environment-variable.yaml",
        "tests/data/postback-unset-environment-variable.yaml:8:10: the environment variable `N4N_MOCK_TEST_NEVER_SET` is not set",
    ),
    (
        "scenario-key-in-fixture.yaml",
        "tests/data/includes/fixture-with-credentials.yaml:3:1: `credentials` belongs in a scenario",
    ),
    (
        "several-problems.yaml",
        "tests/data/several-problems.yaml:13:13: unknown status `refunded`",
    ),
    (
        "time-is-a-boolean.yaml",
        "tests/data/time-is-a-boolean.yaml:6:11: `time` must be Unix seconds",
    ),
    (
        "time-is-not-a-date.yaml",
        "tests/data/time-is-not-a-date.yaml:6:11: `time` must be Unix seconds",
    ),
    (
        "transaction-for-unknown-click.yaml",
        "tests/data/transaction-for-unknown-click.yaml:8:17: transaction `t1` names click_hash `c9`",
    ),
    (
        "unknown-error-kind.yaml",
        "tests/data/unknown-error-kind.yaml:5:3: unknown error kind `not_fund`",
    ),
    (
        "unknown-key-at-top-level.yaml",
        "tests/data/unknown-key-at-top-level.yaml:4:1: unknown key `click` at the top level",
    ),
    (
        "unknown-key-in-click.yaml",
        "tests/data/unknown-key-in-click.yaml:6:5: unknown key `clik_hash` in a click",
    ),
    (
        "unknown-key-in-credential.yaml",
        "tests/data/unknown-key-in-credential.yaml:4:5: unknown key `password` in a credential",
    ),
    (
        "unknown-key-in-error-override.yaml",
        "tests/data/unknown-key-in-error-override.yaml:5:28: unknown key `mesage` in `errors.not_found`",
    ),
    (
        "unknown-key-in-payout.yaml",
        "tests/data/unknown-key-in-payout.yaml:11:9: unknown key `ammount` in a payout",
    ),
    (
        "unknown-key-in-transaction.yaml",
        "tests/data/unknown-key-in-transaction.yaml:9:5: unknown key `order_id` in a transaction",
    ),
    (
        "unknown-status.yaml",
        "tests/data/unknown-status.yaml:9:13: unknown status `refunded`",
    ),
];

/// The `*.yaml` files directly in `tests/data/`.
fn top_level_data_files() -> BTreeSet<String> {
    std::fs::read_dir("tests/data")
        .expect("list tests/data")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.is_file() && path.extension().is_some_and(|e| e == "yaml"))
        .map(|path| {
            path.file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

/// `n4n-mock validate ARGS...` from the repository root: exit code, stdout, stderr.
fn validate(args: &[&str]) -> (Option<i32>, String, String) {
    let output = binary()
        .arg("validate")
        .args(args)
        .output()
        .expect("run n4n-mock validate");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn every_top_level_data_file_has_an_expected_problem() {
    let listed: BTreeSet<String> = BROKEN_FILES
        .iter()
        .map(|(name, _)| (*name).to_string())
        .collect();

    let on_disk = top_level_data_files();

    assert_eq!(listed, on_disk);
}

#[test]
fn validate_refuses_each_broken_file_with_its_located_problem_on_stderr() {
    for (name, expected) in BROKEN_FILES {
        let path = format!("tests/data/{name}");

        let (code, stdout, stderr) = validate(&[&path]);

        assert_eq!(code, Some(1), "{name}: stdout {stdout}\nstderr {stderr}");
        assert!(
            stderr.lines().any(|line| line.starts_with(expected)),
            "{name}: no stderr line starts with {expected:?}:\n{stderr}"
        );
        assert!(!stdout.contains("ok  "), "{name}: {stdout}");
    }
}

#[test]
fn validate_accepts_a_valid_file_and_prints_its_counts() {
    let (code, stdout, stderr) = validate(&["tests/data/valid/nested-includes.yaml"]);

    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.lines().any(|line| line
            == "ok  tests/data/valid/nested-includes.yaml: nested (4 clicks, 2 transactions)"),
        "{stdout}"
    );
}

#[test]
fn validate_without_paths_accepts_the_bundled_scenarios() {
    let (code, stdout, stderr) = validate(&[]);

    assert_eq!(code, Some(0), "stdout {stdout}\nstderr {stderr}");
    assert!(
        stdout
            .lines()
            .any(|line| line.starts_with("ok  scenarios/default.yaml: default (")),
        "{stdout}"
    );
}

#[test]
fn validate_of_the_data_folder_refuses_every_file_in_it() {
    let count = top_level_data_files().len();

    let (code, stdout, stderr) = validate(&["tests/data"]);

    assert_eq!(code, Some(1), "stdout {stdout}\nstderr {stderr}");
    assert!(!stdout.contains("ok  "), "{stdout}");
    assert!(
        stderr
            .lines()
            .any(|line| line == format!("error: {count} of {count} scenario files have problems")),
        "{stderr}"
    );
}

// --- resource limits -------------------------------------------------------

/// The problems of a scenario file holding `text`, rendered, with its path.
fn problems_of_text(text: &str) -> (String, Vec<String>) {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("hostile.yaml");
    std::fs::write(&path, text).expect("write");
    let err = Scenario::from_file(&path).expect_err("refused");
    let found = err.problems.iter().map(ToString::to_string).collect();
    (path.display().to_string(), found)
}

#[test]
fn an_alias_bomb_is_refused_where_it_starts() {
    // Ten levels of ten aliases each: 10^10 values if expanded.
    let mut text = String::from(
        "credentials: [{username: u, api_key: k}]\nl0: &l0 [x, x, x, x, x, x, x, x, x, x]\n",
    );
    for level in 1..10 {
        let aliases = vec![format!("*l{}", level - 1); 10].join(", ");
        text.push_str(&format!("l{level}: &l{level} [{aliases}]\n"));
    }

    let (path, found) = problems_of_text(&text);

    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].starts_with(&format!("{path}:")), "{found:#?}");
    assert!(found[0].contains("too many aliases"), "{found:#?}");
}

#[test]
fn nesting_past_the_depth_cap_is_refused_at_the_level_that_breaks_it() {
    let text = format!(
        "credentials: [{{username: u, api_key: k}}]\nclicks: {}1{}\n",
        "[".repeat(40),
        "]".repeat(40)
    );

    let (path, found) = problems_of_text(&text);

    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].starts_with(&format!("{path}:2:")), "{found:#?}");
    assert!(
        found[0].contains("nested more than 32 levels deep"),
        "{found:#?}"
    );
}

#[test]
fn a_file_over_a_gibibyte_is_refused_without_being_read() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("huge.yaml");
    // A sparse file: its size on disk is nothing, reading it would be 1 GiB.
    let file = std::fs::File::create(&path).expect("create");
    file.set_len(1024 * 1024 * 1024 + 1).expect("set_len");

    let err = Scenario::from_file(&path).expect_err("refused").to_string();

    assert!(
        err.starts_with(&format!("{}:1:1:", path.display())),
        "{err}"
    );
    assert!(err.contains("more than the 1024 MiB"), "{err}");
}

#[test]
fn a_scenario_sharing_records_through_aliases_loads() {
    // One anchored payout list, used again by fifty transactions.
    let mut text = String::from(
        "credentials: [{username: u, api_key: k}]\n\
         clicks: [{click_hash: c}]\n\
         transactions:\n  - transaction_hash: t\n    click_hash: c\n    payouts: &payouts\n\
         \x20     - {type: affiliate, loginid: 1, amount: \"1.00\"}\n\
         \x20     - {type: network, amount: \"0.10\"}\n",
    );
    for i in 0..50 {
        text.push_str(&format!(
            "  - {{transaction_hash: t{i}, click_hash: c, payouts: *payouts}}\n"
        ));
    }

    let loaded = Scenario::from_yaml("shared", text);

    match loaded {
        Ok(scenario) => assert_eq!(scenario.transaction_count(), 51),
        Err(err) => panic!("{err}"),
    }
}
