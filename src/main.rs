//! The `n4n-mock` binary: parse the command line, set up logging, run, and
//! print the error once, whole, if there is one.

use std::process::ExitCode;

use clap::Parser;
use n4n_mock::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Held to the end: dropping it writes the log lines still queued.
    let _logs = n4n_mock::init_logging(cli.log_format());
    match n4n_mock::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("{err}");
            err.exit_code()
        }
    }
}
