//! The one way a subcommand fails, and the exit codes, shared by every
//! subcommand: `main` prints the error once, whole, and exits with its code.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::scenario::LoadError;

/// Clean stop, every scenario valid, no drift.
pub const EXIT_OK: u8 = 0;
/// `validate` found problems, `verify` found drift, or something failed
/// while running: a port in use, a file that cannot be written, a deadline.
pub const EXIT_FAILURE: u8 = 1;
/// Bad usage, an unknown scenario, a scenario (or a file to `convert`)
/// that does not load, an `--out` that exists without `--force`, an
/// upstream that cannot be reached.
pub const EXIT_USAGE: u8 = 2;

/// Why a subcommand stopped short. Its text is what `main` prints on
/// stderr, `error: ` included; [`CliError::exit_code`] is how it exits.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Flags that cannot work, an unknown scenario, an `--out` that exists.
    #[error("error: {0}")]
    Usage(String),
    /// The scenarios do not load: every problem, then how many.
    #[error(
        "{0}\nerror: the scenarios do not load ({count} problem{s})",
        count = .0.problems.len(),
        s = if .0.problems.len() == 1 { "" } else { "s" }
    )]
    Scenarios(LoadError),
    /// A file `convert` refused, as it does not load: every problem, then
    /// how many.
    #[error(
        "{error}\nerror: {shown} does not load, so it was not converted ({count} problem{s})",
        shown = .path.display(),
        count = .error.problems.len(),
        s = if .error.problems.len() == 1 { "" } else { "s" }
    )]
    NotConverted {
        /// The file named.
        path: PathBuf,
        /// Its problems.
        error: LoadError,
    },
    /// A live server that cannot be reached (`record`, `verify`); the text
    /// is already scrubbed of the api-key.
    #[error("error: {0}")]
    Unreachable(String),
    /// Something failed while running.
    #[error("error: {0}")]
    Failure(String),
    /// SIGINT or SIGTERM stopped a write; exits 128 + the signal's number.
    #[error("error: {message}")]
    Interrupted {
        /// The exit code, 130 for SIGINT, 143 for SIGTERM.
        code: u8,
        /// What was stopped, and what was left.
        message: String,
    },
}

impl CliError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            CliError::Usage(_)
            | CliError::Scenarios(_)
            | CliError::NotConverted { .. }
            | CliError::Unreachable(_) => EXIT_USAGE,
            CliError::Failure(_) => EXIT_FAILURE,
            CliError::Interrupted { code, .. } => *code,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_exits_with_its_code() {
        let cases = [
            (CliError::Usage(String::new()), EXIT_USAGE),
            (CliError::Unreachable(String::new()), EXIT_USAGE),
            (CliError::Failure(String::new()), EXIT_FAILURE),
            (
                CliError::Interrupted {
                    code: 143,
                    message: String::new(),
                },
                143,
            ),
        ];
        for (error, code) in cases {
            assert_eq!(error.exit_code(), ExitCode::from(code), "{error:?}");
        }
    }

    #[test]
    fn every_message_starts_with_error() {
        let text = CliError::Usage("unknown scenario `x`".into()).to_string();
        assert_eq!(text, "error: unknown scenario `x`");
    }
}
