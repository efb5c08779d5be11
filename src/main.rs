//! The `n4n-mock` binary: parse the command line, set up logging, run, and
//! print the error once, whole, if there is one.

use std::process::ExitCode;

use n4n_mock::cli::Cli;

// The static (musl) build allocates with mimalloc: musl's allocator puts every
// allocation of every thread behind one lock, a cost that grows with the cores
// serving requests, where mimalloc keeps a heap per thread (as glibc's
// allocator does). Even on two cores, musl's serves 0.92 of the glibc build's
// requests a second, mimalloc as many (BENCHMARKS.md, "Static build").
#[cfg(all(target_env = "musl", feature = "mimalloc"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse_args();
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
