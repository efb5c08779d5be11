//! The command line: `serve` (the default), `scenarios` and `validate`.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Mock server for the NATS for Networks REST API: answers
/// `GET /api/transaction/click_detail` from clicks and transactions kept in
/// YAML scenarios, the same bytes for the same request, every time.
#[derive(Debug, Parser)]
#[command(
    name = "n4n-mock",
    version,
    args_conflicts_with_subcommands = true,
    after_help = "Without a subcommand, n4n-mock serves. Try:\n  \
        n4n-mock                        serve the built-in `default` scenario on 127.0.0.1:8080\n  \
        n4n-mock --port 0               serve on a free port (printed on stdout)\n  \
        n4n-mock --scenario empty       serve scenarios/empty.yaml\n  \
        n4n-mock scenarios              list the scenarios there are\n  \
        n4n-mock validate               check every scenario file\n\n\
        Exit codes: 0 clean stop or all valid; 1 problems found or a runtime failure \
        (port in use); 2 bad usage, unknown scenario, or a scenario that does not load."
)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of `serve`, accepted without the subcommand too.
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve a scenario over HTTP (the default).
    Serve(ServeArgs),
    /// List the scenarios: name, clicks, transactions, description.
    Scenarios(ScenariosArgs),
    /// Check scenario files and print every problem as path:line:column: message.
    Validate(ValidateArgs),
}

/// Options of `serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Scenario to serve: a name from the scenarios folder (or the built-in
    /// `default`), or the path of a YAML file.
    #[arg(
        long,
        env = "N4N_MOCK_SCENARIO",
        default_value = "default",
        value_name = "NAME|FILE"
    )]
    pub scenario: String,

    #[command(flatten)]
    pub folder: ScenariosFolder,

    /// Address to listen on. The default accepts only this machine; use
    /// 0.0.0.0 or :: to accept others.
    #[arg(
        long,
        env = "N4N_MOCK_BIND",
        default_value = "127.0.0.1",
        value_name = "ADDR"
    )]
    pub bind: IpAddr,

    /// Port to listen on; 0 picks a free one, printed in the listening line.
    #[arg(long, env = "N4N_MOCK_PORT", default_value_t = 8080, value_name = "N")]
    pub port: u16,

    /// Log format on stderr; RUST_LOG sets the filter (default `info`).
    #[arg(long, env = "N4N_MOCK_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// The scenarios folder option, shared by every subcommand.
#[derive(Debug, Clone, Args)]
pub struct ScenariosFolder {
    /// Folder of scenario files [default: ./scenarios when it exists].
    #[arg(long, env = "N4N_MOCK_SCENARIOS_DIR", value_name = "DIR")]
    pub scenarios_dir: Option<PathBuf>,
}

impl ScenariosFolder {
    /// The folder given, else `./scenarios` when it exists.
    pub fn resolve(&self) -> Option<PathBuf> {
        self.scenarios_dir.clone().or_else(|| {
            let local = PathBuf::from("scenarios");
            local.is_dir().then_some(local)
        })
    }
}

/// Options of `scenarios`.
#[derive(Debug, Clone, Args)]
pub struct ScenariosArgs {
    #[command(flatten)]
    pub folder: ScenariosFolder,
}

/// Options of `validate`.
#[derive(Debug, Clone, Args)]
pub struct ValidateArgs {
    /// Scenario files or folders to check [default: every scenario of the folder].
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub folder: ScenariosFolder,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// One human-readable line per event.
    Text,
    /// One JSON object per line.
    Json,
}
