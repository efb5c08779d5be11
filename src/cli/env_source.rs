//! Which environment variable a refused value came from. clap says
//! `invalid value 'abc' for '--port <N>'` whether the value was typed or
//! read from `N4N_MOCK_PORT`, and a user who never typed `--port` is left
//! looking for it; so the error names the variable.

use std::ffi::OsString;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, Command};

/// `err`, naming the environment variable its value came from when clap
/// refused a value that no flag of `args` gave (`invalid value 'abc' for
/// '--port <N>' (from the environment variable N4N_MOCK_PORT)`); any other
/// error as it is. `command` is the whole command line, every subcommand
/// in it; `args` are the arguments read, the program's name first.
pub fn name_variable(err: clap::Error, mut command: Command, args: &[OsString]) -> clap::Error {
    let Some((arg, value)) = refused(&err) else {
        return err;
    };
    // Built, an argument is written as clap writes it in its errors.
    command.build();
    let Some(variable) = source_variable(&command, arg, value, args) else {
        return err;
    };
    let rendered = err.render().to_string();
    // `raw` writes `error: ` before the text, as clap's own errors have it.
    let text = rendered.strip_prefix("error: ").unwrap_or(&rendered);
    clap::Error::raw(err.kind(), naming(text, arg, &variable))
}

/// The argument (as clap writes it: `--port <N>`) and the value of an
/// error about a value, if `err` is one.
fn refused(err: &clap::Error) -> Option<(&str, &str)> {
    if !matches!(
        err.kind(),
        ErrorKind::ValueValidation | ErrorKind::InvalidValue
    ) {
        return None;
    }
    match (
        err.get(ContextKind::InvalidArg),
        err.get(ContextKind::InvalidValue),
    ) {
        (Some(ContextValue::String(arg)), Some(ContextValue::String(value))) => {
            Some((arg.as_str(), value.as_str()))
        }
        _ => None,
    }
}

/// The environment variable of an argument written `shown` that is set
/// to `value`, when no argument of `args` gives the argument that value:
/// then clap read the value from the variable. The flag itself may be
/// there with another value: `wait --port 1` still reads `N4N_MOCK_PORT`
/// for the serve options, which clap reads under any subcommand.
fn source_variable(
    command: &Command,
    shown: &str,
    value: &str,
    args: &[OsString],
) -> Option<String> {
    let candidates: Vec<&Arg> = every_arg(command)
        .into_iter()
        .filter(|arg| arg.to_string() == shown)
        .collect();
    if candidates.iter().any(|arg| gives(arg, value, args)) {
        return None;
    }
    candidates
        .into_iter()
        .filter_map(Arg::get_env)
        .find(|variable| {
            std::env::var_os(variable).is_some_and(|set| set.to_string_lossy() == value)
        })
        .map(|variable| variable.to_string_lossy().into_owned())
}

/// The arguments of `command` and of all its subcommands.
fn every_arg(command: &Command) -> Vec<&Arg> {
    let mut args: Vec<&Arg> = command.get_arguments().collect();
    for sub in command.get_subcommands() {
        args.extend(every_arg(sub));
    }
    args
}

/// Whether `args` (after the program's name, up to a `--`) give `arg`
/// `value` by one of its names: `--port 80`, `--port=80`, `-p 80`, `-p80`.
fn gives(arg: &Arg, value: &str, args: &[OsString]) -> bool {
    let longs: Vec<&str> = arg
        .get_long()
        .into_iter()
        .chain(arg.get_all_aliases().unwrap_or_default())
        .collect();
    let shorts: Vec<char> = arg
        .get_short()
        .into_iter()
        .chain(arg.get_all_short_aliases().unwrap_or_default())
        .collect();
    let tokens: Vec<String> = args
        .iter()
        .skip(1)
        .map(|token| token.to_string_lossy().into_owned())
        .take_while(|token| token != "--")
        .collect();
    let next_is_value = |at: usize| tokens.get(at + 1).is_some_and(|next| next == value);
    tokens.iter().enumerate().any(|(at, token)| {
        if let Some(long) = token.strip_prefix("--") {
            match long.split_once('=') {
                Some((name, given)) => longs.contains(&name) && given == value,
                None => longs.contains(&long) && next_is_value(at),
            }
        } else if let Some(rest) = token.strip_prefix('-') {
            let mut chars = rest.chars();
            match chars.next() {
                Some(short) if shorts.contains(&short) => {
                    let attached = chars.as_str();
                    if attached.is_empty() {
                        next_is_value(at)
                    } else {
                        attached.strip_prefix('=').unwrap_or(attached) == value
                    }
                }
                _ => false,
            }
        } else {
            false
        }
    })
}

/// clap's `text` with the variable named after the argument it refused a
/// value for.
fn naming(text: &str, arg: &str, variable: &str) -> String {
    let note = format!(" (from the environment variable {variable})");
    let quoted = format!("for '{arg}'");
    let end = match text.find(&quoted) {
        Some(at) => at + quoted.len(),
        None => text.find('\n').unwrap_or(text.len()),
    };
    format!("{}{note}{}", &text[..end], &text[end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_variable_follows_the_argument_clap_names() {
        let text = "invalid value 'abc' for '--port <N>': invalid digit found in string\n\n\
                    For more information, try '--help'.\n";

        let named = naming(text, "--port <N>", "N4N_MOCK_PORT");

        assert_eq!(
            named,
            "invalid value 'abc' for '--port <N>' (from the environment variable \
             N4N_MOCK_PORT): invalid digit found in string\n\n\
             For more information, try '--help'.\n"
        );
    }

    #[test]
    fn without_the_argument_in_the_text_the_variable_ends_the_first_line() {
        let named = naming(
            "some other wording\n\nmore\n",
            "--port <N>",
            "N4N_MOCK_PORT",
        );

        assert_eq!(
            named,
            "some other wording (from the environment variable N4N_MOCK_PORT)\n\nmore\n"
        );
    }

    #[test]
    fn a_flag_gives_a_value_by_any_of_its_names() {
        let arg = Arg::new("port").long("port").short('p').alias("listen");
        let gives_abc = |tokens: &[&str]| {
            let args: Vec<OsString> = tokens.iter().map(OsString::from).collect();
            gives(&arg, "abc", &args)
        };

        for tokens in [
            &["n4n-mock", "--port", "abc"][..],
            &["n4n-mock", "--port=abc"],
            &["n4n-mock", "--listen", "abc"],
            &["n4n-mock", "-pabc"],
            &["n4n-mock", "-p=abc"],
            &["n4n-mock", "serve", "-p", "abc"],
        ] {
            assert!(gives_abc(tokens), "{tokens:?}");
        }
        for tokens in [
            &["--port", "abc"][..],
            &["n4n-mock", "--port", "80"],
            &["n4n-mock", "--port=80"],
            &["n4n-mock", "--portal", "abc"],
            &["n4n-mock", "-q", "abc"],
            &["n4n-mock", "-qabc"],
            &["n4n-mock", "--", "--port", "abc"],
            &["n4n-mock", "port", "abc"],
            &["n4n-mock", "--port"],
        ] {
            assert!(!gives_abc(tokens), "{tokens:?}");
        }
    }
}
