//! The `n4n-mock` binary: parse the command line, set up logging, run.

use std::process::ExitCode;

use clap::Parser;
use n4n_mock::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let format = match &cli.command {
        Some(Command::Serve(args)) => args.log_format,
        _ => cli.serve.log_format,
    };
    // Held to the end: dropping it writes the log lines still queued.
    let _logs = n4n_mock::logging::init(format);
    n4n_mock::commands::run(cli)
}
