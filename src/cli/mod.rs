//! The command line: `serve` (the default), `scenarios`, `validate`, `wait`,
//! `generate`, `convert`, `record` and `verify`.

mod contract;
mod env_source;
mod shared;

use std::ffi::OsString;
use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::server::admin_token::AdminToken;

pub use contract::{LookupArgs, RecordArgs, ReportFormat, UpstreamArgs, VerifyArgs};
pub use shared::{OutArgs, ScenariosFolder};

/// Mock server for the NATS for Networks REST API: answers
/// `GET /api/transaction/click_detail` from clicks and transactions kept in
/// YAML or JSON scenarios, the same bytes for the same request, every time.
#[derive(Debug, Parser)]
#[command(
    name = "n4n-mock",
    version,
    args_conflicts_with_subcommands = true,
    after_help = "Without a subcommand, n4n-mock serves. Try:\n  \
        n4n-mock                        serve the built-in `default` scenario on 127.0.0.1:8080\n  \
        n4n-mock --port 0               serve on a free port (printed on stdout)\n  \
        n4n-mock --scenario lifecycle   serve the bundled `lifecycle` scenario\n  \
        n4n-mock scenarios              list the scenarios there are\n  \
        n4n-mock validate               check every scenario file\n  \
        n4n-mock convert big.yaml --out big.json   the same scenario as JSON, which loads faster\n  \
        n4n-mock wait --timeout 30s     wait until the mock on 127.0.0.1:8080 answers\n  \
        n4n-mock --port 0 --url-file mock.url &   then   URL=$(n4n-mock wait --url-file mock.url)\n\n\
        Exit codes: 0 clean stop or all valid; 1 problems found or a runtime failure \
        (port in use, a file not written); 2 bad usage, unknown scenario, a scenario that \
        does not load, or an --out file that exists (--force replaces it); 130 or 143 when \
        SIGINT or SIGTERM stopped writing --out (the file left as it was)."
)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of `serve`, accepted without the subcommand too.
    #[command(flatten)]
    pub serve: ServeArgs,
}

impl Cli {
    /// The process's command line, read as [`Parser::parse`] reads it, but
    /// a value refused that came from an environment variable, not a flag,
    /// is said to: `invalid value 'abc' for '--port <N>' (from the
    /// environment variable N4N_MOCK_PORT)`. Help, the version and errors
    /// are printed, and the process exits, as clap does.
    pub fn parse_args() -> Cli {
        Cli::try_parse().unwrap_or_else(|err| {
            let args: Vec<OsString> = std::env::args_os().collect();
            env_source::name_variable(err, Cli::command(), &args).exit()
        })
    }

    /// The log format asked for, whether `serve` is named or implied.
    pub fn log_format(&self) -> LogFormat {
        match &self.command {
            Some(Command::Serve(args)) => args.log_format,
            _ => self.serve.log_format,
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve a scenario over HTTP (the default).
    Serve(ServeArgs),
    /// List the scenarios: name, clicks, transactions, where each came from
    /// (`built-in` or its file), description.
    Scenarios(ScenariosArgs),
    /// Check scenario files and print every problem as path:line:column: message.
    Validate(ValidateArgs),
    /// Wait until a mock answers its health check, then print its base URL
    /// on stdout (exit 0), or give up at the deadline (exit 1): the line a CI
    /// script runs after starting one.
    Wait(WaitArgs),
    /// Write a valid scenario of N generated clicks, the same bytes for the
    /// same arguments (for load tests and benchmarks).
    Generate(GenerateArgs),
    /// Write a scenario or fixture file as JSON, which loads several times
    /// faster: checked first, keys in file order, values spelled as written.
    Convert(ConvertArgs),
    /// Record a live server's answers into a scenario (bodies verbatim, errors kept, never the api-key).
    Record(RecordArgs),
    /// Compare a live server's answers with the contract; exit 0 no drift, 1 drift, 2 unreachable.
    Verify(VerifyArgs),
}

/// Options of `serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Scenario to serve: a name (a bundled scenario built into the binary,
    /// or one of the scenarios folder), or the path of a YAML or JSON file.
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

    /// Reload when a scenario or fixture file changes (SIGHUP and
    /// `POST /__mock/reload` always reload).
    #[arg(long, env = "N4N_MOCK_WATCH")]
    pub watch: bool,

    /// Turn off the admin API (`/__mock/*`) except `/__mock/health`. The
    /// `X-Mock-Scenario` request header still picks a loaded scenario for
    /// one request: it changes nothing for others.
    #[arg(long, env = "N4N_MOCK_NO_ADMIN")]
    pub no_admin: bool,

    /// Ask every admin call (`/__mock/*` but `/__mock/health` and the
    /// console's page) for `Authorization: Bearer TOKEN`; others get a 401.
    /// Prefer the environment variable or --admin-token-file: a flag shows
    /// in the process list.
    #[arg(
        long,
        env = "N4N_MOCK_ADMIN_TOKEN",
        hide_env_values = true,
        value_parser = parse_admin_token,
        value_name = "TOKEN",
        conflicts_with = "admin_token_file"
    )]
    pub admin_token: Option<AdminToken>,

    /// Read the admin token from this file (a mounted secret); one line
    /// ending is removed.
    #[arg(long, env = "N4N_MOCK_ADMIN_TOKEN_FILE", value_name = "PATH")]
    pub admin_token_file: Option<PathBuf>,

    /// How long a client may take to send a request's headers, from when
    /// the connection is ready for it; then it is closed without an answer.
    #[arg(long, env = "N4N_MOCK_HEADER_READ_TIMEOUT", default_value = "10s", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub header_read_timeout: std::time::Duration,

    /// The largest request line plus headers, in bytes; larger is a 431.
    #[arg(long, env = "N4N_MOCK_MAX_HEADER_BYTES", default_value_t = 16 * 1024, value_parser = clap::value_parser!(u32).range(8192..=1_048_576), value_name = "N")]
    pub max_header_bytes: u32,

    /// How long a kept-alive connection may stay silent between requests.
    #[arg(long, env = "N4N_MOCK_IDLE_TIMEOUT", default_value = "5s", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub idle_timeout: std::time::Duration,

    /// How many connections may be open at once; more get a 503 and are closed.
    #[arg(long, env = "N4N_MOCK_MAX_CONNECTIONS", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..=1_000_000), value_name = "N")]
    pub max_connections: u32,

    /// Once listening, write the base URL really bound (`http://127.0.0.1:43817`,
    /// one line) to this file, whole or not at all; removed on a clean stop.
    /// With `--port 0`, `wait --url-file` reads it. An unspecified `--bind`
    /// (0.0.0.0, ::) is written as this machine's loopback address.
    #[arg(long, env = "N4N_MOCK_URL_FILE", value_name = "PATH")]
    pub url_file: Option<PathBuf>,

    /// How many API requests `GET /__mock/requests` keeps (the newest; 0 keeps none).
    #[arg(long, env = "N4N_MOCK_JOURNAL_SIZE", default_value_t = crate::journal::DEFAULT_JOURNAL_SIZE, value_name = "N")]
    pub journal_size: usize,

    /// How many bytes of memory the journal may hold; past it the oldest
    /// requests go first, whatever --journal-size allows (0 keeps none).
    #[arg(long, env = "N4N_MOCK_JOURNAL_BYTES", default_value_t = crate::journal::DEFAULT_JOURNAL_BYTES, value_name = "N")]
    pub journal_bytes: usize,
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

/// Options of `wait`.
#[derive(Debug, Clone, Args)]
pub struct WaitArgs {
    /// The mock's base URL; `/__mock/health` is polled under it. Port 0 is
    /// refused: use `--url-file`. [default: http://127.0.0.1:PORT]
    #[arg(long, env = "N4N_MOCK_URL", value_name = "URL")]
    pub url: Option<String>,

    /// The port of the mock on this machine when no URL is given. It reads
    /// `N4N_MOCK_PORT`, as `serve` does, so a container's health check
    /// finds its mock on whatever port the container was given.
    #[arg(long, env = "N4N_MOCK_PORT", default_value_t = 8080, value_name = "N")]
    pub port: u16,

    /// Wait for this file (written by `serve --url-file`), then for the mock
    /// at the URL it holds; takes the place of `--url`.
    #[arg(long, env = "N4N_MOCK_URL_FILE", value_name = "PATH")]
    pub url_file: Option<PathBuf>,

    /// How long to keep trying, e.g. `30s`, `500ms`, `2m`.
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub timeout: std::time::Duration,
}

impl WaitArgs {
    /// The base URL to wait for: `--url`, else this machine's loopback
    /// address at `--port`.
    pub fn base_url(&self) -> String {
        match &self.url {
            Some(url) => url.clone(),
            None => format!("http://127.0.0.1:{}", self.port),
        }
    }
}

/// Options of `generate`.
#[derive(Debug, Clone, Args)]
pub struct GenerateArgs {
    /// How many clicks.
    #[arg(long, value_name = "N")]
    pub clicks: u64,

    /// How many transactions each click has.
    #[arg(long, default_value_t = 1, value_name = "K")]
    pub transactions_per_click: u64,

    /// Seed of the generated values; the same seed gives the same file.
    #[arg(long, default_value_t = 0, value_name = "S")]
    pub seed: u64,

    /// The scenario's language: yaml, or json (the same scenario, loaded
    /// several times faster). Default: json when --out ends in .json, yaml
    /// otherwise.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<ScenarioFormat>,

    #[command(flatten)]
    pub out: OutArgs,
}

/// Options of `convert`.
#[derive(Debug, Clone, Args)]
pub struct ConvertArgs {
    /// The scenario or fixture file to convert (`.json` is refused: it is
    /// JSON already). It is checked as it loads (a fixture as a scenario
    /// including it would check it) and refused with every problem if it
    /// does not; its includes are kept as written, its comments dropped.
    #[arg(value_name = "FILE")]
    pub input: PathBuf,

    #[command(flatten)]
    pub out: OutArgs,
}

/// The language `generate` writes a scenario in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScenarioFormat {
    /// YAML, one flow mapping per record.
    Yaml,
    /// JSON, one object per record.
    Json,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// One human-readable line per event.
    Text,
    /// One JSON object per line.
    Json,
}

/// `--admin-token`'s value: any text but an empty one.
fn parse_admin_token(value: &str) -> Result<AdminToken, String> {
    AdminToken::new(value).map_err(|err| err.to_string())
}
