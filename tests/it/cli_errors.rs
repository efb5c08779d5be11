//! What the command line says when it refuses something, run through the
//! built binary: a bad value read from an environment variable names the
//! variable (every variable of every subcommand, found by walking the clap
//! command, so a new flag is covered); a URL file that cannot be written is
//! named as the user named it; `--help` says JSON scenarios work; an
//! unknown scenario name says when there was no scenarios folder to look in.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

use clap::CommandFactory;
use n4n_mock::cli::Cli;

use crate::util::binary;

/// For each environment variable of the command line, a value clap refuses;
/// `None` for one that takes any text (a name, a URL, a path read when it
/// is used, whose error names the path).
const BAD_VALUES: &[(&str, Option<&str>)] = &[
    ("N4N_MOCK_SCENARIO", None),
    ("N4N_MOCK_SCENARIOS_DIR", None),
    ("N4N_MOCK_NO_BUILTIN_SCENARIOS", Some("maybe")),
    ("N4N_MOCK_BIND", Some("not-an-address")),
    ("N4N_MOCK_PORT", Some("65536")),
    ("N4N_MOCK_LOG_FORMAT", Some("xml")),
    ("N4N_MOCK_WATCH", Some("maybe")),
    ("N4N_MOCK_NO_ADMIN", Some("maybe")),
    ("N4N_MOCK_ADMIN_TOKEN", Some("")),
    ("N4N_MOCK_ADMIN_TOKEN_FILE", None),
    ("N4N_MOCK_HEADER_READ_TIMEOUT", Some("ten seconds")),
    ("N4N_MOCK_MAX_HEADER_BYTES", Some("5")),
    ("N4N_MOCK_IDLE_TIMEOUT", Some("5 parsecs")),
    ("N4N_MOCK_MAX_CONNECTIONS", Some("0")),
    ("N4N_MOCK_URL_FILE", None),
    ("N4N_MOCK_JOURNAL_SIZE", Some("-1")),
    ("N4N_MOCK_JOURNAL_BYTES", Some("lots")),
    ("N4N_MOCK_URL", None),
    ("N4N_UPSTREAM_URL", None),
    ("N4N_UPSTREAM_USERNAME", None),
    ("N4N_UPSTREAM_API_KEY", Some("")),
];

/// One flag with an environment variable, as a subcommand has it.
#[derive(Debug)]
struct EnvFlag {
    /// The subcommand (`None`: none, the serve options of `n4n-mock` alone).
    subcommand: Option<String>,
    /// Its long name, without `--`.
    long: String,
    /// How clap writes it in an error: `--port <N>`, `--watch`.
    shown: String,
    /// Its variable.
    variable: String,
}

/// Every flag with an environment variable, for `n4n-mock` alone and for
/// each subcommand.
fn env_flags() -> Vec<EnvFlag> {
    let mut command = Cli::command();
    command.build();
    let level = |cmd: &clap::Command, subcommand: Option<&str>| -> Vec<EnvFlag> {
        cmd.get_arguments()
            .filter_map(|arg| {
                let variable = arg.get_env()?.to_str().expect("a UTF-8 name");
                Some(EnvFlag {
                    subcommand: subcommand.map(str::to_string),
                    long: arg.get_long().expect("a long name").to_string(),
                    shown: arg.to_string(),
                    variable: variable.to_string(),
                })
            })
            .collect()
    };
    let mut flags = level(&command, None);
    for sub in command.get_subcommands() {
        flags.extend(level(sub, Some(sub.get_name())));
    }
    flags
}

fn bad_value(variable: &str) -> Option<&'static str> {
    BAD_VALUES
        .iter()
        .find(|(name, _)| *name == variable)
        .unwrap_or_else(|| panic!("{variable} has no entry in BAD_VALUES"))
        .1
}

/// The binary with `args`, none of the command line's variables set but
/// `env`.
fn run(args: &[&str], env: Option<(&str, &str)>) -> Output {
    run_in(None, args, env)
}

/// [`run`] with `dir` as the current folder (the repository's root when
/// `None`).
fn run_in(dir: Option<&Path>, args: &[&str], env: Option<(&str, &str)>) -> Output {
    let mut command: Command = binary();
    for (variable, _) in BAD_VALUES {
        command.env_remove(variable);
    }
    if let Some((variable, value)) = env {
        command.env(variable, value);
    }
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    command.args(args).output().expect("run n4n-mock")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn with_subcommand<'a>(flag: &'a EnvFlag, rest: &[&'a str]) -> Vec<&'a str> {
    flag.subcommand
        .as_deref()
        .into_iter()
        .chain(rest.iter().copied())
        .collect()
}

// --- environment variables -------------------------------------------------

#[test]
fn every_environment_variable_has_a_bad_value_or_takes_any_text() {
    let walked: BTreeSet<String> = env_flags().into_iter().map(|f| f.variable).collect();
    let listed: BTreeSet<String> = BAD_VALUES.iter().map(|(v, _)| v.to_string()).collect();

    assert_eq!(
        walked, listed,
        "BAD_VALUES lists every variable of the command line, and only those"
    );
}

#[test]
fn a_bad_value_from_an_environment_variable_names_the_variable() {
    let flags = env_flags();
    let mut checked = 0;
    for flag in &flags {
        let Some(bad) = bad_value(&flag.variable) else {
            continue;
        };

        let output = run(&with_subcommand(flag, &[]), Some((&flag.variable, bad)));

        let text = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{flag:?}: {text}");
        let first = text.lines().next().unwrap_or("");
        let named = format!(
            "for '{}' (from the environment variable {})",
            flag.shown, flag.variable
        );
        assert!(
            first.starts_with("error: ") && first.contains(&named),
            "{flag:?}: {text}"
        );
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} flags checked");
}

#[test]
fn a_bad_value_given_as_a_flag_does_not_name_the_variable() {
    for flag in env_flags() {
        let Some(bad) = bad_value(&flag.variable) else {
            continue;
        };
        let given = format!("--{}={bad}", flag.long);
        let args = with_subcommand(&flag, &[&given]);

        // Refused with the variable unset, and with it set to the same value.
        for env in [None, Some((flag.variable.as_str(), bad))] {
            let output = run(&args, env);

            let text = stderr(&output);
            assert_eq!(output.status.code(), Some(2), "{flag:?} {env:?}: {text}");
            assert!(!text.contains(&flag.variable), "{flag:?} {env:?}: {text}");
        }
    }
}

// --- the URL file ----------------------------------------------------------

#[test]
fn a_url_file_that_cannot_be_written_is_named_as_the_user_named_it() {
    // Not tempfile's default `.tmp` name: the message is checked for none.
    let dir = tempfile::Builder::new()
        .prefix("url-file-")
        .tempdir()
        .expect("temp dir");
    let regular = dir.path().join("a-file");
    std::fs::write(&regular, "").expect("write");
    let targets = [
        dir.path().join("missing").join("u.url"),
        regular.join("u.url"),
    ];
    for target in targets {
        let target = target.to_str().expect("a UTF-8 path");

        let output = run(&["--port", "0", "--url-file", target], None);

        let text = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{text}");
        assert!(
            text.contains(&format!("cannot write the URL file {target}: ")),
            "{text}"
        );
        assert!(
            !text.contains(".tmp") && !text.contains(".u.url."),
            "{text}"
        );
    }
}

// --- help ------------------------------------------------------------------

#[test]
fn help_says_scenario_files_may_be_json_as_well_as_yaml() {
    let mut helps = vec![vec!["--help".to_string()]];
    for sub in Cli::command().get_subcommands() {
        helps.push(vec![sub.get_name().to_string(), "--help".to_string()]);
    }
    for args in helps {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();

        let output = run(&args, None);

        assert_eq!(output.status.code(), Some(0), "{args:?}");
        let text = String::from_utf8_lossy(&output.stdout);
        for line in text.lines().filter(|l| l.contains("YAML")) {
            // `generate --format`'s values describe each language alone.
            let a_value = line.trim_start().starts_with("- yaml:");
            assert!(
                line.contains("YAML or JSON") || a_value,
                "{args:?} says YAML alone: {line}"
            );
        }
    }
    let top = String::from_utf8_lossy(&run(&["--help"], None).stdout).into_owned();
    assert!(top.contains("the path of a YAML or JSON file"), "{top}");
}

// --- an unknown scenario ---------------------------------------------------

#[test]
fn an_unknown_scenario_without_a_scenarios_folder_here_says_there_is_none() {
    let dir = tempfile::tempdir().expect("temp dir");

    let output = run_in(Some(dir.path()), &["--scenario", "nope"], None);

    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(
        text.starts_with(
            "error: unknown scenario `nope`: it is not built in, and there is no \
             ./scenarios folder here (--scenarios-dir DIR names a folder of scenarios); \
             available scenarios: "
        ),
        "{text}"
    );
}

#[test]
fn an_unknown_scenario_with_a_scenarios_folder_here_lists_what_there_is() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("scenarios")).expect("mkdir");

    let output = run_in(Some(dir.path()), &["--scenario", "nope"], None);

    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(
        text.starts_with("error: unknown scenario `nope`; available scenarios: "),
        "{text}"
    );
}
