//! The `n4n-mock` binary: parse the command line, set up logging, run.

use std::process::ExitCode;

use clap::Parser;
use n4n_mock::cli::{Cli, Command};

// The static (musl) build allocates with mimalloc: musl's allocator takes one
// lock for every allocation of every thread, which costs throughput as the
// threads serving requests grow; mimalloc keeps a heap per thread. glibc's
// allocator does that already (BENCHMARKS.md, "Static build").
#[cfg(all(target_env = "musl", feature = "mimalloc"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
