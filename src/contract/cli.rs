//! `n4n-mock record` and `n4n-mock verify`: their flags (each with an
//! environment variable, the api-key's never shown), and the two commands,
//! which return the process exit code.
//!
//! The api-key is read into an [`ApiKey`], which no `Debug`, error or report
//! shows, and every line printed is scrubbed of it besides, in case a
//! server echoes it back.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, ValueEnum};

use super::record::{self, Recorded};
use super::upstream::{ApiKey, Upstream};
use super::verify::{self, Report};
use crate::cli::{OutArgs, ScenariosFolder};
use crate::commands::{EXIT_USAGE, refuse_existing_out, write_out_file};
use crate::params::Lookup;
use crate::scenario::LookupKey;
use crate::scenario::source::{self, Source};

/// `verify`: no answer drifts. `record`: the scenario is written.
pub const EXIT_OK: u8 = 0;
/// `verify`: some answer drifts from the contract. `record`: the file could not be written.
pub const EXIT_DRIFT: u8 = 1;
/// The upstream cannot be reached (bad usage exits 2 too, as everywhere, and
/// so does an `--out` file that exists without `--force`).
pub const EXIT_UNREACHABLE: u8 = 2;

/// The server to talk to and the credentials to do it.
#[derive(Debug, Clone, Args)]
pub struct UpstreamArgs {
    /// Base URL of the NATS for Networks server, e.g. https://nats.example.com
    /// (`/api/transaction/click_detail` is added).
    #[arg(long, env = "N4N_UPSTREAM_URL", value_name = "URL")]
    pub upstream: String,

    /// The `api-username` to send.
    #[arg(long, env = "N4N_UPSTREAM_USERNAME", value_name = "USERNAME")]
    pub api_username: String,

    /// The `api-key` to send. Prefer the environment variable: a flag shows
    /// in the process list. Never printed, never written.
    #[arg(
        long,
        env = "N4N_UPSTREAM_API_KEY",
        hide_env_values = true,
        value_name = "KEY",
        value_parser = parse_api_key
    )]
    pub api_key: ApiKey,

    /// How long one lookup may take, e.g. `30s`.
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub timeout: Duration,
}

fn parse_api_key(value: &str) -> Result<ApiKey, String> {
    if value.is_empty() {
        Err("the api-key is empty".into())
    } else {
        Ok(ApiKey::new(value))
    }
}

/// The lookups to make; each flag may repeat.
#[derive(Debug, Clone, Args)]
pub struct LookupArgs {
    /// A click's `click_hash` or a transaction's `transaction_hash`.
    #[arg(long = "transaction-hash", value_name = "HASH")]
    pub transaction_hash: Vec<String>,

    /// A transaction's `subscription_id`.
    #[arg(long = "subscription-id", value_name = "ID")]
    pub subscription_id: Vec<String>,

    /// A transaction's `orderid`.
    #[arg(long, value_name = "ID")]
    pub orderid: Vec<String>,
}

impl LookupArgs {
    /// The lookups, `transaction_hash` ones first; empty values are dropped.
    pub fn lookups(&self) -> Vec<Lookup> {
        let flags = [
            (LookupKey::TransactionHash, &self.transaction_hash),
            (LookupKey::SubscriptionId, &self.subscription_id),
            (LookupKey::OrderId, &self.orderid),
        ];
        let mut lookups: Vec<Lookup> = Vec::new();
        for (key, values) in flags {
            for value in values.iter().filter(|v| !v.is_empty()) {
                let lookup = Lookup {
                    key,
                    value: value.clone(),
                };
                if !lookups.contains(&lookup) {
                    lookups.push(lookup);
                }
            }
        }
        lookups
    }
}

/// Options of `record`.
#[derive(Debug, Clone, Args)]
pub struct RecordArgs {
    #[command(flatten)]
    pub upstream: UpstreamArgs,

    #[command(flatten)]
    pub lookups: LookupArgs,

    #[command(flatten)]
    pub out: OutArgs,
}

/// How `verify` prints its report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Lines for a person.
    Text,
    /// One JSON object, for CI.
    Json,
}

/// Options of `verify`.
#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub upstream: UpstreamArgs,

    #[command(flatten)]
    pub lookups: LookupArgs,

    /// Also look up every click of this scenario (a name of the scenarios
    /// folder, or a YAML file) by its `click_hash`.
    #[arg(long, value_name = "NAME|FILE")]
    pub scenario: Option<String>,

    #[command(flatten)]
    pub folder: ScenariosFolder,

    /// The report's format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

/// Prints to stderr with the api-key scrubbed.
fn say(key: &ApiKey, text: &str) {
    eprintln!("{}", key.scrub(text));
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| format!("cannot start the runtime: {err}"))
}

/// Sends every lookup in order, stopping at the first that gets no answer.
fn look_up_all(
    upstream: &Upstream,
    lookups: &[Lookup],
    mut each: impl FnMut(&Lookup, &super::upstream::Answer),
) -> Result<Vec<Recorded>, String> {
    let runtime = runtime()?;
    runtime.block_on(async {
        let mut recorded = Vec::new();
        for lookup in lookups {
            let answer = upstream
                .lookup(lookup)
                .await
                .map_err(|err| err.to_string())?;
            each(lookup, &answer);
            recorded.push(Recorded {
                lookup: lookup.clone(),
                answer,
            });
        }
        Ok(recorded)
    })
}

/// The upstream the flags name; a bad URL is said (scrubbed) and exits 2.
fn connect(args: &UpstreamArgs) -> Result<Upstream, u8> {
    Upstream::new(
        &args.upstream,
        &args.api_username,
        &args.api_key,
        args.timeout,
    )
    .map_err(|err| {
        say(&args.api_key, &format!("error: {err}"));
        EXIT_USAGE
    })
}

/// `n4n-mock record`: looks each lookup up on the upstream and writes a
/// scenario of the answers. 0 written; 1 the file could not be written; 2 bad
/// flags, an `--out` that exists without `--force` (checked before any
/// lookup), or the upstream cannot be reached; 130 or 143 when SIGINT or
/// SIGTERM stopped the write.
pub fn record(args: &RecordArgs) -> u8 {
    let key = &args.upstream.api_key;
    let lookups = args.lookups.lookups();
    if lookups.is_empty() {
        say(
            key,
            "error: nothing to record: pass --transaction-hash, --subscription-id or --orderid",
        );
        return EXIT_USAGE;
    }
    if let Some(path) = &args.out.file
        && let Err((code, message)) = refuse_existing_out(path, args.out.force)
    {
        say(key, &message);
        return code;
    }
    let upstream = match connect(&args.upstream) {
        Ok(upstream) => upstream,
        Err(code) => return code,
    };
    let recorded = look_up_all(&upstream, &lookups, |lookup, answer| {
        say(
            key,
            &format!("{}: {}", record::label(lookup), answer.status),
        );
    });
    let recorded = match recorded {
        Ok(recorded) => recorded,
        Err(err) => {
            say(key, &format!("error: {err}"));
            return EXIT_UNREACHABLE;
        }
    };
    let recording = record::write_scenario(
        upstream.url().as_str(),
        &args.upstream.api_username,
        key,
        &recorded,
    );
    for warning in &recording.warnings {
        say(key, &format!("warning: {warning}"));
    }
    if let Err((code, message)) = write_out(&args.out, &recording.yaml) {
        say(key, &message);
        return code;
    }
    let target = args
        .out
        .file
        .as_ref()
        .map_or("standard output".to_string(), |p| p.display().to_string());
    let serve = args
        .out
        .file
        .as_ref()
        .map_or("FILE".to_string(), |p| p.display().to_string());
    say(
        key,
        &format!(
            "recorded {} click{} and {} error override{} into {target}\n\
             edit {target} line {}: `api_key: {}` is a placeholder, not your key; \
             until you change it the mock accepts api-username {} with that placeholder\n\
             serve it: n4n-mock --scenario {serve}",
            recording.clicks,
            if recording.clicks == 1 { "" } else { "s" },
            recording.overrides,
            if recording.overrides == 1 { "" } else { "s" },
            recording.placeholder_line,
            record::PLACEHOLDER_API_KEY,
            args.upstream.api_username,
        ),
    );
    if recording.clicks == 0 {
        say(
            key,
            "warning: no lookup found a click; the scenario holds only what the errors were",
        );
    }
    EXIT_OK
}

/// Writes the scenario to `--out` (whole or not at all) or standard output;
/// else the exit code and message.
fn write_out(out: &OutArgs, text: &str) -> Result<(), (u8, String)> {
    match &out.file {
        Some(path) => write_out_file(path, out.force, |file| file.write_all(text.as_bytes())),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(|err| {
                    (
                        EXIT_DRIFT,
                        format!("error: cannot write standard output: {err}"),
                    )
                })
        }
    }
}

/// `n4n-mock verify`: looks each lookup up on the upstream and reports how
/// the answers differ from the contract. 0 no drift; 1 drift; 2 bad flags or
/// the upstream cannot be reached.
pub fn verify(args: &VerifyArgs) -> u8 {
    let key = &args.upstream.api_key;
    let mut lookups = args.lookups.lookups();
    if let Some(scenario) = &args.scenario {
        match scenario_lookups(scenario, args.folder.resolve().as_deref()) {
            Ok(found) => lookups.extend(
                found
                    .into_iter()
                    .filter(|l| !lookups.contains(l))
                    .collect::<Vec<_>>(),
            ),
            Err(err) => {
                say(key, &format!("error: {err}"));
                return EXIT_USAGE;
            }
        }
    }
    if lookups.is_empty() {
        say(
            key,
            "error: nothing to verify: pass --transaction-hash, --subscription-id, --orderid \
             or a --scenario with clicks",
        );
        return EXIT_USAGE;
    }
    let upstream = match connect(&args.upstream) {
        Ok(upstream) => upstream,
        Err(code) => return code,
    };
    let url = upstream.url().to_string();
    let recorded = match look_up_all(&upstream, &lookups, |_, _| {}) {
        Ok(recorded) => recorded,
        Err(err) => {
            say(key, &format!("error: {err}"));
            if args.format == ReportFormat::Json {
                let failure = serde_json::json!({"upstream": url, "error": err, "drift": null});
                println!("{}", key.scrub(&failure.to_string()));
            }
            return EXIT_UNREACHABLE;
        }
    };
    let checked = recorded
        .iter()
        .map(|r| verify::check(&r.lookup, &r.answer))
        .collect();
    let report = Report::new(url, checked);
    let printed = match args.format {
        ReportFormat::Text => report.to_text(),
        ReportFormat::Json => serde_json::to_string(&report).unwrap_or_default() + "\n",
    };
    print!("{}", key.scrub(&printed));
    if report.drift { EXIT_DRIFT } else { EXIT_OK }
}

/// Every click of a scenario as a `transaction_hash` lookup of its `click_hash`.
fn scenario_lookups(scenario: &str, folder: Option<&Path>) -> Result<Vec<Lookup>, String> {
    let as_path = Path::new(scenario);
    let names_a_file =
        as_path.components().count() > 1 || crate::scenario::catalog::is_yaml(as_path);
    let in_folder = folder.and_then(|dir| {
        ["yaml", "yml"]
            .iter()
            .map(|ext| dir.join(format!("{scenario}.{ext}")))
            .find(|p| p.is_file())
    });
    let (from, path): (&dyn Source, PathBuf) = if names_a_file {
        (&source::Disk, as_path.to_path_buf())
    } else if let Some(path) = in_folder {
        (&source::Disk, path)
    } else if scenario == "default" {
        (&source::Builtin, PathBuf::from(source::BUILTIN_DEFAULT))
    } else {
        let place = folder.map_or("no scenarios folder".to_string(), |d| {
            format!("no {scenario}.yaml in {}", d.display())
        });
        return Err(format!("unknown scenario `{scenario}`: {place}"));
    };
    let loaded = crate::scenario::load::load(from, &path).map_err(|problems| {
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        format!("the scenario does not load:\n{}", lines.join("\n"))
    })?;
    Ok(loaded
        .clicks
        .iter()
        .map(|(_, click)| Lookup {
            key: LookupKey::TransactionHash,
            value: click.click_hash().to_string(),
        })
        .collect())
}
